"""The live model page (viz.core.explain.browser + viz/explorer/model/): what browser_model
accepts and refuses (no browser), then the page in headless Chromium from file://, offline,
every non-file request aborted: every step it computes equals torch (float64 copy of the
model: 1e-6; the float32 model as trace_model runs it: 1e-4), strokes, channel pages,
uploads and a bad upload, light and dark."""
import copy
import importlib.util
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from viz.core.explain.browser import BrowserUnsupported, browser_model, decode
from viz.core.explain.trace import trace_model
from viz.explore_model import write_model_explorer

USER = Path(__file__).parent / "user_models"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def chromium(test):
    """Needs headless Chromium (skipped without it)."""
    test = pytest.mark.chromium(test)
    return pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")(test)



ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
MODELS = {"mnist": ("mnist_example.py:make", (1, 28, 28)), "lenet5": ("lenet5.py:lenet5", (1, 32, 32)),
          "bn": ("batchnorm_net.py:build", (3, 16, 16))}


def load(spec):
    """A factory from tests/user_models (viz.core.explain.load_factory when it exists)."""
    try:
        from viz.core.explain import load_factory
    except ImportError:
        load_factory = None
    if load_factory is not None:
        return load_factory(f"{USER}/{spec}")[0]
    path, name = spec.split(":")
    sp = importlib.util.spec_from_file_location(f"user_{Path(path).stem}", USER / path)
    mod = importlib.util.module_from_spec(sp)
    sp.loader.exec_module(mod)
    return getattr(mod, name)()


class Zoo(nn.Module):
    """Every option the page computes, in functional forms too, on a non-square input 2x13x11."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(5)
        self.c1 = nn.Conv2d(2, 4, 4, padding="same", groups=2)              # even kernel: padding 1 / 2
        self.c2 = nn.Conv2d(4, 6, 3, stride=2, padding=(2, 1), dilation=(2, 1), bias=False)
        self.bn = nn.BatchNorm2d(6, affine=False)
        self.pool = nn.MaxPool2d(2, stride=1, dilation=2)
        self.fc = nn.Linear(6 * 2 * 1, 5)
        self.act = nn.LeakyReLU(0.2)                                        # called twice: act, act#2
        with torch.no_grad():
            self.bn.running_mean.uniform_(-0.3, 0.3)
            self.bn.running_var.uniform_(0.5, 2.0)

    def forward(self, x):
        x = self.act(self.c1(x))
        x = F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True)
        x = torch.tanh(self.bn(self.c2(x)))
        x = self.act(F.avg_pool2d(x, 3, 2, 1, True, False))                # ceil mode, pads not counted
        x = self.pool(F.avg_pool2d(x, 2, 1, 1, False, True, 3))            # divisor_override 3
        x = torch.sigmoid(F.leaky_relu(x, 0.3)).view(x.size(0), -1)
        x = F.dropout(x, 0.3, training=self.training)
        return F.softmax(self.fc(x), dim=-1)


ZOO_SHAPE = (2, 13, 11)


@pytest.fixture(scope="module")
def models():
    out = {k: (load(spec), shape) for k, (spec, shape) in MODELS.items()}
    out["zoo"] = (Zoo(), ZOO_SHAPE)
    return out


# ------------------------------------------------------------------ browser_model, no browser
def test_data_names_shapes_weights_match_trace(models):
    for key, (m, shape) in models.items():
        before = copy.deepcopy(m.state_dict())
        m.train()
        d = browser_model(m, shape)
        assert m.training and all(torch.equal(v, m.state_dict()[k]) for k, v in before.items()), key
        json.dumps(d, allow_nan=False)
        tr = trace_model(m, np.zeros(shape, np.float32))
        assert [o["name"] for o in d["ops"]] == list(tr.names), key
        assert [o["shape"] for o in d["ops"]] == [list(s.output.shape) for s in tr.steps], key
        assert [o["kind"] for o in d["ops"]] == [s.kind for s in tr.steps], key
        assert d["input"]["shape"] == list(shape) and np.array(d["input"]["sample"]).shape == shape
    d = browser_model(models["mnist"][0], (1, 28, 28), classes=list("abcdefghij"))
    assert d["classes"] == list("abcdefghij") and d["output"] == "log_probabilities"
    ops = {o["name"]: o for o in d["ops"]}
    np.testing.assert_array_equal(decode(ops["fc1"]["weight"]), models["mnist"][0].fc1.weight.detach().numpy())
    assert [o["type"] for o in d["ops"]][:5] == ["conv2d", "relu", "conv2d", "relu", "maxpool2d"]
    assert ops["max_pool2d"]["kernel"] == [2, 2] and ops["max_pool2d"]["stride"] == [2, 2]
    z = {o["name"]: o for o in browser_model(models["zoo"][0], ZOO_SHAPE)["ops"]}
    assert z["c1"]["padding"] == [1, 2, 1, 2] and z["c1"]["groups"] == 2
    assert z["avg_pool2d_1"]["divisor_override"] == 3 and z["view"]["type"] == "flatten"
    assert z["act"]["slope"] == z["act#2"]["slope"] == pytest.approx(0.2) and z["leaky_relu"]["slope"] == 0.3
    bn = browser_model(models["bn"][0], (3, 16, 16))["ops"][1]
    m1 = models["bn"][0][1]
    scale = (m1.weight / torch.sqrt(m1.running_var + m1.eps)).detach().numpy()
    np.testing.assert_allclose(decode(bn["scale"]), scale, rtol=1e-6)
    assert browser_model(models["lenet5"][0], (1, 32, 32))["classes"] == [str(i) for i in range(10)]


class Branch(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Conv2d(1, 2, 3, padding=1), nn.Conv2d(1, 2, 3, padding=1)

    def forward(self, x):
        return torch.flatten(torch.cat([self.a(x), self.b(x)], 1), 1)


class Gate(nn.Module):
    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(1, 1, 3, padding=1)

    def forward(self, x):
        return torch.flatten(self.c(x) * x, 1)


class Fn(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.c, self.fn = nn.Conv2d(1, 2, 3), fn

    def forward(self, x):
        return self.fn(self.c(x))


class Branchy(nn.Module):
    def forward(self, x):
        if x.sum() > 0:
            return x
        return -x


def seq(*layers):
    return nn.Sequential(nn.Conv2d(1, 2, 3), *layers)


@pytest.mark.parametrize("model, needle", [
    (seq(nn.AdaptiveAvgPool2d(1), nn.Flatten()), "step '1' (AdaptiveAvgPool2d, a layer the page does not compute)"),
    (nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, padding_mode="reflect")), "padding_mode='reflect'"),
    (seq(nn.ReLU6()), "step '1' (ReLU6"),
    (nn.Sequential(nn.ConvTranspose2d(1, 2, 3)), "ConvTranspose2d, a layer the page"),
    (Branch(), "step 'b' (it takes the input, not the output of the step before it ('a')"),
    (Gate(), "step 'mul'"),
    (Fn(lambda t: F.dropout(t, 0.5)), "training=True"),
    (Fn(lambda t: torch.flatten(t)), "flattens everything after the batch axis only"),
    (Fn(lambda t: t.view(2, -1)), "step 'view'"),
    (Fn(lambda t: F.softmax(t, dim=1)), "softmax over dim=1 of a 4-D tensor"),
    (seq(nn.Linear(6, 3)), "Linear on a 4-D tensor"),
    (seq(nn.BatchNorm2d(2, track_running_stats=False)), "without running statistics"),
    (seq(nn.Flatten(), nn.Linear(72, 4), nn.Unflatten(1, (2, 2))), "step '3' (Unflatten"),
    (Branchy(), "cannot be traced with torch.fx"),
    (seq(), "is 2\u00d76\u00d76 per picture, not one score per class"),
])
def test_refusals_name_the_step(model, needle):
    with pytest.raises(BrowserUnsupported) as e:
        browser_model(model, (1, 8, 8))
    msg = str(e.value)
    assert needle in msg and "\n" not in msg and msg.endswith("the report has everything else"), msg


def test_resnet_block_refused_at_the_add():
    with pytest.raises(BrowserUnsupported, match=r"^step 'add' \(a residual add: x \+ y\) cannot run in the browser"):
        browser_model(load("resnet_block.py:build"), (3, 32, 32))


def test_bad_arguments(models, monkeypatch):
    m = models["lenet5"][0]
    for bad, pattern in [(dict(shape=(1, 32)), "input shape"), (dict(shape=(1, 0, 3)), "input shape"),
                         (dict(shape=(3, 32, 32)), "cannot take an input of shape"),
                         (dict(shape=(1, 32, 32), classes=["a", "b"]), "2 names given, but the model has 10"),
                         (dict(shape=(1, 32, 32), sample=np.zeros((1, 8, 8))), "sample must be")]:
        with pytest.raises(ValueError, match=pattern) as e:
            browser_model(m, **bad)
        assert not isinstance(e.value, BrowserUnsupported)
    with pytest.raises(ValueError, match="torch.nn.Module"):
        browser_model({"conv": 1}, (1, 8, 8))
    monkeypatch.setattr("viz.core.explain.browser.MAX_WEIGHTS", 1000)
    with pytest.raises(BrowserUnsupported, match="61,706 weights, more than the browser page takes"):
        browser_model(m, (1, 32, 32))


def test_write_model_explorer(tmp_path, models):
    data = browser_model(models["bn"][0], (3, 16, 16))
    index = write_model_explorer(tmp_path / "page", data)
    names = {"index.html", "model.css", "explorer.css", "lib-draw.js", "lib-image28.js", "lib-modelnet.js", "lib-modelinput.js",
             "panel-model.js", "model-data.js"}
    assert index == tmp_path / "page" / "index.html" and {p.name for p in index.parent.iterdir()} == names
    assert (index.parent / "model-data.js").read_text().startswith("window.VIZ_MODEL = {")
    (index.parent / "mine.txt").write_text("kept")
    write_model_explorer(tmp_path / "page", data)                         # over an existing folder
    assert (index.parent / "mine.txt").read_text() == "kept"
    assert [p.name for p in tmp_path.iterdir()] == ["page"]              # no temporary folder left
    with pytest.raises(ValueError, match="NaN"):
        write_model_explorer(tmp_path / "nan", dict(data, label=float("nan")))
    with pytest.raises(ValueError, match="browser_model"):
        write_model_explorer(tmp_path / "bad", {"ops": 1})
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="not a folder"):
        write_model_explorer(tmp_path / "file", data)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "page"]


# ------------------------------------------------------------------ the page in Chromium
@pytest.fixture(scope="module")
def browser(models, tmp_path_factory):
    from playwright.sync_api import sync_playwright
    root = tmp_path_factory.mktemp("model-pages")
    sites = {k: write_model_explorer(root / k, browser_model(m, shape, label=k)) for k, (m, shape) in models.items()}
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        ctx = b.new_context(viewport={"width": 1280, "height": 900}, offline=True)
        log = {"errors": [], "requests": []}

        def route(r):
            if r.request.url.startswith("file:"):
                r.continue_()
            else:
                log["requests"].append(r.request.url)
                r.abort()
        ctx.route("**/*", route)
        pages = {}

        def page(key):
            if key not in pages:
                pg = ctx.new_page()
                pg.on("console", lambda m: log["errors"].append(m.text) if m.type == "error" else None)
                pg.on("pageerror", lambda e: log["errors"].append(f"pageerror: {e}"))
                pg.goto(sites[key].as_uri())
                pg.wait_for_function("window.vizTest && vizTest.model")
                pages[key] = pg
            pages[key].bring_to_front()           # a page in the background gets no animation frames
            return pages[key]
        page.dark = lambda key: dark_page(b, sites[key], log)
        yield page, log, root
        b.close()


def dark_page(b, site, log):
    """The page opened in a browser that prefers the dark scheme (a context of its own)."""
    ctx = b.new_context(viewport={"width": 1000, "height": 700}, offline=True, color_scheme="dark")
    ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else
              (log["requests"].append(r.request.url), r.abort()))
    pg = ctx.new_page()
    pg.on("console", lambda m: log["errors"].append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: log["errors"].append(f"pageerror: {e}"))
    pg.goto(site.as_uri())
    pg.wait_for_function("window.vizTest && vizTest.model")
    return pg


def steps(pg):
    """Every step's output on the page (as JSON: far quicker than Playwright's own transfer)."""
    return json.loads(pg.evaluate("JSON.stringify(vizTest.model.steps())"))


def torch_steps(m, x, dtype):
    mm = copy.deepcopy(m).to(dtype)
    tr = trace_model(mm, torch.as_tensor(x, dtype=dtype))
    return tr


@chromium
@pytest.mark.parametrize("key", ["mnist", "lenet5", "bn", "zoo"])
def test_page_equals_torch(browser, models, key):
    page, log, _ = browser
    m, shape = models[key]
    x = np.random.default_rng(len(key)).random(shape)
    page(key).evaluate("x => vizTest.model.setInput(x)", x.tolist())
    got = steps(page(key))
    assert np.array(page(key).evaluate("vizTest.model.input()")).tolist() == x.tolist()
    t64, t32 = torch_steps(m, x, torch.float64), trace_model(m, x.astype(np.float32))
    assert list(got) == list(t64.names) == page(key).evaluate("vizTest.model.names()")
    for s64, s32 in zip(t64.steps, t32.steps):
        np.testing.assert_allclose(np.array(got[s64.name]), s64.output, rtol=0, atol=1e-6, err_msg=f"{key} {s64.name}")
        np.testing.assert_allclose(np.array(got[s32.name]), s32.output, rtol=0, atol=1e-4, err_msg=f"{key} {s32.name}")
    with torch.no_grad():
        ref = copy.deepcopy(m).double().eval()(torch.as_tensor(x)[None])[0].numpy()
    np.testing.assert_allclose(np.array(got[t64.names[-1]]), ref, rtol=0, atol=1e-6)
    np.testing.assert_allclose(page(key).evaluate("vizTest.model.probabilities()"), t64.probabilities, atol=1e-9)
    # run() computes without touching the page
    y = np.random.default_rng(7).random(shape)
    ran = page(key).evaluate("([y, last]) => vizTest.model.run(y)[last]", [y.tolist(), t64.names[-1]])
    with torch.no_grad():
        ref = copy.deepcopy(m).double().eval()(torch.as_tensor(y)[None])[0].numpy()
    np.testing.assert_allclose(np.array(ran), ref, atol=1e-6, rtol=0)
    assert np.array(page(key).evaluate("vizTest.model.input()")).tolist() == x.tolist()
    assert not log["errors"] and not log["requests"]


def stroke(page, canvas, points):
    box = canvas.bounding_box()
    xy = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]
    page.mouse.move(*xy[0])
    page.mouse.down()
    for p in xy[1:]:
        page.mouse.move(*p, steps=6)
    page.mouse.up()


@chromium
def test_strokes_pages_and_verdict(browser, models):
    page, log, _ = browser
    pg, (m, shape) = page("mnist"), models["mnist"]
    pg.get_by_role("button", name="Clear").click()
    assert np.array(pg.evaluate("vizTest.model.input()")).sum() == 0
    stroke(pg, pg.locator("canvas.mm-input"), [(0.3, 0.2), (0.7, 0.2), (0.45, 0.85)])
    x = np.array(pg.evaluate("vizTest.model.input()"))
    assert x.shape == shape and x.sum() > 10 and 0 <= x.min() and x.max() <= 1
    t = torch_steps(m, x, torch.float64)
    got = steps(pg)
    for s in t.steps:
        np.testing.assert_allclose(np.array(got[s.name]), s.output, rtol=0, atol=1e-6, err_msg=s.name)
    best = int(np.argmax(t.probabilities))
    assert pg.locator("#mm-verdict").inner_text().startswith(f"The model says: {best} (")
    assert pg.locator(".mm-bars .win").get_attribute("aria-label").startswith(f"{best} ")
    # channel pages: conv2 has 64 channels, 16 at a time
    step = pg.locator('[data-step="conv2"]')
    assert "showing 1\u201316 of 64 channels" in step.inner_text()
    step.get_by_role("button", name="conv2: next channels").click()
    step.get_by_role("button", name="conv2: next channels").click()
    assert "showing 33\u201348 of 64 channels" in step.inner_text()
    assert step.locator("figcaption").first.inner_text() == "channel 33"
    assert pg.evaluate("vizTest.model.page('conv2', 3)") == {"first": 49, "last": 64, "of": 64}
    assert step.get_by_role("button", name="conv2: next channels").is_disabled()
    assert "all 6 channels" in page("lenet5").locator('[data-step="0"]').inner_text()
    assert not log["errors"] and not log["requests"]


def upload(pg, path):
    pg.set_input_files("#mm-upload", str(path))
    pg.wait_for_function("n => document.getElementById('mm-input-line').textContent.indexOf('input: ' + n) === 0",
                         arg=path.name)
    return np.array(pg.evaluate("vizTest.model.input()")), pg.locator("#mm-input-line").inner_text()


@chromium
def test_uploads_as_convert_input_and_a_bad_one(browser, tmp_path):
    """Every upload gives the input (and the line) that viz explain makes of the same file."""
    from PIL import Image
    from viz.core.explain import convert_input, read_picture
    page, log, _ = browser
    rng = np.random.default_rng(3)
    yy, xx = np.mgrid[0:90, 0:70]
    ink = (np.hypot(yy - 45, xx - 35) < 25) * 200
    rgba = np.dstack([rng.integers(0, 256, (40, 40, 3)), np.where(rng.random((40, 40)) < 0.3, 0, 255)])
    cases = [("mnist", "dark.png", Image.fromarray((rng.random((56, 56)) * 120).astype(np.uint8))),   # area 2x2
             ("mnist", "paper.png", Image.fromarray((255 - ink).astype(np.uint8)).convert("RGB")),  # inverted, padded
             ("mnist", "huge.png", Image.fromarray((rng.random((300, 200)) * 255).astype(np.uint8))),  # reduce(5)
             ("lenet5", "small.png", Image.fromarray((rng.random((10, 7)) * 255).astype(np.uint8))),   # bilinear
             ("bn", "photo.png", Image.fromarray((rng.random((48, 32, 3)) * 255).astype(np.uint8))),  # RGB, 3x3 boxes
             ("bn", "cutout.png", Image.fromarray(rgba.astype(np.uint8), "RGBA"))]                   # transparency
    for key, name, im in cases:
        path = tmp_path / name
        im.save(path)
        shape = tuple(page(key).evaluate("VIZ_MODEL.input.shape"))
        want, line = convert_input(read_picture(path), shape, source=name)
        got, shown = upload(page(key), path)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-6, err_msg=name)
        assert shown == line
    assert "inverted" in upload(page("mnist"), tmp_path / "paper.png")[1]
    pg = page("mnist")
    before = pg.evaluate("vizTest.model.input()")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    pg.set_input_files("#mm-upload", str(tmp_path / "broken.png"))
    pg.wait_for_function("vizTest.model.message() !== ''")
    box = pg.locator("#mm-message")
    assert box.is_visible() and box.inner_text() == \
        "\u201cbroken.png\u201d is not a picture this browser can read (try a PNG or JPEG)"
    assert pg.evaluate("vizTest.model.input()") == before
    upload(pg, tmp_path / "dark.png")
    assert pg.evaluate("vizTest.model.message()") == "" and not box.is_visible()
    assert not log["errors"] and not log["requests"]


@chromium
def test_light_and_dark_render(browser):
    from PIL import Image
    page, log, root = browser

    def look(pg, name, theme):
        assert pg.evaluate("document.documentElement.getAttribute('data-theme')") == theme
        shot = Image.open(io.BytesIO(pg.screenshot())).convert("RGB")
        shot.save(root / f"{name}-{theme}.png")
        assert (np.asarray(shot)[-5, 5].mean() > 200) == (theme == "light")     # the page's background
        maps = Image.open(io.BytesIO(pg.locator("[data-step] canvas.mm-map").first.screenshot())).convert("RGB")
        assert len(np.unique(np.asarray(maps).reshape(-1, 3), axis=0)) > 20       # a map, not a blank
        assert pg.locator("#mm-verdict").inner_text().startswith("The model says: ")
    pg = page("mnist")
    pg.evaluate("vizTest.model.sample()")
    for theme in ("light", "dark"):
        pg.evaluate("t => vizTest.model.setTheme(t)", theme)
        look(pg, "mnist", theme)
    pg.evaluate("vizTest.model.setTheme('light')")
    look(page.dark("lenet5"), "lenet5", "dark")                           # the system's dark scheme
    assert not log["errors"] and not log["requests"]
