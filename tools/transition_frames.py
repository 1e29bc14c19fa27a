"""Frames around every transition of catalog scenes, without rendering the videos.

For each scene, every ``play`` is compiled and begun as Manim would, then drawn at a few
fractions of its run time (default 35 %, 65 % and 100 %: mid-transition and the settled
state) and finished; a static ``wait`` is drawn once. Nothing is encoded. The frames go
to ``OUT/<scene>/frames/pNNN-FFF.png`` at full size, and as labelled contact sheets
``OUT/<scene>/sheet-NN.png`` (thumbnails, each labelled with its play, fraction, time and
the step narration in effect then), to look at before a scene is shown in a lecture::

    nice .venv/bin/python tools/transition_frames.py otavio im2col --quality high
    nice .venv/bin/python tools/transition_frames.py            # every catalog scene

It also prints a few cheap pixel checks per frame (``--checks``): ink touching the frame
edge (maybe cut off), an empty frame, an empty half of the frame. They are hints for
where to look, not verdicts. ``VIZ_LATEX=0`` in the environment is fine (and faster).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

QUALITIES = {"low": "low_quality", "medium": "medium_quality", "high": "high_quality",
             "production": "production_quality", "fourk": "fourk_quality"}
EDGE_PX = 3           # ink in this many pixels at a border: maybe cut off
INK_LEVEL = 40        # a pixel this far from the background colour counts as ink


@dataclass
class Shot:
    """One captured frame."""

    play: int           # 1-based play number
    fraction: float     # of the play's run time; -1 for a static wait
    time: float         # seconds of video at this frame
    path: Path
    notes: tuple = ()


def _grabber_class():
    from manim.renderer.cairo_renderer import CairoRenderer

    class FrameGrabber(CairoRenderer):
        """Draws each ``play`` only at the chosen fractions of its run time, writes nothing."""

        def __init__(self, fractions, frames_dir, *, checks=True, upto=None, **kwargs):
            super().__init__(**kwargs)
            self.fractions, self.frames_dir = tuple(fractions), Path(frames_dir)
            self.checks, self.upto = checks, upto
            self.shots: list[Shot] = []

        def play(self, scene, *args, **kwargs):
            scene.compile_animation_data(*args, **kwargs)
            scene.begin_animations()
            k = self.num_plays + 1
            wanted = self.upto is None or (self.upto[0] <= k <= self.upto[1])
            if scene.is_current_animation_frozen_frame():
                if wanted:
                    self._shoot(scene, k, -1.0, self.time)
            else:
                for f in self.fractions:
                    scene.update_to_time(f * scene.duration)
                    if wanted:
                        self._shoot(scene, k, f, self.time + f * scene.duration)
                for animation in scene.animations:
                    animation.finish()
                    animation.clean_up_from_scene(scene)
                scene.update_mobjects(0)
            self.static_image = None
            self.time += scene.duration
            self.num_plays += 1

        def _shoot(self, scene, k, f, t):
            self.static_image = None
            self.update_frame(scene)
            frame = self.get_frame()
            name = f"p{k:03d}-{'wait' if f < 0 else f'{round(f * 100):03d}'}.png"
            path = self.frames_dir / name
            from PIL import Image
            Image.fromarray(frame).convert("RGB").save(path, format="png", compress_level=1)
            settled = f < 0 or f == self.fractions[-1]
            notes = _pixel_notes(frame, self.camera.background_color, settled) if self.checks else ()
            self.shots.append(Shot(k, f, t, path, notes))

        def save_static_frame_data(self, scene, static_mobjects):
            self.static_image = None

        def scene_finished(self, scene):
            pass

    return FrameGrabber


def _pixel_notes(frame, background, settled=True) -> tuple:
    from manim import ManimColor
    bg = np.array(ManimColor(background).to_int_rgb(), np.int16)
    ink = np.abs(frame[..., :3].astype(np.int16) - bg).max(axis=2) > INK_LEVEL
    h, w = ink.shape
    notes = []
    if not ink.any():
        return ("blank frame",)
    edges = {"top": ink[:EDGE_PX].any(), "bottom": ink[-EDGE_PX:].any(),
             "left": ink[:, :EDGE_PX].any(), "right": ink[:, -EDGE_PX:].any()}
    touched = [e for e, v in edges.items() if v]
    if touched:
        notes.append("ink at the " + "/".join(touched) + " edge")
    for half, part in (("top", ink[: h // 2]), ("bottom", ink[h // 2:]),
                       ("left", ink[:, : w // 2]), ("right", ink[:, w // 2:])):
        if settled and part.mean() < 1e-4:      # mid-fade emptiness is no finding
            notes.append(f"{half} half empty")
    return tuple(notes)


def note_runs(shots) -> list[str]:
    """Each pixel hint once per run of frames that share it: 'plays 3-40: ink at the top edge'."""
    runs = {}                       # note -> [[first shot, last shot], ...]
    for k, s in enumerate(shots):
        for note in s.notes:
            spans = runs.setdefault(note, [])
            if spans and spans[-1][1] == k - 1:
                spans[-1][1] = k
            else:
                spans.append([k, k])

    def at(s):
        return f"{s.play}" + ("" if s.fraction == 1.0 else
                              "(wait)" if s.fraction < 0 else f"@{round(s.fraction * 100)}%")

    out = []
    for note, spans in runs.items():
        parts = [at(shots[a]) if a == b else f"{at(shots[a])}-{at(shots[b])}" for a, b in spans]
        out.append(f"{note}: play{'s' if len(parts) > 1 or '-' in parts[0] else ''} "
                   + ", ".join(parts))
    return out


def _narration_at(steps, t):
    for s in steps:
        if s.start - 1e-9 <= t < s.end + 1e-9 and (t < s.end or s is steps[-1]):
            return s.narration
    return "" if not steps else "(after the last step)"


def _font(size):
    from PIL import ImageFont
    for path in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                 "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf"):
        if os.path.exists(path):
            return ImageFont.truetype(path, size)
    return ImageFont.load_default()


def contact_sheets(shots, steps, out_dir, title, *, cols=4, rows=4, thumb=(640, 360)) -> list[Path]:
    """Montages of ``shots`` (``cols x rows`` thumbnails a page), each labelled."""
    from PIL import Image, ImageDraw

    head, label_h, pad = 44, 78, 8
    cell_w, cell_h = thumb[0] + pad, thumb[1] + label_h + pad
    big, small = _font(17), _font(14)
    per = cols * rows
    pages = [shots[i:i + per] for i in range(0, len(shots), per)] or [[]]
    out = []
    for n, page in enumerate(pages, 1):
        sheet = Image.new("RGB", (cols * cell_w + pad, head + rows * cell_h), "#202020")
        d = ImageDraw.Draw(sheet)
        d.text((pad, 10), f"{title}  sheet {n}/{len(pages)}", fill="#FFFFFF", font=_font(22))
        for i, s in enumerate(page):
            x, y = pad + (i % cols) * cell_w, head + (i // cols) * cell_h
            with Image.open(s.path) as im:
                sheet.paste(im.convert("RGB").resize(thumb, Image.LANCZOS), (x, y))
            when = "wait" if s.fraction < 0 else f"@{round(s.fraction * 100)}%"
            label = f"play {s.play} {when}  t={s.time:.2f}s"
            if s.notes:
                label += "  [" + "; ".join(s.notes) + "]"
            d.text((x, y + thumb[1] + 3), label, fill="#FFD400" if s.notes else "#FFFFFF", font=big)
            # at 100 % a play ends where its step may end: the caption shown was that step's
            said = textwrap.wrap(_narration_at(steps, s.time - 1e-6 * (s.fraction == 1.0)), 86)[:3]
            for j, line in enumerate(said):
                d.text((x, y + thumb[1] + 24 + 17 * j), line, fill="#BBBBBB", font=small)
        path = Path(out_dir) / f"sheet-{n:02d}.png"
        sheet.save(path, format="png")
        out.append(path)
    return out


def capture(entry, out_root, *, quality="high", fractions=(0.35, 0.65, 1.0), checks=True,
            upto=None, cols=4, rows=4):
    """Frames and contact sheets of one catalog scene; returns (shots, sheets, steps)."""
    from manim import tempconfig

    from viz.anim.lesson import steps_of

    if quality not in QUALITIES:
        raise ValueError(f"unknown quality {quality!r} (one of {', '.join(QUALITIES)})")
    scene_cls = entry.load()
    out_dir = Path(out_root) / entry.name
    frames = out_dir / "frames"
    frames.mkdir(parents=True, exist_ok=True)
    for old in list(frames.glob("p*.png")) + list(out_dir.glob("sheet-*.png")):
        old.unlink()
    grabber_cls = _grabber_class()
    with tempfile.TemporaryDirectory(prefix="viz-frames-") as media, \
            tempconfig({"quality": QUALITIES[quality], "disable_caching": True, "media_dir": media,
                        "progress_bar": "none", "verbosity": "WARNING", "dry_run": True}), \
            contextlib.redirect_stdout(io.StringIO()):
        renderer = grabber_cls(fractions, frames, checks=checks, upto=upto)
        scene = scene_cls(renderer=renderer)
        scene.render()
        steps = steps_of(scene)
    sheets = contact_sheets(renderer.shots, steps, out_dir, f"{entry.name} ({quality})",
                            cols=cols, rows=rows)
    return renderer.shots, sheets, steps


def _fractions(text):
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"fractions must be numbers, got {text!r}") from None
    if not values or any(not 0 < v <= 1 for v in values) or list(values) != sorted(values):
        raise argparse.ArgumentTypeError(f"fractions must rise within (0, 1], got {text!r}")
    return values


def _plays(text):
    a, _, b = text.partition("-")
    try:
        lo, hi = int(a), int(b or a)
    except ValueError:
        raise argparse.ArgumentTypeError(f"plays must be N or N-M, got {text!r}") from None
    return lo, hi


def _positive(text):
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return n


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("names", nargs="*", help="catalog scene names (default: all; see viz list)")
    p.add_argument("--quality", default="high", choices=list(QUALITIES))
    p.add_argument("--fractions", type=_fractions, default=(0.35, 0.65, 1.0),
                   help="of each play's run time, comma-separated (default 0.35,0.65,1)")
    p.add_argument("--out", default="/tmp/transitions", help="output folder")
    p.add_argument("--plays", type=_plays, help="only keep frames of plays N-M (all are played)")
    p.add_argument("--cols", type=_positive, default=4, help="thumbnails per row (4)")
    p.add_argument("--rows", type=_positive, default=4, help="rows per sheet (4)")
    p.add_argument("--no-checks", dest="checks", action="store_false", help="skip pixel hints")
    args = p.parse_args(argv)
    if hasattr(os, "nice"):
        os.nice(10)                   # a shared machine: lectures' frames can wait
    from viz import catalog
    try:
        chosen = catalog.select("scene", args.names)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    total = 0.0
    for entry in chosen:
        t0, c0 = time.perf_counter(), time.process_time()
        shots, sheets, steps = capture(entry, args.out, quality=args.quality, fractions=args.fractions,
                                       checks=args.checks, upto=args.plays, cols=args.cols,
                                       rows=args.rows)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        total += wall
        plays = max((s.play for s in shots), default=0)
        print(f"{entry.name:22s} {wall:7.1f} s wall {cpu:7.1f} s cpu  {plays:4d} plays "
              f"{len(shots):4d} frames {len(steps):3d} steps  {len(sheets)} sheets -> "
              f"{Path(args.out) / entry.name}", flush=True)
        for line in note_runs(shots):
            print("    " + line)
    print(f"total {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
