""""How does data augmentation work if it's the same image?" (fast.ai 2018, lessons 1-3).

The viewer sees one photo and its label; eight augmented versions (fastai's side-on
transforms: zoom, rotation ±10°, lighting, flip, random crop) come out of it, each with
the same label and a count of how many pixels changed. Then a small CNN trained on digits
with augmentation predicts one test digit in its original and 4 augmented versions; the
five probability charts merge into their average, which is test-time augmentation.

    manim -ql scenes/augment.py SameImage
"""
from __future__ import annotations

from manim import (DOWN, LEFT, RIGHT, UP, Group, Indicate,
                   SurroundingRectangle, Text, Transform, TransformFromCopy, VGroup, Write)

from viz.anim import FONT
from viz.anim.fades import FadeIn, FadeOut
from viz.anim.lesson import LessonScene, step
from viz.anim.pictures import PictureCamera, ProbBars, picture
from viz.core.augment import augment_image, digits_tta, sample_image

GREEN, ORANGE, GREY = "#1B9E77", "#E69F00", "#888888"


def label(text, size=22, color="#FFFFFF", **kw):
    return Text(text, font=FONT, font_size=size, color=color, **kw)


class SameImage(LessonScene):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("camera_class", PictureCamera)   # draws pictures with Pillow 13
        super().__init__(*args, **kwargs)

    def construct(self):
        self.show_augmentations(augment_image(sample_image("china.jpg"), label="temple", sz=96,
                                              aug_tfms="side_on", n=8, seed=1))
        res, _ = digits_tta()
        self.show_tta(res)

    def show_augmentations(self, aug, *, clear: bool = True):
        title = label("How does augmentation work if it's the same image?", 30).to_edge(UP)
        orig = picture(aug.image, height=2.6, nearest=False).to_edge(LEFT, buff=0.6).shift(0.3 * DOWN)
        orig_lab = label(f"label: {aug.label}", 24).next_to(orig, DOWN)
        self.play(Write(title), FadeIn(orig), FadeIn(orig_lab))
        views = []
        for i, img in enumerate(aug.images):
            v = picture(img, height=1.45, nearest=False)
            v.move_to(RIGHT * (-0.6 + 1.85 * (i % 4)) + UP * (1.1 - 2.45 * (i // 4)) + DOWN * 0.3)
            cap = VGroup(label(aug.label, 18), label(f"{100 * aug.changed[i]:.0f}% px new", 14,
                                                   color=ORANGE)).arrange(DOWN, buff=0.06)
            views.append((v, cap.next_to(v, DOWN, buff=0.08)))
        self.play(*[TransformFromCopy(orig, v) for v, _ in views], run_time=1.5)
        self.play(*[FadeIn(c) for _, c in views])
        note = label("same label, new pixels: a new picture every epoch", 24,
                     color=GREEN).to_edge(DOWN, buff=0.25)
        self.play(Write(note))
        self.wait(0.8)
        step(self, "Each view is the same photo flipped, turned, zoomed or lit differently: "
                   "the label stays, but most pixels are new, so the model sees a new picture.")
        if clear:
            self.play(*[FadeOut(m) for m in self.mobjects])

    def show_tta(self, res):
        j, r = int(res.example_index[0]), 0
        title = label("Test-time augmentation: average the predictions", 30).to_edge(UP)
        self.play(Write(title))
        cols = Group()
        for p in range(res.n_aug + 1):
            pred = int(res.probs[p, j].argmax())
            img = framed(picture(res.examples[p, r], height=1.4))
            name = label("original" if p == 0 else f"aug {p}", 16)
            bars = ProbBars(res.probs[p, j], labels=res.classes, width=2.0, height=1.0,
                            highlight_index=int(res.y[j]), font_size=12)
            verdict = label(f"says {res.classes[pred]}", 16,
                            color=GREEN if pred == res.y[j] else ORANGE)
            cols.add(Group(name, img, bars, verdict).arrange(DOWN, buff=0.15))
        cols.arrange(RIGHT, buff=0.35, aligned_edge=UP).next_to(title, DOWN, buff=0.3)
        self.play(FadeIn(cols, lag_ratio=0.2), run_time=1.5)
        step(self, "At test time, the model also looks at a few augmented copies of one "
                   "digit; each copy gives its own prediction.")
        mean = ProbBars(res.mean_probs[j], labels=res.classes, width=3.2, height=1.3,
                        highlight_index=int(res.y[j]), font_size=14)
        mean.to_edge(DOWN, buff=0.6).to_edge(LEFT, buff=1.5)
        final = int(res.tta_preds[j])
        verdict = label(f"average says {res.classes[final]}\n(true label {res.classes[res.y[j]]})",
                        22, color=GREEN if final == res.y[j] else ORANGE)
        acc = label(f"all {len(res.y)} test digits:\n{100 * res.accuracy[0]:.1f}% original, "
                    f"{100 * res.tta_accuracy:.1f}% with TTA", 20)
        Group(verdict, acc).arrange(DOWN, aligned_edge=LEFT, buff=0.35).next_to(mean, RIGHT, buff=1.0)
        heading = label(f"average of the {res.n_aug + 1} predictions", 18).next_to(mean, UP, buff=0.2)
        moving = [c[2].bars.copy() for c in cols]
        self.play(*[Transform(m, mean.bars.copy()) for m in moving], FadeIn(mean.baseline),
                  FadeIn(mean.labels), FadeIn(heading), run_time=1.5)
        self.add(mean.bars)
        self.remove(*moving)
        self.play(Write(verdict), Indicate(mean.bar(final), color=GREEN))
        self.play(FadeIn(acc))
        self.wait(1.0)
        step(self, "Averaging the predictions is test-time augmentation: one odd view "
                   "matters less, and accuracy usually improves.")


def framed(pic):
    """A picture with a thin grey frame (black digits vanish on a black background)."""
    return Group(pic, SurroundingRectangle(pic, buff=0.0, color=GREY, stroke_width=1.5))
