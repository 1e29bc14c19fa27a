"""``FastPathCamera``: Manim's path drawing with the numpy work done once per outline."""
from __future__ import annotations

from manim.camera.camera import Camera


class FastPathCamera:
    """Camera mixin: the very cairo calls of ``Camera.set_cairo_context_path``, with the
    numpy work (subpath splits, closing tests, coordinates) done once per outline and
    reused while a mobject's points stay the same."""

    _CACHE_LIMIT = 50_000

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
    xy = points[:, :2].tolist()
    for start_idx, end_idx in vmobject.get_subpath_split_indices_from_points(points, n_dims=2):
        start_idx, end_idx = int(start_idx), int(end_idx)
        if end_idx - start_idx < nppcc:
            continue
        curves = [(*xy[i + 1], *xy[i + 2], *xy[i + 3])
                  for i in range(start_idx, end_idx - nppcc + 1, nppcc)]
        ops.append((tuple(xy[start_idx]), curves,
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
