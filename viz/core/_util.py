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


def first_line(exc: BaseException) -> str:
    """``"ExcType: first line of its message"`` (just the type when there is no message)."""
    text = (str(exc).strip().splitlines() or [""])[0].strip()
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__


@contextlib.contextmanager
def evaluating(model):
    """Run ``model`` in eval mode without gradients inside the block; afterwards every
    module has its own train flag back (``model.train(flag)`` would set every child)."""
    import torch

    modes = [(m, m.training) for m in model.modules()]
    try:
        model.eval()
        with torch.no_grad():
            yield model
    finally:
        for m, mode in modes:
            m.training = mode


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
