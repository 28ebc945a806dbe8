"""The one CSV writer: every CSV the product writes (extract, export, review export, downloads) goes here.

- The formula guard (OWASP, "CSV Injection"): a text cell that starts with `=`, `+`, `-`, `@`, a tab or
  a carriage return gets a leading apostrophe, so a spreadsheet shows it as text and never runs it as a
  formula. Numbers are never touched: a negative value stays a number. A carriage return inside a cell
  becomes a line feed, so the writer quotes the cell and no spreadsheet splits the row there.
  Source: https://owasp.org/www-community/attacks/CSV_Injection
- Streaming: rows arrive in parts (lists of tuples) and leave as text chunks, so a million rows never sit
  in memory at once (a Flask response or a file).
- Atomic files: a CSV appears under its name only once complete (written beside it, then renamed).
- Written by the database: on PostgreSQL the download routes let the server write the rows (`Store.csv`, COPY
  ... CSV), under this module's contract: the header from `csv_header`, then exactly the bytes `csv_chunks` writes
  from `Store.rows(guard=FORMULA_START)` -- Python's float repr, `csv.writer`'s minimal quoting, "\n" line ends,
  NULL and "" as an empty cell (tests/test_csv_bytes.py holds the two writers to the same bytes).
"""
from __future__ import annotations

import csv
import io
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may read as the start of a formula


def guard(value):
    """`value` made safe for a spreadsheet: guarded if it is text, unchanged otherwise (numbers, None)."""
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(FORMULA_START):
        value = f"'{value}"
    return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value


def unguard(value: str) -> str:
    """The text `guard` was given (for reading back a CSV this module wrote): one added apostrophe dropped."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def csv_header(columns: Sequence[str]) -> str:
    """The header line `csv_chunks` starts with."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(columns)
    return buf.getvalue()


def csv_chunks(columns: Sequence[str], parts: Iterable[Iterable[Sequence]], *, guarded: bool = False,
               header: bool = True) -> Iterator[str]:
    """CSV text, one chunk per part of rows (each row a sequence in `columns` order), the header first.

    `guarded=True` says the cells were guarded already (by the database: `Store.rows(guard=FORMULA_START)`,
    which is several times faster than Python on a million rows); the writer then only turns a carriage
    return inside a cell into a line feed, which it finds by looking at the written text, not at every cell.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if header:
        writer.writerow(columns)
    for rows in parts:
        if not guarded:
            rows = [[guard(v) for v in row] for row in rows]
        start = buf.tell()
        writer.writerows(rows)
        if guarded and "\r" in buf.getvalue()[start:]:
            buf.seek(start)
            buf.truncate()
            writer.writerows([[guard(v) if isinstance(v, str) and "\r" in v else v for v in row] for row in rows])
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
    rest = buf.getvalue()
    if rest:
        yield rest


def frame_parts(df: pd.DataFrame, columns: Sequence[str] | None = None, chunk: int = 5000) -> Iterator[list[tuple]]:
    """A DataFrame as parts of row tuples (NaN written as an empty cell), for `csv_chunks`."""
    cols = list(columns or df.columns)
    body = df[cols].astype(object).where(df[cols].notna(), None)
    for start in range(0, len(body), chunk):
        yield list(body.iloc[start:start + chunk].itertuples(index=False, name=None))


def frame_csv(df: pd.DataFrame, columns: Sequence[str] | None = None) -> str:
    """The whole CSV of a (small) DataFrame as one string, guarded (the dashboard's download button)."""
    cols = list(columns or df.columns)
    return "".join(csv_chunks(cols, frame_parts(df, cols)))


@contextmanager
def atomic_text(path: str | Path) -> Iterator[TextIO]:
    """A text file handle whose content appears at `path` only when the block ends without an error
    ("-": standard output). A failed write leaves whatever was at `path` before, and no temporary file."""
    if str(path) == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_csv(path: str | Path, columns: Sequence[str], parts: Iterable[Iterable[Sequence]], *,
              guarded: bool = False) -> int:
    """Write a CSV atomically (see `atomic_text`), streaming `parts`; returns the number of data rows.

    Raises OSError (a full disk, no permission) with nothing left behind."""
    n = 0

    def counted():
        nonlocal n
        for part in parts:
            part = list(part)
            n += len(part)
            yield part

    with atomic_text(path) as fh:
        for chunk in csv_chunks(columns, counted(), guarded=guarded):
            fh.write(chunk)
    return n
