"""The Otavio-style video of ``viz explain --video``: a user's model on one input.

:func:`plan_video` reads a :class:`viz.core.explain.trace.ModelTrace` (what the model did
with the input, recorded once) and decides what the video shows and says, step by step:
the input as the model sees it, every convolution and pooling step's maps (the first
:data:`MAX_CHANNELS` channels of a wide layer), the class probabilities. It is plain
numpy: the narration is computed from the numbers (how many maps, how much ReLU
removed, which class wins by how much). :func:`render_explanation_video` renders the
scene :class:`scenes.explain.ExplainModel` for that plan with Manim, in-process, and puts
the video, its poster (last frame), and the narration as ``.srt`` and ``.vtt`` in place
together (or nothing). The scene never runs the model.
"""
from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

MAX_CHANNELS = 8        # channels shown per layer
MAX_COLUMNS = 5         # map columns on screen at once (more: pages)
MAX_CLASSES = 10        # bars shown (more classes: the top ones)
MAX_NARRATION = 220     # characters per step (two sentences at most)
PATCH = 5               # the input's numbers shown: a PATCH x PATCH window


@dataclass(frozen=True, eq=False)
class MapShot:
    """One conv or pooling step as the video shows it.

    ``values`` is the step's output ``(C, H, W)``; ``after`` the same maps once the
    following same-shaped steps ran (``after_ops``: e.g. ``("ReLU",)``), or None;
    ``source`` the index of the shot whose maps this pooling step shrinks (None when it
    is not the previous shot, or has other channels); ``highlight`` the shown channel
    with the largest value (a conv step's most active map), or None.
    """

    name: str
    label: str
    kind: str
    op: str
    in_shape: tuple
    values: np.ndarray
    after: np.ndarray | None
    after_ops: tuple
    source: int | None
    highlight: int | None
    heading: str
    narration: str

    @property
    def shown(self) -> np.ndarray:
        """What the column shows at the end of its step."""
        return self.values if self.after is None else self.after


@dataclass(frozen=True, eq=False)
class VideoPlan:
    title: str
    input: np.ndarray
    input_heading: str
    input_narration: str
    patch: tuple                 # (channel, row, col, size) of the numbers shown
    shots: tuple
    pages: tuple                 # tuples of shot indices, MAX_COLUMNS at most each
    probabilities: np.ndarray
    classes: tuple               # display names, one per output
    rows: tuple                  # classes shown, top to bottom
    class_note: str | None       # "top 10 of 1000 classes"
    top: int
    output_heading: str
    output_narration: str
    layers: tuple = ()           # one line per step, for a model without maps to show

    @property
    def narrations(self) -> list:
        """Every step's narration, in the order the video says them."""
        return [self.input_narration, *[s.narration for s in self.shots], self.output_narration]


# ----------------------------------------------------------------------- words
_ACT_NAMES = {"tanh": "Tanh", "sigmoid": "Sigmoid", "leaky_relu": "LeakyReLU", "gelu": "GELU",
              "elu": "ELU", "silu": "SiLU", "relu6": "ReLU6", "hardtanh": "Hardtanh"}


def step_label(step) -> str:
    """How a step is called on screen: its name, or ``layer 3 (Conv2d)`` inside a Sequential."""
    name = str(step.name)
    return f"layer {name} ({step.op})" if name.replace(".", "").isdigit() else name


def op_name(step) -> str:
    if step.kind == "relu":
        return "ReLU"
    if step.kind == "add":
        return "the residual add"
    op = str(step.op).strip(".()")
    return _ACT_NAMES.get(op.lower(), op)


def percent(p: float) -> str:
    """``93 %``; below 1 %: ``0.4 %``; below 0.05 %: ``0 %``."""
    return f"{100 * p:.0f} %" if p >= 0.01 or p < 0.0005 else f"{100 * p:.1f} %"


def _n(count: int, word: str) -> str:
    """``"1 map"``, ``"64 maps"``, ``"9,216 numbers"``."""
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _join(words) -> str:
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _effect(step, after) -> str:
    """One sentence: what the last same-shaped step did to the maps."""
    if step.kind == "relu":
        return f"removes the red: {percent(float(np.mean(after == 0)))} of the values become 0."
    op = op_name(step)
    if op == "Tanh":
        return "squeezes every value into -1..1."
    if op == "Sigmoid":
        return "squeezes every value into 0..1: no red is left."
    if op == "LeakyReLU":
        return "shrinks the red to a small fraction of itself."
    if op in ("GELU", "ELU", "SiLU", "ReLU6", "Hardtanh"):
        return "mostly removes the red."
    if step.kind == "batchnorm":
        return "rescales each map to a common range."
    if step.kind == "add":
        return "adds the block's input back in."
    return "changes the values."


def _first_fit(*candidates) -> str:
    for c in candidates:
        text = " ".join(c.split())
        if len(text) <= MAX_NARRATION:
            return text
    return text[:MAX_NARRATION - 1].rstrip() + "…"


# ----------------------------------------------------------------------- the plan
def _following(steps, j):
    """The same-shaped steps right after map step ``j`` (dropout skipped: eval identity)."""
    shape, out = steps[j].output.shape, []
    for s in steps[j + 1:]:
        if s.output.shape != shape or s.kind in ("conv", "pool", "flatten"):
            break
        if s.kind != "dropout":
            out.append(s)
    return out


def _shot(trace, j, k, prev_shot_j, prev_channels, first_conv) -> MapShot:
    steps = trace.steps
    s = steps[j]
    v = np.asarray(s.output, dtype=float)
    c, h, w = v.shape
    in_shape = tuple(steps[j - 1].output.shape) if j > 0 else tuple(trace.input.shape)
    follow = _following(steps, j)
    after = np.asarray(follow[-1].output, dtype=float) if follow else None
    ops = tuple(op_name(f) for f in follow)
    label = step_label(s)
    shown = v if after is None else after
    n = min(c, MAX_CHANNELS)
    highlight = (int(np.argmax(shown[:n].reshape(n, -1).max(axis=1)))
                 if s.kind == "conv" and n > 1 else None)
    effect = ""
    if follow:
        before = f"After {_join(ops[:-1])}, " if len(ops) > 1 else ""
        effect = f"{before}{ops[-1]} {_effect(follow[-1], after)}"
        effect = effect[0].upper() + effect[1:]
    short_effect = f"{ops[-1]} {_effect(follow[-1], after)}" if follow else ""
    short_effect = short_effect[:1].upper() + short_effect[1:]
    if s.kind == "conv":
        heading = f"{label}: {_n(c, 'map')} of {h}×{w}" + (f" → {ops[-1]}" if follow else "")
        if first_conv:
            first = (f"{label} makes {_n(c, 'map')} of {h}×{w}, one per learned filter: green where it "
                     f"finds its pattern, red where it finds the opposite.")
        else:
            first = (f"{label} combines {'all ' if in_shape[0] > 1 else ''}{_n(in_shape[0], 'map')} "
                     f"before it into {_n(c, 'new map')} of {h}×{w}"
                     + ("; the outlined one is the most active." if highlight is not None else "."))
        simple = f"{label} makes {_n(c, 'map')} of {h}×{w}, one per learned filter."
        narration = _first_fit(f"{first} {effect}", f"{first} {short_effect}", first, simple)
    else:
        hin, win = (in_shape[-2], in_shape[-1]) if len(in_shape) == 3 else (h, w)
        heading = f"{label}: {hin}×{win} → {h}×{w}"
        word = ("largest value" if "max" in s.op.lower() else
                "average" if "avg" in s.op.lower() or "average" in s.op.lower() else None)
        if h == w == 1:
            first = f"{label} averages each of the {_n(c, 'map')} into a single number."
            if word == "largest value":
                first = f"{label} keeps the largest value of each of the {_n(c, 'map')}: one number each."
        elif word and hin % h == 0 and win % w == 0 and hin // h == win // w:
            k_ = hin // h
            first = (f"{label} keeps the {word} of each {k_}×{k_} block: the {_n(c, 'map')} "
                     f"shrink{'s' if c == 1 else ''} "
                     f"from {hin}×{win} to {h}×{w}.")
        else:
            first = f"{label} pools the {_n(c, 'map')} from {hin}×{win} down to {h}×{w}."
        narration = _first_fit(f"{first} {effect}", f"{first} {short_effect}", first)
    source = (k - 1 if s.kind == "pool" and prev_shot_j is not None and prev_channels == c
              and all(st.output.shape[0] == c for st in steps[prev_shot_j:j]) else None)
    return MapShot(s.name, label, s.kind, str(s.op), in_shape, v, after, ops, source, highlight,
                   heading, narration)


def display_name(name, limit: int = 14) -> str:
    s = " ".join(str(name).split()) or "?"
    return s if len(s) <= limit else s[:limit - 1] + "…"


def plan_video(trace, classes, *, title: str = "Your model, step by step") -> VideoPlan:
    """What the video of ``trace`` shows and says (see the module docstring).

    ValueError when ``classes`` does not name every output, or ``trace`` is not a trace.
    """
    for attr in ("input", "steps", "probabilities", "maps"):
        if not hasattr(trace, attr):
            raise ValueError(f"expected a ModelTrace (viz.core.explain.trace_model), got "
                             f"{type(trace).__name__}")
    p = np.asarray(trace.probabilities, dtype=float)
    names = [str(c) for c in classes]
    if len(names) != len(p):
        raise ValueError(f"classes: {len(names)} names for {len(p)} model outputs")
    x = np.asarray(trace.input, dtype=float)
    if x.ndim != 3:
        raise ValueError(f"the trace's input must be (C, H, W), got shape {x.shape}")
    c, h, w = x.shape
    lo, hi = float(x.min()), float(x.max())
    patch = (0, *interesting_patch(x[0], PATCH), min(PATCH, h, w))
    kind = ("gray" if c == 1 else "RGB" if c == 3 else f"{c}-channel")
    input_heading = f"The input: {c}×{h}×{w} numbers ({kind})"
    which = {1: "", 3: " (red channel)"}.get(c, " (channel 0)")
    input_narration = _first_fit(
        f"This is the picture as the model sees it: {c}×{h}×{w} numbers from {lo:.2f} to "
        f"{hi:.2f}. The yellow square is enlarged on the right{which}: the numbers the network reads.",
        f"This is the picture as the model sees it: {c}×{h}×{w} numbers.")

    steps = trace.steps
    map_steps = list(trace.maps())
    index = {id(s): j for j, s in enumerate(steps)}
    shots, prev_j, prev_c, seen_conv = [], None, None, False
    for k, s in enumerate(map_steps):
        j = index[id(s)]
        shot = _shot(trace, j, k, prev_j, prev_c, first_conv=s.kind == "conv" and not seen_conv)
        seen_conv |= s.kind == "conv"
        shots.append(shot)
        prev_j, prev_c = j, s.output.shape[0]
    pages = tuple(tuple(range(a, min(a + MAX_COLUMNS, len(shots))))
                  for a in range(0, len(shots), MAX_COLUMNS))
    if len(pages) > 1:            # a pooling step shrinks maps only from the same page
        firsts = {pg[0] for pg in pages}
        shots = [replace(s, source=None) if k in firsts else s for k, s in enumerate(shots)]

    top = int(np.argmax(p))
    K = len(p)
    rows = tuple(range(K)) if K <= MAX_CLASSES else tuple(int(i) for i in np.argsort(-p, kind="stable")[:MAX_CLASSES])
    note = f"top {MAX_CLASSES} of {K} classes" if K > MAX_CLASSES else None
    output_heading = f"The output: {names[top]!r} {percent(p[top])}"
    output_narration = _output_narration(trace, map_steps, names, p, top)
    layers = () if shots else layer_lines(steps)
    return VideoPlan(str(title), x, input_heading, input_narration, patch, tuple(shots), pages, p,
                     tuple(display_name(n) for n in names), rows, note, top, output_heading,
                     output_narration, layers)


def layer_lines(steps, limit: int = 12) -> tuple:
    """``"layer 1 (Linear): 32"`` per step (the first ``limit``, then how many more)."""
    lines = []
    for s in steps:
        name = step_label(s) if step_label(s) != s.name else f"{s.name} ({s.op})"
        lines.append(f"{name}: {'×'.join(map(str, s.output.shape))}")
    if len(lines) > limit:
        lines = lines[:limit - 1] + [f"… and {len(lines) - limit + 1} more"]
    return tuple(lines)


def _output_narration(trace, map_steps, names, p, top) -> str:
    steps = list(trace.steps)
    last = steps.index(map_steps[-1]) if map_steps else -1
    rest = steps[last + 1:]
    linears = [step_label(s) for s in rest if s.kind == "linear"]
    n_in = int(np.prod(map_steps[-1].output.shape)) if map_steps else int(np.asarray(trace.input).size)
    K = len(p)
    how = {"log_probabilities": "log_softmax gives their probabilities",
           "probabilities": "softmax turns them into probabilities"}.get(
        getattr(trace, "output_kind", "logits"), "softmax turns them into probabilities")
    if not linears:
        layers = "The last layers"
    elif len(linears) <= 2:
        layers = _join(linears)
    else:
        layers = f"{len(linears)} linear layers"
    verb = "turns" if len(linears) == 1 else "turn"
    first = f"{layers} {verb} the {_n(n_in, 'number')} into {_n(K, 'score')}, and {how}."
    unsure = K > 1 and p[top] < min(2 / K, (1 + 1 / K) / 2)      # near a uniform guess
    verdict = (f"The network gives {names[top]!r} {percent(p[top])}"
               + (f", hardly more than a guess (1 in {K:,})." if unsure else "."))
    if not map_steps:
        first = "This model has no convolution or pooling layers, so there are no maps to show. "
        return _first_fit(first + verdict, verdict)
    return _first_fit(f"{first} {verdict}", verdict)


def interesting_patch(x2d, size: int) -> tuple:
    """Top-left ``(row, col)`` of the ``size x size`` window whose values vary most (an edge
    of the drawing: its numbers are worth reading); the first one on ties."""
    x = np.asarray(x2d, dtype=float)
    size = max(1, min(size, *x.shape))

    def box_sum(a):
        s = np.zeros((a.shape[0] + 1, a.shape[1] + 1))
        s[1:, 1:] = a.cumsum(0).cumsum(1)
        return s[size:, size:] - s[:-size, size:] - s[size:, :-size] + s[:-size, :-size]

    n = size * size
    var = box_sum(x * x) / n - (box_sum(x) / n) ** 2
    r, c = np.unravel_index(int(np.argmax(np.round(var, 9))), var.shape)
    return int(r), int(c)


# ----------------------------------------------------------------------- rendering
def scene_class(trace, classes, *, title: str = "Your model, step by step"):
    """A subclass of :class:`scenes.explain.ExplainModel` that shows ``trace``."""
    from scenes.explain import ExplainModel

    plan = plan_video(trace, classes, title=title)
    return type("ExplainModelVideo", (ExplainModel,), {"plan": plan, "trace": trace,
                                                        "classes": tuple(classes), "title": title})


def video_paths(out_mp4) -> tuple:
    """``(video, poster, srt, vtt)``: ``x.mp4``, ``x-poster.png``, ``x.srt``, ``x.vtt``."""
    out = Path(out_mp4)
    if out.suffix.lower() != ".mp4":
        raise ValueError(f"the video must be an .mp4 file, got {str(out)!r}")
    return out, out.with_name(f"{out.stem}-poster.png"), out.with_suffix(".srt"), out.with_suffix(".vtt")


def render_explanation_video(trace, classes, out_mp4, *, quality: str = "low",
                             title: str = "Your model, step by step", resolution=None,
                             frame_rate=None) -> tuple:
    """Render the video of ``trace`` to ``out_mp4``; return ``(mp4 path, poster png path)``.

    Beside the video: ``<name>-poster.png`` (its last frame: the probabilities, the top
    class framed), ``<name>.srt`` and ``<name>.vtt`` (the narration, one caption per
    step), all moved into place together once everything is rendered. ``quality`` is one
    of :data:`viz.export.QUALITIES`; ``resolution=(width, height)`` and ``frame_rate``
    override it (small previews, tests). ValueError (before any rendering) for a bad
    quality, classes that do not match the outputs, or an output that cannot be written.
    """
    from ._io import atomic_paths, check_output
    from .export import QUALITIES, check_quality

    check_quality(quality)
    paths = video_paths(out_mp4)
    for p_ in paths:
        check_output(p_)
    if resolution is not None:
        rw, rh = (int(v) for v in resolution)
        if rw < 16 or rh < 16 or rw % 2 or rh % 2:
            raise ValueError(f"resolution must be two even numbers of at least 16, got {resolution}")
    if frame_rate is not None and not 1 <= float(frame_rate) <= 120:
        raise ValueError(f"frame_rate must be between 1 and 120, got {frame_rate}")
    cls = scene_class(trace, classes, title=title)
    from manim import tempconfig

    with tempfile.TemporaryDirectory(prefix="viz-explain-video-") as media:
        options = {"quality": QUALITIES[quality], "disable_caching": True, "media_dir": media,
                   "output_file": paths[0].stem, "progress_bar": "none", "verbosity": "WARNING",
                   "format": "mp4", "write_to_movie": True}
        if resolution is not None:
            options.update(pixel_width=rw, pixel_height=rh)
        if frame_rate is not None:
            options["frame_rate"] = float(frame_rate)
        with tempconfig(options), contextlib.redirect_stdout(io.StringIO()):
            scene = cls()
            scene.render()
            movie = Path(scene.renderer.file_writer.movie_file_path)
            frame = scene.renderer.get_frame()
        srt = movie.with_suffix(".srt")
        if not srt.is_file():
            raise ValueError("Manim wrote no captions for the explanation video")
        from PIL import Image

        from .captions import srt_to_vtt
        text = srt.read_text(encoding="utf-8")
        with atomic_paths(*paths) as tmps:
            shutil.copyfile(movie, tmps[0])
            Image.fromarray(frame).convert("RGB").save(tmps[1], format="png")
            Path(tmps[2]).write_text(text, encoding="utf-8")
            Path(tmps[3]).write_text(srt_to_vtt(text), encoding="utf-8")
    return paths[0], paths[1]
