"""Build and render a 28x28 number-grid scene (a 3x3 kernel window moving over it) two ways.

* toolkit: ``viz.anim.NumberGrid`` (each distinct number shaped once by Pango, then reused
  as plain outlines; the grid stays one mobject that the window moves over) in a
  ``viz.anim.Scene`` (its renderer redraws per frame only the tiles the window touches);
* naive: one ``Text`` per cell, built each time, placed in a ``VGroup``, in a plain
  ``manim.Scene``.

Both render the same frames (same layout, same font, same window path) at low quality with
caching off. Prints both times and the ratio (goal: toolkit >= 10x faster).

    python benchmarks/bench_number_grid.py [--repeat 3]
"""
import argparse
import gc
import statistics
import tempfile
import time

import numpy as np
from manim import (YELLOW, Rectangle, Scene, Square, Text, VGroup, tempconfig)

from viz.anim import FONT, NumberGrid, format_number
from viz.anim import Scene as ToolkitScene
from viz.anim.colors import scale_colors, text_color_for
from viz.anim.glyphs import _outline
from viz.core.spreadsheet import load_conv_example

VALUES = np.array(load_conv_example().input)
CELL = 0.25
MOVES = [(8, c) for c in range(0, 12)]


def naive_grid(values):
    colors = scale_colors(values, vmin=0, vmax=1)
    cells = VGroup()
    size = None
    for k, (v, col) in enumerate(zip(values.ravel(), colors)):
        r, c = divmod(k, values.shape[1])
        sq = Square(CELL, fill_color=col, fill_opacity=1, stroke_width=0.5, stroke_color="#888888")
        sq.move_to([c * CELL, -r * CELL, 0])
        t = Text(format_number(v), font=FONT, font_size=size or 7.5, color=text_color_for(col))
        cells.add(VGroup(sq, t.move_to(sq)))
    return cells.center()


def window_for(grid_center, shape, row, col):
    rows, cols = shape
    tl = grid_center + np.array([-cols * CELL / 2, rows * CELL / 2, 0])
    rect = Rectangle(width=3 * CELL, height=3 * CELL, color=YELLOW, stroke_width=4)
    return rect.move_to(tl + np.array([(col + 1.5) * CELL, -(row + 1.5) * CELL, 0]))


class _GridScene:
    """The same storyboard for both: a grid, and a 3x3 window moved along row 8."""

    def make_grid(self):
        raise NotImplementedError

    def construct(self):
        grid = self.make_grid()
        self.add(grid)
        win = window_for(grid.get_center(), VALUES.shape, *MOVES[0])
        self.add(win)
        for r, c in MOVES[1:]:
            self.play(win.animate.move_to(window_for(grid.get_center(), VALUES.shape, r, c)), run_time=0.3)


class ToolkitGrid(_GridScene, ToolkitScene):
    def make_grid(self):
        return NumberGrid(VALUES, cell_size=CELL, vmin=0, vmax=1, font_size=7.5)


class NaiveGrid(_GridScene, Scene):
    def make_grid(self):
        return naive_grid(VALUES)


def timed(scene_cls):
    _outline.cache_clear()   # the toolkit pays for its glyph cache every run, too
    gc.collect()             # neither run pays for freeing the other's mobjects
    with tempfile.TemporaryDirectory() as media, tempconfig(
            {"quality": "low_quality", "disable_caching": True, "media_dir": media,
             "progress_bar": "none", "verbosity": "ERROR", "format": "png",
             "save_last_frame": False, "write_to_movie": True}):
        t = time.perf_counter()
        scene = scene_cls()
        scene.render()
        elapsed = time.perf_counter() - t
        frame = scene.renderer.get_frame()
    return elapsed, frame


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    tk, nv = [], []
    for _ in range(args.repeat):
        t1, f1 = timed(ToolkitGrid)
        t2, f2 = timed(NaiveGrid)
        tk.append(t1)
        nv.append(t2)
    diff = np.abs(f1.astype(int) - f2.astype(int))
    print(f"28x28 grid, {len(MOVES) - 1} window moves, low quality, caching off, {args.repeat} runs (median)")
    print(f"  toolkit NumberGrid : {statistics.median(tk):6.2f} s")
    print(f"  naive Text per cell: {statistics.median(nv):6.2f} s")
    print(f"  ratio naive/toolkit: {statistics.median(nv) / statistics.median(tk):6.2f}x  (goal >= 10x)")
    pairs = sorted(n / t for n, t in zip(nv, tk))
    print(f"  run by run         : {pairs[0]:.1f}x .. {pairs[-1]:.1f}x (each naive run / the toolkit "
          "run before it)")
    print(f"  last frames differ in {np.mean(diff.max(axis=2) > 32) * 100:.2f} % of pixels "
          f"(max channel difference {diff.max()})")


if __name__ == "__main__":
    main()
