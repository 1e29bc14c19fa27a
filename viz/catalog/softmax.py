"""Catalog entries for softmax vs sigmoid, multi-label tiles and F-beta (lessons 2-3).

Adds ``viz fbeta`` (F-beta from precision and recall, or from label and prediction
files) and ``viz tiles`` (train both heads on generated tiles, print their F2).
"""
from . import Figure, Scene


# ---------------------------------------------------------------------------- figures
def entropy_sheet():
    from viz.core.softmax import entropy_sheet as core
    from viz.figures.softmax import entropy_sheet_figure
    return entropy_sheet_figure(core())


def softmax_vs_sigmoid():
    from viz.core.softmax import rising_logit
    from viz.figures.softmax import softmax_vs_sigmoid_figure
    return softmax_vs_sigmoid_figure(rising_logit())


def two_labels():
    from viz.core.softmax import fit_two_labels
    from viz.figures.softmax import two_labels_figure
    return two_labels_figure(fit_two_labels())


def tiles():
    from viz.core.tiles import make_tiles
    from viz.figures.softmax import tiles_figure
    return tiles_figure(make_tiles(16, seed=0))


def multilabel_predictions():
    from viz.core.multilabel import default_comparison
    from viz.figures.softmax import predictions_figure
    return predictions_figure(default_comparison())


def iso_f():
    from viz.figures.softmax import iso_f_figure
    return iso_f_figure((1, 2, 3))


def fbeta_threshold():
    from viz.core.multilabel import default_comparison
    from viz.figures.softmax import fbeta_figure
    return fbeta_figure(default_comparison())


FIGURES = [
    Figure("entropy-sheet", "The entropy spreadsheet",
           "Five classes: outputs, exp, softmax (sums to 1) and sigmoid, one-hot actuals and "
           "cross-entropy; binary cross-entropy in the sheet's base-10 LOG and torch's natural log.",
           "viz.catalog.softmax:entropy_sheet"),
    Figure("softmax-vs-sigmoid", "Softmax wants to pick one",
           "The dog's logit rises: its softmax bar grows and every other softmax bar shrinks, "
           "while the sigmoid bars of the other classes stay where they were.",
           "viz.catalog.softmax:softmax_vs_sigmoid"),
    Figure("two-labels", "Two labels true",
           "Logits fitted to \"plane and fish\": softmax + cross-entropy stops at 0.5 each, "
           "sigmoid + binary cross-entropy takes both to nearly 1.",
           "viz.catalog.softmax:two_labels"),
    Figure("tiles", "Multi-label tiles",
           "Procedurally generated satellite-like tiles (forest, fields, rivers, roads, houses, "
           "haze, cloud), each with any subset of eight tags.",
           "viz.catalog.softmax:tiles"),
    Figure("multilabel-predictions", "Sigmoid vs softmax on held-out tiles",
           "The same small CNN trained with sigmoid + BCE and with softmax + CE: predicted tag "
           "probabilities on the same held-out tiles, and each head's planet F2.",
           "viz.catalog.softmax:multilabel_predictions"),
    Figure("iso-f", "F-beta over precision and recall",
           "Contours of equal F1, F2 and F3 over the precision-recall square: the larger β, "
           "the more recall counts.",
           "viz.catalog.softmax:iso_f"),
    Figure("fbeta-threshold", "F2 against the threshold",
           "Iso-F2 contours with the sigmoid model's precision-recall path, and F2 against the "
           "decision threshold for both heads, fastai's planet range 0.17-0.23 shaded.",
           "viz.catalog.softmax:fbeta_threshold"),
]
SCENES = [
    Scene("entropy-sheet", "The entropy spreadsheet, column by column",
          "Outputs become exp, then softmax (they sum to 1) and sigmoid; the one-hot actual "
          "picks the cross-entropy, shown in natural log and in the sheet's base-10 LOG.",
          "scenes.softmax:EntropySheet"),
    Scene("softmax-picks-one", "Softmax wants to pick one",
          "One logit rises: the softmax bars of the other classes shrink, the sigmoid bars "
          "beside them do not move.",
          "scenes.softmax:SoftmaxPicksOne"),
    Scene("two-labels", "Two labels true",
          "Gradient descent toward \"plane and fish\": softmax's two bars meet at 0.5, the "
          "sigmoid bars both climb to 1.",
          "scenes.softmax:TwoLabels"),
    Scene("multilabel-tiles", "Multi-label tiles, two heads",
          "Held-out tiles with their true tags and the two heads' predicted probabilities; "
          "the sigmoid head's F2 beats the softmax head's.",
          "scenes.softmax:MultiLabelTiles"),
    Scene("fbeta", "F-beta and the threshold",
          "Iso-F contours as β goes 1, 2, 3; then F2 against the threshold for the trained "
          "model, with the planet range 0.17-0.23 and its best F2.",
          "scenes.softmax:FBeta"),
]


# ---------------------------------------------------------------------------- commands
#: Largest label or prediction CSV file read, in bytes.
MAX_CSV_BYTES = 16 * 2**20


def _read_matrix(path, name, option):
    import warnings

    import numpy as np

    from viz._io import check_input_file
    path = check_input_file(path, name, MAX_CSV_BYTES, option)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")            # loadtxt warns on an empty file
            a = np.loadtxt(path, delimiter=",", ndmin=2)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        first = " ".join(str(exc).split())[:200]
        raise ValueError(f"{option}: cannot read {name} file {path}: {first}") from None
    if a.size == 0:
        raise ValueError(f"{option}: {name} file {path} holds no numbers")
    return a


def cmd_fbeta(args) -> int:
    """``viz fbeta``: F-beta from precision and recall, or from label/prediction CSVs."""
    from viz.core import softmax as sm
    sm.check_beta(args.beta)
    files = args.labels is not None or args.preds is not None
    if files and (args.precision is not None or args.recall is not None):
        raise ValueError("give either --precision and --recall, or --labels and --preds, not both")
    if args.threshold is not None and args.planet:
        raise ValueError("--threshold and --planet exclude each other (--planet tries 0.17..0.23)")
    if not files and (args.threshold is not None or args.planet):
        raise ValueError(f"{'--planet' if args.planet else '--threshold'} needs --labels and --preds")
    if args.planet and args.beta != 2:
        raise ValueError("--planet is F2 only (beta 2)")
    if args.threshold is not None:
        sm.check_probs(args.threshold, "threshold")
    if files:
        if not (args.labels and args.preds):
            raise ValueError("give both --labels and --preds (CSV files of the same shape)")
        y = _read_matrix(args.labels, "labels", "--labels")
        p = _read_matrix(args.preds, "predictions", "--preds")
        if y.shape != p.shape:
            raise ValueError(f"labels and predictions have different shapes: "
                             f"{'x'.join(map(str, y.shape))} vs {'x'.join(map(str, p.shape))}")
        sm.check_labels(y, "labels")
        if args.threshold is not None:
            sm.check_probs(p, "predictions")
            p = (p > args.threshold).astype(float)
        if args.planet:
            score, th = sm.planet_f2(y, p)
            print(f"planet F2 = {score:.6f} (threshold {th:.2f}, best of 0.17..0.23)")
            return 0
        print(f"F{args.beta:g} = {sm.fbeta(y, p, args.beta):.6f} (samples average, sklearn)")
        return 0
    if args.precision is None or args.recall is None:
        raise ValueError("give --precision and --recall, or --labels and --preds")
    f = float(sm.fbeta_from_pr(args.precision, args.recall, args.beta))
    from viz._check import check_finite
    check_finite(f, "F-beta")
    print(f"F{args.beta:g} = {f:.6f}")
    return 0


def cmd_tiles(args) -> int:
    """``viz tiles``: train both heads on generated tiles, print held-out F2."""
    tags = tuple(t.strip() for t in args.tags.split(",") if t.strip()) if args.tags is not None else None
    from viz.core.tiles import TAGS, tile_split
    split = tile_split(args.n_train, args.n_test, tags=TAGS if tags is None else tags, seed=args.seed)
    from viz.core.multilabel import compare_heads
    c = compare_heads(split, epochs=args.epochs, seed=args.seed)
    for r in (c.sigmoid, c.softmax):
        print(f"{r.head:<8} planet F2 {r.f2:.4f} (threshold {r.threshold:.2f}); "
              f"best over 0.01..0.99: {r.curve.best_score:.4f} at {r.curve.best_threshold:.2f}")
    return 0


#: The largest β ``viz fbeta`` takes (β² must not overflow; F-beta is recall beyond ~10).
MAX_BETA = 100.0


def add_commands(sub):
    from viz._check import SEED, Float, Int
    s = sub.add_parser("fbeta", help="F-beta from precision and recall, or from label and "
                       "prediction CSV files")
    s.add_argument("--beta", type=Float(0, MAX_BETA, lo_open=True, low_message="beta must be positive"),
                   default=2.0,
                   help=f"0 < β <= {MAX_BETA:g} (default: 2)")
    s.add_argument("--precision", type=float, help="precision in [0, 1]")
    s.add_argument("--recall", type=float, help="recall in [0, 1]")
    s.add_argument("--labels", metavar="CSV", help="0/1 matrix, one row per sample, one column per tag")
    s.add_argument("--preds", metavar="CSV", help="0/1 predictions, or probabilities with "
                   "--threshold / --planet, same shape as --labels")
    s.add_argument("--threshold", type=float, help="predict a tag when its probability > this")
    s.add_argument("--planet", action="store_true",
                   help="fastai's planet F2: best over thresholds 0.17..0.23 (probabilities)")
    s.set_defaults(func=cmd_fbeta)

    s = sub.add_parser("tiles", help="train a small CNN on generated multi-label tiles with "
                       "sigmoid+BCE and with softmax+CE; print their held-out F2")
    s.add_argument("--tags", help="comma-separated subset of: agriculture, bare_ground, cloudy, "
                   "habitation, haze, primary, road, water (default: all)")
    s.add_argument("--n-train", type=Int(1, 20_000), default=2000, help="1..20000 (default: 2000)")
    s.add_argument("--n-test", type=Int(1, 5_000), default=400, help="1..5000 (default: 400)")
    s.add_argument("--epochs", type=Int(1, 200), default=15, help="1..200 (default: 15)")
    s.add_argument("--seed", type=SEED, default=0, help="0..2**32-1 (default: 0)")
    s.set_defaults(func=cmd_tiles)
