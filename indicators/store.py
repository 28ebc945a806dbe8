"""The store: reports and their claims in a SQL database.

SQLite under `data/` by default; any SQLAlchemy URL (PostgreSQL for a team) works, since
only SQLAlchemy Core constructs are used. A report is keyed by its id (file name) and its
content hash: re-ingesting replaces its claims in one transaction, and the same content
under another name is recognised as the same report.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from .errors import IndicatorsError
from .model import CLAIM_COLUMNS, Claim, Report
from .rows import typed

DEFAULT_DB = "data/indicators.sqlite"

metadata = sa.MetaData()

reports = sa.Table(
    "reports", metadata,
    sa.Column("id", sa.String(255), primary_key=True),
    sa.Column("title", sa.Text, nullable=False, default=""),
    sa.Column("month", sa.String(7), nullable=False, default=""),
    sa.Column("format", sa.String(8), nullable=False),
    sa.Column("path", sa.Text, nullable=False, default=""),
    sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)

claims = sa.Table(
    "claims", metadata,
    sa.Column("report", sa.String(255), sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),  # the claim's place in its report's text order
    sa.Column("report_month", sa.String(7), nullable=False),
    sa.Column("indicator", sa.String(128), nullable=False, default="", index=True),
    sa.Column("item", sa.String(255), nullable=False, default=""),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("qualifier", sa.String(16), nullable=False),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("value_low", sa.Float),
    sa.Column("value_high", sa.Float),
    sa.Column("unit", sa.String(64), nullable=False),
    sa.Column("period_start", sa.String(10), nullable=False),
    sa.Column("period_end", sa.String(10), nullable=False),
    sa.Column("source", sa.String(255), nullable=False, default=""),
    sa.Column("surface", sa.Text, nullable=False),
    sa.Column("sentence", sa.Text, nullable=False),
    sa.Column("char_start", sa.Integer, nullable=False),
    sa.Column("char_end", sa.Integer, nullable=False),
    sa.Column("notes", sa.Text, nullable=False, default=""),  # why the extractor was unsure
)
sa.Index("ix_claims_indicator_period", claims.c.indicator, claims.c.period_start)


class StoreError(IndicatorsError):
    """The database cannot be opened or written; says which and why."""


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def database_url(url: str | None = None) -> str:
    """The URL to use: the argument, else $INDICATORS_DB, else SQLite under data/."""
    url = url or os.environ.get("INDICATORS_DB") or f"sqlite:///{DEFAULT_DB}"
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////") and url != "sqlite:///:memory:":
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    elif url.startswith("sqlite:////"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    return url


@dataclass(frozen=True)
class Ingested:
    report: str
    status: str  # added | replaced | unchanged | duplicate
    claims: int
    duplicate_of: str = ""


class Store:
    """Reports and claims behind one SQLAlchemy engine."""

    def __init__(self, url: str | None = None):
        try:
            self.url = database_url(url)
        except OSError as exc:
            raise StoreError(f"cannot create the folder for the database: {exc.strerror or exc}") from None
        try:
            self.engine = sa.create_engine(self.url, future=True)
            if self.engine.dialect.name == "sqlite":
                sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            metadata.create_all(self.engine)
        except ImportError as exc:
            raise StoreError(f"cannot open the database {self._safe_url()}: its driver is not installed ({exc.name}); "
                             f"pip install it (e.g. psycopg2-binary for PostgreSQL)") from None
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot open the database {self._safe_url()}: {exc.__class__.__name__}: "
                             f"{getattr(exc, 'orig', None) or exc}") from None

    def _safe_url(self) -> str:
        return sa.engine.make_url(self.url).render_as_string(hide_password=True)

    def ingest(self, report: Report, found: Iterable[Claim], month: str = "") -> Ingested:
        """Add or replace one report and its claims in a single transaction."""
        digest = content_hash(report.text)
        rows = [_claim_row(report.id, n, c) for n, c in enumerate(found)]
        try:
            with self.engine.begin() as conn:
                same = conn.execute(sa.select(reports.c.id).where(reports.c.content_hash == digest)).first()
                if same is not None:
                    status = "unchanged" if same.id == report.id else "duplicate"
                    return Ingested(report.id, status, 0, "" if same.id == report.id else same.id)
                existed = conn.execute(sa.select(reports.c.id).where(reports.c.id == report.id)).first() is not None
                if existed:
                    conn.execute(claims.delete().where(claims.c.report == report.id))
                    conn.execute(reports.delete().where(reports.c.id == report.id))
                conn.execute(reports.insert().values(
                    id=report.id, title=report.title, month=month or (rows[0]["report_month"] if rows else ""),
                    format=report.format, path=report.path, content_hash=digest,
                    ingested_at=datetime.now(timezone.utc), text=report.text))
                if rows:
                    conn.execute(claims.insert(), rows)
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"could not store {report.id} in {self._safe_url()}: {exc.__class__.__name__}: "
                             f"{getattr(exc, 'orig', exc)}") from None
        return Ingested(report.id, "replaced" if existed else "added", len(rows))

    def claims(self, **filters) -> pd.DataFrame:
        """Claims in report and text order, filtered by column equality (a list means any of)."""
        q = sa.select(*[claims.c[c] for c in CLAIM_COLUMNS]).order_by(claims.c.report, claims.c.seq)
        for col, val in filters.items():
            if val is None or val == []:
                continue
            q = q.where(claims.c[col].in_(val) if isinstance(val, (list, tuple, set)) else claims.c[col] == val)
        with self.engine.connect() as conn:
            df = pd.read_sql(q, conn)
        return typed(df)

    def page(self, filters: dict | None = None, contains: dict | None = None, sort: list | None = None,
             offset: int = 0, limit: int = 25) -> tuple[pd.DataFrame, int]:
        """One page of claims for a table: equality filters, case-insensitive substring filters, sort keys
        [(column, ascending)], and the total count; paging happens in SQL, so a million rows stay fast."""
        where = []
        for col, val in (filters or {}).items():
            if val not in (None, "", []):
                where.append(claims.c[col].in_(val) if isinstance(val, (list, tuple, set)) else claims.c[col] == val)
        for col, text in (contains or {}).items():
            if text:
                where.append(sa.func.lower(sa.cast(claims.c[col], sa.Text)).contains(str(text).lower(), autoescape=True))
        q = sa.select(*[claims.c[c] for c in CLAIM_COLUMNS]).where(*where)
        order = [claims.c[c].asc() if asc else claims.c[c].desc() for c, asc in (sort or []) if c in claims.c]
        q = q.order_by(*order, claims.c.report, claims.c.seq).offset(offset).limit(limit)
        count_q = sa.select(sa.func.count()).select_from(claims).where(*where)
        with self.engine.connect() as conn:
            total = conn.execute(count_q).scalar_one()
            df = pd.read_sql(q, conn)
        return typed(df), total

    def distinct(self, column: str, **filters) -> list[str]:
        """The distinct non-empty values of a claims column (for the dashboard's choices)."""
        q = sa.select(claims.c[column]).distinct()
        for col, val in filters.items():
            if val not in (None, ""):
                q = q.where(claims.c[col] == val)
        with self.engine.connect() as conn:
            return sorted(v for (v,) in conn.execute(q) if v not in (None, ""))

    def reports(self) -> pd.DataFrame:
        q = sa.select(reports.c.id, reports.c.title, reports.c.month, reports.c.format, reports.c.path,
                      reports.c.content_hash, reports.c.ingested_at).order_by(reports.c.month, reports.c.id)
        with self.engine.connect() as conn:
            return pd.read_sql(q, conn)

    def report_text(self, report_id: str) -> str | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(reports.c.text).where(reports.c.id == report_id)).first()
        return row.text if row else None

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(reports)).scalar_one()


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")  # readers never block the ingest, a killed writer leaves no trace
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _claim_row(report_id: str, seq: int, c: Claim) -> dict:
    row = {col: getattr(c, col) for col in CLAIM_COLUMNS}
    row["report"] = report_id
    row["seq"] = seq
    row["notes"] = "; ".join(c.notes)
    return row
