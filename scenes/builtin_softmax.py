"""Softmax built in vs learned: (b)'s outputs wander, (a)'s always form a distribution.

The same small network, optimizer, mini-batches and seed on 8x8 digits (numbers from
``viz.core.builtin_softmax``): (a) softmax + cross-entropy, (b) linear outputs regressed
onto one-hot with MSE. For one held-out digit the ten outputs of both play through
training, record by record; the sums are written under them: (a)'s is always 1, (b)'s
wanders, and its bars leave [0, 1] (vermillion).

    manim -ql scenes/builtin_softmax.py OutputsWander
"""
from manim import DOWN, UP, ValueTracker, VGroup, linear

from viz.anim import FONT, glyph, lesson
from viz.anim.fades import FadeIn
from viz.anim.lesson import LessonScene
from viz.anim.featuremap import INK, FeatureMap
from viz.anim.outputbars import SignedBars
from viz.core.builtin_softmax import cached_comparison

TEXT, MUTED, A_COLOR, B_COLOR = "#EEEEEE", "#999999", "#56B4E9", "#E69F00"
DIGIT = 2          # which of the recorded held-out digits to follow

load = cached_comparison      # tests swap in a recorded comparison


def _readout(tracker, fmt, values, **kw):
    """A glyph that shows ``fmt.format(values[round(tracker)])`` every frame."""
    g = glyph(fmt.format(values[0]), font=FONT, **kw)

    def update(m):
        i = int(min(max(round(tracker.get_value()), 0), len(values) - 1))
        m.become(glyph(fmt.format(values[i]), font=FONT, **kw).move_to(m.get_center()))
    g.add_updater(update)
    return g


class OutputsWander(LessonScene):
    def construct(self):
        comp = load()
        a, b = comp.run("softmax"), comp.run("mse")
        title = glyph("Same network, same steps: softmax built in vs probabilities learned",
                      font_size=28, color=TEXT).to_edge(UP, buff=0.35)
        digit = FeatureMap(comp.shown_images[DIGIT], cell_size=0.25, palette=INK, limit=1.0)
        digit.move_to([-5.3, 0.9, 0])
        d_lbl = glyph(f"held-out '{comp.shown_labels[DIGIT]}'", font_size=20, color=TEXT)
        d_lbl.next_to(digit, DOWN, buff=0.25)
        classes = [str(c) for c in range(10)]
        bars_a = SignedBars(a.outputs[0, DIGIT], classes, unit=2.6, color=A_COLOR,
                            title="(a) softmax + cross-entropy").move_to([-1.4, 1.0, 0])
        bars_b = SignedBars(b.outputs[0, DIGIT], classes, unit=2.6, color=B_COLOR,
                            title="(b) linear, MSE onto one-hot").move_to([4.0, 1.0, 0])
        bars_b.shift(UP * (bars_a.zero.get_y() - bars_b.zero.get_y()))      # one 0 line for both
        t = ValueTracker(0)
        bars_a.follow(t, a.outputs[:, DIGIT])
        bars_b.follow(t, b.outputs[:, DIGIT])
        y_read = bars_a.zero.get_y() - 1.35
        step = _readout(t, "step {}", comp.steps, font_size=24, color=TEXT)
        step.move_to([-5.3, y_read - 0.05, 0])
        sum_a = _readout(t, "sum = {:.3f}", a.output_sums[:, DIGIT], font_size=24, color=A_COLOR)
        sum_b = _readout(t, "sum = {:.3f}", b.output_sums[:, DIGIT], font_size=24, color=B_COLOR)
        sum_a.move_to([bars_a.zero.get_center()[0], y_read, 0])
        sum_b.move_to([bars_b.zero.get_center()[0], y_read, 0])
        out_b = _readout(t, "{} outside [0, 1]", b.n_outside[:, DIGIT], font_size=20, color="#D55E00")
        out_b.next_to(sum_b, DOWN, buff=0.2)
        out_a = _readout(t, "{} outside [0, 1]", a.n_outside[:, DIGIT], font_size=20, color=MUTED)
        out_a.next_to(sum_a, DOWN, buff=0.2)
        self.add(title)
        self.play(FadeIn(digit), FadeIn(d_lbl), FadeIn(bars_a), FadeIn(bars_b), FadeIn(step),
                  FadeIn(sum_a), FadeIn(sum_b), FadeIn(out_a), FadeIn(out_b), run_time=0.8)
        lesson.step(self, "Two copies of one network: (a) ends in softmax, (b) must learn to "
                          "output probabilities by itself.")
        self.play(t.animate(rate_func=linear).set_value(len(comp.steps) - 1), run_time=9)
        for m in (bars_a, bars_b, step, sum_a, sum_b, out_a, out_b):
            m.clear_updaters()
        lesson.step(self, "During training (a)'s outputs always sum to 1 and stay between 0 and "
                          "1; (b)'s wander outside that range.")
        i = len(comp.steps) - 1
        note = VGroup(
            glyph(f"after {comp.steps[-1]} steps, held-out accuracy: (a) {a.test_acc[i]:.0%}, "
                  f"(b) {b.test_acc[i]:.0%}", font_size=20, color=TEXT),
            glyph(f"on all held-out digits, (b)'s outputs miss a sum of 1 by {b.sum_gap[i]:.2f} "
                  f"on average; (a)'s never do", font_size=20, color=TEXT))
        note.arrange(DOWN, buff=0.15).to_edge(DOWN, buff=0.3)
        self.play(FadeIn(note), run_time=0.6)
        self.wait(1.5)
        lesson.step(self, "Building softmax into the architecture gives the network one thing "
                          "less to learn.")



