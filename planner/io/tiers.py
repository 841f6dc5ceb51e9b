"""Service tiers (DESIGN.md §7.9): which tiers a scenario uses, the tier of each demand row,
the throughput of each (model, chip, tier), and the checks of the tier inputs.

Inputs: ``tiers.csv`` (key ``tier``: ``tokens_per_s_per_user``, ``description``,
``value_mult``, ``source``), the optional ``tier`` key column of ``throughput.csv`` and
``demand.csv``, and scenario.toml ``default_tier``.

Conventions (DESIGN.md §7.9):

- A throughput row with a blank tier applies to every tier that has no row of its own for that
  (model, chip); a tier's own row of 0 is an absent pair and blocks that fallback.
- A demand row with a blank tier belongs to ``default_tier`` (default: the first row of
  tiers.csv); a blank-tier row and an explicit default-tier row for the same (region, model,
  year) are a duplicate key.
- A ``tier`` column without tiers.csv is an error, even when every cell is blank.

Tiers are *in use* (the program carries a tier index, the results a ``tier`` column) when
tiers.csv has rows and the scenario asks for them: a ``tier`` column in throughput.csv or
demand.csv, or a ``default_tier``. A bundled ``models/tiers.csv`` alone does not put a
scenario whose files know nothing of tiers into tiers (its plan and tables stay §4's).
"""

from __future__ import annotations

import difflib
import math

import pandas as pd

from .errors import Problem

# Joins model and tier into one product key of the program's model index ("llama␟batch").
# U+241F (SYMBOL FOR UNIT SEPARATOR) is refused in model and tier names when tiers are in use,
# so a product key never equals a model name.
SEP = "\u241f"
TIERED_FILES = ("throughput.csv", "demand.csv")


def has_tier_column(table: pd.DataFrame) -> bool:
    """True when the file the table was read from has a ``tier`` column in its header (the
    reader records the header in ``table.attrs["header"]``). A table built or edited without
    that record counts as having the column when any tier cell is filled."""
    header = table.attrs.get("header")
    if header is not None:
        return "tier" in header
    return "tier" in table.columns and bool(table["tier"].notna().any())


def tier_list(tables: dict) -> list[str]:
    """The tiers of tiers.csv in file order ([] when the file is missing or has no rows)."""
    t = tables.get("tiers.csv")
    if t is None or len(t) == 0:
        return []
    t = t.sort_values("_row", kind="stable") if "_row" in t.columns else t
    return [x for x in t["tier"] if isinstance(x, str)]


def tiers_in_use(config, tables: dict) -> bool:
    """Whether the program and results carry tiers (see the module docstring)."""
    if not tier_list(tables):
        return False
    return bool(getattr(config, "default_tier", "")) or any(
        has_tier_column(tables[f]) for f in TIERED_FILES if f in tables
    )


def default_tier(config, tables: dict) -> str | None:
    """scenario.toml ``default_tier``, else the first tier of tiers.csv (None without tiers)."""
    given = getattr(config, "default_tier", "")
    if given:
        return given
    tiers = tier_list(tables)
    return tiers[0] if tiers else None


def demand_tiers(config, tables: dict, demand: pd.DataFrame | None = None) -> pd.Series:
    """The tier of each row of demand.csv (blank -> the default tier), aligned on its index."""
    d = tables["demand.csv"] if demand is None else demand
    if "tier" not in d.columns:
        return pd.Series([default_tier(config, tables)] * len(d), index=d.index, dtype=object)
    return d["tier"].where(d["tier"].notna(), default_tier(config, tables))


def tier_throughput(tables: dict, tiers: list[str]) -> dict[tuple, float]:
    """(model, chip, tier) -> tokens/s per chip after the fallback rule: the tier's own row
    where it has one (0 included, which blocks the fallback), else the (model, chip) row with
    a blank tier. Pairs with neither are left out."""
    tp = tables["throughput.csv"]
    own, blank = {}, {}
    tcol = tp["tier"] if "tier" in tp.columns else pd.Series([None] * len(tp), index=tp.index)
    for m, g, t, v in zip(tp["model"], tp["chip"], tcol, tp["tokens_per_s_per_chip"], strict=True):
        if t is None or (isinstance(t, float) and math.isnan(t)):
            blank[m, g] = v
        else:
            own[m, g, t] = v
    out = {}
    for (m, g), v in blank.items():
        for t in tiers:
            out[m, g, t] = v
    for (m, g, t), v in own.items():
        if t in tiers:
            out[m, g, t] = v
    return out


def product(model: str, tier: str) -> str:
    """The program's key for demand of ``model`` in ``tier``."""
    return f"{model}{SEP}{tier}"


def check_tiers(config, tables, labels):
    """The checks of DESIGN.md §7.9: a tier column (even blank) or default_tier without
    tiers.csv; a tier that tiers.csv does not list; a blank demand tier beside an explicit row
    of the default tier; names holding the product separator. Warns where demand of a model in
    a tier has no chip that serves that tier."""
    errors, warnings = [], []
    tiers = tier_list(tables)
    tiers_label = labels.get("tiers.csv", "tiers.csv")
    given = getattr(config, "default_tier", "")
    if not tiers:
        for f in TIERED_FILES:
            if has_tier_column(tables[f]):
                errors.append(
                    Problem(
                        labels[f],
                        1,
                        "tier",
                        "is given but there is no tiers.csv with rows (scenario folder or models/) to define the "
                        "tiers; add tiers.csv or remove the column",
                    )
                )
        if given:
            errors.append(
                Problem(
                    "scenario.toml",
                    None,
                    "default_tier",
                    f"'{given}' names a tier but there is no tiers.csv with rows (scenario folder or models/)",
                )
            )
        return errors, warnings
    known = set(tiers)
    if given and given not in known:
        errors.append(
            Problem(
                "scenario.toml",
                None,
                "default_tier",
                f"'{given}' is not a tier listed in {tiers_label}{_hint(given, tiers)} (tiers: {', '.join(tiers)})",
            )
        )
    for f in TIERED_FILES:
        t = tables[f]
        if "tier" not in t.columns:
            continue
        for row, tier in zip(t["_row"], t["tier"], strict=True):
            if isinstance(tier, str) and tier not in known:
                errors.append(
                    Problem(
                        labels[f],
                        int(row),
                        "tier",
                        f"'{tier}' is not a tier listed in {tiers_label}{_hint(tier, tiers)}",
                    )
                )
    if not tiers_in_use(config, tables):
        return errors, warnings
    for f, col in (("models.csv", "model"), ("tiers.csv", "tier")):
        t = tables[f]
        for row, name in zip(t["_row"], t[col], strict=True):
            if isinstance(name, str) and SEP in name:
                errors.append(
                    Problem(labels[f], int(row), col, f"'{name}' holds the character {SEP} (U+241F), which is reserved")
                )
    d = tables["demand.csv"]
    dflt = default_tier(config, tables)
    if "tier" in d.columns and len(d):
        seen: dict = {}
        ok = d["region"].notna() & d["model"].notna() & d["year"].notna()
        res = demand_tiers(config, tables)
        for i in d.index[ok].sort_values():
            key = (d.at[i, "region"], d.at[i, "model"], int(d.at[i, "year"]), res[i])
            if key in seen:
                j = seen[key]
                bi, bj = not isinstance(d.at[i, "tier"], str), not isinstance(d.at[j, "tier"], str)
                if bi or bj:
                    if bi and bj:  # two blanks: the reader's duplicate-key error already names them
                        continue
                    errors.append(
                        Problem(
                            labels["demand.csv"],
                            int(d.at[i, "_row"]),
                            "tier",
                            f"duplicates the key (region={key[0]}, model={key[1]}, year={key[2]}, tier={dflt}) of row "
                            f"{int(d.at[j, '_row'])}: a blank tier is the default tier {dflt}",
                        )
                    )
            else:
                seen[key] = i
    if errors:
        return errors, warnings
    tput = tier_throughput(tables, tiers)
    served = {(m, t) for (m, _g, t), v in tput.items() if v > 0}
    models_served = {m for m, _t in served}
    res = demand_tiers(config, tables)
    for (model, tier), g in d.assign(_tier=res).groupby(["model", "_tier"]):
        if model in models_served and (model, tier) not in served and g["tokens_per_year"].sum() > 0:
            warnings.append(
                Problem(
                    labels["demand.csv"],
                    int(g["_row"].min()),
                    "tier",
                    f"no chip in {labels['throughput.csv']} serves model {model} at tier {tier}, so that demand "
                    "will be unserved",
                )
            )
    return errors, warnings


def _hint(name: str, tiers: list[str]) -> str:
    low = {t.lower(): t for t in tiers}
    if name.lower() in low:
        return f" (did you mean {low[name.lower()]}?)"
    near = difflib.get_close_matches(name, tiers, n=1, cutoff=0.6)
    return f" (did you mean {near[0]}?)" if near else ""
