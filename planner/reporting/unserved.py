"""Why demand stays unserved: the limit that binds, not "at the penalty"."""

from __future__ import annotations


def unserved_reasons(tables: dict, names: dict | None = None) -> list[str]:
    """One sentence per year with unserved tokens: the binding limits of that year at the sites
    (or the chips) that could serve them (``binding_limits``), else that serving them would
    cost more than the penalty (``marginal_costs``: the long-run cost of one more token is at
    the penalty) or that no site is within the latency limit."""
    names = names or {}
    un = tables.get("unserved")
    if un is None or not len(un):
        return []
    bl = tables.get("binding_limits")
    out = []
    for y, g in un.groupby("year"):
        what = ", ".join(f"{r.model} in {r.region}" for r in g.itertuples())
        lim = bl[bl["year"] == y] if bl is not None and len(bl) else None
        if lim is not None and len(lim):
            items = []
            for r in lim.itertuples():
                label = {
                    "grid_interconnect": "grid interconnect",
                    "site_it_capacity": "IT capacity",
                    "chip_supply": "chip supply",
                    "carbon_cap": "carbon cap",
                    "power_max_mw": "onsite power limit",
                }.get(r.limit, r.limit)
                items.append(
                    f"the {label} of {names.get(r.item, r.item)}" if r.limit != "carbon_cap" else "the carbon cap"
                )
            items = list(dict.fromkeys(items))
            out.append(f"Unserved in {y} ({what}): limited by {', '.join(items[:4])}.")
        else:
            out.append(
                f"Unserved in {y} ({what}): no binding limit; serving it would cost more than the unserved penalty "
                "(or no site is within its latency limit)."
            )
    return out
