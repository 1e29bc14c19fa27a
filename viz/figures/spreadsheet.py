"""The conv-example spreadsheet as one slide: every layer a heatmap of its numbers.

Lesson 3 of fast.ai 2018 (``fastai-lessons.md`` section 6). Takes the result of
:func:`viz.core.spreadsheet.trace_conv_example`.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import CenteredNorm
from matplotlib.patches import ConnectionPatch

from ._style import DIVERGING_CMAP, annotate_cells
from .grids import heatmap_grid


def _arrow(fig, ax_from, ax_to, *, y_from=0.5, y_to=0.5, color="#666666", lw=1.2, alpha=1.0):
    arrow = ConnectionPatch(xyA=(1.0, y_from), coordsA=ax_from.transAxes,
                            xyB=(0.0, y_to), coordsB=ax_to.transAxes, arrowstyle="-|>",
                            color=color, lw=lw, alpha=alpha, mutation_scale=12, shrinkA=3, shrinkB=3)
    fig.add_artist(arrow)
    return arrow


def conv_example_figure(trace, *, figsize=(22, 8.5), annotate=True):
    """Draw the whole spreadsheet: input, kernels, conv1, conv2, max-pool, dense.

    Every layer is a heatmap of its numbers (diverging colours: red positive, blue
    negative), each layer's kernels sit between the layer they read and the layer they
    make, arrows show the data flow.

    Parameters
    ----------
    trace : viz.core.spreadsheet.ConvExampleTrace
        Every layer's values (from ``trace_conv_example()`` or ``..._numpy()``).
    figsize : (float, float)
        Inches. The layout is fixed in proportion, so any size keeps it; numbers are
        written in the cells wherever they fit.
    annotate : bool
        Write the numbers in the cells.

    Returns
    -------
    matplotlib.figure.Figure
    """
    p = trace.params
    W, H = 22.0, 8.5                      # the layout below is drawn in these "inches"
    fig = plt.figure(figsize=figsize)
    grids = []   # (ax, values, fmt) to annotate once every Axes is placed

    def grid(x, y, size, values, title, fmt="{:.1f}"):
        """An Axes of ``size`` x ``size`` layout-inches, bottom-left corner at (x, y)."""
        ax = fig.add_axes([x / W, y / H, size / W, size / H])
        heatmap_grid(values, ax=ax, title=title, annotate=False, cmap=DIVERGING_CMAP)
        ax.set_aspect("auto")
        ax.title.set_fontsize(11)
        grids.append((ax, values, fmt))
        return ax

    rows_y = (4.15, 0.3)                  # bottom of the top row and of the bottom row
    ax_in = grid(0.3, 1.6, 4.8, p.input, 'input: a 28×28 "7"')
    k1 = [grid(5.6, rows_y[r] + 1.25, 0.9, p.conv1[r], name, fmt="{:.2g}")
          for r, name in enumerate(["filter 1/1\ntop edge", "filter 2/1\nleft edge"])]
    c1 = [grid(7.0, rows_y[r], 3.4, trace.conv1[r],
               f"conv1 ch {r + 1} (26×26)\nMAX(0, SUM(patch × kernel))") for r in range(2)]
    k2 = [(grid(10.95, rows_y[r] + 1.2, 0.8, p.conv2[r, 0], f"filter {r + 1}/2:\n× ch 1", fmt="{:.2f}"),
           grid(11.9, rows_y[r] + 1.2, 0.8, p.conv2[r, 1], "\n× ch 2", fmt="{:.2f}")) for r in range(2)]
    c2 = [grid(13.15, rows_y[r] + 0.1, 3.2, trace.conv2[r],
               f"conv2 ch {r + 1} (24×24)\nMAX(0, sum over both channels)") for r in range(2)]
    pl = [grid(16.95, rows_y[r] + 0.9, 1.6, trace.pool[r], f"max-pool 2×2\nch {r + 1} (12×12)")
          for r in range(2)]
    dw = [grid(18.85, rows_y[r] + 0.9, 1.6, p.dense[r], f"dense weights\nch {r + 1} (12×12)", fmt="{:.2f}")
          for r in range(2)]
    ax_out = fig.add_axes([20.55 / W, 2.0 / H, 1.35 / W, 4.5 / H])
    ax_out.axis("off")
    ax_out.text(0.5, 0.62, f"dense\nactivation\n\n{trace.dense:.4f}", ha="center", va="center",
                fontsize=14, fontweight="bold", transform=ax_out.transAxes,
                bbox=dict(boxstyle="round,pad=0.5", fc="none", ec=plt.rcParams["text.color"]))
    ax_out.text(0.5, 0.3, "SUMPRODUCT of\nweights and pool,\nboth channels\n(no ReLU on the\nlast layer)",
                ha="center", va="top", fontsize=9.5, transform=ax_out.transAxes)

    for r in range(2):
        _arrow(fig, ax_in, k1[r], y_from=0.75 - 0.5 * r)
        _arrow(fig, k1[r], c1[r])
        for o in range(2):   # every conv2 filter reads both conv1 channels
            _arrow(fig, c1[r], k2[o][0], lw=1.2 if r == o else 0.8, alpha=1.0 if r == o else 0.55)
        _arrow(fig, k2[r][1], c2[r])
        _arrow(fig, c2[r], pl[r])
        fig.text(18.7 / W, (rows_y[r] + 1.7) / H, "×", ha="center", va="center", fontsize=18)
        _arrow(fig, dw[r], ax_out, y_to=0.66 - 0.08 * r)
    fig.suptitle("The conv-example spreadsheet (fast.ai lesson 3), recomputed in torch: "
                 f"dense = {trace.dense:.7f}", fontsize=15, y=0.995)
    if annotate:
        for ax, values, fmt in grids:
            norm = CenteredNorm(halfrange=float(np.max(np.abs(values))) or 1.0)
            annotate_cells(ax, values, fmt=fmt, cmap=plt.get_cmap(DIVERGING_CMAP), norm=norm,
                           min_fontsize=3.5, layout=False)
    return fig
