"""``SignedBars``: a network's outputs as bars that may leave [0, 1] (below 0, above 1).

For "softmax built in vs learned": a softmax's outputs are bars between the 0 line and
the dashed 1 line; a head asked to *learn* probabilities can go below 0 or past 1, and
those bars turn another colour. The block shows the values it is given and never calls
``scene.play``; :meth:`SignedBars.set_values` repaints in place (safe in an updater).
"""
from __future__ import annotations

import numpy as np
from manim import LEFT, RIGHT, UP, DashedLine, Line, Rectangle, VGroup

from .glyphs import glyph

INSIDE = "#56B4E9"      # sky blue
OUTSIDE = "#D55E00"     # vermillion: a value below 0 or above 1
TEXT = "#EEEEEE"
MUTED = "#999999"


class SignedBars(VGroup):
    """One bar per value, rising from a 0 line (negative values hang below it).

    Parameters
    ----------
    values : array_like, shape (k,)
    labels : sequence of str, length k
    unit : float            scene units for a value of 1
    spacing, bar_width : float
    color : bar colour while the value is in [0, 1]; ``outside_color`` otherwise
    title : str, optional   written above the 1 line
    label_drop : float      class labels this far under the 0 line (room for negative bars)
    """

    def __init__(self, values, labels, *, unit: float = 2.0, spacing: float = 0.45,
                 bar_width: float = 0.32, color=INSIDE, outside_color=OUTSIDE,
                 font_size: float = 16, title: str | None = None, label_drop: float = 0.7,
                 **kwargs):
        super().__init__(**kwargs)
        values = np.asarray(values, dtype=float)
        if values.ndim != 1 or len(values) != len(labels) or len(values) == 0:
            raise ValueError(f"SignedBars needs one value per label, got {values.shape} and "
                             f"{len(labels)} labels")
        self.k, self.unit, self.spacing, self.bar_width = len(values), unit, spacing, bar_width
        self.color, self.outside_color = color, outside_color
        width = self.k * spacing
        self.zero = Line(LEFT * 0.1, RIGHT * (width + 0.1), stroke_width=2, color=TEXT)
        self.one = DashedLine(UP * unit + LEFT * 0.1, UP * unit + RIGHT * (width + 0.1),
                              stroke_width=1.5, color=MUTED, dash_length=0.08)
        self.ticks = VGroup(glyph("0", font_size=font_size, color=MUTED).next_to(self.zero, LEFT, buff=0.1),
                            glyph("1", font_size=font_size, color=MUTED).next_to(self.one, LEFT, buff=0.1))
        self.labels = VGroup(*[glyph(str(t), font_size=font_size, color=TEXT)
                               .move_to([(i + 0.5) * spacing, -label_drop, 0]) for i, t in enumerate(labels)])
        self.bars = VGroup(*[Rectangle(width=bar_width, height=0.01, stroke_width=0, fill_opacity=1)
                             for _ in range(self.k)])
        self.add(self.zero, self.one, self.ticks, self.labels, self.bars)
        if title:
            self.title = glyph(title, font_size=font_size * 1.2, color=TEXT).next_to(self.one, UP, buff=0.25)
            self.add(self.title)
        self.set_values(values)

    def set_values(self, values) -> "SignedBars":
        """Show new values (same length), in place; bars outside [0, 1] change colour."""
        values = np.asarray(values, dtype=float)
        if values.shape != (self.k,):
            raise ValueError(f"expected {self.k} values, got shape {values.shape}")
        unit = self.one.get_center()[1] - self.zero.get_center()[1]
        x0 = self.zero.get_left()[0] + 0.1
        y0 = self.zero.get_center()[1]
        for i, (bar, v) in enumerate(zip(self.bars, values)):
            h = max(abs(v) * unit, 1e-3)
            bar.stretch_to_fit_height(h)
            bar.move_to([x0 + (i + 0.5) * self.spacing, y0 + np.sign(v) * h / 2 if v else y0, 0])
            bar.set_fill(self.color if 0 <= v <= 1 else self.outside_color, opacity=1)
        self.values = values.copy()
        return self

    def bar_top(self, i: int):
        """The end of bar ``i`` away from the 0 line (top for positive values)."""
        bar = self.bars[i]
        return bar.get_top() if self.values[i] >= 0 else bar.get_bottom()

    def follow(self, tracker, table) -> "SignedBars":
        """Updater: show row ``round(tracker)`` of ``table`` (rows, k): recorded values only."""
        table = np.asarray(table, dtype=float)
        if table.ndim != 2 or table.shape[1] != self.k:
            raise ValueError(f"table must be (rows, {self.k}), got {table.shape}")

        def update(m):
            m.set_values(table[int(np.clip(round(tracker.get_value()), 0, len(table) - 1))])
        self.add_updater(update)
        return self


__all__ = ["SignedBars", "INSIDE", "OUTSIDE"]
