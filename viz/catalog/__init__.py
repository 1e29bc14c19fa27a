"""Every figure and scene of the toolkit, grouped by lesson topic.

Each topic has a module here (``viz/catalog/<topic>.py``) defining two lists,
``FIGURES`` and ``SCENES``. A figure entry names a zero-argument function that
computes the core result and returns a matplotlib ``Figure``; a scene entry names a
Manim ``Scene`` class in ``scenes/``. Importing the catalog imports neither torch,
matplotlib nor manim: targets are ``"module:attribute"`` strings loaded on use.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass

#: (module name, heading) in the order of the lessons.
TOPICS = (
    ("spreadsheet", "The conv-example spreadsheet"),
    ("convmatmul", "Convolutions and activations are matrix multiplications"),
    ("softmax", "Softmax picks one, sigmoids don't"),
    ("builtin_softmax", "The architecture must make it easy to learn: softmax built in vs learned"),
    ("lrfinder", "The learning-rate finder"),
    ("sgdr", "SGDR and the other learning-rate schedules"),
    ("otavio", "Otavio Good's visualization: a letter through a CNN"),
    ("selfstudy", "Self-study: augmentation and model summaries"),
    ("dataloading", "Datasets, DataLoaders, iterators and generators"),
    ("architectures", "Architectures compared"),
)


@dataclass(frozen=True)
class Entry:
    """One figure or scene.

    name : str       unique kebab-case name used on the command line
    title : str      short title for the gallery
    caption : str    one or two sentences saying what the viewer sees
    target : str     ``"package.module:attribute"``
    """

    name: str
    title: str
    caption: str
    target: str
    kind: str = "figure"   # "figure" or "scene"
    topic: str = ""

    def load(self):
        """Import and return the target (a figure function or a Scene class)."""
        module, _, attr = self.target.partition(":")
        return getattr(importlib.import_module(module), attr)

    @property
    def scene_file(self) -> str:
        """For scenes: the file to give ``manim`` on the command line."""
        module, _, _ = self.target.partition(":")
        return module.replace(".", "/") + ".py"

    @property
    def scene_class(self) -> str:
        return self.target.partition(":")[2]


def Figure(name, title, caption, target) -> Entry:  # noqa: N802 - reads like a record
    return Entry(name, title, caption, target, kind="figure")


def Scene(name, title, caption, target) -> Entry:  # noqa: N802
    return Entry(name, title, caption, target, kind="scene")


def topic_module(topic: str):
    """The catalog module of a topic (``viz.catalog.<topic>``)."""
    return importlib.import_module(f"{__name__}.{topic}")


def entries(kind: str | None = None) -> list[Entry]:
    """All entries (or only ``"figure"`` / ``"scene"`` ones), in lesson order."""
    out = []
    for topic, _ in TOPICS:
        mod = topic_module(topic)
        for e in list(getattr(mod, "FIGURES", [])) + list(getattr(mod, "SCENES", [])):
            e = Entry(e.name, e.title, e.caption, e.target, e.kind, topic)
            if kind is None or e.kind == kind:
                out.append(e)
    seen = set()
    for e in out:
        key = (e.kind, e.name)
        if key in seen:
            raise RuntimeError(f"duplicate {e.kind} name in the catalog: {e.name}")
        seen.add(key)
    return out


def topic_title(topic: str) -> str:
    return dict(TOPICS)[topic]


def select(kind: str, names=None) -> list[Entry]:
    """Entries of ``kind`` by name (all when ``names`` is empty); unknown name -> ValueError."""
    available = entries(kind)
    if not names:
        return available
    by_name = {e.name: e for e in available}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise ValueError(f"unknown {kind} name {unknown[0]!r} (try: viz list)")
    return [by_name[n] for n in dict.fromkeys(names)]
