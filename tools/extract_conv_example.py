"""Extract the conv-example spreadsheet's inputs into viz/core/data/conv_example.npz.

Run once from the repository root (needs openpyxl):

    python tools/extract_conv_example.py tests/data/conv-example.xlsx

Only the *inputs* of the sheet are stored (the digit, the kernels and the dense
weights); every layer is recomputed by viz.core.spreadsheet, and the tests compare
that against the sheet's cached cells.
"""
import sys
from pathlib import Path

import numpy as np
import openpyxl
from openpyxl.utils import column_index_from_string as col


def block(ws, row, column, h, w, step=1):
    c0 = col(column)
    return np.array([[ws.cell(row=row + step * i, column=c0 + step * j).value or 0.0
                      for j in range(w)] for i in range(h)], dtype=np.float64)


def main(path):
    ws = openpyxl.load_workbook(path, data_only=True).active
    data = {
        "input": block(ws, 2, "A", 28, 28),
        "conv1": np.stack([block(ws, 11, "AD", 3, 3), block(ws, 38, "AD", 3, 3)]),
        "conv2": np.stack([
            np.stack([block(ws, 11, "BI", 3, 3), block(ws, 15, "BI", 3, 3)]),
            np.stack([block(ws, 38, "BI", 3, 3), block(ws, 42, "BI", 3, 3)]),
        ]),
        "dense": np.stack([block(ws, 4, "DN", 12, 12, step=2), block(ws, 33, "DN", 12, 12, step=2)]),
    }
    out = Path(__file__).resolve().parents[1] / "viz" / "core" / "data" / "conv_example.npz"
    np.savez_compressed(out, **data)
    print(out, {k: v.shape for k, v in data.items()})


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/data/conv-example.xlsx")
