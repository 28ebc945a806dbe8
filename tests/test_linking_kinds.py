"""Linking and roles, kind by kind (tests/cases/linking.yaml): each kind with a distractor, in our own words."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from indicators.model import Report
from indicators.pipeline import extract_report

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "linking.yaml").read_text(encoding="utf-8"))


def _params():
    for n, case in enumerate(CASES):
        marks = [pytest.mark.xfail(strict=True, reason="a kind not handled yet")] if case.get("gap") else []
        yield pytest.param(case, id=f"{n}-{case['kind']}", marks=marks)


@pytest.mark.parametrize("case", list(_params()))
def test_linking_kind(case):
    claims = extract_report(Report(id="r", path="", format="txt", text=case["title"] + "\n\n" + case["text"],
                                   title=case["title"]))
    got = {c.surface: (c.indicator, c.role if c.indicator else "") for c in claims}
    for surface, (indicator, role) in case["want"].items():
        assert surface in got, f"{surface!r} not found among {sorted(got)}"
        assert got[surface] == (indicator, role), surface


@pytest.mark.parametrize("text, confidence, want", [
    # after a correction cue, a weak link yields to the indicator of the figure someone else gave
    ("The district commissariat claimed that 300 reservists were called up; actually, 500-600 people got summonses.",
     0.35, "territorial_defence.callup"),
    # a sure link keeps its own pick
    ("The district commissariat claimed that 300 reservists were called up; actually, 500-600 people got summonses.",
     0.9, "repression.detentions"),
    # distractor: the earlier figure is the report's own, not a quoted one
    ("Our monitors counted 300 reservists called up for territorial defence; in fact, 500-600 people got summonses.",
     0.35, "repression.detentions"),
])
def test_a_weak_link_after_a_correction_takes_the_quoted_figures_indicator(text, confidence, want):
    """attach._answers: a figure after a correction cue whose link the linker is unsure of (below ANSWER_OVER)
    measures what the quoted figure before it measured; a sure link, or a figure the report gave itself, stays."""
    import dataclasses

    from indicators.attach import ANSWER_OVER, _answers, attach
    from indicators.catalog import load_catalog
    from indicators.pipeline import analyse

    catalog = load_catalog()
    title = "Monthly review (April 2023)"
    doc = analyse(Report(id="r", path="", format="txt", text=title + "\n\n" + text, title=title))
    out = attach(doc, catalog)
    first, answer = [k for k, m in enumerate(doc.mentions) if m.quantity.surface in ("300", "500-600")]
    assert out[first].indicator == "territorial_defence.callup"
    assert (confidence < ANSWER_OVER) != (confidence == 0.9)
    out[answer] = dataclasses.replace(out[answer], indicator="repression.detentions", item="", confidence=confidence)
    assert _answers(doc, catalog, out)[answer].indicator == want


@pytest.mark.parametrize("text, surface, growth", [
    ("The law allots BYN 3.3 bn to national defence, or 4.6% of total expenditure.", "4.6%", False),
    ("Cybercrimes made up 18.5% of all registered crime.", "18.5%", False),
    # distractors: a change is a growth rate whatever follows it; a bare percentage may be one
    ("Defence spending will grow by 12% of last year's level.", "12%", True),
    ("The defence budget grows 18.2% in 2025.", "18.2%", True),
    ("Defence spending growth: 7.5% in 2025.", "7.5%", True),
])
def test_a_percentage_of_a_whole_fits_no_growth_indicator(text, surface, growth):
    """attach.fitting: "N% of <a whole>" is a share; no indicator that measures a change can hold it."""
    from indicators.attach import fitting
    from indicators.catalog import load_catalog
    from indicators.pipeline import analyse
    from indicators.schema import Measure

    catalog = load_catalog()
    title = "Budget monitor (December 2024)"
    doc = analyse(Report(id="r", path="", format="txt", text=title + "\n\n" + text, title=title))
    m = next(m for m in doc.mentions if m.quantity.surface == surface)
    assert any(ind.measure == Measure.CHANGE for ind in fitting(doc, catalog, m)) is growth
