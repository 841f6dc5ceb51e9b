"""The mixed-integer program of DESIGN.md §4, one module per layer of the stack.

:func:`build_model` turns :class:`ModelData` into a Pyomo ``ConcreteModel``: each layer
module adds its decisions, constraints and cost components (registered by name in
``m.cost_components``); :mod:`.finance` assembles the objective last.

Stage 2 of the pipeline (validated tables -> Pyomo model). May import: :mod:`planner.io`.
"""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from . import (
    cfe,
    chips,
    embodied,
    energy,
    existing,
    finance,
    infrastructure,
    labour,
    limits,
    objectives,
    serving,
    sovereignty,
    tightening,
    water,
)
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
    cfe.define(m, d)  # §7.3, only with a cfe_target
    sovereignty.define(m, d)  # §7.5, only with sovereign shares
    labour.define(m, d)  # DESIGN.md §7.1 (12)
    water.define(m, d)  # §7.2 (13)
    embodied.define(m, d)  # §7.4 E[y] in (11) under "lifecycle"
    tightening.define(m, d)
    existing.define(m, d)  # DESIGN.md §7.7: sites with existing assets open
    limits.define(m, d)  # after every layer's cost components, before the objective
    finance.define(m, d)
    objectives.define(m, d)  # DESIGN.md §7.6 objective modes
    return m
