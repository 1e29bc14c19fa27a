/* The arithmetic of a user's model, step by step, in float64 (no DOM).
 *
 * Data: window.VIZ_MODEL, written by viz.core.explain.browser.browser_model (see its
 * docstring): {input: {shape: [C, H, W]}, ops: [{name, type, shape, ...parameters}], ...};
 * weights are {shape, b64} (little-endian float32 bytes).
 *
 * VizModel.net = {
 *   decode(w) -> Float32Array          one exported weight
 *   build(data) -> net                 weights decoded once
 *   run(net, x) -> [{name, shape, data: Float64Array}]   x: Float64Array C*H*W (row-major)
 *   probabilities(net, out) -> Float64Array              class probabilities of the last output
 *   poolSize(L, k, s, p, d, ceil)      torch's pooling output size
 *   toNested(t) / fromNested(nested)   {shape, data} <-> nested arrays
 * }
 * Every op follows torch (CPU, eval mode): conv2d with zero padding [top, bottom, left, right],
 * stride, dilation and groups; max/avg pooling with padding, dilation (max), ceil_mode,
 * count_include_pad and divisor_override (avg); batchnorm2d (x - mean) / sqrt(var + eps) * w + b.
 */
(function () {
  "use strict";

  var littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

  function decode(w) {
    if (!w) return null;
    if (w._f32) return w._f32;
    var s = atob(w.b64), n = s.length, bytes = new Uint8Array(n);
    for (var i = 0; i < n; i++) bytes[i] = s.charCodeAt(i);
    var out;
    if (littleEndian) out = new Float32Array(bytes.buffer);
    else {
      var dv = new DataView(bytes.buffer);
      out = new Float32Array(n / 4);
      for (i = 0; i < out.length; i++) out[i] = dv.getFloat32(4 * i, true);
    }
    var expect = w.shape.reduce(function (a, b) { return a * b; }, 1);
    if (out.length !== expect) throw new Error("weight of shape " + w.shape.join("x") + " has " + out.length + " numbers");
    Object.defineProperty(w, "_f32", {value: out, enumerable: false});
    return out;
  }

  function poolSize(L, k, s, p, d, ceil) {
    var num = L + 2 * p - d * (k - 1) - 1;
    var o = (ceil ? Math.ceil(num / s) : Math.floor(num / s)) + 1;
    if (ceil && (o - 1) * s >= L + p) o -= 1;
    return o;
  }

  function conv2d(x, op, w, b) {
    var C = x.shape[0], H = x.shape[1], W = x.shape[2], X = x.data;
    var O = op.weight.shape[0], Cg = op.weight.shape[1], kh = op.weight.shape[2], kw = op.weight.shape[3];
    var G = op.groups, Og = O / G, sh = op.stride[0], sw = op.stride[1];
    var pt = op.padding[0], pb = op.padding[1], pl = op.padding[2], pr = op.padding[3];
    var dh = op.dilation[0], dw = op.dilation[1];
    var OH = Math.floor((H + pt + pb - dh * (kh - 1) - 1) / sh) + 1;
    var OW = Math.floor((W + pl + pr - dw * (kw - 1) - 1) / sw) + 1;
    if (C !== Cg * G) throw new Error(op.name + ": " + C + " channels in, weights for " + Cg * G);
    var out = new Float64Array(O * OH * OW), plane = OH * OW;
    for (var o = 0; o < O; o++) {
      var g = Math.floor(o / Og), base = o * plane, bias = b ? b[o] : 0;
      for (var i = 0; i < plane; i++) out[base + i] = bias;
      for (var ci = 0; ci < Cg; ci++) {
        var c = g * Cg + ci, cbase = c * H * W;
        for (var ki = 0; ki < kh; ki++) {
          for (var kj = 0; kj < kw; kj++) {
            var wt = w[((o * Cg + ci) * kh + ki) * kw + kj];
            if (wt === 0) continue;
            var off = kj * dw - pl;
            var lo = Math.max(0, Math.ceil(-off / sw)), hi = Math.min(OW - 1, Math.floor((W - 1 - off) / sw));
            if (hi < lo) continue;
            for (var oy = 0; oy < OH; oy++) {
              var iy = oy * sh - pt + ki * dh;
              if (iy < 0 || iy >= H) continue;
              var rin = cbase + iy * W + off, rout = base + oy * OW;
              if (sw === 1) {
                for (var ox = lo; ox <= hi; ox++) out[rout + ox] += wt * X[rin + ox];
              } else {
                for (ox = lo; ox <= hi; ox++) out[rout + ox] += wt * X[rin + ox * sw];
              }
            }
          }
        }
      }
    }
    return {shape: [O, OH, OW], data: out};
  }

  function maxpool2d(x, op) {
    var C = x.shape[0], H = x.shape[1], W = x.shape[2], X = x.data;
    var kh = op.kernel[0], kw = op.kernel[1], sh = op.stride[0], sw = op.stride[1];
    var ph = op.padding[0], pw = op.padding[1], dh = op.dilation[0], dw = op.dilation[1];
    var OH = poolSize(H, kh, sh, ph, dh, op.ceil_mode), OW = poolSize(W, kw, sw, pw, dw, op.ceil_mode);
    var out = new Float64Array(C * OH * OW), k = 0;
    for (var c = 0; c < C; c++) {
      for (var oy = 0; oy < OH; oy++) {
        for (var ox = 0; ox < OW; ox++) {
          var m = -Infinity, nan = false;
          for (var i = 0; i < kh; i++) {
            var iy = oy * sh - ph + i * dh;
            if (iy < 0 || iy >= H) continue;
            for (var j = 0; j < kw; j++) {
              var ix = ox * sw - pw + j * dw;
              if (ix < 0 || ix >= W) continue;
              var v = X[(c * H + iy) * W + ix];
              if (v > m) m = v; else if (v !== v) nan = true;
            }
          }
          out[k++] = nan ? NaN : m;
        }
      }
    }
    return {shape: [C, OH, OW], data: out};
  }

  function avgpool2d(x, op) {
    var C = x.shape[0], H = x.shape[1], W = x.shape[2], X = x.data;
    var kh = op.kernel[0], kw = op.kernel[1], sh = op.stride[0], sw = op.stride[1];
    var ph = op.padding[0], pw = op.padding[1];
    var OH = poolSize(H, kh, sh, ph, 1, op.ceil_mode), OW = poolSize(W, kw, sw, pw, 1, op.ceil_mode);
    var out = new Float64Array(C * OH * OW), k = 0;
    for (var c = 0; c < C; c++) {
      for (var oy = 0; oy < OH; oy++) {
        for (var ox = 0; ox < OW; ox++) {
          var y0 = oy * sh - ph, x0 = ox * sw - pw;
          var y1 = Math.min(y0 + kh, H + ph), x1 = Math.min(x0 + kw, W + pw);
          var poolN = (y1 - y0) * (x1 - x0);
          y0 = Math.max(y0, 0); x0 = Math.max(x0, 0); y1 = Math.min(y1, H); x1 = Math.min(x1, W);
          var s = 0;
          for (var iy = y0; iy < y1; iy++) for (var ix = x0; ix < x1; ix++) s += X[(c * H + iy) * W + ix];
          var div = op.divisor_override ? op.divisor_override : (op.count_include_pad ? poolN : (y1 - y0) * (x1 - x0));
          out[k++] = s / div;
        }
      }
    }
    return {shape: [C, OH, OW], data: out};
  }

  function batchnorm2d(x, op, p) {
    var C = x.shape[0], plane = x.data.length / C, out = new Float64Array(x.data.length);
    for (var c = 0; c < C; c++) {
      var inv = 1 / Math.sqrt(p.var[c] + op.eps), w = p.weight[c], b = p.bias[c], m = p.mean[c];
      for (var i = c * plane, e = i + plane; i < e; i++) out[i] = (x.data[i] - m) * inv * w + b;
    }
    return {shape: x.shape.slice(), data: out};
  }

  function linear(x, op, w, b) {
    var O = op.weight.shape[0], I = op.weight.shape[1], X = x.data, out = new Float64Array(O);
    if (X.length !== I) throw new Error(op.name + ": " + X.length + " numbers in, weights for " + I);
    for (var o = 0; o < O; o++) {
      var s = 0, r = o * I;
      for (var i = 0; i < I; i++) s += w[r + i] * X[i];
      out[o] = s + (b ? b[o] : 0);
    }
    return {shape: [O], data: out};
  }

  function map(x, f) {
    var out = new Float64Array(x.data.length);
    for (var i = 0; i < out.length; i++) out[i] = f(x.data[i]);
    return {shape: x.shape.slice(), data: out};
  }

  function softmax(v, log) {
    var m = -Infinity, i, s = 0, out = new Float64Array(v.length);
    for (i = 0; i < v.length; i++) if (v[i] > m) m = v[i];
    for (i = 0; i < v.length; i++) s += Math.exp(v[i] - m);
    for (i = 0; i < v.length; i++) out[i] = log ? v[i] - m - Math.log(s) : Math.exp(v[i] - m) / s;
    return out;
  }

  var OPS = {
    conv2d: function (x, op, P) { return conv2d(x, op, P.weight, P.bias); },
    relu: function (x) { return map(x, function (v) { return v > 0 ? v : (v === v ? 0 : v); }); },
    leaky_relu: function (x, op) { var a = op.slope; return map(x, function (v) { return v > 0 ? v : v * a; }); },
    sigmoid: function (x) { return map(x, function (v) { return 1 / (1 + Math.exp(-v)); }); },
    tanh: function (x) { return map(x, Math.tanh); },
    maxpool2d: maxpool2d,
    avgpool2d: avgpool2d,
    batchnorm2d: function (x, op, P) { return batchnorm2d(x, op, P); },
    dropout: function (x) { return {shape: x.shape.slice(), data: x.data}; },
    flatten: function (x) { return {shape: [x.data.length], data: x.data}; },
    linear: function (x, op, P) { return linear(x, op, P.weight, P.bias); },
    softmax: function (x) { return {shape: x.shape.slice(), data: softmax(x.data, false)}; },
    log_softmax: function (x) { return {shape: x.shape.slice(), data: softmax(x.data, true)}; },
  };
  var WEIGHTS = ["weight", "bias", "mean", "var"];

  function build(data) {
    if (!data || !data.input || !Array.isArray(data.ops)) throw new Error("no model data (model-data.js)");
    var ops = data.ops.map(function (op) {
      if (!OPS[op.type]) throw new Error("step \u201c" + op.name + "\u201d has an unknown type " + op.type);
      var P = {};
      WEIGHTS.forEach(function (k) { if (op[k] && op[k].b64 !== undefined) P[k] = decode(op[k]); });
      return {op: op, P: P, fn: OPS[op.type]};
    });
    return {data: data, shape: data.input.shape.slice(), ops: ops, output: data.output || "logits"};
  }

  function run(net, x) {
    var n = net.shape[0] * net.shape[1] * net.shape[2];
    if (!x || x.length !== n) throw new Error("the input must have " + n + " numbers");
    var cur = {shape: net.shape.slice(), data: x}, out = [];
    net.ops.forEach(function (s) {
      cur = s.fn(cur, s.op, s.P);
      var want = s.op.shape;
      if (want && (want.length !== cur.shape.length || want.some(function (v, i) { return v !== cur.shape[i]; }))) {
        throw new Error("step \u201c" + s.op.name + "\u201d made " + cur.shape.join("\u00d7") + ", expected " + want.join("\u00d7"));
      }
      out.push({name: s.op.name, shape: cur.shape, data: cur.data});
    });
    return out;
  }

  function probabilities(net, last) {
    var v = last.data;
    if (net.output === "probabilities") return Float64Array.from(v);
    if (net.output === "log_probabilities") return v.map(Math.exp);
    return softmax(v, false);
  }

  function toNested(t) {
    var shape = t.shape, data = t.data;
    function rec(d, off) {
      if (d === shape.length - 1) return Array.prototype.slice.call(data, off, off + shape[d]);
      var size = 1, out = [];
      for (var k = d + 1; k < shape.length; k++) size *= shape[k];
      for (var i = 0; i < shape[d]; i++) out.push(rec(d + 1, off + i * size));
      return out;
    }
    return rec(0, 0);
  }

  function fromNested(a) {
    var shape = [], p = a;
    while (Array.isArray(p)) { shape.push(p.length); p = p[0]; }
    var flat = [];
    (function walk(q) { if (Array.isArray(q)) q.forEach(walk); else flat.push(+q); })(a);
    return {shape: shape, data: Float64Array.from(flat)};
  }

  window.VizModel = window.VizModel || {};
  window.VizModel.net = {decode: decode, build: build, run: run, probabilities: probabilities,
    poolSize: poolSize, toNested: toNested, fromNested: fromNested, ops: OPS};
})();
