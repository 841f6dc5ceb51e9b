"""Turn the results tables into what a person reads: the terminal summary, report.md and
report.html (one self-contained file, plots embedded as base64 PNG).

Works from the tables and summary.json only (never the model), so ``planner report DIR``
re-renders a results folder without solving again. The report is built once as a list of
blocks (:class:`Doc`) and rendered to Markdown and to HTML from the same blocks.

Sections: executive summary; the five layers year by year (demand -> chips -> infrastructure
-> energy -> cost per million tokens by layer); investment schedule; marginal cost of a token
and binding limits (when marginal_costs.csv / binding_limits.csv are present); plots; notes.
"""

from __future__ import annotations

import base64
import html
import re

import pandas as pd

from . import provenance, resources, scope, stack
from .cfe import plots as cfe_plots
from .cfe import sections as cfe_sections
from .fleet import fleet_sentences
from .fmt import _mw, _pct, _span, _t, _tok, _usd
from .limits import sentences
from .objective import npc_shown, objective_sentences
from .plots import PLOTS, all_plots
from .stack import cost_per_mtok_by_layer
from .tiers import tier_section

LAYERS = stack.LAYERS


STAGES = ("load", "build", "handoff", "solve", "heuristic", "polish", "extract", "marginal", "write")


def stage_order(timings: dict) -> list[str]:
    """The stages of ``timings`` in pipeline order (summary.json stores them alphabetically);
    unknown names last, alphabetically."""
    rank = {k: i for i, k in enumerate(STAGES)}
    # the write stage is timed while the report is written: summary.json has it, the report not
    # (so a report re-rendered from the folder is the one written with the plan)
    return sorted((k for k in timings if k != "write"), key=lambda k: (rank.get(k, len(STAGES)), k))


def sites_opened(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return stack.sites_opened(tables)  # existing sites (DESIGN.md §7.7) included, marked existing


def summary_lines(tables: dict[str, pd.DataFrame], summary: dict) -> list[str]:
    """Plain-text summary lines (also used by the terminal output)."""
    years = list(range(summary["start_year"], summary["end_year"] + 1))
    lines = []
    gap = summary.get("mip_gap")
    lines.append(
        f"Scenario {summary['scenario']} {years[0]}-{years[-1]}: status {summary['status']}, "
        f"net present cost {_usd(summary['objective_usd'])} (real {summary['currency_year']} USD), "
        f"MIP gap {_pct(gap)} (asked {summary['mip_rel_gap_requested']:.2%})"
        if gap is not None
        else "MIP gap n/a"
    )
    t = summary.get("timings_s", {})
    lines.append("Timings: " + ", ".join(f"{k} {t[k]:.1f} s" for k in stage_order(t)))
    so = sites_opened(tables)
    if len(so):
        lines.append(
            "Sites opened: "
            + ", ".join(f"{r.site} ({r.year}{', existing' if r.existing else ''})" for r in so.itertuples())
        )
    else:
        lines.append("Sites opened: none")
    return lines


def chips_by_year(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Units installed and MW IT active per chip and year (columns year, chip, units, it_mw)."""
    c = tables["capacity"]
    if not len(c):
        return pd.DataFrame(columns=["year", "chip", "units", "it_mw"])
    return c.groupby(["year", "chip"], as_index=False).agg(units=("units_installed", "sum"), it_mw=("it_mw", "sum"))


def energy_mix(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """MWh per source and year (index year, columns tech)."""
    e = tables["energy"]
    if not len(e):
        return pd.DataFrame()
    return e.pivot_table(index="year", columns="tech", values="energy_mwh", aggfunc="sum").fillna(0.0)


class Doc:
    """An ordered list of blocks rendered to Markdown (:meth:`markdown`) and HTML (:meth:`html`).

    Blocks: ``("h", level, text)``, ``("p", text)``, ``("ul", [text])``,
    ``("table", header, rows, align)`` (cells already formatted), ``("img", file, title)``,
    ``("figs", [(file, title)])`` (plots side by side in HTML where the width allows) and
    ``("details", summary, [text])`` (a list collapsed under ``summary`` in HTML, a list under a
    bold lead-in in Markdown). Texts may use ``**bold**``.
    """

    def __init__(self):
        self.blocks: list[tuple] = []

    def h(self, text: str, level: int = 2) -> None:
        self.blocks.append(("h", level, text))

    def p(self, text: str) -> None:
        self.blocks.append(("p", text))

    def ul(self, items: list[str]) -> None:
        if items:
            self.blocks.append(("ul", list(items)))

    def table(self, header: list[str], rows: list[list[str]], align: str | None = None) -> None:
        """``align``: one letter per column, l or r (default: first left, others right)."""
        align = align or ("l" + "r" * (len(header) - 1))
        self.blocks.append(("table", [str(h) for h in header], [[str(c) for c in r] for r in rows], align))

    def frame(self, df: pd.DataFrame, fmt, index_name: str | None = None) -> None:
        """A DataFrame as a table: the index is the first column; ``fmt`` formats each cell."""
        header = [index_name or (df.index.name or "")] + [str(c) for c in df.columns]
        rows = [[str(i)] + ["–" if pd.isna(v) else fmt(v) for v in r] for i, r in zip(df.index, df.to_numpy())]
        self.table(header, rows)

    def img(self, file: str, title: str) -> None:
        self.blocks.append(("img", file, title))

    def figs(self, plots: list[tuple[str, str]]) -> None:
        """Plots ``(file, title)`` in one row (HTML wraps them on a narrow window)."""
        if plots:
            self.blocks.append(("figs", list(plots)))

    def details(self, summary: str, items: list[str]) -> None:
        """A list shown collapsed under ``summary`` in HTML (``<details>``)."""
        if items:
            self.blocks.append(("details", summary, list(items)))

    def markdown(self) -> str:
        out: list[str] = []
        for b in self.blocks:
            kind = b[0]
            if kind == "h":
                out += ["#" * b[1] + " " + b[2], ""]
            elif kind == "p":
                out += [b[1], ""]
            elif kind == "ul":
                out += [f"- {x}" for x in b[1]] + [""]
            elif kind == "table":
                _, header, rows, align = b
                out.append("| " + " | ".join(_md_cell(h) for h in header) + " |")
                out.append("|" + "|".join("---:" if a == "r" else "---" for a in align) + "|")
                out += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in rows]
                out.append("")
            elif kind == "img":
                out += [f"![{b[2]}](plots/{b[1]})", ""]
            elif kind == "figs":
                out += [" ".join(f"![{t}](plots/{f})" for f, t in b[1]), ""]
            elif kind == "details":
                out += [f"**{b[1]}**", ""] + [f"- {x}" for x in b[2]] + [""]
        return "\n".join(out).rstrip("\n") + "\n"

    def html(self, images: dict[str, bytes] | None = None, title: str = "Buildout plan") -> str:
        images = images or {}
        out = [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{html.escape(title)}</title>",
            f"<style>{CSS}</style></head><body>",
        ]
        for b in self.blocks:
            kind = b[0]
            if kind == "h":
                out.append(f"<h{b[1]}>{_inline(b[2])}</h{b[1]}>")
            elif kind == "p":
                out.append(f"<p>{_inline(b[1])}</p>")
            elif kind == "ul":
                out.append("<ul>" + "".join(f"<li>{_inline(x)}</li>" for x in b[1]) + "</ul>")
            elif kind == "table":
                _, header, rows, align = b
                cls = ["num" if a == "r" else "" for a in align]
                t = ["<table><thead><tr>"]
                t += [f'<th class="{c}">{_inline(h)}</th>' for h, c in zip(header, cls)]
                t.append("</tr></thead><tbody>")
                for r in rows:
                    t.append("<tr>" + "".join(f'<td class="{c}">{_inline(v)}</td>' for v, c in zip(r, cls)) + "</tr>")
                t.append("</tbody></table>")
                out.append('<div class="scroll">' + "".join(t) + "</div>")
            elif kind == "img":
                out.append(_figure(images, b[1], b[2]))
            elif kind == "figs":
                out.append('<div class="figs">' + "".join(_figure(images, f, t) for f, t in b[1]) + "</div>")
            elif kind == "details":
                out.append(
                    f"<details><summary>{_inline(b[1])}</summary><ul>"
                    + "".join(f"<li>{_inline(x)}</li>" for x in b[2])
                    + "</ul></details>"
                )
        out.append("</body></html>")
        return "\n".join(out) + "\n"


CSS = (
    "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;"
    "padding:0 1em;color:#222;line-height:1.45}"
    "h1{border-bottom:2px solid #4c72b0;padding-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #ddd}"
    "table{border-collapse:collapse;font-size:.85em;margin:.6em 0}"
    "th,td{border:1px solid #ddd;padding:.25em .55em;white-space:nowrap}th{background:#f3f5f9}"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}tbody tr:nth-child(even){background:#fafafa}"
    ".scroll{overflow-x:auto}figure{margin:1em 0}figure img{max-width:100%;border:1px solid #eee}"
    "figcaption{font-size:.85em;color:#555}"
    # the first screen holds the answer and the headline plots
    "body{margin-top:1em}h1{font-size:1.7em;margin:.3em 0 .5em}h2{margin-top:1.2em}"
    ".figs{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}"
    ".figs figure{flex:1 1 420px;max-width:calc(50% - .5em);margin:.4em 0;min-width:0}"
    "@media (max-width:900px){.figs figure{max-width:100%}}"
    "details{margin:.4em 0 .8em}summary{cursor:pointer;color:#335;font-weight:600}"
    "ul{margin:.4em 0}"
)


def _figure(images: dict[str, bytes], file: str, title: str) -> str:
    """One plot as an HTML <figure> with the PNG embedded (a note when it is missing)."""
    data = images.get(file)
    if data is None:
        return f"<p><em>plot {html.escape(file)} missing</em></p>"
    src = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    t = html.escape(title)
    return f'<figure><img alt="{t}" src="{src}"><figcaption>{t}</figcaption></figure>'


def _md_cell(x: str) -> str:
    return str(x).replace("|", "\\|").replace("\n", " ")


def _inline(text: str) -> str:
    t = html.escape(str(text))
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", t)


# ---------------------------------------------------------------- the report


def build_report(tables: dict[str, pd.DataFrame], summary: dict) -> Doc:
    """The report as a :class:`Doc` (see the module docstring for its sections)."""
    years = stack.years_of(summary)
    doc = Doc()
    span = str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"
    doc.h(f"Buildout plan — {summary['scenario']} ({span})", 1)
    provenance.section(doc, summary)  # where it came from
    scope.section(doc, tables, summary)  # what the plan covers
    _executive_summary(doc, tables, summary, years)  # the answer: headline numbers and plots
    _plots(doc)
    _layers(doc, tables, summary, years)  # the tables
    cfe_sections(doc, tables, summary, years)  # §7.3 24/7 CFE, §7.5 sovereign AI
    resources.section(doc, tables, summary, years)  # DESIGN.md §7.1, §7.2, §7.4
    doc.h("Appendix")
    _investments(doc, tables, years)
    _marginals(doc, tables, summary, years)
    tier_section(doc, tables, years)
    _notes(doc, summary)
    return doc


# the plots shown with the headline numbers, on the first screen: what to build by year, and where
HEADLINE_PLOTS = ("mw_it_by_generation.png", "sites_map.png")


def _plots(doc: Doc) -> None:
    """The plots not shown with the headline numbers, two to a row."""
    doc.h("Plots")
    rest = [(name, title) for name, (title, _fn) in PLOTS.items() if name not in HEADLINE_PLOTS]
    for i in range(0, len(rest), 2):
        doc.figs(rest[i : i + 2])


FAR_FROM_OPTIMAL = 0.5  # a gap from which the report warns not to act on the plan


def _executive_summary(doc: Doc, tables, summary, years) -> None:
    doc.h("Executive summary")
    gap = summary.get("mip_gap")
    items = []  # the headline numbers, above the headline plots
    more = []  # the rest of the answer, below them (collapsed in HTML)
    status = f"Status **{summary['status']}**"
    if gap is not None:
        status += f"; the plan is within {_pct(gap)} of optimal (asked {summary.get('mip_rel_gap_requested', 0):.2%})"
    items.append(status + ".")
    items += objective_sentences(summary)  # DESIGN.md §7.6
    for line in fleet_sentences(tables, summary):  # DESIGN.md §7.7; the idle units' details go below
        (more if line.startswith("Existing units retired early") else items).append(line)
    if gap is not None and gap >= FAR_FROM_OPTIMAL:
        items.append(
            f"**This plan is far from optimal** ({gap:.0%} from the best bound the solver proved): the solver "
            "stopped before it found a good plan. Do not act on it; solve again with a longer `--time-limit`."
        )
    tot = summary.get("totals_usd_discounted", {})
    items.append(
        f"Net present cost **{_usd(npc_shown(summary) or 0.0)}** "
        f"(real {summary['currency_year']} USD, discounted to {years[0]}): "
        + ", ".join(f"{k} {_usd(tot[k])}" for k in LAYERS if tot.get(k))
        + "."
    )
    inf = stack.infrastructure_by_year(tables, years)
    hall_cols = [c for c in inf.columns if c.startswith("hall_mw_")]
    last = years[-1]
    if hall_cols:
        hall_last = float(inf.loc[last, hall_cols].sum())
        cooling = ", ".join(f"{c[8:]} {_mw(inf.loc[last, c])}" for c in hall_cols if inf.loc[last, c] > 0)
        txt = f"MW built: **{_mw(hall_last)} of data halls** in service in {last} ({cooling})"
        if "it_mw" in inf:
            txt += f"; peak chips powered on {_mw(float(inf['it_mw'].max()))} IT"
        if "facility_mw" in inf:
            txt += f", average facility draw {_mw(float(inf.loc[last, 'facility_mw']))} in {last}"
        items.append(txt + ".")
    so = stack.sites_opened(tables)
    names = _site_names(tables)
    if len(so):
        items.append(
            "Sites opened, in order: "
            + "; ".join(
                f"{y} " + ", ".join(f"{r.site}{' (existing)' if r.existing else ''}" for r in g.itertuples())
                for y, g in so.groupby("year", sort=True)
            )  # one line; the names are below
            + "."
        )
        more.append(
            "Sites opened, in order: "
            + "; ".join(
                f"{r.year} {names.get(r.site, r.site)}{' (existing)' if r.existing else ''}" for r in so.itertuples()
            )
            + "."
        )
    else:
        items.append("No site is opened.")
    gp = stack.generation_pivot(tables, years, "it_mw")
    if gp.shape[1]:
        gens = []
        for g in gp.columns:
            ys = [y for y in years if gp.loc[y, g] > 1e-6]
            if ys:
                gens.append(f"{g} ({_span(ys)}, peak {_mw(float(gp[g].max()))} IT)")
        more.append("Chip generations over time: " + " → ".join(gens) + ".")
    em = stack.energy_by_source(tables, years)
    if em.shape[1]:

        def mix(y):
            tot = float(em.loc[y].sum())
            if tot <= 0:
                return "none"
            return ", ".join(f"{k} {v / tot:.0%}" for k, v in em.loc[y].sort_values(ascending=False).items() if v > 0)

        one = len(years) == 1  # a one-year horizon says each fact once
        items.append(
            f"Energy mix: {last} {mix(last)}."
            if one
            else f"Energy mix: {years[0]} {mix(years[0])}; {last} {mix(last)}."
        )
    co2 = stack.co2_by_year(tables, years)
    if len(years) == 1:
        items.append(f"CO2: {_t(float(co2.loc[last]))} in {last}.")
    else:
        items.append(f"CO2: {_t(float(co2.sum()))} over the horizon, {_t(float(co2.loc[last]))} in {last}.")
    un = tables["unserved"]
    tot_un = float(un["tokens"].sum()) if len(un) else 0.0
    if tot_un > 0:
        by = un.groupby("year")["tokens"].sum()
        items.append(
            f"Unserved demand: **{_tok(tot_un)}** ("
            + ", ".join(f"{y} {_tok(v)}" for y, v in by.items())
            + (
                "), at the penalty of the scenario."
                if summary.get("objective", "cost") == "cost"
                else "); demand is a ceiling in this objective, so unserved tokens carry no penalty."  # §7.6
            )
        )
        from .unserved import unserved_reasons  # why it stays unserved

        more += unserved_reasons(tables, names)[:4]
        gap = summary.get("mip_gap")
        cost = tables["costs"]
        penalty = float(cost.loc[cost["component"] == "unserved_penalty", "usd_discounted"].sum())
        if gap and gap > 0 and 0 < penalty <= gap * float(summary["objective_usd"]):
            # a plan within x % of the optimum may leave demand unserved that the optimum serves
            more.append(
                f"Its penalty ({_money(penalty)} discounted) is within the plan's optimality gap "
                f"({_pct(gap)}, {_money(gap * float(summary['objective_usd']))}): a plan closer to the "
                "optimum may serve it; "
                + (
                    "a longer `--time-limit` may find it."
                    if summary.get("status") == "time_limit"
                    else "solve with a smaller `--mip-gap` to find out."
                )
            )
    else:
        items.append("Unserved demand: none — all demand is served.")
    from .served import headline  # the penalty is not a cost of serving

    served = headline(tables, years)
    items += [x for x in served if x.startswith("Average cost")]  # the cost per million tokens served
    more += [x for x in served if not x.startswith("Average cost")]  # the penalty on its own
    mc = tables.get("marginal_costs")
    if mc is not None and len(mc) and mc["usd_per_mtok_long_run"].notna().any():
        lr = mc["usd_per_mtok_long_run"].dropna()
        same = _money(lr.min()) == _money(lr.max())
        more.append(
            f"Marginal cost of one more million tokens (long run, capacity can grow): {_money(lr.min())}"
            + ("." if same else f"–{_money(lr.max())} depending on region, model and year.")
        )
    bl = tables.get("binding_limits")
    if bl is not None and len(bl):
        more += sentences(bl, names)[:3]
    doc.ul(items)
    doc.figs([(name, PLOTS[name][0]) for name in HEADLINE_PLOTS if name in PLOTS])
    doc.details(f"More of the answer ({len(more)} more line{'s' if len(more) != 1 else ''})", more)


def _money(x: float) -> str:
    if pd.isna(x):
        return "–"
    a = abs(x)
    if a >= 1e6:
        return _usd(x)
    if a >= 100:
        return f"${x:,.0f}"
    if a >= 1:
        return f"${x:,.2f}"
    return f"${x:,.4f}"


def _site_names(tables) -> dict[str, str]:
    s = tables.get("sites")
    if s is None or not len(s):
        return {}
    return {r.site: f"{r.site} ({r.name})" if isinstance(r.name, str) and r.name else r.site for r in s.itertuples()}


def _layers(doc: Doc, tables, summary, years) -> None:
    doc.h("The five layers, year by year")
    doc.p(
        "Walking the stack down from what is asked for to what it takes: tokens (demand) → chips → "
        "infrastructure (sites, halls, cooling) → energy, then the cost each layer adds per million tokens served."
    )
    # 1. demand
    doc.h("Demand: tokens by region and model (served + unserved)", 3)
    dm = stack.demand_by_year(tables)
    if len(dm):
        pr = dm.pivot_table(index="year", columns="region", values="demand", aggfunc="sum").reindex(years).fillna(0)
        pr["total"] = pr.sum(axis=1)
        uy = dm.groupby("year")["unserved"].sum().reindex(years).fillna(0)
        pr["unserved"] = uy
        doc.frame(pr, _tok, "year")
        pm = dm.pivot_table(index="year", columns="model", values="demand", aggfunc="sum").reindex(years).fillna(0)
        doc.frame(pm, _tok, "year")
    else:
        doc.p("No demand.")
    # 2. chips
    doc.h("Chips: MW IT powered on (units installed) by generation", 3)
    mw = stack.generation_pivot(tables, years, "it_mw")
    un = stack.generation_pivot(tables, years, "units_installed")
    if mw.shape[1]:
        header = ["year"] + list(mw.columns) + ["total"]
        rows = []
        for y in years:
            cells = [
                f"{_mw(mw.loc[y, g])} ({un.loc[y, g]:,.0f})" if un.loc[y, g] > 0 or mw.loc[y, g] > 0 else ""
                for g in mw.columns
            ]
            rows.append([str(y)] + cells + [_mw(float(mw.loc[y].sum()))])
        doc.table(header, rows)
        cb = chips_by_year(tables)
        gens = ", ".join(
            f"{c} → {stack.generation_of(c)}"
            for c in sorted(cb["chip"].unique(), key=lambda c: (stack.generation_sort_key(stack.generation_of(c)), c))
        )
        doc.p(f"Chips in each generation: {gens}.")
    else:
        doc.p("No chips are installed.")
    # 3. infrastructure
    doc.h("Infrastructure: sites, data halls by cooling, MW", 3)
    inf = stack.infrastructure_by_year(tables, years)
    header = ["year", "sites open"]
    cols = ["sites_open"]
    for c in inf.columns:
        if c.startswith("hall_mw_"):
            header.append(f"halls {c[8:]}")
            cols.append(c)
    for c, h in (("it_mw", "MW IT powered on"), ("facility_mw", "MW facility (avg draw)")):
        if c in inf.columns:
            header.append(h)
            cols.append(c)
    rows = [[str(y)] + [f"{inf.loc[y, 'sites_open']:,}"] + [_mw(float(inf.loc[y, c])) for c in cols[1:]] for y in years]
    doc.table(header, rows)
    if "facility_mw" in cols:
        doc.p(scope.FACILITY_NOTE)
    # 4. energy
    doc.h("Energy: GWh by source and CO2", 3)
    em = stack.energy_by_source(tables, years)
    if em.shape[1]:
        header = ["year"] + [str(c) for c in em.columns] + ["total GWh", "CO2"]
        co2 = stack.co2_by_year(tables, years)
        rows = [
            [str(y)] + [f"{v / 1e3:,.1f}" for v in em.loc[y]] + [f"{em.loc[y].sum() / 1e3:,.1f}", _t(float(co2.loc[y]))]
            for y in years
        ]
        doc.table(header, rows)
    else:
        doc.p("No energy is used.")
    # 5. cost per million tokens
    doc.h("Cost per million tokens served, by layer (undiscounted USD of each year)", 3)
    cpm = cost_per_mtok_by_layer(tables, years)
    doc.frame(cpm, lambda v: f"{v:,.4f}", "year")
    doc.p(
        "Each year's costs (costs.csv: annualised capital in service, fixed O&M, running costs, network and "
        "penalties) divided by the tokens served that year; the layers add up exactly to the total."
    )


def _investments(doc: Doc, tables, years) -> None:
    doc.h("Investment schedule (cash, undiscounted, in the build year)")
    inv = tables["investment_schedule"]
    if not len(inv):
        doc.p("Nothing is built.")
        return
    cl = stack.capex_by_layer(tables, years)
    cl["total"] = cl.sum(axis=1)
    doc.frame(cl, lambda v: _usd(v) if v else "", "year")
    before = sorted({int(y) for y in inv["year"] if int(y) < years[0]})  # existing assets built before the horizon
    for y in before + list(years):
        g = inv[inv["year"] == y]
        if not len(g):
            continue
        doc.h(f"{y}: {_usd(float(g['capex_usd'].sum()))}{' (existing)' if y < years[0] else ''}", 3)
        rows = [[r.site, r.layer, r.item, scope.qty(r.quantity, r.unit), _usd(r.capex_usd)] for r in g.itertuples()]
        doc.table(["site", "layer", "item", "quantity", "capex"], rows, "lllrr")


def _marginals(doc: Doc, tables, summary, years) -> None:
    mc = tables.get("marginal_costs")
    bl = tables.get("binding_limits")
    if mc is None and bl is None:
        return
    doc.h("Marginal cost of a token")
    if mc is not None and len(mc):
        doc.p(
            "USD per million tokens of one more token of demand, from the duals of the token balance of a linear "
            "re-solve of the plan (undiscounted, money of each year). **Long run**: the sites stay as planned but "
            "halls, chips and power can grow in small steps, so it includes the chip and hall annuities. "
            "**Short run**: every integer decision is fixed as planned: where chips have spare units it is only "
            "the energy and network of serving, where the fleet is full it is the unserved penalty."
        )
        for col, label in (("usd_per_mtok_long_run", "Long run"), ("usd_per_mtok", "Short run")):
            if mc[col].notna().any():
                keys = ["region", "model"] + (["tier"] if "tier" in mc.columns else [])
                pv = mc.pivot_table(index=keys, columns="year", values=col, aggfunc="first")
                pv.index = [" / ".join(map(str, k)) for k in pv.index]
                pv.index.name = f"{label}: {' / '.join(keys)}"
                doc.frame(pv, _money)
    doc.h("Binding limits")
    if bl is None or not len(bl):
        doc.p("No grid interconnect, site capacity, chip supply, carbon cap or onsite power limit binds.")
        return

    doc.ul(sentences(bl, _site_names(tables)))
    rows = [
        [r.limit, str(r.item), str(r.year), _money(r.shadow_price), r.unit, r.basis.replace("_", " ")]
        for r in bl.itertuples()
    ]
    if "cost_one_less" in bl.columns:  # one more saves / one less costs / holds for
        from .limits import holds_text

        per = {"carbon_cap": "t"}
        for row, r in zip(rows, bl.itertuples(), strict=True):
            row[4:4] = [
                _money(r.cost_one_less) if r.cost_one_less == r.cost_one_less else "",
                holds_text(r.holds_for, per.get(r.limit, r.unit.split(" per ")[-1].split("-")[0])),
            ]
        doc.table(
            ["limit", "site / chip", "year", "one more saves", "one less costs", "price holds for", "unit", "basis"],
            rows,
            "llrrrrll",
        )
        return
    doc.table(["limit", "site / chip", "year", "shadow price", "unit", "basis"], rows, "llrrll")


def _notes(doc: Doc, summary) -> None:
    doc.h("Notes")
    items = [
        "Capital is annualised with the capital recovery factor and counted only inside the horizon: an asset bought "
        "in the last year costs one year of annuity, and there is no salvage value.",
        "Money is real USD of the scenario's currency year; the net present cost is discounted at the scenario's "
        "discount rate; the investment schedule is cash in the build year, undiscounted.",
    ]
    t = summary.get("timings_s", {})
    if t:
        items.append("Seconds per stage: " + ", ".join(f"{k} {t[k]:.1f}" for k in stage_order(t)) + ".")
    doc.ul(items)
    w = summary.get("warnings", [])
    if w:
        doc.h("Input warnings")
        doc.ul(w)


def render_markdown(tables: dict[str, pd.DataFrame], summary: dict) -> str:
    """report.md: the report with the plots linked from plots/."""
    return build_report(tables, summary).markdown()


def render_html(tables: dict[str, pd.DataFrame], summary: dict, images: dict[str, bytes] | None = None) -> str:
    """report.html: one file, the plots embedded as base64 PNG (rendered here unless given)."""
    if images is None:
        images = all_plots(tables, summary)
        images.update(cfe_plots(tables, summary))  # §7.3 cfe_score.png
        images.update(resources.plots(tables, summary))  # DESIGN.md §7.1, §7.2
    return build_report(tables, summary).html(images, title=f"Buildout plan — {summary['scenario']}")


def report_files(tables: dict[str, pd.DataFrame], summary: dict) -> dict[str, str | bytes]:
    """Every report file of a results folder: report.md, report.html and plots/*.png."""

    images = all_plots(tables, summary)
    images.update(cfe_plots(tables, summary))  # §7.3 cfe_score.png
    images.update(resources.plots(tables, summary))  # DESIGN.md §7.1, §7.2
    doc = build_report(tables, summary)
    files: dict[str, str | bytes] = {"report.md": doc.markdown()}
    files["report.html"] = doc.html(images, title=f"Buildout plan — {summary['scenario']}")
    files.update({f"plots/{k}": v for k, v in images.items()})
    return files
