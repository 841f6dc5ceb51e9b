"""The report's plots (matplotlib, Agg, no pyplot state): each function returns PNG bytes.

:func:`all_plots` returns file name -> PNG bytes for the results folder's ``plots/`` and the
base64 images of report.html. Works from the results tables only.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import stack

LAYER_COLORS = {
    "energy": "#e6a23c",
    "chips": "#4c72b0",
    "infrastructure": "#8c8c8c",
    "network": "#55a868",
    "penalties": "#c44e52",
}
TECH_COLORS = {
    "grid": "#7f7f7f",
    "solar_pv": "#f2c12e",
    "wind_onshore": "#4fa3d1",
    "gas_ccgt": "#d9534f",
    "gas_ocgt": "#e8837f",
    "nuclear_smr": "#9467bd",
    "battery_4h": "#2ca02c",
    "fuel_cell": "#8c564b",
}
# 14 distinct colours (seaborn "deep" + four darker tones), so up to 14 regions or
# generations never share one
PALETTE = [
    "#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3",
    "#8c8c8c", "#ccb974", "#64b5cd", "#1b3a6b", "#7a3b0c", "#2f5e35", "#6b1f24",
]  # fmt: skip


def _fig(w=9.0, h=4.2):
    fig = Figure(figsize=(w, h), dpi=110)
    FigureCanvasAgg(fig)
    return fig


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def _stacked(ax, df: pd.DataFrame, colors: dict | None = None, scale: float = 1.0) -> None:
    years = [str(y) for y in df.index]
    bottom = np.zeros(len(df))
    for i, col in enumerate(df.columns):
        vals = df[col].to_numpy(dtype=float) / scale
        if not np.any(vals):
            continue
        color = (colors or {}).get(col, PALETTE[i % len(PALETTE)])
        ax.bar(years, vals, bottom=bottom, label=str(col), color=color, width=0.75)
        bottom += vals
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    if ax.get_legend_handles_labels()[0]:
        # outside the axes, top of the stack first, so it never hides a bar
        h, labels = ax.get_legend_handles_labels()
        ax.legend(h[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)


def _empty(ax, text="nothing to show"):
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#666")


def mw_by_generation(tables, years) -> bytes:
    fig = _fig()
    ax = fig.add_subplot()
    pv = stack.generation_pivot(tables, years, "it_mw")
    if pv.shape[1]:
        _stacked(ax, pv)
    else:
        _empty(ax, "no chips installed")
    ax.set_title("MW IT of active chips, by generation")
    ax.set_ylabel("MW IT")
    return _png(fig)


def energy_by_source(tables, years) -> bytes:
    fig = _fig()
    ax = fig.add_subplot()
    e = stack.energy_by_source(tables, years)
    if e.shape[1]:
        _stacked(ax, e, TECH_COLORS, scale=1e3)
    else:
        _empty(ax, "no energy used")
    ax.set_title("Energy by source")
    ax.set_ylabel("GWh a year")
    return _png(fig)


def capex_by_layer(tables, years) -> bytes:
    fig = _fig()
    ax = fig.add_subplot()
    c = stack.capex_by_layer(tables, years)
    if c.to_numpy().any():
        _stacked(ax, c, LAYER_COLORS, scale=1e9)
    else:
        _empty(ax, "nothing built")
    ax.set_title("Capital spending by layer (cash, in the build year)")
    ax.set_ylabel("USD bn")
    return _png(fig)


def cost_per_mtok(tables, years) -> bytes:
    fig = _fig()
    ax = fig.add_subplot()
    cpm = stack.cost_per_mtok_by_layer(tables, years)[list(stack.LAYERS)].fillna(0.0)
    if cpm.to_numpy().any():
        _stacked(ax, cpm, LAYER_COLORS)
    else:
        _empty(ax, "no tokens served")
    ax.set_title("Cost per million tokens served, by layer (undiscounted)")
    ax.set_ylabel("USD per million tokens")
    return _png(fig)


def sites_map(tables) -> bytes:
    fig = _fig(8.0, 5.0)
    ax = fig.add_subplot()
    sites = tables.get("sites")
    if sites is None or not len(sites) or sites[["lat", "lon"]].dropna().empty:
        _empty(ax, "no site coordinates (sites.csv missing from the results folder)")
        ax.set_axis_off()
        return _png(fig)
    s = sites.dropna(subset=["lat", "lon"]).copy()
    mw = stack.site_mw(tables).set_index("site")["mw"] if len(tables["capacity"]) else pd.Series(dtype=float)
    opened = stack.sites_opened(tables)
    first = dict(zip(opened["site"], opened["year"]))
    if "existing" in opened:  # DESIGN.md §7.7: a site with existing assets is open, marked existing
        first.update({r.site: f"{r.year}, existing" for r in opened.itertuples() if r.existing})
    s["mw"] = s["site"].map(mw).fillna(0.0)
    from .basemap import draw as draw_basemap  # coastlines and borders, offline

    draw_basemap(ax)
    idle = s[~s["site"].isin(first)]
    used = s[s["site"].isin(first)]
    ax.scatter(idle["lon"], idle["lat"], s=18, marker="x", color="#999", label="candidate, not opened")
    if len(used):
        size = 40 + 1200 * used["mw"] / max(float(used["mw"].max()), 1e-9)
        regions = sorted(s["region"].astype(str).unique())
        colors = [PALETTE[regions.index(str(r)) % len(PALETTE)] for r in used["region"]]
        ax.scatter(used["lon"], used["lat"], s=size, c=colors, alpha=0.55, edgecolors="k", linewidths=0.6)
        labels = [
            ax.text(r.lon, r.lat, f"{r.site}\n{r.mw:,.0f} MW, {first[r.site]}", fontsize=7) for r in used.itertuples()
        ]
        for reg in sorted(used["region"].astype(str).unique()):
            ax.scatter([], [], s=60, color=PALETTE[regions.index(reg) % len(PALETTE)], alpha=0.55, label=reg)
    pad_x = max(2.0, 0.08 * (s["lon"].max() - s["lon"].min()))
    pad_y = max(2.0, 0.08 * (s["lat"].max() - s["lat"].min()))
    ax.set_xlim(s["lon"].min() - pad_x, s["lon"].max() + 3 * pad_x)
    ax.set_ylim(s["lat"].min() - pad_y, s["lat"].max() + 2 * pad_y)
    if len(used):
        from adjustText import adjust_text  # labels moved apart so that none overlaps another

        adjust_text(
            labels,
            x=list(used["lon"]),
            y=list(used["lat"]),
            ax=ax,
            arrowprops={"arrowstyle": "-", "color": "#666", "lw": 0.5},
            ensure_inside_axes=True,
        )
    ax.set_xlabel("longitude (°)")
    ax.set_ylabel("latitude (°)")
    ax.set_title("Sites: size = peak MW of halls (label: MW, year opened)")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=7, frameon=True)
    return _png(fig)


PLOTS = {
    "mw_it_by_generation.png": ("MW IT by chip generation", lambda t, y: mw_by_generation(t, y)),
    "energy_by_source.png": ("Energy by source", lambda t, y: energy_by_source(t, y)),
    "capex_by_layer.png": ("Capital spending by layer", lambda t, y: capex_by_layer(t, y)),
    "cost_per_mtok_by_layer.png": ("Cost per million tokens by layer", lambda t, y: cost_per_mtok(t, y)),
    "sites_map.png": ("Sites", lambda t, y: sites_map(t)),
}


def all_plots(tables, summary) -> dict[str, bytes]:
    """File name (under plots/) -> PNG bytes, in report order."""
    years = stack.years_of(summary)
    return {name: fn(tables, years) for name, (_title, fn) in PLOTS.items()}
