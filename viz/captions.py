"""Captions: the narration of lesson scenes as SubRip (.srt, Manim's) and WebVTT (.vtt, browsers').

Manim writes ``<movie>.srt`` beside a movie from the subcaptions a scene collected
(:func:`viz.anim.lesson.step` adds one per step); browsers play WebVTT in
``<track kind="captions">``: :func:`srt_to_vtt` converts (same cues, ``WEBVTT`` header,
``.`` as the decimal mark). :func:`dry_run` collects a scene's steps without drawing a frame.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ._io import write_text_atomic

_TIME = r"(\d{2,}):(\d{2}):(\d{2})[,.](\d{3})"
_CUE_TIMES = re.compile(rf"^{_TIME}\s*-->\s*{_TIME}")


@dataclass(frozen=True)
class Cue:
    """One caption: shown from ``start`` to ``end`` seconds."""

    start: float
    end: float
    text: str


def _seconds(h, m, s, ms) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def parse_srt(text: str) -> list[Cue]:
    """The cues of a SubRip file (also reads WebVTT cues). ValueError on a malformed block."""
    cues = []
    body = text.replace("\r\n", "\n").lstrip("\ufeff")
    if body.startswith("WEBVTT"):
        body = body.split("\n\n", 1)[1] if "\n\n" in body else ""
    for block in re.split(r"\n\s*\n", body.strip()):
        lines = [ln for ln in block.split("\n") if ln.strip()]
        if not lines:
            continue
        k = 0 if _CUE_TIMES.match(lines[0]) else 1
        if k >= len(lines) or not _CUE_TIMES.match(lines[k]):
            raise ValueError(f"malformed caption block {lines[0][:40]!r}")
        g = _CUE_TIMES.match(lines[k]).groups()
        text_lines = lines[k + 1:]
        if not text_lines:
            raise ValueError(f"caption block {lines[0][:40]!r} has no text")
        cues.append(Cue(_seconds(*g[:4]), _seconds(*g[4:]), "\n".join(text_lines)))
    return cues


def _stamp(t: float) -> str:
    ms = int(round(t * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def cues_to_vtt(cues) -> str:
    out = ["WEBVTT", ""]
    for k, c in enumerate(cues, 1):
        out += [str(k), f"{_stamp(c.start)} --> {_stamp(c.end)}", c.text, ""]
    return "\n".join(out)


def srt_to_vtt(srt_text: str) -> str:
    """The same cues as WebVTT."""
    return cues_to_vtt(parse_srt(srt_text))


def write_vtt(srt_path, vtt_path=None) -> Path:
    """Convert ``srt_path`` to ``vtt_path`` (default: same name, ``.vtt``) atomically."""
    srt_path = Path(srt_path)
    dest = Path(vtt_path) if vtt_path is not None else srt_path.with_suffix(".vtt")
    write_text_atomic(dest, srt_to_vtt(srt_path.read_text(encoding="utf-8")))
    return dest


def check_cues(cues, duration: float | None = None) -> None:
    """ValueError unless the cues are in order, do not overlap, have text and end in time."""
    prev_end = 0.0
    for k, c in enumerate(cues):
        if not c.text.strip():
            raise ValueError(f"caption {k + 1} is empty")
        if c.end <= c.start:
            raise ValueError(f"caption {k + 1} ends ({c.end:.3f} s) before it starts ({c.start:.3f} s)")
        if c.start < prev_end - 1e-3:
            raise ValueError(f"caption {k + 1} starts at {c.start:.3f} s, before caption {k} ends "
                             f"({prev_end:.3f} s)")
        prev_end = c.end
    if duration is not None and cues and prev_end > duration + 1e-3:
        raise ValueError(f"the last caption ends at {prev_end:.3f} s, after the video ({duration:.3f} s)")


#: A step's narration: this many characters at least and at most, one or two sentences.
NARRATION_CHARS = (20, 220)


def _sentences(text: str) -> int:
    return sum(text.count(m) for m in (". ", "? ", "! ")) + 1


def check_steps(steps, duration: float) -> None:
    """ValueError unless a scene's steps tile its whole video and each one can be read.

    ``steps`` are :class:`viz.anim.lesson.Step` (from :func:`dry_run`, or
    ``viz.anim.lesson.steps_of(scene)`` after a render); ``duration`` is the seconds the
    scene played. The steps must start at 0, follow each other with no gap or overlap,
    end with the video, last at least ``MIN_STEP_SECONDS`` each, and say something new
    in one or two sentences of 20 to 220 characters.
    """
    from .anim.lesson import MIN_STEP_SECONDS

    if not steps:
        raise ValueError("the scene marks no step")
    if steps[0].start != 0.0:
        raise ValueError(f"the first step starts at {steps[0].start:.3f} s, not 0")
    for k, (a, b) in enumerate(zip(steps, steps[1:]), start=2):
        if abs(b.start - a.end) > 1e-9:
            raise ValueError(f"step {k} starts at {b.start:.3f} s, step {k - 1} ends at {a.end:.3f} s")
    if abs(steps[-1].end - duration) > 1e-6 * max(1.0, duration):
        raise ValueError(f"the last step ends at {steps[-1].end:.3f} s, the video at {duration:.3f} s")
    lo, hi = NARRATION_CHARS
    for k, s in enumerate(steps, start=1):
        if s.end - s.start < MIN_STEP_SECONDS:
            raise ValueError(f"step {k} lasts {s.end - s.start:.2f} s (at least {MIN_STEP_SECONDS} s)")
        if not lo <= len(s.narration) <= hi or _sentences(s.narration) > 2:
            raise ValueError(f"step {k}'s narration must be 1-2 sentences of {lo}-{hi} characters, "
                             f"got {len(s.narration)}: {s.narration[:60]!r}")
    seen = set()
    for k, s in enumerate(steps, start=1):
        if s.narration in seen:
            raise ValueError(f"step {k} says the same as an earlier step: {s.narration[:60]!r}")
        seen.add(s.narration)
    check_cues([Cue(s.start, s.end, s.narration) for s in steps], duration)


def check_scene_steps(scene) -> list:
    """:func:`check_steps` for a scene that has run (rendered, or constructed with
    animations skipped, as the last-frame tests do); returns its steps."""
    from .anim.lesson import scene_time, steps_of
    steps = steps_of(scene)
    check_steps(steps, scene_time(scene))
    return steps


def dry_run(scene_cls):
    """Run ``scene_cls`` with animations skipped (no frame drawn, no file written).

    Returns ``(steps, duration)``: the :class:`viz.anim.lesson.Step` list it marked and
    the seconds of animation it plays (a real render rounds each play to whole frames, so
    its video is a little longer). Animations are compiled for their run times but not
    played; building the mobjects still costs what it costs in ``construct``.
    """
    import contextlib
    import io
    import tempfile

    from manim import tempconfig

    from .anim.lesson import scene_time, steps_of

    from manim.renderer.cairo_renderer import CairoRenderer

    class NoDrawing(CairoRenderer):
        """Plays nothing and draws nothing: each ``play`` / ``wait`` only advances the
        clock by its run time (the steps' times depend on run times, not on pixels)."""

        def play(self, scene, *args, **kwargs):
            scene.compile_animation_data(*args, **kwargs)
            self.time += scene.duration
            self.num_plays += 1

        def save_static_frame_data(self, scene, static_mobjects):
            self.static_image = None

        def update_frame(self, *args, **kwargs):
            pass

    with tempfile.TemporaryDirectory(prefix="viz-dry-") as media, \
            tempconfig({"quality": "low_quality", "disable_caching": True, "media_dir": media,
                        "progress_bar": "none", "verbosity": "WARNING", "dry_run": True}), \
            contextlib.redirect_stdout(io.StringIO()):
        scene = scene_cls(renderer=NoDrawing(skip_animations=True), skip_animations=True)
        scene.render()
        return steps_of(scene), scene_time(scene)
