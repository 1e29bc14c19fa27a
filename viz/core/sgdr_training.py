"""A small CNN trained under SGDR, frozen then unfrozen, every mini-batch recorded.

The planet notebook's recipe (fast.ai 2018 lesson 2-3, ``fastai-lessons.md`` sections
2-3) at toy scale, on scikit-learn's bundled 8x8 digits:

1. "pretrain" :func:`viz.core.datasets.small_cnn` on the digits 0-4 (a stand-in for
   ImageNet), then give it a fresh 10-class head;
2. ``fit(lr, 3, cycle_len=1, cycle_mult=2)`` with the body frozen (only the head trains);
3. unfreeze, ``fit([lr/9, lr/3, lr], 3, cycle_len=1, cycle_mult=2)``.

Each fit is a new ``torch.optim.SGD`` (momentum 0.9, as fastai's default) driven per
mini-batch by ``torch.optim.lr_scheduler.LambdaLR`` with the fastai SGDR multipliers of
:func:`viz.core.schedules.sgdr_factors`. The LR of every parameter group is read back
from the optimizer at every batch, with the batch's training loss, so the loss jumps at
each restart in the figures are measured, not drawn.

>>> run = train_sgdr(seed=0)                     # doctest: +SKIP
>>> run.loss.shape, run.lr.shape                 # doctest: +SKIP
((322,), (322, 3))
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._util import freeze_arrays, torch_threads

from .schedules import PLANET_RATIOS, Schedule, differential_lrs, freeze_unfreeze, sgdr, sgdr_factors

#: small_cnn's layers by group: conv block 1 | conv block 2 | pool + flatten + linear head.
GROUP_SLICES = ((0, 3), (3, 6), (6, 9))
GROUP_NAMES = ("conv block 1", "conv block 2", "head")


@dataclass(frozen=True, eq=False)
class SGDRRun:
    """What a run under SGDR recorded.

    schedule : Schedule      the plan (LRs, trainable mask, cycles, phases)
    lr : ndarray, shape (n_iter, n_groups)   LR read from the optimizer at each batch
    loss : ndarray, shape (n_iter,)          training loss of each mini-batch
    val_loss, val_acc : ndarray, shape (n_epochs,)   held-out digits after each epoch
    pretrain_acc : float     accuracy of the pretrained body on held-out digits 0-4
    """

    schedule: Schedule
    lr: np.ndarray
    loss: np.ndarray
    val_loss: np.ndarray
    val_acc: np.ndarray
    pretrain_acc: float

    def __post_init__(self):
        freeze_arrays(self)

    @property
    def iters_per_epoch(self) -> int:
        return self.schedule.iters_per_epoch

    def smoothed_loss(self, beta: float = 0.9) -> np.ndarray:
        """(n_iter,) debiased exponential moving average of the batch loss."""
        if not 0 <= beta < 1:
            raise ValueError(f"beta must be in [0, 1), got {beta!r}")
        out, avg = np.empty(len(self.loss)), 0.0
        for i, v in enumerate(self.loss):
            avg = beta * avg + (1 - beta) * v
            out[i] = avg / (1 - beta ** (i + 1))
        return out

    def cycle_mean_losses(self) -> list[tuple[float, float]]:
        """Per cycle: (mean loss of its first half, mean loss of its second half)."""
        out = []
        for a, b in self.schedule.cycles():
            mid = (a + b) // 2
            out.append((float(self.loss[a:mid].mean()), float(self.loss[mid:b].mean())))
        return out


def layer_groups(model) -> list[list]:
    """small_cnn's parameters split into the three layer groups of :data:`GROUP_NAMES`."""
    if len(model) != GROUP_SLICES[-1][1]:
        raise ValueError(f"expected small_cnn with {GROUP_SLICES[-1][1]} layers, got {len(model)}")
    return [[p for m in model[a:b] for p in m.parameters()] for a, b in GROUP_SLICES]


def _evaluate(model, loader, loss_fn):
    import torch

    model.eval()
    total, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            out = model(x)
            total += float(loss_fn(out, y)) * len(y)
            correct += int((out.argmax(1) == y).sum())
            n += len(y)
    model.train()
    return total / n, correct / n


def _pretrain(model, data, *, epochs, batch_size, seed):
    """Train the whole net on digits 0-4 (Adam); return held-out accuracy on 0-4."""
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    keep, keep_te = data.y_train < 5, data.y_test < 5
    g = torch.Generator().manual_seed(seed + 1)
    dl = DataLoader(TensorDataset(torch.tensor(data.x_train[keep]), torch.tensor(data.y_train[keep])),
                    batch_size=batch_size, shuffle=True, generator=g)
    te = DataLoader(TensorDataset(torch.tensor(data.x_test[keep_te]), torch.tensor(data.y_test[keep_te])),
                    batch_size=256)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = torch.nn.CrossEntropyLoss()
    for _ in range(epochs):
        for x, y in dl:
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
    return _evaluate(model, te, loss_fn)[1]


def _fit(model, groups, lrs, trainable, factors, train_dl, test_dl, rec, on_step):
    """One fastai ``fit``: a fresh SGD, LambdaLR stepped every mini-batch."""
    import torch
    from torch.optim.lr_scheduler import LambdaLR

    for params, t in zip(groups, trainable):
        for p in params:
            p.requires_grad_(bool(t))
    opt = torch.optim.SGD([{"params": p, "lr": float(v)} for p, v in zip(groups, lrs)],
                          lr=float(lrs[-1]), momentum=0.9)
    sched = LambdaLR(opt, lambda i: factors[min(i, len(factors) - 1)])
    loss_fn = torch.nn.CrossEntropyLoss()
    nb = len(train_dl)
    for i in range(len(factors)):
        if i % nb == 0:
            batches = iter(train_dl)
        x, y = next(batches)
        rec["lr"].append([g["lr"] for g in opt.param_groups])
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        sched.step()
        rec["loss"].append(float(loss.detach()))
        if on_step is not None:
            on_step(len(rec["loss"]), rec["loss"][-1])
        if (i + 1) % nb == 0:
            vl, va = _evaluate(model, test_dl, loss_fn)
            rec["val_loss"].append(vl)
            rec["val_acc"].append(va)


def train_sgdr(lr: float = 0.5, *, n_cycles: int = 3, cycle_len: float = 1, cycle_mult: float = 2,
               ratios=PLANET_RATIOS, unfreeze: bool = True, batch_size: int = 64,
               pretrain_epochs: int = 8, seed: int = 0, on_step=None,
               cache: bool = True) -> SGDRRun:
    """Train small_cnn on the digits under fastai SGDR, frozen then (optionally) unfrozen.

    Parameters
    ----------
    lr : float
        Peak LR of the head; the unfrozen fit uses ``lr / ratios``.
    n_cycles, cycle_len, cycle_mult
        As in fastai's ``fit``; each phase lasts ``sum_geom(cycle_len, cycle_mult, n_cycles)`` epochs.
    ratios : sequence of 3 numbers
        Divisors for (conv block 1, conv block 2, head) once unfrozen.
    unfreeze : bool
        Run the second, unfrozen fit.
    pretrain_epochs : int
        Epochs of whole-net training on digits 0-4 before the new head (0: none).
    on_step : callable(iteration, loss), optional
        Progress callback (a run given one always trains).
    cache : bool
        Read the run from (or store it in) the cache folder (:mod:`viz.core.cache`), keyed
        by every argument above; ``False`` (or ``VIZ_CACHE=off``) always trains.

    Returns
    -------
    SGDRRun
    """
    lrs = differential_lrs(lr, ratios)
    if len(lrs) != len(GROUP_SLICES):
        raise ValueError(f"small_cnn has {len(GROUP_SLICES)} layer groups, got {len(lrs)} ratios")
    if isinstance(pretrain_epochs, bool) or not isinstance(pretrain_epochs, int) or pretrain_epochs < 0:
        raise ValueError(f"pretrain_epochs must be an integer >= 0, got {pretrain_epochs!r}")
    from .cache import cached

    def compute():
        with torch_threads(1):  # tiny model: one thread is faster, and much faster on a busy CPU
            return _train(lr, lrs, n_cycles, cycle_len, cycle_mult, ratios, unfreeze, batch_size,
                          pretrain_epochs, seed, on_step)

    params = {"lr": float(lr), "n_cycles": n_cycles, "cycle_len": float(cycle_len),
              "cycle_mult": float(cycle_mult), "ratios": [float(r) for r in ratios],
              "unfreeze": bool(unfreeze), "batch_size": batch_size,
              "pretrain_epochs": int(pretrain_epochs), "seed": int(seed)}
    return cached("sgdr-digits", params, compute, version=1, use=cache and on_step is None)


def _train(lr, lrs, n_cycles, cycle_len, cycle_mult, ratios, unfreeze, batch_size,
           pretrain_epochs, seed, on_step) -> SGDRRun:
    import torch

    from .datasets import digits, small_cnn

    data = digits(seed=seed)
    train_dl, test_dl = data.loaders(batch_size, seed=seed)
    nb = len(train_dl)
    kw = dict(iters_per_epoch=nb, n_cycles=n_cycles, cycle_len=cycle_len, cycle_mult=cycle_mult)
    plan = (freeze_unfreeze(lr, ratios=ratios, group_names=GROUP_NAMES, **kw) if unfreeze
            else _frozen_plan(lr, lrs, GROUP_NAMES, kw))
    factors = sgdr_factors(**kw)

    model = small_cnn(seed=seed)
    pre_acc = _pretrain(model, data, epochs=pretrain_epochs, batch_size=batch_size,
                        seed=seed) if pretrain_epochs else float("nan")
    torch.manual_seed(seed + 2)
    n_feat = model[-1].in_features     # the new head: BatchNorm first, as fastai's heads
    model[-1] = torch.nn.Sequential(torch.nn.BatchNorm1d(n_feat), torch.nn.Linear(n_feat, 10))
    groups = layer_groups(model)
    rec = {"lr": [], "loss": [], "val_loss": [], "val_acc": []}
    _fit(model, groups, np.full(len(lrs), float(lr)), (False, False, True), factors,
         train_dl, test_dl, rec, on_step)
    if unfreeze:
        _fit(model, groups, lrs, (True, True, True), factors, train_dl, test_dl, rec, on_step)
    return SGDRRun(plan, np.array(rec["lr"]), np.array(rec["loss"]), np.array(rec["val_loss"]),
                   np.array(rec["val_acc"]), float(pre_acc))


def _frozen_plan(lr, lrs, names, kw) -> Schedule:
    s = sgdr(np.full(len(lrs), float(lr)), group_names=names, **kw)
    tr = np.zeros(s.lr.shape, bool)
    tr[:, -1] = True
    from .schedules import Phase
    return Schedule("sgdr", s.label, s.lr, s.iters_per_epoch, s.cycle_starts, s.group_names, tr,
                    (Phase("frozen", 0, s.n_iter),))
