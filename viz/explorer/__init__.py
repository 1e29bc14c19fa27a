"""The live explorer's static files (``static/``): written out by :func:`viz.explore.write_explorer`."""
