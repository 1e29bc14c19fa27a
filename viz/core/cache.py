"""Trained results computed once per machine and kept in the user's cache folder.

Figures and scenes draw from results of small training runs (a range test, an SGDR run,
two multi-label heads, ...). :func:`cached` computes such a result once, stores it with
:mod:`viz.core.results` in the cache folder under a key made of everything that
determines it (the recipe's name, its version and its parameters: seed, sizes, epochs),
and afterwards reads it back, verified by checksum. A missing, truncated or altered
file, or one written for another recipe, is recomputed (with a warning when damaged).
In one process the same object is returned again, so light and dark figures and the
scenes of one build share it.

The folder is ``$VIZ_CACHE_DIR``, else ``$XDG_CACHE_HOME/viz``, else ``~/.cache/viz``;
``VIZ_CACHE=off`` computes everything afresh and stores nothing; so does ``cache=False``
on each of the demo functions that use it (``digits_lr_find``, ``train_sgdr``,
``default_comparison``, ``digits_tta``, ``train_shallow_relu``). Only the toolkit's own
demo runs are cached: a function given a user's model, data or callback trains afresh.
"""
from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Callable
from pathlib import Path

from .results import ResultFileError, load_result, save_result

_MEMO: dict = {}


def default_cache_dir() -> Path:
    """``$VIZ_CACHE_DIR``, else ``$XDG_CACHE_HOME/viz``, else ``~/.cache/viz``."""
    if os.environ.get("VIZ_CACHE_DIR"):
        return Path(os.environ["VIZ_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "viz"


def enabled() -> bool:
    return os.environ.get("VIZ_CACHE", "").lower() not in ("0", "off", "no", "false")


def cache_key(recipe: str, params: dict, version: int = 1) -> str:
    """A short hash of what determines a result (JSON of recipe, version, parameters)."""
    import torch

    blob = json.dumps({"recipe": recipe, "version": version, "params": params,
                       "torch": torch.__version__.split("+")[0]}, sort_keys=True, default=repr)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def cache_file(recipe: str, params: dict, version: int = 1, cache_dir=None) -> Path:
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    return folder / f"{recipe}-{cache_key(recipe, params, version)}.npz"


def cached(recipe: str, params: dict, compute: Callable[[], object], *, version: int = 1,
           cache_dir=None, refresh: bool = False, pack: Callable | None = None,
           unpack: Callable | None = None, use: bool = True):
    """``compute()``'s result, from memory, from the cache folder, or computed and stored.

    recipe : str      a name for what ``compute`` does, e.g. ``"lr-find-digits"``
    params : dict     JSON-able values that, with ``version``, determine the result
    version : int     bump when the code behind ``compute`` changes its result
    refresh : bool    compute again and overwrite the stored result
    pack, unpack      what is stored (``pack(result)``, default the result itself) and how
                      a stored one is turned back into the result (``unpack(stored)``):
                      e.g. leave out what is cheap to rebuild
    use : bool        ``False`` computes afresh and stores nothing (as ``VIZ_CACHE=off``)
    """
    if not (use and enabled()):
        return compute()
    path = cache_file(recipe, params, version, cache_dir)
    key = path.stem
    if not refresh and key in _MEMO:
        return _MEMO[key]
    result = None
    if not refresh and path.exists():
        try:
            stored = load_result(path, key=key)
            result = unpack(stored) if unpack is not None else stored
        except ResultFileError as exc:
            warnings.warn(f"recomputing {recipe}: {exc}", stacklevel=2)
        except Exception as exc:                       # noqa: BLE001 - e.g. an older layout
            warnings.warn(f"recomputing {recipe}: {path} cannot be used "
                          f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})",
                          stacklevel=2)
    if result is None:
        result = compute()
        try:
            save_result(pack(result) if pack is not None else result, path, key=key)
        except (OSError, ValueError) as exc:
            warnings.warn(f"could not cache {recipe} in {path.parent}: {exc}", stacklevel=2)
    _MEMO[key] = result
    return result


def clear_memory() -> None:
    """Forget the results held in this process (the files stay)."""
    _MEMO.clear()
