"""A CSV download cut when the database dies mid-stream must never look like a whole file: the server drops the
connection before the chunked encoding's last chunk, so an HTTP/1.1 client gets an incomplete read, and the log
says which download was cut and why.

In-process: the app under werkzeug's own HTTP server (what `python app.py` runs), with the store failing after a
few chunks, on the store the suite runs on. With real processes on PostgreSQL: gunicorn streaming a large download
while the server ends that session (pg_terminate_backend), as a crash or restart of the database does."""
from __future__ import annotations

import http.client
import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from httpkit import free_port, wait_until_serving
from storekit import on_server
from werkzeug.serving import make_server

from indicators.dashboard.app import create_app
from indicators.pipeline import ingest_paths
from indicators.store import Store

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT / "bench"))


def _read_all(port: int, path: str, pause_after: int = 0, during=None, timeout: float = 60) -> tuple[int, bytes, str]:
    """GET over HTTP/1.1; returns (status, body read, how the body ended: 'complete' or the exception's name).
    After `pause_after` bytes, `during()` runs (the database dies), then the read goes on."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        body = b""
        try:
            if pause_after:
                body = resp.read(pause_after)
                during()
            body += resp.read()
            ended = "complete"
        except (http.client.IncompleteRead, ConnectionError) as exc:
            ended = type(exc).__name__
            body += getattr(exc, "partial", b"")
        return resp.status, body, ended
    finally:
        conn.close()


class _Dying:
    """Store.csv that gives `good` chunks of rows, then fails as a database that went away does."""

    def __init__(self, csv, good: int) -> None:
        self.csv, self.good = csv, good

    def __call__(self, *args, **kw):
        kw["chunk"] = 10
        for k, part in enumerate(self.csv(*args, **kw)):
            if k == self.good:
                raise sa.exc.OperationalError("FETCH", {}, Exception("server closed the connection unexpectedly"))
            yield part


@pytest.mark.parametrize("good, cut", [(0, False), (2, True), (3, True)])
def test_a_download_cut_mid_stream_is_not_a_whole_file(db_url, monkeypatch, caplog, good, cut):
    """`good` parts stream before the database fails; 0: it fails before the first, which is still a 503 answer
    (the first chunk is made before the status is sent). The distractor is the whole download, untouched."""
    store = Store(db_url)
    list(ingest_paths([ROOT / "seeds"], store))
    whole = create_app(store).server.test_client().get("/download/claims.csv").data
    assert whole.count(b"\n") > 30
    monkeypatch.setattr(store, "csv", _Dying(store.csv, good))
    server = make_server("127.0.0.1", free_port(), create_app(store).server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.ERROR, logger="indicators.dashboard.routes"):
            status, body, ended = _read_all(server.port, "/download/claims.csv")
    finally:
        server.shutdown()
    if not cut:
        assert status == 503 and b"database is unavailable" in body.lower(), (status, body[:200])
        return
    assert status == 200 and ended == "IncompleteRead", (status, ended)
    assert 0 < len(body) < len(whole) and whole.startswith(body[:len(body) // 2])
    [record] = [r for r in caplog.records if "cut after" in r.getMessage()]
    assert "claims.csv" in record.getMessage() and "database became unavailable" in record.getMessage()


def test_the_untouched_download_ends_cleanly_over_http(db_url):
    """The distractor over real HTTP: a download nobody cuts ends with the last chunk, byte for byte."""
    store = Store(db_url)
    list(ingest_paths([ROOT / "seeds"], store))
    app = create_app(store).server
    whole = app.test_client().get("/download/claims.csv").data
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert _read_all(server.port, "/download/claims.csv") == (200, whole, "complete")
    finally:
        server.shutdown()


def test_gunicorn_aborts_a_download_when_postgresql_ends_its_session(db_url, tmp_path):
    if not on_server():
        pytest.skip("needs a database server that can end a session mid-query (PostgreSQL: $INDICATORS_TEST_DB)")
    from dashboard import bench_catalog, build_store  # bench/dashboard.py: synthetic claims in bulk

    store = Store(db_url)
    build_store(store, bench_catalog(), 60_000)  # ~12 chunks of 5,000 rows: more than the sockets can buffer
    port = free_port()
    # the server writes the CSV a COPY of whole reports at a time, each read whole before it is sent: slices of
    # 5,000 rows, so the session ends while most of the download is still to be read from the database
    env = dict(os.environ, INDICATORS_DB=db_url, INDICATORS_REPORTS=str(tmp_path / "none"), INDICATORS_DB_COPY_ROWS="5000")
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "1", "-k", "gthread", "--threads", "2",
                                 "-b", f"127.0.0.1:{port}", "--chdir", str(ROOT), "app:server"], env=env, stdout=fh,
                                stderr=subprocess.STDOUT, start_new_session=True)
    admin = sa.create_engine(db_url, poolclass=sa.pool.NullPool)

    def kill_the_session():
        with admin.connect() as conn:  # every session of the app on this database: the one streaming among them
            ended = conn.execute(sa.text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                         "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
        assert ended >= 1

    try:
        wait_until_serving(proc, port, log, 90)
        status, whole, ended = _read_all(port, "/download/claims.csv")  # the distractor: nothing cut
        assert (status, ended) == (200, "complete") and whole.count(b"\n") == 60_001
        status, body, ended = _read_all(port, "/download/claims.csv", pause_after=200_000, during=kill_the_session)
        assert status == 200 and ended in ("IncompleteRead", "ConnectionResetError"), (ended, len(body))
        assert len(body) < len(whole)
        status, again, ended = _read_all(port, "/download/claims.csv")  # and the next download is whole again
        assert (status, ended) == (200, "complete") and len(again) == len(whole)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        admin.dispose()
    text = log.read_text()
    assert "download claims.csv cut after" in text and "database became unavailable" in text, text[-3000:]
