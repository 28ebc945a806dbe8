"""Check tests/unseen8/gold.csv against the unseen8 reports.

usage: python3 tests/unseen8/verify_gold.py   (standard library only)

* the five reports exist (one .html, two .md, two .txt), each 3,000-7,000 characters,
  each naming its month (month name and year) in its title or dateline;
* every gold surface occurs in its report (markup removed: for .html only the <main>
  element, tags stripped and entities decoded; for .md the emphasis/heading marks;
  whitespace-insensitive, whole words);
* the numbers in the surface (digits with thousands separators, number words,
  "a dozen", k/m/bn/mln/thousand/million multipliers, and the unit multiplier of a
  table column header for bare table cells) give the row's value / bounds;
* value and bounds follow the qualifier rules of shared/spec/CLAIMS.md, and a
  qualifier word at the start of the surface agrees with the qualifier;
* ids come from /work/briefs/starter_ids.md; units, roles, qualifiers, ISO periods,
  flags and report months are well formed; no two rows share a scoring key;
* every new id of starter_ids.md is covered (and how many are covered twice or more);
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
UNITS = {"person", "prisoner", "case", "crime", "search", "arrest", "detention", "fine", "organisation",
         "item", "journalist", "exercise", "serviceman", "unit", "vehicle", "check", "drone", "balloon",
         "crossing", "attempt", "aircraft", "helicopter", "count", "percent", "ratio", "USD", "BYN", "EUR"}
ROLES = {"reported", "stated", "corrected", "planned"}
QUALS = {"exact", "approx", "over", "under", "at_least", "at_most", "range"}
UNITS_WORDS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
               "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
               "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
               "nineteen": 19}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90}
# suffix or word multipliers; "m" only glued to a number ("$8.6m")
MULT_WORDS = {"thousand": 1e3, "thous.": 1e3, "million": 1e6, "mln": 1e6, "billion": 1e9, "bn": 1e9}
MULT_SUFFIX = {"k": 1e3, "m": 1e6, "bn": 1e9, "mln": 1e6}
# bare table cells whose multiplier is in the column header: (report, surface) -> (header text, factor)
TABLE_MULT = {("u8c_defence_december", "2.1"): ("Defence budget (BYN bn)", 1e9),
              ("u8c_defence_december", "2.4"): ("Defence budget (BYN bn)", 1e9)}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
QUAL_WORDS = {"about": "approx", "around": "approx", "approximately": "approx", "some": "approx",
              "roughly": "approx", "nearly": "approx", "almost": "approx", "over": "over",
              "more than": "over", "just over": "over", "above": "over", "exceeded": "over",
              "less than": "under", "below": "under", "under": "under", "just under": "under",
              "fewer than": "under", "at least": "at_least", "no fewer than": "at_least",
              "not less than": "at_least", "up to": "at_most", "no more than": "at_most",
              "not more than": "at_most", "between": "range", "from": "range"}


def starter_ids():
    text = STARTER.read_text(encoding="utf-8")
    old_part, new_part = text.split("## New ids", 1)
    pat = r"^\| ([a-z_0-9]+\.[a-z_.0-9]+) \|"
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
    parts = [re.escape(c) for c in squash(surface)]
    pat = r"\s*".join(parts)
    if surface[0].isalnum():
        pat = r"(?<![\w.,$])" + pat
    if surface[-1].isalnum():
        pat = pat + r"(?![\w]|[.,]\d)"
    return re.search(pat, text, re.I if surface[0].isalpha() else 0) is not None


def words_value(tokens):
    """Value of a run of number words ("forty-two", "a dozen", "half a million",
    "one and a half thousand"); returns (value, consumed_multiplier)."""
    total, cur, half, consumed = 0.0, 0.0, False, False
    for t in tokens:
        if t in ("a", "and"):
            continue
        if t == "dozen":
            cur = (cur or 1) * 12
        elif t == "half":
            half = True
        elif t in UNITS_WORDS:
            cur += UNITS_WORDS[t]
        elif t in TENS:
            cur += TENS[t]
        elif t == "hundred":
            cur = (cur or 1) * 100
        elif t in ("thousand", "million"):
            f = 1e3 if t == "thousand" else 1e6
            base = cur + 0.5 if half and cur else (0.5 if half else (cur or 1))
            total += base * f
            cur, half, consumed = 0.0, False, True
        else:
            raise ValueError(t)
    if half:
        cur += 0.5
    return total + cur, consumed


NUMWORD = "|".join(list(TENS) + list(UNITS_WORDS))
WORD_RE = (r"\b(?:a dozen|half a (?:thousand|million)|(?:%s)(?:[- ](?:%s|hundred|thousand|million|and|a|half)"
           r"(?=[- ]|\b))*)\b" % (NUMWORD, NUMWORD))


def surface_numbers(surface):
    s = surface.replace("\u00a0", " ").lower()
    found = []  # (position, value, own multiplier or None)
    # digits, optionally glued to a suffix multiplier ("212k", "$8.6m", "3.6bn")
    for m in re.finditer(r"(\d[\d,]*(?:\.\d+)?)(bn|mln|k|m)?\b", s):
        found.append((m.start(), float(m.group(1).replace(",", "")),
                      MULT_SUFFIX[m.group(2)] if m.group(2) else None))
    rest = s
    for m in re.finditer(WORD_RE, s):
        toks = [t for t in re.split(r"[- ]+", m.group(0)) if t]
        while toks and toks[-1] in ("a", "and"):
            toks.pop()
        groups, prev = [[]], None
        for t in toks:  # "two-three" is a range: a digit word right after another starts a new number
            if prev in UNITS_WORDS and (t in UNITS_WORDS or t in TENS):
                groups.append([])
            groups[-1].append(t)
            prev = t
        for k, g in enumerate(groups):
            value, consumed = words_value(g)
            found.append((m.start() + k, value, 1.0 if consumed else None))
            if consumed:
                rest = rest.replace(m.group(0), " ")
    found.sort()
    word_mult = 1.0
    for w, f in MULT_WORDS.items():
        if re.search(rf"(?<![\w]){re.escape(w)}(?![\w])", rest):
            word_mult = f
    # a trailing multiplier ("between 110 and 130 thousand", "2-3k") applies to every bare number
    last = next((m for _, _, m in reversed(found) if m is not None and m != 1.0), None)
    return [v * (m if m is not None else (last if last is not None else word_mult)) for _, v, m in found]


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
    exts = sorted(p.suffix for p in files)
    if exts != [".html", ".md", ".md", ".txt", ".txt"]:
        errors.append(f"reports: want one .html, two .md, two .txt, got {exts}")
    with GOLD.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames) == tuple(COLS), reader.fieldnames
        rows = list(reader)
    texts, keys, months = {}, {}, {}
    for path in files:
        name = path.name.split(".")[0]
        texts[name] = report_text(path)
        size = len(path.read_text(encoding="utf-8"))
        plain = len(re.sub(r"\s+", " ", texts[name]).strip())
        if not 3000 <= plain <= 7000 or size > 7000:
            errors.append(f"{path.name}: {plain} characters of text, {size} in the file (want 3,000-7,000)")
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
        months.setdefault(name, r["report_month"])
        if months[name] != r["report_month"]:
            bad("report_month differs from the report's other rows")
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
        tm = TABLE_MULT.get((name, r["surface"]))
        if tm:
            if tm[0] not in texts[name]:
                bad(f"table header {tm[0]!r} not in report")
            nums = [n * tm[1] for n in nums]
        want = [lo, hi] if q == "range" else [v]
        if len(nums) != len(want) or not all(close(a, b) for a, b in zip(nums, want)):
            bad(f"surface numbers {nums} do not give {want}")
        word = r["surface"].lower()
        found = [k for k in QUAL_WORDS if re.match(rf"{re.escape(k)}\b", word)]
        if found:
            if QUAL_WORDS[max(found, key=len)] != q:
                bad(f"qualifier word {max(found, key=len)!r} but qualifier {q}")
        elif q not in ("exact", "range"):
            bad("qualifier without a qualifier word in the surface")
        if q == "range" and len(surface_numbers(r["surface"])) != 2:
            bad("range surface needs two numbers")
        val = ("range", lo, hi) if q == "range" else ("value", v)
        key = (name, r["indicator"], r["item"].lower(), val)
        if key in keys:
            bad(f"duplicate scoring key with gold.csv:{keys[key]}")
        keys[key] = i
    for name, month in months.items():
        y, m = month.split("-")
        head = texts[name][:600]
        if not re.search(rf"{MONTHS[int(m) - 1]}\s+{y}", head, re.I):
            errors.append(f"{name}: '{MONTHS[int(m) - 1]} {y}' not in its title or dateline")
    for name in texts:
        if name not in months:
            errors.append(f"{name}: no gold rows")
    for e in errors:
        print("FAIL", e)
    count = {}
    for r in rows:
        count[r["indicator"]] = count.get(r["indicator"], 0) + 1
    missing = new_ids - set(count)
    if missing:
        print("FAIL new ids not covered:", sorted(missing))
    twice = sorted(i for i in new_ids if count.get(i, 0) >= 2)
    print(f"new ids covered: {len(new_ids & set(count))}/{len(new_ids)}, twice or more: {len(twice)}")
    print(f"original ids covered: {len(old_ids & set(count))}/{len(old_ids)}:",
          ", ".join(sorted(old_ids & set(count))))
    out = subprocess.run([sys.executable, str(SHARED / "tools" / "score_claims.py"), str(GOLD), str(GOLD)],
                         capture_output=True, text=True)
    print(out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr.strip())
    self_ok = "value_f1=1.000 full_f1=1.000" in out.stdout
    per = {}
    for r in rows:
        per[r["report"]] = per.get(r["report"], 0) + 1
    print("rows per report:", per, "total", len(rows), "optional",
          sum(r["optional"] == "1" for r in rows))
    ok = not errors and not missing and self_ok
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
