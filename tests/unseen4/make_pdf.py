"""Build the PDF version of an unseen4 report from its ``.pdf.txt`` source.

usage: python make_pdf.py SRC.pdf.txt DST.pdf

The source is plain text: the first line is the title, paragraphs are separated
by blank lines, short lines without a final full stop are section headings, and
the lines under "Notes" / "Bibliography" are set as small hanging entries.
Core font only (Helvetica, Latin-1): characters the font cannot encode are
replaced by ASCII look-alikes, or by "?" as a last resort.
"""
import sys
from pathlib import Path

from fpdf import FPDF

REPLACEMENTS = {
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-",
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u2026": "...", "\u2022": "-", "\u00b7": "-", "\u2009": " ", "\u202f": " ",
    "\u00a0": " ", "\u200b": "",
}


def latin1(text: str) -> str:
    """Make text encodable by the PDF core fonts (cp1252/Latin-1)."""
    for bad, good in REPLACEMENTS.items():
        text = text.replace(bad, good)
    return text.encode("latin-1", errors="replace").decode("latin-1")


class ReportPDF(FPDF):
    running_title = ""

    def header(self):
        if self.page_no() == 1:
            return
        self.set_font("Helvetica", "I", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 6, latin1(self.running_title), border="B", align="L")
        self.ln(10)
        self.set_text_color(0, 0, 0)

    def footer(self):
        self.set_y(-15)
        self.set_font("Helvetica", "I", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 10, f"Page {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0, 0, 0)


def _is_heading(line: str) -> bool:
    return len(line) < 60 and not line.rstrip().endswith((".", ":", ";", ",")) and not line.startswith("[")


def build_pdf(src: Path, dst: Path) -> Path:
    src, dst = Path(src), Path(dst)
    lines = src.read_text(encoding="utf-8").splitlines()
    title = lines[0].strip()
    pdf = ReportPDF(format="A4")
    pdf.running_title = title
    pdf.set_title(latin1(title))
    pdf.set_author("Eastern European Security Programme")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_margins(20, 18, 20)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, latin1(title))
    pdf.ln(2)

    blocks, cur = [], []
    for line in lines[1:]:
        if line.strip():
            cur.append(line.strip())
        elif cur:
            blocks.append(cur)
            cur = []
    if cur:
        blocks.append(cur)

    in_notes = False
    first = True
    for block in blocks:
        if first:  # subtitle line(s) under the title
            pdf.set_font("Helvetica", "", 10)
            pdf.multi_cell(0, 5, latin1(" ".join(block)))
            pdf.ln(4)
            first = False
            continue
        if len(block) == 1 and _is_heading(block[0]):
            in_notes = block[0].lower() in {"notes", "bibliography", "references"}
            pdf.ln(2)
            pdf.set_font("Helvetica", "B", 12)
            pdf.multi_cell(0, 7, latin1(block[0]))
            pdf.ln(1)
            continue
        if in_notes:
            pdf.set_font("Helvetica", "", 8.5)
            for entry in block:
                pdf.multi_cell(0, 4.5, latin1(entry))
                pdf.ln(1)
            continue
        pdf.set_font("Helvetica", "", 10.5)
        pdf.multi_cell(0, 5.5, latin1(" ".join(block)), align="J")
        pdf.ln(3)

    dst.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(dst))
    return dst


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    print(build_pdf(Path(sys.argv[1]), Path(sys.argv[2])))
