"""viz.core.results (result files) and viz.core.cache (results computed once per machine)."""
from dataclasses import dataclass

import numpy as np
import pytest

from viz.core import cache
from viz.core.results import ResultFileError, load_result, result_bytes, save_result
from viz.core.sgdr_landscape import default_landscape


@dataclass(frozen=True, eq=False)
class _Outside:
    x: int


def _lr_result():
    from viz.core.lr_finder import LRFinderResult, Suggestion
    lrs = np.geomspace(1e-5, 1, 7)
    return LRFinderResult(lrs, lrs[:, None] * [1 / 3, 1], np.linspace(2, 1, 7), np.linspace(2, 1.2, 7),
                          "diverged", 8, 1.5, float("inf"), 1.2, 1e-5, 10.0, "exp", 100, 0.98, 4.0,
                          (Suggestion("steepest", 1e-3, 3, 1.5, "rule"),))


def test_round_trip_is_exact_and_read_only(tmp_path):
    r = _lr_result()
    p = save_result(r, tmp_path / "r.npz", key="k1")
    back = load_result(p, type(r), key="k1")
    for name in ("lrs", "group_lrs", "losses", "smoothed"):
        np.testing.assert_array_equal(getattr(back, name), getattr(r, name))
        assert not getattr(back, name).flags.writeable
    assert back.stop_loss == float("inf") and back.suggestions == r.suggestions
    assert isinstance(back.suggestions, tuple)
    assert result_bytes(back, key="k1") == result_bytes(r, key="k1")     # same result, same bytes


def test_damage_other_key_and_foreign_classes_are_refused(tmp_path):
    r = _lr_result()
    p = save_result(r, tmp_path / "r.npz", key="k1")
    with pytest.raises(ResultFileError, match="another recipe"):
        load_result(p, key="k2")
    with pytest.raises(ResultFileError, match="not a"):
        load_result(p, dict)
    data = bytearray(p.read_bytes())
    p.write_bytes(bytes(data[: len(data) // 2]))
    with pytest.raises(ResultFileError, match="cannot read"):
        load_result(p)
    with pytest.raises(ResultFileError, match="no result file"):
        load_result(tmp_path / "missing.npz")
    with pytest.raises(TypeError, match="only viz result classes"):
        result_bytes(_Outside(1))


def test_cached_computes_once_then_reads_the_file(tmp_path, monkeypatch):
    monkeypatch.delenv("VIZ_CACHE", raising=False)
    calls = []

    def compute():
        calls.append(1)
        return _lr_result()

    cache.clear_memory()
    a = cache.cached("demo", {"seed": 0}, compute, cache_dir=tmp_path)
    assert cache.cached("demo", {"seed": 0}, compute, cache_dir=tmp_path) is a   # memory
    cache.clear_memory()
    b = cache.cached("demo", {"seed": 0}, compute, cache_dir=tmp_path)        # file
    assert len(calls) == 1 and b is not a
    np.testing.assert_array_equal(a.losses, b.losses)
    cache.cached("demo", {"seed": 1}, compute, cache_dir=tmp_path)            # other params
    assert len(calls) == 2
    f = cache.cache_file("demo", {"seed": 0}, cache_dir=tmp_path)
    f.write_bytes(b"garbage")
    cache.clear_memory()
    with pytest.warns(UserWarning, match="recomputing demo"):
        cache.cached("demo", {"seed": 0}, compute, cache_dir=tmp_path)
    assert len(calls) == 3 and load_result(f).stop_reason == "diverged"      # rewritten
    monkeypatch.setenv("VIZ_CACHE", "off")
    cache.cached("demo", {"seed": 0}, compute, cache_dir=tmp_path)
    assert len(calls) == 4
    cache.clear_memory()


def test_nested_core_result_round_trips(tmp_path):
    land = default_landscape()
    back = load_result(save_result(land, tmp_path / "l.npz"))
    assert type(back) is type(land)


# ---------------------------------------------------------------------------- the demo runs
@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("VIZ_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("VIZ_CACHE", raising=False)
    cache.clear_memory()
    yield tmp_path
    cache.clear_memory()


def test_lr_find_demo_is_cached_by_what_changes_it(fresh_cache):
    from viz.core.lr_finder import digits_lr_find

    a = digits_lr_find(num_iter=30)
    assert [p.name.split("-")[0] for p in fresh_cache.iterdir()] == ["lr"]
    assert digits_lr_find(num_iter=30, progress=True) is a               # progress: not in the key
    assert digits_lr_find(num_iter=30, end_lr=10, start_lr=1e-5) is a    # the defaults, spelled out
    cache.clear_memory()
    b = digits_lr_find(num_iter=30)                                      # read from the file
    fresh = digits_lr_find(num_iter=30, cache=False)
    assert b is not a and fresh is not b
    for r in (b, fresh):
        np.testing.assert_array_equal(r.smoothed, a.smoothed)
        assert r.suggestions == a.suggestions and r.stop_reason == a.stop_reason
    seen = []
    c = digits_lr_find(num_iter=30, on_step=lambda *s: seen.append(s[0]))  # a callback: trains
    assert c is not a and seen == list(range(30))
    assert digits_lr_find(num_iter=30, seed=1) is not a
    assert len(list(fresh_cache.iterdir())) == 2


def test_cache_off_always_trains(fresh_cache, monkeypatch):
    from viz.core.lr_finder import digits_lr_find

    monkeypatch.setenv("VIZ_CACHE", "off")
    a, b = digits_lr_find(num_iter=12), digits_lr_find(num_iter=12)
    assert a is not b and not list(fresh_cache.iterdir())
    np.testing.assert_array_equal(a.losses, b.losses)


def test_tta_demo_gives_every_caller_its_own_model(fresh_cache):
    import torch

    from viz.core.augment_tta import digits_tta

    kw = dict(size=8, epochs=1, n_aug=1, examples=2)
    res, model = digits_tta(**kw)
    with torch.no_grad():
        for p in model.parameters():
            p.zero_()                                     # the caller's model is the caller's
    cache.clear_memory()
    res2, model2 = digits_tta(**kw)                        # from the file
    res3, model3 = digits_tta(**kw, cache=False)
    assert model2 is not model and not model2.training
    for a, b in zip(model2.state_dict().values(), model3.state_dict().values()):
        assert torch.equal(a, b)
    np.testing.assert_array_equal(res2.probs, res3.probs)
    assert res2.steps == res3.steps and res2.classes == res.classes


def test_sgdr_and_shallow_demos_cached_user_targets_not(fresh_cache):
    from viz.core.convmatmul_nonlin import sine_bump, train_shallow_relu
    from viz.core.sgdr_training import train_sgdr

    kw = dict(n_cycles=1, unfreeze=False, pretrain_epochs=0)
    a = train_sgdr(**kw)
    cache.clear_memory()
    b = train_sgdr(**kw)
    np.testing.assert_array_equal(a.loss, b.loss)
    np.testing.assert_array_equal(a.schedule.lr, b.schedule.lr)
    assert b.schedule.phases == a.schedule.phases
    small = dict(n_hidden=3, n_steps=5, snapshots=(0, 5))
    f = train_shallow_relu(**small)
    assert train_shallow_relu(**small) is f
    calls = []

    def mine(x):
        calls.append(1)
        return sine_bump(x)
    g = train_shallow_relu(**small, target=mine)             # your own target: always trained
    train_shallow_relu(**small, target=mine)
    assert len(calls) == 2 and g is not f
    np.testing.assert_array_equal(g.fit, f.fit)


def test_multilabel_demo_stores_the_heads_and_redraws_the_tiles(fresh_cache, monkeypatch):
    import viz.core.multilabel as ml

    monkeypatch.setattr(ml, "DEFAULT_SETTINGS", {"n_train": 40, "n_test": 12, "epochs": 1})
    a = ml.default_comparison()
    assert ml.default_comparison() is a
    (f,) = fresh_cache.iterdir()
    assert f.stat().st_size < 20_000                          # the tiles are not stored
    cache.clear_memory()
    b = ml.default_comparison()
    np.testing.assert_array_equal(b.split.test.images, a.split.test.images)
    np.testing.assert_array_equal(b.sigmoid.probs, a.sigmoid.probs)
    assert b.softmax.f2 == a.softmax.f2
    with pytest.raises(ValueError, match="other tiles"):
        ml.HeadComparison.from_heads(ml.tile_split(40, 12, seed=5), b.sigmoid, b.softmax)


def test_the_session_shares_one_cache_folder(viz_cache_dir, tmp_path_factory):
    import os
    assert os.environ["VIZ_CACHE_DIR"] == str(viz_cache_dir)
    if os.environ.get("PYTEST_XDIST_WORKER"):                 # every worker: the same folder
        assert viz_cache_dir.parent == tmp_path_factory.getbasetemp().parent
    assert cache.default_cache_dir() == viz_cache_dir


def test_the_cache_seed_serves_every_demo_without_training(tmp_path, monkeypatch):
    """tests/data/cache-seed (tools/record_test_results.py --cache-seed) still holds each
    demo run under the key today's code asks for: nothing below trains (training raises)."""
    import shutil

    import torch

    from viz.core import (architectures, augment_tta, builtin_softmax, cache, convmatmul_nonlin,
                          lr_finder, multilabel, otavio, sgdr_training)
    from conftest import CACHE_SEED

    for f in CACHE_SEED.iterdir():
        shutil.copyfile(f, tmp_path / f.name)
    monkeypatch.setenv("VIZ_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("VIZ_CACHE", raising=False)
    cache.clear_memory()

    def no_training(*a, **k):
        raise AssertionError("a demo trained: tests/data/cache-seed is stale, record it again")
    monkeypatch.setattr(torch.Tensor, "backward", no_training)
    try:
        assert otavio.load_otavio().from_cache
        lr_finder.digits_lr_find()
        sgdr_training.train_sgdr()
        multilabel.default_comparison()
        augment_tta.digits_tta()
        convmatmul_nonlin.train_shallow_relu()
        architectures.cached_comparison()
        builtin_softmax.cached_comparison()
    finally:
        cache.clear_memory()
