"""``LRPlot``: a loss-against-log(lr) chart for the learning-rate finder scene.

It shows the numbers of a :class:`viz.core.lr_finder.LRFinderResult` and offers
animations and updating mobjects (the trace that follows a ``ValueTracker``, the lr
marker); the scene decides when to play them. No LaTeX: labels are ``glyph`` outlines.
"""
from __future__ import annotations

import math

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, AnimationGroup, Arrow, Create, DashedLine, Dot, Line,
                   Rectangle, VGroup, VMobject, always_redraw)

from .fades import FadeIn
from .glyphs import FONT, glyph

LOSS_COLOR = "#56B4E9"      # sky blue (colour-blind safe, reads on black)
RAW_COLOR = "#777777"
LR_COLOR = "#F0E442"        # yellow
FLAT_COLOR = "#0072B2"
DIVERGE_COLOR = "#D55E00"   # vermillion
PICK_COLOR = "#009E73"      # bluish green


def lr_text(lr: float) -> str:
    """A learning rate as the lessons write it: 0.01, 3e-05, 1.7."""
    return f"{lr:.2g}".replace("e-0", "e-").replace("e+0", "e")


class LRPlot(VGroup):
    """Axes for loss against learning rate (log10 x), with decade tick labels.

    Parameters
    ----------
    lrs, smoothed, losses : array_like, shape (n,)
        What the range test recorded (``result.lrs``, ``.smoothed``, ``.losses``).
    x_range : (float, float)
        log10 of the smallest and largest lr shown.
    y_max : float
        Top of the loss axis; the raw loss is clipped there.
    width, height : float
        Size of the plotting area in scene units.
    """

    def __init__(self, lrs, smoothed, losses=None, *, x_range=(-5, 1), y_max=None,
                 width: float = 10.0, height: float = 4.6, font_size: float = 20, **kwargs):
        from manim import Axes

        super().__init__(**kwargs)
        self.lrs = np.asarray(lrs, dtype=float)
        self.smoothed = np.asarray(smoothed, dtype=float)
        self.losses = None if losses is None else np.asarray(losses, dtype=float)
        if self.lrs.shape != self.smoothed.shape or self.lrs.ndim != 1 or len(self.lrs) < 2:
            raise ValueError(f"lrs and smoothed must be 1-D of the same length >= 2, got "
                             f"{self.lrs.shape} and {self.smoothed.shape}")
        lo, hi = int(math.floor(x_range[0])), int(math.ceil(x_range[1]))
        y_max = float(y_max if y_max is not None else np.max(self.smoothed) * 1.12)
        y_step = 0.5 if y_max <= 4 else 1.0
        self.y_max = y_max
        self.x0 = lo   # axes x is log10(lr) - lo, so that the y axis sits at the left end
        self.axes = Axes(x_range=[0, hi - lo, 1], y_range=[0, y_max, y_step], x_length=width,
                         y_length=height, tips=False,
                         axis_config={"include_numbers": False, "color": "#BBBBBB",
                                      "stroke_width": 2})
        ticks = VGroup()
        for e in range(lo, hi + 1):
            ticks.add(glyph(f"1e{e}" if e <= -4 else lr_text(10.0 ** e), font_size=font_size, color="#DDDDDD")
                      .next_to(self.axes.c2p(e - lo, 0), DOWN, buff=0.18))
        for y in np.arange(0, y_max + 1e-9, y_step):
            ticks.add(glyph(f"{y:.1f}", font_size=font_size, color="#DDDDDD")
                      .next_to(self.axes.c2p(0, y), LEFT, buff=0.15))
        self.ticks = ticks
        self.x_label = glyph("learning rate (log scale)", font_size=font_size + 2, color="#DDDDDD") \
            .next_to(ticks[: hi - lo + 1], DOWN, buff=0.15)
        self.y_label = glyph("loss", font_size=font_size + 2, color="#DDDDDD") \
            .rotate(math.pi / 2).next_to(ticks[hi - lo + 1:], LEFT, buff=0.15)
        self.add(self.axes, ticks, self.x_label, self.y_label)

    @classmethod
    def from_result(cls, result, **kwargs) -> "LRPlot":
        """The chart for a range test: x from start_lr's decade to the stop (or end) lr's."""
        last = result.stop_lr if result.stop_lr is not None else result.end_lr
        x_range = (math.floor(math.log10(result.start_lr)), math.ceil(math.log10(last)))
        kwargs.setdefault("x_range", x_range)
        return cls(result.lrs, result.smoothed, result.losses, **kwargs)

    # ------------------------------------------------------------------ positions
    def point(self, lr: float, loss: float):
        """Scene position of (lr, loss); the loss is clipped to the axis."""
        return self.axes.c2p(math.log10(lr) - self.x0, float(np.clip(loss, 0, self.y_max)))

    def _polyline(self, values, upto: int, color, width, opacity=1.0) -> VMobject:
        k = max(2, min(int(upto) + 1, len(self.lrs)))
        x = np.log10(self.lrs[:k]) - self.x0
        y = np.clip(values[:k], 0, self.y_max)
        pts = [self.axes.c2p(a, b) for a, b in zip(x, y)]
        v = VMobject(stroke_color=color, stroke_width=width, stroke_opacity=opacity)
        v.set_points_as_corners(pts)
        return v

    # ------------------------------------------------------------------ parts
    def create(self, run_time: float = 1.0) -> AnimationGroup:
        """Draw the axes, fade in the labels."""
        return AnimationGroup(Create(self.axes), FadeIn(VGroup(self.ticks, self.x_label, self.y_label)),
                              run_time=run_time)

    def trace(self, tracker, *, raw: bool = True) -> VGroup:
        """The loss so far: smoothed (and raw, faint) up to batch ``tracker`` (updating)."""
        def draw():
            i = tracker.get_value()
            g = VGroup()
            if raw and self.losses is not None:
                g.add(self._polyline(self.losses, i, RAW_COLOR, 1.2, 0.6))
            g.add(self._polyline(self.smoothed, i, LOSS_COLOR, 4))
            return g
        return always_redraw(draw)

    def lr_marker(self, tracker, *, font_size: float = 22) -> VGroup:
        """A dashed line and dot at the current lr and loss, with ``lr = ...`` (updating)."""
        def draw():
            i = int(min(max(tracker.get_value(), 0), len(self.lrs) - 1))
            lr, loss = self.lrs[i], self.smoothed[i]
            bottom, top = self.point(lr, 0), self.point(lr, self.y_max)
            line = DashedLine(bottom, top, color=LR_COLOR, stroke_width=2, dash_length=0.08)
            dot = Dot(self.point(lr, loss), radius=0.07, color=LR_COLOR)
            label = glyph(f"lr = {lr_text(lr)}   batch {i + 1}", font_size=font_size,
                          color=LR_COLOR).next_to(top, UP, buff=0.1)
            return VGroup(line, dot, label)
        return always_redraw(draw)

    def band(self, lo: float, hi: float, text: str, color, *, at_top: bool = False,
             font_size: float = 20) -> VGroup:
        """A shaded lr interval with a caption near the bottom (or top) of the axes."""
        a, b = self.point(lo, 0), self.point(hi, self.y_max)
        rect = Rectangle(width=max(b[0] - a[0], 0.02), height=b[1] - a[1], stroke_width=0,
                         fill_color=color, fill_opacity=0.22)
        rect.move_to((a + b) / 2)
        caption = VGroup(*[glyph(t, font_size=font_size, color="#EEEEEE") for t in text.split("\n")]) \
            .arrange(DOWN, buff=0.08)
        caption.move_to(rect.get_top() + DOWN * 0.45 if at_top else rect.get_bottom() + UP * 0.45)
        caption.add_background_rectangle(color="#000000", opacity=0.6, buff=0.06)
        return VGroup(rect, caption)

    def stop_line(self, lr: float, text: str, *, font_size: float = 20) -> VGroup:
        top, bottom = self.point(lr, self.y_max), self.point(lr, 0)
        line = Line(bottom, top, color=DIVERGE_COLOR, stroke_width=3)
        label = VGroup(*[glyph(t, font_size=font_size, color=DIVERGE_COLOR) for t in text.split("\n")]) \
            .arrange(DOWN, buff=0.08, aligned_edge=RIGHT).next_to(top, UP, buff=0.1)
        label.align_to(line, RIGHT)
        return VGroup(line, label)

    def pin(self, lr: float, loss: float, text: str, color, *, direction=DOWN,
            font_size: float = 20) -> VGroup:
        """A dot on the curve with a caption next to it."""
        dot = Dot(self.point(lr, loss), radius=0.09, color=color)
        label = VGroup(*[glyph(t, font_size=font_size, color=color) for t in text.split("\n")]) \
            .arrange(DOWN, buff=0.08).next_to(dot, direction, buff=0.2)
        label.add_background_rectangle(color="#000000", opacity=0.6, buff=0.06)
        return VGroup(dot, label)

    def arrow(self, lr_from: float, lr_to: float, loss: float, color) -> Arrow:
        """A horizontal arrow at height ``loss`` from one lr to another."""
        return Arrow(self.point(lr_from, loss), self.point(lr_to, loss), buff=0.05, color=color,
                     stroke_width=4, max_tip_length_to_length_ratio=0.15)


__all__ = ["LRPlot", "lr_text", "FONT"]
