"""Every step of a user's model on one input, functional calls included.

:func:`trace_model` traces the model with ``torch.fx`` (so ``F.relu``, ``F.max_pool2d``,
``torch.flatten`` and ``x + y`` in ``forward`` are steps too, not only modules) and runs
it once in eval mode without gradients, recording each step's output. A model that fx
cannot trace (data-dependent control flow) falls back to forward hooks on its leaf
modules (:func:`viz.core.tracing.trace_activations`). The model's train/eval flags and
parameters are left as they were.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass

import numpy as np

from .._util import evaluating, first_line

#: kind of a step -> what the report and the explorer do with it
KINDS = ("conv", "pool", "relu", "activation", "batchnorm", "dropout", "flatten", "linear",
         "softmax", "log_softmax", "add", "other")


@dataclass(frozen=True, eq=False)
class TraceStep:
    """One step of the forward pass: ``name`` (the fx node or module path), ``kind`` (one of
    :data:`KINDS`), ``op`` (what ran: ``Conv2d``, ``F.relu``, ``torch.relu``,
    ``F.max_pool2d``, ``torch.flatten``, ``x + y``, ``.view()``, ...),
    ``output`` without the batch axis. A module called twice gives ``conv1`` and ``conv1#2``."""

    name: str
    kind: str
    op: str
    output: np.ndarray

    def __post_init__(self):
        self.output.flags.writeable = False

    @property
    def is_map(self) -> bool:
        """A stack of 2-D maps ``(C, H, W)``, as convolution and pooling make."""
        return self.output.ndim == 3


@dataclass(frozen=True, eq=False)
class ModelTrace:
    """What a model did with one input: the input ``(C, H, W)``, every step in order, the
    model's return value (1-D), the class probabilities (1-D, summing to 1) and how they
    were read from the output (``output_kind``: ``"logits"``, ``"log_probabilities"`` or
    ``"probabilities"``). ``method`` is ``"fx"`` or ``"hooks"``; with hooks,
    ``fallback_reason`` says in one line why torch.fx could not trace the model."""

    input: np.ndarray
    steps: tuple
    output: np.ndarray
    probabilities: np.ndarray
    output_kind: str
    method: str = "fx"
    fallback_reason: str = ""

    def __post_init__(self):
        for a in (self.input, self.output, self.probabilities):
            a.flags.writeable = False

    @property
    def names(self) -> tuple:
        return tuple(s.name for s in self.steps)

    def __getitem__(self, name: str) -> TraceStep:
        for s in self.steps:
            if s.name == name:
                return s
        raise KeyError(f"no step named {name!r} (steps: {', '.join(self.names)})")

    def maps(self) -> tuple:
        """The conv and pooling steps whose output is a stack of maps (what the report shows)."""
        return tuple(s for s in self.steps if s.kind in ("conv", "pool") and s.is_map)


def _module_kind(m) -> str:
    from torch import nn
    table = [((nn.modules.conv._ConvNd,), "conv"),
             ((nn.modules.pooling._MaxPoolNd, nn.modules.pooling._AvgPoolNd,
               nn.modules.pooling._AdaptiveAvgPoolNd, nn.modules.pooling._AdaptiveMaxPoolNd), "pool"),
             ((nn.ReLU, nn.ReLU6), "relu"),
             ((nn.LeakyReLU, nn.Sigmoid, nn.Tanh, nn.ELU, nn.GELU, nn.SiLU, nn.Hardtanh,
               nn.PReLU, nn.Softplus), "activation"),
             ((nn.modules.batchnorm._BatchNorm,), "batchnorm"),
             ((nn.modules.dropout._DropoutNd,), "dropout"),
             ((nn.Flatten,), "flatten"), ((nn.Linear,), "linear"),
             ((nn.Softmax,), "softmax"), ((nn.LogSoftmax,), "log_softmax")]
    for classes, kind in table:
        if isinstance(m, classes):
            return kind
    return "other"


_OPERATORS = {operator.add: "x + y", operator.iadd: "x += y", operator.mul: "x * y",
              operator.imul: "x *= y", operator.sub: "x - y", operator.truediv: "x / y",
              operator.matmul: "x @ y", operator.neg: "-x", operator.getitem: "x[...]"}


def _function_label(target) -> str:
    """What a call_function ran, as the user wrote it: ``F.relu``, ``torch.relu``,
    ``torch.flatten``, ``x + y``."""
    import torch
    import torch.nn.functional as F

    for fn, label in _OPERATORS.items():
        if target is fn:
            return label
    name = getattr(target, "__name__", None)
    if name is None:
        return str(target)
    if getattr(F, name, None) is target:
        return f"F.{name}"
    if getattr(torch, name, None) is target:
        return f"torch.{name}"
    module = getattr(target, "__module__", None)
    return f"{module}.{name}" if module and module != "builtins" else name


def _function_kind(target) -> tuple:
    """(kind, op label) of a call_function / call_method target."""
    import torch
    import torch.nn.functional as F
    table = {
        "conv": (F.conv1d, F.conv2d, F.conv3d),
        "pool": (F.max_pool2d, F.avg_pool2d, F.adaptive_avg_pool2d, F.adaptive_max_pool2d,
                 F.max_pool1d, F.avg_pool1d, torch.max_pool2d),
        "relu": (F.relu, torch.relu, F.relu6),
        "activation": (F.leaky_relu, torch.sigmoid, F.sigmoid, torch.tanh, F.tanh, F.gelu,
                       F.elu, F.silu),
        "dropout": (F.dropout, F.dropout2d),
        "flatten": (torch.flatten,),
        "softmax": (F.softmax, torch.softmax),
        "log_softmax": (F.log_softmax, torch.log_softmax),
        "add": (operator.add, torch.add, operator.iadd),
        "batchnorm": (F.batch_norm,),
        "linear": (F.linear,),
    }
    if isinstance(target, str):          # call_method: x.relu(), x.view(...), x.flatten(1)
        methods = {"relu": "relu", "sigmoid": "activation", "tanh": "activation",
                   "flatten": "flatten", "view": "flatten", "reshape": "flatten",
                   "softmax": "softmax", "log_softmax": "log_softmax", "add": "add"}
        return methods.get(target, "other"), f".{target}()"
    for kind, fns in table.items():
        if any(target is f for f in fns):
            return kind, _function_label(target)
    return "other", _function_label(target)


def _output_kind(out: np.ndarray) -> str:
    """How to read class probabilities from the model's output."""
    if out.ndim == 1 and out.size and np.all(out >= 0) and abs(out.sum() - 1) < 1e-4:
        return "probabilities"
    if out.ndim == 1 and out.size and np.all(out <= 1e-6) and abs(np.exp(out).sum() - 1) < 1e-4:
        return "log_probabilities"
    return "logits"


def probabilities(out: np.ndarray) -> tuple:
    """``(probabilities, output_kind)`` from a 1-D model output."""
    out = np.asarray(out, dtype=np.float64).ravel()
    kind = _output_kind(out)
    if kind == "probabilities":
        p = out
    elif kind == "log_probabilities":
        p = np.exp(out)
    else:
        e = np.exp(out - out.max())
        p = e / e.sum()
    return p / p.sum(), kind


def _fx_steps(model, t):
    import torch
    import torch.fx

    gm = torch.fx.symbolic_trace(model)
    modules = dict(gm.named_modules())
    steps, seen = [], {}

    class Recorder(torch.fx.Interpreter):
        def run_node(self, n):
            result = super().run_node(n)
            if n.op in ("call_module", "call_function", "call_method") and isinstance(result, torch.Tensor):
                if n.op == "call_module":
                    m = modules[n.target]
                    kind, op, name = _module_kind(m), type(m).__name__, str(n.target)
                    seen[name] = seen.get(name, 0) + 1        # a module called twice:
                    if seen[name] > 1:                        # conv1, conv1#2 (as the hooks)
                        name = f"{name}#{seen[name]}"
                else:
                    kind, op = _function_kind(n.target)
                    name = n.name
                if result.dim() >= 1 and result.shape[0] == t.shape[0]:
                    steps.append(TraceStep(name, kind, op, result.detach()[0].cpu().numpy().copy()))
            return result

    out = Recorder(gm).run(t)
    return steps, out


def _hook_steps(model, t):
    from ..tracing import trace_activations
    modules = dict(model.named_modules())
    tr = trace_activations(model, t, batch=True)
    steps = []
    for layer in tr.layers:
        m = modules.get(layer.name.split("#")[0])
        kind = _module_kind(m) if m is not None else "other"
        steps.append(TraceStep(layer.name, kind, layer.kind, np.array(layer.output[0])))
    import torch
    return steps, torch.from_numpy(np.array(tr.output))


def trace_model(model, x) -> ModelTrace:
    """Run ``model`` on one input ``x`` (``(C, H, W)`` array or tensor, already converted)
    and record every step; see the module docstring."""
    import torch

    if not isinstance(model, torch.nn.Module):
        raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    param = next(model.parameters(), None)
    dtype = param.dtype if param is not None else torch.float32
    t = torch.as_tensor(np.asarray(x), dtype=dtype)
    if t.dim() != 3:
        raise ValueError(f"the input must be one (C, H, W) picture, got shape {tuple(t.shape)}")
    t = t.unsqueeze(0)
    method, reason = "fx", ""
    try:
        with evaluating(model):
            try:
                steps, out = _fx_steps(model, t)
            except Exception as exc:                 # noqa: BLE001 - fx cannot trace it
                method, reason = "hooks", first_line(exc)
                steps, out = _hook_steps(model, t)
    except ValueError:
        raise
    except Exception as exc:                         # noqa: BLE001 - the user's forward failed
        raise ValueError(f"the model cannot take an input of shape {tuple(t.shape)}: "
                         f"{first_line(exc)}"[:400]) from None
    if isinstance(out, (tuple, list)):
        out = next(o for o in out if isinstance(o, torch.Tensor))
    out = out.detach().cpu().numpy().astype(np.float64).reshape(out.shape[0], -1)[0]
    p, kind = probabilities(out)
    return ModelTrace(np.asarray(t[0].cpu().numpy()), tuple(steps), out, p, kind, method, reason)
