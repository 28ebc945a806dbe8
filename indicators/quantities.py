"""Find quantities in text: numbers with their qualifiers, multipliers, units, ranges and changes.

General rules only, driven by `data/lexicon.yaml`: a number is a quantity unless its
context makes it a date, a year, an ordinal, a designation (Su-30SM, COVID-19), a
reference (page 5) or the pronoun "one".
"""
from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from .lexicon import lexicon, lowered, phrase_alternation, word_bounded
from .model import Mention, Quantity
from .units import noun_unit

log = logging.getLogger(__name__)

_SEP_SPACES = "\u00a0\u2009\u202f "
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212"


@dataclass
class _Atom:
    """One number with what sticks to it, before ranges and changes are formed."""

    start: int  # surface start (qualifier / currency prefix included)
    core_start: int
    core_end: int
    end: int  # surface end (multiplier, unit, measure noun included)
    value: float
    qualifier: str = "exact"
    qualified: bool = False  # a qualifier phrase was written
    unit: str = ""  # percent / percentage_point / ratio / currency code / "" (a count)
    scaled: bool = False  # a multiplier was written
    bare: float = 0.0  # the number as written, before its multiplier
    word: bool = False  # written in words
    noun: str = ""
    noun_unit: str = ""


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

    def __init__(self, reversed_pattern: str, width: int) -> None:
        self.rx = re.compile(reversed_pattern, re.I)
        self.width = width

    def search(self, text: str, lo: int, pos: int) -> _TailHit | None:
        window = text[max(lo, pos - self.width):pos][::-1]
        m = self.rx.match(window)
        return _TailHit(m, window, pos) if m and m.end() > 0 else None


class _Patterns:
    """All regexes, compiled once from the lexicon."""

    def __init__(self) -> None:
        lex = lexicon()
        raw = lex.raw
        self.lex = lex
        sep = f"[,{_SEP_SPACES}]"
        self.digits = re.compile(
            # the first digit leads, so the scan skips to digits; the look-behind then checks what precedes it
            rf"\d(?<![\w.,/\\:]\d)(?:\d{{0,2}}(?:{sep}\d{{3}})+(?:\.\d+)?(?![\d])|\d*(?:[.,]\d+)?)"
        )
        words = list(lex.number_words) + list(raw["scale_words"])
        w = phrase_alternation(words)
        # run on lower-cased text (see lexicon.lowered): a case-blind scan with a long alternation is slow
        self.word_number = re.compile(rf"(?<![\w-])(?:{w.lower()})(?:(?:\s+and\s+|\s+|[-\u2010\u2011])(?:{w.lower()}))*(?![\w-])")
        quals = []
        for q, phrases in raw["qualifiers_before"].items():
            quals += [(p, q) for p in phrases]
        self.qual_of = {" ".join(p.lower().split()): q for p, q in quals}
        # "about", "over USD", "US$": qualifier and/or currency written just before the number
        self.qual_before = _Tail(rf"\s?(?P<c>{_reversed(c for c in lex.currencies if not c[:1].islower())})?"
                                 rf"(?:\s*(?P<q>{_reversed(p for p, _ in quals)})(?![\w]))?",
                                 _width([p for p, _ in quals]) + _width(lex.currencies))
        after = []
        for q, phrases in raw["qualifiers_after"].items():
            after += [(p, q) for p in phrases]
        self.qual_after_of = {" ".join(p.lower().split()): q for p, q in after}
        self.qual_after = re.compile(rf"\s*(?:[-{_DASHES}])?(?P<q>{phrase_alternation([p for p, _ in after])})(?![\w])", re.I)
        self.multiplier = re.compile(rf"\s*(?P<m>{phrase_alternation(lex.multipliers)})(?![\w])", re.I)
        self.currency_mult = re.compile(rf"\s?(?P<m>{phrase_alternation(lex.currency_only_multipliers)})(?![\w])")
        self.currency_after = re.compile(rf"\s*(?P<c>{phrase_alternation(lex.currencies)})(?![\w])", re.I)
        self.percent = re.compile(rf"\s*(?:{phrase_alternation(raw['percent_words'])})(?![\w])", re.I)
        self.pp = re.compile(rf"\s*(?:{phrase_alternation(raw['percentage_point_words'])})(?![\w])", re.I)
        self.factor = re.compile(r"\s*(?:times|[-\u2010]?fold)(?![\w])", re.I)
        self.half = re.compile(r"\s+and\s+a\s+half(?![\w])", re.I)
        self.range_conn = re.compile(rf"\s*(?:[{_DASHES}]|\.\.)\s*|\s+(?:to|and|or)\s+", re.I)
        self.from_before = re.compile(r"(?<![\w])(?P<w>from|between)\s+$", re.I)
        self.change_words = re.compile(word_bounded(phrase_alternation(raw["change_words"])), re.I)
        months = phrase_alternation(lex.months)
        self.month_before = _Tail(rf"\s*\.?(?:{_reversed(lex.months)})(?![\w])", _width(lex.months) + 1)
        self.month_after = re.compile(rf"\s*(?:{months})(?![\w])", re.I)
        self.reference_before = _Tail(rf"\s*(?:{_reversed(raw['reference_words'])})(?![\w])", _width(raw["reference_words"]))
        superlatives = [w for w in raw["descriptor_followers"] if w not in ("least", "most", "first", "last")]
        self.descriptor_before = _Tail(rf"\s+(?:{_reversed(superlatives)})(?![\w])", _width(superlatives))
        self.descriptor_after = re.compile(rf"\s+(?:{phrase_alternation(raw['descriptor_followers'])})(?![\w])", re.I)
        preps = ("in since until till by of for from to before after during through year the early late mid "
                 "spring summer autumn fall winter and or").split()
        self.year_prep_before = _Tail(rf"\s*(?:{_reversed(preps)}|[-\u2013\u2014])(?![\w])", _width(preps))
        self.noun_word = re.compile(r"\s*(?P<w>[^\W\d_][\w’'\u2010-]*)", re.U)
        self.designation = re.compile(r"[A-Za-z\u0400-\u04FF]+[-\u2010\u2011]?\d[\w-]*|\d+[A-Za-z][\w-]*")
        self.stop_words = frozenset(
            "in for at on by from to than compared with per over during since until as and or but which that who "
            "is are was were be been being has have had will would can could may might should must not it they "
            "this those these there their its into within under above about around against among between up "
            "down out off a an per each every".split())
        self.noun_skip = frozenset(str(s).lower() for s in raw["noun_skip"])
        self.of_which = re.compile(r"(?<![\w])(?:of\s+(?:which|them|these|those|whom)|including|among\s+them)\s*,?\s*$", re.I)


@lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    return _Patterns()


def _to_float(s: str) -> float:
    """Digits with thousands separators or a decimal comma, after an optional minus sign (see `_SIGN`) -> float."""
    sign = -1.0 if s[:1] in "\u2212-" else 1.0
    s = s.lstrip("\u2212-").replace("\u00a0", "").replace("\u2009", "").replace("\u202f", "")
    if re.fullmatch(r"\d{1,3}(?:[ ,]\d{3})+(?:\.\d+)?", s):
        return sign * float(s.replace(",", "").replace(" ", ""))
    if "," in s:  # decimal comma: "1,5"
        return sign * float(s.replace(",", "."))
    return sign * float(s)


# A minus sign (U+2212 or "-") glued to a figure makes it negative ("−3.5%", "(-12)"), unless it joins the figure
# to a word or figure before it: "Su-30", "2020-2021", "6 −15%" (a range), "3%-5%".
_SIGN = re.compile(r"(?<![\w.,/\\:%)\]\u2212-])(?<![\d%][ \u00a0])[\u2212-]")


def _words_value(text: str) -> tuple[float, int] | None:
    """Value of a number-word sequence and how many characters of it form one number."""
    lex = lexicon()
    scale = {k.lower(): v for k, v in lex.raw["scale_words"].items()}
    total, current, last_kind, consumed = 0.0, 0.0, "", 0
    for m in re.finditer(r"[A-Za-z]+", text):
        tok = m.group().lower()
        if tok == "and":
            continue
        v = lex.number_words.get(tok)
        if v is not None:
            kind = "tens" if v >= 20 else "unit"
            if last_kind == "unit" or (last_kind == "tens" and kind == "tens"):
                break
            if last_kind == "tens" and v >= 10:
                break
            current += v
            last_kind = kind
        elif tok in scale:
            if last_kind in ("", "scale"):
                break
            current = max(current, 1) * scale[tok]
            last_kind = "scale"
        else:
            break
        consumed = m.end()
    if not consumed:
        return None
    return total + current, consumed


def _is_year(value: float, core: str) -> bool:
    return re.fullmatch(r"(19|20)\d\d", core) is not None and 1900 <= value <= 2100


_GLUED = re.compile(r"(bn|mln|bln|mn|k|m|b|pp|x)(?![\w])", re.I)
_POSSESSIVE = re.compile(r"[’']s(?![\w])")
_CLOCK = re.compile(r"[:]\d")
_DOTTED = re.compile(r"\.\d+\.")
_HYPHEN_WORD = re.compile(r"[-\u2010\u2011][^\W\d_]")
_FOLD = re.compile(r"[-\u2010\u2011](?:fold|plus)(?![\w])", re.I)
_SLASH_DATE = re.compile(r"[-/]\d{1,2}[-/]\d")
_DOT_DATE = re.compile(r"\.\d{1,2}\.\d")
_GLUED_MULT = re.compile(r"(bn|mln|bln|mn)(?![\w])", re.I)
_KMB = re.compile(r"(k|m|b)(?![\w])")
_TIMES_X = re.compile(r"x(?![\w])", re.I)


def _parse_atom(text: str, m_start: int, m_end: int, word: bool, lo: int, hi: int) -> _Atom | None:
    """Read one number and what sticks to it; None when context says it is not a quantity."""
    P = _patterns()
    if not word and m_start > lo and _SIGN.match(text, m_start - 1):
        m_start -= 1  # the sign is part of the figure and of its surface
    core = text[m_start:m_end]
    if word:
        parsed = _words_value(core)
        if parsed is None:
            return None
        value, n = parsed
        m_end = m_start + n
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
        if prev.isalpha() or (prev in "-\u2010\u2011" and prev2.isalpha()):
            return None
        nxt = after[:1]
        if nxt.isalpha():
            glued = _GLUED.match(after)
            if not glued:
                return None
        if _POSSESSIVE.match(after) or _CLOCK.match(after) or _DOTTED.match(after):
            return None
        if _HYPHEN_WORD.match(after) and not _FOLD.match(after):
            return None
        if _SLASH_DATE.match(after) or _DOT_DATE.match(after):
            return None
    if P.month_before.search(text, lo, m_start) and not word and value <= 31 and "." not in core:
        return None
    if not word and value <= 31 and "." not in core and P.month_after.match(after):
        return None
    if P.reference_before.search(text, lo, m_start):
        return None
    if P.descriptor_after.match(after) or (word and P.descriptor_before.search(text, lo, m_start)):
        return None  # "the three largest companies", "the largest three holdings"

    atom = _Atom(start=m_start, core_start=m_start, core_end=m_end, end=end, value=value, word=word, bare=value)
    rest = after
    # glued suffixes: 5bn, 5k (with a currency), 3x
    g = _GLUED_MULT.match(rest)
    if g:
        atom.value *= lexicon().multipliers[g.group(1).lower()]
        atom.scaled = True
        atom.end += g.end()
        rest = text[atom.end:min(hi, atom.end + 80)]
    h = P.half.match(rest)
    if h and word:
        atom.value += 0.5
        atom.bare += 0.5
        atom.end += h.end()
        rest = text[atom.end:min(hi, atom.end + 80)]
    mm = P.multiplier.match(rest)
    if mm:
        atom.value *= lexicon().multipliers[" ".join(mm.group("m").lower().split())]
        atom.scaled = True
        atom.end += mm.end()
        rest = text[atom.end:min(hi, atom.end + 80)]

    left = P.qual_before.search(text, lo, m_start)
    prefix_currency = None
    if left and left.group("c"):
        prefix_currency = lexicon().currency(left.group("c"))
    if prefix_currency or P.currency_after.match(rest):
        cm = P.currency_mult.match(rest)
        if cm and not atom.scaled:
            atom.value *= lexicon().currency_only_multipliers[cm.group("m").lower()]
            atom.scaled = True
            atom.end += cm.end()
            rest = text[atom.end:min(hi, atom.end + 80)]
        elif not atom.scaled and _KMB.match(rest):
            atom.value *= lexicon().currency_only_multipliers[rest[0].lower()]
            atom.scaled = True
            atom.end += 1
            rest = text[atom.end:min(hi, atom.end + 80)]
    elif _KMB.match(rest):
        return None  # 5m without a currency: metres, minutes ... not ours
    if _TIMES_X.match(rest):
        atom.unit = "ratio"
        atom.end += 1
        rest = text[atom.end:min(hi, atom.end + 80)]

    if not atom.unit:
        if prefix_currency:
            atom.unit = prefix_currency
        pm = P.pp.match(rest)
        cur = P.currency_after.match(rest)
        if pm:
            atom.unit = "percentage_point"
            atom.end += pm.end()
        elif (pc := P.percent.match(rest)):
            atom.unit = "percent"
            atom.end += pc.end()
        elif (fc := P.factor.match(rest)):
            atom.unit = "ratio"
            atom.end += fc.end()
        elif cur and not prefix_currency:
            code = lexicon().currency(cur.group("c"))
            if code:
                atom.unit = code
                atom.end += cur.end()
        rest = text[atom.end:min(hi, atom.end + 80)]

    if left and left.group("q"):
        q = P.qual_of.get(" ".join(left.group("q").lower().split()), "exact")
        atom.qualifier = q
        if q != "exact":
            atom.qualified = True
            atom.start = left.start("q")
    if prefix_currency:
        atom.start = min(atom.start, left.start("c"))
    qa = P.qual_after.match(rest)
    if qa and atom.qualifier == "exact":
        atom.qualifier = P.qual_after_of.get(" ".join(qa.group("q").lower().split()), "exact")
        atom.qualified = True
        atom.end += qa.end()

    if _is_year(atom.value, core) and not atom.scaled and not atom.unit:
        # a year unless a counted noun follows and no temporal preposition precedes
        noun, _ = _counted_noun(text, atom.end, hi, known_only=True)
        if not noun or P.year_prep_before.search(text, lo, m_start):
            return None
    if word and core.strip().lower().startswith("one") and atom.value == 1 and not atom.unit and not atom.scaled:
        noun, _ = _counted_noun(text, atom.end, hi, known_only=True)
        if not noun:
            return None
    return atom


def _counted_noun(text: str, pos: int, hi: int, known_only: bool = False) -> tuple[str, int]:
    """The counted noun after a number ("ten such vehicles") and where it ends; ("", pos) if none."""
    P = _patterns()
    lex = P.lex
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
            if " ".join(words[:n]) in lex.noun_units:
                return text[m.start("w"):ends[n - 1]], ends[n - 1]
        if low in lex.noun_units:
            return word, m.end()
        if P.designation.fullmatch(word):
            cur = m.end()
            continue
        if low in P.stop_words:
            break
        if low in P.noun_skip:
            cur = m.end()
            continue
        if not first_plain[0] and not known_only and low.endswith("s") and not low.endswith("ss") and len(low) > 3 \
                and word[:1].islower() and unknown < 3 and low not in _VERBISH and not verbal:
            first_plain = (word, m.end())
            break
        unknown += 1
        verbal = verbal or low in _VERBISH
        cur = m.end()
    return first_plain


_VERBISH = frozenset("make makes give gives take takes go goes do does has have was is are were uses needs remain remains seem "
                     "seems means shows happens become became left".split())


_NUMBER_OF = re.compile(r"(?<![\w])(?:number|total|count|quantity)\s+of\s+(?:[\w-]+\s+){0,2}?(?P<n>[^\W\d_][\w-]*s)(?![\w])"
                        r"(?P<rest>[^.;:\d]{0,80})$", re.I)


_LABEL = re.compile(r"(?:^|(?<=[.;:!?]\s)|(?<=\n))(?P<label>[^.;:!?\n\d]{2,80}?)(?:\([^)]*\))?\s*:\s*$")


def _noun_before(text: str, lo: int, start: int) -> str:
    """"the number of local chats ... exceeded 1,100", "Troops: 250": the counted noun written before the figure."""
    label = _LABEL.search(text, max(lo, start - 90), start)
    if label:  # "Chat administrators detained in February: 37", "Troops: 250"
        words = re.findall(r"[^\W\d_][\w-]*", label.group("label"))
        known = [w for w in words if w.lower() in lexicon().noun_units]
        plural = [w for w in words if w.lower().endswith("s") and not w.lower().endswith("ss") and len(w) > 3]
        if plural or known:  # the head is the plural ("Chat administrators" counts administrators)
            return (plural or known)[0]
    m = _NUMBER_OF.search(text, max(lo, start - 160), start)
    if not m or re.search(r"(?<![\w])(?:is|was|were|are|reached|exceeded|stood|amounted|rose|fell|grew)\b.*\b(?:and|while|but)\b",
                          m.group("rest")):
        return ""
    return m.group("n")


def _noun_unit(noun: str) -> str:
    """The unit of a counted noun (units.noun_unit: the lexicon's, else the noun itself as a count)."""
    return noun_unit(noun)


_AGE = re.compile(r"(?<![\w])(?:aged|ages|age\s+of|age\s+limit\s+of|years\s+of\s+age)\s+(?:between\s+|from\s+|up\s+to\s+|under\s+|over\s+)?"
                  r"\d{1,3}(?:\s*(?:-|–|—|to|and)\s*\d{1,3})?|(?<![\w.,])\d{1,3}(?:\s*(?:-|–|to)\s*\d{1,3})?(?:[-\s]years?[-\s]old)(?![\w])", re.I)
_FOOTNOTE = re.compile(r"\[\d{1,3}(?:\s*[,\u2013-]\s*\d{1,3})*\]|(?:^|(?<=\n\n))\d{1,2}[.)](?=\s+[A-Z])", re.M)
_NUMERIC_DATE = re.compile(r"(?<![\d.])\d{1,2}[./]\d{1,2}[./](?:19|20)?\d\d(?![\d.])|(?<!\d)(?:19|20)\d\d-[01]\d-[0-3]\d(?!\d)")


def _atoms(text: str, lo: int, hi: int) -> list[_Atom]:
    P = _patterns()
    spans = []
    for m in P.digits.finditer(text, lo, hi):
        spans.append((m.start(), m.end(), False))
    for m in P.word_number.finditer(lowered(text), lo, hi):
        spans.append((m.start(), m.end(), True))
    spans.sort()
    if not spans:
        return []
    seg = text[lo:hi]
    # each exclusion pattern runs only where the characters it needs occur
    rxs = [rx for rx, need in ((_NUMERIC_DATE, "./-"), (_AGE, "aAoO"), (_FOOTNOTE, "[\n"))
           if any(c in seg for c in need) or (rx is _FOOTNOTE and lo == 0)]
    dates = [(m.start(), m.end()) for rx in rxs for m in rx.finditer(text, lo, hi)]
    if lo == 0 or text[lo - 2:lo] == "\n\n":  # "1. Overview": a section number opening the paragraph
        head = re.match(r"\d{1,2}[.)]\s+(?=[A-Z])", text[lo:hi])
        if head:
            dates.append((lo, lo + head.end()))
    if dates:
        spans = [sp for sp in spans if not any(a <= sp[0] < b for a, b in dates)]
    atoms: list[_Atom] = []
    taken = lo
    for s, e, word in spans:
        if s < taken:
            continue
        a = _parse_atom(text, s, e, word, lo, hi)
        if a is None:
            continue
        if not a.unit:
            noun, noun_end = _counted_noun(text, a.end, hi)
            if not noun:
                noun = _noun_before(text, lo, a.start)
            a.noun = noun
            a.noun_unit = _noun_unit(noun)
            if noun and " ".join(noun.lower().split()) in P.lex.measure_nouns and re.fullmatch(r"[\s\w-]*", text[a.end:noun_end]):
                if not re.search(r"[A-Z]", text[a.end:noun_end - len(noun)]):  # no designation between
                    a.end = noun_end
        atoms.append(a)
        taken = a.end
    return atoms


def _propagate(low: _Atom, high: _Atom) -> tuple[float, str]:
    """Give the first figure the second's multiplier and unit ("2-4 thousand", "from 5 to 3 thousand").

    The multiplier is shared only when that brings the two figures closer in magnitude,
    so "from 900 to 1.2 thousand" keeps its 900.
    """
    value = low.value
    if high.scaled and not low.scaled and low.value > 0 and high.value > 0:
        scaled = low.value * (high.value / high.bare)
        if abs(math.log(scaled / high.value)) < abs(math.log(low.value / high.value)):
            value = scaled
    return value, low.unit or high.unit


_SPREAD_GAP = re.compile(r"(?:[^.;:!?\d]|(?:19|20)\d\d){0,40}?\s(?:to|up\s+to|down\s+to)\s+")


def find_quantities(text: str, start: int = 0, end: int | None = None) -> list[Quantity]:
    """Every quantity in text[start:end], in text order, with offsets into `text`."""
    P = _patterns()
    hi = len(text) if end is None else end
    atoms = _atoms(text, start, hi)
    out: list[Quantity] = []
    i = 0
    while i < len(atoms):
        a = atoms[i]
        b = atoms[i + 1] if i + 1 < len(atoms) else None
        if b is not None and (not a.unit or not b.unit or a.unit == b.unit):
            before = text[max(start, a.start - 80):a.start]
            fb = P.from_before.search(before)
            opener = fb.group("w").lower() if fb else ""
            gap = text[a.end:b.start]
            joint = gap.strip().lower()
            adjacent = P.range_conn.fullmatch(gap) is not None and (
                joint not in ("and", "or") or (joint == "and" and opener == "between"))
            clause = re.split(r"[.;:!?]|,\s", before)[-1]
            changing = opener == "from" and (bool(P.change_words.search(clause)) or a.qualified or b.qualified)
            spread = opener == "from" and _SPREAD_GAP.fullmatch(gap) is not None
            if adjacent and not changing:
                out.append(_range(text, a, b, fb, before))
                i += 2
                continue
            if (adjacent and changing) or spread:  # "increased from A to B": two claims
                lowv, unit = _propagate(a, b)
                out.append(_quantity(text, a, value=lowv, unit=unit, change="from"))
                out.append(_quantity(text, b, change="to"))
                i += 2
                continue
        out.append(_quantity(text, a))
        i += 1
    return _inherit_nouns(text, out)


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
    return Quantity(value=(lo_v + hi_v) / 2, unit=unit or noun_unit, qualifier="range", start=start, end=b.end,
                    surface=surface, low=lo_v, high=hi_v, noun=noun)


def _quantity(text: str, a: _Atom, value: float | None = None, unit: str | None = None, change: str = "") -> Quantity:
    v = a.value if value is None else value
    u = (a.unit if unit is None else unit) or a.noun_unit
    low = high = None
    if a.qualifier in ("over", "at_least"):
        low = v
    elif a.qualifier in ("under", "at_most"):
        high = v
    return Quantity(value=v, unit=u, qualifier=a.qualifier, start=a.start, end=a.end, surface=text[a.start:a.end],
                    low=low, high=high, noun=a.noun, change=change)


_ELLIPSIS = re.compile(r"\s*,?\s*(?:instead\s+of|rather\s+than|or|and|to|versus|vs\.?|out\s+of|of)\s+$", re.I)


_OF_THEM = re.compile(r"\s+of\s+(?:them|these|those|which|whom)(?![\w])", re.I)


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
            if prev.noun and (P.of_which.search(text[max(0, q.start - 30):q.start]) or _OF_THEM.match(text, q.end)
                              or (len(gap) <= 20 and _ELLIPSIS.match(gap) and not q.noun)):
                q = replace(q, noun=prev.noun, unit=prev.unit)
        out.append(q)
    return out


_SEGMENT_BREAKS = (
    re.compile(r"[;:]\s"),
    re.compile(r",\s"),
    re.compile(r"\s(?:and|while|whereas|but|compared\s+(?:to|with)|versus|against|as\s+against|as\s+opposed\s+to)\s", re.I),
)


def find_mentions(text: str, sentences, times) -> tuple[Mention, ...]:
    """Quantities of every sentence, minus numbers inside time expressions, each with the segment it owns.

    A segment runs from the break after the previous quantity to the break after this one,
    so "20,357 cases ... for 11 months of this year, compared to just over 9,000 for the
    same period in 2019" gives each figure its own time expression.
    """
    out: list[Mention] = []
    for index, s in enumerate(sentences):
        try:
            found = find_quantities(text, s.start, s.end)
        except Exception:  # a bad sentence must not cost the report: log it and go on
            log.exception("skipped a sentence the recogniser could not read: %r", s.text[:120])
            continue
        if not found:
            continue
        spans = [(t.start, t.end) for t in times[index]]
        qs = [q for q in found
              if not any(q.start < e and q.end > b and not (q.start <= b and q.end >= e) for b, e in spans)]
        qs = [q for q in qs if not _is_time_unit(q)]
        # a semicolon closes a clause: the first figure's part starts after the last one before it, the last
        # figure's part ends at the first one after it
        before = text.rfind(";", s.start, qs[0].start) if qs else -1
        cuts = [before + 1 if before >= 0 else s.start]
        for a, b in zip(qs, qs[1:]):
            cuts.append(_break_between(text, a.end, b.start))
        after = text.find(";", qs[-1].end, s.end) if qs else -1
        cuts.append(after if after >= 0 else s.end)
        segments = [(cuts[i], cuts[i + 1]) for i in range(len(qs))]
        # a change ("from A to B") or a comparison ("A, compared to B") measures one thing: one shared segment
        for i in range(len(qs) - 1):
            cmp = _COMPARISON.search(text, qs[i].end, qs[i + 1].start)
            # "..., compared to just over 9,000" (but not "against forecast inflation of 6-8%": another measure)
            if qs[i].change == "from" or (cmp and re.fullmatch(r"\s*(?:the\s+|a\s+)?", text[cmp.end():qs[i + 1].start])):
                shared = (segments[i][0], segments[i + 1][1])
                for j in range(len(qs)):
                    if segments[j] in (segments[i], segments[i + 1]):
                        segments[j] = shared
        for q, seg in zip(qs, segments):
            out.append(Mention(quantity=q, sentence=index, segment=seg))
    return tuple(out)


_COMPARISON = re.compile(
    r"(?<![\w])(?:compared\s+(?:to|with)|as\s+against|against|versus|vs\.?|up\s+from|down\s+from|as\s+opposed\s+to|"
    r"in\s+comparison\s+(?:to|with))(?![\w])", re.I)


def _is_time_unit(q: Quantity) -> bool:
    return q.unit in ("year", "month", "day")


def _break_between(text: str, a: int, b: int) -> int:
    """Where the text between two quantities changes hands: the first strong break, else the second figure."""
    for rx in _SEGMENT_BREAKS:
        m = rx.search(text, a, b)
        if m:
            return m.end() if rx is not _SEGMENT_BREAKS[2] else m.start()
    return b
