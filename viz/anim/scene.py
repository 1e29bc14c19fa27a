"""``viz.anim.Scene``: the ``manim.Scene`` every toolkit scene derives from.

The same storyboard and the same frames as ``manim.Scene``; what differs is the work
per ``play``:

* frames are drawn by :class:`viz.anim.render.RegionRenderer` (only what moves is redrawn);
* Manim's per-play questions (which mobjects move, which stay still, what is on screen)
  are answered from one walk over each family (:mod:`viz.anim.family`): the same lists,
  without re-walking a 2,400-mobject grid a dozen times per play;
* updaters are called by walking only the parts that have parts or updaters, and a
  play in which nothing has updaters and nothing can add one is not walked again for
  every frame (:mod:`viz.anim.quiet`);
* a play's video file is encoded while the next play is drawn (Manim's
  ``max_inflight_encoders``, whose default 1 makes every play wait for its encoder),
  and the encoder threads get the interpreter when they need it (a shorter thread
  switch interval while rendering).

``VIZ_PLAIN_RENDERER=1`` in the environment: Manim's own renderer instead.
"""
from __future__ import annotations

import os
import sys

from manim import Scene as _ManimScene
from manim import config
from manim.animation.composition import AnimationGroup
from manim.camera.camera import Camera
from manim.constants import RendererType
from manim.utils.iterables import list_difference_update, list_update

from .family import family_members, moving_ids, update_tree, walk
from .quiet import quiet_animations
from .render import RegionRenderer


class Scene(_ManimScene):
    """``manim.Scene`` drawn by :class:`RegionRenderer` (same frames, far fewer paths)."""

    #: Partial movie files that may be encoding while the next play is drawn (Manim's
    #: ``max_inflight_encoders``; a larger value in Manim's config wins). ``None``: the
    #: config's value. The files and the final video are the same either way.
    inflight_encoders: int | None = 3
    #: Python's thread switch interval while rendering (restored after): an encoder
    #: thread needs the interpreter for a moment per frame, and at Python's default
    #: (5 ms) each such moment waits behind the drawing thread. ``None``: Python's.
    switch_interval: float | None = 0.0002
    _in_frame = False     # inside update_to_time (a frame), not a play's last update
    _quiet = None         # (animations, ids of the scene's mobjects) of a quiet play

    def __init__(self, renderer=None, camera_class=Camera, **kwargs):
        if (renderer is None and config.renderer == RendererType.CAIRO
                and not os.environ.get("VIZ_PLAIN_RENDERER")):
            renderer = RegionRenderer(camera_class=camera_class,
                                      skip_animations=kwargs.get("skip_animations", False))
        before = config.max_inflight_encoders
        if self.inflight_encoders is not None and self.inflight_encoders > before:
            config.max_inflight_encoders = self.inflight_encoders   # read once, below
        try:
            super().__init__(renderer=renderer, camera_class=camera_class, **kwargs)
        finally:
            config.max_inflight_encoders = before

    def render(self, *args, **kwargs):
        before = sys.getswitchinterval()
        if self.switch_interval is not None and self.switch_interval < before:
            sys.setswitchinterval(self.switch_interval)
        try:
            return super().render(*args, **kwargs)
        finally:
            sys.setswitchinterval(before)

    # ----- Manim's bookkeeping, the same answers from one walk -------------------------
    def _cairo(self) -> bool:
        return config.renderer == RendererType.CAIRO

    def update_to_time(self, t: float) -> None:
        self._in_frame = True
        try:
            super().update_to_time(t)
        finally:
            self._in_frame = False

    def update_mobjects(self, dt: float) -> None:
        quiet = self._quiet
        if (quiet is not None and self._in_frame and quiet[0] is self.animations
                and quiet[1] == list(map(id, self.mobjects))):
            return               # a quiet play: see below
        nothing = True
        for m in self.mobjects:
            nothing &= update_tree(m, dt)
        # A play is quiet when, at a frame, no mobject has an updater, the scene has none,
        # no stop condition is waited for, and every animation is one of Manim's (or the
        # toolkit's) own with Manim's rate and path functions: then no code runs until the
        # play's end that could add an updater, and the frames after this one need no
        # look at thousands of parts (the play's last update, after its clean-up, does).
        self._quiet = ((self.animations, list(map(id, self.mobjects)))
                       if nothing and self._in_frame and self._cairo()
                       and not self.updaters and self.stop_condition is None
                       and quiet_animations(self.animations) else None)

    def get_mobject_family_members(self):
        if not self._cairo():
            return super().get_mobject_family_members()
        return family_members(self.mobjects, use_z_index=self.renderer.camera.use_z_index)

    def get_moving_mobjects(self, *animations):
        if not self._cairo():
            return super().get_moving_mobjects(*animations)
        return self._moving(animations, [walk(m) for m in self.mobjects])

    def _moving(self, animations, walks):
        """``get_moving_mobjects(*animations)``, ``walks``: ``walk`` of each of
        ``self.mobjects``."""
        animated: set = set()
        todo = list(animations)
        while todo:
            anim = todo.pop()
            animated.update(id(m) for m in family_members([anim.mobject]))
            if isinstance(anim, AnimationGroup):
                todo += anim.animations
        mobjects = family_members(self.mobjects, self.renderer.camera.use_z_index, walks=walks)
        moving = moving_ids(walks, animated, {id(m) for m in self.foreground_mobjects})
        if not moving:
            return []
        ids = list(map(id, mobjects))
        if len(moving) < 16:        # a few movers (a window over a grid): found in C
            i = min(ids.index(k) for k in moving)
        else:
            i = next(i for i, k in enumerate(ids) if k in moving)
        return mobjects[i:]

    def get_moving_and_static_mobjects(self, animations):
        if not self._cairo():
            return super().get_moving_and_static_mobjects(animations)
        use_z = self.renderer.camera.use_z_index
        walks = [walk(m) for m in self.mobjects]          # one walk, used twice
        by_id = {id(m): w for m, w in zip(self.mobjects, walks)}
        roots = list_update(self.mobjects, self.foreground_mobjects)
        everything = family_members(roots, use_z, True,
                                    walks=[by_id.get(id(m)) or walk(m) for m in roots])
        if type(self).get_moving_mobjects is Scene.get_moving_mobjects:
            moving = self._moving(animations, walks)
        else:                                             # a subclass's own answer
            moving = self.get_moving_mobjects(*animations)
        moving = family_members(moving, use_z_index=use_z)
        return moving, list_difference_update(everything, moving)
