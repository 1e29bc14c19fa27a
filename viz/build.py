"""``viz build``: every figure (light and dark), every scene, and the gallery page.

Figures and scenes are independent tasks, run in ``jobs`` processes (see
:mod:`viz.parallel`) under one progress bar. A figure or scene that fails does not stop
the others: the gallery is written with everything that worked, then
:class:`viz.parallel.TaskFailures` names what did not.
"""
from __future__ import annotations

from pathlib import Path

from . import catalog, export, parallel
from ._io import ensure_dir
from .gallery import write_index

_FLAGS = {"low": "-ql", "medium": "-qm", "high": "-qh", "4k": "-qk"}


def figure_both_themes(entry, fig_dir) -> dict:
    """One build task: ``entry`` in the light and the dark theme (PNG); {theme: path}."""
    paths = {}
    for theme in ("light", "dark"):
        suffix = "" if theme == "light" else "-dark"
        paths[theme] = export.save_figure(entry, fig_dir, fmt="png", theme=theme, suffix=suffix)
    return paths


def build_tasks(out, *, quality: str = "low", scenes: bool = True) -> list[parallel.Task]:
    """The build's tasks: scenes first (the long ones start early), then figures."""
    out = Path(out)
    tasks = []
    if scenes:
        tasks += [parallel.Task("scene", e.name, export.render_scene, (e, out / "videos"),
                                {"quality": quality}) for e in catalog.entries("scene")]
    tasks += [parallel.Task("figure", e.name, figure_both_themes, (e, out / "figures"))
              for e in catalog.entries("figure")]
    return tasks


def build(out, *, quality: str = "low", scenes: bool = True, jobs: int | None = 1,
          bar=None, outcomes: list | None = None) -> Path:
    """Write ``out/figures/*.png``, ``out/videos/*.mp4`` and ``out/index.html``.

    jobs : processes (None: every core; 1: all in this process)
    bar : a tqdm-like progress bar over all tasks (None: :func:`viz.parallel.progress_bar`)
    outcomes : if a list, every task's :class:`viz.parallel.Outcome` is appended (timings)
    Raises ValueError for bad options (before any work) and TaskFailures after writing
    the gallery when some figure or scene failed.
    """
    export.check_quality(quality)
    jobs = parallel.check_jobs(jobs)
    out = ensure_dir(out)
    tasks = build_tasks(out, quality=quality, scenes=scenes)
    results = parallel.run_tasks(tasks, jobs=jobs, desc="build", bar=bar)
    if outcomes is not None:
        outcomes.extend(results)
    figs, vids = [], []
    by_name = {(o.task.kind, o.task.name): o for o in results}
    for e in catalog.entries("figure"):
        o = by_name[("figure", e.name)]
        if o.ok:
            paths = {t: Path(p).relative_to(out).as_posix() for t, p in o.value.items()}
            figs.append((e, paths, f"viz figures {e.name} --out figures --format png"))
    for e in catalog.entries("scene") if scenes else []:
        o = by_name[("scene", e.name)]
        if o.ok:
            video, poster = o.value
            vids.append((e, Path(video).relative_to(out).as_posix(),
                         Path(poster).relative_to(out).as_posix() if poster else None,
                         f"viz render {e.name} --out videos --quality {quality}\n"
                         f"manim {_FLAGS[quality]} {e.scene_file} {e.scene_class}"))
    from .explore import write_explorer   # the live explorer beside the gallery, linked from it
    write_explorer(out / "explorer", gallery_href="../index.html")
    index = write_index(out, figures=figs, scenes=vids, topics=catalog.TOPICS,
                        explorer="explorer/index.html")
    parallel.raise_failures(results)
    return index
