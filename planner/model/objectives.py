"""The objective modes of DESIGN.md §7.6: ``cost`` (default), ``tokens`` and ``value``.

Runs after :mod:`.finance` (which adds the §4 objective ``npc``) and needs ``npc_cost`` from
:mod:`.limits` (every discounted cost term except the unserved penalty, MUSD).

- ``cost``: nothing changes (``npc`` is the objective).
- ``tokens`` and ``value`` treat demand as a ceiling: the ``unserved_penalty`` component is
  set to 0 (so costs.csv and the cost per million tokens carry no penalty).
- ``tokens``: stage 1 -- ``npc`` is deactivated and ``obj_tokens`` minimises −T, where
  ``tokens_served`` T = Σ_{r,s,m,y} serve (Ttok, undiscounted); demand is a ceiling (the
  unserved penalty is in no objective). Stage 2 (:func:`to_stage2`) adds
  ``tokens_floor``: T ≥ T₁ × (1 − 1e-6) and minimises ``npc_cost``.
- ``value``: ``obj_value`` minimises ``npc_cost`` − ``served_value``, where served_value =
  Σ_y DF_y Σ_{r,s,m} value_usd_per_mtok_m × serve[r,s,m,y] (USD/Mtok × Ttok = MUSD).

Every mode minimises, so the start heuristic and polish (which minimise the active
objective of the compiled program) work in each.
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

TOKENS_REL_TOL = 1e-6  # stage 2 keeps T >= T1 (1 - 1e-6) (DESIGN.md §7.6)


def define(m: pyo.ConcreteModel, d) -> None:
    """Set the objective of ``m`` for ``d.objective``."""
    mode = getattr(d, "objective", "cost") or "cost"
    if mode == "cost":
        return
    m.tokens_served = pyo.Expression(expr=pyo.quicksum(m.serve[k] for k in m.SERVE_RSMY))
    m.npc.deactivate()
    # demand is a ceiling: unserved tokens carry no penalty, so costs.csv shows none
    for y in m.YEARS:
        m.unserved_penalty[y].set_value(0.0)
    if mode == "tokens":
        m.obj_tokens = pyo.Objective(expr=-m.tokens_served, sense=pyo.minimize)
    elif mode == "value":
        val = d.value_mtok
        by_y = defaultdict(list)
        for r, s, mm, y in m.SERVE_RSMY:
            if val.get(mm):
                by_y[y].append((r, s, mm))
        m.served_value = pyo.Expression(
            expr=pyo.quicksum(
                d.df[y] * pyo.quicksum(val[mm] * m.serve[r, s, mm, y] for r, s, mm in keys)
                for y, keys in sorted(by_y.items())
            )
        )
        m.obj_value = pyo.Objective(expr=m.npc_cost - m.served_value, sense=pyo.minimize)
    else:  # pragma: no cover (validated in planner.io.limits)
        raise ValueError(mode)


def to_stage2(m: pyo.ConcreteModel, t1: float) -> None:
    """Turn a solved stage 1 of ``tokens`` into stage 2: keep T ≥ ``t1`` × (1 − 1e-6) (Ttok)
    and minimise ``npc_cost``."""
    m.obj_tokens.deactivate()
    m.tokens_floor = pyo.Constraint(expr=m.tokens_served >= t1 * (1.0 - TOKENS_REL_TOL))
    m.obj_stage2 = pyo.Objective(expr=m.npc_cost, sense=pyo.minimize)


def active_objective(m: pyo.ConcreteModel):
    """The active objective of ``m`` (``npc`` in cost mode)."""
    return next(iter(m.component_data_objects(pyo.Objective, active=True)))
