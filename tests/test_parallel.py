"""``--jobs``: figures and scenes in parallel processes (viz.parallel), same bytes as a
serial run, and one failing item does not stop the others."""
import math
import os

import pytest

from viz import catalog, parallel
from viz.cli import main

FIGS = ["relu", "tiles", "iso-f"]           # a heatmap of numbers, pictures, contours
BROKEN = catalog.Entry("broken", "Broken", "Its target does not exist.",
                       "viz.catalog:no_such_figure", kind="figure", topic="spreadsheet")


def test_default_jobs_is_the_cores_this_process_may_use():
    assert parallel.default_jobs() == len(os.sched_getaffinity(0))
    assert parallel.check_jobs(None) == parallel.default_jobs()
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="--jobs"):
            parallel.check_jobs(bad)


def test_run_tasks_keeps_order_and_reports_each_failure():
    tasks = [parallel.Task("number", str(x), math.sqrt, (x,)) for x in (16.0, -1.0, 2.25, "x")]
    for jobs in (1, 2):
        out = parallel.run_tasks(tasks, jobs=jobs)
        assert [o.task.name for o in out] == ["16.0", "-1.0", "2.25", "x"]
        assert [o.value for o in out if o.ok] == [4.0, 1.5]
        assert out[1].error == "math domain error"                  # ValueError: message only
        assert out[3].error.startswith("TypeError: must be real number")
        with pytest.raises(parallel.TaskFailures) as info:
            parallel.raise_failures(out)
        assert info.value.lines == ["number -1.0: math domain error", f"number x: {out[3].error}"]
    threads = parallel.run_tasks([parallel.Task("env", str(i), os.getenv, ("OMP_NUM_THREADS",))
                                  for i in range(2)], jobs=2)
    assert [o.value for o in threads] == ["1", "1"]               # one torch thread per process


def test_figures_in_two_processes_are_byte_identical_to_serial(tmp_path):
    for fmt in ("png", "svg"):
        assert main(["figures", *FIGS, "--jobs", "1", "--format", fmt, "--dpi", "60",
                     "--out", str(tmp_path / "serial")]) == 0
    # the same figures and formats in one pool of two processes
    chosen = catalog.select("figure", FIGS)
    from viz.export import save_figure
    tasks = [parallel.Task("figure", e.name, save_figure, (e, tmp_path / "par"),
                           {"fmt": fmt, "dpi": 60}) for fmt in ("png", "svg") for e in chosen]
    out = parallel.run_tasks(tasks, jobs=2)
    assert all(o.ok for o in out), [o.error for o in out]
    names = sorted(p.name for p in (tmp_path / "serial").iterdir())
    assert names == sorted(f"{n}.{f}" for n in FIGS for f in ("png", "svg"))
    assert sorted(p.name for p in (tmp_path / "par").iterdir()) == names
    for name in names:
        assert (tmp_path / "par" / name).read_bytes() == (tmp_path / "serial" / name).read_bytes(), name


@pytest.fixture
def with_broken(monkeypatch):
    real = catalog.entries

    def entries(kind=None):
        return real(kind) + ([BROKEN] if kind in (None, "figure") else [])
    monkeypatch.setattr(catalog, "entries", entries)


def test_a_failing_figure_does_not_stop_the_others(tmp_path, capsys, with_broken):
    rc = main(["figures", "broken", "relu", "--jobs", "2", "--dpi", "40", "--out", str(tmp_path)])
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("viz:")]
    assert rc == 1
    assert err == ["viz: error: figure broken: AttributeError: module 'viz.catalog' has no "
                   "attribute 'no_such_figure'"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["relu.png"]


def test_bad_options_exit_2_before_any_work(tmp_path, capsys):
    out = tmp_path / "new"
    assert main(["figures", "relu", "--format", "gif", "--jobs", "2", "--out", str(out)]) == 2
    assert main(["render", "fbeta", "--quality", "best", "--jobs", "2", "--out", str(out)]) == 2
    try:
        rc = main(["figures", "relu", "--jobs", "0", "--out", str(out)])
    except SystemExit as exc:                    # argparse's own exit
        rc = exc.code
    assert rc == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3 and "'gif'" in err[0] and "'best'" in err[1] and "--jobs" in err[2]
    assert not out.exists()


def test_the_longest_tasks_start_first(tmp_path, monkeypatch):
    """Times are remembered in the cache folder; the pool starts never-timed tasks, then
    the longest; nothing is remembered with the cache off."""
    monkeypatch.setenv("VIZ_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("VIZ_CACHE", raising=False)
    tasks = [parallel.Task("scene", n, len, ("x",), {"quality": "low"}) for n in "abcd"]
    assert parallel.start_order(tasks) == [0, 1, 2, 3]           # nothing known: as given
    outcomes = [parallel.Outcome(t, value=1, seconds=s) for t, s in zip(tasks[:3], (2.0, 9.0, 5.0))]
    parallel._remember(outcomes)
    assert parallel.start_order(tasks) == [3, 1, 2, 0]           # d never timed, then 9, 5, 2
    high = parallel.Task("scene", "a", len, ("x",), {"quality": "high"})
    assert parallel.task_key(high) != parallel.task_key(tasks[0])
    (tmp_path / "task-seconds.json").write_text("not json", encoding="utf-8")
    assert parallel.start_order(tasks) == [0, 1, 2, 3]           # a damaged file is ignored
    monkeypatch.setenv("VIZ_CACHE", "off")
    parallel._remember(outcomes)
    assert (tmp_path / "task-seconds.json").read_text(encoding="utf-8") == "not json"


def test_scenes_in_two_processes_match_serial(tmp_path):
    """``viz render --jobs 2`` gives what ``--jobs 1`` gives: the same last frame (the
    poster, written from Manim's frame before encoding), captions and number of frames."""
    import av

    names = ["fbeta", "two-labels"]
    for jobs in ("1", "2"):
        assert main(["render", *names, "--jobs", jobs, "--out", str(tmp_path / jobs)]) == 0
    for name in names:
        for suffix in ("-poster.png", ".srt", ".vtt"):
            a, b = (tmp_path / j / f"{name}{suffix}" for j in ("1", "2"))
            assert a.read_bytes() == b.read_bytes(), f"{name}{suffix}"
        counts = []
        for j in ("1", "2"):
            with av.open(str(tmp_path / j / f"{name}.mp4")) as c:
                counts.append(sum(1 for _ in c.decode(c.streams.video[0])))
        assert counts[0] == counts[1] > 30, counts
