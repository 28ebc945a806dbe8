"""Roles (reported / stated / corrected / planned) and the source a figure is attributed to."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .catalog import Catalog
from .lexicon import comparison_rx, correction_cue, lexicon, phrase_alternation
from .model import Document, Mention
from .schema import Role as Roles  # the vocabulary; `Role` below is a figure's role and source


@dataclass(frozen=True)
class Role:
    role: str
    source: str


@lru_cache(maxsize=1)
def _rx():
    raw = lexicon().roles
    verbs = phrase_alternation(raw.reporting_verbs)
    return {
        "planned": re.compile("|".join(f"(?:{p})" for p in raw.planned), re.I),  # one scan for every cue
        "correction": correction_cue(),
        "according": re.compile(rf"(?<![\w])(?:{phrase_alternation(raw.according)})\s+(?P<src>[^,;:()]{{2,90}}?)"
                                rf"(?=\s*[,;:()]|\s+(?:{phrase_alternation(raw.source_enders)})\s|$)", re.I),
        "verb": re.compile(rf"(?<![\w])(?P<v>{verbs})(?![\w])", re.I),
        "pronouns": {p.lower() for p in raw.pronouns},
        "compared": re.compile(rf"{comparison_rx(than=True).pattern}(?:\s+\w+){{0,2}}\s*$", re.I),
        "list_lead": re.compile(rf"\s*(?:(?:{phrase_alternation(raw.list_joiners)})\s+)?", re.I),
        "list_go_on": re.compile(rf"\s*(?:(?:{phrase_alternation(raw.list_joiners)})\s+)?(?:(?:{phrase_alternation(raw.list_qualifiers)})\s+)?[\d$€£]"
                                 rf"|\s*(?:{phrase_alternation(raw.list_joiners)})\s+\w+\s+\d", re.I),
        "head_split": re.compile(rf"[,;:()]\s*|\s(?:{phrase_alternation(raw.head_breaks)})\s", re.I),
        "not_a_name": frozenset(w.lower() for w in raw.not_a_name),
        "own": re.compile(rf"(?:{phrase_alternation(raw.own)})\b", re.I),
        "own_in": re.compile(rf"\b(?:{phrase_alternation(raw.own)})\b", re.I),
        "article": frozenset(w.lower() for w in raw.name_articles),
    }


def classify_roles(doc: Document, catalog: Catalog, attachments) -> list[Role]:
    """One Role per mention. Stated/corrected need a disputed attribution; planned needs a plan cue in the clause."""
    R = _rx()
    text = doc.report.text
    sources = _LazySources(doc, catalog)  # only sentences holding a figure (or just before one) are read
    by_sentence: dict[int, list[int]] = {}
    for k, m in enumerate(doc.mentions):
        by_sentence.setdefault(m.sentence, []).append(k)
    roles = [Roles.REPORTED] * len(doc.mentions)
    for k, m in enumerate(doc.mentions):
        ind = attachments[k].indicator
        if _planned(text, doc, m) or (ind and catalog.get(ind).role == Roles.PLANNED):
            roles[k] = Roles.PLANNED
    own_source = ["" for _ in doc.mentions]
    for k, m in enumerate(doc.mentions):
        src = sources[m.sentence]
        if not src:
            prev = [i for i in doc.context(m.sentence, 1) if doc.sentences[i].paragraph == doc.sentences[m.sentence].paragraph]
            if prev and _has_according(doc.sentences[prev[0]].text):
                src = sources[prev[0]]
        own_source[k] = src

    # stated / corrected: a correction cue answering figures attributed just before it
    for s_index, ks in by_sentence.items():
        sent = doc.sentences[s_index]
        cue = R["correction"].search(text, sent.start, sent.end)
        if not cue:
            continue
        corrected = [k for k in ks if doc.mentions[k].quantity.start >= cue.start()
                     and not R["compared"].search(text, max(sent.start, doc.mentions[k].quantity.start - 30),
                                              doc.mentions[k].quantity.start)]  # "against 1,000 in 2020" is a base
        if not corrected:
            continue
        earlier = [k for k in ks if doc.mentions[k].quantity.start < cue.start()
                   and _attributed(text[sent.start:cue.start()])]
        if not earlier:  # the quoted figure a sentence or a few rhetorical questions before
            for p_index in doc.context(s_index, 3):
                if p_index in by_sentence:
                    if sources[p_index] or _attributed(doc.sentences[p_index].text):
                        earlier = by_sentence[p_index]
                    break
        kinds = {(attachments[k].indicator or _klass(doc, k)) for k in corrected}
        stated = [k for k in earlier if (attachments[k].indicator or _klass(doc, k)) in kinds]
        prev = doc.context(s_index, 3)
        disputed = stated or _attributed(text[sent.start:cue.start()]) or any(
            _attributed(doc.sentences[i].text) for i in prev)
        if not disputed or cue.start() - sent.start > 40 and not stated:
            continue  # a correction answers a figure someone was just quoted as giving
        for k in stated:
            roles[k] = Roles.STATED
        for k in corrected:
            roles[k] = Roles.CORRECTED
            own_source[k] = ""
    return [Role(r, s) for r, s in zip(roles, own_source)]


def _klass(doc: Document, k: int) -> str:
    return doc.mentions[k].quantity.unit or "count"


def _has_according(sentence: str) -> bool:
    return bool(_rx()["according"].search(sentence))


class _LazySources(dict):
    def __init__(self, doc: Document, catalog: Catalog) -> None:
        super().__init__()
        self.doc, self.catalog = doc, catalog

    def __missing__(self, index: int) -> str:
        found = self[index] = _sentence_source(self.doc, self.catalog, index)
        return found


def _attributed(fragment: str) -> bool:
    R = _rx()
    return bool(R["according"].search(fragment) or R["verb"].search(fragment))


def _planned(text: str, doc: Document, m: Mention) -> bool:
    """A plan cue in the clause that holds the figure."""
    sent = doc.sentences[m.sentence]
    starts = {o.quantity.start for o in doc.mentions_by_sentence.get(m.sentence, ())}
    start, end = _clause(text, sent.start, sent.end, m.quantity.start, m.quantity.end, starts)
    clause = text[start:end]
    planned = _rx()["planned"]
    if planned.search(clause):
        return True
    lead = doc.lead(m.sentence)  # a list item takes the plan of its lead-in ("The plan includes: ...")
    return any(planned.search(doc.sentences[i].text) for i in lead)


_ASIDE_WORDS = 6  # "and, if the money is found, at most three": an aside this short does not open a clause
_CLAUSE_BREAK = re.compile(r"[;:]\s|,\s")  # dashes set off asides ("a second batch — four aircraft — yet")


def _clause(text: str, s_start: int, s_end: int, q_start: int, q_end: int, starts=frozenset()) -> tuple[int, int]:
    """The clause around a figure; a comma that only continues a list of figures, or sets off a short
    aside ("and, if funds allow, at most two"), does not end it."""
    R = _rx()

    def goes_on(pos: int) -> bool:  # the break is followed by the next figure of a list
        lead = R["list_lead"].match(text, pos)
        return lead.end() in starts or bool(R["list_go_on"].match(text, pos))

    breaks = [m for m in _CLAUSE_BREAK.finditer(text, s_start, q_start) if not goes_on(m.end())]
    start = s_start
    if breaks:
        start = breaks[-1].end()
        aside = text[start:q_start]
        if aside.rstrip().endswith(",") and len(aside.split()) <= _ASIDE_WORDS:  # a parenthetical aside between commas
            start = breaks[-2].end() if len(breaks) >= 2 else s_start
    end = s_end
    for m in _CLAUSE_BREAK.finditer(text, q_end, s_end):
        if not goes_on(m.end()):
            end = m.start()
            break
    return start, end


def _sentence_source(doc: Document, catalog: Catalog, index: int) -> str:
    """Who the sentence attributes its figures to: "according to X", "X said ..."."""
    R = _rx()
    sent = doc.sentences[index].text
    m = R["according"].search(sent)
    if m:
        return _name(catalog, m.group("src"))
    v = R["verb"].search(sent)
    if v:
        head = sent[:v.start()]
        head = R["head_split"].split(head)[-1]
        return _name(catalog, head)
    return ""


def _name(catalog: Catalog, phrase: str) -> str:
    phrase = " ".join(phrase.split()).strip(" .,'\"“”")
    if not phrase:
        return ""
    known = catalog.canonical_source(phrase)
    if known:
        return known
    words = phrase.split()
    R = _rx()
    if any(w.lower() in R["not_a_name"] for w in words):
        return ""
    if not words or words[-1].lower() in R["pronouns"] or len(words) > 6 or words[0][:1].islower() and words[0].lower() not in R["article"]:
        return ""
    if words[0].lower() in R["article"]:
        words = words[1:]
    if not words or not any(w[:1].isupper() for w in words):
        return ""
    return " ".join(words)


def future_is_planned(doc: Document, roles: list[Role], periods) -> list[Role]:
    """A figure for a period that starts after the report month cannot be a fact yet: it is a plan."""
    y, mo = doc.ref
    after = (y + (mo == 12), mo % 12 + 1)
    out = []
    for r, (start, _end, how) in zip(roles, periods):
        # only a period of the figure's own clause or its list's lead-in: another clause's or sentence's date
        # says less about it ("the budget for 2023 ... Belarus' share remains below 10 per cent")
        if r.role == Roles.REPORTED and how in ("own clause", "paired change", "named in its lead-in") \
                and (start.year, start.month) >= after:
            r = Role(Roles.PLANNED, r.source)
        out.append(r)
    return out


def implicit_corrections(doc: Document, attachments, roles: list[Role], periods) -> list[Role]:
    """"The minister claimed only 200 ... Our own monitoring: at least 640": a figure someone was quoted as
    *claiming*, followed in the next sentence by the report's own figure for the same indicator, item and
    period, is stated; the report's figure is corrected."""
    claim = _claim_verb()
    roles = list(roles)
    by_sentence: dict[int, list[int]] = {}
    for k, m in enumerate(doc.mentions):
        by_sentence.setdefault(m.sentence, []).append(k)
    for s_index, ks in by_sentence.items():
        prev = doc.context(s_index, 1)
        if not prev or prev[0] not in by_sentence:
            continue
        p_sent = doc.sentences[prev[0]]
        if not claim.search(p_sent.text) or _sentence_attributed_to_other(doc.sentences[s_index].text):
            continue
        for k in ks:
            a = attachments[k]
            if not a.indicator or roles[k].role not in (Roles.REPORTED, Roles.PLANNED):
                continue
            for j in by_sentence[prev[0]]:
                b = attachments[j]
                same_period = periods[j][0] <= periods[k][1] and periods[k][0] <= periods[j][1]
                if (b.indicator == a.indicator and (not a.item or not b.item or a.item == b.item) and same_period
                        and roles[j].role in (Roles.REPORTED, Roles.PLANNED, Roles.STATED)
                        and doc.mentions[j].quantity.value != doc.mentions[k].quantity.value):
                    roles[j] = Role(Roles.STATED, roles[j].source)
                    roles[k] = Role(Roles.CORRECTED, "")
    return roles


def _sentence_attributed_to_other(sentence: str) -> bool:
    """The sentence quotes someone else (not "we"/"our"): then it is no correction by the report."""
    R = _rx()
    m = R["according"].search(sentence)
    if m and not R["own"].match(m.group("src")):
        return True
    v = R["verb"].search(sentence)
    return bool(v and not R["own_in"].search(sentence[:v.start()]))


@lru_cache(maxsize=1)
def _claim_verb() -> re.Pattern:
    return re.compile(rf"(?<![\w])(?:{phrase_alternation(lexicon().roles.claim_verbs)})(?![\w])", re.I)


def corrected_needs_stated(attachments, roles: list[Role]) -> list[Role]:
    """A correction answers a stated figure: a figure read as `corrected` whose indicator has no `stated` figure in
    the report is the report's own estimate, `reported` ("our own monitoring suggests ..."). The claims contract
    pairs them so; every gold set agrees."""
    stated = {a.indicator for a, r in zip(attachments, roles) if a.indicator and r.role == Roles.STATED}
    return [Role(Roles.REPORTED, r.source) if r.role == Roles.CORRECTED and a.indicator not in stated else r
            for a, r in zip(attachments, roles)]
