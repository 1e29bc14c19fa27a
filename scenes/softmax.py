"""Softmax picks one, sigmoids don't (fast.ai 2018, lessons 2-3). Five scenes:

* ``EntropySheet``: the entropy spreadsheet column by column: outputs, exp, softmax (sums
  to 1), sigmoid (does not), the one-hot actual and the cross-entropy, in natural log
  (torch) and in the sheet's base-10 ``LOG``.
* ``SoftmaxPicksOne``: the dog's logit rises; its softmax bar grows and the others
  shrink, while the sigmoid bars of the other classes stay put.
* ``TwoLabels``: gradient descent toward "plane and fish": softmax stops at 0.5 each,
  sigmoids climb to 1.
* ``MultiLabelTiles``: held-out generated tiles, the sigmoid head's and the softmax
  head's predicted tag probabilities, and their planet F2.
* ``FBeta``: iso-F contours for beta 1, 2, 3; then F2 against the threshold for both
  trained heads with fastai's planet range 0.17-0.23.

Every number comes from ``viz.core.softmax`` / ``viz.core.multilabel``. Render:
``manim -ql --disable_caching scenes/softmax.py SoftmaxPicksOne`` or
``viz render softmax-picks-one --quality low``.
"""
from __future__ import annotations

from manim import (DOWN, LEFT, RIGHT, UP, Create, Dot, Group, SurroundingRectangle,
                   Transform, ValueTracker, VGroup, linear)

from viz.anim import NumberGrid, glyph
from viz.anim.formula import formula
from viz.anim.fades import FadeIn, FadeOut, crossfade
from viz.anim.lesson import LessonScene, step
from viz.anim.glyphs import fit_font_size
from viz.anim.probbars import SIGMOID_COLOR, SOFTMAX_COLOR, ProbBars, UnitChart, tile_image
from viz.core import softmax as sm

YELLOW = "#F0E442"
ORANGE = "#E69F00"


def caption(text, size=24, color="#EEEEEE", tex=None):
    """Lines of text at the bottom; ``tex``: the one-line text as a typeset formula."""
    if tex is not None:
        return VGroup(formula(tex, text, font_size=size, color=color, tex_font_size=size * 1.25)
                      ).to_edge(DOWN, buff=0.35)
    lines = VGroup(*[glyph(t, font_size=size, color=color) for t in text.split("\n")])
    return lines.arrange(DOWN, buff=0.12).to_edge(DOWN, buff=0.35)


def title(text):
    return glyph(text, font_size=34).to_edge(UP, buff=0.3)


class EntropySheet(LessonScene):
    def construct(self):
        s = sm.entropy_sheet()
        self.play(FadeIn(title("The entropy spreadsheet")))
        names = VGroup(*[glyph(c, font_size=22) for c in s.classes])
        cols = [("output", s.output, "{:.2f}", "outputs (logits) of the last layer"),
                ("exp", s.exp, "{:.2f}", "exp = EXP(output): positive, differences sharpened"),
                ("softmax", s.softmax, "{:.4f}", f"softmax = exp / SUM(exp) = exp / {s.exp_sum:.2f}"),
                ("sigmoid", s.sigmoid, "{:.4f}", "sigmoid = exp / (1 + exp): each on its own"),
                ("actual", s.actuals, "{:.0f}", "one-hot actual: it is a dog")]
        size = fit_font_size([f.format(x) for _, v, f, _ in cols for x in v], 0.68, 0.3)
        grids = [NumberGrid(v[:, None], cell_size=0.8, fmt=f, font_size=size) for _, v, f, _ in cols]
        VGroup(*grids).arrange(RIGHT, buff=0.5).move_to([0.6, -0.1, 0])
        for i, n in enumerate(names):
            n.next_to(grids[0].cell(i, 0), LEFT, buff=0.3)
        self.play(FadeIn(names))
        tex = {"softmax": rf"\mathrm{{softmax}} = \frac{{\exp}}{{\sum \exp}} = \frac{{\exp}}{{{s.exp_sum:.2f}}}",
               "sigmoid": r"\mathrm{sigmoid} = \frac{\exp}{1 + \exp}\text{: each on its own}"}
        cap = None
        for (head, _, _, text), g in zip(cols, grids):
            new = caption(text, tex=tex.get(head))
            hdr = glyph(head, font_size=20).next_to(g, UP, buff=0.2)
            self.play(FadeIn(hdr), g.create(lag_ratio=0.15, run_time=0.8),
                      *(crossfade(cap, new) if cap else [FadeIn(new)]))   # never half-morphed
            cap = new
            if head in ("softmax", "sigmoid"):
                total = s.softmax.sum() if head == "softmax" else s.sigmoid.sum()
                self.play(FadeIn(glyph(f"Σ = {total:.3f}", font_size=16, color=YELLOW)
                                 .next_to(g, DOWN, buff=0.2)))
            self.wait(0.4)
            if head in ("output", "softmax", "sigmoid", "actual"):
                # the first step ends once the outputs it speaks of are on screen
                step(self, {"output": "The entropy spreadsheet: one image, five classes, and "
                                       "the last layer's output for each class.",
                            "softmax": "Softmax divides each exp by their sum, so the five "
                                        "numbers add up to 1: they compete.",
                            "sigmoid": "Each sigmoid looks only at its own output, so they "
                                        "do not add up to 1.",
                            "actual": "The actual label is one-hot: 1 for dog, 0 for the "
                                       "rest."}[head])
        k = s.true_class
        box = SurroundingRectangle(VGroup(grids[2].cell(k, 0), grids[4].cell(k, 0)), color=YELLOW)
        self.play(Create(box), *crossfade(cap, caption(
            f"cross-entropy = −ln(softmax of the true class) = −ln({s.softmax[k]:.4f}) = {s.ce_ln:.2f}\n"
            f"the sheet's LOG is base 10: −log₁₀({s.softmax[k]:.4f}) = {s.ce_log10:.2f}  (= ln / 2.303)",
            size=22)))
        self.wait(2)
        step(self, "Cross-entropy only looks at the probability of the true class: the "
                   "closer it is to 1, the smaller the loss.")


class SoftmaxPicksOne(LessonScene):
    def construct(self):
        sw = sm.rising_logit()
        name = sw.classes[sw.index]
        self.play(FadeIn(title("Softmax wants to pick one; sigmoids don't")))
        soft = ProbBars(sw.softmax[0], sw.classes, color=SOFTMAX_COLOR, title="softmax",
                        length=3.4, spacing=1.0)
        sig = ProbBars(sw.sigmoid[0], sw.classes, color=SIGMOID_COLOR, title="sigmoid",
                       length=3.4, spacing=1.0)
        VGroup(soft, sig).arrange(RIGHT, buff=1.3).move_to([0, -0.35, 0])
        self.play(FadeIn(soft), FadeIn(sig))
        step(self, "The same five outputs, turned into probabilities two ways: softmax on "
                   "the left, one sigmoid per class on the right.")
        tracker = ValueTracker(0)
        readout = glyph(f"{name} logit = {sw.values[0]:.2f}", font_size=26, color=YELLOW)
        readout.move_to([0, 2.75, 0])

        def update(mob):
            i = int(round(tracker.get_value()))
            mob.become(glyph(f"{name} logit = {sw.values[i]:.2f}", font_size=26, color=YELLOW)
                       .move_to(readout.get_center()))

        value = readout.copy().add_updater(update)
        self.add(value)
        soft.bars_follow(tracker, sw.softmax)
        sig.bars_follow(tracker, sw.sigmoid)
        self.play(tracker.animate.set_value(len(sw.values) - 1), run_time=5, rate_func=linear)
        for m in (soft, sig, value):
            m.clear_updaters()
        self.play(FadeIn(caption("exp sharpens the differences; dividing by the sum makes them compete.\n"
                                 "Each sigmoid only looks at its own logit.", size=22)))
        self.wait(2)
        step(self, "As the dog's output rises, softmax gives the dog more and every other "
                   "class less; the other sigmoids do not move at all.")


class TwoLabels(LessonScene):
    def construct(self):
        fit = sm.fit_two_labels()
        self.play(FadeIn(title("Two labels true: plane and fish")))
        soft = ProbBars(fit.softmax_probs[0], fit.classes, color=SOFTMAX_COLOR, targets=fit.targets,
                        title="softmax + cross-entropy", length=3.4, spacing=1.0)
        sig = ProbBars(fit.sigmoid_probs[0], fit.classes, color=SIGMOID_COLOR, targets=fit.targets,
                       title="sigmoid + binary cross-entropy", length=3.4, spacing=1.0)
        VGroup(soft, sig).arrange(RIGHT, buff=1.3).move_to([0, -0.1, 0])
        self.play(FadeIn(soft), FadeIn(sig))
        cap = caption(f"gradient descent on the five logits, {len(fit.steps)} steps")
        self.play(FadeIn(cap))
        step(self, "Now two labels are true at once: plane and fish. Watch where each kind "
                   "of output ends up after training.")
        tracker = ValueTracker(0)
        soft.bars_follow(tracker, fit.softmax_probs)
        sig.bars_follow(tracker, fit.sigmoid_probs)
        self.play(tracker.animate.set_value(len(fit.steps) - 1), run_time=4, rate_func=linear)
        soft.clear_updaters()
        sig.clear_updaters()
        self.play(*crossfade(cap, caption("softmax's outputs sum to 1: at best 0.5 each.\n"
                                          "Sigmoids are independent: both reach ≈ 1.", size=22)))
        self.wait(2)
        step(self, "Softmax must share 1 between them, so it stops at one half each; "
                   "sigmoids are independent and both climb to 1.")


class MultiLabelTiles(LessonScene):
    def construct(self):
        from viz.core.multilabel import default_comparison

        c = default_comparison()
        test, sig, soft = c.split.test, c.sigmoid, c.softmax
        k = test.labels.sum(1)
        picks = [int((k == n).nonzero()[0][0]) for n in (2, 3, 4) if (k == n).any()]
        self.play(FadeIn(title("Multi-label tiles: the same CNN, two heads")))

        def panel(i):
            img = tile_image(test.images[i], height=3.2).move_to([-4.6, 0.1, 0])
            names = test.tag_names(i)
            tags = VGroup(*[glyph(", ".join(names[j:j + 2]), font_size=20)
                            for j in range(0, len(names), 2)]).arrange(DOWN, buff=0.1)
            tags.next_to(img, DOWN, buff=0.25)
            bars = []
            for r, col, name, x in ((sig, SIGMOID_COLOR, "sigmoid + BCE", -0.4),
                                    (soft, SOFTMAX_COLOR, "softmax + CE", 4.1)):
                b = ProbBars(r.probs[i], r.tags, color=col, horizontal=True, length=2.3,
                             spacing=0.55, bar_width=0.36, targets=test.labels[i], font_size=18,
                             title=name)
                bars.append(b.move_to([x, -0.1, 0]))
            return Group(img, tags, *bars)

        cap = caption("held-out tiles; dashed: the true tags", size=22)
        shown = panel(picks[0])
        self.play(FadeIn(shown), FadeIn(cap))
        self.wait(1.5)
        step(self, "A held-out tile with several true tags (dashed): the same CNN with a "
                   "sigmoid head and with a softmax head.")
        for i in picks[1:]:
            nxt = panel(i)
            self.play(*crossfade(shown, nxt))        # tags and numbers never over each other
            shown = nxt
            self.wait(1.5)
        step(self, "The sigmoid head can say yes to many tags at once; softmax spreads one "
                   "unit of probability over all of them.")
        self.play(FadeOut(shown), FadeOut(cap))
        score = VGroup(
            glyph(f"sigmoid + BCE: planet F2 = {sig.f2:.3f}", font_size=34, color=SIGMOID_COLOR),
            glyph(f"softmax + CE: planet F2 = {soft.f2:.3f}", font_size=34, color=SOFTMAX_COLOR),
            glyph(f"on {len(test)} held-out tiles, best threshold in 0.17-0.23", font_size=22),
        ).arrange(DOWN, buff=0.35)
        self.play(FadeIn(score))
        self.wait(2)
        step(self, "Scored with the planet competition's F2, the sigmoid head wins: "
                   "multi-label problems need sigmoids.")


class FBeta(LessonScene):
    def construct(self):
        from viz.core.multilabel import default_comparison

        head = title("F-beta: a weighted harmonic mean")
        self.play(FadeIn(head))
        chart = UnitChart(width=5, height=5, x_label="recall", y_label="precision")
        chart.move_to([-2.6, -0.4, 0])
        levels = (0.2, 0.4, 0.6, 0.8)

        def contours(beta):
            return VGroup(*[chart.curve(*sm.iso_f_curve(f, beta), color=ORANGE) for f in levels])

        def tag(beta):
            return VGroup(formula(rf"F_{beta} = \frac{{(1+{beta}^2)\,P\,R}}{{{beta}^2 P + R}}",
                                  f"F{beta} = (1+{beta}²)·P·R / ({beta}²·P + R)", font_size=24,
                                  tex_font_size=32),
                          glyph(f"contours F = {', '.join(map(str, levels))}", font_size=20),
                          glyph("recall counts β² times as much" if beta > 1 else
                                "precision and recall count the same", font_size=20)
                          ).arrange(DOWN, aligned_edge=LEFT).next_to(chart, RIGHT, buff=0.8)

        lines, text = contours(1), tag(1)
        self.play(FadeIn(chart), Create(lines), FadeIn(text))
        self.wait(1)
        step(self, "F1 treats precision and recall alike: each curve joins the points with "
                   "the same score.")
        for beta in (2, 3):
            new = tag(beta)
            self.play(Transform(lines, contours(beta)), *crossfade(text, new))   # text never over text
            text = new
            self.wait(1)
        step(self, "With a larger beta the curves turn upright: recall counts beta squared "
                   "times as much as precision.")
        self.play(FadeOut(chart), FadeOut(lines), FadeOut(text))

        c = default_comparison()
        plot = UnitChart(width=8, height=4.2, x_label="threshold", y_label="F2").move_to([0, -0.3, 0])
        band = plot.band(*sm.PLANET_THRESHOLDS[[0, -1]], color=ORANGE)
        band_lbl = glyph("planet.py: 0.17-0.23", font_size=18, color=ORANGE).next_to(band, UP, buff=0.1)
        self.play(FadeIn(plot), FadeIn(band), FadeIn(band_lbl))
        for r, col, y in ((c.sigmoid, SIGMOID_COLOR, 0.78), (c.softmax, SOFTMAX_COLOR, 0.68)):
            curve = plot.curve(r.curve.thresholds, r.curve.scores, color=col)
            dot = Dot(plot.c2p(r.threshold, r.f2), color=col, radius=0.08)
            note = glyph(f"{r.head}: planet F2 {r.f2:.3f} (threshold {r.threshold:.2f})",
                         font_size=20, color=col)
            note.move_to(plot.c2p(0.42, y), aligned_edge=LEFT)
            self.play(Create(curve), run_time=1.5)
            self.play(FadeIn(dot), FadeIn(note))
        self.play(FadeIn(caption("fastai's planet trick: report the best F2 over thresholds 0.17…0.23", 22)))
        self.wait(2)
        step(self, "F2 depends on the threshold that turns probabilities into tags; fastai "
                   "reports the best one between 0.17 and 0.23.")
