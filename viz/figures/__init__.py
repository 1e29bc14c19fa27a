"""matplotlib/seaborn figures drawn from core result objects.

Functions follow seaborn's habits: the data (a core result or plain arrays) first,
everything else keyword-only, ``ax=None`` (a fresh constrained-layout Axes when
omitted), and they return the Axes (figure-level functions return the Figure). They
never call ``plt.show()``, save files, or change global rcParams: open a theme with
``with viz.figures.theme("dark"):`` around the call instead.
"""
from ._style import (DIVERGING_CMAP, PALETTE, SEQUENTIAL_CMAP, annotate_cells, cell_texts, new_axes,
                     theme)

__all__ = ["DIVERGING_CMAP", "PALETTE", "SEQUENTIAL_CMAP", "annotate_cells", "cell_texts", "new_axes",
           "theme"]
