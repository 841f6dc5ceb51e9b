"""Coastlines and borders for the site map, offline.

Reads ``data/basemap/countries-110m.json`` (Natural Earth 1:110m countries as TopoJSON, via
the world-atlas package; source and licence in ``data/basemap/README.md``) and returns its
arcs as polylines in degrees. TopoJSON stores each arc once, quantised and delta-encoded:
point k is ``translate + scale x (sum of the deltas up to k)``. An arc shared by two
countries is a border, the others are coastlines; both are drawn the same.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

import numpy as np

BASEMAP = (
    Path(os.environ.get("PLANNER_HOME", Path(__file__).resolve().parents[2]))
    / "data"
    / "basemap"
    / "countries-110m.json"
)


@functools.cache
def arcs() -> list[np.ndarray]:
    """Every arc as an (n, 2) array of (lon, lat) degrees; [] when the file is absent."""
    if not BASEMAP.is_file():
        return []
    topo = json.loads(BASEMAP.read_text(encoding="utf-8"))
    tr = topo.get("transform")
    out = []
    for arc in topo["arcs"]:
        a = np.asarray(arc, dtype=float)
        if tr:
            a = np.cumsum(a, axis=0) * np.asarray(tr["scale"]) + np.asarray(tr["translate"])
        # an arc crossing the antimeridian is split there, so no line runs across the map
        jumps = np.flatnonzero(np.abs(np.diff(a[:, 0])) > 180) + 1
        out += [p for p in np.split(a, jumps) if len(p) > 1]
    return out


def draw(ax, color: str = "#b8b8b8", linewidth: float = 0.5) -> bool:
    """Draw the coastlines and borders on ``ax`` under everything else; False when there is
    no basemap file."""
    from matplotlib.collections import LineCollection

    lines = arcs()
    if not lines:
        return False
    ax.add_collection(LineCollection(lines, colors=color, linewidths=linewidth, zorder=0))
    return True
