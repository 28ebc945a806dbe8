"""Roles (reported / stated / corrected / planned) and the source a figure is attributed to."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from .catalog import Catalog, phrase_tokens, text_tokens
from .lexicon import caseless, comparison_rx, correction_cue, folded, lexicon, phrase_alternation
from .model import Document, Mention
from .normalise import table_cell_words
from .schema import (
    Measure,
    Role as Roles,  # the vocabulary; `Role` below is a figure's role and source
)
from .units import unit_class


@dataclass(frozen=True)
class Role:
    role: str
    source: str


@lru_cache(maxsize=1)
def _rx():
    raw = lexicon().roles
    verbs = phrase_alternation(raw.reporting_verbs)
    auxiliary = "|".join(r"(?<=(?<![\w])" + re.escape(a) + r"\s)" for a in raw.passive_auxiliaries)
    return {
        "planned": re.compile("|".join(f"(?:{p})" for p in raw.planned), re.I),  # one scan for every cue
        "correction": correction_cue(),
        "according": re.compile(rf"(?<![\w])(?:{phrase_alternation(raw.according)})\s+(?P<src>[^,;:()]{{2,90}}?)"
                                rf"(?=\s*[,;:()]|\s+(?:{phrase_alternation(raw.source_enders)})\s|$)", re.I),
        # not a participle naming its agent after a noun ("the contracts announced by the agency"), unless an
        # auxiliary makes it the sentence's passive ("was announced by", "as reported by")
        "verb": re.compile(rf"(?<![\w])(?P<v>{verbs})(?![\w])(?!\s+(?:{phrase_alternation(raw.agent_markers)})\s)"
                           rf"|(?:{auxiliary})(?P<w>{verbs})(?![\w])", re.I),
        "pronouns": {p.lower() for p in raw.pronouns},
        "compared": re.compile(rf"{comparison_rx(than=True).pattern}(?:\s+\w+){{0,2}}\s*$", re.I),
        "list_lead": re.compile(rf"\s*(?:(?:{phrase_alternation(raw.list_joiners)})\s+)?", re.I),
        "list_go_on": re.compile(rf"\s*(?:(?:{phrase_alternation(raw.list_joiners)})\s+)?(?:(?:{phrase_alternation(raw.list_qualifiers)})\s+)?[\d$€£]"
                                 rf"|\s*(?:{phrase_alternation(raw.list_joiners)})\s+\w+\s+\d", re.I),
        "head_split": re.compile(rf"[,;:()]\s*|\s(?:{phrase_alternation(raw.head_breaks)})\s", re.I),
        "not_a_name": frozenset(w.lower() for w in raw.not_a_name),
        "own": re.compile(rf"(?:{phrase_alternation(raw.own)})\b", re.I),
        "own_in": re.compile(rf"\b(?:{phrase_alternation(raw.own)})\b", re.I),
        "own_speaks": re.compile(rf"(?<![\w])(?:{phrase_alternation(raw.own_subjects)})\s+(?:\w+\s+)?(?:{verbs})(?![\w])", re.I),
        "officially": re.compile(rf"(?<![\w])(?:{phrase_alternation(raw.official_markers)})(?![\w])", re.I),
        "rebuttal": re.compile(rf"(?<![\w])(?:{phrase_alternation(raw.rebuttal)})(?![\w])", re.I),
        "their_count": re.compile(rf"\w(?:'s|\u2019s|s'|s\u2019)\s+(?:own\s+)?(?:{phrase_alternation(raw.count_nouns)})(?![\w])", re.I),
        "article": frozenset(w.lower() for w in raw.name_articles),
        "conjunction": re.compile(rf"(?<![\w])(?:{phrase_alternation(raw.clause_conjunctions)})(?![\w])", re.I),
        "revisits": re.compile(rf"(?<![\w])(?:{phrase_alternation(raw.own)})\s+(?:{phrase_alternation([*raw.earlier_markers, *lexicon().months])})"
                               rf"\s+(?:[\w-]+\s+)?(?:{phrase_alternation(raw.own_publications)})(?![\w])", re.I),
    }


@lru_cache(maxsize=1)
def _rxf() -> dict[str, re.Pattern]:
    """The patterns the roles ask of every sentence, caseless(): for folded() text."""
    R = _rx()
    out = {k: caseless(R[k]) for k in ("planned", "correction", "according", "verb", "own", "own_in", "rebuttal",
                                       "their_count", "revisits", "officially", "own_speaks")}
    out["claim_verb"] = caseless(_claim_verb())
    return out


@lru_cache(maxsize=1)
def _gates() -> dict[str, frozenset | None]:
    """The words (text_tokens) one of which a sentence must hold for a phrase pattern of the roles to match there:
    the first words of its phrases (catalog.phrase_tokens; None: always scanned). Most sentences quote no one."""
    raw, lex = lexicon().roles, lexicon()
    return {"according": phrase_tokens(raw.according), "verb": phrase_tokens(raw.reporting_verbs),
            "own_in": phrase_tokens(raw.own), "revisits": phrase_tokens(raw.own),
            "rebuttal": phrase_tokens(raw.rebuttal), "claim_verb": phrase_tokens(lex.roles.claim_verbs),
            "their_count": phrase_tokens(raw.count_nouns), "officially": phrase_tokens(raw.official_markers),
            "own_speaks": phrase_tokens(raw.own_subjects)}


def _scan(name: str, low: str, tokens: frozenset):
    """_rxf()[name].search(low), skipped when the sentence holds none of the pattern's gate words."""
    gate = _gates().get(name)
    if gate is not None and gate.isdisjoint(tokens):
        return None
    return _rxf()[name].search(low)


def _folded_report(doc: Document) -> str:
    """folded() of the report's text, remembered on the document."""
    got = doc.__dict__.get("_folded")
    if got is None:
        got = doc.__dict__["_folded"] = folded(doc.report.text)
    return got


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
        if _planned(text, doc, m) or (ind and catalog.get(ind).role == Roles.PLANNED) \
                or _change_of_planned(text, doc, k, roles):
            roles[k] = Roles.PLANNED
    for ks in by_sentence.values():  # "the 2025 budget law allocates BYN 4.3 billion ..., which the ministry puts at
        # 1.5% of GDP": the shares and changes said of a planned amount, after it in its sentence, are the plan's
        plan = next((k for k in ks if roles[k] == Roles.PLANNED and unit_class(doc.mentions[k].quantity.unit) == "currency"
                     and _plan_in_clause(text, doc, doc.mentions[k])), None)  # a cue, not only the indicator's nature
        if plan is not None:
            for k in ks:
                q = doc.mentions[k].quantity
                if k > plan and roles[k] == Roles.REPORTED and q.unit in ("percent", "ratio") \
                        and _same_statement(text[doc.mentions[plan].quantity.end:q.start]) \
                        and not _partitive().search(text, doc.mentions[plan].quantity.end, min(len(text), q.end + 12)):
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
        cue = _rxf()["correction"].search(_folded_report(doc), sent.start, sent.end)  # where it is: offsets only
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
        stated = [k for k in earlier if (attachments[k].indicator or _klass(doc, k)) in kinds
                  and not all(_other_places(doc, k, c) for c in corrected)]
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


@lru_cache(maxsize=1)
def _partitive() -> re.Pattern:
    """"$6.9 million, of which 10 per cent is Belarus' contribution", "10% of which": a part of the amount is another
    fact."""
    return re.compile(rf"(?<![\w])(?:{phrase_alternation(lexicon().partitives)})(?![\w])", re.I)


@lru_cache(maxsize=1)
def _statement_rx() -> tuple[re.Pattern, re.Pattern]:
    """(a semicolon before a word that points back, a joiner that opens another statement): the lexicon's pronouns
    and its clause joiners that do not continue a list ("while", "whereas", "but"; not "and")."""
    lex = lexicon()
    joiners = [w for w in lex.clause_joiners if w not in lex.roles.list_joiners]
    return (re.compile(rf";\s*(?:{phrase_alternation(lex.roles.pronouns)})\b", re.I),
            re.compile(rf",?\s+(?:{phrase_alternation(joiners)})\s", re.I))


def _same_statement(between: str) -> bool:
    """No new statement starts between two figures: no semicolon, unless what follows it points back ("...; that is
    about 1.4% of GDP"), no contrast ("..., while output grew 12.5%") and no full stop."""
    anaphora, contrast = _statement_rx()
    parts = between.split(";")
    return ". " not in between and not contrast.search(between) and all(anaphora.match(";" + p) for p in parts[1:])


def _klass(doc: Document, k: int) -> str:
    return doc.mentions[k].quantity.unit or "count"


def _has_according(sentence: str) -> bool:
    return bool(_scan("according", folded(sentence), text_tokens(sentence)))


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
    """A plan cue in the clause that holds the figure, or in the lead-in of its list or table."""
    return _plan_in_clause(text, doc, m) or _plan_in_lead(doc, m)


def _plan_in_clause(text: str, doc: Document, m: Mention) -> bool:
    sent = doc.sentences[m.sentence]
    starts = {o.quantity.start for o in doc.mentions_by_sentence.get(m.sentence, ())}
    cell = table_cell_words(text, sent.start, sent.end, m.quantity.start, m.quantity.end)
    if cell is not None:  # a table cell: its row's label and its column's header ("2021 plan: 1,720.1")
        return bool(_rxf()["planned"].search(folded(cell + ":")))  # the header ends where its cell begins
    start, end = _clause(text, sent.start, sent.end, m.quantity.start, m.quantity.end, starts)
    return bool(_rxf()["planned"].search(_folded_report(doc), start, end))  # `text` is the report's


def _plan_in_lead(doc: Document, m: Mention) -> bool:
    """A list item takes the plan of its lead-in ("The plan includes: ...")."""
    planned = _rxf()["planned"]
    return any(planned.search(folded(doc.sentences[i].text)) for i in doc.lead(m.sentence))


def _change_of_planned(text: str, doc: Document, k: int, roles: list[str]) -> bool:
    """"The draft allots BYN 3.9 bn to defence, 24% more than this year": a change set after a planned amount of
    the same sentence, with no stronger break than a comma between, is the plan's change."""
    m = doc.mentions[k]
    if m.quantity.measure != Measure.CHANGE or k == 0:
        return False
    prev = doc.mentions[k - 1]
    if prev.sentence != m.sentence or roles[k - 1] != Roles.PLANNED or prev.quantity.measure != Measure.LEVEL:
        return False
    between = text[prev.quantity.end:m.quantity.start]
    if "," not in between or re.search(r"[;:]|\.\s", between):
        return False
    tail = between.rsplit(",", 1)[1].split()  # ", up", ", a nominal increase of": an apposition, no new clause
    return len(tail) <= _ASIDE_WORDS - 2 and not _rx()["conjunction"].search(" ".join(tail))


_ASIDE_WORDS = 6  # "and, if the money is found, at most three": an aside this short does not open a clause
_CLAUSE_BREAK = re.compile(r"[;:]\s|,\s")  # dashes set off asides ("a second batch — four aircraft — yet")


def _clause(text: str, s_start: int, s_end: int, q_start: int, q_end: int, starts=frozenset()) -> tuple[int, int]:
    """The clause around a figure; a comma that only continues a list of figures, or sets off a short
    aside ("and, if funds allow, at most two"), does not end it."""
    R = _rx()

    def goes_on(brk: re.Match) -> bool:  # a comma followed by the next figure of a list (a semicolon opens a
        # statement of its own: "two arrived in Q1; four more are due by year-end")
        if brk.group().startswith(";"):
            return False
        lead = R["list_lead"].match(text, brk.end())
        return lead.end() in starts or bool(R["list_go_on"].match(text, brk.end()))

    breaks = [m for m in _CLAUSE_BREAK.finditer(text, s_start, q_start) if not goes_on(m)]
    start = s_start
    if breaks:
        start = breaks[-1].end()
        aside = text[start:q_start]
        if aside.rstrip().endswith(",") and len(aside.split()) <= _ASIDE_WORDS:  # a parenthetical aside between commas
            start = breaks[-2].end() if len(breaks) >= 2 else s_start
    end = s_end
    for m in _CLAUSE_BREAK.finditer(text, q_end, s_end):
        if not goes_on(m):
            end = m.start()
            break
    return start, end


def _sentence_source(doc: Document, catalog: Catalog, index: int) -> str:
    """Who the sentence attributes its figures to: "according to X", "X said ..."."""
    R = _rx()
    sent = doc.sentences[index].text
    low, tokens = folded(sent), text_tokens(sent)
    m = _scan("according", low, tokens)
    if m:
        return _name(catalog, sent[m.start("src"):m.end("src")])
    v = _scan("verb", low, tokens)
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


PUBLICATION_DAYS = 45  # a monthly report comes out within weeks of its month: "as of 1 September" in August's issue


def future_is_planned(doc: Document, roles: list[Role], periods) -> list[Role]:
    """A figure for a period that starts after the report month cannot be a fact yet: it is a plan. A single day
    within PUBLICATION_DAYS after the month ("political prisoners as of 1 September" in August's issue) is the
    date the report was written, not a plan. A figure planned only by its list's or table's lead-in whose own clause
    names a period already over (a table row "Year: 2023") is a report."""
    y, mo = doc.ref
    after = (y + (mo == 12), mo % 12 + 1)
    soon = date(after[0], after[1], 1) + timedelta(days=PUBLICATION_DAYS)
    out = []
    for k, (r, (start, end, how)) in enumerate(zip(roles, periods)):
        # only a period of the figure's own clause or its list's lead-in: another clause's or sentence's date
        # says less about it ("the budget for 2023 ... Belarus' share remains below 10 per cent")
        if r.role == Roles.REPORTED and how in ("own clause", "paired change", "named in its lead-in") \
                and (start.year, start.month) >= after and not (start == end and start <= soon):
            r = Role(Roles.PLANNED, r.source)
        elif r.role == Roles.PLANNED and how in ("own clause", "sentence") and (end.year, end.month) < (y, mo):
            if not _plan_in_clause(doc.report.text, doc, doc.mentions[k]):  # a table row "Year: 2023" of a budget
                r = Role(Roles.REPORTED, r.source)
        out.append(r)
    return out


CHECK_SENTENCES = 12  # how far a fact-check's reading of the numbers may run after its claim, in sentences
DISPUTE_SENTENCES = 3  # how far back (in sentences) a report's own figure may answer a quoted one
DISPUTE_PARAGRAPHS = 1  # ... across at most one paragraph break ("'Forty-one,' the ministry said." / "Our count: 58.")
_WEAK_PERIOD = ("report month", "named in an earlier sentence")  # a period the figure's own sentence does not give
_WEAK_ANSWER_PERIOD = (*_WEAK_PERIOD, "sentence")  # an answer's period from another clause: likely the quoted one's


@lru_cache(maxsize=1)
def _check_rx() -> tuple[re.Pattern, re.Pattern, re.Pattern, re.Pattern]:
    """(a claim label opening a sentence or following a rule line, a verdict label opening one, a verdict that
    upholds the claim, a verdict label anywhere), on folded text."""
    R = lexicon().roles
    lead = r"(?:^|[-=_*]{3,}\s*)"
    verdict = rf"(?:{phrase_alternation(R.verdict_labels)})\s*:"
    return (re.compile(rf"{lead}(?:{phrase_alternation(R.claim_labels)})\s*:"),
            re.compile(rf"^{verdict}\s*"),
            re.compile(rf"(?:{phrase_alternation(R.verdicts_upheld)})(?![\w])"),
            re.compile(rf"(?<![\w]){verdict}"))


def _checked_claims(doc: Document) -> dict[int, int]:
    """Fact-checks ("Claim: ..." / "Verdict: Misleading." / the desk's reading): every sentence of a check's
    reading, after a verdict that does not uphold the claim and up to the next claim, CHECK_SENTENCES at most,
    mapped to the claim's sentence. The desk's figures there answer the claim's."""
    claim_rx, verdict_rx, upheld_rx, any_verdict = _check_rx()
    out: dict[int, int] = {}
    if not any_verdict.search(_folded_report(doc)):
        return out  # no fact-check in the report: most reports are none
    claim, disputed = None, False
    for i, s in enumerate(doc.sentences):
        low = folded(s.text)
        if claim_rx.search(low):
            claim, disputed = i, False
            continue
        if claim is None:
            continue
        verdict = verdict_rx.match(low)
        if verdict:
            disputed = not upheld_rx.match(low, verdict.end())
        elif disputed and i - claim <= CHECK_SENTENCES:
            out[i] = claim
    return out


def disputes(doc: Document, attachments, roles: list[Role], periods) -> tuple[list[Role], list]:
    """A dispute spread over sentences: a figure the text attributes to someone else ("the ministry said 290";
    "Minsk claims nearly 600"), answered within DISPUTE_SENTENCES sentences by a different figure for the same
    indicator, item and period in the report's own voice ("we count", "by our reading"), after a correction cue
    ("in fact"), or, when the first was only *claimed*, by another source's count. The first is `stated`, the
    answer `corrected`; an answer whose own sentence names no period takes the stated figure's. In a fact-check
    ("Claim: ...", "Verdict: False", the desk's reading) a figure of the reading answers the claim's in any voice.

    Returns (roles, periods), both one per mention. A figure already stated or corrected by the sentence-level
    rules keeps its role.
    """
    roles, periods = list(roles), list(periods)
    _undo_disjoint(doc, attachments, roles, periods)
    by_sentence: dict[int, list[int]] = {}
    for k, m in enumerate(doc.mentions):
        if attachments[k].indicator:
            by_sentence.setdefault(m.sentence, []).append(k)
    def sentence_facts(i: int) -> Voice:
        return voice_in(doc, doc.sentences[i].text)

    checked = _checked_claims(doc)

    for s_index in sorted(by_sentence):
        units = _units(doc, s_index, by_sentence[s_index])
        earlier = [i for i in range(s_index - 1, max(-1, s_index - 1 - DISPUTE_SENTENCES), -1) if i in by_sentence
                   and doc.sentences[s_index].paragraph - doc.sentences[i].paragraph <= DISPUTE_PARAGRAPHS]
        for u, (u_start, u_end, ks) in enumerate(units):
            b_voice = sentence_facts(s_index) if len(units) == 1 else voice_in(doc, doc.report.text[u_start:u_end])
            # the quoted figure: first an earlier clause of this sentence (read from the sentence's start, where
            # its attribution stands), nearest first, then the earlier sentences
            quoted = [(voice_in(doc, doc.report.text[doc.sentences[s_index].start:units[v][1]]), units[v][2], True)
                      for v in range(u - 1, -1, -1)]
            claim = checked.get(s_index)
            for k in ks:
                if roles[k].role not in (Roles.REPORTED, Roles.PLANNED) or (roles[k].role == Roles.PLANNED and not b_voice.own):
                    continue
                sources = [*quoted, *((sentence_facts(i), by_sentence[i], False) for i in earlier)]
                if claim is not None and claim in by_sentence:  # the fact-check's claim, which its verdict disputes
                    sources.insert(0, (_CLAIM_VOICE, by_sentence[claim], False))
                for a_voice, candidates, near in sources:
                    is_claim = a_voice is _CLAIM_VOICE
                    if not is_claim and (not a_voice.quotes or not b_voice.answers(a_voice)):
                        continue
                    match = [j for j in candidates
                             if _same_thing(doc, attachments, roles, periods, j, k, b_voice.cue or is_claim, near)]
                    if match:
                        j = match[-1]
                        roles[j] = Role(Roles.STATED, roles[j].source)
                        roles[k] = Role(Roles.CORRECTED, "")
                        if periods[k][2] in _WEAK_ANSWER_PERIOD:
                            periods[k] = periods[j]
                        break
    for k, r in enumerate(roles):  # "the MoD names 5 since January; by our count, at least 7": the same period
        if r.role != Roles.CORRECTED or periods[k][2] not in _WEAK_ANSWER_PERIOD:
            continue
        s_k = doc.mentions[k].sentence
        for j in range(k - 1, -1, -1):  # mentions are in text order: stop once out of reach (linear in the report)
            if s_k - doc.mentions[j].sentence > DISPUTE_SENTENCES:
                break
            if roles[j].role == Roles.STATED and attachments[j].indicator == attachments[k].indicator:
                periods[k] = periods[j]
                break
    return roles, periods


_UNIT_BREAK = re.compile(r";\s")  # "the MoD names 5 since January; by our count, at least 7": two voices


def _units(doc: Document, s_index: int, ks: list[int]) -> list[tuple[int, int, list[int]]]:
    """The sentence's discourse units holding its figures `ks`, in order: (start, end, figures), offsets in the
    report's text. Clauses joined by a semicolon may speak in two voices, one quoting and one answering; a sentence
    without a semicolon between two of its figures is one unit."""
    sent = doc.sentences[s_index]
    cuts = [m.end() for m in _UNIT_BREAK.finditer(doc.report.text, sent.start, sent.end)]
    if not cuts:
        return [(sent.start, sent.end, ks)]
    bounds = list(zip([sent.start, *cuts], [*cuts, sent.end]))
    units = [(a, b, [k for k in ks if a <= doc.mentions[k].quantity.start < b]) for a, b in bounds]
    return [u for u in units if u[2]]


def _undo_disjoint(doc: Document, attachments, roles: list[Role], periods) -> None:
    """A figure the sentence rules read as `stated` whose own clause dates it to a period no `corrected` figure of
    its indicator shares, and which is still to come ("the army should be 75,000-strong by 2028 ... in our estimate
    about 50,000 today"), was not corrected: it is a plan. A past date is left alone: it is often only when the
    figure was said ("said on April 6"). Likewise a stated figure and its sentence's corrections whose clauses each
    name a period of their own, and different ones, are two measures, both reported. (In place.)"""
    y, mo = doc.ref
    corrected: dict[str, list[int]] = {}  # per indicator, once: a report's stated figures are many in a long one
    for k, q in enumerate(roles):
        if q.role == Roles.CORRECTED:
            corrected.setdefault(attachments[k].indicator, []).append(k)
    for j, r in enumerate(roles):
        if r.role != Roles.STATED or periods[j][2] != "own clause":
            continue
        ind = attachments[j].indicator
        answers = [k for k in corrected.get(ind, ()) if roles[k].role == Roles.CORRECTED]
        later = (periods[j][0].year, periods[j][0].month) > (y, mo)
        # an answer whose own sentence names no period speaks of the quoted one ("by our estimate, 2.7%")
        if later and answers and not any(periods[k][2] in _WEAK_ANSWER_PERIOD
                                         or periods[k][0] <= periods[j][1] and periods[j][0] <= periods[k][1]
                                         for k in answers):
            roles[j] = Role(Roles.PLANNED, r.source)
            continue
        # "X counted 126 in September alone, and by our own reckoning no fewer than 200 over the quarter": each
        # clause dates its own figure, to different periods; two measures, no correction
        mine = [k for k in answers if doc.mentions[k].sentence == doc.mentions[j].sentence]
        if mine and all(periods[k][2] == "own clause" and periods[k][:2] != periods[j][:2] for k in mine):
            roles[j] = Role(Roles.REPORTED, r.source)
            for k in mine:
                roles[k] = Role(Roles.REPORTED, "")


@dataclass(frozen=True)
class Voice:
    """Who speaks in a sentence, for disputes: someone else (a reporting verb or "according to" naming another),
    the report itself ("we", "our"), a claim verb, a correction or rebuttal cue, someone's own count
    ("Viasna's count")."""

    other: bool
    own: bool
    claimed: bool
    cue: bool
    their_count: bool
    revisits: bool = False  # quotes the report's own earlier issue ("our October chronicle gave 1,980")

    @property
    def quotes(self) -> bool:
        """The sentence quotes someone's figure (a claim even in the report's own words: "we were told ... claims"),
        or the report's own earlier issue."""
        return (self.other or self.claimed) and (not self.own or self.claimed) or self.revisits

    def answers(self, quoted: Voice) -> bool:
        """This sentence can answer a figure quoted in `quoted`'s sentence: in the report's own voice, with a
        correction or rebuttal cue, with someone's own count, or with another source when the first only claimed;
        any later sentence revises a figure of the report's own earlier issue."""
        return self.own and not self.other or self.cue or self.their_count or quoted.claimed and self.other \
            or quoted.revisits and not self.revisits


_CLAIM_VOICE = Voice(other=True, own=False, claimed=True, cue=False, their_count=False)  # a fact-check's claim


def voice_in(doc: Document, text: str) -> Voice:
    """voice() of a stretch of the document's text, remembered on the document: the linking of answers (attach.py)
    and the disputes ask about the same sentences."""
    cache = doc.__dict__.setdefault("_voices", {})
    got = cache.get(text)
    if got is None:
        got = cache[text] = voice(text)
    return got


def voice(sentence: str) -> Voice:
    """The Voice of one sentence's text."""
    low, tokens = folded(sentence), text_tokens(sentence)
    return Voice(_sentence_attributed_to_other(low, tokens), bool(_scan("own_in", low, tokens)),
                 bool(_scan("claim_verb", low, tokens)),
                 bool(_rxf()["correction"].search(low) or _scan("rebuttal", low, tokens)),
                 bool(_scan("their_count", low, tokens)), bool(_scan("revisits", low, tokens)))


def _same_thing(doc: Document, attachments, roles, periods, j: int, k: int, rebutted: bool = False,
                same_sentence: bool = False) -> bool:
    """Figure j (quoted) and figure k (the answer) are two values for one thing: same indicator and item, other
    values, the same period, or one of them with no period of its own; when the answer says the quoted figure is
    wrong (`rebutted`), periods that overlap. A plan with a date of its own ("by 2027") is another thing than
    today's figure, unless the answer, with no date of its own, follows in the same sentence ("will not exceed
    1.4% in 2026; by our counting it is 2.5%")."""
    a, b = attachments[j], attachments[k]
    qa, qb = doc.mentions[j].quantity, doc.mentions[k].quantity
    if a.indicator != b.indicator or a.item and b.item and a.item != b.item:
        return False
    if _other_places(doc, j, k):
        return False  # "the Polish side reported 19 violations" / "23 drones entered the airspace of Belarus"
    if (qa.value, qa.low, qa.high) == (qb.value, qb.low, qb.high):
        return False
    if roles[j].role not in (Roles.REPORTED, Roles.PLANNED, Roles.STATED):
        return False
    pa, pb = periods[j], periods[k]
    if pa[:2] == pb[:2] or pa[2] in _WEAK_PERIOD \
            or rebutted and (pa[0] <= pb[1] and pb[0] <= pa[1] or pb[2] in _WEAK_ANSWER_PERIOD):
        return True
    return (roles[j].role != Roles.PLANNED or same_sentence) and pb[2] in _WEAK_ANSWER_PERIOD


@lru_cache(maxsize=1)
def _place_rx() -> tuple[re.Pattern, dict[str, str]]:
    names = {w.lower(): place for place, words in lexicon().roles.places.items() for w in (place, *words)}
    return re.compile(rf"(?<![\w])(?:{phrase_alternation(list(names))})(?![\w])", re.I), names


def _places(doc: Document, k: int) -> frozenset:
    """The countries the figure's clause names, from its start (or the semicolon before it) to the end of the
    words after the figure (up to a comma or a dash: "..., because Russian units ..." is about something else)
    (lexicon roles.places: a country, its adjective, its capital): two figures about different countries are no
    dispute."""
    rx, names = _place_rx()
    m = doc.mentions[k]
    text, sent = doc.report.text, doc.sentences[m.sentence]
    a = text.rfind(";", sent.start, m.quantity.start) + 1 or sent.start  # its clause, up to the figure's own words
    cut = _PLACE_END.search(text, m.quantity.end, m.segment[1])
    return frozenset(names[h.group().lower()] for h in rx.finditer(text, a, cut.start() if cut else m.segment[1]))


_PLACE_END = re.compile(r"[,;:()\u2014\u2013]|\s-\s")  # after a figure, its own words end at a comma or a dash


def _other_places(doc: Document, j: int, k: int) -> bool:
    """Figures j and k are said of different countries: each clause names some, and none in common."""
    pa, pb = _places(doc, j), _places(doc, k)
    return bool(pa and pb and pa.isdisjoint(pb))


def _sentence_attributed_to_other(low: str, tokens: frozenset) -> bool:
    """The sentence (its folded() text and text_tokens()) quotes someone else (not "we"/"our"): then it is no
    correction by the report."""
    m = _scan("according", low, tokens)
    if m and not _rxf()["own"].match(m.group("src")):
        return True
    if _scan("officially", low, tokens):
        return True  # "officially ~7,000 troops": the authorities' figure
    v = _scan("verb", low, tokens)
    if not v or _rxf()["own_in"].search(low[:v.start()]):
        return False
    # "Counting the units named in the press releases, we put participation at ...": the report's own verb after
    # the other one makes the sentence its own say
    own = _scan("own_speaks", low, tokens)
    return not (own and own.start() > v.start())


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
