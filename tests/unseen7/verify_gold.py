"""Check tests/unseen7/gold.csv against the unseen7 reports.

usage: python3 tests/unseen7/verify_gold.py

* five reports, each 3,000-7,000 characters of text, at least one .txt, one .md
  and one .html, file name = report id + extension;
* every gold surface occurs in its report (markup removed: for .html only the
  <main> element, tags stripped and entities unescaped; for .md emphasis, heading
  and table markup removed), whitespace-insensitive, whole words;
* the numbers in the surface (digits or number words such as "forty-two",
  "a dozen", "half a million", "one and a half thousand", "two-three"), after
  multipliers (thousand, million, mln, bn, billion, k), give the row's value or
  bounds;
* value and bounds follow the qualifier rules of shared/spec/CLAIMS.md, and a
  qualifier word at the start (or "or so" at the end) of the surface agrees with
  the qualifier;
* ids come from /work/briefs/starter_ids.md, units, roles, qualifiers, ISO
  periods and flags are well formed, no two rows share a scoring key;
* every new id of starter_ids.md is covered at least once (and the count of
  ids covered twice or more is printed);
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
UNITS = {"person", "case", "crime", "vehicle", "aircraft", "helicopter", "battalion_set", "battery",
         "system", "count", "percent", "ratio", "USD", "BYN", "EUR", "drone", "balloon", "prisoner",
         "search", "arrest", "detention", "fine", "organisation", "item", "material", "journalist",
         "exercise", "serviceman", "unit", "check", "crossing", "attempt", "violator", "fighter",
         "enterprise"}
ROLES = {"reported", "stated", "corrected", "planned"}
QUALS = {"exact", "approx", "over", "under", "at_least", "at_most", "range"}
UNITS_W = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
           "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
           "nineteen": 19}
TENS_W = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
          "eighty": 80, "ninety": 90}
MULT = {"thousand": 1e3, "million": 1e6, "mln": 1e6, "bn": 1e9, "billion": 1e9, "k": 1e3}
QUAL_WORDS = {
    "about": "approx", "around": "approx", "approximately": "approx", "some": "approx",
    "roughly": "approx", "nearly": "approx", "almost": "approx", "close to": "approx",
    "an estimated": "approx", "of the order of": "approx", "in the region of": "approx",
    "perhaps": "approx", "nearer": "approx", "something like": "approx",
    "over": "over", "more than": "over", "just over": "over", "above": "over", "exceeded": "over",
    "well over": "over", "in excess of": "over", "upwards of": "over", "pass": "over",
    "a little over": "over", "comfortably over": "over",
    "less than": "under", "below": "under", "under": "under", "fewer than": "under",
    "just under": "under", "just short of": "under", "short of": "under",
    "at least": "at_least", "no fewer than": "at_least", "not less than": "at_least",
    "no less than": "at_least", "not fewer than": "at_least",
    "up to": "at_most", "no more than": "at_most", "not more than": "at_most",
    "will not exceed": "at_most", "not exceed": "at_most", "at most": "at_most",
}


def starter_ids():
    text = STARTER.read_text(encoding="utf-8")
    orig, new = set(), set()
    part = None
    for line in text.splitlines():
        if line.startswith("## "):
            part = "new" if "New ids" in line else "orig"
        m = re.match(r"^\| ([a-z_0-9]+\.[a-z_.0-9]+) \|", line)
        if m:
            (new if part == "new" else orig).add(m.group(1))
    return orig, new


def report_files():
    return sorted(p for p in REPORTS.iterdir() if p.is_file())


def text_of(path):
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        main = re.search(r"<main\b[^>]*>(.*?)</main>", raw, re.S | re.I)
        body = main.group(1) if main else raw
        return html.unescape(re.sub(r"<[^>]+>", " ", body))
    if path.suffix == ".md":
        return re.sub(r"[*_#`>|]", " ", raw)
    return raw


def report_text(name):
    files = [p for p in report_files() if p.name.split(".")[0] == name]
    if len(files) != 1:
        raise SystemExit(f"report {name}: expected one file, found {files}")
    return text_of(files[0])


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
    return re.search(pat, text.replace("\u00a0", " ")) is not None


def words_to_digits(s):
    """Rewrite number words as digits: 'forty-two' -> 42, 'a dozen' -> 12,
    'half a million' -> 0.5 million, 'one and a half thousand' -> 1.5 thousand,
    'two-three' -> '2 3' (a range)."""
    s = s.lower()
    s = re.sub(r"\bhalf a (million|thousand|billion)\b", r"0.5 \1", s)
    s = re.sub(r"\b(one|two|three) and a half (million|thousand|billion)\b",
               lambda m: f"{UNITS_W[m.group(1)] + 0.5} {m.group(2)}", s)
    s = re.sub(r"\ba (thousand|million|billion)\b", r"1 \1", s)
    s = re.sub(r"\ba dozen\b", "12", s)
    s = re.sub(r"\b(two|three|four|five|six|seven|eight|nine|ten) dozen\b",
               lambda m: str(UNITS_W[m.group(1)] * 12), s)
    s = re.sub(r"\ba hundred\b", "100", s)
    s = re.sub(r"\b(%s)-(%s)\b" % ("|".join(TENS_W), "|".join(k for k in UNITS_W if UNITS_W[k] < 10)),
               lambda m: str(TENS_W[m.group(1)] + UNITS_W[m.group(2)]), s)
    s = re.sub(r"\b(%s)\b" % "|".join(TENS_W), lambda m: str(TENS_W[m.group(1)]), s)
    s = re.sub(r"\b(%s) hundred\b" % "|".join(UNITS_W), lambda m: str(UNITS_W[m.group(1)] * 100), s)
    s = re.sub(r"\b(%s)\b" % "|".join(UNITS_W), lambda m: str(UNITS_W[m.group(1)]), s)
    s = s.replace("-", " ")
    return s


def surface_numbers(surface):
    s = surface.replace("\u00a0", " ")
    s = re.sub(r"(\d)(bn|mln|k|m)\b", r"\1 \2", s)
    s = words_to_digits(s)
    mult = 1.0
    for w, m in MULT.items():
        if re.search(rf"\b{w}\b", s):
            mult = m
    nums = []
    for tok in re.findall(r"\d[\d,.]*\d|\d", s):
        nums.append(float(tok.replace(",", "")))
    return [n * mult for n in nums]


def num(s):
    return float(s) if s.strip() else None


def close(a, b):
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def main():
    orig, new = starter_ids()
    assert len(orig) == 22 and len(new) == 31, (len(orig), len(new))
    ids = orig | new
    errors = []
    files = report_files()
    names = [p.name.split(".")[0] for p in files]
    if len(files) != 5 or len(set(names)) != 5:
        errors.append(f"reports: expected five, found {[p.name for p in files]}")
    kinds = {p.suffix for p in files}
    for k in (".txt", ".md", ".html"):
        if k not in kinds:
            errors.append(f"reports: no {k} report")
    for p in files:
        n = len(p.read_text(encoding="utf-8"))
        if not 3000 <= n <= 7000:
            errors.append(f"{p.name}: {n} characters, not 3,000-7,000")
    with GOLD.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames) == tuple(COLS), reader.fieldnames
        rows = list(reader)
    texts, keys = {}, {}
    for i, r in enumerate(rows, 2):
        where = f"gold.csv:{i} {r['report']} {r['indicator']} {r['surface']!r}"

        def bad(msg):
            errors.append(f"{where}: {msg}")
        name = r["report"]
        if name not in names:
            bad("no such report")
            continue
        if name not in texts:
            texts[name] = report_text(name)
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
        if r["period_start"] > r["period_end"]:
            bad("period_start after period_end")
        if r["role"] in ("stated",) and not r["source"]:
            bad("a stated figure needs a source")
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
        if word.endswith(" or so"):
            found.append("some")
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
    per_id = {}
    for r in rows:
        per_id[r["indicator"]] = per_id.get(r["indicator"], 0) + 1
    missing = sorted(new - set(per_id))
    if missing:
        print("FAIL new ids not covered:", missing)
    twice = sorted(k for k in new if per_id.get(k, 0) >= 2)
    print(f"new ids covered: {len(new) - len(missing)}/{len(new)}, twice or more: {len(twice)}")
    print("new ids covered once:", sorted(k for k in new if per_id.get(k, 0) == 1))
    print("original ids covered:", sorted(k for k in orig if k in per_id))
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
