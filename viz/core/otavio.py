"""The small CNN behind Otavio Good's visualization, trained on the glyph data set.

Otavio Good's animation (fast.ai 2018 lesson 3, ``fastai-lessons.md`` section 5) pushes
a letter through::

    conv1  3x3, 1 -> 2 channels, ReLU, max-pool 2x2      (2, 20, 20) -> (2, 10, 10)
    conv2  3x3, 2 -> 4 channels, ReLU, max-pool 2x2      (4, 10, 10) -> (4, 5, 5)
    dense  one template (4, 5, 5) per class, softmax      percentages

Here the network is real: :func:`load_otavio` trains it on letters and digits drawn
with matplotlib's fonts (:mod:`viz.core.glyph_data`; sklearn's 8x8 digits as a second
option) in a few seconds on a CPU and keeps the weights in the user's cache folder
(``$VIZ_CACHE_DIR``, else ``$XDG_CACHE_HOME/viz``, else ``~/.cache/viz``). A missing or
unreadable cache file is rebuilt; the same seed gives the same weights.
:func:`otavio_trace` and :func:`otavio_morph` record every layer with
:func:`viz.core.tracing.trace_activations`.
"""
from __future__ import annotations

import hashlib
import json
import time
import warnings
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

import numpy as np

from ._util import freeze_arrays, torch_threads
from .cache import default_cache_dir, enabled  # noqa: F401  (re-exported: otavio.default_cache_dir)

from .glyph_data import DEFAULT_CLASSES

#: Bump when the architecture or the training recipe changes (invalidates caches).
RECIPE_VERSION = 1
DATASETS = ("glyphs", "digits")
LAYER_NAMES = ("conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "flatten", "dense")


@dataclass(frozen=True)
class OtavioConfig:
    """What defines a trained network (and its cache file)."""

    dataset: str = "glyphs"            # "glyphs" (fonts) or "digits" (sklearn)
    classes: tuple = DEFAULT_CLASSES   # glyphs only; digits are always 0-9
    size: int = 20
    channels: tuple = (2, 4)
    n_per_class: int = 500             # glyphs only (train + test)
    epochs: int | None = None          # None: 12 for glyphs, 20 for the smaller digits set
    batch_size: int = 64
    lr: float = 1e-2
    seed: int = 0
    zero_sum_conv1: bool = True        # first-layer kernels sum to 0: pure edge detectors

    def __post_init__(self):
        if self.dataset not in DATASETS:
            raise ValueError(f"unknown dataset {self.dataset!r} (choose from {', '.join(DATASETS)})")
        if self.size < 8 or self.size % 4:
            raise ValueError(f"size must be a multiple of 4, at least 8, got {self.size}")
        if len(self.channels) != 2 or min(self.channels) < 1:
            raise ValueError(f"channels must be two positive counts, got {self.channels!r}")
        if self.epochs is None:
            object.__setattr__(self, "epochs", 12 if self.dataset == "glyphs" else 20)
        if self.epochs < 1 or self.batch_size < 1 or not self.lr > 0:
            raise ValueError("epochs, batch_size and lr must be positive")
        object.__setattr__(self, "classes", tuple(self.classes) if self.dataset == "glyphs"
                           else tuple(str(d) for d in range(10)))
        object.__setattr__(self, "channels", tuple(int(c) for c in self.channels))

    def key(self) -> str:
        """A short hash of the recipe: the cache file's name."""
        blob = json.dumps({"v": RECIPE_VERSION, **asdict(self)}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]


def build_model(n_classes: int = 10, *, size: int = 20, channels=(2, 4), seed: int = 0):
    """The untrained network: a ``torch.nn.Sequential`` with named layers.

    Its ``input_size`` attribute tells :func:`viz.core.tracing.prepare_input` to resample
    pictures of other sizes.
    """
    from collections import OrderedDict

    import torch
    from torch import nn

    torch.manual_seed(seed)
    c1, c2 = channels
    model = nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(1, c1, 3, padding=1)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
        ("conv2", nn.Conv2d(c1, c2, 3, padding=1)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
        ("flatten", nn.Flatten()), ("dense", nn.Linear(c2 * (size // 4) ** 2, n_classes)),
    ]))
    with torch.no_grad():   # He-normal kernels and zero biases: no filter starts out dead
        for conv in (model.conv1, model.conv2):
            nn.init.kaiming_normal_(conv.weight, nonlinearity="relu")
            conv.bias.zero_()
    model.input_size = (size, size)
    return model


@dataclass(frozen=True, eq=False)
class TrainedOtavio:
    """A trained network and how it was made."""

    model: object                  # torch.nn.Sequential (eval mode)
    config: OtavioConfig
    test_accuracy: float           # on held-out images
    train_seconds: float           # 0.0 when read from the cache
    cache_path: Path | None = None
    from_cache: bool = False

    @property
    def classes(self) -> tuple:
        return self.config.classes

    @property
    def size(self) -> int:
        return self.config.size

    def weights(self) -> "OtavioWeights":
        """The trained weights as a storable result (see :mod:`viz.core.results`)."""
        from .results import state_dict_arrays
        return OtavioWeights(self.config, state_dict_arrays(self.model), float(self.test_accuracy))


@dataclass(frozen=True, eq=False)
class OtavioWeights:
    """A trained network as numbers: its recipe, its ``state_dict`` arrays, its accuracy.

    ``save_result`` / ``load_result`` store it exactly (e.g. recorded test data);
    :meth:`network` rebuilds the :class:`TrainedOtavio`.
    """

    config: OtavioConfig
    state: dict
    test_accuracy: float

    def network(self) -> TrainedOtavio:
        from .results import load_state_dict_arrays
        c = self.config
        model = build_model(len(c.classes), size=c.size, channels=c.channels, seed=c.seed)
        return TrainedOtavio(load_state_dict_arrays(model, self.state).eval(), c,
                             float(self.test_accuracy), 0.0)


def _data(config: OtavioConfig):
    if config.dataset == "digits":
        from .datasets import digits
        return digits(size=config.size, seed=config.seed)
    from .glyph_data import glyph_dataset
    return glyph_dataset(config.classes, n_per_class=config.n_per_class, size=config.size,
                         seed=config.seed)


def accuracy(model, x: np.ndarray, y: np.ndarray) -> float:
    """Fraction of ``x`` (``(n, 1, H, W)``) that ``model`` labels as ``y``."""
    import torch
    model.eval()
    with torch.no_grad():
        pred = model(torch.tensor(x)).argmax(1).numpy()
    return float(np.mean(pred == y))


def _zero_sum():
    from torch import nn

    class ZeroSum(nn.Module):
        """Subtract each kernel's mean: flat ink and flat background both give 0."""

        def forward(self, w):
            return w - w.mean(dim=(-2, -1), keepdim=True)

    return ZeroSum()


def train_otavio(config: OtavioConfig | None = None, **changes) -> TrainedOtavio:
    """Train the network from scratch (no cache): Adam with a one-cycle schedule.

    Runs on one CPU thread: for a network this small that is the fastest choice, and
    it makes the weights the same on machines with different core counts.
    """
    import torch
    from torch.nn.utils import parametrize

    config = OtavioConfig(**changes) if config is None else replace(config, **changes)
    start = time.perf_counter()
    with torch_threads(1):
        data = _data(config)
        model = build_model(len(config.classes), size=config.size, channels=config.channels,
                            seed=config.seed)
        x, y = torch.tensor(data.x_train), torch.tensor(data.y_train)
        g = torch.Generator().manual_seed(config.seed)
        steps = -(-len(x) // config.batch_size)
        opt = torch.optim.Adam(model.parameters(), lr=config.lr)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=config.lr, epochs=config.epochs,
                                                    steps_per_epoch=steps)
        loss_fn = torch.nn.CrossEntropyLoss()
        if config.zero_sum_conv1:
            parametrize.register_parametrization(model.conv1, "weight", _zero_sum())
        model.train()
        for _ in range(config.epochs):
            order = torch.randperm(len(x), generator=g)
            for i in range(steps):
                idx = order[i * config.batch_size:(i + 1) * config.batch_size]
                opt.zero_grad()
                loss_fn(model(x[idx]), y[idx]).backward()
                opt.step()
                sched.step()
        if config.zero_sum_conv1:   # back to a plain Conv2d holding the zero-sum kernels
            parametrize.remove_parametrizations(model.conv1, "weight", leave_parametrized=True)
        acc = accuracy(model, data.x_test, data.y_test)
    return TrainedOtavio(model.eval(), config, acc, time.perf_counter() - start)


def cache_path(config: OtavioConfig, cache_dir=None) -> Path:
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    return folder / f"otavio-{config.dataset}-seed{config.seed}-{config.key()}.pt"


def _read_cache(path: Path, config: OtavioConfig) -> TrainedOtavio:
    import torch

    blob = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(blob, dict) or blob.get("key") != config.key():
        raise ValueError("cache file was written for another recipe")
    model = build_model(len(config.classes), size=config.size, channels=config.channels)
    model.load_state_dict(blob["state_dict"], strict=True)
    if not all(torch.isfinite(p).all() for p in model.parameters()):
        raise ValueError("cache file holds non-finite weights")
    return TrainedOtavio(model.eval(), config, float(blob["test_accuracy"]), 0.0, path, True)


def _write_cache(path: Path, net: TrainedOtavio) -> bool:
    import torch

    from .._io import atomic_path
    try:
        with atomic_path(path) as tmp:
            torch.save({"key": net.config.key(), "config": json.dumps(asdict(net.config)),
                        "test_accuracy": net.test_accuracy,
                        "state_dict": net.model.state_dict()}, tmp)
    except (OSError, ValueError) as exc:
        warnings.warn(f"could not cache the trained network in {path}: {exc}", stacklevel=3)
        return False
    return True


def load_otavio(config: OtavioConfig | None = None, *, cache_dir=None, rebuild: bool = False,
                **changes) -> TrainedOtavio:
    """The trained network: from the cache folder, or trained now and cached.

    A cache file that cannot be read (truncated, corrupt, another recipe) is replaced
    with a freshly trained network, with a warning. ``rebuild=True`` always retrains;
    with ``VIZ_CACHE=off`` it trains and writes nothing.

    >>> net = load_otavio()                      # doctest: +SKIP
    >>> net.test_accuracy > 0.95                 # doctest: +SKIP
    True
    """
    config = OtavioConfig(**changes) if config is None else replace(config, **changes)
    if not enabled():                                   # VIZ_CACHE=off: train, store nothing
        return train_otavio(config)
    path = cache_path(config, cache_dir)
    if path.exists() and not rebuild:
        try:
            return _read_cache(path, config)
        except Exception as exc:                               # noqa: BLE001 - any damage
            warnings.warn(f"rebuilding the cached network {path}: {type(exc).__name__}: "
                          f"{str(exc).splitlines()[0] if str(exc) else ''}", stacklevel=2)
    net = train_otavio(config)
    cached = _write_cache(path, net)
    return replace(net, cache_path=path if cached else None)


# ------------------------------------------------------------------------------ traces
@dataclass(frozen=True, eq=False)
class OtavioTrace:
    """Every layer of the network for one input (or, with a leading axis, for many).

    Shapes are for one input of side S with channels (C1, C2) and K classes; a batch
    (from :func:`otavio_morph`) puts ``n`` in front of every per-input array.
    """

    classes: tuple
    input: np.ndarray        # (S, S) in 0..1
    conv1_pre: np.ndarray    # (C1, S, S) sums of patch x kernel + bias: green +, red -
    conv1: np.ndarray        # (C1, S, S) after ReLU
    pool1: np.ndarray        # (C1, S/2, S/2)
    conv2_pre: np.ndarray    # (C2, S/2, S/2) sums over both channels
    conv2: np.ndarray        # after ReLU
    pool2: np.ndarray        # (C2, S/4, S/4)
    scores: np.ndarray       # (K,) pool2 . template + bias (the logits)
    probs: np.ndarray        # (K,) softmax of the scores
    kernels1: np.ndarray     # (C1, 3, 3)
    bias1: np.ndarray        # (C1,)
    kernels2: np.ndarray     # (C2, C1, 3, 3)
    bias2: np.ndarray        # (C2,)
    templates: np.ndarray    # (K, C2, S/4, S/4) the dense weights, one template per class
    dense_bias: np.ndarray   # (K,)
    alphas: np.ndarray | None = field(default=None)   # (n,) morph positions, batches only

    def __post_init__(self):
        freeze_arrays(self)

    @property
    def batched(self) -> bool:
        return self.input.ndim == 3

    @property
    def prediction(self):
        """The winning class (a list of them for a batch)."""
        idx = np.argmax(self.probs, axis=-1)
        return [self.classes[i] for i in idx] if self.batched else self.classes[int(idx)]

    def __len__(self) -> int:
        if not self.batched:
            raise TypeError("a single trace has no length")
        return self.input.shape[0]

    def frame(self, i: int) -> "OtavioTrace":
        """Input ``i`` of a batch as a single trace."""
        if not self.batched:
            raise TypeError("frame() needs a batched trace")
        per_input = ("input", "conv1_pre", "conv1", "pool1", "conv2_pre", "conv2", "pool2",
                     "scores", "probs")
        kw = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "alphas"}
        kw.update({k: getattr(self, k)[i] for k in per_input})
        return OtavioTrace(**kw)


def otavio_trace(net: TrainedOtavio, image, *, batch: bool = False, alphas=None) -> OtavioTrace:
    """Trace ``image`` (any picture; see :func:`viz.core.tracing.prepare_input`) layer by layer."""
    from .tracing import trace_activations

    t = trace_activations(net.model, image, batch=batch)
    m = net.model
    k, c2, side = len(net.classes), net.config.channels[1], net.size // 4
    scores = t["dense"].astype(np.float64)
    z = scores - scores.max(axis=-1, keepdims=True)
    probs = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)

    def w(p):
        return p.detach().cpu().numpy().astype(np.float64).copy()

    return OtavioTrace(
        classes=net.classes, input=t.input[..., 0, :, :].astype(np.float64),
        conv1_pre=t["conv1"], conv1=t["relu1"], pool1=t["pool1"], conv2_pre=t["conv2"],
        conv2=t["relu2"], pool2=t["pool2"], scores=scores, probs=probs,
        kernels1=w(m.conv1.weight)[:, 0], bias1=w(m.conv1.bias), kernels2=w(m.conv2.weight),
        bias2=w(m.conv2.bias), templates=w(m.dense.weight).reshape(k, c2, side, side),
        dense_bias=w(m.dense.bias), alphas=None if alphas is None else np.asarray(alphas, float))


def otavio_morph(net: TrainedOtavio, start, end, *, steps: int = 30, ease: bool = True) -> OtavioTrace:
    """Traces of ``steps`` inputs blended from ``start`` to ``end`` (pixel by pixel).

    ``ease`` spaces the blend weights with a smooth step so the morph starts and ends
    gently. Returns a batched :class:`OtavioTrace` with ``alphas`` (the weights of ``end``).
    """
    from .tracing import prepare_input

    if steps < 2:
        raise ValueError(f"steps must be at least 2, got {steps}")
    a = prepare_input(start, net.model).numpy()[0, 0].astype(np.float64)
    b = prepare_input(end, net.model).numpy()[0, 0].astype(np.float64)
    u = np.linspace(0.0, 1.0, steps)
    alphas = u * u * (3 - 2 * u) if ease else u
    frames = (1 - alphas)[:, None, None] * a + alphas[:, None, None] * b
    return otavio_trace(net, frames.astype(np.float32), batch=True, alphas=alphas)


def sample_inputs(net: TrainedOtavio, chars=None, *, seed: int = 7) -> dict:
    """A clean-ish example picture per class (glyphs: DejaVu Sans with a light random tilt)."""
    chars = list(chars or net.classes)
    unknown = [c for c in chars if c not in net.classes]
    if unknown:
        raise ValueError(f"{unknown[0]!r} is not a class of this network ({''.join(net.classes)})")
    if net.config.dataset == "digits":
        from .datasets import digits
        d = digits(size=net.size, seed=net.config.seed)
        return {c: d.x_test[int(np.flatnonzero(d.y_test == int(c))[0]), 0] for c in chars}
    from .glyph_data import render_glyph
    tilt = {c: float(np.random.default_rng([seed, net.classes.index(c)]).uniform(-6, 6))
            for c in chars}                    # each class's own: same picture however asked
    return {c: render_glyph(c, size=net.size, angle=tilt[c], scale=0.95, stroke=1) for c in chars}


#: The per-input layers a scene colours, in order.
MAP_LAYERS = ("input", "conv1_pre", "conv1", "pool1", "conv2_pre", "conv2", "pool2")


@dataclass(frozen=True, eq=False)
class OtavioStory:
    """Everything the lesson scene shows: a first input, the next ones, and a morph."""

    first: OtavioTrace
    following: tuple          # of OtavioTrace, the next letters
    morph: OtavioTrace        # batched, from morph_from to morph_to
    limits: dict              # layer name -> largest |value| over every input shown

    @property
    def all_traces(self) -> tuple:
        return (self.first,) + tuple(self.following)


def layer_limits(*traces) -> dict:
    """Largest magnitude per layer over ``traces`` (single or batched): shared colour scales."""
    out = {}
    for name in MAP_LAYERS + ("templates",):
        out[name] = float(max(np.max(np.abs(getattr(t, name))) for t in traces)) or 1.0
    out["input"] = 1.0
    return out


def otavio_story(net: TrainedOtavio, *, first: str = "A", following=("B", "C"),
                 morph=("C", "E"), steps: int = 61) -> OtavioStory:
    """Trace the inputs of the lesson scene (sample pictures of the named classes)."""
    names = [first, *following, *morph]
    pics = sample_inputs(net, names)
    traces = [otavio_trace(net, pics[c]) for c in [first, *following]]
    m = otavio_morph(net, pics[morph[0]], pics[morph[1]], steps=steps)
    return OtavioStory(traces[0], tuple(traces[1:]), m, layer_limits(*traces, m))
