"""``FeatureMap``: a layer's activations as a crisp picture, one square pixel per value.

Thousands of coloured ``Square``s are slow to build and to redraw every frame; a map
here is one ``VMobject`` per colour level, repainted in place while a scene plays (a
morph updates every layer's maps each frame). Colours: ``GREEN_RED`` around 0 for
activations (green positive, red negative), black-to-white for an input picture.
The block shows the arrays it is given; it computes nothing the lesson is about.
"""
from __future__ import annotations

import numpy as np
from manim import LEFT, UP, YELLOW, Rectangle, VGroup, VMobject

from viz.colors import GREEN_RED, _rgb


def palette_rgba(values, *, palette=GREEN_RED, limit: float | None = None) -> np.ndarray:
    """Colour an array: ``(H, W)`` values -> ``(H, W, 4)`` uint8 RGBA.

    A 3-colour palette is diverging around 0 on ``[-limit, limit]`` (default: the
    largest magnitude); a 2-colour palette runs from 0 to ``limit`` (default 1).
    ``NaN`` cells are transparent (not yet computed).
    """
    v = np.asarray(values, dtype=float)
    if v.ndim != 2 or 0 in v.shape:
        raise ValueError(f"a feature map needs a non-empty 2-D array, got shape {v.shape}")
    pal = np.array([_rgb(c) for c in palette])
    known = np.isfinite(v)
    if limit is None:
        limit = float(np.max(np.abs(v[known]), initial=0.0)) or 1.0
    limit = float(limit) or 1.0
    if len(pal) == 3:
        t = np.clip(np.where(known, v, 0.0) / limit, -1, 1)[..., None]
        rgb = np.where(t >= 0, pal[1] + (pal[2] - pal[1]) * t, pal[1] + (pal[0] - pal[1]) * -t)
    elif len(pal) == 2:
        t = np.clip(np.where(known, v, 0.0) / limit, 0, 1)[..., None]
        rgb = pal[0] + (pal[1] - pal[0]) * t
    else:
        raise ValueError(f"palette must have 2 or 3 colours, got {len(pal)}")
    out = np.empty(v.shape + (4,), np.uint8)
    out[..., :3] = np.round(rgb * 255)
    out[..., 3] = np.where(known, 255, 0)
    return out


INK = ("#000000", "#FFFFFF")


def _unit_square_points() -> np.ndarray:
    """A unit square (top-left at the origin, y up) as 4 straight cubic Bezier curves."""
    corners = np.array([[0, 0], [1, 0], [1, -1], [0, -1], [0, 0]], float)
    pts = []
    for a, b in zip(corners[:-1], corners[1:]):
        pts += [a, a + (b - a) / 3, a + 2 * (b - a) / 3, b]
    out = np.zeros((16, 3))
    out[:, :2] = pts
    return out


_SQUARE = _unit_square_points()


class FeatureMap(VGroup):
    """A 2-D array drawn as ``cell_size`` squares of colour, with a thin frame.

    Cells are drawn by colour level: one ``VMobject`` per level holds every square of
    that colour as sub-paths, so a 20x20 map is ~20 mobjects, not 400, and
    :meth:`set_values` can repaint it every frame. (``ImageMobject`` would be the
    natural choice, but Manim 0.22's Cairo camera cannot draw one with the Pillow 13 installed here.)

    Parameters
    ----------
    values : array_like, shape (rows, cols)
        ``NaN`` cells are left empty (not yet computed).
    cell_size : float
        Side of one value's square in scene units.
    palette : tuple of hex colours
        ``GREEN_RED`` (default, diverging around 0) or ``INK`` (0..1 pictures).
    limit : float, optional
        Colour scale limit; share one between maps that should be compared.
    levels : int
        Number of colours on the scale (odd for a diverging palette, so 0 has its own).
    """

    def __init__(self, values, *, cell_size: float = 0.1, palette=GREEN_RED, limit=None,
                 levels: int = 21, frame_color="#888888", frame_width: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        values = np.asarray(values, dtype=float)
        if values.ndim != 2 or 0 in values.shape:
            raise ValueError(f"a feature map needs a non-empty 2-D array, got shape {values.shape}")
        self.palette, self.limit = palette, limit
        self.n_rows, self.n_cols = values.shape
        self.cell_size = cell_size
        diverging = len(palette) == 3
        self.n_levels = levels + (1 - levels % 2 if diverging else 0)
        ramp = (np.linspace(-1, 1, self.n_levels) if diverging else np.linspace(0, 1, self.n_levels))
        colors = palette_rgba(ramp[None, :], palette=palette, limit=1.0)[0]
        self.cells = VGroup(*[VMobject(fill_color="#%02X%02X%02X" % tuple(c[:3]), fill_opacity=1.0,
                                       stroke_width=0) for c in colors])
        self.frame = Rectangle(width=self.n_cols * cell_size, height=self.n_rows * cell_size,
                               stroke_color=frame_color, stroke_width=frame_width)
        self.add(self.cells, self.frame)
        self.set_values(values)

    def _level(self, values, limit):
        known = np.isfinite(values)
        if limit is None:
            limit = float(np.max(np.abs(values[known]), initial=0.0)) or 1.0
        t = np.where(known, values, 0.0) / (float(limit) or 1.0)
        if len(self.palette) == 3:
            idx = np.round((np.clip(t, -1, 1) + 1) / 2 * (self.n_levels - 1))
        else:
            idx = np.round(np.clip(t, 0, 1) * (self.n_levels - 1))
        return np.where(known, idx, -1).astype(int)

    def set_values(self, values, *, limit=None) -> "FeatureMap":
        """Show new values of the same shape (in place; safe inside an updater)."""
        values = np.asarray(values, dtype=float)
        if values.shape != (self.n_rows, self.n_cols):
            raise ValueError(f"expected shape {(self.n_rows, self.n_cols)}, got {values.shape}")
        level = self._level(values, self.limit if limit is None else limit).ravel()
        size = self.frame.width / self.n_cols          # follows scaling of the whole map
        tl = self.frame.get_corner(UP + LEFT)
        rows, cols = np.divmod(np.arange(level.size), self.n_cols)
        offsets = np.stack([cols * size, -rows * size, np.zeros(level.size)], axis=1) + tl
        for k, mob in enumerate(self.cells):
            sel = offsets[level == k]
            if len(sel):
                mob.points = (sel[:, None, :] + _SQUARE[None] * size).reshape(-1, 3)
            else:
                mob.clear_points()
        self.values = values.copy()
        return self

    def cell_center(self, row: float, col: float) -> np.ndarray:
        """Centre of cell (row, col), 0-based like numpy (fractions allowed)."""
        size = self.frame.width / self.n_cols
        tl = self.frame.get_corner(UP + LEFT)
        return tl + np.array([(col + 0.5) * size, -(row + 0.5) * size, 0.0])

    def window(self, row: int, col: int, size: int = 3, *, color=YELLOW,
               stroke_width: float = 3) -> Rectangle:
        """A rectangle over ``size x size`` cells whose top-left cell is (row, col)."""
        cell = self.frame.width / self.n_cols
        rect = Rectangle(width=size * cell, height=size * cell, color=color,
                         stroke_width=stroke_width)
        return rect.move_to(self.cell_center(row + (size - 1) / 2, col + (size - 1) / 2))


def revealed(values, count: int) -> np.ndarray:
    """``values`` with only the first ``count`` cells (row-major) kept, the rest NaN."""
    v = np.array(values, dtype=float)
    flat = v.reshape(-1)
    flat[max(0, int(count)):] = np.nan
    return v

