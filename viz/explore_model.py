"""The live page of one user's model: a folder of static files that works from file://.

:func:`write_model_explorer` writes ``index.html`` (from ``viz/explorer/model/model.html``),
``model.css``, ``lib-modelnet.js`` (the arithmetic), ``lib-modelinput.js`` (pictures ->
input), ``panel-model.js`` (the page), copies of the explorer's ``explorer.css`` (the look)
``lib-draw.js`` (drawing) and ``lib-image28.js`` (Pillow's box reduce), and ``model-data.js`` (``window.VIZ_MODEL = {...};``, the
data of :func:`viz.core.explain.browser.browser_model`). Classic scripts, no fetch, no
network: it opens by double-click.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from importlib import resources
from pathlib import Path

from ._io import check_output, ensure_dir
from .explore import data_js

#: (file in the output folder, package folder, file there)
FILES = (("index.html", "model", "model.html"), ("model.css", "model", "model.css"),
         ("lib-modelnet.js", "model", "lib-modelnet.js"), ("lib-modelinput.js", "model", "lib-modelinput.js"),
         ("panel-model.js", "model", "panel-model.js"), ("explorer.css", "static", "explorer.css"),
         ("lib-draw.js", "static", "lib-draw.js"), ("lib-image28.js", "static", "lib-image28.js"))


def model_js(data: dict) -> str:
    """``window.VIZ_MODEL = {...};`` after checking the data is the page's (see browser_model)."""
    if not isinstance(data, dict) or not isinstance(data.get("ops"), list) or \
            not isinstance(data.get("input"), dict) or "shape" not in data["input"]:
        raise ValueError("model explorer data must be a dict from browser_model (with 'input' and 'ops')")
    script = data_js(data)
    prefix = "window.VIZ_DATA = "
    return "window.VIZ_MODEL = " + script[len(prefix):]


def write_model_explorer(out_dir, data: dict) -> Path:
    """Write the page into the folder ``out_dir`` and return the path of its ``index.html``.

    Everything is written into a temporary folder beside ``out_dir`` first; a new
    ``out_dir`` is then that folder renamed, an existing one gets each file replaced
    atomically (``index.html`` last), so no half-written page is ever seen. Other files
    in an existing ``out_dir`` are left alone.
    """
    out = Path(out_dir)
    script = model_js(data)                     # check the data before writing anything
    if out.exists() and not out.is_dir():
        raise ValueError(f"output path is not a folder: {out}")
    check_output(out / "index.html")
    parent = ensure_dir(out.parent if str(out.parent) else Path("."))
    root = resources.files("viz.explorer")
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name[:40]}.", dir=parent))
    try:
        for name, folder, src in FILES:
            (tmp / name).write_bytes(root.joinpath(folder, src).read_bytes())
        (tmp / "model-data.js").write_text(script, encoding="utf-8")
        os.chmod(tmp, 0o777 & ~_umask())
        for f in tmp.iterdir():
            os.chmod(f, 0o666 & ~_umask())
        if not out.exists():
            try:
                os.rename(tmp, out)
                return out / "index.html"
            except OSError:                       # made meanwhile: replace file by file
                pass
        names = sorted(p.name for p in tmp.iterdir() if p.name != "index.html") + ["index.html"]
        for name in names:
            try:
                os.replace(tmp / name, out / name)
            except OSError as exc:
                raise ValueError(f"cannot write {out / name}: {exc.strerror or exc}") from None
        return out / "index.html"
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(tmp)


def _umask() -> int:
    m = os.umask(0)
    os.umask(m)
    return m
