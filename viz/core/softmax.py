"""Softmax, sigmoid, cross-entropy and F-beta: single-label vs multi-label (lesson 3).

The lesson's entropy spreadsheet (``entropy_example.xlsx``) is replicated here with the
sheet's own numbers (:func:`entropy_sheet`): five classes, their outputs (logits), ``exp``,
``softmax = exp/SUM(exp)``, ``sigmoid = exp/(1+exp)``, one-hot actuals and cross-entropy.
The sheet's ``LOG`` is **base 10** (0.5 -> 0.301); torch's losses use the natural log.
Both are kept: ``*_log10`` values match the sheet's cells, ``*_ln`` values match torch.

Softmax and sigmoid come from torch, F-beta from ``sklearn.metrics.fbeta_score``; the
hand-written versions (``*_by_hand``) spell out what the lesson writes on the board and
are tested against them. fastai's planet trick (``planet.py``): the reported F2 is the
best of thresholds 0.17, 0.18, ..., 0.23, chosen on the evaluated set itself.

Lesson 3 of fast.ai 2018 (``fastai-lessons.md`` sections 3 and 6).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._util import freeze_arrays

CLASSES = ("cat", "dog", "plane", "fish", "building")
#: The sheet's cached ``RAND()*10-5`` outputs (softmax!B2:B6).
SHEET_OUTPUTS = np.array([-4.261805194771825, -2.1568391136045397, 4.324569396265607,
                          -0.9758601672163376, -0.14690752671951213])
#: softmax!E2:E6, one-hot: the picture is a dog.
SHEET_ACTUALS = np.array([0.0, 1.0, 0.0, 0.0, 0.0])
#: softmax!H2:H6, the multi-label column: plane and fish both true.
SHEET_MULTI_ACTUALS = np.array([0.0, 0.0, 1.0, 1.0, 0.0])
#: The "entropy" sheet: isCat (B2:B6) and Preds (C2:C6).
SHEET_IS_CAT = np.array([1.0, 1.0, 0.0, 0.0, 1.0])
SHEET_PREDS = np.array([0.5, 0.98, 0.9, 0.5, 0.9])
#: fastai's planet.py threshold grid: np.arange(0.17, 0.24, 0.01), 7 values.
PLANET_THRESHOLDS = np.round(np.arange(17, 24) / 100, 2)


def _frozen(obj):
    freeze_arrays(obj, copy=True)


# ------------------------------------------------------------------ checks
def _as_float(x, name) -> np.ndarray:
    try:
        a = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers, got {x!r}") from None
    if a.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def check_probs(p, name="probabilities") -> np.ndarray:
    """``p`` as a float array; ``ValueError`` if empty, not finite or outside [0, 1]."""
    a = _as_float(p, name)
    bad = (a < 0) | (a > 1)
    if bad.any():
        raise ValueError(f"{name} must lie in [0, 1], got {a[bad].ravel()[0]:g}")
    return a


def check_labels(y, name="labels") -> np.ndarray:
    """0/1 labels as a float array; ``ValueError`` for anything else."""
    a = _as_float(y, name)
    if not np.all((a == 0) | (a == 1)):
        bad = a[(a != 0) & (a != 1)].ravel()[0]
        raise ValueError(f"{name} must be 0 or 1, got {bad:g}")
    return a


def check_beta(beta) -> float:
    try:
        b = float(beta)
    except (TypeError, ValueError):
        raise ValueError(f"beta must be a number, got {beta!r}") from None
    if not math.isfinite(b) or b <= 0:
        raise ValueError(f"beta must be positive, got {beta!r}")
    return b


def _same_shape(a, b, what="labels and predictions"):
    if a.shape != b.shape:
        raise ValueError(f"{what} have different shapes: {a.shape} vs {b.shape}")


# ------------------------------------------------------------------ activations and losses
def softmax(logits, axis: int = -1) -> np.ndarray:
    """``torch.softmax`` of ``logits`` (float64 numpy in, numpy out)."""
    import torch
    return torch.softmax(torch.tensor(_as_float(logits, "logits")), dim=axis).numpy()


def sigmoid(logits) -> np.ndarray:
    """``torch.sigmoid`` of ``logits``, each output on its own."""
    import torch
    return torch.sigmoid(torch.tensor(_as_float(logits, "logits"))).numpy()


def softmax_by_hand(logits, axis: int = -1) -> np.ndarray:
    """The sheet's formula: ``EXP(x) / SUM(EXP(x))`` (max subtracted first, same result)."""
    x = _as_float(logits, "logits")
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def sigmoid_by_hand(logits) -> np.ndarray:
    """The sheet's formula: ``EXP(x) / (1 + EXP(x))``."""
    x = _as_float(logits, "logits")
    return np.exp(-np.logaddexp(0.0, -x))


def cross_entropy(probs, targets, *, base: float = math.e) -> float:
    """``-SUM(target * LOG(prob))`` for one prediction (natural log, or ``base=10`` as the sheet).

    With a one-hot target this is ``-log`` of the probability given to the true class,
    what ``torch.nn.functional.cross_entropy`` computes from the logits.
    """
    p, t = check_probs(probs, "probabilities"), check_probs(targets, "targets")
    _same_shape(t, p, "targets and probabilities")
    with np.errstate(divide="ignore"):
        logp = np.where(t > 0, np.log(np.where(t > 0, p, 1.0)), 0.0)
    return float(-(t * logp).sum() / math.log(base))


def binary_cross_entropy(targets, preds, *, base: float = math.e) -> np.ndarray:
    """``-y*LOG(p) - (1-y)*LOG(1-p)`` element by element (the "entropy" sheet's column D)."""
    y, p = check_probs(targets, "targets"), check_probs(preds, "predictions")
    _same_shape(y, p, "targets and predictions")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = -(np.where(y > 0, y * np.log(p), 0.0) + np.where(y < 1, (1 - y) * np.log1p(-p), 0.0))
    return out / math.log(base)


# ------------------------------------------------------------------ the entropy spreadsheet
@dataclass(frozen=True, eq=False)
class EntropySheet:
    """Every column of ``entropy_example.xlsx``, recomputed (torch for softmax/sigmoid)."""

    classes: tuple
    output: np.ndarray         # (5,) logits                         softmax!B2:B6
    exp: np.ndarray            # (5,) EXP(output)                    softmax!C2:C6
    exp_sum: float             # SUM(exp)                            softmax!C7
    softmax: np.ndarray        # (5,) exp / SUM(exp)                 softmax!D2:D6
    sigmoid: np.ndarray        # (5,) exp / (1 + exp)                softmax!G2:G6
    actuals: np.ndarray        # (5,) one-hot                        softmax!E2:E6
    multi_actuals: np.ndarray  # (5,) two labels true                softmax!H2:H6
    ce_ln: float               # -ln softmax[true class]  (= F.cross_entropy)
    ce_log10: float            # the same in the sheet's base-10 LOG
    multi_bce_ln: np.ndarray   # (5,) BCE of sigmoid vs multi_actuals (natural log)
    is_cat: np.ndarray         # (5,)                                entropy!B2:B6
    preds: np.ndarray          # (5,)                                entropy!C2:C6
    bce_log10: np.ndarray      # (5,) -y*LOG(p)-(1-y)*LOG(1-p)       entropy!D2:D6 (= E2:E6)
    bce_ln: np.ndarray         # (5,) the same with ln (= F.binary_cross_entropy per row)

    def __post_init__(self):
        _frozen(self)

    @property
    def true_class(self) -> int:
        return int(np.argmax(self.actuals))


def entropy_sheet(outputs=None, *, actuals=None, multi_actuals=None) -> EntropySheet:
    """Recompute the entropy spreadsheet (the sheet's own numbers by default).

    >>> s = entropy_sheet()
    >>> round(s.softmax.sum(), 12), round(s.bce_log10[0], 4)
    (1.0, 0.301)
    """
    import torch
    import torch.nn.functional as F

    x = _as_float(SHEET_OUTPUTS if outputs is None else outputs, "outputs")
    y = check_labels(SHEET_ACTUALS if actuals is None else actuals, "actuals")
    ym = check_labels(SHEET_MULTI_ACTUALS if multi_actuals is None else multi_actuals, "multi_actuals")
    if x.shape != (len(CLASSES),):
        raise ValueError(f"outputs must be {len(CLASSES)} numbers (one per class), got shape {x.shape}")
    _same_shape(y, x, "actuals and outputs")
    _same_shape(ym, x, "multi_actuals and outputs")
    if y.sum() != 1:
        raise ValueError(f"actuals must be one-hot (exactly one 1), got {y.tolist()}")
    t = torch.tensor(x)
    sm, sg = torch.softmax(t, 0), torch.sigmoid(t)
    ce_ln = float(F.cross_entropy(t[None], torch.tensor([int(np.argmax(y))])))
    multi_bce = F.binary_cross_entropy(sg, torch.tensor(ym), reduction="none").numpy()
    bce_ln = F.binary_cross_entropy(torch.tensor(SHEET_PREDS), torch.tensor(SHEET_IS_CAT),
                                    reduction="none").numpy()
    exp = np.exp(x)
    return EntropySheet(classes=CLASSES, output=x, exp=exp, exp_sum=float(exp.sum()),
                        softmax=sm.numpy(), sigmoid=sg.numpy(), actuals=y, multi_actuals=ym,
                        ce_ln=ce_ln, ce_log10=ce_ln / math.log(10), multi_bce_ln=multi_bce,
                        is_cat=SHEET_IS_CAT, preds=SHEET_PREDS,
                        bce_log10=binary_cross_entropy(SHEET_IS_CAT, SHEET_PREDS, base=10),
                        bce_ln=bce_ln)


# ------------------------------------------------------------------ softmax wants to pick one
@dataclass(frozen=True, eq=False)
class LogitSweep:
    """One logit raised step by step; the others fixed."""

    classes: tuple
    index: int             # which logit rises
    values: np.ndarray     # (n,) the rising logit's value at each step
    logits: np.ndarray     # (n, k)
    exp: np.ndarray        # (n, k)
    softmax: np.ndarray    # (n, k)
    sigmoid: np.ndarray    # (n, k)

    def __post_init__(self):
        _frozen(self)


def rising_logit(logits=None, *, index: int = 1, stop: float = 7.0, num: int = 41,
                 classes=CLASSES) -> LogitSweep:
    """Raise ``logits[index]`` from its value to ``stop``: softmax bars compete, sigmoids don't.

    Defaults: the sheet's outputs, the dog's logit rising from -2.16 to 7.
    """
    x = _as_float(SHEET_OUTPUTS if logits is None else logits, "logits")
    if x.ndim != 1 or len(x) != len(classes):
        raise ValueError(f"logits must be a vector of {len(classes)}, got shape {x.shape}")
    if not 0 <= index < len(x):
        raise ValueError(f"index must be in 0..{len(x) - 1}, got {index}")
    if num < 2:
        raise ValueError(f"num must be at least 2, got {num}")
    values = np.linspace(x[index], stop, num)
    grid = np.repeat(x[None], num, axis=0)
    grid[:, index] = values
    return LogitSweep(tuple(classes), index, values, grid, np.exp(grid), softmax(grid), sigmoid(grid))


# ------------------------------------------------------------------ two labels true
@dataclass(frozen=True, eq=False)
class TwoLabelFit:
    """Free logits fitted to a multi-hot target, once through softmax + CE, once through
    sigmoids + BCE. Softmax can at best give each true label 1/k; sigmoids give ~1."""

    classes: tuple
    targets: np.ndarray         # (k,) multi-hot
    steps: np.ndarray           # (n,) 0..n-1
    softmax_probs: np.ndarray   # (n, k) softmax of the logits during the fit
    sigmoid_probs: np.ndarray   # (n, k)
    softmax_loss: np.ndarray    # (n,) -sum(t * log softmax)
    sigmoid_loss: np.ndarray    # (n,) summed BCE

    def __post_init__(self):
        _frozen(self)


def fit_two_labels(targets=None, *, logits=None, steps: int = 120, lr: float = 0.5,
                   classes=CLASSES) -> TwoLabelFit:
    """Gradient descent on 5 free logits, starting at the sheet's outputs, to the target
    "plane and fish" (the sheet's multi-label column)."""
    import torch
    import torch.nn.functional as F

    t = check_labels(SHEET_MULTI_ACTUALS if targets is None else targets, "targets")
    x0 = _as_float(SHEET_OUTPUTS if logits is None else logits, "logits")
    _same_shape(t, x0, "targets and logits")
    if t.sum() == 0:
        raise ValueError("targets: the tag set is empty (no label is 1)")
    if steps < 1 or lr <= 0:
        raise ValueError(f"steps must be >= 1 and lr > 0, got steps={steps}, lr={lr}")
    tt = torch.tensor(t)
    out = {}
    for head in ("softmax", "sigmoid"):
        w = torch.tensor(x0, requires_grad=True)
        opt = torch.optim.SGD([w], lr=lr)
        probs, losses = [], []
        for _ in range(steps):
            if head == "softmax":
                loss = -(tt * torch.log_softmax(w, 0)).sum()
                p = torch.softmax(w, 0)
            else:
                loss = F.binary_cross_entropy_with_logits(w, tt, reduction="sum")
                p = torch.sigmoid(w)
            probs.append(p.detach().numpy().copy())
            losses.append(float(loss.detach()))
            opt.zero_grad()
            loss.backward()
            opt.step()
        out[head] = (np.array(probs), np.array(losses))
    return TwoLabelFit(tuple(classes), t, np.arange(steps), out["softmax"][0], out["sigmoid"][0],
                       out["softmax"][1], out["sigmoid"][1])


# ------------------------------------------------------------------ F-beta
def fbeta_from_pr(precision, recall, beta: float = 2.0) -> np.ndarray:
    """F-beta as the weighted harmonic mean of precision and recall:

    ``1/F = 1/(1+b^2) * 1/P + b^2/(1+b^2) * 1/R``, i.e. ``F = (1+b^2) P R / (b^2 P + R)``;
    0 where P and R are both 0. Recall counts ``b^2`` times as much as precision.
    """
    b2 = check_beta(beta) ** 2
    p, r = check_probs(precision, "precision"), check_probs(recall, "recall")
    p, r = np.broadcast_arrays(p, r)
    den = b2 * p + r
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, (1 + b2) * p * r / np.where(den > 0, den, 1.0), 0.0)


def _check_pair(y_true, y_pred):
    y = check_labels(y_true, "labels")
    p = check_labels(y_pred, "predictions")
    _same_shape(y, p)
    if y.ndim == 1:
        y, p = y[None], p[None]
    if y.ndim != 2 or y.shape[1] == 0:
        raise ValueError(f"labels must be (samples, tags) with at least one tag, got shape {y.shape}")
    return y.astype(int), p.astype(int)


def fbeta(y_true, y_pred, beta: float = 2.0, *, average: str = "samples") -> float:
    """``sklearn.metrics.fbeta_score`` on 0/1 multi-label matrices (Kaggle planet: samples)."""
    from sklearn.metrics import fbeta_score

    b = check_beta(beta)
    y, p = _check_pair(y_true, y_pred)
    if average not in ("samples", "micro", "macro"):
        raise ValueError(f"average must be samples, micro or macro, got {average!r}")
    if y.shape[1] == 1:   # sklearn reads one column as binary; an all-zero tag changes nothing
        y, p = np.hstack([y, np.zeros_like(y)]), np.hstack([p, np.zeros_like(p)])
        if average == "macro":
            raise ValueError("average='macro' needs at least two tags")
    return float(fbeta_score(y, p, beta=b, average=average, zero_division=0))


def fbeta_by_hand(y_true, y_pred, beta: float = 2.0) -> float:
    """Per sample: precision = TP/(TP+FP), recall = TP/(TP+FN), their weighted harmonic
    mean; then the mean over samples (what ``average='samples'`` does)."""
    b = check_beta(beta)
    y, p = _check_pair(y_true, y_pred)
    tp = (y & p).sum(1)
    prec = np.where(p.sum(1) > 0, tp / np.maximum(p.sum(1), 1), 0.0)
    rec = np.where(y.sum(1) > 0, tp / np.maximum(y.sum(1), 1), 0.0)
    return float(fbeta_from_pr(prec, rec, b).mean())


@dataclass(frozen=True, eq=False)
class FBetaCurve:
    """F-beta of thresholded probabilities against the threshold."""

    beta: float
    thresholds: np.ndarray   # (m,)
    scores: np.ndarray       # (m,)
    precision: np.ndarray    # (m,) sample-averaged precision
    recall: np.ndarray       # (m,) sample-averaged recall
    best_threshold: float
    best_score: float

    def __post_init__(self):
        _frozen(self)


def _sample_scores(y, pred, b2):
    """Sample-averaged precision, recall and F-beta of 0/1 matrices ``(..., n, tags)``."""
    tp = (y * pred).sum(-1)
    npred, ntrue = pred.sum(-1), y.sum(-1)
    prec = np.where(npred > 0, tp / np.maximum(npred, 1), 0.0)
    rec = np.where(ntrue > 0, tp / np.maximum(ntrue, 1), 0.0)
    den = b2 * prec + rec
    f = np.where(den > 0, (1 + b2) * prec * rec / np.where(den > 0, den, 1.0), 0.0)
    return prec.mean(-1), rec.mean(-1), f.mean(-1)


def fbeta_vs_threshold(y_true, probs, *, beta: float = 2.0, thresholds=None) -> FBetaCurve:
    """F-beta (``average='samples'``, as sklearn) of ``probs > th`` for each threshold.

    ``thresholds`` defaults to 0.01 .. 0.99. The best is the first maximum, as
    ``max(...)`` over the grid in planet.py. Computed with numpy for all thresholds at
    once; the tests check it against ``sklearn.metrics.fbeta_score`` point by point.
    """
    b = check_beta(beta)
    y = check_labels(y_true, "labels")
    pr = check_probs(probs, "probabilities")
    _same_shape(y, pr, "labels and probabilities")
    if y.ndim == 1:
        y, pr = y[None], pr[None]
    if y.ndim != 2:
        raise ValueError(f"labels must be (samples, tags), got shape {y.shape}")
    th = np.round(np.arange(1, 100) / 100, 2) if thresholds is None else check_probs(thresholds, "thresholds")
    th = np.atleast_1d(th).astype(np.float64)
    pred = (pr[None] > th[:, None, None]).astype(np.float64)
    precs, recs, scores = _sample_scores(y[None], pred, b * b)
    i = int(np.argmax(scores))
    return FBetaCurve(b, th, scores, precs, recs, float(th[i]), float(scores[i]))


def planet_f2(y_true, probs) -> tuple[float, float]:
    """fastai's planet ``f2``: the best F2 over thresholds 0.17..0.23; returns (score, threshold).

    As planet.py: ``max(fbeta_score(targs, preds > th, 2, average='samples') for th in
    np.arange(0.17, 0.24, 0.01))``, with sklearn; the first best threshold on ties.
    """
    y = check_labels(y_true, "labels")
    pr = check_probs(probs, "probabilities")
    _same_shape(y, pr, "labels and probabilities")
    scores = [fbeta(y, (pr > th).astype(int), 2.0) for th in PLANET_THRESHOLDS]
    i = int(np.argmax(scores))
    return float(scores[i]), float(PLANET_THRESHOLDS[i])


def iso_f_grid(beta: float, *, num: int = 201):
    """``(P, R, F)`` meshgrids over the precision-recall square for iso-F contours."""
    b = check_beta(beta)
    if num < 2:
        raise ValueError(f"num must be at least 2, got {num}")
    v = np.linspace(0, 1, num)
    P, R = np.meshgrid(v, v)
    return P, R, fbeta_from_pr(P, R, b)


def iso_f_curve(f: float, beta: float, *, num: int = 200):
    """The precision-recall pairs with F-beta exactly ``f``: ``(recall, precision)`` arrays.

    Solving ``f = (1+b^2) P R / (b^2 P + R)`` for P gives ``P = f R / ((1+b^2) R - b^2 f)``,
    defined where that lies in (0, 1]; recall runs from where P = 1 up to 1.
    """
    b2 = check_beta(beta) ** 2
    if not 0 < f < 1:
        raise ValueError(f"f must be in (0, 1), got {f}")
    r_min = b2 * f / (1 + b2 - f)            # where P = 1
    r = np.linspace(r_min, 1.0, num)
    p = f * r / ((1 + b2) * r - b2 * f)
    return r, np.clip(p, 0.0, 1.0)
