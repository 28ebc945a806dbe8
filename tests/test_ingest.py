"""read_report: formats, encodings, PDFs, HTML boilerplate, and refusing bad files clearly."""
from __future__ import annotations

import codecs
import io
import re
from pathlib import Path

import pypdf
import pytest
from fpdf import FPDF
from hypothesis import HealthCheck, given, settings, strategies as st

from indicators.errors import BinaryReport, EmptyReport, PdfError, ReportError, UnsupportedFormat
from indicators.ingest import read_report
from indicators.model import Report


def assert_contract(text: str) -> None:
    """Paragraphs joined by exactly "\n\n"; each one line, trimmed, single-spaced."""
    if text == "":
        return
    for para in text.split("\n\n"):
        assert para and "\n" not in para and para == para.strip() and "  " not in para
        for m in re.finditer(r"[^\S ]", para):  # only digit-group separators between digits
            assert m.group() in "\u00a0\u2009\u202f"
            assert para[m.start() - 1].isdigit() and para[m.end()].isdigit()


CYRILLIC = "Министерство обороны сообщило о 9 тысячах призывников в этом году."
LATIN1 = "Le ministère a acheté 12 hélicoptères à l'étranger, déclare le général Müller."


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


# --- the Report record --------------------------------------------------------------------


def test_report_fields(tmp_path: Path) -> None:
    path = write(tmp_path, "2021-05_review.txt", "Spending grew by 12%.\n")
    report = read_report(str(path))
    assert isinstance(report, Report)
    assert report.id == "2021-05_review"
    assert report.path == str(path)
    assert report.format == "txt"
    assert report.text == "Spending grew by 12%."
    assert report.title == ""
    assert report.paragraphs == [(0, len(report.text))]


@pytest.mark.parametrize(
    "name, fmt",
    [("a.txt", "txt"), ("a.TEXT", "txt"), ("a.md", "md"), ("a.markdown", "md"),
     ("a.html", "html"), ("a.HTM", "html")],
)
def test_format_by_extension(tmp_path: Path, name: str, fmt: str) -> None:
    assert read_report(write(tmp_path, name, "Forty tanks.\n")).format == fmt


# --- encodings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        CYRILLIC.encode("utf-8"),
        codecs.BOM_UTF8 + CYRILLIC.encode("utf-8"),
        codecs.BOM_UTF16_LE + CYRILLIC.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + CYRILLIC.encode("utf-16-be"),
        CYRILLIC.encode("utf-16-le"),  # no BOM: recognised by its byte pattern
        CYRILLIC.encode("cp1251"),
        CYRILLIC.encode("koi8_r"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le-nobom", "cp1251", "koi8r"],
)
def test_cyrillic_encodings(tmp_path: Path, data: bytes) -> None:
    assert read_report(write(tmp_path, "r.txt", data)).text == CYRILLIC


@pytest.mark.parametrize("text", ["Мінск", "Генштаб: 5 тыс.", "ВС РБ получили 4 Су-30СМ"])
def test_short_cp1251_texts_are_not_latin1(tmp_path: Path, text: str) -> None:
    assert read_report(write(tmp_path, "r.txt", text.encode("cp1251"))).text == text


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_latin1_text_with_accents(tmp_path: Path, encoding: str) -> None:
    assert read_report(write(tmp_path, "r.txt", LATIN1.encode(encoding))).text == LATIN1


def test_cp1252_punctuation(tmp_path: Path) -> None:
    text = "The “Puma” devices – 20 units – cost €5 million."
    assert read_report(write(tmp_path, "r.txt", text.encode("cp1252"))).text == text


def test_english_utf16_without_bom(tmp_path: Path) -> None:
    text = "The army received forty new tanks in 2021."
    assert read_report(write(tmp_path, "r.txt", text.encode("utf-16-be"))).text == text


def test_spaced_digits_are_not_mistaken_for_utf16(tmp_path: Path) -> None:
    text = "1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6"  # every odd byte a space
    assert read_report(write(tmp_path, "r.txt", text)).text == text


def test_crlf_line_ends(tmp_path: Path) -> None:
    data = b"First paragraph\r\nwraps here.\r\n\r\nSecond paragraph.\r\n"
    report = read_report(write(tmp_path, "r.txt", data))
    assert report.text == "First paragraph wraps here.\n\nSecond paragraph."


# --- HTML -----------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="en"><head>
<meta charset="{charset}">
<title>Situation report, June 2021 | Security Blog</title>
<style>.x {{ color: red }}</style>
<script>window.dataLayer = []; document.write("<p>script text</p>");</script>
</head>
<body>
<header id="site-header"><a class="logo" href="/">Security Blog</a>
  <nav class="main-menu"><ul><li><a href="/">Home</a></li><li>Archive</li></ul></nav></header>
<div class="cookie-notice">This site uses cookies. <button>OK</button></div>
<div class="container">
 <div id="sidebar"><h3>Popular</h3><p>Another article</p></div>
 <article>
  <h1>Situation in the field of security &amp; defence &#8211; June 2021</h1>
  <p class="lead">The MoD reported <strong>9&nbsp;000</strong> reservists
     and&nbsp;20&#8239;357 cybercrimes.<br>A second line after a break.</p>
  <!-- <p>commented out</p> -->
  <h2>Procurement</h2>
  <p>The army will receive:</p>
  <ul><li>four <em>Su-30SM</em> fighters;</li><li>two battalion sets of BTR-82A.</li></ul>
  <table>
   <thead><tr><th>Item</th><th>2020</th><th>2021</th></tr></thead>
   <tbody><tr><td>Tanks</td><td>10</td><td>12</td></tr></tbody>
  </table>
  <blockquote>“We see no threat”, said the minister.</blockquote>
  <div class="share-links">Share: Facebook Twitter</div>
  <section class="comments"><p>Great post!</p></section>
 </article>
 <aside class="related"><p>Related story</p></aside>
</div>
<footer><p>© 2021 Security Blog</p></footer>
<noscript>Enable JavaScript</noscript>
</body></html>
"""

PAGE_TEXT = (
    "Situation in the field of security & defence – June 2021\n\n"
    "The MoD reported 9\u00a0000 reservists and 20\u202f357 cybercrimes. A second line after a break.\n\n"
    "Procurement\n\n"
    "The army will receive:\n\n"
    "four Su-30SM fighters;\n\n"
    "two battalion sets of BTR-82A.\n\n"
    "Item ; 2020 ; 2021\n\n"
    "Item: Tanks; 2020: 10; 2021: 12\n\n"
    "“We see no threat”, said the minister."
)


def test_html_keeps_only_the_article(tmp_path: Path) -> None:
    report = read_report(write(tmp_path, "page.html", PAGE.format(charset="utf-8")))
    assert report.text == PAGE_TEXT
    assert report.title == "Situation in the field of security & defence – June 2021"
    assert report.format == "html"
    for chrome in ("Home", "cookies", "Popular", "Share", "Great post", "Related", "©", "script", "JavaScript"):
        assert chrome not in report.text


def test_html_meta_charset_is_honoured(tmp_path: Path) -> None:
    html = f'<html><head><meta charset="windows-1251"></head><body><p>{CYRILLIC}</p></body></html>'
    assert read_report(write(tmp_path, "r.htm", html.encode("cp1251"))).text == CYRILLIC


def test_html_without_charset_falls_back_to_detection(tmp_path: Path) -> None:
    html = f"<html><body><h1>Обзор</h1><p>{CYRILLIC}</p></body></html>"
    report = read_report(write(tmp_path, "r.html", html.encode("cp1251")))
    assert report.text == f"Обзор\n\n{CYRILLIC}"
    assert report.title == "Обзор"


def test_html_wrong_meta_charset_falls_back(tmp_path: Path) -> None:
    html = f'<html><head><meta charset="utf-8"></head><body><p>{CYRILLIC}</p></body></html>'
    assert read_report(write(tmp_path, "r.html", html.encode("cp1251"))).text == CYRILLIC


def test_html_page_with_only_chrome_is_empty(tmp_path: Path) -> None:
    html = "<html><body><nav>Home About</nav><footer>© 2021</footer></body></html>"
    with pytest.raises(EmptyReport, match="no text"):
        read_report(write(tmp_path, "r.html", html))


# --- markdown ---------------------------------------------------------------------------


def test_markdown_title_is_the_first_heading(tmp_path: Path) -> None:
    md = "Intro line.\n\n## Army *news*\n\n# Later heading\n\nText.\n"
    report = read_report(write(tmp_path, "r.md", md))
    assert report.title == "Army news"
    assert report.text == "Intro line.\n\nArmy news\n\nLater heading\n\nText."


# --- PDF --------------------------------------------------------------------------------

PDF_LINES = [
    "Monthly Security Monitor: March 2021",
    "Summary. The Ministry of Defence reported that 412 reservists",
    "were called up for training in March, against 268 in February.",
    "The call-ups took place in two regions.",
    "Procurement. The ministry confirmed the purchase of four Su-30SM",
    "fighters and two battalion sets of BTR-82A armoured personnel",
    "carriers. Deliveries of the aircraft are expected in the second",
    "half of the year, while the vehicles should arrive before the",
    "summer exercises. The ministry did not name the cost of the",
    "contracts, but experts estimate it at about USD 150 million,",
    "which is close to a fifth of the annual defence budget. The",
    "state arms exporter also reported new orders from Asia and",
    "Africa worth USD 80 million, mostly for the moderni-",
    "zation of air defence systems and for spare parts supplied by",
    "the military-industrial complex.",
    "Personnel. The number of contract soldiers fell by about 7% in",
    "the first quarter. The ministry explains the decline by low",
    "salaries and by the pandemic, which made recruiting events",
    "impossible in most districts of the country for several months.",
]

PDF_TEXT = (
    "Monthly Security Monitor: March 2021\n\n"
    "Summary. The Ministry of Defence reported that 412 reservists were called up for training "
    "in March, against 268 in February. The call-ups took place in two regions.\n\n"
    "Procurement. The ministry confirmed the purchase of four Su-30SM fighters and two battalion "
    "sets of BTR-82A armoured personnel carriers. Deliveries of the aircraft are expected in the "
    "second half of the year, while the vehicles should arrive before the summer exercises. The "
    "ministry did not name the cost of the contracts, but experts estimate it at about USD 150 "
    "million, which is close to a fifth of the annual defence budget. The state arms exporter also "
    "reported new orders from Asia and Africa worth USD 80 million, mostly for the modernization "
    "of air defence systems and for spare parts supplied by the military-industrial complex.\n\n"
    "Personnel. The number of contract soldiers fell by about 7% in the first quarter. The "
    "ministry explains the decline by low salaries and by the pandemic, which made recruiting "
    "events impossible in most districts of the country for several months."
)


class _Report(FPDF):
    """A small page with a running header and a "- n -" footer, like the analysts' PDFs."""

    def header(self) -> None:
        self.set_font("Helvetica", size=8)
        self.cell(0, 6, "Security Monitor | Monthly report", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.cell(0, 6, f"- {self.page_no()} -", align="C")


def make_pdf(lines: list[str]) -> bytes:
    """One `cell` per line, so line ends (and the hyphenated word) are exactly as written."""
    pdf = _Report(format=(148, 100))
    pdf.set_auto_page_break(True, 15)
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for line in lines:
        pdf.cell(0, 5.5, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return make_pdf(PDF_LINES)


def test_pdf_fixture_really_spans_pages_with_furniture(pdf_bytes: bytes) -> None:
    """Guards the test data: the paragraph crosses the page break, header and footer exist."""
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages]
    assert len(pages) == 2
    assert all(p.startswith("Security Monitor | Monthly report") for p in pages)
    assert pages[0].rstrip().endswith("- 1 -") and pages[1].rstrip().endswith("- 2 -")
    assert "moderni-" in pages[0] + pages[1]
    assert "Procurement." in pages[0] and "the military-industrial complex." in pages[1]


def test_pdf_text_is_rejoined_without_furniture(tmp_path: Path, pdf_bytes: bytes) -> None:
    report = read_report(write(tmp_path, "monitor.pdf", pdf_bytes))
    assert report.format == "pdf"
    assert report.text == PDF_TEXT
    assert report.title == "Monthly Security Monitor: March 2021"
    assert_contract(report.text)


def test_pdf_title_from_metadata_when_page_title_is_the_running_header(tmp_path: Path) -> None:
    title = "Security Monitor | Monthly report"  # the same text as _Report's running header
    pdf = _Report(format=(148, 100))
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for line in PDF_LINES[1:]:
        pdf.cell(0, 5.5, line, new_x="LMARGIN", new_y="NEXT")
    report = read_report(write(tmp_path, "meta.pdf", bytes(pdf.output())))
    assert report.title == title
    assert report.text.startswith("Summary. The Ministry of Defence")


def test_pdf_metadata_file_names_are_not_titles(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.set_title("Microsoft Word - report_final.docx")
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.cell(0, 6, "The army received ten tanks in May.")
    assert read_report(write(tmp_path, "w.pdf", bytes(pdf.output()))).title == ""


def _encrypted(pdf: bytes, user: str, owner: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(pdf))
    writer.encrypt(user_password=user, owner_password=owner, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_encrypted_pdf(tmp_path: Path, pdf_bytes: bytes) -> None:
    path = write(tmp_path, "secret.pdf", _encrypted(pdf_bytes, "secret", "owner"))
    with pytest.raises(PdfError) as err:
        read_report(path)
    assert "encrypted" in err.value.reason
    assert "unencrypted copy" in err.value.hint
    assert err.value.path == str(path)


def test_pdf_with_empty_user_password_is_read(tmp_path: Path, pdf_bytes: bytes) -> None:
    path = write(tmp_path, "open.pdf", _encrypted(pdf_bytes, "", "owner"))
    assert read_report(path).text == PDF_TEXT


def test_truncated_pdf(tmp_path: Path, pdf_bytes: bytes) -> None:
    path = write(tmp_path, "cut.pdf", pdf_bytes[: len(pdf_bytes) // 2])
    with pytest.raises(PdfError) as err:
        read_report(path)
    assert "truncated" in err.value.reason
    assert "again" in err.value.hint


def test_corrupt_pdf_body(tmp_path: Path, pdf_bytes: bytes) -> None:
    garbled = b"%PDF-1.4\n" + bytes(range(256)) * 20 + b"\n%%EOF\n"
    with pytest.raises(PdfError, match="damaged|no pages|no text layer"):
        read_report(write(tmp_path, "bad.pdf", garbled))


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    with pytest.raises(PdfError) as err:
        read_report(write(tmp_path, "scan.pdf", bytes(pdf.output())))
    assert "no text layer" in err.value.reason and "OCR" in err.value.reason
    assert "ocrmypdf" in err.value.hint


def test_pdf_extension_on_a_text_file(tmp_path: Path) -> None:
    with pytest.raises(PdfError, match="does not start with %PDF.*looks like text"):
        read_report(write(tmp_path, "notes.pdf", "Just some notes.\n"))


# --- bad files ----------------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(EmptyReport, match="empty"):
        read_report(write(tmp_path, "r.txt", b""))


@pytest.mark.parametrize("name", ["r.txt", "r.md", "r.html", "r.pdf"])
def test_whitespace_only_file(tmp_path: Path, name: str) -> None:
    with pytest.raises(EmptyReport, match="only whitespace"):
        read_report(write(tmp_path, name, " \n\t\r\n  \n"))


def test_text_that_is_only_page_numbers_is_empty(tmp_path: Path) -> None:
    with pytest.raises(EmptyReport):
        read_report(write(tmp_path, "r.txt", "Page 1 of 2\n\f\nPage 2 of 2\n"))


def test_binary_named_txt(tmp_path: Path) -> None:
    data = bytes(range(256)) * 8
    with pytest.raises(BinaryReport) as err:
        read_report(write(tmp_path, "r.txt", data))
    assert "binary" in err.value.reason or "not text" in err.value.reason
    assert err.value.hint


def test_control_characters_named_txt(tmp_path: Path) -> None:
    data = b"".join(bytes([i % 31 + 1]) + b"ab" for i in range(300))
    with pytest.raises(BinaryReport, match="control"):
        read_report(write(tmp_path, "r.txt", data))


@pytest.mark.parametrize(
    "magic, what",
    [(b"%PDF-1.7\n", "PDF"), (b"PK\x03\x04", "ZIP"), (b"\x89PNG\r\n\x1a\n", "PNG")],
)
def test_misnamed_binary_says_what_it_is(tmp_path: Path, magic: bytes, what: str) -> None:
    with pytest.raises(BinaryReport, match=what):
        read_report(write(tmp_path, "r.txt", magic + b"\x00" * 100))


@pytest.mark.parametrize("name", ["report.docx", "table.xlsx", "notes.rtf", "README", "data.csv"])
def test_unsupported_format_names_the_formats_read(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, name, "Plain text that could be read.\n")
    with pytest.raises(UnsupportedFormat) as err:
        read_report(path)
    message = str(err.value)
    for ext in (".txt", ".md", ".html", ".htm", ".pdf"):
        assert ext in message
    assert err.value.path == str(path)


def test_missing_file_is_a_report_error(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="does not exist"):
        read_report(tmp_path / "nope.txt")


def test_directory_is_a_report_error(tmp_path: Path) -> None:
    (tmp_path / "dir.txt").mkdir()
    with pytest.raises(ReportError, match="directory"):
        read_report(tmp_path / "dir.txt")


def test_error_message_has_path_reason_and_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "r.txt", b"")
    with pytest.raises(EmptyReport) as err:
        read_report(path)
    assert str(err.value) == f"{path}: {err.value.reason} ({err.value.hint})"


# --- properties -------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=400))
def test_any_text_file_reads_or_fails_cleanly(tmp_path: Path, text: str) -> None:
    path = tmp_path / "prop.txt"
    path.write_bytes(text.encode("utf-8"))
    try:
        report = read_report(path)
    except ReportError:
        return
    assert report.text
    assert_contract(report.text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300), ext=st.sampled_from(["txt", "md", "html", "pdf"]))
def test_any_bytes_read_or_fail_cleanly(tmp_path: Path, data: bytes, ext: str) -> None:
    path = tmp_path / f"prop.{ext}"
    path.write_bytes(data)
    try:
        report = read_report(path)
    except ReportError:
        return
    assert_contract(report.text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
       ext=st.sampled_from(["md", "html"]))
def test_any_markup_reads_or_fails_cleanly(tmp_path: Path, text: str, ext: str) -> None:
    path = tmp_path / f"prop.{ext}"
    path.write_text(text, encoding="utf-8")
    try:
        report = read_report(path)
    except ReportError:
        return
    assert_contract(report.text)
    assert "\n" not in report.title


# --- the golden reports ---------------------------------------------------------------

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.skipif(not (GOLDEN / "gold.csv").exists(), reason="golden reports not present")
def test_golden_reports_keep_every_gold_surface(tmp_path: Path) -> None:
    """Each figure the gold table cites must survive ingest verbatim, in every format."""
    import csv
    import importlib.util

    # the golden PDF is rendered from its text source at test time
    spec = importlib.util.spec_from_file_location("golden_make_pdf", GOLDEN / "make_pdf.py")
    make_pdf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_pdf)

    reports = {}
    for src in sorted((GOLDEN / "reports").iterdir()):
        if src.name.endswith(".pdf.txt"):
            src = make_pdf.build_pdf(src, tmp_path / src.name[: -len(".txt")])
        report = read_report(src)
        assert_contract(report.text)
        assert report.title, src.name
        reports[report.id] = report
    with (GOLDEN / "gold.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    missing = [(r["report"], r["surface"]) for r in rows if r["surface"] not in reports[r["report"]].text]
    assert missing == []
