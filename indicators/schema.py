"""The claims table's contract, read from `data/claims.schema.yaml` (a Frictionless Table Schema).

Everything that names a column, a role, a qualifier or a review state takes it from here: the
claim records' column order, the DataFrame dtypes, the SQL columns, the review validation, the CSV
header and `datapackage.json`. A change to the contract is a change to that one file.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from .errors import ErrorKind, SchemaError

_TYPES = {"string", "number", "integer", "date", "yearmonth"}


@dataclass(frozen=True)
class Field:
    """One column: its Table Schema properties and the project's `x-` extensions."""

    name: str
    type: str  # string | number | integer | date | yearmonth (Table Schema types)
    description: str
    title: str = ""  # a human header ("Period from")
    required: bool = False
    enum: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()  # (value, human label) per enum value
    sql_length: int | None = None  # VARCHAR(n); None: TEXT (strings) or the type's own SQL type
    default: str | None = None
    scored: bool = False  # a column of the claims contract (what the evaluation reads)
    extracted: bool = False  # a column of the extractor's own table
    editable: bool = False  # a reviewer may correct it
    derived: bool = False  # written by the review overlay and the pairing over the extractor's rows
    internal: bool = False  # store bookkeeping: never in a CSV or the data package
    constraints: tuple[tuple[str, Any], ...] = ()  # every constraint as written, for datapackage.json

    @property
    def numeric(self) -> bool:
        return self.type in ("number", "integer")

    @property
    def text(self) -> bool:
        """Free text as written in the report or by a person (what a spreadsheet could run as a formula)."""
        return not self.numeric and not self.enum

    def label(self, value: str) -> str:
        return dict(self.labels).get(value, value)

    def frictionless(self, unit: str | None = None) -> dict:
        """The field as datapackage.json gives it (standard keys only)."""
        out: dict[str, Any] = {"name": self.name, "title": self.title, "type": self.type,
                               "description": self.description}
        if self.constraints:
            out["constraints"] = dict(self.constraints)
        if self.name in ("value", "value_low", "value_high"):
            out["unit"] = unit or "given per row in the column `unit`"
        return out


@dataclass(frozen=True)
class Schema:
    name: str
    title: str
    fields: tuple[Field, ...]
    missing_values: tuple[str, ...]
    primary_key: tuple[str, ...]
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()  # x-column-groups: named sets of columns

    def group(self, name: str) -> list[str]:
        """A named set of columns (x-column-groups): "series", "anchor", "filters", "table", ...; KeyError if none."""
        return list(dict(self.groups)[name])

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def contract(self) -> list[str]:
        """The columns of the claims contract, in order (what the extractor's table holds and the scorer reads)."""
        return [f.name for f in self.fields if f.scored]

    @property
    def claim(self) -> list[str]:
        """Every column an extracted claim has: the contract's, then the project's additions made at extraction."""
        return [f.name for f in self.fields if f.extracted]

    @property
    def public(self) -> list[str]:
        """The columns every reader gets (CSV downloads, exports, the data package), in order."""
        return [f.name for f in self.fields if not f.internal]

    @property
    def derived(self) -> list[str]:
        """The columns the review overlay and the stated/corrected pairing write over the extractor's rows."""
        return [f.name for f in self.fields if f.derived]

    @property
    def editable(self) -> list[str]:
        """The columns a reviewer may correct, in order."""
        return [f.name for f in self.fields if f.editable]

    @property
    def numeric(self) -> list[str]:
        return [f.name for f in self.fields if f.numeric]

    def enum(self, name: str) -> tuple[str, ...]:
        return self.field(name).enum

    def table_schema(self, unit: str | None = None) -> dict:
        """The Frictionless Table Schema of the public columns (for datapackage.json)."""
        return {"fields": [f.frictionless(unit) for f in self.fields if not f.internal],
                "missingValues": list(self.missing_values),
                **({"primaryKey": list(self.primary_key)} if self.primary_key else {})}


def _field(raw: dict, where: str) -> Field:
    if not isinstance(raw, dict) or "name" not in raw:
        raise SchemaError(f"{where}: each field needs a name", kind=ErrorKind.INVALID)
    name = raw["name"]
    if raw.get("type") not in _TYPES:
        raise SchemaError(f"{where}: field {name!r} has type {raw.get('type')!r}; use one of {sorted(_TYPES)}",
                          kind=ErrorKind.INVALID)
    cons = dict(raw.get("constraints") or {})
    enum = tuple(str(v) for v in cons.get("enum", ()))
    labels = raw.get("x-labels") or {}
    if enum and labels and set(labels) != set(enum):
        raise SchemaError(f"{where}: x-labels of {name!r} must name exactly its enum values", kind=ErrorKind.INVALID)
    return Field(name=str(name), type=raw["type"], description=str(raw.get("description", "")).strip(),
                 title=str(raw.get("title") or name),
                 required=bool(cons.get("required", False)), enum=enum,
                 labels=tuple((v, str(labels.get(v, v))) for v in enum),
                 sql_length=raw.get("x-sql-length"), default=raw.get("x-default"),
                 scored=bool(raw.get("x-scored", 0)),
                 extracted=bool(raw.get("x-extracted", 0)), derived=bool(raw.get("x-derived", 0)),
                 editable=bool(raw.get("x-editable", 0)),
                 internal=bool(raw.get("x-internal", 0)),
                 constraints=tuple(cons.items()))


def parse(raw: dict, where: str = "claims.schema.yaml") -> Schema:
    """A Schema from the YAML's mapping; raises SchemaError naming the bad field."""
    if not isinstance(raw, dict) or not isinstance(raw.get("fields"), list):
        raise SchemaError(f"{where}: a table schema needs a list of fields", kind=ErrorKind.INVALID)
    fields = tuple(_field(f, where) for f in raw["fields"])
    names = [f.name for f in fields]
    if len(set(names)) != len(names):
        raise SchemaError(f"{where}: a field name is used twice", kind=ErrorKind.INVALID)
    pk = tuple(raw.get("primaryKey") or ())
    if set(pk) - set(names):
        raise SchemaError(f"{where}: primaryKey names unknown fields", kind=ErrorKind.INVALID)
    groups = raw.get("x-column-groups") or {}
    for group, cols in groups.items():
        if not isinstance(cols, list) or set(cols) - set(names):
            raise SchemaError(f"{where}: column group {group!r} names unknown fields: {sorted(set(cols) - set(names))}",
                              kind=ErrorKind.INVALID)
    return Schema(name=str(raw.get("name", "claims")), title=str(raw.get("title", "")), fields=fields,
                  missing_values=tuple(raw.get("missingValues", [""])), primary_key=pk,
                  groups=tuple((g, tuple(c)) for g, c in groups.items()))


@lru_cache(maxsize=1)
def claims_schema() -> Schema:
    """The shipped claims schema (read once)."""
    with (resources.files("indicators") / "data" / "claims.schema.yaml").open(encoding="utf-8") as f:
        return parse(yaml.safe_load(f))


def _enum(class_name: str, column: str) -> type[StrEnum]:
    """A StrEnum whose members are the column's allowed values (AT_LEAST = "at_least")."""
    return StrEnum(class_name, [(v.upper(), v) for v in claims_schema().enum(column)],  # type: ignore[return-value]
                   module=__name__)


Role = _enum("Role", "role")
Qualifier = _enum("Qualifier", "qualifier")
ReviewState = _enum("ReviewState", "review")
Measure = _enum("Measure", "measure")

SCHEMA = claims_schema()
CONTRACT_COLUMNS = SCHEMA.contract
CLAIM_COLUMNS = SCHEMA.claim
PUBLIC_COLUMNS = SCHEMA.public
DERIVED_COLUMNS = SCHEMA.derived
NUMERIC_COLUMNS = frozenset(SCHEMA.numeric)

# what a figure asserts about the true value, by qualifier (conflicts.intervals reads these)
LOWER_BOUNDED = frozenset({Qualifier.OVER, Qualifier.AT_LEAST})  # a half-line upwards
UPPER_BOUNDED = frozenset({Qualifier.UNDER, Qualifier.AT_MOST})  # a half-line downwards
OPEN_BOUND = frozenset({Qualifier.OVER, Qualifier.UNDER})  # "more than 100" excludes 100
FACTS = (Role.REPORTED, Role.CORRECTED, Role.STATED)  # what a chart of the record shows


def _number(x) -> float | None:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def bounds(qualifier: str, value: float, low: float | None = None, high: float | None = None
           ) -> tuple[float | None, float | None]:
    """(value_low, value_high) as the contract sets them for a qualifier: both for a range, the lower for
    over/at_least, the upper for under/at_most (the value itself when not given), none otherwise.

    Raises ValueError for an unknown qualifier."""
    q = Qualifier(qualifier)
    low, high, value = _number(low), _number(high), _number(value)
    if q == Qualifier.RANGE:
        return low, high
    if q in LOWER_BOUNDED:
        return (low if low is not None else value), None
    if q in UPPER_BOUNDED:
        return None, (high if high is not None else value)
    return None, None
