"""scenario.toml's ``[limits]`` table and ``objective`` key (DESIGN.md §7.6).

``[limits]`` holds up to three limits, each a number (every year) or a year table
(``{"2026" = ..., "2030" = ...}``, interpolated linearly between the listed years and flat
outside, like ``carbon_price_usd_per_t``):

- ``capex_usd_per_year``: cash capex of investment_schedule.csv spent in each year (USD);
- ``facility_mw``: Σ over sites of the facility load L[s,y] (MW) in each year;
- ``npc_budget_usd``: one number, the net present cost without the unserved penalty (USD).

``objective`` is ``"cost"`` (default), ``"tokens"`` or ``"value"``.
"""

from __future__ import annotations

import difflib

from .errors import Problem

# key -> (may be a year table, unit, description)
LIMIT_KEYS: dict[str, tuple[bool, str, str]] = {
    "capex_usd_per_year": (True, "USD/yr", "cash capex of the investment schedule spent in each year"),
    "facility_mw": (True, "MW", "facility draw of all sites together in each year (Σ_s L[s,y])"),
    "npc_budget_usd": (False, "USD", "net present cost without the unserved penalty"),
}
OBJECTIVES = ("cost", "tokens", "value")


def read_limits(doc: dict, start, end, errors: list[Problem], fname: str, year_table) -> tuple[dict, str]:
    """Parse ``[limits]`` and ``objective`` of the scenario.toml document ``doc``.

    Returns ``(limits, objective)``: ``limits`` maps each given key of :data:`LIMIT_KEYS` to a
    year table (dict year -> value; a single number is ``{start_year: value}``).
    ``year_table`` is :func:`planner.io.scenario._year_table` (negative values, non-numbers
    and non-year keys are its errors). Unknown keys in ``[limits]`` are errors with the
    nearest known key suggested: a misspelt limit would otherwise silently plan without it.
    Problems are appended to ``errors``."""
    limits: dict = {}
    raw = doc.get("limits", {})
    if not isinstance(raw, dict):
        errors.append(Problem(fname, None, "limits", "must be a table ([limits])"))
        raw = {}
    for key, value in raw.items():
        if key not in LIMIT_KEYS:
            near = difflib.get_close_matches(key, list(LIMIT_KEYS), n=1, cutoff=0.5)
            hint = f" (did you mean {near[0]}?)" if near else f" (known limits: {', '.join(LIMIT_KEYS)})"
            errors.append(Problem(fname, None, f"limits.{key}", f"is not a known limit{hint}"))
            continue
        table_ok = LIMIT_KEYS[key][0]
        if isinstance(value, dict) and not table_ok:
            errors.append(Problem(fname, None, f"limits.{key}", "must be a single number (USD), not a year table"))
            continue
        table = year_table(f"limits.{key}", value, start, end, errors, fname)
        if table is not None:
            limits[key] = table
    objective = doc.get("objective", "cost")
    if not isinstance(objective, str) or objective.strip() not in OBJECTIVES:
        near = difflib.get_close_matches(str(objective), OBJECTIVES, n=1, cutoff=0.5)
        hint = f" (did you mean {near[0]}?)" if near else ""
        errors.append(Problem(fname, None, "objective", f"{objective!r} is not one of {', '.join(OBJECTIVES)}{hint}"))
        objective = "cost"
    return limits, objective.strip()


KNOWN_KEYS = ("limits", "objective")


def check_objective(config, tables, labels):
    """Cross-file check (:func:`planner.io.validate.cross_checks`): ``objective = "value"``
    with no model worth anything (``value_usd_per_mtok`` missing or 0 everywhere) is a
    warning -- the plan would build nothing. Returns (errors, warnings)."""
    w = value_warning(config.objective, tables)
    return [], ([w] if w else [])


def value_warning(objective: str, tables) -> Problem | None:
    """The warning of :func:`check_objective` for ``objective`` (None when it does not apply)."""
    if objective != "value":
        return None
    models = tables["models.csv"]
    vals = models["value_usd_per_mtok"] if "value_usd_per_mtok" in models.columns else []
    if len(vals) and (vals.fillna(0) > 0).any():
        return None
    return Problem(
        "models.csv",
        None,
        "value_usd_per_mtok",
        'is 0 or missing for every model, so objective = "value" sees no value in serving and the plan builds nothing',
    )
