"""The "same image" scene: its blocks, the picture camera, and a last frame against a stored PNG.

Manim's ``frames_comparison`` builds its own camera, and Manim 0.22's camera cannot draw
an ``ImageMobject`` with Pillow 13; the scene uses ``PictureCamera`` instead, so its frame
is compared with a stored PNG (``--set_test`` rewrites it).
"""
from pathlib import Path

import numpy as np
import pytest
from manim import Scene, tempconfig
from PIL import Image

from viz.anim.pictures import PictureCamera, ProbBars, picture

CONTROL = Path(__file__).parent / "control_data" / "test_augment_scene" / "augmentations_last_frame.png"
CONTROL_TTA = CONTROL.parent / "tta_last_frame.png"


def _last_frame(scene_cls, tmp_path):
    with tempconfig({"quality": "low_quality", "disable_caching": True, "media_dir": str(tmp_path),
                     "write_to_movie": False, "progress_bar": "none", "verbosity": "WARNING"}):
        scene = scene_cls(skip_animations=True)
        scene.render()
        return scene.renderer.get_frame()[..., :3].copy()


def test_prob_bars_structure():
    b = ProbBars([0.1, 0.6, 0.3], labels=["a", "b", "c"], width=3.0, height=2.0, highlight_index=1)
    assert len(b.bars) == 3 and len(b.labels) == 3
    assert [round(r.height, 6) for r in b.bars] == [0.2, 1.2, 0.6]
    assert b.bars[1].get_fill_color().to_hex().upper() == "#1B9E77"
    assert b.height >= 2.0   # the invisible frame keeps charts the same size
    with pytest.raises(ValueError, match="1-D"):
        ProbBars(np.zeros((2, 2)))


def test_picture_camera_draws_the_pixels(tmp_path):
    img = np.zeros((4, 4, 3))
    img[:2, :2] = [1, 0, 0]          # red top-left quarter, then green, blue, white
    img[:2, 2:] = [0, 1, 0]
    img[2:, :2] = [0, 0, 1]
    img[2:, 2:] = 1

    class Pic(Scene):
        def __init__(self, **kw):
            super().__init__(camera_class=PictureCamera, **kw)

        def construct(self):
            self.add(picture(img, height=4))

    f = _last_frame(Pic, tmp_path).astype(int)
    h, w, _ = f.shape
    cy, cx = h // 2, w // 2
    d = int(h / 8 * 0.5)      # a quarter of the 4-unit picture is 1 unit = h/8 pixels
    assert tuple(f[cy - d, cx - d]) == (255, 0, 0) and tuple(f[cy - d, cx + d]) == (0, 255, 0)
    assert tuple(f[cy + d, cx - d]) == (0, 0, 255) and tuple(f[cy + d, cx + d]) == (255, 255, 255)
    assert tuple(f[5, 5]) == (0, 0, 0)


def test_augmentations_last_frame(tmp_path, request):
    from scenes.augment import SameImage
    from viz.core.augment import augment_image, sample_image

    class AugmentationsOnly(SameImage):
        def construct(self):
            self.show_augmentations(augment_image(sample_image("china.jpg"), label="temple",
                                                  sz=96, aug_tfms="side_on", n=8, seed=1),
                                    clear=False)

    frame = _last_frame(AugmentationsOnly, tmp_path)
    if request.config.getoption("--set_test"):
        Image.fromarray(frame).save(CONTROL)
    ref = np.asarray(Image.open(CONTROL).convert("RGB")).astype(int)
    diff = np.abs(frame.astype(int) - ref)
    assert frame.shape == ref.shape
    assert diff.mean() < 1.0 and (diff > 40).mean() < 0.002, (diff.mean(), (diff > 40).mean())
    assert frame.std() > 20     # not blank: the photo and its 8 views are drawn


def test_tta_last_frame(tmp_path, request, recorded):
    """The TTA half of the scene, drawn from the recorded run (tests/data/recorded/
    tta-digits.npz): the same frame on any CPU, where a live run would differ."""
    from scenes.augment import SameImage

    res = recorded("tta-digits")["result"]

    class TTAOnly(SameImage):
        def construct(self):
            self.show_tta(res)

    frame = _last_frame(TTAOnly, tmp_path)
    if request.config.getoption("--set_test"):
        Image.fromarray(frame).save(CONTROL_TTA)
    ref = np.asarray(Image.open(CONTROL_TTA).convert("RGB")).astype(int)
    diff = np.abs(frame.astype(int) - ref)
    assert frame.shape == ref.shape
    assert np.mean(diff > 1.01) < 1e-4, np.mean(diff > 1.01)   # Manim's tolerance, about
    j = int(res.example_index[0])                              # a mistake TTA fixes
    assert res.preds[0, j] != res.y[j] and res.tta_preds[j] == res.y[j]
