"""The indicator catalog: YAML data, validated and compiled once into phrase matchers."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

import pint
import yaml

from .errors import CatalogError
from .lexicon import phrase_alternation
from .units import parse_unit, unit_class


class Phrases:
    """A set of phrases matched case-insensitively on word boundaries, plural -s/-es allowed."""

    def __init__(self, phrases) -> None:
        self.phrases = tuple(str(p) for p in phrases)
        body = phrase_alternation(self.phrases, plural=True)
        self.rx = re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.I) if body else None
        self._memo: dict[str, re.Match | None] = {}

    def first(self, text: str) -> re.Match | None:
        """The first phrase in `text`. Remembered: every figure of a sentence asks about the same text."""
        try:
            return self._memo[text]
        except KeyError:
            if len(self._memo) >= 4096:
                self._memo.clear()
            hit = self._memo[text] = self.rx.search(text) if self.rx else None
            return hit

    def search(self, text: str) -> bool:
        return self.first(text) is not None

    def __getstate__(self) -> dict:  # sent to worker processes without what it remembered
        return {**self.__dict__, "_memo": {}}

    def finditer(self, text: str, start: int = 0, end: int | None = None):
        if not self.rx:
            return iter(())
        return self.rx.finditer(text, start, len(text) if end is None else end)

    def __repr__(self) -> str:
        return f"Phrases({list(self.phrases)[:3]}...)"


def _key(s: str) -> str:
    return " ".join(s.lower().replace("\u2010", "-").replace("’", "'").split())


@dataclass(frozen=True)
class Item:
    name: str
    aliases: tuple[str, ...]
    units: tuple[str, ...] = ()  # a figure in these units names this item (300 people -> personnel)
    unit: str = ""  # the unit a figure of this item is counted in when the text says only "units"


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
    bare: bool = True  # a figure naming no counted noun may measure it

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


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Load and validate a catalog (the packaged one by default); CatalogError says what is wrong."""
    if path is None:
        with _default_path().open(encoding="utf-8") as f:
            return _cached_default(f.read())
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(f"{p}: cannot read the catalog ({exc.strerror or exc})") from None
    return _build(text, str(p))


@lru_cache(maxsize=1)
def _cached_default(text: str) -> Catalog:
    return _build(text, str(_default_path()))


def _build(text: str, where: str) -> Catalog:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogError(f"{where}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("indicators"), list):
        raise CatalogError(f"{where}: expected a mapping with a list under 'indicators'")
    groups = {str(k): list(v) for k, v in (raw.get("groups") or {}).items()}
    settings = raw.get("settings") or {}
    seen: set[str] = set()
    indicators = []
    for n, entry in enumerate(raw["indicators"]):
        indicators.append(_indicator(entry, n, groups, where, seen))
    sources = tuple((str(name), tuple(str(a) for a in (aliases or [name])) + (str(name),))
                    for name, aliases in (raw.get("sources") or {}).items())
    phrases = Phrases([a for _, aliases in sources for a in aliases])
    return Catalog(indicators=tuple(indicators), sources=sources,
                   min_score=float(settings.get("min_score", 3.0)),
                   context_sentences=int(settings.get("context_sentences", 8)), path=where,
                   source_phrases=phrases)


def _indicator(entry, n: int, groups: dict, where: str, seen: set[str]) -> Indicator:
    if not isinstance(entry, dict) or "id" not in entry:
        raise CatalogError(f"{where}: indicator #{n + 1} has no 'id'")
    iid = str(entry["id"])
    if iid in seen:
        raise CatalogError(f"{where}: indicator '{iid}' is defined twice")
    seen.add(iid)
    unit = str(entry.get("unit", "count"))
    if entry.get("role") not in (None, "", "reported", "planned"):
        raise CatalogError(f"{where}: indicator '{iid}': role must be 'reported' or 'planned'")
    try:
        parse_unit(unit)
        for noun in entry.get("nouns") or []:
            parse_unit(str(noun))
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, AttributeError, ValueError) as exc:
        raise CatalogError(f"{where}: indicator '{iid}': unknown unit ({exc}); units are defined in indicators/data/units.txt") from None
    require = []
    for group in entry.get("require") or []:
        if isinstance(group, str) and group.startswith("@"):
            if group[1:] not in groups:
                raise CatalogError(f"{where}: indicator '{iid}': unknown phrase group '{group}'")
            require.append(Phrases(groups[group[1:]]))
        elif isinstance(group, list) and group:
            require.append(Phrases(group))
        else:
            raise CatalogError(f"{where}: indicator '{iid}': each 'require' entry is a list of phrases or '@group'")
    if not require:
        raise CatalogError(f"{where}: indicator '{iid}' needs at least one 'require' group (the words that name it)")
    terms = tuple((Phrases([t]), float(w)) for t, w in (entry.get("terms") or {}).items())
    items = []
    for it in entry.get("items") or []:
        if not isinstance(it, dict) or "name" not in it:
            raise CatalogError(f"{where}: indicator '{iid}': each item needs a 'name'")
        name = str(it["name"])
        items.append(Item(name=name, aliases=tuple(str(a) for a in (it.get("aliases") or [name])),
                          units=tuple(str(u) for u in it.get("units") or ()), unit=str(it.get("unit") or "")))
    alias_list = [a for it in items for a in it.aliases]
    return Indicator(
        id=iid, label=str(entry.get("label", iid)), theme=str(entry.get("theme", "Other")), unit=unit,
        description=str(entry.get("description", "")),
        nouns=tuple(str(x) for x in entry.get("nouns") or ()), require=tuple(require), terms=terms,
        items=tuple(items), item_required=bool(entry.get("item_required", False)),
        item_pattern=str(entry.get("item_pattern", "")),
        not_items=frozenset(_key(x) for x in entry.get("not_items") or ()),
        item_phrases=Phrases(alias_list) if alias_list else None,
        counted=frozenset(_key(str(x)) for x in entry.get("counted") or ()),
        role=str(entry.get("role") or ""),
        local=bool(entry.get("require_in_sentence", False)),
        bare=bool(entry.get("bare", True)),
    )
