"""Many futures (DESIGN.md §7.8): scenario sweeps, a two-stage stochastic plan and
near-optimal alternatives.

- :mod:`.spec`: the sweep spec (``SPEC.toml``) parsed and checked into :class:`~.spec.SweepSpec`;
- :mod:`.materialise`: a variant written out as a scenario folder (the base copied, cells and
  keys edited), which ``planner solve`` would plan exactly as the sweep does;
- :mod:`.runner`: the variants solved by a local process pool or a Dask cluster, ``sweep.csv``;
- :mod:`.report`: ``sweep.md``/``sweep.html`` and their plots;
- :mod:`.stochastic`: the deterministic equivalent of a two-stage plan over demand files;
- :mod:`.alternatives`: modelling to generate alternatives (Hop-Skip-Jump).

This package sits after :mod:`planner.reporting` and uses the Python API
(:mod:`planner.api`), never the CLI.
"""
