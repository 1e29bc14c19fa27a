"""Write the conv-example spreadsheet as a workbook with live formulas.

The layout is the original sheet's (``conv-example.xlsx``, lesson 3): the digit in
``A2:AB29``, conv1 filters at ``AD11`` and ``AD38``, conv1 (``MAX(0,SUM(patch*kernel))``)
at ``AH3`` and ``AH32``, the 2x3x3 conv2 filters at ``BI11/BI15`` and ``BI38/BI42``, conv2
(two-channel sum, ReLU) at ``BM4`` and ``BM33``, max-pool written into every other cell at
``CM4`` and ``CM33``, dense weights in the same sparse layout at ``DN4`` and ``DN33``, and
the dense activation (``SUMPRODUCT``) in ``EN4``. Every block gets a colour scale.

Unlike the original, conv2 is 24x24: the sheet's extra all-zero 25th column is not copied.
Only numbers are stored for inputs and weights; every other cell is a formula, so the
workbook recalculates when you change the digit or a kernel.
"""
from __future__ import annotations

from pathlib import Path

from ._io import atomic_path


def write_workbook(params, path) -> Path:
    """Write ``params`` (a :class:`viz.core.spreadsheet.ConvExampleParams`) to ``path``."""
    from openpyxl import Workbook
    from openpyxl.formatting.rule import ColorScaleRule
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter as L
    from openpyxl.worksheet.formula import ArrayFormula

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ValueError(f"workbook path must end in .xlsx, got {path.name}")
    wb = Workbook()
    ws = wb.active
    ws.title = "conv-example"
    bold = Font(bold=True)

    def ref(row, col, absolute=False):
        return f"${L(col)}${row}" if absolute else f"{L(col)}{row}"

    def rng(row, col, h, w, absolute=False):
        return f"{ref(row, col, absolute)}:{ref(row + h - 1, col + w - 1, absolute)}"

    def values(block, row, col, step=1):
        for (i, j), v in _ndenumerate(block):
            ws.cell(row=row + step * i, column=col + step * j, value=float(v))

    def scale(range_str):
        ws.conditional_formatting.add(range_str, ColorScaleRule(
            start_type="min", start_color="FFFFFF", end_type="max", end_color="E0393E"))

    def label(row, col, text):
        ws.cell(row=row, column=col, value=text).font = bold

    A, AD, AH, BI, BM, CM, DN, EN = 1, 30, 34, 61, 65, 91, 118, 144
    # Input ---------------------------------------------------------------------------
    label(1, A, "Input")
    values(params.input, 2, A)
    scale(rng(2, A, 28, 28))
    # Conv1 filters and maps -----------------------------------------------------------
    label(1, AH, "Conv1")
    for c, (k_row, out_row) in enumerate([(11, 3), (38, 32)]):
        label(k_row - 2, AD, f"filter {c + 1}/1")
        values(params.conv1[c], k_row, AD)
        kern = rng(k_row, AD, 3, 3, absolute=True)
        for i in range(26):
            for j in range(26):
                cell = ref(out_row + i, AH + j)
                ws[cell] = ArrayFormula(cell, f"=MAX(0,SUM({rng(2 + i, A + j, 3, 3)}*{kern}))")
        scale(rng(out_row, AH, 26, 26))
    # Conv2 filters (each 2x3x3) and maps ----------------------------------------------
    label(1, BM, "Conv2")
    for o, (k_row, out_row) in enumerate([(11, 4), (38, 33)]):
        label(k_row - 2, BI, f"filter {o + 1}/2")
        values(params.conv2[o, 0], k_row, BI)
        values(params.conv2[o, 1], k_row + 4, BI)
        k1 = rng(k_row, BI, 3, 3, absolute=True)
        k2 = rng(k_row + 4, BI, 3, 3, absolute=True)
        for i in range(24):
            for j in range(24):
                cell = ref(out_row + i, BM + j)
                ws[cell] = ArrayFormula(cell, f"=MAX(0,SUM({rng(3 + i, AH + j, 3, 3)}*{k1})"
                                              f"+SUM({rng(32 + i, AH + j, 3, 3)}*{k2}))")
        scale(rng(out_row, BM, 24, 24))
    # Max-pool, every other cell ------------------------------------------------------
    label(1, CM, "Maxpool")
    for out_row in (4, 33):
        for i in range(12):
            for j in range(12):
                ws.cell(row=out_row + 2 * i, column=CM + 2 * j,
                        value=f"=MAX({rng(out_row + 2 * i, BM + 2 * j, 2, 2)})")
        scale(rng(out_row, CM, 23, 23))
    # Dense ----------------------------------------------------------------------------
    label(1, DN, "Dense weights")
    ws.cell(row=2, column=DN, value="NB: For MNIST, there would need to be 10 sets of these "
                                    "weights, since there are 10 classes")
    values(params.dense[0], 4, DN, step=2)
    values(params.dense[1], 33, DN, step=2)
    for out_row in (4, 33):
        scale(rng(out_row, DN, 23, 23))
    label(1, EN, "Dense activation")
    ws.cell(row=2, column=EN, value="NB: MNIST would have 10 activations, and a softmax layer")
    ws.cell(row=4, column=EN, value=f"=SUMPRODUCT({rng(4, DN, 23, 23)},{rng(4, CM, 23, 23)})"
                                    f"+SUMPRODUCT({rng(33, DN, 23, 23)},{rng(33, CM, 23, 23)})")
    ws.cell(row=4, column=EN).font = bold
    for col in range(1, EN + 2):
        ws.column_dimensions[L(col)].width = 5.5
    ws.column_dimensions[L(EN)].width = 16
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


def _ndenumerate(block):
    import numpy as np
    return np.ndenumerate(np.asarray(block))


def recalculate(path, out_dir) -> Path:
    """Recalculate a workbook with LibreOffice (headless); return the recalculated copy.

    openpyxl stores formulas without results; a real spreadsheet engine must compute
    them before the numbers can be read (``openpyxl.load_workbook(..., data_only=True)``).
    """
    import os
    import shutil
    import subprocess
    import tempfile

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="viz-lo-") as profile:
        env = dict(os.environ, HOME=profile)
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless",
                        "--calc", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir",
                        str(out_dir), str(path)], check=True, capture_output=True, timeout=300,
                       env=env)
    return out_dir / Path(path).name
