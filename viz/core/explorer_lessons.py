"""Data for the live explorer's lesson panels 3-6 (conv arithmetic, softmax, SGDR, LR finder).

:func:`lesson_panels_data` returns what the page shows that is *not* its own arithmetic:
the conv-arithmetic kernel and inputs (:mod:`viz.core.convmatmul`), the entropy sheet's
logits and classes (:mod:`viz.core.softmax`), the default SGDR / schedule settings (read
from the signatures in :mod:`viz.core.schedules`) and a real LR range test recorded by
:func:`viz.core.lr_finder.digits_lr_find` (through :func:`viz.core.cache.cached`).
The page recomputes the rest (output sizes, softmax, the SGDR wave, suggestions) in
JavaScript; ``tests/test_explorer_lessons.py`` checks it against torch and this package.

Everything is JSON-able: lists of floats, ints, strings; no NaN or infinity.
"""
from __future__ import annotations

import inspect
import math

import numpy as np

from . import convmatmul as _conv
from .cache import cached

#: Bounds of the conv-arithmetic controls (the page's sliders).
CONV_LIMITS = {"n": (1, 12), "k": (1, 7), "s": (1, 4), "p": (0, 4), "d": (1, 4)}
#: The seed of the lesson's sliding-kernel inputs (viz.core.convmatmul.sliding_examples).
CONV_SEED = inspect.signature(_conv.sliding_examples).parameters["seed"].default


def _defaults(fn) -> dict:
    return {k: v.default for k, v in inspect.signature(fn).parameters.items()
            if v.default is not inspect.Parameter.empty}


def _floats(a) -> list:
    a = np.asarray(a, dtype=float)
    if not np.all(np.isfinite(a)):
        raise ValueError("explorer data must be finite (found NaN or infinity)")
    return a.tolist()


# ------------------------------------------------------------------ panel 3
def convarith_data() -> dict:
    """Inputs (one per size), kernels (one per size), the lesson's presets."""
    from . import convmatmul as C

    n_lo, n_hi = CONV_LIMITS["n"]
    k_lo, k_hi = CONV_LIMITS["k"]
    inputs = {str(n): _floats(C.example_input((n, n), seed=CONV_SEED)) for n in range(n_lo, n_hi + 1)}
    # the conv-arithmetic kernel for 3x3; small integers 0..2 of the same recipe otherwise
    kernels = {str(k): _floats(C.ARITHMETIC_KERNEL if k == 3 else C.example_input((k, k), seed=k, high=3))
               for k in range(k_lo, k_hi + 1)}
    presets = []
    for label, conv in C.sliding_examples(seed=CONV_SEED).items():
        presets.append({"label": label, "n": int(conv.input.shape[-1]), "k": int(conv.kernel_shape[0]),
                        "s": int(conv.stride[0]), "p": int(conv.padding[0]), "d": int(conv.dilation[0]),
                        "output": _floats(conv.output[0])})
    return {"limits": {k: list(v) for k, v in CONV_LIMITS.items()}, "inputs": inputs,
            "kernels": kernels, "presets": presets,
            "formula": "out = floor((n + 2p - d(k-1) - 1) / s) + 1"}


# ------------------------------------------------------------------ panel 4
def softmax_data() -> dict:
    """The entropy sheet's classes, logits and targets, and the two-label fit from torch."""
    from . import softmax as S

    sheet = S.entropy_sheet()
    fit = cached("explorer-two-label-fit", {k: v for k, v in _defaults(S.fit_two_labels).items()
                                             if k in ("steps", "lr")}, S.fit_two_labels, version=1)
    return {"classes": list(sheet.classes), "logits": _floats(sheet.output),
            "true_class": sheet.true_class, "multi_actuals": _floats(sheet.multi_actuals),
            "sheet_softmax": _floats(sheet.softmax), "sheet_sigmoid": _floats(sheet.sigmoid),
            "sheet_ce_ln": float(sheet.ce_ln),
            "fit": {"steps": int(len(fit.steps)), "lr": float(_defaults(S.fit_two_labels)["lr"]),
                    "softmax": _floats(fit.softmax_probs[-1]), "sigmoid": _floats(fit.sigmoid_probs[-1])},
            "logit_range": [-8.0, 8.0]}


# ------------------------------------------------------------------ panel 5
def sgdr_data() -> dict:
    """Default settings of ``compare_schedules`` / ``one_cycle`` / ``cyclic``, and the default wave."""
    from . import schedules as S

    d = _defaults(S.compare_schedules)
    oc = _defaults(S.one_cycle)
    ref = S.sgdr(d["lr"], iters_per_epoch=d["iters_per_epoch"], n_cycles=d["n_cycles"],
                 cycle_len=d["cycle_len"], cycle_mult=d["cycle_mult"])
    return {"defaults": {"lr": float(d["lr"]), "n_cycles": int(d["n_cycles"]),
                         "cycle_len": float(d["cycle_len"]), "cycle_mult": float(d["cycle_mult"]),
                         "iters_per_epoch": int(d["iters_per_epoch"]), "warmup": True},
            "one_cycle": {"pct_start": float(oc["pct_start"]), "div_factor": float(oc["div_factor"]),
                          "final_div_factor": float(oc["final_div_factor"])},
            # compare_schedules' recipe: triangular base lr/4, 4 cycles; step x0.1 every third
            "cyclic": {"base_div": 4.0, "cycles": 4}, "step": {"gamma": 0.1, "steps": 3},
            "schedules": ["sgdr", "triangular", "triangular2", "one_cycle", "step"],
            "reference": {"lr": _floats(ref.head), "cycle_starts": [int(c) for c in ref.cycle_starts],
                          "arithmetic": S.epoch_arithmetic(d["n_cycles"], d["cycle_len"], d["cycle_mult"])}}


# ------------------------------------------------------------------ panel 6
def recorded_lr_find():
    """The demo range test: ``digits_lr_find()``, which is itself cached once per machine."""
    from . import lr_finder as L

    return L.digits_lr_find()


def lr_finder_data(result=None) -> dict:
    """Everything the replay needs: the sweep, raw and smoothed loss, the stop, suggestions."""
    from . import lr_finder as L

    r = recorded_lr_find() if result is None else result
    if len(r.lrs) < 2:
        raise ValueError(f"a range test needs at least 2 recorded batches, got {len(r.lrs)}")
    ws = _defaults(L.with_suggestions)
    if len(r.lrs) - ws["skip_start"] - ws["skip_end"] < 2:     # with_suggestions' rule for short runs
        ws["skip_start"] = ws["skip_end"] = 0
    lf = _defaults(L.lr_find)

    def opt(x):
        return None if x is None or not math.isfinite(x) else float(x)

    return {"lrs": _floats(r.lrs), "losses": _floats(r.losses), "smoothed": _floats(r.smoothed),
            "stop_reason": r.stop_reason, "stop_iteration": int(r.stop_iteration),
            "stop_lr": opt(r.stop_lr), "stop_loss": opt(r.stop_loss), "best_loss": opt(r.best_loss),
            "start_lr": float(r.start_lr), "end_lr": float(r.end_lr), "mode": r.mode,
            "num_iter": int(r.num_iter), "beta": float(r.beta), "stop_factor": opt(r.stop_factor),
            "best_after": int(lf["best_after"]),
            "skip_start": int(ws["skip_start"]), "skip_end": int(ws["skip_end"]),
            "suggestions": [{"name": s.name, "lr": float(s.lr), "index": int(s.index),
                             "loss": float(s.loss), "rule": s.rule} for s in r.suggestions],
            "setup": _demo_text(L.DEMO) if result is None else ""}


def _demo_text(demo) -> str:
    return (f"small CNN (channels {', '.join(map(str, demo['channels']))}) on sklearn's digits, "
            f"{demo['optimizer'].capitalize()}, batches of {demo['batch_size']}, up to {demo['num_iter']} batches")


def lesson_panels_data() -> dict:
    """``{"convarith", "softmax", "sgdr", "lrfinder"}``: the data of panels 3-6."""
    return {"convarith": convarith_data(), "softmax": softmax_data(), "sgdr": sgdr_data(),
            "lrfinder": lr_finder_data()}
