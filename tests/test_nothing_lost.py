"""Nothing lost: results are written to a hidden temporary folder and renamed at the end;
an existing results folder is never overwritten without --overwrite (a new timestamped
sibling is made instead); Ctrl-C during a solve stops cleanly and leaves no folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from builder import bundled_copy, write_scenario
from click.testing import CliRunner

from planner.cli import main
from planner.io.results import write_results


def test_crash_while_writing_leaves_no_folder(tmp_path, monkeypatch):
    calls = {"n": 0}
    real = pd.DataFrame.to_csv

    def flaky(self, *a, **k):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real(self, *a, **k)

    monkeypatch.setattr(pd.DataFrame, "to_csv", flaky)
    tables = {"a": pd.DataFrame({"x": [1]}), "b": pd.DataFrame({"x": [2]})}
    with pytest.raises(OSError):
        write_results(tmp_path / "out", tables, {"status": "optimal"}, {})
    assert list(tmp_path.iterdir()) == []


def test_crash_while_replacing_keeps_the_old_folder(tmp_path, monkeypatch):
    out = write_results(tmp_path / "out", {"a": pd.DataFrame({"x": [1]})}, {"v": 1}, {})
    before = (out / "a.csv").read_text()

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", boom)
    with pytest.raises(OSError):
        write_results(out, {"a": pd.DataFrame({"x": [9]})}, {"v": 2}, {})
    assert (out / "a.csv").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def _solve(scn, out, *extra):
    res = CliRunner().invoke(main, ["solve", str(scn), "--out", str(out), "--quiet", *extra])
    assert res.exit_code == 0, res.stderr
    return res


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_existing_folder_gets_a_timestamped_sibling(tmp_path):
    scn = write_scenario(tmp_path / "scn")
    out = tmp_path / "results"
    _solve(scn, out)
    first = _files(out)
    (out / "my_notes.txt").write_text("keep me")
    res = _solve(scn, out)
    siblings = sorted(p for p in tmp_path.iterdir() if p.name.startswith("results-"))
    assert len(siblings) == 1
    assert "already exists; the plan was written to" in " ".join(res.stdout.split())
    assert (out / "my_notes.txt").read_text() == "keep me"
    assert {k: v for k, v in _files(out).items() if k != "my_notes.txt"} == first
    assert (siblings[0] / "summary.json").is_file()
    # --overwrite replaces the plan in the folder; the user's notes stay there
    _solve(scn, out, "--overwrite")
    assert (out / "my_notes.txt").read_text() == "keep me"
    assert (out / "summary.json").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def _slow_scenario(tmp_path: Path) -> Path:
    # world 2026-2030: a solve of a minute or more, so it is surely still running when the
    # signal comes after 6 s, however fast the machine and the build
    return bundled_copy(tmp_path / "world", 2030)


@pytest.mark.parametrize("delay", [1.5, 6.0], ids=["while_building", "while_solving"])
def test_ctrl_c_stops_cleanly(tmp_path, delay):
    scn = _slow_scenario(tmp_path)
    out = tmp_path / "res"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    p = subprocess.Popen(
        [sys.executable, "-m", "planner", "solve", str(scn), "--out", str(out), "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        # a suite started in the background of a non-interactive shell inherits an ignored
        # SIGINT, and Python keeps it ignored: give the child the default disposition
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    time.sleep(delay)
    assert p.poll() is None, "the solve finished before it could be interrupted"
    p.send_signal(signal.SIGINT)
    try:
        stdout, stderr = p.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        p.kill()
        raise
    assert p.returncode == 130, (p.returncode, stderr)
    assert "Traceback" not in stderr
    lines = [ln for ln in stderr.splitlines() if ln.strip() and not ln.startswith("warning:")]
    assert lines == ["Interrupted; nothing was written."], stderr
    assert not out.exists()
    assert not [q for q in tmp_path.iterdir() if q.name.startswith(".")]


_NESTED_INTERRUPT = """
import ctypes, sys
import planner.api
from planner.cli import run


def interrupted_build(data):
    # what a Ctrl-C landing in a Cython module's initialisation (a deferred import during the
    # build) leaves behind: a KeyboardInterrupt raised inside a nested PyRun_String call
    ctypes.pythonapi.PyRun_SimpleString(b"raise KeyboardInterrupt")
    raise KeyboardInterrupt


planner.api.build_model = interrupted_build
sys.argv = ["planner", "solve", sys.argv[1], "--out", sys.argv[2], "--quiet"]
run()
"""


def test_ctrl_c_inside_a_nested_interpreter_call_still_exits_130(tmp_path):
    # under `python -m`, CPython would otherwise kill itself with SIGINT at exit (-2, not 130)
    scn = write_scenario(tmp_path / "scn")
    (tmp_path / "nested_interrupt.py").write_text(_NESTED_INTERRUPT)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    out = tmp_path / "res"
    p = subprocess.run(
        [sys.executable, "-m", "nested_interrupt", str(scn), str(out)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert p.returncode == 130, (p.returncode, p.stderr)
    assert p.stderr.strip().splitlines()[-1] == "Interrupted; nothing was written."
    assert not out.exists()


INTERRUPTED_IMPORT = """
import os, signal, sys, time
from planner.cli import friendly

@friendly
def job():
    try:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)
    except KeyboardInterrupt:
        # what a C extension interrupted half-way through its import raises next
        raise ImportError('generic_type: type "_InterpolationType" is already registered!')

job()
"""


def test_ctrl_c_that_surfaces_as_another_error_is_an_interrupt(tmp_path):
    """A Ctrl-C landing inside a library's C code during start-up (seen: matplotlib's extension
    registering its types) surfaces as an ImportError: exit 130 and "Interrupted", not an
    internal error."""
    p = subprocess.run(
        [sys.executable, "-c", INTERRUPTED_IMPORT],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert p.returncode == 130, (p.returncode, p.stderr)
    assert "Interrupted; nothing was written." in p.stderr and "Internal error" not in p.stderr
