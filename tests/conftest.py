"""The store the tests run on: SQLite files by default; with $INDICATORS_TEST_DB (a SQLAlchemy URL of a server where
the tests may create databases, e.g. postgresql+psycopg2://postgres@127.0.0.1:55432/postgres), a fresh database on
that server per test.

Tests that take the `db_url` / `new_db` fixtures are marked `store`: `.ci/run` runs the whole suite on SQLite, then
`-m store` on PostgreSQL, so the second run is only what depends on the store.
"""
from __future__ import annotations

import itertools
import os
import uuid

import pytest
import sqlalchemy as sa
from storekit import TEST_DB

_SERIAL = itertools.count()


class _Server:
    """Creates migrated (or empty) databases on the test server from a template, and drops them at the end."""

    def __init__(self, url: str) -> None:
        self.base = sa.engine.make_url(url)
        self.admin = sa.create_engine(self.base, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        self.prefix = f"ind_t{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.made: list[str] = []
        self.template: str | None = None

    def _create(self, name: str, template: str | None = None) -> str:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        self.made.append(name)
        return self.base.set(database=name).render_as_string(hide_password=False)

    def database(self, migrated: bool = True) -> str:
        if not migrated:
            return self._create(f"{self.prefix}_{next(_SERIAL)}")
        if self.template is None:  # migrate once; every later database is a copy (much faster than migrating)
            from indicators import db
            url = self._create(f"{self.prefix}_tmpl")
            engine = db.create_engine(url)
            db.upgrade(engine)
            engine.dispose()
            self.template = f"{self.prefix}_tmpl"
        return self._create(f"{self.prefix}_{next(_SERIAL)}", self.template)

    def drop_all(self) -> None:
        with self.admin.connect() as conn:
            for name in reversed(self.made):
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.dispose()


@pytest.fixture(scope="session")
def _server():
    if not TEST_DB:
        yield None
        return
    server = _Server(TEST_DB)
    yield server
    server.drop_all()


@pytest.fixture(scope="session")
def databases(_server, tmp_path_factory):
    """A function making a fresh database URL each call: `databases()` migrated, `databases(migrated=False)` empty
    (session-scoped, for module fixtures; tests take `new_db` or `db_url`)."""
    def make(migrated: bool = True, name: str = "store") -> str:
        if _server is not None:
            return _server.database(migrated)
        path = tmp_path_factory.mktemp("db") / f"{name}.sqlite"
        if migrated:
            from indicators.store import Store
            Store(f"sqlite:///{path}").engine.dispose()
        return f"sqlite:///{path}"
    return make


@pytest.fixture
def new_db(databases):
    return databases


@pytest.fixture
def db_url(new_db) -> str:
    """One fresh, migrated database for the test."""
    return new_db()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "databases" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.store)
