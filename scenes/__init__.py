"""Manim scene files, one per lesson topic. Render one with, for example::

    manim -ql scenes/conv_example.py ConvExample

or through the toolkit: ``viz render conv-example --quality low``.
"""
