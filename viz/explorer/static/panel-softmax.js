/* Panel 4: softmax vs sigmoid (fast.ai 2018 lesson 3, the entropy spreadsheet).
 *
 * Five logits (the sheet's outputs, VIZ_DATA.softmax from viz.core.explorer_lessons.softmax_data)
 * and a temperature T; both heads see z = logit / T:
 *   softmax_i = exp(z_i - max z) / sum_j exp(z_j - max z)      (torch.softmax)
 *   sigmoid_i = 1 / (1 + exp(-z_i))                            (torch.sigmoid)
 *   cross-entropy = -sum_i t_i ln softmax_i, t the 0/1 targets
 *                   (F.cross_entropy(z, t) with probability targets; one-hot: -ln p_true; two labels
 *                   true: -ln p_a - ln p_b, at best 2 ln 2, as viz.core.softmax.fit_two_labels)
 *   binary cross-entropy = mean_i BCE(sigmoid_i, y_i)          (F.binary_cross_entropy_with_logits(z, y))
 * Natural logarithms throughout (the sheet's LOG is base 10).
 *
 * Test hooks, window.vizTest.softmax:
 *   compute({logits, temperature, targets}) -> {softmax, sigmoid, ce, bce}
 *   state() -> {logits, temperature, two, targets, softmax, sigmoid, ce, bce}
 *   set({logits?, temperature?, two?, true_class?}) redraws.
 */
(function () {
  "use strict";

  function softplus(x) { return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)); }

  function compute(o) {
    const T = o.temperature === undefined ? 1 : o.temperature;
    if (!(T > 0) || !Number.isFinite(T)) return {error: `temperature must be a positive number, got ${T}`};
    const x = o.logits, y = o.targets;
    if (!x || !x.length || x.some(v => !Number.isFinite(v))) return {error: "logits must be finite numbers"};
    const z = x.map(v => v / T);
    const m = Math.max(...z);
    const e = z.map(v => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    const softmax = e.map(v => v / s);
    const logSoftmax = z.map(v => v - m - Math.log(s));
    const sigmoid = z.map(v => 1 / (1 + Math.exp(-v)));
    const out = {softmax, sigmoid, z};
    if (y) {
      const k = y.reduce((a, b) => a + b, 0);
      out.ce = -y.reduce((acc, t, i) => acc + (t ? t * logSoftmax[i] : 0), 0);
      // BCE with logits: y * softplus(-z) + (1 - y) * softplus(z), mean over the labels
      out.bce = z.reduce((acc, v, i) => acc + y[i] * softplus(-v) + (1 - y[i]) * softplus(v), 0) / z.length;
      out.bce_terms = z.map((v, i) => y[i] * softplus(-v) + (1 - y[i]) * softplus(v));
      out.n_true = k;
    }
    return out;
  }

  function palette(api) {
    return api.chartColors();
  }

  function bars(g, x0, y0, w, h, title, values, classes, targets, color, P, opts) {
    g.fillStyle = P.fg; g.textAlign = "left"; g.textBaseline = "top";
    g.font = `600 ${opts.small ? 12 : 13}px system-ui, sans-serif`;
    g.fillText(title, x0, y0);
    g.font = `${opts.small ? 11 : 12}px system-ui, sans-serif`;
    const top = y0 + 22, labelW = opts.small ? 62 : 72, valW = 44;
    const bw = w - labelW - valW, n = values.length, rowH = (h - 30) / n;
    // scale 0..1 with gridlines
    g.strokeStyle = P.grid; g.lineWidth = 1;
    for (let k = 0; k <= 4; k++) {
      const xx = x0 + labelW + bw * k / 4;
      g.beginPath(); g.moveTo(xx, top); g.lineTo(xx, top + rowH * n); g.stroke();
    }
    g.fillStyle = P.muted; g.textAlign = "center"; g.textBaseline = "top";
    for (const k of [0, 2, 4]) g.fillText(String(k / 4), x0 + labelW + bw * k / 4, top + rowH * n + 2);
    values.forEach((v, i) => {
      const y = top + i * rowH, bh = Math.max(6, rowH * 0.62);
      g.fillStyle = color; g.fillRect(x0 + labelW, y + (rowH - bh) / 2, Math.max(1, bw * v), bh);
      if (targets[i]) {
        g.strokeStyle = P.err; g.lineWidth = 2;
        g.strokeRect(x0 + labelW - 1, y + (rowH - bh) / 2 - 1, bw + 2, bh + 2);
      }
      g.fillStyle = targets[i] ? P.err : P.fg; g.textAlign = "right"; g.textBaseline = "middle";
      g.fillText((targets[i] ? "✓ " : "") + classes[i], x0 + labelW - 5, y + rowH / 2);
      g.fillStyle = P.fg; g.textAlign = "left";
      g.fillText(v.toFixed(3), x0 + labelW + bw + 4, y + rowH / 2);
    });
    if (opts.refLine !== undefined) {
      const xx = x0 + labelW + bw * opts.refLine;
      g.setLineDash([5, 4]); g.strokeStyle = P.muted; g.lineWidth = 1.5;
      g.beginPath(); g.moveTo(xx, top - 4); g.lineTo(xx, top + rowH * n); g.stroke(); g.setLineDash([]);
    }
  }

  function draw(canvas, st, res, data, api) {
    const w = canvas.clientWidth || 600, small = w < 560;
    const h = small ? 356 : 230, dpr = window.devicePixelRatio || 1;
    canvas.style.height = h + "px";
    canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
    const g = canvas.getContext("2d"), P = palette(api);
    g.setTransform(dpr, 0, 0, dpr, 0, 0); g.clearRect(0, 0, w, h);
    if (!res || res.error) return;
    const tg = st.targets, cls = data.classes;
    const opts = {small, refLine: st.two ? 1 / res.n_true : undefined};
    if (small) {
      bars(g, 4, 4, w - 8, 170, "softmax: the five share 1", res.softmax, cls, tg, P.cat(0), P, opts);
      bars(g, 4, 182, w - 8, 170, "sigmoid: each on its own", res.sigmoid, cls, tg, P.cat(1), P, {small});
    } else {
      const half = (w - 24) / 2;
      bars(g, 4, 4, half, h - 8, "softmax: the five share 1", res.softmax, cls, tg, P.cat(0), P, opts);
      bars(g, half + 20, 4, half, h - 8, "sigmoid: each on its own", res.sigmoid, cls, tg, P.cat(1), P, {small});
    }
  }

  function mount(el, data, api) {
    const E = api.el;
    if (!data) { api.message(el, "No softmax data in this build (VIZ_DATA.softmax is missing)."); return {}; }
    const st = {logits: data.logits.slice(), temperature: 1, two: false, trueClass: data.true_class};
    const [lo, hi] = data.logit_range;
    const sliders = data.classes.map((c, i) => api.slider({digits: 2, label: `${c} logit`, min: lo, max: hi, step: 0.01,
      value: +st.logits[i].toFixed(2), oninput: v => { st.logits[i] = v; redraw(); }}));
    const temp = api.slider({digits: 2, label: "temperature T", min: 0.1, max: 5, step: 0.05, value: 1,
      oninput: v => { st.temperature = v; redraw(); }});
    const trueSel = E("select", {"aria-label": "true class"}, ...data.classes.map((c, i) => E("option", {value: i}, c)));
    trueSel.value = String(st.trueClass);
    const two = E("input", {type: "checkbox"});
    const multiNames = data.classes.filter((c, i) => data.multi_actuals[i]).join(" and ");
    const reset = E("button", {type: "button"}, "the sheet's logits");
    const best = E("button", {type: "button", hidden: true}, "both true labels high (6), the rest low (−6)");
    const canvas = E("canvas", {role: "img", style: {width: "100%", display: "block"},
      "aria-label": "softmax and sigmoid bars for the five classes"});
    const loss = E("p", {class: "viz-formula", "aria-live": "polite"});
    const note = E("p", {class: "viz-muted"});
    const msg = E("p", {class: "viz-message", role: "alert"});
    el.append(E("p", {class: "viz-intro"},
      "Softmax turns the five outputs into probabilities that add up to 1, so it wants to pick one class; " +
      "a sigmoid per class judges each label on its own (multi-label, like the planet competition). " +
      "Both see logit / T. Logs are natural (ln); the spreadsheet's LOG is base 10."),
    E("div", {class: "viz-row"},
      E("label", {}, "true class ", trueSel),
      E("label", {}, two, ` two labels are true (${multiNames})`), reset, best,
      E("span", {class: "viz-muted"}, "✓ and the outline mark the true label(s)")),
    canvas, loss, note,
    E("div", {class: "viz-controls", style: {display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(17rem, 1fr))", gap: "0 1.4rem", alignItems: "center"}},
      ...sliders.map(s => s.root), temp.root),
    msg);
    let res = null;
    function targets() {
      return st.two ? data.multi_actuals.slice() : data.classes.map((c, i) => (i === st.trueClass ? 1 : 0));
    }
    function redraw() {
      st.targets = targets();
      trueSel.disabled = st.two;
      best.hidden = !st.two;
      res = compute({logits: st.logits, temperature: st.temperature, targets: st.targets});
      if (res.error) { msg.textContent = res.error; return; }
      msg.textContent = "";
      const names = data.classes.filter((c, i) => st.targets[i]);
      const sumSig = res.sigmoid.reduce((a, b) => a + b, 0);
      if (st.two) {
        loss.textContent = `cross-entropy = −ln p(${names[0]}) − ln p(${names[1]}) = ${res.ce.toFixed(4)} ` +
          `(lowest possible: 2 ln 2 = ${(2 * Math.LN2).toFixed(4)}, at 0.5 each)   ·   ` +
          `binary cross-entropy (mean of 5) = ${res.bce.toFixed(4)} (can go to 0)`;
        const f = data.fit, at = i => data.classes.indexOf(names[i]);
        note.textContent = `Two labels are true: the best softmax can do is 0.5 each (dashed line), ` +
          `because its outputs must add up to 1; sigmoids can give both close to 1. Trained by torch, ${f.steps} ` +
          `gradient steps (lr ${f.lr}) from the sheet's logits: softmax ${names.map((n, i) => `${n} ${f.softmax[at(i)].toFixed(3)}`).join(", ")}; ` +
          `sigmoid ${names.map((n, i) => `${n} ${f.sigmoid[at(i)].toFixed(3)}`).join(", ")}.`;
      } else {
        loss.textContent = `cross-entropy = −ln p(${names[0]}) = ${res.ce.toFixed(4)}   ·   ` +
          `binary cross-entropy of the sigmoids (mean of 5) = ${res.bce.toFixed(4)}`;
        note.textContent = `softmax adds up to ${res.softmax.reduce((a, b) => a + b, 0).toFixed(3)}; ` +
          `the sigmoids add up to ${sumSig.toFixed(3)} (no rule). Raise one logit: the other softmax bars shrink, ` +
          `the other sigmoids stay.` + (st.temperature !== 1 ? ` T = ${st.temperature}: T > 1 flattens softmax, T < 1 sharpens it.` : "");
      }
      draw(canvas, st, res, data, api);
    }
    trueSel.addEventListener("change", () => { st.trueClass = +trueSel.value; redraw(); });
    two.addEventListener("change", () => { st.two = two.checked; redraw(); });
    reset.addEventListener("click", () => {
      st.logits = data.logits.slice(); st.temperature = 1;
      sliders.forEach((s, i) => s.set(+st.logits[i].toFixed(2))); temp.set(1); redraw();
    });
    best.addEventListener("click", () => {
      st.logits = data.multi_actuals.map(t => (t ? 6 : -6));
      sliders.forEach((s, i) => s.set(st.logits[i])); redraw();
    });
    new ResizeObserver(() => res && draw(canvas, st, res, data, api)).observe(canvas);
    redraw();
    window.vizTest = window.vizTest || {};
    window.vizTest.softmax = {
      compute,
      state: () => ({logits: st.logits.slice(), temperature: st.temperature, two: st.two,
        targets: st.targets.slice(), softmax: res.softmax, sigmoid: res.sigmoid, ce: res.ce, bce: res.bce}),
      set(o) {
        if (o.logits) { st.logits = o.logits.slice(); sliders.forEach((s, i) => s.set(st.logits[i])); }
        if (o.temperature !== undefined) { st.temperature = o.temperature; temp.set(o.temperature); }
        if (o.two !== undefined) { st.two = !!o.two; two.checked = st.two; }
        if (o.true_class !== undefined) { st.trueClass = o.true_class; trueSel.value = String(o.true_class); }
        redraw();
      },
    };
    return {redraw};
  }

  window.VizExplorer.register({id: "softmax", title: "4. Softmax vs sigmoid", mount});
})();
