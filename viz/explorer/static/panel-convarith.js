/* Panel 3: convolution arithmetic (fast.ai 2018 lesson 3; Dumoulin & Visin's guide).
 *
 * Input size n, kernel size k, stride s, padding p, dilation d (square, one channel):
 *   reach = d (k - 1) + 1 cells, padded input n + 2p,
 *   out = floor((n + 2p - d(k-1) - 1) / s) + 1         (torch.nn.functional.conv2d's shape)
 * refused, with the reason, when the dilated kernel does not fit the padded input (the rule and
 * wording of viz.core.convmatmul.conv_output_shape). The window slides over the padded input;
 * each output cell is the sum of the window's cells times the kernel (cross-correlation, as torch).
 * Inputs and kernels come from VIZ_DATA.convarith (viz.core.convmatmul.example_input and
 * ARITHMETIC_KERNEL, via viz.core.explorer_lessons.convarith_data).
 *
 * Test hooks, window.vizTest.convarith:
 *   compute({n, k, s, p, d}) -> {ok: true, out, reach, padded, origins: [[r, c], ...], values (out x out)
 *                                when data has that input and kernel} or {ok: false, reason}
 *   state() -> {n, k, s, p, d, pos, ok, out, reason, formula}; set({...}) redraws; step(+1 | -1).
 */
(function () {
  "use strict";

  function compute(o, data) {
    const {n, k, s, p, d} = o;
    const names = {n: "input size", k: "kernel size", s: "stride", p: "padding", d: "dilation"};
    for (const key of ["n", "k", "s", "p", "d"])
      if (!Number.isInteger(o[key])) return {ok: false, reason: `${names[key]} must be a whole number, got ${o[key]}`};
    if (n <= 0) return {ok: false, reason: `input size must be positive, got ${n}`};
    if (k <= 0) return {ok: false, reason: `kernel size must be positive, got ${k}`};
    if (s <= 0) return {ok: false, reason: `stride must be positive, got ${s}`};
    if (d <= 0) return {ok: false, reason: `dilation must be positive, got ${d}`};
    if (p < 0) return {ok: false, reason: `padding must not be negative, got ${p}`};
    const reach = d * (k - 1) + 1, padded = n + 2 * p;
    if (reach > padded) {
      const extra = d > 1 ? ` (dilation ${d}, reach ${reach})` : "";
      return {ok: false, reach, padded,
        reason: `kernel ${k}x${k}${extra} is larger than the padded input ${padded}x${padded} ` +
          `(input ${n}x${n}, padding ${p}): no position fits, so there is no output`};
    }
    const out = Math.floor((padded - reach) / s) + 1;
    const origins = [];
    for (let r = 0; r < out; r++) for (let c = 0; c < out; c++) origins.push([r * s, c * s]);
    const res = {ok: true, out, reach, padded, origins, unread: padded - ((out - 1) * s + reach)};
    const x = data && data.inputs && data.inputs[n], w = data && data.kernels && data.kernels[k];
    if (x && w) {
      const P = (r, c) => (r < p || c < p || r >= n + p || c >= n + p ? 0 : x[r - p][c - p]);
      res.values = [];
      for (let r = 0; r < out; r++) {
        const row = [];
        for (let c = 0; c < out; c++) {
          let acc = 0;
          for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) acc += P(r * s + i * d, c * s + j * d) * w[i][j];
          row.push(acc);
        }
        res.values.push(row);
      }
      res.input = x; res.kernel = w;
    }
    return res;
  }

  function formula(o, res) {
    const {n, k, s, p, d} = o;
    const num = n + 2 * p - d * (k - 1) - 1;
    const head = `out = floor((n + 2p − d(k−1) − 1) / s) + 1 = floor((${n} + 2·${p} − ${d}·(${k}−1) − 1) / ${s}) + 1`;
    if (!res.ok) return `${head} = floor(${num} / ${s}) + 1: no valid position`;
    return `${head} = floor(${num} / ${s}) + 1 = ${Math.floor(num / s)} + 1 = ${res.out}`;
  }

  function palette(api) {
    const dark = api.theme() === "dark";
    return Object.assign(api.chartColors(), {
      pad: dark ? "#23272e" : "#eef0f3", line: dark ? "#5a606b" : "#b8bec7",
      tap: dark ? "rgba(86,180,233,0.40)" : "rgba(1,115,178,0.20)",
      done: dark ? "rgba(222,143,5,0.30)" : "rgba(222,143,5,0.22)"
    });
  }

  function grid(g, x0, y0, size, cell, fill, label, text, P, ink) {
    g.font = `${Math.max(8, Math.min(14, cell * 0.42))}px system-ui, sans-serif`;
    g.textAlign = "center"; g.textBaseline = "middle";
    for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) {
      g.fillStyle = fill(r, c); g.fillRect(x0 + c * cell, y0 + r * cell, cell, cell);
      g.strokeStyle = P.line; g.lineWidth = 1; g.strokeRect(x0 + c * cell + 0.5, y0 + r * cell + 0.5, cell - 1, cell - 1);
      const t = text(r, c);
      if (t !== "" && cell >= 14) {
        g.fillStyle = (ink && ink(r, c)) || P.fg;
        g.fillText(t, x0 + (c + 0.5) * cell, y0 + (r + 0.5) * cell);
      }
    }
    g.fillStyle = P.fg; g.font = "600 12px system-ui, sans-serif"; g.textAlign = "left"; g.textBaseline = "bottom";
    g.fillText(label, x0, y0 - 5);
  }

  // where everything goes: input left, output and kernel to its right (stacked on a phone)
  function geometry(w, o, res) {
    const small = w < 560, gap = 28, top = 24, padded = o.n + 2 * o.p;
    const cell = Math.max(10, Math.min(40, Math.floor((small ? w - 8 : (w - 2 * gap - 8) * 0.55) / padded)));
    const inW = cell * padded, out = res.ok ? res.out : 0;
    const ox = small ? 4 : 4 + Math.max(inW, 270) + gap, oy = small ? top + inW + 36 : top;
    const room = small ? w - 8 - 110 : w - ox - 8 - 130;
    const ocell = out ? Math.max(10, Math.min(40, Math.floor(room / out))) : 0;
    const kcell = Math.max(12, Math.min(28, Math.floor(110 / o.k)));
    const kx = ox + Math.max(out * ocell, 80) + 20, ky = oy;
    const h = Math.max(top + inW, oy + Math.max(out * ocell, o.k * kcell)) + 10;
    return {small, cell, inW, ox, oy, ocell, kx, ky, kcell, h, top};
  }

  function draw(canvas, o, res, api) {
    const w = canvas.clientWidth || 600, dpr = window.devicePixelRatio || 1;
    const P = palette(api), G = geometry(w, o, res);
    const padded = o.n + 2 * o.p, out = res.ok ? res.out : 0, h = G.h;
    canvas.style.height = h + "px";
    canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
    const g = canvas.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0); g.clearRect(0, 0, w, h);
    const pos = res.ok ? Math.min(o.pos, out * out - 1) : -1;
    const taps = new Set();
    let origin = null;
    if (res.ok) {
      origin = res.origins[pos];
      for (let i = 0; i < o.k; i++) for (let j = 0; j < o.k; j++) taps.add((origin[0] + i * o.d) * 1000 + origin[1] + j * o.d);
    }
    const isPad = (r, c) => r < o.p || c < o.p || r >= o.n + o.p || c >= o.n + o.p;
    grid(g, 4, G.top, padded, G.cell, (r, c) => (taps.has(r * 1000 + c) ? P.tap : isPad(r, c) ? P.pad : P.bg),
      `padded input ${padded}×${padded} (input ${o.n}×${o.n}, padding ${o.p})`,
      (r, c) => (isPad(r, c) ? "0" : res.input ? String(res.input[r - o.p][c - o.p]) : ""), P,
      (r, c) => (isPad(r, c) ? P.muted : null));
    if (!res.ok) return;
    // the window's outline: the dilated kernel's reach
    g.strokeStyle = P.accent; g.lineWidth = 2.5;
    g.strokeRect(4 + origin[1] * G.cell, G.top + origin[0] * G.cell, res.reach * G.cell, res.reach * G.cell);
    grid(g, G.ox, G.oy, out, G.ocell, (r, c) => (r * out + c === pos ? P.hl : r * out + c < pos ? P.done : P.bg),
      `output ${out}×${out}`,
      (r, c) => (res.values && r * out + c <= pos ? String(+res.values[r][c].toFixed(2)) : ""), P,
      (r, c) => (r * out + c === pos ? "#000000" : null));
    if (res.kernel)
      grid(g, G.kx, G.ky, o.k, G.kcell, () => P.tap, `kernel ${o.k}×${o.k}`, (r, c) => String(res.kernel[r][c]), P);
  }

  function mount(el, data, api) {
    const E = api.el;
    if (!data) { api.message(el, "No convolution data in this build (VIZ_DATA.convarith is missing)."); return {}; }
    const lim = data.limits, pre = data.presets[0] || {n: 5, k: 3, s: 1, p: 0, d: 1};
    const st = {n: pre.n, k: pre.k, s: pre.s, p: pre.p, d: pre.d, pos: 0};
    const mk = (key, label) => api.slider({digits: 0, label, min: lim[key][0], max: lim[key][1], step: 1, value: st[key],
      oninput: v => { st[key] = Math.round(v); st.pos = 0; stop(); redraw(); }});
    const sliders = {n: mk("n", "input size n"), k: mk("k", "kernel size k"), s: mk("s", "stride s"),
      p: mk("p", "padding p"), d: mk("d", "dilation d")};
    const presets = data.presets.map(ps => E("button", {type: "button", onclick: () => {
      Object.assign(st, {n: ps.n, k: ps.k, s: ps.s, p: ps.p, d: ps.d, pos: 0});
      for (const [key, sl] of Object.entries(sliders)) sl.set(st[key]);
      stop(); redraw();
    }}, ps.label));
    const prev = E("button", {type: "button", "aria-label": "previous position"}, "◀ step");
    const play = E("button", {type: "button"}, "▶ play");
    const next = E("button", {type: "button", "aria-label": "next position"}, "step ▶");
    const fml = E("p", {class: "viz-formula", "aria-live": "polite", style: {fontWeight: "600"}});
    const where = E("p", {class: "viz-muted", "aria-live": "polite"});
    const msg = E("p", {class: "viz-message", role: "alert"});
    const canvas = E("canvas", {role: "img", tabindex: "0", style: {width: "100%", display: "block"},
      "aria-label": "the padded input with the kernel window, and the output map; arrow keys move the window"});
    el.append(E("p", {class: "viz-intro"},
      "A k×k kernel slides over the input, s cells at a time; padding adds a border of zeros; dilation spreads " +
      "the kernel's taps d cells apart. Every position of the window makes one output cell."),
    E("div", {class: "viz-controls", style: {display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(17rem, 1fr))", gap: "0 1.4rem", alignItems: "center"}},
      ...Object.values(sliders).map(s => s.root)),
    E("div", {class: "viz-row"},
      "lesson examples: ", ...presets, E("span", {style: {width: "12px"}}), prev, play, next),
    fml, msg, canvas, where);
    let res = null, timer = null;
    function stop() { if (timer) { clearInterval(timer); timer = null; play.textContent = "▶ play"; } }
    function step(dv) {
      if (!res || !res.ok) return;
      const total = res.out * res.out;
      st.pos = ((st.pos + dv) % total + total) % total;
      redraw();
    }
    prev.addEventListener("click", () => { stop(); step(-1); });
    next.addEventListener("click", () => { stop(); step(1); });
    play.addEventListener("click", () => {
      if (timer) return stop();
      play.textContent = "❚❚ pause";
      timer = setInterval(() => step(1), 600);
    });
    canvas.addEventListener("keydown", ev => {
      if (!res || !res.ok) return;
      const m = {ArrowRight: 1, ArrowLeft: -1, ArrowDown: res.out, ArrowUp: -res.out}[ev.key];
      if (m) { ev.preventDefault(); stop(); step(m); }
    });
    canvas.addEventListener("click", ev => {   // click an output cell to put the window there
      if (!res || !res.ok) return;
      canvas.focus();
      const r = canvas.getBoundingClientRect(), x = ev.clientX - r.left, y = ev.clientY - r.top;
      const hit = canvas._layout && canvas._layout(x, y);
      if (hit !== undefined) { stop(); st.pos = hit; redraw(); }
    });
    function redraw() {
      res = compute(st, data);
      fml.textContent = formula(st, res);
      if (!res.ok) {
        msg.textContent = "Impossible: " + res.reason + ".";
        where.textContent = "";
        prev.disabled = next.disabled = play.disabled = true; stop();
      } else {
        msg.textContent = "";
        prev.disabled = next.disabled = play.disabled = false;
        const [r0, c0] = res.origins[st.pos], or = Math.floor(st.pos / res.out), oc = st.pos % res.out;
        let t = `Position ${st.pos + 1} of ${res.out * res.out}: output[${or}][${oc}] reads padded rows ` +
          `${r0}…${r0 + res.reach - 1}, columns ${c0}…${c0 + res.reach - 1}` +
          (st.d > 1 ? ` (every ${st.d === 2 ? "2nd" : st.d === 3 ? "3rd" : st.d + "th"} cell: the dilated kernel reaches ${res.reach} cells)` : "");
        if (res.values) {
          const parts = [];
          for (let i = 0; i < st.k; i++) for (let j = 0; j < st.k; j++) {
            const rr = r0 + i * st.d, cc = c0 + j * st.d;
            const xv = rr < st.p || cc < st.p || rr >= st.n + st.p || cc >= st.n + st.p ? 0 : res.input[rr - st.p][cc - st.p];
            parts.push(`${xv}·${res.kernel[i][j]}`);
          }
          t += `; ${parts.length <= 9 ? parts.join(" + ") + " = " : "sum of input × kernel = "}${+res.values[or][oc].toFixed(4)}.`;
        }
        if (res.unread > 0)
          t += ` The last ${res.unread} padded row${res.unread > 1 ? "s" : ""}/column${res.unread > 1 ? "s are" : " is"} never ` +
            `read: the stride jumps past them (the floor in the formula).`;
        where.textContent = t;
      }
      draw(canvas, st, res, api);
      layout();
    }
    function layout() {
      if (!res.ok) { canvas._layout = null; return; }
      const G = geometry(canvas.clientWidth || 600, st, res);
      canvas._layout = (x, y) => {
        const c = Math.floor((x - G.ox) / G.ocell), r = Math.floor((y - G.oy) / G.ocell);
        return r >= 0 && c >= 0 && r < res.out && c < res.out ? r * res.out + c : undefined;
      };
    }
    new ResizeObserver(() => res && (draw(canvas, st, res, api), layout())).observe(canvas);
    redraw();
    window.vizTest = window.vizTest || {};
    window.vizTest.convarith = {
      compute: o => compute(o, data),
      state: () => ({n: st.n, k: st.k, s: st.s, p: st.p, d: st.d, pos: st.pos, ok: res.ok, out: res.out,
        reason: res.reason, formula: fml.textContent, message: msg.textContent, where: where.textContent}),
      set(o) {
        Object.assign(st, o);
        if (o.pos === undefined) st.pos = 0;
        for (const [key, sl] of Object.entries(sliders)) sl.set(st[key]);
        stop(); redraw();
      },
      step,
    };
    return {redraw};
  }

  window.VizExplorer.register({id: "convarith", title: "3. Convolution arithmetic", mount});
})();
