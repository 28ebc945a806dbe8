"""Series semantics without Dash: period lengths, derived monthly values with their bounds, the wide table."""
import math

import pandas as pd
import pytest

from indicators.dashboard import series
from indicators.dashboard.series import PeriodKind


@pytest.mark.parametrize("start,end,kind", [
    ("2021-03-01", "2021-03-31", PeriodKind.MONTH),
    ("2024-02-01", "2024-02-29", PeriodKind.MONTH),  # leap year
    ("2022-01-01", "2022-03-31", PeriodKind.QUARTER),
    ("2022-07-01", "2022-09-30", PeriodKind.QUARTER),
    ("2022-02-01", "2022-04-30", PeriodKind.OTHER),  # three months, not a calendar quarter
    ("2020-01-01", "2020-11-30", PeriodKind.YTD),
    ("2021-01-01", "2021-02-28", PeriodKind.YTD),
    ("2019-01-01", "2019-12-31", PeriodKind.YEAR),
    ("2019-07-01", "2020-06-30", PeriodKind.OTHER),  # a fiscal year is twelve months but not a calendar year
    ("2020-10-01", "2020-10-01", PeriodKind.POINT),
    ("2020-12-17", "2020-12-31", PeriodKind.OTHER),  # half a month
    ("2018-01-01", "2020-12-31", PeriodKind.OTHER),  # several years
])
def test_period_kind(start, end, kind):
    assert series.period_kind(start, end) is kind


def _claim(value, end, *, qualifier="exact", low=None, high=None, start=None, report="r", pos=0, month=None,
           source="Ministry", item="", role="reported", unit="case", indicator="crime.cyber"):
    return {"report": report, "report_month": month or end[:7], "indicator": indicator, "item": item, "role": role,
            "qualifier": qualifier, "value": float(value), "value_low": low, "value_high": high, "unit": unit,
            "period_start": start or end[:4] + "-01-01", "period_end": end, "source": source,
            "surface": f"{qualifier} {value}", "sentence": f"In total {value} cases.", "char_start": pos,
            "char_end": pos + 5}


@pytest.mark.parametrize("later,earlier,want", [
    # (qualifier, value, low, high) of the later and earlier cumulative figures -> the derived month
    (("exact", 3917, None, None), ("exact", 1800, None, None), ("exact", 2117, None, None)),
    (("over", 9000, 9000, None), ("exact", 4000, None, None), ("over", 5000, 5000, None)),
    (("at_least", 90, 90, None), ("exact", 40, None, None), ("at_least", 50, 50, None)),
    (("exact", 9000, None, None), ("over", 4000, 4000, None), ("under", 5000, None, 5000)),
    (("exact", 9000, None, None), ("under", 4000, None, 4000), ("over", 5000, 5000, None)),
    (("under", 7000, None, 7000), ("exact", 2000, None, None), ("under", 5000, None, 5000)),
    (("range", 15, 10, 20), ("exact", 5, None, None), ("range", 10, 5, 15)),
    (("range", 15, 10, 20), ("range", 5, 4, 6), ("range", 10, 4, 16)),
    (("approx", 30000, None, None), ("exact", 10000, None, None), ("approx", 20000, None, None)),
    (("over", 9000, 9000, None), ("over", 4000, 4000, None), None),  # open on both sides: nothing follows
    (("under", 9000, None, 9000), ("under", 4000, None, 4000), None),
])
def test_difference_carries_bounds(later, earlier, want):
    as_dict = lambda t: dict(zip(("qualifier", "value", "value_low", "value_high"), t))
    got = series.difference(as_dict(later), as_dict(earlier))
    if want is None:
        assert got is None
        return
    assert got["qualifier"] == want[0] and got["value"] == pytest.approx(want[1])
    for k, w in zip(("value_low", "value_high"), want[2:]):
        assert (got[k] is None) if w is None else got[k] == pytest.approx(w)


def test_two_months_year_to_date_give_a_derived_february_naming_both_claims():
    df = pd.DataFrame([_claim(1800, "2021-01-31", report="jan", pos=10),
                       _claim(3917, "2021-02-28", report="feb", pos=42),
                       _claim(50, "2021-02-28", report="feb", pos=90, indicator="other.thing")])  # distractor
    out = series.derive_monthly(df)
    assert len(out) == 1
    d = out.iloc[0]
    assert (d["period_start"], d["period_end"], d["value"], d["qualifier"]) == ("2021-02-01", "2021-02-28", 2117, "exact")
    assert d["derived"] and d["derived_from"] == "feb@42; jan@10"
    assert d["report"] == "feb" and "3917" in d["surface"] and "1800" in d["surface"]


def test_an_annual_total_and_eleven_months_give_december():
    df = pd.DataFrame([_claim(9000, "2019-11-30", qualifier="over", low=9000, report="nov"),
                       _claim(10500, "2019-12-31", report="dec")])
    d = series.derive_monthly(df).iloc[0]
    assert (d["period_start"], d["period_end"]) == ("2019-12-01", "2019-12-31")
    assert d["qualifier"] == "under" and d["value"] == 1500  # exact minus over: under


@pytest.mark.parametrize("rows", [
    # nothing follows: different sources, items, units, years, a gap of a month, plans, a stated month
    [_claim(1800, "2021-01-31", source="A"), _claim(3917, "2021-02-28", source="B")],
    [_claim(1800, "2021-01-31", item="x"), _claim(3917, "2021-02-28", item="y")],
    [_claim(1800, "2021-01-31", unit="case"), _claim(3917, "2021-02-28", unit="person")],
    [_claim(1800, "2021-01-31"), _claim(3917, "2022-02-28")],
    [_claim(1800, "2021-01-31"), _claim(3917, "2021-03-31")],
    [_claim(1800, "2021-01-31", role="planned"), _claim(3917, "2021-02-28", role="planned")],
    [_claim(1800, "2021-01-31"), _claim(3917, "2021-02-28"), _claim(2000, "2021-02-28", start="2021-02-01")],
    [_claim(1800, "2021-06-30", start="2021-06-01"), _claim(3917, "2021-07-31", start="2021-06-01")],
])
def test_no_derivation_without_consecutive_cumulative_figures_of_one_series(rows):
    assert series.derive_monthly(pd.DataFrame(rows)).empty


def test_derivation_uses_the_latest_vintage():
    df = pd.DataFrame([_claim(1800, "2021-01-31", report="a", month="2021-02"),
                       _claim(1900, "2021-01-31", report="b", month="2021-03"),  # January revised later
                       _claim(3917, "2021-02-28", report="b", month="2021-03", pos=7)])
    d = series.derive_monthly(df).iloc[0]
    assert d["value"] == 2017 and d["derived_from"] == "b@7; b@0"


def test_with_derived_marks_claims_and_derived_rows():
    df = pd.DataFrame([_claim(1800, "2021-01-31"), _claim(3917, "2021-02-28", pos=3)])
    out = series.with_derived(df)
    assert out["derived"].tolist() == [False, False, True]
    assert out["derived_from"].tolist()[:2] == ["", ""]


def test_default_kind_prefers_monthly_then_quarter():
    assert series.default_kind(["ytd", "year", "month"]) == "month"
    assert series.default_kind(["ytd", "quarter"]) == "quarter"
    assert series.default_kind(["ytd", "year"]) == "year"
    assert series.default_kind([]) == series.ALL


def test_wide_table_latest_vintage_per_period_and_item():
    df = pd.DataFrame([
        _claim(10, "2021-01-31", start="2021-01-01", item="north", month="2021-02", report="a"),
        _claim(12, "2021-01-31", start="2021-01-01", item="north", month="2021-03", report="b"),  # revision
        _claim(7, "2021-01-31", start="2021-01-01", item="south", qualifier="over", low=7),
        _claim(6, "2021-02-28", start="2021-02-01", item="", qualifier="range", low=4, high=8),
        _claim(99, "2021-02-28", start="2021-02-01", item="north", role="planned"),  # a plan: a column of its own
        _claim(50, "2021-02-28", start="2021-02-01", item="north", role="stated"),  # disputed: left out
    ])
    wide = series.wide_table(df)
    assert list(wide.columns) == ["period_start", "period_end", "period", "north", "north (planned)", "south", "total"]
    assert wide.iloc[1]["north (planned)"] == "99"
    assert wide.iloc[0][["north", "south"]].tolist() == ["12", "> 7"]
    assert wide.iloc[1]["total"] == "4 – 8" and (pd.isna(wide.iloc[1]["north"]) or wide.iloc[1]["north"] == "")
    assert wide["period"].tolist() == ["monthly", "monthly"]
    assert series.wide_table(df.iloc[:0]).columns.tolist() == ["period_start", "period_end", "period"]


@pytest.mark.parametrize("row,text", [
    ({"qualifier": "exact", "value": 9000.0}, "9,000"),
    ({"qualifier": "over", "value": 9000.0}, "> 9,000"),
    ({"qualifier": "at_most", "value": 21.1}, "≤ 21.1"),
    ({"qualifier": "approx", "value": 30.0}, "~30"),
    ({"qualifier": "range", "value": 10.5, "value_low": 6.0, "value_high": 15.0}, "6 – 15"),
    ({"qualifier": "exact", "value": math.nan}, ""),
])
def test_cell_text(row, text):
    assert series.cell_text(row) == text
