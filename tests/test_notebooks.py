"""Every self-study notebook in examples/ runs top to bottom in a real Jupyter kernel."""
import os
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*.py"))


#: What some notebooks must print (beyond running without an error).
PRINTS = {"otavio_interactive": ("held-out accuracy", "the network now says")}


def test_there_are_notebooks():
    assert len(EXAMPLES) >= 6


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_notebook_runs(path, tmp_path, monkeypatch, viz_cache_dir):
    import jupytext
    from nbclient import NotebookClient

    nb = jupytext.read(path)
    assert any(c.cell_type == "markdown" for c in nb.cells), "a notebook needs prose"
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")          # two kernels share 2 cores under -n 2
    monkeypatch.setenv("VIZ_CACHE_DIR", str(viz_cache_dir))   # the session's: each demo trains once
    monkeypatch.setenv("PYTHONPATH", str(path.parents[1]) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()       # raises CellExecutionError, with the cell and traceback, on any error
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                      for o in c.get("outputs", []) if o.get("output_type") == "stream")
    for needle in PRINTS.get(path.stem, ()):
        assert needle in printed, (path.stem, needle)
