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
    """Write each value in its heatmap cell if the text fits; return the artist.

    The font size follows the cell's size on the page: it is fixed when the figure is
    drawn (after its layout), ``min(max_fontsize, 0.55 cell height, cell width / (0.62
    × longest number))`` points; when even ``min_fontsize`` does not fit, no numbers are
    drawn and the colours carry the values. Text is black or white, whichever reads on
    the cell's colour. ``layout`` is accepted for compatibility; no layout pass is
    needed any more (the size is chosen at draw time).

    All numbers of the grid are one :class:`viz.figures._cells.CellNumbers` artist
    (``.get_texts()`` lists the strings), drawn like one ``ax.text`` per cell but
    without thousands of ``Text`` artists; :func:`cell_texts` lists the numbers an
    Axes shows.
    """
    from ._cells import CellNumbers

    del layout
    values = np.asarray(values, dtype=float)
    rows, cols = values.shape
    flat = values.ravel()
    strings = [fmt.format(v) for v in flat]
    longest = max(len(s) for s in strings)
    keep = np.ones(flat.size, bool) if not skip_zeros else flat != 0
    strings = [s[1:] if s.startswith("-") and float(s) == 0 else s
               for s, k in zip(strings, keep) if k]
    if cmap is not None and norm is not None:
        rgb = np.asarray(plt.get_cmap(cmap)(norm(flat[keep])))[:, :3]
        light = 0.2126 * rgb[:, 0] + 0.7152 * rgb[:, 1] + 0.0722 * rgb[:, 2] > 0.5
        colors = ["black" if b else "white" for b in light]
    else:
        colors = ["black"] * len(strings)
    rr, cc = np.divmod(np.flatnonzero(keep), cols)
    artist = CellNumbers(cc, rr, strings, colors,
                         fit=(rows, cols, longest, min_fontsize, max_fontsize))
    ax.add_artist(artist)
    return artist


def cell_texts(ax) -> list[str]:
    """The numbers :func:`annotate_cells` shows in ``ax`` once laid out (empty if none fit)."""
    from ._cells import CellNumbers

    artists = [a for a in ax.get_children() if isinstance(a, CellNumbers)]
    if not artists:
        return []
    fig = ax.get_figure(root=True)
    fig.draw_without_rendering()          # the layout decides whether the numbers fit
    renderer = fig.canvas.get_renderer()
    return [s for a in artists if a.fontsize_for(renderer) is not None for s in a.get_texts()]
