"""Catalog entries for this topic: see viz/catalog/__init__.py and viz/catalog/spreadsheet.py."""
from . import Figure, Scene  # noqa: F401

FIGURES: list = []
SCENES: list = []
