"""The live explorer's panels as Jupyter widgets (anywidget), with Python passing the data.

Each widget's ES module is built from the *same* files as the static page
(``viz/explorer/static/explorer.js`` and ``panel-*.js``, read when this module is imported
and inlined into one module string) and calls ``VizExplorer.mount(panel, el, data)``; the
data travels in the ``data`` traitlet, e.g. a range test the student just ran::

    from viz.widgets import LRFinderWidget
    result = lr_find(model, optimizer, loader, loss_fn)
    LRFinderWidget(result)          # the replay, scrubber and suggestions of *this* run

Widgets: :class:`ConvArithWidget`, :class:`SoftmaxWidget`, :class:`SGDRWidget`,
:class:`LRFinderWidget` (panels 3-6), :class:`ConvExampleWidget`, :class:`OtavioWidget`
(panels 1-2, data from :mod:`viz.core.explorer_data`), or :class:`ExplorerWidget` with any
``panel=`` id. Needs ``anywidget`` (the ``notebooks`` extra); the page needs nothing.
"""
from __future__ import annotations

import json
import re
from importlib import resources

import anywidget
import traitlets

PANELS = ("convexample", "otavio", "convarith", "softmax", "sgdr", "lrfinder")


def _static_text(name: str) -> str:
    return resources.files("viz.explorer").joinpath("static", name).read_text(encoding="utf-8")


def _script_files() -> list[str]:
    """As the page loads them: the shared ``lib-*.js``, then every panel in the shell's order."""
    names = {p.name for p in resources.files("viz.explorer").joinpath("static").iterdir()}
    libs = sorted(n for n in names if n.startswith("lib-") and n.endswith(".js"))
    return libs + [f"panel-{p}.js" for p in PANELS if f"panel-{p}.js" in names]


_RENDER = """
function render({ model, el }) {
  const box = document.createElement("div");
  box.className = "viz-widget";
  box.setAttribute("data-theme", "light");
  el.appendChild(box);
  const show = () => {
    box.replaceChildren();
    window.VizExplorer.palette = model.get("palette") || null;
    const body = document.createElement("div");
    body.className = "viz-panel-body";
    box.appendChild(body);
    try {
      window.VizExplorer.mount(model.get("panel"), body, model.get("data") || undefined);
    } catch (err) {
      window.VizExplorer.api.message(body, "This panel could not start: " + (err && err.message ? err.message : err));
      console.error(err);
    }
  };
  show();
  model.on("change:data", show);
  model.on("change:panel", show);
}
export default { render };
"""


#: explorer.js builds the whole page into ``#main`` when it loads; a notebook has its own
#: ``#main`` (JupyterLab's shell), so in the widget the shell sees none of the page's ids.
_NO_PAGE = """(function () {
  const hide = new Set(["main", "panel-nav", "theme-toggle"]);
  return new Proxy(window.document, {get(doc, key) {
    if (key === "getElementById") return id => (hide.has(id) ? null : doc.getElementById(id));
    const v = doc[key];
    return typeof v === "function" ? v.bind(doc) : v;
  }});
})()"""


def build_esm() -> str:
    """The widget module: explorer.js, the lib-*.js and panel-*.js files, then anywidget's ``render``."""
    parts = ["// viz explorer widget: the static page's scripts, inlined (viz/explorer/static)",
             "// ---- explorer.js (it sees no page to build: the widget mounts one panel itself)\n"
             f"(function (document) {{\n{_static_text('explorer.js')}\n}})({_NO_PAGE});"]
    for name in _script_files():
        parts.append(f"// ---- {name}\n" + _static_text(name))
    return "\n;\n".join(parts) + "\n" + _RENDER


def _scope(css: str) -> str:
    """explorer.css limited to the widget: page-wide rules dropped, the rest under .viz-widget."""
    out = []
    for m in re.finditer(r"(@media[^{]+)\{((?:[^{}]*\{[^{}]*\})*)\s*\}|([^{}@]+)\{([^{}]*)\}", css):
        if m.group(1):
            inner = _scope(m.group(2))
            if inner.strip():
                out.append(f"{m.group(1).strip()} {{\n{inner}}}\n")
            continue
        sels, body = m.group(3), m.group(4)
        sels = re.sub(r"/\*.*?\*/", "", sels, flags=re.S).strip()
        keep = []
        for sel in (s.strip() for s in sels.split(",")):
            if sel in (":root", "html[data-theme=light]"):
                keep.append(".viz-widget")
            elif sel == "html[data-theme=dark]":
                keep.append(".viz-widget[data-theme=dark]")
            elif "viz-" in sel or re.match(r"(button|select|input|code|\.btn)\b", sel):
                keep.append(".viz-widget " + sel)
        if keep:
            out.append(", ".join(dict.fromkeys(keep)) + " {" + body + "}\n")
    return "".join(out)


def build_css() -> str:
    return _scope(_static_text("explorer.css")) + (
        ".viz-widget { background: var(--panel); color: var(--text); padding: .6rem .8rem; border-radius: 8px;"
        " border: 1px solid var(--border); font-family: system-ui, -apple-system, 'DejaVu Sans', sans-serif;"
        " line-height: 1.4; max-width: 1100px; }\n")


ESM = build_esm()
CSS = build_css()


def _jsonable(data):
    """The data exactly as the page would get it (JSON, no NaN/inf)."""
    try:
        return json.loads(json.dumps(data, allow_nan=False))
    except ValueError:
        raise ValueError("widget data holds NaN or infinite numbers") from None


class ExplorerWidget(anywidget.AnyWidget):
    """One explorer panel (``panel`` is its id) showing ``data`` (what ``VIZ_DATA[panel]`` holds)."""

    _esm = ESM
    _css = CSS
    panel = traitlets.Unicode("lrfinder").tag(sync=True)
    data = traitlets.Dict(allow_none=True).tag(sync=True)
    palette = traitlets.Dict(allow_none=True).tag(sync=True)

    def __init__(self, panel: str, data: dict | None, **kwargs):
        if panel not in PANELS:
            raise ValueError(f"unknown explorer panel {panel!r} (choose from {', '.join(PANELS)})")
        from .core.explorer_data import palette

        super().__init__(panel=panel, data=None if data is None else _jsonable(data),
                         palette=palette(), **kwargs)


class ConvArithWidget(ExplorerWidget):
    """Panel 3: input size, kernel, stride, padding, dilation; the window slides."""

    def __init__(self, **kwargs):
        from .core.explorer_lessons import convarith_data
        super().__init__("convarith", convarith_data(), **kwargs)


class SoftmaxWidget(ExplorerWidget):
    """Panel 4: five logits (the entropy sheet's, or ``logits``), softmax vs sigmoid bars."""

    def __init__(self, logits=None, **kwargs):
        from .core.explorer_lessons import softmax_data
        data = softmax_data()
        if logits is not None:
            from .core.softmax import entropy_sheet
            data["logits"] = entropy_sheet(logits).output.tolist()    # validated: 5 finite numbers
        super().__init__("softmax", data, **kwargs)


class SGDRWidget(ExplorerWidget):
    """Panel 5: the SGDR wave and the other schedules, starting from these settings."""

    def __init__(self, lr: float | None = None, *, n_cycles: int | None = None, cycle_len: float | None = None,
                 cycle_mult: float | None = None, iters_per_epoch: int | None = None,
                 warmup: bool | None = None, **kwargs):
        from .core import schedules as S
        from .core.explorer_lessons import sgdr_data
        data = sgdr_data()
        given = {"lr": lr, "n_cycles": n_cycles, "cycle_len": cycle_len, "cycle_mult": cycle_mult,
                 "iters_per_epoch": iters_per_epoch, "warmup": warmup}
        d = dict(data["defaults"], **{k: v for k, v in given.items() if v is not None})
        S.sgdr(d["lr"], iters_per_epoch=d["iters_per_epoch"], n_cycles=d["n_cycles"],   # ValueError if bad
               cycle_len=d["cycle_len"], cycle_mult=d["cycle_mult"], warmup=d["warmup"])
        data["defaults"] = d
        super().__init__("sgdr", data, **kwargs)


class LRFinderWidget(ExplorerWidget):
    """Panel 6: a range test replayed (``result`` from ``lr_find``; default: the recorded demo)."""

    def __init__(self, result=None, **kwargs):
        from .core.explorer_lessons import lr_finder_data
        super().__init__("lrfinder", lr_finder_data(result), **kwargs)


class ConvExampleWidget(ExplorerWidget):
    """Panel 1: the conv-example network (``params`` from ``load_conv_example``, edited or not)."""

    def __init__(self, params=None, **kwargs):
        from .core.explorer_data import convexample_data
        data = convexample_data()
        if params is not None:
            from .core.spreadsheet import trace_conv_example
            for key in ("input", "conv1", "conv2", "dense"):
                data[key] = _jsonable(getattr(params, key).tolist())
            data["sheet_dense"] = float(trace_conv_example(params).dense)
        super().__init__("convexample", data, **kwargs)


class OtavioWidget(ExplorerWidget):
    """Panel 2: Otavio's network (``net`` as ``load_otavio`` returns it; default: the cached one)."""

    def __init__(self, net=None, **kwargs):
        from .core.explorer_data import otavio_data
        super().__init__("otavio", otavio_data(net), **kwargs)
