"""Catalog entries for self-study: data augmentation ("the same image"), TTA, model summaries."""
from . import Figure, Scene


def augmentations():
    """A side-on photo and a top-down one, each with 8 augmented views."""
    from viz.core.augment import augment_image, sample_image
    from viz.figures.augment import augmentation_figure

    side = augment_image(sample_image("china.jpg"), label="temple", sz=96, aug_tfms="side_on",
                         n=8, seed=1)
    top = augment_image(sample_image("flower.jpg"), label="flower", sz=96, aug_tfms="top_down",
                        n=8, seed=2)
    return augmentation_figure(side, top)


def dihedral():
    from viz.core.augment import center_crop, dihedral_set, sample_image
    from viz.figures.augment import dihedral_figure

    return dihedral_figure(dihedral_set(center_crop(sample_image("china.jpg"), 128)))


def tta():
    """Train small_cnn on 12x12 digits with augmentation (a few seconds), then TTA."""
    from viz.core.augment import digits_tta
    from viz.figures.augment import tta_figure

    res, _ = digits_tta()
    return tta_figure(res)


def architecture():
    from viz.core.datasets import small_cnn
    from viz.core.summary import summarize
    from viz.figures.summary import architecture_figure

    return architecture_figure(summarize(small_cnn(channels=(16, 32)), (1, 1, 12, 12)))


FIGURES = [
    Figure("augment-same-image", "Same image, same label, new pixels",
           "A side-on photo (flips allowed) and a top-down one (all 8 dihedral symmetries) next "
           "to 8 of the views fastai's training transforms make of each: rotation ±10°, "
           "lighting, zoom and random crop. The label never changes; almost every pixel does.",
           "viz.catalog.selfstudy:augmentations"),
    Figure("augment-dihedral", "The 8 dihedral symmetries",
           "RandomDihedral's 8 possible outputs: 0, 90, 180, 270° turns, each mirrored or not.",
           "viz.catalog.selfstudy:dihedral"),
    Figure("augment-tta", "Test-time augmentation",
           "A small CNN trained on 12×12 digits with augmentation predicts each test digit as it "
           "is and in 4 augmented versions; averaging the 5 probability vectors (fastai's "
           "learn.TTA()) fixes some mistakes.",
           "viz.catalog.selfstudy:tta"),
    Figure("model-architecture", "A model summary, layers as matrices",
           "learn.summary() for the small CNN: every layer's output shape and parameters, and each "
           "weight drawn as the matrix it multiplies by (a conv's filters as out × in·3·3).",
           "viz.catalog.selfstudy:architecture"),
]
SCENES = [
    Scene("augment-same-image", "How does augmentation work if it's the same image?",
          "One photo and its label; augmented versions fly out of it, each keeping the label while "
          "its pixels change; then a trained digit classifier predicts a test digit in 5 versions "
          "and the average of the 5 probability bars gives the answer.",
          "scenes.augment:SameImage"),
]
