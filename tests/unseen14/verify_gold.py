"""Check tests/unseen14/gold.csv against the unseen14 reports.

usage: python3 tests/unseen14/verify_gold.py   (standard library only)

* every gold surface occurs in its report (markup removed, whitespace-insensitive,
  whole words; for the .html report only the text inside <main>);
* the numbers in the surface, after multipliers (thousand, thous., mln., bln., bn, k,
  number words such as "forty-two", "a dozen", "one and a half thousand", "half a
  million", "two-three"), give the row's value / bounds.  A comma followed by one or
  two digits is a decimal comma ("1,5 thousand", "21,3%"); a comma followed by three
  digits, a space or a no-break space separate thousands ("1,339", "3 958");
* value and bounds follow the qualifier rules of shared/spec/CLAIMS.md, and a
  qualifier word at the start of the surface agrees with the qualifier;
* ids come from /work/briefs/starter_ids.md, roles, qualifiers, ISO periods and flags
  are well formed, units are lower-case singular nouns, percent, ratio or ISO codes;
* no two rows share a scoring key; every new id of starter_ids.md is covered;
* report files: five, 3,000-7,000 characters, .txt/.md/.html each at least once;
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
ROLES = {"reported", "stated", "corrected", "planned"}
QUALS = {"exact", "approx", "over", "under", "at_least", "at_most", "range"}
CURRENCY = {"USD", "BYN", "EUR", "RUB"}
UNITS_OTHER = {"percent", "ratio"}
SMALL = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
         "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
         "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
         "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
         "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12}
MULT = [("thousand", 1e3), ("thous.", 1e3), ("thous", 1e3), ("million", 1e6), ("mln.", 1e6),
        ("mln", 1e6), ("billion", 1e9), ("bln.", 1e9), ("bln", 1e9), ("bn", 1e9), ("k", 1e3)]
QUAL_WORDS = {"about": "approx", "around": "approx", "approximately": "approx", "some": "approx",
              "roughly": "approx", "nearly": "approx", "almost": "approx", "circa": "approx",
              "over": "over", "more than": "over", "just over": "over", "above": "over",
              "exceeded": "over", "less than": "under", "below": "under", "under": "under",
              "fewer than": "under", "at least": "at_least", "no fewer than": "at_least",
              "not less than": "at_least", "not fewer than": "at_least", "up to": "at_most",
              "no more than": "at_most", "not more than": "at_most", "will not exceed": "at_most",
              "from": "range", "between": "range"}


def ids_from_brief():
    text = IDS_FILE.read_text(encoding="utf-8")
    old_part, new_part = text.split("## New ids", 1)
    pat = re.compile(r"^\| ([a-z_0-9]+\.[a-z_.0-9]+) \|", re.M)
    return set(pat.findall(old_part)), set(pat.findall(new_part))


def report_files():
    return sorted(p for p in REPORTS.iterdir() if p.is_file())


def strip_markup(path):
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        main = re.search(r"<main\b[^>]*>(.*?)</main>", raw, re.S | re.I)
        body = main.group(1) if main else raw
        body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S | re.I)
        return html.unescape(re.sub(r"<[^>]+>", " ", body))
    if path.suffix == ".md":
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", raw)
        return re.sub(r"[*_#`>|]", " ", text)
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
    """'forty-two' -> 42, 'one and a half' -> 1.5, 'half a' -> 0.5, 'a dozen' -> 12."""
    total, seen = 0.0, False
    for w in words:
        if w in SMALL:
            if w == "hundred":
                total = (total or 1) * 100
            else:
                total += SMALL[w]
            seen = True
        elif w == "half":
            total += 0.5
            seen = True
    return total if seen else None


def surface_numbers(surface):
    s = surface.replace("\u00a0", " ").lower()
    mult = 1.0
    for w, m in MULT:
        if re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", s) or re.search(rf"\d{re.escape(w)}\b", s):
            mult = m
            break
    # a range of number words: "two-three"
    m = re.fullmatch(r"([a-z]+)-([a-z]+)", s.strip())
    if m and m.group(1) in SMALL and m.group(2) in SMALL and SMALL[m.group(1)] < 20:
        return [SMALL[m.group(1)] * mult, SMALL[m.group(2)] * mult]
    digits = re.findall(r"\d+(?:[ ,.]\d+)*", s)
    nums = []
    for tok in digits:
        tok = re.sub(r"(?<=\d) (?=\d{3}\b)", "", tok)
        tok = re.sub(r",(?=\d{3}\b)", "", tok)
        tok = tok.replace(",", ".")
        nums.append(float(tok))
    if not nums:
        words = re.findall(r"[a-z]+", s.replace("-", " "))
        w = word_number(words)
        if w is not None:
            nums.append(w)
    return [n * mult for n in nums]


def num(s):
    return float(s) if s.strip() else None


def close(a, b):
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def main():
    old_ids, new_ids = ids_from_brief()
    assert len(old_ids) == 22 and len(new_ids) == 31, (len(old_ids), len(new_ids))
    ids = old_ids | new_ids
    errors = []
    files = report_files()
    names = {p.name.split(".")[0]: p for p in files}
    if len(files) != 5:
        errors.append(f"expected five reports, found {len(files)}")
    for ext in (".txt", ".md", ".html"):
        if not any(p.suffix == ext for p in files):
            errors.append(f"no {ext} report")
    for p in files:
        n = len(p.read_text(encoding="utf-8"))
        if not 3000 <= n <= 7000:
            errors.append(f"{p.name}: {n} characters, outside 3,000-7,000")
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
            bad("no report file")
            continue
        if name not in texts:
            texts[name] = strip_markup(names[name])
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
        u = r["unit"]
        if not (u in CURRENCY or u in UNITS_OTHER or re.fullmatch(r"[a-z]+( [a-z]+)?", u)):
            bad("unit")
        if u.endswith("s") and u not in UNITS_OTHER:
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
    covered = {}
    for r in rows:
        covered[r["indicator"]] = covered.get(r["indicator"], 0) + 1
    missing = sorted(new_ids - set(covered))
    if missing:
        print("FAIL new ids not covered:", missing)
    once = sorted(k for k in new_ids if covered.get(k) == 1)
    print(f"new ids covered {len(new_ids) - len(missing)}/{len(new_ids)}; only once: {once}")
    print("original ids covered:", sorted(old_ids & set(covered)))
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
