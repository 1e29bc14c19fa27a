"""How long ``viz build`` takes, per figure and scene: serial and parallel, cold and warm.

Every run is a fresh process (``python bench_build.py --child ...``) that runs the build's
tasks (``viz.build.build_tasks``: each figure in light and dark, each scene at the given
quality) through ``viz.parallel.run_tasks`` with ``--jobs N``, exactly as ``viz build`` does
(without writing the gallery page). "cold" starts from an empty cache folder
(``VIZ_CACHE_DIR``); "warm" runs again with the cache the cold run of the same N filled.

A task's time is measured in the process that ran it, so in a parallel run the first task
of each process also pays that process's imports (torch, matplotlib, Manim); "wall" is the
whole run from the parent's side, pool start-up included; "CPU" is the user+system time of
the run's processes (less sensitive to the machine's other load than wall time). The
machine's other load is in the numbers: run it on a quiet machine, twice.

    python benchmarks/bench_build.py [--quality low] [--jobs 1 2] [--modes cold warm]
        [--no-scenes] [--only NAME ...] [--quick]

``--quick``: figures only and two fast scenes (fbeta, two-labels), warm only.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUICK = ["fbeta", "two-labels"]


def run_child(args) -> None:
    """In a fresh process: run the tasks once, print a JSON line of the timings."""
    from viz import parallel
    from viz.build import build_tasks

    out = Path(args.out)
    tasks = build_tasks(out, quality=args.quality, scenes=args.kind != "figures")
    if args.kind == "scenes":
        tasks = [t for t in tasks if t.kind == "scene"]
    if args.only:
        tasks = [t for t in tasks if t.name in args.only or (t.kind == "figure" and args.figures)]
    t0 = time.perf_counter()
    outcomes = parallel.run_tasks(tasks, jobs=args.child_jobs, bar=_NoBar())
    wall = time.perf_counter() - t0
    print(json.dumps({"wall": wall, "tasks": [
        {"kind": o.task.kind, "name": o.task.name, "seconds": o.seconds, "error": o.error}
        for o in outcomes]}))


class _NoBar:
    def update(self, n=1):
        pass

    def set_postfix_str(self, s="", refresh=True):
        pass

    def close(self):
        pass


def measure(*, jobs, cache, out, quality, kind, only, figures) -> dict:
    cmd = [sys.executable, __file__, "--child", "--child-jobs", str(jobs), "--out", str(out),
           "--quality", quality, "--kind", kind]
    if only:
        cmd += ["--only", *only]
    if figures:
        cmd += ["--figures"]
    env = dict(os.environ, VIZ_CACHE_DIR=str(cache))
    t0, cpu0 = time.perf_counter(), _children_cpu()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"benchmark run failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process"] = time.perf_counter() - t0      # with the interpreter's start-up
    result["cpu"] = _children_cpu() - cpu0             # user+system of it and its pool
    return result


def _children_cpu() -> float:
    """CPU seconds (user + system) of every finished child and grandchild process."""
    import resource
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def report(results: dict, columns: list) -> None:
    names = []
    for col in columns:
        for t in results[col]["tasks"]:
            if (t["kind"], t["name"]) not in names:
                names.append((t["kind"], t["name"]))
    head = f"{'':7}{'name':28}" + "".join(f"{c:>16}" for c in columns)
    print(head)
    print("-" * len(head))
    for kind, name in names:
        row = f"{kind:7}{name:28}"
        for col in columns:
            t = next((t for t in results[col]["tasks"] if (t["kind"], t["name"]) == (kind, name)), None)
            cell = "-" if t is None else "FAILED" if t["error"] else f"{t['seconds']:.1f}"
            row += f"{cell:>16}"
        print(row)
    print("-" * len(head))
    for label, key in (("sum of tasks", None), ("wall (tasks)", "wall"),
                       ("wall (process)", "process"), ("CPU (all processes)", "cpu")):
        row = f"{'':7}{label:28}"
        for col in columns:
            r = results[col]
            v = sum(t["seconds"] for t in r["tasks"]) if key is None else r[key]
            row += f"{v:>16.1f}"
        print(row)
    for col in columns:
        for t in results[col]["tasks"]:
            if t["error"]:
                print(f"{col}: {t['kind']} {t['name']} failed: {t['error']}")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quality", default="low")
    p.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    p.add_argument("--modes", nargs="+", default=["cold", "warm"], choices=["cold", "warm"])
    p.add_argument("--no-scenes", action="store_true", help="figures only")
    p.add_argument("--only", nargs="+", default=None, metavar="NAME",
                   help="only these figures and scenes")
    p.add_argument("--quick", action="store_true",
                   help="all figures, two fast scenes (fbeta, two-labels), warm only")
    # internal: one measured run
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--child-jobs", type=int, default=1, help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    p.add_argument("--kind", default="all", help=argparse.SUPPRESS)
    p.add_argument("--figures", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        return run_child(args)

    only, figures, modes = args.only, False, args.modes
    if args.quick:
        only, figures, modes = QUICK, True, ["warm"]
    kind = "figures" if args.no_scenes else "all"
    print(f"viz build tasks, quality {args.quality}, jobs {args.jobs}, {os.cpu_count()} CPUs "
          f"(affinity {len(os.sched_getaffinity(0))}), seconds")
    results, columns = {}, []
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        for jobs in args.jobs:
            cache = Path(tmp) / f"cache-{jobs}"          # each N starts from its own empty cache
            cache.mkdir()
            if "cold" not in modes:                      # warm only: fill the cache first
                measure(jobs=jobs, cache=cache, out=Path(tmp) / "out", quality=args.quality,
                        kind=kind, only=only, figures=figures)
            for mode in modes:
                col = f"jobs {jobs} {mode}"
                columns.append(col)
                results[col] = measure(jobs=jobs, cache=cache, out=Path(tmp) / f"out-{jobs}-{mode}",
                                       quality=args.quality, kind=kind, only=only, figures=figures)
                print(f"  {col}: {results[col]['wall']:.1f} s", file=sys.stderr)
    report(results, columns)


if __name__ == "__main__":
    main()
