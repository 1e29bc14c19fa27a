"""Softmax built in vs learned: "the architecture must make it easy to learn".

The student's notes (fast.ai 2018, lesson 3): a shallow network could learn to output
probabilities on its own, but putting the softmax into the architecture frees it to learn
what matters. :func:`compare_heads` trains the *same* small network (same initial
weights, optimizer, mini-batches and number of steps) on scikit-learn's 8x8 digits in
three ways:

``"softmax"``  (a) linear outputs -> softmax -> cross-entropy; outputs ``softmax(z)``
``"mse"``      (b) linear outputs regressed straight onto one-hot targets with MSE: the
               outputs ``z`` are asked to *be* the probabilities
``"sigmoid"``  (c) a sigmoid per class with binary cross-entropy; outputs ``sigmoid(z)``

At every recorded step it measures, on held-out digits: accuracy, the Brier score (mean
squared distance of the outputs to one-hot, a loss all three share), how far each output
vector's sum is from 1, and how much of the outputs lie outside [0, 1]; and keeps the
outputs for a few fixed held-out digits.

>>> c = compare_heads(steps=200)                      # doctest: +SKIP
>>> c.run("softmax").outputs.sum(-1)                  # doctest: +SKIP   (all 1)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._util import freeze_arrays, torch_threads

HEADS = ("softmax", "mse", "sigmoid")
HEAD_LABELS = {"softmax": "(a) softmax + cross-entropy",
               "mse": "(b) linear, MSE onto one-hot",
               "sigmoid": "(c) sigmoid per class + BCE"}


@dataclass(frozen=True, eq=False)
class HeadRun:
    """One way of training, recorded at ``steps``.

    head : str                    one of :data:`HEADS`
    steps : ndarray (r,)          optimizer steps done at each record (0 = before training)
    train_loss : ndarray (r,)     the head's own loss (CE, MSE or BCE), mean over the mini-batches
                                  since the last record (at step 0: on the first batch)
    test_acc : ndarray (r,)       held-out accuracy
    test_brier : ndarray (r,)     held-out mean over digits of sum_k (output_k - onehot_k)^2
    sum_gap : ndarray (r,)        held-out mean |sum_k output_k - 1|
    outside : ndarray (r,)        held-out fraction of outputs below 0 or above 1
    outside_by : ndarray (r,)     held-out mean distance of the outputs from [0, 1]
    outputs : ndarray (r, m, 10)  what the network outputs for the shown digits
    """

    head: str
    steps: np.ndarray
    train_loss: np.ndarray
    test_acc: np.ndarray
    test_brier: np.ndarray
    sum_gap: np.ndarray
    outside: np.ndarray
    outside_by: np.ndarray
    outputs: np.ndarray

    def __post_init__(self):
        freeze_arrays(self)

    @property
    def label(self) -> str:
        return HEAD_LABELS[self.head]

    @property
    def output_sums(self) -> np.ndarray:
        """(r, m): the sum of each shown digit's outputs at each record."""
        return self.outputs.sum(-1)

    @property
    def n_outside(self) -> np.ndarray:
        """(r, m): how many of each shown digit's outputs lie outside [0, 1]."""
        return ((self.outputs < 0) | (self.outputs > 1)).sum(-1)


@dataclass(frozen=True, eq=False)
class HeadComparison:
    """The same network trained with each head; the digits whose outputs are kept.

    runs : tuple of HeadRun
    shown_images : ndarray (m, 8, 8)   the held-out digits whose outputs are recorded
    shown_labels : ndarray (m,)
    hidden, batch_size, seed : int ; lr : float ; optimizer : str
    """

    runs: tuple
    shown_images: np.ndarray
    shown_labels: np.ndarray
    hidden: int
    batch_size: int
    lr: float
    optimizer: str
    seed: int

    def __post_init__(self):
        freeze_arrays(self)

    def run(self, head: str) -> HeadRun:
        for r in self.runs:
            if r.head == head:
                return r
        raise ValueError(f"no run for head {head!r} (have {', '.join(r.head for r in self.runs)})")

    @property
    def steps(self) -> np.ndarray:
        return self.runs[0].steps

    def conclusion(self) -> str:
        """One sentence from the numbers: accuracy early and at the end, (b)'s outputs at the end."""
        early = int(np.searchsorted(self.steps, self.steps[-1] / 5))
        names = " vs ".join(r.label[:3] for r in self.runs)

        def accs(i):
            return " vs ".join(f"{r.test_acc[i]:.0%}" for r in self.runs)
        s = (f"Held-out accuracy {names}: {accs(early)} after {self.steps[early]} steps, "
             f"{accs(-1)} after {self.steps[-1]}")
        if any(r.head == "mse" for r in self.runs):
            b = self.run("mse")
            s += (f"; (b)'s outputs still miss a sum of 1 by {b.sum_gap[-1]:.2f} on average, "
                  f"{b.outside[-1]:.0%} of them outside [0, 1]")
        return s + "."


def make_net(hidden: int = 32, *, seed: int = 0):
    """The shared network: 64 pixels -> Linear(hidden) -> ReLU -> Linear(10) (weights from ``seed``)."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10))


def head_outputs(head: str, z):
    """What a head reports for logits ``z`` (torch tensor): softmax, z itself, or sigmoid."""
    import torch

    if head == "softmax":
        return torch.softmax(z, dim=1)
    if head == "mse":
        return z
    if head == "sigmoid":
        return torch.sigmoid(z)
    raise ValueError(f"unknown head {head!r} (choose from {', '.join(HEADS)})")


def head_loss(head: str, z, y):
    """The head's training loss for logits ``z`` and integer labels ``y``."""
    import torch.nn.functional as F

    if head == "softmax":
        return F.cross_entropy(z, y)
    onehot = F.one_hot(y, z.shape[1]).to(z.dtype)
    if head == "mse":
        return F.mse_loss(z, onehot)
    if head == "sigmoid":
        return F.binary_cross_entropy_with_logits(z, onehot)
    raise ValueError(f"unknown head {head!r} (choose from {', '.join(HEADS)})")


def output_stats(outputs: np.ndarray, labels: np.ndarray) -> dict:
    """Accuracy, Brier score, |sum - 1|, fraction and distance outside [0, 1] of ``outputs`` (n, k)."""
    outputs, labels = np.asarray(outputs, float), np.asarray(labels)
    if outputs.ndim != 2 or len(outputs) != len(labels):
        raise ValueError(f"outputs must be (n, k) with one label each, got {outputs.shape}")
    onehot = np.eye(outputs.shape[1])[labels]
    dist = np.maximum(outputs - 1, 0) + np.maximum(-outputs, 0)
    return {"acc": float((outputs.argmax(1) == labels).mean()),
            "brier": float(((outputs - onehot) ** 2).sum(1).mean()),
            "sum_gap": float(np.abs(outputs.sum(1) - 1).mean()),
            "outside": float((dist > 0).mean()),
            "outside_by": float(dist.mean())}


def _digits(seed):
    from .datasets import digits
    d = digits(seed=seed)
    return d.x_train, d.y_train, d.x_test, d.y_test


def _train_one(head, data, shown, *, hidden, steps, record_every, batch_size, lr, optimizer, seed):
    import torch

    x_tr, y_tr, x_te, y_te = (torch.tensor(a) for a in data)
    net = make_net(hidden, seed=seed)
    opt = (torch.optim.Adam(net.parameters(), lr=lr) if optimizer == "adam"
           else torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9))
    g = torch.Generator().manual_seed(seed + 1)           # the same mini-batches for every head
    rec = {k: [] for k in ("steps", "train_loss", "acc", "brier", "sum_gap", "outside",
                           "outside_by", "outputs")}

    def record(step, loss):
        net.eval()
        with torch.no_grad():
            out = head_outputs(head, net(x_te)).double().numpy()
        net.train()
        st = output_stats(out, y_te.numpy())
        rec["steps"].append(step)
        rec["train_loss"].append(loss)
        for k in ("acc", "brier", "sum_gap", "outside", "outside_by"):
            rec[k].append(st[k])
        rec["outputs"].append(out[shown])

    with torch.no_grad():
        first = float(head_loss(head, net(x_tr[:batch_size]), y_tr[:batch_size]))
    record(0, first)
    perm, pos, since = torch.randperm(len(y_tr), generator=g), 0, []
    for step in range(1, steps + 1):
        if pos + batch_size > len(perm):
            perm, pos = torch.randperm(len(y_tr), generator=g), 0
        idx = perm[pos:pos + batch_size]
        pos += batch_size
        opt.zero_grad()
        loss = head_loss(head, net(x_tr[idx]), y_tr[idx])
        loss.backward()
        opt.step()
        since.append(float(loss.detach()))
        if step % record_every == 0 or step == steps:
            record(step, float(np.mean(since)))
            since = []
    return HeadRun(head, np.array(rec["steps"]), np.array(rec["train_loss"]), np.array(rec["acc"]),
                   np.array(rec["brier"]), np.array(rec["sum_gap"]), np.array(rec["outside"]),
                   np.array(rec["outside_by"]), np.array(rec["outputs"]))


def compare_heads(*, heads=HEADS, steps: int = 300, record_every: int = 5, hidden: int = 32,
                  batch_size: int = 32, lr: float = 0.05, optimizer: str = "sgd",
                  n_shown: int = 4, seed: int = 0) -> HeadComparison:
    """Train the same network once per head on the digits; see the module docstring.

    Parameters
    ----------
    heads : sequence of str      a subset of :data:`HEADS`, in display order
    steps : int                  optimizer steps (mini-batches) for each head
    record_every : int           measure the held-out digits every this many steps
    hidden : int                 hidden units of :func:`make_net`
    batch_size, lr : mini-batch size and learning rate
    optimizer : "sgd" (momentum 0.9) or "adam"
    n_shown : int                held-out digits whose outputs are kept (first of each class)
    seed : int                   initial weights, data split and mini-batch order

    Returns
    -------
    HeadComparison
    """
    heads = tuple(heads)
    if not heads or any(h not in HEADS for h in heads) or len(set(heads)) != len(heads):
        raise ValueError(f"heads must be distinct names from {HEADS}, got {heads!r}")
    for name, v, lo in (("steps", steps, 1), ("record_every", record_every, 1), ("hidden", hidden, 1),
                        ("batch_size", batch_size, 1), ("n_shown", n_shown, 1)):
        if isinstance(v, bool) or not isinstance(v, int) or v < lo:
            raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
    if optimizer not in ("sgd", "adam"):
        raise ValueError(f"optimizer must be 'sgd' or 'adam', got {optimizer!r}")
    if not (isinstance(lr, (int, float)) and np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    data = _digits(seed)
    y_te = data[3]
    order = [int(np.flatnonzero(y_te == c)[0]) for c in range(10)]
    shown = np.array(order[:min(n_shown, 10)])
    kw = dict(hidden=hidden, steps=steps, record_every=record_every, batch_size=batch_size,
              lr=float(lr), optimizer=optimizer, seed=seed)
    with torch_threads(1):
        runs = tuple(_train_one(h, data, shown, **kw) for h in heads)
    return HeadComparison(runs, data[2][shown, 0], y_te[shown], hidden, batch_size, float(lr),
                          optimizer, seed)


def cached_comparison(**params) -> HeadComparison:
    """:func:`compare_heads` with ``params``, computed once per machine (:mod:`viz.core.cache`)."""
    from .cache import cached

    params = {**{"steps": 300, "record_every": 5, "hidden": 32, "batch_size": 32, "lr": 0.05,
                 "optimizer": "sgd", "n_shown": 4, "seed": 0}, **params}
    return cached("builtin-softmax", params, lambda: compare_heads(**params), version=1)
