"""End-to-end golden cases (tests/cases/claims*.yaml): small reports -> attached claims."""
from pathlib import Path

import pytest
import yaml

from indicators import extract_report, load_catalog
from indicators.model import Report

CASES = [case for path in sorted((Path(__file__).parent / "cases").glob("claims*.yaml"))
         for case in yaml.safe_load(path.read_text(encoding="utf-8"))]
KEYS = {"low": "value_low", "high": "value_high"}


def _report(case) -> Report:
    paragraphs = [p.strip() for p in case["text"].split("\n") if p.strip()]
    return Report(id="case", path="case.txt", format="txt", text="\n\n".join(paragraphs), title=case["title"])


def _matches(claim, want) -> bool:
    for k, v in want.items():
        got = getattr(claim, KEYS.get(k, k))
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            if got is None or abs(float(got) - v) > 1e-6 * max(1, abs(v)):
                return False
        elif str(got) != str(v):
            return False
    return True


def _param(case):
    """A case the extractor does not pass yet says why under `known_gap`: it must fail (strict xfail), so it is
    noticed the day it passes."""
    marks = [pytest.mark.xfail(strict=True, reason=case["known_gap"])] if case.get("known_gap") else []
    return pytest.param(case, id=case["name"], marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_golden_claims(case):
    claims = [c for c in extract_report(_report(case)) if c.indicator]
    wanted = case["claims"]
    unmatched = list(claims)
    for want in wanted:
        hit = next((c for c in unmatched if _matches(c, want)), None)
        assert hit is not None, f"missing {want}; got {[(c.indicator, c.item, c.value, c.qualifier, c.role, c.unit, c.period_start, c.period_end, c.source) for c in claims]}"
        unmatched.remove(hit)
    assert not unmatched, f"unexpected {[(c.indicator, c.item, c.value, c.surface) for c in unmatched]}"


def test_every_indicator_has_a_golden_case():
    covered = {c["indicator"] for case in CASES for c in case["claims"]}
    missing = [ind.id for ind in load_catalog().indicators if ind.id not in covered]
    assert not missing, f"indicators without a golden case: {missing}"
