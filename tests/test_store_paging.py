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
    # pages in the second half are read bottom-up: the same rows, in the same order
    for start in range(total // 2 + 1, total, size):
        deep, _ = store.page(filters, contains, sort, offset=start, limit=size)
        assert _keys(deep) == _keys(whole.iloc[start:start + size]), start
