"""Architectures compared: a handful of small CNNs, trained the same way on the same data.

The student's notes (fast.ai 2018, lesson 1): "various architectures". Here they are at
toy scale, on scikit-learn's bundled digits upsampled to 12x12 (shipped with the
toolkit's dependencies, nothing downloaded). Every model gets the same data split,
mini-batches (seeded), optimizer (Adam), learning rate and number of epochs; each one's
parameters, held-out accuracy, CPU training time and ``learn.summary()``
(:func:`viz.core.summary.summarize`) are recorded.

Training time depends on the machine (and on what else runs on it): it is measured, shown
and never compared against a fixed number.

>>> c = compare_architectures(epochs=2)            # doctest: +SKIP
>>> [(a.name, a.params) for a in c.archs]          # doctest: +SKIP
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ._util import freeze_arrays, torch_threads

#: name -> (what it is, channels per conv block, max-pool after each block, batch norm)
ARCHITECTURES = {
    "tiny": ("1 conv block, 8 filters", (8,), True, False),
    "base": ("2 conv blocks, 8-16 filters", (8, 16), True, False),
    "wide": ("2 conv blocks, 32-64 filters", (32, 64), True, False),
    "deep": ("3 conv blocks, 8-16-32 filters", (8, 16, 32), True, False),
    "no pool": ("base without max-pooling", (8, 16), False, False),
    "base + BN": ("base with batch norm", (8, 16), True, True),
}


@dataclass(frozen=True, eq=False)
class ArchResult:
    """One architecture, trained.

    name, description : str
    params : int                    trainable parameters
    mult_adds : int                 multiply-adds for one image (torchinfo)
    test_acc : float                held-out accuracy after the last epoch
    epoch_acc : ndarray (epochs,)   held-out accuracy after each epoch
    train_seconds : float           CPU wall-clock time of the training loop (machine-dependent)
    summary : viz.core.summary.ModelSummary
    """

    name: str
    description: str
    params: int
    mult_adds: int
    test_acc: float
    epoch_acc: np.ndarray
    train_seconds: float
    summary: object

    def __post_init__(self):
        freeze_arrays(self)


@dataclass(frozen=True, eq=False)
class ArchComparison:
    """Every architecture under the same training recipe."""

    archs: tuple
    image_size: int
    epochs: int
    batch_size: int
    lr: float
    seed: int

    def arch(self, name: str) -> ArchResult:
        for a in self.archs:
            if a.name == name:
                return a
        raise ValueError(f"no architecture {name!r} (have {', '.join(a.name for a in self.archs)})")

    def conclusion(self) -> str:
        """One sentence saying what the comparison shows, from the numbers."""
        best = max(self.archs, key=lambda a: a.test_acc)
        big = max(self.archs, key=lambda a: a.params)
        parts = [f"'{best.name}' is the most accurate ({best.test_acc:.1%}) with {best.params:,} parameters"]
        if big is not best:
            parts.append(f"'{big.name}' ({big.params:,}, {big.params / best.params:.1f}× more) "
                         f"reaches {big.test_acc:.1%}")
        if "base" in self.names and "base + BN" in self.names:
            a, b = self.arch("base"), self.arch("base + BN")
            parts.append(f"batch norm takes 'base' from {a.test_acc:.1%} to {b.test_acc:.1%} "
                         f"for {b.params - a.params:+,} parameters")
        return "; ".join(parts) + "."

    @property
    def names(self) -> tuple:
        return tuple(a.name for a in self.archs)


def build(name: str, *, n_classes: int = 10, seed: int = 0):
    """The torch model called ``name`` in :data:`ARCHITECTURES` (weights from ``seed``).

    [conv3x3 -> (BatchNorm) -> ReLU -> (maxpool2)] per block -> global average pool -> linear.
    """
    import torch
    from torch import nn

    if name not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {name!r} (choose from {', '.join(ARCHITECTURES)})")
    _, channels, pool, bn = ARCHITECTURES[name]
    torch.manual_seed(seed)
    layers, c_in = [], 1
    for c in channels:
        layers.append(nn.Conv2d(c_in, c, 3, padding=1, bias=not bn))
        if bn:
            layers.append(nn.BatchNorm2d(c))
        layers.append(nn.ReLU())
        if pool:
            layers.append(nn.MaxPool2d(2))
        c_in = c
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c_in, n_classes)]
    return nn.Sequential(*layers)


def _accuracy(model, x, y):
    import torch

    model.eval()
    with torch.no_grad():
        acc = float((model(x).argmax(1) == y).float().mean())
    model.train()
    return acc


def train_arch(name: str, data, *, epochs: int, batch_size: int, lr: float, seed: int,
               model=None, description: str = "") -> ArchResult:
    """Train :func:`build` ``(name)`` on ``data`` (a :class:`viz.core.datasets.ImageSplit`).

    Pass your own ``model`` (any torch module taking ``(B, 1, H, W)`` and giving 10
    outputs) to train it the same way under ``name``.
    """
    if model is None:
        model = build(name, seed=seed)
        description = ARCHITECTURES[name][0]
    with torch_threads(1):       # tiny models: one thread is fastest, and far faster on a busy CPU
        return _train(model, name, description, data, epochs, batch_size, lr, seed)


def _train(model, name, description, data, epochs, batch_size, lr, seed) -> ArchResult:
    import torch

    from .summary import summarize

    size = data.x_train.shape[-1]
    summary = summarize(model, (1, 1, size, size), max_matrix=0)
    train_dl, _ = data.loaders(batch_size, seed=seed)       # same mini-batches for every model
    x_te, y_te = torch.tensor(data.x_test), torch.tensor(data.y_test)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    accs, seconds = [], 0.0
    for _ in range(epochs):
        t0 = time.perf_counter()
        for x, y in train_dl:
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
        seconds += time.perf_counter() - t0
        accs.append(_accuracy(model, x_te, y_te))
    return ArchResult(name, description, summary.trainable_params, summary.mult_adds,
                      accs[-1], np.array(accs), seconds, summary)


def compare_architectures(names=tuple(ARCHITECTURES), *, image_size: int = 12, epochs: int = 8,
                          batch_size: int = 64, lr: float = 3e-2, seed: int = 0) -> ArchComparison:
    """Train each architecture in ``names`` the same way on the digits; see the module docstring."""
    from .datasets import digits

    names = tuple(names)
    if not names or any(n not in ARCHITECTURES for n in names) or len(set(names)) != len(names):
        raise ValueError(f"names must be distinct names from {tuple(ARCHITECTURES)}, got {names!r}")
    for what, v in (("image_size", image_size), ("epochs", epochs), ("batch_size", batch_size)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"{what} must be a positive integer, got {v!r}")
    if image_size < 8:
        raise ValueError(f"image_size must be at least 8, got {image_size}")
    data = digits(size=image_size, seed=seed)
    archs = tuple(train_arch(n, data, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed)
                  for n in names)
    return ArchComparison(archs, image_size, epochs, batch_size, float(lr), seed)


def cached_comparison(**params) -> ArchComparison:
    """:func:`compare_architectures` with ``params``, computed once per machine."""
    from .cache import cached

    params = {**{"image_size": 12, "epochs": 8, "batch_size": 64, "lr": 3e-2, "seed": 0}, **params}
    return cached("architectures", params, lambda: compare_architectures(**params), version=1)
