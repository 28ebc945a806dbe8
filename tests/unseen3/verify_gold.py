#!/usr/bin/env python3
"""Sanity checks for tests/unseen3/gold.csv against the reports in tests/unseen3/reports/.

Checks: exact column set of shared/spec/gold_seeds.csv; catalog ids and units;
every surface occurs in its report (markup removed, whitespace-insensitive);
value/bound rules; ISO periods; no duplicate scoring keys; then runs the scorer
gold-vs-gold, which must print 1.000.
"""
import csv
import datetime
import html
import math
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = Path("/work/shared")
COLS = next(csv.reader(open(SHARED / "spec/gold_seeds.csv", encoding="utf-8")))
CATALOG = {
    "cybercrime.registered": set(), "cybercrime.property_share": set(),
    "personnel.training_callup": set(), "personnel.conscription": set(),
    "personnel.male_service_share": {"Armed Forces", "other security agencies"},
    "territorial_defence.callup": {"personnel", "equipment"},
    "procurement.units": None, "budget.defence_growth": {"military", "defence and law enforcement"},
    "budget.law_enforcement_revision": set(), "csto.budget": set(), "csto.belarus_share": set(),
    "mic.smic_borrowed_wage_share": set(), "mic.smic_net_profit_growth": set(),
    "mic.smic_top3_output_share": set(), "mic.smic_enterprises": {"manufacturing"},
    "mic.licensed_organizations": set(), "mic.smic_defence_output_share": set(),
    "sanctions.eu_listed_entities": {"military-industrial"}, "civil.local_chats": set(),
    "civil.local_chat_audience": None, "civil.local_chat_audience_share": None,
    "civil.chat_audience_to_police_ratio": None,
}
UNITS = {"person", "case", "vehicle", "aircraft", "helicopter", "battalion_set", "battery",
         "count", "percent", "ratio", "USD", "BYN", "EUR"}
QUALS = {"exact", "approx", "over", "under", "at_least", "at_most", "range"}
ROLES = {"reported", "stated", "corrected", "planned"}


def report_text(path):
    raw = path.read_bytes()
    if path.suffix in (".htm", ".html"):
        m = re.search(rb'charset=["\']?([\w-]+)', raw[:2000])
        text = raw.decode(m.group(1).decode() if m else "utf-8")
        text = re.sub(r"(?is)<(script|style|title)[^>]*>.*?</\1>", " ", text)
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    else:
        text = raw.decode("utf-8")
        if path.suffix == ".md":
            text = re.sub(r"[*_#|`>]", " ", text)
    return text


def squash(s):
    return re.sub(r"\s+", "", s)  # \s covers NBSP in str patterns


def main():
    errors = []
    rows = list(csv.DictReader(open(HERE / "gold.csv", encoding="utf-8", newline="")))
    with open(HERE / "gold.csv", encoding="utf-8") as f:
        header = next(csv.reader(f))
    if header != COLS:
        errors.append(f"columns differ: {header} != {COLS}")
    reports = {p.stem: p for p in (HERE / "reports").iterdir()}
    texts = {k: squash(report_text(p)) for k, p in reports.items()}
    keys = set()
    for i, r in enumerate(rows, 2):
        where = f"line {i} ({r['report']} {r['indicator']} {r['surface']!r})"
        if r["report"] not in reports:
            errors.append(f"{where}: no report file"); continue
        if squash(r["surface"]) not in texts[r["report"]]:
            errors.append(f"{where}: surface not found in report")
        if not re.fullmatch(r"\d{4}-\d{2}", r["report_month"]):
            errors.append(f"{where}: bad report_month")
        ind = r["indicator"]
        if ind not in CATALOG:
            errors.append(f"{where}: indicator not in catalog")
        elif CATALOG[ind] is not None and r["item"] and r["item"] not in CATALOG[ind]:
            errors.append(f"{where}: item {r['item']!r} not in catalog items")
        if r["role"] not in ROLES: errors.append(f"{where}: bad role")
        q = r["qualifier"]
        if q not in QUALS: errors.append(f"{where}: bad qualifier")
        if r["unit"] not in UNITS: errors.append(f"{where}: bad unit")
        v = float(r["value"]); lo = r["value_low"]; hi = r["value_high"]
        if q == "range":
            if not (lo and hi and float(lo) < float(hi) and math.isclose(v, (float(lo) + float(hi)) / 2)):
                errors.append(f"{where}: range bounds/midpoint wrong")
        elif q in ("over", "at_least"):
            if not (lo and not hi and math.isclose(float(lo), v)): errors.append(f"{where}: low bound wrong")
        elif q in ("under", "at_most"):
            if not (hi and not lo and math.isclose(float(hi), v)): errors.append(f"{where}: high bound wrong")
        elif lo or hi:
            errors.append(f"{where}: bounds must be empty")
        if r["strict_period"] not in ("0", "1") or r["optional"] not in ("0", "1"):
            errors.append(f"{where}: flags must be 0/1")
        if r["period_start"] or r["period_end"]:
            try:
                a = datetime.date.fromisoformat(r["period_start"]); b = datetime.date.fromisoformat(r["period_end"])
                if a > b: errors.append(f"{where}: period_start after period_end")
            except ValueError:
                errors.append(f"{where}: bad ISO period")
        elif r["strict_period"] == "1":
            errors.append(f"{where}: strict row without period")
        val = ("range", float(lo), float(hi)) if q == "range" else ("value", v)
        key = (r["report"], ind, r["item"].lower(), val)
        if key in keys: errors.append(f"{where}: duplicate scoring key")
        keys.add(key)
    for e in errors:
        print("ERROR", e)
    gold = str(HERE / "gold.csv")
    out = subprocess.run([sys.executable, str(SHARED / "tools/score_claims.py"), gold, gold],
                         capture_output=True, text=True).stdout
    print(out.strip())
    ok = not errors and "value_f1=1.000 full_f1=1.000" in out
    covered = {r["indicator"] for r in rows}
    print(f"rows={len(rows)} reports={len(reports)} indicators covered={len(covered)}/{len(CATALOG)}",
          "missing:", sorted(set(CATALOG) - covered))
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
