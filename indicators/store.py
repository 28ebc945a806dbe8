"""The store: reports and their claims in a SQL database.

SQLite under `data/` by default; any SQLAlchemy URL (PostgreSQL for a team) works, since
only SQLAlchemy Core constructs are used. A report is keyed by its id (file name) and its
content hash: re-ingesting replaces its claims in one transaction, and the same content
under another name is recognised as the same report.
"""
from __future__ import annotations

import contextlib
import contextvars
import csv
import hashlib
import io
import json
import math
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from . import db
from .conflicts import pairs
from .db import DatabaseUnavailable, NotMigrated  # noqa: F401  (re-exported: callers catch them here)
from .errors import ErrorKind, StoreError, store_kind
from .export import FORMULA_START, csv_chunks, csv_header
from .model import Claim, Report
from .review import EDIT_COLUMNS, EDITABLE, Edit, active, locate, make_edit, overlay
from .rows import typed
from .schema import CLAIM_COLUMNS, DERIVED_COLUMNS, FACTS, PUBLIC_COLUMNS, SCHEMA, Field, ReviewState, Role

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

def _sql_column(f: Field) -> sa.Column:
    """A claims column as the schema describes it: VARCHAR(n) or TEXT, FLOAT, INTEGER; dates and months as ISO
    text (they sort and compare as dates, and read back exactly as written)."""
    if f.name == "report":
        return sa.Column("report", sa.String(f.sql_length), sa.ForeignKey("reports.id", ondelete="CASCADE"),
                         primary_key=True)
    if f.name == "seq":
        return sa.Column("seq", sa.Integer, primary_key=True)
    kind = {"number": sa.Float, "integer": sa.Integer}.get(f.type)
    if kind is None:
        kind = sa.String(f.sql_length) if f.sql_length else sa.Text
    if f.numeric:
        return sa.Column(f.name, kind, nullable=not f.required)
    default = f.default if f.default is not None else ("" if not f.required or f.enum else None)
    if default is None:
        return sa.Column(f.name, kind, nullable=False)
    return sa.Column(f.name, kind, nullable=False, default=default, server_default=default)


# one row per claim, the columns of data/claims.schema.yaml (the review overlay is applied in place, so tables,
# charts and downloads read reviewed values; see review.py)
claims = sa.Table("claims", metadata, *[_sql_column(f) for f in SCHEMA.fields])
# the claims columns every reader gets: the contract's, then the review, pairing and the extractor's notes
OUT_COLUMNS = PUBLIC_COLUMNS
_ANCHOR = SCHEMA.group("anchor")  # what a review edit is keyed to
_SERIES = SCHEMA.group("series")  # indicator, item, period, unit
_DERIVED = DERIVED_COLUMNS  # what the review overlay and the pairing write over the extractor's rows
_OWN_VOCABULARY = {f.name for f in SCHEMA.fields if f.enum}  # written from fixed words: nothing to neutralise

edits = sa.Table(
    "edits", metadata,
    sa.Column("edit_id", sa.String(32), primary_key=True),
    sa.Column("report", sa.String(255), nullable=False, index=True),
    sa.Column("content_hash", sa.String(64), nullable=False, index=True),
    sa.Column("char_start", sa.Integer, nullable=False),
    sa.Column("char_end", sa.Integer, nullable=False),
    sa.Column("surface", sa.Text, nullable=False),
    sa.Column("sentence", sa.Text, nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("changes", sa.Text, nullable=False, default=""),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("author", sa.String(255), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("undoes", sa.String(32), nullable=False, default=""),
)
# the chart and its choices: one indicator's claims by role, item and source, with their periods and keys, read
# from the index alone (an indicator's claims are scattered over the whole table)
sa.Index("ix_claims_chart", *[claims.c[c] for c in SCHEMA.group("chart_index")])  # with review: rejected ones leave
# the claims grid filters and sorts on these: a page is an index walk, not a scan of every claim; with the
# claim's key after the column, ORDER BY column, report, seq is the index's own order, so even the last page of
# a million claims is a walk of the index alone. Each also carries the columns the grid filters on most
# (`covered`): a jump deep into a filtered view skips its rows on the index alone, reading a claim's row only
# for the page it returns (migration 0008; 0006 had the key only)
COVERED = tuple(SCHEMA.group("covered"))
for _col in SCHEMA.group("sorted"):
    sa.Index(f"ix_claims_{_col}_grid", claims.c[_col], claims.c.report, claims.c.seq,
             *[claims.c[c] for c in COVERED if c != _col])
# and the grid's default order (report, then text order) carries them too: the primary key holds the key alone
sa.Index("ix_claims_key_grid", claims.c.report, claims.c.seq, *[claims.c[c] for c in COVERED])
# the review queue's "unsure" reads the claims nobody has looked at, least sure first (migration 0007)
sa.Index("ix_claims_review_confidence", claims.c.review, claims.c.confidence, claims.c.report, claims.c.seq)
# its other queues in their own order: unattached first, then the extractor unsure, then the newest reports
_EMPTY = sa.literal_column("''")
ATTACHED = claims.c.indicator != _EMPTY  # written as the index writes it: the database matches them as text
SURE = claims.c.notes == _EMPTY
sa.Index("ix_claims_queue", claims.c.review, ATTACHED, SURE, claims.c.report_month.desc(), claims.c.report,
         claims.c.seq)
# columns with few distinct values: a substring filter on them becomes `IN (the values that contain it)`
FACETS = tuple(SCHEMA.group("facets"))
CONFIDENT = "confident"  # the filter for what a chart may show; see _equal
MAX_FACET_VALUES = 5000
_PINNED: contextvars.ContextVar = contextvars.ContextVar("indicators_store_version", default=None)
CLUSTERED = {"report", "report_month"}  # claims are written a report at a time: these match neighbouring rows


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

    def __init__(self, url: str | None = None, migrate: bool | None = None, settings: db.DbSettings | None = None):
        """Open the store at `url` (see database_url). The schema is managed by migrations (indicators/migrations):
        `migrate` brings it to the code's revision under the start-up lock; by default an embedded SQLite store
        migrates itself and a server database must be at the code's revision already (NotMigrated says which
        command to run), so the app's role needs no right to alter the schema."""
        try:
            self.url = database_url(url)
        except OSError as exc:
            raise StoreError(f"cannot create the folder for the database: {exc.strerror or exc}") from None
        try:
            self.settings = settings or db.DbSettings.from_env()
            self.engine = db.create_engine(self.url, self.settings)
            if migrate is None:
                migrate = self.engine.dialect.name == "sqlite"
            db.engine_ready(self.engine, self.url, migrate)
            self._cache: dict = {}
            self._cache_version: tuple | None = None
            self._writes = 0  # this process's own ingests, so its cache never lags behind them
        except ImportError as exc:
            raise StoreError(f"cannot open the database {self._safe_url()}: its driver is not installed ({exc.name}); "
                             f"pip install it (e.g. psycopg2-binary for PostgreSQL)") from None
        except sa.exc.SQLAlchemyError as exc:
            if db.is_unavailable(exc):
                raise db.unavailable(self.url, exc) from None
            raise StoreError(f"cannot open the database {self._safe_url()}: {exc.__class__.__name__}: "
                             f"{getattr(exc, 'orig', None) or exc}", kind=store_kind(exc)) from None

    def _safe_url(self) -> str:
        return sa.engine.make_url(self.url).render_as_string(hide_password=True)

    def ingest(self, report: Report, found: Iterable[Claim], month: str = "") -> Ingested:
        """Add or replace one report and its claims in a single transaction."""
        digest = content_hash(report.text)
        rows = [_claim_row(report.id, n, c) for n, c in enumerate(found)]

        def write() -> tuple[Ingested | None, bool]:
            with db.write_transaction(self.engine) as conn:
                same = conn.execute(sa.select(reports.c.id).where(reports.c.content_hash == digest)).first()
                if same is not None:
                    status = "unchanged" if same.id == report.id else "duplicate"
                    return Ingested(report.id, status, 0, "" if same.id == report.id else same.id), False
                existed = conn.execute(sa.select(reports.c.id).where(reports.c.id == report.id)).first() is not None
                if existed:
                    conn.execute(claims.delete().where(claims.c.report == report.id))
                    conn.execute(reports.delete().where(reports.c.id == report.id))
                conn.execute(reports.insert().values(
                    id=report.id, title=report.title, month=month or (rows[0]["report_month"] if rows else ""),
                    format=report.format, path=report.path, content_hash=digest,
                    ingested_at=datetime.now(UTC), text=report.text))
                if rows:
                    conn.execute(claims.insert(), rows)
                    roles = {r["role"] for r in rows}
                    if {Role.STATED, Role.CORRECTED} <= roles or self._has_edits(conn, report.id, digest):
                        self._derive(conn, report.id, digest, pd.DataFrame(rows))
                return None, existed

        try:
            # a concurrent ingest of the same report (or content) may commit first: the next attempt finds it there
            done, existed = db.retrying(write, f"store {report.id}")
        except sa.exc.SQLAlchemyError as exc:
            self._writes += 1
            if db.is_unavailable(exc):
                raise db.unavailable(self.url, exc) from None
            raise StoreError(f"could not store {report.id} in {self._safe_url()}: {exc.__class__.__name__}: "
                             f"{getattr(exc, 'orig', exc)}", kind=store_kind(exc)) from None
        if done is not None:
            return done
        self._writes += 1
        return Ingested(report.id, "replaced" if existed else "added", len(rows))

    # --- review: edits as an overlay on the extraction -------------------------------------------------

    def _derive(self, conn, report_id: str, digest: str, rows: pd.DataFrame | None = None) -> list:
        """Apply the edits of one report to its claims and pair its stated and corrected figures, in place.

        Called inside the transaction that changed the report or its edits; returns the edits that found
        no claim. The extracted values an edit replaces are kept in `extracted`, so undoing it, or editing
        again, starts from what the extractor said."""
        cols = CLAIM_COLUMNS + ["seq", *_DERIVED]
        if rows is None:
            rows = pd.read_sql(sa.select(*[claims.c[c] for c in cols]).where(claims.c.report == report_id), conn)
        else:
            rows = rows.copy()
            for c in _DERIVED:
                rows[c] = claims.c[c].default.arg
        if rows.empty:
            return []
        before = rows.copy()
        _as_extracted(rows)  # start from what the extractor said
        found = self._edits(conn, report_id=report_id, content_hash=digest)
        reviewed, orphans = overlay(rows.drop(columns=["review", "review_note"]), found, {report_id: digest})
        originals = rows
        rows = reviewed
        rows["extracted"] = [_replaced(originals.loc[i], rows.loc[i]) for i in rows.index]
        paired = pairs(rows[rows["review"] != ReviewState.REJECTED])
        rows["pair"], rows["pair_kind"] = "", ""
        rows.loc[paired.index, "pair"] = paired["pair"]
        rows.loc[paired.index, "pair_kind"] = paired["pair_kind"]
        out = [*_DERIVED, *EDITABLE]
        changed = [i for i in rows.index if any(not _same(before.at[i, c], rows.at[i, c]) for c in out)]
        if changed:
            stmt = (claims.update().where(claims.c.report == sa.bindparam("k_report"), claims.c.seq == sa.bindparam("k_seq"))
                    .values({c: sa.bindparam(f"v_{c}") for c in out}))
            conn.execute(stmt, [{"k_report": report_id, "k_seq": int(rows.at[i, "seq"]),
                                 **{f"v_{c}": _cell(rows.at[i, c]) for c in out}} for i in changed])
        return orphans

    def _has_edits(self, conn, report_id: str, content_hash: str) -> bool:
        """Whether any edit was made on this report (most ingests: none, and nothing to apply)."""
        q = sa.select(edits.c.edit_id).where(sa.or_(edits.c.report == report_id, edits.c.content_hash == content_hash))
        return conn.execute(q.limit(1)).first() is not None

    def _edits(self, conn, report_id: str | None = None, content_hash: str | None = None) -> list[Edit]:
        q = sa.select(edits)
        if report_id is not None or content_hash is not None:
            q = q.where(sa.or_(edits.c.report == report_id, edits.c.content_hash == content_hash))
        return [_edit(r) for r in conn.execute(q.order_by(edits.c.created_at, edits.c.edit_id)).mappings()]

    def _report_hash(self, conn, report_id: str) -> str:
        h = conn.execute(sa.select(reports.c.content_hash).where(reports.c.id == report_id)).scalar()
        if h is None:
            raise StoreError(f"no report {report_id!r} in the store", kind=ErrorKind.NOT_FOUND)
        return h

    def known_hashes(self) -> dict[str, str]:
        """{content hash: report id} of every stored report: an ingest skips these before extracting them."""
        with self.engine.connect() as conn:
            return {h: rid for rid, h in conn.execute(sa.select(reports.c.id, reports.c.content_hash))}

    def claim(self, report_id: str, seq: int) -> dict | None:
        """One claim with its review columns, by its place in its report."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(*[claims.c[c] for c in OUT_COLUMNS + ["seq", "extracted"]])
                               .where(claims.c.report == report_id, claims.c.seq == int(seq))).mappings().first()
        return dict(row) if row else None

    def seq_of(self, report_id: str, char_start: int) -> int | None:
        """A claim's place in its report from its offset (the id charts and pairs use: report@char_start)."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(claims.c.seq).where(claims.c.report == report_id,
                                                              claims.c.char_start == int(char_start))
                                .order_by(claims.c.seq).limit(1)).scalar()

    def edit(self, report_id: str, seq: int, action: str, author: str, *, changes: dict | None = None,
             note: str = "", undoes: str = "", catalog=None) -> Edit:
        """Record an analyst's edit of one claim and apply it, in one transaction.

        The transaction first locks the report's row (SELECT ... FOR UPDATE; on SQLite the write lock), so edits
        of the same report made at the same moment queue up and each re-applies every edit stored before it:
        concurrent edits compose instead of overwriting each other's overlay."""
        def write() -> Edit:
            with db.write_transaction(self.engine) as conn:
                digest = conn.execute(sa.select(reports.c.content_hash).where(reports.c.id == report_id)
                                      .with_for_update()).scalar()
                if digest is None:
                    raise StoreError(f"no report {report_id!r} in the store", kind=ErrorKind.NOT_FOUND)
                cols = CLAIM_COLUMNS + ["seq", "extracted"]
                row = conn.execute(sa.select(*[claims.c[c] for c in cols])
                                   .where(claims.c.report == report_id, claims.c.seq == int(seq))).mappings().first()
                if row is None:
                    raise StoreError(f"no claim {seq} in report {report_id!r}", kind=ErrorKind.NOT_FOUND)
                claim = dict(row)
                for k, v in (json.loads(claim["extracted"]) if claim["extracted"] else {}).items():
                    claim[k] = v  # the edit is keyed to what the extractor found
                e = make_edit(claim, action, author, changes=changes, note=note, content_hash=digest, undoes=undoes,
                              catalog=catalog)
                conn.execute(edits.insert().values(**_edit_row(e)))
                self._derive(conn, report_id, digest)
                return e

        try:
            e = db.retrying(write, "record the edit", already_there=False)
        except sa.exc.SQLAlchemyError as exc:
            if db.is_unavailable(exc):
                raise db.unavailable(self.url, exc) from None
            raise StoreError(f"could not record the edit: {exc.__class__.__name__}: {getattr(exc, 'orig', exc)}",
                             kind=store_kind(exc)) from None
        self._writes += 1
        return e

    def history(self, report_id: str, seq: int) -> pd.DataFrame:
        """Every edit made on one claim (undone ones too), oldest first, with `undone` marked."""
        with self.engine.connect() as conn:
            digest = self._report_hash(conn, report_id)
            found = self._edits(conn, report_id=report_id, content_hash=digest)
            current = pd.read_sql(sa.select(*[claims.c[c] for c in ["seq", *_ANCHOR, "extracted"]])
                                  .where(claims.c.report == report_id), conn)
        _as_extracted(current)
        undone = {e.undoes: e for e in found if e.action == "undo"}
        mine = []
        for e in found:
            target = e if e.action != "undo" else next((x for x in found if x.edit_id == e.undoes), None)
            if target is None:
                continue
            at = locate(target, current)
            if at is not None and int(current.at[at, "seq"]) == int(seq):
                row = e.row()
                row["undone"] = e.edit_id in undone
                mine.append(row)
        return pd.DataFrame(mine, columns=EDIT_COLUMNS + ["undone"])

    def reviews_since(self, when: str = "") -> int:
        """How many accepts, corrections and rejections were recorded after `when` (ISO 8601; "" counts all),
        undone ones included: what the linker has not been trained on."""
        q = sa.select(sa.func.count()).select_from(edits).where(edits.c.action != "undo")
        if when:
            q = q.where(edits.c.created_at > when)
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar_one())

    def edits(self) -> list[Edit]:
        with self.engine.connect() as conn:
            return self._edits(conn)

    def import_edits(self, incoming: Iterable[Edit]) -> dict:
        """Add edits made elsewhere (new ids only) and apply them; returns counts and the orphans.

        An edit already there (imported before, or by a concurrent import of the same file) is counted as known,
        never a failure: rows are inserted with ON CONFLICT DO NOTHING, after locking the reports they touch."""
        incoming = list(incoming)

        def write() -> int:
            with db.write_transaction(self.engine) as conn:
                touched = {(e.report, e.content_hash) for e in incoming}
                ids = {r.id: r.content_hash for r in conn.execute(sa.select(reports.c.id, reports.c.content_hash))}
                by_hash = {h: rid for rid, h in ids.items()}
                targets = sorted({by_hash.get(h) or (rid if rid in ids else None) for rid, h in touched} - {None})
                if targets:  # in one order, so two imports never wait for each other's locks (no deadlock)
                    conn.execute(sa.select(reports.c.id).where(reports.c.id.in_(targets)).order_by(reports.c.id)
                                 .with_for_update()).all()
                known = {r for (r,) in conn.execute(sa.select(edits.c.edit_id))}
                new = [e for e in incoming if e.edit_id not in known]
                added = 0
                insert = _insert_ignoring_duplicates(conn, edits)
                for e in new:
                    added += conn.execute(insert.values(**_edit_row(e))).rowcount or 0
                for rid in targets:
                    self._derive(conn, rid, ids[rid])
                return added

        try:
            added = db.retrying(write, "import the edits")
        except sa.exc.SQLAlchemyError as exc:
            if db.is_unavailable(exc):
                raise db.unavailable(self.url, exc) from None
            raise StoreError(f"could not import the edits: {exc.__class__.__name__}: {getattr(exc, 'orig', exc)}",
                             kind=store_kind(exc)) from None
        self._writes += 1
        return {"added": added, "known": len(incoming) - added, "orphans": self.orphans()}

    def orphans(self) -> list[Edit]:
        """Edits that attach to no claim any more (their report changed or the extractor no longer finds it)."""
        out = []
        with self.engine.connect() as conn:
            found = self._edits(conn)
            if not found:
                return []
            ids = {r.id: r.content_hash for r in conn.execute(sa.select(reports.c.id, reports.c.content_hash))}
            by_hash = {h: rid for rid, h in ids.items()}
            groups: dict[str, list[Edit]] = {}
            for e in active(found):
                rid = by_hash.get(e.content_hash) or (e.report if e.report in ids else None)
                if rid is None:
                    out.append(e)
                else:
                    groups.setdefault(rid, []).append(e)
            for rid, group in groups.items():
                current = pd.read_sql(sa.select(*[claims.c[c] for c in ["report", *_ANCHOR, "extracted"]])
                                      .where(claims.c.report == rid), conn)
                _as_extracted(current)
                out += [e for e in group if locate(e, current) is None]
        return out

    def review_queue(self, kind: str = "all", offset: int = 0, limit: int = 25, below: float = 0.5
                     ) -> tuple[pd.DataFrame, int]:
        """Claims that need a person: no indicator, the extractor unsure, or not yet reviewed.

        "unsure" is a linked claim whose linker confidence is below `below` (the catalog's chart_confidence: it
        is kept out of charts until accepted) or whose notes say why the extractor hesitated; they come least
        sure first."""
        # a claim a person has handled (accepted, corrected, rejected) no longer needs a look. The other queues'
        # conditions are written on the queue index's own expressions, so each is a range of it in its order
        unreviewed = claims.c.review == ReviewState.UNREVIEWED
        # `IS false` on the index's own expression: PostgreSQL turns `= false` into `indicator = ''`, which no index
        # serves, and read a million rows to find an empty queue
        unsure = sa.or_(claims.c.confidence < float(below), SURE.is_(sa.false()))
        where = {"unattached": [unreviewed, ATTACHED.is_(sa.false())],
                 "unsure": [claims.c.indicator != "", unsure, unreviewed],
                 "unreviewed": [unreviewed],
                 "all": [unreviewed],
                 "reviewed": [claims.c.review.in_([s for s in ReviewState if s != ReviewState.UNREVIEWED])]}[kind]
        if kind == "unsure":
            # no confidence last: the order of the (review, confidence) index on PostgreSQL
            order = (claims.c.confidence.asc().nulls_last(), claims.c.report, claims.c.seq)
        else:
            order = (ATTACHED.asc(), SURE.asc(), claims.c.report_month.desc(), claims.c.report, claims.c.seq)
        q = (sa.select(*[claims.c[c] for c in OUT_COLUMNS + ["seq"]]).where(*where)
             .order_by(*order).offset(offset).limit(limit))
        with self.engine.connect() as conn:
            df = pd.read_sql(q, conn)
        total = self._cached(("queue", kind, below), lambda: self._count(where))
        return typed(df), total

    def conflict_candidates(self, indicator: str | None = None, limit_groups: int = 200,
                            confident: float | None = None) -> pd.DataFrame:
        """The facts of (at most `limit_groups`) indicator/item/period/unit groups that hold more than one value:
        what conflicts.conflicts() needs, found by the database instead of reading every claim. With
        `confident`, claims the linker was less sure of wait in the review queue instead (as on charts)."""
        def compute():
            key = [claims.c.indicator, claims.c.item, claims.c.period_start, claims.c.period_end, claims.c.unit]
            where = [claims.c.indicator != "", claims.c.review != ReviewState.REJECTED,
                     claims.c.role.in_(list(FACTS)), *_equal({CONFIDENT: confident})]
            if indicator:
                where.append(claims.c.indicator == indicator)
            groups = (sa.select(*key).where(*where).group_by(*key)
                      .having(sa.func.count(sa.distinct(claims.c.value)) > 1).limit(limit_groups))
            with self.engine.connect() as conn:
                found = [tuple(r) for r in conn.execute(groups)]
                if not found:
                    return typed(pd.read_sql(sa.select(*[claims.c[c] for c in OUT_COLUMNS]).where(sa.false()), conn))
                frames = []
                for k in range(0, len(found), 100):
                    q = sa.select(*[claims.c[c] for c in OUT_COLUMNS]).where(
                        sa.tuple_(*key).in_(found[k:k + 100]), *where[1:])
                    frames.append(pd.read_sql(q, conn))
            return typed(pd.concat(frames, ignore_index=True))
        return self._cached(("conflicts", indicator, limit_groups, confident), compute)

    def plan_candidates(self, limit: int = 2000) -> pd.DataFrame:
        """Planned claims (the newest `limit`) and the facts given for the same indicator, item and period."""
        def compute():
            key = [claims.c.indicator, claims.c.item, claims.c.period_start, claims.c.period_end]
            with self.engine.connect() as conn:
                plans = pd.read_sql(sa.select(*[claims.c[c] for c in OUT_COLUMNS])
                                    .where(claims.c.role == Role.PLANNED, claims.c.indicator != "",
                                           claims.c.review != ReviewState.REJECTED)
                                    .order_by(claims.c.report_month.desc()).limit(limit), conn)
                keys = list({tuple(r) for r in plans[_SERIES[:-1]]
                             .itertuples(index=False)})
                frames = [plans]
                for k in range(0, len(keys), 100):
                    frames.append(pd.read_sql(sa.select(*[claims.c[c] for c in OUT_COLUMNS]).where(
                        sa.tuple_(*key).in_(keys[k:k + 100]), claims.c.role.in_([Role.REPORTED, Role.CORRECTED]),
                        claims.c.review != ReviewState.REJECTED), conn))
            return typed(pd.concat(frames, ignore_index=True))
        return self._cached(("plans", limit), compute)

    def claims(self, columns: list[str] | None = None, **filters) -> pd.DataFrame:
        """Claims in report and text order, filtered by column equality (a list means any of)."""
        cols = columns or OUT_COLUMNS
        q = sa.select(*[claims.c[c] for c in cols]).where(*_equal(filters)).order_by(claims.c.report, claims.c.seq)
        with self.engine.connect() as conn:
            df = pd.read_sql(q, conn)
        return typed(df) if columns is None else df

    def rows(self, chunk: int = 5000, guard: tuple[str, ...] = (), **filters):
        """The claims as rows of OUT_COLUMNS in report and text order, streamed from the database in lists of
        `chunk` rows. Text cells starting with one of the `guard` characters get a leading apostrophe (done by
        the database: a spreadsheet then shows them as text, never runs them as formulas).

        The connection stays open while the caller iterates (a streamed HTTP response)."""
        def cell(c):
            col = claims.c[c]
            if not guard or not isinstance(col.type, (sa.String, sa.Text)) or c in _OWN_VOCABULARY:
                return col
            return sa.case((sa.func.substr(col, 1, 1).in_(list(guard)), sa.literal("'") + col), else_=col).label(c)
        q = sa.select(*[cell(c) for c in OUT_COLUMNS]).where(*_equal(filters)).order_by(claims.c.report,
                                                                                           claims.c.seq)
        with self.engine.connect() as conn:
            # the driver's own cursor: plain tuples, no per-row work in Python (a CSV of 100,000 rows < 1 s)
            compiled = q.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
            params = compiled.construct_params()
            if compiled.positiontup is not None:
                params = tuple(params[name] for name in compiled.positiontup)
            raw = conn.connection.driver_connection
            server_side = conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg2"
            if server_side:
                # a server-side (named) cursor: the server sends `chunk` rows at a time, so memory stays flat at
                # any number of rows (a plain cursor makes the driver fetch the whole result first)
                cursor = raw.cursor(name=f"rows_{os.getpid()}_{id(self)}_{time.monotonic_ns()}")
                cursor.itersize = chunk
            else:
                cursor = raw.cursor()
            try:
                with _driver_errors(conn, str(compiled), params):
                    if server_side:
                        # every row is read: plan for the whole result (a cursor's default plans for the first
                        # 10%, e.g. a walk of the whole primary key instead of sorting the rows the filter keeps)
                        with raw.cursor() as setup:
                            setup.execute("SET LOCAL cursor_tuple_fraction = 1.0")
                    cursor.execute(str(compiled), params)
                    while part := cursor.fetchmany(chunk):
                        yield part
            finally:
                try:
                    cursor.close()
                except conn.dialect.loaded_dbapi.Error:
                    pass

    def csv(self, chunk: int = 5000, **filters) -> Iterator[str]:
        """The claims matching equality filters as CSV text, cells guarded (export.FORMULA_START): the header,
        then rows of OUT_COLUMNS in report and text order, `chunk` rows a chunk. The bytes are exactly those
        export.csv_chunks writes from rows(guard=FORMULA_START).

        On PostgreSQL (psycopg2) the server writes the CSV itself (COPY ... TO STDOUT, FORMAT csv): no Python
        object per cell, under half the time of a cursor into csv.writer; elsewhere csv_chunks over rows(). The
        first chunk comes only after the database answered, so its errors (SQLAlchemy's) come before any text."""
        dialect = self.engine.dialect
        if dialect.name != "postgresql" or dialect.driver != "psycopg2":
            yield from csv_chunks(OUT_COLUMNS, self.rows(chunk, guard=FORMULA_START, **filters), guarded=True)
            return
        yield from self._copy_csv(chunk, filters)

    def _copy_csv(self, chunk: int, filters: dict) -> Iterator[str]:
        """csv() on PostgreSQL: one COPY per slice of at most settings.copy_rows rows (whole reports), in one read-only
        snapshot. A slice is read whole before it is sent, so a slow client never holds a statement open past the
        statement timeout, and memory holds one slice, whatever the number of rows."""
        where = _equal(filters)
        per_report = sa.select(claims.c.report, sa.func.count()).where(*where).group_by(claims.c.report).order_by(
            claims.c.report)
        cells = [_csv_cell(c) for c in OUT_COLUMNS]
        body = lambda first, last: (sa.select(*cells).where(*where, claims.c.report >= first, claims.c.report <= last)
                                    .order_by(claims.c.report, claims.c.seq))
        with self.engine.connect() as conn:
            # every slice sees the same rows, as one cursor would (a report re-ingested meanwhile is not half in)
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            raw = conn.connection.driver_connection
            encoding = conn.dialect.loaded_dbapi.extensions.encodings.get(raw.encoding, "utf-8")
            header = csv_header(OUT_COLUMNS)
            with raw.cursor() as cur:
                with _driver_errors(conn, "per-report counts", {}):
                    cur.execute(f"SET LOCAL work_mem = '{COPY_WORK_MEM}'")
                    cur.execute(_inline(cur, conn.dialect, per_report))
                    counts = cur.fetchall()
                for first, last in _slices(counts, self.settings.copy_rows):
                    lines = _Lines()
                    copy = f"COPY ({_inline(cur, conn.dialect, body(first, last))}) TO STDOUT WITH (FORMAT csv)"
                    with _driver_errors(conn, copy, {}):
                        cur.copy_expert(copy, lines)
                    for k in range(0, len(lines), chunk):
                        text = b"".join(lines[k:k + chunk]).decode(encoding)
                        if _FLOAT_MARK in text:
                            text = _python_floats(text)
                        yield header + text if header else text
                        header = ""
            if header:  # nothing matched
                yield header

    def sample(self, max_rows: int, **filters) -> tuple[pd.DataFrame, int]:
        """Claims matching the filters, at most `max_rows` of them, and how many match.

        When more match, every k-th claim in time order (period start, end, report, text order) is kept, so a
        chart of the sample still spans the whole time range; the rows come in report and text order."""
        rows, total = self.sample_rows(max_rows, **filters)
        return typed(pd.DataFrame(rows, columns=OUT_COLUMNS)), total

    def sample_rows(self, max_rows: int, **filters) -> tuple[list[tuple], int]:
        """sample() as the driver's tuples of OUT_COLUMNS (NULL as None), for callers that shape a few thousand
        rows without pandas (a chart)."""
        total = self.count_claims(**filters)
        if total <= max_rows:
            q = sa.select(*[claims.c[c] for c in OUT_COLUMNS]).where(*_equal(filters)).order_by(claims.c.report,
                                                                                                claims.c.seq)
            return self._fetch(q), total
        step = -(-total // max_rows)
        order = (claims.c.period_start, claims.c.period_end, claims.c.report, claims.c.seq)
        keys = sa.select(claims.c.report, claims.c.seq,
                         sa.func.row_number().over(order_by=order).label("rn")).where(*_equal(filters)).subquery()
        q = (sa.select(*[claims.c[c] for c in OUT_COLUMNS])
             .join(keys, sa.and_(claims.c.report == keys.c.report, claims.c.seq == keys.c.seq))
             .where((keys.c.rn - 1) % step == 0).order_by(claims.c.report, claims.c.seq))
        return self._fetch(q), total

    def _fetch(self, q) -> list[tuple]:
        """A query's rows as the driver's tuples, read with its own cursor (a chart's few thousand rows in a
        fraction of pandas.read_sql's time)."""
        with self.engine.connect() as conn:
            compiled = q.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
            params = compiled.construct_params()
            if compiled.positiontup is not None:
                params = tuple(params[name] for name in compiled.positiontup)
            cursor = conn.connection.driver_connection.cursor()
            try:
                with _driver_errors(conn, str(compiled), params):
                    cursor.execute(str(compiled), params)
                    return cursor.fetchall()
            finally:
                try:
                    cursor.close()
                except conn.dialect.loaded_dbapi.Error:
                    pass

    def count_claims(self, **filters) -> int:
        """How many claims match equality filters (a list means any of); remembered until the store changes."""
        where = _equal(filters)
        key = ("count", _key(filters), ())
        return self._cached(key, lambda: self._count(where))

    def page(self, filters: dict | None = None, contains: dict | None = None, sort: list | None = None,
             offset: int = 0, limit: int = 25, count: bool = True, after: tuple | None = None
             ) -> tuple[pd.DataFrame, int | None]:
        """One page of claims for a table: equality filters, case-insensitive substring filters, sort keys
        [(column, ascending)], and the total count (None when count=False).

        `after`: page_key() of the row just before this page (the last row of the page before, as a grid
        scrolled down asks): the page then starts there (a seek in the sort index) instead of counting
        `offset` rows from the top. A page in the second half of the matches is read from the bottom up.

        Paging happens in SQL and the count is remembered until the store changes, so a million rows stay
        fast; a substring filter on a column with few distinct values (indicator, role, month, ...) becomes an
        indexed `IN` over the values that contain it."""
        filters = {k: v for k, v in (filters or {}).items() if v not in (None, "", [])}
        contains = {k: str(v) for k, v in (contains or {}).items() if v not in (None, "")}
        sort = [(c, asc) for c, asc in (sort or []) if c in claims.c]
        where = _equal(filters) + [self._contains(claims.c[col], text) for col, text in contains.items()]
        total = self._cached(("count", _key(filters), _key(contains)), lambda: self._count(where)) if count else None
        keys = [claims.c[c] for c, _ in sort] + [claims.c.report, claims.c.seq]
        ascending = [asc for _, asc in sort] + [sort[0][1] if sort else True] * 2  # ties in the first key's direction
        seeking = after is not None and len(set(ascending)) == 1 and len(after) == len(keys)
        lead = sort[0][0] if sort else "report"
        # a page deep inside an order no index gives in full (a facet first, then another key; far from both ends):
        # only the groups of the first key that hold the page are read and sorted, found from the view's count per
        # group (one walk of the facet's index, remembered until the store changes)
        grouped = (not seeking and total is not None and len(sort) > 1 and lead in FACETS
                   and 10 * limit < offset < total - 10 * limit)
        reverse = not seeking and not grouped and total is not None and total // 2 < offset < total
        if seeking:
            offset = 0
        elif reverse:  # deep: count from the bottom, in the opposite order, and turn the rows round
            limit, offset = min(limit, total - offset), max(0, total - offset - min(limit, total - offset))
            ascending = [not a for a in ascending]
        filtered = set(filters) | set(contains)
        covered = _covers(lead, filtered)
        if (where and total is not None and self.engine.dialect.name == "sqlite" and _leads(set(), lead)
                and total * 50 > self.count_claims()
                and (covered or (not filtered <= CLUSTERED
                                 and (offset + limit) * self.count_claims() <= 4 * total * total))):
            # the filter keeps many rows scattered over the table: walking the sort column's index and skipping the
            # others finds a page sooner than fetching every match and sorting it, so keep SQLite's planner off the
            # filter's index (unary + makes a column an expression, which no index serves). When the sort index
            # carries the filtered columns (COVERED) the walk reads the index alone, at any depth. Otherwise a
            # report's claims are stored together, so a filter on reports or months reads few pages and keeps its
            # index, and a page deep in the matches (the walk would pass more than four times as many rows as
            # match) sorts the matches instead.
            plain = lambda col: sa.literal_column(f"+{claims.name}.{col}", type_=claims.c[col].type)
            where = _equal(filters, plain) + [self._contains(plain(col), text, col) for col, text in contains.items()]
        if grouped:
            counts = self._cached(("groups", lead, _key(filters), _key(contains)), lambda: self._groups(lead, where))
            skipped, chosen, held = 0, [], 0
            for value, n in (counts if ascending[0] else counts[::-1]):
                if not chosen and skipped + n <= offset:
                    skipped += n
                    continue
                chosen.append(value)
                held += n
                if skipped + held >= offset + limit:
                    break
            where, offset = [*where, claims.c[lead].in_(chosen)], offset - skipped
        if seeking:  # the rows after the previous page's last one: a seek in the sort index
            # plain Python values: a numpy float is a float psycopg2 writes by its repr ("np.float64(...)")
            after = tuple(v.item() if hasattr(v, "item") and not isinstance(v, str) else v for v in after)
            seek = sa.tuple_(*keys) > sa.tuple_(*after) if ascending[0] else sa.tuple_(*keys) < sa.tuple_(*after)
            where = [*where, seek]
        if self.engine.dialect.name == "postgresql" and filtered & CLUSTERED and keys[0].name not in filtered:
            # a filter on reports or months keeps neighbouring rows (a report's claims are stored together), which
            # PostgreSQL's planner takes for rows spread evenly over the sort order: it walks the sort column's
            # index and may pass most of the table before the first match (0.5 s at a million claims). Sorting by
            # an expression, which no index serves, makes it fetch the matches by the filter's index and sort them.
            keys = [k + 0 if isinstance(k.type, (sa.Integer, sa.Float, sa.Numeric)) else k.op("||")(sa.literal(""))
                    for k in keys]
        order = [k.asc() if a else k.desc() for k, a in zip(keys, ascending)]
        # the page's keys first, then its rows: the rows skipped on the way (OFFSET, a sort) are index entries, and
        # only the page's own rows are read from the table (a deferred join)
        page_keys = (sa.select(claims.c.report, claims.c.seq).where(*where).order_by(*order).offset(offset)
                     .limit(limit).subquery("page_keys"))
        q = (sa.select(*[claims.c[c] for c in OUT_COLUMNS + ["seq"]])
             .join(page_keys, sa.and_(claims.c.report == page_keys.c.report, claims.c.seq == page_keys.c.seq))
             .order_by(*order))
        with self.engine.connect() as conn:
            df = pd.read_sql(q, conn)
        if reverse:
            df = df.iloc[::-1].reset_index(drop=True)
        return typed(df), total

    @staticmethod
    def page_key(row, sort: list | None = None) -> tuple:
        """The key of a row in a page's order (its sort columns, then report and seq), for `page(after=...)`."""
        key = tuple(row[c] for c, _ in (sort or [])) + (row["report"], int(row["seq"]))
        return tuple(v.item() if hasattr(v, "item") and not isinstance(v, str) else v for v in key)

    def distinct(self, column: str, limit: int | None = None, **filters) -> list[str]:
        """The distinct non-empty values of a claims column, sorted (for the dashboard's choices); at most
        `limit` of them. Remembered until the store changes; read from an index when one leads with it."""
        filters = {k: v for k, v in filters.items() if v not in (None, "")}
        key = ("distinct", column, _key(filters), limit)
        return self._cached(key, lambda: self._distinct(column, limit, filters))

    def version(self) -> tuple:
        """Changes whenever a report is added, replaced or removed (by this process or any other)."""
        pinned = _PINNED.get()
        if pinned is not None and pinned[0] is self:
            return (*pinned[1], self._writes)
        return (*self._stored_version(), self._writes)

    def _stored_version(self) -> tuple:
        n_edits = sa.select(sa.func.count()).select_from(edits).scalar_subquery()
        with self.engine.connect() as conn:  # one round trip: every cached read asks
            n, last, n_e = conn.execute(sa.select(sa.func.count(), sa.func.max(reports.c.ingested_at),
                                                  n_edits).select_from(reports)).one()
        return (n, str(last), n_e)

    @contextlib.contextmanager
    def one_version(self):
        """Cached reads inside this block check the store's version once, at its start, instead of once each
        (a chart callback's count, titles and choices: one round trip, not three). For a block that answers
        one request; this process's own writes still show at once."""
        token = _PINNED.set((self, self._stored_version()))
        try:
            yield self
        finally:
            _PINNED.reset(token)

    def _cached(self, key, compute):
        version = self.version()
        if version != self._cache_version:
            self._cache.clear()
            self._cache_version = version
        if key not in self._cache:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[key] = compute()
        return self._cache[key]

    def _groups(self, column: str, where: list) -> list[tuple]:
        """[(value, how many rows)] of a column over the rows `where` selects, in the column's order (a walk of
        the column's index when it carries the filtered columns)."""
        col = claims.c[column]
        q = sa.select(col, sa.func.count()).where(*where).group_by(col).order_by(col)
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(q)]

    def _count(self, where: list) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(claims).where(*where)).scalar_one()

    def _contains(self, column, text: str, name: str | None = None):
        """Case-insensitive substring filter on a claims column (or an expression of it named `name`)."""
        name = name or column.name
        if name in FACETS:
            values = self.distinct(name, limit=MAX_FACET_VALUES + 1)
            if len(values) <= MAX_FACET_VALUES:
                low = text.lower()
                return column.in_([v for v in values if low in str(v).lower()])
        return sa.func.lower(sa.cast(column, sa.Text)).contains(text.lower(), autoescape=True)

    def _distinct(self, column: str, limit: int | None, filters: dict) -> list:
        col = claims.c[column]
        if all(not isinstance(v, (list, tuple, set)) for v in filters.values()) and _leads(set(filters), column):
            # a loose index scan: one index probe per distinct value instead of reading every row
            where = [claims.c[k] == sa.bindparam(f"f_{k}") for k in filters]
            params = {f"f_{k}": v for k, v in filters.items()}
            prev = sa.bindparam("prev")
            first = sa.select(sa.func.min(col)).where(*where, col != "")
            after = sa.select(sa.func.min(col)).where(*where, col > prev).scalar_subquery()
            values, last = [], None
            with self.engine.connect() as conn:
                last = conn.execute(first, params).scalar()
                while last is not None and (limit is None or len(values) < limit):
                    values.append(last)
                    last = conn.execute(sa.select(after), {**params, "prev": last}).scalar()
            return values
        q = sa.select(col).distinct().where(*_equal(filters), col != "").order_by(col)
        if limit is not None:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            return [v for (v,) in conn.execute(q) if v is not None]

    def reports(self) -> pd.DataFrame:
        q = sa.select(reports.c.id, reports.c.title, reports.c.month, reports.c.format, reports.c.path,
                      reports.c.content_hash, reports.c.ingested_at).order_by(reports.c.month, reports.c.id)
        with self.engine.connect() as conn:
            return pd.read_sql(q, conn)

    def report_titles(self) -> dict[str, str]:
        """{report id: "YYYY-MM · title"} for every report, for labels in place of ids; remembered until the
        store changes."""
        def compute():
            with self.engine.connect() as conn:
                rows = conn.execute(sa.select(reports.c.id, reports.c.title, reports.c.month)).all()
            return {r.id: f"{r.month} · {' '.join((r.title or r.id).split())}".strip(" ·") for r in rows}
        return self._cached(("report_titles",), compute)

    def report_text(self, report_id: str) -> str | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(reports.c.text).where(reports.c.id == report_id)).first()
        return row.text if row else None

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(reports)).scalar_one()


@contextmanager
def _driver_errors(conn, statement: str, params):
    """Errors of the driver's own cursor said as SQLAlchemy says them (so the dashboard's handlers know a lost
    database and answer 503, never 500); a connection the server dropped is invalidated, not pooled again."""
    try:
        yield
    except conn.dialect.loaded_dbapi.Error as exc:
        lost = conn.dialect.is_disconnect(exc, conn.connection.dbapi_connection, None)
        if lost:
            conn.invalidate()
        raise sa.exc.DBAPIError.instance(statement, params, exc, conn.dialect.loaded_dbapi.Error,
                                         connection_invalidated=lost, dialect=conn.dialect) from None


COPY_WORK_MEM = "64MB"  # a slice is sorted in memory (the default 4 MB spills a slice's sort to disk)


_FLOAT_MARK = "\x1f"  # before a float cell COPY leaves to Python (no float's text starts with it)
_FLOAT_AT = [k for k, c in enumerate(OUT_COLUMNS) if isinstance(claims.c[c].type, sa.Float)]


def _python_floats(text: str) -> str:
    """CSV lines from COPY with their marked float cells written as Python's repr (a rare slow path: each line
    that holds the mark is read and written again by the csv module, which quotes as COPY does)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in csv.reader(io.StringIO(text, newline="")):
        for k in _FLOAT_AT:
            if row[k].startswith(_FLOAT_MARK):
                row[k] = repr(float(row[k][1:]))
        writer.writerow(row)
    return out.getvalue()


class _Lines(list):
    """A file for psycopg2's copy_expert, which writes one CSV line (bytes) per call: the lines, as they come."""

    write = list.append


def _slices(counts: list[tuple[str, int]], size: int) -> list[tuple[str, str]]:
    """[(first report, last report)]: runs of consecutive reports, in order, of at most `size` rows each (a larger
    report alone), from [(report, rows)] sorted by report."""
    out, start, last, held = [], None, None, 0
    for report, n in counts:
        if start is not None and held + n > size:
            out.append((start, last))
            start, held = None, 0
        if start is None:
            start = report
        last, held = report, held + n
    if start is not None:
        out.append((start, last))
    return out


def _inline(cur, dialect, query) -> str:
    """A Core query as SQL text, its values inlined by the driver's own quoting (COPY takes no parameters)."""
    compiled = query.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    return cur.mogrify(str(compiled), compiled.params).decode(
        dialect.loaded_dbapi.extensions.encodings.get(cur.connection.encoding, "utf-8"))


def _csv_cell(name: str):
    """A claims column as the text csv.writer writes for it from rows(guard=FORMULA_START), in SQL for COPY's CSV:
    floats as Python's repr (PostgreSQL writes 12 for 12.0, NaN for nan; see below for the largest); text
    guarded as rows() does, a carriage return as a line feed (export.guard); "" as NULL, which COPY writes as an
    empty cell as csv.writer does (COPY would write ""). COPY's quoting is csv.writer's minimal quoting."""
    col = claims.c[name]
    c = f"claims.{name}"
    if isinstance(col.type, sa.Float):
        text = f"{c}::text"
        # below 1e15 both write the shortest digits that read back as the same double: Python adds ".0" to an
        # integral value. Above, Python drops the exponent up to 1e16, and from 2**53 on (doubles 2 apart or more)
        # PostgreSQL may keep 17 digits where a shorter number on the rounding boundary reads back the same, as
        # Python's repr finds: those cells are marked, and Python writes them (_python_floats)
        return sa.literal_column(
            f"CASE WHEN abs({c}) < 1e15 THEN CASE WHEN {c} = trunc({c}) THEN {text} || '.0' ELSE {text} END "
            f"WHEN {c} = 'Infinity' THEN 'inf' WHEN {c} = '-Infinity' THEN '-inf' WHEN {c} = 'NaN' THEN 'nan' "
            f"ELSE chr({ord(_FLOAT_MARK)}) || {text} END", type_=sa.Text).label(name)
    if not isinstance(col.type, (sa.String, sa.Text)):
        return col
    cell = c
    if name not in _OWN_VOCABULARY:
        starts = ", ".join(str(ord(ch)) for ch in FORMULA_START)
        cell = f"CASE WHEN ascii({c}) IN ({starts}) THEN '''' || {c} ELSE {c} END"
    cell = (f"CASE WHEN strpos({c}, chr(13)) > 0 THEN replace(replace({cell}, chr(13) || chr(10), chr(10)), "
            f"chr(13), chr(10)) ELSE {cell} END")
    return sa.literal_column(f"NULLIF({cell}, '')", type_=sa.Text).label(name)


def _equal(filters: dict, column=claims.c.__getitem__) -> list:
    """WHERE clauses for column equality filters (a list means any of; None or [] means no filter).

    `confident=T` keeps the claims the linker gave at least confidence T, those linked by rules alone (no
    confidence), and those a person accepted or corrected: what a chart may show (catalog `chart_confidence`)."""
    where = []
    for col, val in filters.items():
        if val is None or (isinstance(val, (list, tuple, set)) and not val):
            continue
        if col == CONFIDENT:
            where.append(sa.or_(column("confidence").is_(None), column("confidence") >= float(val),
                                column("review").in_([ReviewState.ACCEPTED, ReviewState.CORRECTED])))
            continue
        where.append(column(col).in_(list(val)) if isinstance(val, (list, tuple, set)) else column(col) == val)
    return where


def _key(filters: dict) -> tuple:
    return tuple(sorted((k, tuple(v) if isinstance(v, (list, tuple, set)) else v) for k, v in filters.items()))


def _leads(filtered: set, column: str) -> bool:
    """Whether an index of claims starts with the filtered columns (any order) followed by `column`."""
    indexes = [[c.name for c in ix.columns] for ix in claims.indexes
               if all(isinstance(e, sa.Column) for e in ix.expressions)] + [["report", "seq"]]
    return any(set(cols[:len(filtered)]) == filtered and cols[len(filtered):len(filtered) + 1] == [column]
               for cols in indexes)


def _covers(lead: str, columns: set) -> bool:
    """Whether an index of claims that starts with `lead` holds every one of `columns` (a filter on them is then
    checked on the index entries, without reading the rows)."""
    indexes = [[c.name for c in ix.columns] for ix in claims.indexes
               if all(isinstance(e, sa.Column) for e in ix.expressions)] + [["report", "seq"]]
    return any(cols[0] == lead and columns <= set(cols) for cols in indexes)


def _insert_ignoring_duplicates(conn, table: sa.Table):
    """INSERT that skips a row whose primary key is already there (both stores support ON CONFLICT DO NOTHING)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        return table.insert()
    return insert(table).on_conflict_do_nothing()


def _claim_row(report_id: str, seq: int, c: Claim) -> dict:
    row = {col: getattr(c, col) for col in CLAIM_COLUMNS}
    row["report"] = report_id
    row["seq"] = seq
    row["notes"] = "; ".join(c.notes)
    return row


def _as_extracted(frame: pd.DataFrame) -> None:
    """Put back, in place, the values the extractor found where edits replaced them (edits are keyed to those)."""
    for i, raw in frame["extracted"].items():
        if raw:
            for k, v in json.loads(raw).items():
                if k in frame.columns:
                    frame.at[i, k] = v


def _edit_row(e: Edit) -> dict:
    return e.row()


def _edit(r) -> Edit:
    return Edit(report=r["report"], content_hash=r["content_hash"], char_start=int(r["char_start"]),
                char_end=int(r["char_end"]), surface=r["surface"], sentence=r["sentence"], action=r["action"],
                author=r["author"], changes=json.loads(r["changes"]) if r["changes"] else {}, note=r["note"] or "",
                created_at=r["created_at"], undoes=r["undoes"] or "", edit_id=r["edit_id"])


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    try:
        if pd.isna(a) and pd.isna(b):
            return True
    except (TypeError, ValueError):
        pass
    return a == b


def _cell(v):
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    return v


def _replaced(original: pd.Series, reviewed: pd.Series) -> str:
    """JSON of the extracted values that edits replaced (empty when none)."""
    diff = {k: _cell(original[k]) for k in EDITABLE if not _same(original[k], reviewed[k])}
    return json.dumps(diff, ensure_ascii=False, sort_keys=True) if diff else ""


def _retrying(write, attempts: int = 6):
    """Kept for callers of the older name: see db.retrying."""
    return db.retrying(write, "write to the database", attempts=attempts, already_there=False)
