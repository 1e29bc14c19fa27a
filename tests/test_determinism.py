"""Same machine, same bytes: figures (SVG, PDF, PNG) and the spreadsheet's JSON written by
two separate runs of ``viz`` (two interpreters, different hash seeds) are identical."""
import os
import subprocess
import sys

SCRIPT = """
import sys
from viz.cli import main
out = sys.argv[1]
for fmt in ("svg", "pdf", "png"):
    assert main(["figures", "relu", "tiles", "--format", fmt, "--dpi", "50", "--jobs", "1",
                 "--out", out]) == 0
assert main(["spreadsheet", "--json", out + "/sheet.json"]) == 0
"""


def _start(out, hashseed):
    env = dict(os.environ, PYTHONHASHSEED=str(hashseed), MPLBACKEND="Agg")
    return subprocess.Popen([sys.executable, "-c", SCRIPT, str(out)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _files(proc, out):
    output, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, output.decode()[-2000:]
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_two_runs_write_the_same_bytes(tmp_path):
    runs = [(_start(tmp_path / d, seed), tmp_path / d) for d, seed in (("a", 1), ("b", 2))]
    first, second = (_files(proc, out) for proc, out in runs)
    assert sorted(first) == sorted(["sheet.json"] + [f"{n}.{f}" for n in ("relu", "tiles")
                                                     for f in ("svg", "pdf", "png")])
    for name in first:
        assert first[name] == second[name], f"{name} differs between two runs"
    assert b"258.7376267" in first["sheet.json"]
    for name in ("relu.pdf", "tiles.pdf"):
        assert b"/CreationDate" not in first[name] and b"/ModDate" not in first[name]
    assert b"<dc:date>" not in first["relu.svg"]
    assert b"tIME" not in first["relu.png"]          # no PNG time chunk
