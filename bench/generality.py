"""How well extraction generalises: every gold set of tests/sets.yaml, scored leave-one-set-out.

For each set, whatever is learned from gold (today: nothing; the catalog and lexicon are hand-written) is fitted
on the other sets only, then that set is scored with the project's scorer rules (tests/scoring.py). The table
lists each set's first-contact score beside its leave-one-set-out score, and the means.

    python bench/generality.py            # all sets
    python bench/generality.py --sets unseen5 unseen6

Last line: `loso_value_f1=... loso_full_f1=... first_contact_value_f1=... first_contact_full_f1=...`.
"""
from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from scoring import CONTRACT_IDS, score  # noqa: E402

from indicators import extract, load_catalog  # noqa: E402


def load_sets() -> list[dict]:
    return yaml.safe_load((ROOT / "tests" / "sets.yaml").read_text(encoding="utf-8"))


def reports_as_a_user_has_them(entry: dict, dst: Path) -> Path:
    """The set's reports; a `X.pdf.txt` becomes the PDF `X.pdf`, built by the set's own script."""
    src = ROOT / entry["reports"]
    if not entry.get("pdf_script"):
        return src
    spec = importlib.util.spec_from_file_location(f"make_pdf_{entry['name']}", ROOT / entry["pdf_script"])
    make_pdf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_pdf)
    dst.mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():
        if f.name.endswith(".pdf.txt"):
            make_pdf.build_pdf(f, dst / f.name[: -len(".txt")])
        else:
            shutil.copy(f, dst / f.name)
    return dst


def fit(train: list[dict]):
    """What is learned from the training sets' gold. Nothing yet: the shipped catalog as it is."""
    return load_catalog()


def evaluate(entry: dict, model, work: Path) -> dict:
    gold = pd.read_csv(ROOT / entry["gold"], dtype=str, keep_default_na=False)
    pred = extract(reports_as_a_user_has_them(entry, work / entry["name"]), model)
    ids = CONTRACT_IDS if entry.get("ids") == "contract" else None
    return score(gold, pred, ids)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", nargs="*", help="only these sets (by name)")
    args = ap.parse_args(argv)
    sets = load_sets()
    chosen = [s for s in sets if not args.sets or s["name"] in args.sets]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for entry in chosen:
            model = fit([s for s in sets if s["name"] != entry["name"]])
            result = evaluate(entry, model, Path(tmp))
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
