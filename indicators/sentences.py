"""Split a report into sentences that keep their offsets and their paragraph."""
from __future__ import annotations

import re
from functools import lru_cache

from .lexicon import lexicon
from .model import Report, Sentence


@lru_cache(maxsize=1)
def _abbreviations() -> frozenset[str]:
    """Words after which a full stop does not end a sentence (lexicon `abbreviations`)."""
    return frozenset(w.lower() for w in lexicon().abbreviations)

@lru_cache(maxsize=1)
def _number_abbreviations() -> frozenset[str]:
    """Multipliers written with a full stop ("3,9 bln. rubles", "1,3 thous. servicemen"): the stop ends a sentence
    when a capitalised word other than a currency follows."""
    return frozenset(w.lower().rstrip(".") for w in lexicon().multipliers if w.endswith("."))


_BOUNDARY = re.compile(r"[.!?…]+[\"”’»)\]]*(?=\s+[\"“«(\[]?[A-Z0-9А-ЯЁ])|[.!?…]+[\"”’»)\]]*$")


def split_sentences(report: Report) -> list[Sentence]:
    """Sentences of every paragraph, in text order, with offsets into report.text."""
    out: list[Sentence] = []
    text = report.text
    for p_index, (p_start, p_end) in enumerate(report.paragraphs):
        start = p_start
        for m in _BOUNDARY.finditer(text, p_start, p_end):
            end = m.end()
            if text[m.start()] == "." and _is_abbreviation(text, start, m.start()):
                continue
            _emit(out, text, start, end, p_index)
            start = end
        _emit(out, text, start, p_end, p_index)
    return out


def _is_abbreviation(text: str, start: int, dot: int) -> bool:
    word = re.search(r"([\w.]+)$", text[max(start, dot - 12):dot])
    if not word:
        return False
    w = word.group(1).lower()
    if w in _number_abbreviations():  # "BYN 1.2 bln. The ministry ...": ends there, unless a currency follows
        after = re.match(r"\s*([^\s.,;:]+)(?:\s+([^\s.,;:]+))?", text[dot + 1:dot + 40])  # "USD", "US dollars"
        currency = lexicon().currency
        return bool(after and (currency(after.group(1)) or after.group(2) and currency(after.group(0).strip())))
    if w in _abbreviations():
        return True
    return len(w) == 1 and w.isalpha() and text[dot - 1].isupper()  # an initial: "A. Lukashenka"


def _emit(out: list[Sentence], text: str, start: int, end: int, paragraph: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(start=start, end=end, text=text[start:end], paragraph=paragraph))
