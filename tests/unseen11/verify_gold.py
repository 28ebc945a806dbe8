"""Check tests/unseen11/gold.csv against the unseen11 reports.

usage: python tests/unseen11/verify_gold.py   (standard library only)

* every report is 3,000-7,000 characters, names its month in its title or dateline,
  and the set holds at least one .txt, one .md and one .html report;
* every gold surface occurs in its report (markup removed, whitespace-insensitive,
  whole words; for HTML only the text inside <main>);
* the numbers in the surface, after number words ("Forty-one", "a dozen",
  "half a million", "one and a half thousand", "two-three") and multipliers
  (thousand, million, billion, bn, K), give the row's value / bounds;
* value and bounds follow the qualifier rules of the claims contract, and a
  qualifier word in the surface ("upwards of", "shy of", "c.", "~", "give or take",
  "as many as", ...) agrees with the row's qualifier;
* ids come from the starter catalog (copied below), units suit the id, roles,
  qualifiers, ISO periods and flags are well formed, no two rows share a scoring key;
* every new id of the starter catalog is covered (and how many twice is printed).
Exits 1 on any failure.  References no path outside this folder.
"""
import csv
import datetime
import html
import math
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPORTS = HERE / "reports"
GOLD = HERE / "gold.csv"
COLS = ("report,report_month,indicator,item,role,qualifier,value,value_low,value_high,unit,"
        "period_start,period_end,strict_period,optional,source,surface").split(",")

# The starter catalog's ids with the units each may take (copied from the brief's id list).
COUNT = {"count"}
PROCUREMENT = {"vehicle", "aircraft", "helicopter", "battalion_set", "system", "battery", "launcher"}
ORIGINAL_IDS = {
    "cybercrime.registered": {"case"},
    "cybercrime.property_share": {"percent"},
    "personnel.training_callup": {"person"},
    "personnel.conscription": {"person"},
    "personnel.male_service_share": {"percent"},
    "territorial_defence.callup": {"person", "count"},
    "procurement.units": PROCUREMENT,
    "budget.defence_growth": {"percent"},
    "budget.law_enforcement_revision": {"percent"},
    "csto.budget": {"USD"},
    "csto.belarus_share": {"percent"},
    "mic.smic_borrowed_wage_share": {"percent"},
    "mic.smic_net_profit_growth": {"ratio"},
    "mic.smic_top3_output_share": {"percent"},
    "mic.smic_enterprises": COUNT,
    "mic.licensed_organizations": COUNT,
    "mic.smic_defence_output_share": {"percent"},
    "sanctions.eu_listed_entities": COUNT,
    "civil.local_chats": COUNT,
    "civil.local_chat_audience": {"person"},
    "civil.local_chat_audience_share": {"percent"},
    "civil.chat_audience_to_police_ratio": {"ratio"},
}
NEW_IDS = {
    "airspace.drone_incursions": {"drone"},
    "airspace.drones_downed": {"drone"},
    "airspace.balloon_incursions": {"balloon"},
    "repression.political_prisoners": {"prisoner", "person"},
    "repression.new_political_prisoners": {"prisoner", "person"},
    "repression.prisoners_released": {"prisoner", "person"},
    "repression.criminal_cases": {"case"},
    "repression.detentions": {"person", "detention"},
    "repression.searches": {"search"},
    "repression.administrative_arrests": {"person", "arrest"},
    "repression.fines": {"fine"},
    "repression.extremist_listings": {"person", "organisation"},
    "repression.extremist_materials": {"item", "material"},
    "civil.ngos_liquidated": {"organisation"},
    "civil.journalists_detained": {"journalist"},
    "civil.journalists_imprisoned": {"journalist"},
    "exercises.count": {"exercise"},
    "exercises.personnel": {"person", "serviceman"},
    "exercises.equipment": {"unit", "vehicle", "aircraft"},
    "readiness.checks": {"check"},
    "personnel.armed_forces_strength": {"person", "serviceman"},
    "budget.defence_spending": {"USD", "BYN"},
    "budget.defence_share_gdp": {"percent"},
    "mic.exports": {"USD"},
    "mic.output_growth": {"percent"},
    "cybercrime.share_of_crime": {"percent"},
    "crime.registered": {"crime", "case"},
    "crime.extremism_cases": {"case", "crime"},
    "sanctions.listed_individuals": {"person"},
    "border.crossings": {"person", "crossing"},
    "border.illegal_crossings": {"person", "attempt"},
}
IDS = {**ORIGINAL_IDS, **NEW_IDS}
ITEMS = {  # ids whose item is a closed list (others: free or empty)
    "territorial_defence.callup": {"personnel", "equipment"},
    "budget.defence_growth": {"military", "defence and law enforcement", ""},
    "repression.extremist_listings": {"persons", "organisations", ""},
}
ROLES = {"reported", "stated", "corrected", "planned"}
QUALS = {"exact", "approx", "over", "under", "at_least", "at_most", "range"}

UNITS_W = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
           "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
           "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
TENS_W = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
          "eighty": 80, "ninety": 90}
MULT = {"thousand": 1e3, "million": 1e6, "mln": 1e6, "bn": 1e9, "billion": 1e9}
PHRASES = [("one and a half", "1.5"), ("half a", "0.5"), ("a dozen", "12")]

# qualifier words at the start of a surface (longest match wins); "give or take" anywhere
QUAL_WORDS = {
    "about": "approx", "around": "approx", "approximately": "approx", "some": "approx",
    "roughly": "approx", "nearly": "approx", "almost": "approx", "circa": "approx", "c.": "approx",
    "~": "approx", "closer to": "approx",
    "over": "over", "more than": "over", "just over": "over", "above": "over", "exceeded": "over",
    "upwards of": "over", "in excess of": "over", "north of": "over", "a little over": "over",
    "past": "over",
    "less than": "under", "below": "under", "under": "under", "fewer than": "under",
    "a little under": "under", "shy of": "under", "just shy of": "under",
    "at least": "at_least", "no fewer than": "at_least", "not less than": "at_least",
    "at the very least": "at_least", "as few as": "at_least",
    "up to": "at_most", "no more than": "at_most", "not more than": "at_most",
    "as many as": "at_most", "will not exceed": "at_most",
}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


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
    mult = 1.0
    for w, m in MULT.items():
        if re.search(rf"\b{w}\b", s):
            mult = m
    if re.search(r"\d\s?k\b", s):
        mult = 1e3
    nums = []
    for tok in re.findall(r"\d[\d ,.]*\d|\d|[a-z]+(?:-[a-z]+)?", s):
        if tok[0].isdigit():
            nums.append(float(tok.replace(" ", "").replace(",", "")))
            continue
        parts = tok.split("-")
        if len(parts) == 2 and parts[0] in TENS_W and parts[1] in UNITS_W:
            nums.append(TENS_W[parts[0]] + UNITS_W[parts[1]])
        else:
            for p in parts:
                if p in UNITS_W:
                    nums.append(UNITS_W[p])
                elif p in TENS_W:
                    nums.append(TENS_W[p])
    return [n * mult for n in nums]


def qualifier_word(surface):
    low = surface.lower()
    found = []
    for k, q in QUAL_WORDS.items():
        pat = re.escape(k) + (r"\b" if k[-1].isalnum() else "")
        if re.match(pat, low):
            found.append(k)
    if found:
        k = max(found, key=len)
        return k, QUAL_WORDS[k]
    if re.search(r"\bgive or take\b", low):
        return "give or take", "approx"
    return None, None


def num(s):
    return float(s) if s.strip() else None


def close(a, b):
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def iso(s):
    try:
        datetime.date.fromisoformat(s)
        return re.fullmatch(r"\d{4}-\d{2}-\d{2}", s) is not None
    except ValueError:
        return False


def check_reports(errors):
    files = sorted(p for p in REPORTS.iterdir() if p.is_file())
    kinds = {p.suffix for p in files}
    for ext in (".txt", ".md", ".html"):
        if ext not in kinds:
            errors.append(f"no {ext} report")
    if len(files) != 5:
        errors.append(f"expected five reports, found {len(files)}")
    for p in files:
        raw = p.read_text(encoding="utf-8")
        if not 3000 <= len(raw) <= 7000:
            errors.append(f"{p.name}: {len(raw)} characters, outside 3,000-7,000")
    return {p.name.split(".")[0]: p for p in files}


def main():
    errors = []
    files = check_reports(errors)
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
        if name not in files:
            bad("no such report")
            continue
        if name not in texts:
            texts[name] = report_text(files[name])
        text = texts[name]
        if not occurs(r["surface"], text):
            bad("surface not found in report text")
        if r["indicator"] not in IDS:
            bad("indicator not in the starter catalog")
        elif r["unit"] not in IDS[r["indicator"]]:
            bad(f"unit {r['unit']} does not suit the indicator")
        if r["indicator"] in ITEMS and r["item"] not in ITEMS[r["indicator"]]:
            bad(f"item {r['item']!r} not one of {sorted(ITEMS[r['indicator']])}")
        if not re.fullmatch(r"\d{4}-\d{2}", r["report_month"]):
            bad("report_month")
        months.setdefault(name, set()).add(r["report_month"])
        if r["role"] not in ROLES:
            bad("role")
        if r["qualifier"] not in QUALS:
            bad("qualifier")
        if r["strict_period"] not in {"0", "1"} or r["optional"] not in {"0", "1"}:
            bad("flags")
        for col in ("period_start", "period_end"):
            if not iso(r[col]):
                bad(col)
        if r["period_start"] > r["period_end"]:
            bad("period_start after period_end")
        if r["role"] == "stated" and not r["source"]:
            bad("a stated figure needs its source")
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
        word, wq = qualifier_word(r["surface"])
        if word:
            if wq != q:
                bad(f"qualifier word {word!r} but qualifier {q}")
        elif q not in ("exact", "range"):
            bad("qualifier without a qualifier word in the surface")
        val = ("range", lo, hi) if q == "range" else ("value", v)
        key = (name, r["indicator"], r["item"].lower(), val)
        if key in keys:
            bad(f"duplicate scoring key with gold.csv:{keys[key]}")
        keys[key] = i
    for name, ms in months.items():
        if len(ms) != 1:
            errors.append(f"{name}: several report months {sorted(ms)}")
            continue
        y, m = next(iter(ms)).split("-")
        head = texts[name][:600]
        if not re.search(rf"{MONTHS[int(m) - 1]}\s+{y}", head, re.I):
            errors.append(f"{name}: month {MONTHS[int(m) - 1]} {y} not in its title or dateline")
    for name in files:
        if name not in months:
            errors.append(f"{name}: no gold rows")
    for e in errors:
        print("FAIL", e)
    count = {}
    for r in rows:
        count[r["indicator"]] = count.get(r["indicator"], 0) + 1
    missing = sorted(set(NEW_IDS) - set(count))
    if missing:
        print("FAIL new ids not covered:", missing)
    once = sorted(k for k in NEW_IDS if count.get(k) == 1)
    print(f"new ids covered: {len(set(NEW_IDS) & set(count))}/{len(NEW_IDS)}; covered once only: {once or 'none'}")
    print("original ids covered:", sorted(set(ORIGINAL_IDS) & set(count)))
    used = sorted({qualifier_word(r["surface"])[0] for r in rows} - {None})
    print("qualifier words in gold surfaces:", used)
    per = {}
    for r in rows:
        per[r["report"]] = per.get(r["report"], 0) + 1
    print("rows per report:", per, "total", len(rows), "optional", sum(r["optional"] == "1" for r in rows))
    ok = not errors and not missing
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
