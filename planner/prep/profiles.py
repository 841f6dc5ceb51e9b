"""Per-site solar and wind capacity factors for the 24 representative time slices.

Time slices
-----------
4 representative days x 6 four-hour blocks = 24 slices (``SLICE_DAYS`` x
``SLICE_HOURS``).  Day ids name calendar quarters, not local seasons:
``winter`` = Dec-Feb (represented by 15 Jan), ``spring`` = Mar-May (15 Apr),
``summer`` = Jun-Aug (16 Jul), ``autumn`` = Sep-Nov (15 Oct); in the southern
hemisphere "winter" is therefore the local summer, which the sun geometry
below handles by itself.  Slice keys are ``<letter><hour:02d>`` with letters
w / p / s / a (winter, sPring, summer, autumn): w00, w04, ..., a20.  Every slice
lasts 4 h and each day recurs 91.25 times a year, so the weights sum to 8760 h.
Hours are local clock time, taken equal to local solar time (the offset from
time zones and daylight saving is at most ~1 h and is ignored).

Solar PV
--------
Shape: clear-sky horizontal irradiance from sun geometry -- declination
(Cooper 1969), hour angle, cos(zenith), and the Meinel & Meinel (1976) air-mass
transmittance 0.7 ** (AM ** 0.678) -- averaged over each 4-hour block at
5-minute steps.  Scale: multiplied by one constant per site so that the
slice-weighted annual mean equals the site's published annual AC capacity
factor (``annual_cf.csv`` column ``solar_cf``; derived from Global Solar Atlas
PVOUT / NREL ATB resource classes, see data/README.md).  Blocks that would
exceed 1 are clipped at 1 (inverter clipping) and the remaining blocks are
rescaled until the annual mean matches.  Clouds are not modelled per season:
the seasonal amplitude is geometric, which overstates the winter/summer
contrast somewhat at cloudy-summer monsoon sites and understates it at
cloudy-winter European sites.

Onshore wind
------------
``cf = wind_cf x SEASON_MULT[day] x DIURNAL_MULT[block]``, clipped to [0, 1].
Both multiplier sets average exactly 1, so the annual mean equals the
published annual capacity factor (``annual_cf.csv`` column ``wind_cf``;
Global Wind Atlas / NREL ATB class).  The shapes are estimates consistent with
published climatologies: mid-latitude onshore wind is strongest in the cold
half-year (winter +25 %, summer -25 %; e.g. ENTSO-E / EIA monthly wind output
profiles) and, at ~100 m hub height over land, stronger at night than in the
afternoon (stable nocturnal boundary layer; NREL WIND Toolkit diurnal
profiles), +10 % at night, -10 % mid-day.  The seasonal multipliers are
mirrored (winter <-> summer, spring <-> autumn) south of the equator and
flattened within 15 degrees of it.

Public API
----------
``slices_table()`` -> DataFrame[slice, day, hour, duration_h, days_per_year, grid_price_mult] (24 rows).
``solar_shape(lat)`` -> ndarray (24,) relative irradiance, slice order.
``profiles_table(sites_df, annual_cf_df, site_power_df=None)`` ->
DataFrame[site, tech, slice, capacity_factor] for the variable techs
(solar_pv, wind_onshore) of each site; when site_power_df (columns site, tech)
is given, only the (site, tech) pairs it lists are produced.

``python -m planner.prep.profiles`` rewrites profiles.csv (and slices.csv)
of every bundled scenario from its sites.csv and site_power.csv plus
data/resource/annual_cf.csv.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

SLICE_DAYS = [("winter", "w", 15), ("spring", "p", 105), ("summer", "s", 197), ("autumn", "a", 288)]
SLICE_HOURS = [0, 4, 8, 12, 16, 20]
DURATION_H = 4.0
DAYS_PER_YEAR = 91.25

# Grid price multiplier by 4-hour block (00,04,08,12,16,20) and representative day.
# Shape of average European / US day-ahead prices (FfE 2024 day-ahead review; EIA
# hourly wholesale data): night trough, morning ramp, midday solar dip (deeper in
# spring/summer), evening peak 16-20 h.  Estimate; each row averages 1.0 and the
# four days average 1.0, so the annual mean price equals sites.csv's price.
GRID_PRICE_MULT = {
    "winter": [0.85, 0.90, 1.05, 0.95, 1.25, 1.00],
    "spring": [0.90, 0.90, 1.00, 0.85, 1.30, 1.05],
    "summer": [0.85, 0.85, 0.95, 1.00, 1.35, 1.00],
    "autumn": [0.90, 0.90, 1.05, 0.95, 1.25, 0.95],
}

VARIABLE_TECHS = {"solar_pv": "solar_cf", "wind_onshore": "wind_cf"}

WIND_SEASON_MULT = {"winter": 1.25, "spring": 1.05, "summer": 0.75, "autumn": 0.95}
WIND_DIURNAL_MULT = [1.10, 1.05, 0.90, 0.90, 0.95, 1.10]
WIND_TROPICS_LAT = 15.0

_STEP_MIN = 5


def slice_keys() -> list[str]:
    """The 24 slice keys in canonical order (w00 .. a20)."""
    return [f"{letter}{h:02d}" for _, letter, _ in SLICE_DAYS for h in SLICE_HOURS]


def slices_table() -> pd.DataFrame:
    """slices.csv content: 24 rows, weights 4 h x 91.25 d sum to 8760 h."""
    rows = []
    for day, letter, _ in SLICE_DAYS:
        for i, h in enumerate(SLICE_HOURS):
            rows.append(
                {
                    "slice": f"{letter}{h:02d}",
                    "day": day,
                    "hour": h,
                    "duration_h": DURATION_H,
                    "days_per_year": DAYS_PER_YEAR,
                    "grid_price_mult": GRID_PRICE_MULT[day][i],
                }
            )
    return pd.DataFrame(rows)


def _declination_rad(doy: int) -> float:
    return np.radians(23.45) * np.sin(np.radians(360.0 * (284 + doy) / 365.0))


def solar_shape(lat: float) -> np.ndarray:
    """Clear-sky horizontal irradiance (kW/m2, block mean) per slice, shape (24,)."""
    phi = np.radians(lat)
    out = []
    minutes = np.arange(0, 24 * 60, _STEP_MIN) + _STEP_MIN / 2.0
    for _, _, doy in SLICE_DAYS:
        dec = _declination_rad(doy)
        hour_angle = np.radians(15.0 * (minutes / 60.0 - 12.0))
        cosz = np.sin(phi) * np.sin(dec) + np.cos(phi) * np.cos(dec) * np.cos(hour_angle)
        cosz = np.clip(cosz, 0.0, 1.0)
        with np.errstate(divide="ignore", over="ignore"):
            am = np.where(cosz > 0.01, 1.0 / np.maximum(cosz, 1e-6), np.inf)
            dni = np.where(np.isfinite(am), 1.353 * 0.7 ** (am**0.678), 0.0)
        ghi = dni * cosz * 1.1  # +10 % diffuse, Meinel approximation
        per_block = ghi.reshape(len(SLICE_HOURS), -1).mean(axis=1)
        out.extend(per_block.tolist())
    return np.asarray(out)


def _scale_to_mean(shape: np.ndarray, target: float, weights: np.ndarray) -> np.ndarray:
    """Scale shape so the weighted mean is target, clipping at 1 and re-spreading."""
    if target <= 0 or shape.sum() <= 0:
        return np.zeros_like(shape)
    total_w = weights.sum()
    if target > (weights * (shape > 0)).sum() / total_w:
        raise ValueError(f"capacity factor {target} cannot be reached with this daylight shape")
    cf = np.zeros_like(shape)
    clipped = np.zeros(shape.shape, dtype=bool)
    for _ in range(50):
        free = ~clipped
        need = target * total_w - (weights * clipped).sum()
        k = need / (weights[free] * shape[free]).sum()
        cf = np.where(clipped, 1.0, k * shape)
        over = cf > 1.0
        if not over.any():
            break
        clipped |= over
    return np.clip(cf, 0.0, 1.0)


def _wind_cf(lat: float, annual_cf: float) -> np.ndarray:
    season = dict(WIND_SEASON_MULT)
    if abs(lat) < WIND_TROPICS_LAT:
        season = {k: 1.0 for k in season}
    elif lat < 0:
        season = {
            "winter": WIND_SEASON_MULT["summer"],
            "spring": WIND_SEASON_MULT["autumn"],
            "summer": WIND_SEASON_MULT["winter"],
            "autumn": WIND_SEASON_MULT["spring"],
        }
    vals = [annual_cf * season[day] * m for day, _, _ in SLICE_DAYS for m in WIND_DIURNAL_MULT]
    return np.clip(np.asarray(vals), 0.0, 1.0)


def profiles_table(
    sites_df: pd.DataFrame, annual_cf_df: pd.DataFrame, site_power_df: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Capacity factor per site, variable tech and slice.

    sites_df: columns site, lat (degrees).
    annual_cf_df: columns site, solar_cf, wind_cf (annual AC capacity factor, 0..1; blank = none).
    site_power_df: optional columns site, tech; restricts output to listed (site, tech) pairs.
    Returns DataFrame[site, tech, slice, capacity_factor] with capacity_factor in [0, 1]
    rounded to 4 decimals; 24 rows per (site, tech).
    """
    keys = slice_keys()
    weights = np.full(len(keys), DURATION_H * DAYS_PER_YEAR)
    cf_by_site = annual_cf_df.set_index("site")
    wanted = None
    if site_power_df is not None:
        wanted = set(zip(site_power_df["site"], site_power_df["tech"]))
    rows = []
    for _, s in sites_df.iterrows():
        site = s["site"]
        for tech, col in VARIABLE_TECHS.items():
            if wanted is not None and (site, tech) not in wanted:
                continue
            if site not in cf_by_site.index or pd.isna(cf_by_site.at[site, col]):
                if wanted is not None:
                    raise ValueError(f"site {site!r} lists {tech} but annual_cf has no {col}")
                continue
            annual = float(cf_by_site.at[site, col])
            if not 0.0 <= annual <= 1.0:
                raise ValueError(f"site {site!r}: {col}={annual} outside 0..1")
            if tech == "solar_pv":
                cf = _scale_to_mean(solar_shape(float(s["lat"])), annual, weights)
            else:
                cf = _wind_cf(float(s["lat"]), annual)
            for key, val in zip(keys, cf):
                rows.append({"site": site, "tech": tech, "slice": key, "capacity_factor": round(float(val), 4)})
    return pd.DataFrame(rows, columns=["site", "tech", "slice", "capacity_factor"])


def _data_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "data"


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, na_values=[""])


def regenerate(data_dir: Path | None = None) -> list[Path]:
    """Rewrite slices.csv and profiles.csv of every scenario folder from annual_cf.csv,
    except the scenarios on representative days of real weather (those with a
    ``resource/<name>_days_accuracy.csv``, built by ``planner prep-days``), which it leaves alone."""
    data_dir = data_dir or _data_dir()
    annual = _read(data_dir / "resource" / "annual_cf.csv")
    written = []
    for folder in sorted(p for p in (data_dir / "scenarios").iterdir() if p.is_dir()):
        if not (folder / "sites.csv").exists() or (data_dir / "resource" / f"{folder.name}_days_accuracy.csv").exists():
            continue
        sites = _read(folder / "sites.csv")
        sp = _read(folder / "site_power.csv") if (folder / "site_power.csv").exists() else None
        slices_table().to_csv(folder / "slices.csv", index=False)
        profiles_table(sites, annual, sp).to_csv(folder / "profiles.csv", index=False)
        written += [folder / "slices.csv", folder / "profiles.csv"]
    return written


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    target = Path(argv[0]) if argv else None
    for path in regenerate(target):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
