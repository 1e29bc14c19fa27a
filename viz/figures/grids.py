"""Axes-level heatmap of a 2-D array with its numbers written in (where they fit)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import CenteredNorm, Normalize

from ._style import DIVERGING_CMAP, annotate_cells, new_axes


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
    if center is not None and vmin is None and vmax is None:
        norm = CenteredNorm(vcenter=center, halfrange=float(np.max(np.abs(values - center))) or 1.0)
    else:
        norm = Normalize(vmin=values.min() if vmin is None else vmin,
                         vmax=values.max() if vmax is None else vmax)
    ax.imshow(values, cmap=cmap, norm=norm, interpolation="nearest", **kwargs)
    rows, cols = values.shape
    ax.set_xticks(np.arange(-0.5, cols, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, rows, 1), minor=True)
    ax.grid(which="minor", color="#999999", linewidth=0.3 if max(rows, cols) > 8 else 0.8)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_linewidth(0.6)
    if title:
        ax.set_title(title)
    if annotate:
        annotate_cells(ax, values, fmt=fmt, cmap=plt.get_cmap(cmap), norm=norm,
                       min_fontsize=min_fontsize, max_fontsize=max_fontsize)
    return ax
