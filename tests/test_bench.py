"""The benchmarks stay runnable: each runs on a tiny input and prints its summary line."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_dashboard_bench_runs_and_ends_with_its_figures():
    res = subprocess.run([sys.executable, str(ROOT / "bench" / "dashboard.py"), "--claims", "2000", "--repeat", "5"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    lines = res.stdout.strip().splitlines()
    assert lines[0].startswith("store: 2,000 claims, 360 reports, 200 indicators")
    assert re.fullmatch(r"callback_p95_ms=\d+ page_p95_ms=\d+ csv_100k_s=\d+(\.\d+)? rss_mb=\d+ "
                        r"chart_ratio=\d+\.\d+ csv_ratio=\d+\.\d+", lines[-1]), lines[-1]
    assert any(line.startswith("bare chart (sqlite3 query + go.Scatter, the same indicators") for line in lines)
    assert any(line.startswith("bare CSV (sqlite3 cursor -> csv.writer, same rows): ") for line in lines)
    assert any(line.startswith("largest answer per callback: ") for line in lines)
    assert any(line.startswith("review queue page (5 queues") for line in lines)


def test_generality_bench_runs_leave_one_set_out_on_a_set():
    import subprocess
    import sys
    root = Path(__file__).parent.parent
    run = subprocess.run([sys.executable, str(root / "bench" / "generality.py"), "--sets", "seeds"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "| seeds | — | — | 1.000 | 1.000 |" in run.stdout
    assert run.stdout.strip().splitlines()[-1].startswith("loso_value_f1=1.000 loso_full_f1=1.000")
