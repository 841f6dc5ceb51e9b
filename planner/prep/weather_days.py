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


# ---------------------------------------------------------------- bundled scenarios on real weather


def scale_to_annual_cf(x: np.ndarray, target: float, tol: float = 1e-9) -> np.ndarray:
    """The hourly CF series ``x`` (values 0..1) scaled so that its mean is ``target``:
    ``min(k * x, 1)`` with the factor ``k`` found by bisection (the mean is monotone in ``k``),
    so hours pushed above 1 are clipped and the other hours carry the rest of the target
    (re-normalised). Used for station wind, whose timing is right but whose level is not
    (reference/profiles/README.md). Raises ValueError when ``target`` is outside [0, 1) or
    above the share of hours with any output (then no factor can reach it)."""
    x = np.asarray(x, dtype=float)
    if not 0 <= target < 1:
        raise ValueError(f"annual capacity factor {target} is not in [0, 1)")
    if target == 0:
        return np.zeros_like(x)
    if target >= (x > 0).mean():
        raise ValueError(
            f"annual capacity factor {target} cannot be reached: only {(x > 0).mean():.3f} of hours have output"
        )
    lo, hi = 0.0, 1.0
    while np.minimum(hi * x, 1).mean() < target:
        hi *= 2
    while hi - lo > tol * hi:
        mid = (lo + hi) / 2
        if np.minimum(mid * x, 1).mean() < target:
            lo = mid
        else:
            hi = mid
    return np.minimum(hi * x, 1)


def read_annual_cf(path: Path) -> pd.DataFrame:
    """A target table ``site, annual_cf, source`` (annual_cf 0..1; one row per site), with
    an optional column ``scaling``: ``speed`` (scale the hub wind speed, needs the station
    weather), ``cf`` (scale the CF series linearly) or empty (speed when the station weather
    is given, else cf). Raises ValueError naming the file, row and column of a missing
    column, a duplicate site, a value outside [0, 1) or an unknown scaling."""
    t = pd.read_csv(path)
    for c in ("site", "annual_cf", "source"):
        if c not in t.columns:
            raise ValueError(f"{path}: column {c} is missing (expected site, annual_cf, source)")
    for i, r in enumerate(t.itertuples(), start=2):
        if not 0 <= float(r.annual_cf) < 1:
            raise ValueError(f"{path}, row {i}, column annual_cf: {r.annual_cf} is not in [0, 1)")
    if "scaling" in t.columns:  # optional: speed (hub-speed factor) or cf (linear CF factor)
        t["scaling"] = t["scaling"].fillna("").astype(str).str.strip()
        for i, v in enumerate(t["scaling"], start=2):
            if v not in ("", "speed", "cf"):
                raise ValueError(f"{path}, row {i}, column scaling: {v!r} is not speed or cf")
    dup = t["site"][t["site"].duplicated()]
    if len(dup):
        raise ValueError(f"{path}: site {dup.iloc[0]} is listed twice")
    return t


def read_stand_ins(path: Path) -> pd.DataFrame:
    """A stand-in table ``site, record, reason``: the site has no weather record of its own
    and uses the column ``record`` of every CF file. Raises ValueError on a missing column."""
    t = pd.read_csv(path)
    for c in ("site", "record", "reason"):
        if c not in t.columns:
            raise ValueError(f"{path}: column {c} is missing (expected site, record, reason)")
    return t


def assemble(
    files: dict[str, list[Path]],
    pairs: list[tuple[str, str]] | None = None,
    sites: list[str] | None = None,
    stand_ins: pd.DataFrame | None = None,
    wind_cf: pd.DataFrame | None = None,
    station_weather: Path | None = None,
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The hourly series to cluster and where each came from.

    ``files``: tech -> CF files in order of preference (a site's column is taken from the
    first file that has it). ``pairs``: the (site, tech) pairs wanted (e.g. a scenario's
    site_power.csv rows of these techs); else every column of the files, or ``sites``.
    A site no file has uses its ``stand_ins`` record's column. Wind taken from a file named
    ``*station*`` is scaled with :func:`scale_to_annual_cf` to the site's ``wind_cf`` row
    (a station site without a row is an error: its level is not meaningful). With
    ``station_weather`` (the folder of the stations' hourly ``wind10, temp_c`` files,
    shared/reference/profiles/weather) the station series is instead re-derived from its
    weather with the hub speed scaled to the target (:mod:`planner.prep.wind_speed`), which
    keeps a turbine-shaped duration curve; the linear CF scaling stays for CF files whose
    weather is not at hand and for sites whose ``wind_cf`` row says ``scaling = cf`` (a
    station with so many calm hours that no speed factor reaches the target).

    Returns ``(series, records)``: tech -> (8760, sites) frame, and a table ``site, tech,
    record`` (file:column, "stand-in" and the scaling named). Raises ValueError for a pair no
    file or stand-in covers."""
    sub = {} if stand_ins is None else dict(zip(stand_ins["site"], stand_ins["record"], strict=True))
    target = {} if wind_cf is None else dict(zip(wind_cf["site"], wind_cf["annual_cf"], strict=True))
    how = (
        {}
        if wind_cf is None or "scaling" not in wind_cf
        else dict(zip(wind_cf["site"], wind_cf["scaling"], strict=True))
    )
    tables = {tech: [(p, read_cf(p)) for p in paths] for tech, paths in files.items()}
    if pairs is None:
        pairs = []
        for tech, ts in tables.items():
            cols = list(dict.fromkeys(c for _, t in ts for c in t.columns))
            pairs += [(s, tech) for s in (sites if sites is not None else cols) if s in cols or s in sub]
    series: dict[str, dict[str, np.ndarray]] = {}
    records = []
    for site, tech in pairs:
        if tech not in tables:
            continue
        record = site if any(site in t.columns for _, t in tables[tech]) else sub.get(site)
        found = next(((p, t) for p, t in tables[tech] if record is not None and record in t.columns), None)
        if found is None:
            raise ValueError(
                f"no {tech} record for site {site} in {', '.join(str(p) for p in files[tech])}; add a stand-in"
            )
        path, t = found
        x = t[record].to_numpy(dtype=float)
        note = f"{Path(path).name}:{record}" + (f" (stand-in for {site})" if record != site else "")
        if tech.startswith("wind") and "station" in Path(path).name:
            if site not in target:
                raise ValueError(f"station wind of {site} needs an annual capacity factor (--wind-annual-cf)")
            scaling = how.get(site) or ("speed" if station_weather is not None else "cf")
            if scaling == "speed" and station_weather is None:
                raise ValueError(
                    f"station wind of {site} is to be speed-scaled: give the station weather (--station-weather)"
                )
            if scaling == "speed":
                x, note = _speed_scaled(station_weather, record, site, note, float(target[site]))
            else:
                note += f", scaled from {x.mean():.3f} to {target[site]:.3f}"
                x = scale_to_annual_cf(x, float(target[site]))
        series.setdefault(tech, {})[site] = x
        records.append({"site": site, "tech": tech, "record": note})
    return {k: pd.DataFrame(v) for k, v in series.items()}, pd.DataFrame(records)


def _speed_scaled(folder: Path, record: str, site: str, note: str, target: float) -> tuple[np.ndarray, str]:
    """The station wind of ``record`` re-derived from its weather file with the hub speed
    scaled to ``target`` (planner.prep.wind_speed), and its record note."""
    from . import wind_speed as ws

    files = ws.station_weather_files(Path(folder))
    if record not in files or not files[record].exists():
        raise ValueError(f"no station weather for {site} (record {record}) in {folder}")
    w = pd.read_csv(files[record])
    if len(w) != HOURS:
        raise ValueError(f"{files[record]} has {len(w)} hourly rows, not {HOURS}")
    try:
        x, k, base = ws.scaled_station_cf(w, target)
    except ValueError as e:
        raise ValueError(f"station wind of {site} ({files[record].name}): {e}") from None
    return x, f"{note} re-derived from {files[record].name}:wind10, hub speed x{k:.3f}, from {base:.3f} to {target:.3f}"


def plot_duration_curves(
    series: dict[str, pd.DataFrame],
    slices: pd.DataFrame,
    profiles: pd.DataFrame,
    acc: pd.DataFrame,
    path: Path,
    n: int = 4,
) -> None:
    """A PNG of duration curves (hourly CF sorted, year solid against the days dashed), one
    panel per tech, for the ``n`` sites of each tech with the largest duration RMSE."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    techs = list(series)
    fig, axes = plt.subplots(1, len(techs), figsize=(5.5 * len(techs), 4), squeeze=False)
    w = dict(zip(slices["slice"], (slices["duration_h"] * slices["days_per_year"]).round().astype(int), strict=True))
    for ax, tech in zip(axes[0], techs, strict=True):
        worst = acc[acc["tech"] == tech].nlargest(n, "duration_rmse")["site"]
        for i, site in enumerate(worst):
            y = np.sort(series[tech][site].to_numpy())[::-1]
            g = profiles[(profiles["site"] == site) & (profiles["tech"] == tech)]
            d = np.sort(np.repeat(g["capacity_factor"].to_numpy(), [w[s] for s in g["slice"]]))[::-1]
            ax.plot(y, color=f"C{i}", lw=1.2, label=f"{site} year")
            ax.plot(d, color=f"C{i}", lw=1.2, ls="--", label=f"{site} days")
        total = int((acc["tech"] == tech).sum())
        ax.set_title(f"{tech}: largest duration RMSE ({len(worst)} of {total} sites)")
        ax.set_xlabel("hours of the year, sorted")
        ax.set_ylabel("capacity factor")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
