"""Connections: settings from the environment, pools dropped after fork, bounded retries that say when they give up,
the start-up lock that lets one process seed."""
from __future__ import annotations

import os
import threading
import time

import pytest
import sqlalchemy as sa

from indicators import db
from indicators.errors import StoreError


@pytest.mark.parametrize("env, field, want", [
    ({}, "pool_size", 5),
    ({"INDICATORS_DB_POOL_SIZE": "12"}, "pool_size", 12),
    ({"INDICATORS_DB_STATEMENT_TIMEOUT": "2.5"}, "statement_timeout", 2.5),
    ({"INDICATORS_DB_CONNECT_TIMEOUT": "0"}, "connect_timeout", 0.0),
    ({"INDICATORS_DB_PRE_PING": "0"}, "pre_ping", False),
    ({}, "copy_rows", 100_000),
    ({"INDICATORS_DB_COPY_ROWS": "5000"}, "copy_rows", 5000),
    ({"INDICATORS_DB_POOL_SIZE": "many"}, "pool_size", "must be a number"),
    ({"INDICATORS_DB_POOL_TIMEOUT": "-1"}, "pool_timeout", "must not be negative"),
])
def test_settings_from_the_environment(monkeypatch, env, field, want):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    if isinstance(want, str):
        with pytest.raises(StoreError, match=want):
            db.DbSettings.from_env()
    else:
        assert getattr(db.DbSettings.from_env(), field) == want


def _integrity(text: str) -> sa.exc.IntegrityError:
    return sa.exc.IntegrityError("INSERT", {}, Exception(text))


@pytest.mark.parametrize("failures, error, already_there, outcome", [
    (2, _integrity("duplicate key value violates unique constraint \"edits_pkey\""), True, "done"),
    (2, sa.exc.OperationalError("UPDATE", {}, Exception("deadlock detected")), False, "done"),
    (9, sa.exc.OperationalError("UPDATE", {}, Exception("database is locked")), False, "gave up after 4 attempts"),
    (1, _integrity("duplicate key value violates unique constraint"), False, "raised"),  # not a race here
    (1, sa.exc.OperationalError("INSERT", {}, Exception("database or disk is full")), True, "raised"),
])
def test_retries_are_bounded_and_say_so(monkeypatch, failures, error, already_there, outcome):
    monkeypatch.setattr(db.time, "sleep", lambda s: None)
    calls = []

    def write():
        calls.append(1)
        if len(calls) <= failures:
            raise error
        return "done"

    if outcome == "done":
        assert db.retrying(write, "store r", attempts=4, already_there=already_there) == "done"
        assert len(calls) == failures + 1
    elif outcome == "raised":
        with pytest.raises(type(error)):
            db.retrying(write, "store r", attempts=4, already_there=already_there)
        assert len(calls) == 1
    else:
        with pytest.raises(StoreError, match=f"could not store r: {outcome}"):
            db.retrying(write, "store r", attempts=4, already_there=already_there)
        assert len(calls) == 4


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork() only")
def test_a_forked_child_never_uses_the_parents_connections(db_url):
    engine = db.create_engine(db_url)
    with engine.connect() as conn:
        parent_conn = conn.connection.driver_connection
    assert engine.pool.checkedin() == 1
    pid = os.fork()
    if pid == 0:  # the child: its pool starts empty and it connects on its own
        ok = engine.pool.checkedin() == 0
        with engine.connect() as conn:
            ok = ok and conn.connection.driver_connection is not parent_conn and conn.execute(sa.text("SELECT 1"))
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    with engine.connect() as conn:  # the parent's connection is still good (the child did not close it)
        assert conn.connection.driver_connection is parent_conn and conn.execute(sa.text("SELECT 1")).scalar() == 1
    engine.dispose()


def test_seeding_runs_once_however_many_start_together(new_db):
    url = new_db()
    seeded: list[int] = []
    engines = [db.create_engine(url) for _ in range(4)]

    def start(k: int) -> None:
        def seed():
            time.sleep(0.3)  # long enough for the others to arrive meanwhile
            seeded.append(k)
        db.seed_once(engines[k], lambda: not seeded, seed)

    threads = [threading.Thread(target=start, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(seeded) == 1
    assert db.seed_once(engines[0], lambda: True, lambda: seeded.append(9)) is False  # never again, even if emptied
    for e in engines:
        e.dispose()
