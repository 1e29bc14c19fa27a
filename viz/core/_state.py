"""Snapshot a model and its optimizer, and put them back exactly, in place.

Used by :func:`viz.core.lr_finder.lr_find`, which trains a user's model and must leave it
as it found it. What is saved and restored:

* every parameter of the model **and of the optimizer** (a learnable temperature in the
  loss lives only in the optimizer), its value, its ``.grad`` and ``requires_grad``;
* every buffer, persistent or not (``register_buffer(..., persistent=False)`` is not in
  ``state_dict()``), also when ``forward`` rebinds it to a new tensor;
* every module's train/eval flag;
* the optimizer's ``param_groups`` and ``state`` **in place**: the same dicts, lists and
  tensors come back with their old contents, so references a user holds stay valid
  (``load_state_dict`` would make new ones); state entries made during the run are
  removed.

Tensors are restored with ``copy_`` into the original objects (and the original objects
are put back where they were if something rebound them). Random-number generators are
not rewound.
"""
from __future__ import annotations

import copy

_MISSING = object()


def _clone(value):
    import torch
    if isinstance(value, torch.Tensor):
        return value, value.detach().clone()
    return value, copy.deepcopy(value)


def _put_back(obj, saved):
    """Restore a tensor ``obj`` to ``saved`` in place (or return the saved non-tensor)."""
    import torch
    if isinstance(obj, torch.Tensor):
        with torch.no_grad():
            if obj.shape == saved.shape and obj.dtype == saved.dtype:
                obj.copy_(saved)
            else:
                obj.set_(saved.clone())
        return obj
    return copy.deepcopy(saved)


def snapshot(model, optimizer) -> dict:
    """Everything :func:`restore` needs to undo training ``model`` with ``optimizer``."""
    params, seen = [], set()
    candidates = [p for p in model.parameters()]
    candidates += [p for g in optimizer.param_groups for p in g["params"]]
    for p in candidates:
        if id(p) in seen:
            continue
        seen.add(id(p))
        grad = None if p.grad is None else (p.grad, p.grad.detach().clone())
        params.append((p, p.detach().clone(), p.requires_grad, grad))
    slots = []                    # (module, kind, name, object): where tensors sit in modules
    for m in model.modules():
        for name, t in m._parameters.items():
            slots.append((m, "_parameters", name, t))
        for name, t in m._buffers.items():
            slots.append((m, "_buffers", name, t))
    buffers = [(t, t.detach().clone()) for (_, kind, _, t) in slots
               if kind == "_buffers" and t is not None]
    groups = []
    for g in optimizer.param_groups:
        groups.append((g, g["params"], list(g["params"]),
                       {k: copy.deepcopy(v) for k, v in g.items() if k != "params"}))
    state = {}
    for p, s in list(optimizer.state.items()):
        state[p] = (s, {k: _clone(v) for k, v in s.items()})
    return {"params": params, "slots": slots, "buffers": buffers, "groups": groups,
            "group_list": list(optimizer.param_groups), "state": state,
            "modes": [(m, m.training) for m in model.modules()]}


def restore(model, optimizer, snap: dict) -> None:
    """Put ``model`` and ``optimizer`` back as :func:`snapshot` saw them, in place."""
    import torch

    for m, kind, name, obj in snap["slots"]:          # rebound parameters / buffers
        table = getattr(m, kind)
        if table.get(name, _MISSING) is not obj:
            table[name] = obj
    for obj, saved in snap["buffers"]:
        _put_back(obj, saved)
    with torch.no_grad():
        for p, value, requires_grad, grad in snap["params"]:
            _put_back(p, value)
            p.requires_grad_(requires_grad)
            if grad is None:
                p.grad = None
            else:
                g, saved = grad
                _put_back(g, saved)
                p.grad = g
    for m, mode in snap["modes"]:
        m.training = mode

    optimizer.param_groups[:] = snap["group_list"]
    for g, params_list, params, values in snap["groups"]:
        params_list[:] = params
        for k in [k for k in g if k != "params" and k not in values]:
            del g[k]
        g.update(copy.deepcopy(values))
        g["params"] = params_list
    state = optimizer.state
    for p in [p for p in state if p not in snap["state"]]:
        del state[p]                                  # state the run created
    for p, (s, saved) in snap["state"].items():
        if state.get(p) is not s:
            state[p] = s
        for k in [k for k in s if k not in saved]:
            del s[k]
        for k, (obj, value) in saved.items():
            s[k] = _put_back(obj, value) if isinstance(obj, torch.Tensor) else copy.deepcopy(value)
