"""Cross-file checks of the sovereign-AI inputs (DESIGN.md §7.5): countries on regions and
sites, sovereign shares on demand rows.

Each check has the signature of :mod:`planner.io.validate`'s checks (``config, tables,
labels`` -> ``(errors, warnings)``) and is run by its ``cross_checks``.
"""

from __future__ import annotations

import re

import pandas as pd

from .errors import Problem

_ISO2 = re.compile(r"^[A-Z]{2}$")


def _country(v) -> str | None:
    return None if v is None or (isinstance(v, float) and pd.isna(v)) or v == "" else str(v)


def check_countries(config, tables, labels):
    """A country that is not two capital letters (ISO 3166 alpha-2, e.g. ``US``, ``DE``) is a
    warning: countries compare exactly as written, so ``us`` and ``US`` are two countries."""
    warnings = []
    for fname in ("regions.csv", "sites.csv"):
        t = tables[fname]
        if "country" not in t.columns:
            continue
        for r in t.to_dict("records"):
            c = _country(r["country"])
            if c is not None and not _ISO2.match(c):
                warnings.append(
                    Problem(
                        labels[fname],
                        int(r["_row"]),
                        "country",
                        f"'{c}' is not an ISO 3166 alpha-2 code (two capital letters, e.g. US); "
                        "countries compare exactly as written",
                    )
                )
    return [], warnings


def check_sovereign_shares(config, tables, labels):
    """A demand row with ``sovereign_share`` > 0 needs a region with a country, and a site in
    that country (otherwise the share could only ever be unserved): each is an error naming
    the demand row."""
    errors = []
    d = tables["demand.csv"]
    if "sovereign_share" not in d.columns or not (d["sovereign_share"] > 0).any():
        return [], []
    reg = tables["regions.csv"]
    country_of = {r["region"]: _country(r.get("country")) for r in reg.to_dict("records")}
    site_countries = {_country(c) for c in tables["sites.csv"].get("country", pd.Series(dtype=object))} - {None}
    for r in d[d["sovereign_share"] > 0].to_dict("records"):
        region = r["region"]
        if region not in country_of:
            continue  # an unknown region is reported by check_unknown_references
        c = country_of[region]
        share = f"a sovereign share of {r['sovereign_share']:g}"
        if c is None:
            errors.append(
                Problem(
                    labels["demand.csv"],
                    int(r["_row"]),
                    "sovereign_share",
                    f"{share} needs region {region} to have a country, but its country is blank in "
                    f"{labels['regions.csv']}; give the region its ISO code or write 0",
                )
            )
        elif c not in site_countries:
            errors.append(
                Problem(
                    labels["demand.csv"],
                    int(r["_row"]),
                    "sovereign_share",
                    f"{share} must be served from country {c} (region {region}), but no site in "
                    f"{labels['sites.csv']} has country {c}",
                )
            )
    return errors, []
