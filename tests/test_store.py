"""The store: idempotent, atomic ingest; the same content under another name is one report."""
import dataclasses
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from indicators import extract
from indicators.ingest import read_report
from indicators.pipeline import extract_report, ingest_paths
from indicators.rows import typed
from indicators.store import OUT_COLUMNS, Store, StoreError

ROOT = Path(__file__).parent.parent
SEED = ROOT / "seeds" / "000_899da8a9a6ae9762.txt"


@pytest.fixture
def store(db_url) -> Store:
    return Store(db_url)


def test_ingest_is_idempotent_and_export_matches_extract(store):
    first = [r for _, r in ingest_paths([ROOT / "seeds"], store)]
    assert [r.status for r in first] == ["added", "added"]
    again = [r for _, r in ingest_paths([ROOT / "seeds"], store)]
    assert [r.status for r in again] == ["unchanged", "unchanged"]
    stored = store.claims()
    expected = extract([ROOT / "seeds"])
    pd.testing.assert_frame_equal(stored[expected.columns].reset_index(drop=True), expected.reset_index(drop=True))
    assert set(stored["review"]) == {"unreviewed"}  # nobody has reviewed anything yet
    stated = stored[stored["role"] == "stated"]
    assert (stated["pair_kind"] == "corrected by").all() and stated["pair"].str.contains("@").all()
    months = dict(zip(store.reports()["id"], store.reports()["month"]))
    assert months == {"000_899da8a9a6ae9762": "2020-11", "001_d97b0e28c27e0c49": "2020-12"}


def test_same_content_under_another_name_is_one_report(store, tmp_path):
    ingest_paths([SEED], store) and list(ingest_paths([SEED], store))
    copy = tmp_path / "renamed.txt"
    copy.write_bytes(SEED.read_bytes())
    [(path, result)] = list(ingest_paths([copy], store))
    assert result.status == "duplicate" and result.duplicate_of == "000_899da8a9a6ae9762"
    assert list(store.reports()["id"]) == ["000_899da8a9a6ae9762"]


def test_reingest_of_changed_report_replaces_its_claims(store, tmp_path):
    path = tmp_path / "r.txt"
    path.write_text("Report (May 2021)\n\nAbout 5 thousand reservists were called up for military training.\n")
    list(ingest_paths([path], store))
    path.write_text("Report (May 2021)\n\nAbout 6 thousand reservists were called up for military training.\n")
    [(_, result)] = list(ingest_paths([path], store))
    assert result.status == "replaced"
    assert list(store.claims(report="r")["value"]) == [6000.0]


def test_a_failed_ingest_leaves_the_store_as_before(store, tmp_path):
    path = tmp_path / "r.txt"
    path.write_text("Report (May 2021)\n\nAbout 5 thousand reservists were called up for military training.\n")
    list(ingest_paths([path], store))
    report = read_report(path)
    changed = dataclasses.replace(report, text=report.text.replace("5 thousand", "7 thousand"))
    good = extract_report(changed)
    broken = good + [dataclasses.replace(good[0], value=None)]  # violates NOT NULL half-way through
    with pytest.raises(StoreError, match="could not store r"):
        store.ingest(changed, broken)
    assert list(store.claims(report="r")["value"]) == [5000.0]
    assert store.report_text("r") == report.text


def test_filters(store):
    list(ingest_paths([ROOT / "seeds"], store))
    cyber = store.claims(indicator="cybercrime.registered")
    assert sorted(cyber["value"]) == [9000, 10000, 20357, 25000]
    both = store.claims(indicator=["csto.budget", "csto.belarus_share"], role="planned")
    assert list(both["value"]) == [7000000.0]


def test_cli_ingest_and_export(tmp_path, db_url):
    db = db_url
    run = lambda *a: subprocess.run([sys.executable, "-m", "indicators", *map(str, a)], capture_output=True,
                                    text=True, timeout=120)
    res = run("ingest", ROOT / "seeds", tmp_path / "missing.txt", "--db", db, "-q")
    assert res.returncode == 1 and "missing.txt" in res.stderr and "2 added" in res.stderr
    out = tmp_path / "claims.csv"
    res = run("export", "-o", out, "--db", db)
    assert res.returncode == 0
    exported = pd.read_csv(out, keep_default_na=False)
    assert len(exported) == len(extract([ROOT / "seeds"]))


def test_unusable_databases_are_clear_errors(tmp_path):
    with pytest.raises(StoreError, match="cannot open the database"):
        Store("postgresql+nosuchdriver://nobody@127.0.0.1:1/none")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot create the folder"):
        Store(f"sqlite:///{blocker / 'sub' / 'db.sqlite'}")


def _by_pandas(df, contains=None, sort=None):
    for col, text in (contains or {}).items():
        df = df[df[col].astype(str).str.lower().str.contains(text.lower(), regex=False)]
    for col, asc in reversed(sort or []):
        df = df.sort_values(col, ascending=asc, kind="stable")
    return df


@pytest.mark.parametrize("contains, sort", [
    ({"indicator": "CYBER"}, [("value", False)]),  # a scattered column: the sort index is walked
    ({"report": "001"}, [("period_start", True), ("value", False)]),  # a report's claims lie together
    ({"surface": "%"}, []),  # free text: a substring scan
    ({"role": "rep"}, [("value", True)]),
])
def test_page_filters_sorts_and_counts_like_pandas(store, contains, sort):
    list(ingest_paths([ROOT / "seeds"], store))
    want = _by_pandas(store.claims(), contains, sort)
    assert len(want) > 3
    df, total = store.page(contains=contains, sort=sort, offset=1, limit=3)
    assert total == len(want)
    cols = ["report", "char_start", "value"]
    assert df[cols].values.tolist() == want[cols].iloc[1:4].values.tolist()


def test_counts_and_choices_follow_every_ingest_even_from_another_process(store, tmp_path):
    list(ingest_paths([SEED], store))
    n, present = store.count_claims(), store.distinct("indicator")
    assert n == len(store.claims()) and present == sorted(set(store.claims()["indicator"]) - {""})
    assert store.distinct("indicator", limit=2) == present[:2]
    other = Store(store.url)  # another worker or the CLI writing to the same database
    list(ingest_paths([ROOT / "seeds"], other))
    assert store.count_claims() == len(store.claims()) > n
    assert store.page(limit=1)[1] == store.count_claims()
    assert "csto.budget" in store.distinct("indicator") and "csto.budget" not in present


def test_sample_keeps_every_kth_claim_in_time_order(store):
    list(ingest_paths([ROOT / "seeds"], store))
    full = store.claims()
    everything, total = store.sample(len(full))
    assert total == len(full) and len(everything) == len(full)
    df, total = store.sample(10)
    step = -(-len(full) // 10)
    timed = full.sort_values(["period_start", "period_end", "report"], kind="stable")  # text order within a report
    want = timed.iloc[::step]
    assert total == len(full) and len(df) == len(want) <= 10
    assert sorted(zip(df["report"], df["char_start"])) == sorted(zip(want["report"], want["char_start"]))
    cyber, n = store.sample(2, indicator="cybercrime.registered", role=["reported", "stated"])
    assert n == 4 and len(cyber) == 2 and set(cyber["indicator"]) == {"cybercrime.registered"}


def test_rows_stream_the_claims_in_order(store):
    list(ingest_paths([ROOT / "seeds"], store))
    parts = list(store.rows(chunk=7, indicator="cybercrime.registered"))
    got = typed(pd.DataFrame([tuple(r) for p in parts for r in p], columns=OUT_COLUMNS))
    assert len(parts) == 1 and len(got) == 4
    pd.testing.assert_frame_equal(got, store.claims(indicator="cybercrime.registered"))
    assert len(list(store.rows(chunk=7))) == -(-len(store.claims()) // 7)


def test_one_version_checks_the_store_once_per_block_and_sees_own_writes(store):
    list(ingest_paths([SEED], store))
    n = store.count_claims()
    other = Store(store.url)  # another worker ingesting while this one answers a request
    with store.one_version():
        list(ingest_paths([ROOT / "seeds"], other))
        assert store.count_claims() == n  # the block reads one version of the store
    assert store.count_claims() == len(store.claims()) > n  # the next request sees the other worker's ingest
    with store.one_version():
        before = store.count_claims()
        list(ingest_paths([ROOT / "tests" / "golden" / "reports"], store))  # this process's own write shows at once
        assert store.count_claims() > before


def test_sample_rows_are_the_sample_as_tuples(store):
    list(ingest_paths([ROOT / "seeds"], store))
    rows, total = store.sample_rows(10, role=["reported", "corrected"])
    df, same_total = store.sample(10, role=["reported", "corrected"])
    assert total == same_total and len(rows) == len(df) <= 10
    pd.testing.assert_frame_equal(typed(pd.DataFrame(rows, columns=OUT_COLUMNS)), df)
