"""A user's model as the data the live model page computes with (JSON-able; numpy + torch).

:func:`browser_model` traces a deep copy with ``torch.fx`` and accepts a plain chain (each
step takes the previous step's output only) of Conv2d (any stride, padding incl. "same",
dilation, groups; zero padding), ReLU, LeakyReLU, Sigmoid, Tanh, MaxPool2d, AvgPool2d,
BatchNorm2d (running statistics), Dropout (off), Flatten (after the batch axis), Linear,
Softmax, LogSoftmax, as modules or functions (``F.relu``, ``torch.flatten(x, 1)``,
``x.view(x.size(0), -1)``, ``F.max_pool2d(x, 2)``, ...). Anything else raises
:class:`BrowserUnsupported` naming the step: ``step 'add' (a residual add: x + y) cannot run
in the browser; the report has everything else``. Steps are named as
:func:`viz.core.explain.trace.trace_model` names them; weights travel as base64 of
little-endian float32 bytes (a ``Float32Array`` in the page, which computes in float64).
"""
from __future__ import annotations

import base64
import copy
import operator

import numpy as np

from .trace import _function_kind, _module_kind

FORMAT = "viz-model/1"
#: the most weights (numbers) the page is given: beyond, the file would be too big to open
MAX_WEIGHTS = 8_000_000
ELSE = "the report has everything else"


class BrowserUnsupported(ValueError):
    """The model cannot run in the browser page (the message names the step and why)."""


def _refuse(name, why):
    raise BrowserUnsupported(f"step {name!r} ({why}) cannot run in the browser; {ELSE}")


def _array(t) -> dict:
    a = np.ascontiguousarray(t.detach().cpu().numpy(), dtype="<f4")
    return {"shape": list(a.shape), "b64": base64.b64encode(a.tobytes()).decode("ascii")}


def decode(w: dict) -> np.ndarray:
    """The float32 array of one exported weight (``{"shape", "b64"}``)."""
    return np.frombuffer(base64.b64decode(w["b64"]), dtype="<f4").reshape(w["shape"])


def _pair(v, what):
    v = list(v) * (2 // len(v)) if isinstance(v, (tuple, list)) and v else [v, v]
    if len(v) != 2:
        raise ValueError(f"{what} must be one or two numbers, got {v!r}")
    return [int(v[0]), int(v[1])]


def _bind(node, names, defaults):
    """Positional and keyword arguments of a call node, by parameter name."""
    got = dict(defaults)
    for k, v in zip(names, node.args):
        got[k] = v
    got.update(node.kwargs)
    return got


def _shape(v):
    return "\u00d7".join(str(int(s)) for s in v)


def _with(label, *options):
    """``label`` + ", stride 2", ", padding 1/2/1/2", ... for each (word, value, default) not default."""
    for word, v, default in options:
        if v != default:
            label += f", {word} {v[0] if len(set(v)) == 1 else ('/' if len(v) == 4 else chr(215)).join(map(str, v))}"
    return label


# ------------------------------------------------------------------ one step -> one op
def _conv(name, weight, bias, stride, padding, dilation, groups, in_shape, padding_mode="zeros"):
    if padding_mode != "zeros":
        _refuse(name, f"Conv2d with padding_mode={padding_mode!r}; the page pads with zeros only")
    if weight.dim() != 4:
        _refuse(name, f"a convolution with a {weight.dim()}-D weight; the page computes Conv2d only")
    kh, kw = int(weight.shape[2]), int(weight.shape[3])
    stride, dilation = _pair(stride, "stride"), _pair(dilation, "dilation")
    if padding == "valid":
        pad = [0, 0, 0, 0]
    elif padding == "same":                 # torch: the extra row/column goes at the end
        th, tw = dilation[0] * (kh - 1), dilation[1] * (kw - 1)
        pad = [th // 2, th - th // 2, tw // 2, tw - tw // 2]
    else:
        ph, pw = _pair(padding, "padding")
        pad = [ph, ph, pw, pw]
    out, cin = int(weight.shape[0]), int(in_shape[0])
    if cin != int(weight.shape[1]) * int(groups):
        _refuse(name, f"a convolution over {cin} channels with weights for {int(weight.shape[1]) * int(groups)}")
    label = _with(f"Conv2d {cin}\u2192{out}, {kh}\u00d7{kw}", ("stride", stride, [1, 1]),
                  ("dilation", dilation, [1, 1]), ("padding", pad, [0] * 4), ("groups", [int(groups)], [1]))
    return {"type": "conv2d", "label": label, "weight": _array(weight),
            "bias": _array(bias) if bias is not None else None, "stride": stride,
            "padding": pad, "dilation": dilation, "groups": int(groups)}


def _pool(name, kind, kernel, stride, padding, dilation=1, ceil_mode=False, count_include_pad=True,
          divisor_override=None, return_indices=False):
    if return_indices:
        _refuse(name, "max pooling that also returns the indices")
    k = _pair(kernel, "kernel")
    s = _pair(stride, "stride") if stride not in (None, (), []) else list(k)
    p, d = _pair(padding, "padding"), _pair(dilation, "dilation")
    label = _with(f"{'max' if kind == 'max' else 'average'}-pool {k[0]}\u00d7{k[1]}", ("stride", s, k),
                  ("padding", p, [0, 0]), ("dilation", d, [1, 1])) + (", ceil mode" if ceil_mode else "")
    op = {"type": f"{kind}pool2d", "label": label, "kernel": k, "stride": s, "padding": p,
          "ceil_mode": bool(ceil_mode)}
    if kind == "max":
        op["dilation"] = d
    else:
        op["count_include_pad"] = bool(count_include_pad)
        op["divisor_override"] = int(divisor_override) if divisor_override else None
    return op


def _softmax(name, typ, dim, in_shape):
    if len(in_shape) != 1 or dim not in (None, 1, -1):
        _refuse(name, f"{'log_' if typ == 'log_softmax' else ''}softmax over dim={dim} of a "
                      f"{len(in_shape) + 1}-D tensor; the page takes it over the scores of a 2-D one")
    return {"type": typ, "label": "LogSoftmax" if typ == "log_softmax" else "Softmax"}


def _flatten(name, in_shape, out_shape, how):
    if len(out_shape) != 1 or out_shape[0] != int(np.prod(in_shape)):
        _refuse(name, f"{how} to {_shape(out_shape)} per picture; the page flattens everything "
                      f"after the batch axis only (torch.flatten(x, 1), x.view(x.size(0), -1))")
    return {"type": "flatten", "label": f"Flatten \u2192 {out_shape[0]}"}


def _linear(name, weight, bias, in_shape):
    if len(in_shape) != 1:
        _refuse(name, f"Linear on a {len(in_shape) + 1}-D tensor; flatten first")
    return {"type": "linear", "label": f"Linear {int(weight.shape[1])}\u2192{int(weight.shape[0])}",
            "weight": _array(weight), "bias": _array(bias) if bias is not None else None}


def _module_op(name, m, in_shape, out_shape):
    from torch import nn
    if isinstance(m, nn.Conv2d):
        return _conv(name, m.weight, m.bias, m.stride, m.padding, m.dilation, m.groups, in_shape,
                     m.padding_mode)
    for cls, typ in ((nn.ReLU, "relu"), (nn.Sigmoid, "sigmoid"), (nn.Tanh, "tanh")):
        if isinstance(m, cls):
            return {"type": typ, "label": cls.__name__}
    if isinstance(m, nn.LeakyReLU):
        return {"type": "leaky_relu", "label": f"LeakyReLU (slope {m.negative_slope:g})",
                "slope": float(m.negative_slope)}
    if isinstance(m, nn.MaxPool2d):
        return _pool(name, "max", m.kernel_size, m.stride, m.padding, m.dilation, m.ceil_mode,
                     return_indices=m.return_indices)
    if isinstance(m, nn.AvgPool2d):
        return _pool(name, "avg", m.kernel_size, m.stride, m.padding, 1, m.ceil_mode,
                     m.count_include_pad, m.divisor_override)
    if isinstance(m, nn.BatchNorm2d):
        if m.running_mean is None or m.running_var is None:
            _refuse(name, "BatchNorm2d without running statistics normalises with each batch's own")
        import torch
        with torch.no_grad():
            mean, var = m.running_mean.double(), m.running_var.double()
            w = m.weight.double() if m.weight is not None else torch.ones_like(mean)
            b = m.bias.double() if m.bias is not None else torch.zeros_like(mean)
            scale = w / torch.sqrt(var + m.eps)
            shift = b - mean * scale
        return {"type": "batchnorm2d", "label": "BatchNorm2d (running mean and variance)",
                "mean": _array(mean), "var": _array(var), "weight": _array(w), "bias": _array(b),
                "eps": float(m.eps), "scale": _array(scale), "shift": _array(shift)}
    if isinstance(m, (nn.modules.dropout._DropoutNd, nn.Identity)):
        return {"type": "dropout", "label": f"{type(m).__name__} (off when predicting)"}
    if isinstance(m, nn.Flatten):
        return _flatten(name, in_shape, out_shape, f"Flatten(start_dim={m.start_dim})")
    if isinstance(m, nn.Linear):
        return _linear(name, m.weight, m.bias, in_shape)
    if isinstance(m, nn.Softmax):
        return _softmax(name, "softmax", m.dim, in_shape)
    if isinstance(m, nn.LogSoftmax):
        return _softmax(name, "log_softmax", m.dim, in_shape)
    known = type(m).__module__.startswith("torch.nn")
    _refuse(name, f"{type(m).__name__}, {'a layer' if known else 'a module'} the page does not compute")


def _call_op(name, node, value, in_shape, out_shape):
    """A call_function / call_method node; ``value(a)`` is the concrete value of an argument."""
    import torch
    import torch.nn.functional as F
    t = node.target

    def b(names, defaults):
        return {k: value(v) for k, v in _bind(node, names, defaults).items()}

    if node.op == "call_method":
        meth = {"relu": F.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "softmax": F.softmax,
                "log_softmax": F.log_softmax}
        if t in ("view", "reshape", "flatten"):
            return _flatten(name, in_shape, out_shape, f".{t}()")
        if t in ("contiguous", "float"):
            return {"type": "dropout", "label": f".{t}() (no change to the numbers)"}
        if t not in meth:
            _refuse(name, f"the method .{t}(), which the page does not compute")
        t = meth[t]
    simple = [(F.relu, "relu", "ReLU"), (torch.relu, "relu", "ReLU"), (torch.sigmoid, "sigmoid", "Sigmoid"),
              (F.sigmoid, "sigmoid", "Sigmoid"), (torch.tanh, "tanh", "Tanh"), (F.tanh, "tanh", "Tanh")]
    for fn, typ, label in simple:
        if t is fn:
            return {"type": typ, "label": label}
    if t is F.leaky_relu:
        slope = float(b(["input", "negative_slope"], {"negative_slope": 0.01})["negative_slope"])
        return {"type": "leaky_relu", "label": f"LeakyReLU (slope {slope:g})", "slope": slope}
    if t is F.max_pool2d or t is getattr(F, "max_pool2d_with_indices", None):
        g = b(["input", "kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices"],
              {"stride": None, "padding": 0, "dilation": 1, "ceil_mode": False, "return_indices": False})
        return _pool(name, "max", g["kernel_size"], g["stride"], g["padding"], g["dilation"], g["ceil_mode"],
                     return_indices=g["return_indices"] or t is not F.max_pool2d)
    if t is F.avg_pool2d:
        g = b(["input", "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"],
              {"stride": None, "padding": 0, "ceil_mode": False, "count_include_pad": True,
               "divisor_override": None})
        return _pool(name, "avg", g["kernel_size"], g["stride"], g["padding"], 1, g["ceil_mode"],
                     g["count_include_pad"], g["divisor_override"])
    if t in (F.dropout, F.dropout1d, F.dropout2d, F.dropout3d, F.alpha_dropout, torch.dropout):
        g = b(["input", "p", "training"], {"p": 0.5, "training": True})
        if g["training"] and g["p"]:
            _refuse(name, f"{getattr(t, '__name__', 'dropout')} with training=True drops at random even "
                          "when predicting; pass training=self.training")
        return {"type": "dropout", "label": "dropout (off when predicting)"}
    if t in (torch.flatten, torch.reshape):
        return _flatten(name, in_shape, out_shape, f"torch.{t.__name__}")
    if t in (F.softmax, torch.softmax, F.log_softmax, torch.log_softmax):
        typ = "log_softmax" if t in (F.log_softmax, torch.log_softmax) else "softmax"
        return _softmax(name, typ, b(["input", "dim"], {"dim": None})["dim"], in_shape)
    if t in (F.conv2d, torch.conv2d):
        g = b(["input", "weight", "bias", "stride", "padding", "dilation", "groups"],
              {"bias": None, "stride": 1, "padding": 0, "dilation": 1, "groups": 1})
        return _conv(name, g["weight"], g["bias"], g["stride"], g["padding"], g["dilation"],
                     g["groups"], in_shape)
    if t is F.linear:
        g = b(["input", "weight", "bias"], {"bias": None})
        return _linear(name, g["weight"], g["bias"], in_shape)
    if t in (operator.add, torch.add, operator.iadd):
        _refuse(name, "an add of the input and a constant")
    _refuse(name, f"{getattr(t, '__name__', t)}, a function the page does not compute")


# ------------------------------------------------------------------ the whole model
def _sample(shape) -> list:
    """A ring in the middle (like a drawn 0), ink 1 on 0: something to see when the page opens."""
    c, h, w = shape
    yy, xx = np.mgrid[0:h, 0:w]
    r = np.hypot((yy + 0.5 - h / 2) / (h / 2), (xx + 0.5 - w / 2) / (w / 2))
    ring = np.clip(1 - np.abs(r - 0.55) / 0.14, 0, 1)
    return np.round(np.repeat(ring[None], c, 0), 4).tolist()


def _check_shape(shape):
    try:
        good = tuple(int(s) for s in shape)
    except (TypeError, ValueError):
        good = ()
    if len(good) != 3 or min(good) < 1:
        raise ValueError(f"input shape must be (C, H, W) with positive sizes, got {shape!r}")
    return good


def browser_model(model, shape, *, classes=None, label=None, sample=None, sample_line=None) -> dict:
    """``model`` (an ``nn.Module``) for input ``shape`` ``(C, H, W)`` as the page's data:

    ``{"format": "viz-model/1", "label", "input": {"shape": [C, H, W], "sample": C x H x W
    nested lists, "sample_line"}, "classes": [...], "output": "logits" | "log_probabilities" |
    "probabilities", "ops": [...], "palette": {...}}``; each op ``{"name", "kind", "op",
    "type", "label", "shape" (its output, no batch axis), ...parameters}`` with ``type`` one of
    conv2d, relu, leaky_relu, sigmoid, tanh, maxpool2d, avgpool2d, batchnorm2d, dropout,
    flatten, linear, softmax, log_softmax. ``classes`` defaults to ``"0".."K-1"``;
    ``sample`` (``(C, H, W)``, e.g. the report's converted input) is the picture the page
    opens with (default: a ring), ``sample_line`` the line said under it (e.g. the
    conversion line), ``label`` the page's title (default: the model's class name).
    Raises :class:`BrowserUnsupported` (a ``ValueError``) naming the first step the page
    cannot compute.
    """
    import torch
    import torch.fx

    if not isinstance(model, torch.nn.Module):
        raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    shape = _check_shape(shape)
    n_weights = sum(p.numel() for p in model.parameters())
    if n_weights > MAX_WEIGHTS:
        raise BrowserUnsupported(f"the model has {n_weights:,} weights, more than the browser page "
                                 f"takes ({MAX_WEIGHTS:,}); {ELSE}")
    net = copy.deepcopy(model).eval()
    try:
        gm = torch.fx.symbolic_trace(net)
    except Exception as exc:                      # noqa: BLE001 - whatever fx trips on
        first = (str(exc).strip().splitlines() or [""])[0][:160]
        raise BrowserUnsupported(f"the model cannot be traced with torch.fx ({type(exc).__name__}: "
                                 f"{first}), so it cannot run in the browser; {ELSE}") from None
    modules = dict(gm.named_modules())
    values = {}

    class Record(torch.fx.Interpreter):
        def run_node(self, n):
            values[n] = super().run_node(n)
            return values[n]

    param = next(net.parameters(), None)
    x = torch.zeros((1,) + shape, dtype=param.dtype if param is not None else torch.float32)
    try:
        with torch.no_grad():
            net(x)                                # a plain call first: fx's errors are slow to make
            Record(gm).run(x)
    except Exception as exc:                      # noqa: BLE001 - the user's forward failed
        first = (str(exc).strip().splitlines() or [""])[0][:200]
        raise ValueError(f"the model cannot take an input of shape {(1,) + shape}: "
                         f"{type(exc).__name__}: {first}") from None

    def step_name(n):
        return "the input" if n.op == "placeholder" else str(n.target) if n.op == "call_module" else n.name

    def value(v):
        return torch.fx.node.map_arg(v, lambda a: values[a])

    ops, depends, cur, seen = [], set(), None, {}
    for n in gm.graph.nodes:
        if n.op == "placeholder":
            if cur is None:
                cur = n
                depends.add(n)
            continue
        if n.op == "get_attr":
            continue
        if n.op == "output":
            if n.args[0] is not cur:
                what = "several values" if isinstance(n.args[0], (tuple, list, dict)) else "not its last step"
                raise BrowserUnsupported(f"the model returns {what}, so it cannot run in the browser; {ELSE}")
            continue
        inputs = []
        torch.fx.node.map_arg((n.args, n.kwargs), lambda a: inputs.append(a))
        din = [a for a in inputs if a in depends]
        if not din:
            continue                             # a constant (computed from parameters only)
        depends.add(n)
        result = values[n]
        if not isinstance(result, torch.Tensor):
            continue                             # x.size(0) and the like
        name = step_name(n)
        if n.op == "call_module":                # a module called twice: conv1, conv1#2 (as trace_model)
            seen[name] = seen.get(name, 0) + 1
            name = name if seen[name] == 1 else f"{name}#{seen[name]}"
        tins = list(dict.fromkeys(a for a in din if isinstance(values[a], torch.Tensor)))
        if len(tins) > 1:
            if n.target in (operator.add, torch.add, operator.iadd) or n.target == "add":
                _refuse(name, "a residual add: x + y")
            _refuse(name, f"it combines the outputs of {', '.join(repr(step_name(a)) for a in tins)}: "
                          "not a plain chain of layers")
        if not tins:
            _refuse(name, "a new tensor made from the input's size")
        if tins[0] is not cur:
            src = "the input" if tins[0].op == "placeholder" else f"the output of {step_name(tins[0])!r}"
            _refuse(name, f"it takes {src}, not the output of the step before it ({step_name(cur)!r}): "
                          "not a plain chain of layers")
        in_shape = tuple(values[cur].shape[1:])
        if result.dim() < 1 or result.shape[0] != 1:
            _refuse(name, f"its output {_shape(result.shape)} has no batch axis; the page flattens everything "
                          "after the batch axis only (torch.flatten(x, 1), x.view(x.size(0), -1))")
        out_shape = tuple(result.shape[1:])
        if n.op == "call_module":
            m = modules[n.target]
            op = _module_op(name, m, in_shape, out_shape)
            kind, what = _module_kind(m), type(m).__name__
        else:
            op = _call_op(name, n, value, in_shape, out_shape)
            kind, what = _function_kind(n.target)
        op = {"name": name, "kind": kind, "op": what, **op, "shape": [int(s) for s in out_shape]}
        if op["type"] in ("relu", "leaky_relu", "sigmoid", "tanh", "dropout", "batchnorm2d") and \
                list(in_shape) != op["shape"]:
            _refuse(name, f"it changes the shape {_shape(in_shape)} to {_shape(out_shape)}")
        ops.append(op)
        cur = n
    if not ops:
        raise BrowserUnsupported(f"the model has no layers the page can show; {ELSE}")
    final = ops[-1]["shape"]
    if len(final) != 1:
        raise BrowserUnsupported(f"the model's output is {_shape(final)} per picture, not one score "
                                 f"per class, so the page cannot show class probabilities; {ELSE}")
    k = final[0]
    if classes is None:
        classes = [str(i) for i in range(k)]
    classes = [str(c) for c in classes]
    if len(classes) != k:
        raise ValueError(f"classes: {len(classes)} names given, but the model has {k} outputs")
    kind = {"softmax": "probabilities", "log_softmax": "log_probabilities"}.get(ops[-1]["type"], "logits")
    if sample is None:
        sample = _sample(shape)
    else:
        s = np.asarray(sample, dtype=np.float64)
        if s.shape != shape or not np.isfinite(s).all():
            raise ValueError(f"sample must be a finite {_shape(shape)} array, got shape {s.shape}")
        sample = s.tolist()                      # exact: the page starts from the report's very input
    from viz.colors import CATEGORICAL, DIVERGING, GREEN_RED, SEQUENTIAL
    return {"format": FORMAT, "label": str(label) if label else type(model).__name__,
            "input": {"shape": list(shape), "sample": sample,
                      "sample_line": str(sample_line) if sample_line else None}, "classes": classes,
            "output": kind, "ops": ops,
            "palette": {"diverging": list(DIVERGING), "green_red": list(GREEN_RED),
                        "sequential": list(SEQUENTIAL), "categorical": list(CATEGORICAL)}}
