"""A ball rolling down a 1-D loss landscape under SGDR: the lesson's intuition, computed.

Jeremy's picture for restarts (fast.ai 2018 lesson 1-2, ``fastai-lessons.md`` section 2):
a sharp, spiky minimum is left again when the learning rate jumps back up; a wide, flat
one is not, so after a few restarts training ends somewhere flat, which generalises.

Here that is plain arithmetic, not animation keyframes. The landscape is a tilted bowl
with two narrow Gaussian wells and one wide one; the "ball" is stochastic gradient descent
on it, ``x <- x - lr_t * (f'(x) + noise)``, with ``lr_t`` fastai's SGDR schedule. A
minimum of curvature ``k`` is stable under gradient descent only while ``lr * k < 2``:
at the peak LR the narrow wells (``k`` about 20) throw the ball out, the wide one
(``k`` about 1.4) keeps it.

>>> run = sgdr_ball()
>>> [run.landscape.well_at(run.x[i]) for i in run.cycle_ends]
[0, 1, 2]
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._util import freeze_arrays

from .schedules import Schedule, _check_lrs, sgdr


@dataclass(frozen=True, eq=False)
class Landscape:
    """``f(x) = bowl * (x - bowl_center)**2 - sum_i depth_i * exp(-(x - c_i)**2 / (2 w_i**2))``."""

    centers: np.ndarray   # (k,) well positions
    depths: np.ndarray    # (k,)
    widths: np.ndarray    # (k,) Gaussian sigma of each well
    bowl: float = 0.1
    bowl_center: float = 2.2

    def __post_init__(self):
        for name in ("centers", "depths", "widths"):
            a = np.array(getattr(self, name), dtype=float)
            a.flags.writeable = False
            object.__setattr__(self, name, a)
        if not (self.centers.shape == self.depths.shape == self.widths.shape) or self.centers.ndim != 1:
            raise ValueError("centers, depths and widths must be 1-D arrays of one length")
        if np.any(self.widths <= 0):
            raise ValueError(f"well widths must be positive, got {self.widths.tolist()}")

    def _bumps(self, x):
        x = np.asarray(x, dtype=float)[..., None]
        return x - self.centers, np.exp(-(x - self.centers) ** 2 / (2 * self.widths ** 2))

    def loss(self, x):
        """f(x), elementwise."""
        d, e = self._bumps(x)
        return self.bowl * (np.asarray(x, float) - self.bowl_center) ** 2 - (self.depths * e).sum(-1)

    def grad(self, x):
        """f'(x), elementwise (analytic)."""
        d, e = self._bumps(x)
        return 2 * self.bowl * (np.asarray(x, float) - self.bowl_center) + (self.depths * d / self.widths ** 2 * e).sum(-1)

    def curvature(self) -> np.ndarray:
        """(k,) f'' at each well's centre, counting the well and the bowl only."""
        return self.depths / self.widths ** 2 + 2 * self.bowl

    def stable(self, lr: float) -> np.ndarray:
        """(k,) bool: is gradient descent at ``lr`` stable in each well (``lr * f'' < 2``)?"""
        return lr * self.curvature() < 2

    def well_at(self, x: float, within: float = 1.5) -> int:
        """Index of the well whose centre is within ``within`` widths of ``x``, else -1."""
        near = np.abs(x - self.centers) <= within * self.widths
        return int(np.argmax(near)) if near.any() else -1

    def grid(self, lo: float = -4.2, hi: float = 4.2, n: int = 400):
        """``(x, f(x))`` on ``n`` points, for drawing."""
        xs = np.linspace(lo, hi, n)
        return xs, self.loss(xs)


def default_landscape() -> Landscape:
    """Two narrow wells (x = -2.2, -0.2; sigma 0.2) and a wide one (x = 2.2; sigma 0.9)."""
    return Landscape(centers=[-2.2, -0.2, 2.2], depths=[0.8, 0.8, 1.0], widths=[0.2, 0.2, 0.9],
                     bowl=0.1, bowl_center=2.2)


@dataclass(frozen=True, eq=False)
class BallRun:
    """Where the ball was at every iteration.

    x, loss : ndarray, shape (n_iter + 1,)   position and f(x); x[0] is the start,
              x[i + 1] the position after iteration i
    lr : ndarray, shape (n_iter,)            the LR of iteration i
    noise : ndarray, shape (n_iter,)         the gradient noise drawn for iteration i
    """

    landscape: Landscape
    schedule: Schedule
    x: np.ndarray
    loss: np.ndarray
    lr: np.ndarray
    noise: np.ndarray

    def __post_init__(self):
        freeze_arrays(self)

    @property
    def cycle_ends(self) -> list[int]:
        """Indices into ``x`` of the position at the end of each cycle."""
        return [int(b) for _, b in self.schedule.cycles()]

    def path(self, substeps: int = 6, hop: float = 0.25) -> np.ndarray:
        """(n_iter * substeps + 1, 2) points ``(x, y)`` for drawing the ball's flight.

        Between two positions the ball flies on a parabola over the chord, ``hop`` times
        the jump's length high, so long jumps read as jumps; ``path[k * substeps]`` is
        exactly ``(x[k], loss[k])``.
        """
        if substeps < 1:
            raise ValueError(f"substeps must be >= 1, got {substeps!r}")
        s = np.arange(substeps) / substeps
        x0, x1, y0, y1 = self.x[:-1, None], self.x[1:, None], self.loss[:-1, None], self.loss[1:, None]
        xs = x0 + (x1 - x0) * s
        ys = y0 + (y1 - y0) * s + hop * np.abs(x1 - x0) * 4 * s * (1 - s)
        pts = np.stack([xs.ravel(), ys.ravel()], axis=1)
        return np.vstack([pts, [[self.x[-1], self.loss[-1]]]])

    def wells(self) -> np.ndarray:
        """(n_iter + 1,) the well the ball is in at each step (-1: between wells)."""
        return np.array([self.landscape.well_at(v) for v in self.x])


def roll_ball(landscape: Landscape, lr, *, x0: float = -3.8, noise: float = 0.2, seed: int = 0):
    """SGD on the landscape: ``x <- x - lr[i] * (f'(x) + noise * N(0, 1))``.

    Returns ``(x, noise_draws)``: positions, shape (n + 1,), and the draws, shape (n,).
    """
    lr = np.asarray(lr, dtype=float).ravel()
    _check_lrs(lr) if lr.size else None
    if not np.isfinite(x0):
        raise ValueError(f"x0 must be finite, got {x0!r}")
    if not noise >= 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")
    draws = noise * np.random.default_rng(seed).standard_normal(lr.size)
    x = np.empty(lr.size + 1)
    x[0] = x0
    for i, eta in enumerate(lr):
        x[i + 1] = x[i] - eta * (landscape.grad(x[i]) + draws[i])
    return x, draws


def sgdr_ball(lr: float = 0.25, *, iters_per_epoch: int = 20, n_cycles: int = 3, cycle_len: float = 1,
              cycle_mult: float = 2, x0: float = -3.8, noise: float = 0.2, seed: int = 0,
              landscape: Landscape | None = None) -> BallRun:
    """The ball under fastai SGDR (``fit(lr, 3, cycle_len=1, cycle_mult=2)`` by default)."""
    land = landscape or default_landscape()
    sched = sgdr(lr, iters_per_epoch=iters_per_epoch, n_cycles=n_cycles, cycle_len=cycle_len,
                 cycle_mult=cycle_mult)
    x, draws = roll_ball(land, sched.head, x0=x0, noise=noise, seed=seed)
    return BallRun(land, sched, x, land.loss(x), sched.head.copy(), draws)
