#!/usr/bin/env python3
"""Extraction speed of this tree against another version of the project, side by side in one run.

    git archive COMMIT | tar -x -C /tmp/base          # the version to compare with, as plain files
    python bench/compare.py /tmp/base                  # 300 reports, seeds-like and dense, 3 rounds
    python bench/compare.py /tmp/base --reports 1000 --rounds 2 --quantulum-sample 50

Absolute speed differs threefold between machines and with their load, so a change is judged by
ratios measured in one run: both versions extract the same corpus (written once, by this tree's
`bench/corpus.py`), each in a fresh process with its own tree first on `PYTHONPATH`, in alternating
order over several rounds; each version's best CPU time per corpus counts (the least disturbed by
other jobs). quantulum3 parses a sample of the same texts in the same run. The last line is
machine-readable:
    head_cpu_chars_per_s=N base_cpu_chars_per_s=M head_vs_base=R head_vs_quantulum3=Q base_vs_quantulum3=P
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

_CHILD = """
import json, sys, time
from indicators.catalog import load_catalog
from indicators.errors import ReportError
from indicators.pipeline import iter_extract
catalog = load_catalog()
chars = claims = 0
c0, t0 = time.process_time(), time.perf_counter()
for _p, r in iter_extract([sys.argv[1]], catalog, with_reports=True, workers=1):
    if not isinstance(r, ReportError):
        chars += len(r[0].text)
        claims += len(r[2])
print(json.dumps({"cpu": time.process_time() - c0, "wall": time.perf_counter() - t0, "chars": chars,
                  "claims": claims}))
"""


def run(tree: Path, folder: Path) -> dict:
    """Extract `folder` with the project in `tree`, in a fresh process; CPU and wall seconds, chars, claims."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run([sys.executable, "-c", _CHILD, str(folder)], capture_output=True, text=True, env=env,
                         cwd=str(tree), check=False)
    if out.returncode != 0:
        raise SystemExit(f"extracting with {tree} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def quantulum_rate(folder: Path, sample: int) -> float:
    """quantulum3's chars/s (CPU) on the first `sample` normalised texts of the corpus (nan when not installed or
    `sample` is 0)."""
    import warnings

    if sample <= 0:
        return float("nan")

    warnings.filterwarnings("ignore")
    try:
        from quantulum3 import classifier, parser
    except ImportError:  # pip install -e '.[bench]'
        return float("nan")
    # as in bench/extract.py: its pickled unit classifier does not load with today's scikit-learn (which the linker's
    # training installs); its dictionary disambiguation is what every run of these benches measures
    classifier.USE_CLF = False

    from indicators.ingest import read_report

    texts = [read_report(p).text for p in sorted(folder.iterdir())[:sample]]
    parser.parse("warm up: 5 tanks")
    c0 = time.process_time()
    for t in texts:
        parser.parse(t)
    return sum(map(len, texts)) / (time.process_time() - c0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("base", type=Path, help="a source tree of the version to compare with (git archive ... | tar -x)")
    ap.add_argument("--reports", type=int, default=300, help="reports per corpus (default 300)")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    ap.add_argument("--quantulum-sample", type=int, default=30, help="reports quantulum3 parses (default 30; 0: none)")
    args = ap.parse_args()

    from corpus import load_templates, write_corpus

    templates = load_templates()
    trees = {"head": ROOT, "base": args.base.resolve()}
    best: dict[tuple[str, str], dict] = {}
    with tempfile.TemporaryDirectory(prefix="indicators-compare-") as tmp:
        corpora = {"seeds-like": Path(tmp) / "seeds", "dense": Path(tmp) / "dense"}
        write_corpus(corpora["seeds-like"], args.reports, seed=args.reports, templates=templates)
        write_corpus(corpora["dense"], args.reports, seed=7, templates=templates, share=0.5)
        for r in range(args.rounds):
            order = list(trees.items()) if r % 2 == 0 else list(reversed(trees.items()))
            for name, tree in order:
                for label, folder in corpora.items():
                    res = run(tree, folder)
                    key = (name, label)
                    if key not in best or res["cpu"] < best[key]["cpu"]:
                        best[key] = res
                    print(f"round {r + 1} {name:>4} {label:>10}: {res['chars'] / res['cpu']:>11,.0f} chars/s CPU, "
                          f"{res['claims']} claims", flush=True)
        q = quantulum_rate(corpora["seeds-like"], args.quantulum_sample)
    rate = {k: v["chars"] / v["cpu"] for k, v in best.items()}
    for label in ("seeds-like", "dense"):
        print(f"{label}: head {rate['head', label]:,.0f} vs base {rate['base', label]:,.0f} chars/s CPU: "
              f"{rate['head', label] / rate['base', label]:.2f}x")
    head, base = rate["head", "seeds-like"], rate["base", "seeds-like"]
    print(f"quantulum3 parser.parse: {q:,.0f} chars/s CPU ({args.quantulum_sample} reports)")
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"head_cpu_chars_per_s={head:.0f} base_cpu_chars_per_s={base:.0f} head_vs_base={head / base:.2f} "
          f"head_vs_quantulum3={head / q:.1f} base_vs_quantulum3={base / q:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
