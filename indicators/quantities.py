"""Find quantities in text: numbers with their qualifiers, multipliers, units, ranges and changes.

General rules only, driven by `data/lexicon.yaml`: a number is a quantity unless its
context makes it a date, a year, an ordinal, a designation (Su-30SM, 2S3-1M), a
reference (page 5, Article 300-1), a timestamp, page furniture (7 min read) or the
pronoun "one". A figure right after a change word ("fell 12%") is a change; the level
it reaches ("to 3,400") and the base it starts from ("from 3,870") are figures of their own.
"""
from __future__ import annotations

import logging
import math
import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

from .lexicon import hint_words, lexicon, lowered, phrase_alternation, word_bounded
from .model import Mention, Quantity
from .schema import LOWER_BOUNDED, UPPER_BOUNDED, Measure, Qualifier
from .units import is_time_unit, noun_unit, unit_class

log = logging.getLogger(__name__)

_SEP_SPACES = "\u00a0\u2009\u202f "
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212"
_DASH = f"[{re.escape(_DASHES)}]"  # escaped: a bare "-" inside a class once made a range that spanned the letters
Q = Qualifier
_FLIP = {Q.OVER: Q.AT_MOST, Q.UNDER: Q.AT_LEAST, Q.AT_LEAST: Q.UNDER, Q.AT_MOST: Q.OVER}  # a negated bound
_NEGATE = {Q.OVER: Q.UNDER, Q.UNDER: Q.OVER, Q.AT_LEAST: Q.AT_MOST, Q.AT_MOST: Q.AT_LEAST}  # a bound of a fall


@dataclass
class _Atom:
    """One number with what sticks to it, before ranges and changes are formed."""

    start: int  # surface start (qualifier / currency prefix included)
    core_start: int
    core_end: int
    end: int  # surface end (multiplier, unit, measure noun included)
    value: float
    qualifier: str = Qualifier.EXACT
    qualified: bool = False  # a qualifier phrase was written
    unit: str = ""  # percent / percentage_point / ratio / currency code / "" (a count)
    scaled: bool = False  # a multiplier was written
    bare: float = 0.0  # the number as written, before its multiplier
    word: bool = False  # written in words
    noun: str = ""
    noun_unit: str = ""
    change: int = 0  # +1 / -1 after a word of rise / fall ("fell 12%"), 0 otherwise
    occasions: bool = False  # "detained 29 times": a count of occasions, not a factor, and "times" no noun


def _width(phrases) -> int:
    return max((len(str(p)) for p in phrases), default=0) + 8


def _reversed(phrases) -> str:
    return phrase_alternation([str(p)[::-1] for p in phrases])


class _TailHit:
    """The groups of a _Tail match, with offsets into the original text."""

    def __init__(self, m: re.Match, window: str, pos: int) -> None:
        self._m, self._window, self._pos = m, window, pos

    def group(self, name: str) -> str | None:
        g = self._m.group(name)
        return None if g is None else g[::-1]

    def start(self, name: str) -> int:
        return self._pos - self._m.end(name)


class _Tail:
    """Words that end just before a figure ("about", "March", "page", "USD").

    Matched on the reversed window before the figure: one anchored attempt, where a search for
    `...$` would try every start in the window (the costliest thing the recogniser did).
    `reversed_pattern` is written right to left: what touches the figure comes first.
    """

    def __init__(self, reversed_pattern: str, width: int, flags: int = re.I) -> None:
        self.rx = re.compile(reversed_pattern, flags)
        self.width = width

    def search(self, text: str, lo: int, pos: int) -> _TailHit | None:
        window = text[max(lo, pos - self.width):pos][::-1]
        m = self.rx.match(window)
        return _TailHit(m, window, pos) if m and m.end() > 0 else None


def _alt(words) -> str:
    return phrase_alternation(words)


class _Patterns:
    """All regexes of the recogniser, compiled once from the lexicon."""

    def __init__(self) -> None:
        lex = lexicon()
        self.lex = lex
        sep = f"[,{_SEP_SPACES}]"
        self.digits = re.compile(
            # the digit leads both alternatives, so the scan skips to digits (4x faster than an alternation that
            # starts with a look-behind); the look-behinds then check what precedes it ("USD115" but not "A115")
            rf"\d(?:(?<![\w.,/\\:]\d)|(?<=(?<![A-Za-z])[A-Z]{{3}}\d))(?:\d{{0,2}}(?:{sep}\d{{3}})+(?:\.\d+)?(?![\d])"
            rf"|\d{{0,2}}(?:\.\d{{3}}){{2,}}(?![\d.])|\d*(?:[.,]\d+)?)"  # "1.234.567": dots that group thousands
        )
        g = lex.number_grammar
        num = _alt(list(lex.number_words) + list(lex.scale_words)).lower()
        arts = _alt(g.articles).lower()
        cont = rf"(?:\s+{_alt(g.joiner)}\s+|\s+|[-\u2010\u2011])(?:{num}|{_alt(g.point)}(?=\s+(?:{num}))|{arts}\s+{_alt(g.half)})"
        # run on lower-cased text (see lexicon.lowered): a case-blind scan with a long alternation is slow
        self.word_number = re.compile(
            rf"(?<![\w-])(?:(?:{arts})\s+(?:{_alt(g.single)})(?![\w-])|"
            rf"(?:{_alt(g.half)})\s+(?:{arts})(?=\s+(?:{_alt(_percent_heads(lex))})(?![\w-]))|"  # "half a percent"
            rf"(?:(?:{arts})\s+|(?:{_alt(g.half)})\s+(?:{arts})\s+"
            rf"|(?:{arts})\s+(?:{_alt(g.couple)})\s+(?:(?:{_alt(g.of)})\s+)?(?=(?:{_alt(lex.scale_words)})(?![\w-])))?"
            rf"(?:{num})(?:{cont})*(?![\w-]))")
        small = [k for k, v in lex.number_words.items() if 1 <= v <= 9]
        self.slash_fraction = re.compile(
            rf"(?<![\w./])(?P<n>\d{{1,2}})/(?P<d>\d{{1,3}})(?=\s+(?:{_alt(lex.fraction_of)})\s)", re.I)
        glued_factors = [w.lstrip("-") for w in lex.factor_words if w.startswith("-")]
        self.fold_hint = min(glued_factors, key=len).lower()
        self.word_fold = re.compile(
            rf"(?<![\w-])(?P<n>{_alt(lex.number_words).lower()})[-\u2010]?(?:{_alt(glued_factors).lower()})(?![\w])")
        self.fraction = re.compile(
            rf"(?<![\w-])(?:(?P<n>{_alt(list(g.articles) + small)})[\s\u2010-]+)?(?P<d>{_alt(lex.fractions)})"
            rf"(?=\s+(?:{_alt(lex.fraction_of)})\s)")
        denominators = _alt([k for k, v in lex.number_words.items() if 2 <= v <= 100]).lower()
        self.one_in = re.compile(  # "one in five", "1 out of 4": a share
            rf"(?<![\w.,-])(?P<n>{_alt(small).lower()}|[1-9])\s+(?:{_alt(lex.share_links)})\s+"
            rf"(?P<d>{denominators}|[1-9]\d{{0,2}}(?:,\d{{3}})?)(?![\w.,\u2010-])")
        self.share_link_words = frozenset(w.split()[0].lower() for w in lex.share_links)
        self.half_words = frozenset(w.lower() for w in g.half)
        self.label_unit_leads = frozenset(w.lower() for w in lex.label_unit_leads)
        self.label_change = re.compile(rf"(?<![\w])(?:{_alt(lex.label_change_words)})(?![\w])", re.I)
        self.month_count_letters = frozenset(w.upper() for w in lex.time.months_letter)  # "9M 2024": a period
        self.fraction_words = frozenset(w.lower() for w in lex.fractions)
        self.number_word_set = frozenset(w.lower() for w in [*lex.number_words, *lex.scale_words, *g.single, *g.half])
        quals = [(p, q) for q, phrases in lex.qualifiers_before.items() for p in phrases]
        self.qual_of = {" ".join(p.lower().split()): Qualifier(q) for p, q in quals}
        symbols = {k for k in lex.currencies if not k[:1].isalnum()} | {k for k in lex.currencies if "$" in k} \
            | {s for _, s in _iso_symbols() if s}
        self.symbols = frozenset(symbols)
        neg = "|".join((re.escape(n[::-1]) if "'" in n else rf"{re.escape(n[::-1])}(?![\w])")
                       for n in sorted(lex.negations, key=len, reverse=True)).replace("'", "['’]")
        # a symbol, a word written before the figure ("Rs 500": case as written, a whole word), or a capital ISO code
        cur = rf"(?P<c>{_reversed(symbols)}|(?-i:(?:{_reversed(lex.currencies_before)})(?![\w]))|(?-i:[A-Z]{{3}}))"
        quals_rx = (rf"(?:\s*(?:(?P<a>{_reversed(lex.qualifier_articles)})\s+)?(?P<q>{_reversed(p for p, _ in quals)})"
                    rf"(?![\w])(?:\s+(?P<n>{neg}))?)?")
        width = _width([p for p, _ in quals]) + 16
        # "about", "over USD", "US$", "not exceed": qualifier (maybe negated) and/or currency just before the figure
        self.qual_before = _Tail(rf"\s?{cur}?{quals_rx}", width + 8)
        self.qual_only = _Tail(quals_rx, width)
        after = [(p, q) for q, phrases in lex.qualifiers_after.items() for p in phrases]
        self.qual_after_of = {" ".join(p.lower().split()): Qualifier(q) for p, q in after}
        self.qual_after = re.compile(rf"\s*(?:{_DASH}\s*)?(?P<q>{_alt([p for p, _ in after])})(?![\w])"
                                     rf"(?!\s+(?:{_alt(lex.qualifier_after_blockers)})(?![\w]))", re.I)
        # a multiplier's full stop that ends the sentence is not its own ("... 1,2 bln. The ministry"; "1,2 bln. BYN")
        end_stop = r"(?!(?<=\.)\s*(?:$|\n|(?-i:[A-Z][a-z])))"
        self.multiplier = re.compile(rf"\s*(?P<m>{_alt(lex.multipliers)})(?![\w]){end_stop}", re.I)
        self.glued_mult = re.compile(rf"(?P<m>{_alt(lex.multipliers)})(?![\w]){end_stop}", re.I)
        self.glued_letter = re.compile(rf"(?P<m>{_alt(lex.glued_multipliers)})(?![\w])")
        # "$5m", "$1.1B", "BYN 2.4 B": next to a currency the letter's case does not matter
        self.currency_mult = re.compile(rf"\s?(?P<m>{_alt(lex.currency_only_multipliers)})(?![\w])", re.I)
        self.percent = re.compile(rf"\s*(?:{_alt(lex.percent_words)})(?![\w])", re.I)
        self.pp = re.compile(rf"\s*(?:{_alt(lex.percentage_point_words)})(?![\w])", re.I)
        self.factor = re.compile(rf"\s*(?:{_alt(lex.factor_words)})(?![\w])", re.I)
        self.occasion_word = re.compile(_alt(lex.occasion_words), re.I)
        self.qualifier_tail = re.compile(rf"(?<![\w])(?:{_alt([p for ps in lex.qualifiers_before.values() for p in ps])})\s+$", re.I)
        self.copula_before = re.compile(rf"(?<![\w])(?:{_alt(lex.factor_verbs)})\s+$", re.I)
        self.factor_comparison = re.compile(rf"\s*(?:{_alt(lex.factor_comparisons)})(?![\w])", re.I)
        self.change_by_before = re.compile(rf"(?<![\w])(?:{_alt(lex.change_by)}|{_alt(lex.change_object_verbs)})\s+$", re.I)
        self.range_conn = re.compile(rf"\s*(?:{_DASH}|\.\.)\s*|\s+(?:{_alt(lex.range_joiners)})\s+", re.I)
        self.from_before = re.compile(rf"(?<![\w])(?P<w>{_alt(lex.range_openers)})\s+$", re.I)
        self.change_words = re.compile(word_bounded(_alt(list(lex.change_words) + list(lex.change_rises)
                                                         + list(lex.change_falls))), re.I)
        moves = list(lex.change_rises) + list(lex.change_falls)
        self.falls = frozenset(" ".join(w.lower().split()) for w in lex.change_falls)
        self.difference_after = re.compile(  # "four fewer than", "4.7 percent fewer than", "12 more drones than"
            rf"\s+(?P<w>{_alt(lex.difference_after)})(?:\s+[^\W\d]+){{0,2}}?\s+"
            rf"(?:{_alt([*lex.comparison_than, *lex.difference_links])})(?![\w])", re.I)
        self.change_mark = re.compile(rf"\s*,?\s*(?:{_alt(lex.change_marks)})(?![\w/])", re.I)
        self.change_object_verbs = frozenset(" ".join(w.lower().split()) for w in lex.change_object_verbs)
        self.change_before = _Tail(rf"\s+(?:(?P<by>{_reversed(lex.change_by)})\s+)?(?P<w>{_reversed(moves)})(?![\w])"
                                   rf"(?!\s+(?:{_reversed(lex.phrasal_verbs)})(?![\w]))",  # "make up 18%": no rise
                                   _width(moves) + 8)
        self.change_to_before = _Tail(rf"\s+(?:{_reversed(lex.change_level)})\s+(?:{_reversed(moves)})(?![\w])",
                                      _width(moves) + _width(lex.change_level))
        self.minus_before = _Tail(rf"\s+(?P<w>{_reversed(lex.negative_words)})(?![\w])"
                                  rf"(?!\s+(?:{_reversed(lex.negative_not_after)})(?![\w]))",
                                  _width(lex.negative_words) + _width(lex.negative_not_after))
        self.base_before = _Tail(rf"\s+(?P<w>{_reversed(lex.change_base)})(?![\w])", _width(lex.change_base))
        self.level_join = re.compile(rf"\s+(?:{_alt(lex.change_level)})\s+$", re.I)
        self.level_gap = re.compile(rf"\s+(?:{_alt(lex.change_level)})\s+", re.I)
        months = _alt(lex.months)
        self.month_before = _Tail(rf"\s*\.?(?:{_reversed(lex.months)})(?![\w])", _width(lex.months) + 1)
        self.month_after = re.compile(rf"\s*(?:{months})(?![\w])", re.I)
        # a verdict of a fact-check's rating scale, written as a label (capitalised or quoted) right after a number
        ratings = "|".join(rf"{re.escape(r[:1].upper())}{re.escape(r[1:])}" for r in sorted(lex.roles.verdict_ratings, key=len, reverse=True))
        self.rating_after = re.compile(rf"\s+(?:[\"“«']\s*(?i:{_alt(lex.roles.verdict_ratings)})|(?:{ratings}))(?![\w])")
        # "In December 29 persons were recognised": after "in" a month takes no day, so a number and a word after it
        # are a count (lexicon time.month_only_prepositions)
        self.month_count = _Tail(rf"\s+(?:{_reversed(lex.months)})\s+(?:{_reversed(lex.time.month_only_prepositions)})(?![\w])",
                                 _width(lex.months) + 14)
        self.vague_before = _Tail(rf"\s+(?:{_reversed(lex.vague_counts)})(?![\w])", _width(lex.vague_counts))
        self.reference_before = _Tail(rf"\s*(?:{_reversed(lex.reference_words)})(?![\w])", _width(lex.reference_words))
        superlatives = lex.descriptor_leaders
        self.descriptor_before = _Tail(rf"\s+(?:{_reversed(superlatives)})(?![\w])", _width(superlatives))
        self.descriptor_after = re.compile(rf"\s+(?:{_alt(lex.descriptor_followers)})(?![\w])"
                                           rf"(?!\s+(?:{_alt(lex.descriptor_not_before)})(?![\w]))", re.I)
        preps = lex.year_prepositions
        self.year_prep_before = _Tail(rf"\s*(?:{_reversed(preps)}|[-\u2013\u2014])(?![\w])", _width(preps))
        self.noun_word = re.compile(r"\s*(?P<w>[^\W\d_][\w’'\u2010-]*)", re.U)
        self.designation = re.compile(r"[A-Za-z\u0400-\u04FF]+[-\u2010\u2011]?\d[\w-]*|\d+[A-Za-z][\w-]*")
        self.stop_words = frozenset(w.lower() for w in lex.noun_stops)
        self.verbish = frozenset(w.lower() for w in lex.noun_verbs)
        self.noun_skip = frozenset(s.lower() for s in lex.noun_skip)
        self.of_which = re.compile(rf"(?<![\w])(?:{_alt(lex.partitives)})\s*,?\s*$", re.I)
        self.of_them = re.compile(rf"\s+(?:{_alt(lex.partitives_after)})(?![\w])", re.I)
        self.ellipsis = re.compile(rf"\s*,?\s*(?:{_alt(lex.noun_sharing_joiners)})\s+$", re.I)
        # (no comma: ", and c. 950 since January" after "each carrying up to 2,000 packs" opens another list item)
        self.list_ellipsis = re.compile(rf"[^\d.,;:!?()\[\]]{{0,40}}?\s+(?:{_alt(lex.noun_sharing_list_joiners)})\s+$", re.I)
        # the counted noun: a plural by its ending that is no verb or pronoun ("the number of servicemen is": not
        # "is"), or a noun the lexicon knows, irregular plurals among them ("servicemen", "people", "personnel")
        known = sorted(lex.noun_units, key=len, reverse=True)
        not_nouns = {*lex.count_verbs, *lex.noun_stops, *lex.noun_verbs}
        self.number_of = re.compile(
            rf"(?<![\w])(?:{_alt(lex.count_heads)})\s+of\s+(?:[\w-]+\s+){{0,2}}?"
            rf"(?P<n>(?!(?:{_alt(not_nouns)})(?![\w]))[^\W\d_][\w-]*s|{_alt(known)})(?![\w])"
            r"(?P<rest>[^.;:\d]{0,80})$", re.I)
        self.count_verb_then_joiner = re.compile(
            rf"(?<![\w])(?:{_alt(lex.count_verbs)})\b.*\b(?:{_alt(lex.clause_joiners)})\b", re.I)
        self.one_not_before = frozenset(w.lower() for w in lex.one_not_before)
        self.one_negated = re.compile(rf"(?<![\w])(?:{_alt(lex.one_negated)})(?:\s+[\w’']+){{0,3}}\s+$", re.I)
        self.one_not_after = _Tail(rf"\s+(?:{_reversed(lex.one_not_after)})(?![\w])", _width(lex.one_not_after))
        self.spread_gap = re.compile(
            rf"(?:[^.;:!?\d]|{_YEAR_SPAN}|(?:19|20)\d\d){{0,40}}?\s(?:{_alt(lex.spread_joiners)})\s+", re.I)
        self.durations_before = _Tail(rf"\s+(?:{_reversed(lex.duration_time_before)})(?![\w])",
                                      _width(lex.duration_time_before))
        self.duration_time_words = frozenset(w.lower() for w in lex.duration_time_before)
        self.duration_figure_before = _Tail(rf"\s+(?:{_reversed(lex.duration_figure_before)})(?![\w])",
                                            _width(lex.duration_figure_before))
        self.durations_after = re.compile(rf"\s+(?:{_alt(lex.duration_time_after)})(?![\w])", re.I)
        self.kmb = re.compile(rf"(?:{_alt(lex.currency_only_multipliers)})(?![\w])", re.I)  # "$5m": with a currency only
        self.times_x = re.compile(rf"(?:{_alt(lex.factor_glued)})(?![\w])", re.I)  # "3x"
        self.pp_glued = re.compile(rf"(?:{_alt(w for w in lex.percentage_point_words if w.isalpha())})(?![\w])", re.I)
        single = [w.lstrip("-") for ws in lex.qualifiers_after.values() for w in ws if len(w.split()) == 1]
        self.fold = re.compile(rf"[-\u2010\u2011](?:{_alt(w.lstrip('-') for w in lex.factor_words)}|"
                               rf"{_alt(single)})(?![\w])", re.I)  # "3-fold", "18-plus", "300-odd"
        self.adverb = re.compile(rf"(?:{_alt(lex.adverb_suffixes)})$", re.I)
        self.hyphen_count = re.compile(rf"[-\u2010\u2011](?:{_alt(lex.hyphen_counts)})(?![\w])", re.I)
        self.time_units = frozenset(u for u in lex.nouns if unit_class(u) == "time")
        self.measure_nouns = frozenset(" ".join(n.lower().split()) for n in lex.measure_nouns)
        self.comparison_article = re.compile(rf"\s*(?:(?:{_alt(lex.comparison_articles)})\s+)?", re.I)
        self.plural = tuple(e.lower() for e in lex.plural_endings)
        self.verb_endings = tuple(e.lower() for e in lex.verb_endings)
        self.not_plural = tuple(e.lower() for e in lex.not_plural_endings)
        self.alternatives = frozenset(w.lower() for w in lex.range_alternatives)
        self.joiner_openers = {k.lower(): v.lower() for k, v in lex.range_joiner_openers.items()}
        self.change_openers = frozenset(w.lower() for w in lex.change_openers)
        # --- spans that are never figures ------------------------------------------------------------
        lo = lambda words: _alt(words).lower()  # noqa: E731  (the never-patterns below run on lowered text)
        D = rf"(?:[12]\d|3[01]|0?[1-9])(?:{lo(lex.time.day_suffixes)})?"
        M = rf"(?:{months.lower()})\.?"
        # an identifier has no thousands separator ("units: 2,150" is a figure under its label)
        ident = rf"(?:{lo(lex.identifier_markers)})?\s*\d[\w]*(?:[-\u2010\u2011\u2013/.]\w+)*(?!,\d{{3}}(?!\d))"
        span_words = _alt(lex.time.span_joiners)
        age_join = rf"(?:\s*[-\u2013\u2014]\s*|\s+(?:{lo(lex.range_joiners)})\s+)"
        self.never = [
            (re.compile(r"(?<![\d.])\d{1,2}[./]\d{1,2}[./](?:19|20)?\d\d(?![\d.])|(?<!\d)(?:19|20)\d\d-[01]\d-[0-3]\d"
                        r"(?:T\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?(?:Z|[+\u2212-]\d\d:?\d\d)?)?(?![\d])"), "./-", False),
            (re.compile(rf"(?<![\w])(?:{_alt(lex.time_zones)})\s?[+\u2212-]\s?\d{{1,2}}(?::?\d\d)?(?!\d)|(?<=\d\d)[+\u2212-]\d\d:?\d\d(?!\d)"),
             "+-\u2212", False),
            (re.compile(rf"(?<![\w])(?:{lo(lex.age_before)})\s+(?:(?:{lo(lex.age_bounds)})\s+)?"
                        rf"\d{{1,3}}(?:{age_join}\d{{1,3}})?|(?<![\w.,])\d{{1,3}}(?:{age_join}\d{{1,3}})?"
                        rf"[-\s](?:{lo(lex.age_after)})(?![\w])"
                        rf"|(?<![\w])(?:{lo(lex.age_groups)})\s+(?:{lo(lex.age_group_bounds)})\s+\d{{1,3}}(?![\d.,]?\d)"
                        rf"(?!\s*(?:%|percent|per\s+cent|pct)(?![\w]))"), "aAoO", True),
            # references and enumerations: "[3]", "[1, 4]", a list item "2." or "2)", a footnote "(3)." closing a sentence
            # after a figure or a quotation ("totaled 522 (3).", "\"over USD 1.2 bn\" (3).")
            (re.compile(r"\[\d{1,3}(?:\s*[,\u2013-]\s*\d{1,3})*\]|(?:^|(?<=\n\n))\d{1,2}[.)](?=\s+[A-Z])"
                        r"|(?<=[\"\u201d)\d])\s?\(\d{1,2}\)(?=[.;:]?[ \t]*$|[.;:]\s)", re.M), "[\n(", False),
            # the days of a date range: "May 7–8", "from May 14 to 17", "3–9 April", "between 3 and 5 March"
            (re.compile(rf"(?<![\w])(?:{M}\s+{D}(?:[\u2013\u2014-]|\s+(?:{span_words})\s+){D}(?![\w])|"
                        rf"{D}\s*(?:[\u2013\u2014-]|\s+(?:{span_words})\s+)\s*{D}\s+(?:(?:{lo(lex.time.of)})\s+)?{M}(?![\w]))"), "", True),
            (re.compile(rf"(?<![\w])(?:{lo(lex.year_span_prefixes)})\s?(?:19|20)\d\d(?![\d])"), "", True),
            # designations with digits on both sides of letters ("2S3-1M", "9A33-2B", "T-72B3")
            (re.compile(r"(?<![\w\u2010-])[\w]*\d[A-Za-z]+\d[\w]*(?:[-\u2010\u2011][\w]+)*"), "", False),
            # identifiers after a reference word: "Article 300-1", "military unit 41207", "Articles 342 and 361-4"
            # ... and the count after it: "page 1 of 12"
            (re.compile(rf"(?<![\w])(?:{lo(lex.reference_words)})\s*:?\s*{ident}(?:\s*(?:,|{lo(lex.range_joiners)})\s*{ident})*"
                        rf"(?:\s+(?:{lo(lex.layout.page_of)})\s+\d+(?![\w.,]))?"), "", True),
            # telephone numbers: "+375 17 329 18 35", "8 0152 77 40 12" (at least seven digits after a "+": a signed
            # figure, "+14.6%", "+23", is none)
            (re.compile(r"\+(?=(?:[\s\u00a0()-]*\d){7})\d{1,3}(?:[\s\u00a0-]?\(?\d{1,5}\)?)+(?![\d%]|[.,]\d)|(?<![\w.,])\d{1,4}(?:[ \u00a0-]\d{2,4}){3,}(?!\d|[.,]\d|%)"), "", False),
            # "Reading time: 7 min"
            (re.compile(rf"(?<![\w])(?:{lo(lex.furniture_before)})\s*:?\s*\d+"), "", True),
            # "at 11 Sovetskaya Street", "Kalinouskaha Street 55": a house number
            (re.compile(rf"(?<![\w.,])\d{{1,4}}[A-Za-z]?\s+(?:[A-Z][\w'’-]+\s+){{1,3}}(?:{_alt(lex.address_words)})(?![\w])"
                        rf"|(?<![\w])(?:[A-Z][\w'’-]+\s+){{1,3}}(?:{_alt(lex.address_words)})\s+\d{{1,4}}[A-Za-z]?(?![\w]|[.,]\d)"), "", False),
            # "© 2025", "(c) 2024": the year of a copyright line
            (re.compile(r"(?:©|\([cC]\))\s*(?:19|20)\d\d(?:\s*[-\u2013]\s*(?:19|20)\d\d)?"), "©(", False),
            # "Shares: 1.2k", "Views 4.1k", "340 likes": counters of page furniture
            # (not after a word: "as a share: 11,800 crimes" is prose)
            (re.compile(rf"(?<![\w])(?<![^\W\d_]\s)(?:{lo(lex.furniture_counters)})\s*[:(]?\s*\d[\d.,]*[km]?\)?(?![\w])|"
                        rf"\d[\d.,]*[km]?\s+(?:{lo(lex.furniture_counters)})(?![\w])"), "", True),
            (re.compile(rf"\d+(?:[.,]\d+)?\s*(?:{lo(lex.furniture_after)})(?![\w])"), "", True),
            # ages of the youngest and the oldest: "the youngest is 18 and the oldest, a teacher, is 67"
            (re.compile(rf"(?<![\w])(?:{lo(lex.age_superlatives)})(?![\w])[^.;:!?\d]{{0,60}}?\s\d{{1,3}}"
                        rf"(?=\s*(?:[,.;:)!?]|$)|\s+(?:{lo(lex.clause_joiners)})\s)"), "", True),
            # an age set off by commas after a name or a person: "Ihar, 46, a lathe operator", "a teacher, 71, who"
            (re.compile(rf"(?<=[^\W\d_]),\s\d{{1,3}},\s(?=(?:{lo(lex.age_followers)})(?![\w]))"), "", True),
            # times of day: "10.30 am", "7 p.m."
            (re.compile(rf"(?<![\w.,])\d{{1,2}}(?:[.:]\d\d)?\s*(?:{lo(lex.clock_suffixes)})(?![\w])"), "", True),
            # short service numbers: "calling 102", "the hotline, 102,"
            (re.compile(rf"(?<![\w])(?:{lo(lex.phone_words)})\s*[,:]?\s*\(?\d{{3,}}\)?(?![\w]|[.,]\d)"), "", True),
            # a probability band after an estimative word: "highly likely (80-90%)", "a realistic possibility (40-50%)"
            (re.compile(rf"(?<![\w])(?:{lo(lex.probability_words)})\s*\(\s*\d{{1,3}}\s*(?:%\s*)?(?:[\u2013\u2014-]|to)\s*\d{{1,3}}\s*%\s*\)"),
             "", True),
            # a military grid reference: "35U NC 4512", "34UDC12345678" (MGRS)
            (re.compile(r"(?<![\w])\d{1,2}[C-HJ-NP-X]\s?[A-HJ-NP-Z]{2}\s?(?:\d\d){1,5}(?![\w])"), "", False),
        ]
        # what a sentence must hold for each pattern above to find anything: a cheap test skips most scans
        words = lambda ws: frozenset(str(w).lower().split()[0].strip(".:") for w in ws)  # noqa: E731
        # the longest run of letters of each phrase, as the sentence's hint words split it ("a.m." -> "m")
        letters = lambda ws: frozenset(max(reversed(_HINT_WORDS.findall(w.lower())), key=len) for w in ws)  # noqa: E731
        hints = [re.compile(r"\d[./-]\d"), frozenset(hint_words(lex.time_zones)) | {"+", "\u2212"},
                 frozenset(w for w in hint_words(lex.age_before, lex.age_after) for w in w.split("-"))
                 | words(lex.age_groups), "[\n",
                 words(lex.months), words(lex.year_span_prefixes), re.compile(r"\d[A-Za-z]+\d"),
                 words(lex.reference_words), re.compile(r"\+\d|\d[ \u00a0-]\d{2,4}[ \u00a0-]\d{2,4}[ \u00a0-]\d"),
                 words(lex.furniture_before), words(lex.address_words), "©(",
                 words(lex.furniture_counters), words(w.split()[-1] for w in lex.furniture_after),
                 words(lex.age_superlatives), words(lex.age_followers), letters(lex.clock_suffixes), words(lex.phone_words),
                 frozenset(hint_words(lex.probability_words)), re.compile(r"\d[C-HJ-NP-X]\s?[A-HJ-NP-Z]{2}")]
        assert len(hints) == len(self.never)
        self.never = [(rx, hint, low) for (rx, _, low), hint in zip(self.never, hints)]
        self.counters = re.compile(rf"(?<![\w])(?:{_alt(lex.furniture_counters).lower()})(?![\w])")
        self.furniture_line = lex.furniture_line
        self.section = re.compile(r"\d{1,2}(?:\.\d{1,2})+\.?\s+(?=[A-Z\u0400-\u042f])|\d{1,2}[.)]\s+(?=[A-Z\u0400-\u042f])")
        self.foreign_unit = re.compile(rf"\s*(?:{_alt(lex.foreign_units)})(?![\w])")
        self.foreign_range = re.compile(rf"(?:\s*(?:{_DASH}|\.\.)\s*|\s+(?:{_alt(lex.range_joiners)})\s+)\d[\d.,]*"
                                        rf"\s*(?:{_alt(lex.foreign_units)})(?![\w])")
        self.enumerated = re.compile(r"(?<![\w.,])(\d{1,2})[.)]\s+(?=[A-Z\u0400-\u042f])")


_YEAR_SPAN = r"(?:19|20)\d\d(?:[\u2013\u2014/-]|\s[\u2013\u2014-]\s)(?:(?:19|20)\d\d|\d\d)"
_YEAR_SPAN_RX = re.compile(r"(?<![\w])(?P<a>(?:19|20)\d\d)(?:[\u2013\u2014/-]|\s[\u2013\u2014-]\s)(?P<b>(?:19|20)\d\d|\d\d)(?![\w%])")


@lru_cache(maxsize=1)
def _iso_symbols() -> tuple[tuple[str, str], ...]:
    from .lexicon import iso_currencies
    return tuple((code, sym) for code, (_, sym) in iso_currencies().items() if sym and not sym.isalpha())


@lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    return _Patterns()


def _to_float(s: str) -> float:
    """Digits with thousands separators or a decimal comma, after an optional minus sign (see `_SIGN`) -> float."""
    sign = -1.0 if s[:1] in "\u2212-" else 1.0
    s = s.lstrip("\u2212-").replace("\u00a0", "").replace("\u2009", "").replace("\u202f", "")
    if _DOT_GROUPED.fullmatch(s):
        return sign * float(s.replace(".", ""))
    if _GROUPED.fullmatch(s):
        return sign * float(s.replace(",", "").replace(" ", ""))
    if "," in s:  # decimal comma: "1,5"
        return sign * float(s.replace(",", "."))
    return sign * float(s)


# A minus sign (U+2212 or "-") glued to a figure makes it negative ("−3.5%", "(-12)"), unless it joins the figure
# to a word or figure before it: "Su-30", "2020-2021", "6 −15%" (a range), "3%-5%".
_SIGN = re.compile(r"(?<![\w.,/\\:%)\]\u2212-])(?<![\d%][ \u00a0])[\u2212-]")
# A plus sign glued to a figure ("+9%") where a minus sign would be one (see `_SIGN`)
_PLUS = re.compile(r"(?<![\w.,/\\:%)\]\u2212+-])(?<![\d%][ \u00a0])\+")
_TOKEN = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class _Words:
    """A number written in words: where it lies in its span, its value, and how it was scaled."""

    start: int
    end: int
    value: float
    bare: float  # the value before its last large scale word ("ten thousand" -> 10)
    scaled: bool
    single: bool  # "one" / "a single": a figure only before a counted noun
    approx: bool = False  # "a couple dozen": about two dozen


def _parse_words(low: str, s: int, e: int) -> list[_Words]:
    """Every number written in words in low[s:e] (lower-cased): "two-three" is two of them.

    Grammar: [a | half a] (units | teens | tens [units] | hundred | dozen | scale)+, "and" after a hundred or
    a scale, "and a half" adding one half, "point" followed by digits in words.
    """
    lex = lexicon()
    g = lex.number_grammar
    words = lex.number_words
    scales = lex.scale_words
    toks = [(m.group(), s + m.start(), s + m.end()) for m in _TOKEN.finditer(low[s:e])]
    if len(toks) == 2 and toks[0][0] in g.half and toks[1][0] in g.articles:  # "half a" before "percent"
        return [_Words(s, e, 0.5, 0.5, False, False)]
    out: list[_Words] = []
    i = 0
    while i < len(toks):
        parsed = _one_number(toks, i, words, scales, g)
        if parsed is None:
            i += 1
            continue
        out.append(parsed[0])
        i = parsed[1]
    return out


@lru_cache(maxsize=2)
def _percent_heads(lex) -> frozenset[str]:
    """The first word of each percent word ("percent", "per" of "per cent", "percentage" of "percentage point")."""
    heads = [w.split()[0].lower() for w in [*lex.percent_words, *lex.percentage_point_words] if w[:1].isalpha()]
    return frozenset(h for h in heads if h.isalpha())


def _one_number(toks, i, words, scales, g):
    n = len(toks)
    total, group, last, big, end, small = 0.0, 0.0, "", math.inf, None, 1.0
    couple = False
    start = toks[i][1]
    decimals: list[int] = []
    t = toks[i][0]
    if t in g.articles or t in g.half:
        nxt = toks[i + 1][0] if i + 1 < n else ""
        if t in g.articles and nxt in g.single:
            return _Words(start, toks[i + 1][2], 1.0, 1.0, False, True), i + 2
        if t in g.half and nxt in g.articles and i + 2 < n and toks[i + 2][0] in scales:
            group, last, i = 0.5, "unit", i + 2
        elif t in g.articles and nxt in scales:
            group, last, i = 1.0, "unit", i + 1
        elif t in g.articles and nxt in g.couple:
            j = i + 2 + (i + 2 < n and toks[i + 2][0] in g.of)
            if not (j < n and toks[j][0] in scales):
                return None  # "a couple of officers": no number is written
            group, last, i, couple = 2.0, "unit", j, True
        else:
            return None
    k = i
    while k < n:
        t = toks[k][0]
        if t in g.joiner:
            if k + 2 < n and toks[k + 1][0] in g.articles and toks[k + 2][0] in g.half and last in ("unit", "teen", "tens"):
                group += 0.5
                end, last, k = toks[k + 2][2], "half", k + 3
                continue
            if k + 2 < n and toks[k + 1][0] in g.articles and toks[k + 2][0] in g.half and last == "scale" and not group:
                total += 0.5 * big  # "a million and a half"
                end, last, k = toks[k + 2][2], "half", k + 3
                continue
            if last in ("hundred", "scale") and k + 1 < n and toks[k + 1][0] in words:
                k += 1
                continue
            break
        if last == "point":
            if t in words and words[t] < 10:
                decimals.append(words[t])
                end, k = toks[k][2], k + 1
                continue
            break
        if t in words:
            v = words[t]
            kind = "tens" if v >= 20 else ("teen" if v >= 10 else "unit")
            if last in ("unit", "teen", "half") or (last == "tens" and kind != "unit"):
                break
            if last == "" and decimals:
                break
            group += v
            last, end = kind, toks[k][2]
        elif t in g.point:
            if last not in ("unit", "teen", "tens") or k + 1 >= n or toks[k + 1][0] not in words:
                break
            last = "point"
        elif t in scales:
            s = scales[t]
            if decimals:
                group += float("0." + "".join(map(str, decimals)))
                decimals = []
            if s < 1000:  # hundred, dozen: multiply the group
                if last == "hundred" or (group >= s and s == 100):
                    break
                group = (group or 1.0) * s
                last, small = "hundred", s
            else:
                if s >= big or last == "":
                    break
                total += (group or 1.0) * s
                group, big, last = 0.0, s, "scale"
            end = toks[k][2]
        else:
            break
        k += 1
    if decimals:
        group += float("0." + "".join(map(str, decimals)))
    if end is None:
        return None
    if last == "point":  # "one point" and no digit after: the number ends before "point"
        last = "unit"
    value = total + group
    scaled = last == "scale" and big < math.inf
    # "three hundred", "four dozen": the number before the last scale word, so that "two or three hundred" reads
    # as 200-300 (see _propagate); only thousands and above count as a written multiplier (`scaled`)
    bare = value / big if scaled else (value / small if last == "hundred" and not total else value)
    return _Words(start, end, value, bare, scaled, False, couple), k


_GROUPED = re.compile(r"\d{1,3}(?:[ ,]\d{3})+(?:\.\d+)?")
_DOT_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3}){2,}")
_ONE_DOT_GROUP = re.compile(r"\d{1,3}\.\d{3}")
_YEAR_CORE = re.compile(r"(19|20)\d\d")
_LABEL_WORD = re.compile(r"[^\W\d_][\w-]*")
_WORDS_ONLY = re.compile(r"[\s\w-]*")
_CAPITAL = re.compile(r"[A-Z]")
_CLAUSE_BREAK = re.compile(r"[.;:!?]|,\s")


def _occurrences(text: str, atom: _Atom, factor: str, after: str, lo: int) -> bool:
    """"detained 29 times", "violated the border 12 times": a whole number of times after a verb that is no change,
    with no comparison after, counts occasions; "grew 1.7 times", "three times more", "up 3 times" are factors."""
    P = _patterns()
    if not P.occasion_word.fullmatch(factor.strip()) or atom.value != int(atom.value) or atom.value < 2 \
            or P.factor_comparison.match(after):
        return False
    before = text[max(lo, atom.start - 40):atom.start]
    before = P.qualifier_tail.sub("", re.split(r"[,;:]", before)[-1])  # "is more than five times": "is"
    return not P.change_words.search(before) and not P.change_by_before.search(before) \
        and not P.copula_before.search(before)  # "it is more than five times": a factor


def _is_year(value: float, core: str) -> bool:
    return _YEAR_CORE.fullmatch(core) is not None and 1900 <= value <= 2100


_POSSESSIVE = re.compile(r"[’']s(?![\w])")
_CLOCK = re.compile(r"[:]\d")
_DOTTED = re.compile(r"\.\d+\.")
_HYPHEN_WORD = re.compile(r"[-\u2010\u2011][^\W\d_]")

_SLASH_DATE = re.compile(r"[-/]\d{1,2}[-/]\d")
_SLASH_NUMBER = re.compile(r"/\d")  # "24/7", "9/11", "1/3" without "of": no figure
_DOT_DATE = re.compile(r"\.\d{1,2}\.\d")
_CODE_BEFORE = re.compile(r"[A-Z]{3}$")
_CODE_GLUED = re.compile(r"(?P<c>[A-Z]{3})(?![\w])")
_WORDS_AFTER = re.compile(r"\s*(\S+)(?:\s+(\S+))?(?:\s+(\S+))?(?:\s+(\S+))?")
_TRAILING = ".,;:!?)»”\"'’"


@lru_cache(maxsize=1)
def _currency_starts() -> frozenset[str]:
    """The first word (lower-cased) of every currency name, code or symbol the lexicon knows."""
    lex = lexicon()
    names = list(lex.currencies) + list(lex.iso_codes) + [n for names, _ in _iso_names() for n in names]
    return frozenset(n.split()[0].lower().rstrip(_TRAILING) for n in names if n.split())


@lru_cache(maxsize=1)
def _iso_names():
    from .lexicon import iso_currencies
    return tuple(iso_currencies().values())


def _currency_after(text: str, pos: int, hi: int) -> tuple[str, int, float] | None:
    """A currency named right after a figure ("USD", "Swiss francs", "MUSD"): (code, end, multiplier)."""
    lex = lexicon()
    m = _WORDS_AFTER.match(text, pos, min(hi, pos + 60))
    if not m:
        return None
    first = m.group(1)
    if first.lower().rstrip(_TRAILING) not in _currency_starts() and not (
            len(first) >= 4 and first[0] in lex.code_multipliers):
        return None  # most figures are followed by no currency: one set lookup decides
    for k in range(4, 0, -1):
        if m.group(k) is None:
            continue
        phrase_end = m.end(k)
        phrase = text[m.start(1):phrase_end]
        for cut in (phrase, phrase.rstrip(_TRAILING)):
            if not cut:
                continue
            code = lex.currency(cut)
            if code:
                return code, m.start(1) + len(cut), 1.0
            if k == 1 and len(cut) == 4 and cut[0] in lex.code_multipliers and cut[1:] in lex.iso_codes:
                return cut[1:], m.start(1) + 4, lex.code_multipliers[cut[0]]  # "50 MUSD"
    return None


_COUNTED_AFTER = re.compile(r"\s+[a-z]{3,}")  # a lower-case word after the number: what it counts
_WORD_BEFORE = re.compile(r"([^\W\d_]+)\s+$")


def _governed_preposition(text: str, lo: int, left: re.Match) -> bool:
    """A qualifier word that a verb or noun before it governs as a preposition ("known about 143", "learned about
    48", "information about 12"): lexicon `preposition_qualifiers` after `preposition_governors`."""
    lex = lexicon()
    if " ".join(left.group("q").lower().split()) not in lex.preposition_qualifiers or left.group("a"):
        return False
    w = _WORD_BEFORE.search(text, max(lo, left.start("q") - 30), left.start("q"))
    return bool(w) and w.group(1).lower() in lex.preposition_governors


def _parse_atom(text: str, m_start: int, m_end: int, words: _Words | None, lo: int, hi: int) -> _Atom | None:
    """Read one number and what sticks to it; None when context says it is not a quantity."""
    P = _patterns()
    lex = P.lex
    word = words is not None
    if not word and m_start > lo and _SIGN.match(text, m_start - 1):
        m_start -= 1  # the sign is part of the figure and of its surface
    core = text[m_start:m_end]
    glued_code = None
    if word:
        value = words.value
    else:
        try:
            value = _to_float(core)
        except ValueError:
            return None
    end = m_end
    after = text[m_end:min(hi, m_end + 80)]

    if not word:
        # designation / code / ordinal / decade / time / date written with digits
        prev = text[m_start - 1] if m_start > lo else " "
        prev2 = text[m_start - 2] if m_start - 1 > lo else " "
        if prev.isalpha():
            code = _CODE_BEFORE.search(text, max(lo, m_start - 3), m_start)
            if not (code and code.group() in lex.iso_codes and (m_start - 3 == lo or not text[m_start - 4].isalpha())):
                return None
            glued_code = code.group()  # "USD115"
        elif prev in "-\u2010\u2011" and prev2.isalpha():
            return None
        nxt = after[:1]
        if nxt.isalpha() and not (P.glued_mult.match(after) or P.glued_letter.match(after) or P.kmb.match(after)
                                  or P.times_x.match(after) or P.pp_glued.match(after) or P.percent.match(after)
                                  or (_CODE_GLUED.match(after) and _CODE_GLUED.match(after).group("c") in lex.iso_codes)):
            return None
        if _POSSESSIVE.match(after) or _CLOCK.match(after) or _DOTTED.match(after):
            return None
        if _HYPHEN_WORD.match(after) and not P.fold.match(after) and not P.hyphen_count.match(after):
            return None
        if _SLASH_DATE.match(after) or _DOT_DATE.match(after) or _SLASH_NUMBER.match(after):
            return None
    if P.month_before.search(text, lo, m_start) and not word and value <= 31 and "." not in core \
            and not (P.month_count.search(text, lo, m_start) and _COUNTED_AFTER.match(after)):
        return None
    if not word and value <= 31 and "." not in core and P.month_after.match(after):
        return None
    if P.rating_after.match(after):
        return None  # "Our scorecard: 2 False, 1 Largely accurate": a tally of a fact-check's verdicts
    if P.reference_before.search(text, lo, m_start):
        return None
    if word and P.vague_before.search(text, lo, m_start):
        return None  # "several hundred", "a few dozen": no number is written
    if P.descriptor_after.match(after) or (word and P.descriptor_before.search(text, lo, m_start)):
        return None  # "the three largest companies", "the largest three holdings"

    atom = _Atom(start=m_start, core_start=m_start, core_end=m_end, end=end, value=value, word=word,
                 bare=words.bare if word else value, scaled=words.scaled if word else False)
    rest = after

    def advance(n: int) -> None:
        nonlocal rest
        atom.end += n
        rest = text[atom.end:min(hi, atom.end + 80)]

    if not word:  # glued multipliers: 5bn, 1,783.9million, 10M, 100k
        g = P.glued_mult.match(rest) or P.glued_letter.match(rest)
        if g and g.group("m") in P.month_count_letters and value == int(value) and 1 <= value <= 12 \
                and (_YEAR_NEXT.match(rest, g.end()) or _LABEL_NEXT.match(rest, g.end())
                     and not text[max(lo, m_start - 2):m_start].rstrip().endswith(":")):
            return None  # "9M 2024", "Exercises, 5M:": the first months of a year, a period
        if g:
            key = g.group("m")
            atom.value *= lex.multipliers.get(key.lower()) or lex.glued_multipliers[key]
            atom.scaled = True
            advance(g.end())
    mm = P.multiplier.match(rest)
    if mm and not atom.scaled:
        factor = lex.multipliers[" ".join(mm.group("m").lower().split())]
        atom.value *= factor
        atom.scaled = True
        advance(mm.end())
        big = P.multiplier.match(rest) if factor < 1000 else None  # "2 hundred thousand": a larger one may follow
        if big and lex.multipliers[" ".join(big.group("m").lower().split())] >= 1000:
            atom.value *= lex.multipliers[" ".join(big.group("m").lower().split())]
            advance(big.end())

    prefix_currency, c_start = glued_code, m_start - 3
    if glued_code:
        left = P.qual_only.search(text, lo, c_start)
    else:
        left = P.qual_before.search(text, lo, m_start)
        if left and left.group("c"):
            c = left.group("c")
            prefix_currency, c_start = lex.currency(c), left.start("c")
            if prefix_currency and c.isalpha() and c.isupper() and c_start + len(c) < m_start \
                    and c in lex.currency_codes_not_words:
                prefix_currency = None  # "ALL 40 drones"
            if not prefix_currency:
                left = P.qual_only.search(text, lo, m_start)
    cur_after = None if prefix_currency else _currency_after(text, atom.end, hi)
    km = None if prefix_currency or cur_after or atom.scaled or word else P.kmb.match(rest)
    # "5m dollars": the letter scales the figure when a currency follows it
    currency_next = bool(km) and _currency_after(text, atom.end + km.end(), hi) is not None
    if prefix_currency or cur_after or currency_next:
        cm = P.currency_mult.match(rest)
        if cm and not atom.scaled:
            atom.value *= lex.currency_only_multipliers[cm.group("m").lower()]
            atom.scaled = True
            advance(cm.end())
            cur_after = None if prefix_currency else _currency_after(text, atom.end, hi)
    elif P.kmb.match(rest) and not word:
        letter = P.kmb.match(rest)
        noun = _WORD_AFTER.match(rest, letter.end())
        if not (noun and _counts_things(noun.group(1))):
            return None  # 5m without a currency: metres, minutes ... not ours
        atom.value *= lex.currency_only_multipliers[letter.group().lower()]  # "5.57m crossings", "1.2m people"
        atom.scaled = True
        advance(letter.end())
    if P.times_x.match(rest) and not word:
        atom.unit = "ratio"
        advance(1)
    # an accountant's negative: "(1.5)%", and a whole table cell "(12.0)" under its label
    in_parens = not word and m_start > lo and text[m_start - 1] == "(" and rest.startswith(")") and atom.value > 0
    cell = in_parens and _CELL_END.match(rest, 1) and text[max(lo, m_start - 3):m_start - 1].rstrip().endswith(":")
    if in_parens and (P.percent.match(rest, 1) or cell and "." in core):
        atom.value, atom.bare, atom.start = -atom.value, -atom.bare, m_start - 1
        advance(1)

    if not atom.unit:
        if prefix_currency:
            atom.unit = prefix_currency
        pm = P.pp.match(rest)
        if pm:
            atom.unit = "percentage_point"
            advance(pm.end())
        elif (pc := P.percent.match(rest)):
            atom.unit = "percent"
            advance(pc.end())
        elif (fc := P.factor.match(rest)) and not (occ := _occurrences(text, atom, fc.group(), rest[fc.end():], lo)):
            atom.unit = "ratio"
            advance(fc.end())
        elif fc:
            atom.occasions = occ
        elif cur_after:
            code, c_end, mult = cur_after
            atom.unit = code
            atom.value *= mult
            atom.scaled = atom.scaled or mult != 1.0
            advance(c_end - atom.end)
            mm = P.multiplier.match(rest)  # "75 USD million"
            if mm and not atom.scaled:
                atom.value *= lex.multipliers[" ".join(mm.group("m").lower().split())]
                atom.scaled = True
                advance(mm.end())

    if left and left.group("q") and _governed_preposition(text, lo, left):
        left = None  # "information is known about 143 cases", "we learned about 48": "about" is a preposition
    if left and left.group("q"):
        q = P.qual_of.get(" ".join(left.group("q").lower().split()), Q.EXACT)
        if left.group("n"):
            q = _FLIP.get(q, q)  # "will not exceed 20": at most 20
        atom.qualifier = q
        if q != Q.EXACT:
            atom.qualified = True
            atom.start = left.start("n") if left.group("n") else left.start("q")
    if word and words.approx and atom.qualifier == Q.EXACT:
        atom.qualifier = Q.APPROX  # "a couple dozen"
    if prefix_currency:
        atom.start = min(atom.start, c_start)
    qa = P.qual_after.match(rest)
    if qa and atom.qualifier in (Q.EXACT, Q.APPROX):
        atom.qualifier = P.qual_after_of.get(" ".join(qa.group("q").lower().split()), Q.EXACT)
        atom.qualified = True
        advance(qa.end())

    if not atom.unit and not atom.scaled and atom.start - 2 >= lo and ":" in text[atom.start - 2:atom.start]:
        if not _label_unit(text, atom, lo, atom.start):  # "~3,900" under its label too  # "Defence budget (BYN bn): 2.1", "Share of GDP (%): 1.2"
            return None  # "Runway length (m): 40": a measure we do not track
    if not atom.unit and (P.foreign_unit.match(rest) or P.foreign_range.match(rest)):
        return None  # "1.2 km", "5 kilograms": a measure of a kind we do not track
    if not word and m_start > lo and unicodedata.category(text[m_start - 1]) == "So" \
            or m_start - 1 > lo and text[m_start - 1] == " " and unicodedata.category(text[m_start - 2]) == "So":
        return None  # "👁 3.4k": a counter of page furniture
    if _is_year(atom.value, core) and not atom.scaled and not atom.unit:
        # a year unless a counted noun follows and no temporal preposition precedes
        noun, _ = _counted_noun(text, atom.end, hi, known_only=True)
        if not noun or P.year_prep_before.search(text, lo, m_start):
            return None
    neg = P.minus_before.search(text, lo, atom.start) if atom.value > 0 else None
    if neg:  # "negative 3%", "minus 12": the sign written as a word
        atom.value, atom.bare, atom.start = -atom.value, -atom.bare, neg.start("w")
    if word and (words.single or atom.value == 1) and not atom.unit and not atom.scaled:
        if not _one_counts(text, atom, lo, hi):
            return None
    return atom


_CELL_END = re.compile(r"\s*(?:;|$)")
_YEAR_NEXT = re.compile(r"\s+(?:19|20)\d\d(?![\d.,]\d)")
_LABEL_NEXT = re.compile(r"\s*[:;]")
_NOUN_LIKE = re.compile(r"\s+(?P<w>[^\W\d_][\w’'\u2010-]*)")
_LABEL_UNIT = re.compile(r"\((?P<u>[^()\n]{1,40})\)\s*$")
_LABEL_BEFORE = re.compile(r"(?P<label>[^;\n]{1,90}?)\s*:\s*$")
_UNIT_TOKEN = re.compile(r"[^\s,;/]+")


@dataclass(frozen=True)
class _LabelUnit:
    """The unit a label names for the figures under it: a unit code (currency, percent, ratio) and a scale."""

    unit: str = ""
    mult: float = 1.0
    foreign: bool = False  # a unit of a measure we do not track ("Runway length (m)", "Distance, km")
    change: bool = False  # the label names a change ("Change, % y/y", "Output, change % y/y"): its figures are changes


def _label_unit(text: str, atom: _Atom, lo: int, start: int) -> bool:
    """A figure after a label that names its unit, as a table column or a key-figures line does: in brackets
    ("Defence budget (BYN bn): 2.1" is 2.1 billion BYN; "Share of GDP (%): 1.2" is 1.2 percent) or after a
    comma ("Spending, BYN mln: 1,594.2"; "Change, % y/y: 7.9"). In a table row ("Exports, USD mln; 2020:
    1,200") a label that names no unit takes the row label's. Sets the atom's unit and scale; False when the
    label names a unit of a measure we do not track ("(km)")."""
    head = _LABEL_BEFORE.search(text, max(lo, start - 92), start)
    if not head:
        return True
    found = _unit_of_label(head.group("label"))
    if found is None:
        row_end = text.find(";", lo, head.start("label"))
        if row_end > lo:  # a table row: its first cell labels every figure of the row
            found = _unit_of_label(text[lo:row_end].rsplit(":", 1)[-1])
    if found is None:
        return True
    if found.foreign:
        return False
    if found.unit:
        atom.unit = found.unit
    if found.mult != 1.0:
        atom.value *= found.mult
        atom.scaled = True
    if found.change and not atom.change and atom.unit in ("percent", "ratio"):
        atom.change = 1  # its sign is the figure's own ("-2.3")
    return True


@lru_cache(maxsize=1024)
def _unit_of_label(label: str) -> _LabelUnit | None:
    """The unit a label names in brackets at its end or after a comma (see `_label_unit`); None if it names
    none. Words in brackets must all be units ("(own count)" is none); after a comma the unit words come
    first, then anything ("BYN mln 2020 plan", "% of the total")."""
    P = _patterns()
    found = None
    m = _LABEL_UNIT.search(label)
    if m:
        inner = m.group("u").strip()
        if P.foreign_unit.fullmatch(inner):
            return _LabelUnit(foreign=True)
        found = _unit_words(_UNIT_TOKEN.findall(inner), strict=True, whole=inner)
    else:
        for segment in reversed(label.split(",")[1:]):
            segment = segment.strip()
            if P.foreign_unit.fullmatch(segment):
                return _LabelUnit(foreign=True)
            found = _unit_words(_UNIT_TOKEN.findall(segment), strict=False, whole=segment)
            if found is not None:
                break
    if found is not None and P.label_change.search(label):
        found = replace(found, change=True)
    return found


def _unit_words(tokens: list[str], strict: bool, whole: str) -> _LabelUnit | None:
    """Read unit words (currency, multiplier, percent, factor) from the start of `tokens`. Strict: every token
    must be one; else after the leading words of `label_unit_leads`, at least the first must be, and reading
    stops at the first word that is none."""
    P = _patterns()
    lex = P.lex
    code = lex.currency(whole) if strict else None
    unit, mult, needs_currency, read = "", 1.0, False, 0
    if not strict:
        leads = P.label_unit_leads
        while tokens and tokens[0].lower() in leads:
            tokens = tokens[1:]
    for tok in tokens:
        low = tok.lower()
        if not code and lex.currency(tok):
            code = lex.currency(tok)
        elif low in lex.multipliers:
            mult = lex.multipliers[low]
        elif P.percent.fullmatch(tok):
            unit = "percent"
        elif P.factor.fullmatch(tok):
            unit = "ratio"
        elif tok in lex.glued_multipliers:
            mult = lex.glued_multipliers[tok]
        elif low in lex.currency_only_multipliers:  # "(EUR m)", but "(m)" alone is metres
            mult, needs_currency = lex.currency_only_multipliers[low], True
        elif strict:
            return None  # a word we cannot read ("(plan)", "(own count)"): not a unit
        else:
            break
        read += 1
    if not read or needs_currency and not code:
        return None
    return _LabelUnit(unit=unit or code or "", mult=mult)


def _one_counts(text: str, atom: _Atom, lo: int, hi: int) -> bool:
    """"one drone", "a single drone" count; "one of the units", "one can", "the one that" do not."""
    P = _patterns()
    if P.one_negated.search(text, max(lo, atom.core_start - 40), atom.core_start):
        return False
    joined = P.range_conn.match(text, atom.end, hi)  # "one or two battalions"
    if joined and (text[joined.end():joined.end() + 1].isdigit()
                   or _TOKEN.match(lowered(text), joined.end()) and _TOKEN.match(lowered(text), joined.end()).group()
                   in P.lex.number_words):
        return True
    if P.of_them.match(text, atom.end, hi) and P.digits.search(text, lo, atom.core_start):
        return True  # "2 economic entities, one of them ...": one of the figure before
    m = _NOUN_LIKE.match(text, atom.end, hi)
    if not m:
        return False
    w = m.group("w").lower()
    if w in P.one_not_before:
        return False
    noun, _ = _counted_noun(text, atom.end, hi, known_only=True)
    if noun:
        return True
    if _plural(w) or w.endswith(P.verb_endings):
        return False  # "one suspects", "the spring one drafted 9,300": the pronoun and its verb
    if P.one_not_after.search(text, lo, atom.core_start):
        return False
    return w not in P.stop_words and w not in P.verbish and not P.adverb.search(w)


_ACRONYM_PLURAL = re.compile(r"[A-Z]{2,}s")  # "120 NGOs", "40 UAVs": a plural, though capitalised


def _counted_noun(text: str, pos: int, hi: int, known_only: bool = False) -> tuple[str, int]:
    """The counted noun after a number ("ten such vehicles") and where it ends; ("", pos) if none."""
    P = _patterns()
    units = P.lex.noun_units
    cur = pos
    first_plain = ("", pos)
    unknown = 0  # an unknown plural noun counts after at most two unknown words ("two territorial defence battalions")
    verbal = False  # ... but not after a verb ("45 make components")
    for _ in range(4):
        m = P.noun_word.match(text, cur, hi)
        if not m:
            break
        word = m.group("w")
        low = word.lower()
        # the longest known noun phrase first ("armoured personnel carriers", "battalion sets")
        words, ends, nxt = [low], [m.end()], m
        for _ in range(2):
            nxt = P.noun_word.match(text, nxt.end(), hi)
            if not nxt:
                break
            words.append(nxt.group("w").lower())
            ends.append(nxt.end())
        for n in range(len(words), 1, -1):
            if " ".join(words[:n]) in units:
                return text[m.start("w"):ends[n - 1]], ends[n - 1]
        if low in units or (word[:1].islower() and any(low + e in units for e in P.plural)):  # "one drone"
            return word, m.end()
        if P.designation.fullmatch(word):
            cur = m.end()
            continue
        if low in P.stop_words:
            break
        if low in P.noun_skip:
            cur = m.end()
            continue
        if not first_plain[0] and not known_only and _plural(low) and len(low) > 3 \
                and (word[:1].islower() or _ACRONYM_PLURAL.fullmatch(word)) and unknown < 3 \
                and low not in P.verbish and not verbal:
            first_plain = (word, m.end())
            break
        unknown += 1
        verbal = verbal or low in P.verbish
        cur = m.end()
    return first_plain


_LABEL = re.compile(r"(?:^|(?<=[.;:!?]\s)|(?<=\n))(?P<label>[^.;:!?\n\d]{2,80}?)(?:\([^)]*\))?\s*:\s*$")


def _noun_before(text: str, lo: int, start: int) -> str:
    """"the number of local chats ... exceeded 1,100", "Troops: 250": the counted noun written before the figure."""
    P = _patterns()
    label = _LABEL.search(text, max(lo, start - 90), start)
    if label:  # "Chat administrators detained in February: 37", "Troops: 250"
        noun = _label_noun(label.group("label"))
        if noun:
            return noun
    if text[max(lo, start - 2):start].rstrip().endswith(":"):
        row_end = text.find(";", lo, start)
        if row_end > lo:  # a cell of a table row ("Detentions, persons; 2021: 1,433"): the row label's noun
            row = text[lo:row_end].rsplit(":", 1)[-1]
            noun = _label_noun(row.rsplit(",", 1)[-1]) if "," in row else ""
            noun = noun or _label_noun(row)
            if noun:
                return noun
    m = P.number_of.search(text, max(lo, start - 160), start)
    if not m or P.count_verb_then_joiner.search(m.group("rest")):
        return ""
    return m.group("n")


def _label_noun(label: str) -> str:
    """What a label counts: its first plural ("Chat administrators" counts administrators), else a known noun;
    a period as the label ("week: 41", "since Jan 1: 2.1k") says when, not what is counted."""
    P = _patterns()
    words = [w for w in _LABEL_WORD.findall(label) if not _time_word(w)]
    plural = [w for w in words if _plural(w.lower()) and len(w) > 3]
    if plural:
        return plural[0]
    known = [w for w in words if w.lower() in P.lex.noun_units]
    return known[0] if known else ""


_WORD_AFTER = re.compile(r"\s+([^\W\d_]+)")


def _counts_things(word: str) -> bool:
    """A word after "5.57m" that says the letter scales a count: a counted noun the lexicon knows, or a plural that
    is no unit of a measure we do not track ("5m long" and "12 m wide" are lengths)."""
    low = word.lower()
    P = _patterns()
    return low in P.lex.noun_units or _plural(low) and low not in P.stop_words and not P.foreign_unit.fullmatch(word)


def _plural(low: str) -> bool:
    """A plural by its ending ("drones", not "press"): the lexicon's `plural_endings`."""
    P = _patterns()
    return low.endswith(P.plural) and not low.endswith(P.not_plural)


@lru_cache(maxsize=2048)
def _time_word(word: str) -> bool:
    """A unit of time as written ("week", "Months"), looked up in the registry without defining anything."""
    return is_time_unit(word)


def _noun_unit(noun: str) -> str:
    """The unit of a counted noun (units.noun_unit: the lexicon's, else the noun itself as a count)."""
    return noun_unit(noun)


_HINT_WORDS = re.compile(r"[^\W\d_]+|[+\u2212©№#]")
_FURNITURE_REST = re.compile(r"\d[\d.,]*[KkMm]?|[\s|·•,:;/()\[\]-]")


_NOTE_MARK = re.compile(r"\((\d{1,2})\)(?=\s|[.;:,]|$)")  # "(3)": a bare number of one or two digits in parentheses
_NOTE_END = re.compile(r"[.;:,]?[ \t]*(?:$|\n|\s+[A-Z])")  # ... closing its sentence, line or title
_NOTE_LINE = re.compile(r"\n\n\((\d{1,2})\) ")  # a paragraph opening with a note's number: "(3) Source ..."


@lru_cache(maxsize=8)
def _notes_held(text: str) -> frozenset[str]:
    """The numbers of the notes a report's text holds (paragraphs "(n) ..."), read once per text."""
    return frozenset(_NOTE_LINE.findall(text))


def _never_spans(text: str, lo: int, hi: int, seg_words: frozenset | None = None) -> list[tuple[int, int]]:
    """Spans of text[lo:hi] that hold no figure: dates, timestamps, ages, footnotes, date ranges, year spans,
    designations, identifiers, reading times, section numbers, enumerations and counters of page furniture."""
    P = _patterns()
    seg = text[lo:hi]
    out = []
    low = lowered(text)
    seg_low = low[lo:hi]
    for rx, need, on_lowered in P.never:
        if isinstance(need, str):  # any of these characters
            if not any(c in seg for c in need) and not (need == "[\n" and lo == 0):
                continue
        elif isinstance(need, frozenset):  # any of these words
            if seg_words is None:
                seg_words = frozenset(_HINT_WORDS.findall(seg_low))
            if need.isdisjoint(seg_words):
                continue
        elif not need.search(seg):
            continue
        out.extend((m.start(), m.end()) for m in rx.finditer(low if on_lowered else text, lo, hi))
    for m in _YEAR_SPAN_RX.finditer(text, lo, hi):  # "2012–13", "2020/21": a span of years, if the second follows
        a, b = int(m.group("a")), int(m.group("b"))
        if (b > a % 100 if b < 100 else a < b <= a + 30):
            out.append((m.start(), m.end()))
    head = P.section.match(text, lo)  # "1. Overview", "2.3. Budget": a section number opening the sentence
    if head and head.start() < hi:
        out.append((lo, head.end()))
    if P.enumerated.search(text, lo, min(len(text), hi + 2)):  # "1. Army 2. Economy 3. Society": list markers
        p_lo = text.rfind("\n\n", 0, lo) + 1
        p_hi = text.find("\n\n", hi)
        p_hi = len(text) if p_hi < 0 else p_hi
        marks = [(int(m.group(1)), m.start(), m.end(1) + 1) for m in P.enumerated.finditer(text, p_lo, p_hi)]
        for (a, s1, e1), (b, s2, e2) in zip(marks, marks[1:]):
            if b == a + 1:
                out += [(s1, e1), (s2, e2)]
    if "(" in seg:  # "(3)" where the report's notes hold a "(3) ..." line: a note mark ("over the same five months
        # (2).", "Table 4. Registered crime, January (5)") or the note's own number
        for m in _NOTE_MARK.finditer(text, lo, hi):
            if (m.start() == 0 or text.startswith("\n\n", m.start() - 2)) \
                    or (m.start() >= 2 and m.group(1) in _notes_held(text) and _NOTE_END.match(text, m.end())):
                out.append((m.start(), m.end()))
    if len(seg) <= P.furniture_line and P.counters.search(low, lo, hi) \
            and not _FURNITURE_REST.sub("", P.counters.sub("", seg.lower())):  # "Share 12 | Like 340": only counters
        out.append((lo, hi))
    return out


def _atoms(text: str, lo: int, hi: int) -> list[_Atom]:
    P = _patterns()
    spans: list[tuple[int, int, _Words | None, str]] = []
    for m in P.digits.finditer(text, lo, hi):
        spans.append((m.start(), m.end(), None, ""))
    low = lowered(text)
    words = frozenset(_HINT_WORDS.findall(low, lo, hi))  # the sentence's words: skip the scans that cannot match
    for m in (P.fraction.finditer(low, lo, hi) if not P.fraction_words.isdisjoint(words) else ()):
        n, d = m.group("n"), m.group("d")
        if n is None and d not in P.half_words:
            continue
        num = 1 if n is None or n in P.lex.number_grammar.articles else P.lex.number_words[n]
        share = 100.0 * num / P.lex.fractions[d]
        spans.append((m.start(), m.end(), _Words(m.start(), m.end(), share, share, False, False), "percent"))
    if not P.share_link_words.isdisjoint(words):
        for m in P.one_in.finditer(low, lo, hi):
            n, d = m.group("n"), m.group("d")
            num = int(n) if n.isdigit() else P.lex.number_words[n]
            den = int(d.replace(",", "")) if d[0].isdigit() else P.lex.number_words[d]
            if 0 < num < den:
                share = 100.0 * num / den
                spans.append((m.start(), m.end(), _Words(m.start(), m.end(), share, share, False, False), "percent"))
    if "/" in text[lo:hi]:  # "1/3 of the staff": a share; "24/7", "9/11" are no figures (see _parse_atom)
        for m in P.slash_fraction.finditer(text, lo, hi):
            n, d = int(m.group("n")), int(m.group("d"))
            if 0 < n < d:
                share = 100.0 * n / d
                spans.append((m.start(), m.end(), _Words(m.start(), m.end(), share, share, False, False), "percent"))
    if P.fold_hint in low[lo:hi]:  # "threefold": a factor written in one word
        for m in P.word_fold.finditer(low, lo, hi):
            v = float(P.lex.number_words[m.group("n")])
            spans.append((m.start(), m.end(), _Words(m.start(), m.end(), v, v, False, False), "ratio"))
    taken_f = [(s, e) for s, e, _, u in spans if u]
    for m in (P.word_number.finditer(low, lo, hi) if not P.number_word_set.isdisjoint(words) else ()):
        for w in _parse_words(low, m.start(), m.end()):
            if not any(a <= w.start < b for a, b in taken_f):
                spans.append((w.start, w.end, w, ""))
    spans.sort(key=lambda sp: (sp[0], -sp[1]))
    if not spans:
        return []
    never = _never_spans(text, lo, hi, words)
    if never:
        spans = [sp for sp in spans if not any(a <= sp[0] < b for a, b in never)]
    atoms: list[_Atom] = []
    taken = lo
    for s, e, words, unit in spans:
        if s < taken:
            continue
        a = _parse_atom(text, s, e, words, lo, hi)
        if a is None:
            continue
        if unit:  # a fraction of a whole: a share
            a.unit, a.end = unit, max(a.end, e)
        after_noun = a.end  # where a word written after the figure and its counted noun starts
        if not a.unit and not a.occasions:
            noun, noun_end = _counted_noun(text, a.end, hi)
            if noun:
                after_noun = max(a.end, noun_end)
            if not noun and a.word and a.value == 1:  # "a single battalion": the singular noun _one_counts accepted
                one = _NOUN_LIKE.match(text, a.end, hi)
                w = one.group("w").lower() if one else ""
                if one and w not in P.stop_words and w not in P.noun_skip and w not in P.one_not_before \
                        and not P.adverb.search(w) and not P.designation.fullmatch(one.group("w")):
                    noun, noun_end = one.group("w"), one.end()
            if not noun:
                noun = _noun_before(text, lo, a.start)
            a.noun = noun
            a.noun_unit = _noun_unit(noun)
            if a.noun_unit and not a.scaled and a.value != int(a.value) and unit_class(a.noun_unit) == "count" \
                    and _ONE_DOT_GROUP.fullmatch(text, a.core_start, a.core_end):
                a.value *= 1000  # "12.500 soldiers": no count is fractional, so the dot groups thousands
            if noun and noun_end > a.end and a.qualifier in (Q.EXACT, Q.APPROX):
                _qualifier_after_noun(text, a, noun_end, hi)  # "20 people or fewer", "300 soldiers or more"
            if noun and " ".join(noun.lower().split()) in P.measure_nouns and _WORDS_ONLY.fullmatch(text, a.end, noun_end):
                if not _CAPITAL.search(text, a.end, noun_end - len(noun)):  # no designation between
                    a.end = noun_end
        ch = P.change_before.search(text, lo, a.start)
        verb = " ".join(ch.group("w").lower().split()) if ch else ""
        if ch and verb in P.change_object_verbs and not ch.group("by") and a.unit not in _RATES:
            ch = None  # "raised $12.5bn", "lost 12 aircraft": the amount is the verb's object, a level
        if ch and ch.group("by") and a.unit not in _RATES and a.unit != "ratio" and \
                ch.group("by").lower() in P.lex.change_by_rates_only:
            ch = None  # "increased on 12 percent" (translated), but "fell on 12 occasions"
        if ch and (ch.group("by") or not a.qualified):  # "fell below 20%" is a level, "fell by over 12%" a change
            a.change = -1 if verb in P.falls else 1
        elif not a.qualified and a.unit != "ratio":
            diff = P.difference_after.match(text, a.end, hi) or P.difference_after.match(text, after_noun, hi)
            if diff:  # "four fewer than a month ago": a difference; "13 times more than" stays a multiple
                a.change = P.lex.difference_after[diff.group("w").lower()]
        if not a.change and a.unit in _RATES and not a.word:
            signed = text[a.core_start] in "\u2212-" or (a.start == a.core_start and a.start > lo
                                                         and text[a.start - 1] == "+" and _PLUS.match(text, a.start - 1))
            if signed or P.change_mark.match(text, a.end, hi):  # "+9%", "-12% m/m", "18% YoY": a change
                if text[a.start - 1:a.start] == "+" and signed:
                    a.start = a.core_start = a.start - 1  # the plus is the figure's, as a minus would be
                a.change = 1  # its sign is the figure's own
        atoms.append(a)
        taken = a.end
    return atoms


def _qualifier_after_noun(text: str, a: _Atom, noun_end: int, hi: int) -> None:
    """A bound written after the counted noun ("20 people or fewer") is the figure's own, unless the word after it
    opens something else: a noun of its own ("3 tanks and more trucks"), an adverb ("or more importantly")."""
    P = _patterns()
    qa = P.qual_after.match(text, noun_end, hi)
    if not qa:
        return
    nxt = P.noun_word.match(text, qa.end(), hi)
    if nxt:
        w = nxt.group("w").lower()
        if w in P.lex.noun_units or w in P.noun_skip or P.adverb.search(w):
            return
    a.qualifier = P.qual_after_of.get(" ".join(qa.group("q").lower().split()), Q.EXACT)
    a.qualified = True
    a.end = qa.end()


def _propagate(low: _Atom, high: _Atom) -> tuple[float, str]:
    """Give the first figure the second's multiplier and unit ("2-4 thousand", "from 5 to 3 thousand").

    The multiplier is shared only when that brings the two figures closer in magnitude,
    so "from 900 to 1.2 thousand" keeps its 900.
    """
    value = low.value
    if high.value != high.bare and low.value == low.bare and low.value > 0 and high.value > 0:
        scaled = low.value * (high.value / high.bare)
        if abs(math.log(scaled / high.value)) < abs(math.log(low.value / high.value)):
            value = scaled
    return value, low.unit or high.unit


def _descending(text: str, a: _Atom, b: _Atom, gap: str, joint: str) -> bool:
    """"71,640 -4.5" (two cells of a table row): a dash between a figure and a smaller one joins no range; a dash
    glued to the second is its minus sign."""
    if joint not in _DASHES or _propagate(a, b)[0] <= b.value:
        return False
    if gap[-1:] in _DASHES and gap[:1].isspace() and b.value > 0:
        b.value, b.bare, b.start, b.core_start = -b.value, -b.bare, b.start - 1, b.core_start - 1
    return True


def _or_range(a: _Atom, b: _Atom) -> bool:
    """"one or two battalions", "3 or 4 trucks": two close numbers joined by "or" give a range."""
    low, _ = _propagate(a, b)  # "two or three dozen": 24 or 36
    return a.qualifier == b.qualifier == Q.EXACT and low < b.value <= 2 * low + (b.value / b.bare if b.bare else 1.0) and (a.word == b.word)


def find_quantities(text: str, start: int = 0, end: int | None = None) -> list[Quantity]:
    """Every quantity in text[start:end], in text order, with offsets into `text`."""
    return _inherit_nouns(text, _find_quantities(text, start, end))


def _find_quantities(text: str, start: int, end: int | None) -> list[Quantity]:
    """The quantities before a figure that names no noun takes its neighbour's (see _inherit_nouns)."""
    P = _patterns()
    hi = len(text) if end is None else end
    atoms = _atoms(text, start, hi)
    out: list[Quantity] = []
    i = 0
    changed = False  # a change was written earlier in the clause: "to X" is its level, "from X" its base
    while i < len(atoms):
        a = atoms[i]
        b = atoms[i + 1] if i + 1 < len(atoms) else None
        before = text[max(start, a.start - 80):a.start]
        clause = _CLAUSE_BREAK.split(before)[-1]
        if a.change and not (b is not None and _DASH_GAP.fullmatch(text, a.end, b.start)):
            out.append(_quantity(text, a, measure=Measure.CHANGE))
            changed = True
            i += 1
            continue
        if changed and P.base_before.search(text, start, a.start):
            out.append(_quantity(text, a, measure=Measure.BASE))
            i += 1
            continue
        if changed and P.level_join.search(before):
            out.append(_quantity(text, a))
            i += 1
            continue
        if not a.qualified and P.change_to_before.search(text, start, a.start):
            changed = True  # "climbed to 1,200, up from 950": the level a change reached; "from" names its base
        if b is not None and (not a.unit or not b.unit or a.unit == b.unit):
            fb = P.from_before.search(before)
            opener = fb.group("w").lower() if fb else ""
            gap = text[a.end:b.start]
            joint = gap.strip().lower()
            # "between A and B" (a joiner that needs its opener), "one or two" (close numbers only), "A to B"
            adjacent = P.range_conn.fullmatch(gap) is not None and (
                P.joiner_openers[joint] == opener if joint in P.joiner_openers
                else _or_range(a, b) if joint in P.alternatives
                else not _descending(text, a, b, gap, joint))
            from_ = opener in P.change_openers
            changing = from_ and (bool(P.change_words.search(clause)) or a.qualified or b.qualified)
            spread = from_ and P.spread_gap.fullmatch(gap) is not None
            if adjacent and not changing and not b.change:
                if a.change:  # "fell by 5-7%": a change, given as a range
                    out.append(_change_range(_range(text, a, b, fb, before), a.change))
                    changed = True
                    i += 2
                    continue
                rng = _range(text, a, b, fb, before)
                if rng.low == rng.high:  # "one and a half thousand — 1.5K organizations": one figure said twice
                    out.append(replace(_quantity(text, a, value=rng.low, unit=rng.unit), noun=rng.noun))
                else:
                    out.append(rng)
                i += 2
                continue
            if (adjacent and changing) or spread:  # "increased from A to B": a base and a level
                lowv, unit = _propagate(a, b)
                measure = Measure.BASE if P.change_words.search(clause) else Measure.LEVEL
                out.append(_quantity(text, a, value=lowv, unit=unit, change="from", measure=measure))
                out.append(_quantity(text, b, change="to"))
                i += 2
                continue
        out.append(_quantity(text, a))
        i += 1
    return out


def _range(text: str, a: _Atom, b: _Atom, fb, before: str) -> Quantity:
    lowv, unit = _propagate(a, b)
    highv = b.value
    unit = unit or b.unit
    noun = b.noun or a.noun
    noun_unit = b.noun_unit or a.noun_unit
    lo_v, hi_v = sorted((lowv, highv))
    start = a.core_start if a.qualified else a.start  # "about 5-7%" is a range; its surface starts at the figure
    if fb:
        start = a.start - (len(before) - fb.start())
    surface = text[start:b.end]
    return Quantity(value=(lo_v + hi_v) / 2, unit=unit or noun_unit, qualifier=Q.RANGE, start=start, end=b.end,
                    surface=surface, low=lo_v, high=hi_v, noun=noun)


_RATES = frozenset({"percent", "percentage_point"})
_DASH_GAP = re.compile(rf"\s*{_DASH}\s*")


def _change_range(q: Quantity, sign: int) -> Quantity:
    if sign > 0 or q.unit == "ratio" or q.low < 0:  # "fell −3 to −5%" is negative as written
        return replace(q, measure=Measure.CHANGE)
    return replace(q, value=-q.value, low=-q.high, high=-q.low, measure=Measure.CHANGE)


def _quantity(text: str, a: _Atom, value: float | None = None, unit: str | None = None, change: str = "",
              measure: str = Measure.LEVEL) -> Quantity:
    v = a.value if value is None else value
    u = (a.unit if unit is None else unit) or a.noun_unit
    qualifier = a.qualifier
    if measure == Measure.CHANGE and a.change < 0 and u != "ratio" and v > 0:  # "fell 12%": a change of -12 percent
        v = -v
        qualifier = _NEGATE.get(qualifier, qualifier)
    low = high = None
    if qualifier in LOWER_BOUNDED:
        low = v
    elif qualifier in UPPER_BOUNDED:
        high = v
    return Quantity(value=v, unit=u, qualifier=qualifier, start=a.start, end=a.end, surface=text[a.start:a.end],
                    low=low, high=high, noun=a.noun, change=change, measure=measure)


def _inherit_nouns(text: str, qs: list[Quantity]) -> list[Quantity]:
    """A figure that names no noun counts what its neighbour counts.

    '25 enterprises, of which 22 are ...': the 22 are enterprises; '12 months instead of 18':
    the 18 are months.
    """
    P = _patterns()
    out: list[Quantity] = []
    for q in qs:
        if out and (not q.noun or q.unit == "count") and q.unit in ("", "count"):
            prev = out[-1]
            gap = text[prev.end:q.start]
            if prev.noun and gap.lstrip().startswith(prev.noun):
                gap = gap.lstrip()[len(prev.noun):]
            if prev.noun and (P.of_which.search(text[max(0, q.start - 30):q.start]) or P.of_them.match(text, q.end)
                              or (len(gap) <= 20 and P.ellipsis.match(gap) and not q.noun)
                              or (len(gap) <= 50 and P.list_ellipsis.match(gap) and not q.noun)):
                q = replace(q, noun=prev.noun, unit=prev.unit)
        out.append(q)
    return out


@lru_cache(maxsize=1)
def _segment_rx() -> tuple[tuple[re.Pattern, ...], re.Pattern]:
    lex = lexicon()
    joiners = _alt(list(lex.clause_joiners) + list(lex.comparison_markers))
    breaks = (re.compile(r"[;:]\s"), re.compile(r",\s"), re.compile(rf"\s(?:{joiners})\s", re.I))
    comparison = re.compile(word_bounded(_alt(lex.comparison_markers)), re.I)
    return breaks, comparison


@lru_cache(maxsize=1)
def _remark_rx() -> re.Pattern:
    """"(it was a lot higher in 2021)": a bracketed remark with its own subject (lexicon remark_openers)."""
    return re.compile(rf"\(\s*(?:{_alt(lexicon().remark_openers)})(?![\w])", re.I)


def find_mentions(text: str, sentences, times) -> tuple[Mention, ...]:
    """Quantities of every sentence, minus numbers inside time expressions, each with the segment it owns.

    A segment runs from the break after the previous quantity to the break after this one,
    so "20,357 cases ... for 11 months of this year, compared to just over 9,000 for the
    same period in 2019" gives each figure its own time expression.
    """
    _, comparison = _segment_rx()
    P = _patterns()
    out: list[Mention] = []
    for index, s in enumerate(sentences):
        try:
            found = _find_quantities(text, s.start, s.end)
        except Exception:  # a bad sentence must not cost the report: log it and go on
            log.exception("skipped a sentence the recogniser could not read: %r", s.text[:120])
            continue
        if not found:
            continue
        spans = [(t.start, t.end) for t in times[index] if not (t.kind == "duration" and _is_duration_figure(text, t, found))]
        qs = [q for q in found
              if not any(q.start < e and q.end > b and not (q.start <= b and q.end >= e) for b, e in spans)]
        qs = [q for q in qs if not _is_time_unit(q) or _is_duration(text, q, s.start)]
        qs = _inherit_nouns(text, qs)  # once the periods are gone: "over eleven months; 13,900 of them" counts crimes
        # a semicolon closes a clause: the first figure's part starts after the last one before it, the last
        # figure's part ends at the first one after it
        before = text.rfind(";", s.start, qs[0].start) if qs else -1
        cuts = [before + 1 if before >= 0 else s.start]
        for a, b in zip(qs, qs[1:]):
            cuts.append(_break_between(text, a.end, b.start))
        after = text.find(";", qs[-1].end, s.end) if qs else -1
        remark = _remark_rx().search(text, qs[-1].end, after if after >= 0 else s.end) if qs else None
        if remark:  # "... ≈18% of it (it was a lot higher in 2021)": the remark is not the figure's clause
            after = remark.start()
        cuts.append(after if after >= 0 else s.end)
        segments = [(cuts[i], cuts[i + 1]) for i in range(len(qs))]
        # a change ("from A to B") or a comparison ("A, compared to B") measures one thing: one shared segment
        for i in range(len(qs) - 1):
            cmp = comparison.search(text, qs[i].end, qs[i + 1].start)
            # "..., compared to just over 9,000" (but not "against forecast inflation of 6-8%": another measure)
            # "fell 12% to 12,551", "dropped by $1.2 million, from $24.7 million": a change and its level or base
            follows = qs[i].measure == Measure.CHANGE and (qs[i + 1].measure == Measure.BASE or P.level_gap.fullmatch(
                text, qs[i].end, qs[i + 1].start))
            if qs[i].change == "from" or follows or (
                    cmp and P.comparison_article.fullmatch(text, cmp.end(), qs[i + 1].start)):
                shared = (segments[i][0], segments[i + 1][1])
                for j in range(len(qs)):
                    if segments[j] in (segments[i], segments[i + 1]):
                        segments[j] = shared
        for q, seg in zip(qs, segments):
            out.append(Mention(quantity=q, sentence=index, segment=seg))
    return tuple(out)


def _is_duration_figure(text: str, t, found) -> bool:
    """A duration time expression that one of the figures covers ("320 days"): the figure owns it."""
    return any(q.start <= t.start and q.end >= t.end and _is_time_unit(q) for q in found)


def _is_duration(text: str, q: Quantity, lo: int) -> bool:
    """"320 days of arrest", "sentenced to 3 years": a figure; "for 3 years", "3 years ago": when, not how much."""
    P = _patterns()
    if P.durations_before.search(text, lo, q.start) or P.durations_after.match(text, q.end):
        return False
    # "over eleven months": the bound's word is the period's preposition, unless a sentence leads to it
    # ("sentenced to over 3 years", "a term of over 3 years")
    lead = _TOKEN.match(lowered(text), q.start)
    return not (lead and lead.group() in P.duration_time_words and q.qualifier != Q.EXACT
                and not P.duration_figure_before.search(text, lo, q.start))


def _is_time_unit(q: Quantity) -> bool:
    return q.unit in _patterns().time_units


def _break_between(text: str, a: int, b: int) -> int:
    """Where the text between two quantities changes hands: the first strong break, else the second figure."""
    breaks, _ = _segment_rx()
    for rx in breaks:
        m = rx.search(text, a, b)
        if m:
            return m.end() if rx is not breaks[2] else m.start()
    return b
