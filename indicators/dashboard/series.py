"""Series semantics for the charts and tables: what makes figures comparable, and the monthly values that
follow from cumulative ones. Pure functions over claims frames (no Dash, no store), tested on their own.

A *series* is indicator × item × source × period length. Figures of different period lengths (a month, a
quarter, January to November, a year, a day) never share a line: the chart draws one length at a time.

*Derived monthly values*: where one series gives cumulative figures from January for consecutive months
(January–February and January–March; or January–November and the year), the later minus the earlier is the
month between. It is drawn as derived, carries both claims as its provenance, and is never stored. Bounds
carry through as intervals: over 9,000 minus exactly 4,000 is over 5,000; over minus over bounds nothing and
gives no value.
"""
from __future__ import annotations

import calendar
import math
from enum import StrEnum
from functools import lru_cache

import pandas as pd

from ..conflicts import vintage_marks
from ..schema import SCHEMA, Qualifier, Role
from .columns import Columns


class PeriodKind(StrEnum):
    """How long a period a figure measures, as an analyst would group them."""

    MONTH = "month"
    QUARTER = "quarter"
    YTD = "ytd"  # January to a month other than March or December: cumulative year to date
    YEAR = "year"
    POINT = "point"  # one day: a stock at a date ("as of 1 December")
    OTHER = "other"  # any other span (two months mid-year, several years)


PERIOD_LABELS = {PeriodKind.MONTH: "monthly", PeriodKind.QUARTER: "quarterly",
                 PeriodKind.YTD: "year to date (cumulative)", PeriodKind.YEAR: "annual",
                 PeriodKind.POINT: "point in time", PeriodKind.OTHER: "other spans"}
ALL = "all"  # the period-length control's "every length together"
AUTO = "auto"  # the period-length control's default: the first of PREFERENCE present
# the default length when a view holds several: the first of these present
PREFERENCE = (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR, PeriodKind.YTD, PeriodKind.POINT,
              PeriodKind.OTHER)
FACT_ROLES = (Role.REPORTED, Role.CORRECTED)  # what derivation subtracts: plans and disputed statements never
SERIES_KEY = SCHEMA.group("series_source")
DERIVED_COLUMNS = ["derived", "derived_from"]


def _month_end(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


@lru_cache(maxsize=65536)
def period_kind(start: str, end: str) -> PeriodKind:
    """The kind of an ISO period (YYYY-MM-DD, inclusive): "2020-01-01", "2020-11-30" -> YTD."""
    if not start or not end:
        return PeriodKind.OTHER
    if start == end:
        return PeriodKind.POINT
    y0, m0, d0 = int(start[:4]), int(start[5:7]), int(start[8:10])
    y1, m1, d1 = int(end[:4]), int(end[5:7]), int(end[8:10])
    if d0 != 1 or d1 != _month_end(y1, m1):
        return PeriodKind.OTHER
    months = (y1 - y0) * 12 + m1 - m0 + 1
    if months == 1:
        return PeriodKind.MONTH
    if months == 3 and m0 in (1, 4, 7, 10):
        return PeriodKind.QUARTER
    if months == 12 and m0 == 1:
        return PeriodKind.YEAR
    if m0 == 1 and y0 == y1:
        return PeriodKind.YTD
    return PeriodKind.OTHER


def period_kinds(df: pd.DataFrame) -> pd.Series:
    """period_kind of every row (cached per distinct period: a view repeats few periods many times)."""
    pairs = list(zip(df["period_start"], df["period_end"]))
    memo = {p: period_kind(*p).value for p in set(pairs)}
    return pd.Series([memo[p] for p in pairs], index=df.index, dtype=object)


def default_kind(kinds) -> str:
    """The period length a chart shows first: monthly when there is any, else the first of PREFERENCE."""
    present = set(kinds)
    return next((k.value for k in PREFERENCE if k.value in present), ALL)


# ------------------------------------------------------------------------------------- derivation

def _interval(qualifier: str, value: float, low, high) -> tuple[float, float]:
    """What a figure asserts as [low, high]; one-sided bounds are half-lines (approximate values are kept
    as points here: the derived value says "about" instead)."""
    low = None if low is None or low != low else float(low)
    high = None if high is None or high != high else float(high)
    if qualifier == Qualifier.RANGE and low is not None and high is not None:
        return low, high
    if qualifier in _FLOORS:
        return (low if low is not None else value), math.inf
    if qualifier in _CEILINGS:
        return -math.inf, (high if high is not None else value)
    return value, value


_FLOORS = (Qualifier.OVER, Qualifier.AT_LEAST)  # a lower bound only
_CEILINGS = (Qualifier.UNDER, Qualifier.AT_MOST)  # an upper bound only
_FLIP = dict(zip(_FLOORS + _CEILINGS, _CEILINGS + _FLOORS))  # minus a floor is a ceiling, and the other way


def difference(later: dict, earlier: dict) -> dict | None:
    """later − earlier for two figures given as {qualifier, value, value_low, value_high}: the derived
    figure in the same shape, or None when the bounds leave it open on both sides (over minus over)."""
    a_lo, a_hi = _interval(later["qualifier"], later["value"], later.get("value_low"), later.get("value_high"))
    b_lo, b_hi = _interval(earlier["qualifier"], earlier["value"], earlier.get("value_low"), earlier.get("value_high"))
    lo, hi = a_lo - b_hi, a_hi - b_lo
    if math.isinf(lo) and math.isinf(hi):
        return None
    value = float(later["value"]) - float(earlier["value"])
    if math.isinf(hi):  # a lower bound only: from the later figure's own bound or the earlier one's flipped
        q = later["qualifier"] if later["qualifier"] in _FLOORS else _FLIP[earlier["qualifier"]]
        return {"qualifier": q, "value": lo, "value_low": lo, "value_high": None}
    if math.isinf(lo):
        q = later["qualifier"] if later["qualifier"] in _CEILINGS else _FLIP[earlier["qualifier"]]
        return {"qualifier": q, "value": hi, "value_low": None, "value_high": hi}
    if lo != hi:
        return {"qualifier": Qualifier.RANGE.value, "value": value, "value_low": lo, "value_high": hi}
    approx = Qualifier.APPROX in (later["qualifier"], earlier["qualifier"])
    return {"qualifier": (Qualifier.APPROX if approx else Qualifier.EXACT).value, "value": value, "value_low": None, "value_high": None}


def latest_vintage(df: pd.DataFrame, key=None) -> pd.DataFrame:
    """One figure per series and period: the one of the latest report (then the latest in its text)."""
    if df.empty:
        return df
    key = (key or SERIES_KEY) + ["period_start", "period_end"]
    order = df.sort_values(SCHEMA.group("vintage_order"), kind="stable")
    return order.drop_duplicates(key, keep="last")


def derive_monthly(df: pd.DataFrame) -> pd.DataFrame:
    """Monthly values that follow from cumulative figures of one series (January to month m−1 and January to
    month m, both as the latest vintage). Returns claims-shaped rows with `derived` True and `derived_from`
    naming both claims ("report@char_start of the later; of the earlier"); `surface` and `sentence` say what
    was subtracted. Months a report already gives as a monthly figure of the same series are not derived.
    Empty (same columns) when nothing follows. (derived_columns does the work.)"""
    out = derived_columns(Columns.from_frame(df))
    cols = list(df.columns) + [c for c in DERIVED_COLUMNS if c not in df.columns]
    return pd.DataFrame(out.data, columns=cols) if len(out) else pd.DataFrame(columns=cols)


def derived_columns(cols: Columns) -> Columns:
    """derive_monthly over columns: the derived rows only, with every column of `cols` plus DERIVED_COLUMNS.
    One pass over the rows (a chart's view is a few thousand)."""
    names = cols.names + [c for c in DERIVED_COLUMNS if c not in cols]
    empty = Columns({c: [] for c in names}, 0)
    if not len(cols):
        return empty
    order = SCHEMA.group("vintage_order")
    latest: dict = {}  # (series, period) -> the latest vintage's record
    # only facts that can take part: periods from 1 January to a month's end within a year, and single months
    facts = set(FACT_ROLES)
    starts, ends, roles = cols["period_start"], cols["period_end"], cols["role"]
    for i in range(len(cols)):
        ps, pe = str(starts[i]), str(ends[i])
        if roles[i] not in facts or not ((ps[5:] == "01-01" and ps[:4] == pe[:4]) or
                                         (ps[8:] == "01" and ps[:7] == pe[:7])):
            continue
        r = {c: v[i] for c, v in cols.data.items()}
        k = tuple(r[c] for c in SERIES_KEY) + (r["period_start"], r["period_end"])
        if k not in latest or [latest[k][c] for c in order] <= [r[c] for c in order]:
            latest[k] = r
    cumulative: dict = {}  # (series, year) -> {month: record} for periods from 1 January to a month's end
    stated = set()  # (series, first day) of the monthly figures reports gave
    for k, r in latest.items():
        kind = period_kind(r["period_start"], r["period_end"])
        if kind is PeriodKind.MONTH:
            stated.add(k[:-2] + (r["period_start"],))
        if (kind in (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YTD, PeriodKind.YEAR)
                and r["period_start"][5:] == "01-01" and r["period_start"][:4] == r["period_end"][:4]):
            cumulative.setdefault(k[:-2] + (r["period_end"][:4],), {})[int(r["period_end"][5:7])] = r
    rows = []
    for key, by_month in cumulative.items():
        year = key[-1]
        for m, later in sorted(by_month.items()):
            earlier = by_month.get(m - 1)
            start = f"{year}-{m:02d}-01"
            if earlier is None or key[:-1] + (start,) in stated:
                continue
            d = difference(later, earlier)
            if d is None:
                continue
            row = dict(later)
            row.update(d)
            row.update({
                "period_start": start, "period_end": later["period_end"],
                "surface": f"{later['surface']} − {earlier['surface']}",
                "sentence": f"{later['sentence']} — minus — {earlier['sentence']}",
                "derived": True,
                "derived_from": f"{later['report']}@{int(later['char_start'])}; "
                                f"{earlier['report']}@{int(earlier['char_start'])}",
            })
            rows.append(row)
    if not rows:
        return empty
    return Columns({c: [r.get(c) for r in rows] for c in names}, len(rows))


def with_derived(df: pd.DataFrame) -> pd.DataFrame:
    """The claims and the monthly values derived from them, with `derived` (bool) and `derived_from` ("" for a
    claim a report gave)."""
    base = df.copy()
    base["derived"] = False
    base["derived_from"] = ""
    derived = derive_monthly(df)
    if derived.empty:
        return base
    return pd.concat([base, derived], ignore_index=True)


def with_derived_columns(cols: Columns) -> Columns:
    """with_derived over columns."""
    base = cols.assign(derived=[False] * len(cols), derived_from=[""] * len(cols))
    return base.concat(derived_columns(cols))


def split_vintages(cols: Columns) -> tuple[Columns, Columns]:
    """(the figures to draw, the earlier vintages they replace, with `vintage`): a figure a later report revised
    for the same item, period and unit is an earlier vintage; plans and disputed statements always stay."""
    earlier, vintage = _earlier(cols)
    if not any(earlier):
        return cols, cols.take([]).assign(vintage=[])
    before = cols.where(earlier)
    return cols.where([not e for e in earlier]), before.assign(vintage=[v for v, e in zip(vintage, earlier) if e])


def latest(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """split_vintages on a frame: (the figures to draw, the earlier vintages, with `vintage`)."""
    earlier, vintage = _earlier(df)
    if not any(earlier):
        return df, df.iloc[:0].assign(vintage=pd.Series(dtype="int64"))
    mask = pd.Series(earlier, index=df.index)
    return df[~mask], df[mask].assign(vintage=pd.Series(vintage, index=df.index, dtype="int64")[mask])


def _earlier(cols) -> tuple[list[bool], list[int]]:
    """Which rows (of Columns or a frame) are earlier vintages, and every row's vintage (conflicts.vintage_marks);
    no work when no series and source gives a period twice."""
    n = len(cols["report"])
    if len(set(zip(*(cols[c] for c in SCHEMA.group("series") + ["source"])))) == n:
        return [False] * n, [0] * n
    vintage, last = vintage_marks(cols)
    return [v > 0 and not is_last for v, is_last in zip(vintage, last)], vintage


def of_length(cols: Columns, period: str | None) -> tuple[Columns, str, dict]:
    """The rows of one period length: `period` as chosen, or the default for these rows when automatic (None,
    "" or AUTO). Returns (rows, the length drawn, {length: count} of every length present)."""
    kinds = [period_kind(s, e).value for s, e in zip(cols["period_start"], cols["period_end"])]
    counts: dict = {}
    for k in kinds:
        counts[k] = counts.get(k, 0) + 1
    chosen = default_kind(counts) if period in (None, "", AUTO) else period
    if chosen == ALL:
        return cols, chosen, counts
    return cols.where([k == chosen for k in kinds]), chosen, counts


# --------------------------------------------------------------------------------------- the table

def wide_table(df: pd.DataFrame, item_label=lambda item: item or "total") -> pd.DataFrame:
    """The latest vintage per period and item, wide: one row per period (start, end, length), one column per
    item, cells the values (a bound or range written as the analyst would: "> 9,000", "6 – 15").
    Reported and corrected figures under the item's name; plans in columns of their own ("military
    (planned)"); disputed statements left out. Empty frame with the period columns when there is nothing."""
    base = ["period_start", "period_end", "period"]
    rows = df[df["role"].isin(FACT_ROLES + (Role.PLANNED,))] if len(df) else df
    if rows.empty:
        return pd.DataFrame(columns=base)
    rows = rows.assign(_plan=rows["role"] == Role.PLANNED)
    latest = latest_vintage(rows, key=SCHEMA.group("item_series") + ["_plan"])
    latest = latest.assign(_cell=[cell_text(r) for r in latest.to_dict("records")],
                           _col=[item_label(i) + (" (planned)" if p else "") for i, p in
                                 zip(latest["item"], latest["_plan"])],
                           period=[PERIOD_LABELS[period_kind(s, e)] for s, e in
                                   zip(latest["period_start"], latest["period_end"])])
    wide = latest.pivot_table(index=base, columns="_col", values="_cell", aggfunc="last").reset_index()
    wide.columns.name = None
    return wide.sort_values(["period_start", "period_end"], kind="stable").reset_index(drop=True)


def number(v: float) -> str:
    """A figure as an analyst writes it: 9,000; 21.1; 7,000,000."""
    if v is None or v != v:
        return ""
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.6g}" if abs(v) >= 1000 else f"{v:g}"


def cell_text(r: dict) -> str:
    """One figure with its qualifier as short text: "9,000", "> 9,000", "≥ 90", "< 7,000,000", "~30", "6 – 15"."""
    q, v = r["qualifier"], r["value"]
    if q == Qualifier.RANGE and r.get("value_low") == r.get("value_low") and r.get("value_low") is not None:
        return f"{number(r['value_low'])} – {number(r['value_high'])}"
    sign = {Qualifier.OVER: "> ", Qualifier.AT_LEAST: "≥ ", Qualifier.UNDER: "< ", Qualifier.AT_MOST: "≤ ",
            Qualifier.APPROX: "~"}.get(q, "")
    return f"{sign}{number(v)}"
