"""Rendering scenes on a Dask cluster: ``viz render --scheduler tcp://HOST:8786``.

Needs the optional extra ``pip install 'viz[cluster]'`` (Dask distributed) here and on
every worker machine, which must also have the toolkit installed (the same version).
One task per scene: a worker renders the scene into a temporary folder of its own
(:func:`render_files`) and sends the finished files back as bytes; this process writes
them into ``--out`` atomically (a scene's video and poster together, or neither).

An unreachable scheduler is a ``ValueError`` (exit status 2, one line) raised before
anything is written; a scene that fails on a worker is reported with its error
(:class:`viz.parallel.TaskFailures`, exit status 1) while the other scenes finish.
"""
from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from . import export, parallel
from ._io import atomic_paths, check_output, ensure_dir

#: Seconds to wait for the scheduler before giving up (it answers at once when it is up).
CONNECT_TIMEOUT_S = 5.0
SCHEMES = ("tcp", "tls", "ws", "wss")

# Manim's ``config`` is global to a process: a worker running several threads renders one
# scene at a time (start workers with ``--nthreads 1`` and several ``--nworkers`` instead).
_RENDER_LOCK = threading.Lock()


def render_files(entry, quality: str) -> tuple[dict[str, bytes], float]:
    """On a worker: render ``entry`` into a temporary folder; ({file name: bytes}, seconds)."""
    import tempfile

    with _RENDER_LOCK:
        t0 = time.perf_counter()
        try:
            import torch
            torch.set_num_threads(1)
        except ImportError:  # pragma: no cover - torch is a dependency
            pass
        with tempfile.TemporaryDirectory(prefix="viz-worker-") as tmp:
            export.render_scene(entry, tmp, quality=quality)
            files = {p.name: p.read_bytes() for p in sorted(Path(tmp).iterdir()) if p.is_file()}
        return files, time.perf_counter() - t0


def check_address(address: str) -> str:
    """``scheme://host:port`` with a scheme Dask speaks; ValueError otherwise."""
    parts = urlsplit(address)
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme not in SCHEMES or not parts.hostname or port is None or parts.path not in ("", "/"):
        raise ValueError(f"--scheduler must look like tcp://HOST:8786, got {address[:80]!r}")
    return address


def connect(address: str, timeout: float = CONNECT_TIMEOUT_S):
    """A ``distributed.Client`` for the scheduler at ``address``; ValueError if unreachable."""
    check_address(address)
    try:
        from distributed import Client
    except ImportError:
        raise ValueError("--scheduler needs Dask distributed: pip install 'viz[cluster]'") from None
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ValueError(f"cannot reach the Dask scheduler at {address}: "
                         f"{parallel.error_line(exc)}") from None


def render_on_cluster(entries, out, *, quality: str = "low", scheduler: str,
                      timeout: float | None = None, on_done=None, bar=None):
    """Render every scene entry on the cluster; write its files into ``out``.

    Returns the outcomes (value: the paths written) in the order of ``entries``; raises
    TaskFailures after all scenes are done when some failed, ValueError (nothing written,
    no folder made) for a bad quality, an unwritable ``out`` or an unreachable scheduler.
    """
    entries = list(entries)
    export.check_quality(quality)
    out = Path(out)
    check_output(out / ".viz-render-probe", "--out")      # creates nothing
    client = connect(scheduler, CONNECT_TIMEOUT_S if timeout is None else timeout)
    own_bar = bar is None
    if own_bar:
        bar = parallel.progress_bar(len(entries), "scenes")
    outcomes: list = [None] * len(entries)
    try:
        ensure_dir(out, "--out")
        run = uuid.uuid4().hex[:8]
        futures = {client.submit(render_files, e, quality, key=f"viz-render-{e.name}-{run}",
                                 pure=False): i for i, e in enumerate(entries)}
        from distributed import as_completed
        for fut in as_completed(futures, loop=client.loop):
            i = futures[fut]
            task = parallel.Task("scene", entries[i].name, render_files)
            try:
                files, seconds = fut.result()
                outcomes[i] = parallel.Outcome(task, value=_gather(files, out), seconds=seconds)
            except Exception as exc:                  # noqa: BLE001 - reported, others go on
                outcomes[i] = parallel.Outcome(task, error=parallel.error_line(exc))
            bar.set_postfix_str(task.name, refresh=False)
            bar.update(1)
            if on_done is not None:
                on_done(outcomes[i])
    finally:
        if own_bar:
            bar.close()
        client.close()
    parallel.raise_failures(outcomes)
    return outcomes


def _gather(files: dict[str, bytes], out: Path) -> tuple[Path, ...]:
    """Write one scene's files into ``out``: all of them, or (on an error) none."""
    names = sorted(files)
    for name in names:                       # a worker names files; never outside ``out``
        if Path(name).name != name or name.startswith("."):
            raise ValueError(f"a worker sent a file with a bad name: {name[:80]!r}")
    dests = [out / name for name in names]
    with atomic_paths(*dests) as tmps:
        for name, tmp in zip(names, tmps):
            tmp.write_bytes(files[name])
    video = [d for d in dests if d.suffix == ".mp4"]
    return tuple(video + [d for d in dests if d.suffix != ".mp4"])
