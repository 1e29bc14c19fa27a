"""Formulas: MathTex when LaTeX works, the text form (one warning) when it does not."""
import shutil
import warnings

import numpy as np
import pytest

from viz.anim import formula as fm

HAVE_LATEX = shutil.which("latex") is not None and shutil.which("dvisvgm") is not None


@pytest.fixture
def fresh(monkeypatch):
    fm.reset()
    yield monkeypatch
    fm.reset()


def test_tests_use_the_text_path():
    """conftest sets VIZ_LATEX=0: scene control data is the text form on every machine."""
    from manim import MathTex

    fm.reset()
    assert not fm.latex_available()
    assert not isinstance(fm.formula(r"x^2", "x²"), MathTex)


def test_missing_latex_warns_once_and_falls_back_to_text(fresh):
    from manim import MathTex

    fresh.setenv("VIZ_LATEX", "")
    fresh.setattr(fm.shutil, "which", lambda name: None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        a = fm.formula(r"\sigma(x)", "σ(x)", font_size=30)
        b = fm.formula(r"x^2", "x²")
    assert [str(w.message) for w in caught] == [
        "formulas are shown as plain text: latex and dvisvgm not found "
        f"({fm.INSTALL_HINT})"]
    assert not isinstance(a, MathTex) and not isinstance(b, MathTex)
    from viz.anim import glyph
    np.testing.assert_allclose(a.points, glyph("σ(x)", font_size=30).points)
    fm.reset()
    fresh.setenv("VIZ_LATEX", "1")
    with pytest.raises(ValueError, match="VIZ_LATEX=1"):
        fm.latex_available()


@pytest.mark.skipif(not HAVE_LATEX, reason="LaTeX (latex, dvisvgm) not installed")
def test_formula_is_typeset_with_mathtex(fresh, tmp_path):
    from manim import MathTex, tempconfig

    fresh.setenv("VIZ_LATEX", "1")
    with tempconfig({"media_dir": str(tmp_path)}):      # LaTeX's files go there
        f = fm.formula(r"F_2 = \frac{5\,P\,R}{4P + R}", "F2 = 5·P·R / (4·P + R)",
                       font_size=24, tex_font_size=32)
    assert isinstance(f, MathTex) and fm.latex_available()
    text = fm.glyph("F2 = 5·P·R / (4·P + R)", font_size=24)
    assert f.height > 1.5 * text.height            # a real fraction: two lines high
    assert len(f.family_members_with_points()) == 11   # F 2 = 5 P R, the bar, 4 P + R
