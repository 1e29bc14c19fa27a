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


def conv_example_figure(trace, *, figsize=(20, 8.5), annotate=True, fig=None):
    """Draw the whole spreadsheet: input, kernels, conv1, conv2, max-pool, dense.

    Parameters
    ----------
    trace : viz.core.spreadsheet.ConvExampleTrace
        Every layer's values (from ``trace_conv_example()`` or ``..._numpy()``).
    figsize : (float, float)
        Inches; numbers are written in the cells wherever they fit at this size.
    annotate : bool
        Write the numbers in the cells.

    Returns
    -------
    matplotlib.figure.Figure
    """
    p = trace.params
    fig = fig or plt.figure(figsize=figsize, layout="constrained")
    outer = fig.add_gridspec(2, 9, width_ratios=[28, 5, 26, 9, 24, 5, 12, 12, 7],
                             wspace=0.02, hspace=0.06)
    muted = plt.rcParams["text.color"]
    grids = []   # (ax, values, fmt) to annotate once the layout is final

    def grid(spec, values, title, fmt="{:.1f}", cmap=DIVERGING_CMAP):
        ax = fig.add_subplot(spec)
        heatmap_grid(values, ax=ax, title=title, annotate=False, cmap=cmap)
        grids.append((ax, values, fmt))
        return ax

    ax_in = grid(outer[:, 0], p.input, "input: a 28×28 \"7\"")
    k1 = [grid(outer[r, 1], p.conv1[r], name, fmt="{:.2g}")
          for r, name in enumerate(["top edge", "left edge"])]
    c1 = [grid(outer[r, 2], trace.conv1[r], f"conv1 ch {r + 1}  (26×26)\nMAX(0, SUM(patch×kernel))")
          for r in range(2)]
    k2 = []
    for r in range(2):
        sub = outer[r, 3].subgridspec(1, 2, wspace=0.08)
        a = grid(sub[0], p.conv2[r, 0], f"filter {r + 1}: ch 1", fmt="{:.2f}")
        b = grid(sub[1], p.conv2[r, 1], "ch 2", fmt="{:.2f}")
        k2.append((a, b))
    c2 = [grid(outer[r, 4], trace.conv2[r], f"conv2 ch {r + 1}  (24×24)\nMAX(0, SUM over both channels)")
          for r in range(2)]
    pl = [grid(outer[r, 6], trace.pool[r], f"max-pool ch {r + 1}\n(12×12)") for r in range(2)]
    dw = [grid(outer[r, 7], p.dense[r], f"dense weights ch {r + 1}\n(12×12)", fmt="{:.2f}")
          for r in range(2)]
    ax_out = fig.add_subplot(outer[:, 8])
    ax_out.axis("off")
    ax_out.text(0.5, 0.5, f"dense\nactivation\n\n{trace.dense:.4f}", ha="center", va="center",
                fontsize=14, fontweight="bold", transform=ax_out.transAxes,
                bbox=dict(boxstyle="round,pad=0.6", fc="none", ec=muted))
    ax_out.text(0.5, 0.25, "SUMPRODUCT(weights, pool)\nover both channels\n(no ReLU on the last layer)",
                ha="center", va="top", fontsize=9, transform=ax_out.transAxes)

    # Arrows: the data flow, left to right.
    for r in range(2):
        _arrow(fig, ax_in, k1[r], y_from=0.75 - 0.5 * r)
        _arrow(fig, k1[r], c1[r])
        for o in range(2):   # every conv2 filter reads both conv1 channels
            _arrow(fig, c1[r], k2[o][0], lw=1.0 if r == o else 0.7, alpha=1.0 if r == o else 0.6)
        _arrow(fig, k2[r][1], c2[r])
        _arrow(fig, c2[r], pl[r])
        _arrow(fig, dw[r], ax_out, y_to=0.6 - 0.2 * r)
    fig.text(0.555, 0.5, "max-pool\n2×2", ha="center", va="center", fontsize=10)
    fig.suptitle("The conv-example spreadsheet (fast.ai lesson 3), recomputed in torch: "
                 f"dense = {trace.dense:.7f}", fontsize=15)
    if annotate:
        fig.draw_without_rendering()
        for ax, values, fmt in grids:
            norm = CenteredNorm(halfrange=float(np.max(np.abs(values))) or 1.0)
            annotate_cells(ax, values, fmt=fmt, cmap=plt.get_cmap(DIVERGING_CMAP), norm=norm,
                           min_fontsize=3.5, layout=False)
    return fig
