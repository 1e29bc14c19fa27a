"""Image folders for ``viz explain --data``: one sub-folder per class, read with Pillow
(no torchvision) and converted like the ``--input`` picture."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .pictures import IMAGE_EXTENSIONS, _convert, read_picture


@dataclass(frozen=True, eq=False)
class ImageFolder:
    """Pictures of a folder with one sub-folder per class, converted for a model.

    x : ndarray float32 (N, C, H, W)   values 0..1, as :func:`convert_input` makes them
    y : ndarray int64 (N,)             index into ``classes``
    classes : tuple of str             the sub-folder names, sorted
    files : tuple of str               each picture's path, in the order of ``x``
    """

    x: np.ndarray
    y: np.ndarray
    classes: tuple
    files: tuple = ()

    def __post_init__(self):
        for a in (self.x, self.y):
            a.flags.writeable = False

    @property
    def counts(self) -> tuple:
        """Pictures per class, in the order of ``classes``."""
        return tuple(int(n) for n in np.bincount(self.y, minlength=len(self.classes)))


def _pictures(folder: Path) -> list:
    """Picture files under ``folder`` (recursively), hidden files and folders skipped, sorted."""
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        out.extend(Path(dirpath) / f for f in sorted(filenames)
                   if not f.startswith(".") and Path(f).suffix.lower() in IMAGE_EXTENSIONS)
    return sorted(out, key=lambda p: p.relative_to(folder).parts)


def load_image_folder(root, shape, *, max_per_class: int = 200) -> ImageFolder:
    """Read an image folder (``root/<class>/<picture>``) for a model of input ``shape``.

    Parameters
    ----------
    root : str or Path
        One sub-folder per class (their names, sorted, are the classes); pictures are
        found by extension (:data:`IMAGE_EXTENSIONS`, any case, in sub-sub-folders too);
        hidden files and folders are skipped.
    shape : (C, H, W)
        Every picture is converted as :func:`convert_input` does (inverted or not each by
        its own border, for 1-channel models).
    max_per_class : int
        At most this many pictures per class: the first ones in sorted path order.

    Returns
    -------
    ImageFolder

    Raises
    ------
    ValueError
        One line for: not a folder, no class sub-folders, no pictures at all, a class
        folder without pictures, only one class (named), an unreadable picture (named).
    """
    if isinstance(max_per_class, bool) or not isinstance(max_per_class, (int, np.integer)) \
            or not 1 <= max_per_class <= 100_000:
        raise ValueError(f"max_per_class must be an integer from 1 to 100000, got {max_per_class!r}")
    root = Path(root)
    if not root.is_dir():
        raise ValueError(f"data folder not found or not a folder: {root}")
    classes = sorted(d.name for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))
    if not classes:
        raise ValueError(f"data folder {root} has no class sub-folders (expected {root}/<class>/<picture>)")
    found = {k: _pictures(root / k) for k in classes}
    if not any(found.values()):
        exts = " ".join(e[1:] for e in IMAGE_EXTENSIONS)
        raise ValueError(f"data folder {root} has no pictures ({exts}) in its class folders")
    empty = [k for k in classes if not found[k]]
    if empty:
        raise ValueError(f"data folder {root}: class folder {empty[0]!r} has no pictures")
    if len(classes) < 2:
        raise ValueError(f"data folder {root} has only one class ({classes[0]!r}); an LR range "
                         "test needs at least two")
    xs, ys, files = [], [], []
    for i, k in enumerate(classes):
        for f in found[k][:max_per_class]:
            try:
                x, _ = _convert(read_picture(f), tuple(shape))
            except ValueError as exc:
                msg = str(exc)
                raise ValueError(msg if str(f) in msg else f"data folder picture {f}: {msg}") from None
            xs.append(x)
            ys.append(i)
            files.append(str(f))
    return ImageFolder(np.stack(xs).astype(np.float32), np.array(ys, dtype=np.int64),
                       tuple(classes), tuple(files))
