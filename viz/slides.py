"""Slide decks: every lesson scene, presented step by step (manim-slides, reveal.js).

A lesson scene marks its pause points with :func:`viz.anim.lesson.step`. The deck is the
*same* scene class combined with ``manim_slides.Slide`` (:func:`deck_class`): its
``lesson_pause`` starts a new slide, with the step's narration as speaker notes. Plain
``manim`` and ``viz render`` never see that class and play straight through.

:func:`render_deck` renders one deck and converts it to

* ``html``: one HTML file with the videos inside (data URLs) that loads reveal.js from
  the ``reveal.js/`` folder written beside it (vendored, see ``slides_static/VENDORED.md``),
  so it works from ``file://`` with no network; press ``S`` for the speaker notes;
* ``pdf``: the last frame of every slide, one page each (a static backup).

Needs the ``slides`` extra (``pip install 'viz[slides]'``).
"""
from __future__ import annotations

import contextlib
import io
import logging
import shutil
import tempfile
from pathlib import Path

from ._io import atomic_path, ensure_dir
from .export import QUALITIES, check_quality

FORMATS = ("html", "pdf")
#: The reveal.js manim-slides 5.7's template is written for (vendored in slides_static/).
REVEAL_VERSION = "6.0.1"
REVEAL_DIR = "reveal.js"
STATIC = Path(__file__).parent / "slides_static" / REVEAL_DIR


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown deck format {fmt!r} (choose from {', '.join(FORMATS)})")


def _manim_slides():
    try:
        import manim_slides
    except ImportError:
        raise ValueError("viz slides needs manim-slides: pip install 'viz[slides]'") from None
    return manim_slides


def deck_class(scene_cls):
    """``scene_cls`` as a manim-slides ``Slide``: one slide per step, narration as notes.

    Built on the fly (``type(name, (Slide, scene_cls), ...)``), named like the scene.
    Works around manim-slides 5.7 on Manim 0.22: Manim no longer has the
    ``write_to_movie`` and unbounded ``max_files_cached`` settings that ``Slide`` sets.
    """
    from manim import Scene
    from manim_slides import Slide

    def __init__(self, *args, **kwargs):
        super(Slide, self).__init__(*args, **kwargs)     # skip Slide's config["write_to_movie"]

    def render(self, *args, **kwargs):
        Scene.render(self, *args, **kwargs)              # the render sets max_files_cached=-1
        self._save_slides(use_cache=False, flush_cache=False, skip_reversing=True)

    def lesson_pause(self, narration):
        self._base_slide_config = self._base_slide_config.model_copy(update={"notes": narration})
        self.next_slide()

    _manim_slides()
    return type(scene_cls.__name__, (Slide, scene_cls),
                {"__init__": __init__, "render": render, "lesson_pause": lesson_pause,
                 "__module__": scene_cls.__module__, "__doc__": scene_cls.__doc__})


def render_slides(scene_cls, folder, *, quality: str = "low"):
    """Render the deck of ``scene_cls`` into ``folder``; its manim-slides PresentationConfig."""
    check_quality(quality)
    from manim import tempconfig
    from manim_slides.config import PresentationConfig

    folder = Path(folder)
    cls = deck_class(scene_cls)
    options = {"quality": QUALITIES[quality], "disable_caching": True, "max_files_cached": -1,
               "media_dir": str(folder / "media"), "progress_bar": "none",
               "verbosity": "WARNING", "format": "mp4"}
    quiet = logging.getLogger("manim-slides")
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    try:
        with tempconfig(options), contextlib.redirect_stdout(io.StringIO()):
            scene = cls(output_folder=folder / "slides")
            scene.render()
    finally:
        quiet.setLevel(level)
    return PresentationConfig.from_file(folder / "slides" / f"{cls.__name__}.json")


def copy_reveal(out_dir) -> Path:
    """The vendored reveal.js files in ``out_dir/reveal.js`` (written once, atomically per file)."""
    dest = Path(out_dir) / REVEAL_DIR
    for src in sorted(p for p in STATIC.rglob("*") if p.is_file()):
        target = dest / src.relative_to(STATIC)
        if target.is_file() and target.stat().st_size == src.stat().st_size:
            continue
        with atomic_path(target) as tmp:
            shutil.copyfile(src, tmp)
    return dest


def render_deck(entry, out_dir, *, quality: str = "low", fmt: str = "html") -> Path:
    """Render a catalog scene as a deck: ``out_dir/<name>.html`` (or ``.pdf``)."""
    check_quality(quality)
    check_format(fmt)
    _manim_slides()
    from manim_slides.convert import PDF, RevealJS

    out_dir = ensure_dir(out_dir)
    dest = out_dir / f"{entry.name}.{fmt}"
    with tempfile.TemporaryDirectory(prefix="viz-slides-") as tmp:
        config = render_slides(entry.load(), tmp, quality=quality)
        if fmt == "html":
            copy_reveal(out_dir)
            converter = RevealJS(presentation_configs=[config], one_file=True,
                                 cdn_url=REVEAL_DIR, reveal_version=REVEAL_VERSION,
                                 title=entry.title)
        else:
            converter = PDF(presentation_configs=[config])
        with atomic_path(dest) as out, contextlib.redirect_stderr(io.StringIO()):
            converter.convert_to(Path(out))          # (the PDF converter's progress bar)
    return dest


# ----------------------------------------------------------------------------- CLI
def cmd_slides(args) -> int:
    from . import catalog, parallel
    chosen = catalog.select("scene", args.names)
    check_quality(args.quality)
    check_format(args.format)
    _manim_slides()
    ensure_dir(args.out)
    tasks = [parallel.Task("deck", e.name, render_deck, (e, args.out),
                           {"quality": args.quality, "fmt": args.format}) for e in chosen]
    outcomes = parallel.run_tasks(tasks, jobs=args.jobs, desc="decks")
    for o in outcomes:
        if o.ok:
            print(o.value)
    parallel.raise_failures(outcomes)     # the others are written; exit 1 naming the failed
    return 0


def add_commands(sub) -> None:
    """``viz slides [SCENES] --out DIR [--quality Q] [--format html|pdf] [--jobs N]``."""
    from ._check import Int
    s = sub.add_parser("slides", help="slide decks: every scene step by step, with the "
                       "narration as speaker notes (HTML that works offline, or PDF)")
    s.add_argument("names", nargs="*", metavar="SCENE", help="scene names (default: all; see viz list)")
    s.add_argument("--out", default="slides", help="output folder (default: slides)")
    s.add_argument("--quality", default="low", help=f"{' | '.join(QUALITIES)} (default: low)")
    s.add_argument("--format", default="html", help="html | pdf (default: html)")
    s.add_argument("--jobs", type=Int(1, 256), default=1, metavar="N",
                   help="processes in parallel, 1..256 (default: 1)")
    s.set_defaults(func=cmd_slides)
