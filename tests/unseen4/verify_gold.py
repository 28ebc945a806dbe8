"""Check tests/unseen4/gold.csv against the unseen4 reports.

usage: .venv/bin/python tests/unseen4/verify_gold.py   (needs fpdf2 and pypdf for the PDF report)

* every gold surface occurs in its report (markup removed, whitespace-insensitive,
  whole words; for the .pdf.txt source: in the pypdf text layer of the PDF built
  by make_pdf.build_pdf);
* the numbers in the surface, after multipliers, give the row's value / bounds;
* value and bounds follow the qualifier rules of shared/spec/CLAIMS.md;
* ids, units, roles, qualifiers, ISO periods and flags are well formed, no two
  rows share a scoring key;
* shared/tools/score_claims.py scores gold against itself at 1.000.
Exits 1 on any failure.
"""
import csv
import html
import math
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPORTS = HERE / "reports"
GOLD = HERE / "gold.csv"
SHARED = Path("/work/shared")
COLS = ("report,report_month,indicator,item,role,qualifier,value,value_low,value_high,unit,"
        "period_start,period_end,strict_period,optional,source,surface").split(",")
UNITS = {"person", "case", "vehicle", "aircraft", "helicopter", "battalion_set", "battery", "count",
         "percent", "ratio", "USD", "BYN", "EUR"}
ROLES = {"reported", "stated", "corrected", "planned"}
QUALS = {"exact", "approx", "over", "under", "at_least", "at_most", "range"}
WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
         "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
MULT = {"thousand": 1e3, "million": 1e6, "mln": 1e6, "bn": 1e9, "billion": 1e9}
DECIMAL_COMMA = {"u4a_monitor"}

sys.path.insert(0, str(HERE))


def catalog_ids():
    text = (SHARED / "spec" / "CLAIMS.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([a-z_0-9]+\.[a-z_.0-9]+)` \|", text, re.M))


def report_text(name):
    files = [p for p in REPORTS.iterdir() if p.name.split(".")[0] == name]
    if len(files) != 1:
        raise SystemExit(f"report {name}: expected one file, found {files}")
    path = files[0]
    raw = path.read_text(encoding="utf-8")
    if path.name.endswith(".pdf.txt"):
        from make_pdf import build_pdf
        from pypdf import PdfReader
        with tempfile.TemporaryDirectory() as tmp:
            pdf = build_pdf(path, Path(tmp) / f"{name}.pdf")
            return "\n".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    if path.suffix == ".html":
        main = re.search(r"<main\b[^>]*>(.*?)</main>", raw, re.S | re.I)
        body = main.group(1) if main else raw
        return html.unescape(re.sub(r"<[^>]+>", " ", body))
    if path.suffix == ".md":
        return re.sub(r"[*_#`>]", " ", raw)
    return raw


def squash(s):
    return re.sub(r"\s+", "", s)


def occurs(surface, text):
    """Whole-word, whitespace-insensitive occurrence."""
    parts = [re.escape(c) for c in squash(surface)]
    pat = r"\s*".join(parts)
    if surface[0].isalnum():
        pat = r"(?<![\w.,])" + pat
    if surface[-1].isalnum():
        pat = pat + r"(?![\w])"
    return re.search(pat, text) is not None


def surface_numbers(surface, decimal_comma):
    s = surface.replace("\u00a0", " ")
    mult = 1.0
    for w, m in MULT.items():
        if re.search(rf"\b{w}\b", s):
            mult = m
    nums = []
    for tok in re.findall(r"\d[\d ,.]*\d|\d|\b[a-z]+\b", s):
        if tok in WORDS:
            nums.append(WORDS[tok])
            continue
        if not tok[0].isdigit():
            continue
        tok = tok.strip(" ")
        if decimal_comma:
            tok = tok.replace(" ", "").replace(",", ".")
        else:
            tok = tok.replace(" ", "").replace(",", "")
        nums.append(float(tok))
    return [n * mult for n in nums]


def num(s):
    return float(s) if s.strip() else None


def close(a, b):
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def main():
    ids = catalog_ids()
    assert len(ids) == 22, ids
    with GOLD.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames) == tuple(COLS), reader.fieldnames
        rows = list(reader)
    errors, texts, keys = [], {}, {}
    for i, r in enumerate(rows, 2):
        where = f"gold.csv:{i} {r['report']} {r['indicator']} {r['surface']!r}"
        def bad(msg):
            errors.append(f"{where}: {msg}")
        name = r["report"]
        if name not in texts:
            texts[name] = report_text(name)
        if not occurs(r["surface"], texts[name]):
            bad("surface not found in report text")
        if r["indicator"] not in ids:
            bad("indicator not in catalog")
        if not re.fullmatch(r"\d{4}-\d{2}", r["report_month"]):
            bad("report_month")
        if r["role"] not in ROLES:
            bad("role")
        if r["qualifier"] not in QUALS:
            bad("qualifier")
        if r["unit"] not in UNITS:
            bad("unit")
        if r["strict_period"] not in {"0", "1"} or r["optional"] not in {"0", "1"}:
            bad("flags")
        for col in ("period_start", "period_end"):
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", r[col]):
                bad(col)
        if r["period_start"] > r["period_end"]:
            bad("period_start after period_end")
        v, lo, hi, q = num(r["value"]), num(r["value_low"]), num(r["value_high"]), r["qualifier"]
        if q == "range":
            if lo is None or hi is None or not lo < hi or not close(v, (lo + hi) / 2):
                bad("range needs low < high and value = midpoint")
        elif q in ("over", "at_least"):
            if not close(lo, v) or hi is not None:
                bad("over/at_least needs value_low = value and no value_high")
        elif q in ("under", "at_most"):
            if not close(hi, v) or lo is not None:
                bad("under/at_most needs value_high = value and no value_low")
        elif lo is not None or hi is not None:
            bad("exact/approx rows carry no bounds")
        nums = surface_numbers(r["surface"], name in DECIMAL_COMMA)
        want = [lo, hi] if q == "range" else [v]
        if len(nums) != len(want) or not all(close(a, b) for a, b in zip(nums, want)):
            bad(f"surface numbers {nums} do not give {want}")
        word = r["surface"].lower()
        expect_q = {"about": "approx", "around": "approx", "approximately": "approx", "some": "approx",
                    "roughly": "approx", "nearly": "approx", "almost": "approx", "over": "over",
                    "more than": "over", "just over": "over", "above": "over", "exceeded": "over",
                    "less than": "under", "below": "under", "under": "under", "fewer than": "under",
                    "at least": "at_least", "no fewer than": "at_least", "not less than": "at_least",
                    "up to": "at_most", "no more than": "at_most", "not more than": "at_most"}
        found = [k for k in expect_q if re.match(rf"{k}\b", word)]
        if found:
            if expect_q[max(found, key=len)] != q:
                bad(f"qualifier word {max(found, key=len)!r} but qualifier {q}")
        elif q not in ("exact", "range"):
            bad("qualifier without a qualifier word in the surface")
        if q == "range":
            val = ("range", lo, hi)
        else:
            val = ("value", v)
        key = (name, r["indicator"], r["item"].lower(), val)
        if key in keys:
            bad(f"duplicate scoring key with gold.csv:{keys[key]}")
        keys[key] = i
    for e in errors:
        print("FAIL", e)
    covered = {r["indicator"] for r in rows}
    missing = ids - covered
    if missing:
        print("FAIL catalog indicators not covered:", sorted(missing))
    out = subprocess.run([sys.executable, str(SHARED / "tools" / "score_claims.py"), str(GOLD), str(GOLD)],
                         capture_output=True, text=True)
    print(out.stdout.strip())
    self_ok = "value_f1=1.000 full_f1=1.000" in out.stdout
    counts = {}
    for r in rows:
        counts[r["report"]] = counts.get(r["report"], 0) + 1
    print("rows per report:", counts, "total", len(rows))
    ok = not errors and not missing and self_ok
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
