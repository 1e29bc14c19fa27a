"""Fuzz every ``viz`` sub-command with hostile option values, paths and files.

The promise (README, "The viz command"): bad input ends with exit status 2 and one line on
stderr, no traceback, nothing half-written, no temp file or empty folder left behind, and
quickly (bounds are checked before any work). For every example this test asserts:

* exit status 2 when any value is bad (0 is allowed too when all are valid);
* at most one line on stderr, exactly one on failure, never ``Traceback``;
* nothing left in the output folder after a failure, no temporary file ever;
* ``/dev/null`` and ``/dev/full`` are still devices (an atomic rename must not replace them);
* a few seconds per example.

The options come from the parser itself: every option whose ``type`` is a
:class:`viz._check.Int` / :class:`viz._check.Float` gets values outside its bounds and
non-numbers; choices get strings outside them; paths and files get the hostile kinds
below. A sub-command or option this file does not know fails :func:`test_every_option_is_fuzzed`,
so new ones must be given a strategy here. Commands that are expensive when their input
is valid (training, rendering) always get at least one bad value.

Examples run in-process through ``viz.cli.main``; a few representative cases also run
through a real subprocess. ``VIZ_FUZZ_EXAMPLES=500`` runs more (CI runs a bounded number).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import stat
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import viz._io
from viz._check import Float, Int
from viz.cli import main, make_parser

EXAMPLES = int(os.environ.get("VIZ_FUZZ_EXAMPLES", "0"))
FUZZ = settings(max_examples=EXAMPLES or 12, deadline=None, derandomize=not EXAMPLES,
                database=None, suppress_health_check=list(HealthCheck))
#: Sub-commands that train or render when their input is valid: always one bad value.
EXPENSIVE = {"figures", "render", "build", "explore", "slides", "tiles", "lr-find", "otavio",
             "explain"}
#: Options left out, and why.
SKIPPED = {("render", "--scheduler"): "connects to a Dask cluster"}
OUTPUT_FILES = {"--json", "--xlsx", "--csv", "--plot"}
INPUT_FILES = {"--image": "image", "--kernels": "kernels", "--labels": "csv", "--preds": "csv",
               "--input": "image", "--weights": "weights"}
#: viz explain's MODEL (a Python file run only because the command line asks for it)
USER_MODELS = Path(__file__).parent / "user_models"
SECONDS = 20.0          # per example, generous for a loaded 2-core machine


# ---------------------------------------------------------------------------- hostile files
def _png_header(w, h) -> bytes:
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Good and hostile inputs, and special output paths, made once."""
    from PIL import Image
    d = tmp_path_factory.mktemp("fuzz-inputs")
    f = {}

    def put(name, data):
        p = d / name
        (p.write_bytes if isinstance(data, bytes) else p.write_text)(data)
        return str(p)

    rng = np.random.default_rng(0)
    seven = (rng.random((40, 30)) * 255).astype(np.uint8)
    Image.fromarray(seven).save(d / "ok.png")
    f["image_good"] = [str(d / "ok.png")]
    Image.fromarray(np.zeros((2600, 2200), np.uint8)).save(d / "large.png")   # reduced, one note
    f["image_valid_large"] = str(d / "large.png")
    png = (d / "ok.png").read_bytes()
    kern = rng.normal(size=(2, 3, 3)).round(3).tolist()
    f["kernels_good"] = [put("k.json", json.dumps(kern)),
                         put("k2.json", json.dumps({"conv2": rng.normal(size=(2, 2, 3, 3)).tolist()}))]
    f["csv_good"] = [put("y.csv", "1,0\n0,1\n"), put("p.csv", "0.9,0.2\n0.1,0.7\n"),
                     put("wide.csv", "1,0,1\n0,1,0\n")]
    big = d / "huge.bin"
    with open(big, "wb") as fh:                      # sparse: over every size bound, instantly
        fh.truncate(200 * 2**20)
    os.mkfifo(d / "in.fifo")
    common = [str(d / "missing.file"), str(d), "/dev/zero", str(d / "in.fifo"), str(big),
              put("empty.bin", b""), put("garbage.bin", bytes(rng.integers(0, 256, 300, dtype=np.uint8)))]
    f["image_bad"] = common + [put("bomb.png", _png_header(20000, 20000)),
                               put("bomb2.png", _png_header(9000, 9000)),
                               put("trunc.png", png[: len(png) // 2]), put("zero.png", _png_header(0, 5)),
                               f["kernels_good"][0]]
    f["kernels_bad"] = common + [put("deep.json", "[" * 100_000 + "]" * 100_000),
                                 put("nan.json", json.dumps(kern).replace(str(kern[0][0][0]), "NaN", 1)),
                                 put("inf.json", '{"dense": Infinity}'), put("wrong.json", "[[1, 2], [3, 4]]"),
                                 put("ragged.json", "[[[1,1,1],[1,1],[1,1,1]],[[1,1,1],[1,1,1],[1,1,1]]]"),
                                 put("strings.json", json.dumps(kern).replace("[", '["1",', 1)),
                                 put("huge.json", "[" + "9" * 5000 + "]"), put("big.json", json.dumps(
                                     np.full((2, 3, 3), 1e300).tolist())), put("key.json", '{"conv9": []}'),
                                 put("trunc.json", json.dumps(kern)[:20]), f["image_good"][0]]
    import torch
    torch.save(torch.nn.Linear(2, 3).state_dict(), d / "w.pt")
    f["weights_good"] = [str(d / "w.pt")]
    f["weights_bad"] = common + [f["image_good"][0], f["kernels_good"][0]]
    for c in ("a", "b"):
        (d / "data" / c).mkdir(parents=True)
        Image.fromarray(seven).save(d / "data" / c / "x.png")
    (d / "data-empty" / "a").mkdir(parents=True)
    (d / "data-one" / "a").mkdir(parents=True)
    Image.fromarray(seven).save(d / "data-one" / "a" / "x.png")
    f["data_good"] = [str(d / "data")]
    f["data_bad"] = [str(d / "missing-folder"), str(d / "ok.png"), str(d / "data-empty"),
                     str(d / "data-one"), "/dev/null", "/proc/viz-fuzz", str(d / "in.fifo")]
    f["csv_bad"] = common + [put("nan.csv", "nan,1\n0,1\n"), put("ragged.csv", "1,0\n1\n"),
                             put("text.csv", "a,b\nc,d\n"), put("two.csv", "2,0\n0,1\n"),
                             put("bin.csv", png)]
    special = tempfile.mkdtemp(prefix="viz-fuzz-special-")
    os.mkfifo(Path(special) / "out.fifo")
    (Path(special) / "file").write_text("a file, not a folder")
    os.symlink(Path(special) / "nowhere" / "x", Path(special) / "dangling")
    os.symlink(d, Path(special) / "to-folder")
    f["special"] = special
    # refused before any work:
    f["out_bad"] = [str(Path(special) / "file" / "x.json"), "/proc/viz-fuzz.json", "/sys/viz-fuzz.json",
                    str(Path(special) / "to-folder"), str(Path(special) / "dangling"), str(d),
                    "/sys/a/b/c.json", str(Path(special) / ("x" * 300 + ".json"))]
    # refused when written (a full device, a pipe nobody reads): only where work is cheap
    f["out_late_bad"] = ["/dev/full", str(Path(special) / "out.fifo")]
    f["folder_bad"] = [str(Path(special) / "file"), str(Path(special) / "file" / "sub"), "/proc/viz-fuzz",
                       "/sys/viz-fuzz", "/dev/null", "/dev/full", str(Path(special) / "out.fifo"),
                       str(Path(special) / "dangling")]
    f["named"] = {p.name: str(p) for p in d.iterdir()}
    old = viz._io.FIFO_WAIT_S
    viz._io.FIFO_WAIT_S = 0.05                    # a pipe nobody reads: refuse at once
    yield f
    viz._io.FIFO_WAIT_S = old


# ---------------------------------------------------------------------------- the strategies
_JUNK = ["nan", "inf", "-inf", "1e999", "abc", "", " ", "1,5", "0x1f", "--", "½", "1e-400x"]


def bad_number(t):
    pool = [st.sampled_from(_JUNK)]
    if isinstance(t, Int):
        pool += [st.integers(t.hi + 1, t.hi + 10**30).map(str), st.sampled_from(["1.5", "1e3", "2**8"])]
        if t.lo is not None:
            pool.append(st.integers(t.lo - 10**30, t.lo - 1).map(str))
    else:
        pool.append(st.floats(min_value=t.hi, exclude_min=True, allow_infinity=False).map(repr))
        if t.lo is not None:
            pool.append(st.floats(max_value=t.lo, exclude_max=t.lo_open is False,
                                  allow_infinity=False).map(repr))
    return st.one_of(pool)


def good_number(t):
    if isinstance(t, Int):
        lo = t.lo if t.lo is not None else 1
        return st.one_of(st.integers(lo, min(t.hi, lo + 8)), st.integers(lo, t.hi)).map(str)
    lo = t.lo if t.lo is not None else 1e-3
    return st.floats(lo, t.hi, exclude_min=t.lo_open).map(repr)


class Spec:
    """How to make good and bad values for one option (``good`` may be None: never valid)."""

    def __init__(self, good, bad, nargs=1):
        self.good, self.bad, self.nargs = good, bad, nargs


def spec_for(command, action, f, out):
    opt = action.option_strings[-1] if action.option_strings else "NAME"
    n = action.nargs
    if isinstance(action.type, (Int, Float)):
        count = n if isinstance(n, int) else 1
        good = st.lists(good_number(action.type), min_size=count, max_size=count)
        bad = st.lists(good_number(action.type), min_size=count - 1, max_size=count - 1).flatmap(
            lambda rest: bad_number(action.type).map(lambda b: [b] + rest))
        if n == "+":                       # one or two numbers
            good = st.lists(good_number(action.type), min_size=1, max_size=2)
        return Spec(good, bad, n)
    if action.type is float and opt in ("--precision", "--recall", "--threshold"):
        good = st.floats(0, 1).map(lambda v: [repr(v)])
        bad = st.one_of(st.floats(1, exclude_min=True, allow_infinity=False),
                        st.floats(max_value=0, exclude_max=True, allow_infinity=False)).map(repr)
        return Spec(good, st.one_of(bad, st.sampled_from(_JUNK)).map(lambda v: [v]))
    if action.nargs == 0:                                   # a flag: never bad by itself
        return Spec(st.just([]), None, 0)
    if action.choices:
        return Spec(st.sampled_from(sorted(action.choices)).map(lambda c: [c]),
                    st.text(min_size=1, max_size=8).filter(lambda s: s not in action.choices
                                                           and not s.startswith("-")).map(lambda c: [c]))
    if opt in OUTPUT_FILES:
        suffix = {"--json": ".json", "--xlsx": ".xlsx", "--csv": ".csv", "--plot": ".png"}[opt]
        good = st.sampled_from([str(out / f"x{suffix}"), str(out / "new" / "deep" / f"x{suffix}"),
                                str(out / f"y{suffix}"), "/dev/null"])
        bad = st.sampled_from(f["out_bad"] + ([str(out / "plot.gif")] if opt == "--plot" else [])
                              + (f.get("out_late_bad", []) if command not in EXPENSIVE else []))
        return Spec(good.map(lambda p: [p]), bad.map(lambda p: [p]))
    if opt == "--out":
        good = st.sampled_from([str(out), str(out / "new" / "deep")])
        return Spec(good.map(lambda p: [p]), st.sampled_from(f["folder_bad"]).map(lambda p: [p]))
    if opt == "--data":
        return Spec(st.sampled_from(f["data_good"]).map(lambda p: [p]),
                    st.sampled_from(f["data_bad"]).map(lambda p: [p]))
    if opt in INPUT_FILES:
        kind = INPUT_FILES[opt]
        return Spec(st.sampled_from(f[f"{kind}_good"]).map(lambda p: [p]),
                    st.sampled_from(f[f"{kind}_bad"]).map(lambda p: [p]))
    words = {"--format": (["png", "svg", "pdf"], ["jpg", "PNG", "", "png;", "../x"]),
             "--quality": (["low"], ["ultra", "", "LOW", "-ql"]),
             "--tags": (None, ["", "zz", "cloudy,zz", "cloudy,cloudy", ",,,", "lava"]),
             "--ratios": (["1", "9,3,1", "1.5,1"], ["", "a", "1,nan", "-1", "0", "1,inf", "1e999",
                                                    ",".join(["1"] * 40), "1;2"]),
             "--size": (["8x4.5", "1x1", "12x6"], ["0x1", "1e308x1e308", "axb", "51x1", "nanx3",
                                                   "8", "8x4x2", "-1x5", "50x50"]),
             "--classes": (["a,b", "0,1,2,3,4,5,6,7,8,9"], ["", ",", "a,,b", "a,a", " , ", "x" * 101])}
    if opt in words:
        good, bad = words[opt]
        return Spec(None if good is None else st.sampled_from(good).map(lambda v: [v]),
                    st.sampled_from(bad).map(lambda v: [v]))
    if opt == "NAME" and command == "explain":
        return Spec(st.just([f"{USER_MODELS / 'lenet5.py'}:lenet5"]),
                    st.sampled_from(["", "x", "no-such.py:make", f"{USER_MODELS / 'lenet5.py'}:nosuch",
                                     f"{USER_MODELS / 'odd_models.py'}:broken",
                                     f"{USER_MODELS / 'odd_models.py'}:not_a_model",
                                     "/dev/zero:make"]).map(lambda v: [v]), "?")
    if opt == "NAME":
        kind = "figure" if command == "figures" else "scene"
        cheap = {"figure": ["iso-f"], "scene": ["relu"]}[kind]
        return Spec(st.sampled_from(cheap).map(lambda v: [v]),
                    st.sampled_from(["no-such-" + kind, "", "ISO-F", "../x"]).map(lambda v: [v]), "*")
    return None


def _commands():
    p = make_parser()
    sub = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices


def _options(parser):
    for a in parser._actions:
        if isinstance(a, argparse._HelpAction):
            continue
        yield a


def test_every_option_is_fuzzed(tmp_path):
    """A new sub-command or option needs a strategy above (or a reason in SKIPPED)."""
    dummy = {k: ["x"] for k in ("out_bad", "folder_bad", "image_good", "image_bad", "kernels_good",
                                "kernels_bad", "csv_good", "csv_bad", "weights_good", "weights_bad",
                                "data_good", "data_bad")}
    missing = []
    for name, parser in _commands().items():
        for a in _options(parser):
            key = (name, a.option_strings[-1] if a.option_strings else "NAME")
            if key not in SKIPPED and spec_for(name, a, dummy, tmp_path) is None:
                missing.append(key)
    assert not missing, f"options without a fuzz strategy: {missing}"


# ---------------------------------------------------------------------------- running
def run_main(argv):
    out, err = io.StringIO(), io.StringIO()
    t0 = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue(), err.getvalue(), time.monotonic() - t0


def _devices_intact():
    for dev in ("/dev/null", "/dev/full"):
        assert stat.S_ISCHR(os.stat(dev).st_mode), f"{dev} is no longer a device"


def _leftovers(folder: Path):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def check(argv, bad, out: Path, bad_options=()):
    rc, stdout, stderr, seconds = run_main(argv)
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    where = f"viz {' '.join(argv)!r}\nrc={rc}\nstderr={stderr!r}"
    assert "Traceback" not in stderr, where
    assert rc in ((2,) if bad else (0, 2)), where
    assert len(lines) <= 1, where
    _devices_intact()
    temps = [p for p in _leftovers(out) if Path(p).name.startswith(".")]
    assert not temps, f"temporary files left: {temps}\n{where}"
    if rc == 2:
        assert len(lines) == 1 and lines[0].startswith("viz"), where
        assert _leftovers(out) == [], f"left behind: {_leftovers(out)}\n{where}"
        if len(bad_options) == 1 and bad_options[0].startswith("--") and "argument" in lines[0]:
            assert bad_options[0] in lines[0], where
    assert seconds < SECONDS, f"{seconds:.1f} s\n{where}"
    return rc, lines


def _case(data, name, parser, f, out):
    """argv for one example of ``name``, and the options given a bad value."""
    specs = []
    for a in _options(parser):
        key = (name, a.option_strings[-1] if a.option_strings else "NAME")
        if key in SKIPPED:
            continue
        specs.append((key[1], spec_for(name, a, f, out)))
    choices = list(range(len(specs)))
    must_bad = name in EXPENSIVE or data.draw(st.integers(0, 3)) == 0
    can_be_bad = [i for i in choices if specs[i][1].bad is not None]
    forced = data.draw(st.sampled_from(can_be_bad), label="forced bad") if must_bad and can_be_bad else None
    argv, bad = [name], []
    for i, (opt, spec) in enumerate(specs):
        mode = "bad" if i == forced else data.draw(st.sampled_from(["skip", "skip", "good", "bad"]),
                                                   label=opt)
        if mode == "good" and name in EXPENSIVE and opt == "NAME":
            mode = "skip"
        if mode == "bad" and spec.bad is None or mode == "good" and spec.good is None:
            mode = "skip"
        if mode == "skip":
            continue
        values = data.draw(spec.good if mode == "good" else spec.bad, label=opt)
        if mode == "bad":
            bad.append(opt)
        if opt == "NAME":
            argv += values
        elif spec.nargs == 0:
            argv.append(opt)
        elif spec.nargs in (2, 3, "+"):
            argv += [opt, *values]
        else:
            argv.append(f"{opt}={values[0]}")
    if must_bad and not bad:      # nothing could be made bad: an unknown option is
        argv.append("--no-such-option")
        bad.append("--no-such-option")
    return argv, bad


COMMANDS = sorted(_commands())


@pytest.mark.parametrize("name", COMMANDS)
def test_fuzz_subcommand(name, files, tmp_path, monkeypatch):
    parser = _commands()[name]
    monkeypatch.chdir(tmp_path)     # a default output folder (figures/, slides/) lands here

    @FUZZ
    @given(data=st.data())
    def run(data):
        with tempfile.TemporaryDirectory(prefix="viz-fuzz-") as work:
            out = Path(work) / "out"
            argv, bad = _case(data, name, parser, files, out)
            if name == "spreadsheet" and not any(a.startswith(("--json", "--xlsx")) for a in argv):
                bad.append("(nothing to write)")          # refused: nothing to write
            check(argv, bool(bad), out, bad)

    run()


def test_top_level_junk_exits_2():
    for argv in (["no-such-command"], [], ["--no-such-flag"], ["list", "--extra"], ["list", "x"]):
        rc, _, err, _ = run_main(argv)
        assert rc == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, (argv, err)


def test_a_large_legal_picture_is_reduced_with_one_line(files, tmp_path):
    rc, lines = check(["spreadsheet", "--json", str(tmp_path / "x.json"), "--image",
                       files["image_valid_large"]], False, tmp_path / "unused")
    assert rc == 0 and len(lines) == 1 and "reduced to" in lines[0] and "2200x2600" in lines[0]
    assert np.isfinite(json.loads((tmp_path / "x.json").read_text())["dense"])


def test_devices_and_pipes_are_written_through(tmp_path):
    """``--json /dev/null`` writes to the device; a pipe with a reader gets the bytes."""
    rc, _, err, _ = run_main(["spreadsheet", "--json", "/dev/null"])
    assert rc == 0 and err == ""
    _devices_intact()
    fifo = tmp_path / "p.fifo"
    os.mkfifo(fifo)
    with subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE) as reader:
        try:
            rc, _, err, _ = run_main(["sgdr-schedule", "--csv", str(fifo)])
            got = reader.communicate(timeout=30)[0].decode()
        finally:
            reader.kill()
    assert rc == 0 and err == "" and got.startswith("iteration,epoch,lr_") and len(got.splitlines()) == 701
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    target = tmp_path / "real.csv"
    target.write_text("old")
    (tmp_path / "link.csv").symlink_to(target)
    assert run_main(["sgdr-schedule", "--csv", str(tmp_path / "link.csv")])[0] == 0
    assert (tmp_path / "link.csv").is_symlink() and target.read_text().startswith("iteration")


def test_one_bad_output_leaves_no_other_output(tmp_path):
    """``--json good --xlsx /dev/full``: the JSON must not stay behind, nor its new folders."""
    good = tmp_path / "new" / "deep" / "x.json"
    rc, _, err, _ = run_main(["spreadsheet", "--json", str(good), "--xlsx", "/dev/full"])
    assert rc == 2 and "/dev/full" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "new").exists()
    _devices_intact()


# ---------------------------------------------------------------------------- subprocesses
@pytest.mark.parametrize("case", ["devfull", "bomb", "deep", "lrplot", "seed", "cycles"])
def test_hostile_input_through_a_real_process(case, files, tmp_path):
    out = tmp_path / "out"
    argv = {"devfull": ["spreadsheet", "--json", "/dev/full"],
            "bomb": ["spreadsheet", "--json", str(out / "x.json"), "--image",
                     files["named"]["bomb.png"]],
            "deep": ["spreadsheet", "--json", str(out / "x.json"), "--kernels",
                     files["named"]["deep.json"]],
            "lrplot": ["lr-find", "--json", str(out / "good.json"), "--plot", str(tmp_path)],
            "seed": ["tiles", "--seed", "-1"],
            "cycles": ["sgdr-schedule", "--cycles", "40", "--csv", str(out / "x.csv")]}[case]
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, "-W", "default", "-m", "viz", *argv], capture_output=True,
                       text=True, timeout=120)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert _leftovers(out) == []
    assert time.monotonic() - t0 < 60
    _devices_intact()
    needle = {"devfull": "No space left", "bomb": "decompression bomb", "deep": "nested too deeply",
              "lrplot": "--plot", "seed": "--seed", "cycles": "the most is"}[case]
    assert needle in lines[0], lines[0]


def test_the_readme_lists_every_bound():
    """Every bounded option appears in the README's bounds table with its upper bound."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    rows = [ln.replace(",", "") for ln in readme.splitlines() if ln.startswith("| ") and "`--" in ln]
    missing = []
    for name, parser in _commands().items():
        for a in _options(parser):
            if not isinstance(a.type, (Int, Float)):
                continue
            opt, hi = a.option_strings[-1], a.type.hi
            hi_text = "2**32-1" if hi == 2**32 - 1 else (str(int(hi)) if float(hi).is_integer() else str(hi))
            if not any(f"`{opt}`" in r and (f"`{name}`" in r or "every command" in r) and hi_text in r
                       for r in rows):
                missing.append((name, opt, hi_text))
    assert not missing, f"README bounds table lacks: {missing}"
