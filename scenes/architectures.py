"""Architectures compared: six small CNNs, trained the same way, side by side.

Each column is one model from ``viz.core.architectures`` (same 12x12 digits, optimizer,
epochs and mini-batches): its layers as ``learn.summary()`` lists them, its parameter
count, then its held-out accuracy growing epoch by epoch, and the CPU time its training
took on the machine that ran it. The conclusion, from the numbers, closes it.

    manim -ql scenes/architectures.py ArchitecturesCompared
"""
from manim import DOWN, UP, Rectangle, RoundedRectangle, ValueTracker, VGroup, linear

from viz.anim import glyph
from viz.anim.fades import FadeIn
from viz.anim.lesson import LessonScene, step
from viz.core.architectures import cached_comparison

TEXT, MUTED = "#EEEEEE", "#999999"
COLORS = ("#56B4E9", "#DE8F05", "#029E73", "#D55E00", "#CC78BC", "#CA9161")
KIND = {"Conv2d": "conv", "BatchNorm2d": "batch norm", "ReLU": "ReLU", "MaxPool2d": "max-pool",
        "AdaptiveAvgPool2d": "global pool", "Flatten": "flatten", "Linear": "linear"}
BAR_H, BAR_Y = 1.45, -2.95         # accuracy 1.0 is BAR_H tall, standing on BAR_Y

load = cached_comparison             # tests swap in a recorded comparison


def _layer_block(row, color):
    shape = "×".join(str(d) for d in row.output_shape[1:])
    box = RoundedRectangle(corner_radius=0.05, width=2.05, height=0.22, stroke_width=1.2,
                           stroke_color=color, fill_color=color, fill_opacity=0.18 if row.params else 0.0)
    label = glyph(f"{KIND.get(row.kind, row.kind)}  {shape}", font_size=12, color=TEXT).move_to(box)
    return VGroup(box, label)


class ArchitecturesCompared(LessonScene):
    def construct(self):
        comp = load()
        n = len(comp.archs)
        title = glyph(f"Six small CNNs, trained the same way on {comp.image_size}×{comp.image_size} digits",
                      font_size=26, color=TEXT).to_edge(UP, buff=0.25)
        self.add(title)
        xs = [(j - (n - 1) / 2) * 2.3 for j in range(n)]
        cols, bars = [], []
        t = ValueTracker(0)
        for x, a, color in zip(xs, comp.archs, COLORS):
            name = glyph(a.name, font_size=20, color=color).move_to([x, 3.0, 0])
            stack = VGroup(*[_layer_block(r, color) for r in a.summary.rows]).arrange(DOWN, buff=0.03)
            stack.next_to(name, DOWN, buff=0.15)
            params = glyph(f"{a.params:,} params", font_size=16, color=TEXT).move_to([x, -0.55, 0])
            cols.append(VGroup(name, stack, params))
            bar = Rectangle(width=0.8, height=1e-3, stroke_width=0, fill_color=color, fill_opacity=1)
            bar.move_to([x, BAR_Y, 0], aligned_edge=DOWN)
            acc = a.epoch_acc

            def grow(m, acc=acc, x=x):
                e = int(min(max(round(t.get_value()), 0), len(acc)))
                h = max(float(acc[e - 1]) * BAR_H, 1e-3) if e else 1e-3
                m.stretch_to_fit_height(h).move_to([x, BAR_Y, 0], aligned_edge=DOWN)
            bar.add_updater(grow)
            bars.append(bar)
        self.play(*[FadeIn(c) for c in cols], run_time=1.2)
        step(self, "Six small CNNs, each drawn as its stack of layers, trained the same way "
                   "on the same digits.")
        self.add(*bars)
        epoch = glyph("held-out accuracy after epoch 0", font_size=16, color=MUTED).move_to([0, -0.95, 0])
        self.add(epoch)

        def count(m):
            e = int(min(max(round(t.get_value()), 0), comp.epochs))
            m.become(glyph(f"held-out accuracy after epoch {e}", font_size=16, color=MUTED)
                     .move_to(m.get_center()))
        epoch.add_updater(count)
        self.play(t.animate(rate_func=linear).set_value(comp.epochs), run_time=4)
        for m in bars + [epoch]:
            m.clear_updaters()
        accs = VGroup(*[glyph(f"{a.test_acc:.1%}", font_size=16, color=TEXT)
                        .next_to(b, UP, buff=0.08) for a, b in zip(comp.archs, bars)])
        secs = VGroup(*[glyph(f"{a.train_seconds:.2f} s CPU", font_size=13, color=MUTED)
                        .move_to([x, BAR_Y - 0.18, 0]) for x, a in zip(xs, comp.archs)])
        self.play(FadeIn(accs), FadeIn(secs), run_time=0.6)
        self.wait(0.5)
        step(self, "The bars grow with held-out accuracy, epoch by epoch; under each, the "
                   "seconds of CPU it took.")
        words, lines, line = comp.conclusion().split(), [], ""
        for w in words:                       # wrap the sentence into lines of ~110 characters
            if len(line) + len(w) > 110:
                lines.append(line)
                line = ""
            line = f"{line} {w}".strip()
        lines.append(line)
        note = VGroup(*[glyph(s, font_size=15, color=TEXT) for s in lines]).arrange(DOWN, buff=0.08)
        note.to_edge(DOWN, buff=0.12)
        self.play(FadeIn(note), run_time=0.6)
        self.wait(1.5)
        step(self, "Compare accuracy with cost: the best design is not always the biggest.")
