"""Pages of the claims grid: a seek after the previous page's last row, and a page read from the bottom up,
give exactly the rows counting from the top gives."""
from pathlib import Path

import pytest

from indicators.pipeline import ingest_paths
from indicators.store import Store

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def store(databases):
    """On the store the suite runs on: a seek passes the previous row's values to the driver as parameters."""
    s = Store(databases(name="paging"))
    list(ingest_paths([ROOT / "seeds", ROOT / "tests" / "conflicts"], s))
    return s


def _keys(df):
    return list(zip(df["report"], df["seq"]))


@pytest.mark.parametrize("filters,contains,sort", [
    ({}, {}, []),
    ({}, {}, [("value", False)]),
    ({}, {}, [("period_start", True)]),
    ({"role": "reported"}, {}, [("value", True)]),
    ({}, {"source": "ministry"}, [("report_month", False)]),
    ({}, {}, [("report_month", False), ("value", True)]),  # mixed directions: no seek, offsets throughout
    ({}, {"indicator": "cyber"}, [("source", True), ("value", True)]),
    # filters on reports and months keep neighbouring rows: PostgreSQL then sorts the matches by expressions
    ({}, {"report_month": "20"}, [("period_start", True)]),
    ({}, {"report": "0"}, [("value", False)]),
    ({}, {"report": "0"}, []),
    ({"role": ["reported", "stated"]}, {}, [("period_start", False), ("value", False)]),  # deep: by period groups
    ({}, {"source": "ministry"}, [("role", True), ("report_month", False)]),
])
@pytest.mark.parametrize("size", [3, 7])
def test_seek_and_bottom_up_pages_equal_counted_pages(store, filters, contains, sort, size):
    whole, total = store.page(filters, contains, sort, offset=0, limit=10_000)
    assert total == len(whole) and total >= 3
    after, seen = None, []
    for start in range(0, total, size):
        counted = whole.iloc[start:start + size]
        sought, _ = store.page(filters, contains, sort, offset=start, limit=size, after=after)
        assert _keys(sought) == _keys(counted), start
        after = store.page_key(sought.iloc[-1], sort)
        seen += _keys(sought)
    assert seen == _keys(whole)
    # pages in the second half are read bottom-up, a deep page of a sort by a facet and another key from the
    # facet's groups that hold it: the same rows, in the same order
    for start in range(total // 3 + 1, total, size):
        deep, _ = store.page(filters, contains, sort, offset=start, limit=size)
        assert _keys(deep) == _keys(whole.iloc[start:start + size]), start


def _plan(store, query) -> str:
    """SQLite's plan for a query (a compiled SQLAlchemy select), as one text."""
    with store.engine.connect() as conn:
        compiled = query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
        return " | ".join(r[-1] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))


@pytest.fixture
def reviewed(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'q.sqlite'}")
    list(ingest_paths([ROOT / "seeds", ROOT / "tests" / "conflicts"], s))
    claims = s.claims()
    attached = claims[claims["indicator"] != ""]
    for (report, char_start), action in zip(attached[["report", "char_start"]].head(3).itertuples(index=False),
                                            ("accept", "reject", "accept")):
        s.edit(report, s.seq_of(report, char_start), action, "Olga")
    return s


@pytest.mark.parametrize("kind,keep", [
    ("all", lambda c: c["review"] == "unreviewed"),
    ("unreviewed", lambda c: c["review"] == "unreviewed"),
    ("unattached", lambda c: (c["review"] == "unreviewed") & (c["indicator"] == "")),
    ("reviewed", lambda c: c["review"] != "unreviewed"),
])
@pytest.mark.parametrize("size", [4, 50])
def test_review_queue_pages_in_its_order(reviewed, kind, keep, size):
    """Unattached first, then the extractor unsure, then the newest reports; in pages that add up to the queue.
    ("unsure" has an order of its own, by the linker's confidence.)"""
    c = reviewed.claims()
    c = c.assign(seq=[reviewed.seq_of(r, s) for r, s in zip(c["report"], c["char_start"])])
    want = c[keep(c)].assign(_a=lambda d: d["indicator"] != "", _s=lambda d: d["notes"] == "")
    want = want.sort_values(["_a", "_s", "report_month", "report", "seq"], ascending=[True, True, False, True, True])
    got, total = [], None
    for start in range(0, len(want) + size, size):
        page, total = reviewed.review_queue(kind, offset=start, limit=size)
        got += _keys(page)
    assert total == len(want) and got == _keys(want)
    assert total > 0


@pytest.mark.parametrize("kind", ["all", "unattached"])  # "unsure" is ordered by the linker's confidence
def test_a_queue_is_a_range_of_its_index_not_a_sort(reviewed, kind, monkeypatch):
    import indicators.store as st
    asked = []
    real = st.pd.read_sql
    monkeypatch.setattr(st.pd, "read_sql", lambda q, conn: asked.append(q) or real(q, conn))
    reviewed.review_queue(kind, limit=5)
    plan = _plan(reviewed, asked[0])
    assert "ix_claims_queue" in plan, plan
    if kind == "all":
        assert "TEMP B-TREE" not in plan, plan  # the index's own order: the first page is its first entries
