"""A DataLoader feeds the model: numbered items, a shuffled order, batches, new pixels.

Top: a Dataset of ten digits, ``ds[0]`` ... ``ds[9]``. Each epoch the loader's sampler
gives a new order (from its seeded generator, recorded in ``viz.core.dataloading``);
``next(it)`` reads ``batch_size`` items, each through the random shift in
``__getitem__`` (so the pixels differ from the stored ones), and stacks them into
``x (4, 1, 8, 8)`` and ``y``; the last batch is partial. Epoch 2: another order, other
pixels, the same labels.

    manim -ql scenes/dataloading.py DataLoaderScene
"""
from manim import DOWN, UP, ReplacementTransform, RoundedRectangle, VGroup

from viz.anim import glyph
from viz.anim.fades import FadeIn, crossfade
from viz.anim.lesson import LessonScene, step
from viz.anim.featuremap import INK, FeatureMap
from viz.core.dataloading import trace_loader

TEXT, MUTED = "#EEEEEE", "#999999"
BATCH_COLORS = ("#56B4E9", "#E69F00", "#009E73", "#CC79A7")
CELL, STEP = 0.095, 1.2           # image: 8 cells of CELL; distance between items

load = trace_loader                 # tests may swap in a recorded trace


def _x(j, n):
    return (j - (n - 1) / 2) * STEP


class DataLoaderScene(LessonScene):
    def construct(self):
        tr = load()
        n = tr.n_items
        title = glyph("A DataLoader: numbered items, shuffled each epoch, collated into batches",
                      font_size=26, color=TEXT).to_edge(UP, buff=0.3)
        head = glyph(f"Dataset: len(ds) = {n}, ds[i] → (image, label)", font_size=20, color=TEXT)
        head.move_to([0, 2.85, 0])
        items = VGroup(*[FeatureMap(tr.images[i, 0], cell_size=CELL, palette=INK, limit=1.0)
                         .move_to([_x(i, n), 1.95, 0]) for i in range(n)])
        tags = VGroup(*[glyph(f"ds[{i}]", font_size=15, color=TEXT).next_to(items[i], UP, buff=0.1)
                        for i in range(n)])
        labels = VGroup(*[glyph(f"label {tr.labels[i]}", font_size=13, color=MUTED)
                          .next_to(items[i], DOWN, buff=0.1) for i in range(n)])
        self.add(title)
        self.play(FadeIn(head), FadeIn(items), FadeIn(tags), FadeIn(labels), run_time=0.8)
        step(self, "A Dataset is numbered items: asking for ds[i] gives one image and its "
                   "label.")
        shown = VGroup()
        for e in range(min(2, tr.n_epochs)):
            ep = glyph(f"epoch {e + 1}: it = iter(loader)   (shuffle=True, generator seeded {tr.seed})",
                       font_size=20, color=TEXT).move_to([0, 0.75, 0])
            order = VGroup(*[glyph(str(int(i)), font_size=20, color=TEXT).move_to([_x(j, n), 0.25, 0])
                             for j, i in enumerate(tr.order[e])])
            # the old epoch's line and order out first, then the new ones: never over each other
            self.play(*(crossfade(shown, VGroup(ep, order)) if len(shown) else [FadeIn(ep), FadeIn(order)]),
                      run_time=0.6)
            shown = VGroup(ep, order)
            for b, (lo, hi) in enumerate(tr.bounds()):
                idx, xb, yb = tr.batch(e, b)
                color = BATCH_COLORS[b % len(BATCH_COLORS)]
                moving = VGroup(*[items[int(i)].copy() for i in idx])
                landed = VGroup(*[FeatureMap(xb[j, 0], cell_size=CELL, palette=INK, limit=1.0)
                                  .move_to([_x(lo + j, n), -0.75, 0]) for j in range(len(idx))])
                box = RoundedRectangle(corner_radius=0.12, width=(hi - lo) * STEP - 0.1, height=1.45,
                                       stroke_color=color, stroke_width=3)
                box.move_to([(_x(lo, n) + _x(hi - 1, n)) / 2, -0.6, 0])
                for j in range(len(idx)):
                    order[lo + j].set_color(color)
                shape = "×".join(str(d) for d in xb.shape)
                partial = len(idx) < tr.batch_size
                cap = VGroup(glyph(f"next(it) → batch i = {b}" + (", partial" if partial else ""),
                                   font_size=15, color=color),
                             glyph(f"x {shape}, y {' '.join(str(int(v)) for v in yb)}", font_size=15,
                                   color=color))
                if partial:
                    cap.add(glyph("drop_last=True drops it", font_size=15, color=color))
                cap.arrange(DOWN, buff=0.08).next_to(box, DOWN, buff=0.12)
                self.play(ReplacementTransform(moving, landed), FadeIn(box), run_time=0.9)
                self.play(FadeIn(cap), run_time=0.35)
                shown.add(landed, box, cap)
            self.wait(0.6)
            step(self, "Each epoch the DataLoader shuffles the numbers and collates them, a "
                       "few at a time, into batches." if e == 0 else
                 "A new epoch, a new order: the same items, in different batches.")
        note = glyph("same labels, new order, new pixels: the shift runs inside ds[i] every time it is read",
                     font_size=18, color=TEXT).to_edge(DOWN, buff=0.3)
        self.play(FadeIn(note), run_time=0.5)
        self.wait(1.2)
        step(self, "The labels never change, but augmentation runs each time an item is "
                   "read, so its pixels can.")
