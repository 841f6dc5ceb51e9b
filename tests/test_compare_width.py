"""`planner compare A B C D` piped to an 80-column terminal: one line per plan, no cell wrapped
("$8.83 / bn" on two lines) or cut short."""

from __future__ import annotations

import json
import shutil

from builder import write_scenario
from click.testing import CliRunner

from planner import cli
from planner.cli import main
from planner.reporting.compare_many import tok_short


def test_four_plans_fit_an_80_column_terminal(tmp_path, monkeypatch):
    scn = write_scenario(tmp_path / "scn")
    a = tmp_path / "a"
    r = CliRunner().invoke(main, ["solve", str(scn), "--out", str(a), "--quiet", "--no-marginals"])
    assert r.exit_code == 0, r.output
    s = json.loads((a / "summary.json").read_text())
    s["objective_usd"], s["mip_gap"] = 8.83e9, 0.01  # a world-sized NPC: "$8.83 bn"
    (a / "summary.json").write_text(json.dumps(s))
    plans = [a]
    for name, d_usd, gap in (("b", 0.0, 0.01), ("c", -123.4e6, 0.1234), ("d", 2.5e9, 0.0)):
        p = tmp_path / name
        shutil.copytree(a, p)
        s = json.loads((p / "summary.json").read_text())
        s["objective_usd"] = 8.83e9 + d_usd
        s["mip_gap"] = gap
        (p / "summary.json").write_text(json.dumps(s))
        plans.append(p)
    monkeypatch.setattr(cli.out, "_width", 80)
    r = CliRunner().invoke(main, ["compare", *map(str, plans)])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    head = next(i for i, ln in enumerate(lines) if ln.startswith("plan "))
    table = lines[head : head + 6]  # header, rule, A, B, C, D
    assert all(len(ln) <= 80 for ln in table), table
    assert [ln.split()[0] for ln in table[2:]] == ["A", "B", "C", "D"]  # one line per plan
    assert "…" not in "\n".join(table)
    assert " bn " in table[3] and "−$123.4 M *" in table[4] and "+$2.50 bn" in table[5]
    assert lines[head + 6].startswith("*: within the gaps")


def test_tokens_in_the_compare_table_are_short():
    assert tok_short(284_582_683) == "285 Mtok"
    assert tok_short(1.25e12) == "1.25 Ttok" and tok_short(140e9) == "140 Gtok" and tok_short(12) == "12 tok"
