"""Check tests/unseen15/gold.csv against the unseen15 reports.

usage: python3 tests/unseen15/verify_gold.py   (standard library only)

* five reports, 3,000-7,000 characters each, two .md, two .txt and one .html,
  each naming its month (from report_month) in its text;
* every gold surface occurs in its report (markup removed, whitespace-insensitive,
  whole words; for the HTML page only the text inside <main>);
* the numbers in the surface, after multipliers and number words, give the row's
  value / bounds;
* value and bounds follow the qualifier rules of shared/spec/CLAIMS.md, and a
  qualifier word at the start of the surface agrees with the qualifier;
* ids come from /work/briefs/starter_ids.md, units, roles, qualifiers, ISO periods
  and flags are well formed, no two rows share a scoring key;
* every new id of starter_ids.md is covered (and most of them twice);
* shared/tools/score_claims.py scores gold against itself at 1.000.
Exits 1 on any failure.
"""
import calendar
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
UNITS = {"person", "serviceman", "prisoner", "case", "crime", "detention", "search", "arrest", "fine",
         "organisation", "item", "journalist", "exercise", "unit", "vehicle", "aircraft", "helicopter",
         "battery", "check", "drone", "balloon", "crossing", "attempt", "count",
         "percent", "ratio", "USD", "BYN", "EUR"}
ROLES = {"reported", "stated", "corrected", "planned"}
QUALS = {"exact", "approx", "over", "under", "at_least", "at_most", "range"}
# number phrases, longest first, replaced by digits before the numbers are read
PHRASES = [("one and a half thousand", "1500"), ("half a dozen", "6"), ("a dozen", "12"),
           ("forty-two", "42"), ("a quarter", "25")]
WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
         "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
MULT = {"thousand": 1e3, "million": 1e6, "mln": 1e6, "bn": 1e9, "billion": 1e9}
QUAL_WORDS = {"about": "approx", "around": "approx", "approximately": "approx", "approx.": "approx",
              "c.": "approx", "est.": "approx", "some": "approx", "roughly": "approx",
              "nearly": "approx", "almost": "approx", "in the order of": "approx",
              "closer to": "approx", "over": "over", "more than": "over", "above": "over",
              "exceeded": "over", "exceed": "over", "less than": "under", "below": "under",
              "under": "under", "fewer than": "under", "at least": "at_least",
              "no fewer than": "at_least", "up to": "at_most", "no more than": "at_most",
              "not exceed": "at_most", "between": "range"}
FORMATS = {".md": 2, ".txt": 2, ".html": 1}


def starter_ids():
    text = STARTER.read_text(encoding="utf-8")
    old_part, new_part = text.split("## New ids", 1)
    pat = r"^\| ([a-z_]+\.[a-z_.0-9]+) \|"
    return set(re.findall(pat, old_part, re.M)), set(re.findall(pat, new_part, re.M))


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
        s = s.replace(phrase, digits)
    mult = 1.0
    for w, m in MULT.items():
        if re.search(rf"\b{w}\b", s):
            mult = m
    nums = []
    for tok in re.findall(r"\d[\d,.]*\d|\d|\b[a-z]+\b", s):
        if tok in WORDS:
            nums.append(WORDS[tok])
        elif tok[0].isdigit():
            nums.append(float(tok.replace(",", "")))
    return [n * mult for n in nums]


def num(s):
    return float(s) if s.strip() else None


def close(a, b):
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def main():
    old_ids, new_ids = starter_ids()
    assert len(old_ids) == 22 and len(new_ids) == 31, (len(old_ids), len(new_ids))
    ids = old_ids | new_ids
    errors = []
    files = sorted(REPORTS.iterdir())
    if len(files) != 5:
        errors.append(f"expected five reports, found {len(files)}")
    suffixes = {}
    for p in files:
        suffixes[p.suffix] = suffixes.get(p.suffix, 0) + 1
        n = len(p.read_text(encoding="utf-8"))
        if not 3000 <= n <= 7000:
            errors.append(f"{p.name}: {n} characters, outside 3,000-7,000")
    if suffixes != FORMATS:
        errors.append(f"file formats {suffixes}, expected {FORMATS}")
    with GOLD.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames) == tuple(COLS), reader.fieldnames
        rows = list(reader)
    texts, keys, months = {}, {}, {}
    for i, r in enumerate(rows, 2):
        where = f"gold.csv:{i} {r['report']} {r['indicator']} {r['surface']!r}"

        def bad(msg):
            errors.append(f"{where}: {msg}")
        name = r["report"]
        if name not in texts:
            texts[name] = report_text(report_file(name))
        months.setdefault(name, set()).add(r["report_month"])
        if not occurs(r["surface"], texts[name]):
            bad("surface not found in report text")
        if r["indicator"] not in ids:
            bad("indicator not in starter_ids.md")
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
            else:
                y, m, d = map(int, r[col].split("-"))
                if not (1 <= m <= 12 and 1 <= d <= calendar.monthrange(y, m)[1]):
                    bad(f"{col} is not a calendar date")
        if r["period_start"] > r["period_end"]:
            bad("period_start after period_end")
        if r["role"] == "corrected" and r["source"]:
            bad("a corrected figure is the report's own: no source")
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
        found = [k for k in QUAL_WORDS if word.startswith(k + " ") or word.startswith(k + "\u00a0")]
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
            errors.append(f"{name}: several report_month values {ms}")
            continue
        y, m = map(int, next(iter(ms)).split("-"))
        if not re.search(rf"{calendar.month_name[m]}\s+{y}", texts[name], re.I):
            errors.append(f"{name}: '{calendar.month_name[m]} {y}' not found in the report")
    unused = {p.name.split(".")[0] for p in files} - set(texts)
    if unused:
        errors.append(f"reports without gold rows: {sorted(unused)}")
    for e in errors:
        print("FAIL", e)
    covered = {}
    for r in rows:
        if r["optional"] == "0":
            covered.setdefault(r["indicator"], set()).add(r["report"])
    missing = sorted(new_ids - set(covered))
    if missing:
        print("FAIL new ids not covered:", missing)
    once = sorted(i for i in new_ids if len(covered.get(i, ())) == 1)
    print(f"new ids covered: {len(new_ids) - len(missing)}/{len(new_ids)}; in one report only: {once}")
    print(f"original ids covered: {sorted(old_ids & set(covered))}")
    out = subprocess.run([sys.executable, str(SHARED / "tools" / "score_claims.py"), str(GOLD), str(GOLD)],
                         capture_output=True, text=True)
    print(out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr)
    self_ok = "value_f1=1.000 full_f1=1.000" in out.stdout
    counts = {}
    for r in rows:
        counts[r["report"]] = counts.get(r["report"], 0) + 1
    print("rows per report:", counts, "total", len(rows),
          "optional", sum(r["optional"] == "1" for r in rows))
    ok = not errors and not missing and self_ok
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
