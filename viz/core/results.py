"""Saving core result objects to ``.npz`` files and reading them back, exactly.

Core results are frozen dataclasses of numpy arrays, numbers, strings, tuples and other
such dataclasses. :func:`save_result` writes one into a single ``.npz`` file (arrays as
arrays, everything else as JSON beside them, with a checksum over both);
:func:`load_result` reads it back into the same class, bit for bit. Two users of it:

* the result cache (:mod:`viz.core.cache`): a trained model's result computed once per
  machine and shared by every figure and scene, light and dark;
* recorded test data: a result recorded once and stored under ``tests/data/recorded/``,
  so that pictures drawn from it can be compared exactly on any CPU (live training is
  deterministic on one machine only).

Only classes defined in ``viz`` are rebuilt, so a file cannot make this module import or
call anything else. Torch modules are not results: store their ``state_dict`` with
:func:`state_dict_arrays` and rebuild the model from its recipe.
"""
from __future__ import annotations

import dataclasses
import hashlib
import importlib
import io
import json
from pathlib import Path

import numpy as np

FORMAT = 1


class ResultFileError(ValueError):
    """A result file that is missing, damaged, or holds something else."""


# ---------------------------------------------------------------------------- encode
def _encode(value, arrays: dict, where: str):
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            raise TypeError(f"{where}: object arrays cannot be stored")
        name = f"a{len(arrays)}"
        arrays[name] = value
        return {"$array": name}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        if not cls.__module__.startswith("viz."):
            raise TypeError(f"{where}: only viz result classes can be stored, not {cls.__qualname__}")
        return {"$dataclass": f"{cls.__module__}:{cls.__qualname__}",
                "fields": {f.name: _encode(getattr(value, f.name), arrays, f"{where}.{f.name}")
                           for f in dataclasses.fields(value) if f.init}}
    if isinstance(value, (bool, str)) or value is None:
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return f if np.isfinite(f) else {"$float": repr(f)}   # JSON has no inf/nan
    if isinstance(value, Path):
        return {"$path": str(value)}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(value)]}
    if isinstance(value, list):
        return [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError(f"{where}: only dicts with string keys can be stored")
        # in key order: the JSON is written sorted, so a read-back dict encodes the same
        return {"$dict": {k: _encode(value[k], arrays, f"{where}[{k!r}]") for k in sorted(value)}}
    raise TypeError(f"{where}: cannot store a {type(value).__name__}")


def _decode(node, arrays):
    if isinstance(node, list):
        return [_decode(v, arrays) for v in node]
    if not isinstance(node, dict):
        return node
    if "$array" in node:
        return arrays[node["$array"]]
    if "$float" in node:
        return float(node["$float"])
    if "$path" in node:
        return Path(node["$path"])
    if "$tuple" in node:
        return tuple(_decode(v, arrays) for v in node["$tuple"])
    if "$dict" in node:
        return {k: _decode(v, arrays) for k, v in node["$dict"].items()}
    if "$dataclass" in node:
        cls = _result_class(node["$dataclass"])
        return cls(**{k: _decode(v, arrays) for k, v in node["fields"].items()})
    raise ResultFileError(f"unknown entry {sorted(node)[:3]}")


def _result_class(name: str):
    module, _, qualname = name.partition(":")
    if not module.startswith("viz.") or not qualname:
        raise ResultFileError(f"refusing to rebuild {name!r}: not a viz result class")
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    if not (isinstance(obj, type) and dataclasses.is_dataclass(obj)):
        raise ResultFileError(f"{name!r} is not a result class")
    return obj


def _digest(meta: str, arrays: dict) -> str:
    h = hashlib.sha256(meta.encode())
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}|{a.dtype.str}|{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


# ---------------------------------------------------------------------------- public
def result_bytes(result, *, key: str = "") -> bytes:
    """The ``.npz`` bytes of ``result`` (same result, same bytes)."""
    arrays: dict = {}
    tree = _encode(result, arrays, type(result).__name__)
    meta = json.dumps({"format": FORMAT, "key": key, "tree": tree}, sort_keys=True)
    buf = io.BytesIO()
    np.savez(buf, __meta__=np.array(meta), __sha256__=np.array(_digest(meta, arrays)), **arrays)
    return buf.getvalue()


def save_result(result, path, *, key: str = "") -> Path:
    """Write ``result`` to ``path`` (atomically). ``key`` is checked again on load."""
    from .._io import atomic_path

    data = result_bytes(result, key=key)
    with atomic_path(path) as tmp:
        Path(tmp).write_bytes(data)
    return Path(path)


def load_result(path, cls=None, *, key: str | None = None):
    """Read a result written by :func:`save_result`; check its checksum, class and key.

    Raises :class:`ResultFileError` (a ``ValueError``) naming the file when it is missing,
    truncated, altered, of another class than ``cls`` or written under another ``key``.
    """
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except FileNotFoundError:
        raise ResultFileError(f"no result file {path}") from None
    except Exception as exc:                                   # noqa: BLE001 - any damage
        raise ResultFileError(f"cannot read result file {path}: {type(exc).__name__}") from None
    try:
        meta = str(arrays.pop("__meta__"))
        digest = str(arrays.pop("__sha256__"))
    except KeyError:
        raise ResultFileError(f"{path} is not a viz result file") from None
    if _digest(meta, arrays) != digest:
        raise ResultFileError(f"result file {path} is damaged (checksum mismatch)")
    info = json.loads(meta)
    if info.get("format") != FORMAT:
        raise ResultFileError(f"result file {path} has format {info.get('format')}, expected {FORMAT}")
    if key is not None and info.get("key") != key:
        raise ResultFileError(f"result file {path} was written for another recipe")
    for a in arrays.values():
        a.flags.writeable = False
    result = _decode(info["tree"], arrays)
    if cls is not None and not isinstance(result, cls):
        raise ResultFileError(f"{path} holds a {type(result).__name__}, not a {cls.__name__}")
    return result


def state_dict_arrays(module) -> dict:
    """A torch module's ``state_dict`` as a dict of numpy arrays (for storing in a result)."""
    return {k: v.detach().cpu().numpy().copy() for k, v in module.state_dict().items()}


def load_state_dict_arrays(module, arrays: dict):
    """Load arrays from :func:`state_dict_arrays` into ``module`` (strict); return it."""
    import torch

    module.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in arrays.items()}, strict=True)
    return module
