"""The language the stages know, loaded once from `data/lexicon.yaml` into typed, frozen records.

Every English (and Russian) word the recogniser, the period resolver, the role classifier, the
sentence splitter and the normaliser match lives in the YAML file; this module validates it
(a malformed entry raises `LexiconError` naming its key) and compiles the patterns the stages
share, in one place. ISO 4217 currencies (every code, its English names and symbols) come from
the CLDR data that Babel ships, so a currency is known without listing it here.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

from .errors import LexiconError
from .schema import Qualifier


def phrase_alternation(phrases, *, plural: bool = False) -> str:
    """Regex alternation of literal phrases, longest first; spaces match any whitespace."""
    parts = []
    for p in sorted(set(phrases), key=len, reverse=True):
        body = re.sub(r"['’]", "['’]", r"\s+".join(re.escape(w) for w in str(p).split()))
        if plural and body[-1:].isalpha():
            body += r"(?:s|es)?"
        parts.append(body)
    return "|".join(parts)


def hint_words(*lists) -> tuple[str, ...]:
    """Lower-case words at least one of which every phrase of `lists` contains: a substring test for them is a cheap
    necessary condition before a scan for the phrases (the word all phrases of a list share, else each phrase's
    longest)."""
    out: set[str] = set()
    for phrases in lists:
        tokens = [str(p).lower().split() for p in phrases]
        tokens = [t for t in tokens if t]
        common = set.intersection(*map(set, tokens)) if tokens else set()
        if common:
            out.add(max(sorted(common), key=len))
        else:
            out.update(max(reversed(t), key=len) for t in tokens)
    return tuple(sorted(out))


def word_bounded(alternation: str) -> str:
    """Wrap an alternation so it only matches whole words (symbols like % or $ allowed)."""
    return rf"(?<![\w])(?:{alternation})(?![\w])"


Words = tuple[str, ...]


@dataclass(frozen=True)
class NumberGrammar:
    """The small words of numbers written out: "a million", "a single", "half a", "one point two"."""

    articles: Words
    single: Words
    half: Words
    point: Words
    joiner: Words
    couple: Words = ()  # "a couple dozen", "a couple of hundred": about two of the scale word after it
    of: Words = ()


@dataclass(frozen=True)
class Roles:
    """Cues of the role classifier (regexes for `planned` and `correction`, words for the rest)."""

    planned: Words
    correction: Words
    claim_verbs: Words
    reporting_verbs: Words
    agent_markers: Words
    passive_auxiliaries: Words
    pronouns: Words
    according: Words
    source_enders: Words
    head_breaks: Words
    name_articles: Words
    list_joiners: Words
    list_qualifiers: Words
    not_a_name: Words
    own: Words
    own_subjects: Words  # "we put participation at ...": the report speaks with its own reporting verb
    official_markers: Words  # "officially ~7,000 troops": the figure is the authorities', someone else's voice
    clause_conjunctions: Words
    rebuttal: Words
    claim_labels: Words
    verdict_labels: Words
    verdicts_upheld: Words
    verdict_ratings: Words
    places: Mapping[str, Words]
    count_nouns: Words
    own_publications: Words
    earlier_markers: Words
    event_verbs: Words
    event_prepositions: Words


@dataclass(frozen=True)
class Time:
    """Words of time expressions (periods.py); relative words map to an offset in years or months."""

    relative_years: Mapping[str, int]
    relative_months: Mapping[str, int]
    ordinals: Mapping[str, int]
    day_suffixes: Words
    article: Words
    year: Words
    month: Words
    months: Words
    years: Words
    trailing: Words
    window_units: Mapping[str, int]
    window_back: Words
    superlatives: Words
    quarter: Words
    half: Words
    week: Words
    quarter_letter: Words
    half_letter: Words
    months_letter: Words
    of: Words
    as_of: Words
    date_prepositions: Words  # before a date written in figures without its year ("on 9/4", "as of 31.05")
    span_openers: Words
    span_joiners: Words
    span_prepositions: Words
    month_prepositions: Words
    month_modifiers: Words
    same_period: Words
    same_period_links: Words
    last_year: Words
    previous_year: Words
    previous_month: Words
    since: Words
    since_year: Words
    since_event: Words
    event_links: Words
    start_of_year: Words
    start_of: Words
    month_parts: Mapping[str, int]
    year_to_date: Words
    year_to_date_after: Words
    issue_week: Words
    previous_week: Words
    issue_quarter: Words
    previous_quarter: Words
    week_from: Words
    week_to: Words
    days_in_week: int
    year_end: Words
    now: Words
    now_not_before: Words
    price_bases: Words
    issue_month: Words
    issue_period: Words
    previous_issue_period: Words
    issue_year: Words
    month_only_prepositions: Words
    fiscal_year: Words
    month_end: Words
    thing_dated: Words
    period_nouns: Words
    thing_dated_links: Words
    that_year: Words
    duration_units: Words
    duration_counts: Words
    duration_after: Words
    ambiguous_months: Words
    when: Words
    triggers: Words


@dataclass(frozen=True)
class Layout:
    """Words the text normaliser needs to rebuild paragraphs."""

    function_words: Words
    hyphen_prefixes: Words
    page_words: Words
    page_words_distinct: Words
    page_of: Words


@dataclass(frozen=True, eq=False)  # compared by identity: one lexicon per process, cached derivations keyed on it
class Lexicon:
    """Every key of data/lexicon.yaml, typed (see the comments in the YAML file for what each is for)."""

    number_words: Mapping[str, int]
    scale_words: Mapping[str, float]
    number_grammar: NumberGrammar
    fractions: Mapping[str, int]
    fraction_of: Words
    share_links: Words
    multipliers: Mapping[str, float]
    currency_only_multipliers: Mapping[str, float]
    glued_multipliers: Mapping[str, float]
    currencies: Mapping[str, str]
    currency_codes_not_words: Words
    currencies_before: Words
    percent_words: Words
    percentage_point_words: Words
    factor_words: Words
    factor_comparisons: Words
    occasion_words: Words
    phrasal_verbs: Words
    factor_verbs: Words
    factor_glued: Words
    code_multipliers: Mapping[str, float]
    preposition_qualifiers: Words
    preposition_governors: Words
    qualifiers_before: Mapping[str, Words]
    qualifiers_after: Mapping[str, Words]
    qualifier_after_blockers: Words
    negations: Words
    qualifier_articles: Words
    difference_after: Mapping[str, int]
    difference_links: Words
    change_marks: Words
    change_falls: Words
    change_rises: Words
    change_by: Words
    change_by_rates_only: Words
    change_object_verbs: Words
    change_level: Words
    change_base: Words
    change_words: Words
    nouns: Mapping[str, Words]
    measure_nouns: Words
    hyphen_counts: Words
    duration_time_before: Words
    duration_time_after: Words
    duration_figure_before: Words
    noun_skip: Words
    descriptor_followers: Words
    descriptor_not_before: Words
    descriptor_leaders: Words
    reference_words: Words
    year_span_prefixes: Words
    identifier_markers: Words
    foreign_units: Words
    furniture_after: Words
    furniture_counters: Words
    furniture_before: Words
    address_words: Words
    furniture_line: int
    one_not_before: Words
    one_not_after: Words
    one_negated: Words
    months: Mapping[str, int]
    roles: Roles
    foreign_measures: Words
    base_markers: Words
    comparison_markers: Words
    change_base_links: Words
    comparison_than: Words
    comparative_heads: Words
    clause_joiners: Words
    remark_openers: Words
    range_joiners: Words
    range_openers: Words
    range_joiner_openers: Mapping[str, str]
    range_alternatives: Words
    change_openers: Words
    comparison_articles: Words
    plural_endings: Words
    not_plural_endings: Words
    time_zones: Words
    verb_endings: Words
    negative_words: Words
    vague_counts: Words
    negative_not_after: Words
    probability_words: Words
    age_superlatives: Words
    age_followers: Words
    phone_words: Words
    clock_suffixes: Words
    spread_joiners: Words
    partitives: Words
    partitives_after: Words
    noun_sharing_joiners: Words
    noun_sharing_list_joiners: Words
    count_heads: Words
    anaphoric_heads: Words
    anaphoric_determiners: Words
    stock_verbs: Words
    running_total_verbs: Words
    share_of: Words
    anaphoric_after: Words
    label_unit_leads: Words
    label_change_words: Words
    count_verbs: Words
    age_before: Words
    age_after: Words
    age_bounds: Words
    age_groups: Words
    age_group_bounds: Words
    adverb_suffixes: Words
    negation_words: Words
    year_prepositions: Words
    noun_stops: Words
    noun_verbs: Words
    abbreviations: Words
    layout: Layout
    time: Time

    @property
    def noun_units(self) -> Mapping[str, str]:
        """Lower-case noun form -> unit."""
        return _derived(self).noun_units

    @property
    def iso_codes(self) -> frozenset[str]:
        return _derived(self).iso_codes

    def currency(self, text: str) -> str | None:
        """The ISO code a currency word, code or symbol names ("£" -> GBP, "Swiss francs" -> CHF), else None."""
        key = " ".join(text.split())
        d = _derived(self)
        return d.currencies.get(key) or d.currencies_ci.get(key.lower())


@dataclass(frozen=True)
class _Derived:
    noun_units: Mapping[str, str]
    currencies: Mapping[str, str]
    currencies_ci: Mapping[str, str]
    iso_codes: frozenset[str]


# --- validation ---------------------------------------------------------------------------------


def _words(key: str, value: Any) -> Words:
    if isinstance(value, list) and any(isinstance(v, bool) for v in value):
        raise LexiconError(f"lexicon key {key!r}: a word was read as true/false ({value!r:.80})",
                           hint='quote it: YAML reads a bare on, off, yes or no as a boolean ("on")')
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) and str(v).strip() for v in value):
        raise LexiconError(f"lexicon key {key!r}: expected a list of non-empty words, got {value!r:.80}")
    return tuple(str(v) for v in value)


def _regexes(key: str, value: Any) -> Words:
    out = _words(key, value)
    for p in out:
        try:
            re.compile(p)
        except re.error as exc:
            raise LexiconError(f"lexicon key {key!r}: bad regex {p!r}: {exc}") from None
    return out


def _map(kind: type, lower: bool = True):
    def conv(key: str, value: Any) -> Mapping:
        if not isinstance(value, dict) or not value:
            raise LexiconError(f"lexicon key {key!r}: expected a mapping, got {value!r:.80}")
        out = {}
        for k, v in value.items():
            if kind is str:
                ok = isinstance(v, str) and v.strip()
            else:  # YAML 1.1 reads "1.0e3" as a string
                ok = not isinstance(v, bool) and _number(v) is not None and (kind is float or float(v) == int(float(v)))
            if not ok:
                raise LexiconError(f"lexicon key {key!r}: entry {k!r} must be a {kind.__name__}, got {v!r:.40}")
            out[str(k).lower() if lower else str(k)] = kind(float(v)) if kind is not str else v
        return MappingProxyType(out)
    return conv


def _number(v: Any) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _groups(key: str, value: Any) -> Mapping[str, Words]:
    if not isinstance(value, dict) or not value:
        raise LexiconError(f"lexicon key {key!r}: expected a mapping of lists, got {value!r:.80}")
    return MappingProxyType({str(k): _words(f"{key}.{k}", v) for k, v in value.items()})


def _int(key: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise LexiconError(f"lexicon key {key!r}: expected a positive integer, got {value!r:.40}")
    return value


def _record(cls, regex_keys: frozenset = frozenset(), maps: frozenset = frozenset(), ints: frozenset = frozenset(),
            groups: frozenset = frozenset()):
    def conv(key: str, value: Any):
        if not isinstance(value, dict):
            raise LexiconError(f"lexicon key {key!r}: expected a mapping, got {value!r:.80}")
        kwargs = {}
        for f in fields(cls):
            if f.name not in value:
                raise LexiconError(f"lexicon key {key}.{f.name!s} is missing")
            check = _map(int) if f.name in maps else _regexes if f.name in regex_keys else \
                _int if f.name in ints else _groups if f.name in groups else _words
            kwargs[f.name] = check(f"{key}.{f.name}", value[f.name])
        unknown = set(value) - {f.name for f in fields(cls)}
        if unknown:
            raise LexiconError(f"lexicon key {key}.{sorted(unknown)[0]} is not known")
        return cls(**kwargs)
    return conv


_CONVERT = {
    "number_words": _map(int), "scale_words": _map(float), "number_grammar": _record(NumberGrammar),
    "fractions": _map(int), "difference_after": _map(int), "multipliers": _map(float), "currency_only_multipliers": _map(float),
    "glued_multipliers": _map(float, lower=False), "code_multipliers": _map(float, lower=False), "currencies": _map(str, lower=False),
    "qualifiers_before": _groups, "qualifiers_after": _groups, "nouns": _groups, "months": _map(int),
    "roles": _record(Roles, frozenset({"planned", "correction"}), groups=frozenset({"places"})), "layout": _record(Layout),
    "time": _record(Time, maps=frozenset({"relative_years", "relative_months", "ordinals", "month_parts", "window_units"}),
                    ints=frozenset({"days_in_week"})),
    "furniture_line": _int, "range_joiner_openers": _map(str),
}
_QUALIFIERS = frozenset(Qualifier) - {Qualifier.RANGE}  # a range is formed by the recogniser, never written


def parse_lexicon(raw: Any) -> Lexicon:
    """Validate the YAML data of a lexicon; raises LexiconError naming the first bad or missing key."""
    if not isinstance(raw, dict):
        raise LexiconError("the lexicon must be a mapping of keys to word lists")
    kwargs = {}
    for f in fields(Lexicon):
        if f.name not in raw:
            raise LexiconError(f"lexicon key {f.name!r} is missing")
        kwargs[f.name] = _CONVERT.get(f.name, _words)(f.name, raw[f.name])
    unknown = set(raw) - set(kwargs)
    if unknown:
        raise LexiconError(f"lexicon key {sorted(unknown)[0]!r} is not known")
    for key in ("qualifiers_before", "qualifiers_after"):
        bad = set(kwargs[key]) - _QUALIFIERS
        if bad:
            raise LexiconError(f"lexicon key {key!r}: unknown qualifier {sorted(bad)[0]!r}")
    bad = [m for m, n in kwargs["months"].items() if not 1 <= n <= 12]
    if bad:
        raise LexiconError(f"lexicon key 'months': {bad[0]!r} is not a month number")
    return Lexicon(**kwargs)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The project's lexicon (data/lexicon.yaml), validated once."""
    with (resources.files("indicators") / "data" / "lexicon.yaml").open(encoding="utf-8") as f:
        return parse_lexicon(yaml.safe_load(f))


@lru_cache(maxsize=4)
def _derived(lex: Lexicon) -> _Derived:
    noun_units = {}
    for unit, forms in lex.nouns.items():
        for form in forms:
            noun_units[" ".join(form.lower().split())] = unit
    codes = iso_currencies()
    by_name: dict[str, str] = {}
    for code, (names, symbol) in codes.items():
        for name in names:
            by_name.setdefault(name.lower(), code)
        if symbol and not symbol.isalpha():
            by_name.setdefault(symbol.lower(), code)
    currencies = {**{c: c for c in codes}, **dict(lex.currencies)}
    ci = {**by_name, **{k.lower(): v for k, v in lex.currencies.items()}}
    return _Derived(MappingProxyType(noun_units), MappingProxyType(currencies), MappingProxyType(ci),
                    frozenset(codes))


@lru_cache(maxsize=1)
def iso_currencies() -> Mapping[str, tuple[tuple[str, ...], str]]:
    """ISO 4217 code -> (English names, singular and plural; English symbol), from Babel's CLDR data."""
    from babel.numbers import get_currency_name, get_currency_symbol, list_currencies

    out = {}
    for code in sorted(list_currencies()):
        if not (len(code) == 3 and code.isalpha() and code.isupper()):
            continue
        names = {get_currency_name(code, locale="en"), get_currency_name(code, count=2, locale="en")}
        out[code] = (tuple(sorted(n for n in names if n and n != code)), get_currency_symbol(code, "en"))
    return MappingProxyType(out)


@lru_cache(maxsize=2)
def comparison_rx(than: bool) -> re.Pattern:
    """The one pattern of comparison markers ("compared with", "against", and with `than`, "than" unless it
    follows "more"/"less"/...: "more than 40" is a bound, not the base of a comparison)."""
    lex = lexicon()
    alt = phrase_alternation(lex.comparison_markers)
    links = phrase_alternation(lex.change_base_links)
    alt += rf"|(?:(?<=%\s)|(?<=per\scent\s)|(?<=percent\s))(?:{links})"  # "up 19% on this year"
    if than:
        heads = "".join(rf"(?<!{re.escape(h)}\s)" for h in lex.comparative_heads)
        alt += f"|{heads}(?:{phrase_alternation(lex.comparison_than)})"
    return re.compile(word_bounded(alt), re.I)


@lru_cache(maxsize=1)
def correction_cue() -> re.Pattern:
    """Words that open a correction of a quoted figure ("in fact", "actually")."""
    return re.compile("|".join(f"(?:{p})" for p in lexicon().roles.correction), re.I)


def words_rx(words, *, flags: int = re.I) -> re.Pattern:
    """Whole-word matcher of a word list of the lexicon."""
    return re.compile(word_bounded(phrase_alternation(words)), flags)


# Characters that a case-insensitive pattern matches to an ASCII letter but str.lower() does not turn into it
# (Python's re compares simple lower-case forms, and adds a few equivalences): folded() and the catalog's word
# pre-test turn them into that letter (tests/test_catalog.py checks every code point).
FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})


def folded(text: str) -> str:
    """`text` as a case-insensitive pattern compares it, with its offsets kept: lowered(), and the characters
    re.IGNORECASE matches to an ASCII letter that lower() leaves (dotted and dotless i, long s). A caseless() pattern
    finds on folded(text) what the pattern finds with re.I on `text`, several times faster (tests/test_lexicon.py)."""
    low = _lower_keeping_offsets(text)
    if low.isascii() or not ("\u0131" in low or "\u017f" in low or "\u0130" in low):
        return low  # (str.translate looks every character up: a scan for the three is much cheaper)
    return low.translate(FOLD)


_UPPER_LITERAL = re.compile(r"\\.|\(\?P[<=]\w+[>)]|([A-Z])")


def caseless(rx: re.Pattern) -> re.Pattern:
    """`rx` (compiled with re.I) compiled without it, to run on folded() text: Python's re skips its literal-prefix
    search with re.I. Raises ValueError for a pattern with an upper-case letter outside escapes and group names,
    which would never match folded text."""
    if any(m.group(1) for m in _UPPER_LITERAL.finditer(rx.pattern)):
        raise ValueError(f"caseless(): upper-case letter in {rx.pattern[:60]!r}")
    return re.compile(rx.pattern, rx.flags & ~re.I)


@lru_cache(maxsize=4)
def lowered(text: str) -> str:
    """`text` lower-cased with its offsets kept (a character whose lower case is longer stays as is).

    Patterns written in lower case and run on this are several times faster than with re.I.
    """
    return _lower_keeping_offsets(text)


def _lower_keeping_offsets(text: str) -> str:
    """`text` lower-cased, a character whose lower case is longer ("İ") kept as it is, so offsets stay."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
