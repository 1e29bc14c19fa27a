"""Themes, palettes and the annotated-heatmap helper shared by all figures."""
from __future__ import annotations

import contextlib

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

#: Colour-blind-safe choices (seaborn's "colorblind" palette, ColorBrewer maps).
PALETTE = "colorblind"
DIVERGING_CMAP = "RdBu_r"      # blue negative, white zero, red positive
SEQUENTIAL_CMAP = "Blues"

_THEMES = {
    "light": {"figure.facecolor": "white", "axes.facecolor": "white", "savefig.facecolor": "white",
              "text.color": "#222222", "axes.labelcolor": "#222222", "axes.edgecolor": "#444444",
              "xtick.color": "#333333", "ytick.color": "#333333", "grid.color": "#DDDDDD"},
    "dark": {"figure.facecolor": "#111418", "axes.facecolor": "#111418", "savefig.facecolor": "#111418",
             "text.color": "#EEEEEE", "axes.labelcolor": "#EEEEEE", "axes.edgecolor": "#BBBBBB",
             "xtick.color": "#DDDDDD", "ytick.color": "#DDDDDD", "grid.color": "#333840",
             "legend.facecolor": "#1B1F24", "legend.edgecolor": "#555555"},
}
THEMES = tuple(_THEMES)


@contextlib.contextmanager
def theme(name: str = "light"):
    """Context manager: slide-ready defaults (sizes, colour-blind palette), light or dark.

    >>> with theme("dark"):
    ...     pass
    """
    if name not in _THEMES:
        raise ValueError(f"unknown theme {name!r} (choose from {', '.join(_THEMES)})")
    import seaborn as sns

    rc = {"font.size": 11, "axes.titlesize": 13, "axes.labelsize": 11, "legend.fontsize": 10,
          "figure.dpi": 100, "savefig.dpi": 150, "axes.spines.top": False,
          "axes.spines.right": False, "svg.fonttype": "none", "pdf.fonttype": 42}
    rc.update(_THEMES[name])
    with plt.rc_context(rc):
        colors = sns.color_palette(PALETTE)
        with plt.rc_context({"axes.prop_cycle": matplotlib.cycler(color=colors)}):
            yield name


def new_axes(ax=None, figsize=(6.4, 4.2)):
    """``ax`` if given, else a fresh Axes on a new constrained-layout figure."""
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def annotate_cells(ax, values, *, fmt="{:.1f}", cmap=None, norm=None, min_fontsize=4.5,
                   max_fontsize=10, skip_zeros=False, layout=True):
    """Write each value in its heatmap cell if the text fits; return the Text artists.

    The font size follows the cell's size on the page (the figure is laid out first);
    when even ``min_fontsize`` does not fit, no numbers are written and the colours
    carry the values. Text is black or white, whichever reads on the cell's colour.
    Pass ``layout=False`` when the figure was already laid out (annotating many Axes).
    """
    values = np.asarray(values, dtype=float)
    fig = ax.get_figure(root=True)     # the root figure, also for Axes in a SubFigure
    if layout:
        fig.draw_without_rendering()
    bbox = ax.get_window_extent()
    rows, cols = values.shape
    cell_w_pt = bbox.width / cols * 72 / fig.dpi
    cell_h_pt = bbox.height / rows * 72 / fig.dpi
    longest = max(len(fmt.format(v)) for v in values.ravel())
    size = min(max_fontsize, cell_h_pt * 0.55, cell_w_pt / (0.62 * longest))
    if size < min_fontsize:
        return []
    cmap = plt.get_cmap(cmap) if cmap is not None else None
    texts = []
    for (r, c), v in np.ndenumerate(values):
        if skip_zeros and v == 0:
            continue
        color = "black"
        if cmap is not None and norm is not None:
            rr, gg, bb, _ = cmap(norm(v))
            color = "black" if 0.2126 * rr + 0.7152 * gg + 0.0722 * bb > 0.5 else "white"
        s = fmt.format(v)
        if s.startswith("-") and float(s) == 0:
            s = s[1:]
        texts.append(ax.text(c, r, s, ha="center", va="center", fontsize=size, color=color))
    return texts
