"""Turning any picture into the network's input: a 28x28 grayscale grid in 0..1."""
from __future__ import annotations

from pathlib import Path

import numpy as np


def load_image(path, size: int = 28, *, invert: bool | None = None) -> np.ndarray:
    """Read a picture as a ``(size, size)`` float64 array, ink high (like MNIST).

    The picture is converted to grayscale, padded to a square with its border colour,
    resized, and scaled to 0..1. MNIST digits are light ink on black; most photos and
    scans are dark ink on white, so by default (``invert=None``) a picture whose border
    is mostly light is inverted. Pass ``invert=True/False`` to decide yourself.
    """
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    if not path.exists():
        raise ValueError(f"image file not found: {path}")
    try:
        with Image.open(path) as im:
            im.load()
            gray = im.convert("L")
    except (UnidentifiedImageError, OSError) as exc:
        raise ValueError(f"cannot read image {path}: not a picture Pillow can open ({exc.__class__.__name__})") from None
    a = np.asarray(gray, dtype=np.float64) / 255.0
    border = np.concatenate([a[0], a[-1], a[:, 0], a[:, -1]])
    if invert is None:
        invert = float(np.median(border)) > 0.5
    if invert:
        a = 1.0 - a
        border = 1.0 - border
    h, w = a.shape
    side = max(h, w)
    canvas = np.full((side, side), float(np.median(border)))
    canvas[(side - h) // 2:(side - h) // 2 + h, (side - w) // 2:(side - w) // 2 + w] = a
    img = Image.fromarray((canvas * 255).round().astype(np.uint8))
    img = img.resize((size, size), Image.Resampling.LANCZOS)
    return np.asarray(img, dtype=np.float64) / 255.0
