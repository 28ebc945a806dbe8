#!/usr/bin/env python3
"""Extraction throughput end to end, beside quantulum3 on the same texts.

    python bench/extract.py            # 1, 100, 1,000 and 10,000 reports (a few minutes)
    python bench/extract.py --quick    # 1 and 100 reports, under a minute

The corpus is generated from the project's own templates (bench/corpus.py) and written to
files, so each run covers ingest, normalise, recognise, attach, periods, roles and rows.
Every size runs in a fresh process, so its peak memory (RSS) is its own. quantulum3
(`pip install -e '.[bench]'`) parses the same normalised texts, a sample of them at the
larger sizes because it is some fifty times slower. The last line is machine-readable:
    extract_chars_per_s=N quantulum3_chars_per_s=M ratio=R
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def measure(folder: str, workers: int) -> dict:
    """Run in a child process: extract every report in `folder`, count characters and claims."""
    from indicators.catalog import load_catalog
    from indicators.errors import ReportError
    from indicators.pipeline import iter_extract

    catalog = load_catalog()
    if os.environ.get("BENCH_RULES_ONLY"):  # the same tree linking by the rules alone: the linker's cost
        import dataclasses
        catalog = dataclasses.replace(catalog, linker=None)
    chars = claims = reports = failed = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for _path, result in iter_extract([folder], catalog, with_reports=True, workers=workers):
        if isinstance(result, ReportError):
            failed += 1
            continue
        report, _month, found = result
        chars += len(report.text)
        claims += len(found)
        reports += 1
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss_kb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                 resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return {"reports": reports, "failed": failed, "chars": chars, "claims": claims, "wall": wall, "cpu": cpu,
            "rss_mb": rss_kb / 1024}


def measure_ingest(folder: str, workers: int) -> dict:
    """Run in a child process: `ingest` the folder into a new SQLite store, as the CLI does."""
    from indicators.catalog import load_catalog
    from indicators.errors import ReportError
    from indicators.pipeline import ingest_paths
    from indicators.store import Store

    db = Path(folder).parent / f"ingest-{Path(folder).name}.sqlite"
    store = Store(f"sqlite:///{db}")
    t0 = time.perf_counter()
    stored = failed = 0
    for _path, result in ingest_paths([folder], store, load_catalog(), workers=workers):
        failed += isinstance(result, ReportError)
        stored += not isinstance(result, ReportError)
    wall = time.perf_counter() - t0
    rss_kb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                 resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return {"reports": stored, "failed": failed, "claims": store.count_claims(), "wall": wall, "rss_mb": rss_kb / 1024,
            "db_mb": db.stat().st_size / 1e6}


def quantulum(folder: Path, sample: int) -> dict:
    """quantulum3's parser.parse on the same normalised texts (the first `sample` reports)."""
    import warnings

    warnings.filterwarnings("ignore")  # "classifier dependencies not installed": its default mode
    try:
        from quantulum3 import classifier, parser
    except ImportError:
        return {}
    # quantulum3's pickled unit classifier does not load with today's scikit-learn (which the linker's training
    # installs); its dictionary disambiguation is what every earlier run of this bench measured
    classifier.USE_CLF = False
    from indicators.ingest import read_report

    texts = [read_report(p).text for p in sorted(folder.iterdir())[:sample]]
    parser.parse("warm up: 5 tanks")
    t0 = time.perf_counter()
    found = sum(len(parser.parse(t)) for t in texts)
    wall = time.perf_counter() - t0
    chars = sum(map(len, texts))
    return {"reports": len(texts), "chars": chars, "wall": wall, "quantities": found}


def child(folder: Path, workers: int, mode: str = "--measure", rules_only: bool = False) -> dict:
    env = {**os.environ, **({"BENCH_RULES_ONLY": "1"} if rules_only else {})}
    out = subprocess.run([sys.executable, __file__, mode, str(folder), "--workers", str(workers)],
                         capture_output=True, text=True, check=False, env=env)
    if out.returncode != 0:
        raise SystemExit(f"measuring {folder} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="1 and 100 reports only (under a minute)")
    ap.add_argument("--sizes", help="comma-separated corpus sizes (default 1,100,1000,10000)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                    help="processes for the scaling run on the largest size (default: the cores here)")
    ap.add_argument("--quantulum-sample", type=int, help="reports quantulum3 parses (default 10 quick, 100 full)")
    ap.add_argument("--measure", help=argparse.SUPPRESS)
    ap.add_argument("--measure-ingest", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.workers)))
        return 0
    if args.measure_ingest:
        print(json.dumps(measure_ingest(args.measure_ingest, args.workers)))
        return 0

    from corpus import load_templates, write_corpus

    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else ([1, 100] if args.quick else [1, 100, 1000, 10000])
    sample = args.quantulum_sample or (10 if args.quick else 100)
    templates = load_templates()
    print(f"templates: {len(templates.figures)} sentences with figures, {len(templates.prose)} without; "
          f"{templates.seed_share:.0%} of the seeds' sentences carry figures, and so do the corpus's; "
          f"cores here: {os.cpu_count()}")
    print(f"{'reports':>8} {'workers':>7} {'MB text':>8} {'claims':>8} {'wall s':>7} {'chars/s':>11} "
          f"{'claims/s':>9} {'peak RSS MB':>11}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="indicators-bench-") as tmp:
        for n in sizes:
            folder = Path(tmp) / f"n{n}"
            write_corpus(folder, n, seed=n, templates=templates)
            runs = [1] + ([args.workers] if n == sizes[-1] and args.workers > 1 else [])
            for w in runs:
                r = child(folder, w)
                r.update(n=n, workers=w, chars_per_s=r["chars"] / r["wall"], claims_per_s=r["claims"] / r["wall"])
                rows.append(r)
                print(f"{n:>8} {w:>7} {r['chars'] / 1e6:>8.2f} {r['claims']:>8} {r['wall']:>7.2f} "
                      f"{r['chars_per_s']:>11,.0f} {r['claims_per_s']:>9,.0f} {r['rss_mb']:>11.0f}"
                      + (f"  ({r['failed']} failed)" if r["failed"] else ""))
        g = child(Path(tmp) / f"n{sizes[-1]}", args.workers, "--measure-ingest")
        print(f"ingest: {g['reports']} reports, {g['claims']:,} claims into SQLite ({g['db_mb']:.0f} MB) with "
              f"{args.workers} workers in {g['wall']:.1f} s; peak RSS {g['rss_mb']:.0f} MB")
        q = quantulum(Path(tmp) / f"n{sizes[-1]}", sample)
        dense_n = min(sizes[-1], 100 if args.quick else 1000)
        folder = Path(tmp) / "dense"
        write_corpus(folder, dense_n, seed=7, templates=templates, share=0.5)
        d = child(folder, 1)
        print(f"dense corpus ({dense_n} reports, half the sentences with figures, as in the test report sets): "
              f"{d['chars'] / d['wall']:,.0f} chars/s, {d['claims'] / d['wall']:,.0f} claims/s")
        # the learned linker's cost, in this run: the same corpora linked by the rules alone, alternated
        costs = []
        for f in (Path(tmp) / f"n{sizes[-1]}", folder):
            a, b = child(f, 1, rules_only=True), child(f, 1)
            a2, b2 = child(f, 1, rules_only=True), child(f, 1)
            costs.append((f.name, min(b["cpu"], b2["cpu"]) / min(a["cpu"], a2["cpu"]),
                          min(b["wall"], b2["wall"]) / min(a["wall"], a2["wall"])))
        for name, cpu, wall in costs:
            print(f"linker cost on {name}: {cpu:.2f}x the CPU time of linking by the rules alone ({wall:.2f}x wall)")

    single = [r for r in rows if r["workers"] == 1]
    ours = single[-1]["chars_per_s"]  # the largest corpus, one core
    if len(single) > 1:
        base = next((r for r in single if r["chars"] >= 500_000), single[-1])
        print(f"linearity: chars/s at {single[-1]['n']} reports is {single[-1]['chars_per_s'] / base['chars_per_s']:.2f}x "
              f"that at {base['n']} reports (1.00 = linear)")
    par = [r for r in rows if r["workers"] > 1]
    if par:
        print(f"scaling: {par[0]['workers']} workers extract {par[0]['chars_per_s'] / ours:.2f}x as fast as 1 "
              f"({par[0]['chars_per_s']:,.0f} chars/s)")
    if not q:
        print("quantulum3 not installed (pip install -e '.[bench]'): no comparison")
        print(f"extract_chars_per_s={ours:.0f} quantulum3_chars_per_s=nan ratio=nan")
        return 0
    qrate = q["chars"] / q["wall"]
    print(f"quantulum3 parser.parse: {q['reports']} reports, {q['chars'] / 1e6:.2f} MB, {q['wall']:.1f} s, "
          f"{q['quantities']} quantities, {qrate:,.0f} chars/s")
    print(f"extract_chars_per_s={ours:.0f} quantulum3_chars_per_s={qrate:.0f} ratio={ours / qrate:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
