/* Panel 2: Otavio Good's network, yours (viz.core.otavio, the trained lesson-3 letter CNN).
 *
 * conv1 3x3 (1 -> 2, padding 1, bias) -> ReLU -> max-pool 2x2 -> conv2 3x3 (2 -> 4) -> ReLU
 * -> max-pool 2x2 -> dense (one 4x5x5 template per class) -> softmax, recomputed by
 * VizExplorer.nets.otavio (float64) after every stroke.
 *
 * Test hooks, window.vizTest.otavio:
 *   input()      the 20x20 pixels the layers were computed from (nested arrays)
 *   layers()     {conv1_pre, conv1, pool1, conv2_pre, conv2, pool2, scores, probs}
 *   prediction() the winning class; classes() the class names
 *   setInput(m), preset(i), clear()
 */
(function () {
  "use strict";

  var INTRO = "Draw a letter or a digit (the network knows the classes listed beside the drawing). " +
    "Every layer's maps update as you draw: green where a filter responds positively, red where negatively; " +
    "ReLU keeps the green, max-pooling keeps the strongest of each 2\u00d72 block, and the dense layer " +
    "scores the pooled maps against one template per class.";

  VizExplorer.register({id: "otavio", title: "2. Otavio\u2019s network, yours", intro: INTRO, mount: mount});

  function mount(root, data, api) {
    var el = api.el, fmt = api.fmt, nets = VizExplorer.nets;
    if (!data || !nets || !VizExplorer.drawGrid) {
      api.message(root, "This panel has no data (write the page with viz explore or viz build).");
      return {};
    }
    var S = data.size, C1 = data.channels[0], C2 = data.channels[1], K = data.classes.length, side = S / 4;
    var input = nets.map(S, S), L = null, pending = false;
    var templates = data.dense_weight.map(function (row) {   // (K, C2*side*side) -> K x C2 maps
      var maps = [];
      for (var ch = 0; ch < C2; ch++) {
        var m = nets.map(side, side);
        m.data.set(row.slice(ch * side * side, (ch + 1) * side * side));
        maps.push(m);
      }
      return maps;
    });
    var lim = data.limits || {};
    var tlim = lim.templates || 1;

    var msg = el("p", {"class": "viz-message", role: "status", "aria-live": "polite"});
    var drawCanvas = el("canvas", {"aria-label": "Input: " + S + " by " + S + " pixels; draw here"});
    var clearBtn = el("button", {type: "button"}, "Clear");
    var eraseBtn = el("button", {type: "button", "aria-pressed": "false"}, "Eraser");
    var presetSel = el("select", {"aria-label": "Sample letter"},
      el("option", {value: ""}, "Sample letters\u2026"),
      (data.presets || []).map(function (p, i) { return el("option", {value: String(i)}, p.name); }));
    var bars = el("div", {"class": "viz-bars", role: "list", "aria-label": "class percentages"});
    var winnerLine = el("p", {"class": "viz-num", style: {fontWeight: "700", margin: ".3rem 0"}});

    var rows = [
      {key: "conv1_pre", title: "conv1: 3\u00d73 filters + bias", n: C1, cell: 8, lim: lim.conv1_pre},
      {key: "conv1", title: "ReLU", n: C1, cell: 8, lim: lim.conv1},
      {key: "pool1", title: "max-pool 2\u00d72", n: C1, cell: 14, lim: lim.pool1},
      {key: "conv2_pre", title: "conv2: 3\u00d73 over both channels + bias", n: C2, cell: 14, lim: lim.conv2_pre},
      {key: "conv2", title: "ReLU", n: C2, cell: 14, lim: lim.conv2},
      {key: "pool2", title: "max-pool 2\u00d72", n: C2, cell: 30, lim: lim.pool2},
    ];
    var maps = {};
    var layerBox = el("div", {"class": "viz-cols"});
    rows.forEach(function (row) {
      maps[row.key] = [];
      var figs = [];
      for (var i = 0; i < row.n; i++) {
        var c = el("canvas");
        maps[row.key].push(c);
        figs.push(el("figure", {"class": "viz-figure"}, el("figcaption", null, "channel " + (i + 1)), c));
      }
      layerBox.appendChild(el("div", {"class": "viz-layer"},
        el("h3", null, row.title),
        el("p", null, "green + \u00b7 red \u2212, colours up to \u00b1" + fmt(row.lim || 1, 2) +
          " (the largest over the sample letters)"),
        el("div", {"class": "viz-cols", style: {gap: ".5rem"}}, figs)));
    });
    var tmplCanvases = [];
    for (var t = 0; t < C2; t++) tmplCanvases.push(el("canvas"));
    var tmplTitle = el("h3");
    var tmplBox = el("div", {"class": "viz-layer"}, tmplTitle,
      el("p", null, "the dense weights of the winning class, one 5\u00d75 map per pool2 channel: its score is the sum of pool2 \u00d7 template, plus a bias"),
      el("div", {"class": "viz-cols", style: {gap: ".5rem"}}, tmplCanvases.map(function (c, i) {
        return el("figure", {"class": "viz-figure"}, el("figcaption", null, "channel " + (i + 1)), c);
      })));

    root.appendChild(el("div", {"class": "viz-cols"},
      el("div", null,
        el("figure", {"class": "viz-figure"},
          el("figcaption", null, el("b", null, "input"), " " + S + "\u00d7" + S + ", 0 (white) to 1 (dark): draw here"),
          drawCanvas),
        el("div", {"class": "viz-row"}, clearBtn, eraseBtn, presetSel), msg),
      el("div", {style: {flex: "1 1 18rem"}},
        el("h3", {style: {margin: ".1rem 0 .3rem", fontSize: "1rem"}}, "Class percentages (softmax of the dense scores)"),
        bars, winnerLine,
        el("p", {"class": "viz-muted"}, "Trained on " + (data.dataset === "glyphs" ? "letters and digits drawn with fonts" : "sklearn's digits") +
          "; " + fmt(100 * data.test_accuracy, 1) + "% right on held-out pictures."))));
    root.appendChild(layerBox);
    root.appendChild(tmplBox);

    var pen = VizExplorer.drawGrid(drawCanvas, input, {radius: 1.4,
      onchange: function () { presetSel.value = ""; schedule(); }, onend: flush, redraw: drawInput});
    eraseBtn.addEventListener("click", function () {
      var on = !pen.erase();
      pen.erase(on);
      eraseBtn.setAttribute("aria-pressed", on ? "true" : "false");
      eraseBtn.textContent = on ? "Eraser (on)" : "Eraser";
    });
    clearBtn.addEventListener("click", function () { input.data.fill(0); presetSel.value = ""; update(); });
    presetSel.addEventListener("change", function () { if (presetSel.value !== "") loadPreset(+presetSel.value); });

    function loadPreset(i) { input.data.set(nets.fromNested(data.presets[i].input).data); update(); }
    function schedule() {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () { if (pending) update(); });
    }
    function flush() { if (pending) update(); }

    function update() {
      pending = false;
      L = nets.otavio(input, data);
      redraw();
    }

    function drawInput() {
      var cur = pen.cursor();
      api.heatmap(drawCanvas, input, {palette: "sequential", vmin: 0, vmax: 1, cell: 14, numbers: false,
        highlight: cur ? [{r: cur.r, c: cur.c, color: api.color("accent")}] : []});
    }

    function winner() {
      var w = 0;
      for (var k = 1; k < K; k++) if (L.probs[k] > L.probs[w]) w = k;
      return w;
    }

    function redraw() {
      if (!L) return;
      drawInput();
      rows.forEach(function (row) {
        var m = row.lim || 1;
        maps[row.key].forEach(function (c, i) {
          api.heatmap(c, L[row.key][i], {palette: "green_red", vmin: -m, vmax: m, cell: row.cell, digits: 1,
            label: row.title + ", channel " + (i + 1)});
        });
      });
      var w = winner();
      bars.replaceChildren.apply(bars, data.classes.map(function (name, k) {
        var pct = 100 * L.probs[k], win = k === w;
        var line = el("div", {"class": win ? "win" : null, role: "listitem", style: {display: "contents"}},
          el("span", null, (win ? "\u2714 " : "") + name),
          el("span", {"class": "bar"}, el("span", {style: {width: Math.max(0, Math.min(100, pct)).toFixed(2) + "%"}})),
          el("span", {"class": "viz-num", style: {textAlign: "right"}}, fmt(pct, 1) + "%"));
        line.setAttribute("aria-label", name + " " + fmt(pct, 1) + " percent" + (win ? ", the winner" : ""));
        return line;
      }));
      winnerLine.textContent = "The network says: " + data.classes[w] + " (" + fmt(100 * L.probs[w], 1) +
        "%; score " + fmt(L.scores[w], 2) + ")";
      tmplTitle.textContent = "dense: the template of \u201c" + data.classes[w] + "\u201d";
      tmplCanvases.forEach(function (c, i) {
        api.heatmap(c, templates[w][i], {palette: "green_red", vmin: -tlim, vmax: tlim, cell: 26, digits: 1,
          label: "template of " + data.classes[w] + ", channel " + (i + 1)});
      });
    }

    if (data.presets && data.presets.length) loadPreset(0); else update();

    function nested(ms) { return ms.map(nets.toNested); }
    window.vizTest.otavio = {
      input: function () { flush(); return nets.toNested(input); },
      layers: function () {
        flush();
        return {conv1_pre: nested(L.conv1_pre), conv1: nested(L.conv1), pool1: nested(L.pool1),
          conv2_pre: nested(L.conv2_pre), conv2: nested(L.conv2), pool2: nested(L.pool2),
          scores: L.scores.slice(), probs: L.probs.slice()};
      },
      prediction: function () { flush(); return data.classes[winner()]; },
      classes: function () { return data.classes.slice(); },
      setInput: function (m) { input.data.set(nets.fromNested(m).data); update(); },
      preset: loadPreset,
      clear: function () { clearBtn.click(); },
    };
    return {redraw: redraw};
  }
})();
