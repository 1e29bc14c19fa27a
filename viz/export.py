"""Saving catalog figures and rendering catalog scenes to files (used by the CLI)."""
from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
from pathlib import Path

from ._io import atomic_path, atomic_paths, ensure_dir

FORMATS = ("png", "svg", "pdf")
QUALITIES = {"low": "low_quality", "medium": "medium_quality", "high": "high_quality",
             "4k": "fourk_quality"}


#: Fixed salt for the ids matplotlib writes into SVG files (by default a new random one per
#: file): the same figure gives the same bytes.
SVG_HASHSALT = "viz"


def check_figure_options(fmt: str, dpi: int) -> None:
    """ValueError for an unknown format or a non-positive dpi (before any work)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if dpi <= 0:
        raise ValueError(f"dpi must be positive, got {dpi}")


def check_quality(quality: str) -> None:
    if quality not in QUALITIES:
        raise ValueError(f"unknown quality {quality!r} (choose from {', '.join(QUALITIES)})")


def save_figure(entry, out_dir, *, fmt: str = "png", theme: str = "light", dpi: int = 150,
                size: tuple[float, float] | None = None, suffix: str = "") -> Path:
    """Build a catalog figure and write ``out_dir/<name><suffix>.<fmt>`` atomically.

    The same figure gives the same bytes on the same machine: no dates in PNG, SVG or
    PDF metadata, and a fixed salt for SVG ids.
    """
    check_figure_options(fmt, dpi)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .figures import theme as theme_ctx

    out_dir = ensure_dir(out_dir)
    dest = out_dir / f"{entry.name}{suffix}.{fmt}"
    with theme_ctx(theme):
        fig = entry.load()()
        try:
            if size is not None:
                fig.set_size_inches(*size)
            with atomic_path(dest) as tmp, matplotlib.rc_context({"svg.hashsalt": SVG_HASHSALT}):
                fig.savefig(tmp, format=fmt, dpi=dpi, metadata=_metadata(fmt, entry))
        finally:
            plt.close(fig)
    return dest


def _metadata(fmt, entry):
    if fmt == "png":
        return {"Title": entry.title, "Software": "viz"}
    if fmt == "svg":
        return {"Title": entry.title, "Date": None}   # no date: same input, same bytes
    return {"Title": entry.title, "CreationDate": None}


def render_scene(entry, out_dir, *, quality: str = "low", poster: bool = True) -> tuple[Path, Path | None]:
    """Render a catalog scene with Manim's Python API into ``out_dir/<name>.mp4``.

    Caching is off (it slows many-mobject scenes down, see manim-notes.md) and Manim's
    own files go to a temporary folder; only the finished video (and, with ``poster``,
    its last frame as ``<name>-poster.png``) are moved into ``out_dir``, with the captions
    Manim wrote from the scene's narration (``<name>.srt``) and the same cues as WebVTT
    for browsers (``<name>.vtt``), all together or none.
    """
    check_quality(quality)
    out_dir = ensure_dir(out_dir)
    scene_cls = entry.load()
    from manim import tempconfig

    with tempfile.TemporaryDirectory(prefix="viz-render-") as media:
        options = {"quality": QUALITIES[quality], "disable_caching": True, "media_dir": media,
                   "output_file": entry.name, "progress_bar": "none", "verbosity": "WARNING",
                   "format": "mp4", "write_to_movie": True}
        with tempconfig(options), contextlib.redirect_stdout(io.StringIO()):
            scene = scene_cls()
            scene.render()
            movie = Path(scene.renderer.file_writer.movie_file_path)
            frame = scene.renderer.get_frame() if poster else None
        srt = movie.with_suffix(".srt")
        video = out_dir / f"{entry.name}.mp4"
        poster_path = out_dir / f"{entry.name}-poster.png" if frame is not None else None
        subs = (out_dir / f"{entry.name}.srt", out_dir / f"{entry.name}.vtt") if srt.is_file() else ()
        with atomic_paths(*[d for d in (video, poster_path, *subs) if d is not None]) as tmps:
            shutil.copyfile(movie, tmps[0])
            if poster_path is not None:
                from PIL import Image
                Image.fromarray(frame).convert("RGB").save(tmps[1], format="png")
            if subs:
                from .captions import srt_to_vtt
                text = srt.read_text(encoding="utf-8")
                Path(tmps[-2]).write_text(text, encoding="utf-8")
                Path(tmps[-1]).write_text(srt_to_vtt(text), encoding="utf-8")
    return video, poster_path
