"""LaTeX-free matrix blocks: a bracketed ``NumberGrid`` and a conv-arithmetic tile grid.

``MatrixBlock`` shows a 2-D array as a matrix (coloured cells, numbers from
``viz.anim.glyph``, square brackets drawn as lines) with getters for rows and columns
and frames to highlight them. ``TileGrid`` draws the classic convolution-arithmetic
picture: plain tiles, a shaded padding border, no numbers.
"""
from __future__ import annotations

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, WHITE, YELLOW, Rectangle, Square, Text, VGroup,
                   VMobject)

from .glyphs import FONT
from .grid import NumberGrid


def label(text: str, *, font_size: float = 24, color=WHITE, **kwargs) -> Text:
    """A ``Text`` in the pinned font (for the few words and symbols a scene shows)."""
    return Text(text, font=FONT, font_size=font_size, color=color, **kwargs)


def _bracket(height: float, *, side: str, tick: float, color, stroke_width: float) -> VMobject:
    s = 1 if side == "left" else -1
    v = VMobject(stroke_color=color, stroke_width=stroke_width)
    v.set_points_as_corners([[s * tick, height / 2, 0], [0, height / 2, 0],
                             [0, -height / 2, 0], [s * tick, -height / 2, 0]])
    return v


class MatrixBlock(NumberGrid):
    """A ``NumberGrid`` between square brackets, with row and column getters.

    Parameters are ``NumberGrid``'s, plus ``bracket_color``; ``brackets=False`` leaves
    them off (a feature map is not written as a matrix).
    """

    def __init__(self, values, *, brackets: bool = True, bracket_color=WHITE,
                 bracket_width: float = 2.5, **kwargs):
        super().__init__(values, **kwargs)
        self.brackets = VGroup()
        if brackets:
            h = self.n_rows * self.cell_size + 0.12
            tick = min(0.15, 0.4 * self.cell_size)
            left = _bracket(h, side="left", tick=tick, color=bracket_color,
                            stroke_width=bracket_width)
            right = _bracket(h, side="right", tick=tick, color=bracket_color,
                             stroke_width=bracket_width)
            left.next_to(self.squares, LEFT, buff=0.06)
            right.next_to(self.squares, RIGHT, buff=0.06)
            self.brackets.add(left, right)
            self.add(self.brackets)

    def row(self, i: int) -> VGroup:
        return VGroup(*[self.cell(i, c) for c in range(self.n_cols)])

    def column(self, j: int) -> VGroup:
        return VGroup(*[self.cell(r, j) for r in range(self.n_rows)])

    def row_frame(self, i: int, *, color=YELLOW, stroke_width: float = 4) -> Rectangle:
        """A new rectangle around row ``i``."""
        return self.window(i, 0, 1, self.n_cols, color=color, stroke_width=stroke_width)

    def column_frame(self, j: int, *, color=YELLOW, stroke_width: float = 4) -> Rectangle:
        """A new rectangle around column ``j``."""
        return self.window(0, j, self.n_rows, 1, color=color, stroke_width=stroke_width)


class TileGrid(VGroup):
    """Conv-arithmetic tiles: ``shape`` squares, those in ``mask`` shaded as padding.

    Parameters
    ----------
    shape : (rows, cols)
    cell_size : float
    color : colour of ordinary tiles; ``pad_color`` of the masked (padding) ones
    mask : bool array of ``shape``, optional
    """

    def __init__(self, shape, *, cell_size: float = 0.4, color="#4C8BD6", pad_color="#2A3540",
                 mask=None, stroke_color="#DDDDDD", stroke_width: float = 1.2, opacity: float = 1.0,
                 **kwargs):
        super().__init__(**kwargs)
        self.n_rows, self.n_cols = (int(v) for v in shape)
        self.cell_size = cell_size
        mask = np.zeros((self.n_rows, self.n_cols), bool) if mask is None else np.asarray(mask, bool)
        for k in range(self.n_rows * self.n_cols):
            r, c = divmod(k, self.n_cols)
            sq = Square(cell_size, stroke_color=stroke_color, stroke_width=stroke_width,
                        fill_color=pad_color if mask[r, c] else color, fill_opacity=opacity)
            if mask[r, c]:
                sq.set_stroke(opacity=0.5)
            self.add(sq.move_to([c * cell_size, -r * cell_size, 0]))
        self.center()

    def tile(self, row: int, col: int) -> Square:
        if not (0 <= row < self.n_rows and 0 <= col < self.n_cols):
            raise IndexError(f"tile ({row}, {col}) outside a {self.n_rows}x{self.n_cols} grid")
        return self[row * self.n_cols + col]

    def marks(self, cells, *, color="#0B2A55", opacity: float = 0.85, scale: float = 0.8) -> VGroup:
        """New squares shading ``cells`` ((row, col) pairs): a kernel's taps or one output."""
        return VGroup(*[Square(self.cell_size * scale, stroke_width=0, fill_color=color,
                               fill_opacity=opacity).move_to(self.tile(int(r), int(c)))
                        for r, c in cells])

    def corner(self) -> np.ndarray:
        return self.get_corner(UP + LEFT)

    def bottom(self) -> np.ndarray:
        return self.get_edge_center(DOWN)
