"""Check tests/unseen12/gold.csv against the unseen12 reports.

usage: python3 tests/unseen12/verify_gold.py   (standard library only; the self-score step runs
shared/tools/score_claims.py with the same interpreter)

* five reports, 3,000-7,000 characters each, at least one .txt, one .md and one .html;
* every report names its week ("Feb 24 - Mar 2, 2025"); report_month is the month the week ends in,
  and no reported/stated/corrected figure has a period ending after the week (calendar-year figures
  such as a budget year's share of GDP excepted);
* every gold surface occurs in its report (markup removed, whitespace-insensitive, whole words);
* the numbers in the surface (digits, number words such as "a dozen", "forty-two", "one and a half
  thousand", "half a million", and the multipliers K / thsd / thousand / mln / million / bln / bn /
  billion) give the row's value / bounds;
* value and bounds follow the qualifier rules of shared/spec/CLAIMS.md, and a qualifier word or sign
  at the start of the surface ("~", "approx.", "est.", "just under", "no fewer than", ...) agrees with
  the qualifier;
* ids come from /work/briefs/starter_ids.md, units, roles, qualifiers, ISO periods and flags are well
  formed, no two rows share a scoring key (report, indicator, item, value or bounds);
* every NEW id of starter_ids.md is covered (and the ids covered by one report only are listed);
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
UNITS = {"person", "prisoner", "case", "detention", "search", "arrest", "fine", "organisation", "item",
         "material", "journalist", "exercise", "serviceman", "unit", "vehicle", "aircraft", "helicopter",
         "battalion_set", "battery", "system", "check", "crime", "crossing", "attempt", "drone", "balloon",
         "count", "percent", "ratio", "USD", "BYN", "EUR", "RUB"}
ROLES = {"reported", "stated", "corrected", "planned"}
QUALS = {"exact", "approx", "over", "under", "at_least", "at_most", "range"}
UNITS_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
               "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
               "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
        "ninety": 90}
MULT = {"k": 1e3, "thsd": 1e3, "thousand": 1e3, "mln": 1e6, "million": 1e6, "bln": 1e9, "bn": 1e9,
        "billion": 1e9}
NUMBER_WORDS = set(UNITS_WORDS) | set(TENS) | {"hundred", "dozen", "half", "a", "an", "and"}
QUAL_WORDS = {"~": "approx", "approx.": "approx", "approximately": "approx", "about": "approx",
              "around": "approx", "some": "approx", "roughly": "approx", "nearly": "approx",
              "almost": "approx", "est.": "approx",
              "over": "over", "more than": "over", "just over": "over", "above": "over",
              "exceeded": "over",
              "under": "under", "just under": "under", "less than": "under", "below": "under",
              "fewer than": "under",
              "at least": "at_least", "no fewer than": "at_least", "not less than": "at_least",
              "up to": "at_most", "no more than": "at_most", "not more than": "at_most",
              "at most": "at_most"}
MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}


def starter_ids():
    text = STARTER.read_text(encoding="utf-8")
    head, _, new = text.partition("## New ids")
    pat = r"^\| ([a-z_0-9]+\.[a-z_.0-9]+) \|"
    return set(re.findall(pat, head, re.M)), set(re.findall(pat, new, re.M))


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
        return re.sub(r"[*_#`>|]", " ", raw)
    return raw


def week_end(text):
    m = re.search(r"\b([A-Z][a-z]{2}) (\d{1,2})\s*[–-]\s*(?:([A-Z][a-z]{2}) )?(\d{1,2}), (\d{4})", text)
    if not m:
        return None
    mon1, _d1, mon2, d2, year = m.groups()
    return dt.date(int(year), MONTHS[mon2 or mon1], int(d2))


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


def words_value(run):
    """Value of a run of number words, or None when it holds no number."""
    if not any(w in UNITS_WORDS or w in TENS or w in ("dozen", "half") for w in run):
        return None
    s = " ".join(run)
    m = re.fullmatch(r"half an? (thousand|million|billion)", s)
    if m:
        return 0.5 * MULT[m.group(1)]
    total, half = 0, False
    for w in run:
        if w in UNITS_WORDS or w in TENS:
            total += UNITS_WORDS.get(w, 0) + TENS.get(w, 0)
        elif w == "hundred":
            total = (total or 1) * 100
        elif w == "dozen":
            total = (total or 1) * 12
        elif w == "half":
            half = True
        elif w in ("thousand", "million", "billion"):
            total = (total + (0.5 if half else 0)) * MULT[w]
            half = False
    return total + (0.5 if half else 0)


def surface_numbers(surface):
    s = surface.replace("\u00a0", " ").lower()
    tokens = re.findall(r"\d[\d,]*(?:\.\d+)?k?(?![a-z])|\d[\d,]*(?:\.\d+)?|[a-z]+", s)
    nums, run = [], []          # nums: [value, multiplied?]

    def flush():
        if run:
            v = words_value(run)
            if v is not None:
                nums.append([v, any(w in MULT for w in run)])
            run.clear()

    for tok in tokens:
        if tok[0].isdigit():
            flush()
            if tok.endswith("k"):
                nums.append([float(tok[:-1].replace(",", "")) * 1e3, True])
            else:
                nums.append([float(tok.replace(",", "")), False])
        elif tok in MULT and nums and not run and not nums[-1][1]:
            nums[-1] = [nums[-1][0] * MULT[tok], True]
        elif tok in NUMBER_WORDS or tok in ("thousand", "million", "billion"):
            run.append(tok)
        else:
            flush()
    flush()
    # "12 to 15 thousand": a trailing multiplier covers the bare numbers before it
    if nums and nums[-1][1]:
        factor = None
        for t in tokens[::-1]:
            if t in MULT:
                factor = MULT[t]
                break
            if t.endswith("k") and t[0].isdigit():
                factor = 1e3
                break
        if factor:
            for n in nums[:-1]:
                if not n[1]:
                    n[0] *= factor
                    n[1] = True
    return [n[0] for n in nums]


def num(s):
    return float(s) if s.strip() else None


def close(a, b):
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def main():
    old_ids, new_ids = starter_ids()
    assert len(old_ids) == 22 and len(new_ids) >= 25, (len(old_ids), len(new_ids))
    ids = old_ids | new_ids
    errors = []
    files = sorted(p for p in REPORTS.iterdir() if p.is_file())
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
    texts, ends, months, keys = {}, {}, {}, {}
    for i, r in enumerate(rows, 2):
        where = f"gold.csv:{i} {r['report']} {r['indicator']} {r['surface']!r}"

        def bad(msg):
            errors.append(f"{where}: {msg}")
        name = r["report"]
        if name not in texts:
            path = report_file(name)
            texts[name] = report_text(path)
            ends[name] = week_end(texts[name])
            if ends[name] is None:
                errors.append(f"{name}: no week dateline found")
        if not r["surface"] or not occurs(r["surface"], texts[name]):
            bad("surface not found in report text")
        if r["indicator"] not in ids:
            bad("indicator not in starter_ids.md")
        if not re.fullmatch(r"\d{4}-\d{2}", r["report_month"]):
            bad("report_month")
        months.setdefault(name, r["report_month"])
        if months[name] != r["report_month"]:
            bad("report_month differs between rows of one report")
        if ends[name] and r["report_month"] != ends[name].strftime("%Y-%m"):
            bad(f"report_month is not the month the week ends in ({ends[name]})")
        if r["role"] not in ROLES:
            bad("role")
        if r["qualifier"] not in QUALS:
            bad("qualifier")
        if r["unit"] not in UNITS:
            bad("unit")
        if r["strict_period"] not in {"0", "1"} or r["optional"] not in {"0", "1"}:
            bad("flags")
        try:
            start = dt.date.fromisoformat(r["period_start"])
            end = dt.date.fromisoformat(r["period_end"])
            if start > end:
                bad("period_start after period_end")
            annual = (start.month, start.day, end.month, end.day) == (1, 1, 12, 31)
            if r["role"] != "planned" and not annual and ends[name] and end > ends[name]:
                bad(f"a {r['role']} figure whose period ends after the week ({ends[name]})")
        except ValueError:
            bad("period dates are not ISO")
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
        found = [k for k in QUAL_WORDS
                 if re.match(re.escape(k) + (r"\b" if k[-1].isalnum() else ""), word)]
        if found:
            k = max(found, key=len)
            if QUAL_WORDS[k] != q:
                bad(f"qualifier word {k!r} but qualifier {q}")
        elif q not in ("exact", "range"):
            bad("qualifier without a qualifier word in the surface")
        val = ("range", lo, hi) if q == "range" else ("value", v)
        key = (name, r["indicator"], r["item"].lower(), val)
        if key in keys:
            bad(f"duplicate scoring key with gold.csv:{keys[key]}")
        keys[key] = i
    for e in errors:
        print("FAIL", e)
    by_id = {}
    for r in rows:
        by_id.setdefault(r["indicator"], set()).add(r["report"])
    missing = sorted(new_ids - set(by_id))
    if missing:
        print("FAIL new ids not covered:", missing)
    print(f"new ids covered: {len(new_ids) - len(missing)}/{len(new_ids)}; "
          f"original ids covered: {len(old_ids & set(by_id))}/{len(old_ids)}")
    print("new ids in one report only:", sorted(i for i in new_ids if len(by_id.get(i, ())) == 1))
    out = subprocess.run([sys.executable, str(SHARED / "tools" / "score_claims.py"), str(GOLD), str(GOLD)],
                         capture_output=True, text=True)
    print(out.stdout.strip() or out.stderr.strip())
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
