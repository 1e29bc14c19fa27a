"""fastai 0.7's data augmentation and test-time augmentation (TTA), in numpy and torch.

Lessons 1-3 of fast.ai 2018 (``fastai-lessons.md`` section 3). A learner asks: "how
does data augmentation work if it's the same image?" Every epoch each training image
goes through random transforms, so the model sees a slightly different picture with
the *same label*. The transforms are fastai 0.7's (the December 2017 cv2 version):

=========================  =====================================================
``RandomScale(sz, zoom)``  shortest side -> ``int(U(1, max_zoom) * sz)`` with p=0.75
``RandomRotate(10)``       angle U(-10, 10) degrees with p=0.75, reflected border
``RandomLighting(.05,.05)``  ``clip((x - mean) * c + mean + b, 0, 1)``
``RandomFlip()``           left-right mirror with p=0.5 (``transforms_side_on``)
``RandomDihedral()``       0-3 quarter turns, then a mirror with p=0.5 (``top_down``)
``RandomCrop(sz)``         a random ``sz x sz`` window
=========================  =====================================================

Images are numpy arrays in 0..1, ``(H, W)`` or ``(H, W, C)``; every random draw comes
from a ``numpy.random.Generator`` (``seed=``), so the same seed gives the same pictures.

See Also
--------
viz.figures.augment : the figures; scenes/augment.py : the "same image" scene.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# ----------------------------------------------------------------------------- pixel ops


def _hwc(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 2:
        return x[:, :, None]
    if x.ndim != 3:
        raise ValueError(f"an image must be (H, W) or (H, W, C), got shape {x.shape}")
    return x


def _like(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``y`` (H, W, C) back to the layout of ``x`` ((H, W) stays 2-D)."""
    return y[:, :, 0] if np.ndim(x) == 2 else y


def _reflect(i: np.ndarray, n: int) -> np.ndarray:
    """Integer indices reflected into 0..n-1 like cv2.BORDER_REFLECT (``fedcba|abcdef``)."""
    m = np.mod(i, 2 * n)
    return np.where(m >= n, 2 * n - 1 - m, m)


def rotate(x, deg: float) -> np.ndarray:
    """Rotate counter-clockwise by ``deg`` degrees about the image centre.

    Bilinear interpolation; pixels that come from outside the picture are filled by
    reflecting it (``cv2.BORDER_REFLECT``, as fastai's ``rotate_cv``). The centre is the
    middle of the pixel grid, ``((W-1)/2, (H-1)/2)``, so ``rotate(x, 90)`` of a square
    image equals ``np.rot90(x)`` (fastai uses ``(W//2, H//2)``, half a pixel off for
    even sizes).
    """
    img = _hwc(x)
    if deg == 0:
        return _like(img.copy(), x)
    h, w, _ = img.shape
    a, b = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    cy, cx = (h - 1) / 2, (w - 1) / 2
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    # inverse of cv2.getRotationMatrix2D: where does each output pixel come from?
    sx = a * (xx - cx) - b * (yy - cy) + cx
    sy = b * (xx - cx) + a * (yy - cy) + cy
    x0, y0 = np.floor(sx), np.floor(sy)
    fx, fy = (sx - x0)[..., None], (sy - y0)[..., None]
    x0, y0 = x0.astype(int), y0.astype(int)
    xa, xb = _reflect(x0, w), _reflect(x0 + 1, w)
    ya, yb = _reflect(y0, h), _reflect(y0 + 1, h)
    out = ((1 - fy) * ((1 - fx) * img[ya, xa] + fx * img[ya, xb])
           + fy * ((1 - fx) * img[yb, xa] + fx * img[yb, xb]))
    return _like(out, x)


def contrast_factor(c_raw: float) -> float:
    """fastai's contrast from a draw ``c_raw`` in (-c, c): ``1 + c_raw``, or ``1/(1 - c_raw)``
    when negative (so +0.05 and -0.05 are inverse stretches: 1.05 and 1/1.05)."""
    return 1.0 + c_raw if c_raw >= 0 else 1.0 / (1.0 - c_raw)


def lighting(x, b: float, c: float) -> np.ndarray:
    """fastai's ``lighting``: ``clip((x - mean(x)) * c + mean(x) + b, 0, 1)``.

    ``b`` shifts the brightness, ``c`` (a factor, see :func:`contrast_factor`) stretches
    the contrast about the mean of all pixels and channels.
    """
    x = np.asarray(x, dtype=np.float64)
    if b == 0 and c == 1:
        return x.copy()
    mu = float(np.average(x))
    return np.clip((x - mu) * c + mu + b, 0.0, 1.0)


def dihedral(x, k: int, flip: bool) -> np.ndarray:
    """One of the 8 symmetries of the square: ``k`` quarter turns (``np.rot90``), then a
    left-right mirror if ``flip`` (fastai's ``RandomDihedral``)."""
    if k not in (0, 1, 2, 3):
        raise ValueError(f"k must be 0, 1, 2 or 3 quarter turns, got {k!r}")
    y = np.rot90(np.asarray(x), k)
    return np.ascontiguousarray(np.fliplr(y) if flip else y)


def flip_lr(x) -> np.ndarray:
    """Mirror left-right (fastai's ``RandomFlip``)."""
    return np.ascontiguousarray(np.fliplr(np.asarray(x)))


def resize(x, height: int, width: int) -> np.ndarray:
    """Resize with bilinear interpolation (anti-aliased when shrinking), via torch."""
    import torch
    import torch.nn.functional as F

    img = _hwc(x)
    if img.shape[:2] == (height, width):
        return _like(img.copy(), x)
    t = torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))[None]
    out = F.interpolate(t, size=(height, width), mode="bilinear", align_corners=False,
                        antialias=True)[0].numpy().transpose(1, 2, 0)
    return _like(np.clip(out, 0.0, 1.0) if img.min() >= 0 and img.max() <= 1 else out, x)


def scale_min(x, size: int) -> np.ndarray:
    """Resize so the shortest side is ``size`` (fastai's ``scale_min``)."""
    h, w = np.shape(x)[:2]
    ratio = size / min(h, w)
    return resize(x, max(math.floor(h * ratio), size), max(math.floor(w * ratio), size))


def crop(x, top: int, left: int, size: int) -> np.ndarray:
    """The ``size x size`` window whose top-left pixel is (top, left)."""
    x = np.asarray(x)
    h, w = x.shape[:2]
    if not (0 <= top <= h - size and 0 <= left <= w - size):
        raise ValueError(f"a {size}x{size} crop at ({top}, {left}) does not fit a {h}x{w} image")
    return x[top:top + size, left:left + size].copy()


def center_crop(x, size: int) -> np.ndarray:
    """The centre ``size x size`` window (fastai's ``CenterCrop``)."""
    h, w = np.shape(x)[:2]
    return crop(x, (h - size) // 2, (w - size) // 2, size)


# ----------------------------------------------------------------------------- transforms
# Each transform draws its random state with ``sample(rng)`` (a dict of plain numbers) and
# applies it with ``apply(x, **state)``; ``Pipeline`` records every state it drew.


@dataclass(frozen=True)
class RandomRotate:
    """Rotate by U(-deg, deg) degrees with probability ``p`` (reflected border)."""

    deg: float = 10.0
    p: float = 0.75

    def sample(self, rng) -> dict:
        angle = float(rng.uniform(-self.deg, self.deg))
        return {"angle": angle if rng.random() < self.p else 0.0}

    def apply(self, x, angle: float) -> np.ndarray:
        return rotate(x, angle)


@dataclass(frozen=True)
class RandomLighting:
    """Brightness b ~ U(-b, b) and contrast c = contrast_factor(U(-c, c))."""

    b: float = 0.05
    c: float = 0.05

    def sample(self, rng) -> dict:
        b = float(rng.uniform(-self.b, self.b))
        c = contrast_factor(float(rng.uniform(-self.c, self.c)))
        return {"b": b, "c": c}

    def apply(self, x, b: float, c: float) -> np.ndarray:
        return lighting(x, b, c)


@dataclass(frozen=True)
class RandomFlip:
    """Mirror left-right with probability ``p``."""

    p: float = 0.5

    def sample(self, rng) -> dict:
        return {"flip": bool(rng.random() < self.p)}

    def apply(self, x, flip: bool) -> np.ndarray:
        return flip_lr(x) if flip else np.array(x, dtype=np.float64)


@dataclass(frozen=True)
class RandomDihedral:
    """One of the 8 symmetries of the square: k ~ {0,1,2,3} quarter turns, mirror with p=0.5."""

    def sample(self, rng) -> dict:
        k = int(rng.integers(0, 4))
        return {"k": k, "flip": bool(rng.random() < 0.5)}

    def apply(self, x, k: int, flip: bool) -> np.ndarray:
        return dihedral(x, k, flip)


@dataclass(frozen=True)
class RandomScale:
    """Shortest side -> ``int(zoom * sz)``, zoom ~ U(1, max_zoom) with probability ``p``."""

    sz: int
    max_zoom: float = 1.1
    p: float = 0.75

    def sample(self, rng) -> dict:
        zoom = float(rng.uniform(1.0, self.max_zoom))
        return {"zoom": zoom if rng.random() < self.p else 1.0}

    def apply(self, x, zoom: float) -> np.ndarray:
        return scale_min(x, int(zoom * self.sz))


@dataclass(frozen=True)
class RandomCrop:
    """A random ``sz x sz`` window (offsets are fractions of the slack, as in fastai)."""

    sz: int

    def sample(self, rng) -> dict:
        return {"row": float(rng.random()), "col": float(rng.random())}

    def apply(self, x, row: float, col: float) -> np.ndarray:
        h, w = np.shape(x)[:2]
        return crop(x, int(math.floor(row * (h - self.sz))), int(math.floor(col * (w - self.sz))),
                    self.sz)


@dataclass(frozen=True)
class Scale:
    """Deterministic: shortest side -> ``sz`` (the validation pipeline)."""

    sz: int

    def sample(self, rng) -> dict:
        return {}

    def apply(self, x) -> np.ndarray:
        return scale_min(x, self.sz)


@dataclass(frozen=True)
class CenterCrop:
    """Deterministic: the centre ``sz x sz`` window (the validation pipeline)."""

    sz: int

    def sample(self, rng) -> dict:
        return {}

    def apply(self, x) -> np.ndarray:
        return center_crop(x, self.sz)


def transforms_basic() -> tuple:
    """fastai's ``transforms_basic``: ``[RandomRotate(10), RandomLighting(0.05, 0.05)]``."""
    return (RandomRotate(10), RandomLighting(0.05, 0.05))


def transforms_side_on() -> tuple:
    """``transforms_basic + [RandomFlip()]``: for photos of things seen from the side."""
    return transforms_basic() + (RandomFlip(),)


def transforms_top_down() -> tuple:
    """``transforms_basic + [RandomDihedral()]``: for pictures with no "up" (satellites)."""
    return transforms_basic() + (RandomDihedral(),)


TRANSFORM_SETS = {"basic": transforms_basic, "side_on": transforms_side_on,
                  "top_down": transforms_top_down}


def transform_set(tfms) -> tuple:
    """A transform set by name (``"basic"``, ``"side_on"``, ``"top_down"``) or as given."""
    if isinstance(tfms, str):
        if tfms not in TRANSFORM_SETS:
            raise ValueError(f"unknown transform set {tfms!r} (choose from {', '.join(TRANSFORM_SETS)})")
        return TRANSFORM_SETS[tfms]()
    return tuple(tfms)


@dataclass(frozen=True)
class Pipeline:
    """Transforms applied in order; ``__call__`` returns the picture and the states drawn."""

    tfms: tuple

    def __call__(self, x, rng) -> tuple[np.ndarray, tuple]:
        steps = []
        y = np.asarray(x, dtype=np.float64)
        for t in self.tfms:
            state = t.sample(rng)
            y = t.apply(y, **state)
            steps.append((type(t).__name__, state))
        return y, tuple(steps)


def train_pipeline(sz: int, aug_tfms="side_on", *, max_zoom: float | None = 1.1) -> Pipeline:
    """fastai's training pipeline: ``RandomScale`` (or ``Scale``), the augmentations,
    ``RandomCrop`` (or ``CenterCrop`` without zoom). Normalisation is left out."""
    _check_size(sz)
    if max_zoom is not None and max_zoom < 1:
        raise ValueError(f"max_zoom must be at least 1, got {max_zoom}")
    if max_zoom is None:
        return Pipeline((Scale(sz), *transform_set(aug_tfms), CenterCrop(sz)))
    return Pipeline((RandomScale(sz, max_zoom), *transform_set(aug_tfms), RandomCrop(sz)))


def valid_pipeline(sz: int) -> Pipeline:
    """fastai's validation pipeline: ``Scale(sz)`` then ``CenterCrop(sz)``."""
    _check_size(sz)
    return Pipeline((Scale(sz), CenterCrop(sz)))


def _check_size(sz):
    if not isinstance(sz, (int, np.integer)) or sz < 2:
        raise ValueError(f"sz must be an integer of at least 2, got {sz!r}")


# ----------------------------------------------------------------------------- "same image"


def _ro(*arrays):
    for a in arrays:
        a.flags.writeable = False


@dataclass(frozen=True, eq=False)
class AugmentedSet:
    """One picture and ``n`` augmented versions of it, all with the same label.

    image : (sz, sz[, C])      what validation sees (scale + centre crop)
    images : (n, sz, sz[, C])  training views, each a fresh random draw
    steps : tuple              per view, the (transform name, state) pairs drawn
    changed : (n,)             fraction of pixels differing from ``image`` by > 1/255
    mean_abs_diff : (n,)       mean |view - image|, in 0..1 units
    """

    image: np.ndarray
    images: np.ndarray
    label: str
    tfms_name: str
    steps: tuple
    changed: np.ndarray
    mean_abs_diff: np.ndarray

    def __post_init__(self):
        _ro(self.image, self.images, self.changed, self.mean_abs_diff)

    def describe(self, i: int, *, multiline: bool = False) -> str:
        """A short caption of view ``i``'s random draws (e.g. 'zoom 1.07 · rot -4° · flip')."""
        return describe_steps(self.steps[i], multiline=multiline)


def describe_steps(steps, *, multiline: bool = False) -> str:
    """Caption for the (name, state) pairs a :class:`Pipeline` drew; ``multiline`` puts
    the geometry and the lighting on two lines."""
    geometry, light = [], []
    for name, s in steps:
        if name == "RandomScale" and s["zoom"] != 1:
            geometry.append(f"zoom {s['zoom']:.2f}")
        elif name == "RandomRotate" and s["angle"] != 0:
            geometry.append(f"rot {s['angle']:+.0f}°")
        elif name == "RandomLighting":
            light.append(f"b {s['b']:+.2f} · c {s['c']:.2f}".replace("-0.00", "+0.00"))
        elif name == "RandomFlip" and s["flip"]:
            geometry.append("flip")
        elif name == "RandomDihedral" and (s["k"] or s["flip"]):
            geometry.append(" + ".join(([f"turn {90 * s['k']}°"] if s["k"] else [])
                                       + (["flip"] if s["flip"] else [])))
    if multiline:
        return (" · ".join(geometry) or "same framing") + "\n" + " · ".join(light)
    return " · ".join(geometry + light) or "no change"


def augment_image(image, *, label: str = "", sz: int = 96, aug_tfms="side_on",
                  max_zoom: float | None = 1.1, n: int = 8, seed: int = 0) -> AugmentedSet:
    """``n`` training views of one picture, as fastai's ``aug_dl`` would serve them.

    Parameters
    ----------
    image : ndarray, shape (H, W) or (H, W, C), values in 0..1
    label : str
        The picture's label: the same for every view.
    sz : int
        Side of the square views (``tfms_from_model(arch, sz, ...)``).
    aug_tfms : "side_on", "top_down", "basic" or a sequence of transforms
    max_zoom : float or None
        Random zoom up to this factor (fastai's ``max_zoom``); lesson 1 uses 1.1.
    n : int
        Number of views.
    seed : int

    >>> s = augment_image(np.random.default_rng(0).random((40, 50)), sz=32, n=3)
    >>> s.images.shape
    (3, 32, 32)
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    x = np.asarray(image, dtype=np.float64)
    _hwc(x)
    if x.size and (x.min() < 0 or x.max() > 1):
        raise ValueError(f"image values must be in 0..1, got {x.min():.3g}..{x.max():.3g}")
    rng = np.random.default_rng(seed)
    pipe = train_pipeline(sz, aug_tfms, max_zoom=max_zoom)
    base, _ = valid_pipeline(sz)(x, rng)
    views, steps = zip(*(pipe(x, rng) for _ in range(n)))
    views = np.stack(views)
    diff = np.abs(views - base[None])
    axes = tuple(range(1, diff.ndim))
    changed = (diff.reshape(n, sz, sz, -1).max(axis=-1) > 1 / 255).mean(axis=(1, 2))
    name = aug_tfms if isinstance(aug_tfms, str) else "custom"
    return AugmentedSet(base, views, str(label), name, tuple(steps), changed, diff.mean(axis=axes))


@dataclass(frozen=True, eq=False)
class DihedralSet:
    """The 8 symmetries of the square applied to one picture.

    images : (8, H, W[, C]); k : (8,) quarter turns; flip : (8,) bool; names : 8 captions.
    """

    images: np.ndarray
    k: np.ndarray
    flip: np.ndarray
    names: tuple

    def __post_init__(self):
        _ro(self.images, self.k, self.flip)


def dihedral_set(image) -> DihedralSet:
    """All 8 outputs ``RandomDihedral`` can give, in order (k, flip) = (0,F),(1,F),...,(3,T)."""
    x = np.asarray(image, dtype=np.float64)
    _hwc(x)
    if x.shape[0] != x.shape[1]:
        raise ValueError(f"the dihedral symmetries need a square image, got shape {x.shape}")
    ks, flips, imgs, names = [], [], [], []
    for flip in (False, True):
        for k in range(4):
            ks.append(k)
            flips.append(flip)
            imgs.append(dihedral(x, k, flip))
            names.append(f"rot {90 * k}°" + (" + flip" if flip else ""))
    return DihedralSet(np.stack(imgs), np.array(ks), np.array(flips), tuple(names))


def sample_image(name: str = "china.jpg", *, size: int | None = 128) -> np.ndarray:
    """One of scikit-learn's bundled photos (``"china.jpg"``, ``"flower.jpg"``) as
    ``(H, W, 3)`` floats in 0..1, shortest side ``size`` (``None``: full size)."""
    from sklearn.datasets import load_sample_image

    if name not in ("china.jpg", "flower.jpg"):
        raise ValueError(f"unknown sample image {name!r} (choose china.jpg or flower.jpg)")
    img = load_sample_image(name).astype(np.float64) / 255.0
    return img if size is None else scale_min(img, size)


def digit_image(index: int = 0, *, size: int = 28) -> tuple[np.ndarray, str]:
    """One of scikit-learn's bundled digits, upsampled to ``size``, and its label."""
    from sklearn.datasets import load_digits

    d = load_digits()
    if not 0 <= index < len(d.target):
        raise ValueError(f"digit index must be in 0..{len(d.target) - 1}, got {index}")
    return resize(d.images[index] / 16.0, size, size), str(d.target[index])


def __getattr__(name):   # TTA lives in augment_tta; re-exported here without a cycle
    if name in ("TTAResult", "tta", "train_augmented", "digits_tta", "predict_probs"):
        from . import augment_tta
        return getattr(augment_tta, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
