"""Catalog entries for Otavio Good's visualization (lesson 3): a letter through a trained CNN."""
from . import Figure, Scene


def _first_trace():
    from viz.core.otavio import load_otavio, otavio_story
    return otavio_story(load_otavio(), steps=2).first


def otavio_stack():
    """The letter "A" through every layer of the cached network."""
    from viz.figures.otavio import otavio_stack_figure
    return otavio_stack_figure(_first_trace())


def otavio_filters():
    """Every layer's learned weights."""
    from viz.figures.otavio import otavio_filters_figure
    return otavio_filters_figure(_first_trace())


def _cmd_otavio(args) -> int:
    from viz.core.otavio import OtavioConfig, load_otavio
    picture = None
    if args.image:
        from viz._check import note
        from viz.core.images import load_image
        picture = load_image(args.image, option="--image", note=note)   # before any training
    net = load_otavio(OtavioConfig(dataset=args.dataset, seed=args.seed), rebuild=args.rebuild)
    source = "read from cache" if net.from_cache else f"trained in {net.train_seconds:.1f} s"
    print(f"{net.config.dataset}: classes {''.join(net.classes)}, held-out accuracy "
          f"{100 * net.test_accuracy:.1f}% ({source})")
    print(net.cache_path if net.cache_path else "not cached (cache folder not writable)")
    if picture is not None:
        from viz.core.otavio import otavio_trace
        t = otavio_trace(net, picture)            # resampled to the network's size
        ranked = sorted(zip(t.probs, t.classes), reverse=True)[:3]
        print("prediction: " + ", ".join(f"{c} {100 * p:.1f}%" for p, c in ranked))
    return 0


def add_commands(sub):
    from viz._check import SEED
    s = sub.add_parser("otavio", help="train (or read from the cache) the network behind "
                       "Otavio Good's visualization; optionally classify a picture")
    s.add_argument("--dataset", default="glyphs", choices=["glyphs", "digits"],
                   help="letters and digits drawn with matplotlib's fonts, or sklearn's digits")
    s.add_argument("--seed", type=SEED, default=0, help="0..2**32-1 (default: 0)")
    s.add_argument("--rebuild", action="store_true", help="retrain even if a cached copy exists")
    s.add_argument("--image", metavar="PATH", help="a picture to classify (any size; made gray, "
                   "inverted if it is dark ink on light paper)")
    s.set_defaults(func=_cmd_otavio)


FIGURES = [
    Figure("otavio-stack", "A letter through a trained CNN",
           "The letter \"A\" through a small CNN trained on font glyphs: two edge filters (green "
           "positive, red negative), ReLU, max-pool, four second-layer filters, max-pool, and the "
           "class percentages from the dense layer's templates.",
           "viz.catalog.otavio:otavio_stack"),
    Figure("otavio-filters", "Every layer's filters",
           "The learned weights: conv 1's two zero-sum 3×3 edge detectors, conv 2's four filters "
           "(one 3×3 kernel per input channel), and the dense layer's template for each class.",
           "viz.catalog.otavio:otavio_filters"),
]
SCENES = [
    Scene("otavio", "Otavio Good's visualization",
          "A letter as a grid of numbers; two learned filters slide over it; ReLU removes the red, "
          "max-pool halves it; a second conv layer, ReLU and pool; templates and softmax pick the "
          "letter. Then B and C, and a smooth morph from C to E with every layer updating.",
          "scenes.otavio:OtavioGood"),
]
