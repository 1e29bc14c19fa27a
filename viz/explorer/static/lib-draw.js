/* Drawing on a small grid (the networks' input) with mouse, pen, touch or keyboard.
 *
 * VizExplorer.drawGrid(canvas, grid, opts) -> {erase(bool), cursor()}
 *   grid: {rows, cols, data: Float64Array} in 0..1, ink high; modified in place.
 *   opts: radius (cells, default 1: full ink within radius - 0.5, none beyond radius + 0.5),
 *         onchange() after every stamp, onend() when a stroke ends, redraw(cursor) to repaint.
 * Pointer events: left button / pen / touch draw; right button, the pen's eraser or the
 * eraser mode erase. Keyboard: arrows move a cursor, Space or Enter inks the cursor's cell,
 * Delete or Backspace erases it.
 */
(function () {
  "use strict";

  function segDist(px, py, ax, ay, bx, by) {
    var dx = bx - ax, dy = by - ay, L = dx * dx + dy * dy, t = 0;
    if (L > 0) t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / L));
    var x = ax + t * dx - px, y = ay + t * dy - py;
    return Math.sqrt(x * x + y * y);
  }

  /* Ink along the segment a -> b (in cell units, cell centres at +0.5). */
  function stamp(grid, ax, ay, bx, by, radius, erase) {
    var reach = radius + 0.5;
    var r0 = Math.max(0, Math.floor(Math.min(ay, by) - reach)), r1 = Math.min(grid.rows - 1, Math.ceil(Math.max(ay, by) + reach));
    var c0 = Math.max(0, Math.floor(Math.min(ax, bx) - reach)), c1 = Math.min(grid.cols - 1, Math.ceil(Math.max(ax, bx) + reach));
    var changed = false;
    for (var r = r0; r <= r1; r++) {
      for (var c = c0; c <= c1; c++) {
        var ink = Math.max(0, Math.min(1, reach - segDist(c + 0.5, r + 0.5, ax, ay, bx, by)));
        if (ink <= 0) continue;
        var i = r * grid.cols + c, v = grid.data[i];
        var nv = erase ? Math.min(v, 1 - ink) : Math.max(v, ink);
        if (nv !== v) { grid.data[i] = nv; changed = true; }
      }
    }
    return changed;
  }

  function drawGrid(canvas, grid, opts) {
    opts = opts || {};
    var radius = opts.radius || 1.0, eraseMode = false, active = null, last = null;
    var cur = {r: Math.floor(grid.rows / 2), c: Math.floor(grid.cols / 2), shown: false};
    canvas.tabIndex = 0;
    canvas.classList.add("viz-draw");
    canvas.setAttribute("role", "application");
    canvas.setAttribute("aria-roledescription", "drawing grid");

    function pos(ev) {
      var rect = canvas.getBoundingClientRect();
      return [(ev.clientX - rect.left) / rect.width * grid.cols, (ev.clientY - rect.top) / rect.height * grid.rows];
    }
    function changed() { if (opts.onchange) opts.onchange(); }
    function ended() { if (opts.onend) opts.onend(); }

    canvas.addEventListener("contextmenu", function (ev) { ev.preventDefault(); });
    canvas.addEventListener("pointerdown", function (ev) {
      if (ev.pointerType === "mouse" && ev.button !== 0 && ev.button !== 2) return;
      active = {id: ev.pointerId, erase: eraseMode || ev.button === 2 || (ev.buttons & 32) !== 0};
      try { canvas.setPointerCapture(ev.pointerId); } catch (e) { /* synthetic events */ }
      last = pos(ev);
      cur.shown = false;
      if (stamp(grid, last[0], last[1], last[0], last[1], radius, active.erase)) changed();
      ev.preventDefault();
    });
    canvas.addEventListener("pointermove", function (ev) {
      if (!active || ev.pointerId !== active.id) return;
      var evs = ev.getCoalescedEvents ? ev.getCoalescedEvents() : [];
      if (!evs.length) evs = [ev];
      var any = false;
      evs.forEach(function (e) {
        var p = pos(e);
        if (stamp(grid, last[0], last[1], p[0], p[1], radius, active.erase)) any = true;
        last = p;
      });
      if (any) changed();
      ev.preventDefault();
    });
    function stop(ev) {
      if (!active || ev.pointerId !== active.id) return;
      active = null; last = null;
      ended();
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("keydown", function (ev) {
      var moves = {ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1]};
      if (moves[ev.key]) {
        cur.r = Math.max(0, Math.min(grid.rows - 1, cur.r + moves[ev.key][0]));
        cur.c = Math.max(0, Math.min(grid.cols - 1, cur.c + moves[ev.key][1]));
        cur.shown = true;
        if (opts.redraw) opts.redraw();
      } else if (ev.key === " " || ev.key === "Enter" || ev.key === "Delete" || ev.key === "Backspace") {
        cur.shown = true;
        var er = ev.key === "Delete" || ev.key === "Backspace" || eraseMode;
        if (stamp(grid, cur.c + 0.5, cur.r + 0.5, cur.c + 0.5, cur.r + 0.5, radius, er)) changed();
        else if (opts.redraw) opts.redraw();
        ended();
      } else return;
      ev.preventDefault();
    });
    canvas.addEventListener("blur", function () { if (cur.shown) { cur.shown = false; if (opts.redraw) opts.redraw(); } });
    return {
      erase: function (on) { if (on !== undefined) eraseMode = !!on; return eraseMode; },
      cursor: function () { return cur.shown ? {r: cur.r, c: cur.c} : null; },
    };
  }

  window.VizExplorer = window.VizExplorer || {};
  window.VizExplorer.drawGrid = drawGrid;
  window.VizExplorer.stampInk = stamp;
})();
