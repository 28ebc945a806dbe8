#!/usr/bin/env python3
"""Sanity checks for the held-out gold set (standard library only).

usage: python3 tests/heldout/verify_gold.py [--spec /work/shared/spec] [--scorer /work/shared/tools/score_claims.py]

Checks that
- gold.csv has exactly the columns of the seed gold and one report file per report id;
- every surface occurs in its report once markup is removed (whitespace-insensitive);
- value / value_low / value_high follow the qualifier rules (range midpoint, one-sided bounds);
- indicators and fixed items come from the catalog, units match the indicator's unit class,
  periods are ISO dates with start <= end, flags are 0/1, roles and qualifiers are known;
- no two rows of a report collapse to the same scoring key;
- every catalog indicator is covered, each report has 15-22 rows and 600-1400 words;
- the scorer gives value_f1 = full_f1 = 1.000 on gold against itself.
Exits 1 on any problem.
"""
import argparse
import csv
import datetime as dt
import html
import math
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS = ["report", "report_month", "indicator", "item", "role", "qualifier", "value", "value_low",
           "value_high", "unit", "period_start", "period_end", "strict_period", "optional", "source", "surface"]
ROLES = {"reported", "stated", "corrected", "planned"}
QUALIFIERS = {"exact", "approx", "over", "under", "at_least", "at_most", "range"}
COUNT_UNITS = {"person", "case", "vehicle", "aircraft", "helicopter", "battalion_set", "battery", "count"}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
# items fixed by the catalog (procurement items are free designations)
FIXED_ITEMS = {
    "personnel.male_service_share": {"Armed Forces", "other security agencies"},
    "territorial_defence.callup": {"personnel", "equipment"},
    "budget.defence_growth": {"military", "defence and law enforcement"},
    "mic.smic_enterprises": {"", "manufacturing"},
    "sanctions.eu_listed_entities": {"", "military-industrial"},
}
DESIGNATION = re.compile(r"^[A-Z][A-Za-z]*-[A-Z]*\d+[A-Za-z0-9-]*$")


def report_text(path):
    raw = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".html":
        raw = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", raw)
        raw = re.sub(r"(?s)<[^>]+>", " ", raw)
        raw = html.unescape(raw)
    elif path.suffix == ".md":
        raw = re.sub(r"[*_#|`>]", " ", raw)
    return raw


def squash(s):
    return re.sub(r"\s+", "", s)  # \s covers no-break spaces too


def catalog(spec):
    ids = {}
    for line in (spec / "CLAIMS.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*`([a-z_]+\.[a-z_0-9]+)`\s*\|\s*([^|]*)\|", line)
        if m:
            ids[m.group(1)] = m.group(2).strip()
    return ids


def unit_class(unit):
    if unit == "percent":
        return "percent"
    if unit == "ratio":
        return "ratio"
    if unit in {"USD", "BYN", "EUR"}:
        return "currency"
    return "count" if unit in COUNT_UNITS else None


def expected_class(cat_unit):
    u = cat_unit.lower()
    if "percent" in u:
        return "percent"
    if "ratio" in u:
        return "ratio"
    if "usd" in u:
        return "currency"
    return "count"


def num(s):
    return float(s) if s.strip() else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spec", default="/work/shared/spec")
    ap.add_argument("--scorer", default="/work/shared/tools/score_claims.py")
    args = ap.parse_args()
    problems = []
    gold_path = HERE / "gold.csv"
    with open(gold_path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != COLUMNS:
            problems.append(f"columns {reader.fieldnames} != {COLUMNS}")
        rows = list(reader)

    seed_cols = None
    seed = Path(args.spec) / "gold_seeds.csv"
    if seed.exists():
        with open(seed, newline="", encoding="utf-8") as f:
            seed_cols = next(csv.reader(f))
        if seed_cols != COLUMNS:
            problems.append("seed columns differ from the expected list")
    cat = catalog(Path(args.spec)) if (Path(args.spec) / "CLAIMS.md").exists() else {}

    files = {p.stem: p for p in (HERE / "reports").iterdir() if p.is_file()}
    texts = {stem: report_text(p) for stem, p in files.items()}
    per_report = Counter()
    keys = defaultdict(list)
    for n, r in enumerate(rows, start=2):
        where = f"gold.csv:{n} ({r['report']} {r['indicator']} {r['surface']!r})"
        rep = r["report"]
        per_report[rep] += 1
        if rep not in texts:
            problems.append(f"{where}: no report file")
            continue
        if squash(r["surface"]) not in squash(texts[rep]):
            problems.append(f"{where}: surface not found in report")
        if not re.fullmatch(r"\d{4}-\d{2}", r["report_month"]):
            problems.append(f"{where}: bad report_month")
        else:
            y, m = r["report_month"].split("-")
            title = texts[rep].strip().split("\n\n")[0] + texts[rep][:1500]
            if f"{MONTHS[int(m) - 1]} {y}" not in title:
                problems.append(f"{where}: report_month not in the report's title")
        if cat and r["indicator"] not in cat:
            problems.append(f"{where}: indicator not in catalog")
        if r["indicator"] in FIXED_ITEMS and r["item"] not in FIXED_ITEMS[r["indicator"]]:
            problems.append(f"{where}: item {r['item']!r} not canonical")
        if r["indicator"] == "procurement.units" and not DESIGNATION.match(r["item"]):
            problems.append(f"{where}: procurement item {r['item']!r} is not a normalised designation")
        if r["indicator"].startswith("civil.local_chat_") or r["indicator"] == "civil.chat_audience_to_police_ratio":
            pass  # item is a city name or empty
        elif r["indicator"] not in FIXED_ITEMS and r["indicator"] != "procurement.units" and r["item"]:
            problems.append(f"{where}: indicator takes no item")
        if r["role"] not in ROLES:
            problems.append(f"{where}: bad role")
        q = r["qualifier"]
        if q not in QUALIFIERS:
            problems.append(f"{where}: bad qualifier")
        try:
            v, lo, hi = num(r["value"]), num(r["value_low"]), num(r["value_high"])
        except ValueError:
            problems.append(f"{where}: non-numeric value")
            continue
        if v is None:
            problems.append(f"{where}: empty value")
            continue
        ok = {
            "range": lo is not None and hi is not None and lo < hi and math.isclose(v, (lo + hi) / 2),
            "over": lo == v and hi is None,
            "at_least": lo == v and hi is None,
            "under": hi == v and lo is None,
            "at_most": hi == v and lo is None,
            "exact": lo is None and hi is None,
            "approx": lo is None and hi is None,
        }.get(q, False)
        if not ok:
            problems.append(f"{where}: value/bounds do not follow the {q} rule")
        uc = unit_class(r["unit"])
        if uc is None:
            problems.append(f"{where}: unknown unit {r['unit']!r}")
        elif cat and r["indicator"] in cat and uc != expected_class(cat[r["indicator"]]):
            problems.append(f"{where}: unit {r['unit']} does not fit catalog unit {cat[r['indicator']]!r}")
        try:
            a = dt.date.fromisoformat(r["period_start"])
            b = dt.date.fromisoformat(r["period_end"])
            if a > b:
                problems.append(f"{where}: period_start after period_end")
        except ValueError:
            problems.append(f"{where}: bad period dates")
        if r["strict_period"] not in {"0", "1"} or r["optional"] not in {"0", "1"}:
            problems.append(f"{where}: flags must be 0/1")
        if q == "range":
            val = ("range", lo, hi)
        else:
            val = ("value", v)
        keys[(rep, r["indicator"], r["item"].lower(), val)].append(n)

    for k, lines in keys.items():
        if len(lines) > 1:
            problems.append(f"rows {lines} collapse to the same scoring key {k}")
    for stem in files:
        if stem not in per_report:
            problems.append(f"report {stem} has no gold rows")
    for rep, c in per_report.items():
        if not 15 <= c <= 22:
            problems.append(f"{rep}: {c} gold rows (want 15-22)")
        if rep in texts:
            words = len(texts[rep].split())
            if not 600 <= words <= 1600:  # html boilerplate adds some words
                problems.append(f"{rep}: {words} words")
    if cat:
        missing = set(cat) - {r["indicator"] for r in rows}
        if missing:
            problems.append(f"catalog indicators not covered: {sorted(missing)}")

    if Path(args.scorer).exists():
        out = subprocess.run([sys.executable, args.scorer, str(gold_path), str(gold_path), "--quiet"],
                             capture_output=True, text=True)
        last = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr
        print(last)
        if "value_f1=1.000 full_f1=1.000" not in last:
            problems.append("scorer does not give 1.000 on gold against itself")

    for p in problems:
        print("PROBLEM", p)
    print(f"{len(rows)} rows, {len(per_report)} reports, {len(problems)} problems")
    for rep in sorted(per_report):
        print(f"  {rep}: {per_report[rep]} rows")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
