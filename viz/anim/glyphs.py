"""Fast text for big grids of numbers.

Building a Manim ``Text`` costs ~7 ms (Pango), so a 28x28 grid of ``Text`` takes ~6 s
before a frame is drawn. Here each distinct string is shaped by Pango once; every later
use is a plain ``VMobject`` whose points are the cached outline, scaled and shifted
(~0.07 ms). The result looks exactly like ``Text`` of the same font and size.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from manim import Text, VMobject

#: Pinned so that frames are the same on every machine that has DejaVu (Debian's default).
FONT = "DejaVu Sans"
_REF_SIZE = 48.0


@lru_cache(maxsize=4096)
def _outline(text: str, font: str, weight: str) -> np.ndarray:
    t = Text(text, font=font, font_size=_REF_SIZE, weight=weight)
    pts = [m.points for m in t.family_members_with_points()]
    if not pts:
        return np.zeros((0, 3))
    arr = np.concatenate(pts)
    arr = arr - (arr.min(axis=0) + arr.max(axis=0)) / 2   # centre on the origin
    arr.flags.writeable = False
    return arr


def glyph(text: str, *, font_size: float = 24, color="#FFFFFF", font: str = FONT,
          weight: str = "NORMAL", center=None) -> VMobject:
    """A filled outline of ``text``, centred on ``center`` (the origin), like ``Text(text)``."""
    v = VMobject(fill_color=color, fill_opacity=1.0, stroke_width=0)
    pts = _outline(text, font, weight)
    if len(pts):
        v.points = pts * (font_size / _REF_SIZE) + (0 if center is None else np.asarray(center))
    return v


def fit_font_size(texts, width: float, height: float, *, font: str = FONT,
                  max_font_size: float = 48) -> float:
    """The largest font size at which every string fits in ``width x height`` units."""
    size = max_font_size
    for t in set(texts):
        pts = _outline(t, font, "NORMAL")
        if not len(pts):
            continue
        w, h = np.ptp(pts[:, 0]), np.ptp(pts[:, 1])
        size = min(size, _REF_SIZE * width / max(w, 1e-9), _REF_SIZE * height / max(h, 1e-9))
    return size
