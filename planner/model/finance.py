"""Finance: the objective, assembled last from the cost components each layer registered.

Objective (DESIGN.md §4): minimise the net present cost
sum over y of DF_y x (sum of the registered components in year y), in MUSD, with
DF_y = (1 + rate)^-(y - start_year).
"""

from __future__ import annotations

import pyomo.environ as pyo

from .data import ModelData


def define(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Add ``annual_cost[y]`` (MUSD, undiscounted) and the objective ``npc`` to ``m``."""
    comps = list(m.cost_components)
    m.annual_cost = pyo.Expression(m.YEARS, rule=lambda m, y: pyo.quicksum(getattr(m, c)[y] for c in comps))
    m.npc = pyo.Objective(expr=pyo.quicksum(d.df[y] * m.annual_cost[y] for y in d.years), sense=pyo.minimize)
