"""Loading what ``viz explain`` is given: a user's model file and its weights
(pictures: :mod:`.pictures`).

Everything here reads files written by someone else, so it is defensive: every problem is
a one-line ``ValueError`` that names the file (and the key, the function, the type) at
fault. :func:`load_factory` *runs* the user's Python file: it is only ever called because
the user named that file on the command line.

>>> model, label = load_factory("tests/user_models/lenet5.py:lenet5")   # doctest: +SKIP
>>> label                                                               # doctest: +SKIP
'lenet5.py:lenet5'
"""
from __future__ import annotations

import contextlib
import importlib.util
import itertools
import sys
import warnings
from collections.abc import Mapping
from pathlib import Path

from .._util import first_line as _first_line

#: Largest weights file read, in bytes.
MAX_WEIGHTS_BYTES = 4 * 2**30

_counter = itertools.count(1)


@contextlib.contextmanager
def _on_sys_path(folder: Path):
    """``folder`` first on ``sys.path`` inside the block (so the file's sibling imports work)."""
    entry = str(folder)
    sys.path.insert(0, entry)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.path.remove(entry)


def _callables(module) -> list:
    """Public functions and classes defined in ``module`` itself (not imported into it)."""
    names = []
    for name, obj in vars(module).items():
        if name.startswith("_") or not callable(obj):
            continue
        if getattr(obj, "__module__", None) == module.__name__:
            names.append(name)
    return sorted(names)


# ---------------------------------------------------------------------------- the model
def load_factory(spec: str):
    """Import a Python file and call the function in it that builds the model.

    Parameters
    ----------
    spec : str
        ``"path/to/file.py:factory"``: the file, a colon, and the name of a function (or
        class) in it that takes no arguments and returns a ``torch.nn.Module``.

    Returns
    -------
    model : torch.nn.Module
        What the factory returned (its train/eval mode as the factory left it).
    label : str
        ``"file.py:factory"``, for titles.

    Raises
    ------
    ValueError
        One line for: no ``:factory`` part, a missing file, a file that is not ``.py``,
        a file that raises while imported (``SystemExit`` included), no such function
        (the message lists the functions the file defines), a factory that raises
        (``ExcType: first line of its message``) or returns something else than an
        ``nn.Module`` (the type is named).

    Notes
    -----
    The file runs as Python code, with its folder first on ``sys.path`` while it is
    imported and while the factory runs, under a module name of its own
    (``viz_user_model_<n>_<stem>``), so two files called ``model.py`` do not clash.
    """
    import torch

    if not isinstance(spec, str):
        raise ValueError(f"model must be a string 'path/to/file.py:factory', got {type(spec).__name__}")
    file, sep, name = spec.rpartition(":")
    if not sep or not file or not name.isidentifier():
        raise ValueError(f"model must be 'path/to/file.py:factory' (a file, a colon, the function "
                         f"that returns the nn.Module), got {spec!r}")
    path = Path(file).expanduser()
    if not path.exists():
        raise ValueError(f"model file not found: {path}")
    if not path.is_file():
        raise ValueError(f"model path is not a file: {path}")
    if path.suffix != ".py":
        raise ValueError(f"model file must be a Python file ending in .py, got {path.name}")
    label = f"{path.name}:{name}"
    mod_name = f"viz_user_model_{next(_counter)}_{''.join(c if c.isalnum() else '_' for c in path.stem)}"
    module_spec = importlib.util.spec_from_file_location(mod_name, path.resolve())
    if module_spec is None or module_spec.loader is None:
        raise ValueError(f"model file {path} cannot be imported as a Python module")
    module = importlib.util.module_from_spec(module_spec)
    folder = path.resolve().parent
    sys.modules[mod_name] = module              # dataclasses, pickle and fx look it up there
    try:
        with _on_sys_path(folder):
            module_spec.loader.exec_module(module)
    except (Exception, SystemExit) as exc:      # noqa: BLE001 - the user's code
        sys.modules.pop(mod_name, None)
        raise ValueError(f"model file {path} raised {_first_line(exc)} while it was imported") from None
    factory = getattr(module, name, None)
    if factory is None:
        have = _callables(module)
        listed = ", ".join(have) if have else "none"
        raise ValueError(f"model file {path} has no function {name!r} (functions and classes "
                         f"defined there: {listed})")
    if not callable(factory):
        raise ValueError(f"{label}: {name!r} is a {type(factory).__name__}, not a function")
    try:
        with _on_sys_path(folder):
            model = factory()
    except (Exception, SystemExit) as exc:      # noqa: BLE001 - the user's code
        raise ValueError(f"{label}: the factory raised {_first_line(exc)}") from None
    if not isinstance(model, torch.nn.Module):
        kind = type(model)
        named = kind.__name__ if kind.__module__ in ("builtins", mod_name) else \
            f"{kind.__module__}.{kind.__qualname__}"
        raise ValueError(f"{label} returned a {named}, not a torch.nn.Module")
    return model, label


# ---------------------------------------------------------------------------- weights
def _shape(t) -> str:
    return "(" + ", ".join(str(int(d)) for d in t.shape) + ")"


def load_weights(model, path) -> None:
    """Load a state dict from ``path`` into ``model``, in place (the user asked for it).

    Parameters
    ----------
    model : torch.nn.Module
    path : str or Path
        A file written by ``torch.save``: a state dict, or a checkpoint dict holding one
        under ``"state_dict"`` or ``"model_state_dict"``. Read with
        ``torch.load(path, map_location="cpu", weights_only=True)``: no pickled code runs.
        Keys that all start with ``"module."`` (``nn.DataParallel``) are accepted.

    Raises
    ------
    ValueError
        One line, and the model unchanged, for: a missing or unreadable file, a file that
        holds no state dict, keys that do not match (the first missing and the first
        unexpected key are named, with how many more), a shape mismatch (the key and
        both shapes).
    """
    import torch

    from ..._io import check_input_file

    path = check_input_file(path, "weights", MAX_WEIGHTS_BYTES)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:                    # noqa: BLE001 - any bad file
        raise ValueError(f"cannot read weights file {path}: {_first_line(exc)}") from None
    if isinstance(obj, Mapping):
        for key in ("state_dict", "model_state_dict"):
            if isinstance(obj.get(key), Mapping):
                obj = obj[key]
                break
    if not isinstance(obj, Mapping):
        raise ValueError(f"weights file {path} holds a {type(obj).__name__}, not a state dict")
    bad = [k for k, v in obj.items() if not isinstance(k, str) or not isinstance(v, torch.Tensor)]
    if bad:
        raise ValueError(f"weights file {path} is not a state dict: entry {bad[0]!r} is a "
                         f"{type(obj[bad[0]]).__name__}, not a tensor")
    state = dict(obj)
    own = model.state_dict()
    if state and all(k.startswith("module.") for k in state) and not any(
            k.startswith("module.") for k in own):
        state = {k[len("module."):]: v for k, v in state.items()}
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    if missing or unexpected:
        parts = []
        if missing:
            more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
            parts.append(f"missing key {missing[0]!r}{more}")
        if unexpected:
            more = f" (and {len(unexpected) - 1} more)" if len(unexpected) > 1 else ""
            parts.append(f"unexpected key {unexpected[0]!r}{more}")
        raise ValueError(f"weights file {path.name} does not match the model: {', '.join(parts)}")
    for k, t in own.items():
        if tuple(state[k].shape) != tuple(t.shape):
            raise ValueError(f"weights file {path.name} does not match the model: {k!r} has shape "
                             f"{_shape(state[k])} in the file but {_shape(t)} in the model")
    try:
        model.load_state_dict(state, strict=True)
    except Exception as exc:                    # noqa: BLE001 - dtype etc.
        raise ValueError(f"weights file {path.name} cannot be loaded: {_first_line(exc)}") from None
