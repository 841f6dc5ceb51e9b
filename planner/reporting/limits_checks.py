"""Invariant checks of DESIGN.md §7.6 (limits and objective modes), hooked into
:mod:`planner.reporting.checks`.

- ``limits``: recomputed from the written tables and the inputs, the facility draw of every
  year (Σ over capacity.csv of units_active × it_kw_per_unit / 1000 × (pue + pue_adder) ×
  load_factor) is within ``facility_mw``, the cash capex of investment_schedule.csv of
  every year within ``capex_usd_per_year``, and the net present cost without the unserved
  penalty within ``npc_budget_usd`` (each to 1e-6 relative).
- :func:`as_npc` turns the objective of a ``value`` plan back into its net present cost
  (adding the served value) so that the objective check compares like with like;
  :func:`penalty_rate` is 0 in ``tokens`` and ``value`` modes, as in the program.
"""

from __future__ import annotations

from collections import defaultdict

REL = 1e-6


def _limit(cfg, key: str, y: int):
    table = (getattr(cfg, "limits", None) or {}).get(key)
    return cfg.year_value(table, y) if table else None


def penalty_rate(ctx) -> float:
    """USD per million unserved tokens: the scenario's penalty in ``cost`` mode, 0 in
    ``tokens`` and ``value`` modes (demand is a ceiling there)."""
    if getattr(ctx.cfg, "objective", "cost") != "cost":
        return 0.0
    return ctx.cfg.unserved_penalty_usd_per_mtok


def as_npc(ctx, objective_usd, costs_fn):
    """The §4 net present cost (USD, unserved penalty included) of a plan whose solver
    objective is ``objective_usd`` in its objective mode; ``costs_fn(ctx)`` is
    :func:`planner.reporting.checks.recompute_costs` ((year, component) -> USD)."""
    mode = getattr(ctx.cfg, "objective", "cost")
    if objective_usd is None or mode == "cost":
        return objective_usd
    out = objective_usd  # tokens: the NPC itself (no penalty in these modes)
    if mode == "value":
        models = ctx.scn.tables["models.csv"]
        val = dict(zip(models["model"], models.get("value_usd_per_mtok", 0.0), strict=False))
        for r in ctx.t["serving"].itertuples():
            out += ctx.df[int(r.year)] * float(val.get(r.model, 0.0) or 0.0) * r.tokens / 1e6
    return out


def check_limits(ctx, costs_fn) -> list[str]:
    """Failures of the §7.6 limits (see module docstring); ``costs_fn`` as in :func:`as_npc`."""
    cfg = ctx.cfg
    if not getattr(cfg, "limits", None):
        return []
    cost = costs_fn(ctx)
    out = []
    if "facility_mw" in cfg.limits:
        draw = defaultdict(float)
        for r in ctx.t["capacity"].itertuples():
            pue = ctx.cool[r.cooling]["pue"] + ctx.site[r.site]["pue_adder"]
            draw[int(r.year)] += cfg.load_factor * r.units_active * ctx.chip[r.chip]["it_kw_per_unit"] / 1000 * pue
        for y in ctx.years:
            lim = _limit(cfg, "facility_mw", y)
            if draw.get(y, 0.0) > lim * (1 + REL) + 1e-6:
                out.append(f"limits: facility draw {draw[y]:.9g} MW in {y} exceeds facility_mw {lim:.9g}")
    if "capex_usd_per_year" in cfg.limits:
        capex = defaultdict(float)
        for r in ctx.sched.itertuples():
            capex[int(r.year)] += float(getattr(r, "capex_usd", 0.0) or 0.0)
        for y in ctx.years:
            lim = _limit(cfg, "capex_usd_per_year", y)
            if capex.get(y, 0.0) > lim * (1 + REL) + 1.0:
                out.append(f"limits: capex {capex[y]:.9g} USD in {y} exceeds capex_usd_per_year {lim:.9g}")
    if "npc_budget_usd" in cfg.limits:
        npc = sum(ctx.df[y] * v for (y, c), v in cost.items() if c != "unserved_penalty")
        lim = _limit(cfg, "npc_budget_usd", cfg.start_year)
        if npc > lim * (1 + REL) + 1.0:
            out.append(f"limits: net present cost {npc:.9g} USD exceeds npc_budget_usd {lim:.9g}")
    return out
