/* Panel 6: the LR finder, replayed (fast.ai 2018 lessons 1-2).
 *
 * A real range test recorded by viz.core.lr_finder.digits_lr_find() at build time
 * (VIZ_DATA.lrfinder, from viz.core.explorer_lessons.lr_finder_data): the lr, raw and smoothed
 * loss of every batch, the stop. The page replays it batch by batch and recomputes, as
 * viz.core.lr_finder does:
 *   smoothing   avg = beta avg + (1 - beta) loss; smoothed_k = avg / (1 - beta^k)
 *   stop rule   best = min smoothed after best_after batches; stop when smoothed > stop_factor x best
 *   suggestions on the smoothed curve without the first skip_start / last skip_end points:
 *     steepest  the most negative slope d loss / d log(lr)        (suggest_steepest)
 *     min/10    the lr of the lowest loss, divided by 10           (suggest_min_div10)
 *     valley    two thirds down the longest decreasing run         (suggest_valley, fastai v2)
 *
 * Test hooks, window.vizTest.lrfinder:
 *   suggest(skip_start, skip_end) -> [{name, lr, index, loss, rule}] ([] when < 2 points remain)
 *   smooth(losses, beta) -> smoothed;  replay(k) -> {best, threshold} after k recorded batches
 *   state() -> {batch, skip_start, skip_end, suggestions, playing}; set({batch?, skip_start?, skip_end?})
 */
(function () {
  "use strict";

  // Python's f"{x:.{p}g}"
  function pyG(x, p) {
    if (x === 0) return "0";
    const [m, ex] = x.toExponential(p - 1).split("e");
    const e = +ex;
    if (e < -4 || e >= p) return m.replace(/\.?0+$/, "") + "e" + (e < 0 ? "-" : "+") + String(Math.abs(e)).padStart(2, "0");
    return x.toFixed(Math.max(0, p - 1 - e)).replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
  }

  function smooth(losses, beta) {
    let avg = 0;
    return losses.map((l, i) => { avg = avg * beta + l * (1 - beta); return avg / (1 - Math.pow(beta, i + 1)); });
  }

  function window_(lrs, losses, skipStart, skipEnd) {
    if (skipStart < 0 || skipEnd < 0) return {error: `skip_start and skip_end must be >= 0, got ${skipStart}, ${skipEnd}`};
    let bad = losses.findIndex(v => !Number.isFinite(v));
    if (bad < 0) bad = losses.length;
    const stop = Math.min(losses.length - skipEnd, bad);
    const idx = [];
    for (let i = skipStart; i < Math.max(stop, skipStart); i++) idx.push(i);
    if (idx.length < 2) return {error: `need at least 2 points after skipping ${skipStart} first and ${skipEnd} last, ` +
      `got ${idx.length} of ${losses.length}`};
    return {idx};
  }

  function argmin(a) { let k = 0; for (let i = 1; i < a.length; i++) if (a[i] < a[k]) k = i; return k; }

  function suggest(lrs, losses, skipStart, skipEnd) {
    const w = window_(lrs, losses, skipStart, skipEnd);
    if (w.error) return {error: w.error, suggestions: []};
    const idx = w.idx, out = [];
    // steepest
    const slope = [];
    for (let j = 0; j + 1 < idx.length; j++)
      slope.push((losses[idx[j + 1]] - losses[idx[j]]) / (Math.log(lrs[idx[j + 1]]) - Math.log(lrs[idx[j]])));
    let i = idx[argmin(slope)];
    out.push({name: "steepest", lr: lrs[i], index: i, loss: losses[i],
      rule: "the lr where the smoothed loss falls fastest against log(lr)"});
    // min/10
    const iMin = idx[argmin(idx.map(k => losses[k]))];
    const lr10 = lrs[iMin] / 10;
    i = idx[argmin(idx.map(k => Math.abs(Math.log(lrs[k]) - Math.log(lr10))))];
    out.push({name: "min/10", lr: lr10, index: i, loss: losses[i],
      rule: `the lr of the lowest smoothed loss (${pyG(lrs[iMin], 2)}) divided by 10`});
    // valley: longest decreasing subsequence, fastai v2
    const v = idx.map(k => losses[k]), n = v.length, lds = new Array(n).fill(1);
    let maxStart = 0, maxEnd = 0;
    for (let a = 1; a < n; a++) {
      for (let b = 0; b < a; b++) {
        if (v[a] < v[b] && lds[a] < lds[b] + 1) lds[a] = lds[b] + 1;
        if (lds[maxEnd] < lds[a]) { maxEnd = a; maxStart = maxEnd - lds[maxEnd]; }
      }
    }
    const sections = (maxEnd - maxStart) / 3;
    i = idx[maxStart + Math.trunc(sections) + Math.trunc(sections / 2)];
    out.push({name: "valley", lr: lrs[i], index: i, loss: losses[i],
      rule: "two thirds down the longest stretch where the smoothed loss keeps falling"});
    return {suggestions: out, window: [idx[0], idx[idx.length - 1]], valleyRun: [idx[maxStart], idx[maxEnd]]};
  }

  function replay(data, k) {   // the stop rule's state after k recorded batches
    let best = 1e9;
    for (let i = 0; i < k; i++) if (data.smoothed[i] < best && i > data.best_after) best = data.smoothed[i];
    return {best, threshold: best < 1e9 && data.stop_factor !== null ? best * data.stop_factor : null};
  }

  function niceTicks(lo, hi, n) {       // round numbers for an axis
    const raw = (hi - lo) / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 2.5, 5, 10].map(m => m * mag).find(s => s >= raw);
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
    return out;
  }

  const COLORS = {steepest: "#009E73", "min/10": "#CC79A7", valley: "#E69F00"};

  function palette(api) {
    const dark = api.theme() === "dark";
    return Object.assign(api.chartColors(), {
      raw: dark ? "rgba(169,176,184,0.55)" : "rgba(95,102,112,0.45)",
      skip: dark ? "rgba(255,255,255,0.07)" : "rgba(0,0,0,0.06)"
    });
  }

  function draw(canvas, data, st, sug, api) {
    const w = canvas.clientWidth || 600, small = w < 560, h = small ? 300 : 340, dpr = window.devicePixelRatio || 1;
    canvas.style.height = h + "px";
    canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
    const g = canvas.getContext("2d"), P = palette(api);
    g.setTransform(dpr, 0, 0, dpr, 0, 0); g.clearRect(0, 0, w, h);
    g.font = `${small ? 11 : 12}px system-ui, sans-serif`;
    const L = small ? 40 : 52, R = 12, T = 16, B = 40, pw = w - L - R, ph = h - T - B;
    const lrs = data.lrs, n = lrs.length, k = st.batch;
    const lastLr = data.stop_lr || lrs[n - 1];
    const lx0 = Math.log10(lrs[0]), lx1 = Math.log10(lastLr);
    // y range: the smoothed curve, raw clipped to it
    const sm = data.smoothed;
    let y0 = Math.min(...sm), y1 = Math.max(...sm.slice(0, Math.min(n, 40)), ...sm.slice(-5));
    if (data.stop_factor !== null && data.best_loss !== null && data.best_loss < 1e9)
      y1 = Math.max(y1, Math.min(data.stop_factor * data.best_loss, 2 * y1));   // the final stop bar shows
    y1 = Math.max(y1, y0 + 1e-6); const pad = (y1 - y0) * 0.08; y0 -= pad; y1 += pad;
    const X = lr => L + (Math.log10(lr) - lx0) / (lx1 - lx0) * pw;
    const Y = v => T + ph - (Math.min(Math.max(v, y0), y1) - y0) / (y1 - y0) * ph;
    // skipped regions
    g.fillStyle = P.skip;
    if (st.skip_start > 0) g.fillRect(L, T, X(lrs[Math.min(st.skip_start, n - 1)]) - L, ph);
    if (st.skip_end > 0) { const a = X(lrs[Math.max(0, n - st.skip_end)]); g.fillRect(a, T, L + pw - a, ph); }
    // grid: decades
    g.strokeStyle = P.grid; g.fillStyle = P.muted; g.lineWidth = 1; g.textAlign = "center"; g.textBaseline = "top";
    for (let e = Math.ceil(lx0); e <= Math.floor(lx1); e++) {
      const x = L + (e - lx0) / (lx1 - lx0) * pw;
      g.beginPath(); g.moveTo(x, T); g.lineTo(x, T + ph); g.stroke();
      g.fillText("1e" + e, x, T + ph + 4);
    }
    g.fillText("learning rate (log scale)", L + pw / 2, T + ph + 20);
    g.textAlign = "right"; g.textBaseline = "middle";
    for (const v of niceTicks(y0, y1, 5)) {
      const y = Y(v);
      g.beginPath(); g.moveTo(L, y); g.lineTo(L + pw, y); g.stroke();
      g.fillText(String(v), L - 4, y);
    }
    g.save(); g.translate(11, T + ph / 2); g.rotate(-Math.PI / 2); g.textAlign = "center"; g.fillText("loss", 0, 0); g.restore();
    // raw and smoothed up to batch k
    g.save(); g.beginPath(); g.rect(L, T, pw, ph); g.clip();
    g.strokeStyle = P.raw; g.lineWidth = 1; g.beginPath();
    for (let i = 0; i < k; i++) (i ? g.lineTo(X(lrs[i]), Y(data.losses[i])) : g.moveTo(X(lrs[i]), Y(data.losses[i])));
    g.stroke();
    g.strokeStyle = P.accent; g.lineWidth = 2.2; g.beginPath();
    for (let i = 0; i < k; i++) (i ? g.lineTo(X(lrs[i]), Y(sm[i])) : g.moveTo(X(lrs[i]), Y(sm[i])));
    g.stroke();
    // the stop rule's bar
    const rp = replay(data, k);
    if (rp.threshold !== null && rp.threshold < y1) {
      g.setLineDash([6, 4]); g.strokeStyle = P.err; g.lineWidth = 1.2;
      g.beginPath(); g.moveTo(L, Y(rp.threshold)); g.lineTo(L + pw, Y(rp.threshold)); g.stroke(); g.setLineDash([]);
    }
    g.restore();
    if (rp.threshold !== null && rp.threshold >= y1) {
      g.fillStyle = P.err; g.textAlign = "right"; g.textBaseline = "top";
      g.fillText(`stop bar: ${rp.threshold.toFixed(2)} (above the plot)`, L + pw - 4, T + 2);
    }
    if (k > 0) { g.fillStyle = P.accent; g.beginPath(); g.arc(X(lrs[k - 1]), Y(sm[k - 1]), 4, 0, 2 * Math.PI); g.fill(); }
    // suggestions, once the replay has reached the end
    if (k >= n && sug.suggestions.length) {
      sug.suggestions.forEach((s, j) => {
        const x = X(s.lr), c = COLORS[s.name];
        g.strokeStyle = c; g.lineWidth = 1.5; g.beginPath(); g.moveTo(x, T); g.lineTo(x, T + ph); g.stroke();
        g.fillStyle = c; g.beginPath(); g.arc(x, Y(s.loss), 5, 0, 2 * Math.PI); g.fill();
        g.fillStyle = P.fg; g.textAlign = x > L + pw * 0.8 ? "right" : "left"; g.textBaseline = "top";
        g.fillText(s.name, x + (g.textAlign === "left" ? 4 : -4), T + 2 + 14 * j);
      });
    }
    if (k >= n && data.stop_lr !== null && data.stop_reason !== "end") {
      g.fillStyle = P.err; g.textAlign = "right"; g.textBaseline = "bottom";
      g.fillText("stop ✕", L + pw, T + ph - 2);
    }
  }

  function mount(el, data, api) {
    const E = api.el;
    if (!data) { api.message(el, "No range test in this build (VIZ_DATA.lrfinder is missing)."); return {}; }
    const n = data.lrs.length;
    const st = {batch: n, skip_start: data.skip_start, skip_end: data.skip_end, playing: false};
    const scrub = api.slider({digits: 0, label: "batch", min: 1, max: n, step: 1, value: n, oninput: v => { pause(); st.batch = v; redraw(); }});
    const skipS = api.slider({digits: 0, label: "skip_start", min: 0, max: Math.max(0, n - 2), step: 1, value: st.skip_start,
      oninput: v => { st.skip_start = v; redraw(); }});
    const skipE = api.slider({digits: 0, label: "skip_end", min: 0, max: Math.max(0, n - 2), step: 1, value: st.skip_end,
      oninput: v => { st.skip_end = v; redraw(); }});
    const play = E("button", {type: "button"}, "▶ replay");
    const canvas = E("canvas", {role: "img", style: {width: "100%", display: "block"},
      "aria-label": "loss against learning rate, raw and smoothed, with the suggestions"});
    const now = E("p", {class: "viz-formula", "aria-live": "polite"});
    const stopP = E("p", {class: "viz-muted"});
    const list = E("ul", {class: "vz-suggestions"});
    const msg = E("p", {class: "viz-message", role: "alert"});
    const legend = E("p", {class: "viz-muted"},
      "thin line: raw mini-batch loss · thick: smoothed (debiased moving average, beta " + data.beta +
      ") · dashed red: the stop bar, " + data.stop_factor + " × the best smoothed loss · grey bands: skipped points");
    el.append(E("p", {class: "viz-intro"},
      `A recorded range test (${data.setup || "your run"}): each mini-batch trains with a slightly larger learning rate, ` +
      `from ${pyG(data.start_lr, 2)} up; the loss is recorded until it blows up. Pick an lr where the loss still falls clearly.`),
    E("div", {class: "viz-row"}, play, E("div", {style: {flex: "1 1 16rem"}}, scrub.root)),
    canvas, legend, now,
    E("div", {class: "viz-controls", style: {display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(17rem, 1fr))", gap: "0 1.4rem", alignItems: "center"}},
      skipS.root, skipE.root),
    list, msg, stopP);
    let sug = null, timer = null;
    function pause() { if (timer) { clearInterval(timer); timer = null; } st.playing = false; play.textContent = "▶ replay"; }
    play.addEventListener("click", () => {
      if (timer) return pause();
      if (st.batch >= n) st.batch = 1;
      st.playing = true; play.textContent = "❚❚ pause";
      const per = Math.max(1, Math.round(n / 150));
      timer = setInterval(() => {
        st.batch = Math.min(n, st.batch + per); scrub.set(st.batch); redraw();
        if (st.batch >= n) pause();
      }, 40);
    });
    function redraw() {
      sug = suggest(data.lrs, data.smoothed, st.skip_start, st.skip_end);
      const k = st.batch, i = k - 1, rp = replay(data, k);
      now.textContent = `batch ${k} of ${n}: lr ${pyG(data.lrs[i], 3)}, loss ${data.losses[i].toFixed(3)}, ` +
        `smoothed ${data.smoothed[i].toFixed(3)}` +
        (rp.threshold !== null ? `; best so far ${rp.best.toFixed(3)}, stop above ${rp.threshold.toFixed(3)}` :
          `; the best is tracked only after batch ${data.best_after + 1}`) +
        (k < n ? ". The suggestions are marked when the replay reaches the last batch." : "");
      list.replaceChildren(...sug.suggestions.map(s => E("li", {},
        E("b", {style: {color: COLORS[s.name]}}, s.name), `: lr ${pyG(s.lr, 3)} (batch ${s.index + 1}) — ${s.rule}`)));
      msg.textContent = sug.error ? sug.error + ": no suggestion." : "";
      if (data.stop_reason === "diverged" || data.stop_reason === "nan") {
        const prev = n ? (data.smoothed[n - 1] * (1 - Math.pow(data.beta, n))) : 0;
        const s = (prev * data.beta + data.stop_loss * (1 - data.beta)) / (1 - Math.pow(data.beta, n + 1));
        stopP.textContent = `The stop: batch ${data.stop_iteration} (lr ${pyG(data.stop_lr, 3)}) had loss ` +
          `${data.stop_loss.toFixed(3)}, smoothed ${Number.isFinite(s) ? s.toFixed(3) : s} > ${data.stop_factor} × best ` +
          `${data.best_loss.toFixed(3)} = ${(data.stop_factor * data.best_loss).toFixed(3)}, so the run stopped; that batch is not recorded.`;
      } else {
        stopP.textContent = `The run ended after ${n} batches (${data.stop_reason}) without diverging.`;
      }
      draw(canvas, data, st, sug, api);
    }
    new ResizeObserver(() => sug && draw(canvas, data, st, sug, api)).observe(canvas);
    redraw();
    window.vizTest = window.vizTest || {};
    window.vizTest.lrfinder = {
      suggest: (a, b) => suggest(data.lrs, data.smoothed, a, b).suggestions,
      smooth, replay: k => replay(data, k),
      state: () => ({batch: st.batch, skip_start: st.skip_start, skip_end: st.skip_end, playing: st.playing,
        suggestions: sug.suggestions, message: msg.textContent, now: now.textContent, stop: stopP.textContent}),
      set(o) {
        Object.assign(st, o);
        scrub.set(st.batch); skipS.set(st.skip_start); skipE.set(st.skip_end);
        redraw();
      },
    };
    return {redraw};
  }

  window.VizExplorer.register({id: "lrfinder", title: "6. The LR finder, replayed", mount});
})();
