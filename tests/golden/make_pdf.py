"""Build the golden PDF report from its text source (tests/golden/reports/<name>.pdf.txt).

The PDF is built at test time into a temporary directory, so the repository holds only the
text. The first line of the source is the report title; it is printed at the top of page 1
and repeated as a running header on every page, and every page gets a footer
"Page N of M". Paragraphs are separated by blank lines.

fpdf2's core fonts (Helvetica) only encode latin-1, so characters outside it are replaced
(typographic quotes and dashes by ASCII, thin spaces by spaces); the gold `surface` values
for the PDF report are written the way they appear after this replacement.

usage: python tests/golden/make_pdf.py SRC.pdf.txt [DST.pdf]
"""
from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

REPLACEMENTS = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u2009": " ", "\u202f": " ", "\u2002": " ", "\u2003": " ", "\u200b": "",
    "\u2026": "...", "\u20ac": "EUR ", "\u2116": "No.",
}


def to_latin1(text: str) -> str:
    """Replace what the core fonts cannot encode: known typography first, then accents
    stripped (NFKD), and anything else becomes '?'."""
    out = []
    for ch in text:
        ch = REPLACEMENTS.get(ch, ch)
        try:
            ch.encode("latin-1")
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
            ch = base or "?"
        out.append(ch)
    return "".join(out)


def _report_pdf_class():
    """The FPDF subclass with the running header and page-number footer (fpdf2 is imported
    here so that `to_latin1` works without it)."""
    from fpdf import FPDF

    class ReportPDF(FPDF):
        def __init__(self, running_header: str):
            super().__init__(format="A4")
            self.running_header = running_header

        def header(self):
            self.set_font("Helvetica", "I", 8)
            self.cell(0, 6, self.running_header, align="R", new_x="LMARGIN", new_y="NEXT")
            self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
            self.ln(4)

        def footer(self):
            self.set_y(-15)
            self.set_font("Helvetica", "", 8)
            self.cell(0, 10, f"Page {self.page_no()} of {{nb}}", align="C")

    return ReportPDF


def build_pdf(src: Path, dst: Path) -> Path:
    """Render the text source `src` as a PDF at `dst` and return `dst`."""
    src, dst = Path(src), Path(dst)
    text = to_latin1(src.read_text(encoding="utf-8"))
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    title, paragraphs = blocks[0], blocks[1:]

    pdf = _report_pdf_class()(running_header=title)
    pdf.alias_nb_pages()
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_title(title)
    pdf.set_author("Belarus Security Monitor")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "", 11)
    for para in paragraphs:
        pdf.multi_cell(0, 5.5, " ".join(para.split()), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2.5)
    dst.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(dst))
    return dst


def pdf_name(src: Path) -> str:
    """`g06_2019_10.pdf.txt` -> `g06_2019_10.pdf`."""
    name = Path(src).name
    return name[: -len(".txt")] if name.endswith(".pdf.txt") else Path(name).stem + ".pdf"


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    source = Path(sys.argv[1])
    target = Path(sys.argv[2]) if len(sys.argv) == 3 else source.with_name(pdf_name(source))
    print(build_pdf(source, target))
