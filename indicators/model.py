"""The records that flow through the pipeline; frozen so a stage cannot quietly edit another's output."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from . import schema as _schema


@dataclass(frozen=True)
class Report:
    """One report after ingest: every offset in the pipeline refers to `text`.

    `text` holds paragraphs separated by a blank line ("\\n\\n"); inside a paragraph
    whitespace is single spaces, so a paragraph is one line.
    """

    id: str
    path: str
    format: str  # txt | md | html | pdf
    text: str
    title: str = ""

    @cached_property
    def paragraphs(self) -> list[tuple[int, int]]:
        """(start, end) of each paragraph in `text` (computed once: every stage asks)."""
        spans, pos = [], 0
        for part in self.text.split("\n\n"):
            if part.strip():
                spans.append((pos, pos + len(part)))
            pos += len(part) + 2
        return spans


@dataclass(frozen=True)
class Quantity:
    """A number found in text, before it is attached to any indicator."""

    value: float
    unit: str  # pint unit string from the project's registry ("" until resolved: count)
    qualifier: str  # exact | approx | over | under | at_least | at_most | range
    start: int  # offsets of `surface` in the report text
    end: int
    surface: str
    low: float | None = None
    high: float | None = None
    noun: str = ""  # the counted noun as written ("vehicles"), "" when none
    change: str = ""  # "from" / "to" when the quantity is one side of a paired change
    measure: str = "level"  # level | change (a difference or growth: "fell 12%") | base ("from $24.7 million")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    paragraph: int  # index of its paragraph


@dataclass(frozen=True)
class TimeExpr:
    """A time expression in the text, resolved against the report month."""

    start: int
    end: int
    kind: str  # day | days | month | span | year | years | pair | same_period | same_span | window | duration ...
    begin: date | None = None
    finish: date | None = None
    second: tuple[date, date] | None = None  # the "to" side of "from March to September"
    year: int | None = None  # target year of "the same period in 2019"
    guessed: bool = False  # no year was written: it was taken from the report month ("in September", "12-16 May")
    days: int | None = None  # a rolling window's length ("over the past 30 days")
    back: int = 0  # how many windows before the one up to the text's date ("the previous 30 days")

    @property
    def event(self) -> bool:
        """A dated event ("On November 23", "in December"), usable for the paragraph's other figures."""
        return self.kind in ("day", "days", "month", "as_of")


@dataclass(frozen=True)
class Mention:
    """A quantity in its sentence, with the part of the sentence it owns (its segment)."""

    quantity: Quantity
    sentence: int  # index into Document.sentences
    segment: tuple[int, int]


# Resolving against a year no report has keeps the arithmetic simple; rows.py empties what came out of it.
UNKNOWN_REF = (4000, 6)


@dataclass(frozen=True)
class Document:
    """What every later stage reads: the report, its month, sentences, time expressions and mentions."""

    report: Report
    month: str  # YYYY-MM
    sentences: tuple[Sentence, ...]
    times: Sequence[tuple[TimeExpr, ...]]  # per sentence (found lazily, see pipeline)
    mentions: tuple[Mention, ...]

    @cached_property
    def mentions_by_sentence(self) -> dict[int, list[Mention]]:
        """The mentions of each sentence (index), in text order: stages ask per mention, so this is built once."""
        out: dict[int, list[Mention]] = {}
        for m in self.mentions:
            out.setdefault(m.sentence, []).append(m)
        return out

    @property
    def ref(self) -> tuple[int, int]:
        """(year, month) relative times resolve against; UNKNOWN_REF when the report month is unknown."""
        if not self.month:
            return UNKNOWN_REF
        y, m = self.month.split("-")
        return int(y), int(m)

    def context(self, sentence: int, limit: int) -> list[int]:
        """Indexes of the earlier sentences of the same paragraph, nearest first.

        A short paragraph (a list item, a table row, a key-figures line) also sees the short
        paragraphs before it, up to and including the heading or the colon-ended lead-in that
        opens its block.
        """
        para = self.sentences[sentence].paragraph
        lead = self._lead_ins[para] if para < len(self._lead_ins) else None
        out: list[int] = []
        i = sentence - 1
        while i >= 0 and len(out) < limit:
            p = self.sentences[i].paragraph
            if p != para and (lead is None or p < lead):
                break
            out.append(i)
            i -= 1
        return out

    def lead(self, sentence: int) -> list[int]:
        """The sentences of the heading or lead-in of a short paragraph's block (nearest first), else []."""
        para = self.sentences[sentence].paragraph
        lead = self._lead_ins[para] if para < len(self._lead_ins) else None
        if lead is None:
            return []
        return [i for i in range(sentence - 1, -1, -1) if self.sentences[i].paragraph == lead]

    @cached_property
    def _lead_ins(self) -> list[int | None]:
        return [self._lead_in(p) for p in range(len(self.report.paragraphs))]

    def _lead_in(self, paragraph: int) -> int | None:
        """The paragraph that opens the block of short paragraphs `paragraph` belongs to."""
        if len(self._para_text(paragraph)) >= 200:
            return None
        for p in range(paragraph - 1, max(-1, paragraph - 16), -1):
            text = self._para_text(p).rstrip()
            if text.endswith(":") or _heading_like(text):
                return p
            if len(text) >= 200:
                return None
        return None

    def _para_text(self, paragraph: int) -> str:
        start, end = self.report.paragraphs[paragraph]
        return self.report.text[start:end]


def _heading_like(text: str) -> bool:
    """A short title line: few words, no closing punctuation ("Local chats (own count)", "1. OVERVIEW")."""
    return (0 < len(text) < 80 and len(text.split()) <= 10 and not text.endswith((".", "!", "?", ";", ","))
            and (text[:1].isupper() or text[:1].isdigit()) and not any(c.isdigit() for c in text.split(":")[-1][-3:]))


@dataclass(frozen=True)
class Claim:
    """One row of the extractor's claims table (the `x-extracted` columns of data/claims.schema.yaml)."""

    report: str
    report_month: str
    indicator: str
    item: str
    role: str
    qualifier: str
    value: float
    value_low: float | None
    value_high: float | None
    unit: str
    period_start: str
    period_end: str
    source: str
    surface: str
    sentence: str
    char_start: int
    char_end: int
    measure: str = "level"  # level | change | base (schema.Measure)
    confidence: float | None = None  # the linker's probability that `indicator` is right; None when unattached
    notes: tuple[str, ...] = field(default=(), compare=False)  # why the extractor was unsure


CLAIM_COLUMNS = _schema.CLAIM_COLUMNS  # the fields above, in the order of data/claims.schema.yaml
