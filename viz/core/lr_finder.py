"""The learning-rate range test (fastai 0.7's ``lr_find``), for any torch model.

Lessons 1-2 of fast.ai 2018 (``fastai-lessons.md`` sections 1 and 4; Leslie Smith,
"Cyclical Learning Rates for Training Neural Networks", section 3.3). Train for one pass
over the data while the learning rate grows from tiny to huge, record the loss, and stop
when it blows up. The loss curve against the learning rate shows where training is too
slow (flat), where it learns fastest (steepest descent), and where it diverges.

Choices, and where they follow fastai 0.7 (``sgdr.LR_Finder``, ``model.fit``):

* **Sweep.** Exponential (default): batch ``k`` (0-based) trains with
  ``start_lr * mult**k``, ``mult = (end_lr/start_lr)**(1/num_iter)``, so ``end_lr`` itself is
  reached only *after* the last batch, as in fastai. Linear: ``start_lr + (end_lr -
  start_lr) * k/num_iter`` (fastai 0.7's linear mode starts at 0 and ignores ``start_lr``;
  here it starts at ``start_lr`` so that the curve fits a log axis).
* **Parameter groups** keep their ratios: the lrs given (or the optimizer's own) fix each
  group's ratio to the *last* group; the sweep multiplies all of them. ``lrs`` records the
  last group's lr, as fastai's ``layer_opt.lr`` does.
* **Smoothing** (in fastai's ``fit``): ``avg = beta*avg + (1-beta)*loss`` from ``avg = 0``,
  ``smoothed = avg / (1 - beta**k)`` with ``k`` counting batches from 1 (bias correction).
* **Stop rule** (``LR_Finder.on_batch_end``): stop when the smoothed loss is NaN/inf or
  ``> stop_factor * best`` (4 in fastai). ``best`` starts at 1e9 and is only updated once
  more than ``best_after`` (10) batches are recorded: fastai's ``iteration > 10`` guard
  (added 2017-12-27), which keeps the noisy first batches from setting the bar. The batch
  that triggers the stop is **not recorded** (fastai returns before its recorder runs); its
  lr and loss are kept apart as ``stop_lr`` / ``stop_loss``.
* **Restore.** Weights (the model's and any the optimizer alone holds), buffers
  (persistent or not), gradients, train/eval modes and the optimizer's state (momentum
  buffers, step counts, every group's lr) are snapshotted before the first batch and
  restored bit for bit, in place (the same tensors and dicts), in a ``finally`` block:
  after a normal end, a divergence, an exception, or KeyboardInterrupt. Random-number
  generators are not rewound.

See Also
--------
viz.figures.lr_finder.plot_lr_find : the fastai-style plot of a result.
scenes.lr_finder.LRFinderSweep : the sweep animated.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from ._util import torch_threads  # re-exported: viz.core.lr_finder.torch_threads

MODES = ("exp", "linear")
STOP_REASONS = ("diverged", "nan", "end", "data")


@dataclass(frozen=True)
class Suggestion:
    """One suggested learning rate and the rule that chose it.

    name : str      ``"steepest"``, ``"min/10"`` or ``"valley"``
    lr : float      the suggested learning rate (last parameter group)
    index : int     the recorded point at (or nearest on a log scale to) ``lr``
    loss : float    the smoothed loss at ``index`` (where a plot marks it)
    rule : str      one sentence: how it was chosen
    """

    name: str
    lr: float
    index: int
    loss: float
    rule: str


@dataclass(frozen=True, eq=False)
class LRFinderResult:
    """What a range test recorded (see :func:`lr_find`).

    lrs : ndarray, shape (n,)           lr of the last parameter group for batch i
    group_lrs : ndarray, shape (n, g)   every group's lr for batch i
    losses : ndarray, shape (n,)        raw mini-batch training loss
    smoothed : ndarray, shape (n,)      debiased exponentially weighted average of ``losses``
    stop_reason : str                   "diverged" (smoothed > stop_factor x best), "nan"
                                        (smoothed loss NaN/inf), "end" (num_iter batches) or
                                        "data" (an iterable ran out)
    stop_iteration : int                1-based number of the batch that stopped the run
                                        (n + 1 when it diverged: that batch is not recorded;
                                        n when it ran to the end)
    stop_lr, stop_loss : float | None   lr and raw loss of the unrecorded stopping batch
    best_loss : float                   the best smoothed loss the stop rule saw
    suggestions : tuple of Suggestion   steepest, min/10, valley (those that apply)
    """

    lrs: np.ndarray
    group_lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    stop_reason: str
    stop_iteration: int
    stop_lr: float | None
    stop_loss: float | None
    best_loss: float
    start_lr: float
    end_lr: float
    mode: str
    num_iter: int
    beta: float
    stop_factor: float
    suggestions: tuple = field(default=())

    def __post_init__(self):
        for name in ("lrs", "group_lrs", "losses", "smoothed"):
            arr = np.array(getattr(self, name), dtype=float)
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)

    @property
    def iterations(self) -> np.ndarray:
        """1, 2, ..., n (fastai's ``sched.iterations``)."""
        return np.arange(1, len(self.lrs) + 1)

    @property
    def lr_mult(self) -> float:
        """Exponential sweep: the factor between consecutive lrs; linear: the lr added."""
        if self.mode == "exp":
            return (self.end_lr / self.start_lr) ** (1 / self.num_iter)
        return (self.end_lr - self.start_lr) / self.num_iter

    @property
    def diverged(self) -> bool:
        return self.stop_reason in ("diverged", "nan")

    def suggestion(self, name: str) -> Suggestion:
        """The suggestion called ``name`` (``"steepest"``, ``"min/10"``, ``"valley"``)."""
        for s in self.suggestions:
            if s.name == name:
                return s
        raise ValueError(f"no suggestion named {name!r} (have: {[s.name for s in self.suggestions]})")


# ---------------------------------------------------------------------------- the sweep
def lr_schedule(start_lr: float, end_lr: float, num_iter: int, mode: str = "exp") -> np.ndarray:
    """The lr for batches 0..num_iter-1 (last parameter group), fastai 0.7's sequence.

    >>> lr_schedule(1e-3, 1e-1, 2).round(6).tolist()
    [0.001, 0.01]
    """
    _check_sweep(start_lr, end_lr, num_iter, mode)
    k = np.arange(num_iter, dtype=float)
    if mode == "exp":
        return start_lr * (end_lr / start_lr) ** (k / num_iter)
    return start_lr + (end_lr - start_lr) * k / num_iter


def smooth_losses(losses, beta: float = 0.98) -> np.ndarray:
    """fastai's debiased exponentially weighted average of ``losses`` (beta = 0.98)."""
    if not 0 <= beta < 1:
        raise ValueError(f"beta must be in [0, 1), got {beta}")
    out, avg = [], 0.0
    for k, loss in enumerate(np.asarray(losses, dtype=float), start=1):
        avg = avg * beta + loss * (1 - beta)
        out.append(avg / (1 - beta ** k))
    return np.array(out)


def _check_sweep(start_lr, end_lr, num_iter, mode):
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if not (math.isfinite(start_lr) and start_lr > 0):
        raise ValueError(f"start_lr must be a positive number, got {start_lr}")
    if not (math.isfinite(end_lr) and end_lr > 0):
        raise ValueError(f"end_lr must be a positive number, got {end_lr}")
    if start_lr >= end_lr:
        raise ValueError(f"start_lr must be smaller than end_lr, got start_lr={start_lr} >= end_lr={end_lr}")
    if num_iter < 1:
        raise ValueError(f"num_iter must be at least 1, got {num_iter}")


def _group_ratios(optimizer, start_lr):
    """(start lr of the last group, each group's lr / the last group's lr)."""
    n = len(optimizer.param_groups)
    if np.ndim(start_lr) == 0:
        own = [float(g["lr"]) for g in optimizer.param_groups]
        if own[-1] > 0 and all(lr > 0 for lr in own):
            return float(start_lr), [lr / own[-1] for lr in own]
        return float(start_lr), [1.0] * n
    lrs = [float(v) for v in np.ravel(start_lr)]
    if len(lrs) != n:
        raise ValueError(f"start_lr has {len(lrs)} values but the optimizer has {n} parameter groups")
    if not all(math.isfinite(v) and v > 0 for v in lrs):
        raise ValueError(f"start_lr must be positive numbers, got {lrs}")
    return lrs[-1], [v / lrs[-1] for v in lrs]


# ---------------------------------------------------------------------------- state
def _snapshot(model, optimizer):
    """Parameters (the model's and the optimizer's), buffers (persistent or not), grads,
    modes and the optimizer's groups and state; see :mod:`viz.core._state`."""
    from ._state import snapshot
    return snapshot(model, optimizer)


def _restore(model, optimizer, snap):
    """Everything back as it was, in place: the same tensors, dicts and lists."""
    from ._state import restore
    restore(model, optimizer, snap)


def _num_batches(loader, num_iter):
    if num_iter is not None:
        if int(num_iter) != num_iter or num_iter < 1:
            raise ValueError(f"num_iter must be a positive integer, got {num_iter}")
        return int(num_iter)
    try:
        n = len(loader)
    except TypeError:
        raise ValueError("the loader has no len(): pass num_iter") from None
    if n == 0:
        raise ValueError("the loader is empty: no batches to train on")
    return n


def _batches(loader):
    """Batches forever (a new pass when one ends), or until an iterable runs dry."""
    while True:
        got = False
        for batch in loader:
            got = True
            yield batch
        if not got:
            return


# ---------------------------------------------------------------------------- lr_find
def lr_find(model, optimizer, loader: Iterable, loss_fn: Callable, *, start_lr=1e-5,
            end_lr: float = 10.0, num_iter: int | None = None, mode: str = "exp",
            beta: float = 0.98, stop_factor: float | None = 4.0, best_after: int = 10,
            device=None, progress: bool | None = None,
            on_step: Callable | None = None) -> LRFinderResult:
    """Run the LR range test on ``model``; leave model and optimizer exactly as they were.

    Parameters
    ----------
    model : torch.nn.Module
    optimizer : torch.optim.Optimizer
        Any optimizer, any number of parameter groups (their lr ratios are kept).
    loader : iterable of batches
        Each batch is ``(inputs, targets, ...)``; a DataLoader, a list, a generator.
    loss_fn : callable
        ``loss_fn(model(inputs), targets)`` -> scalar tensor.
    start_lr : float or sequence of float
        Learning rate of the first batch (1e-5). A float is the last group's lr, the
        others keep their current ratio to it; a sequence gives every group's start lr.
    end_lr : float
        The last group's lr after the last batch (10).
    num_iter : int, optional
        Number of batches (default: one pass, ``len(loader)``); more passes if larger.
    mode : "exp" or "linear"
    beta : float
        Smoothing of the loss (0.98).
    stop_factor : float or None
        Stop once the smoothed loss exceeds this times the best (4); ``None`` never stops
        on a rise (a NaN/inf loss always stops).
    best_after : int
        The best loss is tracked only after this many batches (fastai's 10).
    device : torch.device or str, optional
        Move each batch's inputs and targets there (default: use them as they come).
    progress : bool or None
        A tqdm bar on stderr. ``None`` (default): only if the run lasts over 2 s.
    on_step : callable, optional
        ``on_step(i, lr, loss, smoothed)`` after every recorded batch.

    Returns
    -------
    LRFinderResult

    Raises
    ------
    ValueError
        start_lr >= end_lr, a non-positive lr, an empty loader, a model without
        trainable parameters, a loss that is NaN/inf on the first batch. The model and
        optimizer are unchanged.
    """
    start, ratios = _group_ratios(optimizer, start_lr)
    n = _num_batches(loader, num_iter)
    _check_sweep(start, end_lr, n, mode)
    if not 0 <= beta < 1:
        raise ValueError(f"beta must be in [0, 1), got {beta}")
    if stop_factor is not None and not stop_factor > 1:
        raise ValueError(f"stop_factor must be greater than 1 (or None), got {stop_factor}")
    if not any(p.requires_grad for p in model.parameters()):
        raise ValueError("the model has no trainable parameters (requires_grad=False everywhere)")
    schedule = lr_schedule(start, end_lr, n, mode).tolist()
    limit = math.inf if stop_factor is None else float(stop_factor)
    groups = optimizer.param_groups

    lrs, losses, smoothed = [], [], []
    avg, best = 0.0, 1e9
    reason, stop_lr, stop_loss = "end", None, None
    bar = _progress_bar(n, progress)
    snap = _snapshot(model, optimizer)
    try:
        model.train()
        batches = _batches(loader)
        for i, lr in enumerate(schedule):
            batch = next(batches, None)
            if batch is None:
                if i == 0:
                    raise ValueError("the loader is empty: no batches to train on")
                reason = "data"
                break
            x, y = batch[0], batch[1]
            if device is not None:
                x, y = x.to(device), y.to(device)
            for g, r in zip(groups, ratios):
                g["lr"] = lr * r
            optimizer.zero_grad()
            loss_t = loss_fn(model(x), y)
            loss = loss_t.item()
            if i == 0 and not math.isfinite(loss):
                raise ValueError(f"the loss is {loss} on the first batch (before any step): "
                                 "check the model, the data and the loss function")
            loss_t.backward()
            optimizer.step()
            avg = avg * beta + loss * (1 - beta)
            s = avg / (1 - beta ** (i + 1))
            if not math.isfinite(s) or s > best * limit:
                reason = "diverged" if math.isfinite(s) else "nan"
                stop_lr, stop_loss = lr, loss
                break
            if s < best and i > best_after:
                best = s
            lrs.append(lr)
            losses.append(loss)
            smoothed.append(s)
            if bar is not None:
                bar.update()
            if on_step is not None:
                on_step(i, lr, loss, s)
    finally:
        _restore(model, optimizer, snap)
        if bar is not None:
            bar.close()
    lrs_a = np.array(lrs)
    result = LRFinderResult(
        lrs=lrs_a, group_lrs=np.outer(lrs_a, ratios).reshape(len(lrs), len(ratios)),
        losses=np.array(losses), smoothed=np.array(smoothed), stop_reason=reason,
        stop_iteration=len(lrs) + (reason in ("diverged", "nan")), stop_lr=stop_lr,
        stop_loss=stop_loss, best_loss=float(best), start_lr=start, end_lr=float(end_lr),
        mode=mode, num_iter=n, beta=float(beta), stop_factor=limit)
    return with_suggestions(result)


def _progress_bar(n, progress):
    if progress is False:
        return None
    from tqdm.auto import tqdm
    return tqdm(total=n, desc="lr_find", unit="batch", leave=False,
                delay=0 if progress else 2.0, disable=None if progress is None else False)


# ---------------------------------------------------------------------------- suggestions
def _window(lrs, losses, skip_start, skip_end):
    """Indices kept for suggestions: skip the first/last points; cut at the first NaN."""
    lrs = np.asarray(lrs, dtype=float)
    losses = np.asarray(losses, dtype=float)
    if lrs.shape != losses.shape or lrs.ndim != 1:
        raise ValueError(f"lrs and losses must be 1-D of the same length, got {lrs.shape} and {losses.shape}")
    if skip_start < 0 or skip_end < 0:
        raise ValueError(f"skip_start and skip_end must be >= 0, got {skip_start}, {skip_end}")
    bad = np.flatnonzero(~np.isfinite(losses))
    stop = min(len(losses) - skip_end, bad[0] if len(bad) else len(losses))
    idx = np.arange(skip_start, max(stop, skip_start))
    if len(idx) < 2:
        raise ValueError(f"need at least 2 points after skipping {skip_start} first and {skip_end} "
                         f"last, got {len(idx)} of {len(losses)}")
    return lrs, losses, idx


def suggest_steepest(lrs, losses, *, skip_start: int = 10, skip_end: int = 5) -> Suggestion:
    """Steepest descent: where the smoothed loss falls fastest per decade of lr.

    The slope ``(loss[i+1]-loss[i]) / (log lr[i+1] - log lr[i])`` is most negative at
    ``i``; suggest ``lrs[i]`` (fastai v2's ``steep``).
    """
    lrs, losses, idx = _window(lrs, losses, skip_start, skip_end)
    slope = np.diff(losses[idx]) / np.diff(np.log(lrs[idx]))
    i = int(idx[np.argmin(slope)])
    return Suggestion("steepest", float(lrs[i]), i, float(losses[i]),
                      "the lr where the smoothed loss falls fastest against log(lr)")


def suggest_min_div10(lrs, losses, *, skip_start: int = 10, skip_end: int = 5) -> Suggestion:
    """Minimum / 10: the lr of the lowest smoothed loss, one order of magnitude back.

    Lesson 2: the minimum is already too high; "go back about a multiple of 10".
    """
    lrs, losses, idx = _window(lrs, losses, skip_start, skip_end)
    i_min = int(idx[np.argmin(losses[idx])])
    lr = float(lrs[i_min] / 10)
    i = int(idx[np.argmin(np.abs(np.log(lrs[idx]) - math.log(lr)))])
    return Suggestion("min/10", lr, i, float(losses[i]),
                      f"the lr of the lowest smoothed loss ({lrs[i_min]:.2g}) divided by 10")


def suggest_valley(lrs, losses, *, skip_start: int = 10, skip_end: int = 5) -> Suggestion:
    """fastai v2's "valley": two thirds of the way down the longest descent.

    Finds the longest strictly decreasing run of losses (a longest decreasing
    subsequence, O(n^2)), from ``start`` to ``end``, and suggests the point
    ``start + int(d/3) + int(d/6)`` with ``d = end - start``, exactly as fastai v2 does.
    """
    lrs, losses, idx = _window(lrs, losses, skip_start, skip_end)
    w = losses[idx]
    n = len(w)
    lds = [1] * n
    max_start = max_end = 0
    for i in range(1, n):
        for j in range(i):
            if w[i] < w[j] and lds[i] < lds[j] + 1:
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:
                max_end = i
                max_start = max_end - lds[max_end]
    sections = (max_end - max_start) / 3
    k = max_start + int(sections) + int(sections / 2)
    i = int(idx[k])
    return Suggestion("valley", float(lrs[i]), i, float(losses[i]),
                      "two thirds down the longest stretch where the smoothed loss keeps falling")


SUGGESTERS = {"steepest": suggest_steepest, "min/10": suggest_min_div10, "valley": suggest_valley}


def suggest_all(lrs, losses, *, skip_start: int = 10, skip_end: int = 5) -> tuple:
    """Every suggestion that applies (none when too few points remain after skipping)."""
    out = []
    for fn in SUGGESTERS.values():
        try:
            out.append(fn(lrs, losses, skip_start=skip_start, skip_end=skip_end))
        except ValueError:
            pass
    return tuple(out)


def with_suggestions(result: LRFinderResult, *, skip_start: int = 10,
                     skip_end: int = 5) -> LRFinderResult:
    """``result`` with its suggestions computed on the smoothed curve.

    Uses the plot's window (first ``skip_start``, last ``skip_end`` points skipped);
    for short runs where that leaves fewer than 2 points, nothing is skipped.
    """
    import dataclasses

    n = len(result.lrs)
    if n - skip_start - skip_end < 2:
        skip_start = skip_end = 0
    return dataclasses.replace(result, suggestions=suggest_all(
        result.lrs, result.smoothed, skip_start=skip_start, skip_end=skip_end))


# ---------------------------------------------------------------------------- regions
@dataclass(frozen=True)
class LossRegions:
    """Where the curve says "too small" and "too big" (lr intervals, or None).

    flat : (lo, hi)        from the first plotted lr until the smoothed loss has fallen by
                           ``flat_frac`` of its total drop: the loss barely moves
    diverging : (lo, hi)   from where, past the minimum, the loss has climbed back by
                           ``rise_frac`` of that drop, to the last lr tried
    minimum : (lr, loss)   the lowest smoothed loss in the window
    """

    flat: tuple | None
    diverging: tuple | None
    minimum: tuple


def loss_regions(result: LRFinderResult, *, skip_start: int = 10, skip_end: int = 5,
                 flat_frac: float = 0.1, rise_frac: float = 0.1) -> LossRegions:
    """The flat ("too small") and blow-up ("too big") stretches of a range test.

    Measured on the smoothed curve within the plot's window: ``top`` is the loss at the
    window's start, ``low`` its minimum, ``drop = top - low``. The flat stretch ends at
    the first lr where the loss is below ``top - flat_frac*drop``; the diverging one
    starts at the first lr after the minimum where it is above ``low + rise_frac*drop``
    and runs to the last lr tried (the unrecorded stopping batch's, if it diverged).
    """
    lrs, s, idx = _window(result.lrs, result.smoothed, skip_start, skip_end)
    w = s[idx]
    top, i_min = w[0], int(np.argmin(w))
    low = w[i_min]
    drop = top - low
    flat = None
    if drop > 0 and i_min > 0:
        k = int(np.argmax(w < top - flat_frac * drop))
        if k > 0:
            flat = (float(lrs[idx[0]]), float(lrs[idx[k]]))
    diverging = None
    last_lr = result.stop_lr if result.stop_lr is not None else float(lrs[-1])
    after = np.flatnonzero(s[idx[i_min]:] > low + rise_frac * (drop if drop > 0 else abs(low)))
    if len(after):
        diverging = (float(lrs[idx[i_min] + after[0]]), float(last_lr))
    return LossRegions(flat, diverging, (float(lrs[idx[i_min]]), float(low)))


# ---------------------------------------------------------------------------- the real run


#: The demo's settings: Adam, batches of 16, 600 batches (about 6.7 passes over the
#: 1,437 training digits: one pass, 90 batches, is too short for a from-scratch model
#: to get past the flat start, so the demo sweeps longer, as fastai's ``lr_find2(num_it=)``).
DEMO = {"batch_size": 16, "optimizer": "adam", "num_iter": 600, "channels": (16, 32)}


def digits_lr_find(*, batch_size: int = DEMO["batch_size"], channels=DEMO["channels"],
                   size: int = 8, optimizer: str = DEMO["optimizer"],
                   num_iter: int | None = DEMO["num_iter"], seed: int = 0,
                   group_ratios=None, cache: bool = True, **kwargs) -> LRFinderResult:
    """The range test on ``viz.core.datasets.small_cnn`` and sklearn's digits (CPU, ~1-2 s).

    ``optimizer``: ``"adam"`` (what Jeremy says runs "behind the scenes") or ``"sgd"``
    (momentum 0.9, fastai 0.7's ``opt_fn`` default). Other keywords go to :func:`lr_find`.
    ``group_ratios``, e.g. ``(1/9, 1/3, 1)``: differential learning rates, one parameter
    group per block of layers (first convs ... last layer), in proportion.
    Deterministic for a given ``seed``; runs on one torch thread.

    The result is computed once per machine and kept in the cache folder
    (:mod:`viz.core.cache`), keyed by every argument that changes it; ``cache=False``
    (or ``VIZ_CACHE=off``) always trains, and so does a run given ``on_step``.
    """
    progress = kwargs.pop("progress", False)
    settings = _demo_settings(batch_size=batch_size, channels=channels, size=size,
                              optimizer=optimizer, num_iter=num_iter, seed=seed,
                              group_ratios=group_ratios, **kwargs)
    from .cache import cached

    def compute():
        return _digits_lr_find(batch_size, channels, size, optimizer, num_iter, seed,
                               group_ratios, progress=progress, **kwargs)

    return cached("lr-find-digits", settings, compute, version=1,
                  use=cache and kwargs.get("on_step") is None)


def _demo_settings(**given) -> dict:
    """What determines a demo run: the arguments, with lr_find's defaults filled in and
    numbers normalised (``10`` and ``10.0`` are the same run)."""
    import inspect

    sig = inspect.signature(lr_find).parameters
    out = {k: p.default for k, p in sig.items()
           if p.kind is p.KEYWORD_ONLY and k not in ("progress", "on_step")}
    out.update(given)
    out.pop("on_step", None)

    def norm(v):
        if v is None or isinstance(v, (bool, str)):
            return v
        if isinstance(v, (int, np.integer)):
            return int(v)
        if isinstance(v, (float, np.floating)):
            return float(v)
        if isinstance(v, (list, tuple, np.ndarray)):
            return [norm(x) for x in np.ravel(np.asarray(v, dtype=object))]
        return repr(v)

    out = {k: norm(v) for k, v in out.items()}
    for k in ("start_lr", "end_lr", "beta", "stop_factor"):      # numbers, int or float
        v = out.get(k)
        if isinstance(v, int) and not isinstance(v, bool):
            out[k] = float(v)
        elif isinstance(v, list):
            out[k] = [float(x) for x in v]
    if out.get("group_ratios") is not None:
        out["group_ratios"] = [float(x) for x in out["group_ratios"]]
    return out


def _digits_lr_find(batch_size, channels, size, optimizer, num_iter, seed, group_ratios,
                    **kwargs) -> LRFinderResult:
    """:func:`digits_lr_find` without the cache: set up the model and run the test."""
    import torch
    from torch import nn

    from .datasets import digits, small_cnn

    if optimizer not in ("sgd", "adam"):
        raise ValueError(f"optimizer must be 'sgd' or 'adam', got {optimizer!r}")
    data = digits(size=size, seed=seed)
    train, _ = data.loaders(batch_size, seed=seed)
    model = small_cnn(10, channels=channels, seed=seed)
    params = list(model.parameters())
    if group_ratios is not None:
        layers = [m for m in model.modules() if list(m.parameters(recurse=False))]
        blocks = np.array_split(np.arange(len(layers)), len(group_ratios))
        params = [{"params": [p for k in b for p in layers[k].parameters()], "lr": 1e-3 * r}
                  for b, r in zip(blocks, group_ratios)]
    if optimizer == "sgd":
        opt = torch.optim.SGD(params, lr=1e-3, momentum=0.9)
    else:
        opt = torch.optim.Adam(params, lr=1e-3)
    with torch_threads(1):
        return lr_find(model, opt, train, nn.CrossEntropyLoss(), num_iter=num_iter, **kwargs)
