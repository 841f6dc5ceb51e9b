"""Numbers as a person reads them in the report, the terminal and compare: money in $ / M /
bn, tokens in G/T/Ptok, power in MW / GW, CO2 in t / kt / Mt, runs of years as spans."""

from __future__ import annotations


def _usd(x: float) -> str:
    a = abs(x)
    if a >= 1e9:
        return f"${x / 1e9:,.2f} bn"
    if a >= 1e6:
        return f"${x / 1e6:,.1f} M"
    return f"${x:,.0f}"


def _tok(x: float) -> str:
    for f, u in ((1e15, "P"), (1e12, "T"), (1e9, "G")):
        if abs(x) >= f:
            return f"{x / f:,.2f} {u}tok"
    return f"{x:,.0f} tok"


def _mw(x: float) -> str:
    if abs(x) >= 1e3:
        return f"{x / 1e3:,.2f} GW"
    return f"{x:,.0f} MW" if abs(x) >= 10 else f"{x:,.2f} MW"


def _t(x: float) -> str:
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.2f} Mt"
    if abs(x) >= 1e3:
        return f"{x / 1e3:,.1f} kt"
    return f"{x:,.0f} t"


def _span(years: list[int]) -> str:
    """2027, 2028, 2029, 2031 -> "2027–2029, 2031"."""
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


# ---------------------------------------------------------------- document model


def _pct(x: float, digits: int = 2) -> str:
    """A share as a percentage, ``digits`` decimals; a value that rounds to zero prints as
    "0.00%", never "-0.00%" (a MIP gap of -1e-15 is a gap of zero within HiGHS's tolerances)."""
    if round(x * 100, digits) == 0:
        x = 0.0
    return f"{x:.{digits}%}"
