"""Test-time augmentation (TTA) as fastai 0.7's ``learn.TTA()`` does it, and training
with augmentation, for any torch classifier on ``(N, C, H, W)`` images in 0..1.

``learn.TTA(n_aug=4)`` predicts the validation set once as it is (scale + centre crop)
and ``n_aug`` times through the *training* augmentations, and returns the stack
``[original] * ceil(n_aug / 4) + [aug_1, ..., aug_n]``; lesson 1 then averages the
probabilities: ``probs = np.mean(np.exp(log_preds), 0)``. :func:`tta` returns each pass's
probabilities and that average.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .augment import Pipeline, train_pipeline, valid_pipeline


def _apply_batch(pipe: Pipeline, x: np.ndarray, rng) -> tuple[np.ndarray, tuple]:
    """Apply ``pipe`` to every image of ``x`` (N, C, H, W); returns (N, C, sz, sz), steps."""
    out, steps = [], []
    for img in x:
        hwc = img[0] if img.shape[0] == 1 else img.transpose(1, 2, 0)
        y, s = pipe(hwc, rng)
        out.append(y[None] if y.ndim == 2 else y.transpose(2, 0, 1))
        steps.append(s)
    return np.stack(out).astype(np.float32), tuple(steps)


def _check_images(x):
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"images must be (N, C, H, W), got shape {x.shape}")
    return x


def predict_probs(model, x: np.ndarray, *, batch_size: int = 512) -> np.ndarray:
    """Softmax probabilities ``(N, classes)`` of ``model`` on images ``x`` (N, C, H, W)."""
    import torch

    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            out = [torch.softmax(model(torch.as_tensor(x[i:i + batch_size])), dim=1)
                   for i in range(0, len(x), batch_size)]
    finally:
        model.train(was_training)
    return torch.cat(out).double().numpy()


@dataclass(frozen=True, eq=False)
class TTAResult:
    """Predictions of one model on one data set: as it is, and through ``n_aug`` augmentations.

    probs : (1 + n_aug, N, classes)   pass 0 = original (centre crop), 1.. = augmented
    mean_probs : (N, classes)         fastai's average: the original counted
                                      ``ceil(n_aug / 4)`` times, then every augmented pass
    y : (N,)                          true labels
    accuracy : (1 + n_aug,)           accuracy of each pass alone
    tta_accuracy : float              accuracy of ``mean_probs``
    examples : (1 + n_aug, k, C, H, W)  what the model saw, for images ``example_index``
    example_index : (k,)
    steps : tuple                     steps[pass][j]: the random draws for example j
    classes : tuple of str
    """

    probs: np.ndarray
    mean_probs: np.ndarray
    y: np.ndarray
    accuracy: np.ndarray
    tta_accuracy: float
    examples: np.ndarray
    example_index: np.ndarray
    steps: tuple
    classes: tuple

    def __post_init__(self):
        for a in (self.probs, self.mean_probs, self.y, self.accuracy, self.examples,
                  self.example_index):
            a.flags.writeable = False

    @property
    def n_aug(self) -> int:
        return len(self.probs) - 1

    @property
    def pass_names(self) -> tuple:
        return ("original",) + tuple(f"augmented {i}" for i in range(1, self.n_aug + 1))

    @property
    def preds(self) -> np.ndarray:
        """Predicted class of each pass ``(1 + n_aug, N)``."""
        return self.probs.argmax(axis=-1)

    @property
    def tta_preds(self) -> np.ndarray:
        return self.mean_probs.argmax(axis=-1)

    def changed_minds(self) -> np.ndarray:
        """Indices where averaging changed the original pass's prediction."""
        return np.flatnonzero(self.preds[0] != self.tta_preds)


def tta(model, x, y, *, sz: int | None = None, aug_tfms="basic", max_zoom: float | None = 1.1,
        n_aug: int = 4, seed: int = 0, classes=None, examples=8) -> TTAResult:
    """Test-time augmentation: average a trained model's predictions over the original
    images and ``n_aug`` augmented versions (fastai's ``learn.TTA(n_aug)``).

    Parameters
    ----------
    model : torch.nn.Module
        A classifier returning logits (or log-probabilities) ``(N, classes)``.
    x : ndarray, shape (N, C, H, W), values in 0..1
    y : ndarray, shape (N,)
    sz : int, optional
        Side of the model's input (the images' side by default).
    aug_tfms, max_zoom
        The training augmentations (see :func:`viz.core.augment.train_pipeline`).
    n_aug : int
        Augmented passes (fastai's default 4).
    examples : int or sequence of int
        Which images to keep for pictures: ``k`` picks ``k`` of them, those whose
        prediction the average changed first (fixed mistakes before new ones), then the
        first images in order; a sequence gives the indices.

    Returns
    -------
    TTAResult
    """
    x = _check_images(x).astype(np.float64)
    y = np.asarray(y)
    if len(y) != len(x):
        raise ValueError(f"{len(x)} images but {len(y)} labels")
    if n_aug < 1:
        raise ValueError(f"n_aug must be at least 1, got {n_aug}")
    sz = x.shape[-1] if sz is None else sz
    rng = np.random.default_rng(seed)
    base, _ = _apply_batch(valid_pipeline(sz), x, rng)
    inputs, all_steps = [base], [tuple(() for _ in range(len(x)))]
    pipe = train_pipeline(sz, aug_tfms, max_zoom=max_zoom)
    for _ in range(n_aug):
        xa, s = _apply_batch(pipe, x, rng)
        inputs.append(xa)
        all_steps.append(s)
    probs = np.stack([predict_probs(model, xi) for xi in inputs])
    weights = np.array([math.ceil(n_aug / 4)] + [1] * n_aug, dtype=np.float64)
    mean = np.tensordot(weights / weights.sum(), probs, axes=1)
    idx = _pick_examples(examples, probs[0].argmax(-1), mean.argmax(-1), y)
    steps = [tuple(s[i] for i in idx) for s in all_steps]
    acc = (probs.argmax(-1) == y[None]).mean(axis=1)
    n_classes = probs.shape[-1]
    classes = tuple(str(c) for c in (classes if classes is not None else range(n_classes)))
    ex = np.stack([xi[idx] for xi in inputs])
    return TTAResult(probs, mean, y.copy(), acc, float((mean.argmax(-1) == y).mean()), ex,
                     idx, tuple(steps), classes)


def _pick_examples(examples, before, after, y) -> np.ndarray:
    if not np.isscalar(examples):
        idx = np.asarray(examples, dtype=int)
        if idx.size and (idx.min() < 0 or idx.max() >= len(y)):
            raise ValueError(f"example indices must be in 0..{len(y) - 1}, got {idx.tolist()}")
        return idx
    changed = before != after
    order = np.concatenate([np.flatnonzero(changed & (after == y)),
                            np.flatnonzero(changed & (after != y)), np.flatnonzero(~changed)])
    return order[:max(0, min(int(examples), len(y)))]


def train_augmented(model, x, y, *, aug_tfms="basic", max_zoom: float | None = 1.1, sz=None,
                    epochs: int = 5, lr: float = 1e-2, batch_size: int = 64,
                    seed: int = 0, augment: bool = True) -> np.ndarray:
    """Train ``model`` (Adam, cross-entropy) on images augmented afresh every epoch.

    Every batch goes through the training pipeline with new random draws, so in ``epochs``
    epochs the model never sees the same pixels twice, always with the same labels.
    Returns the loss of every batch ``(steps,)``.
    """
    import torch
    import torch.nn.functional as F

    x = _check_images(x).astype(np.float64)
    y = np.asarray(y, dtype=np.int64)
    sz = x.shape[-1] if sz is None else sz
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    pipe = train_pipeline(sz, aug_tfms, max_zoom=max_zoom) if augment else valid_pipeline(sz)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    model.train()
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for i in range(0, len(x), batch_size):
            b = order[i:i + batch_size]
            xb, _ = _apply_batch(pipe, x[b], rng)
            loss = F.cross_entropy(model(torch.from_numpy(xb)), torch.from_numpy(y[b]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss.detach()))
    model.eval()
    return np.array(losses)


def digits_tta(*, size: int = 12, epochs: int = 10, n_aug: int = 4, aug_tfms="basic",
               max_zoom: float | None = 1.1, channels=(16, 32), lr: float = 1e-2, seed: int = 0,
               examples=8, cache: bool = True):
    """Train ``small_cnn`` on scikit-learn's digits with augmentation, then run TTA on
    the test split. Returns ``(TTAResult, model)``.

    With the defaults (12x12 digits, 10 epochs, a few seconds on a CPU) the original
    pass scores about 90 % and the TTA average about 93 % on the 360 test digits.
    Digits get ``transforms_basic`` (rotation and lighting, plus zoom): a mirrored
    or upside-down digit is another digit, or none.

    The result and the trained weights are computed once per machine and kept in the
    cache folder (:mod:`viz.core.cache`), keyed by every argument; each call gets a model
    of its own, rebuilt from the weights. ``cache=False`` (or ``VIZ_CACHE=off``) trains,
    and so do transforms given as objects rather than by name.
    """
    from .cache import cached
    from .datasets import small_cnn
    from .results import load_state_dict_arrays, state_dict_arrays

    if not cache or not isinstance(aug_tfms, str):      # your own transforms: always trained
        return _digits_tta(size, epochs, n_aug, aug_tfms, max_zoom, channels, lr, seed, examples)

    def compute():
        res, model = _digits_tta(size, epochs, n_aug, aug_tfms, max_zoom, channels, lr, seed,
                                 examples)
        return res, state_dict_arrays(model)

    params = {"size": size, "epochs": epochs, "n_aug": n_aug, "aug_tfms": aug_tfms,
              "max_zoom": None if max_zoom is None else float(max_zoom),
              "channels": [int(c) for c in channels], "lr": float(lr), "seed": seed,
              "examples": examples if np.isscalar(examples) else np.ravel(examples).tolist()}
    res, state = cached("tta-digits", params, compute, version=1)
    model = load_state_dict_arrays(small_cnn(channels=channels, seed=seed), state)
    return res, model.eval()


def _digits_tta(size, epochs, n_aug, aug_tfms, max_zoom, channels, lr, seed, examples):
    from ._util import torch_threads
    from .datasets import digits, small_cnn

    data = digits(size=size, seed=seed)
    with torch_threads(1):    # a tiny model: one thread is fastest, and the same everywhere
        model = small_cnn(channels=channels, seed=seed)
        train_augmented(model, data.x_train, data.y_train, aug_tfms=aug_tfms, max_zoom=max_zoom,
                        epochs=epochs, lr=lr, seed=seed)
        res = tta(model, data.x_test, data.y_test, aug_tfms=aug_tfms, max_zoom=max_zoom,
                  n_aug=n_aug, seed=seed, classes=data.classes, examples=examples)
    return res, model
