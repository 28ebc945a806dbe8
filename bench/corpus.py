"""A synthetic corpus of monthly reports, generated from the project's own templates.

Templates are the sentences of the sample reports (seeds/ and the report sets under tests/)
and of the golden cases (tests/cases/claims.yaml, quantities.yaml, periods.yaml): real prose
with real phrasings and distractors. Each generated report gets a title with its month and
paragraphs of two to six sentences; a sentence carries figures as often as the seeds' do
(about one in four), or as often as asked (`share`). Figures are fresh: every number that is
not a year or part of a designation is redrawn with the same number of digits and the same
separators, so no two reports repeat each other's values.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
# a figure: digits with optional thousands separators and decimals, not glued to letters or hyphens
_FIGURE = re.compile(r"(?<![\w\-./])\d{1,3}(?:(?P<sep>[,\u00a0 ])\d{3})+(?:\.\d+)?(?![\w\-]|\.\d)"
                     r"|(?<![\w\-./])\d+(?:\.\d+)?(?![\w\-]|\.\d)")
_YEAR = re.compile(r"(?:19|20)\d\d")


@dataclass(frozen=True)
class Templates:
    figures: tuple[str, ...]  # sentences with a figure
    prose: tuple[str, ...]  # sentences without a digit
    seed_share: float  # the share of the seeds' sentences that carry a figure


def _sentences(text: str) -> list[str]:
    from indicators.model import Report
    from indicators.sentences import split_sentences

    report = Report(id="t", path="t", format="txt", text=text)
    return [" ".join(s.text.split()) for s in split_sentences(report)]


def load_templates(root: Path = ROOT) -> Templates:
    from indicators.ingest import read_report

    seeds = sorted((root / "seeds").glob("*.txt"))
    files = list(seeds)
    for folder in ("golden", "heldout", "unseen3", "unseen4"):
        files += sorted(p for p in (root / "tests" / folder / "reports").glob("*") if p.suffix in (".txt", ".md"))
    sentences: list[str] = []
    seed_sentences: list[str] = []
    for f in files:
        found = _sentences(read_report(f).text)
        sentences += found
        if f in seeds:
            seed_sentences += found
    for name in ("claims.yaml", "quantities.yaml", "periods.yaml"):
        path = root / "tests" / "cases" / name
        if path.exists():
            for case in yaml.safe_load(path.read_text(encoding="utf-8")):
                if isinstance(case, dict) and case.get("text"):
                    sentences += _sentences(str(case["text"]))
    sentences = [t for t in dict.fromkeys(sentences) if len(t) >= 25]
    figures = tuple(t for t in sentences if re.search(r"\d", t))
    prose = tuple(t for t in sentences if not re.search(r"\d", t))
    if not figures or not prose or not seed_sentences:
        raise SystemExit("no templates found: run from a checkout of the project")
    share = sum(bool(re.search(r"\d", t)) for t in seed_sentences) / len(seed_sentences)
    return Templates(figures, prose, share)


def _redraw(rng: random.Random, m: re.Match) -> str:
    s = m.group()
    if _YEAR.fullmatch(s):
        return s  # years keep the periods meaningful
    out = []
    for i, ch in enumerate(s):
        if ch.isdigit():
            out.append(str(rng.randint(1, 9)) if i == 0 else str(rng.randint(0, 9)))
        else:
            out.append(ch)
    return "".join(out)


def report_text(rng: random.Random, t: Templates, year: int, month: int, target_chars: int,
                share: float) -> str:
    """A title naming the month, then paragraphs of two to six sentences; each sentence carries
    figures with probability `share`, its numbers redrawn."""
    title = f"Belarus: national security and defence. Monthly report, {MONTHS[month - 1]} {year}"
    parts = [title]
    size = len(title)
    while size < target_chars:
        para = []
        for _ in range(rng.randint(2, 6)):
            if rng.random() < share:
                para.append(_FIGURE.sub(lambda m: _redraw(rng, m), rng.choice(t.figures)))
            else:
                para.append(rng.choice(t.prose))
        p = " ".join(para)
        parts.append(p)
        size += len(p) + 2
    return "\n\n".join(parts) + "\n"


def write_corpus(folder: Path, n: int, seed: int = 1, mean_chars: int = 9000, templates: Templates | None = None,
                 share: float | None = None) -> int:
    """n reports as .txt (80%), .md (10%) and .html (10%) files; returns the characters written.

    `share`: the share of sentences with figures (default: the seeds' own share).
    """
    t = templates or load_templates()
    share = t.seed_share if share is None else share
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(n):
        year, month = 2015 + (i // 12) % 10, i % 12 + 1
        text = report_text(rng, t, year, month, int(rng.uniform(0.5, 1.5) * mean_chars), share)
        kind = rng.random()
        name = f"report_{i:05d}_{year}-{month:02d}"
        if kind < 0.1:
            paras = text.split("\n\n")
            body = "\n".join(f"<p>{_html_escape(p)}</p>" for p in paras[1:])
            data = (f"<html><head><title>{_html_escape(paras[0])}</title></head><body><h1>{_html_escape(paras[0])}</h1>\n"
                    f"{body}</body></html>")
            (folder / f"{name}.html").write_text(data, encoding="utf-8")
        elif kind < 0.2:
            (folder / f"{name}.md").write_text("# " + text, encoding="utf-8")
        else:
            (folder / f"{name}.txt").write_text(text, encoding="utf-8")
        total += len(text)
    return total


def _html_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
