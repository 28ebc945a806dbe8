"""The extraction benchmark stays runnable: a tiny corpus end to end, its last line as documented."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_extract_bench_runs_and_reports_its_figures():
    res = subprocess.run([sys.executable, str(ROOT / "bench" / "extract.py"), "--sizes", "1,8", "--workers", "2",
                          "--quantulum-sample", "1"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.strip().splitlines()
    assert re.fullmatch(r"extract_chars_per_s=\d+ quantulum3_chars_per_s=(\d+|nan) ratio=([\d.]+|nan)", lines[-1])
    rows = [ln.split() for ln in lines if re.match(r"\s+\d+\s+\d+\s", ln)]
    assert [(r[0], r[1]) for r in rows] == [("1", "1"), ("8", "1"), ("8", "2")]
    claims = {(r[0], r[1]): int(r[3]) for r in rows}
    assert claims[("8", "1")] == claims[("8", "2")] > claims[("1", "1")] > 0  # workers find the same claims
    assert re.search(r"ingest: 8 reports, [\d,]+ claims into SQLite", res.stdout)


def test_corpus_is_varied_and_dated():
    sys.path.insert(0, str(ROOT / "bench"))
    import tempfile

    from corpus import load_templates, write_corpus
    t = load_templates()
    assert 0.1 < t.seed_share < 0.6
    with tempfile.TemporaryDirectory() as tmp:
        write_corpus(Path(tmp), 24, seed=3, templates=t, mean_chars=3000)
        files = sorted(Path(tmp).iterdir())
        assert len(files) == 24
        texts = [f.read_text(encoding="utf-8") for f in files]
        assert len(set(texts)) == 24
        assert all(re.search(r"Monthly report, [A-Z][a-z]+ 20\d\d", t) for t in texts)


def test_compare_bench_runs_two_trees_side_by_side():
    """bench/compare.py against this very tree: both sides extract the same corpus, so they find the same claims."""
    res = subprocess.run([sys.executable, str(ROOT / "bench" / "compare.py"), str(ROOT), "--reports", "3",
                          "--rounds", "1", "--quantulum-sample", "0"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    last = res.stdout.strip().splitlines()[-1]
    m = re.fullmatch(r"head_cpu_chars_per_s=(\d+) base_cpu_chars_per_s=(\d+) head_vs_base=([\d.]+) "
                     r"head_vs_quantulum3=([\d.]+|nan) base_vs_quantulum3=([\d.]+|nan)", last)
    assert m, last
    assert int(m.group(1)) > 0 and int(m.group(2)) > 0 and m.group(4) == "nan"  # no quantulum3 sample asked for
    claims = re.findall(r"round 1 (head|base)\s+(seeds-like|dense): .* (\d+) claims", res.stdout)
    by_side = {(side, corpus): n for side, corpus, n in claims}
    assert len(by_side) == 4
    assert by_side["head", "dense"] == by_side["base", "dense"] and by_side["head", "seeds-like"] == by_side["base", "seeds-like"]
