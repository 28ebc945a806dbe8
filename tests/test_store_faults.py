"""Store faults for real: a writer killed mid-ingest, two writers at once, a full or read-only disk."""
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from indicators import extract
from indicators.store import Store

ROOT = Path(__file__).parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def _integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def test_sigkill_in_the_middle_of_an_ingest_leaves_the_store_as_before(tmp_path):
    report = tmp_path / "monthly.txt"
    report.write_text(SEEDS[0].read_text(encoding="utf-8"), encoding="utf-8")
    db = tmp_path / "store.sqlite"
    url = f"sqlite:///{db}"
    store = Store(url)
    from indicators.pipeline import ingest_paths
    assert [r.status for _, r in ingest_paths([report], store)] == ["added"]
    before = store.claims()
    before_reports = store.reports()[["id", "content_hash"]]
    assert len(before) > 5

    # a new version of the report; the writer is killed after its claims are inserted, before the commit
    report.write_text(SEEDS[1].read_text(encoding="utf-8"), encoding="utf-8")
    child = textwrap.dedent(f"""
        import sys, time
        import sqlalchemy as sa
        from indicators.store import Store
        from indicators.pipeline import ingest_paths
        store = Store({url!r})

        @sa.event.listens_for(store.engine, "after_cursor_execute")
        def pause(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith("INSERT INTO CLAIMS"):
                print("MIDWAY", flush=True)
                time.sleep(120)

        for path, result in ingest_paths([{str(report)!r}], store):
            print("FINISHED", result, flush=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.strip() == "MIDWAY", line + proc.stderr.read()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL

    assert _integrity(db) == "ok"
    after = Store(url)
    assert after.reports()[["id", "content_hash"]].equals(before_reports)
    assert after.claims().equals(before)


def _unique_copies(folder: Path, tag: str, n: int) -> list[Path]:
    folder.mkdir()
    out = []
    for i in range(n):
        src = SEEDS[i % len(SEEDS)]
        p = folder / f"{tag}_{i:02d}.txt"
        p.write_text(src.read_text(encoding="utf-8") + f"\n\nEditor's note {tag}-{i}: no figures here.\n",
                     encoding="utf-8")
        out.append(p)
    return out


def test_two_processes_ingesting_at_once_lose_nothing(tmp_path):
    a = _unique_copies(tmp_path / "a", "alpha", 6)
    b = _unique_copies(tmp_path / "b", "beta", 6)
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    Store(url)  # both writers find the schema in place
    procs = [subprocess.Popen([sys.executable, "-m", "indicators", "ingest", str(folder), "--db", url, "-q"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for folder in (tmp_path / "a", tmp_path / "b")]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, outs):
        assert p.returncode == 0, err
    store = Store(url)
    stored = store.claims()
    expected = extract([tmp_path / "a", tmp_path / "b"])
    assert sorted(store.reports()["id"]) == sorted(p.stem for p in a + b)
    assert len(stored) == len(expected)
    assert stored.groupby("report").size().to_dict() == expected.groupby("report").size().to_dict()
    assert _integrity(tmp_path / "shared.sqlite") == "ok"


def _can_mount() -> bool:
    if sys.platform != "linux" or os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    res = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
                         capture_output=True)
    return res.returncode == 0


needs_mount = pytest.mark.skipif(not _can_mount(), reason="needs root and mount namespaces to make a small disk")


def _in_small_disk(tmp_path: Path, script: str, size: str = "600k") -> subprocess.CompletedProcess:
    """Run `script` (sh) with $DISK a fresh tmpfs of `size`, in a private mount namespace."""
    disk = tmp_path / "disk"
    disk.mkdir()
    body = f"mount -t tmpfs -o size={size} tmpfs {disk} && DISK={disk}; export DISK; {script}"
    return subprocess.run(["unshare", "-m", "sh", "-c", body], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PY": sys.executable})


CHECK = textwrap.dedent("""
    import sqlite3, sys
    conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
    print("integrity", conn.execute("PRAGMA integrity_check").fetchone()[0])
    print("reports", conn.execute("select count(*) from reports").fetchone()[0])
    print("claims", conn.execute("select count(*) from claims").fetchone()[0])
""")


@needs_mount
def test_a_full_disk_is_a_clear_error_and_no_damage(tmp_path):
    big = tmp_path / "big"
    big.mkdir()
    for i in range(30):  # far more text than the disk holds
        (big / f"r{i:02d}.txt").write_text(SEEDS[i % 2].read_text(encoding="utf-8") * 3 + f"\n\nCopy {i}.\n",
                                           encoding="utf-8")
    (tmp_path / "check.py").write_text(CHECK, encoding="utf-8")
    seeds_claims = len(extract(ROOT / "seeds"))
    res = _in_small_disk(tmp_path, f"""
        "$PY" -m indicators ingest {ROOT / 'seeds'} --db "sqlite:///$DISK/s.sqlite" -q; echo "first=$?"
        "$PY" -m indicators ingest {big} --db "sqlite:///$DISK/s.sqlite" -q; echo "second=$?"
        "$PY" {tmp_path / 'check.py'} "$DISK/s.sqlite"
    """)
    out, err = res.stdout, res.stderr
    assert "first=0" in out, out + err
    assert "second=1" in out or "second=2" in out, out + err
    assert "Traceback" not in err
    assert "full" in err.lower() and "free" in err.lower(), err  # says what happened and what to do
    assert "integrity ok" in out
    stored = int(out.split("claims ")[1].split()[0])
    assert stored >= seeds_claims  # the seeds are intact; the reports that fitted are whole


@needs_mount
def test_a_read_only_disk_is_a_clear_error_and_no_damage(tmp_path):
    (tmp_path / "check.py").write_text(CHECK, encoding="utf-8")
    more = tmp_path / "more"
    _unique_copies(more, "more", 2)
    res = _in_small_disk(tmp_path, f"""
        "$PY" -m indicators ingest {ROOT / 'seeds'} --db "sqlite:///$DISK/s.sqlite" -q; echo "first=$?"
        "$PY" {tmp_path / 'check.py'} "$DISK/s.sqlite"
        mount -o remount,ro "$DISK"
        "$PY" -m indicators ingest {more} --db "sqlite:///$DISK/s.sqlite" -q; echo "second=$?"
        "$PY" {tmp_path / 'check.py'} "$DISK/s.sqlite"
    """, size="8m")
    out, err = res.stdout, res.stderr
    assert "first=0" in out, out + err
    assert "second=0" not in out and "second=" in out, out + err
    assert "Traceback" not in err
    assert "read-only" in err.lower() or "readonly" in err.lower(), err
    checks = [line for line in out.splitlines() if line.startswith(("reports", "claims", "integrity"))]
    assert checks[:3] == checks[3:6] and "integrity ok" in checks  # exactly as before


def test_a_write_blocked_past_the_busy_timeout_is_tried_again(monkeypatch):
    import sqlalchemy as sa

    from indicators import store as store_module
    monkeypatch.setattr(store_module.time, "sleep", lambda s: None)
    calls = []

    def write():
        calls.append(1)
        if len(calls) < 3:
            raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))
        return "stored"

    assert store_module._retrying(write) == "stored" and len(calls) == 3

    def broken():
        raise sa.exc.OperationalError("INSERT", {}, Exception("database or disk is full"))

    with pytest.raises(sa.exc.OperationalError):  # a full disk is not retried
        store_module._retrying(broken)
