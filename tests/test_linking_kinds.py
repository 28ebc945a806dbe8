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
