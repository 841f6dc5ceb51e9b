"""Determinism: the same input gives byte-identical result CSVs on a rerun and with the rows
of every input file shuffled (fixed seed and threads, sorted outputs)."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from builder import bundled_copy
from small import write_small

from planner.api import plan
from planner.io.results import TABLE_FILES, write_results


def shuffle_rows(folder: Path, seed: int) -> None:
    """Shuffle the data rows of every CSV in ``folder`` (header kept first)."""
    rng = random.Random(seed)
    for f in sorted(folder.glob("*.csv")):
        lines = f.read_text(encoding="utf-8").splitlines()
        head, body = lines[:1], lines[1:]
        rng.shuffle(body)
        f.write_text("\n".join(head + body) + "\n", encoding="utf-8")


def result_bytes(scn: Path, out: Path) -> dict[str, bytes]:
    p = plan(scn)
    write_results(out, p.tables, p.summary(), {})
    return {name: (out / f"{name}.csv").read_bytes() for name in TABLE_FILES}


def test_rerun_and_shuffled_rows_give_identical_results(tmp_path):
    scn = write_small(tmp_path / "scn")
    first = result_bytes(scn, tmp_path / "r1")
    assert result_bytes(scn, tmp_path / "r2") == first
    for seed in (1, 2):
        shuffled = tmp_path / f"shuffled{seed}"
        shutil.copytree(scn, shuffled)
        shuffle_rows(shuffled, seed)
        got = result_bytes(shuffled, tmp_path / f"r_shuffled{seed}")
        for name in TABLE_FILES:
            assert got[name] == first[name], f"{name}.csv differs with input rows shuffled (seed {seed})"


@pytest.mark.slow
def test_bundled_world_is_deterministic(tmp_path):
    scn = bundled_copy(tmp_path / "world", 2026)  # one year: every feature of world, half the time
    first = result_bytes(scn, tmp_path / "r1")
    shuffled = tmp_path / "shuffled"
    shutil.copytree(scn, shuffled)
    shuffle_rows(shuffled, 7)
    got = result_bytes(shuffled, tmp_path / "r2")
    for name in TABLE_FILES:
        assert got[name] == first[name], f"{name}.csv differs with input rows shuffled"
