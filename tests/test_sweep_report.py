"""sweep.html readable at a 1280×900 window (checked by eye in headless Chromium): the variants
table sits in its own scroll container (``div.scroll.sweep-variants``) without the error
column, long variant names break after their commas, the errors are a list below the table,
and every plot is at most 990 px wide (9 in at 110 dpi; the page's column is 1100 px) with
long labels cut to the part that holds the value."""

from __future__ import annotations

import struct

import pandas as pd
from builder import write_scenario

from planner.futures.report import LABEL_CHARS, label, write_report
from planner.futures.runner import COLUMNS
from planner.futures.spec import read_spec

LONG = "sites.s1.grid_price_usd_per_mwh"
ERROR = "sites.csv, row 2, column pue_adder: -5 is out of range"


def _png_width(data: bytes) -> int:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">I", data[16:20])[0]


def _sweep(tmp_path):
    write_scenario(tmp_path / "hand")
    p = tmp_path / "spec.toml"
    p.write_text(
        'base = "hand"\n[[variant]]\nname = "base"\n[[variant]]\nname = "broken"\n'
        'set = { "sites.s1.pue_adder" = -5 }\n'
        f'[grid]\n"end_year" = [2026]\n"discount_rate" = [0.04, 0.1]\n"{LONG}" = ["x0.5", 80]\n'
    )
    spec = read_spec(p)
    rows = []
    for i, v in enumerate(spec.variants):
        r = {c: None for c in COLUMNS}
        if v.name == "broken":
            r.update(variant=v.name, status="input_error", error=ERROR)
        else:
            r.update(variant=v.name, status="optimal", objective_usd=5e6 + i * 1e5, mip_gap=0.0, usd_per_mtok=0.5 + i)
            r.update(it_mw_last_year=1.0, tokens_served=1e13, co2_t=0.0, seconds=1.0, error="")
        rows.append(r)
    return spec, pd.DataFrame(rows, columns=COLUMNS)


def test_variants_table_is_in_its_own_scroll_container(tmp_path):
    spec, rows = _sweep(tmp_path)
    out = tmp_path / "out"
    write_report(out, spec, rows)
    html = (out / "sweep.html").read_text()
    start = html.index('<div class="scroll sweep-variants"><table>')
    end = html.index("</table></div>", start)
    table = html[start:end]
    assert html.count('class="scroll sweep-variants"') == 1
    assert ".sweep-variants td:first-child{white-space:normal" in html
    assert "<th" in table and ">error<" not in table and ERROR not in table
    # a grid name breaks after its commas, the table still holds it whole
    assert f"discount_rate=0.04,<wbr>{LONG}=x0.5" in table
    # the error is a list item below the table
    assert html.index(ERROR) > end and "<li><strong>broken</strong> (input_error): " + ERROR in html
    md = (out / "sweep.md").read_text()
    assert f"discount_rate=0.04,{LONG}=x0.5" in md and "<wbr>" not in md
    assert "- **broken** (input_error): " + ERROR in md
    for png in (out / "plots").glob("*.png"):
        assert _png_width(png.read_bytes()) <= 990, png.name


def test_plot_labels_keep_the_value():
    assert label("base") == "base"
    assert label(f"discount_rate=0.04,{LONG}=x0.5") == f"discount_rate=0.04\n{LONG}=x0.5"
    long = "sites.us_site_number_3_long_name.grid_price_usd_per_mwh=x0.5"  # 59 characters
    assert label(long) == "…" + long[-(LABEL_CHARS - 1) :]
    assert label(long).endswith("grid_price_usd_per_mwh=x0.5") and len(label(long)) == LABEL_CHARS


def test_no_sites_plot_when_no_variant_builds_a_hall(tmp_path):
    spec, rows = _sweep(tmp_path)  # no results folders: no site has hall MW
    write_report(tmp_path / "out", spec, rows)
    assert not (tmp_path / "out" / "plots" / "sweep_sites.png").exists()
    assert "No solved variant builds a hall at any site." in (tmp_path / "out" / "sweep.md").read_text()


def test_the_summary_says_which_plans_are_not_proven(tmp_path):
    """A variant stopped at its time limit counts as solved (it has a plan) but the summary
    names it, with the widest gap, apart from the optimal ones."""
    spec, rows = _sweep(tmp_path)
    write_report(tmp_path / "a", spec, rows)
    assert "5 solved (all optimal), 1 not solved." in (tmp_path / "a" / "sweep.md").read_text()
    short = rows["variant"] == rows["variant"].iloc[2]
    rows.loc[short, ["status", "mip_gap"]] = ["time_limit", 0.0129]
    write_report(tmp_path / "b", spec, rows)
    md = (tmp_path / "b" / "sweep.md").read_text()
    name = rows.loc[short, "variant"].iloc[0]
    assert f"5 solved: 4 optimal, 1 with a plan not proven within the requested gap (`{name}`, gap up to 1.29%" in md
