"""Shared test set-up.

* Manim's frames-comparison decorator reads ``--set_test`` / ``--show_diff``; Manim ships
  no pytest plugin, so the options are declared here. Write control data once with
  ``pytest tests/test_scenes_*.py --set_test``; then every run compares against it.
* Debian 12's cairo (1.16) is older than Manim's MIN_CAIRO_VERSION, which would silently
  *skip* every graphical test: lifted here.
* Figures are drawn with the Agg backend and closed after every test.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

DATA = Path(__file__).parent / "data"


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
