"""The conv-example spreadsheet, animated (fast.ai lesson 3).

What the viewer sees: the 28x28 "7" as a grid of numbers; the top-edge kernel slides over
the first rows of the digit, with the nine products and their sum shown for the current
cell and ReLU turning a negative sum into 0 as the output cell fills in; then the rest of
conv1 completes at once (before and after ReLU); then conv2, max-pool and the dense layer
carry it to the one output activation. Every number comes from the torch replica
(``viz.core.spreadsheet``).

Render: ``manim -ql scenes/conv_example.py ConvExample`` or
``viz render conv-example --quality low``.
"""
from manim import (DOWN, Group, RIGHT, UP, WHITE, YELLOW, Arrow, Create,
                   Text, VGroup)

from viz.anim import FONT, NumberGrid, lesson
from viz.anim.fades import FadeIn, FadeOut, crossfade
from viz.anim.lesson import LessonScene
from viz.core.spreadsheet import conv1_step, teaching_row, trace_conv_example

STEPS = 6          # cells computed one by one
SLOW = 2           # of which the first ones slowly


def label(text, size=22, **kw):
    return Text(text, font=FONT, font_size=size, **kw)


class ConvExample(LessonScene):
    def construct(self):
        tr = trace_conv_example()
        lim = float(abs(tr.conv1_pre[0]).max())
        row, col0 = teaching_row(tr, channel=0, length=STEPS)

        title = label("conv1: the top-edge kernel slides over the digit", 28).to_edge(UP, buff=0.2)
        image = NumberGrid(tr.input, cell_size=0.2, vmin=0, vmax=1).move_to([-4.15, -0.35, 0])
        image_lbl = label("input: 28×28 numbers", 18).next_to(image, UP, buff=0.1)
        kernel = NumberGrid(tr.params.conv1[0], cell_size=0.5, fmt="{:.2g}").move_to([0.25, 2.1, 0])
        kernel_lbl = label("top-edge kernel", 18).next_to(kernel, UP, buff=0.1)
        out = NumberGrid(tr.conv1[0], cell_size=0.2, vmin=-lim, vmax=lim).move_to([4.3, -0.35, 0])
        out.hide_cells()
        out_frame = out.squares.copy().set_fill(opacity=0)
        out_lbl = label("conv1, channel 1: 26×26", 18).next_to(out, UP, buff=0.1)
        self.play(FadeIn(title), FadeIn(image_lbl), image.create(lag_ratio=0.05, run_time=2))
        self.play(FadeIn(kernel), FadeIn(kernel_lbl), FadeIn(out_frame), FadeIn(out_lbl), FadeIn(out))
        lesson.step(self, "The digit is just 28×28 numbers. A 3×3 kernel trained to find top edges "
                          "will slide over it.")

        window = image.window(row, col0, 3)
        target = out.window(row, col0, 1)
        products = sum_text = relu_text = None
        for k in range(STEPS):
            step = conv1_step(tr, 0, row, col0 + k)
            new_products = NumberGrid(step.products, cell_size=0.5, fmt="{:.2f}",
                                      vmin=-1, vmax=1).move_to([0.25, 0.0, 0])
            new_sum = label(f"SUM = {step.total:.3f}", 24).move_to([0.25, -1.3, 0])
            new_relu = VGroup(label(f"ReLU: MAX(0, {step.total:.3f})", 18, color=YELLOW),
                              label(f"= {step.relu:.3f}", 24, color=YELLOW)
                              ).arrange(DOWN, buff=0.12).move_to([0.25, -2.15, 0])
            rt = 1.0 if k < SLOW else 0.35
            if products is None:
                prod_lbl = label("patch × kernel", 18).next_to(new_products, UP, buff=0.1)
                self.play(Create(window), Create(target), run_time=rt)
                self.play(FadeIn(prod_lbl), FadeIn(new_products), run_time=rt)
                self.play(FadeIn(new_sum), run_time=rt)
                self.play(FadeIn(new_relu), run_time=rt)
                products, sum_text, relu_text = new_products, new_sum, new_relu
            else:
                # numbers swap out and in, no Transform: a morph between two numbers shows neither
                self.play(window.animate.move_to(image.window(row, col0 + k, 3)),
                          target.animate.move_to(out.window(row, col0 + k, 1)),
                          *products.crossfade_to(new_products), *crossfade(sum_text, new_sum),
                          *crossfade(relu_text, new_relu), run_time=rt)
                sum_text, relu_text = new_sum, new_relu
            self.play(*out.change_value(row, col0 + k, step.relu), run_time=rt)
        self.wait(0.5)
        lesson.step(self, "At each position: multiply the patch by the kernel, add the nine "
                          "products, and ReLU turns a negative sum into 0.")

        # The rest of the layer: every sum at once, then ReLU.
        pre = NumberGrid(tr.conv1_pre[0], cell_size=0.2, vmin=-lim, vmax=lim).move_to(out)
        post = NumberGrid(tr.conv1[0], cell_size=0.2, vmin=-lim, vmax=lim).move_to(out)
        caption = label("every cell: SUM(patch × kernel)", 24).move_to([0.25, -3.55, 0])
        self.play(FadeOut(window), FadeOut(target), FadeIn(caption),
                  pre.create(lag_ratio=0.1, run_time=2))
        self.remove(out)
        relu_caption = label("ReLU: negatives (blue) become 0", 24, color=YELLOW).move_to(caption)
        self.play(*pre.crossfade_to(post), *crossfade(caption, relu_caption), run_time=1.5)
        self.wait(0.5)
        # the step (a slide's pause) ends on the finished map, not on the black after the fade
        lesson.step(self, "Doing that at every position gives the whole feature map; after ReLU "
                          "only the top edges of the 7 stay bright.")
        self.play(FadeOut(Group(*self.mobjects)))

        # The whole sheet: conv1 (2 channels) -> conv2 -> max-pool -> dense.
        self.next_section("pipeline")
        c1 = float(abs(tr.conv1).max())
        c2 = float(abs(tr.conv2).max())
        stages = [
            ("input", [NumberGrid(tr.input, cell_size=0.08, show_numbers=False, vmin=0, vmax=1)]),
            ("conv1 + ReLU", [NumberGrid(m, cell_size=0.08, show_numbers=False, vmin=-c1, vmax=c1)
                              for m in tr.conv1]),
            ("conv2 + ReLU", [NumberGrid(m, cell_size=0.08, show_numbers=False, vmin=-c2, vmax=c2)
                              for m in tr.conv2]),
            ("max-pool 2×2", [NumberGrid(m, cell_size=0.12, show_numbers=False, vmin=-c2, vmax=c2)
                              for m in tr.pool]),
        ]
        columns = VGroup()
        for name, grids in stages:
            col = VGroup(*grids).arrange(DOWN, buff=0.35)
            col.add(label(name, 20).next_to(col, UP, buff=0.2))
            columns.add(col)
        dense = VGroup(label("dense", 22), label(f"{tr.dense:.2f}", 30, color=YELLOW),
                       label("SUMPRODUCT of\nweights and pool", 16)).arrange(DOWN, buff=0.2)
        columns.add(dense)
        columns.arrange(RIGHT, buff=0.7).move_to(DOWN * 0.3)
        heading = label("The conv-example spreadsheet, layer by layer", 28).to_edge(UP, buff=0.25)
        self.play(FadeIn(heading), FadeIn(columns[0]))
        for a, b in zip(columns[:-1], columns[1:]):
            arrow = Arrow(a.get_right(), b.get_left(), buff=0.1, color=WHITE, stroke_width=3)
            self.play(Create(arrow), FadeIn(b), run_time=0.8)
        note = label(f"one activation, no ReLU on the last layer: {tr.dense:.7f}", 22).to_edge(DOWN, buff=0.3)
        self.play(FadeIn(note))
        self.wait(1)
        lesson.step(self, "The spreadsheet's whole network: two conv layers with ReLU, a max-pool "
                          "and a dense layer turn the 7 into one number.")
