"""Dependencies point one way: core never imports plotting, Manim or web code."""
import pkgutil
import subprocess
import sys

import viz.core


def test_core_modules_import_no_plotting_or_manim():
    names = [f"viz.core.{m.name}" for m in pkgutil.iter_modules(viz.core.__path__)]
    code = ("import importlib, sys\n"
            f"for n in {names!r}: importlib.import_module(n)\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('matplotlib', 'seaborn', 'manim', 'manim_slides', 'playwright'))\n"
            "print(','.join(bad))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "", f"core imported: {r.stdout.strip()}"
    assert len(names) > 20


def test_categorical_palette_is_seaborns():
    from seaborn.palettes import SEABORN_PALETTES

    from viz import colors
    assert [c.upper() for c in SEABORN_PALETTES["colorblind"]] == list(colors.CATEGORICAL)
