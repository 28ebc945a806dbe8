"""Schema versioning: the migrations build exactly the schema the code reads and writes, adopt a store made before
migrations existed, are safe to run twice or at once, and a server database that is behind is refused with the
command to run."""
from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from storekit import on_server

from indicators import accounts, db  # noqa: F401  (accounts: its users table joins the metadata compared)
from indicators.store import NotMigrated, Store, metadata

ROOT = Path(__file__).parent.parent


def _type(t, dialect) -> str:
    """A column type as both the model and reflection spell it (PostgreSQL reflects FLOAT as DOUBLE PRECISION)."""
    text = t.compile(dialect)
    return "FLOAT" if text in ("DOUBLE PRECISION", "FLOAT", "REAL") else text


def _schema(engine) -> dict:
    insp = sa.inspect(engine)
    out = {}
    for table in [*metadata.sorted_tables, db.settings_table]:
        cols = {c["name"]: (_type(c["type"], engine.dialect), c["nullable"]) for c in insp.get_columns(table.name)}
        out[table.name] = (cols, db.index_names(engine, table.name))
    return out


def test_the_migrations_build_the_schema_the_code_uses(new_db):
    """When the code's tables change (data/claims.schema.yaml, store.py), this fails until a migration says how."""
    engine = db.create_engine(new_db(migrated=False))
    before, after = db.upgrade(engine)
    assert (before, after) == (None, db.head())
    got = _schema(engine)
    assert {"users", "settings"} <= set(got)
    for table in [*metadata.sorted_tables, db.settings_table]:
        want_cols = {c.name: (_type(c.type, engine.dialect), c.nullable) for c in table.columns}
        cols, indexes = got[table.name]
        assert cols == want_cols, table.name
        assert {ix.name for ix in table.indexes} <= indexes, table.name
    assert db.upgrade(engine) == (db.head(), db.head())  # a second run has nothing to do
    engine.dispose()


def test_cli_migrates_and_says_where_it_stands(new_db):
    url = new_db(migrated=False)
    run = lambda *a: subprocess.run([sys.executable, "-m", "indicators", *a], capture_output=True, text=True,
                                    cwd=ROOT, timeout=120)
    res = run("db", "current", "--db", url)
    assert res.returncode == 1 and "no schema" in res.stdout
    res = run("db", "upgrade", "--db", url)
    assert res.returncode == 0 and f"migrated from no schema to {db.head()}" in res.stderr
    res = run("db", "upgrade", "--db", url)
    assert res.returncode == 0 and "already at" in res.stderr
    assert run("db", "current", "--db", url).returncode == 0
    bad = run("db", "upgrade", "--db", "postgresql+psycopg2://nobody@127.0.0.1:1/none")
    assert bad.returncode == 2 and "unavailable" in bad.stderr and "Traceback" not in bad.stderr


def test_a_server_database_behind_the_code_is_refused_with_the_command(new_db):
    url = new_db(migrated=False)
    if not on_server():
        assert Store(url).count() == 0  # an embedded SQLite store migrates itself
        url = new_db(migrated=False)
    with pytest.raises(NotMigrated, match="indicators db upgrade"):
        Store(url, migrate=False)


def test_a_store_made_before_migrations_is_adopted(tmp_path):
    """The ad-hoc era: tables made by create_all, review columns added on open; no alembic_version table."""
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE reports (id VARCHAR(255) PRIMARY KEY, title TEXT NOT NULL, month VARCHAR(7) NOT NULL,"
                     " format VARCHAR(8) NOT NULL, path TEXT NOT NULL, content_hash VARCHAR(64) NOT NULL UNIQUE,"
                     " ingested_at DATETIME NOT NULL, text TEXT NOT NULL)")
        conn.execute("CREATE TABLE claims (report VARCHAR(255) NOT NULL, seq INTEGER NOT NULL, report_month VARCHAR(7)"
                     " NOT NULL, indicator VARCHAR(128) NOT NULL, item VARCHAR(255) NOT NULL, role VARCHAR(16) NOT NULL,"
                     " qualifier VARCHAR(16) NOT NULL, value FLOAT NOT NULL, value_low FLOAT, value_high FLOAT,"
                     " unit VARCHAR(64) NOT NULL, period_start VARCHAR(10) NOT NULL, period_end VARCHAR(10) NOT NULL,"
                     " source VARCHAR(255) NOT NULL, surface TEXT NOT NULL, sentence TEXT NOT NULL, char_start INTEGER"
                     " NOT NULL, char_end INTEGER NOT NULL, notes TEXT NOT NULL, review VARCHAR(16) NOT NULL DEFAULT"
                     " 'unreviewed', PRIMARY KEY (report, seq))")
        conn.execute("CREATE INDEX ix_claims_view ON claims (indicator, report_month)")
        conn.execute("INSERT INTO reports VALUES ('r', '', '2021-01', 'txt', '', 'h', '2021-02-01', 'x 5 y')")
        conn.execute("INSERT INTO claims VALUES ('r', 0, '2021-01', '', '', 'reported', 'exact', 5, NULL, NULL, 'count',"
                     " '2021-01-01', '2021-01-31', '', '5', 'x 5 y', 2, 3, '', 'accepted')")
    store = Store(f"sqlite:///{path}")
    c = store.claims()
    assert c[["value", "review", "measure"]].values.tolist() == [[5.0, "accepted", "level"]]
    with store.engine.connect() as conn:
        assert db.current(conn) == db.head()
    indexes = db.index_names(store.engine, "claims")
    assert "ix_claims_view" not in indexes and "ix_claims_chart" in indexes


_SERVER_ONLY = {"ix_claims_chart_time", "ix_claims_surface_trgm", "ix_claims_sentence_trgm", "ix_claims_notes_trgm"}


def test_the_server_only_indexes_are_on_postgresql_alone(new_db):
    """0009: PostgreSQL gets the chart's time-order index and trigram indexes for free-text filters; on SQLite the
    migration does nothing (its planner was tuned on the indexes before)."""
    engine = db.create_engine(new_db(migrated=False))
    db.upgrade(engine)
    have = db.index_names(engine, "claims")
    assert (_SERVER_ONLY <= have) if on_server() else not (_SERVER_ONLY & have)
    assert "ix_claims_chart" in have  # the distractor: the shared indexes stay
    engine.dispose()


def test_without_the_right_to_create_pg_trgm_the_trigram_indexes_are_skipped(new_db, caplog):
    """A role that may create tables but not extensions: the migration still succeeds, says why the trigram indexes
    are missing, and a substring filter on free text works unindexed."""
    if not on_server():
        pytest.skip("extensions are a PostgreSQL matter")
    from indicators.model import Claim, Report

    url = sa.engine.make_url(new_db(migrated=False))
    role = f"ind_norights_{abs(hash(url.database)) % 10**8}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN PASSWORD 'pw'")
        conn.exec_driver_sql(f"GRANT CREATE, USAGE ON SCHEMA public TO {role}")
    try:
        with caplog.at_level(logging.WARNING, logger="indicators.migrations"):
            store = Store(url.set(username=role, password="pw").render_as_string(hide_password=False), migrate=True)
        have = db.index_names(store.engine, "claims")
        assert "ix_claims_chart_time" in have and not ({i for i in _SERVER_ONLY if i.endswith("_trgm")} & have)
        assert any("pg_trgm" in r.getMessage() and "unindexed" in r.getMessage() for r in caplog.records)
        claim = Claim(report="r", report_month="2021-05", indicator="", item="", role="reported", qualifier="exact",
                      value=5.0, value_low=None, value_high=None, unit="count", period_start="2021-05-01",
                      period_end="2021-05-31", source="", surface="5", sentence="Five Cases were seen", char_start=0,
                      char_end=1)
        store.ingest(Report(id="r", path="r.txt", format="txt", text="5 cases", title="R"), [claim], month="2021-05")
        assert store.page({}, {"sentence": "cases were"})[1] == 1 and store.page({}, {"sentence": "dogs"})[1] == 0
        store.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"REASSIGN OWNED BY {role} TO CURRENT_USER")
            conn.exec_driver_sql(f"DROP OWNED BY {role}")
            conn.exec_driver_sql(f"DROP ROLE {role}")
        admin.dispose()
