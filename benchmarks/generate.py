"""Synthetic scenarios for the benchmarks, in the folder format of DESIGN.md §3.

Every figure is drawn from the ranges of the bundled ``world`` scenario: each synthetic
site copies a bundled site (region, costs, grid, climate, onsite power options, latency to
the regions, capacity-factor profiles) and perturbs its numbers by a few tens of per cent.
Slices are the bundled representative days cut into ``n_slices / days`` equal slices; the
capacity factors and grid price multipliers of a slice come from the bundled 4-hour slice
that contains it. Demand is the bundled one, scaled by sites / bundled sites (so the fleet
per site stays similar) and extended past 2035 at the last year's growth (capped at 10 %).
More than the 11 bundled chips adds re-priced variants of the newest ones (with their own
chips.csv and throughput.csv in the scenario folder).
"""

from __future__ import annotations

import math
import shutil
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
WORLD = ROOT / "data" / "scenarios" / "world"
CATALOG = ROOT / "data" / "catalog"
MODELS = ROOT / "models"


def _toml(cfg: dict) -> str:
    lines = []
    tables = {}
    for k, v in cfg.items():
        if isinstance(v, dict) and k == "solver":
            tables[k] = v
        elif isinstance(v, dict):
            inner = ", ".join(f'"{a}" = {b}' for a, b in v.items())
            lines.append(f"{k} = {{ {inner} }}")
        elif isinstance(v, str):
            lines.append(f'{k} = "{v}"')
        else:
            lines.append(f"{k} = {v}")
    for k, v in tables.items():
        lines.append(f"\n[{k}]")
        lines += [f"{a} = {b}" for a, b in v.items()]
    return "\n".join(lines) + "\n"


def generate(
    folder: str | Path,
    n_sites: int,
    n_years: int,
    n_slices: int,
    n_chips: int = 11,
    seed: int = 0,
    time_limit: float = 300.0,
) -> Path:
    """Write a synthetic scenario folder and return its path."""
    rng = np.random.default_rng(seed)
    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    cfg = tomllib.loads((WORLD / "scenario.toml").read_text())
    y0 = int(cfg["start_year"])
    y1 = y0 + n_years - 1
    cfg.update(name=f"syn_{n_sites}s_{n_years}y_{n_slices}h_{n_chips}g", end_year=y1)
    cfg["solver"] = {"time_limit_s": time_limit, "mip_rel_gap": 0.01, "threads": 2, "seed": 1}

    def read(name):
        return pd.read_csv(WORLD / name, keep_default_na=False, na_values=[""])

    regions, sites, lat, sp, prof, sl, dem = (
        read(f)
        for f in (
            "regions.csv",
            "sites.csv",
            "latency.csv",
            "site_power.csv",
            "profiles.csv",
            "slices.csv",
            "demand.csv",
        )
    )
    regions.to_csv(folder / "regions.csv", index=False)

    # --- slices: each bundled representative day cut into n_slices / days equal slices
    src = sl.sort_values(["day", "hour"])
    days = list(dict.fromkeys(src["day"]))
    if n_slices % len(days):
        raise ValueError(f"n_slices must be a multiple of the {len(days)} bundled representative days")
    per_day = n_slices // len(days)
    dur = 24.0 / per_day
    rows, src_of = [], {}
    for day, g in src.groupby("day", sort=False):
        g = g.sort_values("hour")
        for i in range(per_day):
            hour = i * dur
            base = g[g["hour"] <= hour + 1e-9].iloc[-1]  # the bundled slice holding this hour
            name = f"{day}h{i:02d}"
            rows.append(
                {
                    "slice": name,
                    "day": day,
                    "hour": round(hour, 6),
                    "duration_h": round(dur, 6),
                    "days_per_year": base["days_per_year"],
                    "grid_price_mult": base["grid_price_mult"],
                }
            )
            src_of[name] = base["slice"]
    slices = pd.DataFrame(rows)
    slices.to_csv(folder / "slices.csv", index=False)

    # --- sites: perturbed copies of bundled sites
    tmpl = sites.sample(n=n_sites, replace=n_sites > len(sites), random_state=seed).reset_index(drop=True)
    new_sites, lat_rows, sp_rows, prof_rows = [], [], [], []
    prof_by = {k: g for k, g in prof.groupby("site")}
    for i, t in tmpl.iterrows():
        sid = f"syn{i:03d}"
        s = t.to_dict()
        f = lambda lo, hi: float(rng.uniform(lo, hi))  # noqa: E731
        s.update(
            site=sid,
            name=f"Synthetic site {i} (like {t['name']})",
            max_it_mw=int(round(t["max_it_mw"] * f(0.6, 1.4) / 20.0) * 20) or 20,
            open_cost_usd=round(t["open_cost_usd"] * f(0.8, 1.2), -3),
            build_cost_usd_per_mw_it=round(t["build_cost_usd_per_mw_it"] * f(0.9, 1.1), -2),
            grid_price_usd_per_mwh=round(t["grid_price_usd_per_mwh"] * f(0.85, 1.15), 1),
            grid_co2_kg_per_mwh=round(t["grid_co2_kg_per_mwh"] * f(0.8, 1.2), 0),
            source=f"synthetic: {t['site']} perturbed (benchmarks/generate.py, seed {seed})",
        )
        if not (isinstance(t["grid_cap_mw"], float) and math.isnan(t["grid_cap_mw"])):
            s["grid_cap_mw"] = round(t["grid_cap_mw"] * f(0.7, 1.3), 0)
        new_sites.append(s)
        for r in lat[lat["site"] == t["site"]].to_dict("records"):
            r.update(site=sid, latency_ms=round(r["latency_ms"] * f(0.9, 1.1), 1))
            lat_rows.append(r)
        for r in sp[sp["site"] == t["site"]].to_dict("records"):
            if isinstance(r["max_mw"], float) and not math.isnan(r["max_mw"]):
                r["max_mw"] = round(r["max_mw"] * f(0.7, 1.3), 0)
            r["site"] = sid
            sp_rows.append(r)
        g = prof_by.get(t["site"])
        if g is not None:
            cf = {(r["tech"], r["slice"]): r["capacity_factor"] for r in g.to_dict("records")}
            for tech in sorted({k for k, _ in cf}):
                scale = f(0.9, 1.1)
                for name, base in src_of.items():
                    v = min(1.0, round(cf.get((tech, base), 0.0) * scale * f(0.95, 1.05), 4))
                    prof_rows.append({"site": sid, "tech": tech, "slice": name, "capacity_factor": v})
    pd.DataFrame(new_sites)[list(sites.columns)].to_csv(folder / "sites.csv", index=False)
    pd.DataFrame(lat_rows)[list(lat.columns)].to_csv(folder / "latency.csv", index=False)
    pd.DataFrame(sp_rows)[list(sp.columns)].to_csv(folder / "site_power.csv", index=False)
    pd.DataFrame(prof_rows, columns=list(prof.columns)).to_csv(folder / "profiles.csv", index=False)

    # --- demand: bundled, scaled by the number of sites, extended past its last year
    scale = n_sites / len(sites)
    out = []
    # one series per (region, model) and, where demand.csv has them, service tier
    keys = [c for c in ("region", "model", "tier") if c in dem.columns]
    extra = [c for c in dem.columns if c not in (*keys, "year", "tokens_per_year", "max_latency_ms")]
    for key, g in dem.groupby(keys, dropna=False):
        g = g.sort_values("year").set_index("year")
        last = int(g.index.max())
        tok = g["tokens_per_year"]
        growth = min(1.10, tok.iloc[-1] / tok.iloc[-2]) if len(tok) > 1 and tok.iloc[-2] > 0 else 1.0
        for y in range(y0, y1 + 1):
            v = tok.get(y, tok.iloc[-1] * growth ** (y - last)) * scale
            lim = g["max_latency_ms"].get(min(y, last), g["max_latency_ms"].iloc[-1])
            row = dict(zip(keys, key))
            row.update(year=y, tokens_per_year=float(f"{v:.4g}"), max_latency_ms=lim)
            row.update({c: g[c].get(min(y, last), g[c].iloc[-1]) for c in extra})
            out.append(row)
    pd.DataFrame(out)[list(dem.columns)].to_csv(folder / "demand.csv", index=False)

    # --- chips: the bundled catalog, fewer or with variants added
    chips = pd.read_csv(CATALOG / "chips.csv", keep_default_na=False, na_values=[""])
    tp = pd.read_csv(MODELS / "throughput.csv", keep_default_na=False, na_values=[""])
    if n_chips != len(chips):
        chips = chips.sort_values("first_year", kind="stable").reset_index(drop=True)
        extra = []
        i = 0
        while len(chips) + len(extra) < n_chips:
            base = chips.iloc[len(chips) - 1 - (i % len(chips))].to_dict()
            v = dict(base)
            v.update(
                chip=f"{base['chip']}_v{i + 2}",
                first_year=int(base["first_year"]) + 1 + i,
                capex_usd_per_unit=round(base["capex_usd_per_unit"] * 0.92, -3),
                source=f"synthetic: {base['chip']} re-priced (benchmarks/generate.py)",
            )
            extra.append(v)
            rows = tp[tp["chip"] == base["chip"]].copy()
            rows["chip"] = v["chip"]
            rows["tokens_per_s_per_chip"] = rows["tokens_per_s_per_chip"] * 1.05
            tp = pd.concat([tp, rows], ignore_index=True)
            i += 1
        chips = pd.concat([chips, pd.DataFrame(extra)], ignore_index=True).iloc[:n_chips]
        tp = tp[tp["chip"].isin(set(chips["chip"]))]
        chips.to_csv(folder / "chips.csv", index=False)
        tp.to_csv(folder / "throughput.csv", index=False)
    (folder / "scenario.toml").write_text(
        "# synthetic benchmark scenario (benchmarks/generate.py): numbers drawn from the bundled world scenario\n"
        + _toml(cfg)
    )
    return folder
