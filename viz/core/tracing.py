"""Every layer's output for an input, from any torch model made of standard layers.

:func:`trace_activations` puts a forward hook on every leaf module (a module with no
children: ``Conv2d``, ``ReLU``, ``MaxPool2d``, ``Linear``, ...), runs the model once in
eval mode without gradients, and returns what each layer produced, in call order. The
hooks are always removed and the model's train/eval flags restored, even when the
forward pass fails. Work done by plain functions inside ``forward`` (``F.relu``,
``torch.flatten``) has no module and is not recorded.

:func:`prepare_input` turns a picture into what the model expects: a 2-D grayscale image,
channels first or last, uint8 or float; RGB(A) is made gray (or gray made RGB) to match
the first conv layer, and the size is resampled to ``model.input_size`` when the model
declares one. Anything else is refused with a one-line ``ValueError``.

>>> import torch
>>> from torch import nn
>>> net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 6 * 6, 3))
>>> t = trace_activations(net, torch.zeros(8, 8))
>>> t.names, t["0"].shape
(('0', '1', '2', '3'), (2, 6, 6))
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._util import evaluating

_RGB_TO_GRAY = np.array([0.299, 0.587, 0.114])


@dataclass(frozen=True, eq=False)
class LayerOutput:
    """One leaf module's output: ``name`` (its path in the model), ``kind`` (class name)."""

    name: str
    kind: str
    output: np.ndarray   # without the batch axis for a single input, with it for a batch

    def __post_init__(self):
        self.output.flags.writeable = False


@dataclass(frozen=True, eq=False)
class ActivationTrace:
    """What a model did with one input (or one batch): every recorded layer, in call order."""

    input: np.ndarray               # the converted input, e.g. (C, H, W) or (N, C, H, W)
    layers: tuple                   # of LayerOutput
    output: np.ndarray              # the model's return value
    batched: bool = False

    def __post_init__(self):
        self.input.flags.writeable = False
        self.output.flags.writeable = False

    @property
    def names(self) -> tuple:
        return tuple(layer.name for layer in self.layers)

    @property
    def kinds(self) -> tuple:
        return tuple(layer.kind for layer in self.layers)

    def __getitem__(self, name: str) -> np.ndarray:
        for layer in self.layers:
            if layer.name == name:
                return layer.output
        raise KeyError(f"no layer named {name!r} (layers: {', '.join(self.names)})")

    def __len__(self) -> int:
        return len(self.layers)


def _is_conv(module) -> bool:
    from torch import nn
    return isinstance(module, (nn.modules.conv._ConvNd,))


def conv_layers(model) -> list:
    """``(name, module)`` of every convolution in ``model`` (in definition order)."""
    return [(n, m) for n, m in model.named_modules() if _is_conv(m)]


def _expected(model, size, channels):
    if channels is None:
        convs = conv_layers(model)
        channels = convs[0][1].in_channels if convs else None
    if size is None:
        size = getattr(model, "input_size", None)
    if isinstance(size, int):
        size = (size, size)
    return (tuple(int(s) for s in size) if size is not None else None), channels


def prepare_input(x, model=None, *, batch: bool = False, size=None, channels=None,
                  resize: bool = True):
    """Convert a picture (or a batch) to a float ``(N, C, H, W)`` tensor for ``model``.

    Parameters
    ----------
    x : array_like, torch.Tensor or PIL.Image
        ``(H, W)``, ``(C, H, W)`` or ``(H, W, C)`` with C in 1, 3, 4; with ``batch=True``
        ``(N, H, W)``, ``(N, C, H, W)`` or ``(N, H, W, C)``. uint8 is scaled to 0..1.
    model : torch.nn.Module, optional
        Gives the channel count (first conv layer's ``in_channels``), the expected size
        (its ``input_size`` attribute, if any) and the dtype.
    size : int or (int, int), optional
        Required spatial size; overrides ``model.input_size``.
    channels : int, optional
        Required channel count; overrides the first conv layer's.
    resize : bool
        Resample a picture of the wrong size (area average to shrink, bilinear to grow);
        ``False`` refuses it.
    """
    import torch
    import torch.nn.functional as F

    if hasattr(x, "mode") and hasattr(x, "getbands"):          # a PIL image
        x = np.asarray(x)
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    try:
        a = np.asarray(x)
    except Exception:                                          # noqa: BLE001 - ragged lists etc.
        raise ValueError("input is not an array of numbers") from None
    if a.dtype == np.uint8:
        a = a.astype(np.float64) / 255.0
    if a.dtype == object or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        raise ValueError(f"input must be numbers, got dtype {a.dtype}")
    a = a.astype(np.float64)
    if a.size == 0:
        raise ValueError(f"input is empty (shape {a.shape})")
    if not np.all(np.isfinite(a)):
        raise ValueError("input contains NaN or infinite values")
    want_size, want_c = _expected(model, size, channels)
    if model is not None and _spatial_dims(model) == 1:
        return _prepare_1d(a, model, batch, want_c)

    # Only an input that has a channel axis can be channels-last: a 2-D picture 3 pixels
    # wide is a gray picture, not one row of RGB.
    has_channels = a.ndim == (4 if batch else 3) or (not batch and a.ndim == 4)
    if not batch:
        if a.ndim == 4 and a.shape[0] == 1:
            a = a[0]
        if a.ndim == 4:
            raise ValueError(f"got a batch of {a.shape[0]} images (shape {a.shape}); "
                             "pass batch=True to trace a batch")
        if a.ndim not in (2, 3):
            raise ValueError(f"an image must be 2-D (H, W) or 3-D (C, H, W) / (H, W, C), "
                             f"got shape {a.shape}")
        a = a[None]
    if a.ndim == 3:                                            # (N, H, W)
        a = a[:, None]
    if a.ndim != 4:
        raise ValueError(f"a batch must be (N, H, W), (N, C, H, W) or (N, H, W, C), got shape {a.shape}")
    if has_channels and a.shape[-1] in (1, 3, 4) and (
            a.shape[1] not in (1, 3, 4) or (a.shape[1] != want_c and a.shape[-1] == want_c)):
        a = np.moveaxis(a, -1, 1)                              # channels last -> first
    c = a.shape[1]
    if want_c is not None and c != want_c:
        a = _convert_channels(a, want_c)
    h, w = a.shape[2:]
    if min(h, w) < 1:
        raise ValueError(f"image has no pixels (shape {a.shape})")
    t = torch.tensor(a)
    if want_size is not None and (h, w) != want_size:
        if not resize:
            raise ValueError(f"image is {h}x{w} but the model takes {want_size[0]}x{want_size[1]} "
                             "(pass resize=True to resample it)")
        if want_size[0] <= h and want_size[1] <= w:          # shrink: average the pixels
            t = F.interpolate(t, size=want_size, mode="area")
        else:
            t = F.interpolate(t, size=want_size, mode="bilinear", align_corners=False)
    if model is not None:
        p = next(iter(model.parameters()), None)
        if p is not None:
            t = t.to(p.dtype)
        else:
            t = t.float()
    else:
        t = t.float()
    return t


def _spatial_dims(model) -> int:
    """1 for a model whose first convolution is ``Conv1d``, 3 for ``Conv3d``, else 2."""
    convs = conv_layers(model)
    return convs[0][1].weight.dim() - 2 if convs else 2


def _prepare_1d(a: np.ndarray, model, batch: bool, want_c):
    """A signal for a ``Conv1d`` model: ``(L,)`` or ``(C, L)``; a batch ``(N, L)`` or ``(N, C, L)``."""
    import torch
    if not batch:
        if a.ndim == 3 and a.shape[0] == 1:
            a = a[0]
        if a.ndim not in (1, 2):
            raise ValueError(f"a signal for a Conv1d model must be 1-D (L,) or 2-D (C, L), "
                             f"got shape {a.shape}")
        a = a[None]
    elif a.ndim not in (2, 3):
        raise ValueError(f"a batch for a Conv1d model must be (N, L) or (N, C, L), got shape {a.shape}")
    if a.ndim == 2:
        a = a[:, None]
    if want_c is not None and a.shape[1] != want_c:
        raise ValueError(f"the model takes {want_c} channel(s) but the signal has {a.shape[1]}")
    p = next(iter(model.parameters()), None)
    return torch.tensor(a).to(p.dtype if p is not None else torch.float32)


def _convert_channels(a: np.ndarray, want: int) -> np.ndarray:
    c = a.shape[1]
    if c == 4:                                                 # RGBA: ink where opaque
        a = a[:, :3] * a[:, 3:4]
        c = 3
    if c == want:
        return a
    if c == 3 and want == 1:
        return np.einsum("nchw,c->nhw", a, _RGB_TO_GRAY)[:, None]
    if c == 1 and want == 3:
        return np.repeat(a, 3, axis=1)
    raise ValueError(f"the model takes {want} channel(s) but the image has {a.shape[1]}; "
                     "only gray <-> RGB(A) can be converted")


def trace_activations(model, x, *, layers: str = "all", batch: bool = False, size=None,
                      resize: bool = True) -> ActivationTrace:
    """Run ``model`` on ``x`` and return every leaf layer's output.

    Parameters
    ----------
    model : torch.nn.Module
        Any model built from standard layers (``nn.Sequential`` or a custom ``forward``).
    x : array_like or torch.Tensor
        One picture (see :func:`prepare_input`), or a batch with ``batch=True``.
    layers : {"all", "conv"}
        ``"conv"`` keeps only convolution layers; a model without any is a ``ValueError``.
    batch : bool
        Keep the batch axis on every output.
    size, resize
        See :func:`prepare_input`.

    Returns
    -------
    ActivationTrace
    """
    import torch

    if layers not in ("all", "conv"):
        raise ValueError(f"layers must be 'all' or 'conv', got {layers!r}")
    if not isinstance(model, torch.nn.Module):
        raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if layers == "conv" and not conv_layers(model):
        raise ValueError(f"{type(model).__name__} has no convolution layers to trace")
    t = prepare_input(x, model, batch=batch, size=size, resize=resize)
    leaves = [(n or type(m).__name__, m) for n, m in model.named_modules()
              if not any(True for _ in m.children())]
    if layers == "conv":
        leaves = [(n, m) for n, m in leaves if _is_conv(m)]
    records, seen, handles, running = [], {}, [], []

    def make_pre_hook(name):
        def pre_hook(module, inputs):
            running.append((name, type(module).__name__))
        return pre_hook

    def make_hook(name):
        def hook(module, inputs, output):
            if isinstance(output, (tuple, list)):
                output = next((o for o in output if isinstance(o, torch.Tensor)), None)
            if not isinstance(output, torch.Tensor):
                return
            seen[name] = seen.get(name, 0) + 1
            label = name if seen[name] == 1 else f"{name}#{seen[name]}"
            records.append((label, type(module).__name__, output.detach().cpu().numpy().copy()))
        return hook

    try:
        all_leaves = [(n or type(m).__name__, m) for n, m in model.named_modules()
                      if not any(True for _ in m.children())]
        for name, m in all_leaves:
            handles.append(m.register_forward_pre_hook(make_pre_hook(name)))
            handles.append(m.register_forward_hook(lambda *_: running.pop() and None))
        for name, m in leaves:
            handles.append(m.register_forward_hook(make_hook(name)))
        with evaluating(model):
            try:
                out = model(t)
            except Exception as exc:                   # noqa: BLE001 - any error in forward
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                where = (f"layer {running[-1][0]} ({running[-1][1]})" if running
                         else f"{type(model).__name__}.forward")
                raise ValueError(f"the model cannot take an input of shape {tuple(t.shape)}: "
                                 f"{where} raised {type(exc).__name__}: {first}"[:400]) from None
    finally:
        for h in handles:
            h.remove()
    if isinstance(out, (tuple, list)):
        out = next(o for o in out if isinstance(o, torch.Tensor))
    out = out.detach().cpu().numpy().copy()
    inp = t.numpy().copy()
    if not batch:
        records = [(n, k, o[0]) for n, k, o in records]
        out, inp = out[0], inp[0]
    return ActivationTrace(inp, tuple(LayerOutput(n, k, o) for n, k, o in records), out, batch)
