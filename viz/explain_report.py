"""``viz explain``: a report on your own model, for one picture.

:func:`write_report` turns a :class:`viz.core.explain.Explanation` into a folder:
``index.html`` (self-contained, works from ``file://``, light or dark with the reader's
system setting, no network) and every figure as PNG and SVG in ``figures/``, light and
dark (``<name>.png``, ``<name>.svg``, ``<name>-dark.png``); ``summary.json`` (the
``learn.summary()`` dict); ``viz-explain.json`` (what made the folder and its files),
which marks it as a report that a later run may replace. The folder is written in a
temporary folder beside it and moved into place at the end: it is either the whole new
report, or (after an error) what it was before.

The command (:mod:`viz.explain_cli`): ``viz explain MODEL --input IMAGE [--weights FILE]
[--data DIR] [--classes a,b,c] [--input-size C H W] [--video] [--quality Q] [--out DIR]``.
"""
from __future__ import annotations

import html
import json
import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

from ._check import Int
from ._io import ensure_dir, track_new_dirs

MARK = "viz-explain.json"
GENERATOR = "viz explain"
THEMES = ("light", "dark")
DPI = 110
#: Pages of an activation stack drawn per layer (16 channels a page); the rest is noted.
MAX_PAGES = 8
INPUT_SIDE = Int(1, 4096)
#: The most numbers an ``--input-size`` may ask for (C x H x W).
MAX_INPUT_NUMBERS = 3 * 2048 * 2048
MAX_CLASSES = 10_000


def _esc(s) -> str:
    return html.escape(str(s), quote=True)


# ----------------------------------------------------------------------------- output folder
def check_report_dir(out_dir, option: str | None = "--out") -> Path:
    """Refuse, creating nothing, an ``out_dir`` that cannot become a report folder.

    Allowed: a new path (its parents are made later), an empty folder, or a previous
    report (it has ``viz-explain.json``; it is replaced). Returns the folder's real path.
    """
    label = f"{option}: " if option else ""
    out = Path(out_dir)
    if str(out) in ("", "."):
        raise ValueError(f"{label}give a new folder for the report, not {str(out_dir)!r}")
    if "\0" in str(out):
        raise ValueError(f"{label}path contains a NUL byte: {str(out)!r}")
    if out.is_symlink() and not out.exists():
        raise ValueError(f"{label}output path is a symlink to nothing: {out} -> {os.readlink(out)}")
    real = Path(os.path.realpath(out))
    try:
        st = os.stat(real)
    except (FileNotFoundError, NotADirectoryError):
        st = None
    except OSError as exc:
        raise ValueError(f"{label}cannot use {out}: {exc.strerror or exc}") from None
    if st is not None:
        if not stat.S_ISDIR(st.st_mode):
            raise ValueError(f"{label}output path is not a folder: {out}")
        if any(real.iterdir()) and not is_report(real):
            raise ValueError(f"{label}{out} is a folder with other files in it, not a viz "
                             "explain report: give a new or empty folder")
    parent = real.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise ValueError(f"{label}cannot write the report there: {parent} is not a folder")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".viz-probe-", dir=parent))
    except OSError as exc:
        raise ValueError(f"{label}cannot write in folder {parent}: {exc.strerror or exc}") from None
    return real


def is_report(folder) -> bool:
    """Whether ``folder`` holds a report this module wrote (its ``viz-explain.json``)."""
    try:
        return json.loads((Path(folder) / MARK).read_text(encoding="utf-8")).get("generator") == GENERATOR
    except (OSError, ValueError, AttributeError):
        return False


def _install(tmp: Path, out: Path) -> None:
    """Move the finished ``tmp`` folder to ``out`` (a previous report there is replaced)."""
    old = None
    if out.exists():
        if any(out.iterdir()):
            if not is_report(out):               # appeared meanwhile: leave it alone
                raise ValueError(f"{out} is a folder with other files in it, not a viz explain report")
            old = Path(tempfile.mkdtemp(prefix=f".{out.name[:40]}.old-", dir=out.parent))
            os.rename(out, old / "report")
        else:
            out.rmdir()
    os.rename(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# ----------------------------------------------------------------------------- figures
def _figure_jobs(ex):
    """(stem, title, builder) for every figure of the report, in page order."""
    from .figures import explain as fx
    from .figures.summary import architecture_figure

    jobs = [("architecture", "The layers as the matrices they are",
             lambda: architecture_figure(ex.summary, show_table=False)),
            ("input", "The input as the model sees it", lambda: fx.input_figure(ex.trace))]
    for i, s in enumerate(ex.trace.maps()):
        n = min(fx.pages(s.output.shape[0]), MAX_PAGES)
        for page in range(n):
            jobs.append((f"maps-{i + 1:02d}-{_slug(s.name)}" + (f"-p{page + 1}" if page else ""),
                         f"{fx.layer_label(s.name)} ({s.op})" + (f", page {page + 1}" if page else ""),
                         lambda s=s, page=page: fx.activation_stack_figure(ex.trace, s, page=page)))
    for i, (name, w) in enumerate(ex.filters):
        jobs.append((f"filters-{i + 1:02d}-{_slug(name)}", f"{fx.layer_label(name)}: filters",
                     lambda name=name, w=w: fx.filters_figure(name, w)))
    jobs.append(("probabilities", "Class probabilities",
                 lambda: fx.probabilities_figure(ex.trace.probabilities, ex.classes).figure))
    if ex.lr is not None:
        from .figures.lr_finder import plot_lr_find
        jobs.append(("lr-find", "Learning-rate finder", lambda: plot_lr_find(ex.lr).figure))
    return jobs


def _slug(name: str) -> str:
    s = "".join(c if c.isalnum() else "-" for c in str(name)).strip("-").lower()
    return (s or "step")[:40]


def _save_figures(ex, folder: Path, progress) -> dict:
    """Draw every figure in both themes as PNG and SVG; ``{stem: title}``."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .export import SVG_HASHSALT
    from .figures import theme

    jobs = _figure_jobs(ex)
    bar = _bar(len(jobs) * len(THEMES), "report", progress)
    try:
        for stem, title, build in jobs:
            for name in THEMES:
                suffix = "" if name == "light" else f"-{name}"
                with theme(name), matplotlib.rc_context({"svg.hashsalt": SVG_HASHSALT}):
                    fig = build()
                    try:
                        fig.savefig(folder / f"{stem}{suffix}.png", format="png", dpi=DPI,
                                    metadata={"Title": title, "Software": "viz"})
                        if name == "light":          # the dark page needs only the PNG
                            fig.savefig(folder / f"{stem}.svg", format="svg",
                                        metadata={"Title": title, "Date": None})
                    finally:
                        plt.close(fig)
                if bar is not None:
                    bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return {stem: title for stem, title, _ in jobs}


def _bar(total, desc, progress):
    if progress is False:
        return None
    from tqdm.auto import tqdm
    return tqdm(total=total, desc=desc, unit="figure", file=sys.stderr, leave=False,
                delay=0 if progress else 1.0, disable=None if progress is None else False)


# ----------------------------------------------------------------------------- the page
def _css() -> str:
    """The page's styles (viz/report_static/explain.css), inlined: one self-contained file."""
    return (Path(__file__).parent / "report_static" / "explain.css").read_text(encoding="utf-8")



def _picture(stem: str, title: str, caption: str = "", *, wide: bool = False) -> str:
    """The figure's light PNG, its dark PNG when the reader's system is dark (``wide``: the
    whole page width, scrolling sideways only on a narrow window), links to its SVG and dark PNG."""
    light, dark = f"figures/{stem}.png", f"figures/{stem}-dark.png"
    has_dark = "dark" in THEMES
    links = f'<a href="figures/{_esc(stem)}.svg">SVG</a>' + (
        f' · <a href="{_esc(dark)}">dark PNG</a>' if has_dark else "")
    source = (f'<source srcset="{_esc(dark)}" media="(prefers-color-scheme: dark)">'
              if has_dark else "")
    return (f'<figure id="fig-{_esc(stem)}"{" class=wide" if wide else ""}><div class="scroll">'
            f'<a href="{_esc(light)}"><picture>{source}<img src="{_esc(light)}" '
            f'alt="{_esc(title)}" loading="lazy"></picture></a></div><figcaption>{_esc(caption or title)} · {links}'
            f'</figcaption></figure>')


def _shape(shape) -> str:
    if shape and isinstance(shape[0], (tuple, list)):
        return ", ".join(_shape(s) for s in shape)
    return "×".join(str(d) for d in shape)


def _summary_html(summary) -> str:
    rows = "".join(f"<tr><td>{_esc(r.name)}</td><td>{_esc(_shape(r.input_shape[1:] if r.input_shape and not isinstance(r.input_shape[0], tuple) else r.input_shape))}</td>"
                   f"<td>{_esc(_shape(r.output_shape[1:] if r.output_shape and not isinstance(r.output_shape[0], tuple) else r.output_shape))}</td>"
                   f'<td class="n">{r.params:,}</td><td>{_esc(r.trainable_text)}</td></tr>'
                   for r in summary.rows)
    return ("<table><tr><th>Layer</th><th>Input shape</th><th>Output shape</th><th>Param #</th>"
            f"<th>Trainable</th></tr>{rows}</table>"
            f"<p>Total params: {summary.total_params:,} · trainable: {summary.trainable_params:,}"
            f" · mult-adds: {summary.mult_adds:,} · <a href=\"summary.json\">summary.json</a></p>")


def _steps_html(trace) -> str:
    rows = "".join(f"<tr><td>{i + 1}</td><td>{_esc(s.name)}</td><td>{_esc(s.kind)}</td>"
                   f"<td>{_esc(s.op)}</td><td>{_esc(_shape(s.output.shape))}</td></tr>"
                   for i, s in enumerate(trace.steps))
    how = {"fx": "traced with torch.fx (functional calls included)",
           "hooks": "recorded with forward hooks on the modules (torch.fx could not trace it)"}
    return (f"<details><summary>Every step of the forward pass ({len(trace.steps)}; "
            f"{_esc(how.get(trace.method, trace.method))})</summary><table><tr><th>#</th>"
            f"<th>step</th><th>kind</th><th>op</th><th>output</th></tr>{rows}</table></details>")


_READ = {"logits": "The model returns scores (logits); the probabilities are their softmax.",
         "log_probabilities": "The model returns log-probabilities (log_softmax); the "
                              "probabilities are their exponentials.",
         "probabilities": "The model returns probabilities (its last step is a softmax)."}


def _page(ex, titles: dict, *, video, explorer) -> str:
    from .figures.explain import pages
    p = ex.trace.probabilities
    best = int(p.argmax())
    sec, nav = [], []

    def section(key, heading, body):
        nav.append(f'<a href="#{key}">{_esc(heading)}</a>')
        sec.append(f'<section id="{key}"><h2>{_esc(heading)}</h2>{body}</section>')

    notes = "".join(f"<li>{_esc(n)}</li>" for n in ex.notes)
    section("model", "The model", _summary_html(ex.summary) + _picture("architecture", titles["architecture"], wide=True)
            + _steps_html(ex.trace) + (f'<ul class="notes">{notes}</ul>' if notes else ""))
    section("input", "The input", f'<p class="line">{_esc(ex.conversion)}</p>'
            + _picture("input", titles["input"]))
    maps = ex.trace.maps()
    if maps:
        body = ["<p>Every convolution and pooling step's output for this input, one map per "
                "channel, green positive, red negative, on one scale per layer.</p>"]
        for i, s in enumerate(maps):
            c = s.output.shape[0]
            stems = [t for t in titles if t.startswith(f"maps-{i + 1:02d}-")]
            body.append(_picture(stems[0], titles[stems[0]]))
            if len(stems) > 1:
                body.append(f"<details><summary>channels {17}-{min(c, 16 * len(stems))} of {c} "
                            f"({len(stems) - 1} more page(s))</summary>"
                            + "".join(_picture(t, titles[t]) for t in stems[1:]) + "</details>")
            if pages(c) > len(stems):
                body.append(f"<p>Channels {16 * len(stems) + 1}-{c} of {_esc(s.name)} are not drawn "
                            f"(at most {MAX_PAGES} pages a layer).</p>")
        section("maps", "Activation maps", "".join(body))
    else:
        section("maps", "Activation maps", '<p class="note">This model has no convolution or '
                "pooling layer: there are no activation maps to show.</p>")
    if ex.filters:
        section("filters", "Filters", "<p>Every convolution layer's weights.</p>" + "".join(
            _picture(t, titles[t]) for t in titles if t.startswith("filters-")))
    rows = "".join(f'<tr><td>{_esc(ex.classes[i])}</td><td class="n">{100 * p[i]:.2f}%</td></tr>'
                   for i in p.argsort()[::-1][:10])
    section("output", "Output", f"<p>{_esc(_READ.get(ex.trace.output_kind, ''))} Most likely: "
            f"<b>{_esc(ex.classes[best])}</b> ({100 * p[best]:.1f}%).</p>"
            + _picture("probabilities", titles["probabilities"])
            + f"<table><tr><th>class</th><th>probability</th></tr>{rows}</table>")
    if ex.lr is not None:
        r = ex.lr
        sug = "".join(f'<tr><td>{_esc(s.name)}</td><td class="n">{s.lr:.3g}</td>'
                      f"<td>{_esc(s.rule)}</td></tr>" for s in r.suggestions)
        section("lr", "Learning-rate finder", "<p>A range test on a copy of the model (yours is "
                f"untouched): {len(r.lrs)} batches, stopped: {_esc(r.stop_reason)}.</p>"
                + _picture("lr-find", titles["lr-find"])
                + f"<table><tr><th>suggestion</th><th>lr</th><th>how</th></tr>{sug}</table>")
    if video is not None:
        section("video", "Video", video)
    if isinstance(explorer, str):
        section("explorer", "Live explorer", f'<p class="note">No live explorer for this model: '
                f"{_esc(explorer.rstrip('.'))}.</p>")
    elif explorer is not None:
        section("explorer", "Live explorer", '<p><a href="explorer/index.html"><b>Open the live '
                "explorer</b></a>: this model running in your browser (offline); draw or load "
                "an input and every layer recomputes.</p>")
    title = f"viz explain: {ex.label}"
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="generator" content="{GENERATOR}"><title>{_esc(title)}</title>'
            f"<style>{_css()}</style></head><body><header><h1>{_esc(title)}</h1>"
            f"<p>Input {_esc(_shape(ex.shape))} → <b>{_esc(ex.classes[best])}</b> "
            f"({100 * p[best]:.1f}%)</p></header><nav>{''.join(nav)}</nav>{''.join(sec)}"
            "</body></html>\n")


def _video_html(video, folder: Path) -> str:
    """Copy the rendered video (and poster, captions) into ``folder``; its HTML."""
    mp4, poster = (video, None) if isinstance(video, (str, os.PathLike)) else tuple(video)[:2]
    mp4 = Path(mp4)
    if not mp4.is_file():
        raise ValueError(f"the video {mp4} was not written")
    folder.mkdir()
    shutil.copyfile(mp4, folder / "explain.mp4")
    attr = track = ""
    if poster is not None and Path(poster).is_file():
        shutil.copyfile(poster, folder / "explain-poster.png")
        attr = ' poster="video/explain-poster.png"'
    for ext in (".srt", ".vtt"):
        if mp4.with_suffix(ext).is_file():
            shutil.copyfile(mp4.with_suffix(ext), folder / f"explain{ext}")
    if (folder / "explain.vtt").is_file():         # inlined: file:// refuses track files
        src = "data:text/vtt;charset=utf-8," + quote((folder / "explain.vtt").read_text(encoding="utf-8"), safe="")
        track = f'<track kind="captions" srclang="en" label="English" default src="{src}">'
    return (f'<figure><video controls preload="metadata"{attr} src="video/explain.mp4">{track}'
            "</video><figcaption>This model and this input, layer by layer (Otavio Good's "
            'style). <a href="video/explain.mp4">explain.mp4</a></figcaption></figure>')


def write_report(explanation, out_dir, *, video=None, explorer=None, progress=None) -> Path:
    """Write the report on ``explanation`` into ``out_dir``; return ``out_dir/index.html``.

    Parameters
    ----------
    explanation : viz.core.explain.Explanation
    video : path of an mp4, or (mp4, poster), optional
        The rendered scene (:func:`viz.explain_video.render_explanation_video`); copied in,
        with the ``.srt``/``.vtt`` captions beside it.
    explorer : dict or str, optional
        :func:`viz.core.explain.browser.browser_model`'s data: the live explorer is written
        into ``out_dir/explorer/``; or the one-line reason it cannot run in the browser.
    progress : None, bool
        A bar over the figures (None: only on a terminal, after a second).
    """
    out = check_report_dir(out_dir, None)
    with track_new_dirs():
        ensure_dir(out.parent)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name[:40]}.tmp-", dir=out.parent))
        try:
            os.chmod(tmp, 0o777 & ~_umask())
            figs = tmp / "figures"
            figs.mkdir()
            titles = _save_figures(explanation, figs, progress)
            (tmp / "summary.json").write_text(json.dumps(explanation.summary.to_dict(), indent=1) + "\n",
                                              encoding="utf-8")
            video_html = _video_html(video, tmp / "video") if video is not None else None
            if isinstance(explorer, dict):
                from .explore_model import write_model_explorer
                write_model_explorer(tmp / "explorer", explorer)
            (tmp / "index.html").write_text(_page(explanation, titles, video=video_html,
                                                  explorer=explorer), encoding="utf-8")
            files = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if p.is_file())
            (tmp / MARK).write_text(json.dumps({"generator": GENERATOR, "model": explanation.label,
                                                "files": files}, indent=1) + "\n", encoding="utf-8")
            _install(tmp, out)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return Path(out_dir) / "index.html"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
