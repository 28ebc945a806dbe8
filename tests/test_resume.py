"""A resumed ingest: reports stored before are recognised by their content hash before any extraction, so an
ingest killed again and again still progresses; the worker processes of a killed ingest end with it."""
from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indicators import pipeline
from indicators.pipeline import ingest_paths
from indicators.store import Store

ROOT = Path(__file__).parent.parent
SOURCES = sorted([*(ROOT / "seeds").glob("*.txt"), *(ROOT / "tests" / "golden" / "reports").glob("*.txt"),
                  *(ROOT / "tests" / "heldout" / "reports").glob("*.txt")])


def _corpus(folder: Path, n: int) -> Path:
    """n distinct reports (each source report with a numbered closing line of its own)."""
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(n):
        src = SOURCES[k % len(SOURCES)]
        text = src.read_text(encoding="utf-8")
        (folder / f"r{k:03d}_{src.name}").write_text(text + f"\n\nCopy number {k} of this report for the archive.\n",
                                                     encoding="utf-8")
    return folder


@pytest.fixture
def counted(monkeypatch):
    calls: list[str] = []
    real = pipeline.extract_report

    def counting(report, catalog=None):
        calls.append(report.id)
        return real(report, catalog)

    monkeypatch.setattr(pipeline, "extract_report", counting)
    return calls


def test_stored_reports_are_skipped_before_extraction(db_url, tmp_path, counted):
    folder = _corpus(tmp_path / "in", 6)
    store = Store(db_url)
    assert {r.status for _, r in ingest_paths([folder], store)} == {"added"} and len(counted) == 6
    counted.clear()
    again = [r for _, r in ingest_paths([folder], store)]
    assert [r.status for r in again] == ["unchanged"] * 6 and counted == []
    first = sorted(folder.iterdir())[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nA late addition.\n", encoding="utf-8")
    shutil.copy(sorted(folder.iterdir())[1], tmp_path / "renamed.txt")
    got = {p.name: r for p, r in ingest_paths([folder, tmp_path / "renamed.txt"], store)}
    assert counted == [first.stem]  # only the changed report was extracted
    assert got[first.name].status == "replaced" and got["renamed.txt"].status == "duplicate"
    assert got["renamed.txt"].duplicate_of == sorted(folder.iterdir())[1].stem


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes from /proc")
def test_a_killed_ingest_takes_its_workers_with_it_and_the_next_run_resumes(db_url, tmp_path):
    folder = _corpus(tmp_path / "in", 40)
    args = [sys.executable, "-m", "indicators", "ingest", str(folder), "--db", db_url, "--workers", "2", "-q"]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    store = Store(db_url)
    deadline = time.time() + 120
    while store.count() < 5:
        assert proc.poll() is None, proc.communicate()
        assert time.time() < deadline, "nothing stored in 120 s"
        time.sleep(0.1)
    workers = [p for p in _children(proc.pid) if "spawn" in Path(f"/proc/{p}/cmdline").read_text(errors="replace")]
    assert len(workers) >= 2, workers
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stored = store.count()
    assert stored < 40, "the ingest finished before it was killed: make the corpus larger"
    deadline = time.time() + 10
    while any(_alive(p) for p in workers) and time.time() < deadline:
        time.sleep(0.1)
    assert not any(_alive(p) for p in workers), "worker processes outlived their parent"
    res = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    assert f"{stored} unchanged" in res.stderr and f"{40 - stored} added" in res.stderr, res.stderr[-500:]
    assert store.count() == 40
