"""Properties on every claim and on arbitrary text: offsets map back, values are finite, nothing raises."""
import math
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators import extract
from indicators.ingest import read_report
from indicators.model import Report
from indicators.pipeline import extract_report
from indicators.quantities import find_quantities

ROOT = Path(__file__).parent.parent
REPORTS = sorted((ROOT / "seeds").iterdir()) + sorted(p for p in (ROOT / "tests" / "golden" / "reports").iterdir()
                                                     if not p.name.endswith(".pdf.txt"))


def test_every_claim_surface_is_its_span_of_the_normalised_text():
    df = extract(REPORTS)
    assert len(df) > 100
    texts = {p.stem: read_report(p).text for p in REPORTS}
    for row in df.itertuples():
        text = texts[row.report]
        assert text[row.char_start:row.char_end] == row.surface
        assert row.surface and row.sentence
        assert math.isfinite(row.value)
        if row.qualifier == "range":
            assert row.value_low <= row.value <= row.value_high


FRAGMENTS = ["about", "over", "less than", "from", "to", "between", "and", "-", "–", "%", "thousand", "million",
             "USD", "$", "BYN", "times", "in 2020", "for 11 months of this year", "as of October 1, 2020",
             "cybercrimes", "registered", "Su-30SM", "the 2nd brigade", ",", ".", " ", "1", "20,357", "9 000",
             "1.5", "ten", "twenty-five", "one", "of which", "said", "In fact", "planned", "2021-2025", "\u00a0"]
texts = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=40).map(" ".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_recogniser_never_raises_and_spans_are_valid(text):
    for q in find_quantities(text):
        assert 0 <= q.start < q.end <= len(text)
        assert text[q.start:q.end] == q.surface
        assert math.isfinite(q.value)
        if q.low is not None and q.high is not None:
            assert q.low <= q.high


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(texts, min_size=1, max_size=4))
def test_pipeline_never_raises_on_arbitrary_paragraphs(paragraphs):
    text = "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip()) or "x"
    report = Report(id="r", path="r.txt", format="txt", text=text, title="Report (May 2021)")
    for claim in extract_report(report):
        assert text[claim.char_start:claim.char_end] == claim.surface
        assert claim.period_start <= claim.period_end
        assert math.isfinite(claim.value)
