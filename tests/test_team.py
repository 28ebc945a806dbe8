"""A team sharing one store, with real processes: gunicorn workers starting on an empty database, analysts editing
the same claim at the same moment, the same edits file imported twice at once, the same folder ingested twice at
once. Each runs on the store the suite runs on (SQLite, or PostgreSQL with $INDICATORS_TEST_DB)."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from httpkit import free_port, get, wait_until_serving
from storekit import on_server

from indicators import db
from indicators.pipeline import ingest_paths
from indicators.store import Store, claims, reports

ROOT = Path(__file__).parent.parent
STARTS = int(os.environ.get("TEAM_STARTS", "10"))


_free_port, _get = free_port, get  # tests/httpkit.py


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _run(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "indicators", *map(str, args)], capture_output=True, text=True,
                          timeout=300, cwd=ROOT, **kw)


def _seed_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "seed"
    shutil.copytree(ROOT / "seeds", folder)
    return folder


@pytest.mark.parametrize("preload", [False, True], ids=["workers-import", "preload-then-fork"])
def test_gunicorn_with_three_workers_starts_on_an_empty_database(new_db, tmp_path, preload):
    """STARTS/2 starts per mode on a fresh, empty database each time: every start boots all three workers, the
    seeds are stored exactly once, and (with --preload) forked workers answer on connections of their own."""
    folder = _seed_folder(tmp_path)
    for start in range(max(1, STARTS // 2)):
        url = new_db(migrated=False)
        if on_server():  # a server database is migrated by the command, never by the app (its role cannot alter)
            refused = _run_app_once(url, folder)
            assert refused.returncode != 0 and "indicators db upgrade" in refused.stderr, refused.stderr[-2000:]
            both = [subprocess.Popen([sys.executable, "-m", "indicators", "db", "upgrade", "--db", url], cwd=ROOT,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
            outs = [p.communicate(timeout=120) for p in both]
            assert all(p.returncode == 0 for p in both), outs
        port = _free_port()
        log = tmp_path / f"gunicorn-{start}.log"
        env = dict(os.environ, INDICATORS_DB=url, INDICATORS_REPORTS=str(folder))
        args = [sys.executable, "-m", "gunicorn", "-w", "3", "-b", f"127.0.0.1:{port}", "--chdir", str(ROOT),
                *(["--preload"] if preload else []), "app:server"]
        with open(log, "wb") as fh:
            proc = subprocess.Popen(args, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_until_serving(proc, port, log, 120)
            # many requests, so every worker (and its own pooled connections) serves some
            for _ in range(30):
                status, body = _get(port, "/download/claims.csv")
                assert status == 200 and body.count(b"\n") > 40, body[:300]
            time.sleep(0.5)
            text = log.read_text()
            assert "Worker failed to boot" not in text and "Traceback" not in text, text[-3000:]
            assert text.count("Booting worker") == 3 and proc.poll() is None, text[-3000:]
        finally:
            _stop(proc)
        store = Store(url)
        assert sorted(store.reports()["id"]) == sorted(p.stem for p in folder.glob("*.txt")), start
        with store.engine.connect() as conn:
            assert db.setting(conn, "seeded")
        store.engine.dispose()


def _run_app_once(url: str, folder: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, INDICATORS_DB=url, INDICATORS_REPORTS=str(folder))
    return subprocess.run([sys.executable, "-c", "import app"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


_EDITOR = textwrap.dedent("""
    import json, sys, time
    from indicators.store import Store
    url, report, seqs, field, t0 = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4], float(sys.argv[5])
    store = Store(url)
    for k, seq in enumerate(seqs):
        time.sleep(max(0.0, t0 + 0.4 * k - time.time()))  # both editors hit the same claim at the same moment
        if field == "value":
            store.edit(report, seq, "correct", "Anna", changes={"value": 1000.0 + seq}, note="typo")
        else:
            store.edit(report, seq, "correct", "Boris", changes={"qualifier": "approx"}, note="hedged")
    print("ok")
""")


def test_two_analysts_editing_the_same_claim_at_once_keep_both_edits(db_url, tmp_path):
    store = Store(db_url)
    [(_, done)] = list(ingest_paths([sorted((ROOT / "seeds").glob("*.txt"))[0]], store))
    report = done.report
    frame = store.claims(columns=["seq", "qualifier"], report=report)
    seqs = [int(s) for s in frame[frame["qualifier"] == "exact"]["seq"]][:8]
    assert len(seqs) == 8
    script = tmp_path / "editor.py"
    script.write_text(_EDITOR)
    t0 = time.time() + 4  # both processes loaded by then
    procs = [subprocess.Popen([sys.executable, str(script), db_url, report, json.dumps(seqs), field, str(t0)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for field in ("value", "qualifier")]
    outs = [p.communicate(timeout=180) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    for seq in seqs:
        claim = store.claim(report, seq)
        assert (claim["value"], claim["qualifier"], claim["review"]) == (1000.0 + seq, "approx", "corrected"), seq
        assert sorted(store.history(report, seq)["author"]) == ["Anna", "Boris"]


def test_the_same_edits_imported_twice_at_once_is_one_success_and_one_skip(new_db, tmp_path):
    seed = sorted((ROOT / "seeds").glob("*.txt"))[0]
    source = Store(new_db())
    [(_, done)] = list(ingest_paths([seed], source))
    seqs = [int(s) for s in source.claims(columns=["seq"], report=done.report)["seq"]][:12]
    for seq in seqs:
        source.edit(done.report, seq, "accept", "Olga")
    edits_csv = tmp_path / "edits.csv"
    assert _run("review", "export", "--db", source.url, "-o", edits_csv).returncode == 0
    for _ in range(3):
        target = new_db()
        list(ingest_paths([seed], Store(target)))
        procs = [subprocess.Popen([sys.executable, "-m", "indicators", "review", "import", str(edits_csv), "--db",
                                   target], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
        outs = [p.communicate(timeout=180) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outs
        added = sum(int(err.split(" edits added")[0].split()[-1]) for _, err in outs)
        assert added == len(seqs), outs
        store = Store(target)
        assert len(store.edits()) == len(seqs)
        assert set(store.claims(columns=["seq", "review"], report=done.report)
                   .query("seq in @seqs")["review"]) == {"accepted"}


def test_the_same_folder_ingested_twice_at_once_skips_nothing(db_url, tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for sub in ("golden", "heldout", "unseen3"):
        for f in (ROOT / "tests" / sub / "reports").iterdir():
            shutil.copy(f, folder / f"{sub}_{f.name}")
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    n = len([f for f in folder.rglob("*") if f.is_file()])
    procs = [subprocess.Popen([sys.executable, "-m", "indicators", "ingest", str(folder), "--db", db_url, "-q"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert not any("skipped" in err for _, err in outs), outs
    store = Store(db_url)
    assert store.count() == n
    with store.engine.connect() as conn:
        per_report = conn.execute(sa.select(claims.c.report, sa.func.count()).group_by(claims.c.report)).all()
        assert conn.execute(sa.select(sa.func.count()).select_from(reports)).scalar() == n
    fresh = Store(Store(db_url).url)
    assert sum(c for _, c in per_report) == fresh.count_claims()
