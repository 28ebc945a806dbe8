"""The one pint registry of the project, loaded from data so a unit is added without code."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

import inflect
import pint


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    """Return the shared registry (an empty pint registry plus `data/units.txt`)."""
    ureg = pint.UnitRegistry(None)
    with resources.as_file(resources.files("indicators") / "data" / "units.txt") as path:
        ureg.load_definitions(str(path))
    return ureg


def parse_unit(name: str) -> pint.Unit:
    """Parse a unit string of the claims table; raises pint errors for unknown units."""
    return registry().Unit(name)


@lru_cache(maxsize=256)
def unit_class(name: str) -> str:
    """count / percent / currency / ratio: the classes the evaluation compares."""
    if name in ("percent", "percentage_point"):
        return "percent"
    if name == "ratio":
        return "ratio"
    dims = parse_unit(name).dimensionality
    if any(str(d).startswith("[currency") for d in dims):
        return "currency"
    return "count"


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
