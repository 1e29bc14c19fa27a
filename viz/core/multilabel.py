"""Multi-label for real: one small CNN, two heads, trained on the generated tiles.

* ``head="sigmoid"``: each tag gets its own sigmoid, trained with binary cross-entropy
  (``F.binary_cross_entropy_with_logits``): what fastai does for Planet (``is_multi``).
* ``head="softmax"``: the same network, but softmax over the tags and cross-entropy
  against the n-hot target divided by its sum: the wrong tool. The tags compete, so a
  tile with k true tags can give each at most 1/k.

Both are scored on held-out tiles with fastai's planet F2 (best of thresholds
0.17..0.23, :func:`viz.core.softmax.planet_f2`). Lesson 2-3 of fast.ai 2018.
"""
from __future__ import annotations

from dataclasses import dataclass
import numpy as np

from ._util import freeze_arrays, torch_threads

from .softmax import FBetaCurve, fbeta_vs_threshold, planet_f2
from .tiles import TileSplit, tile_split

HEADS = ("sigmoid", "softmax")


@dataclass(frozen=True, eq=False)
class MultiLabelResult:
    """A trained head's predictions on the held-out tiles and their scores."""

    head: str                 # "sigmoid" or "softmax"
    tags: tuple
    probs: np.ndarray         # (n_test, tags) predicted tag probabilities
    y_true: np.ndarray        # (n_test, tags) n-hot
    train_loss: np.ndarray    # (epochs,) mean training loss per epoch
    f2: float                 # planet F2: best over thresholds 0.17..0.23
    threshold: float          # the threshold that gave it
    curve: FBetaCurve         # F2 against thresholds 0.01..0.99

    def __post_init__(self):
        freeze_arrays(self, copy=True)


@dataclass(frozen=True, eq=False)
class HeadComparison:
    """Both heads trained on the same tiles with the same initial weights."""

    split: TileSplit
    sigmoid: MultiLabelResult
    softmax: MultiLabelResult

    @classmethod
    def from_heads(cls, split: TileSplit, sigmoid: MultiLabelResult,
                   softmax: MultiLabelResult) -> "HeadComparison":
        """Stored heads with their tiles drawn again: checks that they were scored on them."""
        for r in (sigmoid, softmax):
            if r.tags != split.tags or not np.array_equal(r.y_true, split.test.labels):
                raise ValueError(f"the stored {r.head} head was scored on other tiles")
        return cls(split, sigmoid, softmax)


def tile_model(n_tags: int, *, channels=(8, 16, 32), seed: int = 0):
    """The network: [conv3x3 -> batchnorm -> ReLU -> maxpool2] x 3 (8, 16, 32 channels)
    -> global average -> linear to one logit per tag. Weights initialised from ``seed``."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    layers, c_in = [], 3
    for c in channels:
        layers += [nn.Conv2d(c_in, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(),
                   nn.MaxPool2d(2)]
        c_in = c
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c_in, n_tags)]
    return nn.Sequential(*layers)


def _loss(head, logits, y):
    import torch
    import torch.nn.functional as F
    if head == "sigmoid":
        return F.binary_cross_entropy_with_logits(logits, y)
    target = y / y.sum(1, keepdim=True).clamp(min=1)
    return -(target * torch.log_softmax(logits, 1)).sum(1).mean()


def _probs(head, logits):
    import torch
    return torch.sigmoid(logits) if head == "sigmoid" else torch.softmax(logits, 1)


def train_multilabel(split: TileSplit | None = None, *, head: str = "sigmoid", epochs: int = 15,
                     lr: float = 1e-2, batch_size: int = 64, seed: int = 0,
                     num_threads: int | None = 1, on_epoch=None) -> MultiLabelResult:
    """Train :func:`tile_model` with ``head`` on ``split.train``; predict ``split.test``.

    Adam, a fixed learning rate, ``epochs`` passes in an order drawn from ``seed``.
    ``on_epoch(epoch, loss)`` is called after each epoch, if given. ``num_threads``
    torch threads are used while training (restored afterwards; ``None`` leaves torch's).
    """
    with torch_threads(num_threads):
        return _train(split, head, epochs, lr, batch_size, seed, on_epoch)


def _train(split, head, epochs, lr, batch_size, seed, on_epoch):
    import torch

    if head not in HEADS:
        raise ValueError(f"head must be 'sigmoid' or 'softmax', got {head!r}")
    if epochs < 1 or batch_size < 1 or lr <= 0:
        raise ValueError(f"epochs, batch_size and lr must be positive, got {epochs}, {batch_size}, {lr}")
    split = split or tile_split(seed=seed)
    if not split.tags:
        raise ValueError("the tag set is empty")
    model = tile_model(len(split.tags), seed=seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    x, y = torch.tensor(split.train.images), torch.tensor(split.train.labels)
    g = torch.Generator().manual_seed(seed)
    losses = []
    model.train()
    for epoch in range(epochs):
        order = torch.randperm(len(x), generator=g)
        total = 0.0
        for i in range(0, len(x), batch_size):
            idx = order[i:i + batch_size]
            loss = _loss(head, model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        losses.append(total / len(x))
        if on_epoch is not None:
            on_epoch(epoch, losses[-1])
    model.eval()
    with torch.no_grad():
        probs = _probs(head, model(torch.tensor(split.test.images))).numpy().astype(np.float64)
    probs = np.clip(probs, 0.0, 1.0)
    y_test = split.test.labels.astype(np.float64)
    f2, th = planet_f2(y_test, probs)
    return MultiLabelResult(head, split.tags, probs, y_test, np.array(losses), f2, th,
                            fbeta_vs_threshold(y_test, probs, beta=2.0))


def compare_heads(split: TileSplit | None = None, *, epochs: int = 15, seed: int = 0,
                  **kwargs) -> HeadComparison:
    """Train both heads on the same tiles (same seed, same initial weights)."""
    split = split or tile_split(seed=seed)
    return HeadComparison(split,
                          train_multilabel(split, head="sigmoid", epochs=epochs, seed=seed, **kwargs),
                          train_multilabel(split, head="softmax", epochs=epochs, seed=seed, **kwargs))


#: The demo's settings (figures, scenes, ``viz tiles`` defaults).
DEFAULT_SETTINGS = {"n_train": 2000, "n_test": 400, "epochs": 15}


def default_comparison(seed: int = 0, *, cache: bool = True) -> HeadComparison:
    """:func:`compare_heads` with the defaults (2,000 training tiles, 15 epochs), computed
    once per machine: the two trained heads are kept in the cache folder
    (:mod:`viz.core.cache`; ``cache=False`` or ``VIZ_CACHE=off`` trains afresh), the tiles
    are drawn again from ``seed``. In one process figures and scenes share one result
    (it is read-only)."""
    from .cache import cached

    d = DEFAULT_SETTINGS

    def split():
        return tile_split(d["n_train"], d["n_test"], seed=seed)

    return cached("multilabel-heads", {**d, "seed": int(seed)},
                  lambda: compare_heads(split(), epochs=d["epochs"], seed=seed), version=1,
                  pack=lambda c: (c.sigmoid, c.softmax),
                  unpack=lambda heads: HeadComparison.from_heads(split(), *heads), use=cache)

