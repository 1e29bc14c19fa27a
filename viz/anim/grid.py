"""``NumberGrid``: a heat-coloured grid of numbers, the toolkit's basic Manim block.

Data first, layout keywords next, ``**kwargs`` to ``VGroup``. The grid never computes a
number the lesson is about: it shows the array it is given.
"""
from __future__ import annotations

import threading
from itertools import compress
from operator import attrgetter

import numpy as np
from manim import LEFT, ORIGIN, UP, YELLOW, Rectangle, VGroup, VMobject

from .colors import scale_colors, text_color_for
from .fades import FadeIn, SwapText
from .family import _POINTS, family_members
from .glyphs import FONT, fit_font_size, glyph, new_vgroup, new_vmobject


_SCRATCH = threading.local()     # _curve_ends' array, per thread
_NPPCC = attrgetter("n_points_per_cubic_curve")


def format_number(value: float, fmt: str = "{:.1f}") -> str:
    """``fmt`` applied, with '-0.0' shown as '0.0' and a true minus sign kept ASCII."""
    s = fmt.format(value)
    if s.startswith("-") and float(s) == 0:
        s = s[1:]
    return s


def _corner_outlines(corners: np.ndarray) -> np.ndarray:
    """``VMobject.set_points_as_corners`` of many polygons at once, shape (n, corners, 3)
    -> (n, 4 * (corners - 1), 3): the same arithmetic, elementwise, so the same points."""
    t_values = np.linspace(0, 1, 4)              # VMobject's _bezier_t_values
    start, end = corners[:, :-1], corners[:, 1:]
    points = np.empty((len(corners), 4 * (corners.shape[1] - 1), 3))
    for index, t in enumerate(t_values):
        points[:, index::4] = (1 - t) * start + t * end      # manim's interpolate
    return points


def _curve_ends(whole: list, total: int):
    """The first and last points of every curve of ``whole`` (arrays of whole cubic
    curves, ``total`` points in all), shape (curves, 2, 3): a view of one reused scratch
    array (a fresh 3 MB array per call costs page faults), or None."""
    if not whole:
        return None
    buf = getattr(_SCRATCH, "buf", None)
    if buf is None or len(buf) < total:
        buf = _SCRATCH.buf = np.empty((total, 3))
    stacked = np.concatenate(whole, out=buf[:total])
    return stacked.reshape(-1, 4, 3)[:, ::3, :]


class NumberGrid(VGroup):
    """A 2-D array shown as coloured cells with the values written in them.

    Parameters
    ----------
    values : array_like, shape (rows, cols)
    cell_size : float
        Side of one cell in scene units.
    fmt : str
        Format for the numbers, e.g. ``"{:.1f}"``, ``"{:.0f}"``.
    font_size : float, optional
        Defaults to what fits the cell.
    palette : tuple of hex colours, optional
        Three colours = diverging around 0, two = sequential (see ``viz.anim.colors``).
    vmin, vmax : float, optional
        Colour limits (data limits by default).
    show_numbers : bool
        ``False`` draws the coloured cells only.
    stroke_width : float
        Width of the cell borders.
    """

    def __init__(self, values, *, cell_size: float = 0.3, fmt: str = "{:.1f}",
                 font_size: float | None = None, palette=None, vmin=None, vmax=None,
                 show_numbers: bool = True, stroke_width: float = 0.5,
                 stroke_color="#888888", font: str = FONT, **kwargs):
        super().__init__(**kwargs)
        values = np.asarray(values, dtype=float)
        if values.ndim != 2 or 0 in values.shape:
            raise ValueError(f"NumberGrid needs a non-empty 2-D array, got shape {values.shape}")
        self.values = values.copy()
        self.n_rows, self.n_cols = values.shape
        self.cell_size = cell_size
        self.fmt = fmt
        self.font = font
        self.palette = palette
        self.vmin, self.vmax = vmin, vmax
        self.show_numbers = show_numbers
        self.font_size = font_size or (fit_font_size(
            [format_number(v, fmt) for v in values.ravel()], 0.82 * cell_size, 0.4 * cell_size,
            font=font) if show_numbers else 12)
        colors = scale_colors(values, palette=palette, vmin=vmin, vmax=vmax)
        self.squares = VGroup()
        self.numbers = VGroup()
        h = cell_size / 2
        # Square's own corner order (UR, UL, DL, DR, closed), so frames match Square exactly.
        corners = np.array([[h, h, 0], [-h, h, 0], [-h, -h, 0], [h, -h, 0], [h, h, 0]])
        rr, cc = np.divmod(np.arange(values.size), self.n_cols)
        centers = np.stack([cc * cell_size, -rr * cell_size, np.zeros(values.size)], axis=1)
        outlines = _corner_outlines(corners[None] + centers[:, None])
        for k, (v, col) in enumerate(zip(values.ravel(), colors)):
            center = centers[k]
            # Built from corner points, not Square(...).move_to(): the same outline, ~3x faster.
            sq = new_vmobject(col, stroke_width=stroke_width, stroke_color=stroke_color)
            sq.points = outlines[k].copy()
            self.squares.add(sq)
            if show_numbers:
                num = glyph(format_number(v, fmt), font_size=self.font_size,
                            color=text_color_for(col), font=font, center=center)
            else:   # an empty placeholder: nothing to draw, keeps indices aligned
                num = glyph("", font_size=self.font_size, center=center)
            self.numbers.add(num)
        # Submobjects are rows of cells (so FadeIn(grid, lag_ratio=...) sweeps row by row);
        # ``squares`` and ``numbers`` are flat, row-major views of the same mobjects.
        for r in range(self.n_rows):
            self.add(new_vgroup(*[new_vgroup(self.squares[k], self.numbers[k])
                                  for k in range(r * self.n_cols, (r + 1) * self.n_cols)]))
        self.move_to(ORIGIN)

    def get_points_defining_boundary(self) -> np.ndarray:
        """The anchors of every part, like ``VMobject``'s, without building a tuple of
        ~10^5 points (the same extremes; ``get_center``/``move_to`` on a 28x28 grid ~10x
        faster): outlines of whole cubic curves are stacked, and their anchors taken once."""
        parts, curves = self._boundary_parts()
        if curves is not None:
            parts.append(curves.reshape(-1, 3))
        return np.concatenate(parts) if parts else np.zeros((0, 3))

    def get_critical_point(self, direction) -> np.ndarray:
        """``Mobject.get_critical_point``: the same point (the min, max or middle of the
        anchors along each axis), from the anchors gathered axis by axis in one pass."""
        result = np.zeros(self.dim)
        parts, curves = self._boundary_parts()
        axes = [np.ascontiguousarray(p.T) for p in parts]          # (3, k) each
        if curves is not None:
            axes.append(np.ascontiguousarray(curves.transpose(2, 0, 1)).reshape(3, -1))
        if not axes:
            return result
        for dim in range(self.dim):
            key = np.array(direction[dim])
            lo = min(a[dim].min() for a in axes) if key <= 0 else None
            hi = max(a[dim].max() for a in axes) if key >= 0 else None
            result[dim] = lo if key < 0 else (lo + hi) / 2 if key == 0 else hi
        return result

    def _boundary_parts(self):
        """(anchors of the parts not made of whole cubic curves, as (k, 3) arrays;
        first and last points of every whole cubic curve, (curves, 2, 3), or None)."""
        family = family_members([self])
        points = list(map(_POINTS, family))
        lengths = np.fromiter(map(len, points), int, len(points))
        if set(map(_NPPCC, family)) == {4} and not (lengths % 4).any():
            # every part made of whole cubic curves (a grid's squares and numbers)
            return [], _curve_ends(list(compress(points, lengths)), int(lengths.sum()))
        parts, whole, total = [], [], 0
        for sm in family:
            p = sm.points
            n = sm.n_points_per_cubic_curve
            if len(p) == 1:
                parts.append(p)
            elif len(p) and n == 4 and len(p) % 4 == 0:
                whole.append(p)
                total += len(p)
            elif len(p):
                parts += [p[::n], p[n - 1::n]]
        return parts, _curve_ends(whole, total)

    # ----- getters (0-based, like numpy) -------------------------------------------------
    def _index(self, row: int, col: int) -> int:
        if not (0 <= row < self.n_rows and 0 <= col < self.n_cols):
            raise IndexError(f"cell ({row}, {col}) outside a {self.n_rows}x{self.n_cols} grid")
        return row * self.n_cols + col

    def square(self, row: int, col: int) -> VMobject:
        return self.squares[self._index(row, col)]

    def number(self, row: int, col: int):
        return self.numbers[self._index(row, col)]

    def cell(self, row: int, col: int) -> VGroup:
        """The cell's ``VGroup(square, number)`` (part of this grid: animate it in place)."""
        return self.submobjects[row][col] if self._index(row, col) >= 0 else None

    def cells(self, row: int, col: int, height: int, width: int | None = None) -> VGroup:
        """The cells of a window, row-major."""
        width = height if width is None else width
        return VGroup(*[self.cell(r, c) for r in range(row, row + height)
                        for c in range(col, col + width)])

    def cell_center(self, row: int, col: int) -> np.ndarray:
        return self.square(row, col).get_center()

    def window(self, row: int, col: int, size: int, width: int | None = None, *,
               color=YELLOW, stroke_width: float = 4) -> Rectangle:
        """A new rectangle framing ``size x width`` cells whose top-left is (row, col)."""
        width = size if width is None else width
        tl = self.square(row, col).get_corner(UP + LEFT)
        rect = Rectangle(width=width * self.cell_size, height=size * self.cell_size,
                         color=color, stroke_width=stroke_width)
        return rect.move_to(tl + np.array([width * self.cell_size / 2, -size * self.cell_size / 2, 0]))

    # ----- styling (returns self) --------------------------------------------------------
    def set_value(self, row: int, col: int, value: float, *, color=None) -> "NumberGrid":
        """Show ``value`` in a cell (recoloured on this grid's colour scale)."""
        i = self._index(row, col)
        self.values[row, col] = value
        col_hex = color or self._cell_color(value)
        self.squares[i].set_fill(col_hex, opacity=1.0)
        if self.show_numbers:
            new = glyph(format_number(value, self.fmt), font_size=self.font_size,
                        color=text_color_for(col_hex), font=self.font).move_to(self.squares[i])
            self.numbers[i].become(new)
        return self

    def _cell_color(self, value):
        return scale_colors([value], palette=self.palette,
                            vmin=self.vmin if self.vmin is not None else self.values.min(),
                            vmax=self.vmax if self.vmax is not None else self.values.max())[0]

    def change_value(self, row: int, col: int, value: float, *, color=None) -> list:
        """Animations that make a cell show ``value``, in place: ``scene.play(*anims)``.

        A list, not an ``AnimationGroup``: a group would be added to the scene as a new
        mobject and split this grid into hundreds of loose parts (slow to render).
        """
        i = self._index(row, col)
        self.values[row, col] = value
        col_hex = color or self._cell_color(value)
        anims = [self.squares[i].animate.set_fill(col_hex, opacity=1.0)]
        if self.show_numbers:
            new = glyph(format_number(value, self.fmt), font_size=self.font_size,
                        color=text_color_for(col_hex), font=self.font).move_to(self.squares[i])
            anims.append(SwapText(self.numbers[i], new))   # no half-morphed digits
        return anims

    def crossfade_to(self, other: "NumberGrid") -> list:
        """Animations that make this grid look like ``other`` (same shape), in place:
        changed cells are recoloured and their numbers swapped with :class:`SwapText`
        (old number out, new one in: no frame shows half-morphed digits, as
        ``Transform(self, other)`` does). ``scene.play(*anims)``; the grid stays one grid.
        """
        if (other.n_rows, other.n_cols) != (self.n_rows, self.n_cols):
            raise ValueError(f"crossfade_to needs a {self.n_rows}x{self.n_cols} grid, got "
                             f"{other.n_rows}x{other.n_cols}")
        anims = []
        shift = self.squares[0].get_center() - other.squares[0].get_center()
        for i, (mine, theirs) in enumerate(zip(self.squares, other.squares)):
            if (mine.get_fill_color() != theirs.get_fill_color()
                    or mine.get_fill_opacity() != theirs.get_fill_opacity()):
                anims.append(mine.animate.set_fill(theirs.get_fill_color(),
                                                   opacity=theirs.get_fill_opacity()))
            a, b = self.numbers[i], other.numbers[i]
            if a.points.shape != b.points.shape or not np.allclose(a.points, b.points + shift) \
                    or a.get_fill_color() != b.get_fill_color():
                anims.append(SwapText(a, b.copy().shift(shift)))
        self.values[...] = other.values
        return anims

    def hide_cells(self, mask=None) -> "NumberGrid":
        """Blank cells (all, or where ``mask`` is true): empty squares, no numbers."""
        mask = np.ones((self.n_rows, self.n_cols), bool) if mask is None else np.asarray(mask)
        for k in np.flatnonzero(mask.ravel()):
            self.squares[k].set_fill(opacity=0)
            self.numbers[k].set_fill(opacity=0)
        return self

    def create(self, lag_ratio: float = 0.0, run_time: float = 1.0) -> FadeIn:
        """Fade the grid in; with ``lag_ratio`` > 0 the rows appear one after another."""
        return FadeIn(self, lag_ratio=lag_ratio, run_time=run_time)
