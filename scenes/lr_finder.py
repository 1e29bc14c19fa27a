"""The learning-rate finder, animated (fast.ai 2018, lessons 1-2).

A real range test (small CNN on sklearn's digits, Adam; ``viz.core.lr_finder``): the lr
marker runs up the log axis batch by batch and the loss trace follows; the loss blows up
and the test stops; the flat and diverging regions are shaded; then the learning rate is
picked: not the minimum (already too high) but about 10x below it, where the loss is
still falling steeply.

    manim -ql --disable_caching scenes/lr_finder.py LRFinderSweep
"""
from __future__ import annotations

from manim import DOWN, LEFT, UP, GrowArrow, ValueTracker, VGroup, linear

from viz.anim import glyph
from viz.anim.fades import FadeIn, FadeOut, crossfade
from viz.anim.lesson import LessonScene, step
from viz.anim.lr_finder import DIVERGE_COLOR, FLAT_COLOR, PICK_COLOR, LRPlot, lr_text
from viz.core.lr_finder import digits_lr_find, loss_regions


def caption(text: str, font_size: float = 24, color="#EEEEEE") -> VGroup:
    lines = VGroup(*[glyph(t, font_size=font_size, color=color) for t in text.split("\n")])
    return lines.arrange(DOWN, buff=0.12).to_edge(DOWN, buff=0.3)


class LRFinderSweep(LessonScene):
    def construct(self):
        result = digits_lr_find()
        regions = loss_regions(result)
        steep, min10 = result.suggestion("steepest"), result.suggestion("min/10")
        low_lr, low_loss = regions.minimum

        title = glyph("The learning-rate finder", font_size=36).to_edge(UP, buff=0.3)
        plot = LRPlot.from_result(result, width=10.5, height=4.4).next_to(title, DOWN, buff=0.8)
        self.play(FadeIn(title), plot.create())
        rule = caption(f"each batch: one training step, then lr × {result.lr_mult:.4f}\n"
                       f"from {lr_text(result.start_lr)} towards {lr_text(result.end_lr)}")
        self.play(FadeIn(rule))
        step(self, "The learning-rate finder trains for one batch at a time and raises the "
                   "learning rate a little after every batch.")

        tracker = ValueTracker(0)
        trace, marker = plot.trace(tracker), plot.lr_marker(tracker)
        self.add(trace, marker)
        self.play(tracker.animate.set_value(len(result.lrs) - 1), run_time=6, rate_func=linear)
        stop = plot.stop_line(result.stop_lr, f"stopped at batch {result.stop_iteration}:\n"
                              f"loss > {result.stop_factor:g} × best ({result.best_loss:.2f})")
        self.play(*crossfade(marker, stop), FadeOut(rule))     # labels in one place
        trace.clear_updaters()
        step(self, "The loss falls slowly, then quickly, then shoots up: the finder stops "
                   "once the loss is far above its best.")

        bands = VGroup()
        if regions.flat is not None:
            bands.add(plot.band(*regions.flat, "too small:\nloss barely moves", FLAT_COLOR))
        if regions.diverging is not None:
            bands.add(plot.band(*regions.diverging, "too big:\ndiverging", DIVERGE_COLOR,
                                 at_top=True))
        self.play(FadeIn(bands))
        self.wait(0.5)
        step(self, "Too small a learning rate and the loss barely moves; too big and it "
                   "diverges.")

        minimum = plot.pin(low_lr, low_loss, f"minimum at {lr_text(low_lr)}:\nalready too high",
                           DIVERGE_COLOR, direction=DOWN)
        self.play(FadeIn(minimum))
        back = plot.arrow(low_lr, min10.lr, low_loss, PICK_COLOR)
        back_label = VGroup(glyph("÷ 10", font_size=22, color=PICK_COLOR)).next_to(back, UP, buff=0.1)
        back_label.shift(0.25 * LEFT)        # clear of the loss curve, dark behind it: not the raw trace
        back_label.add_background_rectangle(color="#000000", opacity=0.6, buff=0.03)
        self.play(GrowArrow(back), FadeIn(back_label))
        pick = plot.pin(steep.lr, steep.loss, f"steepest: {lr_text(steep.lr)}", PICK_COLOR,
                        direction=LEFT)
        advice = caption(f"pick lr ≈ {lr_text(steep.lr)}: the loss is still clearly falling\n"
                         f"(steepest {lr_text(steep.lr)}, minimum ÷ 10 = {lr_text(min10.lr)})",
                         color=PICK_COLOR)
        self.play(FadeIn(pick), FadeIn(advice))
        self.wait(1.5)
        step(self, "Do not pick the minimum: there the loss has already stopped improving. "
                   "Pick a rate where it is still falling steeply, about a tenth of it.")
