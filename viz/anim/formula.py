"""Formulas: typeset with LaTeX (``MathTex``) when it works, else the plain-text form.

``formula(tex, text)`` returns ``MathTex(tex)`` when LaTeX is usable in this process and
``glyph(text)`` (Pango) otherwise. Whether LaTeX is usable is decided once per process,
the first time a formula is made: ``latex`` and ``dvisvgm`` on the PATH and one small
formula compiled. When it is not, one ``UserWarning`` says what is missing and every
later formula is text, silently.

``VIZ_LATEX=0`` in the environment forces the text form (the frames-comparison tests do
this, so their control data does not depend on a TeX installation); ``VIZ_LATEX=1``
makes a missing LaTeX an error instead of a warning.

Install (Debian 12): ``apt-get install --no-install-recommends texlive-latex-base dvisvgm``.
The template is the plain ``article`` class, so ``texlive-latex-extra`` (Manim's default
``standalone`` class) is not needed.
"""
from __future__ import annotations

import os
import shutil
import warnings

from .glyphs import glyph

#: LaTeX preamble: the article class (texlive-latex-base has it) with no page number.
DOCUMENT_CLASS = "\\documentclass{article}\n\\pagestyle{empty}"
INSTALL_HINT = "apt-get install --no-install-recommends texlive-latex-base dvisvgm"

_state: dict[str, object] = {}


def _template():
    from manim import TexTemplate
    return TexTemplate(documentclass=DOCUMENT_CLASS)


def _probe() -> str | None:
    """None when LaTeX works, else why not (one line)."""
    missing = [p for p in ("latex", "dvisvgm") if shutil.which(p) is None]
    if missing:
        return f"{' and '.join(missing)} not found ({INSTALL_HINT})"
    try:
        from manim import MathTex
        MathTex(r"x^2", tex_template=_template())
    except Exception as exc:  # noqa: BLE001 - any failure means: use the text form
        return f"LaTeX failed on a test formula: {' '.join(str(exc).split())[:200]}"
    return None


def latex_available() -> bool:
    """Whether formulas are typeset with LaTeX in this process (decided once)."""
    if "ok" not in _state:
        mode = os.environ.get("VIZ_LATEX", "").strip()
        if mode == "0":
            _state["ok"], _state["why"] = False, "VIZ_LATEX=0"
        else:
            why = _probe()
            if why is not None and mode == "1":
                raise ValueError(f"VIZ_LATEX=1 but formulas cannot be typeset: {why}")
            _state["ok"], _state["why"] = why is None, why
            if why is not None:
                warnings.warn(f"formulas are shown as plain text: {why}", UserWarning, stacklevel=2)
    return bool(_state["ok"])


def reset() -> None:
    """Forget the decision (tests switch between the two paths with this)."""
    _state.clear()


def formula(tex: str, text: str, *, font_size: float = 24, color="#FFFFFF",
            tex_font_size: float | None = None):
    """The formula as ``MathTex(tex)`` when LaTeX works, else as text ``text``.

    tex_font_size : the typeset form's size (default ``font_size``; a fraction needs more)
    """
    if latex_available():
        from manim import MathTex
        return MathTex(tex, tex_template=_template(), color=color,
                       font_size=font_size if tex_font_size is None else tex_font_size)
    return glyph(text, font_size=font_size, color=color)
