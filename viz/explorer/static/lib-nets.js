/* The arithmetic of the two small networks, by hand (float64), as the lessons spell it out.
 * Tested against torch in tests/test_explorer.py (1e-5; in practice ~1e-13).
 *
 * Maps are {rows, cols, data: Float64Array} per channel; a layer is an array of maps.
 *
 * Shared by panels 1-2 (loaded before the panel files by write_explorer).
 * VizExplorer.nets.convExample(input28, conv1 [2][3][3], conv2 [2][2][3][3], dense [2][12][12])
 *   -> {conv1_pre, conv1, conv2_pre, conv2, pool, dense}        (the spreadsheet: no padding, no biases)
 * VizExplorer.nets.otavio(input, weights)
 *   -> {conv1_pre, conv1, pool1, conv2_pre, conv2, pool2, scores, probs}   (padding 1, biases, softmax)
 * VizExplorer.nets.conv(maps, kernels [out][in][k][k], bias|null, pad) -> pre-activation maps
 */
(function () {
  "use strict";

  function map(rows, cols) { return {rows: rows, cols: cols, data: new Float64Array(rows * cols)}; }

  function fromNested(m) {
    var out = map(m.length, m[0].length);
    for (var r = 0; r < out.rows; r++) for (var c = 0; c < out.cols; c++) out.data[r * out.cols + c] = m[r][c];
    return out;
  }

  function toNested(m) {
    var out = [];
    for (var r = 0; r < m.rows; r++) out.push(Array.from(m.data.subarray(r * m.cols, (r + 1) * m.cols)));
    return out;
  }

  /* Cross-correlation (what torch's Conv2d computes), stride 1, zero padding `pad`. */
  function conv(maps, kernels, bias, pad) {
    var cin = maps.length, h = maps[0].rows, w = maps[0].cols, k = kernels[0][0].length;
    var oh = h + 2 * pad - k + 1, ow = w + 2 * pad - k + 1, out = [];
    for (var o = 0; o < kernels.length; o++) {
      var m = map(oh, ow), d = m.data;
      for (var r = 0; r < oh; r++) {
        for (var c = 0; c < ow; c++) {
          var s = 0.0;
          for (var ci = 0; ci < cin; ci++) {
            var src = maps[ci].data, kk = kernels[o][ci];
            for (var i = 0; i < k; i++) {
              var y = r + i - pad;
              if (y < 0 || y >= h) continue;
              var row = kk[i];
              for (var j = 0; j < k; j++) {
                var x = c + j - pad;
                if (x < 0 || x >= w) continue;
                s += src[y * w + x] * row[j];
              }
            }
          }
          d[r * ow + c] = bias ? s + bias[o] : s;
        }
      }
      out.push(m);
    }
    return out;
  }

  function relu(maps) {
    return maps.map(function (m) {
      var o = map(m.rows, m.cols);
      for (var i = 0; i < m.data.length; i++) o.data[i] = m.data[i] > 0 ? m.data[i] : 0;
      return o;
    });
  }

  function maxpool(maps) {   // 2x2, stride 2 (torch MaxPool2d(2): floor of odd sizes)
    return maps.map(function (m) {
      var oh = Math.floor(m.rows / 2), ow = Math.floor(m.cols / 2), o = map(oh, ow), w = m.cols, d = m.data;
      for (var r = 0; r < oh; r++) {
        for (var c = 0; c < ow; c++) {
          var i = 2 * r * w + 2 * c;
          o.data[r * ow + c] = Math.max(d[i], d[i + 1], d[i + w], d[i + w + 1]);
        }
      }
      return o;
    });
  }

  /* One dense output: sum over channels, rows, cols (torch's Flatten order) of x * w. */
  function denseOne(maps, weights) {
    var s = 0.0;
    for (var ch = 0; ch < maps.length; ch++) {
      var m = maps[ch], wt = weights[ch];
      for (var r = 0; r < m.rows; r++) for (var c = 0; c < m.cols; c++) s += m.data[r * m.cols + c] * wt[r][c];
    }
    return s;
  }

  function convExample(input, conv1, conv2, dense) {
    var x = [input.data ? input : fromNested(input)];
    var c1 = conv(x, conv1.map(function (k) { return [k]; }), null, 0);
    var r1 = relu(c1);
    var c2 = conv(r1, conv2, null, 0);
    var r2 = relu(c2);
    var p = maxpool(r2);
    return {conv1_pre: c1, conv1: r1, conv2_pre: c2, conv2: r2, pool: p, dense: denseOne(p, dense)};
  }

  function softmax(z) {
    var m = Math.max.apply(null, z), e = z.map(function (v) { return Math.exp(v - m); });
    var s = e.reduce(function (a, b) { return a + b; }, 0);
    return e.map(function (v) { return v / s; });
  }

  /* weights: {conv1_weight [c1][1][3][3], conv1_bias, conv2_weight [c2][c1][3][3], conv2_bias,
   * dense_weight [K][c2*s*s], dense_bias [K], channels [c1, c2]} (as VIZ_DATA.otavio). */
  function otavio(input, wt) {
    var x = [input.data ? input : fromNested(input)];
    var c1 = conv(x, wt.conv1_weight, wt.conv1_bias, 1), r1 = relu(c1), p1 = maxpool(r1);
    var c2 = conv(p1, wt.conv2_weight, wt.conv2_bias, 1), r2 = relu(c2), p2 = maxpool(r2);
    var scores = wt.dense_weight.map(function (row, k) {
      var s = 0.0, i = 0;
      for (var ch = 0; ch < p2.length; ch++) for (var j = 0; j < p2[ch].data.length; j++) s += p2[ch].data[j] * row[i++];
      return s + wt.dense_bias[k];
    });
    return {conv1_pre: c1, conv1: r1, pool1: p1, conv2_pre: c2, conv2: r2, pool2: p2,
      scores: scores, probs: softmax(scores)};
  }

  window.VizExplorer = window.VizExplorer || {};
  window.VizExplorer.nets = {
    map: map, fromNested: fromNested, toNested: toNested, conv: conv, relu: relu, maxpool: maxpool,
    denseOne: denseOne, convExample: convExample, otavio: otavio, softmax: softmax,
  };
})();
