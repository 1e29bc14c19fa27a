"""Activations, and why the nonlinearity matters (lesson 3).

* ``Relu``           ``max(0, x)`` on the spreadsheet's top-edge map: negatives vanish.
* ``WhyNonlinear``   two linear layers are one matrix ``W2·W1`` (the transformed grids
  coincide); with a ReLU between them they do not.
* ``ShallowApprox``  a one-hidden-layer ReLU network trained live with torch on a sine with
  a bump; its hidden units' pieces sum to the fit.

Numbers come from :mod:`viz.core.convmatmul` and :mod:`viz.core.convmatmul_nonlin`.
Render: ``manim -ql scenes/convmatmul_nonlin.py ShallowApprox`` or ``viz render shallow-approx``.
"""
import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, WHITE, YELLOW, Axes, Create, DashedLine, Dot,
                   FadeIn, FadeOut, Line, Transform, TransformFromCopy, VGroup, VMobject)

from viz.anim import DIVERGING, NumberGrid, glyph
from viz.anim.fades import SwapText, crossfade
from viz.anim.lesson import LessonScene, step
from viz.anim.matrix import MatrixBlock, label
from viz.core import convmatmul as cm
from viz.core import convmatmul_nonlin as nl

PIECE_COLORS = ("#56B4E9", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#0072B2", "#F0E442",
                "#999999")
LINE_COLORS = ("#56B4E9", "#E69F00")   # horizontal, vertical grid lines


def polyline(points, *, color=WHITE, width: float = 3.0) -> VMobject:
    """A VMobject through ``points`` (n, 3) with straight segments."""
    v = VMobject(stroke_color=color, stroke_width=width)
    v.set_points_as_corners(points)
    return v


def plot_line(axes, x, y, **kwargs) -> VMobject:
    return polyline(axes.c2p(np.stack([x, y], axis=1)), **kwargs)


def plain_axes(x_range, y_range, x_length, y_length) -> Axes:
    """Axes with ticks and no numbers (numbers would need LaTeX)."""
    return Axes(x_range=x_range, y_range=y_range, x_length=x_length, y_length=y_length,
                tips=False, axis_config={"include_numbers": False, "stroke_width": 2,
                                         "color": "#BBBBBB"})


class Relu(LessonScene):
    def construct(self):
        r = cm.relu_example()
        m = float(np.abs(r.pre).max())
        kw = dict(cell_size=0.72, fmt="{:.1f}", palette=DIVERGING, vmin=-m, vmax=m)
        pre = NumberGrid(r.pre, **kw).move_to([-3.4, -0.35, 0])
        title = label("a feature map: the top-edge filter on the \"7\"", font_size=24)
        title.next_to(pre, UP, buff=0.3).to_edge(LEFT, buff=0.4)
        axes = plain_axes([-3, 3, 1], [-3, 3, 1], 5.2, 5.2).move_to([3.7, -0.35, 0])
        xs = np.array([-m, 0.0, m])
        identity = DashedLine(axes.c2p(-3, -3), axes.c2p(3, 3), color="#777777")
        curve = plot_line(axes, xs, cm.relu(xs).post, color=YELLOW, width=5)
        formula = label("max(0, x)", font_size=30, color=YELLOW).next_to(axes, UP, buff=0.3)
        self.play(pre.create(lag_ratio=0.1), FadeIn(title))
        self.play(Create(axes), Create(identity))
        self.play(Create(curve), FadeIn(formula))
        step(self, "A feature map has positive and negative numbers. ReLU keeps a positive "
                   "number as it is and turns a negative one into 0.")
        frame = pre.window(0, 0, 1, pre.n_cols, color=YELLOW, stroke_width=5)
        self.play(Create(frame), run_time=0.4)
        for i in range(pre.n_rows):
            if i:
                self.play(frame.animate.move_to(VGroup(*[pre.cell(i, c) for c in range(pre.n_cols)])),
                          run_time=0.25)
            dots = VGroup(*[Dot(axes.c2p(v, v), radius=0.06, color=WHITE) for v in r.pre[i]])
            self.play(FadeIn(dots), run_time=0.3)
            down = [Dot(axes.c2p(v, w), radius=0.06, color=WHITE)
                    for v, w in zip(r.pre[i], r.post[i])]
            changed = [c for c in range(pre.n_cols) if r.zeroed[i, c]]
            self.play(*[Transform(d, t) for d, t in zip(dots, down)],
                      *[a for c in changed for a in pre.change_value(i, c, r.post[i, c])],
                      run_time=0.6)
        self.play(FadeOut(frame))
        self.wait(1.5)
        step(self, "Row by row, every negative value drops to 0 on the ReLU line: what is "
                   "left shows only where the filter found its edge.")


class WhyNonlinear(LessonScene):
    def construct(self):
        s = nl.stack_two_layers()
        arrays = [s.lines, s.hidden, s.hidden_relu, s.out_two, s.out_single, s.out_relu]
        unit = 3.3 / max(float(np.abs(a).max()) for a in arrays)
        center = np.array([3.1, -0.2, 0.0])

        def grid(lines, width=3.0, color=None):
            n = len(lines) // 2
            return VGroup(*[polyline(np.c_[unit * ln, np.zeros(len(ln))] + center,
                                     color=color or LINE_COLORS[k >= n], width=width)
                            for k, ln in enumerate(lines)])

        mk = dict(cell_size=0.8, fmt="{:.1f}", palette=DIVERGING, vmin=-1.5, vmax=1.5)
        W1 = MatrixBlock(s.w1, **mk).move_to([-3.2, 2.2, 0])
        W2 = MatrixBlock(s.w2, **mk).move_to([-5.8, 2.2, 0])
        names = VGroup(label("W2", font_size=28).next_to(W2, UP, buff=0.15),
                       label("W1", font_size=28).next_to(W1, UP, buff=0.15),
                       label("·", font_size=40).move_to((W2.get_right() + W1.get_left()) / 2))
        W21 = MatrixBlock(s.w21, **{**mk, "fmt": "{:.2f}"}).move_to([-3.2, -0.4, 0])
        single = VGroup(label("W2·W1 =", font_size=28).next_to(W21, LEFT, buff=0.3), W21)
        axes_lines = VGroup(Line(center + 3.5 * LEFT, center + 3.5 * RIGHT, color="#555555"),
                            Line(center + 3.5 * DOWN, center + 3.5 * UP, color="#555555"))
        net = grid(s.lines)

        def caption(text):
            return label(text, font_size=30).move_to([-4.4, -2.4, 0])

        cap = caption("x")
        self.play(FadeIn(W2), FadeIn(W1), FadeIn(names), Create(axes_lines))
        self.play(Create(net), FadeIn(cap), run_time=1.2)
        for target, text in ((s.hidden, "W1·x"), (s.out_two, "W2·(W1·x)")):
            new = caption(text)      # the old caption out, then the new one: never a half-morph
            self.play(Transform(net, grid(target)), *crossfade(cap, new), run_time=1.5)
            cap = new
            self.wait(0.4)
        self.play(TransformFromCopy(VGroup(W2, W1), W21), FadeIn(single[0]), run_time=1.2)
        ghost = grid(s.lines, width=1.5, color=WHITE)
        cap2 = label("(W2·W1)·x", font_size=30, color=WHITE).move_to([-4.4, -3.2, 0])
        self.play(Create(ghost), FadeIn(cap2), run_time=0.8)
        self.play(Transform(ghost, grid(s.out_single, width=1.5, color=WHITE)), run_time=1.8)
        same = label("=", font_size=40, color=YELLOW).next_to(cap2, RIGHT, buff=0.4)
        self.play(FadeIn(same))
        self.wait(1)
        step(self, "Two linear layers one after the other bend the grid exactly like one "
                   "matrix, W2·W1: stacking them adds nothing.")

        # a ReLU between the layers: no single matrix does this
        new = caption("x")
        self.play(Transform(net, grid(s.lines)), FadeOut(same), *crossfade(cap, new), run_time=1.0)
        cap = new
        relu_tag = label("ReLU between", font_size=24, color=YELLOW).next_to(names[2], DOWN, buff=1.0)
        self.play(FadeIn(relu_tag))
        for target, text in ((s.hidden, "W1·x"), (s.hidden_relu, "ReLU(W1·x)"),
                             (s.out_relu, "W2·ReLU(W1·x)")):
            new = caption(text)
            self.play(Transform(net, grid(target)), *crossfade(cap, new), run_time=1.5)
            cap = new
            self.wait(0.3)
        differ = label("≠", font_size=40, color=YELLOW).next_to(cap2, RIGHT, buff=0.4)
        self.play(FadeIn(differ))
        self.wait(2)
        step(self, "With a ReLU between them the grid folds, and no single matrix can do "
                   "that: the nonlinearity is what makes depth worth having.")


class ShallowApprox(LessonScene):
    def construct(self):
        fit = nl.train_shallow_relu()
        n_snap, n_hidden, _ = fit.pieces.shape
        order = fit.summation_order(-1)
        partial = fit.partial_sums(-1, order)
        pmax = float(np.ceil(np.abs(fit.pieces).max()))
        lo = float(np.floor(min(fit.target.min(), fit.fit.min(), partial.min()) * 2) / 2)
        hi = float(np.ceil(max(fit.target.max(), fit.fit.max(), partial.max()) * 2) / 2)
        left = plain_axes([-1, 1, 0.5], [-pmax, pmax, 1], 5.8, 5.2).move_to([-3.4, -0.5, 0])
        right = plain_axes([-1, 1, 0.5], [lo, hi, 0.5], 5.8, 5.2).move_to([3.4, -0.5, 0])
        titles = VGroup(label("hidden units: w2·ReLU(w1·x + b1)", font_size=22).next_to(left, UP),
                        label("their sum + b2, and the target", font_size=22).next_to(right, UP))
        target = VGroup(*[Dot(right.c2p(x, y), radius=0.035, color="#BBBBBB")
                          for x, y in zip(fit.x[::3], fit.target[::3])])

        def pieces(s, width=2.5):
            return VGroup(*[plot_line(left, fit.x, fit.pieces[s, j], width=width,
                                      color=PIECE_COLORS[j % len(PIECE_COLORS)])
                            for j in range(n_hidden)])

        def net_fit(s):
            return plot_line(right, fit.x, fit.fit[s], color=YELLOW, width=5)

        def status(s):
            return glyph(f"step {fit.steps[s]}    loss {fit.loss[s]:.4f}", font_size=24).move_to([0, 3.5, 0])

        self.play(Create(left), Create(right), FadeIn(titles), FadeIn(target))
        lines, curve, stat = pieces(0), net_fit(0), status(0)
        self.play(Create(lines), Create(curve), FadeIn(stat), run_time=1.5)
        for s in range(1, n_snap):
            self.play(Transform(lines, pieces(s)), Transform(curve, net_fit(s)),
                      SwapText(stat, status(s)), run_time=0.9)     # numbers never half-morphed
        self.wait(0.5)
        step(self, "As the loss falls, the network's curve (yellow) closes in on the target "
                   "points; each hidden unit on the left is one bent line.")

        # the pieces, added one at a time, rebuild the fit
        self.play(curve.animate.set_stroke(opacity=0.25), run_time=0.5)
        running = plot_line(right, fit.x, partial[0], color=WHITE, width=4)
        self.play(Create(running), run_time=0.5)
        for k, j in enumerate(order):
            self.play(lines[j].animate.set_stroke(width=7), run_time=0.2)
            self.play(TransformFromCopy(lines[j], running.copy().set_opacity(0)),
                      Transform(running, plot_line(right, fit.x, partial[k + 1], color=WHITE, width=4)),
                      lines[j].animate.set_stroke(width=2.5), run_time=0.5)
        self.play(curve.animate.set_stroke(opacity=1.0), FadeOut(running), run_time=0.8)
        self.wait(1.5)
        step(self, "Added one at a time, the bent lines rebuild the whole fit: enough ReLU "
                   "pieces can approximate any smooth function.")
