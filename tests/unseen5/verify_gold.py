"""Check tests/unseen5/gold.csv against the unseen5 reports.

usage: python3 tests/unseen5/verify_gold.py   (standard library only)

* five reports, 3,000-7,000 characters each, at least one .txt, one .md and one .html,
  each naming its month and year near the top; report_month agrees with it;
* every gold surface occurs in its report (markup removed, whitespace-insensitive,
  whole words; for .html only the text inside <main>);
* the numbers in the surface (digits or number words such as "a dozen", "forty-two",
  "half a million", "one and a half thousand", "two-three"), after multipliers
  (thousand, million, billion, bn, k), give the row's value / bounds;
* value and bounds follow the qualifier rules of shared/spec/CLAIMS.md, and a
  qualifier word at the start of the surface agrees with the qualifier;
* indicator ids come from /work/briefs/starter_ids.md, units, roles, qualifiers,
  ISO periods and flags are well formed, no two rows share a scoring key;
* every NEW id of starter_ids.md is covered (and says which ones only once);
* shared/tools/score_claims.py scores gold against itself at 1.000.
Exits 1 on any failure.
"""
import csv
import html
import math
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPORTS = HERE / "reports"
GOLD = HERE / "gold.csv"
SHARED = Path("/work/shared")
STARTER = Path("/work/briefs/starter_ids.md")
COLS = ("report,report_month,indicator,item,role,qualifier,value,value_low,value_high,unit,"
        "period_start,period_end,strict_period,optional,source,surface").split(",")
UNITS = {"person", "prisoner", "case", "crime", "detention", "search", "arrest", "fine", "organisation",
         "item", "journalist", "exercise", "serviceman", "unit", "vehicle", "check", "drone", "balloon",
         "attempt", "crossing", "aircraft", "helicopter", "battery", "count", "percent", "ratio",
         "USD", "BYN", "EUR"}
ROLES = {"reported", "stated", "corrected", "planned"}
QUALS = {"exact", "approx", "over", "under", "at_least", "at_most", "range"}
ONES = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
        "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
        "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90}
MULT = {"thousand": 1e3, "million": 1e6, "mln": 1e6, "bn": 1e9, "billion": 1e9}
QUAL_WORDS = {"about": "approx", "around": "approx", "approximately": "approx", "some": "approx",
              "roughly": "approx", "nearly": "approx", "almost": "approx",
              "over": "over", "more than": "over", "just over": "over", "above": "over",
              "exceeded": "over",
              "less than": "under", "below": "under", "under": "under", "fewer than": "under",
              "just under": "under",
              "at least": "at_least", "no fewer than": "at_least", "not less than": "at_least",
              "no less than": "at_least",
              "up to": "at_most", "no more than": "at_most", "not more than": "at_most",
              "not exceed": "at_most",
              "between": "range", "from": "range"}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


def starter_ids():
    text = STARTER.read_text(encoding="utf-8")
    head, _, new = text.partition("## New ids")
    pat = r"^\| ([a-z_0-9]+\.[a-z_.0-9]+) \|"
    return set(re.findall(pat, head, re.M)), set(re.findall(pat, new, re.M))


def report_files():
    return {p.name.split(".")[0]: p for p in sorted(REPORTS.iterdir()) if p.is_file()}


def report_text(path):
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        main = re.search(r"<main\b[^>]*>(.*?)</main>", raw, re.S | re.I)
        body = main.group(1) if main else raw
        return html.unescape(re.sub(r"<[^>]+>", " ", body))
    if path.suffix == ".md":
        return re.sub(r"[*_#`>|]", " ", raw)
    return raw


def squash(s):
    return re.sub(r"\s+", "", s)


def occurs(surface, text):
    """Whole-word, whitespace-insensitive occurrence."""
    pat = r"\s*".join(re.escape(c) for c in squash(surface))
    if surface[0].isalnum():
        pat = r"(?<![\w.,])" + pat
    if surface[-1].isalnum():
        pat = pat + r"(?![\w])"
    return re.search(pat, text) is not None


def surface_numbers(surface):
    """The numbers a surface states, multipliers applied to each."""
    s = surface.lower().replace("\u00a0", " ").replace("\u2013", "-")
    mult = 1.0
    for w, m in MULT.items():
        if re.search(rf"\b{w}\b", s):
            mult = m
    if re.search(r"\dk\b", s):
        mult = 1e3
    s = s.replace("one and a half", "1.5").replace("half a", "0.5").replace("a dozen", "12")
    nums, prev_word = [], None
    for tok in re.findall(r"\d[\d,]*(?:\.\d+)?|[a-z]+", s):
        if tok[0].isdigit():
            nums.append(float(tok.replace(",", "")))
            prev_word = None
        elif tok in TENS:
            nums.append(float(TENS[tok]))
            prev_word = "tens"
        elif tok in ONES:
            if prev_word == "tens" and ONES[tok] < 10:
                nums[-1] += ONES[tok]
            else:
                nums.append(float(ONES[tok]))
            prev_word = "ones"
        elif tok == "dozen":
            nums.append(12.0)
            prev_word = None
        else:
            prev_word = None
    return [n * mult for n in nums]


def num(s):
    return float(s) if s.strip() else None


def close(a, b):
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def check_reports(files, errors):
    exts = {p.suffix for p in files.values()}
    if len(files) != 5:
        errors.append(f"expected five reports, found {sorted(files)}")
    for ext in (".txt", ".md", ".html"):
        if ext not in exts:
            errors.append(f"no {ext} report")
    months = {}
    for name, path in files.items():
        n = len(path.read_text(encoding="utf-8"))
        if not 3000 <= n <= 7000:
            errors.append(f"{path.name}: {n} characters, outside 3,000-7,000")
        head = report_text(path)[:400]
        m = re.search(r"\b(" + "|".join(MONTHS) + r") (20\d\d)\b", head)
        if not m:
            errors.append(f"{path.name}: no month and year near the top")
        else:
            months[name] = f"{m.group(2)}-{MONTHS.index(m.group(1)) + 1:02d}"
    return months


def main():
    old_ids, new_ids = starter_ids()
    assert len(old_ids) == 22 and len(new_ids) == 31, (len(old_ids), len(new_ids))
    ids = old_ids | new_ids
    errors, keys = [], {}
    files = report_files()
    months = check_reports(files, errors)
    texts = {name: report_text(path) for name, path in files.items()}
    with GOLD.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames) == tuple(COLS), reader.fieldnames
        rows = list(reader)
    for i, r in enumerate(rows, 2):
        where = f"gold.csv:{i} {r['report']} {r['indicator']} {r['surface']!r}"

        def bad(msg):
            errors.append(f"{where}: {msg}")
        name = r["report"]
        if name not in texts:
            bad("no such report")
            continue
        if not occurs(r["surface"], texts[name]):
            bad("surface not found in report text")
        if r["report_month"] != months.get(name):
            bad(f"report_month {r['report_month']} but the report says {months.get(name)}")
        if r["indicator"] not in ids:
            bad("indicator not in starter_ids.md")
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
        nums = surface_numbers(r["surface"])
        want = [lo, hi] if q == "range" else [v]
        if len(nums) != len(want) or not all(close(a, b) for a, b in zip(nums, want)):
            bad(f"surface numbers {nums} do not give {want}")
        word = r["surface"].lower()
        found = [k for k in QUAL_WORDS if re.match(rf"{k}\b", word)]
        if found:
            if QUAL_WORDS[max(found, key=len)] != q:
                bad(f"qualifier word {max(found, key=len)!r} but qualifier {q}")
        elif q not in ("exact", "range"):
            bad("qualifier without a qualifier word in the surface")
        val = ("range", lo, hi) if q == "range" else ("value", v)
        key = (name, r["indicator"], r["item"].lower(), val)
        if key in keys:
            bad(f"duplicate scoring key with gold.csv:{keys[key]}")
        keys[key] = i
    for e in errors:
        print("FAIL", e)
    counts = {}
    for r in rows:
        counts.setdefault(r["indicator"], set()).add(r["report"])
    missing = sorted(new_ids - set(counts))
    if missing:
        print("FAIL new ids not covered:", missing)
    once = sorted(i for i in new_ids if len(counts.get(i, ())) == 1)
    print(f"new ids covered: {len(new_ids) - len(missing)}/{len(new_ids)}; in one report only: {once}")
    print("original ids covered:", sorted(old_ids & set(counts)))
    out = subprocess.run([sys.executable, str(SHARED / "tools" / "score_claims.py"), str(GOLD), str(GOLD)],
                         capture_output=True, text=True)
    print(out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr)
    self_ok = "value_f1=1.000 full_f1=1.000" in out.stdout
    per_report = {}
    for r in rows:
        per_report[r["report"]] = per_report.get(r["report"], 0) + 1
    optional = sum(r["optional"] == "1" for r in rows)
    print("rows per report:", per_report, "total", len(rows), "optional", optional)
    ok = not errors and not missing and self_ok
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
