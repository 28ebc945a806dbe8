"""The command line, as a user runs it: good files extracted, bad ones named with a reason, never a traceback."""
import csv
import subprocess
import sys
from pathlib import Path

import pytest

from indicators.model import CLAIM_COLUMNS

ROOT = Path(__file__).parent.parent


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "indicators", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


@pytest.fixture
def mixed_folder(tmp_path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "good.txt").write_text(
        "Analytical report (March 2021)\n\nAccording to the Ministry of Internal Affairs, 3,917 cybercrimes were "
        "registered for two months of this year.\n", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    (folder / "notes.docx").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    return folder


def test_extract_names_bad_files_and_keeps_the_rest(mixed_folder, tmp_path):
    out = tmp_path / "claims.csv"
    res = run("extract", mixed_folder, mixed_folder / "notes.docx", "-o", out)
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    for name in ("empty.txt", "binary.txt", "broken.pdf", "notes.docx"):
        assert name in res.stderr, res.stderr
    assert ".pdf" in res.stderr and ".md" in res.stderr  # the unsupported format is told which formats are read
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0].keys()) == CLAIM_COLUMNS
    assert [(r["report"], r["indicator"], r["value"]) for r in rows] == [("good", "cybercrime.registered", "3917.0")]
    assert rows[0]["period_start"] == "2021-01-01" and rows[0]["period_end"] == "2021-02-28"


def test_extract_all_good_exits_zero(tmp_path):
    out = tmp_path / "claims.csv"
    res = run("extract", ROOT / "seeds", "-o", out)
    assert res.returncode == 0, res.stderr
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["report"] for r in rows} == {"000_899da8a9a6ae9762", "001_d97b0e28c27e0c49"}
    # one row per claim, in text order within each report
    for report in {r["report"] for r in rows}:
        starts = [int(r["char_start"]) for r in rows if r["report"] == report]
        assert starts == sorted(starts)


def test_missing_path_is_reported(tmp_path):
    res = run("extract", tmp_path / "nope.txt", "-o", tmp_path / "c.csv")
    assert res.returncode == 1 and "nope.txt" in res.stderr and "Traceback" not in res.stderr


def test_text_prints_the_normalised_text_the_offsets_refer_to(tmp_path):
    res = run("text", ROOT / "seeds" / "000_899da8a9a6ae9762.txt")
    assert res.returncode == 0
    out = tmp_path / "claims.csv"
    run("extract", ROOT / "seeds" / "000_899da8a9a6ae9762.txt", "-o", out)
    text = res.stdout[:-1]  # the command ends the text with one newline
    with out.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            assert text[int(row["char_start"]):int(row["char_end"])] == row["surface"]


def test_text_on_a_bad_file(tmp_path):
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"PK\x03\x04")
    res = run("text", bad)
    assert res.returncode == 1 and "x.xlsx" in res.stderr and "Traceback" not in res.stderr


def test_bad_catalog_is_an_error_not_a_traceback(tmp_path):
    cat = tmp_path / "c.yaml"
    cat.write_text("indicators: [", encoding="utf-8")
    res = run("extract", ROOT / "seeds", "--catalog", cat, "-o", tmp_path / "c.csv")
    assert res.returncode == 2 and "not valid YAML" in res.stderr and "Traceback" not in res.stderr
