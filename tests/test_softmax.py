"""Softmax, sigmoid, cross-entropy and F-beta against torch, sklearn and the entropy sheet."""
import math

import numpy as np
import openpyxl
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.metrics import fbeta_score

from viz.core import softmax as sm


@pytest.fixture(scope="module")
def wb(data_dir):
    """The original workbook's cached (Excel-computed) values."""
    return openpyxl.load_workbook(data_dir / "entropy_example.xlsx", data_only=True)


def col(ws, letter, rows=range(2, 7)):
    return np.array([ws[f"{letter}{r}"].value for r in rows], dtype=float)


# ------------------------------------------------------------------ the spreadsheet
def test_replica_equals_softmax_sheet(wb):
    ws, s = wb["softmax"], sm.entropy_sheet()
    assert [ws[f"A{r}"].value for r in range(2, 7)] == list(s.classes)
    np.testing.assert_array_equal(s.output, col(ws, "B"))
    np.testing.assert_allclose(s.exp, col(ws, "C"), rtol=1e-14)
    np.testing.assert_allclose(s.softmax, col(ws, "D"), rtol=1e-12)
    np.testing.assert_allclose(s.sigmoid, col(ws, "G"), rtol=1e-12)
    np.testing.assert_array_equal(s.actuals, col(ws, "E"))
    np.testing.assert_array_equal(s.multi_actuals, col(ws, "H"))
    assert s.exp_sum == pytest.approx(ws["C7"].value, rel=1e-14)
    assert s.softmax.sum() == pytest.approx(ws["D7"].value, abs=1e-12) == pytest.approx(1.0)
    assert s.sigmoid.sum() > 1.5   # sigmoids are not a distribution


def test_replica_equals_entropy_sheet_in_base_10(wb):
    ws, s = wb["entropy"], sm.entropy_sheet()
    np.testing.assert_array_equal(s.is_cat, col(ws, "B"))
    np.testing.assert_array_equal(s.preds, col(ws, "C"))
    np.testing.assert_allclose(s.bce_log10, col(ws, "D"), rtol=1e-12)
    np.testing.assert_allclose(s.bce_log10, col(ws, "E"), rtol=1e-12)   # the IF form, same values
    # the sheet's LOG is base 10: 0.5 -> 0.30103, (isCat=0, pred=0.9) -> 1
    assert ws["D2"].value == pytest.approx(math.log10(2)) and ws["D4"].value == pytest.approx(1.0)
    # torch's loss is natural log: the same numbers times ln 10
    np.testing.assert_allclose(s.bce_ln, s.bce_log10 * math.log(10), rtol=1e-12)
    ref = F.binary_cross_entropy(torch.tensor(s.preds), torch.tensor(s.is_cat), reduction="none")
    np.testing.assert_allclose(s.bce_ln, ref.numpy(), rtol=1e-12)


def test_cross_entropy_ln_and_log10():
    s = sm.entropy_sheet()
    k = s.true_class
    assert s.classes[k] == "dog"
    assert s.ce_ln == pytest.approx(-math.log(s.softmax[k]), rel=1e-12)
    assert s.ce_log10 == pytest.approx(-math.log10(s.softmax[k]), rel=1e-12)
    assert sm.cross_entropy(s.softmax, s.actuals) == pytest.approx(s.ce_ln, rel=1e-12)
    assert sm.cross_entropy(s.softmax, s.actuals, base=10) == pytest.approx(s.ce_log10, rel=1e-12)
    torch_ce = F.cross_entropy(torch.tensor(s.output)[None], torch.tensor([k]))
    assert s.ce_ln == pytest.approx(float(torch_ce), rel=1e-12)
    ref = F.binary_cross_entropy(torch.tensor(s.sigmoid), torch.tensor(s.multi_actuals), reduction="none")
    np.testing.assert_allclose(s.multi_bce_ln, ref.numpy(), rtol=1e-12)


def test_sheet_result_is_read_only():
    s = sm.entropy_sheet()
    with pytest.raises(ValueError):
        s.softmax[0] = 1.0


# ------------------------------------------------------------------ activations vs torch
@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 9)),
              elements=st.floats(-30, 30)))
def test_softmax_and_sigmoid_by_hand_equal_torch(x):
    t = torch.tensor(x)
    np.testing.assert_allclose(sm.softmax(x), torch.softmax(t, -1).numpy(), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(sm.softmax_by_hand(x), torch.softmax(t, -1).numpy(), rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(sm.sigmoid_by_hand(x), torch.sigmoid(t).numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(sm.softmax(x).sum(-1), 1.0, rtol=1e-12)


def test_sheet_formulas_by_hand():
    x = sm.SHEET_OUTPUTS
    np.testing.assert_allclose(sm.softmax_by_hand(x), np.exp(x) / np.exp(x).sum(), rtol=1e-14)
    np.testing.assert_allclose(sm.sigmoid_by_hand(x), np.exp(x) / (1 + np.exp(x)), rtol=1e-14)


def test_rising_logit_competes_only_under_softmax():
    sw = sm.rising_logit()
    others = [j for j in range(5) if j != sw.index]
    assert np.all(np.diff(sw.softmax[:, sw.index]) > 0)
    assert np.all(np.diff(sw.softmax[:, others], axis=0) < 0)          # every other bar shrinks
    np.testing.assert_allclose(sw.sigmoid[:, others], sw.sigmoid[:1, others].repeat(len(sw.values), 0))
    np.testing.assert_allclose(sw.exp, np.exp(sw.logits))
    assert sw.softmax[-1, sw.index] > 0.9 and sw.softmax[0, 2] > 0.98


def test_two_labels_softmax_caps_at_half():
    fit = sm.fit_two_labels()
    on = np.flatnonzero(fit.targets)
    assert list(np.array(fit.classes)[on]) == ["plane", "fish"]
    np.testing.assert_allclose(fit.softmax_probs[-1, on], 0.5, atol=0.02)
    assert fit.softmax_probs[:, on].sum(1).max() <= 1 + 1e-12
    assert np.all(fit.sigmoid_probs[-1, on] > 0.95)
    assert fit.softmax_loss[-1] == pytest.approx(2 * math.log(2), abs=0.05)   # the floor: -2 ln 0.5
    assert fit.sigmoid_loss[-1] < 0.3


# ------------------------------------------------------------------ F-beta vs sklearn
@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 30), st.integers(2, 8),
       st.sampled_from([0.5, 1.0, 2.0, 3.0]))
def test_fbeta_equals_sklearn(seed, n, k, beta):
    rng = np.random.default_rng(seed)
    y, p = rng.integers(0, 2, (n, k)), rng.integers(0, 2, (n, k))
    ref = fbeta_score(y, p, beta=beta, average="samples", zero_division=0)
    assert sm.fbeta(y, p, beta) == pytest.approx(ref, abs=1e-12)
    assert sm.fbeta_by_hand(y, p, beta) == pytest.approx(ref, abs=1e-12)


def test_fbeta_with_one_tag(rng):
    y, p = rng.integers(0, 2, (20, 1)), rng.integers(0, 2, (20, 1))
    padded = fbeta_score(np.hstack([y, 0 * y]), np.hstack([p, 0 * p]), beta=2, average="samples",
                         zero_division=0)
    assert sm.fbeta(y, p) == pytest.approx(padded) == pytest.approx(sm.fbeta_by_hand(y, p))


def test_fbeta_is_weighted_harmonic_mean(rng):
    P, R = rng.uniform(0.01, 1, 50), rng.uniform(0.01, 1, 50)
    for b in (1, 2, 3):
        w = b * b / (1 + b * b)
        np.testing.assert_allclose(sm.fbeta_from_pr(P, R, b), 1 / ((1 - w) / P + w / R), rtol=1e-12)
    np.testing.assert_allclose(sm.fbeta_from_pr(P, R, 1), 2 * P * R / (P + R), rtol=1e-12)
    assert sm.fbeta_from_pr(0, 0, 2) == 0


def test_iso_f_curve_lies_on_its_level():
    for b in (1, 2, 3):
        for f in (0.2, 0.6, 0.9):
            r, p = sm.iso_f_curve(f, b)
            np.testing.assert_allclose(sm.fbeta_from_pr(p, r, b), f, rtol=1e-9)
    P, R, Fg = sm.iso_f_grid(2, num=11)
    assert Fg[10, 10] == pytest.approx(1.0) and Fg.shape == (11, 11)


def test_threshold_curve_and_planet_trick_equal_sklearn(rng):
    y = rng.integers(0, 2, (60, 6))
    y[y.sum(1) == 0, 0] = 1
    probs = np.clip(y * 0.35 + rng.uniform(0, 0.6, y.shape), 0, 1)
    curve = sm.fbeta_vs_threshold(y, probs, beta=2)
    for i in (0, 16, 20, 50, 98):
        ref = fbeta_score(y, probs > curve.thresholds[i], beta=2, average="samples", zero_division=0)
        assert curve.scores[i] == pytest.approx(ref, abs=1e-12)
    # planet.py, verbatim: the best of np.arange(0.17, 0.24, 0.01)
    grid = np.arange(0.17, 0.24, 0.01)
    assert len(grid) == 7
    best = max(fbeta_score(y, probs > th, beta=2, average="samples") for th in grid)
    score, th = sm.planet_f2(y, probs)
    assert score == pytest.approx(best, abs=1e-12) and 0.17 <= th <= 0.23
    assert curve.best_score >= score


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("call, match", [
    (lambda: sm.fbeta_from_pr(0.5, 0.5, 0), "beta must be positive"),
    (lambda: sm.fbeta([[1, 0]], [[1, 0]], beta=-1), "beta must be positive"),
    (lambda: sm.fbeta_from_pr(1.2, 0.5), r"precision must lie in \[0, 1\], got 1.2"),
    (lambda: sm.fbeta_vs_threshold([[1, 0]], [[0.3, -0.1]]), r"probabilities must lie in \[0, 1\]"),
    (lambda: sm.cross_entropy([0.5, 1.5], [1, 0]), r"must lie in \[0, 1\]"),
    (lambda: sm.fbeta([[1, 0, 1]], [[1, 0]]), "different shapes"),
    (lambda: sm.planet_f2([[1, 0]], [[0.2, 0.1, 0.3]]), "different shapes"),
    (lambda: sm.fbeta([[1, 2]], [[1, 0]]), "must be 0 or 1"),
    (lambda: sm.fbeta([], []), "empty"),
    (lambda: sm.fit_two_labels([0, 0, 0, 0, 0]), "tag set is empty"),
    (lambda: sm.entropy_sheet([1, 2, 3]), "one per class"),
    (lambda: sm.softmax([1.0, float("nan")]), "NaN"),
])
def test_bad_input_is_a_clear_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_cli_fbeta(tmp_path, capsys):
    from viz.cli import main
    assert main(["fbeta", "--beta", "2", "--precision", "0.5", "--recall", "1"]) == 0
    assert "F2 = 0.833333" in capsys.readouterr().out
    y, p = tmp_path / "y.csv", tmp_path / "p.csv"
    np.savetxt(y, [[1, 0, 1], [0, 1, 0]], delimiter=",")
    np.savetxt(p, [[0.9, 0.2, 0.1], [0.1, 0.8, 0.3]], delimiter=",")
    assert main(["fbeta", "--labels", str(y), "--preds", str(p), "--planet"]) == 0
    ref = max(fbeta_score([[1, 0, 1], [0, 1, 0]], np.array([[0.9, 0.2, 0.1], [0.1, 0.8, 0.3]]) > th,
                          beta=2, average="samples") for th in np.arange(0.17, 0.24, 0.01))
    assert f"planet F2 = {ref:.6f}" in capsys.readouterr().out


@pytest.mark.parametrize("args, needle", [
    (["fbeta", "--beta", "0", "--precision", "0.5", "--recall", "0.5"], "beta must be positive"),
    (["fbeta", "--beta", "-1", "--precision", "0.5", "--recall", "0.5"], "beta must be positive"),
    (["fbeta", "--precision", "1.5", "--recall", "0.5"], "precision must lie in [0, 1]"),
    (["fbeta", "--labels", "{y}", "--preds", "{bad}", "--threshold", "0.2"], "must lie in [0, 1]"),
    (["fbeta", "--labels", "{y}", "--preds", "{wide}"], "different shapes"),
    (["fbeta", "--labels", "{y}", "--preds", "{missing}"], "not found"),
    (["tiles", "--tags", ""], "tag set is empty"),
    (["tiles", "--tags", "cloudy,lava"], "unknown tag 'lava'"),
])
def test_cli_bad_input_exits_2_with_one_line(tmp_path, args, needle):
    import subprocess
    import sys
    files = {"y": [[1, 0], [0, 1]], "bad": [[1.5, 0], [0, 1]], "wide": [[1, 0, 1], [0, 1, 0]]}
    paths = {"missing": str(tmp_path / "nope.csv")}
    for name, v in files.items():
        paths[name] = str(tmp_path / f"{name}.csv")
        np.savetxt(paths[name], v, delimiter=",")
    args = [a.format(**paths) for a in args]
    r = subprocess.run([sys.executable, "-m", "viz", *args], capture_output=True, text=True)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], r.stderr
