"""The claims CSV has one set of bytes whichever store and writer make it: on PostgreSQL the server writes the
download (Store.csv: COPY ... CSV), elsewhere Python's csv.writer does (export.csv_chunks over Store.rows). Both must
give Python's float repr, csv.writer's quoting, guarded cells and "\\n" line ends, on values chosen to differ
between the two writers (integral floats, 1e15..1e16, exponents, quotes, commas, line breaks, empty text)."""
from __future__ import annotations

import csv
import dataclasses
import io
import random

import pytest

from indicators.export import FORMULA_START, csv_chunks, guard
from indicators.model import Claim, Report
from indicators.store import OUT_COLUMNS, Store, _slices

# floats where PostgreSQL's text and Python's repr part ways, and ordinary ones beside them
FLOATS = [0.0, -0.0, 1.0, 12.0, -5.0, 2500.0, 0.1, 0.30000000000000004, 1 / 3, 1e-05, 1.5e-07, 0.0001, 0.00012,
          123456789012345.0, 999999999999999.9, 1e15, -1e15, 1234567890123456.8, -2.5e15, 9999999999999998.0,
          1e16, 1.5e300, 5e-324, 2.2250738585072014e-308, 7.0e22, 31.5, -0.75, float("inf"), float("-inf")]
_rng = random.Random(7)  # and doubles of every magnitude, some integral
FLOATS += [_rng.uniform(-1, 1) * 10 ** _rng.randint(-12, 24) for _ in range(400)]
FLOATS += [float(round(_rng.uniform(0, 1) * 10 ** _rng.randint(0, 17))) for _ in range(100)]
FLOATS += [float(f"{_rng.randint(1, 99)}e{_rng.randint(15, 40)}") for _ in range(100)]  # short, on boundaries

# text cells that quoting, guarding or NULL handling could write differently
TEXTS = ["", "plain", "a,b", 'say "hi"', '"', "line\nbreak", "cr\rinside", "crlf\r\nend", "=1+1", "-5", "+x", "@x",
         "\tx", "\rx", " leading space", "trailing space ", "ünïcødé – €", "'quoted", "\\.", "NULL", "a;b",
         "tab\tinside", ",", "\n"]


def _claims() -> list[Claim]:
    out = []
    for n in range(max(len(FLOATS), len(TEXTS))):
        f, t = FLOATS[n % len(FLOATS)], TEXTS[n % len(TEXTS)]
        other = TEXTS[(n * 7 + 3) % len(TEXTS)]
        out.append(Claim(report="bytes", report_month="2021-05", indicator="cybercrime.registered" if n % 3 else t,
                         item=other, role="reported", qualifier="exact", value=f,
                         value_low=FLOATS[(n + 5) % len(FLOATS)] if n % 2 else None,
                         value_high=FLOATS[(n + 9) % len(FLOATS)] if n % 4 == 1 else None, unit=t,
                         period_start="2021-05-01", period_end="2021-05-31", source=other, surface=t, sentence=other,
                         char_start=n, char_end=n + 1, confidence=abs(f) if n % 5 == 0 and abs(f) <= 1 else None,
                         notes=(t,) if t else ()))
    return out


@pytest.fixture(scope="module")
def store(databases) -> Store:
    s = Store(databases())
    s.ingest(Report(id="bytes", path="bytes.txt", format="txt", text="Bytes (May 2021)\n\nsome text", title="Bytes"),
             _claims(), month="2021-05")
    return s


def _python_csv(store: Store, **filters) -> str:
    return "".join(csv_chunks(OUT_COLUMNS, store.rows(guard=FORMULA_START, **filters), guarded=True))


@pytest.mark.parametrize("filters", [{}, {"indicator": "cybercrime.registered"}, {"item": ["a,b", 'say "hi"']},
                                     {"indicator": "no.such_indicator"}])
def test_the_store_writes_the_bytes_csv_writer_writes(store, filters):
    got = "".join(store.csv(**filters))
    assert got == _python_csv(store, **filters)
    assert got.startswith(",".join(OUT_COLUMNS) + "\n")


def test_cells_read_back_as_python_wrote_them(store):
    """Independent of either writer: floats as repr of the stored value (SQLite keeps no -0.0), text guarded (a
    carriage return as a line feed), None empty."""
    rows = list(csv.reader(io.StringIO("".join(store.csv()), newline="")))
    header, body = rows[0], rows[1:]
    want = sorted(_claims(), key=lambda c: c.char_start)
    stored = list(store.rows())[0]
    assert header == OUT_COLUMNS and len(body) == len(want) == len(stored)
    for cells, claim, raw in zip(body, want, stored):
        got = dict(zip(header, cells))
        for name in ("value", "value_low", "value_high", "confidence"):
            v = raw[OUT_COLUMNS.index(name)]
            assert (v is None) == (getattr(claim, name) is None) and (v is None or v == getattr(claim, name))
            assert got[name] == ("" if v is None else repr(v)), (name, v)
        for name in ("item", "unit", "source", "surface", "sentence"):
            assert got[name] == guard(getattr(claim, name)), name
        assert got["notes"] == guard("; ".join(claim.notes))
        assert (got["char_start"], got["char_end"]) == (str(claim.char_start), str(claim.char_end))


@pytest.mark.parametrize("chunk", [1, 7, 1000])
def test_chunks_hold_chunk_rows_and_join_to_the_whole(store, chunk):
    parts = list(store.csv(chunk=chunk))
    n = len(_claims())
    assert len(parts) == -(-n // chunk)
    assert "".join(parts) == _python_csv(store)


@pytest.mark.parametrize("counts, size, want", [
    ([], 10, []),
    ([("a", 3)], 10, [("a", "a")]),
    ([("a", 3), ("b", 4), ("c", 3)], 10, [("a", "c")]),  # exactly the size: one slice
    ([("a", 3), ("b", 4), ("c", 4)], 10, [("a", "b"), ("c", "c")]),
    ([("a", 25), ("b", 1), ("c", 1)], 10, [("a", "a"), ("b", "c")]),  # a report larger than a slice is one alone
    ([("a", 1), ("b", 25), ("c", 1)], 10, [("a", "a"), ("b", "b"), ("c", "c")]),
])
def test_copy_slices_are_runs_of_whole_reports(counts, size, want):
    assert _slices(counts, size) == want


@pytest.mark.parametrize("copy_rows", [1, 3, 1000])
def test_a_download_in_several_slices_is_the_whole(databases, copy_rows):
    """Slices are runs of whole reports (at most `copy_rows` rows, a larger report alone); joined, they are the one
    CSV, in report order. Three reports of 2, 1 and 3 claims."""
    from indicators.db import DbSettings

    store = Store(databases(), settings=DbSettings(copy_rows=copy_rows))
    made = _claims()
    for rid, part in (("b", made[:2]), ("a", made[2:3]), ("c", made[3:6])):
        store.ingest(Report(id=rid, path=f"{rid}.txt", format="txt", text=f"Report {rid} (May 2021)", title=rid),
                     [dataclasses.replace(c, report=rid) for c in part], month="2021-05")
    got = "".join(store.csv(chunk=2))
    assert got == _python_csv(store)
    assert [line.split(",")[0] for line in got.splitlines()[1:] if line[:2] in ("a,", "b,", "c,")] == \
        ["a", "b", "b", "c", "c", "c"]
