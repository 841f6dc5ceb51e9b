"""Near-optimal alternatives: modelling to generate alternatives (MGA), DESIGN.md §7.8.

``planner alternatives DIR --slack 0.05 -n 5 --focus sites|energy|chips`` takes the plan in
the results folder DIR (its ``objective_usd`` is the optimum z*) and writes ``n`` plans that
each cost at most z* + slack × |z*| (the full objective, unserved penalty included) and
look as different as possible in the focus layer, by Hop-Skip-Jump (Brill, Chang & Hopkins
1982, the method of PyPSA's and GenX's MGA): plan k minimises Σ_i w_i × use_i over the
focus layer's items, w_i = 1 for every item some earlier plan (DIR's included) used, 0
otherwise -- each new plan avoids what the earlier ones relied on.

Focus items and their use in the program:

- ``sites``: a site; use = Σ_y open[s,y] (site-years open);
- ``energy``: a power technology; use = Σ_{s,y} new[s,k,y] (MW built);
- ``chips``: a chip; use = Σ_{s,c,y} buy[s,g,c,y] × it_kw_per_unit / 1000 (MW IT bought).

The comparison (``alternatives.csv``, ``alternatives.md``, ``plots/alternatives_range.png``)
reads each plan's tables: sites by hall MW built, energy by MW built per tech, chips by units
bought per chip. An item every plan builds is a must-have; one some plans build is a free
choice within the slack.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from ..io.errors import InputError, NoSolutionError, Problem, UsageError
from ..io.results import write_files
from ..model import build_data, build_model
from ..model.data import MUSD

FOCUS = ("sites", "energy", "chips")
USED = 1e-6  # a use above this (site-years, MW) counts as used


def focus_use(m, d, focus: str) -> dict[str, object]:
    """item -> Pyomo expression of its use in ``m`` (see the module docstring)."""
    use: dict[str, list] = defaultdict(list)
    if focus == "sites":
        for k in m.open:
            use[k[0]].append(m.open[k])
    elif focus == "energy":
        for k in getattr(m, "new", {}):
            use[k[1]].append(m.new[k])
    elif focus == "chips":
        for k in m.buy:
            s, g, c, y = k
            use[g].append(float(d.chip[g]["it_kw_per_unit"]) / 1000.0 * m.buy[k])
    else:
        raise UsageError(f"--focus {focus} is not one of {', '.join(FOCUS)}.")
    return {i: pyo.quicksum(v) for i, v in use.items()}


def plan_items(tables: dict[str, pd.DataFrame], focus: str) -> pd.Series:
    """item -> amount in one plan's tables: sites by hall MW built (investment schedule, halls),
    energy by MW built per tech, chips by units bought per chip."""
    inv = tables["investment_schedule"]
    if not len(inv):
        return pd.Series(dtype=float)
    inv = inv[~inv["item"].astype(str).str.endswith("(existing)")]
    if focus == "sites":
        t = inv[(inv["layer"] == "infrastructure") & inv["item"].astype(str).str.startswith("hall")]
        return t.groupby("site")["quantity"].sum()
    if focus == "energy":
        t = inv[inv["layer"] == "energy"]
        return t.groupby("item")["quantity"].sum()
    t = inv[inv["layer"] == "chips"].copy()
    t["chip"] = t["item"].astype(str).str.split(" (", regex=False).str[0]
    return t.groupby("chip")["quantity"].sum()


def _read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    from ..reporting.stack import read_folder

    tables, _ = read_folder(folder)
    return tables


def alternatives(
    results_dir: str | Path,
    slack: float = 0.05,
    n: int = 5,
    focus: str = "sites",
    scenario=None,
    demand=None,
    on_stage=None,
) -> pd.DataFrame:
    """Write ``n`` near-optimal plans of DIR's scenario to ``DIR/alternatives/<k>/`` and the
    comparison (``alternatives.csv``: one row per plan, 0 = DIR's plan, with objective_usd,
    the slack it uses and each focus item's amount; ``ranges.csv``, ``alternatives.md`` and
    a plot). ``scenario`` (a name or folder) defaults to the sweep input a sweep variant was
    planned from (``../_inputs/<DIR name>/``), else the bundled scenario of DIR's name;
    ``demand`` to a stochastic case's demand file, else the scenario's.
    Returns alternatives.csv as a DataFrame. Raises :class:`UsageError` for a bad DIR,
    slack or focus, :class:`InputError` when the scenario is not the one DIR was planned from."""
    from .. import api
    from ..solver.highs import solve_model

    stage = on_stage or (lambda s: None)
    results_dir = Path(results_dir)
    if focus not in FOCUS:
        raise UsageError(f"--focus {focus} is not one of {', '.join(FOCUS)}.")
    if not (slack >= 0) or not math.isfinite(slack):
        raise UsageError(f"--slack {slack} must be a number ≥ 0 (e.g. 0.05 for 5 %).")
    ref = api.read_results(results_dir)
    summ = ref.summary()
    z = summ.get("objective_usd")
    if z is None:
        raise UsageError(f"{results_dir} has no objective_usd; solve the scenario first.")
    if summ.get("objective") in ("tokens", "value"):
        raise UsageError("planner alternatives needs a plan of objective cost; this one maximised tokens or value.")
    if scenario is None:
        # a sweep variant's results folder DIR/<v>/ was planned from DIR/_inputs/<v>/; a case of
        # a stochastic plan with its own demand file
        sweep_input = results_dir.resolve().parent / "_inputs" / results_dir.resolve().name
        scenario = sweep_input if (sweep_input / "scenario.toml").is_file() else summ["scenario"]
    case = summ.get("stochastic")
    if demand is None and isinstance(case, dict) and case.get("demand"):
        # a case of a stochastic plan was planned on its own demand file, whichever scenario
        # folder is named
        demand = case["demand"]
    scn = api.load_scenario(scenario, demand)
    if scn.config.name != summ["scenario"] or (scn.config.start_year, scn.config.end_year) != (
        summ["start_year"],
        summ["end_year"],
    ):
        raise InputError(
            [
                Problem(
                    str(results_dir),
                    None,
                    None,
                    f"was planned from scenario {summ['scenario']} {summ['start_year']}-{summ['end_year']}, not "
                    f"{scn.config.name} {scn.config.start_year}-{scn.config.end_year}; pass --scenario with its folder",
                )
            ]
        )
    limit_usd = z + slack * abs(z)
    st = api.solver_settings(scn)
    out = results_dir / "alternatives"
    d = build_data(scn)
    m = build_model(d)
    m.npc.deactivate()
    # $10 inside the limit, so HiGHS's feasibility tolerance (1e-6 of a model unit, $1) never
    # lets a plan end above it
    m.mga_budget = pyo.Constraint(expr=m.npc.expr <= limit_usd / MUSD - 1e-5)
    use = focus_use(m, d, focus)
    used = {i for i, v in plan_items(ref.tables, focus).items() if v > USED}
    rows = [_row(0, str(results_dir), z, z, slack, plan_items(ref.tables, focus))]
    for k in range(1, n + 1):
        stage(f"Alternative {k} of {n}")
        if m.find_component("mga") is not None:
            m.del_component("mga")
        w = [use[i] for i in sorted(used) if i in use]
        m.mga = pyo.Objective(expr=pyo.quicksum(w) if w else 0 * m.npc.expr, sense=pyo.minimize)
        res = solve_model(
            m,
            time_limit=st["time_limit_s"],
            mip_gap=st["mip_rel_gap"],
            threads=int(st["threads"]),
            seed=int(st["seed"]),
        )
        if res.status == "interrupted":
            raise KeyboardInterrupt
        if not res.has_solution:
            if k == 1:
                raise NoSolutionError(f"No alternative within the slack was found ({res.status}).")
            break
        npc = pyo.value(m.npc.expr)
        p = api.plan_from_model(scn, m, d, res, npc)  # no bound applies to the plan's own cost
        p.extra["alternative"] = {
            "k": k,
            "scenario_folder": str(scn.folder),
            "focus": focus,
            "slack": slack,
            "reference_objective_usd": z,
            "objective_limit_usd": limit_usd,
            "mga_objective": res.objective,
            "mga_gap": res.gap,
            "avoided": sorted(used),
        }
        folder = p.write(out / str(k), overwrite=True)
        items = plan_items(p.tables, focus)
        rows.append(_row(k, str(folder), npc * MUSD, z, slack, items))
        used |= {i for i, v in items.items() if v > USED}
    table = pd.DataFrame(rows).fillna({c: 0.0 for c in pd.DataFrame(rows).columns if c.startswith("item:")})
    write_comparison(out, table, focus, slack)
    return table


def _row(k, folder, npc_usd, z, slack, items: pd.Series) -> dict:
    r = {
        "plan": k,
        "folder": folder,
        "objective_usd": npc_usd,
        "slack_used": (npc_usd - z) / abs(z) if z else 0.0,
        "within_slack": bool(npc_usd <= z + slack * abs(z) + 1e-9 * max(1.0, abs(z))),
    }
    for i, v in items.items():
        r[f"item:{i}"] = float(v)
    return r


def ranges(table: pd.DataFrame) -> pd.DataFrame:
    """item -> min, max, plans using it, and the verdict: ``must-have`` (every plan),
    ``free choice`` (some) or ``never``."""
    cols = [c for c in table.columns if c.startswith("item:")]
    out = []
    for c in cols:
        v = table[c].astype(float)
        n_used = int((v > USED).sum())
        verdict = "must-have" if n_used == len(v) else ("free choice" if n_used else "never")
        out.append({"item": c[5:], "min": v.min(), "max": v.max(), "plans_using": n_used, "verdict": verdict})
    return pd.DataFrame(out, columns=["item", "min", "max", "plans_using", "verdict"])


def write_comparison(out: Path, table: pd.DataFrame, focus: str, slack: float) -> None:
    """alternatives.csv, ranges.csv, alternatives.md and plots/alternatives_range.png in ``out``."""
    from ..reporting.fmt import _usd
    from ..reporting.plots import _fig, _png
    from ..reporting.report import Doc

    rg = ranges(table)
    unit = {"sites": "hall MW built", "energy": "MW built", "chips": "units bought"}[focus]
    doc = Doc()
    doc.h(f"Near-optimal alternatives: {focus}, within {slack:.1%} of the optimum", 1)
    doc.p(
        f"Plan 0 is the optimum; plans 1–{len(table) - 1} each cost at most the optimum + {slack:.1%} and avoid, "
        f"in the {focus} layer, what the plans before them used (Hop-Skip-Jump). Amounts: {unit} over the horizon."
    )
    doc.table(
        ["plan", "net present cost", "above the optimum", "within slack"],
        [
            [str(r.plan), _usd(r.objective_usd), f"{r.slack_used:.2%}", "yes" if r.within_slack else "NO"]
            for r in table.itertuples()
        ],
    )
    doc.h("The range of each decision across the plans", 2)
    doc.table(
        ["item", "min", "max", "plans using it", "verdict"],
        [
            [r.item, f"{r.min:,.4g}", f"{r.max:,.4g}", f"{r.plans_using}/{len(table)}", r.verdict]
            for r in rg.itertuples()
        ],
        align="lrrrl",
    )
    images = {}
    if len(rg):
        fig = _fig(9.0, 1.5 + 0.32 * len(rg))
        ax = fig.subplots()
        y = np.arange(len(rg))
        ax.hlines(y, rg["min"], rg["max"], color="#8c8c8c", lw=6, alpha=0.5)
        cols = [c for c in table.columns if c.startswith("item:")]
        for _, r in table.iterrows():
            ax.scatter([r[c] for c in cols], y, s=18, label=f"plan {int(r['plan'])}", zorder=3)
        ax.set_yticks(y, rg["item"].tolist(), fontsize=8)
        ax.set_xlabel(unit)
        ax.legend(fontsize=7, ncol=3, loc="lower right")
        ax.grid(axis="x", alpha=0.3)
        images["alternatives_range.png"] = _png(fig)
        doc.img("alternatives_range.png", f"Range of {unit} across the near-optimal plans")
    files = {f"plots/{k}": v for k, v in images.items()}
    files["alternatives.csv"] = table.to_csv(index=False, float_format="%.12g", lineterminator="\n")
    files["ranges.csv"] = rg.to_csv(index=False, float_format="%.12g", lineterminator="\n")
    files["alternatives.md"] = doc.markdown()
    files["alternatives.html"] = doc.html(images, title=f"Alternatives ({focus})")
    out.mkdir(parents=True, exist_ok=True)
    write_files(out, files)
    (out / "alternatives.json").write_text(
        json.dumps({"focus": focus, "slack": slack, "plans": len(table)}, indent=2) + "\n", encoding="utf-8"
    )
