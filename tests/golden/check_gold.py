#!/usr/bin/env python3
"""Sanity checks for the golden reports and their gold rows (tests/golden/gold.csv).

usage: python tests/golden/check_gold.py [--claims-md PATH]

For every gold row it checks that
  * the report file exists and its `report_month` agrees with the file name and with the
    other rows of the same report;
  * `indicator` is a catalog id, `item` is allowed for it, `unit` fits it, `role`,
    `qualifier`, `strict_period` and `optional` take allowed values;
  * value / value_low / value_high obey the rules (range: value = midpoint of both bounds;
    over/at_least: value_low = value; under/at_most: value_high = value; else no bounds);
  * periods are ISO dates with start <= end, and strict rows have a period;
  * the number written in `surface` (digits, number words, multipliers) gives the value,
    or the two bounds for a range;
  * `surface` occurs in the report's text, after stripping markup, running headers and
    page numbers, and collapsing ASCII whitespace (line breaks) to single spaces;
  * no two rows of a report have the same scoring key (the scorer would merge them), and
    every catalog indicator occurs in at least one report.
It uses the standard library only; the PDF report is built with make_pdf.py and read with
pypdf when those are installed, otherwise its text source is checked.
Exits 1 and lists the problems when any check fails.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import html
import html.parser
import math
import re
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPORTS = HERE / "reports"
GOLD = HERE / "gold.csv"

COLUMNS = ["report", "report_month", "indicator", "item", "role", "qualifier", "value",
           "value_low", "value_high", "unit", "period_start", "period_end", "strict_period",
           "optional", "source", "surface"]
ROLES = {"reported", "stated", "corrected", "planned"}
QUALIFIERS = {"exact", "approx", "over", "under", "at_least", "at_most", "range"}
COUNT_UNITS = {"person", "case", "vehicle", "aircraft", "helicopter", "battalion_set", "battery",
               "count"}
DESIGNATION = re.compile(r"^[A-Z][A-Za-z]*-[A-Z]*\d+[A-Za-z0-9]*(-\d+[A-Za-z0-9]*)?$")
CITY = re.compile(r"^[A-Z][a-z]+$")

# id -> (allowed units, allowed items: a set, or a regex for open item lists)
CATALOG = {
    "cybercrime.registered": ({"case"}, {""}),
    "cybercrime.property_share": ({"percent"}, {""}),
    "personnel.training_callup": ({"person"}, {""}),
    "personnel.conscription": ({"person"}, {""}),
    "personnel.male_service_share": ({"percent"}, {"Armed Forces", "other security agencies", ""}),
    "territorial_defence.callup": ({"person", "count", "vehicle"}, {"personnel", "equipment"}),
    "procurement.units": (COUNT_UNITS - {"person", "case"}, DESIGNATION),
    "budget.defence_growth": ({"percent"}, {"military", "defence and law enforcement"}),
    "budget.law_enforcement_revision": ({"percent"}, {""}),
    "csto.budget": ({"USD"}, {""}),
    "csto.belarus_share": ({"percent"}, {""}),
    "mic.smic_borrowed_wage_share": ({"percent"}, {""}),
    "mic.smic_net_profit_growth": ({"ratio"}, {""}),
    "mic.smic_top3_output_share": ({"percent"}, {""}),
    "mic.smic_enterprises": ({"count"}, {"", "manufacturing"}),
    "mic.licensed_organizations": ({"count"}, {""}),
    "mic.smic_defence_output_share": ({"percent"}, {""}),
    "sanctions.eu_listed_entities": ({"count"}, {"", "military-industrial"}),
    "civil.local_chats": ({"count"}, {""}),
    "civil.local_chat_audience": ({"person"}, CITY),
    "civil.local_chat_audience_share": ({"percent"}, CITY),
    "civil.chat_audience_to_police_ratio": ({"ratio"}, CITY),
}

# Running headers and page-number lines of the paginated reports.
PAGE_FURNITURE = [
    re.compile(r"^\s*BELARUS SECURITY MONITOR \u2014 January 2021\s*$"),
    re.compile(r"^\s*Belarus Security Blog \| Monthly report \| March 2021\s*$"),
    re.compile(r"^\s*Belarus: national security and defence\. Monthly review, October 2019\s*$"),
    re.compile(r"^\s*Page \d+ of \d+\s*$"),
    re.compile(r"^\s*\d{1,2}\s*$"),
]


# ---------------------------------------------------------------- report text

class _ArticleText(html.parser.HTMLParser):
    """Text inside <article>/<main>, without <script>/<style>; block tags become breaks."""
    BLOCKS = {"p", "h1", "h2", "h3", "h4", "li", "tr", "td", "th", "div", "br", "ul", "ol"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth_main = 0
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("article", "main"):
            self.depth_main += 1
        elif tag in ("script", "style"):
            self.skip += 1
        elif tag in self.BLOCKS and self.depth_main:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("article", "main"):
            self.depth_main -= 1
        elif tag in ("script", "style"):
            self.skip -= 1
        elif tag in self.BLOCKS and self.depth_main:
            self.parts.append("\n")

    def handle_data(self, data):
        if self.depth_main and not self.skip:
            self.parts.append(data)


def html_text(raw: bytes) -> str:
    head = raw[:2048].decode("ascii", "ignore")
    m = re.search(r"""<meta[^>]+charset=["']?([\w-]+)""", head, re.I)
    text = raw.decode(m.group(1) if m else "utf-8")
    parser = _ArticleText()
    parser.feed(text)
    return "".join(parser.parts)


def markdown_text(text: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)          # links
    text = re.sub(r"^\s{0,3}#{1,6}\s*", "", text, flags=re.M)      # headings
    text = re.sub(r"^\s*[-*+]\s+", "", text, flags=re.M)           # bullets
    text = re.sub(r"^\s*\|?\s*:?-{3,}.*$", "", text, flags=re.M)   # table rules
    text = text.replace("|", " ").replace("**", "").replace("__", "")
    return re.sub(r"(?<![\w*])\*(?!\s)([^*]+?)\*(?!\w)", r"\1", text)  # *emphasis*


def paginated_text(text: str) -> str:
    keep = [ln for ln in text.splitlines() if not any(p.match(ln) for p in PAGE_FURNITURE)]
    return "\n".join(keep)


def pdf_text(src: Path) -> str:
    try:
        sys.path.insert(0, str(HERE))
        from make_pdf import build_pdf  # noqa: E402
        from pypdf import PdfReader
    except ImportError:
        from make_pdf import to_latin1  # falls back to the text source
        return paginated_text(to_latin1(src.read_text(encoding="utf-8")))
    with tempfile.TemporaryDirectory() as tmp:
        pdf = build_pdf(src, Path(tmp) / "report.pdf")
        pages = [p.extract_text() or "" for p in PdfReader(str(pdf)).pages]
    return paginated_text("\n".join(pages))


def report_files() -> dict[str, Path]:
    files = {}
    for path in sorted(REPORTS.iterdir()):
        name = path.name
        report = name[: -len(".pdf.txt")] if name.endswith(".pdf.txt") else path.stem
        files[report] = path
    return files


def report_text(path: Path) -> str:
    name = path.name
    if name.endswith(".pdf.txt"):
        text = pdf_text(path)
    elif name.endswith((".html", ".htm")):
        text = html_text(path.read_bytes())
    elif name.endswith(".md"):
        text = markdown_text(path.read_text(encoding="utf-8"))
    else:
        text = paginated_text(path.read_text(encoding="utf-8"))
    # collapse ASCII whitespace only: NBSP and thin spaces inside numbers stay as written
    return re.sub(r"[ \t\r\n\f\v]+", " ", text).strip()


# ---------------------------------------------------------------- surface numbers

WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
WORDS.update({w: 10 * i for i, w in enumerate(
    "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if w != "_"})
WORDS["a"] = WORDS["an"] = 1
SCALES = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9}
NUMBER = re.compile(r"\d{1,3}(?:[,\u00a0\u2009 ]\d{3})+(?:\.\d+)?(?!\d)|\d+(?:\.\d+)?")


def surface_numbers(surface: str) -> list[float]:
    """The numbers written in a surface, scales applied ('from 34 to 42 thousand' applies
    the trailing 'thousand' to both)."""
    text = re.sub(r"(?<=\d)\s*[-\u2013\u2014]\s*(?=\d)", " to ", surface)  # 2-4, 5–7
    tokens = re.findall(NUMBER.pattern + r"|[A-Za-z]+", text.replace("-", " "))
    numbers: list[float] = []
    current = None
    scaled_upto = 0
    for tok in tokens:
        low = tok.lower()
        if tok[0].isdigit():
            if current is not None:
                numbers.append(current)
            current = float(re.sub(r"[,\u00a0\u2009 ]", "", tok))
        elif low in WORDS:
            if current is not None and current < 100 and WORDS[low] < 10 and current % 10 == 0 \
                    and current >= 20:
                current += WORDS[low]                      # twenty six
            else:
                if current is not None:
                    numbers.append(current)
                current = float(WORDS[low])
        elif low in SCALES and current is not None:
            if low == "hundred":
                current *= 100
            else:
                numbers.append(current * SCALES[low])
                # a trailing scale also applies to the bare numbers before it
                for i in range(scaled_upto, len(numbers) - 1):
                    if numbers[i] < SCALES[low]:
                        numbers[i] *= SCALES[low]
                current = None
                scaled_upto = len(numbers)
    if current is not None:
        numbers.append(current)
    return numbers


# ---------------------------------------------------------------- checks

def num(s: str):
    return float(s) if s.strip() else None


def close(a, b):
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def check_row(row, errors):
    where = f"{row['report']} {row['indicator']} {row['item']!r} {row['surface']!r}"

    def err(msg):
        errors.append(f"{where}: {msg}")

    if row["indicator"] not in CATALOG:
        err(f"unknown indicator {row['indicator']!r}")
        return
    units, items = CATALOG[row["indicator"]]
    if row["unit"] not in units:
        err(f"unit {row['unit']!r} not in {sorted(units)}")
    item_ok = items.match(row["item"]) if hasattr(items, "match") else row["item"] in items
    if not item_ok:
        err(f"item {row['item']!r} not allowed")
    if row["role"] not in ROLES:
        err(f"role {row['role']!r}")
    if row["strict_period"] not in ("0", "1") or row["optional"] not in ("0", "1"):
        err("strict_period / optional must be 0 or 1")
    if not re.fullmatch(r"\d{4}-\d{2}", row["report_month"]):
        err(f"report_month {row['report_month']!r}")

    q, v, lo, hi = row["qualifier"], num(row["value"]), num(row["value_low"]), num(row["value_high"])
    if q not in QUALIFIERS:
        err(f"qualifier {q!r}")
    elif q == "range":
        if lo is None or hi is None or not lo < hi or not close(v, (lo + hi) / 2):
            err(f"range needs low < high and value = midpoint: {v} {lo} {hi}")
    elif q in ("over", "at_least"):
        if not close(lo, v) or hi is not None:
            err(f"{q} needs value_low = value and no value_high")
    elif q in ("under", "at_most"):
        if not close(hi, v) or lo is not None:
            err(f"{q} needs value_high = value and no value_low")
    elif lo is not None or hi is not None:
        err(f"{q} takes no bounds")

    found = surface_numbers(row["surface"])
    if q == "range":
        if not (len(found) == 2 and close(found[0], lo) and close(found[1], hi)):
            err(f"surface gives {found}, bounds are {lo}..{hi}")
    elif not (len(found) == 1 and close(found[0], v)):
        err(f"surface gives {found}, value is {v}")

    ps, pe = row["period_start"], row["period_end"]
    if ps or pe:
        try:
            if dt.date.fromisoformat(ps) > dt.date.fromisoformat(pe):
                err("period_start after period_end")
        except ValueError:
            err(f"bad period {ps!r}..{pe!r}")
    elif row["strict_period"] == "1":
        err("strict row without a period")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims-md", type=Path, default=None,
                    help="CLAIMS.md to cross-check the catalog ids against")
    args = ap.parse_args(argv)
    errors: list[str] = []

    with GOLD.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != COLUMNS:
            errors.append(f"columns {reader.fieldnames} != {COLUMNS}")
        rows = list(reader)

    files = report_files()
    texts = {}
    months = defaultdict(set)
    keys = Counter()
    for row in rows:
        check_row(row, errors)
        rep = row["report"]
        months[rep].add(row["report_month"])
        if rep not in files:
            errors.append(f"{rep}: no report file in {REPORTS}")
            continue
        if rep not in texts:
            texts[rep] = report_text(files[rep])
        surface = re.sub(r"[ \t\r\n\f\v]+", " ", row["surface"]).strip()
        if surface not in texts[rep]:
            errors.append(f"{rep}: surface {row['surface']!r} not found in the text")
        val = (row["value_low"], row["value_high"]) if row["qualifier"] == "range" else row["value"]
        keys[(rep, row["indicator"], row["item"].lower(), str(val))] += 1

    for rep, ms in months.items():
        m = re.search(r"_(\d{4})_(\d{2})$", rep)
        if len(ms) != 1 or (m and {f"{m.group(1)}-{m.group(2)}"} != ms):
            errors.append(f"{rep}: report_month {sorted(ms)} disagrees with the name or itself")
    for key, n in keys.items():
        if n > 1:
            errors.append(f"duplicate scoring key {key} ({n} rows)")
    for rep in files:
        if rep not in months:
            errors.append(f"{rep}: report without gold rows")
        else:
            words = len(texts[rep].split())
            if not 500 <= words <= 1500:
                errors.append(f"{rep}: {words} words, expected 500-1500")
    missing = set(CATALOG) - {r["indicator"] for r in rows}
    if missing:
        errors.append(f"catalog indicators without a gold row: {sorted(missing)}")
    if args.claims_md:
        ids = set(re.findall(r"^\| `([a-z_]+\.[a-z0-9_]+)` \|", args.claims_md.read_text(), re.M))
        if ids != set(CATALOG):
            errors.append(f"catalog differs from {args.claims_md}: {sorted(ids ^ set(CATALOG))}")

    per_report = Counter(r["report"] for r in rows)
    print(f"{len(rows)} gold rows in {len(per_report)} reports: "
          + ", ".join(f"{k}={v}" for k, v in sorted(per_report.items())))
    for e in errors:
        print("ERROR", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
