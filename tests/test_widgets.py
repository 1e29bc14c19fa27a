"""viz.widgets: the explorer panels as anywidget widgets built from the page's own scripts."""
import json
import shutil

import numpy as np
import pytest

anywidget = pytest.importorskip("anywidget")

from viz import widgets as W  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
STATIC = W.resources.files("viz.explorer").joinpath("static")


@pytest.fixture(scope="module")
def run():
    """A range test the student "just ran": a tiny linear model on random data."""
    import torch
    from torch import nn

    from viz.core.lr_finder import lr_find

    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(256, 4, generator=g), torch.randint(0, 3, (256,), generator=g)
    loader = [(x[i:i + 8], y[i:i + 8]) for i in range(0, 256, 8)]
    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    return lr_find(model, opt, loader, nn.CrossEntropyLoss(), start_lr=1e-4, end_lr=100, num_iter=60,
                   progress=False)


def test_esm_is_the_page_scripts():
    esm = W.ESM
    names = sorted(p.name for p in STATIC.iterdir() if p.name.endswith(".js"))
    assert {"explorer.js", "panel-convarith.js", "panel-softmax.js", "panel-sgdr.js", "panel-lrfinder.js"} <= set(names)
    for name in names:
        assert STATIC.joinpath(name).read_text(encoding="utf-8") in esm, name
    assert esm.index("// ---- explorer.js") < min(esm.index(f"// ---- {n}") for n in names if n != "explorer.js")
    assert "VizExplorer.mount(model.get(\"panel\")" in esm and "export default { render }" in esm
    assert ".viz-widget .viz-slider" in W.CSS and "body {" not in W.CSS      # scoped: never the notebook's page


def test_lr_finder_widget_round_trips_the_data(run):
    from viz.core.explorer_lessons import lr_finder_data

    w = W.LRFinderWidget(run)
    assert w.panel == "lrfinder"
    assert w.data == json.loads(json.dumps(lr_finder_data(run)))
    assert w.data["lrs"] == run.lrs.tolist() and w.data["smoothed"] == run.smoothed.tolist()
    state = w.get_state()
    other = W.ExplorerWidget("lrfinder", None)
    other.set_state({"data": state["data"], "panel": state["panel"]})
    assert other.data == w.data
    assert [s["lr"] for s in w.data["suggestions"]] == [s.lr for s in run.suggestions]


def test_other_widgets_and_bad_input():
    from viz.core import schedules as S

    w = W.SGDRWidget(0.1, n_cycles=4, cycle_mult=1, iters_per_epoch=20)
    assert w.data["defaults"] == {"lr": 0.1, "n_cycles": 4, "cycle_len": 1.0, "cycle_mult": 1,
                                  "iters_per_epoch": 20, "warmup": True}
    assert S.sgdr(0.1, iters_per_epoch=20, n_cycles=4).n_iter == 80
    with pytest.raises(ValueError, match="whole number of iterations"):
        W.SGDRWidget(iters_per_epoch=3, cycle_len=0.5)
    s = W.SoftmaxWidget([1, 2, 3, 4, 5])
    assert s.data["logits"] == [1.0, 2.0, 3.0, 4.0, 5.0]
    with pytest.raises(ValueError, match="5 numbers"):
        W.SoftmaxWidget([1, 2])
    with pytest.raises(ValueError, match="unknown explorer panel"):
        W.ExplorerWidget("nope", {})
    assert W.ConvArithWidget().data["kernels"]["3"] == [[0.0, 1.0, 2.0], [2.0, 2.0, 0.0], [0.0, 1.0, 2.0]]


@pytest.mark.chromium
@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")
def test_widget_module_renders_in_chromium(run):
    """The widget's ES module, given a stand-in for anywidget's model, mounts the panel."""
    from playwright.sync_api import sync_playwright

    from viz.core.lr_finder import suggest_all

    w = W.LRFinderWidget(run)
    state = {"panel": w.panel, "data": w.data, "palette": w.palette}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 900, "height": 700})
            errors = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            # a notebook page has its own #main (JupyterLab's shell): the widget must leave it alone
            page.set_content(f"<style>{W.CSS}</style><div id='main'></div><div id='out'></div>")
            page.evaluate("""async ([esm, state]) => {
                const url = URL.createObjectURL(new Blob([esm], {type: "text/javascript"}));
                const mod = await import(url);
                const model = {get: k => state[k], on() {}};
                mod.default.render({model, el: document.getElementById("out")});
            }""", [W.ESM, state])
            page.wait_for_function("() => window.vizTest && window.vizTest.lrfinder")
            got = page.evaluate("vizTest.lrfinder.suggest(10, 5)")
            canvas = page.locator("#out canvas").screenshot()
            page.wait_for_timeout(50)
            assert page.evaluate("document.getElementById('main').childElementCount") == 0
        finally:
            browser.close()
    assert not errors, errors
    py = suggest_all(run.lrs, run.smoothed, skip_start=10, skip_end=5)
    assert [s["index"] for s in got] == [s.index for s in py]
    np.testing.assert_allclose([s["lr"] for s in got], [s.lr for s in py], rtol=1e-12)
    assert len(canvas) > 2000


def test_short_run_skips_nothing(run):
    """As with_suggestions: a run too short for the default window skips no points."""
    import dataclasses

    from viz.core.explorer_lessons import lr_finder_data
    from viz.core.lr_finder import with_suggestions

    short = with_suggestions(dataclasses.replace(run, lrs=run.lrs[:12], group_lrs=run.group_lrs[:12],
                                                 losses=run.losses[:12], smoothed=run.smoothed[:12]))
    d = lr_finder_data(short)
    assert (d["skip_start"], d["skip_end"]) == (0, 0)
    assert [s["index"] for s in d["suggestions"]] == [s.index for s in short.suggestions]
    with pytest.raises(ValueError, match="at least 2"):
        lr_finder_data(dataclasses.replace(run, lrs=run.lrs[:1], group_lrs=run.group_lrs[:1],
                                           losses=run.losses[:1], smoothed=run.smoothed[:1]))
