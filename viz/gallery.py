"""The gallery page: ``index.html`` showing every figure and playing every video.

Plain HTML with relative links, so it works straight from the file system.
"""
from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import quote

from ._io import write_text_atomic

_CSS = """
body{font-family:system-ui,-apple-system,"DejaVu Sans",sans-serif;margin:0;background:#fafafa;color:#222}
header{padding:1.5rem 2rem;background:#14213d;color:#fff}
header h1{margin:0 0 .3rem 0;font-size:1.6rem}
header p{margin:0;opacity:.85}
nav{padding:.6rem 2rem;background:#e9ecef;font-size:.95rem}
nav a{margin-right:1.2rem;color:#14213d}
section{padding:1rem 2rem}
h2{border-bottom:2px solid #14213d;padding-bottom:.3rem}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:1.2rem}
figure{margin:0;background:#fff;border:1px solid #ddd;border-radius:6px;padding:.8rem}
figure img,figure video{width:100%;height:auto;background:#000;border-radius:3px}
figure img.light{background:#fff}
figcaption{margin-top:.5rem;font-size:.92rem;line-height:1.35}
figcaption b{display:block;font-size:1rem;margin-bottom:.2rem}
code{display:block;margin-top:.4rem;background:#f1f3f5;padding:.35rem .5rem;border-radius:4px;
     font-size:.82rem;white-space:pre-wrap;word-break:break-all}
.themes{font-size:.85rem;margin-top:.3rem}
.kind{font-size:.75rem;text-transform:uppercase;letter-spacing:.05em;color:#6c757d}
.explore{margin:.2rem 0 .8rem;font-size:.95rem}
.explore-top{padding:.7rem 2rem;background:#fff3cd;border-bottom:1px solid #e6d8a8;font-size:1rem}
"""

#: Explorer panels that fit each topic's section: topic -> [(panel id, what it lets you do)].
EXPLORER_PANELS = {
    "spreadsheet": [("convexample", "draw your own digit and follow every cell of the spreadsheet network")],
    "convmatmul": [("convexample", "any cell as one row of the patch matrix times one column of the weights"),
                   ("convarith", "input, kernel, stride, padding and dilation as controls")],
    "softmax": [("softmax", "drag five logits and a temperature: softmax and sigmoid bars")],
    "lrfinder": [("lrfinder", "replay a recorded range test batch by batch")],
    "sgdr": [("sgdr", "lr, cycles, cycle_len, cycle_mult: the schedule redraws")],
    "otavio": [("otavio", "draw a letter and watch every layer and the class percentages")],
}


def _esc(s) -> str:
    return html.escape(str(s), quote=True)


#: Where ``viz slides --out <gallery>/slides`` puts the decks the gallery links to.
DECKS_DIR = "slides"


def _captions_track(out_dir: Path, video: str) -> str:
    """A WebVTT captions track for ``video`` when its ``.vtt`` lies beside it.

    The cues are inlined as a ``data:`` URL: Chromium refuses to load a track file from
    ``file://`` (each file is its own origin), and the page must work by double-click.
    """
    vtt = out_dir / Path(video).with_suffix(".vtt")
    if not vtt.is_file():
        return ""
    src = "data:text/vtt;charset=utf-8," + quote(vtt.read_text(encoding="utf-8"), safe="")
    return f'<track kind="captions" srclang="en" label="English" default src="{src}">'


def _deck_link(out_dir: Path, entry) -> str:
    """A link to the scene's slide deck when it has been made (viz slides)."""
    deck = f"{DECKS_DIR}/{entry.name}.html"
    if not (out_dir / deck).is_file():
        return ""
    return f'<div class="themes"><a href="{_esc(deck)}">present it step by step (slides)</a></div>'


def write_index(out_dir, *, figures, scenes, topics, title="viz gallery", explorer=None) -> Path:
    """Write ``out_dir/index.html``.

    figures : list of (Entry, {theme: relative path}, command)
    scenes : list of (Entry, video relative path, poster relative path or None, command)
    topics : list of (topic, heading) in display order
    explorer : relative link to the live explorer's index.html (linked at the top and from
        each topic whose section has a panel there), or None
    """
    out_dir = Path(out_dir)
    body = []
    nav = []
    for topic, heading in topics:
        figs = [f for f in figures if f[0].topic == topic]
        vids = [s for s in scenes if s[0].topic == topic]
        if not figs and not vids:
            continue
        nav.append(f'<a href="#{_esc(topic)}">{_esc(heading)}</a>')
        items = []
        for entry, paths, command in figs:
            main = paths.get("light") or next(iter(paths.values()))
            others = " · ".join(f'<a href="{_esc(p)}">{_esc(t)} theme</a>' for t, p in paths.items())
            items.append(
                f'<figure id="figure-{_esc(entry.name)}"><div class="kind">figure</div>'
                f'<a href="{_esc(main)}"><img class="light" src="{_esc(main)}" alt="{_esc(entry.title)}" loading="lazy"></a>'
                f'<figcaption><b>{_esc(entry.title)}</b>{_esc(entry.caption)}'
                f'<div class="themes">{others}</div><code>{_esc(command)}</code></figcaption></figure>')
        for entry, video, poster, command in vids:
            poster_attr = f' poster="{_esc(poster)}"' if poster else ""
            items.append(
                f'<figure id="scene-{_esc(entry.name)}"><div class="kind">video</div>'
                f'<video controls preload="metadata"{poster_attr} src="{_esc(video)}">'
                f'{_captions_track(out_dir, video)}</video>'
                f'<figcaption><b>{_esc(entry.title)}</b>{_esc(entry.caption)}'
                f'{_deck_link(out_dir, entry)}<code>{_esc(command)}</code></figcaption></figure>')
        live = ""
        if explorer and EXPLORER_PANELS.get(topic):
            live = '<p class="explore">Try it live: ' + " · ".join(
                f'<a href="{_esc(explorer)}#panel-{_esc(pid)}">{_esc(what)}</a>'
                for pid, what in EXPLORER_PANELS[topic]) + "</p>"
        body.append(f'<section id="{_esc(topic)}"><h2>{_esc(heading)}</h2>{live}'
                    f'<div class="grid">{"".join(items)}</div></section>')
    top = (f'<p class="explore-top"><a href="{_esc(explorer)}"><b>Open the live explorer</b></a>: '
           'draw your own digit, touch any cell, drag any slider; every number recomputes in '
           'the browser, offline.</p>') if explorer else ""
    page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{_esc(title)}</title><style>{_CSS}</style></head><body>'
            f'<header><h1>{_esc(title)}</h1><p>How convolutional networks learn, computed from '
            f'real PyTorch models (fast.ai 2018, lessons 2 and 3). Every picture comes with '
            f'the command that makes it.</p></header>'
            f'<nav>{"".join(nav)}</nav>{top}{"".join(body)}</body></html>\n')
    return write_text_atomic(out_dir / "index.html", page)
