"""Record the trained results that tests draw exactly, into tests/data/recorded/*.npz.

Training a real model is deterministic on one machine but not bit for bit across CPUs
(other SIMD kernels, other summation orders): a range test that stops at batch 523 here
stops at batch 512 there, and every picture drawn from it moves. So the tests that
compare frames, figures or numbers exactly draw from results recorded once, here, and
stored with :func:`viz.core.results.save_result`; live training is tested by what must
hold on any CPU (finite losses, accuracy thresholds, stop reasons, ...).

Run from the repository root, then re-record the control frames drawn from them
(``pytest tests/test_lr_finder_scene.py tests/test_otavio_scene.py ... --set_test``)
and commit both:

    .venv/bin/python tools/record_test_results.py            # every recipe
    .venv/bin/python tools/record_test_results.py lr-find-digits otavio-glyphs
    .venv/bin/python tools/record_test_results.py --cache-seed

``--cache-seed`` fills ``tests/data/cache-seed/`` instead: the cache files
(:mod:`viz.core.cache`) that drawing every figure, dry-running every scene and exporting
the explorer leave behind. The test session starts its cache folder from them, so
notebooks, scenes and figures in the tests draw the demo runs without training them; a
seed made stale by a changed recipe is simply not found (that demo trains once, as
before) and should be recorded again.

Each file is loaded in the tests with the ``recorded`` fixture (tests/conftest.py), which
checks its checksum and the key written here.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "recorded"

#: The small multi-label run the softmax figure and scene tests draw (tiles drawn again
#: from these settings in the tests; only the two trained heads are stored).
MULTILABEL_SMALL = {"n_train": 200, "n_test": 60, "epochs": 3, "seed": 1}


def lr_find_digits():
    """The lr-finder scene's range test: digits_lr_find() with the demo's defaults."""
    from viz.core.lr_finder import digits_lr_find
    return digits_lr_find(cache=False)


def sgdr_digits():
    """The SGDR figures' run: train_sgdr() frozen then unfrozen, every batch."""
    from viz.core.sgdr_training import train_sgdr
    return train_sgdr(cache=False)


def multilabel_small():
    from viz.core.multilabel import compare_heads
    from viz.core.tiles import tile_split
    s = MULTILABEL_SMALL
    c = compare_heads(tile_split(s["n_train"], s["n_test"], seed=s["seed"]), epochs=s["epochs"],
                      seed=s["seed"])
    return {**s, "sigmoid": c.sigmoid, "softmax": c.softmax}


def tta_digits():
    """digits_tta() with the defaults: the TTA result and the trained model's weights."""
    from viz.core.augment_tta import digits_tta
    from viz.core.results import state_dict_arrays
    res, model = digits_tta(cache=False)
    return {"result": res, "state": state_dict_arrays(model), "channels": (16, 32), "seed": 0}


def shallow_relu():
    """The shallow-approx figure's and scene's fit: train_shallow_relu() defaults."""
    from viz.core.convmatmul_nonlin import train_shallow_relu
    return train_shallow_relu(cache=False)


def two_labels():
    """The two-labels scene's gradient descent on five logits (softmax and sigmoid)."""
    from viz.core.softmax import fit_two_labels
    return fit_two_labels()


def otavio_glyphs():
    """Otavio Good's network on the glyphs (default recipe): weights and accuracy."""
    from viz.core.otavio import train_otavio
    return train_otavio().weights()


RECIPES = {"lr-find-digits": lr_find_digits, "sgdr-digits": sgdr_digits,
           "multilabel-small": multilabel_small, "tta-digits": tta_digits,
           "shallow-relu": shallow_relu, "two-labels": two_labels, "otavio-glyphs": otavio_glyphs}


def key(name: str) -> str:
    return f"recorded:{name}"


SEED = ROOT / "tests" / "data" / "cache-seed"


def cache_seed() -> int:
    import os
    import shutil
    import tempfile
    with tempfile.TemporaryDirectory(prefix="viz-seed-") as folder:
        os.environ["VIZ_CACHE_DIR"] = folder
        os.environ.pop("VIZ_CACHE", None)
        from viz import catalog, export
        from viz.captions import dry_run
        from viz.core.explorer_data import export_all
        with tempfile.TemporaryDirectory() as out:
            for e in catalog.entries("figure"):
                export.save_figure(e, out, fmt="png", dpi=20)
        for e in catalog.entries("scene"):
            dry_run(e.load())
        export_all()
        if SEED.exists():
            shutil.rmtree(SEED)
        SEED.mkdir(parents=True)
        for f in sorted(Path(folder).iterdir()):
            shutil.copy2(f, SEED / f.name)
            print(f"{(SEED / f.name).relative_to(ROOT)}  {f.stat().st_size / 1024:.0f} KiB")
    return 0


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    if argv == ["--cache-seed"]:
        return cache_seed()
    from viz.core.results import load_result, result_bytes, save_result

    names = argv or list(RECIPES)
    unknown = [n for n in names if n not in RECIPES]
    if unknown:
        print(f"unknown recipe {unknown[0]!r} (choose from {', '.join(RECIPES)})", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    for name in names:
        start = time.perf_counter()
        result = RECIPES[name]()
        path = save_result(result, OUT / f"{name}.npz", key=key(name))
        back = load_result(path, key=key(name))
        assert result_bytes(back, key=key(name)) == result_bytes(result, key=key(name)), name
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size / 1024:.0f} KiB  "
              f"({time.perf_counter() - start:.1f} s)")
    total = sum(p.stat().st_size for p in OUT.glob("*.npz"))
    print(f"total {total / 1024:.0f} KiB in {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
