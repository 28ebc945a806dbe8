"""The command line, as a user runs it: good files extracted, bad ones named with a reason, never a traceback."""
import csv
import subprocess
import sys
from pathlib import Path

import pytest

from indicators.model import CLAIM_COLUMNS

ROOT = Path(__file__).parent.parent


def run(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, "-m", "indicators", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=120, env=env)


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


def test_workers_give_the_same_table_in_the_same_order(mixed_folder, tmp_path):
    for p in (ROOT / "seeds").iterdir():
        (mixed_folder / p.name).write_bytes(p.read_bytes())
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    r1 = run("extract", mixed_folder, "-o", one, "--workers", "1")
    r2 = run("extract", mixed_folder, "-o", two, "--workers", "2")
    assert r1.returncode == r2.returncode == 1  # the bad files are still named and counted
    for name in ("empty.txt", "binary.txt", "broken.pdf"):
        assert name in r2.stderr
    assert "Traceback" not in r2.stderr
    assert one.read_bytes() == two.read_bytes()
    assert len(one.read_text(encoding="utf-8").splitlines()) > 30


def test_the_table_does_not_depend_on_the_hash_seed(tmp_path):
    """Each process hashes strings with its own seed; nothing written (values, links, the linker's confidence to the
    last digit) may depend on it, or two runs of the same reports would disagree."""
    import os
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed{seed}.csv"
        r = run("extract", ROOT / "seeds", "-o", out, env={**os.environ, "PYTHONHASHSEED": seed})
        assert r.returncode == 0, r.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert b",0." in outs[0]  # confidences are written, so the comparison covers them


def test_ingest_with_workers_stores_every_good_report(mixed_folder, tmp_path):
    db = f"sqlite:///{tmp_path / 'w.sqlite'}"
    res = run("ingest", mixed_folder, "--db", db, "--workers", "2", "-q")
    assert res.returncode == 1 and "broken.pdf" in res.stderr
    from indicators.store import Store
    claims = Store(db).claims()
    assert set(claims["report"]) == {"good"} and len(claims) == 1


@pytest.mark.parametrize("bad", ["-1", "two"])
def test_bad_worker_count_is_a_usage_error(bad):
    res = run("extract", ROOT / "seeds", "--workers", bad)
    assert res.returncode == 2 and "number of processes" in res.stderr
