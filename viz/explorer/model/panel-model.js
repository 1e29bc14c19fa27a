/* The live page of one user's model (written by viz explain / viz.explore_model).
 *
 * Reads window.VIZ_MODEL (model-data.js), computes every step with VizModel.net after each
 * stroke or upload, and shows: the input as the model sees it (draw on it), the class
 * probabilities, every conv and pooling step as a grid of channel maps (16 at a time, with
 * pages), and every other step as a compact strip.
 *
 * Test hooks, window.vizTest.model:
 *   names()          the step names, in order (as trace_model names them)
 *   run(nested)      -> {step name: nested arrays} for an input C x H x W (page unchanged)
 *   setInput(nested) sets the page's input and recomputes; input() reads it back
 *   steps()          -> {step name: nested arrays} of the page's current input
 *   probabilities(), prediction(), classes()
 *   page(name, k)    shows page k (0-based) of a map step; pageInfo(name) -> {first, last, of}
 *   clear(), sample(), invert(), message(), timing() -> {run_ms, draw_ms}
 */
(function () {
  "use strict";

  var PAGE = 16;   // channel maps shown at a time
  var net = VizModel.net, pic = VizModel.input;
  window.vizTest = window.vizTest || {};

  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) return;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    });
    for (var i = 2; i < arguments.length; i++) add(node, arguments[i]);
    return node;
  }
  function add(node, c) {
    if (c === undefined || c === null || c === false) return;
    if (Array.isArray(c)) { c.forEach(function (x) { add(node, x); }); return; }
    node.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
  }
  function fmt(x, d) {
    if (typeof x !== "number" || !isFinite(x)) return x !== x ? "NaN" : (x > 0 ? "\u221e" : "\u2212\u221e");
    var a = Math.abs(x), s = a !== 0 && (a >= 1e5 || a < 1e-3) ? x.toExponential(1) : x.toFixed(d === undefined ? 2 : d);
    if (/^-0(\.0*)?$/.test(s)) s = s.slice(1);
    return s.replace("-", "\u2212");
  }
  function dims(shape) { return shape.join("\u00d7"); }
  function theme() { return document.documentElement.getAttribute("data-theme") === "dark" ? "dark" : "light"; }

  function start() {
    var main = document.getElementById("mm-main"), data = window.VIZ_MODEL;
    var msg = el("p", {"class": "viz-message", role: "status", "aria-live": "polite", id: "mm-message"});
    if (!main) return;
    var N;
    try { N = net.build(data); } catch (err) {
      main.appendChild(msg);
      msg.textContent = "This page has no usable model data: " + (err && err.message ? err.message : err);
      console.error(err);
      return;
    }
    var pal = data.palette || {}, MAPC = pal.green_red || ["#C51B7D", "#F7F7F7", "#1B9E77"];
    var C = N.shape[0], H = N.shape[1], W = N.shape[2], HW = H * W, classes = data.classes;
    document.getElementById("mm-title").textContent = "Your model, live: " + data.label;
    document.title = data.label + " \u2014 live in your browser";

    // ---------------------------------------------------------------- state
    var x = new Float64Array(C * HW);                      // the model's input
    var grid = {rows: H, cols: W, data: C === 1 ? x : new Float64Array(HW)};   // what the pen edits
    var seen = new Float64Array(HW);                       // grid as last synced into x
    var result = null, probs = null, timing = {run_ms: 0, draw_ms: 0}, pending = false;
    var cell = Math.max(2, Math.floor(280 / Math.max(H, W)));

    // ---------------------------------------------------------------- input column
    var drawCanvas = el("canvas", {"class": "mm-input", "aria-label": "The input, " + dims(N.shape) + ": draw here"});
    drawCanvas.style.width = W * cell + "px";
    var clearBtn = el("button", {type: "button"}, "Clear");
    var eraseBtn = el("button", {type: "button", "aria-pressed": "false"}, "Eraser");
    var sampleBtn = el("button", {type: "button"}, data.input.sample_line ? "Your picture" : "Sample");
    var invertBtn = el("button", {type: "button", title: "light \u2194 dark"}, "Invert");
    var file = el("input", {type: "file", accept: "image/*", id: "mm-upload"});
    var inputLine = el("p", {"class": "viz-muted", id: "mm-input-line"});
    var timeLine = el("p", {"class": "viz-muted", id: "mm-time"});
    var inputCol = el("div", {"class": "mm-inputcol"},
      el("figure", {"class": "viz-figure"},
        el("figcaption", null, el("b", null, "input"), " " + dims(N.shape) + " as the model sees it" +
          (C === 3 ? " (RGB)" : C === 1 ? " (0 black \u2026 1 white)" : " (channel 1 of " + C + ")") + ": draw here"),
        drawCanvas),
      el("div", {"class": "viz-row"}, clearBtn, eraseBtn, sampleBtn, invertBtn),
      el("div", {"class": "viz-row"}, el("label", {"for": "mm-upload"}, "Upload a picture: "), file),
      msg, inputLine, timeLine);

    // ---------------------------------------------------------------- output column
    var K = classes.length, top = K > 20 ? 10 : K;
    var bars = el("div", {"class": "viz-bars mm-bars", role: "list", "aria-label": "class probabilities"});
    var verdict = el("p", {"class": "mm-verdict", id: "mm-verdict"});
    var lastName = N.ops[N.ops.length - 1].op.name;
    var outCol = el("div", {"class": "mm-outcol"},
      el("h2", null, "Class probabilities"),
      el("p", {"class": "viz-muted"}, {logits: "softmax of the last step\u2019s scores (\u201c" + lastName + "\u201d)",
        log_probabilities: "exp of the last step (\u201c" + lastName + "\u201d, log-probabilities)",
        probabilities: "the last step (\u201c" + lastName + "\u201d, a softmax)"}[N.output] +
        (K > top ? "; the " + top + " most likely of " + K + " classes" : "")),
      verdict, bars);
    main.appendChild(el("section", {"class": "viz-panel mm-top", "aria-label": "input and output"}, inputCol, outCol));

    // ---------------------------------------------------------------- one block per step
    var stepsBox = el("section", {"class": "viz-panel", id: "mm-steps", "aria-labelledby": "mm-steps-h"},
      el("h2", {id: "mm-steps-h"}, "Every step, in order"),
      el("p", {"class": "viz-intro"}, "Convolution and pooling steps show their channel maps (green positive, magenta " +
        "negative, white zero; one colour scale per step so that its channels compare, saturated beyond the 99th " +
        "percentile); the other steps are a strip of their numbers (the first channels as small maps, or every " +
        "number in a row). Dropout is off when the model predicts."));
    main.appendChild(stepsBox);
    var blocks = N.ops.map(function (s, idx) {
      var op = s.op, isMap = (op.type === "conv2d" || /pool2d$/.test(op.type)) && op.shape.length === 3;
      var b = {op: op, idx: idx, isMap: isMap, page: 0, canvases: [], caps: []};
      var head = el("h3", null, el("span", {"class": "mm-name"}, op.name), " \u00b7 " + op.label + " \u00b7 ",
        el("span", {"class": "viz-num"}, dims(op.shape)));
      b.stats = el("span", {"class": "viz-muted viz-num mm-stats"});
      var box = el("div", {"class": "mm-step" + (isMap ? " mm-mapstep" : ""), id: "mm-step-" + idx, "data-step": op.name});
      box.appendChild(head);
      if (isMap) {
        var Cn = op.shape[0], h = op.shape[1], w = op.shape[2];
        b.scale = Math.max(1, Math.floor(96 / Math.max(h, w))) || 1;
        if (Math.max(h, w) > 160) b.scale = 160 / Math.max(h, w);
        b.note = el("span", {"class": "mm-pagenote"});
        b.prev = el("button", {type: "button", "aria-label": op.name + ": previous channels"}, "\u25c0 previous");
        b.next = el("button", {type: "button", "aria-label": op.name + ": next channels"}, "next \u25b6");
        b.prev.addEventListener("click", function () { showPage(b, b.page - 1); });
        b.next.addEventListener("click", function () { showPage(b, b.page + 1); });
        var gridBox = el("div", {"class": "mm-maps"});
        for (var i = 0; i < Math.min(PAGE, Cn); i++) {
          var cv = el("canvas", {"class": "mm-map", role: "img"}), cap = el("figcaption");
          b.canvases.push(cv); b.caps.push(cap);
          gridBox.appendChild(el("figure", {"class": "viz-figure"}, cap, cv));
        }
        box.appendChild(el("div", {"class": "viz-row mm-pager"}, b.note, Cn > PAGE ? [b.prev, b.next] : null, b.stats));
        box.appendChild(gridBox);
      } else {
        b.strip = el("canvas", {"class": "mm-strip", role: "img"});
        box.appendChild(el("div", {"class": "viz-row"}, b.strip, b.stats));
        if (op.shape.length === 3) b.thumbs = Math.min(PAGE, op.shape[0]);
      }
      stepsBox.appendChild(box);
      return b;
    });

    // ---------------------------------------------------------------- drawing
    var pen = VizExplorer.drawGrid(drawCanvas, grid, {radius: Math.max(1, 1.4 * Math.max(H, W) / 28),
      onchange: function () { syncPen(); schedule(); }, onend: flush, redraw: drawInput});
    function gridFromInput() {     // the pen edits the brightest channel of each pixel
      if (C === 1) { seen.set(x); return; }
      for (var i = 0; i < HW; i++) {
        var m = 0;
        for (var c = 0; c < C; c++) m = Math.max(m, x[c * HW + i]);
        grid.data[i] = m;
      }
      seen.set(grid.data);
    }
    function syncPen() {           // ink raises every channel to the pen's value, the eraser lowers them
      if (C === 1) return;
      for (var i = 0; i < HW; i++) {
        var g = grid.data[i], s = seen[i];
        if (g === s) continue;
        for (var c = 0; c < C; c++) x[c * HW + i] = g > s ? Math.max(x[c * HW + i], g) : Math.min(x[c * HW + i], g);
      }
      seen.set(grid.data);
    }
    function setInput(arr) {
      if (!arr || arr.length !== x.length) throw new Error("the input must have " + x.length + " numbers");
      x.set(arr);
      gridFromInput();
      update();
    }
    eraseBtn.addEventListener("click", function () {
      var on = !pen.erase();
      pen.erase(on);
      eraseBtn.setAttribute("aria-pressed", on ? "true" : "false");
      eraseBtn.textContent = on ? "Eraser (on)" : "Eraser";
    });
    clearBtn.addEventListener("click", function () { inputLine.textContent = ""; setInput(new Float64Array(x.length)); });
    function sample() {
      inputLine.textContent = data.input.sample_line || "the sample input: draw over it, clear it or upload a picture";
      setInput(net.fromNested(data.input.sample).data);
    }
    sampleBtn.addEventListener("click", sample);
    invertBtn.addEventListener("click", function () {
      var y = new Float64Array(x.length);
      for (var i = 0; i < y.length; i++) y[i] = 1 - x[i];
      setInput(y);
    });
    file.addEventListener("change", function () {
      var f = file.files && file.files[0];
      if (!f) return;
      msg.textContent = "";
      pic.readFile(f, N.shape).then(function (r) {
        inputLine.textContent = r.line;
        setInput(r.data);
      }).catch(function (err) {
        msg.textContent = err && err.message ? err.message : String(err);
      }).then(function () { file.value = ""; });
    });

    function schedule() {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () { if (pending) update(); });
    }
    function flush() { if (pending) update(); }

    // ---------------------------------------------------------------- compute + draw
    function update() {
      pending = false;
      var t0 = performance.now();
      try {
        result = net.run(N, x);
      } catch (err) {
        msg.textContent = "The page could not compute the model: " + err.message;
        console.error(err);
        return;
      }
      probs = net.probabilities(N, result[result.length - 1]);
      var t1 = performance.now();
      redraw();
      var t2 = performance.now();
      timing = {run_ms: t1 - t0, draw_ms: t2 - t1};
      timeLine.textContent = N.ops.length + " steps computed in " + fmt(t1 - t0, 0) + " ms, drawn in " + fmt(t2 - t1, 0) + " ms";
    }

    function drawInput() {
      var ctx = drawCanvas.getContext("2d");
      if (drawCanvas.width !== W) { drawCanvas.width = W; drawCanvas.height = H; }
      var img = ctx.createImageData(W, H), px = img.data;
      for (var i = 0; i < HW; i++) {
        for (var k = 0; k < 3; k++) {
          var v = C === 3 ? x[k * HW + i] : x[i];
          px[4 * i + k] = Math.round(255 * Math.max(0, Math.min(1, v)));
        }
        px[4 * i + 3] = 255;
      }
      var cur = pen.cursor();
      if (cur) {   // the keyboard cursor: one orange pixel
        var j = 4 * (cur.r * W + cur.c);
        px[j] = 222; px[j + 1] = 143; px[j + 2] = 5;
      }
      ctx.putImageData(img, 0, 0);
    }

    /* The 99th percentile of |v| (of at most ~4000 values): a few extreme numbers do not wash out the maps. */
    function colourLimit(d) {
      var step = Math.max(1, Math.floor(d.length / 4000)), a = new Float64Array(Math.ceil(d.length / step)), n = 0;
      for (var i = 0; i < d.length; i += step) a[n++] = Math.abs(d[i]);
      a = a.subarray(0, n).sort();
      var v = a[Math.min(n - 1, Math.floor(0.99 * n))];
      return isFinite(v) ? v : 0;
    }

    function stats(b, t) {
      var mn = Infinity, mx = -Infinity, zeros = 0, d = t.data;
      for (var i = 0; i < d.length; i++) { var v = d[i]; if (v < mn) mn = v; if (v > mx) mx = v; if (v === 0) zeros++; }
      b.limit = colourLimit(d) || Math.max(Math.abs(mn), Math.abs(mx)) || 1;
      var s = "min " + fmt(mn) + " \u00b7 max " + fmt(mx) + " \u00b7 colours to \u00b1" + fmt(b.limit);
      if (zeros) s += " \u00b7 " + fmt(100 * zeros / d.length, 0) + "% zeros";
      b.stats.textContent = s;
    }

    function showPage(b, k) {
      var Cn = b.op.shape[0], pages = Math.ceil(Cn / PAGE);
      b.page = Math.max(0, Math.min(pages - 1, k));
      if (result) drawMaps(b, result[b.idx]);
    }

    function drawMaps(b, t) {
      var Cn = t.shape[0], h = t.shape[1], w = t.shape[2], first = b.page * PAGE;
      var n = Math.min(PAGE, Cn - first);
      b.note.textContent = Cn > PAGE ? "showing " + (first + 1) + "\u2013" + (first + n) + " of " + Cn + " channels"
        : "all " + Cn + " channel" + (Cn > 1 ? "s" : "");
      if (b.prev) { b.prev.disabled = b.page === 0; b.next.disabled = first + n >= Cn; }
      b.canvases.forEach(function (cv, i) {
        var fig = cv.parentNode;
        if (i >= n) { fig.hidden = true; return; }
        fig.hidden = false;
        var ch = first + i;
        b.caps[i].textContent = "channel " + (ch + 1);
        pic.paint(cv, t.data, w, h, {offset: ch * h * w, colors: MAPC, limit: b.limit, scale: b.scale});
        cv.setAttribute("aria-label", b.op.name + ", channel " + (ch + 1) + " of " + Cn);
      });
    }

    function drawStrip(b, t) {
      var cv = b.strip;
      if (b.thumbs) {       // 3-D: the first channels as tiny maps side by side
        var h = t.shape[1], w = t.shape[2], n = b.thumbs, gap = 2, sc = Math.max(1, Math.floor(32 / Math.max(h, w)));
        var tw = w * sc, W2 = n * (tw + gap) - gap;
        cv.width = W2; cv.height = h * sc;
        var ctx = cv.getContext("2d"), tmp = b._tmp || (b._tmp = document.createElement("canvas"));
        ctx.clearRect(0, 0, cv.width, cv.height);
        ctx.imageSmoothingEnabled = false;
        for (var i = 0; i < n; i++) {
          pic.paint(tmp, t.data, w, h, {offset: i * h * w, colors: MAPC, limit: b.limit});
          ctx.drawImage(tmp, i * (tw + gap), 0, tw, h * sc);
        }
        cv.style.width = W2 + "px";
        cv.setAttribute("aria-label", b.op.name + ": the first " + n + " of " + t.shape[0] + " channels");
        return;
      }
      var len = t.data.length, per = Math.min(len, 256), rows = Math.ceil(len / per);
      var px = Math.max(2, Math.min(24, Math.floor(512 / per)));
      var pad = new Float64Array(per * rows);
      pad.set(t.data);
      pic.paint(cv, pad, per, rows, {colors: MAPC, limit: b.limit});
      cv.style.width = per * px + "px";
      cv.style.height = rows * Math.max(2, Math.min(14, Math.floor(48 / rows))) + "px";
      cv.setAttribute("aria-label", b.op.name + ": " + len + " numbers" + (rows > 1 ? ", " + per + " a row" : ""));
    }

    function drawBars() {
      var order = [];
      for (var k = 0; k < K; k++) order.push(k);
      var win = order.reduce(function (a, k) { return probs[k] > probs[a] ? k : a; }, 0);
      if (K > top) order.sort(function (a, b) { return probs[b] - probs[a]; }), order = order.slice(0, top);
      bars.replaceChildren.apply(bars, order.map(function (k) {
        var pct = 100 * probs[k], w = k === win;
        var row = el("div", {"class": w ? "win" : null, role: "listitem", style: "display: contents",
          "aria-label": classes[k] + " " + fmt(pct, 1) + " percent" + (w ? ", the most likely" : "")},
          el("span", {"class": "mm-class"}, (w ? "\u2714 " : "") + classes[k]),
          el("span", {"class": "bar"}, el("span", {style: "width: " + Math.max(0, Math.min(100, pct)).toFixed(2) + "%"})),
          el("span", {"class": "viz-num", style: "text-align: right"}, fmt(pct, 1) + "%"));
        return row;
      }));
      verdict.textContent = "The model says: " + classes[win] + " (" + fmt(100 * probs[win], 1) + "%)";
    }

    function redraw() {
      if (!result) return;
      drawInput();
      blocks.forEach(function (b) {
        var t = result[b.idx];
        stats(b, t);
        if (b.isMap) drawMaps(b, t); else drawStrip(b, t);
      });
      drawBars();
    }

    // ---------------------------------------------------------------- theme
    var toggle = document.getElementById("theme-toggle");
    function showTheme() {
      var dark = theme() === "dark";
      if (!toggle) return;
      toggle.textContent = dark ? "Light theme" : "Dark theme";
      toggle.setAttribute("aria-pressed", dark ? "true" : "false");
    }
    function setTheme(t) {
      document.documentElement.setAttribute("data-theme", t === "dark" ? "dark" : "light");
      try { localStorage.setItem("viz-theme", theme()); } catch (e) { /* file:// may forbid storage */ }
      showTheme();
      redraw();
    }
    if (toggle) toggle.addEventListener("click", function () { setTheme(theme() === "dark" ? "light" : "dark"); });
    showTheme();

    sample();

    function nestedAll(res) {
      var out = {};
      res.forEach(function (r) { out[r.name] = net.toNested(r); });
      return out;
    }
    function flat(nested) {
      var t = net.fromNested(nested);
      if (t.data.length !== x.length) throw new Error("the input must be " + dims(N.shape));
      return t.data;
    }
    function blockOf(name) {
      var b = blocks.filter(function (q) { return q.op.name === name; })[0];
      if (!b || !b.isMap) throw new Error("no map step named " + name);
      return b;
    }
    window.vizTest.model = {
      names: function () { return N.ops.map(function (s) { return s.op.name; }); },
      run: function (nested) { return nestedAll(net.run(N, flat(nested))); },
      setInput: function (nested) { setInput(flat(nested)); },
      input: function () { flush(); return net.toNested({shape: N.shape, data: x}); },
      steps: function () { flush(); return nestedAll(result); },
      probabilities: function () { flush(); return Array.from(probs); },
      prediction: function () { flush(); return verdict.textContent; },
      classes: function () { return classes.slice(); },
      page: function (name, k) { showPage(blockOf(name), k); return this.pageInfo(name); },
      pageInfo: function (name) {
        var b = blockOf(name), n = b.op.shape[0], first = b.page * PAGE;
        return {first: first + 1, last: Math.min(n, first + PAGE), of: n};
      },
      clear: function () { clearBtn.click(); },
      sample: sample,
      invert: function () { invertBtn.click(); },
      message: function () { return msg.textContent; },
      timing: function () { return {run_ms: timing.run_ms, draw_ms: timing.draw_ms}; },
      setTheme: setTheme,
    };
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
