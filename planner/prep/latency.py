"""Region-to-site network latency and transit cost for the bundled scenarios.

Model
-----
Round-trip latency between a demand region's centre and a candidate site::

    latency_ms = FIXED_OVERHEAD_MS + ROUTE_FACTOR * distance_km / KM_PER_MS_RTT

* ``distance_km`` -- great-circle (haversine) distance on a sphere of radius
  ``EARTH_RADIUS_KM`` between the region centre (regions.csv lat/lon, a
  demand-weighted centre) and the site (sites.csv lat/lon).
* ``KM_PER_MS_RTT = 100``: light in silica fibre travels at c / n with
  n ~ 1.47, i.e. ~204 000 km/s ~ 204 km per ms one way, so ~100 km of fibre per
  millisecond of *round trip*.  (ITU-T G.652 fibre group index ~1.467.)
* ``ROUTE_FACTOR = 1.5``: fibre paths are longer than the geodesic.
  Bozkurt et al., "Dissecting Latency in the Internet's Fiber Infrastructure"
  (arXiv:1811.10737, 2018) report the measured rule of thumb "line-of-sight
  distance x 2.1 / speed of light in fibre" for public Internet paths, and a
  median of 1.3 for shortest paths over the US long-haul conduit map.  A large
  provider's private backbone sits between the two; we take 1.5.
* ``FIXED_OVERHEAD_MS = 3``: last-mile / metro aggregation, peering,
  load-balancer and TLS-terminating proxy hops inside the serving site
  (estimate: typical metro RTTs of 1-5 ms).  Model compute time (time to first
  token) is *not* included: the demand's ``max_latency_ms`` is a network budget.

Network (transit) cost
----------------------
``network_cost_usd_per_mtok`` is the egress / long-haul transit cost of shipping
a million tokens (prompt + streamed completion) from the site to users:

* zero when the site belongs to the region it serves (traffic stays on the
  local metro network, paid for in the site's fixed costs);
* otherwise ``BYTES_PER_TOKEN * 1e6 / 1e9 * usd_per_gb`` with
  ``usd_per_gb = TRANSIT_USD_PER_GB_BASE + TRANSIT_USD_PER_GB_PER_1000KM *
  distance_km / 1000``, capped at ``MAX_NETWORK_COST_USD_PER_MTOK``.
  ``BYTES_PER_TOKEN = 100``: ~4 bytes of UTF-8 text per token plus the JSON /
  server-sent-event framing of a streamed token (estimate).  Cloud
  inter-region data transfer lists at ~0.01-0.02 USD/GB within a continent and
  ~0.02-0.09 USD/GB across oceans (AWS / GCP public price lists, 2024-2025);
  base 0.01 USD/GB plus 0.005 USD/GB per 1000 km reproduces that range.
  Result: <= 0.02 USD per million tokens -- tiny next to compute (~0.02-2 USD
  per million tokens), as it should be.

Public API
----------
``haversine_km(lat1, lon1, lat2, lon2)`` -> float or ndarray (km).
``latency_ms(distance_km)`` -> float or ndarray (ms round trip).
``latency_table(regions_df, sites_df)`` -> DataFrame with columns
``region, site, latency_ms, network_cost_usd_per_mtok``: one row per
(region, site) pair (len(regions) x len(sites) rows), latency rounded to 0.1 ms
and cost to 1e-4 USD.

``python -m planner.prep.latency`` rewrites ``latency.csv`` in every
bundled scenario folder (data/scenarios/*/) from its regions.csv and sites.csv.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

EARTH_RADIUS_KM = 6371.0088  # IUGG mean Earth radius
KM_PER_MS_RTT = 100.0  # fibre: ~1 ms round trip per 100 km (c / 1.47)
ROUTE_FACTOR = 1.5  # fibre path / great-circle (Bozkurt et al. 2018: 1.3 conduit .. 2.1 Internet)
FIXED_OVERHEAD_MS = 3.0  # metro access + peering + proxy hops (estimate)

BYTES_PER_TOKEN = 100.0  # text + streaming framing per token (estimate)
TRANSIT_USD_PER_GB_BASE = 0.01  # cloud inter-region transfer, same continent (AWS/GCP lists)
TRANSIT_USD_PER_GB_PER_1000KM = 0.005  # grows to ~0.06 USD/GB across oceans
MAX_NETWORK_COST_USD_PER_MTOK = 0.05

OUTPUT_COLUMNS = ["region", "site", "latency_ms", "network_cost_usd_per_mtok"]


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km between points given in decimal degrees (scalars or arrays)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def latency_ms(distance_km):
    """Round-trip network latency in ms for a great-circle distance in km."""
    return FIXED_OVERHEAD_MS + ROUTE_FACTOR * np.asarray(distance_km) / KM_PER_MS_RTT


def network_cost_usd_per_mtok(distance_km, same_region):
    """Transit cost in USD per million tokens; 0 when the site is in the region it serves."""
    d = np.asarray(distance_km, dtype=float)
    usd_per_gb = TRANSIT_USD_PER_GB_BASE + TRANSIT_USD_PER_GB_PER_1000KM * d / 1000.0
    cost = BYTES_PER_TOKEN * 1e6 / 1e9 * usd_per_gb
    cost = np.minimum(cost, MAX_NETWORK_COST_USD_PER_MTOK)
    return np.where(np.asarray(same_region, dtype=bool), 0.0, cost)


def latency_table(regions_df: pd.DataFrame, sites_df: pd.DataFrame) -> pd.DataFrame:
    """Every (region, site) pair with its latency and network cost.

    regions_df: columns region, lat, lon (degrees).
    sites_df: columns site, region, lat, lon (degrees).
    Returns DataFrame[region, site, latency_ms, network_cost_usd_per_mtok],
    len(regions_df) * len(sites_df) rows, sorted by region then site order.
    """
    for col in ("region", "lat", "lon"):
        if col not in regions_df.columns:
            raise ValueError(f"regions table lacks column {col!r}")
    for col in ("site", "region", "lat", "lon"):
        if col not in sites_df.columns:
            raise ValueError(f"sites table lacks column {col!r}")
    r = regions_df[["region", "lat", "lon"]].rename(columns={"lat": "rlat", "lon": "rlon"})
    s = sites_df[["site", "region", "lat", "lon"]].rename(
        columns={"region": "site_region", "lat": "slat", "lon": "slon"}
    )
    pairs = r.merge(s, how="cross")
    dist = haversine_km(
        pairs["rlat"].astype(float).to_numpy(),
        pairs["rlon"].astype(float).to_numpy(),
        pairs["slat"].astype(float).to_numpy(),
        pairs["slon"].astype(float).to_numpy(),
    )
    out = pd.DataFrame(
        {
            "region": pairs["region"].to_numpy(),
            "site": pairs["site"].to_numpy(),
            "latency_ms": np.round(latency_ms(dist), 1),
            "network_cost_usd_per_mtok": np.round(
                network_cost_usd_per_mtok(dist, pairs["region"].to_numpy() == pairs["site_region"].to_numpy()), 4
            ),
        }
    )
    return out[OUTPUT_COLUMNS]


def _data_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "data"


def regenerate(scenarios_dir: Path | None = None) -> list[Path]:
    """Rewrite latency.csv of every scenario folder holding regions.csv and sites.csv."""
    scenarios_dir = scenarios_dir or _data_dir() / "scenarios"
    written = []
    for folder in sorted(p for p in scenarios_dir.iterdir() if p.is_dir()):
        reg, sit = folder / "regions.csv", folder / "sites.csv"
        if not (reg.exists() and sit.exists()):
            continue
        regions = pd.read_csv(reg, encoding="utf-8-sig", keep_default_na=False, na_values=[""])
        sites = pd.read_csv(sit, encoding="utf-8-sig", keep_default_na=False, na_values=[""])
        table = latency_table(regions, sites)
        out = folder / "latency.csv"
        table.to_csv(out, index=False)
        written.append(out)
    return written


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    target = Path(argv[0]) if argv else None
    for path in regenerate(target):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
