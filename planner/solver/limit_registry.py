"""Where each kind of binding limit sits in the compiled program, so that its price can be
measured as the saving of one MORE unit (:func:`planner.solver.marginal.one_more`).

Every feature that writes rows of binding_limits.csv registers its limit name here with a
:class:`LimitKind`: the Pyomo component that makes the limit (a constraint whose HiGHS rows
are loosened, or a variable whose bounded columns are), how an index of that component maps
to the (item, year) of binding_limits.csv, and the limit's own unit (how many model units one
unit of the limit is, and the step of a perturbation re-solve). :class:`Locator` then finds
the HiGHS rows or columns of any (limit, item, year) without knowing the feature.

Registered here: the limits of DESIGN.md §4 (grid interconnect, carbon cap, onsite power
max_mw, site IT capacity, chip supply, which includes chip_supply.csv years of §7.7). The
§7 features register theirs in their own solver modules (:mod:`.resources` labour and water,
:mod:`.marginal_cfe` CFE target and sovereignty, :mod:`.limit_prices` the ``[limits]``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


def _by_slash(d, key) -> tuple[str, int]:
    """(a, b, ..., y) -> ("a/b/...", y): the item of most limits."""
    key = key if isinstance(key, tuple) else (key,)
    return "/".join(str(k) for k in key[:-1]), int(key[-1])


def _all_sites_year(d, key) -> tuple[str, int]:
    """y -> ("all sites", y): a limit of the whole fleet in a year."""
    return "all sites", int(key[-1] if isinstance(key, tuple) else key)


@dataclass(frozen=True)
class LimitKind:
    """One kind of limit of binding_limits.csv, for pricing it by re-solves.

    ``component``: name of the Pyomo component on the model (a Constraint, or a Var when
    ``columns``: then the finite upper bounds of its columns are the limit, summed over the
    indices that share an (item, year), e.g. the slices of a grid cap). ``item``: (d, index
    of the component) -> (item, year) as binding_limits.csv names it (None for a scalar
    constraint). ``per``: model units in one unit of the limit (carbon cap: kt per t, 1e-3;
    capex: MUSD per USD, 1e-6). ``step``: the step of a perturbation re-solve, in the limit's
    own unit. ``discounted``: the price is divided by DF_y (False for a limit already in
    present value, the NPC budget). ``one`` / ``per_year``: one unit of the limit in words
    and whether its saving recurs each year (for the report). ``range_unit``: the unit of
    ``holds_for`` (the limit's own unit)."""

    component: str
    item: Callable = _by_slash
    per: float = 1.0
    step: float = 1e-3
    columns: bool = False
    discounted: bool = True
    one: str = "unit"
    per_year: bool = False
    range_unit: str = "units"


REGISTRY: dict[str, LimitKind] = {}


def register(name: str, kind: LimitKind) -> None:
    """Register (or replace) the limit ``name`` of binding_limits.csv."""
    REGISTRY[name] = kind


def kind_of(limit: str) -> LimitKind | None:
    """The registered :class:`LimitKind` of ``limit`` (None when it has none)."""
    return REGISTRY.get(limit)


class Locator:
    """HiGHS columns and rows of each registered limit of the model ``m`` as compiled in
    ``ho`` (a :class:`planner.solver.highs.Handoff`); the indices are built once per
    component, on first use."""

    def __init__(self, m, d, ho):
        self.m, self.d, self.ho = m, d, ho
        self._rows: dict | None = None
        self._cols: dict | None = None
        self._found: dict[str, dict] = {}

    def _row_of(self) -> dict:
        if self._rows is None:
            rows: dict = {}
            for i, r in enumerate(self.ho.rows):
                rows.setdefault(id(r), []).append(i)
            self._rows = rows
        return self._rows

    def _index(self, limit: str, kind: LimitKind) -> dict:
        if limit in self._found:
            return self._found[limit]
        comp = getattr(self.m, kind.component, None)
        out: dict = {}
        if comp is not None:
            if kind.columns:
                if self._cols is None:
                    self._cols = self.ho.column_index()
                upper = self.ho.upper
                for key, v in comp.items():
                    j = self._cols.get(id(v))
                    if j is not None and np.isfinite(upper[j]):
                        out.setdefault(kind.item(self.d, key), ([], []))[0].append(j)
            else:
                row_of = self._row_of()
                for key, con in comp.items():
                    rows = row_of.get(id(con))
                    if rows:
                        out.setdefault(kind.item(self.d, key), ([], []))[1].extend(rows)
        self._found[limit] = out
        return out

    def bounds(self, limit: str, item: str, year: int) -> tuple[list[int], list[int]]:
        """(columns, rows) of HiGHS whose bounds make ``limit`` of ``item`` in ``year``;
        ([], []) for a limit nobody registered or an (item, year) the program lacks."""
        kind = REGISTRY.get(limit)
        if kind is None:
            return [], []
        return self._index(limit, kind).get((str(item), int(year)), ([], []))


# ---------------------------------------------------------------- DESIGN.md §4 limits

register(
    "grid_interconnect",
    LimitKind(
        "grid",
        lambda d, k: (str(k[0]), int(k[1])),
        columns=True,
        one="MW of grid interconnect",
        per_year=True,
        range_unit="MW",
    ),
)
register(
    "carbon_cap",
    LimitKind("carbon_cap", _all_sites_year, per=1e-3, step=1.0, one="tonne of CO2 allowed", range_unit="t"),
)
register(
    "power_max_mw",
    LimitKind("max_capacity", one="MW of onsite power allowed", per_year=True, range_unit="MW"),
)
register("site_it_capacity", LimitKind("site_capacity", one="MW IT", per_year=True, range_unit="MW IT"))
register("chip_supply", LimitKind("chip_supply", one="unit of chip supply", range_unit="units"))
