"""Where the time of ``viz figures`` goes: core computation vs drawing vs saving, per figure.

For every catalog figure (``viz.catalog.entries("figure")``) this builds the figure as
``viz figures`` does (inside ``viz.figures.theme``) and saves it to PNG (150 dpi, in
memory), timing three parts:

* core: the catalog function's time outside any ``viz.figures`` function (computing or
  loading the core result);
* draw: time inside ``viz.figures`` functions (every function defined in a
  ``viz.figures`` module is wrapped by a timer; only the outermost call counts);
* save: ``Figure.savefig`` (with a constrained layout, most of the layout happens here).

Pass 1 is cold (an empty cache folder unless ``--cache`` names one), pass 2 runs every
figure again in the same process (warm: results memoised or read back from the cache).
All figures run in one process, one after the other; the machine's other load is in the
numbers (run it twice and compare).

    python benchmarks/bench_figures.py [--cache DIR] [--theme light] [--only NAME ...]
        [--passes 2] [--clock wall|cpu] [--profile NAME ...] [--top 25] [--png-dir DIR]

``--profile`` runs cProfile over the draw and save of the named figures (after a warm-up
build so that the core result is memoised) and prints the top functions by cumulative
and by internal time.
"""
from __future__ import annotations

import argparse
import cProfile
import functools
import importlib
import io
import os
import pkgutil
import pstats
import sys
import tempfile
import time

_DRAW = {"depth": 0, "seconds": 0.0}
CLOCK = {"now": time.perf_counter}     # --clock cpu: time.process_time (steadier on a busy machine)


def _timed(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if _DRAW["depth"]:
            return fn(*args, **kwargs)
        _DRAW["depth"] += 1
        t0 = CLOCK["now"]()
        try:
            return fn(*args, **kwargs)
        finally:
            _DRAW["seconds"] += CLOCK["now"]() - t0
            _DRAW["depth"] -= 1
    wrapper.__bench_wrapped__ = True
    return wrapper


def instrument_figures():
    """Wrap every function defined in a ``viz.figures`` module (and classes' methods) by a timer."""
    import viz.figures as pkg

    modules = [pkg] + [importlib.import_module(f"viz.figures.{m.name}")
                       for m in pkgutil.iter_modules(pkg.__path__)]
    wrapped = {}
    for mod in modules:
        for name, obj in list(vars(mod).items()):
            if callable(obj) and getattr(obj, "__module__", "").startswith("viz.figures"):
                if isinstance(obj, type):
                    for attr, meth in list(vars(obj).items()):
                        if callable(meth) and not getattr(meth, "__bench_wrapped__", False):
                            setattr(obj, attr, _timed(meth))
                    continue
                if getattr(obj, "__bench_wrapped__", False):
                    continue
                if obj not in wrapped:
                    wrapped[obj] = _timed(obj)
                setattr(mod, name, wrapped[obj])


def build_and_save(entry, theme, png_dir=None, suffix=""):
    """(core, draw, save) seconds for one figure, saved to PNG (in memory or in ``png_dir``)."""
    import matplotlib.pyplot as plt

    from viz.export import _metadata
    from viz.figures import theme as theme_ctx

    fn = entry.load()
    with theme_ctx(theme):
        _DRAW["seconds"] = 0.0
        t0 = CLOCK["now"]()
        fig = fn()
        t1 = CLOCK["now"]()
        draw = _DRAW["seconds"]
        target = (os.path.join(png_dir, f"{entry.name}{suffix}.png") if png_dir else io.BytesIO())
        fig.savefig(target, format="png", dpi=150, metadata=_metadata("png", entry))
        t2 = CLOCK["now"]()
        plt.close(fig)
    return (t1 - t0) - draw, draw, t2 - t1


def run_pass(entries, theme, png_dir=None, label=""):
    rows = []
    for e in entries:
        core, draw, save = build_and_save(e, theme, png_dir, suffix=f"-{theme}" if png_dir else "")
        rows.append((e.name, core, draw, save))
        print(f"  {label} {e.name:24s} {core + draw + save:7.2f} s", file=sys.stderr, flush=True)
    return rows


def print_table(passes, names):
    head = "figure".ljust(24)
    for i in range(len(passes)):
        tag = "cold" if i == 0 else f"warm{i}" if len(passes) > 2 else "warm"
        head += f" | {tag + ' core':>10s} {'draw':>6s} {'save':>6s} {'total':>6s}"
    print(head)
    print("-" * len(head))
    for k, name in enumerate(names):
        line = name.ljust(24)
        for rows in passes:
            _, core, draw, save = rows[k]
            line += f" | {core:10.2f} {draw:6.2f} {save:6.2f} {core + draw + save:6.2f}"
        print(line)
    print("-" * len(head))
    line = "TOTAL".ljust(24)
    for rows in passes:
        core = sum(r[1] for r in rows)
        draw = sum(r[2] for r in rows)
        save = sum(r[3] for r in rows)
        line += f" | {core:10.2f} {draw:6.2f} {save:6.2f} {core + draw + save:6.2f}"
    print(line)
    for i, rows in enumerate(passes):
        ds = sum(r[2] + r[3] for r in rows)
        print(f"pass {i + 1}: total {sum(r[1] + r[2] + r[3] for r in rows):.1f} s, "
              f"of which draw+save {ds:.1f} s")


def profile(entries, theme, top):
    import matplotlib.pyplot as plt

    from viz.figures import theme as theme_ctx

    for e in entries:
        fn = e.load()
        with theme_ctx(theme):
            plt.close(fn())                     # warm-up: core result memoised / cached
            prof = cProfile.Profile(CLOCK["now"])
            prof.enable()
            fig = fn()
            fig.savefig(io.BytesIO(), format="png", dpi=150)
            prof.disable()
            plt.close(fig)
        print(f"\n=== profile of {e.name} (draw + save, warm) ===")
        for key in ("cumulative", "tottime"):
            buf = io.StringIO()
            pstats.Stats(prof, stream=buf).sort_stats(key).print_stats(top)
            text = buf.getvalue()
            print(text[text.find("   ncalls"):].rstrip())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", help="cache folder (default: a fresh empty one, i.e. cold)")
    ap.add_argument("--theme", default="light", choices=["light", "dark"])
    ap.add_argument("--only", nargs="*", help="figure names (default: all)")
    ap.add_argument("--passes", type=int, default=2)
    ap.add_argument("--profile", nargs="*", help="cProfile the draw+save of these figures")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--clock", default="wall", choices=["wall", "cpu"],
                    help="wall-clock seconds, or this process's CPU seconds (all threads)")
    ap.add_argument("--png-dir", help="also write the PNGs there (<name>-<theme>.png)")
    args = ap.parse_args(argv)

    if args.clock == "cpu":
        CLOCK["now"] = time.process_time
    tmp = None
    if args.cache:
        os.environ["VIZ_CACHE_DIR"] = args.cache
    else:
        tmp = tempfile.TemporaryDirectory(prefix="viz-bench-cache-")
        os.environ["VIZ_CACHE_DIR"] = tmp.name
    import matplotlib
    matplotlib.use("Agg")
    t_import = time.perf_counter()
    import viz.catalog as catalog
    import viz.figures  # noqa: F401 - matplotlib and seaborn imports, timed apart
    import seaborn  # noqa: F401
    t_import = time.perf_counter() - t_import
    instrument_figures()
    entries = catalog.select("figure", args.only or None)
    print(f"{len(entries)} figures, theme {args.theme}, {args.clock} seconds, cache {os.environ['VIZ_CACHE_DIR']}"
          f"{' (fresh)' if tmp else ''}; imports {t_import:.2f} s", flush=True)
    if args.profile is not None:
        profile(catalog.select("figure", args.profile or None), args.theme, args.top)
        return 0
    if args.png_dir:
        os.makedirs(args.png_dir, exist_ok=True)
    passes = []
    for i in range(args.passes):
        passes.append(run_pass(entries, args.theme, args.png_dir if i == 0 else None,
                               label=f"pass {i + 1}"))
    print_table(passes, [e.name for e in entries])
    if tmp:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
