"""Pictures and probability bars for Manim scenes.

``picture`` turns an image array (0..1) into an ``ImageMobject`` of a given height;
``ProbBars`` draws a probability vector as a small bar chart with class labels. Neither
computes anything the lesson is about: they show arrays they are given.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, UP, Camera, ImageMobject, Rectangle, VGroup
from manim.constants import RESAMPLING_ALGORITHMS

from .glyphs import FONT, glyph


def picture(img, *, height: float = 2.0, nearest: bool = True) -> ImageMobject:
    """An image ``(H, W)``, ``(H, W, C)`` or ``(C, H, W)`` with values in 0..1, ``height`` units tall."""
    a = np.asarray(img, dtype=float)
    if a.ndim == 3 and a.shape[0] in (1, 3) and a.shape[-1] not in (1, 3):
        a = np.moveaxis(a, 0, -1)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if a.ndim == 2:
        a = np.repeat(a[..., None], 3, axis=-1)
    if a.ndim != 3 or a.shape[-1] != 3:
        raise ValueError(f"picture needs an (H, W) or (H, W, 3) array, got shape {np.shape(img)}")
    rgba = np.concatenate([a, np.ones(a.shape[:2] + (1,))], axis=-1)
    mob = ImageMobject((np.clip(rgba, 0, 1) * 255).round().astype(np.uint8))
    if nearest:
        mob.set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
    mob.height = height
    return mob


class PictureCamera(Camera):
    """Manim's Cairo camera, drawing ``ImageMobject``s in a way that works with Pillow 13.

    Manim 0.22's ``Camera.display_image_mobject`` builds its canvas with
    ``Image.fromarray(np.zeros((h, w)), mode="RGBA")``, which Pillow 13 rejects
    ("Invalid mode for data type"), so no picture can be drawn. This camera resizes the
    picture to its bounding box on screen and alpha-composites it onto the part of the
    frame it covers (the same pixels as compositing a frame-sized canvas). Pictures are drawn axis-aligned (mirrored if their corners are), never rotated.
    Use it with ``Scene(camera_class=PictureCamera)``.
    """

    def display_image_mobject(self, image_mobject, pixel_array):
        from PIL import Image

        corners = self.points_to_subpixel_coords(image_mobject, image_mobject.points)
        (x0, y0), (x1, y1) = corners.min(axis=0), corners.max(axis=0)
        w, h = int(round(x1 - x0)), int(round(y1 - y0))
        if w < 1 or h < 1:
            return
        sub = Image.fromarray(np.ascontiguousarray(image_mobject.get_pixel_array(), dtype=np.uint8))
        sub = sub.convert("RGBA").resize((w, h), resample=image_mobject.resampling_algorithm)
        if corners[0][0] > corners[1][0]:   # points are UL, UR, DL: mirrored left-right
            sub = sub.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        if corners[0][1] > corners[2][1]:
            sub = sub.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
        # Blend into the part of the frame the picture covers only: compositing a whole
        # frame-sized transparent canvas (as Manim's overlay does) leaves the other pixels
        # as they are, and costs ~20 ms a picture a frame at 1080p.
        ox, oy = int(round(x0)), int(round(y0))
        ph, pw = pixel_array.shape[:2]
        a0, b0, a1, b1 = max(ox, 0), max(oy, 0), min(ox + w, pw), min(oy + h, ph)
        if a1 <= a0 or b1 <= b0:
            return
        sub = sub.crop((a0 - ox, b0 - oy, a1 - ox, b1 - oy))
        under = Image.fromarray(np.ascontiguousarray(pixel_array[b0:b1, a0:a1]), mode=self.image_mode)
        pixel_array[b0:b1, a0:a1] = np.asarray(Image.alpha_composite(under, sub), dtype=np.uint8)


class ProbBars(VGroup):
    """A probability vector as bars over class labels.

    Parameters
    ----------
    probs : array_like, shape (classes,), values in 0..1
    labels : sequence of str, optional
    width, height : float
        Size of the chart (the height is what a probability of 1 reaches).
    color, highlight : colours
        Bars, and the bar at index ``highlight_index`` (e.g. the true class).
    """

    def __init__(self, probs, *, labels=None, width: float = 2.0, height: float = 1.0,
                 color="#888888", highlight="#1B9E77", highlight_index: int | None = None,
                 font_size: float = 14, label_color="#DDDDDD", **kwargs):
        super().__init__(**kwargs)
        p = np.asarray(probs, dtype=float)
        if p.ndim != 1 or not len(p):
            raise ValueError(f"ProbBars needs a 1-D probability vector, got shape {p.shape}")
        self.probs = p.copy()
        step = width / len(p)
        self.bars = VGroup()
        self.labels = VGroup()
        for i, v in enumerate(p):
            h = max(float(v), 0.0) * height
            bar = Rectangle(width=0.7 * step, height=max(h, 1e-3), stroke_width=0,
                            fill_color=highlight if i == highlight_index else color,
                            fill_opacity=1.0)
            bar.move_to([i * step, h / 2, 0])
            self.bars.add(bar)
            if labels is not None:
                self.labels.add(glyph(str(labels[i]), font_size=font_size, color=label_color,
                                      font=FONT).next_to([i * step, 0, 0], DOWN, buff=0.08))
        base = Rectangle(width=width, height=1e-3, stroke_width=1, stroke_color=label_color)
        base.move_to([(len(p) - 1) * step / 2, 0, 0])
        self.baseline = base
        # invisible box of the full height: charts of different values line up when arranged
        self.frame = Rectangle(width=width, height=height, stroke_opacity=0, fill_opacity=0)
        self.frame.move_to([(len(p) - 1) * step / 2, height / 2, 0])
        self.add(self.frame, self.baseline, self.bars, self.labels)

    def bar(self, i: int) -> Rectangle:
        return self.bars[i]

    def top_of(self, i: int):
        return self.bars[i].get_edge_center(UP)
