/* Panel 5: SGDR and the other schedules (fast.ai 2018 lessons 1-3).
 *
 * The learning rate of every mini-batch, recomputed here from the lesson's formulas:
 *   sgdr        fastai 0.7's CosAnneal, ported line by line from viz.core.schedules.FastaiCosAnneal
 *               (lr/100 for the first nb/20 batches, then lr/2 (1 + cos(pi t / T)), restarts,
 *               cycles cycle_len * cycle_mult**c epochs long)
 *   triangular, triangular2   torch CyclicLR's get_lr (base lr/4, step_size = n // 8)
 *   one_cycle   torch OneCycleLR's get_lr (cosine, pct_start, div_factor, final_div_factor)
 *   step        torch StepLR (x0.1 every n // 3 iterations, multiplied step by step)
 * with the budget and settings of viz.core.schedules.compare_schedules.
 * Data (VIZ_DATA.sgdr, from viz.core.explorer_lessons.sgdr_data): defaults and recipe constants.
 *
 * Test hooks, window.vizTest.sgdr:
 *   compute({schedule, lr, n_cycles, cycle_len, cycle_mult, iters_per_epoch, warmup})
 *       -> {lr: [...], cycle_starts: [...], n_iter, arithmetic, detail} or {error: "..."}
 *   state() -> the current settings and the drawn result; set(settings) redraws with them.
 */
(function () {
  "use strict";
  const NAMES = {sgdr: "SGDR (fastai 0.7)", triangular: "triangular (CyclicLR)",
    triangular2: "triangular2 (CyclicLR)", one_cycle: "one-cycle (OneCycleLR)", step: "step (StepLR)"};

  // Python's f"{x:g}" for the numbers the arithmetic shows
  function fmtG(x) {
    if (x === 0) return "0";
    const e = Math.floor(Math.log10(Math.abs(x)));
    if (e < -4 || e >= 6) {
      const [m, ex] = x.toExponential(5).split("e");
      const n = +ex;
      return m.replace(/\.?0+$/, "") + "e" + (n < 0 ? "-" : "+") + String(Math.abs(n)).padStart(2, "0");
    }
    return String(Number(x.toPrecision(6)));
  }

  function checkCycles(n, a, r) {
    if (!Number.isInteger(n) || n < 1) return `n_cycles must be an integer >= 1, got ${n}`;
    if (!(a > 0)) return `cycle_len must be > 0 epochs, got ${a}`;
    if (!(r >= 1)) return `cycle_mult must be >= 1, got ${r}`;
    return null;
  }
  function sumGeom(a, r, n) {   // fastai's epoch count
    return r === 1 ? Math.ceil(a * n) : Math.ceil(a * (1 - Math.pow(r, n)) / (1 - r));
  }
  function cycleEpochs(n, a, r) { const out = []; for (let c = 0; c < n; c++) out.push(a * Math.pow(r, c)); return out; }
  function epochArithmetic(n, a, r) {
    return cycleEpochs(n, a, r).map(fmtG).join(" + ") + " = " + sumGeom(a, r, n);
  }

  function sgdr(o) {
    const lr = o.lr, nb = o.iters_per_epoch, n = o.n_cycles, a = o.cycle_len, r = o.cycle_mult;
    const lengths = cycleEpochs(n, a, r).map(e => nb * e);
    const bad = lengths.find(x => Math.abs(x - Math.round(x)) > 1e-9);
    if (bad !== undefined)
      return {error: `every cycle must be a whole number of iterations: cycle_len ${fmtG(a)} and cycle_mult ` +
        `${fmtG(r)} with ${nb} iterations per epoch give cycles of ${lengths.map(fmtG).join(", ")} iterations`};
    const nIter = sumGeom(a, r, n) * nb;
    // FastaiCosAnneal, line by line
    let iteration = 0, cycleIter = 0, nbc = Math.round(lengths[0]);
    const restarts = [0], out = new Array(nIter);
    for (let i = 0; i < nIter; i++) {
      let v;
      if (o.warmup && iteration < nbc / 20) {
        cycleIter += 1;
        v = lr / 100;
      } else {
        const cosOut = Math.cos(Math.PI * cycleIter / nbc) + 1;
        cycleIter += 1;
        if (cycleIter === nbc) { cycleIter = 0; nbc *= r; restarts.push(iteration + 1); }
        v = lr / 2 * cosOut;
      }
      out[i] = v;
      iteration += 1;
    }
    const warm = o.warmup ? Math.ceil(Math.round(lengths[0]) / 20) : 0;
    return {lr: out, cycle_starts: restarts.filter(s => s < nIter), n_iter: nIter, warmup_iters: warm,
      detail: `fit(${fmtG(lr)}, ${n}, cycle_len=${fmtG(a)}, cycle_mult=${fmtG(r)}): cycle c lasts ` +
        `cycle_len × cycle_mult^c epochs; lr/2·(1 + cos(π·t/T)) within a cycle` +
        (o.warmup ? `, lr/100 for the first ${warm} batches (1/20 of the first cycle)` : ", no warm-up")};
  }

  function cyclic(base, max, nIter, step, mode) {       // torch CyclicLR.get_lr, step_size_up = down
    const total = 2 * step, ratio = step / total, out = new Array(nIter);
    for (let i = 0; i < nIter; i++) {
      const cycle = Math.floor(1 + i / total);
      const x = 1.0 + i / total - cycle;
      const scale = x <= ratio ? x / ratio : (x - 1) / (ratio - 1);
      const height = (max - base) * scale;
      out[i] = base + height * (mode === "triangular2" ? 1 / Math.pow(2.0, cycle - 1) : 1.0);
    }
    const starts = [];
    for (let s = 0; s < nIter; s += total) starts.push(s);
    return {lr: out, cycle_starts: starts};
  }

  function oneCycle(max, nIter, oc) {                   // torch OneCycleLR.get_lr, cosine, two phases
    const initial = max / oc.div_factor, minLr = initial / oc.final_div_factor;
    const phases = [{end: oc.pct_start * nIter - 1, a: initial, b: max}, {end: nIter - 1, a: max, b: minLr}];
    const out = new Array(nIter);
    for (let i = 0; i < nIter; i++) {
      let start = 0.0;
      for (let k = 0; k < phases.length; k++) {
        const ph = phases[k];
        if (i <= ph.end || k === phases.length - 1) {
          const pct = (i - start) / (ph.end - start);
          out[i] = ph.b + (ph.a - ph.b) / 2.0 * (Math.cos(Math.PI * pct) + 1);
          break;
        }
        start = ph.end;
      }
    }
    return {lr: out, cycle_starts: [0]};
  }

  function stepDecay(lr, nIter, step, gamma) {          // torch StepLR: lr *= gamma every step_size
    const out = new Array(nIter);
    let cur = lr;
    for (let i = 0; i < nIter; i++) {
      if (i > 0 && i % step === 0) cur = cur * gamma;
      out[i] = cur;
    }
    return {lr: out, cycle_starts: []};
  }

  function compute(o, data) {
    const d = data || {};
    const err = checkCycles(o.n_cycles, o.cycle_len, o.cycle_mult);
    if (err) return {error: err};
    if (!Number.isInteger(o.iters_per_epoch) || o.iters_per_epoch < 1)
      return {error: `iters_per_epoch must be an integer >= 1, got ${o.iters_per_epoch}`};
    if (!(o.lr > 0) || !Number.isFinite(o.lr)) return {error: `lr must be a positive number, got ${o.lr}`};
    const ref = sgdr(o);
    if (ref.error) return ref;
    const arithmetic = epochArithmetic(o.n_cycles, o.cycle_len, o.cycle_mult);
    const n = ref.n_iter, lr = o.lr;
    const budget = `${arithmetic} epochs × ${o.iters_per_epoch} iterations = ${n} mini-batches`;
    let res;
    const sched = o.schedule || "sgdr";
    if (sched === "sgdr") res = ref;
    else if (sched === "triangular" || sched === "triangular2") {
      const cyc = d.cyclic || {base_div: 4, cycles: 4};
      const step = Math.max(1, Math.floor(n / (2 * cyc.cycles)));
      res = cyclic(lr / cyc.base_div, lr, n, step, sched);
      res.detail = `CyclicLR ${sched}: from lr/${cyc.base_div} = ${fmtG(lr / cyc.base_div)} up to lr = ${fmtG(lr)} ` +
        `and back, step_size = ${n} // ${2 * cyc.cycles} = ${step} iterations (half a cycle)` +
        (sched === "triangular2" ? "; the height halves every cycle" : "");
    } else if (sched === "one_cycle") {
      const oc = d.one_cycle || {pct_start: 0.3, div_factor: 25, final_div_factor: 1e4};
      res = oneCycle(lr, n, oc);
      res.detail = `OneCycleLR: from lr/${fmtG(oc.div_factor)} up to lr over the first ${fmtG(oc.pct_start * 100)}% ` +
        `(cosine), then down to lr/${fmtG(oc.div_factor)}/${fmtG(oc.final_div_factor)}`;
    } else if (sched === "step") {
      const st = d.step || {gamma: 0.1, steps: 3};
      const step = Math.max(1, Math.floor(n / st.steps));
      res = stepDecay(lr, n, step, st.gamma);
      res.detail = `StepLR: lr × ${fmtG(st.gamma)} every ${n} // ${st.steps} = ${step} iterations`;
    } else return {error: `unknown schedule ${sched}`};
    return Object.assign({n_iter: n, arithmetic, budget, sgdr_starts: ref.cycle_starts}, res);
  }

  // ---------------------------------------------------------------- drawing
  function niceTicks(lo, hi, n) {       // round numbers for an axis
    const raw = (hi - lo) / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 2.5, 5, 10].map(m => m * mag).find(s => s >= raw);
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
    return out;
  }

  function palette(api) {
    const dark = api.theme() === "dark";
    return Object.assign(api.chartColors(), {
      warm: dark ? "rgba(222,143,5,0.28)" : "rgba(222,143,5,0.22)"
    });
  }

  function draw(canvas, res, o, api) {
    const w = canvas.clientWidth || 600, h = canvas.clientHeight || 260, dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
    const g = canvas.getContext("2d"), P = palette(api);
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    const small = w < 480, L = small ? 44 : 58, R = 10, T = 26, B = 40;
    const pw = w - L - R, ph = h - T - B;
    g.font = `${small ? 11 : 12}px system-ui, sans-serif`;
    if (!res || res.error) return;
    const n = res.n_iter, nb = o.iters_per_epoch, epochs = n / nb;
    const ymax = Math.max(...res.lr) * 1.08 || 1;
    const X = i => L + (i / n) * pw, Y = v => T + ph - (v / ymax) * ph;
    // axes and grid
    g.strokeStyle = P.grid; g.fillStyle = P.muted; g.lineWidth = 1;
    g.textAlign = "right"; g.textBaseline = "middle";
    for (const v of niceTicks(0, ymax, 4)) {
      const y = Y(v);
      g.beginPath(); g.moveTo(L, y); g.lineTo(L + pw, y); g.stroke();
      g.fillText(String(v), L - 4, y);
    }
    g.textAlign = "center"; g.textBaseline = "top";
    const every = Math.max(1, Math.ceil(epochs / (small ? 6 : 14)));
    for (let e = 0; e <= epochs + 1e-9; e += every) g.fillText(String(e), X(e * nb), T + ph + 4);
    g.fillText("epoch (" + nb + " iterations each)", L + pw / 2, T + ph + 20);
    g.save(); g.translate(12, T + ph / 2); g.rotate(-Math.PI / 2); g.fillText("learning rate", 0, -6); g.restore();
    // warm-up band
    if (o.schedule === "sgdr" && res.warmup_iters) {
      g.fillStyle = P.warm; g.fillRect(X(0), T, Math.max(2, X(res.warmup_iters) - X(0)), ph);
    }
    // cycle boundaries and labels
    const starts = res.cycle_starts || [];
    g.setLineDash([4, 4]); g.strokeStyle = P.muted;
    starts.forEach((s, c) => {
      if (s > 0) { g.beginPath(); g.moveTo(X(s), T); g.lineTo(X(s), T + ph); g.stroke(); }
    });
    g.setLineDash([]);
    g.fillStyle = P.fg; g.textBaseline = "bottom";
    starts.forEach((s, c) => {
      const e = c + 1 < starts.length ? starts[c + 1] : n;
      const mid = (X(s) + X(e)) / 2, len = (e - s) / nb;
      if (X(e) - X(s) > (small ? 70 : 96)) g.fillText(`cycle ${c + 1}: ${fmtG(len)} epoch${len === 1 ? "" : "s"}`, mid, T - 4);
      else if (X(e) - X(s) > 14) g.fillText(String(c + 1), mid, T - 4);
    });
    // the wave
    g.strokeStyle = P.accent; g.lineWidth = 2; g.beginPath();
    res.lr.forEach((v, i) => (i ? g.lineTo(X(i), Y(v)) : g.moveTo(X(i), Y(v))));
    g.stroke();
    if (o.schedule === "sgdr" && res.warmup_iters) {
      g.fillStyle = P.fg; g.textAlign = "left"; g.textBaseline = "bottom";
      g.fillText("warm-up: lr/100", X(res.warmup_iters) + 3, Y(res.lr[0]) - 3);
    }
    // hovered iteration
    if (o.hover !== undefined && o.hover >= 0 && o.hover < n) {
      const i = o.hover;
      g.fillStyle = P.fg; g.beginPath(); g.arc(X(i), Y(res.lr[i]), 4, 0, 2 * Math.PI); g.fill();
    }
  }

  function mount(el, data, api) {
    const E = api.el;
    if (!data) { api.message(el, "No schedule data in this build (VIZ_DATA.sgdr is missing)."); return {}; }
    const d0 = data.defaults;
    const st = Object.assign({schedule: "sgdr"}, d0);
    const select = E("select", {"aria-label": "schedule"},
      ...data.schedules.map(s => E("option", {value: s}, NAMES[s] || s)));
    const warm = E("input", {type: "checkbox", checked: d0.warmup});
    const sliders = {
      lr: api.slider({digits: 2, label: "lr", min: 0.01, max: 1, step: 0.01, value: d0.lr, oninput: v => upd("lr", v)}),
      n_cycles: api.slider({digits: 0, label: "cycles", min: 1, max: 6, step: 1, value: d0.n_cycles, oninput: v => upd("n_cycles", v)}),
      cycle_len: api.slider({digits: 1, label: "cycle_len", min: 0.5, max: 4, step: 0.5, value: d0.cycle_len, oninput: v => upd("cycle_len", v)}),
      cycle_mult: api.slider({digits: 1, label: "cycle_mult", min: 1, max: 3, step: 0.5, value: d0.cycle_mult, oninput: v => upd("cycle_mult", v)}),
      iters_per_epoch: api.slider({digits: 0, label: "iterations per epoch", min: 2, max: 200, step: 1,
        value: d0.iters_per_epoch, oninput: v => upd("iters_per_epoch", v)}),
    };
    const arith = E("p", {class: "viz-formula", "aria-live": "polite", style: {fontSize: "1.15em", fontWeight: "600"}});
    const detail = E("p", {class: "viz-muted"});
    const readout = E("p", {class: "viz-muted", "aria-live": "polite"}, "Point at the curve to read one iteration's learning rate.");
    const msg = E("p", {class: "viz-message", role: "alert"});
    const canvas = E("canvas", {role: "img", style: {width: "100%", height: "280px", display: "block"},
      "aria-label": "learning rate against epoch"});
    const controls = E("div", {},
      E("div", {class: "viz-row"}, E("label", {}, "schedule ", select),
        E("label", {}, warm, " warm-up (lr/100 for 1/20 of the first cycle)")),
      E("div", {class: "viz-controls", style: {display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(17rem, 1fr))", gap: "0 1.4rem", alignItems: "center"}}, ...Object.values(sliders).map(s => s.root)));
    el.append(E("p", {class: "viz-intro"},
      "fastai 0.7 changes the learning rate every mini-batch. learn.fit(lr, cycles, cycle_len, cycle_mult) " +
      "runs cycles that get cycle_mult times longer; each starts at the full lr and anneals along a cosine. " +
      "The other schedules use the same budget of mini-batches."), controls, arith, canvas, readout, detail, msg);
    let res = null;
    function upd(k, v) { st[k] = v; st.hover = undefined; redraw(); }
    select.addEventListener("change", () => upd("schedule", select.value));
    warm.addEventListener("change", () => upd("warmup", warm.checked));
    canvas.addEventListener("pointermove", ev => {
      if (!res || res.error) return;
      const r = canvas.getBoundingClientRect(), L = r.width < 480 ? 44 : 58;
      const i = Math.round((ev.clientX - r.left - L) / (r.width - L - 10) * res.n_iter);
      if (i < 0 || i >= res.n_iter) return;
      st.hover = i;
      readout.textContent = `iteration ${i + 1} (epoch ${fmtG(Math.floor(i / st.iters_per_epoch * 1000) / 1000)}): ` +
        `learning rate ${res.lr[i].toPrecision(4)}`;
      draw(canvas, res, st, api);
    });
    function redraw() {
      sliders.cycle_len.root.style.opacity = sliders.cycle_mult.root.style.opacity = "1";
      warm.disabled = st.schedule !== "sgdr";
      res = compute(st, data);
      if (res.error) {
        msg.textContent = res.error; arith.textContent = ""; detail.textContent = "";
      } else {
        msg.textContent = "";
        arith.textContent = res.budget;
        detail.textContent = res.detail;
      }
      draw(canvas, res, st, api);
    }
    new ResizeObserver(() => res && draw(canvas, res, st, api)).observe(canvas);
    redraw();
    window.vizTest = window.vizTest || {};
    window.vizTest.sgdr = {
      compute: o => compute(Object.assign({}, d0, {schedule: "sgdr"}, o), data),
      state: () => Object.assign({}, st, {result: res}),
      set(o) {
        Object.assign(st, o);
        for (const [k, s] of Object.entries(sliders)) s.set(st[k]);
        select.value = st.schedule; warm.checked = st.warmup;
        redraw();
      },
    };
    return {redraw};
  }

  window.VizExplorer.register({id: "sgdr", title: "5. SGDR and the learning-rate schedules", mount});
})();
