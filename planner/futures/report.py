"""``sweep.md`` and ``sweep.html`` of a sweep folder, with plots (DESIGN.md §7.8):

- ``plots/sweep_npc.png``: net present cost and levelised cost per million tokens by variant;
- ``plots/sweep_tornado.png``: for the variants that change one thing, the change in net
  present cost from the base variant (the one that changes nothing), largest swing on top;
- ``plots/sweep_sites.png``: peak hall MW by site (columns) and variant (rows): which sites
  every future opens.

Works from ``sweep.csv`` and the variants' results folders only.

Read at 1280×900: the variants table leaves the error column out (the variants not solved
and their errors are a list below it), sits in a scroll container of its own
(``div.scroll.sweep-variants``) and wraps long variant names; the plots label a long variant
name or key by its parts (split at commas, each cut to its last :data:`LABEL_CHARS`
characters, where the value is).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..io.results import write_files
from ..reporting.fmt import _usd
from ..reporting.plots import _fig, _png
from ..reporting.report import Doc
from .runner import SOLVED

LABEL_CHARS = 48
# the variants table's own rules (Doc's tables never wrap a cell): long variant names wrap
SWEEP_CSS = (
    ".sweep-variants td:first-child{white-space:normal;overflow-wrap:break-word;min-width:12em;max-width:26em}"
    ".sweep-variants{max-width:100%}"
)


def label(text: str, width: int = LABEL_CHARS) -> str:
    """A plot label for a variant name or key: one line per comma-separated part, a part
    longer than ``width`` characters cut to "…" and its last ``width - 1`` (the value is at
    the end: ``…grid_price_usd_per_mwh=x0.5``)."""
    parts = [p if len(p) <= width else "…" + p[-(width - 1) :] for p in str(text).split(",")]
    return "\n".join(parts)


def _lines(labels: list[str]) -> int:
    return sum(x.count("\n") + 1 for x in labels)


def _sweep_html(doc: Doc, images: dict[str, bytes], title: str) -> str:
    """``doc`` as HTML with the variants table (the page's first table) in
    ``div.scroll.sweep-variants`` and :data:`SWEEP_CSS`."""
    text = doc.html(images, title=title)
    start = text.find('<div class="scroll"><table>')
    if start < 0:
        return text
    end = text.find("</table></div>", start)
    table = text[start:end].replace('<div class="scroll">', '<div class="scroll sweep-variants">', 1)
    # a variant name may break after each comma of key=value,key=value
    table = re.sub(r'(<tr><td class="">)([^<]*)(</td>)', lambda mt: mt[1] + mt[2].replace(",", ",<wbr>") + mt[3], table)
    text = text[:start] + table + text[end:]
    return text.replace("</style>", SWEEP_CSS + "</style>", 1)


def site_mw(folder: Path) -> pd.Series:
    """Peak hall MW per site over the horizon of one results folder (MW IT of active units
    when it has no infrastructure.csv)."""
    inf = folder / "infrastructure.csv"
    if inf.is_file():
        t = pd.read_csv(inf, keep_default_na=False, na_values=[""], dtype={"site": str})
        if len(t):
            return t.groupby(["site", "year"])["hall_mw"].sum().groupby("site").max()
    cap = folder / "capacity.csv"
    if cap.is_file():
        t = pd.read_csv(cap, keep_default_na=False, na_values=[""], dtype={"site": str})
        if len(t):
            return t.groupby(["site", "year"])["it_mw"].sum().groupby("site").max()
    return pd.Series(dtype=float)


def sites_matrix(out: Path, spec, rows: pd.DataFrame) -> pd.DataFrame:
    """variants (solved ones, spec order) x sites: peak hall MW (0 where a site is not used)."""
    ok = rows[rows["status"].isin(SOLVED)]
    cols = {}
    for v in spec.variants:
        if v.name in set(ok["variant"]):
            cols[v.name] = site_mw(out / v.folder_name)
    if not cols:
        return pd.DataFrame()
    return pd.DataFrame(cols).T.fillna(0.0).sort_index(axis=1)


def tornado(spec, rows: pd.DataFrame) -> tuple[str | None, pd.DataFrame]:
    """(base variant name, frame key -> low, high: NPC change in USD from the base) for the
    one-at-a-time variants (one set key, or only a demand file). None when no variant
    changes nothing."""
    ok = rows[rows["status"].isin(SOLVED)].set_index("variant")["objective_usd"]
    base = next((v.name for v in spec.variants if not v.changes and v.demand is None and v.name in ok.index), None)
    if base is None:
        return None, pd.DataFrame(columns=["low", "high"])
    swings: dict[str, list[float]] = {}
    for v in spec.variants:
        if v.name not in ok.index or v.name == base:
            continue
        if len(v.changes) == 1 and v.demand is None:
            what = v.changes[0].key
        elif not v.changes and v.demand is not None:
            what = "demand"
        else:
            continue
        swings.setdefault(what, []).append(float(ok[v.name] - ok[base]))
    df = pd.DataFrame({k: [min(0.0, *x), max(0.0, *x)] for k, x in swings.items()}, index=["low", "high"]).T
    if len(df):
        df = df.assign(span=df["high"] - df["low"]).sort_values("span").drop(columns="span")
    return base, df


def _plot_npc(rows: pd.DataFrame) -> bytes:
    ok = rows[rows["status"].isin(SOLVED)]
    names = [label(v) for v in ok["variant"]]
    fig = _fig(9.0, 2.4 + 0.22 * _lines(names) + 0.1 * len(ok))
    ax1, ax2 = fig.subplots(1, 2, sharey=True)
    y = np.arange(len(ok))
    ax1.barh(y, ok["objective_usd"].astype(float) / 1e9, color="#4c72b0")
    ax1.set_yticks(y, names, fontsize=8)
    ax1.invert_yaxis()
    ax1.set_xlabel("net present cost (billion USD)")
    ax2.barh(y, ok["usd_per_mtok"].astype(float), color="#dd8452")
    ax2.set_xlabel("levelised USD per million tokens")
    for ax in (ax1, ax2):
        ax.grid(axis="x", alpha=0.3)
    return _png(fig)


def _plot_tornado(base: str, tor: pd.DataFrame) -> bytes:
    names = [label(k) for k in tor.index]
    fig = _fig(9.0, 1.6 + 0.25 * _lines(names) + 0.15 * len(tor))
    ax = fig.subplots()
    y = np.arange(len(tor))
    ax.barh(y, tor["high"] / 1e9, color="#c44e52", label="higher cost")
    ax.barh(y, tor["low"] / 1e9, color="#55a868", label="lower cost")
    ax.set_yticks(y, names, fontsize=8)
    ax.axvline(0, color="#222", lw=0.8)
    ax.set_xlabel(f"change in net present cost from {label(base)} (billion USD)".replace("\n", ","))
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)


def _plot_sites(mat: pd.DataFrame) -> bytes:
    names = [label(v) for v in mat.index]
    # at most 9 inches wide (990 px at 110 dpi): the page's column at 1280 px holds it
    fig = _fig(min(9.0, max(6.0, 1.2 + 0.45 * mat.shape[1])), 1.8 + 0.2 * _lines(names) + 0.1 * mat.shape[0])
    ax = fig.subplots()
    im = ax.imshow(mat.to_numpy(dtype=float), aspect="auto", cmap="Blues")
    ax.set_xticks(np.arange(mat.shape[1]), mat.columns.tolist(), rotation=60, ha="right", fontsize=7)
    ax.set_yticks(np.arange(mat.shape[0]), names, fontsize=7)
    fig.colorbar(im, ax=ax, label="peak hall MW")
    return _png(fig)


def _num(x, fmt) -> str:
    return "–" if x is None or pd.isna(x) else fmt(float(x))


def _solved_words(ok: pd.DataFrame) -> str:
    """ "N solved" and, when some of them stopped short of the requested gap, how many and
    the widest gap, with how to plan them again: a rerun skips every finished variant."""
    short = ok[ok["status"] != "optimal"]
    if short.empty:
        return f"{len(ok)} solved (all optimal)"
    gaps = pd.to_numeric(short["mip_gap"], errors="coerce")
    widest = f", gap up to {gaps.max():.2%}" if gaps.notna().any() else ""
    names = ", ".join(f"`{v}`" for v in short["variant"])
    return (
        f"{len(ok)} solved: {len(ok) - len(short)} optimal, {len(short)} with a plan not proven within "
        f"the requested gap ({names}{widest}; to plan one again, e.g. with a longer "
        "`solver.time_limit_s`, delete `_inputs/<its folder>.json` and rerun the sweep)"
    )


def write_report(out: Path, spec, rows: pd.DataFrame) -> list[Path]:
    """Write sweep.md, sweep.html and plots/ into the sweep folder ``out``; returns them."""
    doc = Doc()
    ok = rows[rows["status"].isin(SOLVED)]
    failed = rows[~rows["status"].isin(SOLVED)]
    doc.h(f"Sweep {spec.name}: {len(rows)} variants of {spec.base.name}", 1)
    doc.p(
        f"{_solved_words(ok)}, {len(failed)} not solved. Each variant's results folder is `{out.name}/<variant>/`, "
        f"planned from the scenario folder `{out.name}/_inputs/<variant>/` (what `planner solve` would plan). "
        "Net present cost includes the unserved penalty; cost per million tokens is levelised "
        "(discounted cost without the penalty / discounted tokens served)."
    )
    table = []
    for r in rows.itertuples():
        table.append(
            [
                r.variant,
                r.status,
                _num(r.objective_usd, _usd),
                _num(r.mip_gap, lambda x: f"{x:.2%}"),
                _num(r.usd_per_mtok, lambda x: f"${x:,.3f}"),
                _num(r.it_mw_last_year, lambda x: f"{x:,.0f}"),
                _num(r.tokens_served, lambda x: f"{x / 1e15:,.1f}"),
                _num(r.co2_t, lambda x: f"{x / 1e6:,.2f}"),
                _num(r.seconds, lambda x: f"{x:,.1f}"),
            ]
        )
    doc.h("Variants", 2)
    doc.table(
        ["variant", "status", "NPC", "gap", "USD/Mtok", "MW IT last year", "Ptok served", "Mt CO2", "s"],
        table,
        align="llrrrrrrr",
    )
    if len(failed):  # the errors below the table, where a long sentence can wrap
        doc.p(f"Not solved ({len(failed)}; sweep.csv's error column has each error in full):")
        doc.ul([f"**{r.variant}** ({r.status}): {str(r.error or '')[:300]}" for r in failed.itertuples()])
    images: dict[str, bytes] = {}
    if len(ok):
        images["sweep_npc.png"] = _plot_npc(rows)
        doc.img("sweep_npc.png", "Net present cost and cost per million tokens by variant")
    base, tor = tornado(spec, rows)
    doc.h("What moves the cost (one change at a time)", 2)
    if base is None:
        doc.p(
            "No tornado chart: the spec has no variant that changes nothing. Add "
            '`[[variant]]` with `name = "base"` and nothing else to measure each change against it.'
        )
    elif not len(tor):
        doc.p("No variant changes exactly one thing, so there is nothing to rank.")
    else:
        images["sweep_tornado.png"] = _plot_tornado(base, tor)
        doc.img("sweep_tornado.png", f"Change in net present cost from {base}, one change at a time")
        doc.table(
            ["change", "lowest", "highest"],
            [[k, _usd(r.low), _usd(r.high)] for k, r in tor.iloc[::-1].iterrows()],
        )
    mat = sites_matrix(out, spec, rows)
    doc.h("Sites across futures", 2)
    if len(mat) and mat.shape[1]:
        images["sweep_sites.png"] = _plot_sites(mat)
        doc.img("sweep_sites.png", "Peak hall MW by site and variant")
        every = [s for s in mat.columns if (mat[s] > 0).all()]
        some = [s for s in mat.columns if (mat[s] > 0).any() and s not in every]
        never = [s for s in mat.columns if not (mat[s] > 0).any()]
        doc.ul(
            [
                f"Opened in every future: {', '.join(every) or 'none'}.",
                f"Opened in some futures: {', '.join(f'{s} ({int((mat[s] > 0).sum())}/{len(mat)})' for s in some) or 'none'}.",
            ]
            + ([f"Used by no future (of those listed): {', '.join(never)}."] if never else [])
        )
    elif len(mat):
        doc.p("No solved variant builds a hall at any site.")
    else:
        doc.p("No variant was solved.")
    files: dict[str, str | bytes] = {f"plots/{k}": v for k, v in images.items()}
    files["sweep.md"] = doc.markdown()
    files["sweep.html"] = _sweep_html(doc, images, title=f"Sweep {spec.name}")
    write_files(out, files)
    return [out / k for k in files]
