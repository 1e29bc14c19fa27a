"""Reading and converting the pictures ``viz explain`` is given (its ``--input`` and the
pictures of a ``--data`` folder).

Every problem is a one-line ``ValueError`` naming the file. Enormous pictures are refused
(decompression bombs) or reduced while read; :func:`convert_input` says in one line what it
did to make a picture what the model's first layer takes.
"""
from __future__ import annotations

import math
import re
import warnings
import numpy as np

from .._util import first_line as _first_line

#: Largest picture file read, in bytes (as :data:`viz.core.images.MAX_FILE_BYTES`).
MAX_PICTURE_BYTES = 64 * 2**20
#: A picture with a longer side is reduced to this many pixels (aspect kept) while read.
MAX_SIDE = 4096
#: Picture files :func:`viz.core.explain.folders.load_image_folder` reads.
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")
_RGB_TO_GRAY = np.array([0.299, 0.587, 0.114])


# ---------------------------------------------------------------------------- pictures
class Picture(np.ndarray):
    """A picture as read by :func:`read_picture`: a uint8 array that remembers where it came
    from. ``source_size`` is ``(width, height)`` in the file, ``source_mode`` the Pillow
    mode there, ``notes`` what reading did (reduced, transparency flattened)."""

    source_size: tuple
    source_mode: str
    notes: tuple

    def __array_finalize__(self, obj):
        self.source_size = getattr(obj, "source_size", None)
        self.source_mode = getattr(obj, "source_mode", None)
        self.notes = getattr(obj, "notes", ())


def _flatten_alpha(rgb: np.ndarray, alpha: np.ndarray):
    """Composite over white, or over black when what is drawn (the opaque part) is light.

    Returns the array (float 0..255) and which background was used.
    """
    a = alpha.astype(np.float64)[..., None] / 255.0
    lum = rgb.astype(np.float64) if rgb.ndim == 2 else rgb.astype(np.float64) @ [0.299, 0.587, 0.114]
    lum = lum.reshape(alpha.shape)
    drawn = alpha > 127
    light = bool(drawn.any() and lum[drawn].mean() > 127.5)
    bg = 0.0 if light else 255.0
    c = rgb.astype(np.float64).reshape(alpha.shape + (-1,))
    out = c * a + bg * (1 - a)
    return (out[..., 0] if rgb.ndim == 2 else out), ("black" if light else "white")


def _to_array(im):
    """(uint8 array (H, W) or (H, W, 3), note or None) from a loaded Pillow image of any mode."""
    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        a = np.asarray(im, dtype=np.float64)
        if mode == "F":
            lo, hi = (float(a.min()), float(a.max())) if a.size else (0.0, 1.0)
            a = (a - lo) / (hi - lo) * 255 if hi > lo else np.zeros_like(a)
            return a.round().astype(np.uint8), "floating-point values stretched to 0..255"
        if a.size and a.max() > 255:
            return (np.clip(a, 0, 65535) / 257).round().astype(np.uint8), "16-bit values scaled to 8 bits"
        return np.clip(a, 0, 255).round().astype(np.uint8), None
    if mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    elif mode == "PA":
        im = im.convert("RGBA")
    elif mode == "1":
        im = im.convert("L")
    elif mode in ("La",):
        im = im.convert("LA")
    elif mode in ("RGBa",):
        im = im.convert("RGBA")
    elif mode not in ("L", "LA", "RGB", "RGBA"):
        im = im.convert("RGB")                       # CMYK, YCbCr, LAB, HSV, RGBX, ...
    a = np.asarray(im)
    if im.mode in ("LA", "RGBA"):
        color, alpha = a[..., :-1], a[..., -1]
        if im.mode == "LA":
            color = color[..., 0]
        if alpha.min() == 255:
            return np.ascontiguousarray(color), None
        out, bg = _flatten_alpha(color, alpha)
        return out.round().clip(0, 255).astype(np.uint8), f"transparent pixels made {bg}"
    return np.ascontiguousarray(a), None


def read_picture(path, *, max_pixels: int = 50_000_000):
    """Read a picture with Pillow as a uint8 array, safely.

    Parameters
    ----------
    path : str or Path
    max_pixels : int
        A picture whose header claims more pixels (width x height) is refused before it
        is decoded (a "decompression bomb": a few hundred bytes can claim 20000 x 20000).

    Returns
    -------
    Picture
        An ``np.ndarray`` subclass, uint8, ``(H, W)`` for gray pictures or ``(H, W, 3)``
        for colour ones, with ``source_size``, ``source_mode`` and ``notes`` attributes.
        The EXIF orientation is applied; an animated picture gives its first frame;
        16-bit pictures are scaled to 8 bits; transparency is flattened onto white (or
        onto black when the opaque pixels are mostly light, so a drawing stays visible);
        a picture with a side over :data:`MAX_SIDE` pixels is reduced (aspect kept) to at
        most that, JPEGs while they are decoded (``Image.draft``).

    Raises
    ------
    ValueError
        One line for a missing file, a folder, a file over 64 MiB, more than
        ``max_pixels`` pixels, or anything Pillow cannot decode.
    """
    from PIL import Image, ImageOps

    from ..._io import check_input_file

    if isinstance(max_pixels, bool) or not isinstance(max_pixels, (int, np.integer)) or max_pixels < 1:
        raise ValueError(f"max_pixels must be a positive integer, got {max_pixels!r}")
    path = check_input_file(path, "picture", MAX_PICTURE_BYTES)
    what = f"cannot read picture {path}"
    notes = []
    bound = Image.MAX_IMAGE_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                  # bomb, EXIF, palette warnings
        try:
            Image.MAX_IMAGE_PIXELS = max(int(max_pixels), 1)   # Pillow refuses 2x this itself
            with Image.open(path) as im:
                w, h = im.size
                mode = im.mode
                if w * h > max_pixels:
                    raise ValueError(f"picture {path} is {w}x{h} = {w * h:,} pixels; the most read "
                                     f"is {max_pixels:,} (a decompression bomb?)")
                if min(w, h) < 1:
                    raise ValueError(f"{what}: it has no pixels ({w}x{h})")
                if im.format == "JPEG" and max(w, h) > MAX_SIDE:
                    im.draft(im.mode, (math.ceil(w * MAX_SIDE / max(w, h)),
                                       math.ceil(h * MAX_SIDE / max(w, h))))
                im.load()
                im = ImageOps.exif_transpose(im) or im
                if im.mode.startswith("I;16"):
                    im = im.convert("I")
                if max(im.size) > MAX_SIDE:
                    if im.mode not in ("L", "LA", "RGB", "RGBA", "I", "F"):
                        im = im.convert("RGBA" if "A" in im.getbands() or "transparency" in im.info
                                        else "RGB")
                    im.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.BOX)
                if im.size != (w, h) and max(im.size) < max(w, h):
                    notes.append(f"reduced from {w}x{h} to {im.size[0]}x{im.size[1]} while read")
                a, note = _to_array(im)
        except Image.DecompressionBombError as exc:
            n = re.search(r"\((\d+) pixels\)", str(exc))
            claim = f"{int(n.group(1)):,} pixels" if n else f"more than {max_pixels:,} pixels"
            raise ValueError(f"picture {path} claims {claim}; the most read is {max_pixels:,} "
                             "(a decompression bomb?)") from None
        except ValueError as exc:
            if str(exc).startswith(("picture ", what)):
                raise
            raise ValueError(f"{what}: not a picture Pillow can open ({_first_line(exc)})") from None
        except Exception as exc:                         # noqa: BLE001 - hostile data
            raise ValueError(f"{what}: not a picture Pillow can open ({_first_line(exc)})") from None
        finally:
            Image.MAX_IMAGE_PIXELS = bound
    if note:
        notes.append(note)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[..., 0]
    pic = np.ascontiguousarray(a, dtype=np.uint8).view(Picture)
    pic.source_size, pic.source_mode, pic.notes = (w, h), mode, tuple(notes)
    return pic


# ---------------------------------------------------------------------------- conversion
def _describe_mode(picture) -> str:
    mode = getattr(picture, "source_mode", None)
    names = {"L": "gray", "1": "black-and-white", "P": "palette", "LA": "gray+alpha",
             "PA": "palette+alpha", "I;16": "16-bit gray", "I;16B": "16-bit gray",
             "I;16L": "16-bit gray", "I": "32-bit gray", "F": "float gray"}
    if mode:
        return names.get(mode, mode)
    a = np.asarray(picture)
    return "gray" if a.ndim == 2 or a.shape[-1] == 1 else {3: "RGB", 4: "RGBA"}.get(a.shape[-1], "?")


def _as_hwc(picture) -> np.ndarray:
    """A picture as float64 (H, W, C) in 0..1 (C = 1 or 3; RGBA composited on white)."""
    a = np.asarray(picture)
    if a.dtype == np.uint8:
        a = a.astype(np.float64) / 255.0
    elif a.dtype == bool:
        a = a.astype(np.float64)
    elif not np.issubdtype(a.dtype, np.number):
        raise ValueError(f"the picture must be numbers, got dtype {a.dtype}")
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 3 and a.shape[0] in (1, 3, 4) and a.shape[-1] not in (1, 3, 4):
        a = np.moveaxis(a, 0, -1)                   # (C, H, W) -> (H, W, C)
    if a.ndim == 2:
        a = a[..., None]
    if a.ndim != 3 or a.shape[-1] not in (1, 3, 4) or min(a.shape[:2]) < 1:
        raise ValueError(f"a picture must be (H, W), (H, W, 3) or (H, W, 4), got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError("the picture contains NaN or infinite values")
    if a.shape[-1] == 4:
        a = a[..., :3] * a[..., 3:] + (1 - a[..., 3:])
    return np.clip(a, 0.0, 1.0)


def _box_reduce(picture, h, w):
    """A uint8 picture many times larger than ``h x w``, box-averaged by an integer factor
    with Pillow first (fast), so that it stays at least twice the size that the area
    average then makes: a 4096-pixel photo takes milliseconds, not seconds."""
    from PIL import Image

    a = np.asarray(picture)
    if a.dtype != np.uint8 or a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[-1] not in (3, 4)):
        return picture
    k = int(max(a.shape[0] / h, a.shape[1] / w) // 2)
    if k < 2:
        return picture
    return np.asarray(Image.fromarray(np.ascontiguousarray(a)).reduce(k))


def _convert(picture, shape, invert=None):
    """(x float32 (C, H, W), list of what was done)."""
    from ..tracing import prepare_input

    c, h, w = shape
    if c not in (1, 3):
        raise ValueError(f"the model takes {c} input channels; a picture gives 1 (gray) or 3 (RGB)")
    done = list(getattr(picture, "notes", ()))
    a = _as_hwc(_box_reduce(picture, h, w))
    if a.shape[-1] == 3 and c == 1:
        a = (a @ _RGB_TO_GRAY)[..., None]
        done.append("RGB made gray")
    elif a.shape[-1] == 1 and c == 3:
        a = np.repeat(a, 3, axis=-1)
        done.append("gray copied to RGB")
    border = np.concatenate([a[0], a[-1], a[:, 0], a[:, -1]])
    if c == 1:
        if invert is None:
            invert = float(np.median(border)) > 0.5
        if invert:
            a, border = 1.0 - a, 1.0 - border
            done.append("inverted: dark ink on light paper made light on dark, like MNIST")
    ph, pw = a.shape[:2]
    if ph * w != pw * h:                           # pad to the model's aspect, no stretching
        th, tw = (ph, math.ceil(ph * w / h)) if pw * h < ph * w else (math.ceil(pw * h / w), pw)
        canvas = np.empty((th, tw, a.shape[-1]))
        canvas[...] = np.median(border, axis=0)
        top, left = (th - ph) // 2, (tw - pw) // 2
        canvas[top:top + ph, left:left + pw] = a
        a = canvas
        done.append(f"padded to {tw}x{th} with its border colour")
    if a.shape[:2] == (h, w):
        done.append("no resize")
    elif a.shape[0] >= h and a.shape[1] >= w:
        done.append("area average")
    else:
        done.append("bilinear")
    t = prepare_input(np.moveaxis(a, -1, 0), None, size=(h, w), channels=c)
    x = np.ascontiguousarray(t[0].numpy(), dtype=np.float32)
    return x, done


def convert_input(picture, shape, *, source: str = "input.png", invert: bool | None = None):
    """Convert a picture to what the model takes, and say how in one line.

    Parameters
    ----------
    picture : ndarray
        ``(H, W)``, ``(H, W, 3)`` or ``(H, W, 4)``, uint8 or floats in 0..1 (a
        :class:`~viz.core.explain.pictures.Picture` from ``read_picture`` also tells its
        size and mode in the file).
    shape : (C, H, W)
        From :func:`input_shape`; C must be 1 or 3.
    source : str
        The picture's name, for the line.
    invert : bool, optional
        1-channel models only. ``None`` (default): invert a picture whose border is mostly
        light (dark ink on light paper; MNIST digits are light on black), as
        :func:`viz.core.images.load_image` does.

    Returns
    -------
    x : ndarray, float32, ``(C, H, W)``
        Values 0..1, no normalisation. A picture of another aspect ratio is padded with
        its border colour first (never stretched); it is resized with
        :func:`viz.core.tracing.prepare_input` (area average to shrink, bilinear to grow).
    line : str
        e.g. ``"input: digit.png, 640x480 RGB -> 1x28x28 gray (RGB made gray, inverted: dark
        ink on light paper made light on dark, like MNIST, padded to 640x640 with its border
        colour, area average), values 0..1"`` (sizes of the file are width x height).
    """
    shape = tuple(int(v) for v in shape)
    if len(shape) != 3:
        raise ValueError(f"shape must be (C, H, W), got {shape!r}")
    x, done = _convert(picture, shape, invert)
    a = np.asarray(picture)
    w0, h0 = getattr(picture, "source_size", None) or (a.shape[1], a.shape[0])
    c, h, w = shape
    kind = "gray" if c == 1 else "RGB"
    line = (f"input: {source}, {w0}x{h0} {_describe_mode(picture)} -> {c}x{h}x{w} {kind} "
            f"({', '.join(done)}), values 0..1")
    return x, line
