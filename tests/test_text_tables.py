"""Tables drawn with spaces in plain text and PDF text layers (issue 11): found by the alignment of their cells,
rendered row by row like markdown and HTML tables, with exact provenance into the normalised text."""
from pathlib import Path

import pytest

from indicators.ingest import read_report
from indicators.normalise import normalise
from indicators.pipeline import analyse

TABLES = [
    # (lines of a page, rows the normaliser must render; [] for prose that must stay prose)
    (["Fuel deliveries", "",
      "                        Jan       Feb",
      "  Diesel, t           1,200     1,350",
      "  Petrol, t             640       610"],
     ["Diesel, t; Jan: 1,200; Feb: 1,350", "Petrol, t; Jan: 640; Feb: 610"]),
    (["  Recruits by region     2021     2022",
      "  Minsk                   410      385",
      "  Gomel                   220      251"],
     ["Recruits by region: Minsk; 2021: 410; 2022: 385", "Recruits by region: Gomel; 2021: 220; 2022: 251"]),
    (["                               Total",
      "  Cases closed, number             87",
      "  Cases opened, number            112"],
     ["Cases closed, number; Total: 87", "Cases opened, number; Total: 112"]),
    (["  Oblast        Q1     Q2     Q3",
      "  Vitebsk       12      -     14"],
     ["Oblast: Vitebsk; Q1: 12; Q2: -; Q3: 14"]),
    # a sub-heading among the rows keeps the table (and its header) whole
    (["                       2022     2023",
      "  Cases opened           310      295",
      "  of which",
      "  Extremism               41       57",
      "  Treason                 12       19"],
     ["Cases opened; 2022: 310; 2023: 295", "of which", "Extremism; 2022: 41; 2023: 57",
      "Treason; 2022: 12; 2023: 19"]),
    # distractors
    (["The plan was approved.  Two weeks later it was revised.",
      "Funding grew 4%.  Staff numbers fell 2%."], []),
    (["Office:   12 Lenin Street,  Minsk",
      "Phone:    +375 17 222-33-44"], []),
    (["Mikalai Ivanou           Director", "Anna Zhuk                Editor"], []),
    (["  1.  Checks were held.", "  2.  Units were moved."], []),
    (["Detained:    45", "Released:    12"], []),  # one column of figures and no header naming it
    (["  Minsk        120", "  Brest arrests        40"], []),  # figures not in one column
    # justified prose from a PDF: wide gaps between words, a figure at each line's end
    (["Arrests  rose  from  90  to  120",
      "Fines    fell  from  95  to   80"], []),
]


@pytest.mark.parametrize("lines, rows", TABLES, ids=[t[0][-1].strip()[:40] for t in TABLES])
def test_tables_drawn_with_spaces(lines: list[str], rows: list[str]) -> None:
    for text in (normalise("\n".join(lines)), normalise(["\n".join(lines), "Next page.\n"])):
        paras = text.split("\n\n")
        rendered = [p for p in paras if "; " in p and ": " in p or " ; " in p or p in rows]
        assert rendered == rows
        if not rows:
            assert ";" not in text


def test_figures_of_a_table_keep_the_cell_as_surface_and_scale_by_their_header(tmp_path: Path) -> None:
    path = tmp_path / "monitor.txt"
    path.write_text("Defence spending\n\n"
                    "                          Outlays,     Outlays,\n"
                    "                          USD mln      USD mln\n"
                    "                          2023         2024\n"
                    "  Air force                 310.5        ~402\n"
                    "  Navy                       88.0         91.5\n\n"
                    "Figures are preliminary.\n", encoding="utf-8")
    report = read_report(path)
    found = [m.quantity for m in analyse(report).mentions]
    assert [q.surface for q in found] == ["310.5", "~402", "88.0", "91.5"]
    for q in found:
        assert report.text[q.start:q.end] == q.surface
        assert q.unit == "USD"
    assert [q.value for q in found] == pytest.approx([310.5e6, 402e6, 88e6, 91.5e6])


def test_a_table_in_a_pdf_text_layer_reads_like_the_same_table_in_text(tmp_path: Path) -> None:
    fpdf = pytest.importorskip("fpdf")
    lines = ["Quarterly outlays", "",
             "                        Outlays,    Outlays,",
             "                        EUR mln     EUR mln",
             "                        2022        2023",
             "  Armoured vehicles       310.5       402.0",
             "  Air defence              88.0        91.5", "",
             "Figures for 2023 are provisional."]
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("Courier", size=9)  # a monospaced text layer keeps the columns' spacing
    for line in lines:
        pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(tmp_path / "outlays.pdf"))
    (tmp_path / "outlays.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    from_pdf, from_txt = read_report(tmp_path / "outlays.pdf"), read_report(tmp_path / "outlays.txt")
    assert from_pdf.text == from_txt.text
    assert "Air defence; Outlays, EUR mln 2022: 88.0; Outlays, EUR mln 2023: 91.5" in from_pdf.text.split("\n\n")
    values = [m.quantity.value for m in analyse(from_pdf).mentions]
    assert values == pytest.approx([310.5e6, 402e6, 88e6, 91.5e6])
