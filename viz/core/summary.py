"""``learn.summary()`` for any torch model: every layer, its output shape and parameters.

fastai 0.7's ``learn.summary()`` (shown in the dog-breeds notebook, lesson 2) printed, for
each layer, its input and output shape, whether it is trainable and its number of
parameters. :func:`summarize` builds the same table with ``torchinfo`` (which runs one
forward pass on a zero input of ``input_size``) and keeps each layer's weight as the
matrix it multiplies by: a ``Linear`` weight is ``out x in``; a ``Conv2d`` weight
``out x in x kh x kw`` acts as an ``out x (in*kh*kw)`` matrix on every patch.

See Also
--------
viz.figures.summary.architecture_figure : the layers drawn as those matrices.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LayerRow:
    """One line of the summary.

    name : str            fastai's style, class and running index (``"Conv2d-1"``)
    path : str            where the module sits in the model (``"0"``, ``"features.3"``)
    kind : str            class name
    depth : int           nesting depth (1 = a direct child of the model)
    input_shape, output_shape : tuple   shapes of the first input / the output
    params : int          parameters owned by this layer (not its children)
    trainable_params : int  of those, how many have ``requires_grad``
    param_shapes : tuple  (("weight", (8, 1, 3, 3)), ("bias", (8,))), ...
    """

    name: str
    path: str
    kind: str
    depth: int
    input_shape: tuple
    output_shape: tuple
    params: int
    trainable_params: int
    param_shapes: tuple

    @property
    def trainable(self) -> bool | None:
        """True if all of its parameters train, False if none, None without parameters."""
        if self.params == 0:
            return None
        return self.trainable_params == self.params

    @property
    def trainable_text(self) -> str:
        if self.params == 0:
            return ""
        if 0 < self.trainable_params < self.params:
            return "partly"
        return str(self.trainable)


@dataclass(frozen=True, eq=False)
class ModelSummary:
    """The table (``rows``) plus totals, and each layer's weight as a 2-D matrix.

    matrices : tuple       per row, the weight as the matrix it is (``None`` when the
                           layer has no weight, or it is larger than ``max_matrix``)
    """

    rows: tuple
    input_size: tuple
    total_params: int
    trainable_params: int
    mult_adds: int
    matrices: tuple
    model_name: str

    def __post_init__(self):
        for m in self.matrices:
            if m is not None:
                m.flags.writeable = False

    @property
    def output_shape(self) -> tuple:
        return self.rows[-1].output_shape if self.rows else ()

    def table(self) -> str:
        """The summary as a plain-text table (what ``print(summary)`` shows)."""
        head = ("Layer", "Input shape", "Output shape", "Param #", "Trainable")
        body = [(r.name, _fmt_shape(r.input_shape), _fmt_shape(r.output_shape),
                 f"{r.params:,}", r.trainable_text) for r in self.rows]
        widths = [max(len(str(row[i])) for row in [head, *body]) for i in range(5)]
        line = lambda cells: "  ".join(  # noqa: E731
            str(c).ljust(w) if i in (0, 1, 2) else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
        rule = "-" * len(line(head))
        out = [f"{self.model_name}, input {_fmt_shape(self.input_size)}", rule, line(head), rule]
        out += [line(b) for b in body]
        out += [rule, f"Total params: {self.total_params:,}",
                f"Trainable params: {self.trainable_params:,}",
                f"Non-trainable params: {self.total_params - self.trainable_params:,}",
                f"Mult-adds: {self.mult_adds:,}"]
        return "\n".join(out)

    def __str__(self) -> str:
        return self.table()

    def to_dict(self) -> dict:
        """fastai 0.7's ``OrderedDict`` shape: ``{name: {input_shape, output_shape,
        trainable, nb_params}}``."""
        return {r.name: {"input_shape": list(r.input_shape), "output_shape": list(r.output_shape),
                         "trainable": r.trainable, "nb_params": r.params} for r in self.rows}


def _fmt_shape(shape) -> str:
    if shape and isinstance(shape[0], tuple):
        return ", ".join(_fmt_shape(s) for s in shape)
    return "[" + ", ".join(str(d) for d in shape) + "]"


def _shape(s) -> tuple:
    if s is None:
        return ()
    if isinstance(s, (list, tuple)) and s and isinstance(s[0], (list, tuple)):
        return tuple(tuple(int(d) for d in x) for x in s)
    return tuple(int(d) for d in s)


def weight_matrix(module) -> np.ndarray | None:
    """The layer's weight as the matrix it multiplies by (``None`` if it has none).

    ``(out, in, *kernel)`` -> ``(out, in * prod(kernel))``; 2-D weights stay as they are;
    a 1-D weight (BatchNorm, LayerNorm: one scale per channel) becomes a column.
    """
    w = getattr(module, "weight", None)
    import torch
    if not isinstance(w, torch.Tensor) or w.numel() == 0:
        return None
    a = w.detach().cpu().double().numpy()
    if a.ndim == 1:
        return a[:, None].copy()
    return a.reshape(a.shape[0], -1).copy()


#: The largest input (numbers in one ``input_size``) :func:`summarize` runs a forward pass on.
MAX_INPUT_NUMBERS = 50_000_000


def _check_input_size(input_size) -> tuple:
    bad = ValueError(f"input_size must be a shape like (1, 3, 224, 224) of positive integers, "
                     f"got {input_size!r}")
    if isinstance(input_size, (str, bytes)) or not hasattr(input_size, "__len__"):
        raise bad
    if len(input_size) and all(isinstance(s, (list, tuple)) for s in input_size):
        return tuple(_check_input_size(s) for s in input_size)
    if not len(input_size) or not all(isinstance(d, (int, np.integer)) and not isinstance(d, bool)
                                      and d > 0 for d in input_size):
        raise bad
    numbers = int(np.prod([int(d) for d in input_size], dtype=object))
    if numbers > MAX_INPUT_NUMBERS:
        raise ValueError(f"input_size {tuple(int(d) for d in input_size)} is {numbers:,} numbers; "
                         f"the most summarize runs is {MAX_INPUT_NUMBERS:,}")
    return tuple(int(d) for d in input_size)


def summarize(model, input_size, *, max_matrix: int = 1_000_000, dtypes=None) -> ModelSummary:
    """Summarise ``model`` for an input of ``input_size`` (batch dimension included).

    Parameters
    ----------
    model : torch.nn.Module
    input_size : tuple of int, or a list of them for several inputs
        e.g. ``(1, 1, 28, 28)``.
    max_matrix : int
        Keep weight matrices of at most this many numbers (for the figure).
    dtypes : list of torch.dtype, optional
        Input dtypes (float32 by default; e.g. ``[torch.long]`` for an embedding).

    Returns
    -------
    ModelSummary

    Raises
    ------
    ValueError
        If ``input_size`` is not a shape, or the model cannot run on it (the message
        names the shape and the reason, e.g. a channel mismatch).

    >>> from viz.core.datasets import small_cnn
    >>> s = summarize(small_cnn(), (1, 1, 28, 28))
    >>> s.total_params, s.rows[0].name, s.rows[0].output_shape
    (1418, 'Conv2d-1', (1, 8, 28, 28))
    """
    import torch
    import torchinfo

    if not isinstance(model, torch.nn.Module):
        raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    size = _check_input_size(input_size)
    modes = [(m, m.training) for m in model.modules()]   # each module's own flag
    try:
        stats = torchinfo.summary(model, input_size=size, dtypes=dtypes, verbose=0,
                                  device="cpu", mode="eval")
    except (RuntimeError, TypeError, ValueError) as exc:
        cause = exc.__cause__ or exc
        reason = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
        raise ValueError(f"input size {list(size)} does not fit {type(model).__name__}: "
                         f"{reason}"[:400]) from None
    finally:
        for m, mode in modes:              # model.train(flag) would reset every child
            m.training = mode

    rows, matrices, counts, seen = [], [], {}, set()
    for layer in stats.summary_list:
        mod = layer.module
        own = list(mod.named_parameters(recurse=False))
        root_container = layer.depth == 0 and not layer.is_leaf_layer
        if root_container and own:   # parameters the model holds itself (not in a layer)
            rows.append(LayerRow(f"{layer.class_name} (own)", "", layer.class_name, 0, (), (),
                                 sum(p.numel() for _, p in own),
                                 sum(p.numel() for _, p in own if p.requires_grad),
                                 tuple((n, tuple(p.shape)) for n, p in own)))
            matrices.append(None)
            continue
        if root_container or not (layer.is_leaf_layer or own):
            continue
        first_time = id(mod) not in seen
        seen.add(id(mod))
        params = sum(p.numel() for _, p in own) if first_time else 0
        trainable = sum(p.numel() for _, p in own if p.requires_grad) if first_time else 0
        counts[layer.class_name] = counts.get(layer.class_name, 0) + 1
        rows.append(LayerRow(
            name=f"{layer.class_name}-{counts[layer.class_name]}",
            path=_path(model, mod), kind=layer.class_name, depth=layer.depth,
            input_shape=_shape(layer.input_size), output_shape=_shape(layer.output_size),
            params=int(params), trainable_params=int(trainable),
            param_shapes=tuple((n, tuple(p.shape)) for n, p in own)))
        m = weight_matrix(mod)
        matrices.append(m if m is not None and m.size <= max_matrix else None)
    total = sum(p.numel() for p in model.parameters())
    train = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return ModelSummary(tuple(rows), size, int(total), int(train), int(stats.total_mult_adds),
                        tuple(matrices), type(model).__name__)


def _path(model, module) -> str:
    for name, m in model.named_modules():
        if m is module:
            return name
    return "?"
