"""Where a plan came from: summary.json's ``provenance``.

``{"scenario_folder", "demand_file", "files": {name: {"path", "sha256"}}, "overrides",
"solver", "planner_version", "git_commit"}``: the scenario folder, the demand file read (the
folder's own demand.csv or ``--demand``), every input file read with the first 12 hex digits
of its SHA-256 (``scenario.toml`` included), the settings given on top of scenario.toml
(``--time-limit``, ``--mip-gap``, ``--threads``, ``--seed``, ``--demand``), the solver
settings used, the planner version and, when planner runs from a git checkout, its commit
(with ``-dirty`` when the checkout has uncommitted changes). Two plans with the same
hashes, overrides and commit were planned from the same inputs by the same code.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

HASH_DIGITS = 12


def short_hash(path: Path) -> str | None:
    """First :data:`HASH_DIGITS` hex digits of the SHA-256 of the file (None if unreadable)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:HASH_DIGITS]
    except OSError:
        return None


def git_commit(root: Path) -> str | None:
    """The commit of the checkout at ``root`` (12 digits, ``-dirty`` with local changes), or
    None when ``root`` is not a git checkout or git is not installed."""
    if not (Path(root) / ".git").exists():
        return None
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("-dirty" if dirty else "") if head else None


def provenance(scn, solver: dict, overrides: dict) -> dict:
    """The ``provenance`` entry of summary.json for the scenario ``scn``
    (:class:`~planner.io.scenario.Scenario`), the ``solver`` settings used and the
    ``overrides`` given (name -> value; None values are left out)."""
    from .scenario import ROOT

    try:  # the installed distribution's version (planner/__init__.py is not imported from here)
        from importlib.metadata import version

        __version__ = version("planner")
    except Exception:  # not installed (run from a copy of the sources)
        __version__ = None

    files = {"scenario.toml": {"path": str(Path(scn.folder).resolve() / "scenario.toml")}}
    files.update({name: {"path": str(Path(p).resolve())} for name, p in sorted(scn.paths.items()) if Path(p).is_file()})
    for f in files.values():
        f["sha256"] = short_hash(Path(f["path"]))
    demand = scn.paths.get("demand.csv")
    overrides = dict(overrides)
    if demand is not None and Path(demand).resolve() != (Path(scn.folder) / "demand.csv").resolve():
        overrides["demand"] = str(demand)  # --demand: a file in place of the folder's demand.csv
    return {
        "scenario_folder": str(Path(scn.folder).resolve()),
        "demand_file": str(Path(demand).resolve()) if demand is not None else None,
        "files": files,
        "overrides": {k: (str(v) if isinstance(v, Path) else v) for k, v in overrides.items() if v is not None},
        "solver": dict(solver),
        "planner_version": __version__,
        "git_commit": git_commit(ROOT),
    }


def default_folder(name: str, demand) -> Path:
    """The default results folder: ``results/<scenario name>``, and
    ``results/<scenario name>-<demand file stem>`` for a ``--demand`` file
    (``--demand data/demand/high.csv`` on world: ``results/world-high``)."""
    if demand is None:
        return Path("results") / name
    stem = Path(demand).stem
    return Path("results") / (name if stem in ("", "demand") else f"{name}-{stem}")


def header_line(summary: dict) -> str | None:
    """One line for the report's header: scenario folder, demand file, overrides, planner
    version and commit (None for a plan written before provenance was recorded)."""
    pv = summary.get("provenance")
    if not isinstance(pv, dict):
        return None
    bits = [f"scenario folder {pv.get('scenario_folder')}", f"demand {pv.get('demand_file')}"]
    ov = pv.get("overrides") or {}
    if ov:
        bits.append("overrides " + ", ".join(f"{k}={v}" for k, v in ov.items()))
    who = f"planner {pv.get('planner_version')}"
    if pv.get("git_commit"):
        who += f" (git {pv['git_commit']})"
    bits.append(who)
    return "Planned from " + "; ".join(bits) + "."


def differences(sa: dict, sb: dict) -> list[str]:
    """What differs between the provenance of two plans, as lines for `compare` (files by
    hash, demand file, overrides, solver settings, version); empty when either has none."""
    a, b = sa.get("provenance"), sb.get("provenance")
    if not isinstance(a, dict) or not isinstance(b, dict):
        return []
    out = []
    for key, label in (("scenario_folder", "scenario folder"), ("demand_file", "demand file")):
        if a.get(key) != b.get(key):
            out.append(f"{label}: A {a.get(key)}, B {b.get(key)}")
    fa, fb = a.get("files") or {}, b.get("files") or {}
    changed = [
        n for n in sorted(set(fa) | set(fb)) if (fa.get(n) or {}).get("sha256") != (fb.get(n) or {}).get("sha256")
    ]
    if changed:
        out.append("input files that differ (by content): " + ", ".join(changed))
    for key, label in (("overrides", "overrides"), ("solver", "solver settings")):
        if (a.get(key) or {}) != (b.get(key) or {}):
            out.append(f"{label}: A {a.get(key) or {}}, B {b.get(key) or {}}")
    va = (a.get("planner_version"), a.get("git_commit"))
    vb = (b.get("planner_version"), b.get("git_commit"))
    if va != vb:
        out.append(f"planner: A {va[0]} {va[1] or ''}".rstrip() + f", B {vb[0]} {vb[1] or ''}".rstrip())
    return out
