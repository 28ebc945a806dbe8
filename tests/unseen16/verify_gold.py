"""Check tests/unseen16/gold.csv against the unseen16 reports.

usage: python3 tests/unseen16/verify_gold.py   (standard library only)

* five reports (.md, .html, .txt; at least one of each), 3,000-7,000 characters each;
* every gold surface occurs in its report (markup removed, whitespace-insensitive,
  whole words; for .html only the text inside <main>);
* the numbers in the surface give the row's value / bounds, reading this author's
  shorthand: "~450", "1.2k", "3.5K", "$45M", "BYN 1.1B", "10k+", "x2"/"2x",
  "+15%", "-8%", "50-60", "40 to 50-ish", and number words ("a dozen",
  "forty-two", "half a million", "one and a half thousand", "a couple dozen");
* value and bounds follow the qualifier rules of shared/spec/CLAIMS.md, and the
  qualifier agrees with the qualifier word or sign in the surface ("~", "≈",
  "approx", "give or take" -> approx; "north of", "over", trailing "+" -> over;
  "under" -> under; "min.", "at least" -> at_least; "up to", "tops" -> at_most);
* ids come from /work/briefs/starter_ids.md, units, roles, qualifiers, ISO periods
  and flags are well formed, no two rows share a scoring key;
* every NEW id of starter_ids.md is covered at least once (coverage is printed);
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
IDS_FILE = Path("/work/briefs/starter_ids.md")
COLS = ("report,report_month,indicator,item,role,qualifier,value,value_low,value_high,unit,"
        "period_start,period_end,strict_period,optional,source,surface").split(",")
UNITS = {"person", "case", "vehicle", "aircraft", "helicopter", "battalion_set", "battery", "system",
         "count", "percent", "ratio", "USD", "BYN", "EUR", "RUB",
         "drone", "balloon", "prisoner", "search", "arrest", "detention", "fine", "organisation",
         "item", "material", "journalist", "exercise", "serviceman", "unit", "check", "crime",
         "crossing", "attempt"}
ROLES = {"reported", "stated", "corrected", "planned"}
QUALS = {"exact", "approx", "over", "under", "at_least", "at_most", "range"}

UNITS_W = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
           "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
           "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
TENS_W = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
          "eighty": 80, "ninety": 90}
PHRASES = [  # longest first
    (r"one and a half thousand", "1500"),
    (r"half a million", "500000"),
    (r"a couple (?:of )?dozen", "24"),
    (r"a dozen", "12"),
]
SUFFIX = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mln": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9,
          "billion": 1e9}
QWORDS = [  # (regex on the lower-cased surface, qualifier)
    (r"^(?:~|≈|approx\.?\s|about\b|around\b|some\b|roughly\b|nearly\b|almost\b|a couple)", "approx"),
    (r"give or take$", "approx"),
    (r"-ish$", "approx"),
    (r"^(?:just over|over|more than|north of|above)\b", "over"),
    (r"\d[kmb]?\+$", "over"),
    (r"^(?:just under|under|less than|fewer than|below)\b", "under"),
    (r"^(?:min\.|at least|no fewer than|not less than)", "at_least"),
    (r"^(?:up to|no more than|not more than|at most|max\.?)\b", "at_most"),
    (r"\btops$", "at_most"),
]


def starter_ids():
    text = IDS_FILE.read_text(encoding="utf-8")
    old_part, new_part = text.split("## New ids", 1)
    pat = r"^\| ([a-z_0-9]+\.[a-z_.0-9]+) \|"
    return set(re.findall(pat, old_part, re.M)), set(re.findall(pat, new_part, re.M))


def report_files():
    return sorted(p for p in REPORTS.iterdir() if p.is_file())


def report_text(path):
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        main = re.search(r"<main\b[^>]*>(.*?)</main>", raw, re.S | re.I)
        body = main.group(1) if main else raw
        body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S | re.I)
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


def words_to_digits(s):
    for pat, rep in PHRASES:
        s = re.sub(rf"\b{pat}\b", rep, s)
    def compound(m):
        return str(TENS_W[m.group(1)] + (UNITS_W[m.group(2)] if m.group(2) else 0))
    s = re.sub(rf"\b({'|'.join(TENS_W)})(?:-({'|'.join(k for k, v in UNITS_W.items() if v < 10)}))?\b",
               compound, s)
    s = re.sub(rf"\b({'|'.join(UNITS_W)})\b", lambda m: str(UNITS_W[m.group(1)]), s)
    return s


def surface_numbers(surface):
    s = words_to_digits(surface.lower().replace("\u00a0", " ").replace("\u202f", " "))
    s = re.sub(r"\bx(\d)", r"\1", s)            # "x2"
    s = re.sub(r"(\d)x\b", r"\1", s)            # "2x"
    toks = list(re.finditer(r"(\d[\d,]*(?:\.\d+)?)\s*(k|m|b|bn|mln|thousand|million|billion)?(?![a-z])", s))
    nums = []
    for t in toks:
        v = float(t.group(1).replace(",", ""))
        start = t.start()
        if start > 0 and s[start - 1] == "-" and (start == 1 or s[start - 2] in " ("):
            v = -v                              # "-8%" (but "50-60" is a range)
        mult = SUFFIX.get(t.group(2) or "", 1.0)
        nums.append([v, mult])
    # "10-15k": a multiplier on the last number only applies to the whole range
    if len(nums) == 2 and nums[0][1] == 1.0 and nums[1][1] != 1.0:
        nums[0][1] = nums[1][1]
    return [v * m for v, m in nums]


def num(s):
    return float(s) if s.strip() else None


def close(a, b):
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def main():
    old_ids, new_ids = starter_ids()
    assert len(old_ids) == 22 and len(new_ids) >= 25, (len(old_ids), len(new_ids))
    ids = old_ids | new_ids
    errors = []
    files = report_files()
    names = {p.name.split(".")[0]: p for p in files}
    exts = {p.suffix for p in files}
    if len(files) != 5 or not {".md", ".html", ".txt"} <= exts:
        errors.append(f"reports: need five files with .md, .html and .txt, got {[p.name for p in files]}")
    texts = {}
    for name, p in names.items():
        n = len(p.read_text(encoding="utf-8"))
        if not 3000 <= n <= 7000:
            errors.append(f"{p.name}: {n} characters, outside 3,000-7,000")
        texts[name] = report_text(p)
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
            bad(f"unit {r['unit']!r}")
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
        low = r["surface"].lower().strip()
        found = {qq for pat, qq in QWORDS if re.search(pat, low)}
        if q == "range":
            if found - {"approx"}:
                bad(f"range with qualifier words {found}")
        elif found:
            if found != {q}:
                bad(f"qualifier words say {found} but qualifier is {q}")
        elif q != "exact":
            bad("qualifier without a qualifier word in the surface")
        if r["role"] == "corrected" and r["source"]:
            bad("a corrected figure is the report's own: no source")
        val = ("range", lo, hi) if q == "range" else ("value", v)
        key = (name, r["indicator"], r["item"].lower(), val)
        if key in keys:
            bad(f"duplicate scoring key with gold.csv:{keys[key]}")
        keys[key] = i
    for e in errors:
        print("FAIL", e)
    cover = {}
    for r in rows:
        cover.setdefault(r["indicator"], set()).add(r["report"])
    missing = sorted(new_ids - set(cover))
    if missing:
        print("FAIL new ids not covered:", missing)
    print("new ids covered:", len(new_ids & set(cover)), "of", len(new_ids))
    print("new ids in only one report:", sorted(i for i in new_ids if len(cover.get(i, ())) == 1))
    print("original ids covered:", sorted(old_ids & set(cover)))
    out = subprocess.run([sys.executable, str(SHARED / "tools" / "score_claims.py"), str(GOLD), str(GOLD)],
                         capture_output=True, text=True)
    last = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr.strip()
    print(last)
    self_ok = "value_f1=1.000 full_f1=1.000" in out.stdout
    counts = {}
    for r in rows:
        counts[r["report"]] = counts.get(r["report"], 0) + 1
    print("rows per report:", counts, "total", len(rows), "optional",
          sum(r["optional"] == "1" for r in rows))
    ok = not errors and not missing and self_ok
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
