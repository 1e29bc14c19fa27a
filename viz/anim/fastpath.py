"""``FastPathCamera``: Manim's path drawing with the numpy work done once per outline,
and its list of what to draw from one walk over each family."""
from __future__ import annotations

import numpy as np
from manim.camera.camera import Camera
from manim.utils.iterables import list_difference_update

from .family import family_members


class FastPathCamera:
    """Camera mixin: the very cairo calls of ``Camera.set_cairo_context_path``, with the
    numpy work (subpath splits, closing tests, coordinates) done once per outline and
    reused while a mobject's points stay the same."""

    _CACHE_LIMIT = 50_000

    def type_or_raise(self, mobject):
        """``Camera.type_or_raise``, looked up once per class (it depends on the class only)."""
        kinds = self.__dict__.setdefault("_kinds", {})
        kind = kinds.get(type(mobject))
        if kind is None:
            kind = kinds[type(mobject)] = super().type_or_raise(mobject)
        return kind

    def kinds(self, mobjects) -> list:
        """``[self.type_or_raise(m) for m in mobjects]``, looked up once per class."""
        table = {t: self.type_or_raise(m) for t, m in {type(m): m for m in mobjects}.items()}
        return list(map(table.__getitem__, map(type, mobjects)))

    def get_mobjects_to_display(self, mobjects, include_submobjects=True, excluded_mobjects=None):
        """``Camera.get_mobjects_to_display``, the same list from one walk (viz.anim.family)."""
        if include_submobjects:
            mobjects = family_members(mobjects, self.use_z_index, True)
            if excluded_mobjects:
                mobjects = list_difference_update(
                    mobjects, family_members(excluded_mobjects, self.use_z_index))
        return list(mobjects)

    def display_multiple_non_background_colored_vmobjects(self, vmobjects, pixel_array):
        """Manim's loop, with the path of every outline never drawn before worked out
        in one numpy pass (a first still image of a 28x28 grid: ~1,600 outlines). An
        outline drawn before whose points changed is redone by ``set_cairo_context_path``,
        which checks every outline's points anyway."""
        vmobjects = list(vmobjects)
        cache = self.__dict__.setdefault("_path_cache", {})
        todo = []
        for vm in vmobjects:
            hit = cache.get(id(vm))
            if hit is None or hit[0] is not vm:
                points = self.transform_points_pre_display(vm, vm.points)
                if len(points):
                    todo.append((vm, points.tobytes(), points))
        if len(todo) > 1:
            if len(cache) + len(todo) > self._CACHE_LIMIT:
                cache.clear()
            for (vm, key, _), ops in zip(todo, _path_ops_many(todo)):
                cache[id(vm)] = (vm, key, ops)
        return super().display_multiple_non_background_colored_vmobjects(vmobjects, pixel_array)

    def set_cairo_context_path(self, ctx, vmobject):
        points = self.transform_points_pre_display(vmobject, vmobject.points)
        if len(points) == 0:
            return self
        cache = self.__dict__.setdefault("_path_cache", {})
        key = points.tobytes()
        hit = cache.get(id(vmobject))
        if hit is not None and hit[0] is vmobject and hit[1] == key:
            ops = hit[2]
        else:
            ops = _path_ops(vmobject, points)
            if len(cache) > self._CACHE_LIMIT:
                cache.clear()
            cache[id(vmobject)] = (vmobject, key, ops)
        ctx.new_path()
        move_to, curve_to, new_sub_path, close_path = (ctx.move_to, ctx.curve_to,
                                                       ctx.new_sub_path, ctx.close_path)
        for start, curves, close in ops:
            new_sub_path()
            move_to(*start)
            for c in curves:
                curve_to(*c)
            if close:
                close_path()
        return self


def _path_ops(vmobject, points):
    """What ``Camera.set_cairo_context_path`` draws: (start, curves, closed) per subpath."""
    nppcc = vmobject.n_points_per_cubic_curve
    ops = []
    flat = points[:, :2].ravel().tolist()      # floats only (see _path_ops_many)
    for start_idx, end_idx in vmobject.get_subpath_split_indices_from_points(points, n_dims=2):
        start_idx, end_idx = int(start_idx), int(end_idx)
        if end_idx - start_idx < nppcc:
            continue
        curves = tuple([tuple(flat[2 * i + 2:2 * i + 8])     # points i+1, i+2, i+3
                        for i in range(start_idx, end_idx - nppcc + 1, nppcc)])
        ops.append(((flat[2 * start_idx], flat[2 * start_idx + 1]), curves,
                    bool(vmobject.consider_points_equals_2d(points[start_idx], points[end_idx - 1]))))
    return ops


_FAST_CAMERAS: dict = {}


def _fast_camera_class(camera_class):
    if camera_class is None:
        camera_class = Camera
    if issubclass(camera_class, FastPathCamera):
        return camera_class
    if camera_class not in _FAST_CAMERAS:
        _FAST_CAMERAS[camera_class] = type(camera_class.__name__, (FastPathCamera, camera_class), {})
    return _FAST_CAMERAS[camera_class]


_RTOL = 1.0e-5       # numpy.isclose's, as Manim's point comparisons use


def _close(a, b, atol):
    """Manim's ``consider_points_equals_2d`` (numpy.isclose per coordinate), elementwise
    over rows of ``a`` and ``b``."""
    with np.errstate(invalid="ignore"):
        d = np.abs(a - b)
        ok = ((d <= atol[:, None] + _RTOL * np.abs(b)) & np.isfinite(d)) | (a == b)
    return ok.all(axis=1)


def _path_ops_many(todo):
    """``_path_ops`` of many (vmobject, key, points) at once: the same subpaths, the same
    closing tests and coordinates, with the numpy work done on all the points together."""
    plain = [t for t in todo if t[0].n_points_per_cubic_curve == 4 and len(t[2]) % 4 == 0]
    if len(plain) < len(todo):                    # unusual outlines: one at a time
        return [_path_ops(vm, points) for vm, _, points in todo]
    lens = np.array([len(p) for _, _, p in todo])
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
    xy = np.concatenate([p[:, :2] for _, _, p in todo])
    atol = np.array([vm.tolerance_for_point_equality for vm, _, _ in todo], float)
    owner = np.repeat(np.arange(len(todo)), lens)
    # a curve start inside an outline splits a subpath where the anchors differ
    b = np.arange(4, len(xy), 4)
    b = b[b != starts[owner[b]]]
    split = b[~_close(xy[b - 1], xy[b], atol[owner[b]])]
    bounds = np.sort(np.concatenate([starts, starts + lens, split]))
    ops = [[] for _ in todo]
    lo, hi = bounds[:-1], bounds[1:]
    keep = (hi - lo >= 4) & (owner[np.minimum(lo, len(xy) - 1)] == owner[np.maximum(hi - 1, 0)])
    lo, hi = lo[keep], hi[keep]
    closed = _close(xy[lo], xy[hi - 1], atol[owner[lo]])
    # plain floats, no nested lists: thousands of live lists would wake Python's full GC
    flat = xy.ravel().tolist()
    for a, z, c, k in zip(lo.tolist(), hi.tolist(), closed.tolist(), owner[lo].tolist()):
        ops[k].append(((flat[2 * a], flat[2 * a + 1]),
                       tuple([tuple(flat[2 * i + 2:2 * i + 8]) for i in range(a, z - 3, 4)]), c))
    return ops
