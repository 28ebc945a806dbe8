"""Time expressions and the period each claim measures.

Periods are resolved against the report month: "this year", "for 11 months of this
year", "in January" mean nothing without it. A figure takes the time expression of its
own part of the sentence, else the sentence's, else (for plans) the plan year named
just before, else the date of the event its paragraph reports, else the report month.
"""
from __future__ import annotations

import calendar
import re
from collections import Counter
from datetime import date, timedelta
from functools import lru_cache

from .lexicon import comparison_rx, hint_words, lexicon, lowered, phrase_alternation
from .model import Document, Mention, Report, TimeExpr
from .schema import Role


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _a(words) -> str:
    """Lower-case alternation of lexicon phrases (the time patterns run on lower-cased text)."""
    return phrase_alternation([str(w).lower() for w in words])


def _day(T) -> str:
    """A day of the month as written in a date: "3", "03", "21st"."""
    return rf"(?:[12]\d|3[01]|0?[1-9])(?:{_a(T.day_suffixes)})?"


@lru_cache(maxsize=1)
def _rx() -> dict[str, re.Pattern]:
    """Every time pattern, assembled from the lexicon's `time` words and compiled once."""
    lex = lexicon()
    T = lex.time
    M = _a(lex.months)
    M = rf"(?:{M})(?:(?<=\b[A-Za-z]{{3}})\.)?"  # "Jan." but not the full stop after "November."
    Y = r"(?:19|20)\d\d"
    N = r"(?:\d{1,2}|" + _a([k for k, v in lex.number_words.items() if 1 <= v <= 12]) + ")"
    REL = rf"(?:{_a(T.relative_years)})\s+(?:{_a(T.year)})"
    YR = rf"(?:{Y}|{REL})"
    D = _day(T)
    THE, OF, YEAR, MONTHS = _a(T.article), _a(T.of), _a(T.year), _a(T.months)
    ORD = _a(T.ordinals)
    first_two = _a([k for k, v in T.ordinals.items() if v <= 2])
    JOIN, OPEN, MPREP = _a(T.span_joiners), _a(T.span_openers), _a(T.month_prepositions)
    DASH = r"[-\u2013\u2014]"
    PART = _a(T.month_parts)
    rel_no_the = _a([k for k in T.relative_years if k not in T.article and not k.startswith(tuple(f"{t} " for t in T.article))])
    f = 0  # patterns run on lower-cased text (see lexicon.lowered): much faster than re.I
    return {
        "as_of": re.compile(rf"\b(?:{_a(T.as_of)})\s+(?:(?P<m1>{M})\s+(?P<d1>{D})|(?P<d2>{D})\s+(?P<m2>{M}))(?:,?\s+(?P<y>{Y}))?", f),
        # "on 9/4", "as of 12/31", "from 01.05 to 31.05": a date in figures without its year, after a preposition
        # (with dots both parts have two digits, "on 01.06", never a decimal "to 1.05"; no percent or "of" after it:
        # "on 12.05 percent", "2/3 of cases")
        "short_date": re.compile(rf"(?<![\w])(?P<p>{_a(T.date_prepositions)})\s+"
                                 rf"(?:(?P<a>[01]?\d)(?P<s>/)(?P<b>[0-3]?\d)|(?P<a_>[0-3]\d)(?P<s_>\.)(?P<b_>[01]\d)"
                                 rf"|(?P<r1>[0-3]?\d)\s*{DASH}\s*(?P<r2>[0-3]?\d)\.(?P<rm>[01]\d))"  # "on 18-20.10"
                                 rf"(?:\s*(?:{DASH}|(?:{JOIN})\s)\s*(?P<a2>[0-3]?\d)(?:(?<=\d)/(?P<b2>[0-3]?\d)|\.(?P<b2_>[01]\d)))?"
                                 rf"(?![\w/%]|[.,]\d|\s*(?:{_a(lex.percent_words)}|{OF})(?![\w]))", f),
        "moved": re.compile(rf"(?<![\w])(?:{_a([*lex.change_rises, *lex.change_falls])})\s+$", f),
        "numeric_date": re.compile(r"(?<![\d.])(?P<d>[0-3]?\d)\.(?P<m>[01]?\d)\.(?P<y>(?:19|20)\d\d)(?!\d)|(?<!\d)(?P<y2>(?:19|20)\d\d)-(?P<m2>[01]\d)-(?P<d2>[0-3]\d)(?!\d)"),
        # "12-16 September", "from 10 to 20 February", "9 August to 31 December 2020" ...
        "day_range": re.compile(rf"(?<![\w])(?:(?P<o>{OPEN})\s+)?(?P<d1>{D})(?:\s+(?:{OF}\s+)?(?P<m1>{M}))?(?:,?\s+(?P<y1>{Y}))?"
                                rf"(?:\s*{DASH}\s*|\s+(?P<j>{JOIN})\s+)(?P<d2>{D})\s+(?:{OF}\s+)?(?P<m2>{M})(?![\w])"
                                rf"(?:,?\s+(?P<y>{Y})(?!\d))?"
                                # ... "September 12-16", "September 12 to 16", "Aug 9-Dec 31, 2020", "Aug 9 – Dec 31"
                                rf"|(?<![\w])(?:(?P<ob>{OPEN})\s+)?(?P<m1b>{M})\s+(?P<d1b>{D})(?:,?\s+(?P<y1b>{Y}))?"
                                rf"(?:(?:{DASH}|\s+(?P<jb>{JOIN})\s+)(?:(?P<m2b>{M})\s+)?(?P<d2b>{D})|\s*{DASH}\s*(?P<m2c>{M})\s+(?P<d2c>{D}))"
                                rf"(?![\w\d%]|[.,]\d)(?:,?\s+(?P<yb>{Y})(?!\d))?", f),
        "day": re.compile(rf"(?<![\w])(?:(?P<m1>{M})\s+(?P<d1>{D})(?:{DASH}{D}(?![\w])|\s+(?:{JOIN})\s+{D}(?![\w]))?|(?P<d2>{D})(?:\s*{DASH}\s*{D})?\s+(?:{OF}\s+)?(?P<m2>{M}))(?![\w])(?:,?\s+(?P<y>{Y})(?!\d))?", f),
        "trailing": re.compile(rf"(?<![\w])(?:(?:{_a(T.span_prepositions)})\s+)?(?:{THE}\s+)?(?:{_a(T.trailing)})\s+"
                               rf"(?P<n>{N})\s+(?:(?P<mo>{MONTHS})|(?P<yr>{_a(T.years)}))(?![\w])", f),
        "window": re.compile(rf"(?<![\w])(?:(?:{_a(T.span_prepositions)})\s+)?(?:{THE}\s+)?(?P<w>{_a([*T.trailing, *T.window_back])})\s+"
                             rf"(?P<n>{N}|\d{{2,3}})\s+(?P<u>{_a(T.window_units)})(?![\w])", f),
        "months_of": re.compile(rf"(?<![\w])(?P<prep>(?:{_a(T.span_prepositions)})\s+)?(?:{THE}\s+)?(?P<first>(?:{first_two})\s+)?(?P<n>{N})\s+(?:{MONTHS})(?:\s+(?:{JOIN})\s+(?:(?:{_a(T.month_modifiers)})\s+)?(?P<to>{M})(?:,?\s+(?P<ty>{Y}))?|\s+(?:{OF}\s+)?(?P<y>{YR}))?(?![\w])", f),
        "quarter": re.compile(rf"(?<![\w])(?:{THE}\s+)?(?P<o>{ORD})\s+(?:{_a(T.quarter)})(?:\s+(?:{OF}\s+)?(?P<y>{YR}))?|(?<![\w])(?:{_a(T.quarter_letter)})(?P<q>[1-4])\s*(?P<y2>{Y})?", f),
        "half_month": re.compile(rf"(?<![\w])(?:{THE}\s+)?(?P<o>{first_two})\s+(?:{_a(T.half)})\s+(?:{OF}\s+)(?P<m>{M})(?:,?\s+(?P<y>{Y}))?(?![\w])", f),
        # "since the purge began in July 2021", "since the August 2020 election", "since the first pardon of 3 July"
        "since_event": re.compile(rf"(?<![\w])(?:{_a(T.since_event)})\s+(?:{THE}\s+)?(?:[^\W\d][\w'’-]*\s+){{1,5}}?"
                                  rf"(?:(?:{_a(T.event_links)})\s+)?(?:(?P<d>{D})\s+(?:{OF}\s+)?)?(?P<m>{M})(?:\s+(?P<d2>{D})(?![\w]|[.,]\d))?"
                                  rf"(?:,?\s+(?P<y>{Y}))?(?![\w])", f),
        "half": re.compile(rf"(?<![\w])(?:{THE}\s+)?(?P<o>{first_two})\s+(?:{_a(T.half)})(?:\s+(?:{OF}\s+)?(?P<y>{YR}))?|(?<![\w])(?:{_a(T.half_letter)})(?P<h>[12])\s*(?P<y2>{Y})?", f),
        "months_letter": re.compile(rf"(?<![\w.,])(?P<n>1[01]|[1-9])(?:{_a(T.months_letter)})(?:\s*(?P<y>{Y})(?![\w])|(?=\s*[:;]))", f),
        "month_pair": re.compile(rf"(?<![\w])(?:(?P<w>{OPEN})\s+)?(?P<a>{M})(?:\s+(?P<ya>{Y}))?(?:\s*{DASH}\s*|\s+(?:{JOIN})\s+)(?P<b>{M})(?:\s+(?:{OF}\s+)?(?P<y>{YR}))?(?![\w])", f),
        "year_pair": re.compile(rf"(?<![\w\d])(?:(?P<w>{OPEN})\s+)?(?P<a>{Y})(?:\s*[-\u2013\u2014/]\s*|\s+(?:{JOIN})\s+)(?P<b>{Y}|\d\d)(?![\w\d])", f),
        "month": re.compile(rf"(?<![\w])(?P<prep>(?:{MPREP})\s+)?(?:(?:{_a(T.month_modifiers)})\s+)?(?P<m>{M})(?:\s+(?:{OF}\s+)?(?P<y>{YR})|\s+(?P<that>{_a(T.that_year)}))?(?![\w])"
                            rf"(?!\s+(?:{_a(T.price_bases)})(?![\w]))", f),
        # ... and "the same 7 months", "the same two weeks": the stretch just named
        "same_period": re.compile(rf"(?<![\w])(?:{THE}\s+)?(?:{_a(T.same_period)}"
                                  rf"|same\s+{N}\s+(?:{_a([*T.months, *T.window_units])}))(?:\s+(?P<link>{_a(T.same_period_links)}))?(?:\s+(?P<y>{YR}))?(?![\w])", f),
        "rel_year": re.compile(rf"(?<![\w])(?:{rel_no_the})\s+(?:{YEAR})(?![\w])", f),
        "rel_month": re.compile(rf"(?<![\w])(?P<w>{_a(T.relative_months)})\s+(?:{_a(T.month)})(?![\w])", f),
        "prev_year": re.compile(rf"(?<![\w])(?:{_a(T.previous_year)})(?![\w])", f),
        "prev_month": re.compile(rf"(?<![\w])(?:{_a(T.previous_month)})(?![\w])", f),
        "since": re.compile(rf"(?<![\w])(?:{_a(T.since)})\s+(?:(?:{_a(T.start_of_year)})|(?:{_a(T.start_of)})\s+(?P<sy>{Y})(?![\w])|(?:(?P<sd>{D})\s+(?:{OF}\s+)?)?(?P<part>(?:{PART})(?<=-)|(?:{PART})\s+)?(?P<m>{M})(?![a-z])(?:\s+(?P<sd2>{D})(?![\w]|[.,]\d))?(?:,?\s+(?P<y>{Y})|\s+(?P<that>{_a(T.that_year)})(?![\w]))?"
                           # not the first end of a span ("from March to May"); "since July 2024 to no fewer than 250" is
                           rf"(?!\s*(?:{JOIN}|{DASH})\s*(?:(?:{PART})[\s-]*)?(?:{M}|{D}|{Y})(?![\w])))"
                           rf"|(?<![\w])(?:{_a(T.year_to_date)})(?![\w])", f),
        "since_year": re.compile(rf"(?<![\w])(?:{_a(T.since_year)})\s+(?P<y>{Y})(?![\w])(?!\s*(?:{JOIN}|{DASH})\s*\d)", f),
        "week": re.compile(rf"(?<![\w])(?:{_a(T.issue_week)})(?![\w])", f),
        "previous_week": re.compile(rf"(?<![\w])(?:{_a(T.previous_week)})(?![\w])", f),
        "issue_quarter": re.compile(rf"(?<![\w])(?:{_a(T.issue_quarter)})(?![\w])", f),
        "previous_quarter": re.compile(rf"(?<![\w])(?:{_a(T.previous_quarter)})(?![\w])", f),
        "year_end": re.compile(rf"(?<![\w])(?:{_a(T.year_end)})(?![\w])", f),
        # "the highest 30-day total since October", "the weakest year since 2016": a record's base, no period
        "record_since": re.compile(rf"(?<![\w])(?:{_a(T.superlatives)})(?:\s+[\w-]+){{0,3}}\s+(?={_a(T.since_year)}\s)", f),
        "month_only": re.compile(rf"(?<![\w])(?:{_a(T.month_only_prepositions)})\s+$", f),
        "month_count": re.compile(r"\s+[a-z]{3,}"),
        "thing_dated": re.compile(rf"(?<![\w])(?:{_a(T.thing_dated)})(?:\s+(?:{_a(T.thing_dated_links)}))?\s+$", f),
        "month_end": re.compile(rf"(?<![\w])(?:{_a(T.month_end)})(?![\w])", f),
        "issue_period": re.compile(rf"(?<![\w])(?P<prev>{_a(T.previous_issue_period)})?\s*(?:{_a(T.issue_period)})(?![\w])", f),
        "issue_year": re.compile(rf"(?<![\w])(?:{_a(T.issue_year)})(?![\w])(?!\s+(?:\d|{_a([*T.span_joiners, *T.week_to])}(?![\w])))", f),
        "issue_month": re.compile(rf"(?<![\w])(?:{_a(T.issue_month)})(?![\w])(?!\s+(?:{OF}|{_a(T.span_prepositions)})(?![\w]))", f),
        "now": re.compile(rf"(?<![\w])(?:{_a(T.now)})(?![\w])(?!\s+(?:{_a([*T.now_not_before, *T.price_bases])})(?![\w]))", f),
        "year_so_far": re.compile(rf"(?<![\w])(?:(?:in\s+)?(?P<y>{Y})\s+(?:{_a(T.year_to_date_after)})"
                                  rf"|(?:{_a(T.year_to_date_after)})\s+in\s+(?P<y2>{Y}))(?![\w])", f),
        "digit": re.compile(r"\d"),
        "trigger": re.compile(rf"\d|(?<![\w])(?:{_a(lex.months)}|{_a(T.triggers)})(?![\w])", f),
        "year": re.compile(rf"(?<![\w\d.,])(?P<y>{Y})(?![\w\d%])", f),
        "fiscal_year": re.compile(rf"(?<![\w])(?:{_a(T.fiscal_year)})\s?(?P<y>{Y})(?![\w\d%])", f),
        "duration": re.compile(rf"(?<![\w])(?:(?:\d+|{_a(lex.number_words)}|{_a(T.duration_counts)})\s+)(?:{_a(T.duration_units)})(?:\s+(?:{_a(T.duration_after)}))?(?![\w])", f),
    }


@lru_cache(maxsize=1)
def _hints() -> dict[str, tuple[str, ...]]:
    """Per pattern of _rx, words one of which a sentence must hold for the pattern to find anything."""
    T = lexicon().time
    return {
        "as_of": hint_words(T.as_of), "months_of": hint_words(T.months), "trailing": hint_words(T.trailing),
        "window": hint_words(T.window_units),
        "quarter": hint_words(T.quarter, T.quarter_letter),
        "half": hint_words(T.half, [f"{h}{n}" for h in T.half_letter for n in (1, 2)]),
        "same_period": hint_words(T.same_period), "prev_year": hint_words(T.previous_year),
        "prev_month": hint_words(T.previous_month),
        "since": hint_words(T.since, T.year_to_date), "year_so_far": hint_words(T.year_to_date_after), "since_year": hint_words(T.since_year), "week": hint_words(T.issue_week),
        "previous_week": hint_words(T.previous_week), "rel_month": hint_words(T.month),
        "issue_quarter": hint_words(T.issue_quarter), "previous_quarter": hint_words(T.previous_quarter),
        "year_end": hint_words(T.year_end), "now": hint_words(T.now), "issue_month": hint_words(T.issue_month),
        "issue_period": hint_words(T.issue_period), "issue_year": hint_words(T.issue_year), "month_end": hint_words(T.month_end), "rel_year": hint_words(T.year),
        "duration": hint_words(T.duration_units), "fiscal_year": hint_words(T.fiscal_year),
    }


@lru_cache(maxsize=1)
def _opener_width() -> int:
    """How far before its first digit a year pair may start ("between 2019 and 2021")."""
    return max(len(w) for w in lexicon().time.span_openers) + 2


@lru_cache(maxsize=1)
def _month_keys() -> tuple[str, ...]:
    return tuple(k.rstrip(".") for k in lexicon().months)


def _year_of(token: str | None, ref: tuple[int, int]) -> int | None:
    if not token:
        return None
    t = " ".join(token.lower().split())
    if re.fullmatch(r"\d{4}", t):
        return int(t)
    rel = t.rsplit(" ", 1)[0]  # "next year" -> "next"
    return ref[0] + lexicon().time.relative_years.get(rel, 0)


def _month_no(token: str) -> int:
    return lexicon().months[token.lower().rstrip(".")]


def _implicit_year(month: int, ref: tuple[int, int]) -> int:
    """A month named without a year: the latest such month, or one of the next two (plans, schedules)."""
    ahead = (month - ref[1]) % 12
    if ahead == 0 or ahead <= 2:
        return ref[0] + (1 if month < ref[1] else 0)
    return ref[0] if month <= ref[1] else ref[0] - 1


def find_times(text: str, start: int, end: int, ref: tuple[int, int]) -> list[TimeExpr]:
    """Time expressions in text[start:end], longest first, not overlapping, in text order."""
    R = _rx()
    found: list[TimeExpr] = []
    taken: list[tuple[int, int]] = []
    orig, text = text, lowered(text)
    if not R["trigger"].search(text, start, end):
        return found  # most paragraphs name no time at all: one cheap search decides

    # Each pattern runs only where a word it needs occurs: a lower-cased substring test is
    # far cheaper than a scan with a long alternation, and a superset of what the pattern needs.
    low = text[start:end]
    has = low.__contains__
    H = _hints()

    def need(key: str) -> bool:
        return any(map(has, H[key]))
    month = any(map(has, _month_keys()))
    first_digit = R["digit"].search(text, start, end)
    digit = first_digit is not None
    d0 = first_digit.start() if digit else end  # the patterns that need digits start scanning at the first one

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    anchors: set[int] = set()  # years that only date an expression referring back to them ("of that year")

    thing_dated = R["thing_dated"]
    record_since = R["record_since"]

    def add(t: TimeExpr | None) -> None:
        if t is not None and free(t.start, t.end):
            taken.append((t.start, t.end))
            if not thing_dated.search(text, max(start, t.start - 30), t.start) and \
                    not record_since.search(text, max(start, t.start - 50), t.start + 12):  # "men born in 2001": no period
                found.append(t)

    for m in (R["day_range"].finditer(text, start, end) if month and digit else ()):
        add(_day_range(m, ref))
    for m in (R["as_of"].finditer(text, start, end) if month and need("as_of") else ()):
        mon = _month_no(m.group("m1") or m.group("m2"))
        day = int(re.match(r"\d+", m.group("d1") or m.group("d2")).group())
        y = int(m.group("y")) if m.group("y") else _implicit_year(mon, ref)
        add(_safe_day(m, y, mon, day, kind="as_of"))
    for m in (R["short_date"].finditer(text, start, end) if digit and ("/" in low or "." in low) else ()):
        if m.group("s_") and R["moved"].search(text, max(start, m.start() - 20), m.start()):
            continue  # "rose from 10.05 to 11.07": a rate's decimals, not dates
        add(_short_date(m, ref))
    for m in (R["numeric_date"].finditer(text, d0, end) if digit else ()):
        if m.group("y"):
            add(_safe_day(m, int(m.group("y")), int(m.group("m")), int(m.group("d"))))
        else:
            add(_safe_day(m, int(m.group("y2")), int(m.group("m2")), int(m.group("d2"))))
    for m in (R["month_pair"].finditer(text, start, end) if month else ()):
        a, b = _month_no(m.group("a")), _month_no(m.group("b"))
        yb = _year_of(m.group("y"), ref) or (int(m.group("ya")) if m.group("ya") else _implicit_year(b, ref))
        ya = int(m.group("ya")) if m.group("ya") else (yb if a <= b else yb - 1)
        second = (date(yb, b, 1), _month_end(yb, b))
        add(TimeExpr(m.start(), m.end(), "pair", date(ya, a, 1), _month_end(yb, b), second=second,
                     guessed=not m.group("y") and not m.group("ya")))
    for m in (R["trailing"].finditer(text, start, end) if need("trailing") else ()):
        n = _count(m.group("n")) * (1 if m.group("mo") else 12)  # "over the past 12 months", "the last 3 years"
        if n >= 1:
            last = _month_end(ref[0], ref[1])
            k = ref[0] * 12 + ref[1] - n  # the month before the first one, counted from year 0
            add(TimeExpr(m.start(), m.end(), "span", date(k // 12, k % 12 + 1, 1), last))
    windows: list[TimeExpr] = []
    for m in (R["window"].finditer(text, start, end) if need("window") and need("trailing") else ()):
        n = _count(m.group("n")) * lexicon().time.window_units[m.group("u")]  # resolved against the text (_span)
        back = int(m.group("w") in lexicon().time.window_back and any(w.days == n for w in windows))
        t = TimeExpr(m.start(), m.end(), "window", days=n, back=back)
        windows.append(t)
        add(t)
    for m in (R["months_of"].finditer(text, start, end) if need("months_of") else ()):
        n = _count(m.group("n"))
        if not 1 <= n <= 12:
            continue
        if m.group("to"):  # "the eleven months to the end of November": the n months that end with that one
            mon = _month_no(m.group("to"))
            y = int(m.group("ty")) if m.group("ty") else _implicit_year(mon, ref)
            k = y * 12 + mon - n
            add(TimeExpr(m.start(), m.end(), "span", date(k // 12, k % 12 + 1, 1), _month_end(y, mon)))
            continue
        y = _year_of(m.group("y"), ref) or ref[0]
        if not m.group("y") and not m.group("first") and not m.group("prep"):
            continue  # "6 months" alone is a duration
        add(TimeExpr(m.start(), m.end(), "span", date(y, 1, 1), _month_end(y, n)))
    for m in (R["issue_quarter"].finditer(text, start, end) if need("issue_quarter") else ()):
        add(TimeExpr(m.start(), m.end(), "issue_quarter"))  # resolved against the report (see _span)
    for m in (R["previous_quarter"].finditer(text, start, end) if need("previous_quarter") else ()):
        add(TimeExpr(m.start(), m.end(), "previous_quarter"))
    for m in (R["quarter"].finditer(text, start, end) if need("quarter") else ()):
        q = lexicon().time.ordinals[" ".join(m.group("o").split())] if m.group("o") else int(m.group("q"))
        y = _year_of(m.group("y") or m.group("y2"), ref) or ref[0]
        add(TimeExpr(m.start(), m.end(), "span", date(y, 3 * q - 2, 1), _month_end(y, 3 * q)))
    for m in (R["months_letter"].finditer(text, d0, end) if digit else ()):
        n = int(m.group("n"))  # "9M 2024": January to September 2024; "5M:" ending a label, of the year named beside it
        y = int(m.group("y")) if m.group("y") else ref[0]
        add(TimeExpr(m.start(), m.end(), "span", date(y, 1, 1), _month_end(y, n), guessed=not m.group("y")))
    for m in (R["half_month"].finditer(text, start, end) if month and need("half") else ()):
        h = lexicon().time.ordinals[" ".join(m.group("o").split())]  # "the first half of May": 1-15, 16-end
        mon = _month_no(m.group("m"))
        y = int(m.group("y")) if m.group("y") else _implicit_year(mon, ref)
        first, last = (date(y, mon, 1), date(y, mon, 15)) if h == 1 else (date(y, mon, 16), _month_end(y, mon))
        add(TimeExpr(m.start(), m.end(), "span", first, last))
    for m in (R["since_event"].finditer(text, start, end) if month and need("since") else ()):
        mon = _month_no(m.group("m"))
        y = int(m.group("y")) if m.group("y") else ref[0] - (mon > ref[1])
        day = m.group("d") or m.group("d2")
        first = _safe_date(y, mon, int(re.match(r"\d+", day).group()) if day else 1)
        last = _month_end(ref[0], ref[1])
        if first is not None and first <= last:
            add(TimeExpr(m.start(), m.end(), "span", first, last))
    for m in (R["half"].finditer(text, start, end) if need("half") else ()):
        h = lexicon().time.ordinals[" ".join(m.group("o").split())] if m.group("o") else int(m.group("h"))
        y = _year_of(m.group("y") or m.group("y2"), ref) or ref[0]
        add(TimeExpr(m.start(), m.end(), "span", date(y, 6 * h - 5, 1), _month_end(y, 6 * h)))
    for m in (R["same_period"].finditer(text, start, end) if need("same_period") else ()):
        y = _year_of(m.group("y"), ref)
        if y is None and m.group("link") and " ".join(m.group("link").split()).endswith(tuple(lexicon().time.last_year)):
            y = ref[0] - 1
        if y is None and not m.group("link") and _last_marker(text, max(start, m.start() - 40), m.start()) is None:
            add(TimeExpr(m.start(), m.end(), "same_span"))  # "our count for the same period": the one just named
            continue
        add(TimeExpr(m.start(), m.end(), "same_period", year=y))
    for m in (R["year_so_far"].finditer(text, start, end) if digit and need("year_so_far") else ()):
        y = int(m.group("y") or m.group("y2"))  # "in 2024 so far": that year to the report's month
        if y <= ref[0]:
            add(TimeExpr(m.start(), m.end(), "span", date(y, 1, 1),
                         _month_end(ref[0], ref[1]) if y == ref[0] else date(y, 12, 31)))
    for m in (R["since"].finditer(text, start, end) if need("since") else ()):
        last = _month_end(ref[0], ref[1])
        if m.groupdict().get("m"):
            mon = _month_no(m.group("m"))  # "since January": the latest January not after the report's month
            y = int(m.group("y")) if m.group("y") else ref[0] - (mon > ref[1])
            if m.group("that"):  # "since August of that year": the year the sentence named before
                y = _year_named_before(R, text, start, m.start(), anchors)
                if y is None:
                    continue
            part = " ".join((m.group("part") or "").split())
            day = m.group("sd") or m.group("sd2")  # "since 3 July", "since July 3"
            start_day = int(re.match(r"\d+", day).group()) if day else lexicon().time.month_parts.get(part, 1)
            try:
                first = date(y, mon, start_day)  # "since mid-March", "since early May", "since 3 July"
            except ValueError:
                continue  # "since 31 June": no such day
            if first <= last:
                add(TimeExpr(m.start(), m.end(), "span", first, last))
        elif m.groupdict().get("sy"):  # "since the beginning of 2021"
            first = date(int(m.group("sy")), 1, 1)
            if first <= last:
                add(TimeExpr(m.start(), m.end(), "span", first, last))
        else:
            add(TimeExpr(m.start(), m.end(), "span", date(ref[0], 1, 1), last))
    for m in (R["day"].finditer(text, start, end) if month and digit else ()):
        if m.group("m1") and not m.group("y") and R["month_count"].match(text, m.end()) \
                and R["month_only"].search(text, max(start, m.start() - 12), m.start()):
            continue  # "In December 29 persons were recognised": a month, then a count (a day takes "on")
        mon = _month_no(m.group("m1") or m.group("m2"))
        day = int(re.match(r"\d+", m.group("d1") or m.group("d2")).group())
        y = int(m.group("y")) if m.group("y") else _implicit_year(mon, ref)
        add(_safe_day(m, y, mon, day, kind="day"))
    for m in (R["year_pair"].finditer(text, max(start, d0 - _opener_width()), end) if digit else ()):
        a = int(m.group("a"))
        b_raw = m.group("b")
        b = int(b_raw) if len(b_raw) == 4 else (a // 100) * 100 + int(b_raw)
        if a < b <= a + 30:
            add(TimeExpr(m.start(), m.end(), "years", date(a, 1, 1), date(b, 12, 31), second=(date(b, 1, 1), date(b, 12, 31))))
    for m in (R["prev_month"].finditer(text, start, end) if need("prev_month") else ()):
        add(TimeExpr(m.start(), m.end(), "prev_month"))  # the period just named, a month back (see _span)
    for m in (R["prev_year"].finditer(text, start, end) if need("prev_year") else ()):
        add(TimeExpr(m.start(), m.end(), "prev_year"))
    for m in (R["since_year"].finditer(text, start, end) if digit and need("since_year") else ()):
        first, last = date(int(m.group("y")), 1, 1), _month_end(ref[0], ref[1])
        if first <= last:  # "since 2021": that year's start to the report's month
            add(TimeExpr(m.start(), m.end(), "span", first, last))
    for m in (R["week"].finditer(text, start, end) if need("week") else ()):
        add(TimeExpr(m.start(), m.end(), "week"))  # the issue's own week: resolved against the report (see _span)
    for m in (R["previous_week"].finditer(text, start, end) if need("previous_week") else ()):
        add(TimeExpr(m.start(), m.end(), "previous_week"))  # the week before the issue's
    for m in (R["month"].finditer(text, start, end) if month else ()):
        word = orig[m.start("m"):m.end("m")]
        if word.lower().rstrip(".") in lexicon().time.ambiguous_months and not m.group("y") and not m.group("prep"):
            continue  # the verb "may"
        if word[:1].islower() and not m.group("y"):
            continue  # "mar", "dec", "Sunday's march" in lower case are no months
        mon = _month_no(word)
        y = _year_of(m.group("y"), ref) if m.group("y") else _implicit_year(mon, ref)
        if m.group("that"):  # "in August of that year"
            y = _year_named_before(R, text, start, m.start(), anchors)
            if y is None:
                continue
        add(TimeExpr(m.start(), m.end(), "month", date(y, mon, 1), _month_end(y, mon), guessed=not m.group("y") and not m.group("that")))
    for m in (R["rel_month"].finditer(text, start, end) if need("rel_month") else ()):
        w = m.group("w").lower()
        y, mo = ref
        shift = lexicon().time.relative_months[" ".join(w.split())]
        mo += shift
        if mo == 0:
            y, mo = y - 1, 12
        elif mo == 13:
            y, mo = y + 1, 1
        add(TimeExpr(m.start(), m.end(), "month", date(y, mo, 1), _month_end(y, mo)))
    for m in (R["year_end"].finditer(text, start, end) if need("year_end") else ()):
        add(TimeExpr(m.start(), m.end(), "year", date(ref[0], 1, 1), date(ref[0], 12, 31)))
    for m in (R["month_end"].finditer(text, start, end) if need("month_end") else ()):
        last = _month_end(ref[0], ref[1])  # "remained behind bars at the end of the month": the issue month's last day
        add(TimeExpr(m.start(), m.end(), "day", last, last))
    for m in (R["issue_period"].finditer(text, start, end) if need("issue_period") else ()):
        y, mo = (ref[0], ref[1] - 1) if m.group("prev") else ref  # the issue's own period, or the one before
        y, mo = (y - 1, 12) if mo == 0 else (y, mo)
        add(TimeExpr(m.start(), m.end(), "previous_period" if m.group("prev") else "issue_period",
                     date(y, mo, 1), _month_end(y, mo)))  # a weekly issue's: its week (see _span)
    for m in (R["issue_year"].finditer(text, start, end) if need("issue_year") else ()):
        add(TimeExpr(m.start(), m.end(), "year", date(ref[0], 1, 1), date(ref[0], 12, 31)))
    for m in (R["issue_month"].finditer(text, start, end) if need("issue_month") else ()):
        add(TimeExpr(m.start(), m.end(), "month", date(ref[0], ref[1], 1), _month_end(ref[0], ref[1])))
    for m in (R["now"].finditer(text, start, end) if need("now") else ()):
        add(TimeExpr(m.start(), m.end(), "month", date(ref[0], ref[1], 1), _month_end(ref[0], ref[1])))
    for m in (R["rel_year"].finditer(text, start, end) if need("rel_year") else ()):
        y = _year_of(m.group(), ref)
        add(TimeExpr(m.start(), m.end(), "year", date(y, 1, 1), date(y, 12, 31)))
    for m in (R["fiscal_year"].finditer(text, start, end) if digit and need("fiscal_year") else ()):
        y = int(m.group("y"))  # "FY2025": Belarus' fiscal year is the calendar year
        add(TimeExpr(m.start(), m.end(), "year", date(y, 1, 1), date(y, 12, 31)))
    for m in (R["year"].finditer(text, d0, end) if digit else ()):
        if m.start() in anchors or _named_event(orig, m.start()):
            continue
        y = int(m.group("y"))
        add(TimeExpr(m.start(), m.end(), "year", date(y, 1, 1), date(y, 12, 31)))
    for m in (R["duration"].finditer(text, start, end) if need("duration") else ()):
        add(TimeExpr(m.start(), m.end(), "duration"))
    found.sort(key=lambda t: t.start)
    return found


def _year_named_before(R: dict, text: str, start: int, pos: int, anchors: set[int]) -> int | None:
    """The last year written in text[start:pos] ("the 2020 protests ... since August of that year"), or None. Its
    offset goes into `anchors`: that year only dates the expression that refers back to it."""
    years = list(R["year"].finditer(text, start, pos))
    if not years:
        return None
    anchors.add(years[-1].start())
    return int(years[-1].group("y"))


def _day_range(m: re.Match, ref: tuple[int, int]) -> TimeExpr | None:
    """The days from one date to another ("12-16 September", "Aug 9-Dec 31, 2020"): a span of kind "days". A
    joining "and" needs "between" before it (lexicon `range_joiner_openers`); the first month and year default to the second's (a year back when the
    first month comes later: "from 20 December to 10 January 2021"); a range that runs backwards is none (a date and
    a count: "May 6 - 3 drones")."""
    g = m.groupdict()
    b = "b" if g["m1b"] else ""
    opener, joiner = g["o" + b], g["j" + b]
    needs = lexicon().range_joiner_openers  # as for figures: "between 5 and 10", but "5 and 10" are two
    if joiner and " ".join(joiner.split()) in needs and (not opener or " ".join(opener.split()) != needs[" ".join(joiner.split())]):
        return None
    if b:
        m1, d1, y1 = g["m1b"], g["d1b"], g["y1b"]
        m2, d2, y2 = g["m2b"] or g["m2c"] or g["m1b"], g["d2b"] or g["d2c"], g["yb"]
    else:
        m1, d1, y1, m2, d2, y2 = g["m1"] or g["m2"], g["d1"], g["y1"], g["m2"], g["d2"], g["y"]
    mon1, mon2 = _month_no(m1), _month_no(m2)
    day1, day2 = (int(re.match(r"\d+", d).group()) for d in (d1, d2))
    year2 = int(y2) if y2 else (int(y1) if y1 else _implicit_year(mon2, ref))
    if mon1 == mon2 and day1 >= day2 and not y1:
        return None
    year1 = int(y1) if y1 else (year2 if mon1 <= mon2 else year2 - 1)
    first, last = _safe_date(year1, mon1, day1), _safe_date(year2, mon2, day2)
    if first is None or last is None or first >= last:
        return None
    return TimeExpr(m.start(), m.end(), "days", first, last, guessed=not (y1 or y2))


def _count(token: str) -> int:
    if token.isdigit():
        return int(token)
    return int(lexicon().number_words.get(token.lower(), 0))


def _month_day(a: int, b: int, slash: bool, ref: tuple[int, int], order: int | None = None) -> tuple[int, int, int] | None:
    """(month, day, order) of a date in figures without its year: with dots day.month (order 1); with a slash
    month/day (order 0) or day/month (order 1), whichever is a real date with its month nearest before the report's
    (a monthly's dates are of its month or the months just before it), or the `order` given (a range's second
    date is written as its first). None when no reading is a date."""
    readings = [(a, b, 0), (b, a, 1)] if slash else [(b, a, 1)]
    ok = [(mon, day, o) for mon, day, o in readings
          if 1 <= mon <= 12 and _safe_date(2000, mon, day) is not None and order in (None, o)]
    return min(ok, key=lambda md: (ref[1] - md[0]) % 12) if ok else None


def _short_date(m: re.Match, ref: tuple[int, int]) -> TimeExpr | None:
    """A TimeExpr for "on 9/4", "as of 12/31", "since 9/4", "from 01.05 to 31.05" (lexicon time.date_prepositions)."""
    T = lexicon().time
    if m.group("r1"):  # "held on 18-20.10": days of one month
        mon = int(m.group("rm"))
        if not 1 <= mon <= 12:
            return None
        y = _implicit_year(mon, ref)
        a, b = _safe_date(y, mon, int(m.group("r1"))), _safe_date(y, mon, int(m.group("r2")))
        return TimeExpr(m.start(), m.end(), "days", a, b) if a and b and a < b else None
    slash = m.group("s") == "/"
    first = _month_day(int(m.group("a") or m.group("a_")), int(m.group("b") or m.group("b_")), slash, ref)
    if first is None:
        return None
    mon, day, order = first
    y = _implicit_year(mon, ref)
    prep = " ".join(m.group("p").split())
    if m.group("a2"):
        b2 = m.group("b2") if slash else m.group("b2_")
        if b2 is None:
            return None  # "from 9/4 to 16.09": two ways of writing dates are no range
        second = _month_day(int(m.group("a2")), int(b2), slash, ref, order)
        if second is None:
            return None
        a, b = _safe_date(y, mon, day), _safe_date(_implicit_year(second[0], ref), *second[:2])
        return TimeExpr(m.start(), m.end(), "span", a, b) if a and b and a <= b else None
    if prep == "since":
        a, last = _safe_date(y, mon, day), _month_end(ref[0], ref[1])
        return TimeExpr(m.start(), m.end(), "span", a, last) if a and a <= last else None
    return _safe_day(m, y, mon, day, kind="as_of" if prep in T.as_of else "day")


def _safe_day(m: re.Match, y: int, mon: int, day: int, kind: str = "day") -> TimeExpr | None:
    try:
        d = date(y, mon, day)
    except ValueError:
        return None
    return TimeExpr(m.start(), m.end(), kind, d, d)


@lru_cache(maxsize=1)
def _month_year_rx() -> re.Pattern:
    """"May 2024", "May 13, 2024", "May 12-18, 2025": a month and its year, maybe with days between."""
    lex = lexicon()
    D = _day(lex.time)
    return re.compile(rf"(?<![\w])(?P<m>{phrase_alternation(lex.months)})\.?,?\s+(?:{D}(?:\s*[-\u2013\u2014]\s*{D})?,?\s+)?"
                      rf"(?P<y>(?:19|20)\d\d)(?!\d)", re.I)


def report_month(report: Report) -> str:
    """YYYY-MM: a "Month YYYY" in the title, else the most frequent month of the dated events it reports."""
    lex = lexicon()
    # the title, then the short lines that open the report ("Analytical report for December 2021")
    heads = [report.title] + [report.text[a:b] for a, b in report.paragraphs[:4] if b - a < 200]
    for head in heads:
        m = _month_year_rx().search(head or "")
        if m:
            return f"{int(m.group('y')):04d}-{lex.months[m.group('m').lower().rstrip('.')]:02d}"
    counts: Counter = Counter()
    for t in find_times(report.text, 0, len(report.text), (2100, 12)):
        if t.kind in ("day", "month") and t.begin and re.search(r"(?:19|20)\d\d", report.text[t.start:t.end]):
            counts[(t.begin.year, t.begin.month)] += 1
    if counts:
        (y, mo), _ = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        return f"{y:04d}-{mo:02d}"
    return ""  # years alone ("2023 edition") name no month: unknown, said so by the caller


def resolve_periods(doc: Document, roles) -> list[tuple[date, date, str]]:
    """(start, end, how) per mention; `how` says where the period came from (for review)."""
    out = []
    y, mo = doc.ref
    month_span = (date(y, mo, 1), _month_end(y, mo))
    for k, m in enumerate(doc.mentions):
        out.append(_period_of(doc, k, m, roles[k].role, month_span))
    return out


_PLAN_TIERS = {"year": 0, "years": 0, "span": 0, "pair": 0, "same_period": 0, "same_span": 0, "prev_year": 0,
               "as_of": 0, "days": 0, "month": 1, "day": 2}


@lru_cache(maxsize=1)
def _event_verb() -> re.Pattern:
    """"published in April": the date of a document, not of its figures (but not "reported that last year")."""
    R = lexicon().roles
    # (a clause opener after the verb starts what was reported: "reported that last year ..." is no date of it)
    return re.compile(rf"(?<![\w])(?:{phrase_alternation(R.event_verbs)})\s+(?:(?!(?:{phrase_alternation(R.head_breaks)})\s)\w+\s+)?"
                      rf"(?:{phrase_alternation(R.event_prepositions)})?\s*$", re.I)


@lru_cache(maxsize=1)
def _attributive() -> re.Pattern:
    """A year followed by a noun it qualifies ("a 2025 budget", "the 2024 law"), not by a preposition or joiner."""
    return re.compile(rf"\s+(?!(?:{phrase_alternation(lexicon().noun_stops)})(?![\w]))(?P<noun>[^\W\d_][\w-]{{2,}})", re.I)


@lru_cache(maxsize=1)
def _period_nouns() -> frozenset[str]:
    """Nouns a year before them dates as a period of figures ("the 2025 budget", "the 2024 call-up")."""
    return frozenset(w.lower() for w in lexicon().time.period_nouns)


@lru_cache(maxsize=1)
def _when() -> re.Pattern:
    return re.compile(rf"\s*,?\s*(?:{phrase_alternation(lexicon().time.when)})\b", re.I)


def _tier(t: TimeExpr, role: str, text: str = "") -> int:
    """Plans measure a year or a span, not the day they were announced; other figures prefer anything but
    a day or the date a document was published."""
    noun = _attributive().match(text, t.end) if text and t.kind == "year" and text[t.start:t.end].isdigit() else None
    if text and _event_verb().search(text, max(0, t.start - 40), t.start) and not noun:
        return 2  # ("approved a 2025 budget": the budget's year, not the approval's date)
    if noun and noun.group("noun").lower() not in _period_nouns():
        return 2  # "the anniversary of the 2020 election", "a comment on a 2020 photo": the year of a thing
    if role == Role.PLANNED:
        return _PLAN_TIERS.get(t.kind, 1)
    return 1 if t.kind == "day" else 0


def _applies(text: str, t: TimeExpr, q, sent_start: int) -> bool:
    """A time after "compared with" dates the comparison's base, not the figures outside it."""
    if t.end <= q.start and _when().match(text[t.end:q.start]):
        return True  # "a year earlier, when about 10 thousand were recorded"
    m = _last_marker(text, max(sent_start, t.start - 60), t.start)
    if m is None:
        return True
    return m.start() <= q.start < t.start


@lru_cache(maxsize=1)
def _than_then_time() -> re.Pattern:
    """"fewer than in the same period", "more than during 2019", "4.7% fewer than a year earlier": a comparative's
    "than" before a preposition of time or a year back opens a comparison's base (before a figure, "fewer than 40"
    is a bound)."""
    lex = lexicon()
    T = lex.time
    return re.compile(rf"(?<![\w])(?:{phrase_alternation(lex.comparative_heads)})\s+(?:{phrase_alternation(lex.comparison_than)})"
                      rf"(?=\s+(?:{phrase_alternation([*T.span_prepositions, *T.month_prepositions, *T.previous_year, *T.last_year])}"
                      rf"|(?:{phrase_alternation(list(T.relative_years))})\s+(?:{phrase_alternation(T.year)}))(?![\w]))", re.I)


def _last_marker(text: str, lo: int, hi: int):
    """The last comparison marker in text[lo:hi] that still governs position hi (no clause break between)."""
    m = None
    for m in comparison_rx(than=True).finditer(text, lo, hi):
        pass
    for t in _than_then_time().finditer(text, m.end() if m else lo, min(len(text), hi + 40)):
        if t.start() >= hi:  # the look-ahead reads the time itself ("fewer than a year earlier"), the match ends before
            break
        m = t
    if m is None or re.search(r"[,;:]\s", text[m.end():hi]):
        return None
    return m


_EVENT_NAME = re.compile(r"(?<![\w-])[A-Z][a-z'’]{2,}(?:\s[A-Z][a-z'’]{2,})?-$")


def _named_event(orig: str, year_start: int) -> bool:
    """A year glued by a hyphen to a capitalised name ("Zapad-2025", "Union Shield-2023") names an event, not a
    period: the figures said of it take the dates the text gives the event, not its whole year. ("mid-2025",
    "end-2024" are periods.)"""
    return year_start > 0 and orig[year_start - 1] == "-" and \
        _EVENT_NAME.search(orig, max(0, year_start - 40), year_start) is not None


def _is_base(text: str, t: TimeExpr, sent_start: int) -> bool:
    """The time of a comparison's base ("... than in 2019"), or of the base figure written between the marker and
    the time ("vs. 1.0% in 2024", "against BYN 3.0 bln in the 2024 law"): it dates no figure outside that
    comparison."""
    m = _last_marker(text, max(sent_start, t.start - 30), t.start)
    if m is None:
        return False
    between = text[m.end():t.start]
    return not re.search(r"\d", between) or _BASE_FIGURE.fullmatch(between) is not None


# the base figure of a comparison between its marker and its time: one number, with its unit or multiplier and a
# preposition or article, no clause break ("vs. 1.0% in 2024", "against BYN 3.0 bln in the 2024 law")
_BASE_FIGURE = re.compile(r"\s*(?:[^\W\d_]{1,4}\s*)?[$€£]?\d[\d.,]*\s*(?:%|[^\W\d_]+\.?)?(?:\s+[^\W\d_]+){0,2}\s+")


# how many paragraphs (its own and those before) a plan's period may be named in: "Presenting the draft 2026
# budget, the minister said ..." / "Verdict: ..." / "The draft puts national defence at BYN 3.9bn"
PLAN_PARAGRAPHS = 3


def _period_of(doc: Document, k: int, m: Mention, role: str, month_span) -> tuple[date, date, str]:
    q = m.quantity
    text = doc.report.text
    sent = doc.sentences[m.sentence]
    times = [t for t in doc.times[m.sentence] if t.kind != "duration"]
    if q.change:
        pair = [t for t in times if t.second is not None]
        own_side = _spread(doc, m, times)
        span = own_side and _span(doc, m.sentence, own_side)
        if span:
            return span[0], span[1], "its side of a change"
        if pair and not own_side:
            t = pair[0]
            if q.change == "from":
                first_end = _month_end(t.begin.year, t.begin.month) if t.kind == "pair" else date(t.begin.year, 12, 31)
                return t.begin, first_end, "paired change"
            return t.second[0], t.second[1], "paired change"
    times = [t for t in times if _applies(text, t, q, sent.start)]
    marker = _last_marker(text, max(sent.start, q.start - 30), q.start)
    if marker is not None and not text[marker.end():q.start].strip():
        times = [t for t in times if t.start >= marker.end()]  # "..., against just over 4 thousand in 2019"
    # a year that holds a range of days named beside it is that range's context ("Zapad-2025, held on 12-16 September")
    days = [t for t in times if t.kind == "days"]
    times = [t for t in times if not (t.kind == "year" and any(t.begin <= d.begin and d.finish <= t.finish for d in days))]
    own = [t for t in times if m.segment[0] <= t.start < m.segment[1]]
    if role != Role.PLANNED:  # a fact does not take the future date of a like figure's clause ("...; four more next year")
        like = [o.segment for o in doc.mentions_by_sentence.get(m.sentence, ())
                if o is not m and o.segment != m.segment
                and (o.quantity.unit == q.unit or not o.quantity.unit or not q.unit)]
        times = [t for t in times if t in own or t.begin is None or t.begin <= month_span[1]
                 or not any(a <= t.start < b for a, b in like)]
    for pool, how in ((own, "own clause"), (times, "sentence")):
        for t in sorted(pool, key=lambda t: (_tier(t, role, text), _distance(t, q.start, q.end), t.start < q.start)):
            span = _span(doc, m.sentence, t)
            if span and t.kind == "year":
                span = _months_of_year(doc, m.sentence, t, times) or span
            if span:
                if role == Role.PLANNED and t.guessed and span[1] < month_span[0] and (
                        t.kind in ("days", "day", "month")
                        or t.kind in ("pair", "span") and span[0].year < month_span[0].year):
                    # "scheduled for September 12-16" in May's issue: a plan's month without a year is still to come;
                    # so are months a year was guessed back for ("should send 11 thousand in May-June" in March)
                    span = _shift_years(span[0], 1), _shift_years(span[1], 1)
                return span[0], span[1], how
    # earlier sentences of the paragraph, then the heading or lead-in of its block (not sibling list items)
    sent_para = doc.sentences[m.sentence].paragraph
    earlier = [i for i in doc.context(m.sentence, 50) if doc.sentences[i].paragraph == sent_para] + doc.lead(m.sentence)
    if role == Role.PLANNED:  # a plan's year is often named in the paragraph before ("The budget for 2021 ...")
        first = earlier[-1] if earlier else m.sentence
        earlier = earlier + list(_before(doc, first, paragraphs=PLAN_PARAGRAPHS))
    leads = set(doc.lead(m.sentence))
    for index in earlier:
        s_start = doc.sentences[index].start
        pool = [t for t in doc.times[index] if t.kind != "duration" and not _is_base(text, t, s_start)]
        if role == Role.PLANNED:
            pool = [t for t in pool if t.begin is None or t.finish.year >= doc.ref[0]]
        if pool:
            t = min(pool, key=lambda t: (_tier(t, role, text), t.start))
            span = _span(doc, index, t)
            if span:
                return span[0], span[1], "named in its lead-in" if index in leads else "named in an earlier sentence"
    return month_span[0], month_span[1], "report month"


def _months_of_year(doc: Document, sentence: int, year: TimeExpr, times) -> tuple[date, date] | None:
    """A table's year column under a title or label that names months without a year ("Registered crime,
    January-October" / "2020 (cases): 75,020"; "Exercise activity, 5M: ... 2024: 52"): those months of that year.
    A column is a year in figures: "this year" beside "Jan-Aug" is the whole year ("output grew 15% Jan-Aug, and
    exports should hit $1.1B this year")."""
    if not any(c.isdigit() for c in doc.report.text[year.start:year.end]):
        return None
    lead = [t for i in doc.lead(sentence) for t in doc.times[i]]
    for t in (*times, *lead):
        if t.guessed and t.kind in ("pair", "span") and t.begin is not None and t.begin.year == t.finish.year \
                and t.begin.day == 1 and (t.begin.month, t.finish.month) != (1, 12):
            y = year.begin.year
            return date(y, t.begin.month, 1), _month_end(y, t.finish.month)
    return None


def _spread(doc: Document, m: Mention, times) -> TimeExpr | None:
    """"from 2,100 in 2012–13 to 1,900 in 2013–14": a time between the two sides of a change dates the first side,
    and the time after the second dates the second (not the halves of one pair); None when no time comes between."""
    q = m.quantity
    sides = [o.quantity for o in doc.mentions_by_sentence.get(m.sentence, ()) if o.quantity.change]
    if q.change == "from":
        other = next((o for o in sides if o.start > q.start and o.change == "to"), None)
        return next((t for t in times if other and q.end <= t.start < other.start), None)
    other = next((o for o in reversed(sides) if o.start < q.start and o.change == "from"), None)
    if other is None or not any(other.end <= t.start < q.start for t in times):
        return None
    return next((t for t in times if t.start >= q.end), None)


def _distance(t: TimeExpr, a: int, b: int) -> int:
    if t.end <= a:
        return a - t.end
    if t.start >= b:
        return t.start - b
    return 0


def _span(doc: Document, sentence: int, t: TimeExpr) -> tuple[date, date] | None:
    if t.kind == "same_period":
        ref = _previous_span(doc, sentence, t.start)
        year = t.year
        if ref is None:
            return (date(year, 1, 1), date(year, 12, 31)) if year else None
        b, e = ref
        if year is None:
            year = b.year - 1
        shift = year - b.year
        return _shift_years(b, shift), _shift_years(e, shift)
    if t.kind == "same_span":
        return _same_span(doc, sentence, t.start)
    if t.kind == "prev_year":  # "a year earlier": the period just named, one year back
        ref = _previous_span(doc, sentence, t.start)
        if ref is None:
            return date(doc.ref[0] - 1, 1, 1), date(doc.ref[0] - 1, 12, 31)
        return _shift_years(ref[0], -1), _shift_years(ref[1], -1)
    if t.kind == "prev_month":  # "1,468 as of 7 April, after 1,459 a month earlier": 7 March
        ref = _previous_span(doc, sentence, t.start)
        if ref is None:
            k = doc.ref[0] * 12 + doc.ref[1] - 2  # the month before the report's, counted from year 0
            return date(k // 12, k % 12 + 1, 1), _month_end(k // 12, k % 12 + 1)
        return _shift_months(ref[0], -1), _shift_months(ref[1], -1)
    if t.kind == "window":
        return _window(doc, sentence, t)
    if t.kind in ("issue_period", "previous_period"):  # "for the reporting period": a weekly's week, else the month
        week = issue_span(doc.report)
        if week is None:
            return t.begin, t.finish
        back = timedelta(days=lexicon().time.days_in_week if t.kind == "previous_period" else 0)
        return week[0] - back, week[1] - back
    if t.kind == "week":
        return issue_span(doc.report)
    if t.kind in ("issue_quarter", "previous_quarter"):
        first, last = issue_quarter(doc.report, doc.ref)
        if t.kind == "previous_quarter":
            k = first.year * 12 + first.month - 1 - 3  # three months back, counted from year 0
            first, last = date(k // 12, k % 12 + 1, 1), first - timedelta(days=1)
        return first, last
    if t.kind == "previous_week":
        week = issue_span(doc.report)
        if week is None:
            return None
        shift = timedelta(days=lexicon().time.days_in_week)
        return week[0] - shift, week[0] - timedelta(days=1)
    if t.begin is None:
        return None
    return t.begin, t.finish


@lru_cache(maxsize=1)
def _issue_rx() -> dict[str, re.Pattern]:
    """Dates in a title or an issue's opening lines: a day range, a week named by a day, one date (case-blind)."""
    lex = lexicon()
    T = lex.time
    M = rf"(?:{phrase_alternation(lex.months)})\.?"
    D = rf"(?:[12]\d|3[01]|0?[1-9])(?:{phrase_alternation(T.day_suffixes)})?"
    Y = r"(?P<y>(?:19|20)\d\d)(?!\d)"
    OF = phrase_alternation(T.of)

    def one(tag: str) -> str:  # "May 13", "13 May", "13th of May"
        return rf"(?:(?P<m{tag}>{M})\s+(?P<d{tag}>{D})|(?P<e{tag}>{D})\s+(?:(?:{OF})\s+)?(?P<n{tag}>{M}))"

    joint = rf"\s*[-\u2013\u2014]\s*|\s+(?:{phrase_alternation(T.span_joiners)})\s+"
    return {
        "range": re.compile(rf"(?<![\w])(?:(?P<xa>{D})|{one('a')})(?:{joint})(?:{one('b')}|(?P<xb>{D}))(?![\w]),?\s+{Y}", re.I),
        "from": re.compile(rf"(?<![\w])(?:{phrase_alternation(T.week_from)})\s+{one('s')},?\s+{Y}", re.I),
        "to": re.compile(rf"(?<![\w])(?:{phrase_alternation(T.week_to)})\s+{one('s')},?\s+{Y}", re.I),
        "date": re.compile(rf"(?<![\w]){one('s')},?\s+{Y}", re.I),
        "weekly": re.compile(rf"(?<![^\W\d_])(?:{phrase_alternation(T.week)})", re.I),  # a head naming a weekly
    }


def _date_of(m: re.Match, tag: str, y: int, month: int | None = None) -> date | None:
    """The date a `one(tag)` group of _issue_rx matched (its month may come from the other end of a range)."""
    lex = lexicon()
    mon = m.group(f"m{tag}") or m.group(f"n{tag}")
    day = m.group(f"d{tag}") or m.group(f"e{tag}")
    if mon is None and month is None:
        return None
    try:
        return date(y, lex.months[mon.lower().rstrip(".")] if mon else month, int(re.match(r"\d+", day).group()))
    except ValueError:
        return None


def _issue_heads(report: Report) -> list[str]:
    return [report.title or ""] + [report.text[a:min(b, a + 300)] for a, b in report.paragraphs[:3]]


@lru_cache(maxsize=64)
def issue_span(report: Report) -> tuple[date, date] | None:
    """The days a weekly (or shorter) issue covers, from its title or opening lines: a day range ("6–12 May 2024",
    "April 29 – May 5, 2024"), a week named by its first or last day ("Week of May 13, 2024", "week ending 19 May
    2024"), else, in a weekly (a head says "week"), the week up to the one date written there ("Weekly digest, 19
    May 2024"): a monthly's "Issued 4 October 2021" is no week. None without a day."""
    R = _issue_rx()
    week = lexicon().time.days_in_week
    heads = _issue_heads(report)
    for head in heads:
        for m in R["range"].finditer(head):
            y = int(m.group("y"))
            last = _date_of(m, "b", y) if m.group("xb") is None else None
            if m.group("xb") is not None:  # "May 12-18, 2025"
                first = _date_of(m, "a", y)
                last = first and _safe_date(y, first.month, int(re.match(r"\d+", m.group("xb")).group()))
            elif m.group("xa") is not None:  # "6–12 May 2024"
                first = last and _safe_date(y, last.month, int(re.match(r"\d+", m.group("xa")).group()))
            else:  # "29 April – 5 May 2024"
                first = _date_of(m, "a", y)
            if first and last and 0 <= (last - first).days <= week + 2:
                return first, last
    for kind in ("from", "to"):
        for head in heads:
            m = R[kind].search(head)
            d = m and _date_of(m, "s", int(m.group("y")))
            if d:
                span = timedelta(days=week - 1)
                return (d, d + span) if kind == "from" else (d - span, d)
    weekly = R["weekly"]
    for head in heads:  # one date: a weekly's last day ("Weekly digest, 19 May 2024"), not a monthly's issue date
        m = R["date"].search(head)
        d = m and any(weekly.search(h) for h in heads) and _date_of(m, "s", int(m.group("y")))
        if d:
            return d - timedelta(days=week - 1), d
    return None


@lru_cache(maxsize=64)
def issue_quarter(report: Report, ref: tuple[int, int]) -> tuple[date, date]:
    """The quarter an issue covers: one its title or opening lines name ("with the review of the third quarter",
    "Q3 2024"), else the last quarter the report month ends or follows (October 2024: July–September)."""
    R = _rx()
    for head in _issue_heads(report):
        low = head.lower()
        m = R["quarter"].search(low)
        if m:
            q = lexicon().time.ordinals[" ".join(m.group("o").split())] if m.group("o") else int(m.group("q"))
            y = _year_of(m.group("y") or m.group("y2"), ref) or ref[0]
            if date(y, 3 * q - 2, 1) <= _month_end(*ref):  # a quarter that has begun by the report month
                return date(y, 3 * q - 2, 1), _month_end(y, 3 * q)
    y, mo = ref
    q = mo // 3  # the last quarter ended by the report month
    if q == 0:
        y, q = y - 1, 4
    return date(y, 3 * q - 2, 1), _month_end(y, 3 * q)


def _window(doc: Document, sentence: int, t: TimeExpr) -> tuple[date, date]:
    """A rolling window ("over the past 30 days"): `t.days` days up to the day the text is dated: a day its
    sentence names before the window ("4 November -- Over the past seven days"), else the issue's last day, else
    the report month's; `t.back` windows further back ("against 2,600 in the previous 30 days")."""
    y, mo = doc.ref
    days = [d for d in doc.times[sentence] if d.kind in ("day", "as_of") and d.end <= t.start and d.finish]
    week = issue_span(doc.report)
    last = days[-1].finish if days else week[1] if week else _month_end(y, mo)
    last -= timedelta(days=t.days * t.back)
    return last - timedelta(days=t.days - 1), last


def _safe_date(y: int, mon: int, day: int) -> date | None:
    try:
        return date(y, mon, day)
    except ValueError:
        return None


def _previous_span(doc: Document, sentence: int, before: int) -> tuple[date, date] | None:
    for t in reversed([t for t in doc.times[sentence] if t.start < before]):
        if t.kind in ("span", "pair", "month", "year", "years", "day", "as_of") and t.begin:
            return t.begin, t.finish
        if t.kind == "window":
            return _window(doc, sentence, t)
    for index in doc.context(sentence, 3):
        for t in reversed(doc.times[index]):
            if t.kind in ("span", "pair", "month", "year", "years") and t.begin:
                return t.begin, t.finish
    return None


def _same_span(doc: Document, sentence: int, before: int) -> tuple[date, date] | None:
    """"Our count for the same period": the period the figures before it were given for, the first one named
    in its sentence before it, else in the nearest earlier sentence that names one, leaving out the times of
    comparison bases ("2,300 in May, double the April figure; ... 214 over the same period": May)."""
    text = doc.report.text
    for index in (sentence, *doc.context(sentence, 3)):
        s_start = doc.sentences[index].start
        for t in doc.times[index]:
            if index == sentence and t.start >= before:
                break
            if t.kind in ("span", "pair", "month", "year", "years", "day", "days", "as_of", "window") \
                    and (t.begin or t.days) and not _is_base(text, t, s_start):
                return _window(doc, index, t) if t.kind == "window" else (t.begin, t.finish)
    return None


def _shift_months(d: date, n: int) -> date:
    """The same day n months away; the month's last day when it has fewer days (a month's last day stays last)."""
    k = d.year * 12 + d.month - 1 + n
    y, mo = k // 12, k % 12 + 1
    last = _month_end(y, mo).day
    return date(y, mo, last if d.day == _month_end(d.year, d.month).day else min(d.day, last))


def _shift_years(d: date, n: int) -> date:
    try:
        return d.replace(year=d.year + n)
    except ValueError:  # 29 February
        return d.replace(year=d.year + n, day=28)


def _before(doc: Document, sentence: int, paragraphs: int):
    """Earlier sentences, nearest first, within this paragraph and the `paragraphs - 1` before it."""
    para = doc.sentences[sentence].paragraph
    i = sentence - 1
    while i >= 0 and doc.sentences[i].paragraph > para - paragraphs:
        yield i
        i -= 1
