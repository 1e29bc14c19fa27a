/* Panel 1: the conv-example spreadsheet network, yours (viz.core.spreadsheet).
 *
 * conv1 (1 -> 2 channels, 3x3, no padding, no bias) -> ReLU -> conv2 (2 -> 2, 3x3) -> ReLU
 * -> 2x2 max-pool -> dense (288 -> 1), recomputed by VizExplorer.nets.convExample (float64)
 * after every stroke; any cell can be inspected (patch x kernel, products, sum; im2col).
 *
 * Test hooks, window.vizTest.convexample:
 *   input()               the 28x28 pixels the layers were computed from (nested arrays)
 *   layers()              {conv1_pre, conv1, relu1, conv2_pre, conv2, relu2, pool, dense}
 *                         (conv1 = relu1 and conv2 = relu2: after ReLU, as the sheet shows them)
 *   kernels()             {conv1 2x3x3, conv2 2x2x3x3} in use
 *   setInput(m28), preset(i), clear()
 *   inspect(layer, ch, r, c) -> what the "where does it come from" box shows, as numbers
 *   message()             the panel's current message line(s)
 *   upload()              a Promise that settles when the last picture upload was handled
 *   time(n)               n timings (ms) of one full recompute + redraw
 */
(function () {
  "use strict";

  var INTRO = "Draw a digit in the 28\u00d728 input (mouse, pen or finger; right button or Eraser to rub out), " +
    "pick a preset or upload a picture. Every layer of the spreadsheet network recomputes as you draw. " +
    "Point at (or tap) any cell of any layer to see where its number comes from.";

  VizExplorer.register({id: "convexample", title: "1. The conv-example network, yours", intro: INTRO, mount: mount});

  function clone(a) { return JSON.parse(JSON.stringify(a)); }
  var NUM = /^\s*[+\-\u2212]?(\d+(\.\d*)?|\.\d+)(e[+\-]?\d+)?\s*$/i;

  function mount(root, data, api) {
    var el = api.el, fmt = api.fmt, nets = VizExplorer.nets;
    if (!data || !nets || !VizExplorer.drawGrid) {
      api.message(root, "This panel has no data (write the page with viz explore or viz build).");
      return {};
    }
    var input = nets.fromNested(data.input);
    var kern = {conv1: clone(data.conv1), conv2: clone(data.conv2)};
    var names = data.filter_names || ["filter 1", "filter 2"];
    var L = null, pending = false, preRelu = false, cell = 9;
    var target = {layer: "conv1", ch: 0, r: 5, c: 9};
    var uploadPromise = Promise.resolve();

    // ---------------------------------------------------------------- controls
    var msg = el("p", {"class": "viz-message", role: "status", "aria-live": "polite"});
    var eraseBtn = el("button", {type: "button", "aria-pressed": "false"}, "Eraser");
    var presetSel = el("select", {"aria-label": "Preset picture"},
      el("option", {value: ""}, "Presets\u2026"),
      (data.presets || []).map(function (p, i) { return el("option", {value: String(i)}, p.name); }));
    var file = el("input", {type: "file", accept: "image/*", "aria-label": "Upload a picture"});
    var clearBtn = el("button", {type: "button"}, "Clear");
    var reluBox = el("input", {type: "checkbox", id: api.uid("relu")});
    var zoom = api.slider({label: "cell size (px)", min: 5, max: 40, step: 1, value: cell, digits: 0,
      oninput: function (v) { cell = v; redraw(); }});
    zoom.root.classList.add("viz-zoom");

    var drawCanvas = el("canvas", {"aria-label": "Input: 28 by 28 pixels; draw here"});
    var canvases = {
      conv1: [0, 1].map(function () { return el("canvas"); }),
      conv2: [0, 1].map(function () { return el("canvas"); }),
      pool: [0, 1].map(function () { return el("canvas"); }),
      weights: [0, 1].map(function () { return el("canvas"); }),
    };
    var caps = {};
    function fig(key, i, canvas, title) {
      var cap = el("figcaption");
      caps[key + i] = cap;
      return el("figure", {"class": "viz-figure"}, el("figcaption", null, el("b", null, title)), canvas, cap);
    }
    var inspect = el("div", {"class": "viz-inspect", "aria-live": "polite"});
    var denseOut = el("div", {"class": "viz-dense"});

    var kernelMsg = el("p", {"class": "viz-message", role: "status", "aria-live": "polite"});
    var kernelInputs = [];
    function kernelGrid(layer, idx, label) {
      var w = layer === "conv1" ? kern.conv1[idx[0]] : kern.conv2[idx[0]][idx[1]];
      var g = el("div", {"class": "viz-kernel"});
      for (var i = 0; i < 3; i++) {
        for (var j = 0; j < 3; j++) {
          var inp = el("input", {type: "text", inputmode: "decimal", spellcheck: "false",
            "aria-label": label + ", row " + (i + 1) + ", column " + (j + 1)});
          inp.value = String(w[i][j]);
          inp.dataset.where = [layer].concat(idx, [i, j]).join(",");
          inp.addEventListener("input", onKernel);
          kernelInputs.push(inp);
          g.appendChild(inp);
        }
      }
      return el("figure", {"class": "viz-kernel-box"}, el("figcaption", null, label), g);
    }
    function kernelLabel(layer, idx) {
      return layer === "conv1" ? "conv1 filter " + (idx[0] + 1) + " (" + names[idx[0]] + ")"
        : "conv2 filter " + (idx[0] + 1) + ", channel " + (idx[1] + 1);
    }
    var kernelBoxes = el("div", {"class": "viz-kernels"},
      [[0], [1]].map(function (ix) { return kernelGrid("conv1", ix, kernelLabel("conv1", ix)); }),
      [[0, 0], [0, 1], [1, 0], [1, 1]].map(function (ix) { return kernelGrid("conv2", ix, kernelLabel("conv2", ix)); }));
    var resetBtn = el("button", {type: "button"}, "Back to the sheet\u2019s filters");

    var main = el("div", {"class": "cx-main"});
    var hideBtn = el("button", {type: "button", "class": "cx-hide", "aria-expanded": "true"}, "Hide");
    var side = el("aside", {"class": "cx-side", "aria-label": "Where does this number come from?"},
      el("div", {"class": "cx-side-head"},
        el("h3", null, "Where does this number come from?"), hideBtn),
      el("p", {"class": "viz-muted cx-hint"}, "Point at or tap a cell of any map below (or Tab to a map and use the arrow keys)."),
      inspect);
    hideBtn.addEventListener("click", function () {
      var hidden = side.classList.toggle("collapsed");
      hideBtn.textContent = hidden ? "Show" : "Hide";
      hideBtn.setAttribute("aria-expanded", hidden ? "false" : "true");
    });
    root.appendChild(el("div", {"class": "cx-layout"}, main, side));
    main.appendChild(el("div", {"class": "viz-cols"},
      el("figure", {"class": "viz-figure"},
        el("figcaption", null, el("b", null, "input"), " 28\u00d728, 0 (white) to 1 (dark): draw here"),
        drawCanvas),
      el("div", {style: {flex: "1 1 14rem", minWidth: "0"}},
        el("div", {"class": "viz-row"}, clearBtn, eraseBtn),
        el("div", {"class": "viz-row"}, presetSel),
        el("div", {"class": "viz-row"}, el("label", {"class": "viz-muted"}, "Your picture: ", file)),
        msg)));
    main.appendChild(el("div", {"class": "viz-row"}, zoom.root,
      el("label", null, reluBox, " show the sums before ReLU")));
    main.appendChild(el("p", {"class": "viz-muted", style: {margin: "0"}},
      "Make the cells bigger and their numbers appear in them."));
    main.appendChild(el("div", {"class": "viz-layer"},
      el("h3", null, "conv1: two 3\u00d73 filters over the input, then ReLU"),
      el("div", {"class": "viz-cols"}, [0, 1].map(function (i) {
        return fig("conv1", i, canvases.conv1[i], "conv1 filter " + (i + 1) + " (" + names[i] + ")");
      }))));
    main.appendChild(el("div", {"class": "viz-layer"},
      el("h3", null, "conv2: two filters, each 2\u00d73\u00d73 over both conv1 maps, then ReLU"),
      el("div", {"class": "viz-cols"}, [0, 1].map(function (i) {
        return fig("conv2", i, canvases.conv2[i], "conv2 filter " + (i + 1));
      }))));
    main.appendChild(el("div", {"class": "viz-layer"},
      el("h3", null, "max-pool 2\u00d72, then dense: every pooled value times its weight, summed"),
      el("div", {"class": "viz-cols"},
        [0, 1].map(function (i) { return fig("pool", i, canvases.pool[i], "pool, channel " + (i + 1)); }),
        [0, 1].map(function (i) { return fig("weights", i, canvases.weights[i], "dense weights, channel " + (i + 1)); }),
        denseOut)));
    main.appendChild(el("div", {"class": "viz-layer"},
      el("h3", null, "The filters: type a weight and every layer updates"),
      kernelBoxes, el("div", {"class": "viz-row"}, resetBtn), kernelMsg));

    // ---------------------------------------------------------------- drawing and events
    var pen = VizExplorer.drawGrid(drawCanvas, input, {radius: 1.0,
      onchange: function () { presetSel.value = ""; schedule(); }, onend: flush, redraw: drawInput});
    eraseBtn.addEventListener("click", function () {
      var on = !pen.erase();
      pen.erase(on);
      eraseBtn.setAttribute("aria-pressed", on ? "true" : "false");
      eraseBtn.textContent = on ? "Eraser (on)" : "Eraser";
    });
    clearBtn.addEventListener("click", function () { input.data.fill(0); presetSel.value = ""; say(""); update(); });
    presetSel.addEventListener("change", function () { if (presetSel.value !== "") loadPreset(+presetSel.value); });
    reluBox.addEventListener("change", function () { preRelu = reluBox.checked; redraw(); });
    resetBtn.addEventListener("click", function () {
      kern = {conv1: clone(data.conv1), conv2: clone(data.conv2)};
      kernelInputs.forEach(function (inp) {
        inp.value = String(weightAt(inp.dataset.where.split(",")));
        inp.removeAttribute("aria-invalid");
      });
      api.message(kernelMsg, "");
      update();
    });
    file.addEventListener("change", function () {
      var f = file.files && file.files[0];
      if (!f) return;
      say("Reading \u201c" + f.name + "\u201d\u2026", "info");
      uploadPromise = VizExplorer.image28.readFile(f, data.image_limits).then(function (res) {
        input.data.set(res.grid);
        presetSel.value = "";
        say((res.note ? res.note + " " : "") + "\u201c" + f.name + "\u201d (" + res.width + "\u00d7" + res.height +
          ") made 28\u00d728 grayscale" + (res.inverted ? ", inverted (dark ink on light paper)" : "") + ".", "info");
        update();
      }, function (err) {
        say(err.message);
      });
      file.value = "";
    });

    function weightAt(w) {
      return w[0] === "conv1" ? kern.conv1[+w[1]][+w[2]][+w[3]] : kern.conv2[+w[1]][+w[2]][+w[3]][+w[4]];
    }
    function onKernel(ev) {
      var inp = ev.target, w = inp.dataset.where.split(","), text = inp.value;
      var where = kernelLabel(w[0], w[0] === "conv1" ? [+w[1]] : [+w[1], +w[2]]) + ", row " +
        (+w[w.length - 2] + 1) + ", column " + (+w[w.length - 1] + 1);
      var v = NUM.test(text) ? parseFloat(text.replace("\u2212", "-")) : NaN;
      if (!isFinite(v) || Math.abs(v) > 1000) {
        inp.setAttribute("aria-invalid", "true");
        api.message(kernelMsg, where + ": \u201c" + text.slice(0, 30) + "\u201d is not " +
          (isFinite(v) ? "between \u22121000 and 1000" : "a number") + "; the layers keep using " + weightAt(w) + ".");
        return;
      }
      inp.removeAttribute("aria-invalid");
      if (w[0] === "conv1") kern.conv1[+w[1]][+w[2]][+w[3]] = v;
      else kern.conv2[+w[1]][+w[2]][+w[3]][+w[4]] = v;
      var bad = kernelInputs.filter(function (x) { return x.getAttribute("aria-invalid") === "true"; });
      api.message(kernelMsg, bad.length ? bad.length + " weight(s) are still not numbers (marked red)." : "");
      update();
    }

    function say(text, kind) { api.message(msg, text, kind); }

    function loadPreset(i) {
      var p = data.presets[i];
      input.data.set(nets.fromNested(p.input).data);
      say("");
      update();
    }

    function schedule() {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () { if (pending) update(); });
    }
    function flush() { if (pending) update(); }

    // hover / tap / keyboard inspection on every map
    function hook(canvas, layer, ch) {
      function pick(ev) {
        var p = api.cellAt(canvas, ev);
        if (p) setTarget({layer: layer, ch: ch, r: p.r, c: p.c});
      }
      canvas.addEventListener("pointermove", pick);
      canvas.addEventListener("pointerdown", pick);
      var keys = api.gridKeys(canvas, {onmove: function (r, c) { setTarget({layer: layer, ch: ch, r: r, c: c}); }});
      canvas.addEventListener("focus", function () {
        if (target.layer === layer && target.ch === ch) keys.set(target.r, target.c);
        else setTarget({layer: layer, ch: ch, r: keys.get().r, c: keys.get().c});
      });
      canvas.setAttribute("aria-description", "Arrow keys move through the cells; the box above explains the chosen cell.");
    }
    ["conv1", "conv2", "pool", "weights"].forEach(function (k) {
      canvases[k].forEach(function (c, i) { hook(c, k, i); });
    });
    function setTarget(t) {
      if (t.layer === target.layer && t.ch === target.ch && t.r === target.r && t.c === target.c) return;
      target = t;
      redraw();
    }

    // ---------------------------------------------------------------- compute and draw
    function update() {
      pending = false;
      L = nets.convExample(input, kern.conv1, kern.conv2, data.dense);
      redraw();
    }

    function maxOf(maps, abs) {
      var m = 0;
      maps.forEach(function (x) { for (var i = 0; i < x.data.length; i++) m = Math.max(m, abs ? Math.abs(x.data[i]) : x.data[i]); });
      return m || 1;
    }

    function highlights(layer, ch) {
      var t = target, h = [];
      if (layer === "input" && t.layer === "conv1") h.push({r: t.r, c: t.c, h: 3, w: 3});
      if (layer === "conv1" && t.layer === "conv2") h.push({r: t.r, c: t.c, h: 3, w: 3});
      if (layer === "conv2" && t.layer === "pool" && ch === t.ch) h.push({r: 2 * t.r, c: 2 * t.c, h: 2, w: 2});
      if ((layer === "pool" || layer === "weights") && (t.layer === "pool" || t.layer === "weights") && ch === t.ch) h.push({r: t.r, c: t.c});
      if (layer === t.layer && ch === t.ch && layer !== "pool" && layer !== "weights") h.push({r: t.r, c: t.c});
      return h;
    }

    function drawInput() {
      var cur = pen.cursor(), hl = highlights("input", 0);
      if (cur) hl.push({r: cur.r, c: cur.c, color: api.color("accent")});
      api.heatmap(drawCanvas, input, {palette: "sequential", vmin: 0, vmax: 1, cell: 10, numbers: false, highlight: hl});
    }

    function redraw() {
      if (!L) return;
      drawInput();
      var c1 = preRelu ? L.conv1_pre : L.conv1, c2 = preRelu ? L.conv2_pre : L.conv2;
      var m1 = maxOf(c1, true), m2 = maxOf(c2, true), mp = maxOf(L.pool, false), mw = maxOf(data.dense.map(nets.fromNested), true);
      var seq = preRelu ? "diverging" : "sequential", what = preRelu ? "sum before ReLU" : "after ReLU";
      function legend(lo, hi) {
        return preRelu ? "blue \u2212" + fmt(hi, 2) + " \u00b7 white 0 \u00b7 red +" + fmt(hi, 2) : "white " + fmt(lo, 2) + " \u2192 dark " + fmt(hi, 2);
      }
      [0, 1].forEach(function (i) {
        api.heatmap(canvases.conv1[i], c1[i], {palette: seq, vmin: preRelu ? -m1 : 0, vmax: m1, cell: cell, highlight: highlights("conv1", i),
          label: "conv1 filter " + (i + 1) + ", " + what});
        caps["conv1" + i].textContent = "26\u00d726, " + what + "; " + legend(0, m1);
        api.heatmap(canvases.conv2[i], c2[i], {palette: seq, vmin: preRelu ? -m2 : 0, vmax: m2, cell: cell, highlight: highlights("conv2", i),
          label: "conv2 filter " + (i + 1) + ", " + what});
        caps["conv2" + i].textContent = "24\u00d724, " + what + "; " + legend(0, m2);
        api.heatmap(canvases.pool[i], L.pool[i], {palette: "sequential", vmin: 0, vmax: mp, cell: 2 * cell, highlight: highlights("pool", i),
          label: "max-pool channel " + (i + 1)});
        caps["pool" + i].textContent = "12\u00d712; white 0 \u2192 dark " + fmt(mp, 2);
        api.heatmap(canvases.weights[i], data.dense[i], {palette: "diverging", vmin: -mw, vmax: mw, cell: 2 * cell,
          highlight: highlights("weights", i), label: "dense weights channel " + (i + 1)});
        caps["weights" + i].textContent = "12\u00d712; blue \u2212 \u00b7 red +, up to " + fmt(mw, 3);
      });
      var s0 = denseChannel(0), s1 = denseChannel(1);
      denseOut.replaceChildren(el("div", {"class": "viz-muted"}, "dense output"),
        el("div", {"class": "viz-num", style: {fontSize: "1.6rem", fontWeight: "700"}}, fmt(L.dense, 4)),
        el("div", {"class": "viz-muted viz-num"}, "= " + fmt(s0, 4) + " (channel 1) + " + fmt(s1, 4) + " (channel 2)"),
        el("div", {"class": "viz-muted"}, "the sheet\u2019s \u201c7\u201d with its filters: " + fmt(data.sheet_dense, 7)));
      renderInspect();
    }

    function denseChannel(ch) {
      var s = 0.0, p = L.pool[ch], w = data.dense[ch];
      for (var r = 0; r < 12; r++) for (var c = 0; c < 12; c++) s += p.data[r * 12 + c] * w[r][c];
      return s;
    }

    // the inspector (lib-cxinspect.js): what one cell is made of, and its explanation
    function ctx() { return {input: input, kern: kern, L: L, dense: data.dense, names: names}; }
    function explain(t) { return VizExplorer.cxInspect.explain(ctx(), t); }
    function renderInspect() {
      inspect.replaceChildren.apply(inspect, VizExplorer.cxInspect.render(api, explain(target), names));
    }

    update();
    (function () {   // start with the strongest top-edge cell of what is shown
      var d = L.conv1[0].data, best = 0;
      for (var i = 1; i < d.length; i++) if (d[i] > d[best]) best = i;
      setTarget({layer: "conv1", ch: 0, r: Math.floor(best / 26), c: best % 26});
    })();

    function nested(maps) { return maps.map(nets.toNested); }
    window.vizTest.convexample = {
      input: function () { flush(); return nets.toNested(input); },
      layers: function () {
        flush();
        return {conv1_pre: nested(L.conv1_pre), conv1: nested(L.conv1), relu1: nested(L.conv1),
          conv2_pre: nested(L.conv2_pre), conv2: nested(L.conv2), relu2: nested(L.conv2), pool: nested(L.pool), dense: L.dense};
      },
      kernels: function () { return clone(kern); },
      setInput: function (m) { input.data.set(nets.fromNested(m).data); update(); },
      preset: function (i) { loadPreset(i); },
      clear: function () { clearBtn.click(); },
      inspect: function (layer, ch, r, c) { flush(); setTarget({layer: layer, ch: ch, r: r, c: c}); return explain(target); },
      message: function () { return [msg.textContent, kernelMsg.textContent].filter(Boolean).join(" | "); },
      upload: function () { return uploadPromise.then(function () { return msg.textContent; }); },
      time: function (n) {
        var out = [];
        for (var i = 0; i < n; i++) {
          input.data[(i * 37) % 784] = (i % 7) / 7;   // a changed pixel each time, like a stroke
          var t0 = performance.now(); update(); out.push(performance.now() - t0);
        }
        return out;
      },
    };
    return {redraw: redraw};
  }
})();
