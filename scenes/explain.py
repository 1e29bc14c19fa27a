"""``viz explain --video``: a user's model on one input, Otavio Good's way.

The input as the model sees it (a picture, and a few of its numbers); every convolution
and pooling step's maps in turn, left to right (green > 0, red < 0; ReLU removes the red,
pooling halves the maps; the first 8 channels of a wide layer, with a note); the class
probabilities as bars, the top class framed. The numbers come from a recorded trace
(:func:`viz.core.explain.trace.trace_model`): the scene never runs the model. It needs
that data, so it is rendered by :func:`viz.explain_video.render_explanation_video`
(``viz explain MODEL --input IMAGE --video``), which builds a subclass with the class
attributes ``trace``, ``classes`` and ``title`` set::

    from viz.explain_video import render_explanation_video
    render_explanation_video(trace, classes, "out/video.mp4", quality="low")
"""
from __future__ import annotations

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, Create, Line, Rectangle, VGroup,
                   smooth)

from viz.anim.fades import FadeIn, FadeOut
from viz.anim.explain import (DIM, HIGHLIGHT, MUTED, TEXT, ChannelStack, ProbPanel,
                              caption, column_slots, grid_cell, input_picture, limit_of,
                              number_patch)
from viz.anim.glyphs import glyph
from viz.anim.pictures import PictureCamera
from viz.anim.lesson import LessonScene, step
from viz.colors import GREEN_RED
from viz.explain_video import percent, plan_video

TITLE_Y, HEAD_Y, LABEL_Y = 3.62, 3.08, 2.42
BOX_TOP, BOX_BOTTOM = 2.0, -2.7            # the maps; below -3.3 stays free for browser captions
BOX_CY, BOX_H = (BOX_TOP + BOX_BOTTOM) / 2, BOX_TOP - BOX_BOTTOM
INPUT_X, INPUT_W = -6.0, 1.45
MAPS_LEFT, MAPS_RIGHT = -5.1, 2.85
PANEL_X = 4.3                             # right edge of the class names
MIN_MAP = 0.35                             # a pooled map is never drawn smaller than this


def fit(mob, width):
    """Shrink ``mob`` to ``width`` if it is wider (labels in narrow columns)."""
    return mob.scale_to_fit_width(width) if mob.width > width else mob


class ExplainModel(LessonScene):
    """The video of one trace; set ``trace``, ``classes`` and ``title`` in a subclass
    (:func:`viz.explain_video.scene_class`), or ``plan`` (a :class:`VideoPlan`)."""

    trace = None
    classes = None
    title = "Your model, step by step"
    plan = None

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("camera_class", PictureCamera)   # draws the maps (pictures)
        super().__init__(*args, **kwargs)

    # ----------------------------------------------------------------- helpers
    def hold(self, narration, spent):
        """Wait so that the step lasts long enough to read its narration."""
        target = float(np.clip(1.2 + len(narration) / 45, 2.6, 4.8))
        self.wait(max(0.6, target - spent))

    def heading(self, text):
        new = fit(caption(text, font_size=24), 13.4).move_to([0, HEAD_Y, 0])
        if getattr(self, "head", None) is not None:
            self.remove(self.head)
        self.head = new
        self.add(new)

    def construct(self):
        plan = self.plan
        if plan is None:
            if self.trace is None or self.classes is None:
                raise ValueError("ExplainModel needs data: render it with "
                                 "viz.explain_video.render_explanation_video(trace, classes, ...)")
            plan = plan_video(self.trace, self.classes, title=self.title)
        self.vplan, self.head, self.stacks, self.shown_stacks, self.count = plan, None, {}, {}, 0
        self.add(fit(caption(plan.title, font_size=17, color=MUTED), 8.5)
                 .move_to([-6.8, TITLE_Y, 0], aligned_edge=LEFT))
        if plan.shots:
            self.add(self.legend().move_to([6.8, TITLE_Y, 0], aligned_edge=RIGHT))
        self.show_input(plan)
        for n, page in enumerate(plan.pages):
            for i, k in enumerate(page):
                self.begin_step(plan.shots[k].heading)
                opened = self.open_page(plan, page, first=n == 0) if i == 0 else 0.0
                self.show_shot(plan, k, opened)
        self.begin_step(plan.output_heading)
        opened = self.open_page(plan, (), first=True) if not plan.pages else 0.0
        self.show_output(plan, opened)

    def legend(self):
        parts = VGroup()
        for color, label in ((GREEN_RED[2], "> 0"), (GREEN_RED[0], "< 0")):
            sq = Rectangle(width=0.2, height=0.2, stroke_width=0, fill_color=color, fill_opacity=1)
            parts.add(VGroup(sq, glyph(label, font_size=15, color=TEXT).next_to(sq, RIGHT, buff=0.08)))
        return parts.arrange(RIGHT, buff=0.3)

    # ----------------------------------------------------------------- 1. input
    def begin_step(self, heading):
        """A new step: its numbered heading; the previous step's outline goes."""
        self.count += 1
        self.heading(f"{self.count}. {heading}")
        if getattr(self, "outline", None) is not None:
            self.remove(self.outline)
            self.outline = None

    def show_input(self, plan):
        self.begin_step(plan.input_heading)
        x = plan.input
        big = input_picture(x, 4.2).move_to([-2.6, BOX_CY + 0.2, 0])
        ch, r, c, size = plan.patch
        pic = big.maps[ch] if isinstance(big, ChannelStack) else big[0]
        h, w = x.shape[1:]
        cell_w, cell_h = pic.width / w, pic.height / h
        window = Rectangle(width=size * cell_w, height=size * cell_h, stroke_color=HIGHLIGHT,
                           stroke_width=3)
        window.move_to(pic.get_corner(UP + LEFT) + np.array([(c + size / 2) * cell_w,
                                                             -(r + size / 2) * cell_h, 0]))
        numbers = number_patch(x[ch], r, c, size, cell=0.5).move_to([2.9, BOX_CY + 0.2, 0])
        links = VGroup(Line(window.get_corner(UP + RIGHT), numbers.get_corner(UP + LEFT)),
                       Line(window.get_corner(DOWN + RIGHT), numbers.get_corner(DOWN + LEFT)))
        links.set_stroke(HIGHLIGHT, width=1.5, opacity=0.7)
        note = caption(f"{x.shape[0]}×{h}×{w}, values {x.min():.2f} to {x.max():.2f}",
                       font_size=16, color=MUTED).next_to(big, DOWN, buff=0.2)
        self.play(FadeIn(big), FadeIn(note), run_time=0.8)
        self.play(Create(window), Create(links), FadeIn(numbers), run_time=0.8)
        self.hold(plan.input_narration, 1.6)
        step(self, plan.input_narration)
        self.big, self.intro = big, VGroup(window, links, numbers, note)

    # ----------------------------------------------------------------- a page of columns
    def open_page(self, plan, page, *, first) -> float:
        """Lay out the page's columns and show them empty (the road map), with the input
        on the left and the class names on the right; returns the seconds it took."""
        anims = []
        if first:
            small = input_picture(plan.input, INPUT_W).move_to([INPUT_X, BOX_CY, 0])
            if not isinstance(small, ChannelStack):
                small = small.scale_to_fit_width(min(small.width, INPUT_W))
            label = self.column_label("input", "×".join(map(str, plan.input.shape)), INPUT_X, INPUT_W)
            anims += [self.big.animate.scale(small.height / self.big.height).move_to(small),
                      FadeOut(self.intro), FadeIn(label)]
            self.input_small = small
            self.panel = ProbPanel(plan.probabilities, plan.classes, rows=plan.rows, bar_width=1.4,
                                   texts=[percent(q) for q in plan.probabilities],
                                   row_height=min(0.42, BOX_H / len(plan.rows)))
            self.panel.move_to([PANEL_X, BOX_CY, 0]).shift(
                RIGHT * (PANEL_X - self.panel.labels.get_right()[0]))
            self.panel_empty = self.panel.empty()
            head = [self.column_label("probabilities", plan.class_note or "", 5.05, 3.2)]
            anims += [FadeIn(self.panel_empty), *[FadeIn(m) for m in head]]
        else:                 # the old page goes in the first half, the new one comes after
            old = [m for k in self.page for m in self.page_mobs[k]]
            anims += [FadeOut(m, rate_func=lambda t: smooth(min(1.0, 2 * t))) for m in old]
        late = {} if first else {"rate_func": lambda t: smooth(max(0.0, 2 * t - 1))}
        if first and plan.layers:                 # no maps: the layers, as a list
            lines = VGroup(caption("no convolution or pooling layers: the model's steps",
                                   font_size=17, color=MUTED),
                           *[caption(t, font_size=16) for t in plan.layers])
            lines.arrange(DOWN, buff=0.16, aligned_edge=LEFT)
            fit(lines, MAPS_RIGHT - MAPS_LEFT).scale_to_fit_height(min(lines.height, BOX_H))
            anims.append(FadeIn(lines.move_to([(MAPS_LEFT + MAPS_RIGHT) / 2, BOX_CY, 0])))
        xs, slot = column_slots(max(len(page), 1), MAPS_LEFT, MAPS_RIGHT) if page else ([], 1.0)
        box = (0.86 * slot, BOX_H)
        self.page, self.page_mobs, self.places = page, {}, {}
        for x, k in zip(xs, page):
            shot = plan.shots[k]
            src = self.stacks.get(shot.source) if shot.source is not None else None
            stack = self.build_stack(shot, box, src)
            stack.move_to([x, BOX_CY, 0])
            holder = stack.placeholder()
            shape = "×".join(map(str, shot.values.shape))
            name = shot.label if shot.label == shot.name else f"layer {shot.name}"
            sub = shape if shot.label == shot.name else f"{shot.op} {shape}"
            label = self.column_label(name, sub, x, 0.88 * slot, color=DIM)
            note = fit(caption(stack.note, font_size=13, color=MUTED), 0.95 * slot).next_to(
                stack, DOWN, buff=0.15)
            self.stacks[k], self.places[k] = stack, (holder, label, note)
            self.page_mobs[k] = [holder, label]
            anims += [FadeIn(holder, **late), FadeIn(label, **late)]
        self.play(*anims, run_time=0.8)
        if first:
            self.remove(self.big)
            self.add(self.input_small)
        return 0.8

    def build_stack(self, shot, box, src):
        """The column of a shot: its maps fill the box, except that a pooling step keeps the
        cells (and grid) of the maps it shrinks, so they look halved. One colour scale for
        before and after (ReLU: the green stays, the red goes) that saturates neither."""
        values = shot.values
        limit = max(limit_of(values), limit_of(shot.after)) if shot.after is not None else None
        if src is None:
            return ChannelStack(values, box=box, limit=limit)
        h = values.shape[1]
        cell = src.cell if h * src.cell >= MIN_MAP else MIN_MAP / h
        cell = min(cell, grid_cell(src.grid, h, values.shape[2], box, src.gap))
        return ChannelStack(values, box=box, grid=src.grid, cell=cell, limit=limit)

    def column_label(self, name, shape, x, width, color=TEXT):
        top = fit(caption(name, font_size=16, color=color), width)
        rows = [top]
        if shape:
            rows.append(fit(caption(shape, font_size=13, color=MUTED), width))
        group = VGroup(*rows).arrange(DOWN, buff=0.08)
        return group.move_to([x, LABEL_Y, 0])

    # ----------------------------------------------------------------- one map step
    def show_shot(self, plan, k, spent=0.0):
        shot, stack = plan.shots[k], self.stacks[k]
        holder, label, note = self.places[k]
        for part in label:
            part.set_color(TEXT)
        label[-1].set_color(MUTED)
        src = self.shown_stacks.get(shot.source) if shot.source is not None else None
        if src is not None and src.n_shown == stack.n_shown:
            copies = [m.copy() for m in src.maps]
            self.add(*copies)
            self.play(*[c.animate.stretch_to_fit_width(t.width).stretch_to_fit_height(t.height)
                        .move_to(t) for c, t in zip(copies, stack.maps)], run_time=0.9)
            self.play(FadeIn(stack), FadeIn(note), FadeOut(*copies), run_time=0.4)
            spent += 1.3
        else:
            self.play(FadeIn(stack), FadeIn(note), run_time=0.8)
            spent += 0.8
        self.remove(holder)
        shown = stack
        if shot.after is not None:
            shown = stack.same_place(shot.after)
            self.play(FadeIn(shown), run_time=0.8)
            self.remove(stack)
            spent += 0.8
        self.page_mobs[k] = [shown, label, note]
        self.shown_stacks[k] = shown
        if shot.highlight is not None:
            self.outline = shown.outline(shot.highlight)
            self.play(Create(self.outline), run_time=0.4)
            spent += 0.4
        self.hold(shot.narration, spent)
        step(self, shot.narration)

    # ----------------------------------------------------------------- the output
    def show_output(self, plan, spent=0.0):
        panel = self.panel
        self.remove(self.panel_empty)
        self.add(panel.slots, panel.labels)
        self.play(*panel.grow(1.0))
        self.play(Create(panel.winner), run_time=0.4)
        self.hold(plan.output_narration, spent + 1.4)
        step(self, plan.output_narration)


__all__ = ["ExplainModel"]
