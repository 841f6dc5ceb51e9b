"""The data dictionary: every input file and column of a scenario, declared once.

Each :class:`Column` names its type, unit, blank-cell meaning and allowed range; each
:class:`FileSpec` names its key columns and where the file lives. Loading
(:mod:`planner.io.readers`), validation (:mod:`planner.io.validate`), error messages and the
README's data reference all read this table, so a column is described in one place only.
The contents follow DESIGN.md §3.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Blank-cell meanings (DESIGN.md §4 "Blank cells").
REQUIRED = "required"  # a blank cell is an error
NO_LIMIT = "no limit"  # blank -> NaN, read as "unbounded"
START_YEAR = "start_year"  # blank -> the scenario's start_year
NONE = "none"  # blank -> NaN, meaning "not given" (e.g. no last year, no coordinate)
TEXT = "text"  # free text, blank allowed

KINDS = ("dispatchable", "variable", "storage")


@dataclass(frozen=True)
class Column:
    """One input column.

    ``type`` is one of ``key`` (identifier text), ``text``, ``float``, ``int`` or ``year``
    (an integer year; ``2030.0`` is accepted, ``2030.5`` is not). ``blank`` is one of the
    blank-cell meanings above or a number used in place of a blank cell. ``lo``/``hi`` bound
    the value (inclusive unless ``lo_open``/``hi_open``). ``ref`` names the file whose key
    this column must match.
    """

    name: str
    type: str
    unit: str
    description: str
    blank: object = REQUIRED
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False
    ref: str | None = None
    choices: tuple[str, ...] | None = None


@dataclass(frozen=True)
class FileSpec:
    """One input file: its name, key columns, columns and where it is looked up.

    ``where`` is ``scenario`` (only in the scenario folder), ``catalog`` (``data/catalog``,
    replaceable by a file of the same name in the scenario folder) or ``models``
    (``models/``, replaceable likewise). ``required`` files must exist; an optional file
    that is missing is read as empty (with a warning).
    """

    name: str
    keys: tuple[str, ...]
    columns: tuple[Column, ...]
    where: str = "scenario"
    required: bool = True
    description: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _src() -> Column:
    return Column("source", "text", "-", "where the figures of this row come from", blank=TEXT)


NONNEG = dict(lo=0.0)

FILES: dict[str, FileSpec] = {}


def _add(spec: FileSpec) -> None:
    FILES[spec.name] = spec


_add(
    FileSpec(
        "regions.csv",
        ("region",),
        (
            Column("region", "key", "-", "demand region identifier"),
            Column("name", "text", "-", "display name", blank=TEXT),
            Column("lat", "float", "degrees", "demand-weighted centre latitude", blank=NONE, lo=-90, hi=90),
            Column("lon", "float", "degrees", "demand-weighted centre longitude", blank=NONE, lo=-180, hi=180),
        ),
        description="demand regions",
    )
)
_add(
    FileSpec(
        "sites.csv",
        ("site",),
        (
            Column("site", "key", "-", "candidate site identifier"),
            Column("region", "key", "-", "region the site lies in", ref="regions.csv"),
            Column("name", "text", "-", "display name", blank=TEXT),
            Column("lat", "float", "degrees", "latitude", blank=NONE, lo=-90, hi=90),
            Column("lon", "float", "degrees", "longitude", blank=NONE, lo=-180, hi=180),
            Column("max_it_mw", "float", "MW IT", "most IT power the site can host", **NONNEG),
            Column(
                "open_cost_usd", "float", "USD", "one-off cost to open the site (land, permits, substation)", **NONNEG
            ),
            Column(
                "build_cost_usd_per_mw_it", "float", "USD/MW IT", "shell + electrical cost per MW IT of hall", **NONNEG
            ),
            Column(
                "fom_usd_per_mw_it_yr",
                "float",
                "USD/MW IT/yr",
                "site fixed O&M per MW IT of hall in service",
                blank=0.0,
                **NONNEG,
            ),
            Column("first_year", "year", "year", "earliest year a hall can be in service", blank=START_YEAR),
            Column("grid_cap_mw", "float", "MW", "grid interconnect capacity", blank=NO_LIMIT, **NONNEG),
            Column("grid_first_year", "year", "year", "first year grid supply is available", blank=START_YEAR),
            Column("grid_price_usd_per_mwh", "float", "USD/MWh", "grid energy price", **NONNEG),
            Column("grid_co2_kg_per_mwh", "float", "kg CO2/MWh", "grid carbon intensity", blank=0.0, **NONNEG),
            Column("pue_adder", "float", "-", "climate adder on every cooling PUE at this site", lo=-0.5, hi=1.0),
            _src(),
        ),
        description="candidate sites",
    )
)
_add(
    FileSpec(
        "latency.csv",
        ("region", "site"),
        (
            Column("region", "key", "-", "demand region", ref="regions.csv"),
            Column("site", "key", "-", "site", ref="sites.csv"),
            Column("latency_ms", "float", "ms", "round-trip latency region to site", **NONNEG),
            Column(
                "network_cost_usd_per_mtok",
                "float",
                "USD/million tokens",
                "network cost of serving",
                blank=0.0,
                **NONNEG,
            ),
        ),
        description="which sites can serve which regions; a missing pair cannot serve",
    )
)
_add(
    FileSpec(
        "demand.csv",
        ("region", "model", "year"),
        (
            Column("region", "key", "-", "demand region", ref="regions.csv"),
            Column("model", "key", "-", "AI model", ref="models.csv"),
            Column("year", "year", "year", "year of demand (rows outside the horizon are ignored, with a warning)"),
            Column("tokens_per_year", "float", "tokens/yr", "tokens to serve", **NONNEG),
            Column("max_latency_ms", "float", "ms", "latency limit (blank = no limit)", blank=NO_LIMIT, **NONNEG),
        ),
        description="token demand per region, model and year",
    )
)
_add(
    FileSpec(
        "site_power.csv",
        ("site", "tech"),
        (
            Column("site", "key", "-", "site", ref="sites.csv"),
            Column("tech", "key", "-", "power technology", ref="power.csv"),
            Column("max_mw", "float", "MW", "cap on capacity in service (blank = no limit)", blank=NO_LIMIT, **NONNEG),
        ),
        required=False,
        description="which power technologies can be built at which site; a missing pair cannot be built",
    )
)
_add(
    FileSpec(
        "slices.csv",
        ("slice",),
        (
            Column("slice", "key", "-", "time slice identifier"),
            Column("day", "key", "-", "representative day the slice belongs to"),
            Column("hour", "float", "h", "start hour within the day", lo=0, hi=24, hi_open=True),
            Column("duration_h", "float", "h", "slice length", lo=0, lo_open=True, hi=24),
            Column(
                "days_per_year",
                "float",
                "days/yr",
                "days a year the representative day stands for",
                lo=0,
                lo_open=True,
                hi=366,
            ),
            Column("grid_price_mult", "float", "-", "multiplier on the grid price in this slice", blank=1.0, **NONNEG),
        ),
        description="time slices; weight = duration_h x days_per_year hours a year",
    )
)
_add(
    FileSpec(
        "profiles.csv",
        ("site", "tech", "slice"),
        (
            Column("site", "key", "-", "site", ref="sites.csv"),
            Column("tech", "key", "-", "variable power technology", ref="power.csv"),
            Column("slice", "key", "-", "time slice", ref="slices.csv"),
            Column("capacity_factor", "float", "-", "output per MW of nameplate", lo=0, hi=1),
        ),
        required=False,
        description="capacity factors of variable techs; a missing row is 0",
    )
)
_add(
    FileSpec(
        "chips.csv",
        ("chip",),
        (
            Column("chip", "key", "-", "accelerator product identifier"),
            Column("vendor", "text", "-", "vendor", blank=TEXT),
            Column("unit_name", "text", "-", "what one purchase unit is (server or rack)", blank=TEXT),
            Column("chips_per_unit", "int", "accelerators/unit", "accelerators in a purchase unit", lo=1),
            Column("first_year", "year", "year", "first year the unit can be bought", blank=START_YEAR),
            Column("last_year", "year", "year", "last year the unit can be bought (blank = no end)", blank=NONE),
            Column("it_kw_per_unit", "float", "kW/unit", "all-in IT power per unit", lo=0, lo_open=True),
            Column("rack_kw", "float", "kW/rack", "rack power density, decides which cooling fits", lo=0, lo_open=True),
            Column("capex_usd_per_unit", "float", "USD/unit", "purchase price", **NONNEG),
            Column("fom_usd_per_unit_yr", "float", "USD/unit/yr", "fixed O&M per installed unit", blank=0.0, **NONNEG),
            Column("lifetime_years", "int", "yr", "service life", lo=1, hi=80),
            Column(
                "max_units_per_year",
                "float",
                "units/yr",
                "supply limit over all sites (blank = no limit)",
                blank=NO_LIMIT,
                **NONNEG,
            ),
            _src(),
        ),
        where="catalog",
        description="accelerator products",
    )
)
_add(
    FileSpec(
        "cooling.csv",
        ("cooling",),
        (
            Column("cooling", "key", "-", "cooling technology identifier"),
            Column("pue", "float", "-", "power usage effectiveness", lo=1.0, hi=3.0),
            Column("max_rack_kw", "float", "kW/rack", "densest rack it can cool", lo=0, lo_open=True),
            Column("capex_usd_per_mw_it", "float", "USD/MW IT", "cooling plant cost per MW IT of hall", **NONNEG),
            Column(
                "fom_usd_per_mw_it_yr",
                "float",
                "USD/MW IT/yr",
                "cooling fixed O&M per MW IT of hall",
                blank=0.0,
                **NONNEG,
            ),
            Column("wue_l_per_kwh", "float", "L/kWh", "water use effectiveness", **NONNEG),
            Column("lifetime_years", "int", "yr", "hall block life (shell, electrical and cooling)", lo=1, hi=80),
            Column(
                "first_year", "year", "year", "first year a hall of this cooling can be in service", blank=START_YEAR
            ),
            _src(),
        ),
        where="catalog",
        description="cooling technologies (one hall block type each)",
    )
)
_add(
    FileSpec(
        "power.csv",
        ("tech",),
        (
            Column("tech", "key", "-", "power technology identifier"),
            Column("kind", "key", "-", "dispatchable, variable or storage", choices=KINDS),
            Column("capex_usd_per_kw", "float", "USD/kW", "overnight capital cost", **NONNEG),
            Column("fom_usd_per_kw_yr", "float", "USD/kW/yr", "fixed O&M", blank=0.0, **NONNEG),
            Column("vom_usd_per_mwh", "float", "USD/MWh", "variable O&M", blank=0.0, **NONNEG),
            Column("fuel_usd_per_mwh", "float", "USD/MWh", "fuel cost per MWh generated", blank=0.0, **NONNEG),
            Column("co2_kg_per_mwh", "float", "kg CO2/MWh", "emissions per MWh generated", blank=0.0, **NONNEG),
            Column("lifetime_years", "int", "yr", "service life", lo=1, hi=80),
            Column(
                "lead_time_years", "int", "yr", "years from the start year before the first build", blank=0, lo=0, hi=50
            ),
            Column("first_year", "year", "year", "first year it can be built", blank=START_YEAR),
            Column("unit_mw", "float", "MW", "unit size (0 = continuous)", blank=0.0, **NONNEG),
            Column(
                "availability",
                "float",
                "-",
                "max share of nameplate (dispatchable)",
                blank=1.0,
                lo=0,
                lo_open=True,
                hi=1,
            ),
            Column(
                "storage_hours", "float", "h", "energy / power ratio (storage only)", blank=NONE, lo=0, lo_open=True
            ),
            Column(
                "round_trip_eff", "float", "-", "round-trip efficiency (storage)", blank=1.0, lo=0, lo_open=True, hi=1
            ),
            _src(),
        ),
        where="catalog",
        description="onsite power technologies (grid supply lives on the site)",
    )
)
_add(
    FileSpec(
        "models.csv",
        ("model",),
        (
            Column("model", "key", "-", "AI model identifier"),
            Column("name", "text", "-", "display name", blank=TEXT),
            Column("params_b", "float", "billion", "total parameters", lo=0, lo_open=True),
            Column("active_params_b", "float", "billion", "parameters active per token", lo=0, lo_open=True),
            Column("context", "int", "tokens", "context length", lo=1),
            Column(
                "value_usd_per_mtok",
                "float",
                "USD/million tokens",
                "what a served million tokens is worth (objective = value; DESIGN.md §7.6)",
                blank=0.0,
                **NONNEG,
            ),
            _src(),
        ),
        where="models",
        description="AI model profiles",
    )
)
_add(
    FileSpec(
        "throughput.csv",
        ("model", "chip"),
        (
            Column("model", "key", "-", "AI model", ref="models.csv"),
            Column("chip", "key", "-", "accelerator product", ref="chips.csv"),
            Column(
                "tokens_per_s_per_chip",
                "float",
                "tokens/s per accelerator",
                "serving throughput (0 = cannot serve)",
                **NONNEG,
            ),
            _src(),
        ),
        where="models",
        description="tokens per second each accelerator delivers for each model",
    )
)

# --- §7.3 24/7 carbon-free energy and §7.5 sovereign AI: optional columns (blank = 0 / no country)
_CFE_SOVEREIGNTY_COLUMNS = {
    "regions.csv": (
        Column("country", "key", "ISO 3166 alpha-2", "country of the region (sovereign AI, §7.5)", blank=NONE),
    ),
    "sites.csv": (
        Column(
            "grid_cfe_share",
            "float",
            "-",
            "share of grid imports counted carbon-free, hour by hour (24/7 CFE, §7.3)",
            blank=0.0,
            lo=0,
            hi=1,
        ),
        Column(
            "country", "key", "ISO 3166 alpha-2", "country of the site (blank = abroad for every region)", blank=NONE
        ),
    ),
    "demand.csv": (
        Column(
            "sovereign_share",
            "float",
            "-",
            "share of the demand that must be served from sites in the region's own country",
            blank=0.0,
            lo=0,
            hi=1,
        ),
    ),
}
for _f, _cols in _CFE_SOVEREIGNTY_COLUMNS.items():
    FILES[_f] = FileSpec(**{**FILES[_f].__dict__, "columns": FILES[_f].columns + _cols})

LOAD_ORDER = (
    "regions.csv",
    "sites.csv",
    "slices.csv",
    "chips.csv",
    "cooling.csv",
    "power.csv",
    "models.csv",
    "throughput.csv",
    "latency.csv",
    "demand.csv",
    "site_power.csv",
    "profiles.csv",
)


# ---- DESIGN.md §7.1 skilled labour, §7.2 water, §7.4 embodied carbon: optional columns and files
def _extend(fname: str, *cols: Column) -> None:
    """Append optional columns to a file declared above (a scenario without them reads the
    blank-cell value of each, so it plans exactly as before)."""
    import dataclasses

    FILES[fname] = dataclasses.replace(FILES[fname], columns=FILES[fname].columns + cols)


_extend(
    "sites.csv",
    Column("labour_pool", "key", "-", "labour pool of the site (blank = the site's region)", blank=NONE),
    Column("wue_mult", "float", "-", "climate multiplier on the cooling's WUE", blank=1.0, **NONNEG),
    Column(
        "water_cap_ml_per_yr",
        "float",
        "ML/yr",
        "water the site may consume a year (blank = no limit)",
        blank=NONE,
        **NONNEG,
    ),
    Column("water_price_usd_per_ml", "float", "USD/ML", "price of water consumed", blank=0.0, **NONNEG),
)
_extend(
    "power.csv",
    Column("water_l_per_mwh", "float", "L/MWh", "water consumed per MWh generated (storage: 0)", blank=0.0, **NONNEG),
    Column("embodied_co2_t_per_mw", "float", "t CO2/MW", "embodied CO2 per MW of capacity built", blank=0.0, **NONNEG),
)
_extend(
    "chips.csv",
    Column("embodied_co2_t_per_unit", "float", "t CO2/unit", "embodied CO2 per unit bought", blank=0.0, **NONNEG),
)
_extend(
    "cooling.csv",
    Column(
        "embodied_co2_t_per_mw_it",
        "float",
        "t CO2/MW IT",
        "embodied CO2 of building shell and cooling plant per MW IT of hall",
        blank=0.0,
        **NONNEG,
    ),
)
_add(
    FileSpec(
        "labour.csv",
        ("asset", "trade"),
        (
            Column("asset", "key", "-", "a cooling, power tech or chip"),
            Column("trade", "key", "-", "skilled trade (electricians, pipefitters, ...)"),
            Column(
                "build_worker_years_per_mw",
                "float",
                "worker-years/MW",
                "construction work per MW (cooling: MW IT of halls; tech: MW; chip: MW IT of units bought)",
                blank=0.0,
                **NONNEG,
            ),
            Column(
                "ops_workers_per_mw",
                "float",
                "workers/MW",
                "permanent staff per MW in service (chips: blank or 0)",
                blank=0.0,
                **NONNEG,
            ),
            _src(),
        ),
        where="catalog",
        required=False,
        description="labour needed to build and run each asset, per trade (DESIGN.md §7.1)",
        extra={"quiet_if_missing": True},
    )
)
_add(
    FileSpec(
        "labour_supply.csv",
        ("pool", "trade", "year"),
        (
            Column("pool", "key", "-", "labour pool (a sites.csv labour_pool, or a region)"),
            Column("trade", "key", "-", "skilled trade"),
            Column("year", "year", "year", "year (rows outside the horizon are ignored)"),
            Column("worker_years", "float", "worker-years", "workers available to this scenario that year", **NONNEG),
            Column(
                "premium_usd_per_worker_year",
                "float",
                "USD/worker-year",
                "cost of each extra, travelling worker (blank = hard limit)",
                blank=NONE,
                **NONNEG,
            ),
            _src(),
        ),
        required=False,
        description="skilled workers available per pool, trade and year (DESIGN.md §7.1)",
        extra={"quiet_if_missing": True},
    )
)
LOAD_ORDER = (*LOAD_ORDER, "labour.csv", "labour_supply.csv")
CARBON_SCOPES = ("operational", "lifecycle")

# --- service tiers (DESIGN.md §7.9): models/tiers.csv and the optional `tier` key column of
# throughput.csv and demand.csv. A blank tier is None; the reader's duplicate-key check counts
# the column (extra["optional_keys"]) only when the file's header has it.
_add(
    FileSpec(
        "tiers.csv",
        ("tier",),
        (
            Column("tier", "key", "-", "service tier identifier"),
            Column(
                "tokens_per_s_per_user",
                "float",
                "tokens/s per user",
                "interactivity the tier promises (documents the tier; blank for batch)",
                blank=NONE,
                **NONNEG,
            ),
            Column("description", "text", "-", "what the tier serves", blank=TEXT),
            Column(
                "value_mult",
                "float",
                "-",
                "multiplier on the model's value_usd_per_mtok for this tier (blank = 1)",
                blank=1.0,
                **NONNEG,
            ),
            _src(),
        ),
        where="models",
        required=False,
        description="service tiers: the interactivity each tier promises (optional, DESIGN.md §7.9)",
        extra={"silent_if_missing": True},
    )
)


def _with_tier(fname: str, what: str) -> None:
    import dataclasses

    spec = FILES[fname]
    col = Column("tier", "key", "-", what, blank=NONE)
    extra = {**spec.extra, "optional_keys": (*spec.extra.get("optional_keys", ()), "tier")}
    FILES[fname] = dataclasses.replace(spec, columns=(*spec.columns, col), extra=extra)


_with_tier("throughput.csv", "service tier (part of the key; blank = every tier without a row of its own)")
_with_tier("demand.csv", "service tier (part of the key; blank = scenario.toml default_tier)")
LOAD_ORDER = (*LOAD_ORDER, "tiers.csv")

# scenario.toml: (key, type, default, lo, hi, description); default None = required.
SCENARIO_KEYS: tuple[tuple, ...] = (
    ("name", "text", None, None, None, "scenario name (also the default results folder)"),
    ("start_year", "year", None, 1900, 2200, "first planning year"),
    ("end_year", "year", None, 1900, 2200, "last planning year (inclusive)"),
    ("discount_rate", "float", None, 0.0, 1.0, "real discount rate, e.g. 0.07"),
    ("currency_year", "year", None, 1900, 2200, "year of the real USD used everywhere"),
    ("hall_block_mw", "float", 10.0, 0.0, None, "IT MW per hall block"),
    ("max_utilization", "float", 0.7, 0.0, 1.0, "share of a chip-year usable for serving"),
    ("load_factor", "float", 0.8, 0.0, 1.0, "average IT draw / nameplate IT power"),
    ("unserved_penalty_usd_per_mtok", "float", 100.0, 0.0, 1e9, "penalty per million tokens not served"),
    ("site_lifetime_years", "int", 30, 1, 200, "years over which a site's open cost is annualised"),
    ("default_tier", "text", "", None, None, "tier of demand rows with a blank tier (blank = first row of tiers.csv)"),
    ("first_stage_years", "int", 3, 0, 200, "years from start_year whose investments a stochastic plan shares (§7.8)"),
)
# keys that must be above their minimum (0), and discount rates of 1 or more (read as a
# percentage written by mistake, and refused)
POSITIVE_KEYS = ("hall_block_mw", "max_utilization", "load_factor")
PERCENT_LIKE_KEYS = ("discount_rate",)
SOLVER_KEYS: tuple[tuple, ...] = (
    ("time_limit_s", "float", 300.0, 0.0, None, "solver time limit"),
    ("mip_rel_gap", "float", 0.01, 0.0, 1.0, "relative MIP gap tolerance"),
    ("threads", "int", 2, 1, 1024, "solver threads"),
    ("seed", "int", 1, 0, 2**31 - 1, "solver random seed"),
)


def _blank_text(c: Column) -> str:
    if c.blank == REQUIRED:
        return "required"
    if c.blank == NO_LIMIT:
        return "no limit"
    if c.blank == START_YEAR:
        return "start_year"
    if c.blank in (NONE, TEXT):
        return "allowed"
    return f"{c.blank:g}" if isinstance(c.blank, float) else str(c.blank)


def _range_text(c: Column) -> str:
    if c.choices:
        return " / ".join(c.choices)
    if c.ref:
        return f"key of {c.ref}"
    parts = []
    if c.lo is not None:
        parts.append(f"{'>' if c.lo_open else '≥'} {c.lo:g}")
    if c.hi is not None:
        parts.append(f"{'<' if c.hi_open else '≤'} {c.hi:g}")
    return ", ".join(parts)


def markdown_reference() -> str:
    """The data reference of the README, generated from this dictionary (one table per
    file: column, unit, blank cell, allowed values, description)."""
    out = []
    for name, spec in FILES.items():
        where = {
            "scenario": "scenario folder",
            "catalog": "data/catalog/ (or the scenario folder)",
            "models": "models/ (or the scenario folder)",
        }[spec.where]
        req = "required" if spec.required else "optional"
        out.append(f"#### {name} — {spec.description}")
        out.append("")
        out.append(f"Key: {', '.join(spec.keys)}. Read from the {where}; {req}.")
        out.append("")
        out.append("| column | unit | blank cell | allowed | description |")
        out.append("|---|---|---|---|---|")
        for c in spec.columns:
            out.append(f"| `{c.name}` | {c.unit} | {_blank_text(c)} | {_range_text(c)} | {c.description} |")
        out.append("")
    out.append("#### scenario.toml")
    out.append("")
    out.append("| key | default | allowed | description |")
    out.append("|---|---|---|---|")
    for key, _typ, default, lo, hi, desc in SCENARIO_KEYS:
        low = f"{'>' if key in POSITIVE_KEYS else '≥'} {lo:g}" if lo is not None else ""
        high = f"{'<' if key in PERCENT_LIKE_KEYS else '≤'} {hi:g}" if hi is not None else ""
        rng = ", ".join(x for x in (low, high) if x)
        out.append(f"| `{key}` | {'required' if default is None else default} | {rng} | {desc} |")
    out.append(
        "| `carbon_price_usd_per_t` | none | a number or a table year → USD/t | carbon price on grid and onsite CO2 |"
    )
    out.append("| `carbon_cap_t` | none | a number or a table year → t CO2 | cap on CO2 a year, all sites together |")
    out.append(
        "| `cfe_target` | none | a number or a table year → 0..1 | 24/7 carbon-free energy share each site must match hour by hour (§7.3) |"
    )
    out.append(
        "| `carbon_scope` | operational | operational / lifecycle | lifecycle adds embodied CO2 to the carbon cap and price |"
    )
    # DESIGN.md §7.6 (planner.io.limits)
    out.append(
        "| `objective` | cost | cost / tokens / value | what the plan optimises (`planner solve --objective` overrides it) |"
    )
    out.append(
        "| `[limits] capex_usd_per_year` | none | a number or a table year → USD | cash capex of the investment schedule in each year |"
    )
    out.append(
        "| `[limits] facility_mw` | none | a number or a table year → MW | facility draw of all sites in each year |"
    )
    out.append("| `[limits] npc_budget_usd` | none | a number, USD | net present cost without the unserved penalty |")
    for key, _typ, default, lo, hi, desc in SOLVER_KEYS:
        rng = ", ".join(x for x in (f"≥ {lo:g}" if lo is not None else "", f"≤ {hi:g}" if hi is not None else "") if x)
        out.append(f"| `[solver] {key}` | {default} | {rng} | {desc} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(markdown_reference())
