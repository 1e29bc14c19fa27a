"""Small helpers shared by core modules (no plotting, no Manim)."""
from __future__ import annotations

import contextlib
from dataclasses import fields

import numpy as np


def freeze_arrays(obj, *, copy: bool = False) -> None:
    """Make every ndarray field of a (frozen) dataclass read-only.

    With ``copy=True`` each array is copied first, so the caller's array stays writable
    and the result cannot change behind the result's back. Call from ``__post_init__``.
    """
    for f in fields(obj):
        v = getattr(obj, f.name)
        if isinstance(v, np.ndarray):
            if copy:
                v = np.array(v)
                object.__setattr__(obj, f.name, v)
            v.flags.writeable = False


@contextlib.contextmanager
def torch_threads(n: int | None = 1):
    """Run torch on ``n`` threads inside the block, then restore the previous number.

    Tiny models train fastest on one thread, and on a busy 2-core machine two torch
    threads fighting other processes can be ten to a hundred times slower. ``None``
    leaves the setting alone.
    """
    import torch

    if n is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
