"""Colour scales shared by figures and Manim blocks (numpy only: no matplotlib, no Manim).

Palettes are colour-blind safe: the diverging scale runs blue -> near-white -> orange-red
(ColorBrewer RdBu ends), the sequential one near-white -> dark blue. Otavio Good's
green/red is offered as ``GREEN_RED`` for the lesson that calls for it; its green is a
blue-green and its red a magenta-red so that they stay apart for red-green colour
blindness.
"""
from __future__ import annotations

import numpy as np

DIVERGING = ("#2166AC", "#F7F7F7", "#B2182B")   # negative, zero, positive
SEQUENTIAL = ("#FFFFFF", "#08306B")              # low, high
GREEN_RED = ("#C51B7D", "#F7F7F7", "#1B9E77")   # negative (red-magenta), zero, positive (green)
#: seaborn's "colorblind" cycle (the figures' default), as hex, for code that must not
#: import seaborn (core data exports, the web explorer); a test keeps it equal to seaborn's.
CATEGORICAL = ("#0173B2", "#DE8F05", "#029E73", "#D55E00", "#CC78BC", "#CA9161", "#FBAFE4",
               "#949494", "#ECE133", "#56B4E9")


def _rgb(hex_color: str) -> np.ndarray:
    h = hex_color.lstrip("#")
    return np.array([int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)])


def scale_colors(values, *, palette=None, vmin=None, vmax=None) -> list[str]:
    """Map values to hex colours.

    A 3-colour palette is diverging and centred on 0 (limits symmetric); a 2-colour
    palette is sequential between ``vmin`` and ``vmax`` (data limits by default).
    """
    v = np.asarray(values, dtype=float).ravel()
    if np.isnan(v).any():
        raise ValueError(f"scale_colors got NaN at index {int(np.flatnonzero(np.isnan(v))[0])}")
    low = vmin if vmin is not None else np.nanmin(v, initial=0)
    pal = [_rgb(c) for c in (palette or (DIVERGING if low < 0 else SEQUENTIAL))]
    if len(pal) == 3:
        m = max(abs(vmin if vmin is not None else np.nanmin(v, initial=0)),
                abs(vmax if vmax is not None else np.nanmax(v, initial=0))) or 1.0
        t = np.clip(v / m, -1, 1)[:, None]
        out = np.where(t >= 0, pal[1] + (pal[2] - pal[1]) * t, pal[1] + (pal[0] - pal[1]) * -t)
    elif len(pal) == 2:
        lo = vmin if vmin is not None else np.nanmin(v, initial=0)
        hi = vmax if vmax is not None else np.nanmax(v, initial=1)
        t = np.clip((v - lo) / ((hi - lo) or 1.0), 0, 1)[:, None]
        out = pal[0] + (pal[1] - pal[0]) * t
    else:
        raise ValueError(f"palette must have 2 or 3 colours, got {len(pal)}")
    # all cells at once (a 28x28 grid: 784 colours), rounded half to even as round() does
    codes = np.round(np.clip(out, 0, 1) * 255).astype(int).tolist()
    return ["#%02X%02X%02X" % tuple(c) for c in codes]


def text_color_for(background: str) -> str:
    """Black or white, whichever reads better on ``background``."""
    r, g, b = _rgb(background)
    return "#000000" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.55 else "#FFFFFF"
