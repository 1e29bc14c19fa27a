"""An embedded data set of letters and digits, drawn with the fonts matplotlib ships.

Nothing is downloaded: every image is rendered with Pillow from the TrueType files in
matplotlib's ``mpl-data/fonts/ttf`` folder (DejaVu, STIX and Computer Modern), each with
a random font, rotation, scale, shift and stroke width drawn from a seed. Same seed,
same images.

Light ink on black, values in 0..1, like MNIST. Used by :mod:`viz.core.otavio` for
Otavio Good's visualization (fast.ai 2018 lesson 3, ``fastai-lessons.md`` section 5).

>>> split = glyph_dataset(n_per_class=4, seed=0)
>>> split.x_train.shape[1:], split.classes[:3]
((1, 20, 20), ('A', 'B', 'C'))
"""
from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import numpy as np

from .datasets import ImageSplit

#: Otavio's letters A-E and five digits; no pair that differs only by font (O/0, I/1, B/8, S/5).
DEFAULT_CLASSES = ("A", "B", "C", "D", "E", "1", "2", "3", "4", "5")
#: Fonts of matplotlib's ``mpl-data/fonts/ttf`` used for the glyphs.
FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSerif.ttf",
         "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSansMono.ttf",
         "DejaVuSansMono-Bold.ttf", "STIXGeneral.ttf", "STIXGeneralBol.ttf",
         "STIXGeneralItalic.ttf", "cmr10.ttf", "cmss10.ttf", "cmtt10.ttf")
#: Ranges of the random variations (angle in degrees, scale of the glyph's box, shift in
#: output pixels, stroke width in pixels at the 64-pixel drawing resolution).
AUGMENT = {"angle": (-15.0, 15.0), "scale": (0.75, 1.05), "shift": (-1.5, 1.5), "stroke": (0, 2)}
_CANVAS = 64          # glyphs are drawn at this resolution, then reduced
_FONT_PX = 48


def font_folder() -> Path:
    """matplotlib's bundled TrueType folder, found without importing matplotlib."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise ValueError("matplotlib is not installed: its fonts draw the glyph data set")
    return Path(list(spec.submodule_search_locations)[0]) / "mpl-data" / "fonts" / "ttf"


@lru_cache(maxsize=64)
def _font(name: str):
    from PIL import ImageFont

    path = font_folder() / name
    if not path.exists():
        raise ValueError(f"unknown font {name!r}: no {path}")
    return ImageFont.truetype(str(path), _FONT_PX)


@lru_cache(maxsize=2048)
def _drawn(char: str, font: str, stroke: int):
    """The glyph drawn once, white on black, and its ink box (cached)."""
    from PIL import Image, ImageDraw

    if not isinstance(char, str) or len(char) != 1 or char.isspace():
        raise ValueError(f"a glyph is one visible character, got {char!r}")
    f = _font(font)
    im = Image.new("L", (2 * _CANVAS, 2 * _CANVAS), 0)
    ImageDraw.Draw(im).text((_CANVAS, _CANVAS), char, font=f, fill=255, anchor="mm",
                            stroke_width=stroke, stroke_fill=255)
    box = im.getbbox()
    if box is None:
        raise ValueError(f"font {font} has no glyph for {char!r}")
    return im, box


def render_glyph(char: str, *, font: str = "DejaVuSans.ttf", size: int = 20, angle: float = 0.0,
                 scale: float = 1.0, shift=(0.0, 0.0), stroke: int = 0) -> np.ndarray:
    """One glyph as a ``(size, size)`` float32 image in 0..1 (light ink on black).

    Parameters
    ----------
    char : str
        One character.
    font : str
        A file name from :data:`FONTS` (any ``.ttf`` in matplotlib's font folder works).
    size : int
        Side of the output image in pixels.
    angle : float
        Rotation in degrees, counter-clockwise.
    scale : float
        The glyph's longer side as a fraction of 80 % of the image.
    shift : (float, float)
        Offset (right, down) in output pixels.
    stroke : int
        Extra stroke width (bolder ink), in pixels at the 64-pixel drawing resolution.
    """
    from PIL import Image

    if size < 8:
        raise ValueError(f"size must be at least 8 pixels, got {size}")
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale}")
    im, (x0, y0, x1, y1) = _drawn(char, font, int(stroke))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    k = 0.8 * _CANVAS * scale / max(x1 - x0, y1 - y0)    # glyph box -> 80 % of the canvas
    t = np.deg2rad(angle)
    c, s = np.cos(t), np.sin(t)
    ox = _CANVAS / 2 + shift[0] * _CANVAS / size
    oy = _CANVAS / 2 + shift[1] * _CANVAS / size
    # output (u, v) -> source (x, y): x = c*(u-ox)/k - s*(v-oy)/k + cx (inverse rotation+scale)
    a, b = c / k, -s / k
    d, e = s / k, c / k
    coeffs = (a, b, cx - a * ox - b * oy, d, e, cy - d * ox - e * oy)
    out = im.transform((_CANVAS, _CANVAS), Image.Transform.AFFINE, coeffs,
                       resample=Image.Resampling.BILINEAR)
    out = out.resize((size, size), Image.Resampling.BOX)
    return np.asarray(out, dtype=np.float32) / 255.0


def random_glyph(char: str, rng: np.random.Generator, *, size: int = 20, fonts=FONTS) -> np.ndarray:
    """``char`` in a random font with random rotation, scale, shift and stroke width."""
    lo_s, hi_s = AUGMENT["shift"]
    return render_glyph(
        char, font=fonts[int(rng.integers(len(fonts)))], size=size,
        angle=float(rng.uniform(*AUGMENT["angle"])), scale=float(rng.uniform(*AUGMENT["scale"])),
        shift=(float(rng.uniform(lo_s, hi_s)), float(rng.uniform(lo_s, hi_s))),
        stroke=int(rng.integers(AUGMENT["stroke"][0], AUGMENT["stroke"][1] + 1)))


def _draw_set(classes, n_per_class, size, rng):
    n = len(classes) * n_per_class
    x = np.empty((n, 1, size, size), np.float32)
    y = np.tile(np.arange(len(classes), dtype=np.int64), n_per_class)
    for i, label in enumerate(y):
        x[i, 0] = random_glyph(classes[label], rng, size=size)
    order = rng.permutation(n)
    return x[order], y[order]


def glyph_dataset(classes=DEFAULT_CLASSES, *, n_per_class: int = 500, test_fraction: float = 0.2,
                  size: int = 20, seed: int = 0) -> ImageSplit:
    """Randomly varied glyphs of ``classes`` as train and held-out test images.

    The test images are drawn with their own random stream (fresh angles, scales,
    shifts and strokes), so no test image is a copy of a training one.

    Returns
    -------
    viz.core.datasets.ImageSplit
        ``x_*`` float32 ``(n, 1, size, size)`` in 0..1, ``y_*`` int64 class indices.
    """
    classes = tuple(classes)
    if len(classes) < 2 or len(set(classes)) != len(classes):
        raise ValueError(f"classes must be at least two different characters, got {classes!r}")
    if n_per_class < 2:
        raise ValueError(f"n_per_class must be at least 2, got {n_per_class}")
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    n_test = max(1, int(round(n_per_class * test_fraction)))
    s_train, s_test = np.random.SeedSequence(seed).spawn(2)
    x_tr, y_tr = _draw_set(classes, n_per_class - n_test, size, np.random.default_rng(s_train))
    x_te, y_te = _draw_set(classes, n_test, size, np.random.default_rng(s_test))
    return ImageSplit(x_tr, y_tr, x_te, y_te, classes)
