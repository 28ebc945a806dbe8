"""The database goes away and comes back: the dashboard says so with 503 (page, downloads, callbacks), never an
empty page or a 500, and recovers by itself. On PostgreSQL the outage is real at the socket level (a proxy in front
of the server closes every connection and refuses new ones), and, when the test command started the server itself
(.ci/run), the server is really restarted (pg_ctl) under gunicorn and 8 clients."""
from __future__ import annotations

import http.client
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from httpkit import wait_until_serving
from storekit import on_server
from tcpproxy import Proxy
from test_load import _chart_payload

from indicators.dashboard.app import create_app
from indicators.pipeline import ingest_paths
from indicators.store import OUT_COLUMNS, Store, claims

ROOT = Path(__file__).parent.parent


class _Outage:
    """Takes the store's database away and gives it back: a proxy cut on a server; on SQLite the engine is pointed
    at a file that cannot be opened (SQLite has no server to lose)."""

    def __init__(self, url: str, tmp_path: Path) -> None:
        self.proxy = None
        if on_server():
            u = sa.engine.make_url(url)
            self.proxy = Proxy(u.host or "127.0.0.1", u.port or 5432)
            self.url = u.set(host="127.0.0.1", port=self.proxy.port).render_as_string(hide_password=False)
        else:
            self.url, self.missing = url, f"sqlite:///{tmp_path / 'gone' / 'x.sqlite'}"
        self.store = Store(self.url)
        self.engine = self.store.engine

    def down(self) -> None:
        if self.proxy:
            self.proxy.cut()
        else:
            self.store.engine = sa.create_engine(self.missing)

    def up(self) -> None:
        if self.proxy:
            self.proxy.resume()
        else:
            self.store.engine = self.engine


def test_the_dashboard_answers_503_while_the_database_is_down_and_recovers(db_url, tmp_path):
    outage = _Outage(db_url, tmp_path)
    list(ingest_paths([ROOT / "seeds"], outage.store))
    app = create_app(outage.store)
    client = app.server.test_client()
    assert client.get("/download/claims.csv").status_code == 200  # pooled connections exist before the outage
    outage.down()
    try:
        page = client.get("/")
        assert page.status_code == 503 and b"Database unavailable" in page.data
        csv = client.get("/download/claims.csv")
        assert csv.status_code == 503 and b"database is unavailable" in csv.data
        layout = client.get("/_dash-layout")
        assert layout.status_code == 200 and b"db-unavailable" in layout.data  # the page explains, never blank
        assert b"Traceback" not in page.data + csv.data
    finally:
        outage.up()
    for _ in range(3):  # the stale connections of before the outage cost no failed request
        assert client.get("/download/claims.csv").status_code == 200
    assert client.get("/").status_code == 200


def test_a_statement_past_the_timeout_is_a_503_not_a_hang(db_url, monkeypatch):
    if not on_server():
        pytest.skip("SQLite readers never wait for a lock (WAL); the statement timeout is a server setting")
    monkeypatch.setenv("INDICATORS_DB_STATEMENT_TIMEOUT", "1.5")
    store = Store(db_url)
    list(ingest_paths([ROOT / "seeds"], store))
    client = create_app(store).server.test_client()
    blocker = sa.create_engine(db_url, poolclass=sa.pool.NullPool)
    with blocker.connect() as conn:  # another session holds the table: every read of it waits
        conn.exec_driver_sql("LOCK TABLE claims IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        resp = client.get("/download/claims.csv")
        waited = time.monotonic() - started
        conn.rollback()
    assert resp.status_code == 503 and waited < 10, (resp.status_code, waited)
    assert client.get("/download/claims.csv").status_code == 200


def _get(port: int, path: str, body: bytes | None = None, timeout: float = 20) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST" if body else "GET", path, body=body, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def _our_server(url: str) -> list[str]:
    """The pg_ctl command line of the test server, when the test command started that server itself (.ci/run sets
    $INDICATORS_TEST_PG_CTL); skips otherwise: a server someone else runs is not the tests' to restart."""
    command = shlex.split(os.environ.get("INDICATORS_TEST_PG_CTL", ""))
    if not command:
        pytest.skip("the PostgreSQL server of $INDICATORS_TEST_DB was not started by the test command (.ci/run "
                    "sets $INDICATORS_TEST_PG_CTL for the throwaway server it starts): it is not ours to restart")
    data = command[command.index("-D") + 1] if "-D" in command else os.environ.get("PGDATA", "")
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        serving = conn.exec_driver_sql("SHOW data_directory").scalar()
    engine.dispose()
    if not data or os.path.realpath(serving) != os.path.realpath(data):
        pytest.skip(f"$INDICATORS_TEST_PG_CTL names the cluster {data!r}, but $INDICATORS_TEST_DB is served from "
                    f"{serving!r}: not restarting a server the test command did not start")
    return command


def test_a_database_restart_under_load_gives_503s_then_recovers(db_url, tmp_path):
    """A real restart of the PostgreSQL server (pg_ctl stop -m fast, 3 s down, pg_ctl start) while 8 clients ask
    for charts and downloads under gunicorn: 200s before, 503s that name the database while it is down, only 200s
    once it is back (the pooled connections it killed cost no failed request); never a 500 or a hang."""
    if not on_server():
        pytest.skip("a restart is a server's: SQLite is a file the app opens itself")
    pg_ctl = _our_server(db_url)
    store = Store(db_url)
    list(ingest_paths([ROOT / "seeds"], store))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, INDICATORS_DB=db_url, INDICATORS_REPORTS=str(tmp_path / "none"))
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "-k", "gthread", "--threads", "4",
                                 "-b", f"127.0.0.1:{port}", "--chdir", str(ROOT), "app:server"], env=env, stdout=fh,
                                stderr=subprocess.STDOUT, start_new_session=True)
    stopped = False
    try:
        wait_until_serving(proc, port, log, 90)
        make, props = _chart_payload(port)
        chart = make(props["indicator"]["value"])
        seen: list[tuple[float, int, bytes]] = []
        t0 = time.monotonic()
        marks = {"down": float("inf"), "up": float("inf"), "stop": float("inf")}

        def client(n: int) -> None:
            while time.monotonic() - t0 < marks["stop"]:
                began = time.monotonic() - t0
                body = b""
                try:
                    status, body = (_get(port, "/_dash-update-component", chart) if n % 2
                                    else _get(port, "/download/claims.csv"))
                except http.client.IncompleteRead:
                    # a download streaming when the server went: cut, visibly (chunked encoding), not a short file
                    # passed off as whole; allowed only for one begun before the restart
                    status = -2 if began <= marks["down"] else -1
                except OSError:
                    status = -1
                seen.append((time.monotonic() - t0, status, body))

        threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        time.sleep(4)
        marks["down"] = time.monotonic() - t0
        stopped = True
        subprocess.run([*pg_ctl, "stop", "-m", "fast", "-w"], check=True, capture_output=True, timeout=60)
        time.sleep(3)
        subprocess.run([*pg_ctl, "start", "-w"], check=True, capture_output=True, timeout=60)
        stopped = False
        marks["up"] = time.monotonic() - t0
        marks["stop"] = marks["up"] + 8
        for t in threads:
            t.join(timeout=60)
    finally:
        if stopped:  # the rest of the suite needs its server back, whatever failed here
            subprocess.run([*pg_ctl, "start", "-w"], capture_output=True, timeout=60)
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    statuses = {s for _, s, _ in seen}
    assert statuses <= {200, 503, -2}, sorted(statuses)  # never a 500, a reset or a hang
    assert any(s == 200 for t, s, _ in seen if t < marks["down"])
    during = [b for t, s, b in seen if s == 503]
    assert during and all(b"database" in b.lower() for b in during), during[:3]
    assert all(marks["down"] <= t for t, s, _ in seen if s == 503)
    late = [s for t, s, _ in seen if t > marks["up"] + 2]
    assert late and set(late) == {200}, late[-20:]
    text = log.read_text()  # (a download cut mid-stream is logged with its traceback: the server aborts it)
    assert "WORKER TIMEOUT" not in text and "Worker failed" not in text, text[-3000:]


@pytest.mark.parametrize("read", ["csv", "rows"])
def test_a_session_the_server_ended_is_a_503_and_the_next_request_works(db_url, monkeypatch, read):
    """The reads that use the driver's own cursor (the CSV's stream, the chart's rows) on a pooled connection
    whose session the server ended (a restart, an admin's pg_terminate_backend): a 503 / an error SQLAlchemy calls
    a disconnect, never a raw driver error (a 500), and the dead connection is not pooled again. Pre-ping is off
    so the dead connection is really used."""
    if not on_server():
        pytest.skip("a server ends sessions; SQLite has none")
    monkeypatch.setenv("INDICATORS_DB_PRE_PING", "0")
    monkeypatch.setenv("INDICATORS_DB_POOL_SIZE", "1")
    store = Store(db_url)
    list(ingest_paths([ROOT / "seeds"], store))
    client = create_app(store).server.test_client()
    assert client.get("/download/claims.csv").status_code == 200
    # the chart's read on the driver's cursor (Store.sample asks the store's version first, through SQLAlchemy,
    # which would meet the dead connection before it)
    first_rows = sa.select(*[claims.c[c] for c in OUT_COLUMNS]).order_by(claims.c.report, claims.c.seq).limit(10)
    before = store._fetch(first_rows)
    killer = sa.create_engine(db_url, poolclass=sa.pool.NullPool)
    with killer.connect() as conn:
        conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    killer.dispose()
    if read == "csv":
        resp = client.get("/download/claims.csv")
        assert resp.status_code == 503 and b"database is unavailable" in resp.data.lower()
        assert client.get("/download/claims.csv").status_code == 200
    else:
        with pytest.raises(sa.exc.OperationalError) as lost:
            store._fetch(first_rows)
        assert lost.value.connection_invalidated
        assert [tuple(r) for r in store._fetch(first_rows)] == [tuple(r) for r in before]


def _lost(text: str) -> sa.exc.OperationalError:
    return sa.exc.OperationalError("SELECT 1", {}, Exception(text))


@pytest.mark.parametrize("error, status", [
    (lambda: _lost("server closed the connection unexpectedly"), 503),
    # pandas.read_sql wraps the driver's error in its own DatabaseError: the cause still tells
    (lambda: pd.errors.DatabaseError("Execution failed on sql 'SELECT …'"), 500),
    ("wrapped-lost", 503),
    ("wrapped-refused-statement", 500),  # a query the server refused is a bug, not an outage
])
def test_what_a_lost_database_looks_like_to_the_handlers(db_url, error, status):
    def fail():
        if error == "wrapped-lost":
            try:
                raise _lost("terminating connection due to administrator command")
            except sa.exc.OperationalError as exc:
                raise pd.errors.DatabaseError("Execution failed on sql") from exc
        if error == "wrapped-refused-statement":
            try:
                raise sa.exc.OperationalError("SELECT x", {}, Exception('column "x" does not exist'))
            except sa.exc.OperationalError as exc:
                raise pd.errors.DatabaseError("Execution failed on sql") from exc
        raise error()

    app = create_app(Store(db_url))
    app.server.add_url_rule("/fails", "fails", fail)
    resp = app.server.test_client().get("/fails")
    assert resp.status_code == status
    if status == 503:
        assert b"Database unavailable" in resp.data
