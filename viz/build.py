"""``viz build``: every figure (light and dark), every scene, and the gallery page."""
from __future__ import annotations

from pathlib import Path

from . import catalog, export
from ._io import ensure_dir
from .gallery import write_index


def _plain(iterable, desc):
    return iterable


def build(out, *, quality: str = "low", scenes: bool = True, progress=_plain) -> Path:
    """Write ``out/figures/*.png``, ``out/videos/*.mp4`` and ``out/index.html``."""
    if quality not in export.QUALITIES:
        raise ValueError(f"unknown quality {quality!r} (choose from {', '.join(export.QUALITIES)})")
    out = ensure_dir(out)
    figs = []
    for e in progress(catalog.entries("figure"), "figures"):
        paths = {}
        for theme in ("light", "dark"):
            suffix = "" if theme == "light" else "-dark"
            p = export.save_figure(e, out / "figures", fmt="png", theme=theme, suffix=suffix)
            paths[theme] = p.relative_to(out).as_posix()
        figs.append((e, paths, f"viz figures {e.name} --out figures --format png"))
    vids = []
    if scenes:
        flag = {"low": "-ql", "medium": "-qm", "high": "-qh", "4k": "-qk"}[quality]
        for e in progress(catalog.entries("scene"), "scenes"):
            video, poster = export.render_scene(e, out / "videos", quality=quality)
            vids.append((e, video.relative_to(out).as_posix(),
                         poster.relative_to(out).as_posix() if poster else None,
                         f"viz render {e.name} --out videos --quality {quality}\n"
                         f"manim {flag} {e.scene_file} {e.scene_class}"))
    from .explore import write_explorer   # the live explorer beside the gallery, linked from it
    write_explorer(out / "explorer", gallery_href="../index.html")
    return write_index(out, figures=figs, scenes=vids, topics=catalog.TOPICS,
                       explorer="explorer/index.html")
