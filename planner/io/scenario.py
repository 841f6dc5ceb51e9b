"""Load a scenario folder into validated tables: files -> :class:`Scenario`.

A scenario folder holds ``scenario.toml`` and the CSV files of DESIGN.md §3. The catalog
(``chips.csv``, ``cooling.csv``, ``power.csv``) comes from ``data/catalog/`` and the model
profiles (``models.csv``, ``throughput.csv``) from ``models/``, unless the scenario folder
has its own file of the same name, which then replaces the bundled one.

:func:`load_scenario` reads everything, runs the cross-file checks of
:mod:`planner.io.validate`, and raises :class:`planner.io.errors.InputError` listing every problem
of every file, or returns a :class:`Scenario` whose ``warnings`` list what was accepted
with a note.
"""

from __future__ import annotations

import difflib
import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import InputError, Problem, UsageError
from .fleet import load_fleet
from .limits import KNOWN_KEYS as LIMITS_TOML_KEYS
from .limits import read_limits
from .readers import read_table, read_text
from .schema import (
    CARBON_SCOPES,
    FILES,
    LOAD_ORDER,
    PERCENT_LIKE_KEYS,
    POSITIVE_KEYS,
    REQUIRED,
    SCENARIO_KEYS,
    SOLVER_KEYS,
)

ROOT = Path(os.environ.get("PLANNER_HOME", Path(__file__).resolve().parents[2]))
DATA_DIR = ROOT / "data"
CATALOG_DIR = DATA_DIR / "catalog"
MODELS_DIR = ROOT / "models"
SCENARIOS_DIR = DATA_DIR / "scenarios"
DEFAULT_SCENARIO = "world"


@dataclass
class ScenarioConfig:
    """Settings of ``scenario.toml`` (DESIGN.md §3), defaults applied.

    ``carbon_price`` and ``carbon_cap`` are None or a dict year -> value (a single number is
    stored as ``{start_year: value}``); :meth:`year_value` interpolates them (linear between
    listed years, flat outside). ``solver`` holds ``time_limit_s``, ``mip_rel_gap``,
    ``threads`` and ``seed``. ``cfe_target`` (DESIGN.md §7.3) is None or a year table of
    shares 0..1, read and interpolated like the carbon tables.
    """

    name: str
    start_year: int
    end_year: int
    discount_rate: float
    currency_year: int
    hall_block_mw: float = 10.0
    max_utilization: float = 0.7
    load_factor: float = 0.8
    unserved_penalty_usd_per_mtok: float = 100.0
    site_lifetime_years: int = 30
    default_tier: str = ""  # DESIGN.md §7.9: blank = the first row of tiers.csv
    first_stage_years: int = 3  # planner solve --stochastic (DESIGN.md §7.8)
    carbon_price: dict[int, float] | None = None
    carbon_cap: dict[int, float] | None = None
    solver: dict = field(default_factory=dict)
    cfe_target: dict[int, float] | None = None  # §7.3: year -> share of load matched hourly (0..1)
    # DESIGN.md §7.6 (planner.io.limits): limit key -> year table, and the objective mode
    limits: dict = field(default_factory=dict)
    objective: str = "cost"
    carbon_scope: str = "operational"  # DESIGN.md §7.4: "operational" or "lifecycle"

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))

    @staticmethod
    def year_value(table: dict[int, float] | None, year: int) -> float | None:
        """Linear interpolation of a year table; flat before the first and after the last."""
        if not table:
            return None
        ys = sorted(table)
        if year <= ys[0]:
            return float(table[ys[0]])
        if year >= ys[-1]:
            return float(table[ys[-1]])
        for a, b in zip(ys, ys[1:], strict=False):
            if a <= year <= b:
                return float(table[a] + (table[b] - table[a]) * (year - a) / (b - a))
        return None  # unreachable


@dataclass
class Scenario:
    """A validated scenario.

    ``tables`` maps each file name of :data:`planner.io.schema.FILES` to a DataFrame with the
    declared columns (typed, blanks resolved) and ``_row``. ``paths`` gives the file each
    table was read from; ``warnings`` the accepted-with-a-note problems.
    """

    folder: Path
    config: ScenarioConfig
    tables: dict[str, pd.DataFrame]
    paths: dict[str, Path]
    warnings: list[Problem] = field(default_factory=list)
    load_seconds: float = 0.0

    def _file(self, name: str) -> str:
        fname = name if name.endswith(".csv") else name + ".csv"
        if fname not in self.tables:
            names = ", ".join(sorted(f.removesuffix(".csv") for f in self.tables))
            raise KeyError(f"{name!r} is not a table of this scenario (tables: {names})")
        return fname

    def __getitem__(self, name: str) -> pd.DataFrame:
        """``scn["chips"]`` (or ``scn["chips.csv"]``): the table of that input file, the
        DataFrame itself, so edits change the scenario. KeyError lists the table names."""
        return self.tables[self._file(name)]

    def __setitem__(self, name: str, table: pd.DataFrame) -> None:
        """Replace a table, e.g. ``scn["sites"] = scn["sites"].query("site != 'x'")``; it is
        checked when the scenario is solved (:func:`recheck`)."""
        self.tables[self._file(name)] = table

    def __repr__(self) -> str:
        cfg = self.config
        sizes = ", ".join(f"{f.removesuffix('.csv')} {len(t)}" for f, t in self.tables.items())
        return f"<Scenario {cfg.name!r} {cfg.start_year}-{cfg.end_year} from {self.folder}: {sizes} rows>"


def resolve_scenario_path(scenario: str | os.PathLike | None) -> Path:
    """Map a CLI argument to a scenario folder: None -> the bundled default; a bundled
    scenario name -> its folder; otherwise a path. Raises UsageError if it does not exist or
    is a results folder."""
    if scenario is None:
        scenario = DEFAULT_SCENARIO
    p = Path(scenario)
    if not p.exists() and (SCENARIOS_DIR / str(scenario)).is_dir():
        p = SCENARIOS_DIR / str(scenario)
    if p.is_file() and p.name == "scenario.toml":
        p = p.parent
    if not p.is_dir():
        raise UsageError(
            f"Scenario folder {scenario} does not exist (bundled scenarios: {', '.join(bundled_scenarios())})."
        )
    if (p / "summary.json").is_file() and not (p / "scenario.toml").exists():
        raise UsageError(
            f"{scenario} is a results folder, not a scenario (it has summary.json and no scenario.toml); "
            "planner report, export and compare read results folders."
        )
    return p


def bundled_scenarios() -> list[str]:
    if not SCENARIOS_DIR.is_dir():
        return []
    return sorted(p.name for p in SCENARIOS_DIR.iterdir() if (p / "scenario.toml").is_file())


def _parse_number(key: str, value, typ: str, lo, hi, problems: list[Problem], fname: str):
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(Problem(fname, None, key, f"{value!r} is not a number"))
        return None
    v = float(value)
    if math.isnan(v) or math.isinf(v):
        problems.append(Problem(fname, None, key, f"{value!r} is not a finite number"))
        return None
    if typ in ("int", "year"):
        if not v.is_integer():
            problems.append(
                Problem(fname, None, key, f"{value} is not a whole {'year' if typ == 'year' else 'number'}")
            )
            return None
        v = int(v)
    if key in PERCENT_LIKE_KEYS and 1 <= v <= 100:
        example = f", e.g. {v / 100:g}" if v < 100 else ""
        problems.append(
            Problem(fname, None, key, f"{value} looks like a percentage; write the rate as a fraction below 1{example}")
        )
        return None
    if lo is not None and v < lo:
        problems.append(Problem(fname, None, key, f"{value} is below the minimum {lo}"))
        return None
    if hi is not None and v > hi:
        problems.append(Problem(fname, None, key, f"{value} is above the maximum {hi}"))
        return None
    return v


def _year_table(key: str, value, start_year, end_year, problems: list[Problem], fname: str):
    if value is None:
        return None
    if isinstance(value, dict):
        table = {}
        for k, v in value.items():
            try:
                y = int(str(k).strip())
            except ValueError:
                problems.append(Problem(fname, None, f"{key}.{k}", 'is not a year (table keys are years, e.g. "2030")'))
                continue
            num = _parse_number(f"{key}.{k}", v, "float", 0.0, None, problems, fname)
            if num is not None:
                table[y] = float(num)
        if not table and not problems:
            problems.append(Problem(fname, None, key, "is an empty table"))
        return table or None
    num = _parse_number(key, value, "float", 0.0, None, problems, fname)
    if num is None:
        return None
    return {int(start_year or 0): float(num)}


def _share_table(key: str, value, start_year, end_year, problems: list[Problem], fname: str):
    """A year table (or number) of shares, like :func:`_year_table` but each value within 0..1
    (§7.3 ``cfe_target``); a value above 1 is an error naming the key (and its year)."""
    before = len(problems)
    table = _year_table(key, value, start_year, end_year, problems, fname)
    if table is None or len(problems) > before:
        return table
    for y, v in table.items():
        if v > 1:
            where = f"{key}.{y}" if isinstance(value, dict) else key
            hint = f"; a share is written as a fraction, e.g. {v / 100:g} for {v:g} %" if 5 <= v <= 100 else ""
            problems.append(
                Problem(fname, None, where, f"{v:g} is above 1; the target is a share of the load, 0 to 1{hint}")
            )
    return table if len(problems) == before else None


def read_config(folder: Path) -> tuple[ScenarioConfig | None, list[Problem], list[Problem]]:
    """Read ``scenario.toml``. Returns (config or None, errors, warnings)."""
    fname = "scenario.toml"
    path = folder / fname
    if not path.is_file():
        return None, [Problem(fname, None, None, f"is missing from {folder}")], []
    text, problems = read_text(path, fname)
    if text is None:
        return None, problems, []
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        return None, [Problem(fname, None, None, f"is not valid TOML ({e})")], []
    errors: list[Problem] = []
    warnings: list[Problem] = []
    vals: dict = {}
    for key, typ, default, lo, hi, desc in SCENARIO_KEYS:
        if key not in doc:
            if default is None:
                errors.append(Problem(fname, None, key, f"is missing ({desc})"))
            else:
                vals[key] = default
            continue
        if typ == "text":
            if not isinstance(doc[key], str) or not doc[key].strip():
                errors.append(Problem(fname, None, key, "must be a non-empty text"))
            elif key == "name" and (
                any(ch in doc[key] for ch in '/\\:*?"<>|')
                or any(not ch.isprintable() for ch in doc[key])
                or doc[key].strip() in (".", "..")
            ):
                errors.append(
                    Problem(
                        fname,
                        None,
                        key,
                        f'{doc[key]!r} is not a plain name; it names the results folder, so it may not hold / \\ : * ? " < > | or a line break',
                    )
                )
            else:
                vals[key] = doc[key].strip()
            continue
        v = _parse_number(key, doc[key], typ, lo, hi, errors, fname)
        if v is not None:
            vals[key] = v
    if "start_year" in vals and "end_year" in vals and vals["end_year"] < vals["start_year"]:
        errors.append(Problem(fname, None, "end_year", f"{vals['end_year']} is before start_year {vals['start_year']}"))
    for key in POSITIVE_KEYS:
        if key in vals and vals[key] <= 0:
            errors.append(Problem(fname, None, key, "must be above 0"))
    start, end = vals.get("start_year"), vals.get("end_year")
    vals["carbon_price"] = _year_table(
        "carbon_price_usd_per_t", doc.get("carbon_price_usd_per_t"), start, end, errors, fname
    )
    vals["carbon_cap"] = _year_table("carbon_cap_t", doc.get("carbon_cap_t"), start, end, errors, fname)
    vals["cfe_target"] = _share_table("cfe_target", doc.get("cfe_target"), start, end, errors, fname)
    vals["limits"], vals["objective"] = read_limits(doc, start, end, errors, fname, _year_table)
    if "carbon_scope" in doc:  # DESIGN.md §7.4
        if doc["carbon_scope"] in CARBON_SCOPES:
            vals["carbon_scope"] = doc["carbon_scope"]
        else:
            errors.append(
                Problem(
                    fname, None, "carbon_scope", f"{doc['carbon_scope']!r} is not one of {', '.join(CARBON_SCOPES)}"
                )
            )
    solver = {}
    sdoc = doc.get("solver", {})
    if not isinstance(sdoc, dict):
        errors.append(Problem(fname, None, "solver", "must be a table ([solver])"))
        sdoc = {}
    for key, typ, default, lo, hi, _desc in SOLVER_KEYS:
        if key in sdoc:
            v = _parse_number(f"solver.{key}", sdoc[key], typ, lo, hi, errors, fname)
            if v is not None:
                solver[key] = v
        else:
            solver[key] = default
    known = {k for k, *_ in SCENARIO_KEYS} | {"carbon_price_usd_per_t", "carbon_cap_t", "solver"}
    known |= {"cfe_target"}
    known |= set(LIMITS_TOML_KEYS)
    known |= {"carbon_scope"}
    for k in doc:
        if k not in known:
            near = difflib.get_close_matches(k, sorted(known), n=1, cutoff=0.8)
            if near:  # a near-miss of a known key is a typo that would silently drop a setting
                errors.append(Problem(fname, None, k, f"is not a known setting (did you mean {near[0]}?); rename it"))
            else:
                warnings.append(Problem(fname, None, k, "is not a known setting and is ignored"))
    for k in sdoc:
        if k not in {s for s, *_ in SOLVER_KEYS}:
            warnings.append(Problem(fname, None, f"solver.{k}", "is not a known solver setting and is ignored"))
    if errors:
        return None, errors, warnings
    return ScenarioConfig(**vals, solver=solver), [], warnings


def file_location(folder: Path, fname: str) -> Path:
    """Where ``fname`` is read from: the scenario folder if it has it, else the bundled copy."""
    own = folder / fname
    if own.exists():
        return own
    where = FILES[fname].where
    if where == "catalog":
        return CATALOG_DIR / fname
    if where == "models":
        return MODELS_DIR / fname
    return own


def _label(fname: str, path: Path) -> str:
    """How messages name the file read for ``fname``: its name, or the path given when a
    --demand file has the name of another input file (``--demand other/sites.csv``)."""
    if path.name == fname or path.name not in FILES:
        return path.name
    return str(path)


def load_scenario(folder: str | os.PathLike, demand_csv: str | os.PathLike | None = None) -> Scenario:
    """Load and validate a scenario folder.

    ``demand_csv`` replaces the folder's ``demand.csv``. Raises :class:`InputError` with
    every problem found (all files; all problems of each file) or returns a
    :class:`Scenario`. Raises :class:`UsageError` when the folder does not exist.
    """
    from .validate import cross_checks

    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(f"Scenario folder {folder} does not exist.")
    config, errors, warnings = read_config(folder)
    start = config.start_year if config else None
    tables: dict[str, pd.DataFrame] = {}
    paths: dict[str, Path] = {}
    for fname in LOAD_ORDER:
        spec = FILES[fname]
        path = file_location(folder, fname)
        if fname == "demand.csv" and demand_csv is not None:
            path = Path(demand_csv)
            if not path.is_file():
                raise UsageError(f"Demand file {demand_csv} does not exist.")
        paths[fname] = path
        if not path.is_file():
            if spec.required:
                errors.append(Problem(fname, None, None, f"is missing (looked in {path.parent})"))
            else:
                # §7 files and tiers.csv: absent = the feature is not used
                if not (spec.extra.get("quiet_if_missing") or spec.extra.get("silent_if_missing")):
                    warnings.append(Problem(fname, None, None, f"is missing; read as empty ({spec.description})"))
                tables[fname] = pd.DataFrame({c: pd.Series(dtype=object) for c in ["_row", *spec.column_names]})
            continue
        table, errs, warns = read_table(path, spec, start)
        label = _label(fname, path)
        if label != fname:
            errs = [Problem(label, p.row, p.column, p.text) for p in errs]
            warns = [Problem(label, p.row, p.column, p.text) for p in warns]
        errors += errs
        warnings += warns
        if table is not None:
            table.attrs["bundled"] = path.parent.resolve() != folder.resolve()  # a catalog copy, not the scenario's
            tables[fname] = table
    if config is not None and all(f in tables for f in LOAD_ORDER):
        errs, warns = cross_checks(config, tables, {f: _label(f, p) for f, p in paths.items()})
        # one problem, one message: a cell the reader rejected is not reported again by a
        # cross-file check that sees it blank (storage_hours 0 is not also "is blank")
        seen = {(e.file, e.row, e.column) for e in errors}
        errs = [e for e in errs if (e.file, e.row, e.column) not in seen]
        errors += errs
        warnings += warns
    load_fleet(folder, config, tables, paths, errors, warnings)  # DESIGN.md §7.7 (planner.io.fleet)
    if errors:
        raise InputError(errors)
    from .hostable import leave_out  # a site that can never host a hall

    warnings += leave_out(config, tables, {f: _label(f, p) for f, p in paths.items()})
    d = tables["demand.csv"]
    tables["demand.csv"] = d[(d["year"] >= config.start_year) & (d["year"] <= config.end_year)].reset_index(drop=True)
    return Scenario(folder=folder, config=config, tables=tables, paths=paths, warnings=warnings)


def recheck(scn: Scenario) -> Scenario:
    """Check a scenario whose tables or settings were edited in memory (a notebook that
    changed a chip price, dropped a site, or cut ``config.end_year``) as :func:`load_scenario`
    checks files: each column's type, blanks and range (:mod:`planner.io.schema`), duplicate
    keys, and every cross-file check of :mod:`planner.io.validate`. Demand rows outside the
    (possibly changed) horizon are dropped, as on loading. Rows keep the file row they came
    from (``_row``; a row added in memory has none).

    Returns ``scn`` (its demand table refiltered, its warnings replaced by the cross-file
    warnings of the edited tables plus the loading ones); raises :class:`InputError` listing
    every problem."""
    from .readers import _range_problem
    from .validate import cross_checks

    cfg = scn.config
    errors: list[Problem] = []
    for key in ("start_year", "end_year"):
        v = getattr(cfg, key)
        if isinstance(v, bool) or not isinstance(v, int):
            errors.append(Problem("scenario.toml", None, key, f"{v!r} is not a whole year (set it as a number)"))
    if not errors and cfg.end_year < cfg.start_year:
        errors.append(
            Problem("scenario.toml", None, "end_year", f"{cfg.end_year} is before start_year {cfg.start_year}")
        )
    if errors:
        raise InputError(errors)
    tables = dict(scn.tables)
    d = tables.get("demand.csv")
    if d is not None and "year" in d.columns:
        tables["demand.csv"] = d[(d["year"] >= cfg.start_year) & (d["year"] <= cfg.end_year)].reset_index(drop=True)
    for fname, spec in FILES.items():
        t = tables.get(fname)
        if t is None:
            continue
        rows = list(t["_row"]) if "_row" in t.columns else [None] * len(t)
        rows = [None if r is None or r != r else int(r) for r in rows]
        for extra in [c for c in t.columns if c not in spec.column_names and not str(c).startswith("_")]:
            # reading a file drops unknown columns, so one here was added in memory: most
            # likely a misspelled column that an assignment created instead of changing
            near = difflib.get_close_matches(str(extra), spec.column_names, n=1)
            hint = f"; did you mean {near[0]}?" if near else f" (columns: {', '.join(spec.column_names)})"
            errors.append(Problem(fname, None, str(extra), f"is not a column of {fname} and would be ignored{hint}"))
        for col in spec.columns:
            if col.name not in t.columns:
                if col.blank == REQUIRED:
                    errors.append(Problem(fname, None, col.name, "was removed from the table; it is required"))
                continue
            for v, row in zip(t[col.name], rows, strict=True):
                blank = v is None or (isinstance(v, float) and math.isnan(v)) or (col.type == "text" and v == "")
                if blank:
                    if col.blank == REQUIRED:
                        errors.append(Problem(fname, row, col.name, f"is blank; a {col.description} is required"))
                    continue
                if col.type in ("key", "text"):
                    if col.choices and str(v) not in col.choices:
                        errors.append(Problem(fname, row, col.name, f"'{v}' is not one of {', '.join(col.choices)}"))
                    continue
                try:
                    x = float(v)
                except (TypeError, ValueError):
                    errors.append(Problem(fname, row, col.name, f"{v!r} is not a number ({col.unit})"))
                    continue
                if math.isinf(x):
                    errors.append(Problem(fname, row, col.name, f"{x} is not a finite number ({col.unit})"))
                elif col.type in ("int", "year") and not x.is_integer():
                    errors.append(Problem(fname, row, col.name, f"{x:g} is not a whole number"))
                elif bad := _range_problem(col, x):
                    errors.append(Problem(fname, row, col.name, bad))
        keys = [k for k in (*spec.keys, *spec.extra.get("optional_keys", ())) if k in t.columns]
        if keys and len(t):
            dup = t[keys].fillna("").duplicated(keep="first")  # a blank optional key is a value
            for i in dup[dup].index:
                key = ", ".join(str(t.at[i, k]) for k in keys)
                errors.append(Problem(fname, rows[i], None, f"repeats the key ({key}) of an earlier row"))
    if not errors:
        labels = {f: _label(f, scn.paths[f]) if f in scn.paths else f for f in tables}
        errs, warns = cross_checks(cfg, tables, labels)
        errors += errs
    else:
        warns = []
    if errors:
        raise InputError(errors)
    scn.tables = tables
    seen = {w.sentence() for w in scn.warnings}
    scn.warnings = scn.warnings + [w for w in warns if w.sentence() not in seen]
    return scn
