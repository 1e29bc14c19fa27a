"""Satellite-like multi-label tiles, generated from a seed (no download).

A stand-in for Kaggle's Planet images (lesson 2): small RGB tiles, each with any subset
of tags. Every tag is drawn by a simple rule, so a small CNN can learn them in seconds:

=============  ==========================================================
agriculture    light rectangular fields (tan / yellow-green)
bare_ground    brown soil showing through instead of forest
cloudy         thick white cloud over nearly all of the tile; as in Planet, a cloudy
               tile has no other tag (nothing is visible)
habitation     a cluster of small bright roofs
haze           a whitish veil that washes the colours out
primary        dark green rainforest texture
road           a thin light-grey straight line across the tile
water          a blue river (a wavy band) or a lake (a blob)
=============  ==========================================================

Every tile has at least one tag. Lesson 2 of fast.ai 2018 (``fastai-lessons.md`` §3).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TAGS = ("agriculture", "bare_ground", "cloudy", "habitation", "haze", "primary", "road", "water")
#: Probability of each ground feature on a tile that is not cloudy.
FEATURE_RATES = {"agriculture": 0.5, "habitation": 0.3, "road": 0.45, "water": 0.45}
CLOUDY_RATE = 0.12
HAZE_RATE = 0.3


@dataclass(frozen=True, eq=False)
class TileSet:
    """``images`` (n, 3, H, W) float32 in 0..1, ``labels`` (n, tags) float32 n-hot."""

    images: np.ndarray
    labels: np.ndarray
    tags: tuple

    def __post_init__(self):
        for name in ("images", "labels"):
            a = np.array(getattr(self, name))
            a.flags.writeable = False
            object.__setattr__(self, name, a)
        if self.labels.shape != (len(self.images), len(self.tags)):
            raise ValueError(f"labels must be ({len(self.images)}, {len(self.tags)}), got {self.labels.shape}")

    def __len__(self):
        return len(self.images)

    def tag_names(self, i: int) -> list[str]:
        """The tags of tile ``i``, in ``tags`` order."""
        return [t for t, on in zip(self.tags, self.labels[i]) if on]

    def subset(self, index) -> "TileSet":
        return TileSet(self.images[index], self.labels[index], self.tags)


@dataclass(frozen=True, eq=False)
class TileSplit:
    train: TileSet
    test: TileSet

    @property
    def tags(self) -> tuple:
        return self.train.tags


def _smooth_noise(rng, size, scale):
    """Value noise: a coarse random grid upsampled bilinearly to ``size`` x ``size``."""
    n = max(2, size // scale + 2)
    g = rng.random((n, n))
    xs = np.linspace(0, n - 1.001, size)
    i = xs.astype(int)
    f = xs - i
    rows = g[i] * (1 - f)[:, None] + g[i + 1] * f[:, None]
    return rows[:, i] * (1 - f) + rows[:, i + 1] * f


def _paint(img, mask, color, alpha=1.0):
    c = np.asarray(color, dtype=np.float32)[:, None]
    a = (mask * alpha)[None]
    img[:] = img * (1 - a) + c[..., None] * a


def _draw_tile(rng, size, on):
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    img = np.empty((3, size, size), np.float32)
    tex = _smooth_noise(rng, size, 3)
    if on["primary"]:
        base = np.array([0.10, 0.30, 0.12]) + 0.03 * rng.standard_normal(3)
        img[:] = base[:, None, None] * (0.7 + 0.6 * tex)
    if on["bare_ground"]:
        soil = np.array([0.55, 0.40, 0.26]) + 0.03 * rng.standard_normal(3)
        ground = soil[:, None, None] * (0.8 + 0.35 * tex)
        if on["primary"]:   # soil patches in the forest
            m = (_smooth_noise(rng, size, 8) > 0.55).astype(np.float32)
            img[:] = img * (1 - m) + ground * m
        else:
            img[:] = ground
    if not (on["primary"] or on["bare_ground"]):   # neither: grassland
        img[:] = np.array([0.33, 0.45, 0.22])[:, None, None] * (0.8 + 0.3 * tex)
    if on["agriculture"]:
        for _ in range(rng.integers(1, 4)):
            x0, y0 = rng.uniform(0, 0.6, 2)
            w, h = rng.uniform(0.25, 0.45, 2)
            m = ((xx >= x0) & (xx < x0 + w) & (yy >= y0) & (yy < y0 + h)).astype(np.float32)
            col = [(0.78, 0.70, 0.45), (0.60, 0.72, 0.30), (0.85, 0.80, 0.55)][rng.integers(3)]
            _paint(img, m, col, 0.9)
    if on["water"]:
        if rng.random() < 0.6:   # river
            phase, amp, c0 = rng.uniform(0, 6.3), rng.uniform(0.05, 0.15), rng.uniform(0.3, 0.7)
            width = rng.uniform(0.06, 0.11)
            centre = c0 + amp * np.sin(6 * yy + phase)
            m = (np.abs(xx - centre) < width).astype(np.float32)
            if rng.random() < 0.5:
                m = m.T
        else:                    # lake
            cx, cy = rng.uniform(0.25, 0.75, 2)
            r = rng.uniform(0.15, 0.28)
            m = (((xx - cx) ** 2 + (yy - cy) ** 2) < r ** 2).astype(np.float32)
        _paint(img, m, (0.10, 0.25, 0.55), 0.95)
    if on["road"]:
        ang = rng.uniform(0, np.pi)
        off = rng.uniform(-0.25, 0.25)
        d = np.abs((xx - 0.5) * np.sin(ang) - (yy - 0.5) * np.cos(ang) - off)
        _paint(img, (d < 0.035).astype(np.float32), (0.80, 0.78, 0.74), 0.95)
    if on["habitation"]:
        cx, cy = rng.uniform(0.2, 0.8, 2)
        for _ in range(rng.integers(4, 8)):
            x0 = cx + rng.uniform(-0.18, 0.14)
            y0 = cy + rng.uniform(-0.18, 0.14)
            m = ((xx >= x0) & (xx < x0 + 0.08) & (yy >= y0) & (yy < y0 + 0.08)).astype(np.float32)
            _paint(img, m, [(0.95, 0.95, 0.92), (0.75, 0.35, 0.25)][rng.integers(2)], 1.0)
    if on["haze"]:
        veil = 0.45 + 0.15 * _smooth_noise(rng, size, 10)
        _paint(img, veil.astype(np.float32), (0.80, 0.80, 0.84))
    if on["cloudy"]:
        cloud = np.clip(0.75 + 0.5 * _smooth_noise(rng, size, 6), 0, 1)
        _paint(img, cloud.astype(np.float32), (0.96, 0.96, 0.97))
    img += 0.02 * rng.standard_normal(img.shape).astype(np.float32)
    return np.clip(img, 0, 1)


def _draw_labels(rng):
    on = dict.fromkeys(TAGS, False)
    if rng.random() < CLOUDY_RATE:
        on["cloudy"] = True
        return on
    on["primary"] = rng.random() < 0.75
    on["bare_ground"] = rng.random() < (0.25 if on["primary"] else 0.7)
    on["haze"] = rng.random() < HAZE_RATE
    for tag, rate in FEATURE_RATES.items():
        on[tag] = rng.random() < rate
    if not any(on.values()):
        on["primary"] = True
    return on


def make_tiles(n: int, *, size: int = 24, tags=TAGS, seed: int = 0) -> TileSet:
    """``n`` tiles of ``size`` x ``size`` pixels. ``tags`` chooses (and orders) the label
    columns: a subset of :data:`TAGS`; tiles are drawn with all features either way.

    >>> t = make_tiles(4, seed=1); t.images.shape, t.labels.shape
    ((4, 3, 24, 24), (4, 8))
    """
    tags = tuple(tags)
    if not tags:
        raise ValueError("the tag set is empty: give at least one tag")
    unknown = [t for t in tags if t not in TAGS]
    if unknown:
        raise ValueError(f"unknown tag {unknown[0]!r} (choose from {', '.join(TAGS)})")
    if len(set(tags)) != len(tags):
        raise ValueError(f"tags repeat: {', '.join(tags)}")
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if not isinstance(size, (int, np.integer)) or size < 8:
        raise ValueError(f"size must be an integer >= 8, got {size!r}")
    rng = np.random.default_rng(seed)
    images = np.empty((n, 3, size, size), np.float32)
    labels = np.zeros((n, len(tags)), np.float32)
    for i in range(n):
        on = _draw_labels(rng)
        images[i] = _draw_tile(rng, size, on)
        labels[i] = [on[t] for t in tags]
    return TileSet(images, labels, tags)


def tile_split(n_train: int = 2000, n_test: int = 400, *, size: int = 24, tags=TAGS,
               seed: int = 0) -> TileSplit:
    """Training and held-out tiles from one seed (the test tiles are never trained on)."""
    if n_train < 1 or n_test < 1:
        raise ValueError(f"n_train and n_test must be positive, got {n_train}, {n_test}")
    tiles = make_tiles(n_train + n_test, size=size, tags=tags, seed=seed)
    return TileSplit(tiles.subset(slice(0, n_train)), tiles.subset(slice(n_train, None)))
