"""Conflicts, revisions, vintages and pairs, on claims extracted from our own test reports and on frames."""
from pathlib import Path

import pandas as pd
import pytest

from indicators import extract
from indicators.conflicts import agree, conflicts, intervals, pair_stated_corrected, pairs, plan_vs_actual, vintages
from indicators.model import CLAIM_COLUMNS
from indicators.schema import Qualifier

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def two_months() -> pd.DataFrame:
    return extract(ROOT / "tests" / "conflicts")


def frame(*rows: dict) -> pd.DataFrame:
    base = {c: "" for c in CLAIM_COLUMNS}
    base.update(value_low=None, value_high=None, qualifier="exact", role="reported", unit="case",
                indicator="cybercrime.registered", period_start="2022-01-01", period_end="2022-03-31")
    out = []
    for n, r in enumerate(rows):
        out.append({**base, "report": f"r{n}", "report_month": "2022-04", "char_start": 10 * n, "char_end": 10 * n + 5,
                    **r})
    return pd.DataFrame(out)


def test_same_source_two_months_is_a_revision_latest_last(two_months):
    c = conflicts(two_months)
    q1 = c[c["period_start"] == "2022-01-01"]
    assert set(q1["kind"]) == {"revision"}
    assert sorted(q1["value"]) == [1870, 2140]
    assert q1.loc[q1["latest"], "value"].tolist() == [2140]  # the May report revised April's figure
    assert q1["sentence"].str.contains("cybercrimes were registered").all()


def test_two_sources_disagreeing_is_a_conflict(two_months):
    c = conflicts(two_months)
    april = c[c["period_start"] == "2022-04-01"]
    assert set(april["kind"]) == {"conflict"}
    assert set(april["source"]) == {"Ministry of Internal Affairs", "Investigative Committee"}
    assert april["group"].nunique() == 1
    assert set(c["indicator"]) == {"cybercrime.registered"}  # the conscription figure stands alone


def test_vintages_number_the_figures_in_report_order(two_months):
    v = two_months.join(vintages(two_months))
    q1 = v[(v["indicator"] == "cybercrime.registered") & (v["period_start"] == "2022-01-01")]
    assert q1.sort_values("vintage")[["report_month", "vintage", "latest"]].values.tolist() == [
        ["2022-04", 1, False], ["2022-05", 2, True]]


@pytest.mark.parametrize("a, b, disagree", [
    ({"value": 12, "qualifier": "approx", "unit": "percent"}, {"value": 12.3, "unit": "percent"}, False),
    ({"value": 12, "qualifier": "approx", "unit": "percent"}, {"value": 14, "unit": "percent"}, True),
    ({"value": 9000, "qualifier": "over", "value_low": 9000}, {"value": 9100}, False),
    ({"value": 9000, "qualifier": "over", "value_low": 9000}, {"value": 8700}, True),
    ({"value": 7e6, "qualifier": "under", "unit": "USD"}, {"value": 6.5e6, "unit": "USD"}, False),
    ({"value": 10.5, "qualifier": "range", "value_low": 6, "value_high": 15, "unit": "percent"},
     {"value": 14, "unit": "percent"}, False),
    ({"value": 10.5, "qualifier": "range", "value_low": 6, "value_high": 15, "unit": "percent"},
     {"value": 16, "unit": "percent"}, True),
    ({"value": 100}, {"value": 100}, False),
])
def test_figures_agree_when_what_they_assert_can_both_be_true(a, b, disagree):
    c = conflicts(frame(a, b))
    assert (not c.empty) == disagree


def test_other_units_items_or_periods_never_conflict():
    assert conflicts(frame({"value": 5, "unit": "USD"}, {"value": 9, "unit": "BYN"})).empty
    assert conflicts(frame({"value": 5, "item": "Su-30SM"}, {"value": 9, "item": "Yak-130"})).empty
    assert conflicts(frame({"value": 5}, {"value": 9, "period_start": "2022-04-01"})).empty


def test_rejected_claims_take_no_part():
    df = frame({"value": 5}, {"value": 9})
    assert not conflicts(df).empty
    df["review"] = ["accepted", "rejected"]
    assert conflicts(df).empty


def _figure(qualifier: str, value: float, low=None, high=None) -> dict:
    return {"qualifier": qualifier, "value": value, "value_low": low, "value_high": high}


# (first figure, second figure, whether both can be true): every qualifier against the others, with the edge
# cases where a closed bound (at least / at most) agrees and an open one (over / under) does not
AGREEMENT = [
    (_figure("exact", 100), _figure("exact", 100), True),
    (_figure("exact", 100), _figure("exact", 101), False),
    (_figure("approx", 100), _figure("exact", 104), True),  # about 100 allows 5% either way
    (_figure("approx", 100), _figure("exact", 106), False),
    (_figure("approx", 100), _figure("approx", 109), True),  # two bands that touch
    (_figure("at_least", 100, low=100), _figure("exact", 150), True),
    (_figure("at_least", 100, low=100), _figure("exact", 100), True),  # closed: 100 is at least 100
    (_figure("at_least", 100, low=100), _figure("exact", 99), False),
    (_figure("over", 100, low=100), _figure("exact", 100), False),  # open: 100 is not more than 100
    (_figure("over", 100, low=100), _figure("exact", 100.5), True),
    (_figure("at_most", 100, high=100), _figure("exact", 100), True),
    (_figure("at_most", 100, high=100), _figure("exact", 101), False),
    (_figure("under", 100, high=100), _figure("exact", 100), False),
    (_figure("under", 100, high=100), _figure("exact", 99), True),
    (_figure("at_least", 100, low=100), _figure("at_most", 100, high=100), True),  # they share 100
    (_figure("over", 100, low=100), _figure("at_most", 100, high=100), False),
    (_figure("at_least", 100, low=100), _figure("under", 100, high=100), False),
    (_figure("over", 100, low=100), _figure("under", 200, high=200), True),
    (_figure("range", 150, low=100, high=200), _figure("exact", 200), True),  # a range is closed
    (_figure("range", 150, low=100, high=200), _figure("exact", 201), False),
    (_figure("range", 150, low=100, high=200), _figure("over", 200, low=200), False),
    (_figure("range", 150, low=100, high=200), _figure("at_least", 200, low=200), True),
    (_figure("range", 150, low=100, high=200), _figure("approx", 97), True),  # about 97 reaches 101.85
    (_figure("range", 150, low=100, high=200), _figure("approx", 95), False),  # about 95 stops at 99.75
    (_figure("range", 150, low=100, high=200), _figure("under", 100, high=100), False),
    (_figure("at_most", 7e6, high=7e6), _figure("approx", 7.2e6), True),  # about 7.2 million reaches 6.84 million
    (_figure("under", 20, high=20), _figure("over", 10, low=10), True),
    (_figure("at_least", 1300, low=1300), _figure("at_least", 900, low=900), True),  # two floors never disagree
    (_figure("under", 5, high=5), _figure("under", 50, high=50), True),
]


@pytest.mark.parametrize("first,second,both_true", AGREEMENT,
                         ids=[f"{a['qualifier']}{a['value']:g}-{b['qualifier']}{b['value']:g}" for a, b, _ in AGREEMENT])
def test_figures_agree_when_what_they_assert_overlaps(first, second, both_true):
    assert agree(*intervals(frame(first, second))) is both_true
    # and the conflicts view says the same: two sources, one report month
    found = conflicts(frame({**first, "source": "A"}, {**second, "source": "B"}))
    assert found.empty is both_true


def test_every_qualifier_has_an_agreement_case():
    assert {q for a, b, _ in AGREEMENT for q in (a["qualifier"], b["qualifier"])} == set(Qualifier)


def test_the_ministers_20_percent_is_paired_with_about_30():
    seeds = extract(ROOT / "seeds")
    sc = pair_stated_corrected(seeds)
    twenty = sc[(sc["value_stated"] == 20)]
    assert len(twenty) == 1 and twenty["value_corrected"].iloc[0] == 30
    assert twenty["qualifier_corrected"].iloc[0] == "approx"
    p = seeds.join(pairs(seeds))
    stated = p[(p["role"] == "stated") & (p["value"] == 20)]
    corrected = p[(p["role"] == "corrected") & (p["value"] == 30)]
    assert stated["pair_kind"].tolist() == ["corrected by"]
    assert corrected["pair_kind"].tolist() == ["corrects"]
    assert stated["pair"].iloc[0] == f"{corrected['report'].iloc[0]}@{corrected['char_start'].iloc[0]}"
    # a stated figure its own report corrects is a dispute, not a conflict between vintages
    assert not (conflicts(seeds)["role"] == "stated").any()


def test_plan_against_actual_with_the_shortfall():
    df = frame({"indicator": "procurement.aircraft", "item": "Su-30SM", "unit": "aircraft", "role": "planned",
                "value": 12, "report_month": "2021-02", "period_start": "2021-01-01", "period_end": "2021-12-31"},
               {"indicator": "procurement.aircraft", "item": "Su-30SM", "unit": "aircraft", "role": "reported",
                "value": 8, "report_month": "2021-12", "period_start": "2021-01-01", "period_end": "2021-12-31"},
               {"indicator": "procurement.aircraft", "item": "Yak-130", "unit": "aircraft", "role": "reported",
                "value": 4, "report_month": "2021-12", "period_start": "2021-01-01", "period_end": "2021-12-31"})
    pa = plan_vs_actual(df)
    assert pa[["item", "planned", "actual", "shortfall", "shortfall_pct"]].values.tolist() == [
        ["Su-30SM", 12.0, 8.0, 4.0, 33.3]]
    p = df.join(pairs(df))
    assert p["pair_kind"].tolist() == ["actual", "plan", ""]
    assert p["pair"].iloc[0] == "r1@10" and p["pair"].iloc[1] == "r0@0"
    assert conflicts(df).empty  # a plan and its outcome differ by design


def test_two_figures_in_one_report_are_both_current():
    df = frame({"value": 5, "report": "same", "char_start": 1}, {"value": 9, "report": "same", "char_start": 50},
               {"value": 4, "report_month": "2022-02"})
    v = df.join(vintages(df))
    assert v[["value", "vintage", "latest"]].values.tolist() == [[5, 2, True], [9, 2, True], [4, 1, False]]
