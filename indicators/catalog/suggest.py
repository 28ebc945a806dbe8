"""Indicator discovery: the figures no indicator claims, grouped by what they count and the words around them.

A group is one candidate series: figures of one unit (the counted noun, "percent", a currency) whose head phrase
(the words that say what the number is of) is the same. Groups are ranked by how many report months they recur
in, then by how many figures they hold: a series an analyst would want is one the reports keep coming back to.
Each group comes with example sentences and a catalog stub (YAML) that `indicators catalog check` accepts and
that attaches the group's figures once added to a catalog.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
import yaml

from ..units import _inflect, unit_class

# words that never name what a figure is of (function words and the genre's reporting verbs)
STOPWORDS = frozenset("""
a about above according across after against ago all almost also although among an and another any are around as
at be because been before being below between both but by can could did do does down during each either else
ever every few for from further had has have having he her here him his how however i if in into is it its itself
just last least less like made make many may me more most much must my near nearly next no nor not now of off on
once one only or other our out over own per reportedly said same says she should since so some such than that the
their them then there these they this those through thus to too total under until up upon us very was we were what
when where which while who whom why will with within would year years month months week weeks day days yet you
january february march april may june july august september october november december first second third fourth
quarter half this that reported according says stated told noted announced data figure figures number numbers
""".split())
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")


@dataclass(frozen=True)
class Suggestion:
    """One candidate series: its key, how often it recurs, examples, and a catalog stub."""

    id: str
    unit: str
    head: str  # the head phrase: what the figures are of ("prisoner", "unemployment rate")
    figures: int
    months: int  # distinct report months
    reports: int
    words: tuple[str, ...]  # the words that name it, shared by its sentences
    examples: tuple[str, ...]

    def stub(self) -> dict:
        """A catalog entry for this series (YAML-ready)."""
        entry = {"id": self.id, "label": self.head.capitalize() if self.head else self.id,
                 "theme": "Suggested", "unit": self.unit,
                 "description": f"Figures of {self.head or self.unit} found by `indicators suggest` "
                                f"({self.figures} figures in {self.months} report months); edit to say exactly "
                                f"what it measures."}
        if unit_class(self.unit) == "count" and self.unit != "count":
            entry["accepts"] = [self.unit.replace("_", " ")]  # its plural and aliases give the same unit
        entry["words"] = list(self.words)
        entry["examples"] = list(self.examples[:3])
        return entry

    def stub_yaml(self) -> str:
        """The stub as a YAML list item indented as the shipped catalog's are, ready to paste under `indicators:`."""
        text = yaml.safe_dump([self.stub()], sort_keys=False, allow_unicode=True, width=110)
        return "".join(f"  {line}" if line.strip() else line for line in text.splitlines(keepends=True))


@lru_cache(maxsize=4096)
def _plural(word: str) -> str:
    return _inflect().plural_noun(word) or word


@lru_cache(maxsize=8192)
def _lemma(word: str) -> str:
    w = word.lower().strip("'-")
    return _inflect().singular_noun(w) or w


def _content(text: str) -> list[str]:
    return [_lemma(w) for w in _WORD.findall(text) if w.lower() not in STOPWORDS and len(w) > 2]


def head_phrase(sentence: str, surface: str, unit: str) -> str:
    """What a figure is of: the counted noun for counts ("1,200 political prisoners" -> "political prisoner");
    for shares, money and bare numbers the nearest content words before the figure ("the unemployment rate
    stood at 5%" -> "unemployment rate")."""
    at = sentence.find(surface)
    if at < 0:
        return unit.replace("_", " ")
    if unit_class(unit) == "count" and unit not in ("count", ""):
        after = _content(sentence[at + len(surface):at + len(surface) + 40])[:2]
        noun = unit.replace("_", " ")
        if after and after[0] != noun and len(after) > 1 and after[1] == noun:
            return f"{after[0]} {noun}"  # "political prisoner": the modifier written before the noun
        return noun
    before = _content(sentence[max(0, at - 60):at])
    return " ".join(before[-2:]) if before else unit


def suggest(claims: pd.DataFrame, min_figures: int = 2, limit: int = 50, taken: set[str] | None = None
            ) -> list[Suggestion]:
    """Candidate series among the figures that attach to no indicator, best first.

    `claims` is a claims frame (extraction or the store); only rows with an empty `indicator` are read.
    A group needs at least `min_figures` figures. `taken`: ids already in the catalog (stubs never reuse one)."""
    free = claims[claims["indicator"].astype(str) == ""]
    if free.empty:
        return []
    taken = set(taken or ())
    rows = []
    for r in free.itertuples(index=False):
        unit = str(r.unit or "count")
        rows.append((unit, head_phrase(str(r.sentence), str(r.surface), unit), str(r.report),
                     str(r.report_month), str(r.sentence)))
    groups: dict[tuple[str, str], list[tuple]] = {}
    for row in rows:
        if row[1] and row[1] != "count":
            groups.setdefault((row[0], row[1]), []).append(row)
    out = []
    for (unit, head), members in groups.items():
        if len(members) < min_figures:
            continue
        sentences = list(dict.fromkeys(m[4] for m in members))
        if unit_class(unit) == "count" and unit != "count":
            words = [head]  # the counted noun names the series (phrases match its plural too)
        else:
            words = _shared_words(sentences, head)
        if not words:
            continue
        slug = re.sub(r"[^a-z0-9]+", "_", head.lower()).strip("_") or "series"
        sid, k = f"suggested.{slug}", 2
        while sid in taken:
            sid, k = f"suggested.{slug}_{k}", k + 1
        taken.add(sid)
        out.append(Suggestion(id=sid, unit=unit, head=head, figures=len(members),
                              months=len({m[3] for m in members if m[3]}), reports=len({m[2] for m in members}),
                              words=tuple(words), examples=tuple(sentences[:3])))
    out.sort(key=lambda s: (-s.months, -s.figures, s.id))
    return out[:limit]


def _shared_words(sentences: list[str], head: str) -> list[str]:
    """The phrases that name the series: the head phrase, and its content words found in most sentences."""
    counts = Counter(w for s in sentences for w in set(_content(s)))
    need = max(1, (len(sentences) + 1) // 2)
    head_words = _content(head)
    if head_words and all(counts[w] >= need for w in head_words):
        forms = {head, _plural(head)} | {w for w in head_words if len(w) > 3}
        return sorted(forms, key=len, reverse=True)
    common = [w for w, n in counts.most_common(5) if n >= need]
    return common[:3]


def unattached_from_paths(paths, catalog) -> pd.DataFrame:
    """The claims of the reports at `paths` (files or folders), extracted with `catalog`."""
    from ..pipeline import extract
    return extract(paths, catalog)


__all__ = ["Suggestion", "suggest", "head_phrase", "unattached_from_paths"]
