"""``viz render --scheduler``: scenes rendered on a Dask cluster (two local worker
processes on loopback), gathered into --out; a failing scene is named while the others
finish; an unreachable scheduler exits 2 with one line and writes nothing."""
import logging
import socket

import av
import pytest

distributed = pytest.importorskip("distributed")

from viz import catalog, cluster  # noqa: E402
from viz.cli import main  # noqa: E402

BROKEN = catalog.Entry("broken", "Broken", "Its scene class does not exist.",
                       "viz.catalog:NoSuchScene", kind="scene", topic="softmax")


@pytest.fixture
def with_broken(monkeypatch):
    real = catalog.entries

    def entries(kind=None):
        return real(kind) + ([BROKEN] if kind in (None, "scene") else [])
    monkeypatch.setattr(catalog, "entries", entries)


@pytest.mark.slow
def test_render_on_a_local_cluster(tmp_path, capsys, with_broken):
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None,
                                  silence_logs=logging.ERROR) as lc:
        rc = main(["render", "broken", "fbeta", "--quality", "low",
                   "--scheduler", lc.scheduler_address, "--out", str(tmp_path / "v")])
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("viz:")]
    assert (rc, err) == (1, ["viz: error: scene broken: AttributeError: module 'viz.catalog' has no "
                   "attribute 'NoSuchScene'"])
    names = sorted(p.name for p in (tmp_path / "v").iterdir())     # captions too, if any
    assert {"fbeta-poster.png", "fbeta.mp4"} <= set(names) and all(n.startswith("fbeta") for n in names)
    for name in ("fbeta",):
        with av.open(str(tmp_path / "v" / f"{name}.mp4")) as c:
            s = c.streams.video[0]
            assert (s.codec_context.width, s.codec_context.height) == (854, 480)
            assert sum(1 for _ in c.decode(video=0)) > 15


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_scheduler_exits_2_and_writes_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 0.5)
    out = tmp_path / "videos"
    address = f"tcp://127.0.0.1:{_free_port()}"
    assert main(["render", "fbeta", "--scheduler", address, "--out", str(out)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"viz: error: cannot reach the Dask scheduler at {address}")
    assert not out.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("address", ["127.0.0.1:8786", "tcp://", "http://host:8786", "tcp://h:x"])
def test_bad_scheduler_address(tmp_path, capsys, address):
    assert main(["render", "fbeta", "--scheduler", address, "--out", str(tmp_path / "v")]) == 2
    assert "--scheduler must look like tcp://HOST:8786" in capsys.readouterr().err
