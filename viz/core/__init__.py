"""viz core: models, data, traces, schedules and metrics (numpy + torch; never plotting).

Submodules are imported on demand so that ``import viz.core`` stays light.
"""
