"""Attach each quantity to the catalog indicator its sentence (and paragraph) talks about.

Generic scoring over the catalog's data: the figure's unit must fit the indicator, every
`require` group must be named in the sentence or earlier in the paragraph, and the
figure's own sentence must carry some evidence (a required phrase, a term, an item or a
telling unit). Highest score wins; below `min_score` the figure stays unattached.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from .catalog import Catalog, Indicator, Item
from .lexicon import comparison_rx, correction_cue, lexicon, phrase_alternation
from .model import Document, Mention
from .normalise import table_cell_words
from .schema import Measure, Qualifier
from .units import dimension, unit_class

_GENERIC_UNITS = {"person", "count", "unit", "percent", "percentage_point", "ratio", ""}
_DESIGNATION = re.compile(
    r"(?<![\w\u2010-])[A-Z][A-Za-z]{0,7}(?:[-\u2010\u2011][A-Za-z]{0,4}\d[A-Za-z0-9]*|[-\u2010\u2011]\d[A-Za-z0-9]*)"
    r"(?:[-\u2010\u2011][A-Za-z0-9]+)*(?![\w\u2010-])")


@lru_cache(maxsize=1)
def _negated() -> re.Pattern:
    """A negation a few words before a term ("are not counted among those called up")."""
    return re.compile(rf"(?<![\w])(?:{phrase_alternation(lexicon().negation_words)})(?:\s+\w+){{0,3}}\s*$", re.I)


_YEAR_NAMED = re.compile(r"-(?:19|20)\d\d$")


@dataclass(frozen=True)
class Attachment:
    indicator: str = ""
    item: str = ""
    unit: str = ""  # the unit the claim is counted in once attached
    score: float = 0.0
    notes: tuple[str, ...] = ()
    confidence: float | None = None  # the linker's probability; None when rules alone linked


def attach(doc: Document, catalog: Catalog) -> list[Attachment]:
    """One Attachment per mention, in the order of doc.mentions: by the catalog's linker (a learned ranker,
    linker.py) when it has one, else by the rules' scores alone."""
    linker = catalog.linker
    if linker is None:
        out = [_attach_one(doc, catalog, m) for m in doc.mentions]
    else:
        out = [_link_one(doc, catalog, k, linker) for k in range(len(doc.mentions))]
    out = _anaphors(doc, catalog, _answers(doc, catalog, out))
    return _stocks(doc, catalog, _bases(doc, catalog, _running_totals(doc, catalog, out)))


@lru_cache(maxsize=1)
def _running_total() -> re.Pattern:
    """"..., bringing the number since 1 January to", "taking the list to": what comes before a running total."""
    return re.compile(rf"(?<![\w])(?:{phrase_alternation(lexicon().running_total_verbs)})\s+(?:[^\s,;:]+\s+){{0,7}}?"
                      r"to\s+$", re.I)


def _running_totals(doc: Document, catalog: Catalog, out: list[Attachment]) -> list[Attachment]:
    """A running total ("held 2 snap checks in December, bringing the number since 1 January to a dozen") measures
    what the nearest linked figure before it in its sentence measured, when the linker left it unlinked or was
    unsure of it (ANSWER_OVER) and the unit fits."""
    text = doc.report.text
    rx = _running_total()
    for k, m in enumerate(doc.mentions):
        q = m.quantity
        if out[k].indicator and (out[k].confidence or 0.0) >= ANSWER_OVER or q.measure != Measure.LEVEL:
            continue
        sent = doc.sentences[m.sentence]
        if not rx.search(text, max(sent.start, q.start - 80), q.start):
            continue
        j = _antecedent(doc, out, k, sentences=0)
        if j is None:
            continue
        ind = catalog.get(out[j].indicator)
        if _unit_fits(ind, "" if unit_class(q.unit or "count") == "count" else q.unit):
            out[k] = Attachment(indicator=ind.id, item=out[j].item, unit=_claim_unit(ind, q.unit, None),
                                score=out[j].score, notes=("a running total of the figure before it",),
                                confidence=out[j].confidence)
    return out


def _antecedent(doc: Document, out: list[Attachment], k: int, sentences: int) -> int | None:
    """The index of the nearest linked level figure before doc.mentions[k] in its paragraph, at most `sentences`
    sentences back (0: its own sentence), that an anaphor, a running total or a base can point back to; None for
    none."""
    m = doc.mentions[k]
    paragraph = doc.sentences[m.sentence].paragraph
    for j in range(k - 1, -1, -1):
        o = doc.mentions[j]
        if m.sentence - o.sentence > sentences or doc.sentences[o.sentence].paragraph != paragraph:
            return None
        if out[j].indicator and o.quantity.measure == Measure.LEVEL:
            return j
    return None


@lru_cache(maxsize=1)
def _stock_verb() -> re.Pattern:
    return re.compile(rf"(?<![\w])(?:{phrase_alternation(lexicon().stock_verbs)})\s+$", re.I)


def _stocks(doc: Document, catalog: Catalog, out: list[Attachment]) -> list[Attachment]:
    """A figure linked to a flow ("new political prisoners") that its clause dates "as of" a day, or says a count
    "stands at", measures the stock that flow feeds (the catalog's `stock_of`), unless the clause names one of the
    flow's own words ("21 new political prisoners as of 7 July"): a count at a date is a stock (CLAIMS.md, periods)."""
    stocks = catalog.stocks
    if not stocks:
        return out
    text = doc.report.text
    for k, m in enumerate(doc.mentions):
        hit = stocks.get(out[k].indicator)
        if hit is None:
            continue
        stock, words = hit
        a, b = m.segment
        dated = any(t.kind == "as_of" and a <= t.start < b for t in doc.times[m.sentence])
        said = _stock_verb().search(text, max(a, m.quantity.start - 30), m.quantity.start)
        if not (dated or said) or words.search(text[a:b]) or not _unit_fits(stock, m.quantity.unit):
            continue
        out[k] = Attachment(indicator=stock.id, item="", unit=_claim_unit(stock, m.quantity.unit, None),
                            score=out[k].score, notes=("a count at a date: the stock its flow feeds",),
                            confidence=out[k].confidence)
    return out


@lru_cache(maxsize=1)
def _base_marker() -> re.Pattern:
    """Words that open a comparison's base only right before its figure ("1,468, after 1,459 a month earlier")."""
    return re.compile(rf"(?<![\w])(?:{phrase_alternation(lexicon().base_markers)})(?![\w])", re.I)


def _bases(doc: Document, catalog: Catalog, out: list[Attachment]) -> list[Attachment]:
    """The base of a comparison measures what the figure it is compared with measures: "1,497 political prisoners
    as of 31 May, against 1,461 on 1 May", "17,940 offences, after 15,620 in 2023" (a comparison marker right before
    the base, the compared figure earlier in the same sentence, in the same class of unit)."""
    text = doc.report.text
    markers = (comparison_rx(than=True), _base_marker())
    for k, m in enumerate(doc.mentions):
        if k == 0 or m.quantity.measure == Measure.CHANGE or doc.mentions[k - 1].sentence != m.sentence:
            continue
        lead = text[max(doc.mentions[k - 1].quantity.end, m.quantity.start - 40):m.quantity.start]
        hit = None
        for hit in sorted((h for rx in markers for h in rx.finditer(lead)), key=lambda h: h.start()):
            pass
        if hit is None or re.search(r"[;:]|\d", lead[hit.end():]) or len(lead[hit.end():].split()) > 2:
            continue  # "against 1,461": the marker right before the base, nothing but an article between
        klass = unit_class(m.quantity.unit) if m.quantity.unit else "count"
        j = None  # the figure compared with: the nearest before it in its sentence, in its class of unit
        for i in range(k - 1, -1, -1):
            if doc.mentions[i].sentence != m.sentence:
                break
            if (unit_class(doc.mentions[i].quantity.unit) if doc.mentions[i].quantity.unit else "count") == klass:
                j = i
                break
        if j is None or not out[j].indicator or doc.mentions[j].quantity.measure == Measure.CHANGE:
            continue  # "up 12% against 8%": two changes, each its own
        ind = catalog.get(out[j].indicator)
        if not _unit_fits(ind, m.quantity.unit):
            continue
        out[k] = Attachment(indicator=ind.id, item=out[j].item, unit=_claim_unit(ind, m.quantity.unit, None),
                            score=out[j].score, notes=("indicator of the figure it is compared with",),
                            confidence=out[j].confidence)
    return out


def _link_one(doc: Document, catalog: Catalog, k: int, linker) -> Attachment:
    from .linker import link

    q = doc.mentions[k].quantity
    p, cand, best = link(doc, catalog, k, linker)
    if cand is None:
        if best is None:
            return Attachment(unit=q.unit or "count")
        return Attachment(unit=q.unit or "count", notes=(f"best guess {best.indicator.id} at confidence {p:.2f}",))
    notes = ("item taken from an earlier sentence",) if cand.where == "context" else ()
    return Attachment(indicator=cand.indicator.id, item=cand.item.name if cand.item else "",
                      unit=_claim_unit(cand.indicator, q.unit, cand.item), score=p, notes=notes, confidence=p)


# After a correction cue ("...; actually, 700-900 received summonses"), the quoted figure's indicator outweighs a
# linker less sure of its own pick than this probability
ANSWER_OVER = 0.5


def _answers(doc: Document, catalog: Catalog, out: list[Attachment]) -> list[Attachment]:
    """A figure that answers a quoted one measures the same thing: after a correction cue ("...; in reality some
    25% do"), or, with no counted noun of its own, in a sentence that answers one quoting someone a few sentences
    before ("The ministry said 35 drones crossed. ... We count at least 52."), or a few sentences after the report
    quotes its own earlier issue in the same paragraph ("Our July chronicle said 18 ... should read 20."). After a
    cue this also overrides a link the linker is unsure of (ANSWER_OVER)."""
    from .roles import DISPUTE_SENTENCES, voice_in

    cue = correction_cue()
    text = doc.report.text

    def voice_of(i: int):
        return voice_in(doc, doc.sentences[i].text)

    for k, m in enumerate(doc.mentions):
        weak = out[k].indicator and (out[k].confidence or 0.0) < ANSWER_OVER
        if out[k].indicator and not weak:
            continue
        sent = doc.sentences[m.sentence]
        hit = cue.search(text, sent.start, m.quantity.start)
        revision = False
        if weak and not hit:
            continue
        limit = hit.start() if hit else None  # in the figure's own sentence, the quoted figure stands before this
        if hit:
            allowed = {m.sentence} | set(doc.context(m.sentence, 1))
        elif not m.quantity.noun and m.quantity.measure == Measure.LEVEL and (voice_of(m.sentence).own or voice_of(m.sentence).cue):
            allowed = {i for i in range(max(0, m.sentence - DISPUTE_SENTENCES), m.sentence)
                       if voice_of(i).quotes and voice_of(m.sentence).answers(voice_of(i))}
            cut = text.rfind("; ", sent.start, m.quantity.start)  # "Minsk claims 52 were released; we count 26"
            if cut >= 0:
                quoted = voice_in(doc, text[sent.start:cut])
                if quoted.quotes and voice_in(doc, text[cut:sent.end]).answers(quoted):
                    allowed.add(m.sentence)
                    limit = cut
        elif m.quantity.measure == Measure.LEVEL:  # a revision of the report's own earlier issue, in any voice
            allowed = {i for i in range(max(0, m.sentence - DISPUTE_SENTENCES), m.sentence)
                       if voice_of(i).revisits and doc.sentences[i].paragraph == sent.paragraph}
            revision = True  # its noun may name the events ("51 liquidations", "the total of releases"): any count
        else:
            continue
        if not allowed:
            continue
        klass = unit_class(m.quantity.unit) if m.quantity.unit else "count"
        for j in range(k - 1, -1, -1):
            o = doc.mentions[j]
            if o.sentence < min(allowed):
                break  # mentions are in text order: nothing earlier can be in reach
            if o.sentence not in allowed or (limit is not None and o.sentence == m.sentence and o.quantity.start >= limit):
                continue
            if out[j].indicator and unit_class(out[j].unit) == klass:
                if weak and not voice_in(doc, text[doc.sentences[o.sentence].start:o.quantity.end]).quotes:
                    break  # overriding the linker takes a figure someone else gave, not just any figure before
                ind = catalog.get(out[j].indicator)
                unit = "" if revision and klass == "count" else m.quantity.unit
                if not _unit_fits(ind, unit):
                    break
                item, _ = _find_item(doc, ind, m, [])
                out[k] = Attachment(indicator=ind.id, item=item.name if item else out[j].item,
                                    unit=_claim_unit(ind, unit, item), score=out[j].score,
                                    notes=("indicator taken from the figure it corrects",),
                                    confidence=out[j].confidence)
                break
    return out


ANAPHOR_SENTENCES = 2  # how far back (in sentences of its paragraph) "the figure" may point


@lru_cache(maxsize=1)
def _anaphor() -> re.Pattern:
    """"the figure was", "the tally stands at", "that number reached": an anaphoric head, then at most a few words
    (a period: "for the first two months of 2023") and no other noun phrase's figure, up to the figure."""
    lex = lexicon()
    return re.compile(rf"(?<![\w])(?:{phrase_alternation(lex.anaphoric_determiners)})\s+"
                      rf"(?:{phrase_alternation(lex.anaphoric_heads)})(?![\w])[^.;:\d]{{0,60}}$", re.I)


@lru_cache(maxsize=1)
def _such() -> re.Pattern:
    """"30 such cases", "two similar incidents": a determiner after the figure that points back."""
    return re.compile(rf"\s+(?:{phrase_alternation(lexicon().anaphoric_after)})\s+[^\W\d_]", re.I)


def _anaphors(doc: Document, catalog: Catalog, out: list[Attachment]) -> list[Attachment]:
    """An unlinked figure with no counted noun, said of "the figure" or "the tally" in its clause ("In the whole of
    2024 the figure was 127"), or a count of "such" things ("we could confirm some 30 such cases"), measures what
    the nearest linked figure of its paragraph measured, within ANAPHOR_SENTENCES sentences before, when that is a
    count."""
    text = doc.report.text
    rx, such = _anaphor(), _such()
    for k, m in enumerate(doc.mentions):
        q = m.quantity
        if out[k].indicator or q.measure != Measure.LEVEL:
            continue
        sent = doc.sentences[m.sentence]
        if q.unit:  # "some 30 such cases": a count whose noun points back
            if unit_class(q.unit) != "count" or not such.match(text, q.end):
                continue
        elif not rx.search(text, max(sent.start, q.start - 90), q.start):
            continue
        j = _antecedent(doc, out, k, sentences=ANAPHOR_SENTENCES)
        if j is None:
            continue
        ind = catalog.get(out[j].indicator)
        if _unit_fits(ind, ""):  # a bare number is a count: never a share, a sum of money or a duration
            out[k] = Attachment(indicator=ind.id, item=out[j].item, unit=q.unit or out[j].unit, score=out[j].score,
                                notes=("indicator of the figure it refers back to",), confidence=out[j].confidence)
    return out


def _attach_one(doc: Document, catalog: Catalog, m: Mention) -> Attachment:
    q = m.quantity
    scored = candidates(doc, catalog, m)
    if not scored:
        return Attachment(unit=q.unit or "count")
    best, ind, item, where = scored[0]
    if best < catalog.min_score:
        return Attachment(unit=q.unit or "count", notes=(f"best guess {ind.id} scored {best:g} < {catalog.min_score:g}",))
    notes = []
    if len(scored) > 1 and scored[1][0] >= best - 0.5:
        notes.append(f"ambiguous: {ind.id} {best:g} vs {scored[1][1].id} {scored[1][0]:g}")
    if where == "context":
        notes.append("item taken from an earlier sentence")
    return Attachment(indicator=ind.id, item=item.name if item else "", unit=_claim_unit(ind, q.unit, item),
                      score=best, notes=tuple(notes))


def fitting(doc: Document, catalog: Catalog, m: Mention) -> list[Indicator]:
    """The indicators the figure can measure at all, by facts rather than guesses: pint says its unit fits, the
    counted noun is one the indicator counts, a count is a whole number, not negative (and names its noun where the
    indicator needs one), and it is not a measure the catalog does not keep ("forecast inflation of 6-8 per cent")."""
    q = m.quantity
    # the words since the figure before it in the sentence: a second figure's segment may start at the figure
    # itself ("grew 6-7% with inflation at about 5%")
    before = [o.quantity.end for o in doc.mentions_by_sentence.get(m.sentence, ()) if o.quantity.end <= q.start]
    lo = max(before) if before else doc.sentences[m.sentence].start
    if _foreign_measure().search(doc.report.text, max(min(lo, m.segment[0]), q.start - 40), q.start):
        return []
    change = q.measure == Measure.CHANGE
    if not math.isfinite(q.value):  # never from the recogniser; checked indicator by indicator as always
        return [ind for ind in catalog.indicators
                if _unit_fits(ind, q.unit) and ind.counts(q.noun)
                and not (change and ind.measure != Measure.CHANGE and ind.unit_class in ("percent", "ratio"))
                and not (ind.unit_class == "count" and (
                    not q.noun and not ind.bare or q.value != int(q.value) or q.value < 0))]
    # a range of counts is whole at its ends: "two-three checks" has the midpoint 2.5
    ends = (q.low, q.high) if q.qualifier == Qualifier.RANGE and q.low is not None and q.high is not None else (q.value,)
    whole = all(v == int(v) and v >= 0 for v in ends)
    memo = _FITTING.get(id(catalog.indicators))
    if memo is None or memo[0] is not catalog.indicators:
        if len(_FITTING) > 8:
            _FITTING.clear()
        memo = _FITTING[id(catalog.indicators)] = (catalog.indicators, {})
    key = (q.unit, q.noun, whole, change)
    got = memo[1].get(key)
    if got is None:
        if len(memo[1]) > 4096:
            memo[1].clear()
        got = memo[1][key] = tuple(ind for ind in catalog.indicators if _fits(ind, q.unit, q.noun, whole, change))
    if q.unit == "percent" and not change and _share_of().match(doc.report.text, q.end):
        return [ind for ind in got if ind.measure != Measure.CHANGE]  # "4.8% of total spending": a share, no growth
    return list(got)


@lru_cache(maxsize=1)
def _share_of() -> re.Pattern:
    """"18.5% of all crime", "4.8% of total spending": a percentage of a whole is a share (lexicon share_of)."""
    return re.compile(rf"\s+(?:{phrase_alternation(lexicon().share_of)})\s", re.I)


# the indicators a unit, counted noun, whole-or-not and change-or-not fit, per catalog (the entry holds the
# indicators, so their id stays theirs while it lives): a report repeats the same few
_FITTING: dict[int, tuple[tuple, dict]] = {}


def _fits(ind: Indicator, unit: str, noun: str, whole: bool, change: bool) -> bool:
    if not _unit_fits(ind, unit) or not ind.counts(noun):
        return False
    if change and ind.measure != Measure.CHANGE and ind.unit_class in ("percent", "ratio"):
        return False  # "3.9% fewer than a year earlier" is no share (a count's change is its flow: "grew by 143")
    # no count is fractional or below zero ("four fewer than a month ago" is a difference)
    return not (ind.unit_class == "count" and (not noun and not ind.bare or not whole))


def candidates(doc: Document, catalog: Catalog, m: Mention, fits: list[Indicator] | None = None
               ) -> list[tuple[float, Indicator, Item | None, str]]:
    """Every indicator the figure could measure, best first: (score, indicator, item, where the item was)."""
    text = doc.report.text
    q = m.quantity
    sent = doc.sentences[m.sentence]
    own_seg = text[m.segment[0]:m.segment[1]]
    # the sentence up to the end of the figure's clause: after a semicolon another clause says what its own figures
    # are ("Police detained 310 people at the march; two journalists were among those held")
    cut = text.find("; ", q.end, sent.end)
    own = sent.text if cut < 0 else text[sent.start:cut]
    clause = clause_of(doc, m)
    cell = table_cell_words(text, sent.start, sent.end, q.start, q.end)
    if cell is not None:  # a table row's other cells are other figures' parts: the cell's words are its row and column
        own_seg = own = cell
    context = [doc.sentences[i] for i in doc.context(m.sentence, catalog.context_sentences)]
    # the phrase groups that can match each place at all: most of an indicator's terms are absent from a sentence
    possible = catalog.phrase_index.possible
    in_clause, in_seg, in_own = possible(clause), possible(own_seg), possible(own)
    # the earlier sentences of the context, with the groups possible in each; and those for `local` indicators
    around = [(c.text, possible(c.text)) for c in context]
    around_local = [(c.text, possible(c.text)) for c in context if c.paragraph != sent.paragraph]
    scored = []
    strong: set[str] = set()  # indicators named in the figure's own sentence, with a score that would attach
    for ind in fitting(doc, catalog, m) if fits is None else fits:
        score, evidence, ok, named_here, in_segment = 0.0, False, True, True, not ind.require
        for group in ind.require:
            if (ind.clause or group.clause) and not (group in in_clause and group.search(clause)):
                ok = False  # these words must be in the figure's own clause (";" and ":" end one)
                break
            if group in in_seg and group.search(own_seg):
                score, evidence, in_segment = score + 3, True, True
            elif group in in_own and group.search(own):  # named in another figure's part of the sentence
                score, evidence = score + 2, True
            elif any(group in ps and group.search(t) for t, ps in (around_local if ind.local else around)):
                score += 1  # earlier in the paragraph; for `local` indicators only a list's lead-in counts
                named_here = False
            else:
                ok = False
                break
        if not ok:
            continue
        for phrases, weight in ind.terms:
            # a word against the indicator counts only in the figure's own part: in another figure's part of the
            # sentence it says what that figure is ("62,400 crimes ..., of which cybercrimes made up 24.6%")
            place, factor = own_seg, 1.0
            hit = phrases.first(own_seg) if phrases in in_seg else None
            if hit is None and weight > 0 and phrases in in_own:
                place, factor = own, 0.5
                hit = phrases.first(own)
            if hit:
                if _negated().search(place, max(0, hit.start() - 30), hit.start()):
                    weight = -abs(weight)  # "are not counted among those called up"
                score += weight * factor
                evidence = evidence or weight > 0
        item, where = _find_item(doc, ind, m, context)
        if ind.item_required and not item:
            continue
        if item and where in ("segment", "sentence") and not (q.noun and ind.item_named(q.noun) is item):
            score, evidence = score + 2, True  # an item named beside the figure (not its own noun, "people")
        if q.unit and q.unit not in _GENERIC_UNITS and (q.unit in ind.nouns or q.unit == ind.unit):
            score, evidence = score + 1, True
        if not evidence:
            continue
        if named_here and in_segment and score >= catalog.min_score:
            strong.add(ind.id)
        scored.append((score, ind, item, where))
    # a broader indicator yields the figure to a narrower one whose words are all named in the figure's own part of
    # the sentence ("62,400 crimes ..., of which cybercrimes made up 24.6%": the 62,400 stays all crimes)
    scored = [t for t in scored if not (t[1].yields_to & strong)]
    scored.sort(key=lambda t: -t[0])
    return scored


_CLAUSE_END = re.compile(r"[;:]")


def clause_of(doc: Document, m: Mention) -> str:
    """_clause() of a mention, remembered on the document (the rules and the linker both ask)."""
    cache = doc.__dict__.setdefault("_clauses", {})
    q = m.quantity
    got = cache.get((q.start, q.end))
    if got is None:
        sent = doc.sentences[m.sentence]
        got = cache[(q.start, q.end)] = _clause(doc.report.text, sent.start, sent.end, q.start, q.end)
    return got


def _clause(text: str, start: int, end: int, q_start: int, q_end: int) -> str:
    """The part of the sentence the figure stands in, between the semicolons or colons around it. A table cell
    ("Label; Header: 1,234", as the readers render a row) has no words of its own: its clause is its row's label
    and its column's header."""
    cell = table_cell_words(text, start, end, q_start, q_end)
    if cell is not None:
        return cell
    left = max((m.end() for m in _CLAUSE_END.finditer(text, start, q_start)), default=start)
    right = _CLAUSE_END.search(text, q_end, end)
    return text[left:right.start() if right else end]


@lru_cache(maxsize=1)
def _foreign_measure() -> re.Pattern:
    """The subject of the figure is a measure the catalog does not keep: "inflation of 7%", "consumer prices,
    meanwhile, rose 6%"; not when the measure is only the base of a ratio ("a share of GDP was 1.5%")."""
    lex = lexicon()
    words = phrase_alternation(lex.foreign_measures)
    verbs = phrase_alternation(["of", "at", "was", "is", "reached", "stood at", *lex.change_words])
    quals = phrase_alternation([p for ps in lex.qualifiers_before.values() for p in ps])
    # ... or the measure, then a qualifier the range's surface leaves out: "with inflation around 6-7%"
    return re.compile(rf"(?<![\w])(?<!\bof\s)(?<!\bto\s)(?:{words})(?:(?:,?\s+\w+){{0,2}}?,?\s+(?:{verbs})(?:\s+by)?"
                      rf"|\s+(?:{quals}))\s*$", re.I)


def _unit_fits(ind: Indicator, unit: str) -> bool:
    """Whether pint says a figure in `unit` can measure the indicator: the same dimension where the indicator
    declares one (a duration for an indicator in days), else the same class, the same currency, and for counts
    one of the nouns it accepts."""
    if ind.dimension:
        return bool(unit) and dimension(unit) == ind.dimension
    klass = unit_class(unit) if unit else "count"
    if klass == "time":
        return False  # a duration measures only an indicator that accepts one
    if unit == "percentage_point" and ind.unit != "percentage_point":
        return False  # a difference of two shares ("up 0.1 pp") is neither a share nor a growth rate
    if klass != ind.unit_class:
        return False
    if klass == "currency":
        return unit == ind.unit or unit in ind.nouns
    if klass == "count" and unit:
        return unit in ind.nouns or (unit == ind.unit and unit != "count")
    return True


def _claim_unit(ind: Indicator, unit: str, item: Item | None) -> str:
    """Bare numbers take the indicator's unit; generic "units" take the item's kind (Su-30SM -> aircraft)."""
    if ind.unit_class != "count":
        return unit or ind.unit
    if unit in ("", "unit", "count") and item is not None and item.unit:
        return item.unit
    if not unit:
        if item is not None and item.units:
            return item.units[0]
        return ind.unit
    return unit


def _find_item(doc: Document, ind: Indicator, m: Mention, context) -> tuple[Item | None, str]:
    """The item nearest the figure: in its segment, by its unit, in its sentence, else (designations) earlier."""
    if not ind.items and not ind.item_pattern:
        return None, ""
    q = m.quantity
    sent = doc.sentences[m.sentence]
    hits = _items_on(doc, ind, m.segment[0], m.segment[1])
    if hits:
        return min(hits, key=lambda h: abs(h[0] - q.start))[1], "segment"
    for item in ind.items:
        if q.unit and q.unit in item.units:
            return item, "unit"
    later = [o.segment for o in doc.mentions_by_sentence.get(m.sentence, ())
             if o.quantity.start > q.start and o.segment != m.segment]
    # an item named inside a later figure's part of the sentence belongs to that figure
    # ("25 enterprises, of which 22 are manufacturing"); one named before is shared
    hits = [h for h in _items_on(doc, ind, sent.start, sent.end) if not any(a <= h[0] < b for a, b in later)]
    if hits:
        return min(hits, key=lambda h: abs(h[0] - q.start))[1], "sentence"
    if ind.item_pattern:
        earlier = _items_on(doc, ind, sent.start, q.start)
        if earlier:  # "12 Su-30SM fighters; so far it has received 4 of them"
            return earlier[-1][1], "context"
        for c in context:  # nearest earlier sentence first, its last designation first
            hits = _items_on(doc, ind, c.start, c.end)
            if hits:
                return hits[-1][1], "context"
    return None, ""


def _items_on(doc: Document, ind: Indicator, start: int, end: int) -> tuple[tuple[int, Item], ...]:
    """_items_in over the report's text, remembered per document: the figures of a sentence (and the linker's
    candidates for each) look for the same indicator's items in the same sentence and context."""
    cache = doc.__dict__.setdefault("_items_cache", {})
    key = (ind.id, start, end)
    got = cache.get(key)
    if got is None:
        got = cache[key] = tuple(_items_in(ind, doc.report.text, start, end))
    return got


def _items_in(ind: Indicator, text: str, start: int, end: int) -> list[tuple[int, Item]]:
    hits: list[tuple[int, Item]] = []
    covered: list[tuple[int, int]] = []
    for item in ind.items:
        if item.pattern is not None:
            for mm in item.pattern.finditer(text, start, end):
                hits.append((mm.start(), item))
                covered.append((mm.start(), mm.end()))
    if ind.item_phrases is not None:
        for mm in ind.item_phrases.finditer(text, start, end):
            item = ind.item_named(mm.group())
            if item is not None:
                hits.append((mm.start(), item))
                covered.append((mm.start(), mm.end()))
    if ind.item_pattern == "designation":
        for mm in _DESIGNATION.finditer(text, start, end):
            if any(a <= mm.start() < b for a, b in covered):
                continue
            name = _normal_designation(mm.group())
            if name.lower() in ind.not_items or _YEAR_NAMED.search(name):
                continue  # "Zapad-2021", "Union Resolve-2022" are exercises, not weapons
            hits.append((mm.start(), ind.item_named(name) or _generic_item(name)))
    hits.sort(key=lambda h: h[0])
    return hits


@lru_cache(maxsize=4096)
def _generic_item(name: str) -> Item:
    return Item(name=name, aliases=(name,))


def _normal_designation(s: str) -> str:
    return re.sub(r"[\u2010\u2011]", "-", s)
