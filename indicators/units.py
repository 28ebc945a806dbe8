"""The one pint registry of the project, loaded from data so a unit is added without code."""
from __future__ import annotations

import re
import threading
from functools import lru_cache
from importlib import resources

import inflect
import pint

from .lexicon import iso_currencies


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    """Return the shared registry (an empty pint registry plus `data/units.txt`)."""
    ureg = pint.UnitRegistry(None)
    with resources.as_file(resources.files("indicators") / "data" / "units.txt") as path:
        ureg.load_definitions(str(path))
    for code in iso_currencies():  # every ISO 4217 currency is a dimension of its own: USD never becomes GBP
        if code not in ureg:
            ureg.define(f"{code} = [currency_{code.lower()}]")
    return ureg


_NOUN_UNIT = re.compile(r"[a-z][a-z_]*[a-z]")  # a counted noun as a unit name: lower case, words joined by _
_LOCK = threading.Lock()


def parse_unit(name: str) -> pint.Unit:
    """Parse a unit string of the claims table. A name the registry does not know that is written like a counted
    noun ("prisoner", "political_prisoner") is an open-vocabulary count (see `count_unit`); anything else unknown
    raises pint's UndefinedUnitError."""
    ureg = registry()
    try:
        return ureg.Unit(name)
    except pint.errors.UndefinedUnitError:
        if not _NOUN_UNIT.fullmatch(name or ""):
            raise
        return ureg.Unit(count_unit(name))


@lru_cache(maxsize=4096)
def count_unit(noun: str) -> str:
    """The unit of what a number counts, defined in the project's registry on first use, without editing
    units.txt: the head noun, singular and lower case ("604 political prisoners" -> "prisoner", "41 terms" ->
    "term"; 1 prisoner == 1 count). A noun the registry already knows under any alias keeps its unit ("people" ->
    "person", "gunships" -> "helicopter", "days" -> "day"). Raises ValueError for text that is not a noun."""
    words = str(noun).lower().replace("-", " ").split(" of ")[0].split()  # "units of equipment": units
    if not words or not all(w.isalpha() for w in words):
        raise ValueError(f"{noun!r} is not a counted noun (letters only)")
    ureg = registry()
    for candidate in ("_".join(words), words[-1], _singular(words[-1])):
        if candidate in ureg:
            return str(ureg.Unit(candidate))
    name = _singular(words[-1])
    with _LOCK:
        if name not in ureg:
            ureg.define(f"{name} = count")
    return name


def is_time_unit(word: str) -> bool:
    """Whether the registry knows `word` (or its singular) as a unit of time; defines nothing."""
    ureg = registry()
    for w in (word.lower(), _singular(word.lower())):
        if w.isalpha() and w in ureg:
            try:
                return "[time]" in ureg.Unit(w).dimensionality
            except Exception:
                return False
    return False


@lru_cache(maxsize=4096)
def noun_unit(noun: str) -> str:
    """The unit a figure counting `noun` is in, as the recogniser decides it: the lexicon's noun table first
    ("drones" -> aircraft, "items" -> unit), else the open-vocabulary count (`count_unit`). "" for no noun;
    "count" for text that is not a noun."""
    key = " ".join(str(noun).lower().split())
    if not key:
        return ""
    from .lexicon import lexicon  # the lexicon reads data only; imported here to keep units.py loadable alone

    table = lexicon().noun_units
    known = table.get(key) or table.get(key + "s")  # "a single drone": the lexicon lists the plural
    if known:
        return known
    try:
        return count_unit(key)
    except ValueError:
        return "count"


def _singular(word: str) -> str:
    """The singular of a noun, from inflect; unchanged when already singular."""
    return _inflect().singular_noun(word) or word


@lru_cache(maxsize=1024)
def unit_class(name: str) -> str:
    """count / percent / currency / ratio / time: the classes the evaluation compares."""
    if name in ("percent", "percentage_point"):
        return "percent"
    if name == "ratio":
        return "ratio"
    dims = parse_unit(name).dimensionality
    if any(str(d).startswith("[currency") for d in dims):
        return "currency"
    if "[time]" in dims:
        return "time"
    return "count"


def dimension(name: str) -> str:
    """The pint dimensionality of a unit as text ("[time]", "[currency_usd]", "" for counts and shares)."""
    return str(parse_unit(name).dimensionality).replace("dimensionless", "")


def quantity(value: float, unit: str) -> pint.Quantity:
    """A claim's value as a pint Quantity of the project's registry (e.g. for conversions or checks)."""
    return registry().Quantity(value, unit or "count")


# short units as OWID's grapher writes them (`short_unit`): a symbol where readers know one
_SHORT = {"percent": "%", "percentage_point": "pp", "ratio": "×"}
_LONG = {"percent": "%", "percentage_point": "percentage points", "ratio": "times", "count": ""}


@lru_cache(maxsize=1)
def _inflect() -> inflect.engine:
    return inflect.engine()


@lru_cache(maxsize=512)
def unit_label(unit: str, plural: bool = True) -> str:
    """How a unit of the claims table reads in a chart: "people", "aircraft", "entities", "PLN", "%", "days".

    Currencies read as their ISO 4217 code; percent as "%"; counted nouns in words, plural from `inflect`
    (English irregular and uncountable plurals: person -> people, aircraft -> aircraft). An unknown unit comes
    back as written."""
    if not unit:
        return ""
    if unit in _LONG:
        return _LONG[unit]
    try:
        dims = parse_unit(unit).dimensionality
    except Exception:
        return unit
    if any(str(d).startswith("[currency") for d in dims):
        return unit
    words = unit.replace("_", " ")
    return _inflect().plural_noun(words) if plural else words


def short_unit(unit: str) -> str:
    """The unit after a number in a label or a table cell ("12 %" reads "12%", "3 PLN", "450 people")."""
    return _SHORT.get(unit) or unit_label(unit)
