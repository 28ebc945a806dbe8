"""Check tests/unseen10/gold.csv against the unseen10 reports.

usage: python3 tests/unseen10/verify_gold.py   (standard library only)

* five reports, 3,000-7,000 characters each, at least one .txt, one .md and one .html;
* every gold surface occurs in its report (markup removed: HTML tags outside <main>
  dropped and entities unescaped, markdown emphasis/heading marks blanked;
  whitespace-insensitive, whole words);
* the numbers in the surface, after multipliers (thousand, million, mln, bn, k, number
  words, "a dozen", "one and a half thousand") and, for a bare table cell, the scale
  its column header gives ("BYN mln", "USD mln"), give the row's value / bounds;
  a figure in parentheses, "(1.5)%", is negative;
* value and bounds follow the qualifier rules of shared/spec/CLAIMS.md, and a
  qualifier word at the start of the surface agrees with the qualifier;
* ids are those of /work/briefs/starter_ids.md; units, roles, qualifiers, ISO periods
  and flags are well formed; no two rows share a scoring key;
* every new id of starter_ids.md is covered (and the ids covered only once are listed);
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
UNITS = {"person", "serviceman", "prisoner", "journalist", "arrest", "detention", "fine", "search",
         "case", "crime", "check", "exercise", "unit", "vehicle", "aircraft", "helicopter", "battery",
         "drone", "balloon", "attempt", "crossing", "organisation", "organization", "enterprise",
         "entity", "item", "material", "count", "percent", "ratio", "USD", "BYN", "EUR"}
ROLES = {"reported", "stated", "corrected", "planned"}
QUALS = {"exact", "approx", "over", "under", "at_least", "at_most", "range"}
WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
         "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
PHRASES = {"a dozen": [12], "one and a half thousand": [1500]}
MULT = {"thousand": 1e3, "million": 1e6, "mln": 1e6, "bn": 1e9, "billion": 1e9, "k": 1e3}
# bare table cells whose column header carries the multiplier ("Spending, BYN mln", "USD mln")
TABLE_SCALE = {
    ("u10a_defense_monitor", "1,594.2"): 1e6,
    ("u10a_defense_monitor", "4,575.6"): 1e6,
    ("u10a_defense_monitor", "4,886.4"): 1e6,
    ("u10a_defense_monitor", "1,140"): 1e6,
    ("u10b_defense_monitor", "2,152.0"): 1e6,
    ("u10d_budget_monitor", "3,352.4"): 1e6,
    ("u10d_budget_monitor", "780"): 1e6,
}
QUAL_WORDS = {"about": "approx", "around": "approx", "approximately": "approx", "some": "approx",
              "roughly": "approx", "nearly": "approx", "almost": "approx", "~": "approx",
              "over": "over", "more than": "over", "just over": "over", "above": "over",
              "exceeded": "over", "less than": "under", "below": "under", "under": "under",
              "fewer than": "under", "at least": "at_least", "no fewer than": "at_least",
              "not less than": "at_least", "up to": "at_most", "no more than": "at_most",
              "not more than": "at_most", "will not exceed": "at_most", "between": "range",
              "from": "range"}


def starter_ids():
    text = STARTER.read_text(encoding="utf-8")
    original, new = text.split("## New ids", 1)
    pat = r"^\| ([a-z_0-9]+\.[a-z_.0-9]+) \|"
    return set(re.findall(pat, original, re.M)), set(re.findall(pat, new, re.M))


def report_files():
    return {p.name.split(".")[0]: p for p in sorted(REPORTS.iterdir()) if p.is_file()}


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


def surface_numbers(report, surface):
    s = surface.replace("\u00a0", " ")
    low = s.lower()
    for phrase, nums in PHRASES.items():
        if phrase in low:
            return [float(n) for n in nums]
    mult = TABLE_SCALE.get((report, surface), 1.0)
    for w, m in MULT.items():
        if re.search(rf"(?<=\d)\s*{w}\b|\b{w}\b", s):
            mult = m
    negative = bool(re.fullmatch(r"\(\s*[\d.,]+\s*\)\s*%?", s)) or s.startswith(("-", "\u2212"))
    nums = []
    for tok in re.findall(r"\d[\d,.]*\d|\d|\b[a-z]+\b", low):
        if tok in WORDS:
            nums.append(float(WORDS[tok]))
        elif tok[0].isdigit():
            nums.append(float(tok.replace(",", "")))
    return [(-n if negative else n) * mult for n in nums]


def num(s):
    return float(s) if s.strip() else None


def close(a, b):
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def main():
    original, new = starter_ids()
    assert len(original) == 22 and len(new) >= 30, (len(original), len(new))
    ids = original | new
    errors = []
    files = report_files()
    if len(files) != 5:
        errors.append(f"expected five reports, found {sorted(files)}")
    exts = {p.suffix for p in files.values()}
    if not {".txt", ".md", ".html"} <= exts:
        errors.append(f"need .txt, .md and .html reports, have {exts}")
    for name, p in files.items():
        n = len(p.read_text(encoding="utf-8"))
        if not 3000 <= n <= 7000:
            errors.append(f"{p.name}: {n} characters, outside 3,000-7,000")
    texts = {name: report_text(p) for name, p in files.items()}
    with GOLD.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames) == tuple(COLS), reader.fieldnames
        rows = list(reader)
    keys = {}
    for i, r in enumerate(rows, 2):
        where = f"gold.csv:{i} {r['report']} {r['indicator']} {r['surface']!r}"

        def bad(msg):
            errors.append(f"{where}: {msg}")
        name = r["report"]
        if name not in texts:
            bad("no such report")
            continue
        if not r["surface"] or not occurs(r["surface"], texts[name]):
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
        nums = surface_numbers(name, r["surface"])
        want = [lo, hi] if q == "range" else [v]
        if len(nums) != len(want) or not all(close(a, b) for a, b in zip(nums, want)):
            bad(f"surface numbers {nums} do not give {want}")
        word = r["surface"].lower()
        found = [k for k in QUAL_WORDS if re.match(rf"{re.escape(k)}(\b|(?=\d))", word)]
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
    for name in texts:
        if not any(r["report"] == name for r in rows):
            errors.append(f"report {name} has no gold rows")
    for e in errors:
        print("FAIL", e)
    counts = {}
    for r in rows:
        counts[r["indicator"]] = counts.get(r["indicator"], 0) + 1
    missing = new - set(counts)
    if missing:
        print("FAIL new ids not covered:", sorted(missing))
    once = sorted(i for i in new if counts.get(i) == 1)
    per_report = {}
    for r in rows:
        per_report.setdefault(r["indicator"], set()).add(r["report"])
    single_report = sorted(i for i in new if len(per_report.get(i, ())) == 1)
    print(f"new ids covered: {len(new & set(counts))}/{len(new)}; original ids covered: "
          f"{len(original & set(counts))}/22")
    print("new ids with one gold row:", once or "none")
    print("new ids in one report only:", single_report or "none")
    out = subprocess.run([sys.executable, str(SHARED / "tools" / "score_claims.py"), str(GOLD), str(GOLD)],
                         capture_output=True, text=True)
    last = out.stdout.strip().splitlines()[-1:] or [out.stderr.strip()]
    print(last[0])
    self_ok = "value_f1=1.000 full_f1=1.000" in out.stdout
    by_report = {}
    for r in rows:
        by_report[r["report"]] = by_report.get(r["report"], 0) + 1
    print("rows per report:", by_report, "total", len(rows),
          "optional", sum(r["optional"] == "1" for r in rows))
    ok = not errors and not missing and self_ok
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
