"""Why a nonlinearity, and what one hidden ReLU layer can do (lesson 3).

* :func:`stack_two_layers`: two linear layers ``W2 (W1 x)`` are one matrix ``(W2 W1) x``;
  with a ReLU between them they are not. Computed on a grid of lines in the plane, so a
  figure or scene can draw the grid each way.
* :func:`train_shallow_relu`: a one-hidden-layer ReLU network trained live with torch on
  a 1-D target (a sine with a bump). At chosen steps it keeps every hidden unit's piece
  ``w2_j * relu(w1_j x + b1_j)``; the pieces plus the output bias are the network's fit.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._util import freeze_arrays, torch_threads


_freeze = freeze_arrays


@dataclass(frozen=True, eq=False)
class LinearStack:
    """A grid of lines pushed through two 2x2 layers, with and without a ReLU between."""

    w1: np.ndarray            # (2, 2)
    w2: np.ndarray            # (2, 2)
    w21: np.ndarray           # (2, 2) W2 @ W1, the single matrix
    lines: np.ndarray         # (n_lines, n_samples, 2) the original grid's lines
    hidden: np.ndarray        # (n_lines, n_samples, 2) after W1
    hidden_relu: np.ndarray   # (n_lines, n_samples, 2) after W1, then ReLU
    out_two: np.ndarray       # W2 (W1 x): two linear layers, one after the other
    out_single: np.ndarray    # (W2 W1) x: one matrix
    out_relu: np.ndarray      # W2 relu(W1 x)

    def __post_init__(self):
        _freeze(self)

    @property
    def linear_gap(self) -> float:
        """Largest difference between two linear layers and their product (float error)."""
        return float(np.abs(self.out_two - self.out_single).max())

    @property
    def relu_gap(self) -> float:
        """Largest difference once a ReLU sits between the layers (far from zero)."""
        return float(np.abs(self.out_relu - self.out_single).max())


def _grid_lines(n_lines: int, n_samples: int, extent: float) -> np.ndarray:
    t = np.linspace(-extent, extent, n_samples)
    levels = np.linspace(-extent, extent, n_lines)
    horizontal = [np.stack([t, np.full_like(t, v)], axis=1) for v in levels]
    vertical = [np.stack([np.full_like(t, v), t], axis=1) for v in levels]
    return np.array(horizontal + vertical)


#: Default layers: a rotation-and-shear and a mild stretch (one decimal, readable on screen).
DEFAULT_W1 = ((1.0, -0.6), (0.5, 0.9))
DEFAULT_W2 = ((0.8, 0.4), (-0.7, 1.0))


def stack_two_layers(w1=DEFAULT_W1, w2=DEFAULT_W2, *, n_lines: int = 9, n_samples: int = 41,
                     extent: float = 1.0) -> LinearStack:
    """Push a square grid of lines through ``W2 . W1``, one matrix, and ``W2 . ReLU . W1``.

    >>> s = stack_two_layers()
    >>> s.linear_gap < 1e-12 < 0.1 < s.relu_gap
    True
    """
    w1, w2 = np.asarray(w1, dtype=float), np.asarray(w2, dtype=float)
    if w1.shape != (2, 2) or w2.shape != (2, 2):
        raise ValueError(f"w1 and w2 must be 2x2, got {w1.shape} and {w2.shape}")
    if n_lines < 2 or n_samples < 2 or extent <= 0:
        raise ValueError(f"need n_lines >= 2, n_samples >= 2, extent > 0; got "
                         f"{n_lines}, {n_samples}, {extent}")
    lines = _grid_lines(n_lines, n_samples, extent)
    hidden = lines @ w1.T
    hidden_relu = np.maximum(hidden, 0.0)
    w21 = w2 @ w1
    return LinearStack(w1=w1, w2=w2, w21=w21, lines=lines, hidden=hidden, hidden_relu=hidden_relu,
                       out_two=hidden @ w2.T, out_single=lines @ w21.T,
                       out_relu=hidden_relu @ w2.T)


# ----------------------------------------------------------------------------- shallow net
def sine_bump(x) -> np.ndarray:
    """The default 1-D target: a sine with a narrow bump added."""
    x = np.asarray(x, dtype=np.float64)
    return np.sin(np.pi * x) + 0.9 * np.exp(-((x - 0.35) / 0.12) ** 2)


@dataclass(frozen=True, eq=False)
class ShallowFit:
    """Snapshots of a one-hidden-layer ReLU network fitting a 1-D target.

    ``fit[s] == pieces[s].sum(axis=0) + b2[s]``: the hidden units' ReLU pieces add up
    to the network's output.
    """

    x: np.ndarray          # (n,) inputs in [-1, 1]
    target: np.ndarray     # (n,)
    steps: np.ndarray      # (S,) training step of each snapshot (0 = before training)
    w1: np.ndarray         # (S, H) hidden weights
    b1: np.ndarray         # (S, H) hidden biases
    w2: np.ndarray         # (S, H) output weights
    b2: np.ndarray         # (S,) output bias
    pieces: np.ndarray     # (S, H, n) w2_j * relu(w1_j * x + b1_j)
    fit: np.ndarray        # (S, n) the network's output (from torch)
    loss: np.ndarray       # (S,) mean squared error at each snapshot
    loss_curve: np.ndarray  # (n_steps + 1,) loss before every step and after the last

    def __post_init__(self):
        _freeze(self)

    def partial_sums(self, snapshot: int = -1, order=None) -> np.ndarray:
        """(H + 1, n): the output bias, then the bias plus the first 1, 2, ..., H pieces
        (taken in ``order``, default 0..H-1). The last row is the network's fit.
        """
        order = np.arange(self.pieces.shape[1]) if order is None else np.asarray(order)
        if sorted(order.tolist()) != list(range(self.pieces.shape[1])):
            raise ValueError(f"order must be a permutation of 0..{self.pieces.shape[1] - 1}")
        cum = np.cumsum(self.pieces[snapshot][order], axis=0)
        b = self.b2[snapshot]
        return np.vstack([np.full((1, len(self.x)), b), cum + b])

    def summation_order(self, snapshot: int = -1) -> np.ndarray:
        """An order of the hidden units whose running sums stay near the target's range.

        Greedy: each next piece is the one that takes the running sum least far outside
        ``[target.min(), target.max()]`` (for drawing the sum being built on one scale).
        """
        lo, hi = self.target.min(), self.target.max()
        pieces = self.pieces[snapshot]
        current = np.full(len(self.x), self.b2[snapshot])
        left, order = list(range(len(pieces))), []
        while left:
            def excursion(j):
                y = current + pieces[j]
                return float(np.maximum(np.maximum(y - hi, lo - y), 0).max())
            best = min(left, key=excursion)
            order.append(best)
            left.remove(best)
            current = current + pieces[best]
        return np.array(order)

    @property
    def kinks(self) -> np.ndarray:
        """(S, H) where each hidden unit's ReLU bends: ``x = -b1 / w1``."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return -self.b1 / self.w1


def default_snapshots(n_steps: int, count: int = 12) -> tuple[int, ...]:
    """0, then roughly log-spaced steps up to ``n_steps`` (fast change early is seen)."""
    steps = np.unique(np.round(np.geomspace(1, n_steps, count - 1)).astype(int))
    return (0, *map(int, steps))


def train_shallow_relu(*, n_hidden: int = 12, n_steps: int = 1200, lr: float = 0.02,
                       n_points: int = 160, snapshots=None, target=sine_bump, seed: int = 0,
                       on_step=None, cache: bool = True) -> ShallowFit:
    """Train ``Linear(1, H) -> ReLU -> Linear(H, 1)`` with Adam on ``target`` over [-1, 1].

    Full-batch, float64, on the CPU (about a second). The hidden units start with their
    kinks ``-b1/w1`` spread over the input range (seeded numpy, so torch's global RNG is
    not touched); ``on_step(step, loss)`` is called after each step.

    With the built-in target (:func:`sine_bump`) and no ``on_step``, the fit is computed
    once per machine and kept in the cache folder (:mod:`viz.core.cache`), keyed by every
    argument; ``cache=False`` (or ``VIZ_CACHE=off``) trains, and so does your own target.

    >>> fit = train_shallow_relu(n_hidden=4, n_steps=20, snapshots=(0, 20))
    >>> float(abs(fit.pieces[-1].sum(0) + fit.b2[-1] - fit.fit[-1]).max()) < 1e-9
    True
    """
    if n_hidden < 1 or n_steps < 1 or n_points < 2 or lr <= 0:
        raise ValueError(f"need n_hidden >= 1, n_steps >= 1, n_points >= 2, lr > 0; got "
                         f"{n_hidden}, {n_steps}, {n_points}, {lr}")
    snaps = tuple(default_snapshots(n_steps) if snapshots is None else sorted(set(snapshots)))
    if snaps[0] < 0 or snaps[-1] > n_steps:
        raise ValueError(f"snapshots must lie in 0..{n_steps}, got {snaps}")
    from .cache import cached

    params = {"n_hidden": n_hidden, "n_steps": n_steps, "lr": float(lr), "n_points": n_points,
              "snapshots": [int(v) for v in snaps], "seed": seed}
    return cached("shallow-relu", params,
                  lambda: _train_shallow(n_hidden, n_steps, lr, n_points, snaps, target, seed,
                                         on_step),
                  version=1, use=cache and target is sine_bump and on_step is None)


def _train_shallow(n_hidden, n_steps, lr, n_points, snaps, target, seed, on_step) -> ShallowFit:
    import torch
    from torch import nn

    x = np.linspace(-1, 1, n_points)
    y = np.asarray(target(x), dtype=np.float64)
    with torch.random.fork_rng(devices=[]):   # Linear's own init would use the global RNG
        net = nn.Sequential(nn.Linear(1, n_hidden), nn.ReLU(), nn.Linear(n_hidden, 1)).double()
    # Initialise so that the hidden units' kinks (-b1/w1) spread over the input range.
    rng = np.random.default_rng(seed)
    w1 = rng.choice([-1.0, 1.0], n_hidden) * rng.uniform(1.0, 3.0, n_hidden)
    kinks = np.sort(rng.uniform(-0.95, 0.95, n_hidden))
    with torch.no_grad():
        net[0].weight.copy_(torch.from_numpy(w1)[:, None])
        net[0].bias.copy_(torch.from_numpy(-w1 * kinks))
        net[2].weight.copy_(torch.from_numpy(rng.normal(0, 0.2, (1, n_hidden))))
        net[2].bias.zero_()
    xt, yt = torch.from_numpy(x)[:, None], torch.from_numpy(y)[:, None]
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    rec = {k: [] for k in ("w1", "b1", "w2", "b2", "fit", "loss")}
    curve = []

    def snapshot(loss):
        with torch.no_grad():
            rec["w1"].append(net[0].weight[:, 0].numpy().copy())
            rec["b1"].append(net[0].bias.numpy().copy())
            rec["w2"].append(net[2].weight[0].numpy().copy())
            rec["b2"].append(float(net[2].bias[0]))
            rec["fit"].append(net(xt)[:, 0].numpy().copy())
            rec["loss"].append(loss)

    with torch_threads(1):     # tensors this small run fastest on one thread
        for step in range(n_steps + 1):
            pred = net(xt)
            loss = torch.mean((pred - yt) ** 2)
            value = loss.item()
            curve.append(value)
            if step in snaps:
                snapshot(value)
            if step == n_steps:
                break
            opt.zero_grad()
            loss.backward()
            opt.step()
            if on_step is not None:
                on_step(step + 1, value)
    w1, b1, w2 = (np.array(rec[k]) for k in ("w1", "b1", "w2"))
    pieces = w2[:, :, None] * np.maximum(w1[:, :, None] * x + b1[:, :, None], 0.0)
    return ShallowFit(x=x, target=y, steps=np.array(snaps), w1=w1, b1=b1, w2=w2,
                      b2=np.array(rec["b2"]), pieces=pieces, fit=np.array(rec["fit"]),
                      loss=np.array(rec["loss"]), loss_curve=np.array(curve))
