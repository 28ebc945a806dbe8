"""How well extraction generalises: every gold set of tests/sets.yaml, scored leave-one-set-out.

For each set, what is learned from gold (the linker's weights and the indicators' learned profiles,
indicators/train.py) is fitted on the other sets only, then that set is extracted with that linker and scored
with the project's scorer rules (tests/scoring.py). The catalog and lexicon are hand-written and were revised
after each set's first contact, so their part of the score is in-sample; the first-contact column is the honest
figure for them. `--rules` scores the rules alone (no linker) for comparison.

    python bench/generality.py            # all sets
    python bench/generality.py --sets unseen5 unseen6
    python bench/generality.py --rules    # the rule-based linking alone
    python bench/generality.py --roles    # with the role classifier too

Last line: `loso_value_f1=... loso_full_f1=... first_contact_value_f1=... first_contact_full_f1=...`.
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from scoring import CONTRACT_IDS, score  # noqa: E402

from indicators import extract, load_catalog, train  # noqa: E402


def load_sets() -> list[dict]:
    return train.load_sets(ROOT / "tests" / "sets.yaml")


def fit(examples: list, role_examples: list, held_out: str, catalog):
    """The catalog with a linker (and, given role examples, a role classifier) fitted on every set but
    `held_out`."""
    linker = train.fit([ex for ex in examples if ex.group != held_out], catalog, train.stop_words())
    roles = train.fit_roles([ex for ex in role_examples if ex.group != held_out]) if role_examples else None
    return dataclasses.replace(catalog, linker=linker, role_model=roles)


def evaluate(entry: dict, model, work: Path, out: Path | None = None) -> dict:
    gold = pd.read_csv(entry["gold"], dtype=str, keep_default_na=False)
    pred = extract(train.reports_as_a_user_has_them(entry, work), model)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        pred.to_csv(out / f"{entry['name']}.csv", index=False)
    ids = CONTRACT_IDS if entry.get("ids") == "contract" else None
    return score(gold, pred, ids)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", nargs="*", help="only these sets (by name)")
    ap.add_argument("--rules", action="store_true", help="link by the rules alone (no learned linker)")
    ap.add_argument("--roles", action="store_true", help="also fit the role classifier (not shipped: it loses to "
                    "the rules leave-one-set-out; `indicators train` decides so)")
    ap.add_argument("--out", type=Path, help="write each set's held-out predictions to OUT/<set>.csv "
                    "(to read the errors leave-one-set-out rather than in-sample)")
    args = ap.parse_args(argv)
    sets = load_sets()
    chosen = [s for s in sets if not args.sets or s["name"] in args.sets]
    rows = []
    t0 = time.perf_counter()
    catalog = load_catalog(with_linker=False)
    with tempfile.TemporaryDirectory() as tmp:
        examples, role_examples = [], []
        if not args.rules:
            stop = train.stop_words()
            for entry in sets:
                examples += train.gold_examples(entry, catalog, stop, Path(tmp))
                if args.roles:
                    role_examples += train.gold_role_examples(entry, catalog, Path(tmp))
            print(f"labelled figures: {len(examples)} ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
        for entry in chosen:
            model = catalog if args.rules else fit(examples, role_examples, entry["name"], catalog)
            result = evaluate(entry, model, Path(tmp), args.out)
            print(f"{entry['name']}: {result['value_f1']:.3f} / {result['full_f1']:.3f}", file=sys.stderr)
            first = entry.get("first_contact") or [None, None]
            rows.append((entry["name"], first[0], first[1], result["value_f1"], result["full_f1"]))
    print("| set | first contact value F1 | full F1 | leave-one-set-out value F1 | full F1 |")
    print("| --- | --- | --- | --- | --- |")
    for name, fv, ff, v, f in rows:
        fc = f"{fv:.3f} | {ff:.3f}" if fv is not None else "— | —"
        print(f"| {name} | {fc} | {v:.3f} | {f:.3f} |")
    firsts = [r for r in rows if r[1] is not None]
    mean = lambda xs: sum(xs) / len(xs) if xs else float("nan")  # noqa: E731
    lv, lf = mean([r[3] for r in rows]), mean([r[4] for r in rows])
    fv, ff = mean([r[1] for r in firsts]), mean([r[2] for r in firsts])
    print(f"| mean | {fv:.3f} | {ff:.3f} | {lv:.3f} | {lf:.3f} |")
    print(f"loso_value_f1={lv:.3f} loso_full_f1={lf:.3f} first_contact_value_f1={fv:.3f} "
          f"first_contact_full_f1={ff:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
