/* The live explorer's shell: panel registry, shared helpers (api), theme toggle, navigation.
 *
 * Loaded as a classic script after data.js (window.VIZ_DATA) and before the panel-*.js files
 * (no ES modules: they are blocked on file://). Each panel file calls
 *     VizExplorer.register({id, title, intro?, mount(el, data, api) -> {redraw?}})
 * at load time; on DOMContentLoaded the shell makes one <section> per panel, in the order
 * convexample, otavio, convarith, softmax, sgdr, lrfinder (then any other registered panel),
 * and mounts each with VIZ_DATA[id] (undefined when missing: the panel shows a message).
 * VizExplorer.mount(id, el, data) mounts one panel anywhere (used by the Jupyter widgets).
 *
 * Test hooks: window.vizTest is created here; every panel adds window.vizTest[id].
 * vizTest.shell = {mounted() -> [ids], theme() -> "light"|"dark", setTheme(t)}.
 */
(function () {
  "use strict";

  var ORDER = ["convexample", "otavio", "convarith", "softmax", "sgdr", "lrfinder"];
  var TITLES = {
    convexample: "1. The conv-example network, yours",
    otavio: "2. Otavio's network, yours",
    convarith: "3. Convolution arithmetic",
    softmax: "4. Softmax vs sigmoid",
    sgdr: "5. SGDR and the learning-rate schedules",
    lrfinder: "6. The LR finder, replayed",
  };
  var SHORT = {
    convexample: "Conv-example network", otavio: "Otavio\u2019s network", convarith: "Conv arithmetic",
    softmax: "Softmax vs sigmoid", sgdr: "SGDR schedules", lrfinder: "LR finder",
  };
  var registry = {};
  var registered = [];
  var instances = [];   // {id, el, inst}
  var uidCount = 0;
  window.vizTest = window.vizTest || {};

  // ------------------------------------------------------------------ small helpers
  function uid(prefix) { uidCount += 1; return (prefix || "viz") + "-" + uidCount; }

  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === undefined || v === null || v === false) return;
        if (k === "class" || k === "className") node.className = v;
        else if (k === "style" && typeof v === "object") Object.assign(node.style, v);
        else if (k === "dataset") Object.assign(node.dataset, v);
        else if (k === "text") node.textContent = v;
        else if (k.slice(0, 2) === "on" && typeof v === "function") node.addEventListener(k.slice(2), v);
        else if (k in node && typeof v !== "string" && k !== "list") node[k] = v;
        else node.setAttribute(k, v === true ? "" : String(v));
      });
    }
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }
  function append(node, child) {
    if (child === undefined || child === null || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(node, c); }); return; }
    node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }

  function fmt(x, digits) {
    if (digits === undefined) digits = 2;
    if (typeof x !== "number" || !isFinite(x)) return x === Infinity ? "∞" : (x === -Infinity ? "−∞" : "–");
    var ax = Math.abs(x);
    var s;
    s = ax >= 1e6 ? x.toExponential(Math.max(1, digits)) : x.toFixed(digits);
    if (/^-0(\.0*)?$/.test(s)) s = s.slice(1);
    return s.replace("-", "−");
  }

  function theme() {
    var t = document.documentElement.getAttribute("data-theme");
    return t === "dark" ? "dark" : "light";
  }

  function palette() {
    var p = (window.VIZ_DATA && window.VIZ_DATA.palette) || VizExplorer.palette || null;
    return p ? (p[theme()] || p.light || p) : null;
  }

  var NAMED = {
    positive: ["diverging", 2], zero: ["diverging", 1], negative: ["diverging", 0],
    green: ["green_red", 2], red: ["green_red", 0], "seq-low": ["sequential", 0], "seq-high": ["sequential", 1],
  };
  function color(name) {
    var p = palette();
    if (p && NAMED[name] && p[NAMED[name][0]]) return p[NAMED[name][0]][NAMED[name][1]];
    var m = /^cat(\d+)$/.exec(name);
    if (p && m && p.categorical && p.categorical.length) return p.categorical[+m[1] % p.categorical.length];
    var v = getComputedStyle(document.documentElement).getPropertyValue("--" + name).trim();
    return v || "#888888";
  }

  // Colours for the lesson panels' canvas charts: the page's CSS variables and palette,
  // with fallbacks for a host page (a notebook) that has neither.
  function chartColors() {
    var dark = theme() === "dark";
    var c = function (name, fb) { var v = ""; try { v = color(name); } catch (e) { /* no palette */ } return v && v !== "#888888" ? v : fb; };
    return {fg: c("text", dark ? "#eeeeee" : "#222222"), muted: c("muted", dark ? "#a9b0b8" : "#5f6670"),
      grid: c("grid", dark ? "#333840" : "#dddddd"), bg: c("panel", dark ? "#1b1f24" : "#ffffff"),
      accent: c("accent", dark ? "#56b4e9" : "#0173b2"), hl: c("highlight", dark ? "#ece133" : "#de8f05"),
      err: c("error", dark ? "#ff8a8a" : "#b2182b"), pos: c("positive", "#B2182B"), neg: c("negative", "#2166AC"),
      cat: function (k) { return c("cat" + k, ["#0173B2", "#DE8F05", "#029E73", "#D55E00", "#CC78BC"][k % 5]); },
      dark: dark};
  }

  function hexRgb(h) {
    h = String(h).replace("#", "");
    if (h.length === 3) h = h.split("").map(function (c) { return c + c; }).join("");
    return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
  }
  function textOn(rgb) {   // viz.colors.text_color_for: black or white, whichever reads better
    var l = (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255;
    return l > 0.55 ? "#000000" : "#FFFFFF";
  }

  // Colour look-up tables: 513 steps over [-1, 1] (3 colours) or [0, 1] (2 colours).
  var lutCache = {};
  function lut(colors) {
    var key = colors.join(",");
    if (lutCache[key]) return lutCache[key];
    var c = colors.map(hexRgb), n = 513, out = new Uint8ClampedArray(n * 3);
    for (var i = 0; i < n; i++) {
      var t = i / (n - 1), a, b, u;
      if (c.length === 3) {
        var s = 2 * t - 1;
        if (s >= 0) { a = c[1]; b = c[2]; u = s; } else { a = c[1]; b = c[0]; u = -s; }
      } else { a = c[0]; b = c[1]; u = t; }
      for (var k = 0; k < 3; k++) out[i * 3 + k] = Math.round(a[k] + (b[k] - a[k]) * u);
    }
    lutCache[key] = out;
    return out;
  }

  function paletteColors(opts) {
    var p = palette() || {};
    if (Array.isArray(opts.palette)) return opts.palette;
    var name = opts.palette || (opts.diverging ? "diverging" : "sequential");
    return p[name] || (name === "sequential" ? ["#FFFFFF", "#08306B"] : ["#2166AC", "#F7F7F7", "#B2182B"]);
  }

  /* Read a matrix given as nested arrays or as {rows, cols, data} (row-major typed array). */
  function asGrid(m) {
    if (m && m.data && m.rows !== undefined) return m;
    var rows = m.length, cols = rows ? m[0].length : 0, data = new Float64Array(rows * cols);
    for (var r = 0; r < rows; r++) for (var c = 0; c < cols; c++) data[r * cols + c] = m[r][c];
    return {rows: rows, cols: cols, data: data};
  }

  /* Colour of one value under heatmap options (css string); for legends and tables. */
  function scaleColor(v, opts) {
    opts = opts || {};
    var colors = paletteColors(opts), table = lut(colors), i;
    if (colors.length === 3) {
      var m = opts.vmax !== undefined ? Math.max(Math.abs(opts.vmin || 0), Math.abs(opts.vmax)) : 1;
      var t = Math.max(-1, Math.min(1, v / (m || 1)));
      i = Math.round((t + 1) / 2 * 512);
    } else {
      var lo = opts.vmin || 0, hi = opts.vmax === undefined ? 1 : opts.vmax;
      i = Math.round(Math.max(0, Math.min(1, (v - lo) / ((hi - lo) || 1))) * 512);
    }
    return "rgb(" + table[i * 3] + "," + table[i * 3 + 1] + "," + table[i * 3 + 2] + ")";
  }

  /* Draw a matrix as a grid of coloured cells (numbers in them when they fit).
   * opts: diverging (centred on 0), palette ("diverging"|"green_red"|"sequential"|[hex...]),
   * vmin, vmax (default: data limits; diverging is symmetric), numbers (true: when they fit),
   * digits (2), cell (px, 16), grid (lines when cells >= 6 px), highlight ([{r, c, h, w, color}]),
   * label (aria-label). Returns {rows, cols, cell, vmin, vmax}. */
  function heatmap(canvas, matrix, opts) {
    opts = opts || {};
    var g = asGrid(matrix), rows = g.rows, cols = g.cols, data = g.data;
    var cell = opts.cell || 16, digits = opts.digits === undefined ? 2 : opts.digits;
    var colors = paletteColors(opts), three = colors.length === 3, table = lut(colors);
    var lo = opts.vmin, hi = opts.vmax, i;
    var mn = Infinity, mx = -Infinity;
    for (i = 0; i < data.length; i++) { if (data[i] < mn) mn = data[i]; if (data[i] > mx) mx = data[i]; }
    if (!isFinite(mn) || !isFinite(mx)) { mn = 0; mx = 1; }
    if (lo === undefined) lo = three ? Math.min(mn, 0) : mn;
    if (hi === undefined) hi = mx;
    var absm = Math.max(Math.abs(lo), Math.abs(hi)) || 1, span = (hi - lo) || 1;
    var dpr = Math.min(window.devicePixelRatio || 1, 3);
    var w = cols * cell, h = rows * cell;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
    }
    if (canvas.style.width !== w + "px") canvas.style.width = w + "px";
    if (!canvas.classList.contains("viz-map")) canvas.classList.add("viz-map");
    // one pixel per cell, scaled up without smoothing
    var small = canvas._vizSmall || (canvas._vizSmall = document.createElement("canvas"));
    if (small.width !== cols || small.height !== rows) { small.width = cols; small.height = rows; small._img = null; }
    var sctx = small.getContext("2d");
    var img = small._img || (small._img = sctx.createImageData(cols, rows));
    var px = img.data, idx = new Int16Array(data.length);
    for (i = 0; i < data.length; i++) {
      var v = data[i], t;
      if (three) t = ((Math.max(-1, Math.min(1, v / absm)) + 1) / 2);
      else t = Math.max(0, Math.min(1, (v - lo) / span));
      var j = Math.round(t * 512);
      if (!(j >= 0)) j = 256;   // NaN: the middle colour
      idx[i] = j;
      px[i * 4] = table[j * 3]; px[i * 4 + 1] = table[j * 3 + 1]; px[i * 4 + 2] = table[j * 3 + 2]; px[i * 4 + 3] = 255;
    }
    sctx.putImageData(img, 0, 0);
    var ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.clearRect(0, 0, w, h);
    ctx.drawImage(small, 0, 0, w, h);
    if (opts.grid !== false && cell >= 6) {
      ctx.strokeStyle = "rgba(128,128,128,0.35)"; ctx.lineWidth = 1 / dpr;
      ctx.beginPath();
      for (var r = 1; r < rows; r++) { ctx.moveTo(0, r * cell); ctx.lineTo(w, r * cell); }
      for (var c = 1; c < cols; c++) { ctx.moveTo(c * cell, 0); ctx.lineTo(c * cell, h); }
      ctx.stroke();
    }
    var showNumbers = opts.numbers !== false;
    var big = Math.max(Math.abs(mn), Math.abs(mx)), sample = fmt(mn < 0 ? -big : big, digits);
    var fontPx = Math.min(11, Math.floor(cell * 0.4));
    if (showNumbers && fontPx >= 8 && sample.length * fontPx * 0.56 <= cell - 2) {
      ctx.font = fontPx + "px 'DejaVu Sans', system-ui, sans-serif";
      ctx.textAlign = "center"; ctx.textBaseline = "middle";
      for (i = 0; i < data.length; i++) {
        var k = idx[i];
        ctx.fillStyle = textOn([table[k * 3], table[k * 3 + 1], table[k * 3 + 2]]);
        ctx.fillText(fmt(data[i], digits), (i % cols + 0.5) * cell, (Math.floor(i / cols) + 0.5) * cell + 0.5);
      }
    }
    (opts.highlight || []).forEach(function (hl) {
      ctx.strokeStyle = hl.color || color("highlight"); ctx.lineWidth = Math.max(2, Math.min(3, cell / 4));
      ctx.strokeRect(hl.c * cell + 1, hl.r * cell + 1, (hl.w || 1) * cell - 2, (hl.h || 1) * cell - 2);
    });
    if (opts.label) { canvas.setAttribute("aria-label", opts.label); canvas.setAttribute("role", "img"); }
    canvas._viz = {rows: rows, cols: cols, cell: cell, vmin: lo, vmax: hi};
    return canvas._viz;
  }

  /* The {r, c} cell of a heatmap canvas under a pointer event (null outside). */
  function cellAt(canvas, ev) {
    var g = canvas._viz;
    if (!g) return null;
    var rect = canvas.getBoundingClientRect();
    var c = Math.floor((ev.clientX - rect.left) / rect.width * g.cols);
    var r = Math.floor((ev.clientY - rect.top) / rect.height * g.rows);
    return r >= 0 && c >= 0 && r < g.rows && c < g.cols ? {r: r, c: c} : null;
  }

  /* Keyboard for a grid canvas: focusable, arrows move a cursor, Enter/Space activate. */
  function gridKeys(canvas, opts) {
    canvas.tabIndex = 0;
    var cur = {r: 0, c: 0};
    canvas.addEventListener("keydown", function (ev) {
      var g = canvas._viz || {rows: opts.rows, cols: opts.cols};
      var moves = {ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1]};
      if (moves[ev.key]) {
        cur.r = Math.max(0, Math.min(g.rows - 1, cur.r + moves[ev.key][0]));
        cur.c = Math.max(0, Math.min(g.cols - 1, cur.c + moves[ev.key][1]));
        if (opts.onmove) opts.onmove(cur.r, cur.c, ev);
        ev.preventDefault();
      } else if ((ev.key === "Enter" || ev.key === " ") && opts.onactivate) {
        opts.onactivate(cur.r, cur.c, ev); ev.preventDefault();
      } else if (opts.onkey && opts.onkey(ev.key, cur.r, cur.c, ev)) ev.preventDefault();
    });
    return {get: function () { return {r: cur.r, c: cur.c}; }, set: function (r, c) { cur.r = r; cur.c = c; }};
  }

  function slider(o) {
    var id = uid("slider");
    var digits = o.digits === undefined ? 3 : o.digits;
    var format = o.format || function (v) { return fmt(v, digits); };
    var input = el("input", {type: "range", id: id, min: o.min, max: o.max, step: o.step === undefined ? "any" : o.step});
    input.value = o.value;
    var out = el("output", {for: id, "class": "viz-num"});
    var root = el("div", {"class": "viz-slider"}, el("label", {for: id}, o.label), input, out);
    function get() { return parseFloat(input.value); }
    function show() { out.textContent = format(get()); }
    input.addEventListener("input", function () { show(); if (o.oninput) o.oninput(get()); });
    show();
    return {root: root, input: input, get: get, set: function (v) { input.value = v; show(); }};
  }

  /* A visible message line inside el (created on first use); "" hides it. */
  function message(target, text, kind) {
    var box = target.classList && target.classList.contains("viz-message") ? target
      : target.querySelector(":scope > .viz-message");
    if (!box) {
      box = el("p", {"class": "viz-message", role: "status", "aria-live": "polite"});
      target.appendChild(box);
    }
    box.textContent = text || "";
    box.classList.toggle("info", kind === "info");
    return box;
  }

  var api = {
    el: el, fmt: fmt, theme: theme, color: color, message: message, slider: slider,
    heatmap: heatmap, chartColors: chartColors, cellAt: cellAt, gridKeys: gridKeys, scaleColor: scaleColor, asGrid: asGrid,
    textOn: function (css) { return textOn(hexRgb(css)); }, uid: uid,
  };

  // ------------------------------------------------------------------ registry and mounting
  function register(panel) {
    if (!panel || typeof panel.id !== "string" || typeof panel.mount !== "function") {
      throw new Error("VizExplorer.register needs {id, title, mount(el, data, api)}");
    }
    if (!registry[panel.id]) registered.push(panel.id);
    registry[panel.id] = panel;
  }

  function mount(id, target, data) {
    var panel = registry[id];
    if (!panel) { message(target, "The panel \u201c" + id + "\u201d is not part of this build."); return {}; }
    var inst = panel.mount(target, data, api) || {};
    instances.push({id: id, el: target, inst: inst});
    return inst;
  }

  function redrawAll() {
    instances.forEach(function (x) {
      if (typeof x.inst.redraw === "function") x.inst.redraw();
    });
  }

  function setTheme(t) {
    document.documentElement.setAttribute("data-theme", t === "dark" ? "dark" : "light");
    try { localStorage.setItem("viz-theme", theme()); } catch (e) { /* file:// may forbid storage */ }
    updateToggle();
    redrawAll();
  }

  function updateToggle() {
    var b = document.getElementById("theme-toggle");
    if (!b) return;
    var dark = theme() === "dark";
    b.textContent = dark ? "Light theme" : "Dark theme";
    b.setAttribute("aria-pressed", dark ? "true" : "false");
    b.title = "Switch to the " + (dark ? "light" : "dark") + " theme";
  }

  function start() {
    var main = document.getElementById("main");
    var nav = document.getElementById("panel-nav");
    if (!main) return;
    var data = window.VIZ_DATA || {};
    var ids = ORDER.concat(registered.filter(function (id) { return ORDER.indexOf(id) < 0; }));
    ids.forEach(function (id) {
      var panel = registry[id];
      var title = (panel && panel.title) || TITLES[id] || id;
      var body = el("div", {"class": "viz-panel-body"});
      var section = el("section", {"class": "viz-panel", id: "panel-" + id, "aria-labelledby": "h-" + id},
        el("h2", {id: "h-" + id}, title),
        panel && panel.intro ? el("p", {"class": "viz-intro"}, panel.intro) : null, body);
      main.appendChild(section);
      if (nav) nav.appendChild(el("a", {href: "#panel-" + id, title: title}, (panel && panel.short) || SHORT[id] || title.replace(/^\d+\.\s*/, "")));
      if (!panel) { message(body, "This panel is not part of this build.", "info"); return; }
      try {
        mount(id, body, data[id]);
      } catch (err) {
        message(body, "This panel could not start: " + (err && err.message ? err.message : err));
        console.error(err);
      }
    });
    var toggle = document.getElementById("theme-toggle");
    if (toggle) toggle.addEventListener("click", function () { setTheme(theme() === "dark" ? "light" : "dark"); });
    updateToggle();
  }

  var VizExplorer = {
    register: register, mount: mount, api: api, order: ORDER.slice(), palette: null,
    setTheme: setTheme, redrawAll: redrawAll,
  };
  window.VizExplorer = VizExplorer;
  window.vizTest.shell = {
    mounted: function () { return instances.map(function (x) { return x.id; }); },
    theme: theme, setTheme: setTheme,
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else setTimeout(start, 0);
})();
