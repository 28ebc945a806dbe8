"""Check tests/unseen6/gold.csv against the unseen6 reports.

usage: python tests/unseen6/verify_gold.py   (standard library only)

* every report is 3,000-7,000 characters, names its month (month name and year) in its
  first lines, and the set has at least one .txt, one .md and one .html report;
* every gold surface occurs in its report (markup removed, whitespace-insensitive,
  whole words): .html -> the text of <main> with tags removed and entities unescaped,
  .md -> emphasis, heading and quote marks removed, .txt -> as is;
* the numbers in the surface (digits with comma thousands separators and dot decimals,
  the suffix k, the words thousand / mln / million / bn / billion, number words such
  as "seven", "forty-two", "a dozen", "two dozen", "a hundred", "one and a half
  thousand") give the row's value, or its bounds for a range;
* value and bounds follow the qualifier rules of shared/spec/CLAIMS.md, and a qualifier
  word at the start of the surface agrees with the qualifier;
* indicator ids come from /work/briefs/starter_ids.md; units, roles, qualifiers, ISO
  periods and flags are well formed; no two rows share a scoring key
  (report, indicator, item, value or bounds);
* every NEW id of starter_ids.md is covered (the count per id is printed);
* shared/tools/score_claims.py scores gold against itself at 1.000 (skipped with a
  note when shared/ is not there).
Exits 1 on any failure.
"""
import calendar
import csv
import html
import math
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPORTS = HERE / "reports"
GOLD = HERE / "gold.csv"
SHARED = Path("/work/shared")
STARTER = Path("/work/briefs/starter_ids.md")
COLS = ("report,report_month,indicator,item,role,qualifier,value,value_low,value_high,unit,"
        "period_start,period_end,strict_period,optional,source,surface").split(",")
CURRENCIES = {"USD", "EUR", "BYN", "RUB", "PLN", "GBP"}
OTHER_UNITS = {"percent", "ratio", "day", "month", "year"}
ROLES = {"reported", "stated", "corrected", "planned"}
QUALS = {"exact", "approx", "over", "under", "at_least", "at_most", "range"}
UNITS_W = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
           "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
           "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
TENS_W = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
          "eighty": 80, "ninety": 90}
PHRASES = [("one and a half thousand", "1500"), ("half a million", "500000"),
           ("two dozen", "24"), ("a dozen", "12"), ("a hundred", "100")]
MULT = {"thousand": 1e3, "million": 1e6, "mln": 1e6, "bn": 1e9, "billion": 1e9}
QUAL_WORDS = {"about": "approx", "around": "approx", "approximately": "approx", "some": "approx",
              "roughly": "approx", "nearly": "approx", "almost": "approx", "~": "approx",
              "over": "over", "more than": "over", "just over": "over", "above": "over",
              "exceed": "over", "exceeded": "over",
              "less than": "under", "below": "under", "under": "under", "fewer than": "under",
              "at least": "at_least", "no fewer than": "at_least", "not less than": "at_least",
              "no less than": "at_least",
              "up to": "at_most", "no more than": "at_most", "not more than": "at_most",
              "will not exceed": "at_most"}
MIN_CHARS, MAX_CHARS = 3000, 7000


def starter_ids():
    """(all ids, new ids) from the two tables of starter_ids.md."""
    text = STARTER.read_text(encoding="utf-8")
    new_at = text.index("## New ids")
    row = re.compile(r"^\| ([a-z_0-9]+\.[a-z_.0-9]+) \|", re.M)
    return set(row.findall(text)), set(row.findall(text[new_at:]))


def report_file(name):
    files = [p for p in REPORTS.iterdir() if p.name.split(".")[0] == name]
    if len(files) != 1:
        raise SystemExit(f"report {name}: expected one file, found {files}")
    return files[0]


def report_text(path):
    raw = path.read_text(encoding="utf-8")
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
    pat = r"\s*".join(re.escape(c) for c in squash(surface))
    if surface[0].isalnum():
        pat = r"(?<![\w.,])" + pat
    if surface[-1].isalnum():
        pat = pat + r"(?![\w])"
    return re.search(pat, text) is not None


def surface_numbers(surface):
    s = surface.replace("\u00a0", " ").lower()
    for phrase, digits in PHRASES:
        s = re.sub(rf"\b{phrase}\b", digits, s)
    s = re.sub(r"\b(%s)-(%s)\b" % ("|".join(TENS_W), "|".join(UNITS_W)),
               lambda m: str(TENS_W[m.group(1)] + UNITS_W[m.group(2)]), s)
    words = dict(UNITS_W, **TENS_W)
    s = re.sub(r"\b(%s)\b" % "|".join(words), lambda m: str(words[m.group(1)]), s)
    mult = 1.0
    for w, m in MULT.items():
        if re.search(rf"\b{w}\b", s):
            mult = m
    nums = []
    for digits, k in re.findall(r"(\d[\d,]*(?:\.\d+)?)(k\b)?", s):
        n = float(digits.replace(",", ""))
        nums.append(n * (1e3 if k else mult))
    return nums


def num(s):
    return float(s) if s.strip() else None


def close(a, b):
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def check_reports(errors):
    kinds = Counter()
    for path in sorted(REPORTS.iterdir()):
        kinds[path.suffix] += 1
        raw = path.read_text(encoding="utf-8")
        if not MIN_CHARS <= len(raw) <= MAX_CHARS:
            errors.append(f"{path.name}: {len(raw)} characters, outside {MIN_CHARS}-{MAX_CHARS}")
    for ext in (".txt", ".md", ".html"):
        if not kinds[ext]:
            errors.append(f"no {ext} report")
    return kinds


def main():
    ids, new_ids = starter_ids()
    assert len(ids) == 53 and len(new_ids) == 31, (len(ids), len(new_ids))
    with GOLD.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames) == tuple(COLS), reader.fieldnames
        rows = list(reader)
    errors, texts, keys, months = [], {}, {}, {}
    check_reports(errors)
    for i, r in enumerate(rows, 2):
        where = f"gold.csv:{i} {r['report']} {r['indicator']} {r['surface']!r}"

        def bad(msg):
            errors.append(f"{where}: {msg}")
        name = r["report"]
        if name not in texts:
            texts[name] = report_text(report_file(name))
        text = texts[name]
        if not occurs(r["surface"], text):
            bad("surface not found in report text")
        if r["indicator"] not in ids:
            bad("indicator not in starter_ids.md")
        if not re.fullmatch(r"\d{4}-\d{2}", r["report_month"]):
            bad("report_month")
        else:
            months.setdefault(name, set()).add(r["report_month"])
            year, month = r["report_month"].split("-")
            head = text[:600]
            if calendar.month_name[int(month)] not in head or year not in head:
                bad("report_month not named in the report's title or dateline")
        if r["role"] not in ROLES:
            bad("role")
        if r["qualifier"] not in QUALS:
            bad("qualifier")
        unit = r["unit"]
        if not (unit in CURRENCIES or unit in OTHER_UNITS or re.fullmatch(r"[a-z]+(_[a-z]+)*", unit)):
            bad("unit")
        if unit.endswith("s") and unit not in {"mass"}:
            bad("unit should be singular")
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
        found = [k for k in QUAL_WORDS if re.match(re.escape(k) + (r"\b" if k[-1].isalpha() else ""), word)]
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
    for name, ms in months.items():
        if len(ms) != 1:
            errors.append(f"{name}: more than one report_month {sorted(ms)}")
    for name in (p.name.split(".")[0] for p in REPORTS.iterdir()):
        if name not in texts:
            errors.append(f"{name}: report has no gold rows")
    for e in errors:
        print("FAIL", e)
    per_id = Counter(r["indicator"] for r in rows)
    missing = sorted(new_ids - set(per_id))
    if missing:
        print("FAIL new ids not covered:", missing)
    once = sorted(i for i in new_ids if per_id[i] == 1)
    print(f"new ids covered: {len(new_ids) - len(missing)}/{len(new_ids)}; covered once only: {once or 'none'}")
    print("original ids covered:", sorted(set(per_id) - new_ids))
    self_ok = True
    scorer = SHARED / "tools" / "score_claims.py"
    if scorer.exists():
        out = subprocess.run([sys.executable, str(scorer), str(GOLD), str(GOLD)],
                             capture_output=True, text=True)
        print(out.stdout.strip() or out.stderr.strip())
        self_ok = "value_f1=1.000 full_f1=1.000" in out.stdout
    else:
        print("note: shared/tools/score_claims.py not found, self-score skipped")
    counts = Counter(r["report"] for r in rows)
    optional = sum(r["optional"] == "1" for r in rows)
    print("rows per report:", dict(counts), "total", len(rows), "optional", optional)
    ok = not errors and not missing and self_ok
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
