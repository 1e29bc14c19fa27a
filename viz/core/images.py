"""Turning any picture into the network's input: a 28x28 grayscale grid in 0..1.

Pictures come from users, so they are read defensively: only a regular file of at most
:data:`MAX_FILE_BYTES`; the pixel count is read from the header and anything above
:data:`MAX_PIXELS` is refused before decoding (a 69-byte PNG can claim 20000x20000: a
"decompression bomb"); Pillow's own warnings are silenced (the refusal says it in one
line). A big but legal picture (longest side over :data:`REDUCE_ABOVE`) is reduced while
it is read: JPEGs are decoded at 1/2, 1/4 or 1/8 scale (``Image.draft``), others
box-averaged (``Image.reduce``), so a 40-megapixel photo takes well under a second.
"""
from __future__ import annotations

import math
import re
import warnings

import numpy as np

#: Largest picture file read, in bytes.
MAX_FILE_BYTES = 64 * 2**20
#: Largest picture read, in pixels (width x height, as its header says).
MAX_PIXELS = 40_000_000
#: Pictures whose longest side is larger are reduced to about :data:`REDUCED_SIDE` first.
REDUCE_ABOVE = 2048
REDUCED_SIDE = 1024
#: Largest output grid (``size``) load_image makes.
MAX_SIZE = 1024


def _label(option) -> str:
    return f"{option}: " if option else ""


def read_gray(path, *, option=None, note=None):
    """The picture at ``path`` as a grayscale ``PIL.Image`` (mode ``"L"``), read safely.

    ``note``, if given, is called with one line when a large picture is reduced.
    Raises ``ValueError`` (one line, naming ``option`` if given) for a missing file, a
    folder, a device or pipe, a file over :data:`MAX_FILE_BYTES`, a picture over
    :data:`MAX_PIXELS` pixels, or anything Pillow cannot decode.
    """
    from PIL import Image

    from .._io import check_input_file
    path = check_input_file(path, "image", MAX_FILE_BYTES, option)
    what = f"{_label(option)}cannot read image {path}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                      # bomb, EXIF, palette warnings
        try:
            with Image.open(path) as im:
                w, h = im.size
                if im.format == "JPEG" and max(w, h) > REDUCE_ABOVE:
                    im.draft("L", (max(1, w * REDUCED_SIDE // max(w, h)),
                                   max(1, h * REDUCED_SIDE // max(w, h))))
                if im.size[0] * im.size[1] > MAX_PIXELS:
                    raise ValueError(f"{_label(option)}image {path} is {w}x{h} pixels; the most "
                                     f"read is {MAX_PIXELS:,} pixels (a decompression bomb?)")
                im.load()
                gray = im.convert("L")
        except Image.DecompressionBombError as exc:
            n = re.search(r"\((\d+) pixels\)", str(exc))
            claim = f"{int(n.group(1)):,} pixels" if n else "more pixels than Pillow allows"
            raise ValueError(f"{what}: it claims {claim}; the most read is {MAX_PIXELS:,} "
                             "pixels (a decompression bomb?)") from None
        except ValueError as exc:
            if str(exc).startswith(_label(option) + "image "):
                raise
            raise ValueError(f"{what}: not a picture Pillow can open ({type(exc).__name__})") from None
        except Exception as exc:                             # noqa: BLE001 - hostile data
            raise ValueError(f"{what}: not a picture Pillow can open ({type(exc).__name__})") from None
    if min(gray.size) < 1:
        raise ValueError(f"{what}: it has no pixels ({w}x{h})")
    longest = max(gray.size)
    if longest > REDUCE_ABOVE:
        gray = gray.reduce(max(1, math.ceil(longest / REDUCED_SIDE)))
    if max(gray.size) < max(w, h) and note is not None:
        note(f"picture {path.name} is {w}x{h}; reduced to {gray.size[0]}x{gray.size[1]} while reading")
    return gray


def load_image(path, size: int = 28, *, invert: bool | None = None, option=None,
               note=None) -> np.ndarray:
    """Read a picture as a ``(size, size)`` float64 array, ink high (like MNIST).

    The picture is converted to grayscale, padded to a square with its border colour,
    resized, and scaled to 0..1. MNIST digits are light ink on black; most photos and
    scans are dark ink on white, so by default (``invert=None``) a picture whose border
    is mostly light is inverted. Pass ``invert=True/False`` to decide yourself.
    Hostile files are refused in one line (see :func:`read_gray`); ``option`` (e.g.
    ``"--image"``) is named in the message, ``note`` hears about a large picture reduced.
    """
    from PIL import Image

    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or not 1 <= size <= MAX_SIZE:
        raise ValueError(f"size must be an integer between 1 and {MAX_SIZE}, got {size!r}")
    gray = read_gray(path, option=option, note=note)
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

