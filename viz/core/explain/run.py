"""Explaining a user's model on one picture: the input shape, the conversion, the trace,
the filters, and (with an image folder) an LR range test on a copy of the model.

:func:`explain` does it all and returns an :class:`Explanation`, which the report
(``viz.explain_report``) draws. The user's model is never changed: shapes are found by
forward passes in eval mode without gradients (train flags restored), and the range test
trains a ``copy.deepcopy`` of it.
"""
from __future__ import annotations

import copy
import math
import os
import warnings
from dataclasses import dataclass

import numpy as np

from .._util import evaluating, first_line
from .folders import ImageFolder
from .pictures import convert_input, read_picture

#: Square sizes tried first when the model does not say what it takes, then 8..256.
PROBE_SIZES = (28, 32, 64, 96, 128, 224)
_MAX_SIDE = 4096


# ---------------------------------------------------------------------------- input shape
def _forward_error(model, shape) -> str | None:
    """None if ``model`` runs on a zero input of ``(1, *shape)``, else the reason (one line)."""
    import torch

    p = next(model.parameters(), None)
    x = torch.zeros((1, *shape), dtype=p.dtype if p is not None else torch.float32)
    try:
        with evaluating(model), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = model(x)
    except Exception as exc:                          # noqa: BLE001 - the user's forward
        return first_line(exc)
    if isinstance(out, (tuple, list)):
        out = next((o for o in out if isinstance(o, torch.Tensor)), None)
    if not isinstance(out, torch.Tensor):
        return f"the model returned a {type(out).__name__}, not a tensor"
    return None


def _parse_size(input_size):
    """``input_size`` (int, (H, W), (C, H, W)) -> (C or None, (H, W))."""
    vals = (input_size,) if isinstance(input_size, (int, np.integer)) else input_size
    try:
        vals = tuple(vals)
    except TypeError:
        raise ValueError(f"input_size must be S, (H, W) or (C, H, W), got {input_size!r}") from None
    if len(vals) == 4 and vals[0] == 1:
        vals = vals[1:]
    ok = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and 1 <= v <= _MAX_SIDE
             for v in vals)
    if not ok or len(vals) not in (1, 2, 3):
        raise ValueError(f"input_size must be S, (H, W) or (C, H, W) of integers 1..{_MAX_SIDE}, "
                         f"got {input_size!r}")
    vals = tuple(int(v) for v in vals)
    if len(vals) == 1:
        return None, (vals[0], vals[0])
    if len(vals) == 2:
        return None, vals
    if vals[0] > 64:
        raise ValueError(f"input_size has {vals[0]} channels: C H W takes at most 64 channels")
    return vals[0], vals[1:]


def input_shape(model, input_size=None):
    """The ``(C, H, W)`` input that ``model`` takes, and how it was found.

    Parameters
    ----------
    model : torch.nn.Module
    input_size : int, (H, W) or (C, H, W), optional
        What the user asked for (``--input-size``); wins over everything else.

    Returns
    -------
    shape : tuple of int
        ``(C, H, W)``; a forward pass on zeros of that shape has run.
    how : str
        One line, e.g. ``"1 channel from the first convolution 'conv1' (in_channels=1);
        28x28, the first size a forward pass accepts; use --input-size C H W to choose"``.

    Notes
    -----
    Channels come from the first convolution's ``in_channels``; a model without
    convolutions that starts with ``Flatten`` + ``Linear`` takes ``1 x s x s`` when
    ``in_features = s*s`` (else ``3 x s x s`` when it is ``3*s*s``). The size comes from
    ``input_size``, then the model's ``input_size`` attribute, then the first of
    :data:`PROBE_SIZES` (then 8..256) that a forward pass on zeros accepts (eval mode, no
    gradients, train flags restored). A model that accepts any size (adaptive pooling)
    gets 32x32 for 3 channels (CIFAR), 28x28 otherwise (MNIST).

    Raises
    ------
    ValueError
        A Conv1d/Conv3d model, no conv or linear layer to read the channels from, or no
        size that the model accepts (the last reason is named).
    """
    import torch
    from torch import nn

    if not isinstance(model, torch.nn.Module):
        raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    given_c, given_hw = _parse_size(input_size) if input_size is not None else (None, None)
    convs = [(n, m) for n, m in model.named_modules() if isinstance(m, nn.modules.conv._ConvNd)]
    fixed_hw = None
    if convs:
        name, conv = convs[0]
        if conv.weight.dim() != 4:
            raise ValueError(f"the first convolution {name!r} is {type(conv).__name__}: viz explain "
                             "shows pictures, for models made of 2-D convolutions")
        c = conv.in_channels
        chan = f"{c} channel{'s' if c != 1 else ''} from the first convolution {name!r} (in_channels={c})"
    else:
        linears = [(n, m) for n, m in model.named_modules() if isinstance(m, nn.Linear)]
        if not linears and given_c is None:
            raise ValueError("the model has no Conv2d or Linear layer to read its input from; "
                             "use --input-size C H W")
        c, chan = 1, "1 channel"
        if linears:
            name, lin = linears[0]
            n = lin.in_features
            s = math.isqrt(n)
            s3 = math.isqrt(n // 3) if n % 3 == 0 else 0
            if s * s == n:
                fixed_hw = (s, s)
                chan = f"no convolution; 1x{s}x{s} from the first Linear {name!r} (in_features={n})"
            elif s3 and 3 * s3 * s3 == n:
                c, fixed_hw = 3, (s3, s3)
                chan = f"no convolution; 3x{s3}x{s3} from the first Linear {name!r} (in_features={n})"
            else:
                chan = f"no convolution, and the first Linear {name!r} takes {n} numbers"
    if given_c is not None:
        c, chan = given_c, f"{given_c} channel{'s' if given_c != 1 else ''} as asked (--input-size)"
    attr = getattr(model, "input_size", None)
    if given_hw is not None:
        tries, size = [given_hw], f"{given_hw[0]}x{given_hw[1]} as asked (--input-size)"
    elif attr is not None:
        try:
            ac, hw = _parse_size(attr)
        except ValueError:
            raise ValueError(f"the model's input_size attribute is {attr!r}, not S, (H, W) or "
                             "(C, H, W); use --input-size C H W") from None
        c = ac if ac is not None and given_c is None else c
        tries, size = [hw], f"{hw[0]}x{hw[1]} from the model's input_size attribute"
    elif fixed_hw is not None:
        tries, size = [fixed_hw], ""
    else:
        tries = list(PROBE_SIZES) + [s for s in range(8, 257) if s not in PROBE_SIZES]
        tries, size = [(s, s) for s in tries], None
    reasons = []
    for hw in tries:
        reasons.append(_forward_error(model, (c, *hw)))
        if reasons[-1] is None:
            break
    else:
        if len(tries) == 1:
            raise ValueError(f"the model cannot take an input of shape {(1, c, *tries[0])} "
                             f"({chan}): {reasons[0]}")
        raise ValueError(f"no input size from 8x8 to 256x256 runs through the model with {c} "
                         f"channel(s) (28x28: {reasons[0]}); use --input-size C H W")
    if size is None:
        size = f"{hw[0]}x{hw[1]}, the first size a forward pass accepts; use --input-size C H W to choose"
        if hw == (28, 28) and _forward_error(model, (c, 32, 32)) is None:
            if c == 3:
                hw = (32, 32)
            usual = "3-channel pictures (CIFAR)" if c == 3 else "digits (MNIST)"
            size = (f"the model accepts any size (28x28 and 32x32 both run): {hw[0]}x{hw[1]}, the "
                    f"usual size of {usual}; use --input-size C H W to choose")
    how = f"{chan}; {size}" if size else chan
    return (int(c), int(hw[0]), int(hw[1])), how


# ---------------------------------------------------------------------------- LR range test
def _output_kind(model, x) -> tuple:
    """(how the outputs for a few inputs read, see ``trace.probabilities``; outputs per input)."""
    import torch

    from .trace import _output_kind as kind_of

    try:
        with evaluating(model):
            out = model(x)
    except Exception as exc:                          # noqa: BLE001 - the user's forward
        raise ValueError(f"the model cannot take the data folder's pictures of shape "
                         f"{tuple(x.shape[1:])}: {first_line(exc)}"[:400]) from None
    if isinstance(out, (tuple, list)):
        out = next(o for o in out if isinstance(o, torch.Tensor))
    rows = out.detach().double().reshape(out.shape[0], -1).numpy()
    kinds = {kind_of(r) for r in rows}
    return kinds.pop() if len(kinds) == 1 else "logits", rows.shape[1]


def explain_lr_find(model, data: ImageFolder, *, num_iter: int = 100, batch_size: int = 32,
                    seed: int = 0, progress=None, start_lr: float = 1e-5, end_lr: float = 10.0,
                    threads: int | None = 1):
    """The LR range test (fastai's ``lr_find``) on a copy of ``model`` with ``data``.

    Parameters
    ----------
    model : torch.nn.Module
        Left exactly as it is: the test trains a ``copy.deepcopy`` of it (train mode),
        and the global torch random state is restored afterwards.
    data : ImageFolder
        From :func:`viz.core.explain.folders.load_image_folder` (with the model's input shape).
    num_iter : int
        Mini-batches of the sweep; the data is cycled (reshuffled) when it runs out.
    batch_size : int
        At most the number of pictures.
    seed : int
        Seeds the shuffling (a ``torch.Generator``) and dropout: same seed, same run.
    progress : None, bool or callable
        None/bool: lr_find's tqdm bar (None: only if the run lasts over 2 s); a callable
        is called as ``progress(done, total)`` after every batch (and no bar is shown).
    start_lr, end_lr : float
        The sweep (exponential), 1e-5 to 10 as in fastai.
    threads : int or None
        torch threads during the sweep (restored after). 1 (default) is the fastest for
        LeNet-size models, and on a busy 2-core machine two threads can be ten times
        slower than one; ``None`` leaves torch's setting (for big models on many cores).

    Returns
    -------
    viz.core.lr_finder.LRFinderResult
        With its suggestions (steepest, min/10, valley, as apply).

    Notes
    -----
    ``torch.optim.SGD(momentum=0.9)`` (fastai 0.7's default). The loss is
    ``F.nll_loss`` when the model returns log-probabilities (``F.log_softmax``), the same
    on the log of probabilities when it returns probabilities (a final ``Softmax``), and
    ``F.cross_entropy`` on logits.
    """
    import torch
    import torch.nn.functional as F

    from .._util import torch_threads
    from ..lr_finder import lr_find, with_suggestions

    if not isinstance(data, ImageFolder):
        raise ValueError(f"data must be an ImageFolder (load_image_folder), got {type(data).__name__}")
    for name, v, lo in (("num_iter", num_iter, 1), ("batch_size", batch_size, 1)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not lo <= v <= 1_000_000:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    x, y = torch.from_numpy(np.array(data.x)), torch.from_numpy(np.array(data.y))
    net = copy.deepcopy(model)
    p = next(net.parameters(), None)
    if p is None or not any(q.requires_grad for q in net.parameters()):
        raise ValueError("the model has no trainable parameters: no LR range test")
    x = x.to(p.dtype)
    kind, n_out = _output_kind(net, x[:8])
    if n_out < len(data.classes):
        raise ValueError(f"the model has {n_out} outputs but the data folder has "
                         f"{len(data.classes)} classes ({', '.join(data.classes)})")
    if kind == "log_probabilities":
        loss_fn = F.nll_loss
    elif kind == "probabilities":
        def loss_fn(out, target):
            return F.nll_loss(torch.log(out.clamp_min(1e-12)), target)
    else:
        loss_fn = F.cross_entropy
    g = torch.Generator().manual_seed(int(seed))
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y),
                                         batch_size=min(int(batch_size), len(y)),
                                         shuffle=True, generator=g)
    opt = torch.optim.SGD([q for q in net.parameters() if q.requires_grad], lr=start_lr,
                          momentum=0.9)
    on_step, bar = None, progress
    if callable(progress):
        def on_step(i, lr, loss, smoothed):
            progress(i + 1, int(num_iter))
        bar = False
    net.train()
    with torch.random.fork_rng(devices=[]), torch_threads(threads):
        torch.manual_seed(int(seed))
        result = lr_find(net, opt, loader, loss_fn, start_lr=start_lr, end_lr=end_lr,
                         num_iter=int(num_iter), progress=bar, on_step=on_step)
    return result if result.suggestions else with_suggestions(result)


# ---------------------------------------------------------------------------- explain
def conv_filters(model) -> tuple:
    """Every ``Conv2d``'s weight: a tuple of ``(name, ndarray (out, in/groups, kh, kw))``,
    float64 copies (read-only), in definition order."""
    from torch import nn

    out = []
    for name, m in model.named_modules():
        if isinstance(m, nn.Conv2d):
            w = m.weight.detach().cpu().double().numpy().copy()
            w.flags.writeable = False
            out.append((name, w))
    return tuple(out)


@dataclass(frozen=True, eq=False)
class Explanation:
    """Everything the ``viz explain`` report shows.

    label : str                 ``"file.py:factory"``
    shape : (C, H, W)           what the model takes
    conversion : str            how the picture was converted (one line)
    summary : ModelSummary      ``viz.core.summary.summarize`` for ``(1, C, H, W)``
    trace : ModelTrace          every step on the input (``viz.core.explain.trace``)
    classes : tuple of str      one name per output
    filters : tuple             ``(name, weight)`` per Conv2d (:func:`conv_filters`)
    lr : LRFinderResult or None with a data folder: the range test on a copy
    notes : tuple of str        human lines, e.g. no convolution layers
    shape_how : str             how ``shape`` was found (:func:`input_shape`)
    data_counts : tuple         pictures per class in the data folder (empty without one)
    """

    label: str
    shape: tuple
    conversion: str
    summary: object
    trace: object
    classes: tuple
    filters: tuple
    lr: object = None
    notes: tuple = ()
    shape_how: str = ""
    data_counts: tuple = ()


def _class_names(classes, data, n_out) -> tuple:
    if classes is not None:
        names = classes.split(",") if isinstance(classes, str) else list(classes)
        names = tuple(str(c).strip() for c in names)
        if len(names) != n_out:
            raise ValueError(f"{len(names)} class names ({', '.join(names)[:200]}) but the model "
                             f"has {n_out} outputs")
        return names
    if data is not None:
        if len(data.classes) != n_out:
            raise ValueError(f"the data folder has {len(data.classes)} classes "
                             f"({', '.join(data.classes)[:200]}) but the model has {n_out} outputs")
        return tuple(data.classes)
    return tuple(str(i) for i in range(n_out))


def explain(model, picture, *, label: str, source: str, input_size=None, data=None,
            classes=None, progress=None) -> Explanation:
    """Explain what ``model`` does with ``picture``.

    Parameters
    ----------
    model : torch.nn.Module
        Not changed (train flags restored; the range test runs on a copy).
    picture : ndarray or path
        From :func:`~viz.core.explain.pictures.read_picture` (a path is read with it).
    label : str
        The model's name for titles (``load_factory``'s label).
    source : str
        The picture's name for the conversion line.
    input_size : int, (H, W) or (C, H, W), optional
        See :func:`input_shape`.
    data : ImageFolder, optional
        Read for this model's shape (:func:`load_image_folder`): adds the LR range test.
    classes : sequence of str or "a,b,c", optional
        Names of the outputs; default ``data.classes``, else ``"0"``..``"K-1"``.
    progress : None, bool or callable
        Passed to :func:`explain_lr_find`.

    Returns
    -------
    Explanation

    Raises
    ------
    ValueError
        From the steps (shape, conversion, trace), or a class count that is not the
        model's number of outputs, or data read for another shape.
    """
    from ..summary import summarize
    from .trace import trace_model

    if isinstance(picture, (str, os.PathLike)):
        picture = read_picture(picture)
    shape, how = input_shape(model, input_size)
    x, line = convert_input(picture, shape, source=source)
    summary = summarize(model, (1, *shape))
    trace = trace_model(model, x)
    names = _class_names(classes, data, int(trace.output.size))
    filters = conv_filters(model)
    notes = []
    if not filters:
        notes.append("the model has no convolution layers: no activation maps and no filters")
    if trace.method == "hooks":
        notes.append("torch.fx could not trace the model's forward ("
                     f"{trace.fallback_reason or 'no reason given'}); the steps were recorded with "
                     "module hooks, so functions called in forward (F.relu, torch.flatten, x + y) "
                     "are not shown")
    lr, counts = None, ()
    if data is not None:
        if tuple(data.x.shape[1:]) != tuple(shape):
            raise ValueError(f"the data folder was read for input {tuple(data.x.shape[1:])} but "
                             f"the model takes {shape}")
        lr = explain_lr_find(model, data, progress=progress)
        counts = data.counts
        notes.append(f"LR range test on a copy of the model: {len(data.y)} pictures of "
                     f"{len(data.classes)} classes, {len(lr.lrs)} mini-batches, stopped: "
                     f"{lr.stop_reason}")
    return Explanation(label, tuple(shape), line, summary, trace, names, filters, lr,
                       tuple(notes), how, counts)
