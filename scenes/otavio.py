"""Otavio Good's visualization (fast.ai 2018 lesson 3): a letter flowing through a trained CNN.

The viewer sees a letter "A" as a grid of numbers; two learned 3x3 filters slide over it
(green positive, red negative); ReLU removes the red and max-pooling halves the size;
second-layer filters read both channels, ReLU and pool again; the last maps are dotted
with each class's template and softmax turns the scores into percentages ("A" wins).
Then "B" and "C" go through, and "C" morphs smoothly into "E" while every layer's maps
and the percentages follow. Every number comes from the real network of
:mod:`viz.core.otavio` (trained on first use, then read from the cache).

    manim -ql scenes/otavio.py OtavioGood
"""
from __future__ import annotations

import numpy as np
from manim import (DOWN, LEFT, UP, Rectangle,
                   Text, ValueTracker, config, linear)

from viz.anim import FONT, GREEN_RED, NumberGrid, glyph
from viz.anim.fades import FadeIn, FadeOut, crossfade
from viz.anim.lesson import LessonScene, step
from viz.anim.featuremap import INK, FeatureMap, revealed
from viz.core.otavio import load_otavio, otavio_story

CELL = 0.1
X = {"input": -6.0, "k1": -4.45, "c1": -2.9, "p1": -1.3, "k2": -0.62, "c2": 0.15, "p2": 1.15}
Y2 = (1.8, 0.6, -0.6, -1.8)                   # rows of the 4-channel layers
Y1 = (1.2, -1.2)                              # rows of the 2-channel layers
ROW0, ROW_STEP = 2.45, -0.56                  # class panel rows
BAR_X, BAR_W, GREY = 4.2, 2.0, "#777777"


def text(s, size=20, **kw):
    return Text(s, font=FONT, font_size=size, **kw)


class OtavioGood(LessonScene):
    morph_seconds = 4.0

    def construct(self):
        net = load_otavio()
        steps = int(config.frame_rate * self.morph_seconds) + 1
        story = otavio_story(net, steps=steps)
        t, lim = story.first, story.limits
        self.story, self.caption = story, None
        self.add(text("Otavio Good's visualization: a letter through a trained CNN", 26)
                 .to_edge(UP, buff=0.15))
        self.step_input(t)
        self.step_conv1(t, lim)
        self.step_relu_pool1(t, lim)
        self.step_conv2(t, lim)
        self.step_classes(t, lim)
        self.step_next_and_morph(story)

    # ----------------------------------------------------------------- helpers
    def say(self, s):
        """The step caption: the old one fades out in the first half of the play, the new
        one fades in in the second half (they share a place: never both at once)."""
        new = text(s, 19).to_edge(DOWN, buff=0.15)
        anims = [FadeIn(new)] if self.caption is None else crossfade(self.caption, new)
        self.caption = new
        return anims

    def relabel(self, attr, new):
        """Cross-fade the label ``self.<attr>`` into ``new`` like :meth:`say` (a Transform
        between different strings shows half-morphed, unreadable letters)."""
        old = getattr(self, attr)
        setattr(self, attr, new)
        return crossfade(old, new)

    def column_label(self, s, x):
        return text(s, 15, color="#BBBBBB").move_to([x, 3.05, 0])

    def fade_values(self, maps, before, after, limit):
        """An animation that cross-fades ``maps`` from ``before`` to ``after`` values."""
        s = ValueTracker(0)

        def paint(_):
            for m, a, b in zip(maps, before, after):
                m.set_values((1 - s.get_value()) * a + s.get_value() * b, limit=limit)

        maps[0].add_updater(paint)
        return s.animate.set_value(1)

    def maps(self, values, x, ys, limit, cell=CELL, empty=False):
        return [FeatureMap(revealed(v, 0) if empty else v, cell_size=cell, limit=limit)
                .move_to([x, y, 0]) for v, y in zip(values, ys)]

    # ----------------------------------------------------------------- 1. input
    def step_input(self, t):
        big = FeatureMap(t.input, cell_size=0.3, palette=INK).move_to([0, -0.1, 0])
        self.play(FadeIn(big), *self.say("1. The input: a letter, 20×20 pixels"), run_time=1)
        numbers = NumberGrid(t.input, cell_size=0.3, fmt="{:.1f}", palette=INK, vmin=0, vmax=1,
                             stroke_width=0.3).move_to(big)
        self.play(FadeIn(numbers), *self.say("... which is a grid of numbers: 0 black, 1 white"))
        self.wait(1.2)
        self.input_map = FeatureMap(t.input, cell_size=CELL, palette=INK).move_to([X["input"], 0, 0])
        self.play(FadeOut(numbers), big.animate.scale(CELL / 0.3).move_to(self.input_map), run_time=1)
        self.remove(big)
        self.add(self.input_map, self.column_label("input", X["input"]))
        step(self, "To the network, a letter is only a grid of numbers: 0 is black, 1 is white.")

    # ----------------------------------------------------------------- 2. conv 1
    def step_conv1(self, t, lim):
        kernels = [NumberGrid(k, cell_size=0.3, fmt="{:.1f}", palette=GREEN_RED)
                   .move_to([X["k1"], y, 0]) for k, y in zip(t.kernels1, Y1)]
        names = [text(f"filter {i + 1}", 14).next_to(k, UP, buff=0.1) for i, k in enumerate(kernels)]
        self.c1 = self.maps(t.conv1_pre, X["c1"], Y1, lim["conv1_pre"], empty=True)
        self.c1_label = self.column_label("conv 1", X["c1"])
        self.play(*[FadeIn(m) for m in kernels + names + self.c1], FadeIn(self.c1_label),
                  FadeIn(k_label := self.column_label("learned\n3×3 filters", X["k1"])),
                  *self.say("2. Two learned 3×3 filters slide over it: sum of patch × filter, "
                            "green > 0, red < 0"))
        side = t.input.shape[0]
        k = ValueTracker(0)
        window = self.input_map.window(-1, -1)
        marks = [Rectangle(width=CELL, height=CELL, color="#FFD400", stroke_width=2) for _ in self.c1]

        def follow(_):
            r, c = divmod(int(k.get_value()), side)
            window.move_to(self.input_map.cell_center(r, c))
            for m, mark, values in zip(self.c1, marks, t.conv1_pre):
                m.set_values(revealed(values, r * side + c + 1), limit=lim["conv1_pre"])
                mark.move_to(m.cell_center(r, c))

        window.add_updater(follow)
        follow(window)
        self.add(window, *marks)
        # stop where filter 1 answers most strongly, then most negatively, then finish
        stops = sorted({int(np.argmax(t.conv1_pre[0])), int(np.argmin(t.conv1_pre[0]))})
        done = 0
        for stop in stops:
            self.play(k.animate.set_value(stop), run_time=1.5 * (stop - done) / side ** 2 + 0.3,
                      rate_func=linear)
            r, c = divmod(stop, side)
            values = [text(f"{v[r, c]:+.2f}", 18, color=GREEN_RED[2] if v[r, c] > 0 else GREEN_RED[0])
                      .next_to(kern, DOWN, buff=0.12)
                      for v, kern in zip(t.conv1_pre, kernels)]
            self.play(FadeIn(*values), run_time=0.4)
            self.wait(0.6)
            self.play(FadeOut(*values), run_time=0.3)
            done = stop
        self.play(k.animate.set_value(side * side - 1), rate_func=linear,
                  run_time=1.5 * (side * side - done) / side ** 2 + 0.3)
        window.clear_updaters()
        self.play(FadeOut(window, *marks, *names, *kernels, k_label), run_time=0.5)
        step(self, "Each learned filter answers strongly (green) where the letter has the "
                   "shape it looks for, and negatively (red) where it has the opposite.")

    # ----------------------------------------------------------------- 3. ReLU, pool
    def step_relu_pool1(self, t, lim):
        self.play(self.fade_values(self.c1, t.conv1_pre, t.conv1, lim["conv1_pre"]),
                  *self.relabel("c1_label", self.column_label("conv 1 → ReLU", X["c1"])),
                  *self.say("3. ReLU throws the negatives away: all the red disappears"),
                  run_time=1.5)
        self.c1[0].clear_updaters()
        self.wait(0.8)
        self.p1 = self.maps(t.pool1, X["p1"], Y1, lim["pool1"])
        copies = [m.copy() for m in self.c1]
        self.play(*[c.animate.scale(0.5).move_to(p) for c, p in zip(copies, self.p1)],
                  *self.say("   Max-pooling keeps the largest of each 2×2 block: half the size"),
                  run_time=1.2)
        self.play(FadeIn(*self.p1), FadeOut(*copies), FadeIn(self.column_label("pool", X["p1"])),
                  run_time=0.5)
        self.wait(0.5)
        step(self, "ReLU keeps only the positive answers; max-pooling keeps the strongest "
                   "answer in each 2×2 block, so the maps shrink to half size.")

    # ----------------------------------------------------------------- 4. conv 2
    def step_conv2(self, t, lim):
        ks = [FeatureMap(np.concatenate([t.kernels2[o, 0], np.full((1, 3), np.nan), t.kernels2[o, 1]]),
                         cell_size=0.09, limit=np.abs(t.kernels2).max(), frame_width=0)
              .move_to([X["k2"], y, 0]) for o, y in enumerate(Y2)]
        self.c2 = self.maps(t.conv2_pre, X["c2"], Y2, lim["conv2_pre"], empty=True)
        self.c2_label = self.column_label("conv 2", X["c2"])
        self.play(FadeIn(*ks, *self.c2, self.c2_label),
                  *self.say("4. Second-layer filters read both channels at once (3×3×2 each)"))
        side = t.pool1.shape[-1]
        k = ValueTracker(0)
        windows = [p.window(-1, -1) for p in self.p1]

        def follow(_):
            r, c = divmod(int(k.get_value()), side)
            for w, p in zip(windows, self.p1):
                w.move_to(p.cell_center(r, c))
            for m, values in zip(self.c2, t.conv2_pre):
                m.set_values(revealed(values, r * side + c + 1), limit=lim["conv2_pre"])

        windows[0].add_updater(follow)
        follow(None)
        self.add(*windows)
        self.play(k.animate.set_value(side * side - 1), run_time=2.5, rate_func=linear)
        windows[0].clear_updaters()
        self.play(FadeOut(*windows), run_time=0.3)
        self.play(self.fade_values(self.c2, t.conv2_pre, t.conv2, lim["conv2_pre"]),
                  *self.relabel("c2_label", self.column_label("conv 2\n→ ReLU", X["c2"])),
                  *self.say("   ReLU again: the red goes"), run_time=1.2)
        self.c2[0].clear_updaters()
        self.p2 = self.maps(t.pool2, X["p2"], Y2, lim["pool2"])
        copies = [m.copy() for m in self.c2]
        self.play(*[c.animate.scale(0.5).move_to(p) for c, p in zip(copies, self.p2)],
                  *self.say("   ... and max-pooling again: 5×5 maps"), run_time=1.0)
        self.play(FadeIn(*self.p2), FadeOut(*copies), FadeIn(self.column_label("pool", X["p2"])),
                  run_time=0.5)
        step(self, "The second layer's filters combine both first-layer maps, so they can "
                   "find larger parts of a letter; ReLU and pooling follow again.")

    # ----------------------------------------------------------------- 5. classes
    def step_classes(self, t, lim):
        k = len(t.classes)
        gap = np.full((t.templates.shape[-1], 1), np.nan)
        rows = []
        for j in range(k):
            y = ROW0 + j * ROW_STEP
            label = text(t.classes[j], 20).move_to([1.95, y, 0])
            parts = sum(([t.templates[j, c], gap] for c in range(t.templates.shape[1])), [])[:-1]
            tmpl = FeatureMap(np.concatenate(parts, axis=1), cell_size=0.08, limit=lim["templates"],
                              frame_width=0).move_to([3.2, y, 0])
            rows.append((label, tmpl))
        self.bars = [Rectangle(width=0.01, height=0.32, fill_color=GREY, fill_opacity=1,
                               stroke_width=0).move_to([BAR_X, ROW0 + j * ROW_STEP, 0], aligned_edge=LEFT)
                     for j in range(k)]
        self.pcts = [glyph("", font_size=16) for _ in range(k)]
        self.add(*self.bars, *self.pcts)
        self.play(*[FadeIn(m) for row in rows for m in row],
                  FadeIn(self.column_label("class templates", 3.0)),
                  FadeIn(self.column_label("probability", BAR_X + 1.0)),
                  *self.say("5. The last maps are dotted with each class's template (the dense layer)"),
                  run_time=1.2)
        self.wait(0.5)
        self.winner = Rectangle(width=BAR_X + BAR_W + 0.75 - 1.7, height=0.46, color=GREEN_RED[2],
                                stroke_width=3).move_to([(1.7 + BAR_X + BAR_W + 0.75) / 2, ROW0, 0])
        probs = ValueTracker(0)
        self.shown = t.probs
        self.bars[0].add_updater(lambda _: self.set_bars(probs.get_value() * self.shown))
        self.play(probs.animate.set_value(1), run_time=1.5,
                  *self.say("   softmax turns the scores into percentages: "
                            f"{t.prediction!r} wins with {100 * t.probs.max():.1f}%"))
        self.bars[0].clear_updaters()
        self.set_bars(t.probs)
        self.play(FadeIn(self.winner), run_time=0.5)
        self.wait(1.0)
        step(self, "Each class has a template; the best match gets the highest score, and "
                   f"softmax turns the scores into probabilities: {t.prediction!r} wins.")

    def set_bars(self, probs):
        win = int(np.argmax(probs))
        for j, (bar, pct) in enumerate(zip(self.bars, self.pcts)):
            y = ROW0 + j * ROW_STEP
            w = max(BAR_W * float(probs[j]), 0.01)
            bar.stretch_to_fit_width(w).move_to([BAR_X + w / 2, y, 0])
            bar.set_fill(GREEN_RED[2] if j == win else GREY)
            text = f"{100 * probs[j]:.0f}%"
            if getattr(pct, "viz_text", None) != text:    # a new number: new glyphs
                g = glyph(text, font_size=15, color="#DDDDDD")
                pct.become(g)
                pct.viz_text = text
            pct.move_to([BAR_X + w + 0.1 + pct.width / 2, y, 0])   # (most frames: only moves)
        if getattr(self, "winner", None) is not None:
            self.winner.move_to([self.winner.get_center()[0], ROW0 + win * ROW_STEP, 0])

    # ----------------------------------------------------------------- 6. next, morph
    def show(self, frame):
        """Every layer of the stack shows ``frame`` (an OtavioTrace of one input)."""
        lim = self.story.limits
        self.input_map.set_values(frame.input)
        for maps, values, key in ((self.c1, frame.conv1, "conv1_pre"), (self.p1, frame.pool1, "pool1"),
                                  (self.c2, frame.conv2, "conv2_pre"), (self.p2, frame.pool2, "pool2")):
            for m, v in zip(maps, values):
                m.set_values(v, limit=lim[key])
        self.set_bars(frame.probs)

    def step_next_and_morph(self, story):
        for nxt in story.following:
            prev = self.current if hasattr(self, "current") else story.first
            s = ValueTracker(0)
            self.input_map.add_updater(lambda _, a=prev, b=nxt: self.show(_blend(a, b, s.get_value())))
            self.play(s.animate.set_value(1), run_time=1.0,
                      *self.say(f"6. The next letter, {nxt.prediction!r}: "
                                f"{100 * nxt.probs.max():.0f}% {nxt.prediction!r}"))
            self.input_map.clear_updaters()
            self.show(nxt)
            self.current = nxt
            self.wait(1.0)
            step(self, f"A new letter, {nxt.prediction!r}: every map changes, and the "
                       f"network now picks {nxt.prediction!r}.")
        m = story.morph
        n = len(m)
        s = ValueTracker(0)
        self.input_map.add_updater(lambda _: self.show(m.frame(int(round(s.get_value() * (n - 1))))))
        # linear for the morph only: a play-wide rate_func would override the captions'
        # half-and-half fades (both captions on screen, over each other, for 4 s)
        self.play(s.animate(rate_func=linear).set_value(1), run_time=self.morph_seconds,
                  *self.say(f"   A smooth morph from {m.prediction[0]!r} to {m.prediction[-1]!r}: "
                            "every layer follows"))
        self.input_map.clear_updaters()
        self.show(m.frame(n - 1))
        self.wait(1.5)
        step(self, f"As {m.prediction[0]!r} morphs into {m.prediction[-1]!r}, watch the "
                   "maps change gradually and the winning class switch part-way.")


def _blend(a, b, s):
    """A display-only cross-fade between two traces' maps (no network involved)."""
    from dataclasses import replace
    keys = ("input", "conv1", "pool1", "conv2", "pool2", "probs")
    return replace(a, **{k: (1 - s) * getattr(a, k) + s * getattr(b, k) for k in keys})
