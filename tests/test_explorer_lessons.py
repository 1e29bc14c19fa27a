"""The explorer's lesson panels 3-6 in headless Chromium, against torch and viz.core.

The page's own arithmetic (conv output sizes and values, softmax / sigmoid / CE / BCE, the
SGDR wave and torch's schedulers, the LR finder's smoothing, stop rule and suggestions) is
read through ``window.vizTest`` and compared with torch and the Python functions it copies.
The real controls (sliders through the keyboard, buttons) are driven too; the page is opened
from file:// with every non-file request refused, and any console error fails the test.
"""
import json
import math
import shutil

import numpy as np
import pytest
from PIL import Image

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.chromium,
              pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RTOL = 1e-5


@pytest.fixture(scope="module")
def data():
    from viz.core.explorer_data import palette
    from viz.core.explorer_lessons import lesson_panels_data

    return {"version": 1, "palette": palette(), **lesson_panels_data()}


@pytest.fixture(scope="module")
def site(tmp_path_factory, data):
    from viz.explore import write_explorer

    return write_explorer(tmp_path_factory.mktemp("explorer"), data=data)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def _open(browser, site, width=1280, height=720, theme="light"):
    page = browser.new_page(viewport={"width": width, "height": height})
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r):
        requests.append(r.request.url)
        return r.continue_() if r.request.url.startswith("file:") else r.abort()
    page.route("**/*", route)
    page.add_init_script(f"try {{ localStorage.setItem('viz-theme', '{theme}'); }} catch (e) {{}}")
    page.goto(site.as_uri())
    page.wait_for_function("() => window.vizTest && vizTest.lrfinder && vizTest.sgdr && vizTest.softmax && vizTest.convarith")
    page.errors, page.requests = errors, requests
    return page


@pytest.fixture(scope="module")
def page(browser, site):
    pg = _open(browser, site)
    yield pg
    assert not pg.errors, pg.errors
    assert all(u.startswith("file:") for u in pg.requests), [u for u in pg.requests if not u.startswith("file:")]
    pg.close()


def close(a, b, rtol=RTOL, atol=1e-12):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=atol)


# ---------------------------------------------------------------------------- data
def test_data_comes_from_core(data):
    from viz.core import convmatmul as C
    from viz.core import softmax as S
    from viz.core.explorer_lessons import recorded_lr_find

    json.dumps(data, allow_nan=False)
    assert data["softmax"]["logits"] == S.SHEET_OUTPUTS.tolist()
    assert data["softmax"]["classes"] == list(S.CLASSES)
    r = recorded_lr_find()
    lf = data["lrfinder"]
    assert lf["lrs"] == r.lrs.tolist() and lf["smoothed"] == r.smoothed.tolist()
    assert [s["name"] for s in lf["suggestions"]] == [s.name for s in r.suggestions]
    ex = C.sliding_examples()
    assert [p["output"] for p in data["convarith"]["presets"]] == [c.output[0].tolist() for c in ex.values()]
    assert data["convarith"]["kernels"]["3"] == C.ARITHMETIC_KERNEL.tolist()


# ---------------------------------------------------------------------------- SGDR
SGDR_CASES = [dict(lr=0.2, n_cycles=3, cycle_len=1, cycle_mult=2, iters_per_epoch=100, warmup=True),
              dict(lr=0.1, n_cycles=4, cycle_len=2, cycle_mult=1, iters_per_epoch=10, warmup=False),
              dict(lr=0.5, n_cycles=2, cycle_len=1, cycle_mult=3, iters_per_epoch=7, warmup=True),
              dict(lr=0.05, n_cycles=3, cycle_len=0.5, cycle_mult=2, iters_per_epoch=4, warmup=True),
              dict(lr=1.0, n_cycles=3, cycle_len=1, cycle_mult=1.5, iters_per_epoch=8, warmup=True),
              dict(lr=0.3, n_cycles=1, cycle_len=3, cycle_mult=1, iters_per_epoch=33, warmup=True)]


@pytest.mark.parametrize("case", SGDR_CASES, ids=lambda c: "{n_cycles}-{cycle_len}-{cycle_mult}-{iters_per_epoch}".format(**c))
def test_sgdr_wave_equals_python(page, case):
    from viz.core import schedules as S

    js = page.evaluate("o => vizTest.sgdr.compute(o)", dict(case, schedule="sgdr"))
    kw = {k: v for k, v in case.items() if k != "lr"}
    ref = S.sgdr(case["lr"], **kw)
    close(js["lr"], ref.head)
    assert js["cycle_starts"] == ref.cycle_starts.tolist()
    assert js["arithmetic"] == S.epoch_arithmetic(case["n_cycles"], case["cycle_len"], case["cycle_mult"])
    n = ref.n_iter
    for name, py in [("triangular", S.cyclic(case["lr"] / 4, case["lr"], n_iter=n, step_size=max(1, n // 8))),
                     ("triangular2", S.cyclic(case["lr"] / 4, case["lr"], n_iter=n, step_size=max(1, n // 8),
                                              mode="triangular2")),
                     ("one_cycle", S.one_cycle(case["lr"], n_iter=n)),
                     ("step", S.step_decay(case["lr"], n_iter=n, step_size=max(1, n // 3)))]:
        other = page.evaluate("o => vizTest.sgdr.compute(o)", dict(case, schedule=name))
        close(other["lr"], py.head)


def test_schedules_equal_compare_schedules_and_bad_cycles(page):
    from viz.core import schedules as S

    by = {s.name: s for s in S.compare_schedules()}
    for name, key in [("sgdr", "sgdr"), ("triangular", "triangular"), ("triangular2", "triangular2"),
                      ("one_cycle", "one_cycle"), ("step", "step")]:
        js = page.evaluate("s => vizTest.sgdr.compute({schedule: s})", name)
        close(js["lr"], by[key].head)
    # cycles that are not a whole number of iterations: Python refuses, so does the page
    with pytest.raises(ValueError, match="whole number of iterations"):
        S.sgdr(0.1, iters_per_epoch=3, n_cycles=2, cycle_len=0.5)
    js = page.evaluate("() => vizTest.sgdr.compute({iters_per_epoch: 3, n_cycles: 2, cycle_len: 0.5})")
    assert "whole number of iterations" in js["error"] and "lr" not in js


# ---------------------------------------------------------------------------- softmax
def test_softmax_sigmoid_losses_equal_torch(page, rng):
    import torch
    import torch.nn.functional as F

    cases = []
    for _ in range(12):
        x = rng.uniform(-8, 8, 5).round(2)
        T = float(rng.choice([0.1, 0.5, 1.0, 2.3, 5.0]))
        y = np.zeros(5)
        y[rng.choice(5, size=int(rng.integers(1, 3)), replace=False)] = 1
        cases.append((x, T, y))
    got = page.evaluate("cs => cs.map(c => vizTest.softmax.compute({logits: c[0], temperature: c[1], targets: c[2]}))",
                        [[x.tolist(), T, y.tolist()] for x, T, y in cases])
    for (x, T, y), js in zip(cases, got):
        z = torch.tensor(x / T)
        close(js["softmax"], torch.softmax(z, 0))
        close(js["sigmoid"], torch.sigmoid(z))
        close(js["ce"], F.cross_entropy(z[None], torch.tensor(y)[None]).item())   # 0/1 targets, as the sheet
        close(js["bce"], F.binary_cross_entropy_with_logits(z, torch.tensor(y)).item())


def test_softmax_controls(page):
    from viz.core import softmax as S

    panel = page.locator("#panel-softmax")
    canvas = panel.locator("canvas")
    before = canvas.screenshot()
    panel.get_by_label("dog logit").focus()
    page.keyboard.press("End")                       # the slider's maximum: dog's logit 8
    st = page.evaluate("vizTest.softmax.state()")
    assert st["logits"][1] == 8 and int(np.argmax(st["softmax"])) == 1
    assert canvas.screenshot() != before
    close(st["ce"], -math.log(st["softmax"][1]))
    panel.get_by_label("two labels are true", exact=False).check()
    st = page.evaluate("vizTest.softmax.state()")
    assert st["two"] and st["targets"] == S.SHEET_MULTI_ACTUALS.tolist()
    assert "best softmax can do is 0.5 each" in panel.inner_text()
    panel.get_by_role("button", name="the sheet's logits").click()
    st = page.evaluate("vizTest.softmax.state()")
    close(st["softmax"], S.softmax(S.SHEET_OUTPUTS))


# ---------------------------------------------------------------------------- conv arithmetic
def test_conv_output_sizes_equal_torch(page, data, rng):
    import torch
    import torch.nn.functional as F

    from viz.core.convmatmul import conv_output_shape

    combos = [tuple(int(v) for v in (rng.integers(1, 13), rng.integers(1, 8), rng.integers(1, 5),
                                     rng.integers(0, 5), rng.integers(1, 5))) for _ in range(250)]
    combos += [(5, 3, 1, 0, 1), (5, 3, 2, 1, 1), (4, 3, 1, 0, 2), (1, 1, 1, 0, 1), (3, 5, 1, 1, 1)]
    got = page.evaluate("cs => cs.map(([n, k, s, p, d]) => vizTest.convarith.compute({n, k, s, p, d}))", combos)
    refused = 0
    for (n, k, s, p, d), js in zip(combos, got):
        x = torch.tensor(data["convarith"]["inputs"][str(n)], dtype=torch.float64)[None, None]
        w = torch.tensor(data["convarith"]["kernels"][str(k)], dtype=torch.float64)[None, None]
        try:
            y = F.conv2d(x, w, stride=s, padding=p, dilation=d)
        except RuntimeError:
            y = None
        if y is None or 0 in y.shape:
            refused += 1
            assert not js["ok"] and "larger than the padded input" in js["reason"], (n, k, s, p, d, js)
            with pytest.raises(ValueError):
                conv_output_shape(n, k, stride=s, padding=p, dilation=d)
            continue
        assert js["ok"], (n, k, s, p, d, js)
        assert (js["out"], js["out"]) == tuple(y.shape[2:]) == conv_output_shape(n, k, stride=s, padding=p, dilation=d)
        close(js["values"], y[0, 0].numpy())
    assert 10 < refused < len(combos) - 100          # both kinds were tried
    bad = page.evaluate("""() => [{n: 0, k: 3, s: 1, p: 0, d: 1}, {n: 5, k: 3, s: 0, p: 0, d: 1},
        {n: 5, k: 3, s: 1, p: -1, d: 1}, {n: 5, k: 2.5, s: 1, p: 0, d: 1}].map(o => vizTest.convarith.compute(o))""")
    for js, word in zip(bad, ["input size", "stride", "padding", "kernel size"]):
        assert not js["ok"] and word in js["reason"]


def test_conv_controls(page):
    panel = page.locator("#panel-convarith")
    canvas = panel.locator("canvas")
    panel.get_by_role("button", name="stride 2, padding 1").click()
    st = page.evaluate("vizTest.convarith.state()")
    assert (st["n"], st["k"], st["s"], st["p"], st["out"]) == (5, 3, 2, 1, 3)
    assert "floor(4 / 2) + 1 = 2 + 1 = 3" in st["formula"]
    before = canvas.screenshot()
    panel.get_by_role("button", name="next position").click()
    assert page.evaluate("vizTest.convarith.state().pos") == 1 and canvas.screenshot() != before
    canvas.focus()
    page.keyboard.press("ArrowDown")                  # one output row down
    assert page.evaluate("vizTest.convarith.state().pos") == 4
    panel.get_by_label("kernel size k").focus()
    page.keyboard.press("End")                        # kernel 7 on a padded 7x7 input: fits once
    assert page.evaluate("vizTest.convarith.state().out") == 1
    panel.get_by_label("padding p").focus()
    page.keyboard.press("Home")                       # padding 0: a 7x7 kernel on 5x5 is impossible
    st = page.evaluate("vizTest.convarith.state()")
    assert not st["ok"] and "larger than the padded input 5x5" in st["message"]
    assert panel.locator(".viz-message").is_visible()


# ---------------------------------------------------------------------------- LR finder
def test_lrfinder_suggestions_equal_python(page, data):
    from viz.core import lr_finder as L
    from viz.core.explorer_lessons import recorded_lr_find

    r = recorded_lr_find()
    n = len(r.lrs)
    skips = [(10, 5), (0, 0), (50, 20), (200, 100), (n // 2, 0), (0, n // 2), (n - 2, 0), (n - 1, 0), (3, n - 4)]
    got = page.evaluate("ss => ss.map(([a, b]) => vizTest.lrfinder.suggest(a, b))", skips)
    for (a, b), js in zip(skips, got):
        py = L.suggest_all(r.lrs, r.smoothed, skip_start=a, skip_end=b)
        assert [s["name"] for s in js] == [s.name for s in py], (a, b)
        for s, p in zip(js, py):
            assert s["index"] == p.index and s["rule"] == p.rule, (a, b, s, p)
            close(s["lr"], p.lr)
            close(s["loss"], p.loss)
    close(page.evaluate("d => vizTest.lrfinder.smooth(d.losses, d.beta)", data["lrfinder"]), r.smoothed)
    rp = page.evaluate(f"vizTest.lrfinder.replay({n})")
    close(rp["best"], r.best_loss)
    assert r.stop_reason != "diverged" or r.stop_loss is not None


def test_lrfinder_controls(page):
    from viz.core import lr_finder as L
    from viz.core.explorer_lessons import recorded_lr_find

    r = recorded_lr_find()
    panel = page.locator("#panel-lrfinder")
    canvas = panel.locator("canvas")
    full = canvas.screenshot()
    panel.get_by_label("batch").focus()
    page.keyboard.press("Home")
    assert page.evaluate("vizTest.lrfinder.state().batch") == 1
    assert canvas.screenshot() != full
    panel.get_by_label("skip_start").focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    st = page.evaluate("vizTest.lrfinder.state()")
    py = L.suggest_all(r.lrs, r.smoothed, skip_start=13, skip_end=5)
    assert st["skip_start"] == 13 and [s["index"] for s in st["suggestions"]] == [s.index for s in py]
    page.evaluate(f"vizTest.lrfinder.set({{batch: {len(r.lrs) - 12}}})")   # replay the last batches
    panel.get_by_role("button", name="replay").click()
    page.wait_for_function(f"vizTest.lrfinder.state().batch === {len(r.lrs)} && !vizTest.lrfinder.state().playing",
                           timeout=5000)
    assert "not recorded" in panel.inner_text() or r.stop_reason == "end"


def test_sgdr_controls(page):
    panel = page.locator("#panel-sgdr")
    canvas = panel.locator("canvas")
    page.evaluate("vizTest.sgdr.set({schedule: 'sgdr', n_cycles: 3, cycle_len: 1, cycle_mult: 2, iters_per_epoch: 100, lr: 0.2})")
    before = canvas.screenshot()
    panel.get_by_label("cycles", exact=True).focus()
    page.keyboard.press("ArrowRight")
    st = page.evaluate("vizTest.sgdr.state()")
    assert st["n_cycles"] == 4 and st["result"]["arithmetic"] == "1 + 2 + 4 + 8 = 15"
    assert "1 + 2 + 4 + 8 = 15 epochs × 100 iterations = 1500 mini-batches" in panel.inner_text()
    assert canvas.screenshot() != before
    panel.get_by_label("schedule").select_option("one_cycle")
    assert page.evaluate("vizTest.sgdr.state().schedule") == "one_cycle"
    assert "OneCycleLR" in panel.inner_text()


# ---------------------------------------------------------------------------- look
@pytest.mark.parametrize("theme,width", [("dark", 1280), ("light", 375)])
def test_panels_render(page, tmp_path, theme, width):
    import io

    page.set_viewport_size({"width": width, "height": 720})
    page.evaluate(f"vizTest.shell.setTheme('{theme}')")
    try:
        page.wait_for_timeout(100)                            # the resize observers redraw
        assert page.evaluate("document.documentElement.dataset.theme") == theme
        for pid in ("convarith", "softmax", "sgdr", "lrfinder"):
            shot = np.asarray(Image.open(io.BytesIO(page.locator(f"#panel-{pid}").screenshot())).convert("L"), float)
            assert shot.std() > 15, pid                      # not blank
            canvas = page.locator(f"#panel-{pid} canvas")
            assert canvas.bounding_box()["width"] <= width
            pixels = np.asarray(Image.open(io.BytesIO(canvas.screenshot())).convert("L"), float)
            assert pixels.std() > 5, pid                     # the drawing is there
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1   # no sideways scrolling
    finally:
        page.set_viewport_size({"width": 1280, "height": 720})
        page.evaluate("vizTest.shell.setTheme('light')")


def test_missing_data_gives_a_message(browser, tmp_path, data):
    from viz.explore import write_explorer

    site = write_explorer(tmp_path / "bare", data={"version": 1, "palette": data["palette"]})
    pg = browser.new_page(viewport={"width": 1280, "height": 720})
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    try:
        pg.goto(site.as_uri())
        for pid, word in [("convarith", "convolution"), ("softmax", "softmax"), ("sgdr", "schedule"),
                          ("lrfinder", "range test")]:
            text = pg.locator(f"#panel-{pid} .viz-message").first.inner_text()
            assert "missing" in text and word in text.lower(), (pid, text)
    finally:
        pg.close()
    assert not errors, errors
