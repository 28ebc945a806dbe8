"""The one pint registry of the project, loaded from data so a unit is added without code."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

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
