"""Series semantics without Dash: period lengths, derived monthly values with their bounds, the wide table."""
import math

import pandas as pd
import pytest

from indicators.dashboard import series
from indicators.dashboard.columns import Columns
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


# ------------------------------------------------------------------------ the chart's columns, without pandas

def _stored(row: dict, *, review="unreviewed", pair_kind="") -> dict:
    return {**row, "review": review, "pair_kind": pair_kind}


@pytest.mark.parametrize("rows,earlier_values", [
    # one source revising its own figure in a later report: the earlier one is a vintage
    ([_claim(1800, "2021-01-31", report="a", month="2021-02"), _claim(1900, "2021-01-31", report="b", month="2021-03")],
     [1800]),
    # two sources for the same period: both current (a conflict, not a revision)
    ([_claim(1800, "2021-01-31", source="A", month="2021-02"), _claim(1900, "2021-01-31", source="B", month="2021-03")],
     []),
    # plans are never vintages; nor a rejected figure
    ([_claim(5, "2021-12-31", role="planned", month="2021-01"), _claim(6, "2021-12-31", role="planned", month="2021-06")],
     []),
    # a stated figure its own report corrects is a dispute, not a vintage of a later report's figure
    ([_stored(_claim(20, "2021-01-31", role="stated", month="2021-02"), pair_kind="corrected by"),
      _claim(30, "2021-01-31", month="2021-03", report="later")], []),
    # three reports: the two earlier months are both vintages, numbered in order
    ([_claim(1, "2021-01-31", report="a", month="2021-02"), _claim(2, "2021-01-31", report="b", month="2021-03"),
      _claim(3, "2021-01-31", report="c", month="2021-04"), _claim(9, "2021-02-28", report="c", month="2021-04")],
     [1, 2]),
])
def test_split_vintages_on_columns_is_latest_on_frames(rows, earlier_values):
    df = pd.DataFrame([_stored(r) if "review" not in r else r for r in rows])
    now, before = series.split_vintages(Columns.from_frame(df))
    want_now, want_before = series.latest(df)
    assert sorted(before["value"]) == sorted(want_before["value"]) == earlier_values
    assert sorted(now["value"]) == sorted(want_now["value"])
    assert before["vintage"] == want_before["vintage"].tolist()


@pytest.mark.parametrize("periods,chosen,want", [
    # (start, end) of each row; the length asked for; (length drawn, how many rows of it)
    ([("2021-01-01", "2021-01-31"), ("2021-01-01", "2021-02-28"), ("2021-02-01", "2021-02-28")], None, ("month", 2)),
    ([("2021-01-01", "2021-03-31"), ("2021-01-01", "2021-02-28")], "auto", ("quarter", 1)),
    ([("2021-01-01", "2021-03-31"), ("2021-01-01", "2021-02-28")], "ytd", ("ytd", 1)),
    ([("2021-01-01", "2021-03-31"), ("2021-01-01", "2021-02-28")], series.ALL, ("all", 2)),
    ([("2021-01-01", "2021-02-28")], "month", ("month", 0)),  # a length the view does not have: nothing drawn
])
def test_of_length_keeps_one_period_length(periods, chosen, want):
    cols = Columns.of({"period_start": [s for s, _ in periods], "period_end": [e for _, e in periods],
                       "value": list(range(len(periods)))})
    rows, drawn, counts = series.of_length(cols, chosen)
    assert (drawn, len(rows)) == want
    assert sum(counts.values()) == len(periods)


def test_with_derived_columns_matches_the_frame_version():
    df = pd.DataFrame([_claim(1800, "2021-01-31", report="jan", pos=10), _claim(3917, "2021-02-28", report="feb", pos=42),
                       _claim(10, "2021-03-31", start="2021-03-01", report="mar")])
    cols = series.with_derived_columns(Columns.from_frame(df))
    frame = series.with_derived(df)
    assert cols["derived"] == frame["derived"].tolist() == [False, False, False, True]
    assert cols["derived_from"] == frame["derived_from"].tolist()
    assert cols["value"] == frame["value"].tolist()


def test_columns_from_driver_rows_and_their_operations():
    rows = [("r1", 2, None, None), ("r2", 5, "x", 1.5), ("r3", 7, "", None)]
    cols = Columns.from_rows(rows, ["report", "char_start", "item", "value_low"])
    assert cols["item"] == ["", "x", ""]  # NULL text reads as "" (as typed() makes it)
    assert cols["value_low"] == [None, 1.5, None]  # NULL numbers stay missing
    assert len(cols) == 3 and "item" in cols and "nothing" not in cols
    assert cols.where([True, False, True])["report"] == ["r1", "r3"]
    assert cols.take([2, 0])["char_start"] == [7, 2]
    both = cols.concat(Columns.of({"report": ["r4"]}))
    assert both["report"] == ["r1", "r2", "r3", "r4"] and both["item"][-1] is None
    assert Columns.from_rows([], ["report"])["report"] == []
    with pytest.raises(ValueError):
        Columns.of({"a": [1, 2], "b": [1]})
    with pytest.raises(ValueError):
        cols.assign(extra=[1])
