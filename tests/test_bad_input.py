"""Bad input: each file is either extracted or skipped by name, with the reason and what to do.

Never a traceback, never a half-written store. The last tests run the real command line on a
folder holding the seeds next to one file of every bad kind.
"""
from __future__ import annotations

import csv
import io
import shutil
import sqlite3
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pypdf
import pytest
from fpdf import FPDF

from indicators.errors import BinaryReport, EmptyReport, PdfError, ReportError, UnsupportedFormat
from indicators.ingest import read_report
from indicators.pipeline import extract_report

ROOT = Path(__file__).parent.parent
SEEDS = sorted((ROOT / "seeds").iterdir())
SENTENCE = "In October 2025, 1,234 cybercrimes were registered."


# --- building the bad files ---------------------------------------------------------------------


def text_pdf(lines: list[str]) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in lines:
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


GOOD_PDF = text_pdf(["Analytical report (November 2025)", "", SENTENCE])


def encrypted_pdf(algorithm: str, user: str = "secret") -> bytes:
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(GOOD_PDF))
    writer.encrypt(user_password=user, owner_password="owner", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png(width: int = 40, height: int = 30) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes((x * 7 + y * 3) % 256 for x in range(width)) for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def rectangle_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    return bytes(pdf.output())


def image_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.image(io.BytesIO(png()), x=10, y=10, w=120)
    return bytes(pdf.output())


def office_zip(member: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(member, f"<doc>{SENTENCE}</doc>")
    return out.getvalue()


def corrupt_pdf() -> bytes:
    """The header and the tail of a real PDF around garbage: pypdf repairs what it can and finds no page content."""
    return GOOD_PDF[:400] + b"\x00garbage\xff" * 50 + GOOD_PDF[-200:]


# name -> (bytes, error class, words the reason must hold, words the hint must hold)
BAD = {
    "empty.txt": (b"", EmptyReport, ["empty"], ["right file"]),
    "blank.md": (b"  \r\n\t\n", EmptyReport, ["whitespace"], ["right file"]),
    "binary.txt": (bytes(range(256)) * 16, BinaryReport, ["binary"], ["plain text, markdown, HTML or PDF"]),
    "binary.pdf": (bytes(range(256)) * 16, PdfError, ["not a PDF"], ["right file"]),
    "truncated.pdf": (GOOD_PDF[: len(GOOD_PDF) // 2], PdfError, ["truncated"], ["export the file again"]),
    "corrupt.pdf": (corrupt_pdf(), PdfError, ["damaged"], ["export the file again"]),
    "encrypted-aes.pdf": (encrypted_pdf("AES-256"), PdfError, ["encrypted"], ["qpdf --decrypt", "try again"]),
    "encrypted-rc4.pdf": (encrypted_pdf("RC4-128"), PdfError, ["encrypted"], ["qpdf --decrypt", "try again"]),
    "rectangle.pdf": (rectangle_pdf(), PdfError, ["no text layer", "OCR"], ["ocrmypdf", "try again"]),
    "scan.pdf": (image_pdf(), PdfError, ["no text layer", "OCR"], ["ocrmypdf", "try again"]),
    "report.docx": (office_zip("word/document.xml"), UnsupportedFormat,
                    ["unsupported format .docx", "Word", ".txt, .md, .html/.htm and .pdf"],
                    ["save it as .txt, .md, .html or .pdf"]),
    "table.xlsx": (office_zip("xl/workbook.xml"), UnsupportedFormat,
                   ["unsupported format .xlsx", "Excel", ".txt, .md, .html/.htm and .pdf"],
                   ["save it as .txt, .md, .html or .pdf"]),
    "picture.txt": (png(), BinaryReport, ["PNG image"], ["ocrmypdf"]),
    "document.txt": (office_zip("word/document.xml"), BinaryReport, ["ZIP archive"], ["save it as"]),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_each_bad_file_is_refused_with_reason_and_hint(tmp_path: Path, name: str) -> None:
    data, error, reason_words, hint_words = BAD[name]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(error) as err:
        read_report(path)
    exc = err.value
    assert exc.path == str(path)
    for word in reason_words:
        assert word in exc.reason, exc.message
    for word in hint_words:
        assert word in exc.hint, exc.message
    assert str(exc) == f"{path}: {exc.reason} ({exc.hint})"
    assert "(" not in exc.hint, "a hint in brackets inside the message's brackets reads badly"


def test_the_good_pdf_the_bad_ones_are_made_from_is_read(tmp_path: Path) -> None:
    """Guards the fixtures: the bad PDFs fail because of what was done to them, not because the source is bad."""
    path = tmp_path / "good.pdf"
    path.write_bytes(GOOD_PDF)
    claims = extract_report(read_report(path))
    assert [(c.indicator, c.value) for c in claims] == [("cybercrime.registered", 1234.0)]


def test_pdf_with_an_empty_user_password_is_not_refused(tmp_path: Path) -> None:
    path = tmp_path / "owner-only.pdf"
    path.write_bytes(encrypted_pdf("AES-256", user=""))
    assert SENTENCE in read_report(path).text


def test_pdf_bytes_under_a_text_name(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(GOOD_PDF)
    with pytest.raises(BinaryReport, match="is a PDF file") as err:
        read_report(path)
    assert "rename it to .pdf" in err.value.hint


@pytest.mark.parametrize("name, what", [("scan.png", "image"), ("scan.jpg", "image"), ("deck.pptx", "PowerPoint"),
                                        ("notes.odt", "OpenDocument"), ("data.csv", "CSV")])
def test_other_unsupported_formats_say_what_they_are_and_what_to_do(tmp_path: Path, name: str, what: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"anything")
    with pytest.raises(UnsupportedFormat) as err:
        read_report(path)
    assert f"unsupported format {path.suffix}" in err.value.reason and what in err.value.reason
    assert ("ocrmypdf" if what == "image" else ".txt, .md, .html or .pdf") in err.value.hint


def test_a_file_without_extension(tmp_path: Path) -> None:
    path = tmp_path / "REPORT"
    path.write_text(SENTENCE, encoding="utf-8")
    with pytest.raises(UnsupportedFormat, match="without an extension") as err:
        read_report(path)
    assert ".txt" in err.value.hint


# --- the command line on a folder of good and bad reports ------------------------------------

GOOD_EXTRA = {  # good reports in other formats and encodings, next to the seeds
    "good-pdf.pdf": GOOD_PDF,
    "good-utf16.txt": ("Monthly review (November 2025)\n\n" + SENTENCE + "\n").encode("utf-16"),
    "good-cp1251.md": ("# Аналитический обзор (November 2025)\n\n" + SENTENCE + "\n").encode("cp1251"),
    "good-page.html": (b"<html><head><script>var n = 777;</script></head><body><h1>Analytical report (November 2025)"
                       b"</h1><p>In October 2025, 1&#8239;234 cybercrimes were registered.</p></body></html>"),
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, folder / seed.name)
    for name, data in GOOD_EXTRA.items():
        (folder / name).write_bytes(data)
    for name, (data, *_rest) in BAD.items():
        (folder / name).write_bytes(data)
    return folder


GOOD_IDS = {p.stem for p in SEEDS} | {Path(n).stem for n in GOOD_EXTRA}


def run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "indicators", *map(str, args)], capture_output=True, text=True,
                          timeout=300)


def skipped_lines(stderr: str) -> dict[str, str]:
    """File name -> the 'skipped ...' line that names it."""
    out = {}
    for line in stderr.splitlines():
        if line.startswith("skipped "):
            name = Path(line[len("skipped "):].split(": ", 1)[0]).name
            out[name] = line
    return out


def assert_bad_files_named(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr
    named = skipped_lines(stderr)
    assert set(named) == set(BAD), stderr
    for name, (_data, _error, reason_words, hint_words) in BAD.items():
        for word in reason_words + hint_words:
            assert word in named[name], named[name]


def test_extract_a_folder_of_good_and_bad_reports(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    res = run("extract", folder, "-o", out)
    assert res.returncode == 1, res.stderr
    assert_bad_files_named(res.stderr)
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["report"] for r in rows} == GOOD_IDS
    # each seed gives the claims it gives on its own
    for seed in SEEDS:
        alone = [(c.char_start, c.value) for c in extract_report(read_report(seed))]
        assert [(int(r["char_start"]), float(r["value"])) for r in rows if r["report"] == seed.stem] == alone
    for stem in (Path(n).stem for n in GOOD_EXTRA):
        assert [(r["indicator"], float(r["value"])) for r in rows if r["report"] == stem] == \
            [("cybercrime.registered", 1234.0)], stem


def test_ingest_a_folder_of_good_and_bad_reports(folder: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite"
    res = run("ingest", folder, "--db", f"sqlite:///{db}", "-q")
    assert res.returncode == 1, res.stderr
    assert_bad_files_named(res.stderr)
    with sqlite3.connect(db) as con:
        reports = {r[0] for r in con.execute("select id from reports")}
        claimed = {r[0] for r in con.execute("select distinct report from claims")}
        rows = con.execute("select report, value, surface, char_start, char_end from claims").fetchall()
        texts = dict(con.execute("select id, text from reports"))
    assert reports == GOOD_IDS  # nothing from a bad file, not even an empty report row
    assert claimed == GOOD_IDS
    for report, value, surface, start, end in rows:
        assert texts[report][start:end] == surface
    # ingesting again changes nothing: the same good reports, the same bad ones named
    again = run("ingest", folder, "--db", f"sqlite:///{db}", "-q")
    assert again.returncode == 1
    assert_bad_files_named(again.stderr)
    with sqlite3.connect(db) as con:
        assert sorted(con.execute("select report, value, surface, char_start, char_end from claims").fetchall()) \
            == sorted(rows)


def test_text_command_on_each_bad_file(folder: Path) -> None:
    for name in ("encrypted-aes.pdf", "scan.pdf", "report.docx", "binary.txt"):
        res = run("text", folder / name)
        assert res.returncode == 1 and "Traceback" not in res.stderr
        assert name in res.stderr and res.stdout == ""


# --- reading arbitrary bytes: a Report or a ReportError, nothing else -------------------------


def test_no_reader_error_escapes_on_damaged_real_files(tmp_path: Path) -> None:
    """Every prefix and a sample of byte flips of real files in each format: read or refused cleanly."""
    sources = {"txt": SEEDS[0].read_bytes()[:3000], "pdf": GOOD_PDF,
               "html": GOOD_EXTRA["good-page.html"], "md": GOOD_EXTRA["good-cp1251.md"]}
    for ext, data in sources.items():
        variants = [data[:n] for n in range(0, len(data), max(1, len(data) // 40))]
        variants += [data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:] for i in range(0, len(data), max(1, len(data) // 40))]
        for k, variant in enumerate(variants):
            path = tmp_path / f"v{k}.{ext}"
            path.write_bytes(variant)
            try:
                report = read_report(path)
            except ReportError as exc:
                assert exc.reason and exc.hint, exc.message
                continue
            assert report.text
