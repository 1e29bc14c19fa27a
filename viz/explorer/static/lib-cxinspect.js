/* Panel 1's "where does this number come from?": what one cell of the spreadsheet network
 * is made of (explain) and its explanation as DOM nodes (render).
 *
 * VizExplorer.cxInspect.explain({input, kern, L, dense, names}, {layer, ch, r, c}) -> {
 *   layer, ch, r, c, value,
 *   conv1 / conv2: terms [{patch, kernel, products, sum?}] (one per input channel), sum (before ReLU),
 *                  im2col {rowIndex, colIndex, shape [rows, K, filters], row (K), column (K)}
 *   pool: window (2x2 of conv2 after ReLU); weights: pooled, weight, dense }
 * VizExplorer.cxInspect.render(api, explained, names) -> [nodes]
 */
(function () {
  "use strict";

  var el, fmt;

  function block(src, r, c, h, w) {
    var out = [];
    for (var i = 0; i < h; i++) {
      var row = [];
      for (var j = 0; j < w; j++) row.push(src.data[(r + i) * src.cols + c + j]);
      out.push(row);
    }
    return out;
  }
  function explain(x, t) {
    var input = x.input, kern = x.kern, L = x.L, data = {dense: x.dense};
    var e = {layer: t.layer, ch: t.ch, r: t.r, c: t.c};
    if (t.layer === "conv1") {
      var patch = block(input, t.r, t.c, 3, 3), k = kern.conv1[t.ch];
      e.terms = [{patch: patch, kernel: k, products: mul(patch, k)}];
      e.sum = L.conv1_pre[t.ch].data[t.r * 26 + t.c];
      e.value = L.conv1[t.ch].data[t.r * 26 + t.c];
      e.im2col = {rowIndex: t.r * 26 + t.c, colIndex: t.ch, shape: [676, 9, 2],
        row: flat(patch), column: flat(k)};
    } else if (t.layer === "conv2") {
      e.terms = [0, 1].map(function (ci) {
        var patch = block(L.conv1[ci], t.r, t.c, 3, 3), k = kern.conv2[t.ch][ci];
        var pr = mul(patch, k);
        return {patch: patch, kernel: k, products: pr, sum: flat(pr).reduce(function (a, b) { return a + b; }, 0)};
      });
      e.sum = L.conv2_pre[t.ch].data[t.r * 24 + t.c];
      e.value = L.conv2[t.ch].data[t.r * 24 + t.c];
      e.im2col = {rowIndex: t.r * 24 + t.c, colIndex: t.ch, shape: [576, 18, 2],
        row: flat(e.terms[0].patch).concat(flat(e.terms[1].patch)), column: flat(kern.conv2[t.ch][0]).concat(flat(kern.conv2[t.ch][1]))};
    } else if (t.layer === "pool") {
      e.window = block(L.conv2[t.ch], 2 * t.r, 2 * t.c, 2, 2);
      e.value = L.pool[t.ch].data[t.r * 12 + t.c];
    } else {   // a dense weight
      e.pooled = L.pool[t.ch].data[t.r * 12 + t.c];
      e.weight = data.dense[t.ch][t.r][t.c];
      e.value = e.pooled * e.weight;
      e.dense = L.dense;
    }
    return e;
  }
  function mul(a, b) { return a.map(function (row, i) { return row.map(function (v, j) { return v * b[i][j]; }); }); }
  function flat(m) { return [].concat.apply([], m); }
  function table(m, digits, hiMax) {
    var mx = hiMax ? Math.max.apply(null, flat(m)) : null;
    return el("table", {"class": "mat"}, m.map(function (row) {
      return el("tr", null, row.map(function (v) {
        return el("td", {"class": hiMax && v === mx ? "hi" : null}, fmt(v, digits));
      }));
    }));
  }
  function labelled(caption, node) { return el("div", null, el("div", {"class": "mcap"}, caption), node); }
  function op(s) { return el("span", {"class": "op"}, s); }

  function render(api, e, names) {
    el = api.el; fmt = api.fmt;
    var nodes = [], t = e, where = "row " + (t.r + 1) + ", column " + (t.c + 1);
    if (t.layer === "conv1" || t.layer === "conv2") {
      var n1 = t.layer === "conv1";
      nodes.push(el("h4", null, t.layer + " filter " + (t.ch + 1) + (n1 ? " (" + names[t.ch] + ")" : "") + ", " + where +
        " = " + fmt(e.value, 4)));
      e.terms.forEach(function (term, ci) {
        nodes.push(el("div", {"class": "ops"},
          labelled(n1 ? "input patch" : "conv1 channel " + (ci + 1) + " patch", table(term.patch, 2)), op("\u00d7"),
          labelled(n1 ? "filter" : "filter " + (t.ch + 1) + ", channel " + (ci + 1), table(term.kernel, 2)), op("="),
          labelled("products", table(term.products, 3)),
          n1 ? null : el("span", {"class": "viz-num"}, "channel " + (ci + 1) + " sum " + fmt(term.sum, 4))));
      });
      nodes.push(el("p", {"class": "viz-num"}, n1 ? "sum of the 9 products = " + fmt(e.sum, 4)
        : "sum = " + fmt(e.terms[0].sum, 4) + " + " + fmt(e.terms[1].sum, 4) + " = " + fmt(e.sum, 4),
      "; ReLU: max(0, " + fmt(e.sum, 4) + ") = " + fmt(e.value, 4)));
      var im = e.im2col, prods = im.row.map(function (v, i) { return v * im.column[i]; });
      nodes.push(el("p", {"class": "viz-muted"}, "The same cell as a matrix product (im2col): row " + im.rowIndex +
        " of the " + im.shape[0] + "\u00d7" + im.shape[1] + " patch matrix times column " + im.colIndex + " of the " +
        im.shape[1] + "\u00d7" + im.shape[2] + " weight matrix (patches and filters read row by row" +
        (n1 ? "" : ", channel 1 then channel 2") + "):"));
      nodes.push(el("div", {"class": "viz-scroll"}, el("table", {"class": "mat"},
        el("tr", null, el("td", null, "patch row"), im.row.map(function (v) { return el("td", null, fmt(v, 2)); })),
        el("tr", null, el("td", null, "weight column"), im.column.map(function (v) { return el("td", null, fmt(v, 2)); })),
        el("tr", null, el("td", null, "products"), prods.map(function (v) { return el("td", null, fmt(v, 3)); })))));
      nodes.push(el("p", {"class": "viz-num"}, "row \u00b7 column = " + fmt(e.sum, 4)));
    } else if (t.layer === "pool") {
      nodes.push(el("h4", null, "max-pool channel " + (t.ch + 1) + ", " + where + " = " + fmt(e.value, 4)));
      nodes.push(el("div", {"class": "ops"}, labelled("conv2 filter " + (t.ch + 1) + " (after ReLU), rows " + (2 * t.r + 1) +
        "\u2013" + (2 * t.r + 2) + ", columns " + (2 * t.c + 1) + "\u2013" + (2 * t.c + 2), table(e.window, 3, true)),
      op("\u2192"), el("span", {"class": "viz-num"}, "the largest: " + fmt(e.value, 4))));
    } else {
      nodes.push(el("h4", null, "dense weight, channel " + (t.ch + 1) + ", " + where));
      nodes.push(el("p", {"class": "viz-num"}, "pooled value " + fmt(e.pooled, 4) + " \u00d7 weight " + fmt(e.weight, 4) +
        " = " + fmt(e.value, 4)));
      nodes.push(el("p", {"class": "viz-muted"}, "The dense output adds up all 288 such products (2 channels \u00d7 12\u00d712): " +
        fmt(e.dense, 4) + ". It is one row (the 288 pooled values) times one column (the 288 weights)."));
    }
    return nodes;
  }

  window.VizExplorer = window.VizExplorer || {};
  window.VizExplorer.cxInspect = {explain: explain, render: render};
})();
