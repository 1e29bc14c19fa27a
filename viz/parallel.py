"""Running independent figures and scenes in parallel processes, with one progress bar.

``viz figures``, ``viz render`` and ``viz build`` hand a list of :class:`Task` to
:func:`run_tasks`. With ``jobs=1`` (or a single task) they run one after the other in
this process; otherwise in a pool of ``jobs`` processes started with the ``spawn``
context (a fresh interpreter each: no Manim ``config``, matplotlib or torch state is
shared or forked), each running torch on one thread. A task's function and arguments
must be picklable (module-level functions, catalog entries, paths).

A task that raises does not stop the others: its error is kept in its :class:`Outcome`
and :func:`raise_failures` turns all of them into one :class:`TaskFailures`, which the
CLI prints one line per failed item (exit status 1). Outputs do not depend on the
number of jobs: each task writes only its own files (atomically), and results shared
between tasks (trained models) come from the cache folder, which every process reads.

The pool starts the longest tasks first (longest-processing-time order): each task's
seconds are remembered in ``task-seconds.json`` in the cache folder, and a task never
timed goes first. Only the order of starting changes, never what is written; with
``VIZ_CACHE=off`` nothing is remembered and tasks start in the order given.
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable


def default_jobs() -> int:
    """The number of CPU cores this process may use (its affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):           # not on Linux
        return max(1, os.cpu_count() or 1)


def check_jobs(jobs) -> int:
    """``jobs`` as a positive int (``None``: :func:`default_jobs`), else ValueError."""
    if jobs is None:
        return default_jobs()
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"--jobs must be a positive whole number, got {jobs!r}")
    return jobs


@dataclass(frozen=True)
class Task:
    """One independent piece of work: ``func(*args, **kwargs)`` in some process.

    kind, name : what the CLI calls it in messages (``"figure"``, ``"conv-example"``)
    """

    kind: str
    name: str
    func: Callable
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"


@dataclass
class Outcome:
    """What became of a task: its return value, or its error as one line."""

    task: Task
    value: Any = None
    error: str | None = None
    seconds: float = 0.0          # measured where the task ran

    @property
    def ok(self) -> bool:
        return self.error is None


class TaskFailures(Exception):
    """Some tasks failed (the others finished). ``lines``: one message per failed task."""

    def __init__(self, failed: list[Outcome]):
        self.failed = failed
        self.lines = [f"{o.task.label}: {o.error}" for o in failed]
        super().__init__("; ".join(self.lines))


def error_line(exc: BaseException) -> str:
    """An exception as one line: ValueError's message alone, others with their type."""
    text = " ".join(str(exc).split()) or "(no message)"
    if len(text) > 300:
        text = text[:297] + "..."
    return text if type(exc) is ValueError else f"{type(exc).__name__}: {text}"


def raise_failures(outcomes) -> None:
    failed = [o for o in outcomes if not o.ok]
    if failed:
        raise TaskFailures(failed)


def progress_bar(total: int, desc: str):
    """One tqdm bar on stderr, shown only on a terminal (``disable=None``)."""
    from tqdm import tqdm
    return tqdm(total=total, desc=desc, unit="item", file=sys.stderr, dynamic_ncols=True,
                disable=None, leave=True)


def bar_shown(bar) -> bool:
    return not getattr(bar, "disable", True)


def _timed_call(func, args, kwargs):
    t0 = time.perf_counter()
    value = func(*args, **kwargs)
    return value, time.perf_counter() - t0


def _init_worker() -> None:
    """Each pool process: one torch (OpenMP/MKL) thread, as several processes share the
    cores. Set before torch is imported there, which reads it at import."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    os.environ.setdefault("MPLBACKEND", "Agg")


def run_tasks(tasks, *, jobs: int | None = None, desc: str = "items", bar=None,
              on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Run every task; return their outcomes in the order of ``tasks``.

    jobs : processes to use (None: :func:`default_jobs`); 1 runs in this process
    bar : a tqdm-like object (``update``, ``set_postfix_str``) shared by several calls;
        None makes one for these tasks (:func:`progress_bar`) and closes it at the end
    on_done : called in this process with each outcome as it arrives
    Exceptions are caught per task (KeyboardInterrupt is not: it stops everything).
    """
    tasks = list(tasks)
    jobs = check_jobs(jobs)
    own_bar = bar is None
    if own_bar:
        bar = progress_bar(len(tasks), desc)
    outcomes: list[Outcome | None] = [None] * len(tasks)

    def done(i, outcome):
        outcomes[i] = outcome
        bar.set_postfix_str(outcome.task.name, refresh=False)
        bar.update(1)
        if on_done is not None:
            on_done(outcome)

    try:
        if jobs == 1 or len(tasks) <= 1:
            for i, t in enumerate(tasks):
                bar.set_postfix_str(t.name)
                t0 = time.perf_counter()
                try:
                    value, seconds = _timed_call(t.func, t.args, t.kwargs)
                    out = Outcome(t, value=value, seconds=seconds)
                except Exception as exc:          # noqa: BLE001 - reported, others go on
                    out = Outcome(t, error=error_line(exc), seconds=time.perf_counter() - t0)
                done(i, out)
        else:
            _run_pool(tasks, min(jobs, len(tasks)), done)
    finally:
        if own_bar:
            bar.close()
    _remember(outcomes)
    return outcomes


def _seconds_file():
    from .core.cache import default_cache_dir, enabled
    return default_cache_dir() / "task-seconds.json" if enabled() else None


def task_key(task: Task) -> str:
    """What a task's time is remembered under: kind, name and its simple options."""
    opts = ",".join(f"{k}={v}" for k, v in sorted(task.kwargs.items())
                    if isinstance(v, (str, int, float, bool, type(None))))
    return f"{task.kind}:{task.name}:{opts}"


def _remembered() -> dict:
    import json
    path = _seconds_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path is not None else {}
    except (OSError, ValueError):
        return {}
    return {k: float(v) for k, v in data.items() if isinstance(v, (int, float))} \
        if isinstance(data, dict) else {}


def start_order(tasks) -> list[int]:
    """Indices of ``tasks``, longest remembered first (never timed: first of all; ties keep
    the given order)."""
    seconds = _remembered()
    return sorted(range(len(tasks)), key=lambda i: -seconds.get(task_key(tasks[i]), float("inf")))


def _remember(outcomes) -> None:
    import json
    path = _seconds_file()
    if path is None:
        return
    seconds = _remembered()
    seconds.update({task_key(o.task): round(o.seconds, 3) for o in outcomes
                    if o is not None and o.ok and o.seconds})
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(seconds, sort_keys=True, indent=0), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:          # a read-only cache folder: the order is only an optimisation
        pass


def _run_pool(tasks, workers, done) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    ctx = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker)
    try:
        futures = {pool.submit(_timed_call, tasks[i].func, tasks[i].args, tasks[i].kwargs): i
                   for i in start_order(tasks)}
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                value, seconds = fut.result()
                out = Outcome(tasks[i], value=value, seconds=seconds)
            except Exception as exc:              # noqa: BLE001 - includes a crashed process
                out = Outcome(tasks[i], error=error_line(exc))
            done(i, out)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
