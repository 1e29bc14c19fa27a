"""``viz explore``: write the live explorer, a folder of static files that works from file://.

The folder holds ``index.html``, ``explorer.css``, ``explorer.js``, the shared ``lib-*.js``
(arithmetic: the networks, picture conversion), every ``panel-*.js`` of
``viz/explorer/static/`` and ``data.js`` (``window.VIZ_DATA = {...};``, the weights and
recorded runs exported by :func:`viz.core.explorer_data.export_all`). Classic scripts only:
no ES modules, no fetch, no CDN, so it opens by double-click with no server or network.
"""
from __future__ import annotations

import html
import json
from importlib import resources
from pathlib import Path

from ._io import atomic_path, ensure_dir, write_text_atomic

#: The order the shell mounts the panels in (their script files: ``panel-<id>.js``).
PANELS = ("convexample", "otavio", "convarith", "softmax", "sgdr", "lrfinder")


def _static():
    return resources.files("viz.explorer").joinpath("static")


def _files(root, prefix=""):
    for item in sorted(root.iterdir(), key=lambda p: p.name):
        if item.name.startswith(".") or item.name == "__pycache__":
            continue
        rel = f"{prefix}{item.name}"
        if item.is_dir():
            yield from _files(item, rel + "/")
        else:
            yield rel, item


def data_js(data: dict) -> str:
    """``window.VIZ_DATA = {...};`` (NaN or infinity is refused: JSON has no such numbers)."""
    try:
        blob = json.dumps(data, allow_nan=False, separators=(",", ":"))
    except ValueError:
        raise ValueError("explorer data holds NaN or infinite numbers") from None
    except TypeError as exc:
        raise ValueError(f"explorer data is not JSON-able: {exc}") from None
    # "</" cannot end a script here (a separate file), but keep the file safe to inline too.
    return "window.VIZ_DATA = " + blob.replace("</", "<\\/") + ";\n"


def write_explorer(out_dir, *, data=None, gallery_href: str | None = None) -> Path:
    """Write the explorer into ``out_dir`` and return the path of its ``index.html``.

    ``data`` defaults to :func:`viz.core.explorer_data.export_all` (trains nothing that is
    cached already). ``gallery_href``, when given, adds a link back to the gallery page.
    """
    out = ensure_dir(out_dir)
    if data is None:
        from .core.explorer_data import export_all
        data = export_all()
    script = data_js(data)           # check the data before writing anything
    files = dict(_files(_static()))
    panels = [f"panel-{p}.js" for p in PANELS if f"panel-{p}.js" in files]
    panels += sorted(n for n in files if n.startswith("panel-") and n.endswith(".js") and n not in panels)
    panels = sorted(n for n in files if n.startswith("lib-") and n.endswith(".js")) + panels
    for rel, item in files.items():
        if rel == "index.html":
            continue
        dest = out / rel
        with atomic_path(dest) as tmp:
            tmp.write_bytes(item.read_bytes())
    write_text_atomic(out / "data.js", script)
    page = files["index.html"].read_text(encoding="utf-8")
    tags = "\n".join(f'<script src="{html.escape(n)}"></script>' for n in panels)
    link = (f' <a href="{html.escape(gallery_href, quote=True)}" id="gallery-link">Back to the gallery</a>'
            if gallery_href else "")
    page = page.replace("<!--PANEL-SCRIPTS-->", tags).replace("<!--GALLERY-LINK-->", link)
    return write_text_atomic(out / "index.html", page)
