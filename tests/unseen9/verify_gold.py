"""Check tests/unseen9/gold.csv against the unseen9 reports.

usage: python3 tests/unseen9/verify_gold.py   (standard library only)

* every report is 3,000-7,000 characters, names its week as "Week N (d-d Month YYYY)" and
  its gold rows carry that week's month as report_month;
* every gold surface occurs in its report (markup removed: tags, <head> and entities for the
  .html mailing-list page, emphasis marks for .md; whitespace-insensitive, whole words);
* the numbers in the surface (digits with space thousands separators and decimal commas or
  points, number words such as "forty-two", "a dozen", "two-three", "one and a half
  thousand", "half a million", "a quarter"), after multipliers (thousand, thsd, k, mln,
  million, bln, bn, billion), give the row's value / bounds;
* value and bounds follow the qualifier rules of shared/spec/CLAIMS.md, and a qualifier word
  at the start of the surface agrees with the qualifier column;
* ids come from /work/briefs/starter_ids.md; units, roles, qualifiers, ISO periods and flags
  are well formed; no two rows share a scoring key;
* every new id of starter_ids.md is covered (and how many are covered in two or more reports
  is printed);
* shared/tools/score_claims.py scores gold against itself at 1.000.
Exits 1 on any failure.
"""
import csv
import datetime as dt
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
UNITS = {"person", "prisoner", "convict", "woman", "name", "detention", "search", "arrest", "fine",
         "case", "verdict", "crime", "item", "organisation", "journalist", "exercise", "serviceman",
         "unit", "check", "drone", "balloon", "attempt", "chat", "vehicle", "aircraft", "helicopter",
         "count", "percent", "ratio", "USD", "BYN", "EUR"}
ROLES = {"reported", "stated", "corrected", "planned"}
QUALS = {"exact", "approx", "over", "under", "at_least", "at_most", "range"}
UNIT_WORDS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
              "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
              "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
              "nineteen": 19}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90}
MULT = {"thousand": 1e3, "thsd": 1e3, "k": 1e3, "million": 1e6, "mln": 1e6, "bln": 1e9,
        "bn": 1e9, "billion": 1e9}
QUAL_WORDS = {"about": "approx", "around": "approx", "approximately": "approx", "some": "approx",
              "roughly": "approx", "nearly": "approx", "almost": "approx", "a dozen": "approx",
              "over": "over", "more than": "over", "just over": "over", "above": "over",
              "exceeded": "over", "less than": "under", "below": "under", "under": "under",
              "fewer than": "under", "at least": "at_least", "no fewer than": "at_least",
              "not less than": "at_least", "no less than": "at_least", "up to": "at_most",
              "no more than": "at_most", "not more than": "at_most", "will not exceed": "at_most",
              "from": "range", "between": "range"}
MONTHS = {m: i for i, m in enumerate(
    ("January February March April May June July August September October November December").split(), 1)}


def starter_ids():
    text = STARTER.read_text(encoding="utf-8")
    original, new, part = set(), set(), None
    for line in text.splitlines():
        if line.startswith("## "):
            part = new if "New ids" in line else original
            continue
        m = re.match(r"^\| ([a-z_]+\.[a-z_0-9.]+) \|", line)
        if m and part is not None:
            part.add(m.group(1))
    return original, new


def report_file(name):
    files = [p for p in REPORTS.iterdir() if p.name.split(".")[0] == name]
    if len(files) != 1:
        raise SystemExit(f"report {name}: expected one file, found {files}")
    return files[0]


def report_text(path):
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        body = re.sub(r"<head\b.*?</head>", " ", raw, flags=re.S | re.I)
        body = re.sub(r"<(style|script)\b.*?</\1>", " ", body, flags=re.S | re.I)
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


def surface_numbers(surface, unit):
    """Numbers of a surface after multipliers; commas are decimal commas in this set."""
    s = surface.replace("\u00a0", " ").lower()
    units = "|".join(UNIT_WORDS)
    s = re.sub(rf"\b({'|'.join(TENS)})-({units})\b",
               lambda m: str(TENS[m.group(1)] + UNIT_WORDS[m.group(2)]), s)
    s = re.sub(r"\bone and a half\b", "1.5", s)
    s = re.sub(r"\bhalf an?\b", "0.5", s)
    s = re.sub(r"\ba half\b", "0.5", s)
    s = re.sub(r"\ba quarter\b", "0.25", s)
    s = re.sub(r"\b(a )?dozen\b", "12", s)
    s = re.sub(rf"\b({units}|{'|'.join(TENS)})\b",
               lambda m: str(UNIT_WORDS.get(m.group(1), TENS.get(m.group(1)))), s)
    mult = 1.0
    for w, m in MULT.items():
        if re.search(rf"(\b|(?<=\d)){w}\b", s):
            mult = m
    nums = []
    for tok in re.findall(r"\d[\d ,.]*\d|\d", s):
        nums.append(float(tok.replace(" ", "").replace(",", ".")))
    nums = [n * mult for n in nums]
    if unit == "percent" and "%" not in s and all(n < 1 for n in nums):
        nums = [n * 100 for n in nums]          # "more than a half", "a quarter"
    return nums


def num(s):
    return float(s) if s.strip() else None


def close(a, b):
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def week_month(text):
    m = re.search(r"Week (\d+) \((\d+)[–-](\d+) (\w+) (\d{4})\)", text)
    if not m:
        return None
    week, _, last, month, year = m.groups()
    end = dt.date(int(year), MONTHS[month], int(last))
    if end.isocalendar()[1] != int(week) or end.weekday() != 6:
        return "bad-week"
    return end.strftime("%Y-%m")


def main():
    original, new = starter_ids()
    assert len(original) == 22 and len(new) == 31, (len(original), len(new))
    ids = original | new
    with GOLD.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames) == tuple(COLS), reader.fieldnames
        rows = list(reader)
    errors, texts, keys = [], {}, {}
    exts = set()
    for path in sorted(REPORTS.iterdir()):
        name = path.name.split(".")[0]
        exts.add(path.suffix)
        raw = path.read_text(encoding="utf-8")
        texts[name] = report_text(path)
        if not 3000 <= len(raw) <= 7000:
            errors.append(f"{path.name}: {len(raw)} characters, not 3,000-7,000")
        month = week_month(texts[name])
        if month in (None, "bad-week"):
            errors.append(f"{path.name}: no well-formed 'Week N (d–d Month YYYY)' line ({month})")
        for r in rows:
            if r["report"] == name and r["report_month"] != month:
                errors.append(f"{path.name}: row {r['surface']!r} has report_month "
                              f"{r['report_month']}, the week is in {month}")
                break
    if len(texts) != 5 or exts != {".txt", ".md", ".html"}:
        errors.append(f"expected five reports as .txt, .md and .html, found {sorted(texts)} {exts}")
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
            try:
                dt.date.fromisoformat(r[col])
            except ValueError:
                bad(col)
        if r["period_start"] > r["period_end"]:
            bad("period_start after period_end")
        if r["role"] == "corrected" and not any(
                o["report"] == name and o["indicator"] == r["indicator"] and o["role"] == "stated"
                for o in rows):
            bad("corrected row without a stated row of the same indicator")
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
        nums = surface_numbers(r["surface"], r["unit"])
        want = [lo, hi] if q == "range" else [v]
        if len(nums) != len(want) or not all(close(a, b) for a, b in zip(nums, want)):
            bad(f"surface numbers {nums} do not give {want}")
        word = r["surface"].lower().lstrip('"')
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
    reports_per_id = {}
    for r in rows:
        reports_per_id.setdefault(r["indicator"], set()).add(r["report"])
    missing = new - set(reports_per_id)
    if missing:
        print("FAIL new ids not covered:", sorted(missing))
    once = sorted(i for i in new if len(reports_per_id.get(i, ())) == 1)
    print(f"new ids covered: {len(new & set(reports_per_id))}/{len(new)}; "
          f"in one report only: {once or 'none'}")
    print("original ids covered:", sorted(original & set(reports_per_id)))
    out = subprocess.run([sys.executable, str(SHARED / "tools" / "score_claims.py"), str(GOLD), str(GOLD)],
                         capture_output=True, text=True)
    print(out.stdout.strip())
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
