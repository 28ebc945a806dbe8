"""Claims as one list per column: what a chart's few thousand rows are shaped with.

A chart callback reads at most a few thousand claims and passes them through several steps (latest vintages,
derived months, one period length, the figure). On pandas each step paid a frame's fixed costs (dtype checks,
index alignment, copies) several times over, which came to three times the query itself; plain lists cost
only the work. Frames stay the interface of the pure functions that tests and scripts call: `from_frame` and
`to_frame` convert at the edges.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import pandas as pd

from ..rows import typed
from ..schema import SCHEMA

_TEXT = {f.name for f in SCHEMA.fields if f.type not in ("number", "integer")}


@dataclass(frozen=True)
class Columns:
    """Rows of a table held as {column: list}, all lists of length `n`, in `names` order."""

    data: dict[str, list]
    n: int

    @classmethod
    def of(cls, data: dict[str, Sequence]) -> Columns:
        """From {column: values}; raises ValueError when the columns differ in length."""
        lists = {k: list(v) for k, v in data.items()}
        lengths = {len(v) for v in lists.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns of different lengths: {sorted(lengths)}")
        return cls(lists, lengths.pop() if lengths else 0)

    @classmethod
    def from_rows(cls, rows: Sequence[tuple], names: Sequence[str]) -> Columns:
        """From a database cursor's tuples: text columns of the claims schema get "" for NULL (as `typed` does),
        numbers keep None for NULL."""
        if not rows:
            return cls({c: [] for c in names}, 0)
        data = dict(zip(names, (list(col) for col in zip(*rows))))
        for c in _TEXT.intersection(names):
            col = data[c]
            if None in col:
                data[c] = ["" if v is None else v for v in col]
        return cls(data, len(rows))

    @classmethod
    def from_frame(cls, df: pd.DataFrame) -> Columns:
        return cls({c: df[c].tolist() for c in df.columns}, len(df))

    def to_frame(self) -> pd.DataFrame:
        """A frame typed as the claims schema types its columns (other columns as they are)."""
        return typed(pd.DataFrame(self.data, columns=self.names))

    @property
    def names(self) -> list[str]:
        return list(self.data)

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, name: str) -> list:
        return self.data[name]

    def __contains__(self, name: object) -> bool:
        return name in self.data

    def get(self, name: str, default=None) -> list:
        return self.data[name] if name in self.data else [default] * self.n

    def take(self, rows: Iterable[int]) -> Columns:
        """The rows at these positions, in this order."""
        rows = list(rows)
        return Columns({c: [v[i] for i in rows] for c, v in self.data.items()}, len(rows))

    def where(self, keep: Sequence[bool]) -> Columns:
        return self.take(i for i, k in enumerate(keep) if k)

    def assign(self, **new: Sequence) -> Columns:
        """These columns added or replaced (each of length n)."""
        data = dict(self.data)
        for c, v in new.items():
            if len(v) != self.n:
                raise ValueError(f"column {c!r} has {len(v)} values for {self.n} rows")
            data[c] = list(v)
        return Columns(data, self.n)

    def concat(self, other: Columns) -> Columns:
        """Rows of both, this one's columns (missing ones in `other` as None)."""
        if not other.n:
            return self
        return Columns({c: v + other.get(c) for c, v in self.data.items()}, self.n + other.n)

    def records(self) -> Iterator[dict]:
        names = self.names
        for values in zip(*self.data.values()):
            yield dict(zip(names, values))
