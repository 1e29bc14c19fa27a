"""Learning rate per iteration: fastai 0.7's SGDR and torch's schedulers.

Every schedule here is an array of the learning rate *used in* iteration ``i``
(mini-batch ``i + 1``), one column per layer group, so that schedules can be plotted,
compared and replayed on the same iteration budget:

* :func:`sgdr` is fastai 0.7's ``CosAnneal`` as ``learn.fit(lr, n_cycle, cycle_len=,
  cycle_mult=)`` ran it: ``lr/100`` for the first ``nb/20`` batches (counted into the
  first cycle), then ``lr/2 * (1 + cos(pi * t / T))`` every mini-batch, a restart to
  the full ``lr`` at each cycle end, cycles ``cycle_len * cycle_mult**c`` epochs long.
  :class:`FastaiCosAnneal` is a line-by-line port of the library's ``calc_lr``.
* :func:`cosine_restarts`, :func:`cyclic` (Leslie Smith's triangular, triangular2,
  exp_range), :func:`one_cycle`, :func:`step_decay` and :func:`constant` are computed by
  driving torch's own schedulers (``CosineAnnealingWarmRestarts``, ``CyclicLR``,
  ``OneCycleLR``, ``StepLR``, ``LambdaLR``) on a throw-away optimizer.
* :func:`differential_lrs` (``[lr/9, lr/3, lr]``), :func:`freeze_unfreeze` (head only,
  then every group) and :func:`progressive_resizing` (the planet notebook's recipe).

Lessons 1-3 of fast.ai 2018 (``fastai-lessons.md`` sections 2, 3 and 4).

>>> sgdr(0.2, iters_per_epoch=100, n_cycles=3, cycle_mult=2).n_epochs
7.0
>>> epoch_arithmetic(3, 1, 2)
'1 + 2 + 4 = 7'
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np

from ._util import freeze_arrays

#: fastai's ratios for satellite images (``lrs = np.array([lr/9, lr/3, lr])``).
PLANET_RATIOS = (9, 3, 1)
#: Layer-group names of a fastai ConvLearner (ResNet-34: stem..layer2, layer3..4, new head).
GROUP_NAMES = ("early layers", "later layers", "head")


# ---------------------------------------------------------------------------- validation
def _check_int(name, value, minimum=1):
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_lrs(lr, name="learning rate") -> np.ndarray:
    """A scalar or one LR per layer group -> float64 array (n_groups,)."""
    a = np.atleast_1d(np.asarray(lr, dtype=float))
    if a.ndim != 1:
        raise ValueError(f"{name} must be a number or a 1-D sequence (one per layer group), got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"layer groups must not be empty: got {len(a)} learning rates ({lr!r})")
    bad = a[~np.isfinite(a) | (a < 0)]
    if bad.size:
        raise ValueError(f"{name} must be finite and non-negative, got {float(bad[0])!r}")
    return a


def _check_cycles(n_cycles, cycle_len, cycle_mult):
    n = _check_int("n_cycles", n_cycles)
    if isinstance(cycle_len, bool) or not isinstance(cycle_len, Real) or not cycle_len > 0:
        raise ValueError(f"cycle_len must be > 0 epochs, got {cycle_len!r}")
    if isinstance(cycle_mult, bool) or not isinstance(cycle_mult, Real) or not cycle_mult >= 1:
        raise ValueError(f"cycle_mult must be >= 1, got {cycle_mult!r}")
    return n, cycle_len, cycle_mult


def _group_names(names, n_groups):
    if names is None:
        return GROUP_NAMES if n_groups == 3 else tuple(f"group {g + 1}" for g in range(n_groups))
    names = tuple(str(n) for n in names)
    if len(names) != n_groups:
        raise ValueError(f"group_names must name {n_groups} layer groups, got {len(names)}")
    return names


# ---------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Phase:
    """A stretch of training ``[start, stop)`` in iterations, e.g. "frozen"."""

    name: str
    start: int
    stop: int


@dataclass(frozen=True, eq=False)
class Schedule:
    """The learning rate of every layer group at every iteration.

    lr : ndarray, shape (n_iter, n_groups)   LR used in iteration i (batch i + 1)
    cycle_starts : ndarray, shape (k,)       first iteration of each cycle (empty if none)
    trainable : ndarray, shape (n_iter, n_groups), bool   False where a group is frozen
    """

    name: str
    label: str
    lr: np.ndarray
    iters_per_epoch: int
    cycle_starts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    group_names: tuple = ("all layers",)
    trainable: np.ndarray | None = None
    phases: tuple = ()

    def __post_init__(self):
        lr = np.array(self.lr, dtype=float)
        if lr.ndim == 1:
            lr = lr[:, None]
        object.__setattr__(self, "lr", lr)
        object.__setattr__(self, "cycle_starts", np.array(self.cycle_starts, dtype=int))
        tr = np.ones(lr.shape, bool) if self.trainable is None else np.array(self.trainable, bool)
        if tr.shape != lr.shape:
            raise ValueError(f"trainable must have shape {lr.shape}, got {tr.shape}")
        object.__setattr__(self, "trainable", tr)
        if len(self.group_names) != lr.shape[1]:
            raise ValueError(f"{lr.shape[1]} layer groups but {len(self.group_names)} group names")
        freeze_arrays(self)

    @property
    def n_iter(self) -> int:
        return self.lr.shape[0]

    @property
    def n_groups(self) -> int:
        return self.lr.shape[1]

    @property
    def n_epochs(self) -> float:
        return self.n_iter / self.iters_per_epoch

    @property
    def epoch(self) -> np.ndarray:
        """(n_iter,) the epoch position of each iteration (0, 1/nb, 2/nb, ...)."""
        return np.arange(self.n_iter) / self.iters_per_epoch

    @property
    def head(self) -> np.ndarray:
        """(n_iter,) the last group's LR: what fastai's ``sched.plot_lr()`` shows."""
        return self.lr[:, -1]

    def cycles(self) -> list[tuple[int, int]]:
        """``[(start, stop), ...]`` in iterations, one per cycle."""
        s = list(self.cycle_starts)
        return [(int(a), int(b)) for a, b in zip(s, s[1:] + [self.n_iter])]


# ---------------------------------------------------------------------------- SGDR
def sum_geom(a: float, r: float, n: int) -> int:
    """fastai's epoch count for ``fit(lr, n, cycle_len=a, cycle_mult=r)``.

    ``a * n`` when ``r == 1``, else ``ceil(a * (1 - r**n) / (1 - r))``.

    >>> sum_geom(1, 2, 3), sum_geom(2, 1, 4), sum_geom(1, 3, 3)
    (7, 8, 13)
    """
    n, a, r = _check_cycles(n, a, r)
    return int(math.ceil(a * n)) if r == 1 else int(math.ceil(a * (1 - r ** n) / (1 - r)))


def cycle_epochs(n_cycles: int, cycle_len: float = 1, cycle_mult: float = 1) -> tuple:
    """The length of each cycle in epochs: ``cycle_len * cycle_mult**c``."""
    n, a, r = _check_cycles(n_cycles, cycle_len, cycle_mult)
    return tuple(a * r ** c for c in range(n))


def _fmt(x) -> str:
    return f"{x:g}"


def epoch_arithmetic(n_cycles: int, cycle_len: float = 1, cycle_mult: float = 1) -> str:
    """The sum as the lesson writes it: ``'1 + 2 + 4 = 7'`` for (3, 1, 2)."""
    parts = cycle_epochs(n_cycles, cycle_len, cycle_mult)
    return " + ".join(_fmt(p) for p in parts) + f" = {sum_geom(cycle_len, cycle_mult, n_cycles)}"


class FastaiCosAnneal:
    """fastai 0.7's ``CosAnneal.calc_lr``, ported line by line (``sgdr.py``).

    ``nb`` is the first cycle's length in iterations (``len(trn_dl) * cycle_len``).
    Call :meth:`on_train_begin`, then :meth:`next_lr` once per mini-batch.
    """

    def __init__(self, init_lrs, nb, cycle_mult=1, warmup=True):
        self.init_lrs, self.nb0, self.cycle_mult, self.warmup = np.asarray(init_lrs, float), nb, cycle_mult, warmup

    def on_train_begin(self):
        self.iteration, self.cycle_iter, self.cycle_count, self.nb = 0, 0, 0, self.nb0
        self.restarts = [0]

    def calc_lr(self, init_lrs):
        if self.warmup and self.iteration < self.nb / 20:
            self.cycle_iter += 1
            return init_lrs / 100.
        cos_out = np.cos(np.pi * self.cycle_iter / self.nb) + 1
        self.cycle_iter += 1
        if self.cycle_iter == self.nb:
            self.cycle_iter = 0
            self.nb *= self.cycle_mult
            self.cycle_count += 1
            self.restarts.append(self.iteration + 1)
        return init_lrs / 2 * cos_out

    def next_lr(self):
        lr = self.calc_lr(self.init_lrs)
        self.iteration += 1
        return lr


def sgdr(lr, *, iters_per_epoch: int, n_cycles: int, cycle_len: float = 1, cycle_mult: float = 1,
         warmup: bool = True, group_names=None) -> Schedule:
    """fastai 0.7's SGDR: ``learn.fit(lr, n_cycles, cycle_len=..., cycle_mult=...)``.

    Parameters
    ----------
    lr : float or sequence of float, shape (n_groups,)
        Peak LR, one per layer group (``[lr/9, lr/3, lr]``); ratios stay fixed.
    iters_per_epoch : int
        Mini-batches per epoch (``len(trn_dl)``).
    n_cycles, cycle_len, cycle_mult
        As in ``fit``: cycle ``c`` lasts ``cycle_len * cycle_mult**c`` epochs; training
        lasts ``sum_geom(cycle_len, cycle_mult, n_cycles)`` epochs.
    warmup : bool
        fastai's ``lr/100`` for the first ``nb/20`` batches. ``False`` gives the plain
        cosine, equal to torch's ``CosineAnnealingWarmRestarts`` with ``eta_min=0``.

    Returns
    -------
    Schedule
    """
    lrs = _check_lrs(lr)
    n, a, r = _check_cycles(n_cycles, cycle_len, cycle_mult)
    nb = _check_int("iters_per_epoch", iters_per_epoch)
    lengths = [nb * e for e in cycle_epochs(n, a, r)]
    if any(abs(x - round(x)) > 1e-9 for x in lengths):
        raise ValueError(f"every cycle must be a whole number of iterations; cycle_len={a!r}, "
                         f"cycle_mult={r!r} with {nb} iterations per epoch give {lengths}")
    n_iter = sum_geom(a, r, n) * nb
    ann = FastaiCosAnneal(lrs, round(lengths[0]), r, warmup=warmup)
    ann.on_train_begin()
    out = np.stack([ann.next_lr() for _ in range(n_iter)])
    starts = [s for s in ann.restarts if s < n_iter]
    label = f"SGDR: {n} cycles, cycle_len {_fmt(a)}, cycle_mult {_fmt(r)} ({epoch_arithmetic(n, a, r)} epochs)"
    return Schedule("sgdr", label, out, nb, np.array(starts), _group_names(group_names, len(lrs)))


def sgdr_factors(*, iters_per_epoch: int, n_cycles: int, cycle_len: float = 1,
                 cycle_mult: float = 1, warmup: bool = True) -> np.ndarray:
    """(n_iter,) the multiplier of the peak LR at each iteration, for ``torch LambdaLR``."""
    return sgdr(1.0, iters_per_epoch=iters_per_epoch, n_cycles=n_cycles, cycle_len=cycle_len,
                cycle_mult=cycle_mult, warmup=warmup).lr[:, 0].copy()


# ---------------------------------------------------------------------------- torch schedulers
def drive_torch(make_scheduler, lr, n_iter: int) -> np.ndarray:
    """Step a torch scheduler ``n_iter`` times; return (n_iter, n_groups) LRs used.

    ``make_scheduler(optimizer)`` builds the scheduler on a plain SGD optimizer with one
    parameter group per entry of ``lr``. Row ``i`` is each group's LR during iteration ``i``
    (read before ``scheduler.step()``, as a training loop uses it).
    """
    import torch

    lrs = _check_lrs(lr)
    n_iter = _check_int("n_iter", n_iter)
    groups = [{"params": [torch.zeros(1, requires_grad=True)], "lr": float(v)} for v in lrs]
    opt = torch.optim.SGD(groups, lr=float(lrs[0]), momentum=0.9)
    sched = make_scheduler(opt)
    out = np.empty((n_iter, len(lrs)))
    for i in range(n_iter):
        out[i] = [g["lr"] for g in opt.param_groups]
        opt.step()          # no gradients: changes nothing, keeps torch's call order
        sched.step()
    return out


def sgdr_torch(lr, *, iters_per_epoch: int, n_cycles: int, cycle_len: float = 1,
               cycle_mult: float = 1, warmup: bool = True) -> Schedule:
    """The fastai SGDR schedule replayed through ``torch.optim.lr_scheduler.LambdaLR``."""
    from torch.optim.lr_scheduler import LambdaLR

    ref = sgdr(lr, iters_per_epoch=iters_per_epoch, n_cycles=n_cycles, cycle_len=cycle_len,
               cycle_mult=cycle_mult, warmup=warmup)
    f = sgdr_factors(iters_per_epoch=iters_per_epoch, n_cycles=n_cycles, cycle_len=cycle_len,
                     cycle_mult=cycle_mult, warmup=warmup)
    out = drive_torch(lambda o: LambdaLR(o, lambda i: f[min(i, len(f) - 1)]), lr, ref.n_iter)
    return Schedule("sgdr", ref.label + " via LambdaLR", out, ref.iters_per_epoch, ref.cycle_starts,
                    ref.group_names)


def cosine_restarts(lr, *, n_iter: int, T_0: int, T_mult: int = 1, eta_min: float = 0.0,
                    iters_per_epoch: int = 1) -> Schedule:
    """torch ``CosineAnnealingWarmRestarts`` stepped once per iteration (``T_0`` in iterations)."""
    from torch.optim.lr_scheduler import CosineAnnealingWarmRestarts

    T_0, T_mult = _check_int("T_0", T_0), _check_int("T_mult", T_mult)
    _check_lrs(eta_min, "eta_min")
    out = drive_torch(lambda o: CosineAnnealingWarmRestarts(o, T_0, T_mult, eta_min), lr, n_iter)
    starts, s, t = [], 0, T_0
    while s < n_iter:
        starts.append(s)
        s, t = s + t, t * T_mult
    return Schedule("cosine_restarts", f"CosineAnnealingWarmRestarts (T_0={T_0}, T_mult={T_mult})",
                    out, _check_int("iters_per_epoch", iters_per_epoch), np.array(starts),
                    _group_names(None, out.shape[1]))


CYCLIC_MODES = ("triangular", "triangular2", "exp_range")


def cyclic(base_lr: float, max_lr: float, *, n_iter: int, step_size: int, mode: str = "triangular",
           gamma: float = 1.0, iters_per_epoch: int = 1) -> Schedule:
    """Leslie Smith's cyclical LR through torch ``CyclicLR`` (``step_size`` = half a cycle)."""
    from torch.optim.lr_scheduler import CyclicLR

    if mode not in CYCLIC_MODES:
        raise ValueError(f"unknown cyclic mode {mode!r} (choose from {', '.join(CYCLIC_MODES)})")
    _check_lrs(base_lr, "base_lr")
    _check_lrs(max_lr, "max_lr")
    step_size = _check_int("step_size", step_size)
    if not 0 < gamma <= 1:
        raise ValueError(f"gamma must be in (0, 1], got {gamma!r}")
    out = drive_torch(lambda o: CyclicLR(o, base_lr, max_lr, step_size_up=step_size, mode=mode,
                                         gamma=gamma, cycle_momentum=False), base_lr, n_iter)
    return Schedule(mode, f"CyclicLR {mode} (stepsize {step_size})", out,
                    _check_int("iters_per_epoch", iters_per_epoch),
                    np.arange(0, n_iter, 2 * step_size), _group_names(None, out.shape[1]))


def smith_triangular(iteration, base_lr: float, max_lr: float, stepsize: int, *,
                     mode: str = "triangular", gamma: float = 1.0) -> np.ndarray:
    """The CLR paper's own formula (section 3.1), for checking torch's ``CyclicLR``."""
    it = np.asarray(iteration, dtype=float)
    cycle = np.floor(1 + it / (2 * stepsize))
    x = np.abs(it / stepsize - 2 * cycle + 1)
    amp = (max_lr - base_lr) * np.maximum(0, 1 - x)
    if mode == "triangular2":
        amp = amp / 2.0 ** (cycle - 1)
    elif mode == "exp_range":
        amp = amp * gamma ** it
    return base_lr + amp


def one_cycle(max_lr: float, *, n_iter: int, pct_start: float = 0.3, div_factor: float = 25.0,
              final_div_factor: float = 1e4, iters_per_epoch: int = 1) -> Schedule:
    """torch ``OneCycleLR`` (cosine annealing) over ``n_iter`` iterations."""
    from torch.optim.lr_scheduler import OneCycleLR

    _check_lrs(max_lr)
    if not 0 < pct_start < 1:
        raise ValueError(f"pct_start must be in (0, 1), got {pct_start!r}")
    out = drive_torch(lambda o: OneCycleLR(o, max_lr, total_steps=n_iter, pct_start=pct_start,
                                           div_factor=div_factor, final_div_factor=final_div_factor,
                                           cycle_momentum=False), max_lr, n_iter)
    return Schedule("one_cycle", f"OneCycleLR (pct_start {pct_start:g})", out,
                    _check_int("iters_per_epoch", iters_per_epoch), np.array([0]),
                    _group_names(None, out.shape[1]))


def step_decay(lr, *, n_iter: int, step_size: int, gamma: float = 0.1, iters_per_epoch: int = 1) -> Schedule:
    """torch ``StepLR``: multiply the LR by ``gamma`` every ``step_size`` iterations."""
    from torch.optim.lr_scheduler import StepLR

    step_size = _check_int("step_size", step_size)
    if not 0 < gamma <= 1:
        raise ValueError(f"gamma must be in (0, 1], got {gamma!r}")
    out = drive_torch(lambda o: StepLR(o, step_size, gamma), lr, n_iter)
    return Schedule("step", f"StepLR (x{gamma:g} every {step_size} iterations)", out,
                    _check_int("iters_per_epoch", iters_per_epoch), np.zeros(0, int),
                    _group_names(None, out.shape[1]))


def constant(lr, *, n_iter: int, iters_per_epoch: int = 1) -> Schedule:
    """The same LR throughout (fastai's ``fit`` without ``cycle_len``), via ``LambdaLR``."""
    from torch.optim.lr_scheduler import LambdaLR

    out = drive_torch(lambda o: LambdaLR(o, lambda i: 1.0), lr, n_iter)
    return Schedule("constant", "constant", out, _check_int("iters_per_epoch", iters_per_epoch),
                    np.zeros(0, int), _group_names(None, out.shape[1]))


def compare_schedules(lr: float = 0.2, *, iters_per_epoch: int = 100, n_cycles: int = 3,
                      cycle_len: float = 1, cycle_mult: float = 2) -> list[Schedule]:
    """Every schedule on the SGDR run's iteration budget, peak ``lr`` for all of them."""
    ref = sgdr(lr, iters_per_epoch=iters_per_epoch, n_cycles=n_cycles, cycle_len=cycle_len,
               cycle_mult=cycle_mult)
    n, nb = ref.n_iter, iters_per_epoch
    step = max(1, n // 8)       # 4 triangular cycles over the budget
    return [
        ref,
        cosine_restarts(lr, n_iter=n, T_0=round(nb * cycle_len), T_mult=max(1, round(cycle_mult)),
                        iters_per_epoch=nb),
        cyclic(lr / 4, lr, n_iter=n, step_size=step, mode="triangular", iters_per_epoch=nb),
        cyclic(lr / 4, lr, n_iter=n, step_size=step, mode="triangular2", iters_per_epoch=nb),
        cyclic(lr / 4, lr, n_iter=n, step_size=step, mode="exp_range",
               gamma=float(0.25 ** (1 / n)), iters_per_epoch=nb),
        one_cycle(lr, n_iter=n, iters_per_epoch=nb),
        step_decay(lr, n_iter=n, step_size=max(1, n // 3), gamma=0.1, iters_per_epoch=nb),
        constant(lr, n_iter=n, iters_per_epoch=nb),
    ]


# ---------------------------------------------------------------------------- layer groups
def differential_lrs(lr: float, ratios=PLANET_RATIOS) -> np.ndarray:
    """``[lr/9, lr/3, lr]`` (one LR per layer group, earliest first)."""
    lr = float(_check_lrs(lr)[0]) if np.ndim(lr) == 0 else None
    if lr is None:
        raise ValueError("lr must be one number; the ratios make the layer groups")
    r = np.atleast_1d(np.asarray(ratios, dtype=float))
    if r.size == 0:
        raise ValueError(f"layer groups must not be empty: got ratios {tuple(ratios)!r}")
    if np.any(~np.isfinite(r) | (r <= 0)):
        raise ValueError(f"ratios must be positive, got {tuple(ratios)!r}")
    return lr / r


def freeze_unfreeze(lr: float, *, iters_per_epoch: int, n_cycles: int = 3, cycle_len: float = 1,
                    cycle_mult: float = 2, ratios=PLANET_RATIOS, group_names=None) -> Schedule:
    """Two SGDR fits back to back, as in the planet notebook.

    First ``fit(lr, ...)`` with only the head trainable (every group gets ``lr`` but the
    frozen ones have no gradients), then ``unfreeze(); fit([lr/9, lr/3, lr], ...)``.
    """
    lrs = differential_lrs(lr, ratios)
    kw = dict(iters_per_epoch=iters_per_epoch, n_cycles=n_cycles, cycle_len=cycle_len,
              cycle_mult=cycle_mult, group_names=group_names)
    frozen = sgdr(np.full(len(lrs), float(lr)), **kw)
    unfrozen = sgdr(lrs, **kw)
    n1 = frozen.n_iter
    trainable = np.ones((n1 + unfrozen.n_iter, len(lrs)), bool)
    trainable[:n1, :-1] = False
    return Schedule("freeze_unfreeze", f"frozen, then unfrozen at {_ratio_text(ratios)}",
                    np.vstack([frozen.lr, unfrozen.lr]), iters_per_epoch,
                    np.concatenate([frozen.cycle_starts, unfrozen.cycle_starts + n1]),
                    frozen.group_names, trainable,
                    (Phase("frozen", 0, n1), Phase("unfrozen", n1, n1 + unfrozen.n_iter)))


def _ratio_text(ratios) -> str:
    return "[" + ", ".join("lr" if r == 1 else f"lr/{r:g}" for r in ratios) + "]"


@dataclass(frozen=True)
class RecipeStep:
    """One block of the progressive-resizing timeline (epochs ``[start, stop)``)."""

    size: int
    stage: str          # "lr_find", "frozen" or "unfrozen"
    start: float
    stop: float
    lrs: str            # e.g. "lr" or "[lr/9, lr/3, lr]"
    notebook_f2: float | None = None


#: The planet notebook's validation F2 after each stage (fastai-lessons.md section 3).
PLANET_F2 = {(64, "frozen"): 0.889, (64, "unfrozen"): 0.9228, (128, "unfrozen"): 0.9297,
             (256, "unfrozen"): 0.9355}


def progressive_resizing(sizes=(64, 128, 256), *, n_cycles: int = 3, cycle_len: float = 1,
                         cycle_mult: float = 2, ratios=PLANET_RATIOS) -> tuple:
    """The planet recipe: at each size freeze, fit at the found LR, unfreeze, fit at ``lrs``.

    ``lr_find`` runs once, at the smallest size (at most one epoch; shown as 0 long).
    """
    sizes = tuple(_check_int("image size", s) for s in sizes)
    if not sizes:
        raise ValueError("sizes must not be empty")
    epochs = sum_geom(cycle_len, cycle_mult, n_cycles)
    steps, t = [RecipeStep(sizes[0], "lr_find", 0.0, 0.0, "lr")], 0.0
    for s in sizes:
        for stage, lrs in (("frozen", "lr"), ("unfrozen", _ratio_text(ratios))):
            steps.append(RecipeStep(s, stage, t, t + epochs, lrs, PLANET_F2.get((s, stage))))
            t += epochs
    return tuple(steps)
