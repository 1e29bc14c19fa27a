"""Convolutions and dense layers are matrix multiplications (lesson 3).

Four scenes, each drawn from :mod:`viz.core.convmatmul` results (torch-checked numbers):

* ``KernelSliding``  a kernel slides over a 5x5 input: products, their sum, the output
  filling in; then padding, stride and dilation in the convolution-arithmetic style.
* ``Im2Col``         the same kind of convolution as one matrix product, without a word:
  windows become patch rows, filters become weight columns, one matmul, a reshape.
* ``ManyChannels``   conv2 of the spreadsheet: one 2x3x3 kernel; two channel sums, one activation.
* ``DenseLayer``     neurons and edges turn into ``W · x``.

Render: ``manim -ql scenes/convmatmul.py Im2Col`` or ``viz render im2col --quality low``.
"""
from manim import (DOWN, LEFT, RIGHT, UP, WHITE, YELLOW, Circle, Create, Indicate, Line,
                   SurroundingRectangle, Transform,
                   TransformFromCopy, VGroup)

from viz.anim import DIVERGING, NumberGrid, format_number, glyph
from viz.anim.fades import FadeIn, FadeOut
from viz.anim.lesson import LessonScene, step
from viz.anim.matrix import MatrixBlock, TileGrid, label
from viz.core import convmatmul as cm

BLUES = ("#DCE9F7", "#2F6DB5")
GREENS = ("#E3F4EA", "#1B7F4B")
ORANGES = ("#FFF1DC", "#D9822B")
FILTER_COLORS = ("#E69F00", "#CC79A7")   # colour-blind-safe orange and pink
HIGHLIGHT = YELLOW


def cells(grid, index_pairs):
    """The cells of ``grid`` at (row, col) pairs, as one VGroup."""
    return VGroup(*[grid.cell(int(r), int(c)) for r, c in index_pairs])


class KernelSliding(LessonScene):
    def construct(self):
        ex = cm.sliding_examples()
        self.with_numbers(ex["stride 1"])
        step(self, "Each output number is the sum of the input window times the kernel, cell by "
                   "cell: the same nine weights are used at every position.")
        self.play(*[FadeOut(m) for m in self.mobjects])
        self.arithmetic([(k, ex[k]) for k in ("padding 1", "stride 2, padding 1", "dilation 2")])
        step(self, "Padding adds a border so the output keeps its size; a stride of 2 skips every "
                   "other position; dilation spreads the kernel's taps apart.")

    def with_numbers(self, conv):
        inp = NumberGrid(conv.input[0], cell_size=0.72, fmt="{:.0f}", palette=BLUES, vmin=0,
                         vmax=3).move_to([-4.6, -0.2, 0])
        ker = NumberGrid(conv.weight[0, 0], cell_size=0.6, fmt="{:.0f}", palette=ORANGES,
                         vmin=0, vmax=2).move_to([-0.4, 2.3, 0])
        out = NumberGrid(conv.output[0], cell_size=0.72, fmt="{:.0f}", palette=GREENS,
                         vmin=0).move_to([4.6, -0.2, 0])
        outline = VGroup(*[s.copy().set_fill(opacity=0) for s in out.squares])
        titles = VGroup(label("input", font_size=26).next_to(inp, UP),
                        label("kernel", font_size=26).next_to(ker, UP, buff=0.15),
                        label("output", font_size=26).next_to(out, UP))
        self.play(inp.create(), FadeIn(ker), Create(outline), FadeIn(titles))
        window = inp.window(0, 0, 3, color=HIGHLIGHT, stroke_width=6)
        tags = VGroup(*[glyph(f"×{v:.0f}", font_size=15, color="#E66100", weight="BOLD")
                        .next_to(inp.square(r, c).get_corner(DOWN + RIGHT), UP + LEFT, buff=0.03)
                        for (r, c), v in zip(conv.taps, conv.weight[0, 0].ravel())])
        prods = sum_label = None
        for n in range(conv.n_patches):
            r0, c0 = conv.origins[n]
            row, col = conv.position(n)
            new_prods = NumberGrid(conv.window_products(n)[0], cell_size=0.6, fmt="{:.0f}",
                                   palette=GREENS, vmin=0, vmax=conv.output.max()).move_to([-0.4, -0.3, 0])
            new_sum = glyph(f"Σ = {conv.output[0, row, col]:.0f}", font_size=34).move_to([-0.4, -2.0, 0])
            target = window.copy().move_to(cells(inp, conv.window(n)))
            shift = target.get_center() - window.get_center()
            if n == 0:
                self.play(Create(window), FadeIn(tags))
            else:
                self.play(window.animate.move_to(target), tags.animate.shift(shift),
                          run_time=0.5 if n > 1 else 0.8)
            src = cells(inp, conv.window(n))
            dst = VGroup(*[new_prods.cell(i, j) for i in range(3) for j in range(3)])
            slow = n < 2
            anims = [TransformFromCopy(src, dst)]
            if prods is not None:
                anims += [FadeOut(prods), FadeOut(sum_label)]
            self.play(*anims, run_time=1.2 if slow else 0.4)
            self.play(FadeIn(new_sum, shift=0.2 * DOWN), run_time=0.8 if slow else 0.3)
            self.play(TransformFromCopy(new_sum, out.cell(row, col)), run_time=0.8 if slow else 0.4)
            prods, sum_label = dst, new_sum
        self.wait(0.5)

    def arithmetic(self, confs):
        groups = []
        for k, (name, conv) in enumerate(confs):
            x = -4.7 + 4.7 * k
            tiles = TileGrid(conv.padded.shape[1:], cell_size=0.46, mask=conv.padding_mask)
            tiles.move_to([x, 1.3, 0])
            outs = TileGrid(conv.out_shape, cell_size=0.46, color="#41B6C4", opacity=0.0)
            outs.next_to(tiles, DOWN, buff=0.5)
            title = label(name, font_size=24).next_to(tiles, UP, buff=0.3)
            groups.append((conv, tiles, outs, title))
        # all three panels at once: the frame is not two-thirds empty while the first one runs
        self.play(*[FadeIn(m) for _, tiles, outs, title in groups for m in (tiles, outs, title)],
                  run_time=0.8)
        for conv, tiles, outs, title in groups:
            taps = tiles.marks(conv.window(0))
            here = outs.marks([(0, 0)], color="#0B4F57", opacity=1.0)
            self.play(FadeIn(taps), FadeIn(here), outs.tile(0, 0).animate.set_fill(opacity=1),
                      run_time=0.4)
            step = 0.25 if conv.n_patches > 9 else 0.45
            for n in range(1, conv.n_patches):
                row, col = conv.position(n)
                self.play(Transform(taps, tiles.marks(conv.window(n))),
                          here.animate.move_to(outs.tile(row, col)),
                          outs.tile(row, col).animate.set_fill(opacity=1), run_time=step)
        self.wait(1)


class Im2Col(LessonScene):
    def construct(self):
        conv = cm.im2col_example()
        n_f = conv.weight.shape[0]
        vmax_out = abs(conv.product).max()
        inp = NumberGrid(conv.input[0], cell_size=0.5, fmt="{:.0f}", palette=BLUES, vmin=0,
                         vmax=3).move_to([-5.7, 1.7, 0])
        kernels = [NumberGrid(conv.weight[f, 0], cell_size=0.38, fmt="{:.0f}", palette=DIVERGING,
                              vmin=-2, vmax=2).move_to([-6.35 + 1.35 * f, -1.4, 0]) for f in range(n_f)]
        kframes = [SurroundingRectangle(k, color=FILTER_COLORS[f], buff=0.04, stroke_width=4)
                   for f, k in enumerate(kernels)]
        P = MatrixBlock(conv.patches, cell_size=0.44, fmt="{:.0f}", palette=BLUES, vmin=0,
                        vmax=3).move_to([-1.75, 0, 0])
        W = MatrixBlock(conv.weight_matrix, cell_size=0.44, fmt="{:.0f}", palette=DIVERGING,
                        vmin=-2, vmax=2).move_to([1.45, 0, 0])
        Y = MatrixBlock(conv.product, cell_size=0.44, fmt="{:.0f}", palette=DIVERGING,
                        vmin=-vmax_out, vmax=vmax_out).move_to([3.2, 0, 0])
        outs = [NumberGrid(conv.output[f], cell_size=0.5, fmt="{:.0f}", palette=DIVERGING,
                           vmin=-vmax_out, vmax=vmax_out).move_to([5.6, 1.4 - 2.8 * f, 0])
                for f in range(n_f)]
        outlines = VGroup(*[s.copy().set_fill(opacity=0) for o in outs for s in o.squares])
        times = label("×", font_size=44).move_to([0.65, 0, 0])
        equals = label("=", font_size=44).move_to([2.4, 0, 0])

        # 1. every window of the input becomes a row of the patch matrix (and is one output cell);
        # the filters wait below the input from the start (the frame's lower half is used too)
        self.play(inp.create(), Create(outlines), *[FadeIn(k) for k in kernels],
                  *[Create(f) for f in kframes])
        self.play(Create(P.brackets))
        window = inp.window(0, 0, 3, color=HIGHLIGHT, stroke_width=5)
        rframe = P.row_frame(0, color=HIGHLIGHT)
        spots = [o.window(0, 0, 1, color=HIGHLIGHT, stroke_width=5) for o in outs]
        for n in range(conv.n_patches):
            src = cells(inp, conv.window(n))
            row, col = conv.position(n)
            if n == 0:
                self.play(Create(window), Create(rframe), *[Create(m) for m in spots], run_time=0.6)
            else:
                self.play(window.animate.move_to(src), rframe.animate.move_to(P.row(n)),
                          *[m.animate.move_to(o.cell(row, col)) for m, o in zip(spots, outs)],
                          run_time=0.5 if n < 3 else 0.25)
            self.play(TransformFromCopy(src, P.row(n)), run_time=1.4 if n < 2 else 0.45)
        self.play(FadeOut(window), FadeOut(rframe), *[FadeOut(m) for m in spots], run_time=0.4)
        step(self, "Every 3×3 window of the input becomes one row of the patch matrix; "
                   "each window also stands for one cell of every output.")

        # 2. every filter becomes a column of the weight matrix
        self.play(FadeIn(times), Create(W.brackets))
        for f in range(n_f):
            cframe = W.column_frame(f, color=FILTER_COLORS[f])
            self.play(TransformFromCopy(kernels[f], W.column(f)), Create(cframe), run_time=1.5)
            W.add(cframe)
        step(self, "Each filter, unrolled, becomes one column of the weight matrix.")

        # 3. one matrix product: row of patches · column of weights = one number
        self.play(FadeIn(equals), Create(Y.brackets))
        rframe = P.row_frame(0, color=HIGHLIGHT)
        yframe = Y.row_frame(0, color=HIGHLIGHT)
        self.play(Create(rframe), Create(yframe), run_time=0.5)
        for n in range(conv.n_patches):
            if n:
                self.play(rframe.animate.move_to(P.row(n)), yframe.animate.move_to(Y.row(n)),
                          run_time=0.4 if n < 3 else 0.2)
            if n < 2:
                for f in range(n_f):
                    colf = W.column_frame(f, color=WHITE, stroke_width=6)
                    self.play(Create(colf), run_time=0.3)
                    self.play(TransformFromCopy(VGroup(P.row(n), W.column(f)), Y.cell(n, f)),
                              FadeOut(colf), run_time=1.0)
            else:
                self.play(*[TransformFromCopy(VGroup(P.row(n), W.column(f)), Y.cell(n, f))
                            for f in range(n_f)], run_time=0.45)
        self.play(FadeOut(rframe), FadeOut(yframe), run_time=0.3)
        step(self, "One matrix product does all the work: a row of patches times a column "
                   "of weights is exactly one output number.")

        # 4. reshape: each column of the product is one feature map
        for f in range(n_f):
            frame = Y.column_frame(f, color=FILTER_COLORS[f])
            oframe = SurroundingRectangle(outs[f], color=FILTER_COLORS[f], buff=0.04, stroke_width=4)
            targets = VGroup(*[outs[f].cell(*conv.position(n)) for n in range(conv.n_patches)])
            self.play(Create(frame), run_time=0.4)
            self.play(TransformFromCopy(Y.column(f), targets, path_arc=-0.6), Create(oframe),
                      run_time=1.6)
            Y.add(frame)
        step(self, "Fold each column of the product back into a grid: it is that filter's "
                   "feature map.")

        # 5. in sync: window <-> patch row <-> product row <-> output cell
        marks = [inp.window(0, 0, 3, color=HIGHLIGHT, stroke_width=5), P.row_frame(0),
                 Y.row_frame(0)] + [o.window(0, 0, 1, color=HIGHLIGHT, stroke_width=5) for o in outs]
        self.play(*[Create(m) for m in marks], run_time=0.5)
        for n in range(1, conv.n_patches):
            row, col = conv.position(n)
            self.play(marks[0].animate.move_to(cells(inp, conv.window(n))),
                      marks[1].animate.move_to(P.row(n)), marks[2].animate.move_to(Y.row(n)),
                      *[m.animate.move_to(o.cell(row, col)) for m, o in zip(marks[3:], outs)],
                      run_time=0.5)
        self.play(*[FadeOut(m) for m in marks], run_time=0.4)
        check = label("= F.conv2d(input, filters)  ✓", font_size=24).move_to([4.2, -3.1, 0])
        self.play(FadeIn(check))
        self.wait(1.5)
        step(self, "Window, patch row, product row and output cell always go together: "
                   "the convolution is this one matrix product, and F.conv2d agrees.")


class ManyChannels(LessonScene):
    def construct(self):
        conv = cm.two_channel_example()
        n_c = conv.input.shape[0]
        xs = [-5.1, -1.5]
        chans = [NumberGrid(conv.input[c], cell_size=0.5, fmt="{:.1f}", palette=BLUES, vmin=0,
                            vmax=conv.input.max()).move_to([xs[c], 1.82, 0]) for c in range(n_c)]
        kern = [NumberGrid(conv.weight[0, c], cell_size=0.5, fmt="{:.1f}", palette=DIVERGING,
                           vmin=-1, vmax=1).move_to([xs[c], -0.93, 0]) for c in range(n_c)]
        out = NumberGrid(conv.output[0], cell_size=0.7, fmt="{:.1f}", palette=GREENS,
                         vmin=0).move_to([4.6, 1.5, 0])
        outline = VGroup(*[s.copy().set_fill(opacity=0) for s in out.squares])
        in_box = SurroundingRectangle(VGroup(*chans), color=BLUES[1], buff=0.15)
        k_box = SurroundingRectangle(VGroup(*kern), color=FILTER_COLORS[0], buff=0.15, stroke_width=5)
        shape = "×".join(map(str, conv.weight.shape[1:]))
        titles = VGroup(
            label(f"conv1 output: {n_c} channels", font_size=22).next_to(in_box, UP, buff=0.1),
            label(f"one kernel, {shape}", font_size=22, color=FILTER_COLORS[0])
            .next_to(k_box, DOWN, buff=0.1),
            label("conv2 output (before ReLU)", font_size=22).next_to(out, UP))
        self.play(*[c.create() for c in chans], Create(in_box), FadeIn(titles[0]))
        self.play(*[FadeIn(k) for k in kern], Create(k_box), FadeIn(titles[1]))
        self.play(Create(outline), FadeIn(titles[2]))
        step(self, "The input has two channels, so the kernel has two 3×3 slices: one for "
                   "each channel.")
        wins = [c.window(0, 0, 3, color=HIGHLIGHT, stroke_width=5) for c in chans]
        shown = None
        for n in range(conv.n_patches):
            row, col = conv.position(n)
            slow = n < 2
            prods, sums = conv.window_products(n), conv.channel_sums(n)
            pgrids = [NumberGrid(prods[c], cell_size=0.45, fmt="{:.2f}", palette=DIVERGING, vmin=-3,
                                 vmax=3).move_to([xs[c] - 0.5, -3.15, 0]) for c in range(n_c)]
            slabels = [glyph(f"Σ = {format_number(sums[c], '{:.2f}')}", font_size=24)
                       .next_to(pgrids[c], RIGHT, buff=0.2) for c in range(n_c)]
            eq = glyph(" + ".join(format_number(v, "{:.2f}") for v in sums)
                       + f" = {format_number(conv.output[0, row, col], '{:.2f}')}",
                       font_size=30).move_to([4.6, -1.5, 0])
            if n == 0:
                self.play(*[Create(w) for w in wins], run_time=0.5)
            else:
                self.play(*[w.animate.move_to(cells(c, conv.window(n))) for w, c in zip(wins, chans)],
                          FadeOut(shown), run_time=0.6 if slow else 0.25)
            dst = [VGroup(*[g.cell(i, j) for i in range(3) for j in range(3)]) for g in pgrids]
            self.play(*[TransformFromCopy(cells(chans[c], conv.window(n)), dst[c]) for c in range(n_c)],
                      # the frame flashes, not the kernels: their numbers stay readable
                      *([Indicate(k_box, color=HIGHLIGHT, scale_factor=1.03)] if slow else []),
                      run_time=1.3 if slow else 0.35)
            self.play(*[FadeIn(s) for s in slabels], run_time=0.6 if slow else 0.2)
            self.play(TransformFromCopy(VGroup(*slabels), eq), run_time=1.0 if slow else 0.3)
            self.play(TransformFromCopy(eq, out.cell(row, col)), run_time=0.8 if slow else 0.3)
            shown = VGroup(*dst, *slabels, eq)
        self.play(FadeOut(shown), *[FadeOut(w) for w in wins])
        self.wait(1)
        step(self, "Each slice is multiplied with its own channel and both sums are added: "
                   "one kernel, many channels, one output number per position.")


class DenseLayer(LessonScene):
    def construct(self):
        d = cm.dense_example()
        n_out, n_in = d.weight.shape
        r = 0.42
        ins = [Circle(r, color=BLUES[1], fill_opacity=0.25).move_to([-5.7, 2.25 - 1.5 * i, 0])
               for i in range(n_in)]
        outs = [Circle(r, color=GREENS[1], fill_opacity=0.25).move_to([-2.7, 1.5 - 1.5 * j, 0])
                for j in range(n_out)]
        in_vals = VGroup(*[glyph(f"{v:.1f}", font_size=26).move_to(c) for v, c in zip(d.x, ins)])
        edges = [[Line(ins[i].get_right(), outs[j].get_left(),
                       color=DIVERGING[2] if d.weight[j, i] > 0 else DIVERGING[0],
                       stroke_width=1.5 + 8 * abs(d.weight[j, i])) for i in range(n_in)]
                 for j in range(n_out)]
        self.play(*[FadeIn(c) for c in ins + outs], FadeIn(in_vals))
        self.play(*[Create(e) for row in edges for e in row], run_time=1.2)
        step(self, "A dense layer: every input is connected to every output; an edge's "
                   "colour and thickness show its weight.")

        W = MatrixBlock(d.weight, cell_size=0.78, fmt="{:.1f}", palette=DIVERGING, vmin=-1,
                        vmax=1).move_to([0.75, 0.4, 0])
        X = MatrixBlock(d.x[:, None], cell_size=0.78, fmt="{:.1f}", palette=BLUES, vmin=0,
                        vmax=1).next_to(W, RIGHT, buff=0.6)
        ym = abs(d.output).max()
        Y = MatrixBlock(d.output[:, None], cell_size=0.78, fmt="{:.2f}", palette=DIVERGING,
                        vmin=-ym, vmax=ym).next_to(X, RIGHT, buff=0.9)
        dot = label("·", font_size=48).move_to((W.get_right() + X.get_left()) / 2)
        eq = label("=", font_size=40).move_to((X.get_right() + Y.get_left()) / 2)
        # edges into output neuron j become row j of W; the inputs become x
        self.play(Create(W.brackets), Create(X.brackets))
        self.play(TransformFromCopy(in_vals, VGroup(*[X.cell(i, 0) for i in range(n_in)])),
                  FadeIn(dot), run_time=1.2)
        for j in range(n_out):
            ring = outs[j].copy().set_stroke(HIGHLIGHT, width=6)
            self.play(FadeIn(ring), *[e.animate.set_stroke(opacity=0.2) for jj, row in enumerate(edges)
                                      if jj != j for e in row], run_time=0.4)
            self.play(*[TransformFromCopy(edges[j][i], W.cell(j, i)) for i in range(n_in)],
                      run_time=1.0)
            self.play(FadeOut(ring), *[e.animate.set_stroke(opacity=1) for row in edges for e in row],
                      run_time=0.3)
        step(self, "The weights on the edges into one output neuron are one row of the "
                   "matrix W, and the inputs are the vector x.")
        self.play(FadeIn(eq), Create(Y.brackets))
        # each output: a row of W dotted with x
        xframe = X.column_frame(0, color=HIGHLIGHT)
        self.play(Create(xframe), run_time=0.3)
        for j in range(n_out):
            rframe = W.row_frame(j, color=HIGHLIGHT)
            terms = " + ".join(f"({w:.1f})×{x:.1f}" if w < 0 else f"{w:.1f}×{x:.1f}"
                               for w, x in zip(d.weight[j], d.x))
            line = glyph(f"{terms} = {d.output[j]:.2f}", font_size=26).move_to([2.0, -3.1, 0])
            ring = outs[j].copy().set_stroke(HIGHLIGHT, width=6)
            val = glyph(f"{d.output[j]:.2f}", font_size=17).move_to(outs[j])
            self.play(Create(rframe), FadeIn(ring), run_time=0.4)
            self.play(TransformFromCopy(VGroup(W.row(j), X.column(0)), line), run_time=1.2)
            self.play(TransformFromCopy(line, Y.cell(j, 0)), TransformFromCopy(line, val), run_time=1.0)
            self.play(FadeOut(rframe), FadeOut(ring), FadeOut(line), run_time=0.3)
        self.play(FadeOut(xframe), run_time=0.3)
        self.wait(1.5)
        step(self, "Each output is a row of W dotted with x: the whole layer is one "
                   "matrix-vector product, W · x.")
