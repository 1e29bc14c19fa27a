"""Axes-level heatmap of a 2-D array with its numbers written in (where they fit)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import CenteredNorm, Normalize
from matplotlib.layout_engine import ConstrainedLayoutEngine

from ._style import DIVERGING_CMAP, annotate_cells, new_axes


class SettledConstrainedLayout(ConstrainedLayoutEngine):
    """Constrained layout, repeated in one draw until the Axes stop moving.

    Heatmaps are fixed-aspect Axes (square cells); matplotlib's constrained layout moves
    them a little on every pass, and a single pass can leave a title cut off at the
    figure's edge. This engine repeats the pass until no Axes moves by more than
    ``tol_px`` pixels (at most ``max_passes`` times). :func:`heatmap_grid` installs it
    on constrained-layout figures; ``passes`` tells how many the last draw took.
    """

    def __init__(self, *, max_passes=6, tol_px=1.0, **kwargs):
        super().__init__(**kwargs)
        self.max_passes, self.tol_px, self.passes = max_passes, tol_px, 0

    @classmethod
    def install(cls, fig):
        """Replace ``fig``'s plain constrained layout by this one (same settings)."""
        engine = fig.get_layout_engine()
        if type(engine) is ConstrainedLayoutEngine:
            fig.set_layout_engine(cls(compress=getattr(engine, "_compress", False), **engine.get()))

    def execute(self, fig):
        def where():
            return np.array([ax.get_position(original=True).bounds for ax in fig.get_axes()])

        scale = np.tile(fig.get_size_inches() * fig.dpi, 2)
        last, info = where(), None
        for self.passes in range(1, self.max_passes + 1):
            info = super().execute(fig)
            now = where()
            if last.shape == now.shape and (np.abs(now - last) * scale).max(initial=0) <= self.tol_px:
                break
            last = now
        return info


def heatmap_grid(values, *, ax=None, title=None, fmt="{:.1f}", cmap=DIVERGING_CMAP,
                 center: float | None = 0.0, vmin=None, vmax=None, annotate=True,
                 min_fontsize=4.5, max_fontsize=10, **kwargs):
    """Draw ``values`` as a grid of coloured cells, one per array element.

    Parameters
    ----------
    values : array_like, shape (rows, cols)
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.
    fmt : str
        Format of the numbers written in the cells.
    cmap : str or Colormap
        Diverging by default (blue negative, white 0, red positive).
    center : float or None
        Centre of a diverging scale; ``None`` for a plain ``vmin..vmax`` scale.
    annotate : bool
        Write the numbers when they fit the cells.
    **kwargs
        Passed to ``Axes.imshow``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"heatmap_grid needs a 2-D array, got shape {values.shape}")
    ax = new_axes(ax)
    SettledConstrainedLayout.install(ax.get_figure(root=True))
    if center is not None and vmin is None and vmax is None:
        norm = CenteredNorm(vcenter=center, halfrange=float(np.max(np.abs(values - center))) or 1.0)
    else:
        norm = Normalize(vmin=values.min() if vmin is None else vmin,
                         vmax=values.max() if vmax is None else vmax)
    ax.imshow(values, cmap=cmap, norm=norm, interpolation="nearest", **kwargs)
    rows, cols = values.shape
    # Cell borders: one LineCollection where the gridlines of minor ticks at every cell
    # edge used to be (same place, colour and width), and no ticks at all: hundreds of
    # invisible ticks made every layout pass slow.
    ax.set_xticks([])
    ax.set_yticks([])
    xs, ys = np.arange(-0.5, cols, 1), np.arange(-0.5, rows, 1)
    segments = ([((x, -0.5), (x, rows - 0.5)) for x in xs]
                + [((-0.5, y), (cols - 0.5, y)) for y in ys])
    ax.add_collection(LineCollection(segments, colors="#999999", zorder=1.5,
                                     linewidths=0.3 if max(rows, cols) > 8 else 0.8),
                      autolim=False)
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_linewidth(0.6)
    if title:
        ax.set_title(title)
    if annotate:
        annotate_cells(ax, values, fmt=fmt, cmap=plt.get_cmap(cmap), norm=norm,
                       min_fontsize=min_fontsize, max_fontsize=max_fontsize)
    return ax
