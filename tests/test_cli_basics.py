"""The ``viz`` command's plumbing: list, errors, import lightness."""
import subprocess
import sys

import pytest

from viz import catalog
from viz.cli import main


def run_viz(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "viz", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


def test_import_viz_is_light():
    code = ("import sys, viz, viz.catalog, viz.cli; "
            "heavy = [m for m in ('torch', 'matplotlib', 'manim', 'seaborn') if m in sys.modules]; "
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_list_shows_every_entry_grouped_by_topic(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for e in catalog.entries():
        assert e.name in out
    # headings appear in lesson order
    shown = [t for t, _ in catalog.TOPICS if f"[{t}]" in out]
    assert shown == sorted(shown, key=[t for t, _ in catalog.TOPICS].index)


def test_every_catalog_target_imports():
    for e in catalog.entries():
        assert callable(e.load()), e.target


@pytest.mark.parametrize("args, needle", [
    (["figures", "no-such-figure", "--out", "{tmp}"], "no-such-figure"),
    (["render", "no-such-scene", "--out", "{tmp}"], "no-such-scene"),
    (["render", "conv-example", "--out", "{tmp}", "--quality", "ultra"], "ultra"),
    (["figures", "conv-example", "--out", "{tmp}", "--format", "jpg"], "jpg"),
    (["figures", "conv-example", "--out", "{tmp}", "--theme", "purple"], "purple"),
    (["nonsense"], "nonsense"),
])
def test_bad_arguments_exit_2_with_one_line(tmp_path, args, needle):
    args = [a.replace("{tmp}", str(tmp_path / "out")) for a in args]
    r = run_viz(*args)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()          # not even an empty output folder


def test_unwritable_output_folder(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    r = run_viz("figures", "conv-example", "--out", str(blocker / "sub"))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr


def test_python_dash_m_and_console_script_agree():
    from pathlib import Path
    exe = Path(sys.executable).with_name("viz")      # installed beside this Python
    assert exe.exists(), f"console script missing: {exe}"
    a = subprocess.run([str(exe), "list"], capture_output=True, text=True).stdout
    b = run_viz("list").stdout
    assert a == b and "conv-example" in a
