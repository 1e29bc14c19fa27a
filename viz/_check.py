"""Bounds for the command line's numbers: argparse ``type=`` objects that say what they accept.

Every size or magnitude option of ``viz`` takes ``type=Int(lo, hi)`` or ``type=Float(lo,
hi)``, so a value out of range is refused while the arguments are parsed, before any
work, with one line naming the option, the value and the bound, e.g.
``argument --seed: must be between 0 and 2**32-1, got -1``. The parser is introspectable:
``tests/test_fuzz_cli.py`` finds every bounded option there and tries values outside it.
"""
from __future__ import annotations

import argparse
import math

SEED_MAX = 2**32 - 1


def _fmt(v) -> str:
    if v == SEED_MAX:
        return "2**32-1"
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return f"{v:g}" if isinstance(v, float) else str(v)


class Int:
    """An integer in ``[lo, hi]``; ``lo=None``: only the upper bound (the command checks the
    lower one with its own message)."""

    kind = "integer"

    def __init__(self, lo: int | None, hi: int, *, low_message: str | None = None):
        self.lo, self.hi, self.low_message = lo, hi, low_message
        self.__name__ = "integer"            # argparse names the type in some messages

    def bounds(self) -> str:
        return f"{_fmt(self.lo)}..{_fmt(self.hi)}" if self.lo is not None else f"at most {_fmt(self.hi)}"

    def __call__(self, text):
        try:
            v = int(str(text).strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer, got {str(text)[:40]!r}") from None
        shown = str(v) if len(str(v)) <= 40 else f"{str(v)[:20]}... ({len(str(v))} digits)"
        if self.lo is None and v > self.hi:
            raise argparse.ArgumentTypeError(f"must be at most {_fmt(self.hi)}, got {shown}")
        if self.lo is not None and v < self.lo and self.low_message:
            raise argparse.ArgumentTypeError(f"{self.low_message}, got {shown}")
        if self.lo is not None and not self.lo <= v <= self.hi:
            raise argparse.ArgumentTypeError(
                f"must be between {_fmt(self.lo)} and {_fmt(self.hi)}, got {shown}")
        return v

    def __repr__(self):
        return f"Int({self.lo}, {self.hi})"


class Float:
    """A finite number in ``[lo, hi]`` (``(lo, hi]`` with ``lo_open``); ``lo=None``: finite
    and at most ``hi`` (the command checks the lower bound with its own message)."""

    kind = "number"

    def __init__(self, lo: float | None, hi: float, *, lo_open: bool = False,
                 low_message: str | None = None):
        self.lo = None if lo is None else float(lo)
        self.hi, self.lo_open, self.low_message = float(hi), lo_open, low_message
        self.__name__ = "number"

    def bounds(self) -> str:
        if self.lo is None:
            return f"at most {_fmt(self.hi)}"
        return f"{'(' if self.lo_open else '['}{_fmt(self.lo)}, {_fmt(self.hi)}]"

    def __call__(self, text):
        try:
            v = float(str(text).strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number, got {str(text)[:40]!r}") from None
        if not math.isfinite(v):
            raise argparse.ArgumentTypeError(f"must be a finite number, got {str(text)[:40]!r}")
        if self.lo is None:
            if v > self.hi:
                raise argparse.ArgumentTypeError(f"must be at most {_fmt(self.hi)}, got {v:g}")
            return v
        low_ok = v > self.lo if self.lo_open else v >= self.lo
        if not low_ok and self.low_message:
            raise argparse.ArgumentTypeError(f"{self.low_message}, got {v:g}")
        if not (low_ok and v <= self.hi):
            raise argparse.ArgumentTypeError(f"must be in {self.bounds()}, got {v:g}")
        return v

    def __repr__(self):
        return f"Float({self.lo}, {self.hi}, lo_open={self.lo_open})"


#: ``--seed`` of every command: what numpy and torch both accept.
SEED = Int(0, SEED_MAX)


def check_finite(value, what: str) -> None:
    """Refuse a result that overflowed: ``ValueError`` if any number in ``value`` is NaN/inf."""
    import numpy as np
    a = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{what} is not finite (NaN or infinity): the inputs are too large")


def note(message: str) -> None:
    """One informative line on stderr (e.g. a large picture reduced while it was read)."""
    import sys
    print(f"viz: {message}", file=sys.stderr)
