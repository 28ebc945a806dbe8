"""Properties on every claim and on arbitrary text: offsets map back, values are finite, nothing raises."""
import codecs
import math
import re
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings, strategies as st

from indicators import extract
from indicators.errors import ReportError
from indicators.ingest import read_report
from indicators.model import Report
from indicators.normalise import normalise
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


# --- typography the recogniser must survive: dashes, minus signs, separator spaces -------------

TYPOGRAPHY = ["–", "—", "−", "-", "\u2212", "\u00a0", "\u2009", "\u202f", "−3.5%", "6–15%", "6—15 %", "6−15%", "9\u00a0000",
              "12\u2009345", "12\u202f345", "1\u00a0234\u00a0567", "“", "”", "‘", "’", "«", "»", "(−12)", "from", "0",
              "00", "0.0", "1e9", "10" * 12, "9" * 40, ",000", ".5", "5.", "1,2,3", "−", "−−5", "-−5", "5−", "%"]
typed = st.lists(st.one_of(st.sampled_from(TYPOGRAPHY), st.sampled_from(FRAGMENTS), st.text(max_size=6)),
                 max_size=40).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(typed, st.data())
def test_recogniser_on_dashes_minus_and_separators(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    for lo, hi in ((0, None), (start, end)):
        for q in find_quantities(text, lo, hi):
            assert lo <= q.start <= q.end <= (len(text) if hi is None else hi)
            assert q.start < q.end and text[q.start:q.end] == q.surface
            assert math.isfinite(q.value)
            for bound in (q.low, q.high):
                assert bound is None or math.isfinite(bound)
            if q.low is not None and q.high is not None:
                assert q.low <= q.high


# --- the normaliser, directly and through the file readers --------------------------------------

# Text a report could hold: letters of both alphabets, digits, punctuation, every kind of space and
# line end, dashes, quotes; no control characters (those make a file binary, see tests/test_bad_input.py).
REPORT_CHARS = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"), include_characters="\n\t\r\x0c")
report_text = st.lists(st.one_of(st.text(REPORT_CHARS, max_size=12), st.sampled_from(TYPOGRAPHY),
                                 st.sampled_from(FRAGMENTS), st.sampled_from(["\n", "\n\n", "\r\n", "  ", "- ", "• ",
                                                                              "Page 2 of 9", "# ", "**", "|"])),
                       max_size=60).map("".join)


def _contract(text: str) -> None:
    if text == "":
        return
    for para in text.split("\n\n"):
        assert para and "\n" not in para and para == para.strip() and "  " not in para, repr(para)
        for m in re.finditer(r"[^\S ]", para):  # only digit-group separators between digits
            assert m.group() in "\u00a0\u2009\u202f", repr(para)
            assert para[m.start() - 1].isdigit() and para[m.end()].isdigit(), repr(para)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report_text, st.lists(report_text, max_size=4))
def test_normaliser_meets_the_contract_on_any_text(text, pages):
    for out in (normalise(text), normalise(pages), normalise(pages, paragraphs=True), normalise(text, paragraphs=True)):
        _contract(out)
        assert "\r" not in out and "\ufeff" not in out and "\x0c" not in out


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=report_text, ext=st.sampled_from(["txt", "md", "html"]))
@example(text="1\n2\n3\n4\n5\n", ext="txt")  # a line end every second byte is not UTF-16
@example(text="В 2025 году – 1\u202f234 преступления, −3,5%.\r\n", ext="md")
def test_the_encoding_does_not_change_what_is_read(tmp_path, text, ext):
    """UTF-8, UTF-8 with BOM and UTF-16 (both byte orders, with BOM) of one text read the same,
    or are refused the same way; what is read extracts with offsets that map back."""
    outcomes = []
    for k, (encoding, bom) in enumerate([("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE),
                                         ("utf-16-be", codecs.BOM_UTF16_BE)]):
        path = tmp_path / f"e{k}.{ext}"
        path.write_bytes(bom + text.encode(encoding))
        try:
            report = read_report(path)
        except ReportError as exc:
            assert exc.path == str(path) and exc.reason and exc.hint
            outcomes.append(("refused", type(exc).__name__))
            continue
        _contract(report.text)
        outcomes.append(("read", report.text))
    assert outcomes[1:] == outcomes[:1] * 3, outcomes
    how, text0 = outcomes[0]
    if how == "read":
        for claim in extract_report(Report(id="e", path=f"e.{ext}", format=ext, text=text0, title="")):
            assert text0[claim.char_start:claim.char_end] == claim.surface
            assert math.isfinite(claim.value)


_BYTE_PIECES = [b"", b"\x00", b"\xff\xfe", b"\xfe\xff", codecs.BOM_UTF8, b"\r\n", b"\n\n", b"<script>", b"</script>",
                b"<!--", b"-->", b"<p>", b"&nbsp;", b"&#8239;", b"&#x2212;", b"&bogus;", b"<meta charset=\"cp1251\">",
                b"<meta charset=\"nonsense\">", b"%PDF-1.4", b"%%EOF", b"PK\x03\x04", b"\x89PNG", b"\xe2\x80\x93",
                b"\xc3\xa9", b"\xd0\x9c", b"\xcc\xee", b"\x1a", "−3.5%".encode(), "12\u202f345".encode(),
                b"1,234 cybercrimes were registered. "]
byte_soup = st.lists(st.one_of(st.sampled_from(_BYTE_PIECES), st.binary(max_size=16)), max_size=40).map(b"".join)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=byte_soup, ext=st.sampled_from(["txt", "md", "html", "htm", "pdf"]))
def test_any_bytes_give_a_report_or_a_report_error(tmp_path, data, ext):
    path = tmp_path / f"soup.{ext}"
    path.write_bytes(data)
    try:
        report = read_report(path)
    except ReportError as exc:  # anything else (UnicodeError, ValueError, a pypdf error ...) fails the test
        assert exc.path == str(path) and exc.reason and exc.hint
        return
    assert report.text
    _contract(report.text)
    assert "\n" not in report.title
    for claim in extract_report(report):
        assert report.text[claim.char_start:claim.char_end] == claim.surface
        assert math.isfinite(claim.value)
