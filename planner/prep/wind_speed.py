"""Station wind brought to a target annual capacity factor by scaling the WIND SPEED.

Airport anemometers (shared/reference/profiles/weather/<CTRY>_<WMO>.csv, hourly ``wind10``
in m/s at ~10 m and ``temp_c``) get the timing of the wind right but not its level. Scaling
the capacity-factor series linearly to a target (``weather_days.scale_to_annual_cf``) pushes
the windiest hours to full output and leaves the rest near zero, a step-shaped duration
curve. Here the hub-height speed is scaled instead, ``v -> k * v``, and the power curve is
applied again, so the duration curve keeps a turbine's shape (cut-in, cubic rise, rated
plateau) at the target level.

The conversion is that of shared/reference/profiles/derive_cf.py:

* hub speed ``v_100 = v_10 * (100 / 10) ** (1/7)`` (1/7 power-law shear);
* air-density correction (IEC 61400-12) ``v_eq = v_100 * (rho / 1.225) ** (1/3)``,
  ``rho = p / (287.05 * (T + 273.15))`` kg/m3; the station files carry no pressure, so
  ``p`` is the standard 101,325 Pa. A constant pressure multiplies every hour's ``v_eq`` by
  the same number, which the fitted ``k`` absorbs exactly, so only the hourly temperature
  matters for the scaled series;
* Vestas V112/3450 power curve (windpowerlib 0.2.2's OEDB table, bundled as
  ``curves/v112_3450.csv``), scaled to 1 at rated power, linear between points, zero below
  the first and above the last point (cut-out);
* a flat 10 % off for wake, availability and electrical losses.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HUB_M = 100.0  # hub height, m (derive_cf.py)
ANEMOMETER_M = 10.0  # station anemometer height, m
SHEAR_ALPHA = 1 / 7  # power-law shear exponent (derive_cf.py)
LOSSES = 0.10  # wake, availability, electrical (derive_cf.py)
P_STANDARD_PA = 101325.0  # standard sea-level pressure (the station files carry none)
RHO_STANDARD = 1.225  # kg/m3, the power curve's reference density
R_DRY_AIR = 287.05  # J/(kg K)
CURVE_CSV = Path(__file__).with_name("curves") / "v112_3450.csv"


def read_power_curve(path: Path = CURVE_CSV) -> tuple[np.ndarray, np.ndarray]:
    """The power curve ``(speed m/s, output 0..1)`` of a CSV ``wind_speed_ms, power_kw``
    (``#`` comment lines allowed), output divided by its maximum. Raises ValueError when a
    column is missing or the speeds do not increase."""
    t = pd.read_csv(path, comment="#")
    for c in ("wind_speed_ms", "power_kw"):
        if c not in t.columns:
            raise ValueError(f"{path}: column {c} is missing (expected wind_speed_ms, power_kw)")
    v = t["wind_speed_ms"].to_numpy(dtype=float)
    p = t["power_kw"].to_numpy(dtype=float)
    if len(v) < 2 or not (np.diff(v) > 0).all() or p.max() <= 0:
        raise ValueError(f"{path}: wind_speed_ms must increase and power_kw must have a positive maximum")
    return v, p / p.max()


def equivalent_hub_speed(wind10: np.ndarray, temp_c: np.ndarray, pressure_pa: float = P_STANDARD_PA) -> np.ndarray:
    """Density-corrected hub-height speed (m/s), shape of ``wind10``: 1/7 shear from 10 m to
    100 m, then ``(rho / 1.225) ** (1/3)`` with ``rho`` from ``temp_c`` (deg C) and
    ``pressure_pa``."""
    v_hub = np.asarray(wind10, dtype=float) * (HUB_M / ANEMOMETER_M) ** SHEAR_ALPHA
    rho = pressure_pa / (R_DRY_AIR * (np.asarray(temp_c, dtype=float) + 273.15))
    return v_hub * (rho / RHO_STANDARD) ** (1 / 3)


def cf_from_speed(v_eq: np.ndarray, curve: tuple[np.ndarray, np.ndarray], losses: float = LOSSES) -> np.ndarray:
    """Hourly capacity factor (0..1) of equivalent hub speeds ``v_eq`` (m/s) on ``curve``
    (linear between points, 0 outside them), less ``losses``."""
    v, p = curve
    return np.interp(v_eq, v, p, left=0.0, right=0.0) * (1 - losses)


def speed_factor(
    v_eq: np.ndarray,
    target: float,
    curve: tuple[np.ndarray, np.ndarray],
    losses: float = LOSSES,
) -> float:
    """The smallest factor ``k`` on the hub speeds ``v_eq`` for which the annual mean CF
    ``mean(cf_from_speed(k * v_eq))`` reaches ``target`` (bisected to 1e-12 relative in ``k``).

    The mean rises with ``k`` until the windiest hours pass the cut-out, so ``k`` is
    bracketed on a geometric grid (the first grid point at or above the target) and then
    found by bisection inside that bracket, where the mean is monotone. Raises ValueError
    when ``target`` is outside [0, 1), is not below the curve's maximum times
    ``1 - losses``, or is above the most any ``k`` gives (cut-out, calm hours)."""
    v_eq = np.asarray(v_eq, dtype=float)
    if not 0 <= target < 1:
        raise ValueError(f"annual capacity factor {target} is not in [0, 1)")
    top = float(curve[1].max()) * (1 - losses)
    if target >= top:
        raise ValueError(
            f"annual capacity factor {target} cannot be reached: the power curve gives at most {top:.3f} "
            f"(its maximum less {losses:.0%} losses)"
        )
    if target == 0:
        return 0.0

    def mean(k: float) -> float:
        return float(cf_from_speed(k * v_eq, curve, losses).mean())

    grid = np.geomspace(1e-3, 1e3, 601)
    means = np.array([mean(k) for k in grid])
    hit = np.nonzero(means >= target)[0]
    if not len(hit):
        raise ValueError(
            f"annual capacity factor {target} cannot be reached by scaling the wind speed: "
            f"the most any factor gives is {means.max():.3f} (calm hours and the cut-out)"
        )
    i = int(hit[0])
    lo, hi = (0.0 if i == 0 else float(grid[i - 1])), float(grid[i])
    while hi - lo > 1e-12 * hi:
        mid = (lo + hi) / 2
        if mean(mid) < target:
            lo = mid
        else:
            hi = mid
    return hi


def scaled_station_cf(
    weather: pd.DataFrame, target: float, curve: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[np.ndarray, float, float]:
    """Hourly CF of a station weather table (columns ``wind10`` m/s, ``temp_c`` deg C; 8760
    rows) with the hub speed scaled so that the annual mean CF is ``target``.

    Returns ``(cf, k, cf_unscaled_mean)``: the (8760,) CF series, the speed factor and the
    annual CF at ``k = 1``. Raises ValueError as :func:`speed_factor` does, or when a column
    is missing."""
    for c in ("wind10", "temp_c"):
        if c not in weather.columns:
            raise ValueError(f"station weather: column {c} is missing (expected wind10, temp_c)")
    curve = read_power_curve() if curve is None else curve
    v_eq = equivalent_hub_speed(weather["wind10"].to_numpy(), weather["temp_c"].to_numpy())
    k = speed_factor(v_eq, target, curve)
    return cf_from_speed(k * v_eq, curve), k, float(cf_from_speed(v_eq, curve).mean())


def station_weather_files(folder: Path) -> dict[str, Path]:
    """site -> its station's hourly weather file ``folder/<station_id>.csv``, from the
    ``site, station_id`` columns of ``site_station_map.csv`` in ``folder`` or its parent
    (shared/reference/profiles/). Raises ValueError when no map is found."""
    folder = Path(folder)
    found = next(
        (p for p in (folder / "site_station_map.csv", folder.parent / "site_station_map.csv") if p.exists()), None
    )
    if found is None:
        raise ValueError(f"no site_station_map.csv (site, station_id) in {folder} or {folder.parent}")
    m = pd.read_csv(found)
    for c in ("site", "station_id"):
        if c not in m.columns:
            raise ValueError(f"{found}: column {c} is missing (expected site, station_id)")
    return {s: folder / f"{sid}.csv" for s, sid in zip(m["site"], m["station_id"], strict=True)}
