"""The recogniser, one parametrised table per kind of input (tests/cases/recogniser/<kind>.yaml).

Each case is run through the front of the pipeline (sentences, time expressions, quantities), so a figure
inside a time expression is dropped as it is in a real report. Only the listed keys are compared;
`expect: []` cases are distractors that hold no figure.
"""
from datetime import date
from pathlib import Path

import pytest
import yaml

from indicators.model import Report
from indicators.pipeline import analyse, extract_report

CASES_DIR = Path(__file__).parent / "cases" / "recogniser"
TITLE = "Monthly review, May 2024"


def _table(kind: str):
    cases = yaml.safe_load((CASES_DIR / f"{kind}.yaml").read_text(encoding="utf-8"))
    return pytest.mark.parametrize("case", cases, ids=[c["text"][:60] for c in cases])


def _view(q) -> dict:
    return {"surface": q.surface, "value": q.value, "qualifier": q.qualifier, "unit": q.unit, "low": q.low,
            "high": q.high, "measure": q.measure}


def _check(case) -> None:
    report = Report(id="r", path="r.txt", format="txt", text=case["text"], title=case.get("title", TITLE))
    found = [m.quantity for m in analyse(report).mentions]
    assert len(found) == len(case["expect"]), [q.surface for q in found]
    for q, want in zip(found, case["expect"]):
        got = _view(q)
        assert case["text"][q.start:q.end] == q.surface
        for k, v in want.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                assert got[k] == pytest.approx(v), (k, got)
            else:
                assert got[k] == v, (k, got)


KINDS = sorted(p.stem for p in CASES_DIR.glob("*.yaml") if p.stem != "time_expressions")


@_table("change_and_level")
def test_change_and_level(case):
    _check(case)


@_table("qualifier_scope")
def test_qualifier_scope(case):
    _check(case)


@_table("multipliers")
def test_multipliers(case):
    _check(case)


@_table("year_spans")
def test_year_spans(case):
    _check(case)


@_table("number_words")
def test_number_words(case):
    _check(case)


@_table("spelled_ranges")
def test_spelled_ranges(case):
    _check(case)


@_table("one_and_single")
def test_one_and_single(case):
    _check(case)


@_table("fractions")
def test_fractions(case):
    _check(case)


@_table("date_dash_counts")
def test_date_dash_counts(case):
    _check(case)


@_table("durations")
def test_durations(case):
    _check(case)


@_table("comparatives")
def test_comparatives(case):
    _check(case)


@_table("money")
def test_money(case):
    _check(case)


@_table("label_units")
def test_label_units(case):
    _check(case)


@_table("occasions")
def test_occasions(case):
    _check(case)


@_table("never_figures")
def test_never_figures(case):
    _check(case)


def _iso(v) -> str:
    return v.isoformat() if isinstance(v, date) else str(v)


@_table("time_expressions")
def test_time_expressions(case):
    report = Report(id="r", path="r.txt", format="txt", text=case["text"], title=case["title"])
    claims = {c.surface: c for c in extract_report(report)}
    if "month" in case:
        assert {c.report_month for c in claims.values()} <= {case["month"]}
    for want in case["claims"]:
        c = claims[want["surface"]]
        assert (c.period_start, c.period_end) == (_iso(want["period_start"]), _iso(want["period_end"]))


@_table("restatements")
def test_restatements(case):
    _check(case)


@_table("counted_noun_before")
def test_counted_noun_before(case):
    _check(case)


@_table("online_shorthand")
def test_online_shorthand(case):
    _check(case)


def test_every_table_has_its_test():
    assert {k for k in KINDS if f"test_{k}" not in globals()} == set()
