"""The indicator catalog: YAML data, validated and compiled once into phrase matchers."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

import pint
import yaml

from ..errors import CatalogError, ErrorKind
from ..lexicon import folded, phrase_alternation
from ..schema import Measure, Role
from ..units import dimension, noun_unit, parse_unit, unit_class

_ANY_HYPHEN = "[-\u2010\u2011\u2012\u2013\\s]?"


class Phrases:
    """A set of phrases matched case-insensitively on word boundaries, plural -s/-es allowed."""

    def __init__(self, phrases, clause: bool = False) -> None:
        self.phrases = tuple(str(p) for p in phrases)
        self.clause = clause  # as a `words` group: must be named in the figure's own clause
        body = _phrases_pattern(self.phrases)
        self.rx = re.compile(body, re.I) if body else None
        # the phrases in lower case, without re.I, for folded text: what first() runs, several times faster (Python's
        # re skips its literal search with re.I); phrases not all in ASCII keep the re.I pattern
        self._caseless = re.compile(_phrases_pattern([p.lower() for p in self.phrases])) \
            if body and all(p.isascii() for p in self.phrases) else None
        self.tokens = phrase_tokens(self.phrases) if body else None
        self._memo: dict[str, re.Match | None] = {}

    def first(self, text: str) -> re.Match | None:
        """Where the first phrase in `text` is: a match whose offsets are in `text` (its group() may be in lower
        case). Remembered: every figure of a sentence asks about the same text."""
        try:
            return self._memo[text]
        except KeyError:
            if len(self._memo) >= 4096:
                self._memo.clear()
            if self.rx is None or self.tokens is not None and self.tokens.isdisjoint(text_tokens(text)):
                hit = None  # none of the words a phrase starts with: the scan could not match (most texts)
            else:
                hit = self.rx.search(text) if self._caseless is None else self._caseless.search(folded_text(text))
            self._memo[text] = hit
            return hit

    def search(self, text: str) -> bool:
        return self.first(text) is not None

    def __getstate__(self) -> dict:  # sent to worker processes without what it remembered
        return {**self.__dict__, "_memo": {}}

    def finditer(self, text: str, start: int = 0, end: int | None = None):
        end = len(text) if end is None else end
        if not self.rx or self.tokens is not None and self.tokens.isdisjoint(
                text_tokens(text[start:end] if start or end < len(text) else text)):
            return iter(())  # a match in text[start:end] starts one of its tokens (see first())
        return self.rx.finditer(text, start, end)

    def __repr__(self) -> str:
        return f"Phrases({list(self.phrases)[:3]}...)"


def _phrases_pattern(phrases) -> str:
    """The pattern of a Phrases ("" for none): each phrase on word boundaries, plural -s/-es allowed; a hyphen in a
    phrase matches any dash, a space or nothing ("Shahed-136" finds "Shahed‑136", "Shahed 136"), a space also a
    hyphen ("combat readiness check" finds "combat-readiness check"); not inside a hyphenated word
    ("anti-aircraft" is no "aircraft"), but after a number's hyphen ("a 75,000-strong army" names "strong")."""
    body = (phrase_alternation(phrases, plural=True).replace("\\-", _ANY_HYPHEN)
            .replace("\\s+", "[\\s\\-\u2010\u2011]+"))
    return rf"(?:(?<![\w-])|(?<=\d-))(?:{body})(?![\w-])" if body else ""


class PhraseIndex:
    """Which of many phrase groups can match a text, from the text's words at once: one lookup per word instead of
    asking each group in turn (a candidate indicator's dozens of terms are mostly absent from a sentence). A group
    is `possible` exactly when its Phrases.first() would run its pattern (the same token test), so `first()` of a
    group not in possible(text) is None."""

    def __init__(self, groups) -> None:
        groups = [g for g in dict.fromkeys(groups) if g.rx is not None]
        self._always = frozenset(g for g in groups if g.tokens is None)
        by_token: dict[str, set] = {}
        for g in groups:
            for t in g.tokens or ():
                by_token.setdefault(t, set()).add(g)
        self._by_token = {t: frozenset(s) for t, s in by_token.items()}
        self._tokens = frozenset(self._by_token)
        self._memo: dict[str, set] = {}

    def possible(self, text: str) -> set:
        """The groups that may match `text` (a superset of those that do; not to be changed). Remembered per text
        (bounded)."""
        got = self._memo.get(text)
        if got is None:
            if len(self._memo) >= 4096:
                self._memo.clear()
            got = self._memo[text] = set(self._always)
            by_token = self._by_token
            for t in text_tokens(text) & self._tokens:  # the text's words that start a phrase (a set operation)
                got |= by_token[t]
        return got

    def __getstate__(self) -> dict:  # sent to worker processes without what it remembered
        return {**self.__dict__, "_memo": {}}


_TOKEN = re.compile(r"[a-z0-9]+")
_TOKENS_MEMO: dict[str, frozenset] = {}


def text_tokens(text: str) -> frozenset:
    """The runs of ASCII letters and digits of `text`, lower case ("Su-30SMs" -> su, 30sms): what a phrase's first
    word must be among for a Phrases pattern to match (see phrase_tokens). Remembered per text (bounded)."""
    got = _TOKENS_MEMO.get(text)
    if got is None:
        if len(_TOKENS_MEMO) >= 16384:
            _TOKENS_MEMO.clear()
        got = _TOKENS_MEMO[text] = frozenset(_TOKEN.findall(folded_text(text)))
    return got


_FOLDED_MEMO: dict[str, str] = {}


def folded_text(text: str) -> str:
    """lexicon.folded(text), remembered per text (bounded): the phrase patterns and the word pre-test read it."""
    got = _FOLDED_MEMO.get(text)
    if got is None:
        if len(_FOLDED_MEMO) >= 16384:
            _FOLDED_MEMO.clear()
        got = _FOLDED_MEMO[text] = folded(text)
    return got


_RUN = re.compile(r"[a-z0-9]+|.", re.S)


def phrase_tokens(phrases) -> frozenset | None:
    """The tokens (text_tokens) a match of the Phrases pattern can start with: a cheap necessary condition that
    spares the regular expression most texts; None when one cannot be given (a phrase not in ASCII, or starting
    with a sign), and the pattern is always run.

    A match starts a token (the pattern's look-behind: no letter, digit or hyphen before it, or a number's hyphen).
    The token is the phrase's first run of letters and digits, joined with the next ones where the phrase has a
    hyphen between them (a hyphen may be left out: "Su-30SM" matches "Su30SM"), and at the end of a one-word phrase
    with the plural endings the pattern allows."""
    out: set[str] = set()
    for p in phrases:
        words = p.lower().split()
        if not p.isascii() or not words or not words[0][0].isalnum():
            return None
        parts = _RUN.findall(words[0])
        token = parts[0]
        out.add(token)
        i = 1
        while i < len(parts) and parts[i] == "-":  # each hyphen may be left out: join the next run
            j = i
            while j < len(parts) and parts[j] == "-":
                j += 1
            if j == len(parts) or not parts[j][0].isalnum():
                break
            token += parts[j]
            out.add(token)
            i = j + 1
        if len(words) == 1 and i == len(parts) and token[-1].isalpha():
            out.update((token + "s", token + "es"))  # phrase_alternation(plural=True)
    return frozenset(out)


def _key(s: str) -> str:
    """A phrase as compared: lower case, any dash or space between its parts dropped ("Su-30 SM" = "su30sm")."""
    return re.sub(r"[\s\-\u2010-\u2013]+", "", s.lower().replace("’", "'"))


@dataclass(frozen=True)
class Item:
    name: str
    aliases: tuple[str, ...]
    units: tuple[str, ...] = ()  # a figure in these units names this item (300 people -> personnel)
    unit: str = ""  # the unit a figure of this item is counted in when the text says only "units"
    pattern: re.Pattern | None = None  # a regular expression whose matches name this item ("Shahed-\d+")


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    theme: str
    unit: str
    description: str
    nouns: tuple[str, ...]
    require: tuple[Phrases, ...]
    terms: tuple[tuple[Phrases, float], ...]
    items: tuple[Item, ...]
    item_required: bool = False
    item_pattern: str = ""
    not_items: frozenset = frozenset()
    item_phrases: Phrases | None = None
    counted: frozenset = frozenset()  # counted nouns accepted; empty: any noun of an accepted unit
    role: str = ""  # a role the figures have by nature (a budget is a plan), unless disputed
    local: bool = False  # the `require` words must be in the figure's own sentence, not only earlier
    clause: bool = False  # the words must be in the figure's own part of its sentence (its clause)
    bare: bool = True  # a figure naming no counted noun may measure it
    dimension: str = ""  # a pint dimensionality the figure's unit must have ("[time]" for an indicator in days)
    examples: tuple[str, ...] = ()  # sentences in our own words that must attach here (catalog check, tests)
    line: int = 0  # where the indicator starts in its YAML file
    yields_to: frozenset = frozenset()  # narrower indicators that win a figure both could measure
    measure: str = "level"  # `change` for a growth indicator: a share or ratio at `level` takes no figure written as a change
    # a stock's flows, each with the words that keep a figure the flow's: a flow's figure dated "as of" a day (or said
    # to "stand at") whose clause names none of them measures the stock ("as of 31 July, 1,499 political prisoners")
    stock_of: tuple[tuple[str, Phrases], ...] = ()

    def counts(self, noun: str) -> bool:
        """Whether a figure counting `noun` can measure this indicator."""
        if not noun or not self.counted:
            return True
        k = _key(noun)
        return k in self.counted or k.rstrip("s") in self.counted or k + "s" in self.counted

    @property
    def unit_class(self) -> str:
        return unit_class(self.unit)

    def item_named(self, surface: str) -> Item | None:
        """The item whose alias this text is ("Su-30 SM" -> Su-30SM), tolerant of plurals and dashes."""
        k = _key(surface)
        for item in self.items:
            for a in item.aliases:
                ak = _key(a)
                if k == ak or k == ak + "s" or k == ak + "es":
                    return item
        return None


@dataclass(frozen=True)
class Catalog:
    indicators: tuple[Indicator, ...]
    sources: tuple[tuple[str, tuple[str, ...]], ...]
    min_score: float = 3.0
    context_sentences: int = 8
    path: str = ""
    chart_confidence: float = 0.5  # below this linker probability a claim stays out of the charts until accepted
    linker: object = field(default=None, compare=False, repr=False)  # linker.Linker, or None: rules alone link
    role_model: object = field(default=None, compare=False, repr=False)  # role_model.RoleModel, or None: rules
    source_phrases: Phrases = field(default=None, repr=False)  # type: ignore[assignment]

    @cached_property
    def _by_id(self) -> dict[str, Indicator]:
        return {ind.id: ind for ind in self.indicators}

    @cached_property
    def _source_of(self) -> dict[str, str]:
        """Normalised alias -> canonical name; the first source listing an alias owns it."""
        out: dict[str, str] = {}
        for name, aliases in self.sources:
            for a in aliases:
                out.setdefault(_key(a), name)
        return out

    @cached_property
    def phrase_index(self) -> PhraseIndex:
        """The indicators' `require` groups and `terms` phrases, indexed by the words they start with."""
        return PhraseIndex([g for ind in self.indicators for g in (*ind.require, *(p for p, _ in ind.terms))])

    @cached_property
    def stocks(self) -> dict[str, tuple[Indicator, Phrases]]:
        """Flow id -> (the stock it feeds, the words that keep a figure the flow's): each indicator's `stock_of`."""
        return {fid: (ind, words) for ind in self.indicators for fid, words in ind.stock_of}

    def get(self, indicator_id: str) -> Indicator:
        try:
            return self._by_id[indicator_id]
        except KeyError:
            raise KeyError(indicator_id) from None

    def canonical_source(self, phrase: str) -> str:
        """The canonical name of the longest known source alias inside `phrase`, else ""."""
        best, best_len = "", 0
        for m in self.source_phrases.finditer(phrase):
            k = _key(m.group())
            for ak in (k, k.rstrip("s")):
                name = self._source_of.get(ak)
                if name and len(ak) > best_len:
                    best, best_len = name, len(ak)
        return best


def _default_path():
    return resources.files("indicators") / "data" / "catalog.yaml"


def load_catalog(path: str | Path | None = None, with_linker: bool = True) -> Catalog:
    """Load and validate a catalog (the packaged one by default) with the linker weights it names;
    CatalogError says what is wrong. `with_linker=False` leaves the weights out (rules alone link): what
    `indicators train` starts from, so stale weights never stop their own refit."""
    if path is None:
        with _default_path().open(encoding="utf-8") as f:
            return _cached_default(f.read(), with_linker)
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(f"{p}: cannot read the catalog ({exc.strerror or exc})") from None
    return _build(text, str(p), with_linker)


@lru_cache(maxsize=2)
def _cached_default(text: str, with_linker: bool = True) -> Catalog:
    return _build(text, str(_default_path()), with_linker)


_INDICATOR_KEYS = {
    "id": "a unique id, theme.name (e.g. repression.political_prisoners)",
    "label": "a short human label",
    "theme": "the group it is listed under",
    "unit": "the unit its values are in: a counted noun (prisoner), percent, ratio, an ISO currency (USD) or a time unit (day)",
    "description": "one sentence saying exactly what it measures",
    "accepts": "the counted nouns a figure may name ([political prisoners, people]) or a pint dimension ('[time]')",
    "nouns": "units a counted figure may carry (older spelling of `accepts`)",
    "counted": "the counted noun phrases themselves (officers are persons, but not conscripts)",
    "words": "phrases that name what it measures: a list (one group), or a list of lists (each group must be named)",
    "require": "groups of phrases, each of which must be named (older spelling of `words`)",
    "aliases": "other names of the indicator itself; naming one is enough",
    "terms": "phrase: weight, words that make it more (or, negative, less) likely",
    "items": "sub-series: a list of {name, aliases, pattern, units, unit}",
    "item_required": "true when a figure naming no item does not belong to it",
    "item_pattern": "`designation` takes any weapon designation written like Su-30SM as the item",
    "not_items": "designations that are never items (COVID-19)",
    "role": "`planned` when its figures are plans by nature (a budget)",
    "require_in_sentence": "true when the words must be in the figure's own sentence",
    "scope": "where the words must be named: clause (the figure's own part of its sentence), sentence, or paragraph "
             "(the default)",
    "bare": "false when a figure must name what it counts",
    "examples": "1 to 3 sentences in your own words whose figure measures it (catalog check runs them)",
    "yields_to": "ids of narrower indicators that take a figure both could measure (crime -> cybercrime)",
    "measure": "`change` when it measures a growth or change (\"rose 12%\"); a share at `level` takes no change",
    "stock_of": "for a stock (a count at a date): {flow id: [words that keep a figure the flow's]}; a flow's figure "
                "dated \"as of\" a day without those words is the stock's",
}
_ITEM_KEYS = {"name", "aliases", "pattern", "units", "unit"}
_TOP_KEYS = {"settings", "groups", "cities", "sources", "indicators"}


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers the line (1-based) each mapping starts on, under the key "__line__"."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


def _strip_lines(value):
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def _unknown_key(key: str, known, where: str, what: str) -> CatalogError:
    guess = difflib.get_close_matches(str(key), list(known), n=1)
    instead = f"did you mean '{guess[0]}'?" if guess else f"use one of: {', '.join(sorted(known))}"
    return CatalogError(f"{where}: {what}: unknown key '{key}'; {instead}", kind=ErrorKind.INVALID)


def _build(text: str, where: str, with_linker: bool = True) -> Catalog:
    try:
        raw = yaml.load(text, Loader=_LineLoader)  # noqa: S506 (a SafeLoader that only adds line numbers)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"{where}:{mark.line + 1}" if mark else where
        raise CatalogError(f"{at}: not valid YAML: {getattr(exc, 'problem', None) or exc}; check the indentation "
                           f"and that lists are in [ ] or start with '- '") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("indicators"), list):
        raise CatalogError(f"{where}: expected a mapping with a list under 'indicators' (indicators:\n  - id: ...)")
    for key in raw:
        if key not in _TOP_KEYS and key != "__line__":
            raise _unknown_key(key, _TOP_KEYS, where, "top level")
    groups = {str(k): list(v) for k, v in _strip_lines(raw.get("groups") or {}).items()}
    settings = _strip_lines(raw.get("settings") or {})
    seen: set[str] = set()
    indicators = []
    for n, entry in enumerate(raw["indicators"]):
        indicators.append(_indicator(entry, n, groups, where, seen))
    sources = tuple((str(name), tuple(str(a) for a in (aliases or [name])) + (str(name),))
                    for name, aliases in _strip_lines(raw.get("sources") or {}).items())
    phrases = Phrases([a for _, aliases in sources for a in aliases])
    ids = {i.id for i in indicators}
    for ind in indicators:
        for key, named in (("yields_to", ind.yields_to), ("stock_of", {fid for fid, _ in ind.stock_of})):
            unknown = sorted(named - ids)
            if unknown:
                raise CatalogError(f"{where}:{ind.line}: indicator '{ind.id}': {key} names unknown indicators "
                                   f"{unknown}; use ids defined in this catalog")
    return Catalog(indicators=tuple(indicators), sources=sources,
                   min_score=float(settings.get("min_score", 3.0)),
                   context_sentences=int(settings.get("context_sentences", 8)), path=where,
                   source_phrases=phrases, chart_confidence=float(settings.get("chart_confidence", 0.5)),
                   linker=_weights(settings.get("linker", "linker.json"), where, "linker") if with_linker else None,
                   role_model=_weights(settings.get("roles", "roles.json"), where, "roles") if with_linker else None)


def _weights(name, where: str, kind: str):
    """The learned weights the catalog names (`settings: linker:` / `roles:`), looked up beside the catalog
    file, else the shipped ones; `none` leaves the decision to the rules."""
    if kind == "linker":
        from ..linker import SHIPPED, load_linker as load
    else:
        from ..role_model import SHIPPED, load_role_model as load

    if name is None or str(name).lower() in ("none", "rules", "false"):
        return None
    here = Path(where).parent / str(name) if where and not where.startswith("<") else None
    if here is not None and here.is_file():
        return load(here)
    if Path(str(name)).is_absolute():
        return load(name)  # raises: the file named is not there
    return load(SHIPPED) if SHIPPED.is_file() else None


def _phrase_groups(value, iid: str, at: str, key: str, groups: dict) -> list[Phrases]:
    """`words`/`require`: a list of phrases (one group) or a list of groups; "@name" refers to a shared group."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise CatalogError(f"{at}: indicator '{iid}': '{key}' is a list of phrases, or a list of such lists")
    if value and all(isinstance(v, str) and not v.startswith("@") for v in value) and key in ("words", "require"):
        value = [value]  # a plain list of words is one group
    out = []
    for group in value:
        if isinstance(group, str) and group.startswith("@"):
            if group[1:] not in groups:
                raise CatalogError(f"{at}: indicator '{iid}': unknown phrase group '{group}'; define it under "
                                   f"'groups:' or write the phrases out")
            out.append(Phrases(groups[group[1:]]))
        elif isinstance(group, list) and group and all(isinstance(p, (str, int, float)) for p in group):
            out.append(Phrases(group))
        elif isinstance(group, dict) and set(group) == {"in_clause"} and isinstance(group["in_clause"], list):
            out.append(Phrases(group["in_clause"], clause=True))
        else:
            raise CatalogError(f"{at}: indicator '{iid}': each '{key}' entry is a list of phrases, '@group', or "
                               f"{{in_clause: [phrases]}} (words that must be in the figure's own clause)")
    return out


def _accepted_unit(word: str) -> str:
    """A unit the registry knows as written (BYN, percent, day), else the unit the recogniser gives a figure
    counting this noun (units.noun_unit: "items" -> unit, "political prisoners" -> prisoner)."""
    if " " not in word and not word.islower():
        try:
            return str(parse_unit(word))
        except pint.errors.UndefinedUnitError:
            pass
    return noun_unit(word)


def _indicator(entry, n: int, groups: dict, where: str, seen: set[str]) -> Indicator:
    line = entry.get("__line__", 0) if isinstance(entry, dict) else 0
    at = f"{where}:{line}" if line else where
    if not isinstance(entry, dict) or "id" not in entry:
        raise CatalogError(f"{at}: indicator #{n + 1} has no 'id' (write `- id: theme.name` first)")
    iid = str(entry["id"])
    for key in entry:
        if key not in _INDICATOR_KEYS and key != "__line__":
            raise _unknown_key(key, _INDICATOR_KEYS, at, f"indicator '{iid}'")
    entry = _strip_lines(entry)
    if entry.get("scope") not in (None, "clause", "sentence", "paragraph"):
        raise CatalogError(f"{at}: indicator '{iid}': scope is clause, sentence or paragraph, not {entry['scope']!r}")
    if iid in seen:
        raise CatalogError(f"{at}: indicator '{iid}' is defined twice; give it another id or merge the two")
    seen.add(iid)
    unit = str(entry.get("unit", "count"))
    if entry.get("measure") not in (None, Measure.LEVEL, Measure.CHANGE):
        raise CatalogError(f"{at}: indicator '{iid}': measure must be '{Measure.LEVEL}' or '{Measure.CHANGE}'")
    if entry.get("role") not in (None, "", Role.REPORTED, Role.PLANNED):
        raise CatalogError(f"{at}: indicator '{iid}': role must be '{Role.REPORTED}' or '{Role.PLANNED}'")
    accepts = entry.get("accepts") or []
    dim = ""
    if isinstance(accepts, str) and accepts.startswith("["):
        dim, accepts = accepts, []
    elif isinstance(accepts, str):
        accepts = [accepts]
    try:
        parse_unit(unit)
        nouns = [str(x) for x in entry.get("nouns") or ()]
        for noun in nouns:
            parse_unit(noun)
        nouns += [_accepted_unit(str(x)) for x in accepts]
        if not dim and unit_class(unit) == "time":
            dim = dimension(unit)  # an indicator in days takes any duration
        if dim and dim not in (dimension(u) for u in ("day", "USD", "count")) and not dim.startswith("[currency"):
            raise ValueError(f"dimension {dim!r} is none of [time], [currency_xxx]")
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, AttributeError, ValueError) as exc:
        raise CatalogError(f"{at}: indicator '{iid}': unknown unit ({exc}); write a counted noun in the singular "
                           f"(prisoner), percent, ratio, an ISO currency code (USD) or a time unit (day)") from None
    require = _phrase_groups(entry.get("require") or [], iid, at, "require", groups)
    require += _phrase_groups(entry.get("words") or [], iid, at, "words", groups)
    aliases = [str(a) for a in entry.get("aliases") or ()]
    terms_raw = dict(entry.get("terms") or {})
    if aliases:
        if require:  # naming the indicator itself satisfies its first group
            require[0] = Phrases([*require[0].phrases, *aliases], clause=require[0].clause)
        else:
            require = [Phrases(aliases)]
        for a in aliases:
            terms_raw.setdefault(a, 2)
    if not require:
        raise CatalogError(f"{at}: indicator '{iid}' needs at least one group of 'words' (or 'require', or "
                           f"'aliases'): the phrases that name what it measures")
    try:
        terms = tuple((Phrases([t]), float(w)) for t, w in terms_raw.items())
    except (TypeError, ValueError):
        raise CatalogError(f"{at}: indicator '{iid}': 'terms' maps a phrase to a number (called up: 2)") from None
    examples = entry.get("examples") or []
    if isinstance(examples, str):
        examples = [examples]
    if not isinstance(examples, list) or not all(isinstance(e, str) and e.strip() for e in examples) \
            or len(examples) > 3:
        raise CatalogError(f"{at}: indicator '{iid}': 'examples' is a list of 1 to 3 sentences")
    items = []
    for it in entry.get("items") or []:
        if not isinstance(it, dict) or "name" not in it:
            raise CatalogError(f"{at}: indicator '{iid}': each item needs a 'name' (- {{name: Su-30SM, aliases: "
                               f"[Su-30 SM]}})")
        for key in it:
            if key not in _ITEM_KEYS:
                raise _unknown_key(key, _ITEM_KEYS, at, f"indicator '{iid}', item '{it['name']}'")
        name = str(it["name"])
        pattern = None
        if it.get("pattern"):
            try:
                pattern = re.compile(rf"(?<![\w-])(?:{it['pattern']})(?![\w-])")
            except re.error as exc:
                raise CatalogError(f"{at}: indicator '{iid}', item '{name}': pattern is not a regular expression "
                                   f"({exc})") from None
        items.append(Item(name=name, aliases=tuple(str(a) for a in (it.get("aliases") or [name])),
                          units=tuple(str(u) for u in it.get("units") or ()), unit=str(it.get("unit") or ""),
                          pattern=pattern))
    alias_list = [a for it in items for a in it.aliases]
    counted = [*(entry.get("counted") or ()), *accepts]
    return Indicator(
        id=iid, label=str(entry.get("label", iid)), theme=str(entry.get("theme", "Other")), unit=unit,
        description=str(entry.get("description", "")),
        nouns=tuple(dict.fromkeys(nouns)), require=tuple(require), terms=terms,
        items=tuple(items), item_required=bool(entry.get("item_required", False)),
        item_pattern=str(entry.get("item_pattern", "")),
        not_items=frozenset(_key(x) for x in entry.get("not_items") or ()),
        item_phrases=Phrases(alias_list) if alias_list else None,
        counted=frozenset(_key(str(x)) for x in counted) if entry.get("counted") else frozenset(),
        role=str(entry.get("role") or ""),
        local=bool(entry.get("require_in_sentence", False)) or entry.get("scope") in ("sentence", "clause"),
        clause=entry.get("scope") == "clause",
        bare=bool(entry.get("bare", True)),
        dimension=dim, examples=tuple(e.strip() for e in examples), line=line,
        yields_to=frozenset(str(x) for x in entry.get("yields_to") or ()),
        measure=str(entry.get("measure") or Measure.LEVEL),
        stock_of=tuple((str(fid), Phrases([str(w) for w in words or ()]))
                       for fid, words in _strip_lines(entry.get("stock_of") or {}).items()),
    )
