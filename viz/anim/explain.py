"""Manim blocks for ``viz explain --video``: a user's model seen Otavio Good's way.

* :class:`ChannelStack` - the first few channels of a ``(C, H, W)`` activation stack as
  crisp pictures (one ``ImageMobject`` per channel, green/red around 0), in a grid that
  fits a box, with thin frames; :meth:`ChannelStack.outline` frames one channel,
  :meth:`ChannelStack.placeholder` gives the empty frames (the road map of the model).
* :func:`input_picture` - the input as the model sees it (gray or RGB; other channel
  counts as a stack), :func:`number_patch` - a few of its numbers, legible.
* :class:`ProbPanel` - one horizontal bar per class, the top class in green and framed.
* :func:`column_slots` / :func:`grid_shape` - where columns and maps go (plain numbers).

Pictures need a camera that can draw them: ``camera_class=``
:class:`viz.anim.pictures.PictureCamera`. Blocks show the arrays they are given and never call
``scene.play``; they return mobjects, or lists of animations.
"""
from __future__ import annotations

import math

import numpy as np
from manim import (LEFT, RIGHT, GrowFromEdge, Group, ImageMobject, Rectangle,
                   VGroup)
from manim.constants import RESAMPLING_ALGORITHMS

from viz.colors import GREEN_RED

from .fades import FadeIn
from .featuremap import INK, palette_rgba
from .glyphs import glyph
from .grid import NumberGrid

FRAME = "#888888"          # frame of a map
DIM = "#555555"            # frames and labels of what is not shown yet
TEXT = "#EEEEEE"
MUTED = "#AAAAAA"
HIGHLIGHT = "#FFD400"      # the outline on the most active map
WIN = GREEN_RED[2]         # the top class's bar
BAR = "#777777"


# ----------------------------------------------------------------------- layout (plain numbers)
def grid_shape(n: int, h: int, w: int, box_w: float, box_h: float, gap: float) -> tuple:
    """``(rows, cols, cell)``: the grid of ``n`` maps of ``h x w`` values that makes the maps
    largest inside ``box_w x box_h`` scene units with ``gap`` units between maps; ``cell``
    is the side of one value's square. ValueError for an empty grid or box."""
    if n < 1 or h < 1 or w < 1 or box_w <= 0 or box_h <= 0:
        raise ValueError(f"cannot lay out {n} maps of {h}x{w} in a {box_w:.2f}x{box_h:.2f} box")
    best = None
    for cols in range(1, n + 1):
        rows = math.ceil(n / cols)
        if (rows - 1) * cols >= n:          # a whole empty row: never better
            continue
        cell = grid_cell((rows, cols), h, w, (box_w, box_h), gap)
        if cell > 0 and (best is None or cell > best[2] + 1e-12):
            best = (rows, cols, cell)
    if best is None:
        raise ValueError(f"{n} maps do not fit a {box_w:.2f}x{box_h:.2f} box with gaps of {gap}")
    return best


def grid_cell(grid, h: int, w: int, box, gap: float) -> float:
    """The side of one value's square when ``grid = (rows, cols)`` maps of ``h x w`` fill ``box``."""
    rows, cols = grid
    return min((box[0] - (cols - 1) * gap) / (cols * w), (box[1] - (rows - 1) * gap) / (rows * h))


def column_slots(n: int, left: float, right: float) -> list:
    """Centres of ``n`` equal columns between x = ``left`` and ``right``, and their width."""
    if n < 1 or right <= left:
        raise ValueError(f"cannot place {n} columns between {left} and {right}")
    width = (right - left) / n
    return [left + (k + 0.5) * width for k in range(n)], width


def limit_of(values, q: float = 99.0) -> float:
    """The colour limit of a stack: the ``q``-th percentile of its magnitudes (a few
    extreme values do not wash every map out; they show at full colour), 1 when all are 0."""
    v = np.abs(np.asarray(values, dtype=float))
    v = v[np.isfinite(v)]
    m = float(np.percentile(v, q)) if v.size else 0.0
    return m or float(np.max(v, initial=0.0)) or 1.0


# ----------------------------------------------------------------------- pictures
def rgba_picture(rgba, width: float, height: float) -> ImageMobject:
    """An ``(H, W, 4)`` uint8 array as a nearest-neighbour picture of ``width x height`` units."""
    mob = ImageMobject(np.ascontiguousarray(rgba, dtype=np.uint8))
    mob.set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
    mob.stretch_to_fit_width(width)
    mob.stretch_to_fit_height(height)
    return mob


def input_range(x) -> tuple:
    """Display range of an input: 0..1 when the values lie there, else their min..max."""
    x = np.asarray(x, dtype=float)
    lo, hi = float(np.min(x)), float(np.max(x))
    if lo >= 0 and hi <= 1:
        return 0.0, 1.0
    return lo, (hi if hi > lo else lo + 1.0)


def input_rgba(x_chw) -> np.ndarray | None:
    """The input ``(C, H, W)`` as an RGBA picture for C = 1 (gray) or 3 (RGB), else None."""
    x = np.asarray(x_chw, dtype=float)
    if x.ndim != 3 or x.shape[0] not in (1, 3):
        return None
    lo, hi = input_range(x)
    t = np.clip((x - lo) / (hi - lo), 0, 1)
    rgb = np.repeat(t, 3, axis=0) if x.shape[0] == 1 else t
    out = np.empty(x.shape[1:] + (4,), np.uint8)
    out[..., :3] = np.round(np.moveaxis(rgb, 0, -1) * 255)
    out[..., 3] = 255
    return out


def framed(mob, color=FRAME, width: float = 1.0) -> Rectangle:
    return Rectangle(width=mob.width, height=mob.height, stroke_color=color,
                     stroke_width=width).move_to(mob)


def input_picture(x_chw, height: float) -> Group:
    """The input as one picture ``height`` units tall, framed (C = 1 or 3), or as a
    :class:`ChannelStack` of its channels in black-to-white for other channel counts."""
    x = np.asarray(x_chw, dtype=float)
    rgba = input_rgba(x)
    if rgba is None:
        lo, hi = input_range(x)
        return ChannelStack(x - lo, box=(height, height), palette=INK, limit=hi - lo)
    h, w = x.shape[1:]
    pic = rgba_picture(rgba, height * w / h, height)
    return Group(pic, framed(pic))


def number_patch(x2d, row: int, col: int, size: int, *, cell: float = 0.42) -> NumberGrid:
    """The values of a window as a legible grid of numbers (black-to-white cells)."""
    x = np.asarray(x2d, dtype=float)
    lo, hi = input_range(x)
    patch = x[row:row + size, col:col + size]
    return NumberGrid(patch, cell_size=cell, fmt="{:.2f}", palette=INK, vmin=lo, vmax=hi,
                      stroke_width=0.5)


# ----------------------------------------------------------------------- a stack of maps
class ChannelStack(Group):
    """The first ``shown`` channels of a ``(C, H, W)`` stack as pictures in a grid.

    Parameters
    ----------
    values : array_like (C, H, W)
    shown : int             at most this many channels (the first ones)
    box : (width, height)   the grid fits this box (scene units), centred on the origin
    grid : (rows, cols)     force a grid (e.g. the one of the stack a pooling step shrinks)
    cell : float            force the side of one value's square (else the largest that fits)
    gap : float             units between maps
    palette, limit          diverging ``GREEN_RED`` around 0 on ``[-limit, limit]`` by default
    """

    def __init__(self, values, *, shown: int = 8, box=(2.0, 4.0), grid=None, cell=None,
                 gap: float = 0.12, palette=GREEN_RED, limit=None, **kwargs):
        super().__init__(**kwargs)
        v = np.asarray(values, dtype=float)
        if v.ndim != 3 or 0 in v.shape:
            raise ValueError(f"a channel stack needs a non-empty (C, H, W) array, got shape {v.shape}")
        self.values = v
        self.n_total, h, w = v.shape
        self.n_shown = min(int(shown), self.n_total)
        self.limit = limit_of(v) if limit is None else float(limit) or 1.0
        fit = grid_shape(self.n_shown, h, w, box[0], box[1], gap)
        if grid is not None:
            fit = (*grid, grid_cell(grid, h, w, box, gap))
        self.grid = fit[:2]
        self.fit_cell = fit[2]
        self.cell = fit[2] if cell is None else float(cell)
        self.gap, self.box = gap, box
        rows, cols = self.grid
        mw, mh = w * self.cell, h * self.cell
        total_w, total_h = cols * mw + (cols - 1) * gap, rows * mh + (rows - 1) * gap
        self.centers = []
        for i in range(self.n_shown):
            r, c = divmod(i, cols)
            self.centers.append(np.array([-total_w / 2 + c * (mw + gap) + mw / 2,
                                          total_h / 2 - r * (mh + gap) - mh / 2, 0.0]))
        self.maps = Group(*[rgba_picture(palette_rgba(v[i], palette=palette, limit=self.limit), mw, mh)
                            .move_to(self.centers[i]) for i in range(self.n_shown)])
        self.frames = VGroup(*[Rectangle(width=mw, height=mh, stroke_color=FRAME, stroke_width=1)
                               .move_to(self.centers[i]) for i in range(self.n_shown)])
        self.add(self.maps, self.frames)

    @property
    def note(self) -> str:
        """``"first 8 of 64 channels"`` for a wide layer, ``"6 channels"`` otherwise."""
        if self.n_shown < self.n_total:
            return f"first {self.n_shown} of {self.n_total} channels"
        return f"{self.n_total} channel" + ("s" if self.n_total != 1 else "")

    def map_box(self, i: int) -> Rectangle:
        """An invisible rectangle where channel ``i`` is (follows the stack's position)."""
        return Rectangle(width=self.frames[i].width, height=self.frames[i].height,
                         stroke_opacity=0).move_to(self.frames[i])

    def outline(self, i: int, *, color=HIGHLIGHT, stroke_width: float = 3) -> Rectangle:
        """A frame around channel ``i`` (e.g. the most active one)."""
        f = self.frames[i]
        pad = min(self.gap / 2, 0.06)
        return Rectangle(width=f.width + 2 * pad, height=f.height + 2 * pad, stroke_color=color,
                         stroke_width=stroke_width).move_to(f)

    def placeholder(self) -> VGroup:
        """The empty, dim frames where the maps will be."""
        return VGroup(*[f.copy().set_stroke(DIM, width=1) for f in self.frames])

    def same_place(self, values, **kwargs) -> "ChannelStack":
        """Another stack of the same shape drawn exactly over this one (a later step of
        the same maps: after ReLU, the red gone), on the same colour scale by default."""
        kwargs.setdefault("limit", self.limit)
        other = ChannelStack(values, shown=self.n_shown, box=self.box, grid=self.grid,
                             cell=self.cell, gap=self.gap, **kwargs)
        return other.move_to(self.frames)


# ----------------------------------------------------------------------- probabilities
class ProbPanel(VGroup):
    """Class probabilities as horizontal bars: name, bar (``bar_width`` for 100 %), percent.

    ``rows`` are the indices of the classes shown, top to bottom; ``texts`` the percentages
    as written (default ``93 %``). The top class (the largest probability) is green and
    gets a frame (:attr:`winner`).
    """

    def __init__(self, probs, names, *, rows=None, texts=None, bar_width: float = 1.8,
                 row_height: float = 0.42, font_size: float = 17, **kwargs):
        super().__init__(**kwargs)
        p = np.asarray(probs, dtype=float)
        if p.ndim != 1 or len(p) != len(names) or not len(p):
            raise ValueError(f"ProbPanel needs one name per probability, got {p.shape} and "
                             f"{len(names)} names")
        rows = list(range(len(p))) if rows is None else [int(i) for i in rows]
        self.probs, self.rows, self.top = p, rows, int(np.argmax(p))
        self.bar_width = bar_width
        self.labels, self.bars, self.pcts, self.slots = VGroup(), VGroup(), VGroup(), VGroup()
        for k, i in enumerate(rows):
            y = -k * row_height
            self.labels.add(glyph(names[i], font_size=font_size, color=TEXT)
                            .move_to([0, y, 0], aligned_edge=RIGHT))
            w = max(bar_width * float(np.clip(p[i], 0, 1)), 0.01)
            self.bars.add(Rectangle(width=w, height=0.62 * row_height, stroke_width=0,
                                    fill_color=WIN if i == self.top else BAR, fill_opacity=1)
                          .move_to([0.15, y, 0], aligned_edge=LEFT))
            pct = f"{100 * p[i]:.0f} %" if texts is None else str(texts[i])
            self.pcts.add(glyph(pct, font_size=font_size * 0.9, color=TEXT)
                          .move_to([0.25 + bar_width, y, 0], aligned_edge=LEFT))
            self.slots.add(Rectangle(width=bar_width, height=0.62 * row_height, stroke_color=DIM,
                                     stroke_width=1).move_to([0.15, y, 0], aligned_edge=LEFT))
        k = rows.index(self.top) if self.top in rows else 0
        left = min(lab.get_left()[0] for lab in self.labels) - 0.12
        right = 0.25 + bar_width + max(t.width for t in self.pcts) + 0.12
        self.winner = Rectangle(width=right - left, height=0.92 * row_height, stroke_color=WIN,
                                stroke_width=3).move_to([(left + right) / 2, -k * row_height, 0])
        # the winner's frame belongs to the panel (moves with it); a scene shows it last
        self.add(self.slots, self.labels, self.bars, self.pcts, self.winner)

    def empty(self) -> VGroup:
        """What stands before the output is known: the names, dim, and empty bar slots."""
        return VGroup(self.slots, self.labels.copy().set_color(DIM))

    def grow(self, run_time: float = 1.0) -> list:
        """The bars growing from the left, then their percentages (a list for ``play``)."""
        return ([GrowFromEdge(b, LEFT, run_time=run_time) for b in self.bars]
                + [FadeIn(t, run_time=run_time) for t in self.pcts])


def caption(text: str, *, font_size: float = 22, color=TEXT):
    """A one-line heading (glyph outline: cheap, same look as ``Text``)."""
    return glyph(text, font_size=font_size, color=color)


__all__ = ["ChannelStack", "ProbPanel", "caption", "column_slots", "framed", "grid_cell",
           "grid_shape", "input_picture", "input_range", "input_rgba", "limit_of", "number_patch",
           "rgba_picture"]
