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
