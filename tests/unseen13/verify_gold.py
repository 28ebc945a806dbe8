"""Check tests/unseen13/gold.csv against the unseen13 reports.

usage: python3 tests/unseen13/verify_gold.py

* every gold surface occurs in its report (HTML: the text of <main> with tags
  removed and entities unescaped; Markdown: emphasis and heading marks removed;
  whitespace-insensitive, whole words);
* the numbers in the surface give the row's value / bounds: digits with thousands
  commas, attached multipliers ("5.57m", "$1bn", "BYN 1.64bn"), multiplier words
  ("30 and 40 thousand"), number words ("fifty-two", "some two dozen", "a score",
  "a hundred", "sixth") and fractions in words ("Three quarters" = 75 per cent);
* value and bounds follow the qualifier rules of shared/spec/CLAIMS.md, and a
  qualifier word leading the surface ("well over", "just shy of", "a touch above",
  "c.", "ca.", "in the region of", "somewhere between", ...) matches the qualifier;
* ids come from /work/briefs/starter_ids.md, units, roles, qualifiers, ISO
  periods (and report_month from the file name) and flags are well formed, no two
  rows share a scoring key;
* every NEW id of starter_ids.md is covered (the ones covered only once are listed);
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
IDS_MD = Path("/work/briefs/starter_ids.md")
COLS = ("report,report_month,indicator,item,role,qualifier,value,value_low,value_high,unit,"
        "period_start,period_end,strict_period,optional,source,surface").split(",")
UNITS = {"person", "case", "vehicle", "aircraft", "helicopter", "battalion_set", "battery", "count",
         "percent", "ratio", "USD", "BYN", "EUR", "drone", "balloon", "prisoner", "search", "arrest",
         "detention", "fine", "organisation", "item", "material", "journalist", "exercise", "serviceman",
         "unit", "check", "crime", "crossing", "attempt"}
ROLES = {"reported", "stated", "corrected", "planned"}
QUALS = {"exact", "approx", "over", "under", "at_least", "at_most", "range"}
UNITS_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
               "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
               "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
        "ninety": 90}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
            "eighth": 8, "ninth": 9, "tenth": 10}
SCALE = {"dozen": 12, "score": 20, "hundred": 100}
FRACTIONS = {"half": 50, "third": 100 / 3, "quarter": 25, "quarters": 25, "fifth": 20, "fifths": 20}
MULT_WORDS = {"thousand": 1e3, "million": 1e6, "mln": 1e6, "bn": 1e9, "billion": 1e9}
SUFFIX = {"k": 1e3, "m": 1e6, "bn": 1e9}
QUAL_WORDS = {"about": "approx", "around": "approx", "approximately": "approx", "some": "approx",
              "roughly": "approx", "nearly": "approx", "almost": "approx", "c.": "approx", "ca.": "approx",
              "in the region of": "approx", "just shy of": "approx",
              "over": "over", "more than": "over", "just over": "over", "well over": "over", "above": "over",
              "a touch above": "over", "a touch over": "over", "exceeded": "over",
              "less than": "under", "below": "under", "under": "under", "fewer than": "under",
              "at least": "at_least", "no fewer than": "at_least", "not less than": "at_least",
              "up to": "at_most", "no more than": "at_most", "not more than": "at_most",
              "somewhere between": "range", "between": "range"}


def catalog_ids():
    text = IDS_MD.read_text(encoding="utf-8")
    old_part, new_part = text.split("## New ids", 1)
    old = set(re.findall(r"^\| ([a-z_0-9]+\.[a-z_.0-9]+) \|", old_part, re.M))
    new = set(re.findall(r"^\| ([a-z_0-9]+\.[a-z_.0-9]+) \|", new_part, re.M))
    return old, new


def report_path(name):
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


def word_number(words):
    """'fifty-two' -> 52, 'two dozen' -> 24, 'a score' -> 20, 'a hundred' -> 100, 'sixth' -> 6."""
    total, cur, seen = 0, 0, False
    for w in words:
        if w == "a":
            cur, seen = max(cur, 1), True
        elif w in UNITS_WORDS:
            cur, seen = cur + UNITS_WORDS[w], True
        elif w in TENS:
            cur, seen = cur + TENS[w], True
        elif w in ORDINALS:
            cur, seen = cur + ORDINALS[w], True
        elif w in SCALE:
            cur, seen = (cur or 1) * SCALE[w], True
        elif w == "and":
            continue
        else:
            if seen:
                total += cur
            cur = 0
    return total + cur if seen else None


def surface_numbers(surface):
    s = surface.replace("\u00a0", " ").lower()
    # fractions in words: "three quarters" -> 75 (per cent)
    m = re.search(r"\b(a|one|two|three|four)\s+(half|third|quarters?|fifths?)\b", s)
    if m:
        k = 1 if m.group(1) == "a" else UNITS_WORDS[m.group(1)]
        return [k * FRACTIONS[m.group(2)]]
    m = re.search(r"\b(one|two|three|four)\s+in\s+(two|three|four|five|six|ten)\b", s)
    if m:
        return [100 * UNITS_WORDS[m.group(1)] / UNITS_WORDS[m.group(2)]]
    mult = 1.0
    for w, f in MULT_WORDS.items():
        if re.search(rf"(?<![\d.]){w}\b", s):
            mult = f
    nums = []
    for num, suf in re.findall(r"(\d[\d,]*(?:\.\d+)?)(bn|m|k)?\b", s):
        v = float(num.replace(",", ""))
        nums.append(v * SUFFIX[suf] if suf else v)
    if not nums:
        words = re.findall(r"[a-z]+", s.replace("-", " "))
        parts, cur = [], []
        for w in words:  # "two or three", "five to six": a range of number words
            if w in ("or", "to"):
                parts.append(cur)
                cur = []
            else:
                cur.append(w)
        parts.append(cur)
        vals = [word_number(p) for p in parts]
        return [v for v in vals if v is not None]
    return [n * mult for n in nums]


def num(s):
    return float(s) if s.strip() else None


def close(a, b):
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def main():
    old_ids, new_ids = catalog_ids()
    assert len(old_ids) == 22 and len(new_ids) == 31, (len(old_ids), len(new_ids))
    ids = old_ids | new_ids
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
            texts[name] = report_text(report_path(name))
        if not occurs(r["surface"], texts[name]):
            bad("surface not found in report text")
        if r["indicator"] not in ids:
            bad("indicator not in starter_ids.md")
        mon = re.search(r"_(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)(\d{4})$", name)
        months = "jan feb mar apr may jun jul aug sep oct nov dec".split()
        if not mon or r["report_month"] != f"{mon.group(2)}-{months.index(mon.group(1)) + 1:02d}":
            bad("report_month does not match the report id")
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
        found = [k for k in QUAL_WORDS if re.match(rf"{re.escape(k)}(?!\w)", word)]
        if found:
            if QUAL_WORDS[max(found, key=len)] != q:
                bad(f"qualifier word {max(found, key=len)!r} but qualifier {q}")
        elif q not in ("exact", "range"):
            bad("qualifier without a qualifier word in the surface")
        if r["unit"] in {"USD", "BYN", "EUR"} and r["indicator"] not in {
                "budget.defence_spending", "mic.exports", "csto.budget"}:
            bad("currency unit on a non-money indicator")
        if r["unit"] == "percent" and not re.search(r"per cent|%|quarter|half|third|fifth| in ", r["surface"]):
            bad("percent row whose surface shows no share")
        val = ("range", lo, hi) if q == "range" else ("value", v)
        key = (name, r["indicator"], r["item"].lower(), val)
        if key in keys:
            bad(f"duplicate scoring key with gold.csv:{keys[key]}")
        keys[key] = i
    for e in errors:
        print("FAIL", e)
    reports = sorted(p.name for p in REPORTS.iterdir())
    exts = {p.rsplit(".", 1)[1] for p in reports}
    if len(reports) != 5 or not {"txt", "md", "html"} <= exts:
        print("FAIL expected five reports with .txt, .md and .html among them:", reports)
        errors.append("reports")
    for p in REPORTS.iterdir():
        n = len(report_text(p))
        if not 3000 <= n <= 7000:
            print(f"FAIL {p.name}: {n} characters of text, want 3,000-7,000")
            errors.append("length")
    counts = {}
    for r in rows:
        counts[r["indicator"]] = counts.get(r["indicator"], 0) + 1
    missing = new_ids - set(counts)
    if missing:
        print("FAIL new ids not covered:", sorted(missing))
    once = sorted(i for i in new_ids if counts.get(i) == 1)
    print(f"new ids covered: {len(new_ids & set(counts))}/{len(new_ids)}; covered once only: {once}")
    print("original ids covered:", sorted(old_ids & set(counts)))
    out = subprocess.run([sys.executable, str(SHARED / "tools" / "score_claims.py"), str(GOLD), str(GOLD)],
                         capture_output=True, text=True)
    print(out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr)
    self_ok = "value_f1=1.000 full_f1=1.000" in out.stdout
    per = {}
    for r in rows:
        per[r["report"]] = per.get(r["report"], 0) + 1
    print("rows per report:", per, "total", len(rows), "optional", sum(r["optional"] == "1" for r in rows))
    ok = not errors and not missing and self_ok
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
