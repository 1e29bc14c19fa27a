"""How long ``viz render`` takes, per scene: at ``low`` and at ``high`` (1080p60), with
``--jobs 1`` and ``--jobs 2``, and the speed-up from one job to two.

Each run is a fresh process running the scenes' render tasks through
``viz.parallel.run_tasks``, exactly as ``viz render`` does (see ``bench_build.py``, which
this reuses). The cache folder is the usual one (``VIZ_CACHE_DIR``), filled by a first
untimed run of the same scenes at ``low``, so scenes do not time training. A task's time is
measured in the process that ran it (the first task of a pool process pays its imports);
"wall" is the whole run. At ``high`` a full run takes long on 2 cores: use ``--scenes`` for
a subset, or ``--quick``. Other load on the machine is in the numbers.

    python benchmarks/bench_render.py [--qualities low high] [--jobs 1 2]
        [--scenes NAME ...] [--quick] [--no-warmup]

``--quick``: two fast scenes (fbeta, two-labels), at low only.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import QUICK, measure, report  # noqa: E402


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--qualities", nargs="+", default=["low", "high"])
    p.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    p.add_argument("--scenes", nargs="+", default=None, metavar="NAME", help="only these scenes")
    p.add_argument("--quick", action="store_true", help="fbeta and two-labels at low")
    p.add_argument("--no-warmup", action="store_true",
                   help="skip the untimed run that fills the cache")
    args = p.parse_args(argv)
    scenes, qualities = args.scenes, args.qualities
    if args.quick:
        scenes, qualities = QUICK, ["low"]
    from viz.core.cache import default_cache_dir
    cache = default_cache_dir()
    print(f"viz render, qualities {qualities}, jobs {args.jobs}, {os.cpu_count()} CPUs "
          f"(affinity {len(os.sched_getaffinity(0))}), cache {cache}, seconds")
    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        if not args.no_warmup:
            measure(jobs=max(args.jobs), cache=cache, out=Path(tmp) / "warmup", quality="low",
                    kind="scenes", only=scenes, figures=False)
        results, columns = {}, []
        for quality in qualities:
            for jobs in args.jobs:
                col = f"{quality} jobs {jobs}"
                columns.append(col)
                results[col] = measure(jobs=jobs, cache=cache, out=Path(tmp) / col.replace(" ", "-"),
                                       quality=quality, kind="scenes", only=scenes, figures=False)
                print(f"  {col}: {results[col]['wall']:.1f} s", file=sys.stderr)
    report(results, columns)
    for quality in qualities:
        walls = {j: results[f"{quality} jobs {j}"]["wall"] for j in args.jobs}
        if 1 in walls:
            for j, w in walls.items():
                if j != 1:
                    print(f"{quality}: speed-up from 1 to {j} jobs: {walls[1] / w:.2f}x")


if __name__ == "__main__":
    main()
