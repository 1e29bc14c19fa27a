"""Shared test set-up.

* Manim's frames-comparison decorator reads ``--set_test`` / ``--show_diff``; Manim ships
  no pytest plugin, so the options are declared here. Write control data once with
  ``pytest tests/test_scenes_*.py --set_test``; then every run compares against it.
* Debian 12's cairo (1.16) is older than Manim's MIN_CAIRO_VERSION, which would silently
  *skip* every graphical test: lifted here.
* Figures are drawn with the Agg backend and closed after every test.
* Trained demo results (``viz.core.cache``) go to one cache folder per test session,
  shared by the pytest-xdist workers (writes are atomic), so each demo run trains once
  per session and the user's own cache folder is never touched. The folder starts with
  the files in ``tests/data/cache-seed/`` (``tools/record_test_results.py --cache-seed``),
  so the demos do not train at all: the same result on any CPU, and minutes saved.
  Tests of training call the uncached path (``cache=False``).
* ``recorded(name)`` loads a result recorded by ``tools/record_test_results.py`` from
  ``tests/data/recorded/``: tests that compare pictures or numbers exactly draw from it
  (training is not bit for bit the same across CPUs).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
# Formulas as text (viz.anim.formula): frames-comparison control data must not depend on
# whether LaTeX is installed; tests/test_formula.py switches LaTeX on where it is.
os.environ["VIZ_LATEX"] = "0"

DATA = Path(__file__).parent / "data"
RECORDED = DATA / "recorded"
CACHE_SEED = DATA / "cache-seed"


def pytest_addoption(parser):
    parser.addoption("--set_test", action="store_true", default=False,
                     help="write Manim frames-comparison control data instead of comparing")
    parser.addoption("--show_diff", action="store_true", default=False,
                     help="show a diff image when a frames comparison fails")


def pytest_configure(config):
    # Two xdist workers with two torch threads each would overload a 2-core machine.
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:  # pragma: no cover
        pass
    try:
        import manim.utils.testing.frames_comparison as fc
        fc.MIN_CAIRO_VERSION = 0
        import manim.utils.testing._frames_testers  # noqa: F401
    except ImportError:  # pragma: no cover
        pass


@pytest.fixture(scope="session", autouse=True)
def viz_cache_dir(tmp_path_factory):
    """``VIZ_CACHE_DIR``: one folder for the whole session (all xdist workers)."""
    base = tmp_path_factory.getbasetemp()     # under xdist: <session>/popen-gw0, ...
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "viz-cache"
    folder.mkdir(parents=True, exist_ok=True)
    for seed in sorted(CACHE_SEED.glob("*")):
        if not (folder / seed.name).exists():
            tmp = folder / f".{seed.name}.{os.getpid()}.tmp"
            shutil.copyfile(seed, tmp)
            os.replace(tmp, folder / seed.name)      # atomic: the other worker may read it
    old = {k: os.environ.get(k) for k in ("VIZ_CACHE_DIR", "VIZ_CACHE")}
    os.environ["VIZ_CACHE_DIR"] = str(folder)
    os.environ.pop("VIZ_CACHE", None)
    yield folder
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="session")
def recorded():
    """``recorded(name)``: the result in tests/data/recorded/<name>.npz (checked on load)."""
    from viz.core.results import load_result

    memo = {}

    def load(name):
        if name not in memo:
            memo[name] = load_result(RECORDED / f"{name}.npz", key=f"recorded:{name}")
        return memo[name]
    return load


@pytest.fixture(scope="session")
def small_comparison(recorded):
    """The recorded small multi-label run (both heads) on its tiles, drawn again."""
    from viz.core.multilabel import HeadComparison
    from viz.core.tiles import tile_split

    r = recorded("multilabel-small")
    split = tile_split(r["n_train"], r["n_test"], seed=r["seed"])
    return HeadComparison.from_heads(split, r["sigmoid"], r["softmax"])


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import sys
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture
def rng():
    return np.random.default_rng(20171113)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


def _have(cmd):
    return shutil.which(cmd) is not None


requires_soffice = pytest.mark.skipif(not _have("soffice"), reason="LibreOffice (soffice) not installed")
requires_chromium = pytest.mark.skipif(not _have("chromium"), reason="chromium not installed")
