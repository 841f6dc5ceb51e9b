"""Grid variant names (DESIGN.md §7.8, ``key=value,...``): named from the grid keys that vary
(a one-value key applies to every variant but names none), unique and filesystem-safe; a
rerun skips a finished variant only when its inputs are the same (the digest of the
materialised folder, not the name, decides), and finds one finished under the older name
that listed every grid key."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from builder import write_scenario

from planner.futures.runner import run_sweep
from planner.futures.spec import MAX_FOLDER, read_spec, safe_folder_name
from planner.io.errors import InputError


def _spec(tmp_path, grid: str):
    write_scenario(tmp_path / "hand")
    p = tmp_path / "spec.toml"
    p.write_text('base = "hand"\n[grid]\n' + grid)
    return p


def test_names_come_from_the_keys_that_vary(tmp_path):
    s = read_spec(
        _spec(tmp_path, '"end_year" = [2026]\n"discount_rate" = [0.05, 0.09]\n"carbon_price_usd_per_t" = [0]\n')
    )
    assert [v.name for v in s.variants] == ["discount_rate=0.05", "discount_rate=0.09"]
    # the constant keys still apply to every variant
    for v, rate in zip(s.variants, (0.05, 0.09)):
        assert {c.key: c.value for c in v.changes} == {
            "end_year": 2026,
            "discount_rate": rate,
            "carbon_price_usd_per_t": 0,
        }
        assert v.full_name == f"end_year=2026,discount_rate={rate},carbon_price_usd_per_t=0"


def test_two_varying_keys_and_a_grid_of_constants(tmp_path):
    s = read_spec(
        _spec(tmp_path, '"discount_rate" = [0.05, 0.09]\n"end_year" = [2026]\n"max_utilization" = [0.6, 0.7]\n')
    )
    assert [v.name for v in s.variants] == [
        "discount_rate=0.05,max_utilization=0.6",
        "discount_rate=0.05,max_utilization=0.7",
        "discount_rate=0.09,max_utilization=0.6",
        "discount_rate=0.09,max_utilization=0.7",
    ]
    # nothing varies: one variant, named from every key (an empty name would say nothing)
    s = read_spec(_spec(tmp_path, '"discount_rate" = [0.05]\n"end_year" = [2026]\n'))
    assert [v.name for v in s.variants] == ["discount_rate=0.05,end_year=2026"]
    assert s.variants[0].full_name is None


def test_a_value_listed_twice_is_one_sentence(tmp_path):
    with pytest.raises(InputError) as e:
        read_spec(_spec(tmp_path, '"discount_rate" = [0.05, 0.09, 0.05]\n"end_year" = [2026]\n'))
    assert str(e.value).count("\n") == 0, str(e.value)
    assert 'spec.toml, line 3: grid "discount_rate" lists the value 0.05 twice' in str(e.value)


def test_folder_names_are_filesystem_safe(tmp_path):
    assert safe_folder_name("demand=sub/high.csv") == "demand=sub_high.csv"
    assert safe_folder_name('a<b>c:d"e\\f|g?h*i\x01') == "a_b_c_d_e_f_g_h_i_"
    assert safe_folder_name("trailing. ") == "trailing"
    long_a, long_b = "k=" + "a" * 300 + "1", "k=" + "a" * 300 + "2"
    fa, fb = safe_folder_name(long_a), safe_folder_name(long_b)
    assert len(fa.encode()) <= MAX_FOLDER and len(fb.encode()) <= MAX_FOLDER and fa != fb
    # a demand axis of files in a subfolder: the folder names have no "/"
    (tmp_path / "sub").mkdir()
    write_scenario(tmp_path / "hand")
    shutil.copy(tmp_path / "hand" / "demand.csv", tmp_path / "sub" / "low.csv")
    shutil.copy(tmp_path / "hand" / "demand.csv", tmp_path / "sub" / "high.csv")
    p = tmp_path / "spec.toml"
    p.write_text('base = "hand"\n[grid]\n"demand" = ["sub/low.csv", "sub/high.csv"]\n')
    s = read_spec(p)
    assert [v.name for v in s.variants] == ["demand=sub/low.csv", "demand=sub/high.csv"]
    assert [v.folder_name for v in s.variants] == ["demand=sub_low.csv", "demand=sub_high.csv"]


def test_names_that_make_one_folder_are_refused(tmp_path):
    write_scenario(tmp_path / "hand")
    p = tmp_path / "spec.toml"
    p.write_text('base = "hand"\n[[variant]]\nname = "a:b"\n[[variant]]\nname = "a?b"\n')
    with pytest.raises(InputError, match='"a:b" \\(line 3\\) and "a\\?b" make the same folder name "a_b"'):
        read_spec(p)


def _objectives(out):
    return pd.read_csv(out / "sweep.csv").set_index("variant")["objective_usd"].to_dict()


def test_rerun_skips_only_the_same_variant(tmp_path):
    """Grid: discount_rate constant, unserved penalty varying, on the one-year hand scenario.
    A rerun of the same spec skips both; editing the constant key keeps the names but changes
    the inputs, so both are solved again, to a higher cost (a dearer cost of capital raises
    every CRF)."""
    spec = _spec(tmp_path, '"discount_rate" = [0.05]\n"unserved_penalty_usd_per_mtok" = [100, 200]\n')
    out = tmp_path / "sweep"
    first = run_sweep(read_spec(spec), out, workers=1)
    names = ["unserved_penalty_usd_per_mtok=100", "unserved_penalty_usd_per_mtok=200"]
    assert first.solved == names
    again = run_sweep(read_spec(spec), out, workers=1)
    assert again.skipped == names and again.solved == []
    cheap = _objectives(out)
    spec.write_text(spec.read_text().replace("[0.05]", "[0.10]"))
    edited = run_sweep(read_spec(spec), out, workers=1)
    assert [v.name for v in read_spec(spec).variants] == names  # the same names ...
    assert edited.skipped == [] and edited.solved == names  # ... but not the same variants
    dear = _objectives(out)
    for n in names:
        assert dear[n] > cheap[n]
        summ = json.loads((out / n / "summary.json").read_text())
        assert summ["objective_usd"] == pytest.approx(dear[n], rel=1e-11)


def test_rerun_finds_a_variant_finished_under_its_old_name(tmp_path):
    """A sweep folder written when grid variants were named from every key: the rerun adopts
    a variant whose inputs are the same (renaming its folder) and solves one whose are not."""
    spec = _spec(tmp_path, '"discount_rate" = [0.05]\n"unserved_penalty_usd_per_mtok" = [100, 200]\n')
    out = tmp_path / "sweep"
    s = read_spec(spec)
    run_sweep(s, out, workers=1)
    before = _objectives(out)
    for v in s.variants:  # turn the folder into one the older planner wrote
        old = v.full_name
        (out / v.folder_name).rename(out / old)
        rec = json.loads((out / "_inputs" / f"{v.folder_name}.json").read_text())
        rec["row"]["variant"] = old
        (out / "_inputs" / f"{old}.json").write_text(json.dumps(rec))
        (out / "_inputs" / f"{v.folder_name}.json").unlink()
        shutil.move(out / "_inputs" / v.folder_name, out / "_inputs" / old)
    # the second variant's old record is of other inputs (an old digest): it is solved again
    stale = out / "_inputs" / f"{s.variants[1].full_name}.json"
    rec = json.loads(stale.read_text())
    rec["digest"] = "0" * 64
    stale.write_text(json.dumps(rec))
    again = run_sweep(s, out, workers=1)
    assert again.skipped == [s.variants[0].name] and again.solved == [s.variants[1].name]
    assert (out / s.variants[0].folder_name / "summary.json").is_file()
    assert not (out / s.variants[0].full_name).exists()
    rows = pd.read_csv(out / "sweep.csv")
    assert rows["variant"].tolist() == [v.name for v in s.variants]
    assert _objectives(out) == pytest.approx(before, rel=1e-9)
