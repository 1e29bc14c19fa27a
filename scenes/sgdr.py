"""SGDR restarts: the LR wave drawn epoch by epoch, a ball doing SGD at that LR.

Top: fastai's SGDR learning rate for ``fit(lr, 3, cycle_len=1, cycle_mult=2)``, drawn one
epoch at a time. Bottom: a ball doing stochastic gradient descent at that LR on a 1-D
loss (computed in ``viz.core.sgdr_landscape``). At each restart the LR jumps back up and
the ball is thrown out of the sharp minimum it had settled in (lr x curvature > 2); it
ends in the wide, flat one. The epochs add up on the right: 1 + 2 + 4 = 7.

    manim -ql scenes/sgdr.py SGDRRestarts
"""
from manim import (DOWN, LEFT, PI, RIGHT, UP, Arrow, Axes, Create, Dot, Text,
                   ValueTracker, VGroup, VMobject, Write, linear)

from viz.anim import FONT
from viz.anim.fades import FadeIn
from viz.anim.lesson import LessonScene, step
from viz.core.sgdr_landscape import sgdr_ball

WAVE, BALL, LAND, MUTED, HOT = "#56B4E9", "#E69F00", "#DDDDDD", "#999999", "#CC79A7"


def _text(s, size=22, color=LAND, **kw):
    return Text(s, font=FONT, font_size=size, color=color, **kw)


class SGDRRestarts(LessonScene):
    def construct(self):
        run = sgdr_ball()                     # every number below comes from here
        sched, land, nb = run.schedule, run.landscape, run.schedule.iters_per_epoch
        top_lr, curv = float(sched.head.max()), run.landscape.curvature()
        title = _text("SGDR: each restart kicks the ball out of a sharp minimum", 30).to_edge(UP, buff=0.3)

        lr_ax = Axes(x_range=[0, sched.n_epochs, 1], y_range=[0, top_lr * 1.15, top_lr],
                     x_length=9.4, y_length=2.0, tips=False,
                     axis_config={"color": MUTED, "include_numbers": False}).move_to([-1.75, 1.2, 0])
        ticks = VGroup(*[_text(str(e), 16, MUTED).next_to(lr_ax.c2p(e, 0), DOWN, buff=0.12)
                         for e in range(int(sched.n_epochs) + 1)])
        lr_lbl = VGroup(_text("learning rate", 18, WAVE).rotate(PI / 2).next_to(lr_ax, LEFT, buff=0.15),
                        _text("epoch", 16, MUTED).next_to(ticks, RIGHT, buff=0.25))
        gx, gy = land.grid(n=300)
        ld_ax = Axes(x_range=[gx[0], gx[-1], 1], y_range=[gy.min() - 0.3, gy.max() + 0.2, 1],
                     x_length=9.4, y_length=3.3, tips=False,
                     axis_config={"color": MUTED, "stroke_opacity": 0}).move_to([-1.75, -2.1, 0])
        curve = VMobject(color=LAND, stroke_width=3).set_points_smoothly(
            [ld_ax.c2p(x, y) for x, y in zip(gx[::3], gy[::3])])
        ld_lbl = _text("loss along one weight", 18, MUTED).next_to(ld_ax, UP, buff=0.05).align_to(ld_ax, LEFT)
        path = run.path(substeps=4)
        t = ValueTracker(0)
        ball = Dot(radius=0.13, color=BALL)
        ball.add_updater(lambda d: d.move_to(ld_ax.c2p(*path[min(int(round(t.get_value() * 4)), len(path) - 1)])))

        sums = VGroup(_text("epochs:", 24, MUTED)).move_to([3.6, 1.9, 0], aligned_edge=LEFT)
        self.add(title)
        self.play(Create(lr_ax), FadeIn(ticks), FadeIn(lr_lbl), Create(curve), FadeIn(ld_lbl), run_time=1.2)
        ball.update()
        self.play(FadeIn(ball), FadeIn(sums), run_time=0.5)
        step(self, "Top: the learning rate over training. Bottom: the loss along one weight, "
                   "with a sharp minimum and a wide, flat one.")

        for c, (a, b) in enumerate(sched.cycles()):
            n_ep = (b - a) // nb
            label = _text(f"cycle {c + 1}\n{n_ep} epoch{'s' * (n_ep != 1)}", 16, WAVE)
            label.move_to(lr_ax.c2p((a + b) / 2 / nb, top_lr * 1.45))
            kick = None
            if a > 0:
                k = curv[land.well_at(run.x[a])]
                kick = _text(f"restart: lr back to {top_lr:g}\nlr × f'' = {top_lr:g} × {k:.3g}\n          = {top_lr * k:.2f} > 2:\n"
                             "the ball is kicked out", 20, HOT).move_to([3.4, -1.2, 0], aligned_edge=LEFT)
                self.play(FadeIn(kick), run_time=0.35)
            self.play(FadeIn(label), run_time=0.3)
            for e in range(a // nb, b // nb):     # one epoch at a time
                i0, i1 = e * nb, (e + 1) * nb
                pts = [lr_ax.c2p(i / nb, sched.head[i]) for i in range(max(i0 - 1, 0), i1)]
                seg = VMobject(color=WAVE, stroke_width=4).set_points_as_corners(pts)
                self.play(Create(seg, rate_func=linear), t.animate(rate_func=linear).set_value(i1),
                          run_time=1.1)
                if kick is not None:
                    self.remove(kick)
                    kick = None
            _append(self, sums, ([_text("+", 34, MUTED)] if c else []) + [_text(f"{n_ep}", 34, BALL)])
            step(self, "Within a cycle the learning rate falls along a cosine, so the ball settles "
                       "into the nearest minimum." if c == 0 else
                 "At a restart the learning rate jumps back up: in a sharp minimum that step "
                 "is too big, and the ball is kicked out." if c == 1 else
                 f"Cycle {c + 1} lasts {n_ep} epochs: each cycle is longer than the last, so "
                 "the ball has time to settle.")
        _append(self, sums, [_text("=", 34, MUTED), _text(f"{int(sched.n_epochs)}", 34, BALL)])
        where = ld_ax.c2p(float(run.x[-1]), float(run.loss[-1]))
        k = curv[land.well_at(run.x[-1])]
        note = _text(f"wide, flat minimum:\nlr × f'' = {top_lr:g} × {k:.3g}\n          = {top_lr * k:.2f} < 2:\n"
                     "the ball stays", 20, BALL).move_to([3.4, -1.2, 0], aligned_edge=LEFT)
        self.play(FadeIn(note), Create(Arrow(note.get_bottom(), where + UP * 0.2, color=BALL, buff=0.1)),
                  run_time=0.8)
        self.wait(1.5)
        step(self, "In the wide, flat minimum even the full learning rate cannot kick the ball "
                   "out: restarts leave us where the model generalizes well.")


def _append(scene, sums, terms):
    """Add terms ("+", "2", ...) to the epoch sum on the line under its heading."""
    for term in terms:
        if len(sums) > 1:
            term.next_to(sums[-1], RIGHT, buff=0.2)
            term.set_y(sums[1].get_y())
        else:
            term.next_to(sums[0], DOWN, buff=0.35).align_to(sums[0], LEFT)
        sums.add(term)
    scene.play(*[Write(t) for t in terms], run_time=0.4)
