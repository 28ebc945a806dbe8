"""The recogniser on golden cases (tests/cases/quantities.yaml), distractors included."""
from pathlib import Path

import pytest
import yaml

from indicators.quantities import find_quantities

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "quantities.yaml").read_text(encoding="utf-8"))


def _view(q, keys):
    full = {"surface": q.surface, "value": q.value, "qualifier": q.qualifier, "unit": q.unit,
            "low": q.low, "high": q.high}
    return {k: full[k] for k in keys}


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:50] for c in CASES])
def test_recogniser(case):
    found = find_quantities(case["text"])
    expect = case["expect"]
    assert len(found) == len(expect), [q.surface for q in found]
    for q, want in zip(found, expect):
        got = _view(q, want.keys())
        for k, v in want.items():
            if isinstance(v, float) or isinstance(v, int) and not isinstance(v, bool):
                assert got[k] == pytest.approx(v), (k, got)
            else:
                assert got[k] == v, (k, got)


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:50] for c in CASES])
def test_offsets_map_back_to_surface(case):
    text = case["text"]
    for q in find_quantities(text):
        assert text[q.start:q.end] == q.surface
