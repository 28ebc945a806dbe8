"""The README's walk-through, end to end in subprocesses: `suggest` proposes series from a folder of reports,
two stubs go into a copy of the catalog, `catalog check` accepts it, and re-extraction attaches the figures."""
import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from indicators import load_catalog

SHIPPED = Path(__file__).parent.parent / "indicators" / "data" / "catalog.yaml"
# three months of a regional digest with two series no shipped indicator tracks (in our own words)
MONTHS = [("March 2024", 412, 9), ("April 2024", 530, 12), ("May 2024", 611, 7)]


def _cli(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "indicators", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture
def folder(tmp_path) -> Path:
    reports = tmp_path / "reports"
    reports.mkdir()
    for month, summonses, orchards in MONTHS:
        (reports / f"digest_{month.replace(' ', '_')}.txt").write_text(
            f"Regional digest ({month})\n\nMilitary enlistment offices delivered {summonses} summonses to men of "
            f"call-up age this month, the regional authorities said.\n\nVolunteers planted {orchards} orchards in "
            f"the Brest region.\n", encoding="utf-8")
    return reports


def test_suggest_stub_check_and_reextract(folder, tmp_path):
    run = _cli("suggest", str(folder), "-o", "stubs", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "suggested.summons: 3 figures" in run.stdout and "in 3 report months" in run.stdout
    stubs = sorted((tmp_path / "stubs").glob("*.yaml"))
    assert [p.name for p in stubs] == ["suggested.orchard.yaml", "suggested.summons.yaml"]

    before = _cli("extract", str(folder), "-q", cwd=tmp_path)
    assert not [r for r in csv.DictReader(io.StringIO(before.stdout)) if r["indicator"]]

    mine = tmp_path / "my_catalog.yaml"
    mine.write_text(SHIPPED.read_text(encoding="utf-8").rstrip("\n") + "\n\n"
                    + "\n".join(p.read_text(encoding="utf-8") for p in stubs), encoding="utf-8")
    check = _cli("catalog", "check", str(mine), cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"{len(load_catalog().indicators) + 2} indicators" in check.stdout and "0 failed" in check.stdout

    after = _cli("extract", str(folder), "-q", "--catalog", str(mine), cwd=tmp_path)
    rows = list(csv.DictReader(io.StringIO(after.stdout)))
    got = sorted((r["indicator"], float(r["value"]), r["unit"]) for r in rows if r["indicator"])
    assert got == sorted([("suggested.summons", float(s), "summons") for _, s, _ in MONTHS]
                         + [("suggested.orchard", float(o), "orchard") for _, _, o in MONTHS])


def test_a_stub_for_a_store(folder, tmp_path):
    """`suggest --db` reads the unattached claims of a store."""
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    assert _cli("ingest", str(folder), "--db", db, "-q", cwd=tmp_path).returncode == 0
    run = _cli("suggest", "--db", db, cwd=tmp_path)
    assert run.returncode == 0 and "suggested.orchard: 3 figures" in run.stdout, run.stdout + run.stderr


def test_an_indicator_over_an_unknown_counted_noun_by_yaml_alone(tmp_path):
    """A noun neither units.txt nor the lexicon knows ("lawyers") becomes a count unit, and an indicator accepting
    it attaches its figures; a figure of another unknown noun beside it stays out."""
    cat = tmp_path / "c.yaml"
    cat.write_text("indicators:\n  - id: repression.lawyers_disbarred\n    label: Lawyers disbarred\n"
                   "    unit: lawyer\n    accepts: [lawyers, advocates]\n    words: [disbarred, licence revoked]\n"
                   "    examples: [\"The justice ministry disbarred 14 lawyers in June.\"]\n", encoding="utf-8")
    report = tmp_path / "r.txt"
    report.write_text("Legal monitor (June 2024)\n\nThe ministry disbarred 14 lawyers and 3 notaries in June.\n",
                      encoding="utf-8")
    run = _cli("extract", str(report), "-q", "--catalog", str(cat), cwd=tmp_path)
    rows = {float(r["value"]): r for r in csv.DictReader(io.StringIO(run.stdout))}
    assert rows[14.0]["indicator"] == "repression.lawyers_disbarred" and rows[14.0]["unit"] == "lawyer"
    assert rows[3.0]["indicator"] == "" and rows[3.0]["unit"] == "notary"
    assert _cli("catalog", "check", str(cat), cwd=tmp_path).returncode == 0
