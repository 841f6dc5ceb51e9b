"""Representative days from a year of real weather: slices.csv and profiles.csv.

Input: hourly (8760 h) capacity factors, one column per site, for solar PV and for onshore
wind, in the format of ``shared/reference/profiles/cf_*.csv`` (an ``hour`` column 0-8759
plus a column per site; local standard time, a 365-day year). The year's 365 days are
clustered with tsam (k-medoids: each representative day is a real day of the record, so its
hours are weather that happened), and the days with the least wind and the most and least
sun (summed over the sites) are kept as periods of their own ("extreme days", tsam's
``append``), so that the plan sees its worst days. Each day is cut into ``segments`` slices
of adjacent hours (tsam's segmentation: hours of similar weather merged). tsam rescales the
representative days so that each column's weighted mean equals the year's (the annual
capacity factor is kept).

Output (DESIGN.md §3): ``slices.csv`` (slice, day, hour, duration_h, days_per_year,
grid_price_mult = 1) and ``profiles.csv`` (site, tech, slice, capacity_factor), and an
accuracy table (site, tech, annual_cf, annual_cf_days, duration_rmse): the annual capacity
factor of the year and of the days, and the root-mean-square difference of the two
duration curves (the 8760 hourly values sorted, against the days' values repeated by their
weights and sorted).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HOURS = 8760


def read_cf(path: Path) -> pd.DataFrame:
    """A reference CF file (``hour`` + one column per site) as a (8760, sites) frame."""
    t = pd.read_csv(path)
    if "hour" in t.columns:
        t = t.sort_values("hour").drop(columns="hour")
    if len(t) != HOURS:
        raise ValueError(f"{path} has {len(t)} hourly rows, not {HOURS}")
    return t.reset_index(drop=True)


def representative_days(
    series: dict[str, pd.DataFrame],
    days: int = 5,
    segments: int = 6,
    method: str = "kmedoids",
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Cluster the year of ``series`` (tech -> (8760, sites) CF frame) into ``days``
    representative days (plus up to three extreme days) of ``segments`` slices each.
    Returns ``(slices, profiles, accuracy)`` as described in the module docstring; at most
    (days + 3) x segments slices (48 with the defaults). Raises ImportError naming the
    ``prep`` extra when tsam is not installed. ``method`` is tsam's clustering method (``kmedoids``;
    ``hierarchical`` is faster and also returns medoids)."""
    try:
        import tsam
    except ImportError:
        raise ImportError("representative days need tsam: pip install -e '.[prep]'") from None

    cols = {}
    for tech, t in series.items():
        for site in t.columns:
            cols[f"{tech}|{site}"] = t[site].to_numpy(dtype=float)
    df = pd.DataFrame(cols, index=pd.date_range("2019-01-01", periods=HOURS, freq="h"))
    sums = {tech: [c for c in df if c.startswith(f"{tech}|")] for tech in series}
    extreme = {}
    for tech, cs in sums.items():
        df[f"_{tech}_total"] = df[cs].mean(axis=1)
    for tech in series:  # the least windy day; the sunniest and the darkest day
        if tech.startswith("wind"):
            extreme.setdefault("min_period", []).append(f"_{tech}_total")
        elif tech.startswith("solar"):
            extreme.setdefault("max_period", []).append(f"_{tech}_total")
            extreme.setdefault("min_period", []).append(f"_{tech}_total")
    cluster = tsam.ClusterConfig(method=method, representation="medoid")
    res = tsam.aggregate(
        df,
        days,
        period_duration=24,
        cluster=cluster,
        segments=tsam.SegmentConfig(n_segments=segments),
        extremes=tsam.ExtremeConfig(method="append", **extreme) if extreme else None,
        weights={c: (1e-6 if c.startswith("_") else 1.0) for c in df.columns},  # totals: extremes only
    )
    rep = res.cluster_representatives
    counts = res.cluster_counts
    slices, prof = [], []
    for (period, step, duration), row in rep.iterrows():
        day = f"d{int(period):02d}"
        durs = [int(x) for x in rep.loc[period].index.get_level_values(-1)]
        start = sum(durs[: int(step)])
        name = f"{day}h{start:02d}"
        slices.append(
            {
                "slice": name,
                "day": day,
                "hour": start,
                "duration_h": int(duration),
                "days_per_year": float(counts[period]),
                "grid_price_mult": 1.0,
            }
        )
        for c in cols:
            tech, site = c.split("|", 1)
            prof.append({"site": site, "tech": tech, "slice": name, "capacity_factor": float(np.clip(row[c], 0, 1))})
    slices = pd.DataFrame(slices)
    profiles = pd.DataFrame(prof)
    acc = accuracy(df[list(cols)], slices, profiles)
    return slices, profiles, acc


def accuracy(year: pd.DataFrame, slices: pd.DataFrame, profiles: pd.DataFrame) -> pd.DataFrame:
    """site, tech, annual_cf (the year), annual_cf_days (the days, slice-weighted),
    duration_rmse (of the two duration curves; see the module docstring)."""
    w = dict(zip(slices["slice"], slices["duration_h"] * slices["days_per_year"], strict=True))
    rows = []
    for (site, tech), g in profiles.groupby(["site", "tech"], sort=True):
        y = np.sort(year[f"{tech}|{site}"].to_numpy())[::-1]
        hours = np.repeat(g["capacity_factor"].to_numpy(), [int(round(w[s])) for s in g["slice"]])
        hours = np.sort(hours)[::-1]
        n = min(len(hours), len(y))
        cf_days = float(sum(w[s] * v for s, v in zip(g["slice"], g["capacity_factor"], strict=True)) / sum(w.values()))
        rows.append(
            {
                "site": site,
                "tech": tech,
                "annual_cf": float(y.mean()),
                "annual_cf_days": cf_days,
                "duration_rmse": float(np.sqrt(np.mean((hours[:n] - y[:n]) ** 2))),
            }
        )
    return pd.DataFrame(rows)


def for_scenario(slices: pd.DataFrame, profiles: pd.DataFrame, old_slices: pd.DataFrame, site_power: pd.DataFrame):
    """Fit the days to a scenario: each slice's ``grid_price_mult`` is the mean, over the
    hours it covers, of the scenario's old hour-of-day price shape (``old_slices``: each old
    slice's multiplier spread over its hours and averaged over its days, weighted by
    days_per_year), and ``profiles`` keeps only the (site, tech) pairs of ``site_power``.
    Returns (slices, profiles)."""
    shape = np.zeros(24)
    weight = np.zeros(24)
    for r in old_slices.itertuples():
        for h in range(int(r.hour), int(r.hour + r.duration_h)):
            shape[h % 24] += r.grid_price_mult * r.days_per_year
            weight[h % 24] += r.days_per_year
    shape = np.where(weight > 0, shape / np.where(weight > 0, weight, 1), 1.0)
    sl = slices.copy()
    sl["grid_price_mult"] = [
        round(float(shape[int(r.hour) : int(r.hour + r.duration_h)].mean()), 4) for r in sl.itertuples()
    ]
    pairs = set(zip(site_power["site"], site_power["tech"], strict=True))
    pr = profiles[[(s, k) in pairs for s, k in zip(profiles["site"], profiles["tech"], strict=True)]]
    return sl, pr.reset_index(drop=True)
