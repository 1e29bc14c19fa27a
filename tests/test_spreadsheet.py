"""The conv-example spreadsheet replica against the original sheet, torch, and LibreOffice."""
import json

import numpy as np
import openpyxl
import pytest
import torch
import torch.nn.functional as F
from openpyxl.utils import column_index_from_string as col

from conftest import requires_soffice
from viz.core.spreadsheet import (SHEET_DENSE, load_conv_example, load_kernels,
                                  trace_conv_example, trace_conv_example_numpy)


def block(ws, row, column, h, w, step=1):
    c0 = col(column) if isinstance(column, str) else column
    return np.array([[ws.cell(row=row + step * i, column=c0 + step * j).value
                      for j in range(w)] for i in range(h)], dtype=float)


@pytest.fixture(scope="module")
def sheet(data_dir):
    """The original workbook's cached (Excel-computed) values."""
    return openpyxl.load_workbook(data_dir / "conv-example.xlsx", data_only=True).active


@pytest.fixture(scope="module")
def trace():
    return trace_conv_example()


def test_dense_equals_sheet(trace, sheet):
    assert sheet["EN4"].value == pytest.approx(SHEET_DENSE, abs=0)
    assert abs(trace.dense - sheet["EN4"].value) < 1e-9
    assert round(trace.dense, 7) == 258.7376267


def test_every_layer_cell_equals_sheet(trace, sheet):
    np.testing.assert_allclose(trace.input, block(sheet, 2, "A", 28, 28), atol=0)
    np.testing.assert_allclose(trace.conv1[0], block(sheet, 3, "AH", 26, 26), atol=1e-9, rtol=0)
    np.testing.assert_allclose(trace.conv1[1], block(sheet, 32, "AH", 26, 26), atol=1e-9, rtol=0)
    # The sheet's conv2 block is 24 x 25: the 25th column (CK) is all zeros and unused.
    c2a, c2b = block(sheet, 4, "BM", 24, 25), block(sheet, 33, "BM", 24, 25)
    assert np.all(c2a[:, 24] == 0) and np.all(c2b[:, 24] == 0)
    np.testing.assert_allclose(trace.conv2[0], c2a[:, :24], atol=1e-9, rtol=0)
    np.testing.assert_allclose(trace.conv2[1], c2b[:, :24], atol=1e-9, rtol=0)
    np.testing.assert_allclose(trace.pool[0], block(sheet, 4, "CM", 12, 12, step=2), atol=1e-9, rtol=0)
    np.testing.assert_allclose(trace.pool[1], block(sheet, 33, "CM", 12, 12, step=2), atol=1e-9, rtol=0)


def test_sheet_layers_are_not_trivial(trace):
    # guards against a replica that passes by being all zeros
    assert trace.conv1.max() > 1 and trace.conv2.max() > 1 and trace.pool.max() > 1
    assert (trace.conv1_pre < 0).any() and (trace.conv1 == 0).any()


def test_numpy_sum_of_products_equals_torch(trace):
    ref = trace_conv_example_numpy()
    for name in ("conv1_pre", "conv1", "conv2_pre", "conv2", "pool"):
        np.testing.assert_allclose(getattr(ref, name), getattr(trace, name), atol=1e-12, rtol=0)
    assert ref.dense == pytest.approx(trace.dense, abs=1e-10)


def test_torch_path_equals_functional_ops(trace):
    p = trace.params
    x = torch.tensor(p.input)[None, None]
    c1 = F.relu(F.conv2d(x, torch.tensor(p.conv1)[:, None]))
    c2 = F.relu(F.conv2d(c1, torch.tensor(p.conv2)))
    pool = F.max_pool2d(c2, 2)
    np.testing.assert_allclose(pool[0].numpy(), trace.pool, atol=1e-12)
    assert float((pool[0] * torch.tensor(p.dense)).sum()) == pytest.approx(trace.dense, abs=1e-10)


def test_other_input_and_kernels(rng):
    p = load_conv_example().replace(input=rng.random((28, 28)), conv1=rng.normal(size=(2, 3, 3)),
                                    conv2=rng.normal(size=(2, 2, 3, 3)))
    a, b = trace_conv_example(p), trace_conv_example_numpy(p)
    np.testing.assert_allclose(a.pool, b.pool, atol=1e-10)
    assert a.dense == pytest.approx(b.dense, abs=1e-9)


def test_results_are_read_only(trace):
    with pytest.raises(ValueError):
        trace.conv1[0, 0, 0] = 1.0


def test_params_validate_shapes():
    with pytest.raises(ValueError, match=r"conv1 must have shape \(2, 3, 3\)"):
        load_conv_example().replace(conv1=np.zeros((3, 3)))


@pytest.mark.parametrize("content, message", [
    ("[[1, 2], [3, 4]]", "conv1 must have shape 2x3x3, got 2x2"),
    ('{"conv2": [[[1]]]}', "conv2 must have shape 2x2x3x3, got 1x1x1"),
    ('{"conv3": []}', "unknown key 'conv3'"),
    ("not json", "cannot read kernels file"),
    ('{"conv1": [[["a", 1, 1]]]}', "conv1"),
])
def test_bad_kernels(tmp_path, content, message):
    f = tmp_path / "k.json"
    f.write_text(content)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_kernels(f)


def test_kernels_file_forms(tmp_path):
    k = np.arange(18.0).reshape(2, 3, 3)
    (tmp_path / "a.json").write_text(json.dumps(k.tolist()))
    (tmp_path / "b.json").write_text(json.dumps({"conv1": k.tolist()}))
    assert np.array_equal(load_kernels(tmp_path / "a.json")["conv1"], k)
    assert np.array_equal(load_kernels(tmp_path / "b.json")["conv1"], k)


# ------------------------------------------------------------------ exported workbook
def _read_recalculated(path):
    ws = openpyxl.load_workbook(path, data_only=True).active
    return {
        "conv1": np.stack([block(ws, 3, "AH", 26, 26), block(ws, 32, "AH", 26, 26)]),
        "conv2": np.stack([block(ws, 4, "BM", 24, 24), block(ws, 33, "BM", 24, 24)]),
        "pool": np.stack([block(ws, 4, "CM", 12, 12, 2), block(ws, 33, "CM", 12, 12, 2)]),
        "dense": ws["EN4"].value,
    }


def test_workbook_has_live_formulas(tmp_path):
    from viz.workbook import write_workbook
    path = write_workbook(load_conv_example(), tmp_path / "s.xlsx")
    ws = openpyxl.load_workbook(path).active
    assert ws["AH3"].value.text == "=MAX(0,SUM(A2:C4*$AD$11:$AF$13))"
    assert ws["AH32"].value.text == "=MAX(0,SUM(A2:C4*$AD$38:$AF$40))"
    assert ws["BM4"].value.text == "=MAX(0,SUM(AH3:AJ5*$BI$11:$BK$13)+SUM(AH32:AJ34*$BI$15:$BK$17))"
    assert ws["CM4"].value == "=MAX(BM4:BN5)"
    # the original spans 25 columns (its conv2 quirk); 12 values every other cell span 23
    assert ws["EN4"].value == "=SUMPRODUCT(DN4:EJ26,CM4:DI26)+SUMPRODUCT(DN33:EJ55,CM33:DI55)"
    assert ws["BM4"].value.text and ws.cell(row=4, column=col("CK")).value is None  # 24 columns, no quirk
    assert len(ws.conditional_formatting) >= 8


@requires_soffice
@pytest.mark.libreoffice
def test_workbook_recalculated_by_libreoffice_equals_torch(tmp_path, rng):
    from PIL import Image

    from viz.cli import main
    from viz.workbook import recalculate
    # built-in digit, through the command line
    assert main(["spreadsheet", "--xlsx", str(tmp_path / "seven.xlsx")]) == 0
    # another picture (dark ink on white, as a user would draw it) and other kernels
    img = np.full((40, 30), 255, np.uint8)
    img[8:32, 13:17] = 0          # a "1"
    Image.fromarray(img).save(tmp_path / "one.png")
    kernels = {"conv1": rng.normal(size=(2, 3, 3)).tolist(), "conv2": rng.normal(size=(2, 2, 3, 3)).tolist()}
    (tmp_path / "k.json").write_text(json.dumps(kernels))
    assert main(["spreadsheet", "--xlsx", str(tmp_path / "one.xlsx"), "--json", str(tmp_path / "one.json"),
                 "--image", str(tmp_path / "one.png"), "--kernels", str(tmp_path / "k.json")]) == 0
    expected = json.loads((tmp_path / "one.json").read_text())
    for name, exp in [("seven", trace_conv_example().to_dict()), ("one", expected)]:
        got = _read_recalculated(recalculate(tmp_path / f"{name}.xlsx", tmp_path / "lo"))
        for key in ("conv1", "conv2", "pool"):
            np.testing.assert_allclose(got[key], np.array(exp[key]), atol=1e-9, rtol=0, err_msg=key)
        assert got["dense"] == pytest.approx(exp["dense"], abs=1e-9)
    assert np.array(expected["conv1"]).max() > 0 and expected["dense"] != trace_conv_example().dense


# ------------------------------------------------------------------ command line
def test_cli_json(tmp_path, trace):
    from viz.cli import main
    assert main(["spreadsheet", "--json", str(tmp_path / "out.json")]) == 0
    d = json.loads((tmp_path / "out.json").read_text())
    assert set(d) == {"input", "conv1", "conv2", "pool", "dense"}
    assert np.array(d["input"]).shape == (28, 28)
    assert np.array(d["conv1"]).shape == (2, 26, 26)
    assert np.array(d["conv2"]).shape == (2, 24, 24)
    assert np.array(d["pool"]).shape == (2, 12, 12)
    assert d["dense"] == pytest.approx(SHEET_DENSE, abs=1e-9)


def test_image_is_made_28x28_and_inverted(tmp_path):
    from PIL import Image

    from viz.core.images import load_image
    a = np.full((60, 90, 3), 250, np.uint8)
    a[20:40, 40:50] = 5
    Image.fromarray(a).save(tmp_path / "x.jpg")
    x = load_image(tmp_path / "x.jpg")
    assert x.shape == (28, 28) and 0 <= x.min() and x.max() <= 1
    assert x[14, 14] > 0.8 and x[0, 0] < 0.1   # ink high, paper low


@pytest.mark.parametrize("setup, needle", [
    ("missing", "image file not found"),
    ("garbage", "cannot read image"),
    ("badkernels", "conv1 must have shape 2x3x3"),
    ("unwritable", "output"),
    ("nothing", "nothing to write"),
])
def test_cli_bad_input(tmp_path, setup, needle):
    from test_cli_basics import run_viz
    out = tmp_path / "out"
    args = ["spreadsheet", "--json", str(out / "x.json"), "--xlsx", str(out / "x.xlsx")]
    if setup == "missing":
        args += ["--image", str(tmp_path / "nope.png")]
    elif setup == "garbage":
        (tmp_path / "bad.png").write_bytes(b"this is not a png")
        args += ["--image", str(tmp_path / "bad.png")]
    elif setup == "badkernels":
        (tmp_path / "k.json").write_text("[[1,2,3],[4,5,6]]")
        args += ["--kernels", str(tmp_path / "k.json")]
    elif setup == "unwritable":
        (tmp_path / "file").write_text("x")
        args = ["spreadsheet", "--json", str(tmp_path / "file" / "x.json")]
    elif setup == "nothing":
        args = ["spreadsheet"]
    r = run_viz(*args)
    assert r.returncode == 2, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and needle in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert not out.exists() or not any(out.iterdir())
