"""Edits in the store: applied in place, kept across re-ingests, undone, orphaned, shared between stores."""
import json
import sqlite3
from pathlib import Path

import pytest

from indicators.catalog import load_catalog
from indicators.errors import IndicatorsError
from indicators.pipeline import ingest_paths
from indicators.review import from_csv, to_csv
from indicators.store import Store

ROOT = Path(__file__).parent.parent
SEED = sorted((ROOT / "seeds").glob("*.txt"))[0]


@pytest.fixture
def setup(tmp_path, db_url):
    folder = tmp_path / "reports"
    folder.mkdir()
    report = folder / "monthly.txt"
    report.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    store = Store(db_url)
    list(ingest_paths([report], store))
    return store, report


def _cyber(store):
    c = store.claims(columns=["report", "indicator", "value", "review", "surface", "sentence", "char_start"])
    return c[c["indicator"] == "cybercrime.registered"].reset_index(drop=True)


def _seq(store, surface):
    import sqlalchemy as sa

    from indicators.store import claims
    with store.engine.connect() as conn:
        return conn.execute(sa.select(claims.c.seq).where(claims.c.surface == surface)).scalar_one()


def test_a_correction_is_applied_in_place_and_survives_reingest(setup):
    store, report = setup
    first = _cyber(store).iloc[0]
    seq = _seq(store, first["surface"])
    store.edit("monthly", seq, "correct", "Olga", changes={"value": 12345}, note="the ministry's table", catalog=load_catalog())
    after = store.claim("monthly", seq)
    assert after["value"] == 12345 and after["review"] == "corrected"
    with store.engine.connect() as conn:
        import sqlalchemy as sa

        from indicators.store import claims
        raw = conn.execute(sa.select(claims.c.extracted).where(claims.c.seq == seq)).scalar_one()
    assert json.loads(raw) == {"value": first["value"]}  # what the extractor said is kept

    # a new version of the report: a paragraph in front moves every offset; same content otherwise
    text = report.read_text(encoding="utf-8")
    title, rest = text.split("\n", 1)
    report.write_text(title + "\n\nEditor's foreword: this issue was revised after publication.\n" + rest,
                      encoding="utf-8")
    [(path, res)] = list(ingest_paths([report], store))
    assert res.status == "replaced"
    again = _cyber(store)
    moved = again[again["surface"] == first["surface"]].iloc[0]
    assert moved["char_start"] != first["char_start"]
    assert moved["value"] == 12345 and moved["review"] == "corrected"
    assert store.orphans() == []


def test_reject_undo_and_history(setup):
    store, _ = setup
    target = _cyber(store).iloc[1]
    seq = _seq(store, target["surface"])
    e = store.edit("monthly", seq, "reject", "Ivan", note="not a count of crimes")
    assert store.claim("monthly", seq)["review"] == "rejected"
    store.edit("monthly", seq, "undo", "Ivan", undoes=e.edit_id, note="my mistake")
    back = store.claim("monthly", seq)
    assert back["review"] == "unreviewed" and back["value"] == target["value"]
    h = store.history("monthly", seq)
    assert h["action"].tolist() == ["reject", "undo"]
    assert h["undone"].tolist() == [True, False]
    assert h["author"].tolist() == ["Ivan", "Ivan"] and h["note"].tolist()[0] == "not a count of crimes"


def test_an_edit_whose_sentence_is_gone_is_reported(setup):
    store, report = setup
    target = _cyber(store).iloc[0]
    seq = _seq(store, target["surface"])
    store.edit("monthly", seq, "accept", "Olga")
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace(target["surface"], "many"), encoding="utf-8")  # the figure is gone
    list(ingest_paths([report], store))
    orphans = store.orphans()
    assert len(orphans) == 1 and orphans[0].surface == target["surface"]


def test_edits_move_between_stores_as_csv(setup, tmp_path, new_db):
    store, report = setup
    target = _cyber(store).iloc[-1]
    seq = _seq(store, target["surface"])
    store.edit("monthly", seq, "correct", "Olga", changes={"qualifier": "approx"})
    text = to_csv(store.edits())
    other = Store(new_db())
    list(ingest_paths([report], other))
    got = other.import_edits(from_csv(text, catalog=load_catalog()))
    assert got["added"] == 1 and got["orphans"] == []
    assert other.claim("monthly", seq)["qualifier"] == "approx"
    assert other.import_edits(from_csv(text))["added"] == 0  # importing twice adds nothing


def test_bad_edits_are_clear_errors(setup):
    store, _ = setup
    with pytest.raises(IndicatorsError, match="no claim"):
        store.edit("monthly", 9999, "accept", "Olga")
    with pytest.raises(IndicatorsError, match="no report"):
        store.edit("nope", 0, "accept", "Olga")
    with pytest.raises(IndicatorsError, match="must be a number"):
        store.edit("monthly", 0, "correct", "Olga", changes={"value": "x"})


def test_review_queue_lists_what_needs_a_person(setup, tmp_path):
    store, _ = setup
    other = tmp_path / "other.txt"  # a figure no indicator measures
    other.write_text("Monthly report (May 2021)\n\nThe city council repaired 14 bridges over the spring.\n", encoding="utf-8")
    list(ingest_paths([other], store))
    queue, total = store.review_queue("unattached", limit=100)
    assert total == len(queue) > 0 and (queue["indicator"] == "").all()
    unsure, n = store.review_queue("unsure", limit=100)
    assert ((unsure["notes"] != "") | (unsure["confidence"] < 0.5)).all() and (unsure["indicator"] != "").all()
    seq, report = int(queue["seq"].iloc[0]), queue["report"].iloc[0]
    before = store.review_queue("unreviewed")[1]
    store.edit(report, seq, "accept", "Olga")
    assert store.review_queue("unreviewed")[1] == before - 1


def test_an_older_store_gets_the_review_columns(tmp_path):
    db = tmp_path / "old.sqlite"
    with sqlite3.connect(db) as conn:  # the claims table as the first release wrote it
        conn.execute("CREATE TABLE reports (id VARCHAR(255) PRIMARY KEY, title TEXT NOT NULL, month VARCHAR(7) NOT NULL,"
                     " format VARCHAR(8) NOT NULL, path TEXT NOT NULL, content_hash VARCHAR(64) NOT NULL UNIQUE,"
                     " ingested_at DATETIME NOT NULL, text TEXT NOT NULL)")
        conn.execute("CREATE TABLE claims (report VARCHAR(255) NOT NULL, seq INTEGER NOT NULL, report_month VARCHAR(7)"
                     " NOT NULL, indicator VARCHAR(128) NOT NULL, item VARCHAR(255) NOT NULL, role VARCHAR(16) NOT NULL,"
                     " qualifier VARCHAR(16) NOT NULL, value FLOAT NOT NULL, value_low FLOAT, value_high FLOAT,"
                     " unit VARCHAR(64) NOT NULL, period_start VARCHAR(10) NOT NULL, period_end VARCHAR(10) NOT NULL,"
                     " source VARCHAR(255) NOT NULL, surface TEXT NOT NULL, sentence TEXT NOT NULL, char_start INTEGER"
                     " NOT NULL, char_end INTEGER NOT NULL, notes TEXT NOT NULL, PRIMARY KEY (report, seq))")
        conn.execute("INSERT INTO reports VALUES ('r', '', '2021-01', 'txt', '', 'h', '2021-02-01', 'x 5 y')")
        conn.execute("INSERT INTO claims VALUES ('r', 0, '2021-01', '', '', 'reported', 'exact', 5, NULL, NULL, 'count',"
                     " '2021-01-01', '2021-01-31', '', '5', 'x 5 y', 2, 3, '')")
    store = Store(f"sqlite:///{db}")
    c = store.claims()
    assert c["review"].tolist() == ["unreviewed"] and c["value"].tolist() == [5.0]


def test_cli_review_export_and_import(setup, tmp_path, new_db):
    import subprocess
    import sys
    store, report = setup
    seq = _seq(store, _cyber(store).iloc[0]["surface"])
    store.edit("monthly", seq, "reject", "Olga", note="wrong table")
    db = store.url
    out = tmp_path / "edits.csv"
    run = lambda *a: subprocess.run([sys.executable, "-m", "indicators", *map(str, a)], capture_output=True, text=True)
    res = run("review", "export", "--db", db, "-o", out)
    assert res.returncode == 0 and "1 edits" in res.stderr
    other = new_db()
    assert run("ingest", report, "--db", other, "-q").returncode == 0
    res = run("review", "import", out, "--db", other)
    assert res.returncode == 0 and "1 edits added" in res.stderr, res.stderr
    assert Store(other).claim("monthly", seq)["review"] == "rejected"
    bad = tmp_path / "bad.csv"
    bad.write_text("edit_id,report\n1,2\n", encoding="utf-8")
    res = run("review", "import", bad, "--db", other)
    assert res.returncode == 2 and "not an edits file" in res.stderr and "Traceback" not in res.stderr
