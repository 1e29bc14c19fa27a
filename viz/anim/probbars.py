"""Manim blocks for the softmax topic: probability bars, a unit chart, tile pictures.

``ProbBars`` shows a vector of probabilities as bars (vertical or horizontal) with the
class names and the values written in; ``bars_follow`` makes it follow a
``ValueTracker`` through the rows of a table (a logit sweep, the steps of a fit).
``UnitChart`` is a 0..1 x 0..1 chart with glyph tick labels (no LaTeX). Blocks never
compute what the lesson is about and never call ``scene.play``.
"""
from __future__ import annotations

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, DashedVMobject, ImageMobject, Line, Rectangle,
                   VGroup, VMobject)

from .glyphs import glyph

SOFTMAX_COLOR = "#56B4E9"   # sky blue
SIGMOID_COLOR = "#009E73"   # bluish green
TARGET_COLOR = "#BBBBBB"
TEXT = "#EEEEEE"


class ProbBars(VGroup):
    """Bars for probabilities in [0, 1], one per class.

    Parameters
    ----------
    probs : array_like, shape (k,)
    labels : sequence of str, length k
    length : float
        Scene units for probability 1 (bar height, or width when ``horizontal``).
    spacing : float
        Distance between bar centres.
    targets : array_like of 0/1, optional
        Dashed outlines at full length where the target is 1.
    """

    def __init__(self, probs, labels, *, length: float = 2.5, spacing: float = 0.8,
                 bar_width: float = 0.5, color=SOFTMAX_COLOR, horizontal: bool = False,
                 targets=None, font_size: float = 18, fmt: str = "{:.2f}", title: str | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        probs = np.asarray(probs, dtype=float)
        if probs.ndim != 1 or len(probs) != len(labels) or len(probs) == 0:
            raise ValueError(f"ProbBars needs one probability per label, got {probs.shape} "
                             f"and {len(labels)} labels")
        self.k, self.length, self.spacing, self.bar_width = len(probs), length, spacing, bar_width
        self.color, self.horizontal, self.font_size, self.fmt = color, horizontal, font_size, fmt
        self.values = probs.copy()
        along = DOWN if horizontal else RIGHT
        self.anchors = [i * spacing * along for i in range(self.k)]
        self.axis = Line(self.anchors[0] - along * spacing / 2, self.anchors[-1] + along * spacing / 2,
                         stroke_width=2, color=TEXT)
        self.labels = VGroup(*[
            glyph(str(t), font_size=font_size, color=TEXT).next_to(a, LEFT if horizontal else DOWN,
                                                                   buff=0.15)
            for t, a in zip(labels, self.anchors)])
        self.targets = VGroup()
        if targets is not None:
            for a, t in zip(self.anchors, np.asarray(targets, dtype=float)):
                if t:
                    self.targets.add(DashedVMobject(self._rect(a, 1.0, bar_width * 1.25).set_fill(opacity=0)
                                                    .set_stroke(TARGET_COLOR, 2), num_dashes=24))
        self.bars = VGroup(*[self._rect(a, p, bar_width) for a, p in zip(self.anchors, probs)])
        self.numbers = VGroup(*[self._number(a, p) for a, p in zip(self.anchors, probs)])
        self.add(self.axis, self.labels, self.targets, self.bars, self.numbers)
        if title:
            self.title = glyph(title, font_size=font_size * 1.25, color=TEXT)
            top = self.axis.get_center() + UP * (length + 0.3 + font_size / 40)
            self.title.move_to(top)
            if horizontal:
                self.title.next_to(self.labels, UP, buff=0.25).align_to(self.labels, LEFT)
            self.add(self.title)

    def _rect(self, anchor, p, width):
        p = float(np.clip(p, 0, 1))
        size = max(p * self.length, 1e-3)
        if self.horizontal:
            r = Rectangle(width=size, height=width)
            r.move_to(anchor + RIGHT * size / 2)
        else:
            r = Rectangle(width=width, height=size)
            r.move_to(anchor + UP * size / 2)
        return r.set_fill(self.color, opacity=1).set_stroke(width=0)

    def _number(self, anchor, p):
        tip = anchor + (RIGHT if self.horizontal else UP) * float(np.clip(p, 0, 1)) * self.length
        return glyph(self.fmt.format(p), font_size=self.font_size * 0.9, color=TEXT).next_to(
            tip, RIGHT if self.horizontal else UP, buff=0.08)

    def set_values(self, probs) -> "ProbBars":
        """Redraw bars and numbers for new probabilities (keeps position); returns self."""
        probs = np.asarray(probs, dtype=float)
        shift = self.axis.get_start() - (self.anchors[0] - (DOWN if self.horizontal else RIGHT)
                                         * self.spacing / 2)
        for i, p in enumerate(probs):
            self.bars[i].become(self._rect(self.anchors[i], p, self.bar_width).shift(shift))
            self.numbers[i].become(self._number(self.anchors[i], p).shift(shift))
        self.values = probs.copy()
        return self

    def bars_follow(self, tracker, table) -> "ProbBars":
        """Add an updater: show row ``tracker`` of ``table`` (n, k), interpolating between
        rows for fractional values. Remove with ``clear_updaters()``."""
        table = np.asarray(table, dtype=float)

        def update(mob):
            t = float(np.clip(tracker.get_value(), 0, len(table) - 1))
            i = min(int(t), len(table) - 2) if len(table) > 1 else 0
            f = t - i
            row = table[i] * (1 - f) + table[min(i + 1, len(table) - 1)] * f
            mob.set_values(row)

        self.add_updater(update)
        return self

    def bar(self, i: int) -> VGroup:
        return VGroup(self.bars[i], self.numbers[i], self.labels[i])


class UnitChart(VGroup):
    """A 0..1 x 0..1 chart frame with tick labels and axis titles (glyphs, no LaTeX)."""

    def __init__(self, *, width: float = 4.5, height: float = 4.5, x_label: str = "",
                 y_label: str = "", ticks=(0, 0.5, 1), font_size: float = 18, **kwargs):
        super().__init__(**kwargs)
        self.width_, self.height_ = width, height
        x_axis = Line(ORIGIN3, RIGHT * width, color=TEXT, stroke_width=2)
        y_axis = Line(ORIGIN3, UP * height, color=TEXT, stroke_width=2)
        tick_labels = VGroup()
        for t in ticks:
            tick_labels.add(glyph(f"{t:g}", font_size=font_size * 0.85, color=TEXT)
                            .next_to(self.c2p(t, 0), DOWN, buff=0.12))
            tick_labels.add(glyph(f"{t:g}", font_size=font_size * 0.85, color=TEXT)
                            .next_to(self.c2p(0, t), LEFT, buff=0.12))
        self.x_title = glyph(x_label, font_size=font_size, color=TEXT).next_to(
            x_axis, DOWN, buff=0.45)
        self.y_title = glyph(y_label, font_size=font_size, color=TEXT).rotate(np.pi / 2).next_to(
            y_axis, LEFT, buff=0.5)
        self.add(x_axis, y_axis, tick_labels, self.x_title, self.y_title)
        self.origin_mob = VMobject().set_points_as_corners([ORIGIN3, ORIGIN3 + RIGHT * 1e-3])
        self.add(self.origin_mob)

    def c2p(self, x, y) -> np.ndarray:
        """Scene point of chart coordinates ``(x, y)``."""
        o = self.origin_mob.get_start() if hasattr(self, "origin_mob") else ORIGIN3
        return o + np.array([x * self.width_, y * self.height_, 0.0])

    def curve(self, xs, ys, *, color=SOFTMAX_COLOR, stroke_width: float = 3) -> VMobject:
        """A polyline through chart points (NaN points dropped)."""
        xs, ys = np.asarray(xs, float), np.asarray(ys, float)
        keep = np.isfinite(xs) & np.isfinite(ys)
        pts = [self.c2p(x, y) for x, y in zip(xs[keep], ys[keep])]
        return VMobject(stroke_color=color, stroke_width=stroke_width).set_points_as_corners(pts)

    def band(self, x0, x1, *, color="#E69F00", opacity=0.25) -> Rectangle:
        r = Rectangle(width=(x1 - x0) * self.width_, height=self.height_)
        r.set_fill(color, opacity=opacity).set_stroke(width=0)
        return r.move_to((self.c2p(x0, 0) + self.c2p(x1, 1)) / 2)


ORIGIN3 = np.zeros(3)


def tile_image(image, *, height: float = 1.6) -> ImageMobject:
    """A (3, H, W) float tile in 0..1 as a crisp (nearest-neighbour) picture."""
    from manim import RESAMPLING_ALGORITHMS

    rgb = (np.clip(np.asarray(image).transpose(1, 2, 0), 0, 1) * 255).astype(np.uint8)
    rgba = np.concatenate([rgb, np.full(rgb.shape[:2] + (1,), 255, np.uint8)], axis=2)
    im = ImageMobject(rgba)
    im.set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
    return im.scale_to_fit_height(height)
