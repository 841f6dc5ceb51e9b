"""The mixed-integer program of DESIGN.md §4, one module per layer of the stack.

:func:`build_model` turns :class:`ModelData` into a Pyomo ``ConcreteModel``: each layer
module adds its decisions, constraints and cost components (registered by name in
``m.cost_components``); :mod:`.finance` assembles the objective last.

Stage 2 of the pipeline (validated tables -> Pyomo model). May import: :mod:`planner.io`.
"""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from . import chips, energy, finance, infrastructure, serving, tightening
from .data import ModelData, build_data, crf

__all__ = ["ModelData", "build_data", "build_model", "crf"]


def build_model(d: ModelData) -> pyo.ConcreteModel:
    """Build the Pyomo model for ``d``. Layers are added bottom-up so that each one may use
    the expressions of the ones before it (halls in service, facility load).

    Python's cyclic garbage collector is paused while the model is built: the build only
    allocates, and on large scenarios (millions of rows) the collector's full passes over
    the growing model took more time than the build itself (100 sites x 20 years x 96
    slices: 24 s with it, 12 s without)."""
    with PauseGC():
        return _build(d)


def _build(d: ModelData) -> pyo.ConcreteModel:
    m = pyo.ConcreteModel(name="planner")
    m.cost_components = []
    m.YEARS = pyo.Set(initialize=d.years, ordered=True)
    infrastructure.define(m, d)
    chips.define(m, d)
    serving.define(m, d)
    energy.define(m, d)
    tightening.define(m, d)
    finance.define(m, d)
    return m
