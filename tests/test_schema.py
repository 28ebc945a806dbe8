"""The claims schema (data/claims.schema.yaml) is the one place a column, role, qualifier or review state is
spelled out: everything else is generated from it, and a walk over the code finds no second spelling."""
import ast
import pickle
from pathlib import Path

import pandas as pd
import pytest
import yaml

from indicators import extract
from indicators.catalog import load_catalog
from indicators.dashboard.routes import datapackage
from indicators.errors import (
    CatalogError,
    ErrorKind,
    IndicatorsError,
    PdfError,
    ReportError,
    ReviewError,
    SchemaError,
    StoreError,
)
from indicators.review import EDITABLE, validate_changes
from indicators.schema import (
    CLAIM_COLUMNS,
    PUBLIC_COLUMNS,
    SCHEMA,
    Measure,
    Qualifier,
    ReviewState,
    Role,
    bounds,
    parse,
)
from indicators.store import claims as claims_table

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "indicators"
RAW = yaml.safe_load((PACKAGE / "data" / "claims.schema.yaml").read_text(encoding="utf-8"))
ENUMS = {f["name"]: f["constraints"]["enum"] for f in RAW["fields"] if "enum" in f.get("constraints", {})}


def test_the_vocabularies_are_the_schema_enums():
    assert [str(r) for r in Role] == ENUMS["role"]
    assert [str(q) for q in Qualifier] == ENUMS["qualifier"] and len(Qualifier) == 7
    assert [str(s) for s in ReviewState] == ENUMS["review"]
    assert [str(m) for m in Measure] == ENUMS["measure"]
    assert Qualifier.AT_LEAST == "at_least"  # members are the strings themselves


def test_columns_sql_and_package_come_from_the_schema():
    names = [f["name"] for f in RAW["fields"]]
    assert [c.name for c in claims_table.columns] == names
    assert PUBLIC_COLUMNS == [f["name"] for f in RAW["fields"] if not f.get("x-internal")]
    assert CLAIM_COLUMNS == [f["name"] for f in RAW["fields"] if f.get("x-extracted")]
    package = datapackage(load_catalog())
    for resource in package["resources"]:
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == PUBLIC_COLUMNS
        assert not any(k.startswith("x-") for f in fields for k in f)
        assert next(f for f in fields if f["name"] == "report_month")["type"] == "yearmonth"
        assert next(f for f in fields if f["name"] == "qualifier")["constraints"]["enum"] == ENUMS["qualifier"]
    # a VARCHAR as wide as the schema says, a required column NOT NULL
    assert claims_table.c.role.type.length == 16 and not claims_table.c.role.nullable
    assert claims_table.c.value_low.nullable


def test_extracted_frame_is_typed_by_the_schema():
    df = extract(ROOT / "seeds")
    assert list(df.columns) == CLAIM_COLUMNS
    for name in CLAIM_COLUMNS:
        kind = SCHEMA.field(name).type
        expected = {"number": "float64", "integer": "int64"}.get(kind)
        if expected:
            assert str(df[name].dtype) == expected, name
        else:
            assert df[name].map(type).eq(str).all(), name
    assert set(df["qualifier"]) <= set(Qualifier) and set(df["role"]) <= set(Role)
    assert set(df["measure"]) <= set(Measure)


@pytest.mark.parametrize("qualifier", list(Qualifier))
def test_review_accepts_every_qualifier(qualifier):
    assert validate_changes({"qualifier": str(qualifier)}) == {"qualifier": qualifier}


@pytest.mark.parametrize("field,bad", [("qualifier", "roughly"), ("role", "estimated"), ("measure", "delta"),
                                       ("value", "ten"), ("period_start", "2021-13-01"), ("unit", "furlongs per fortnight")])
def test_review_refuses_what_the_schema_does_not_allow(field, bad):
    with pytest.raises(ReviewError, match=field):
        validate_changes({field: bad})


def test_review_edits_the_schemas_editable_columns():
    assert list(EDITABLE) == [f["name"] for f in RAW["fields"] if f.get("x-editable")]


@pytest.mark.parametrize("qualifier,value,low,high,expected", [
    ("at_least", 100, None, None, (100, None)),
    ("over", 100, 90, None, (90, None)),
    ("at_most", 7e6, None, None, (None, 7e6)),
    ("under", 5, float("nan"), float("nan"), (None, 5)),
    ("range", 10, 6, 15, (6, 15)),
    ("exact", 3, 2, 4, (None, None)),
    ("approx", 30, None, None, (None, None)),
])
def test_bounds_follow_the_qualifier(qualifier, value, low, high, expected):
    assert bounds(qualifier, value, low, high) == expected


@pytest.mark.parametrize("raw,words", [
    ({"fields": "no"}, "list of fields"),
    ({"fields": [{"name": "a", "type": "text"}]}, "type"),
    ({"fields": [{"name": "a", "type": "string"}, {"name": "a", "type": "string"}]}, "twice"),
    ({"fields": [{"name": "a", "type": "string", "constraints": {"enum": ["x"]}, "x-labels": {"y": "Y"}}]}, "x-labels"),
    ({"fields": [{"name": "a", "type": "string"}], "primaryKey": ["b"]}, "primaryKey"),
])
def test_a_bad_schema_says_what_is_wrong(raw, words):
    with pytest.raises(SchemaError, match=words) as err:
        parse(raw)
    assert err.value.kind == ErrorKind.INVALID


# ------------------------------------------------------------------ errors: one hierarchy, picklable, kinds

@pytest.mark.parametrize("error", [
    ReportError("a.txt", "empty", "export it again"),
    PdfError("b.pdf", "encrypted", "qpdf --decrypt", kind=ErrorKind.UNREADABLE),
    StoreError("could not store", kind=ErrorKind.DISK_FULL),
    ReviewError("qualifier must be one of ..."),
    CatalogError("catalog.yaml:3: unknown key"),
    SchemaError("bad"),
])
def test_errors_pickle_with_every_field(error):
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error) and str(back) == str(error)
    assert back.__dict__ == error.__dict__ and isinstance(back, IndicatorsError)


# ------------------------------------------------------------------ the walk: no second spelling in the code

COLUMNS = {f["name"] for f in RAW["fields"]}
VOCABULARIES = {name: set(values) for name, values in ENUMS.items()}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        # migrations are snapshots of the schema as it was at each revision, by design (a later schema change is
        # a new revision, never an edit of an old one): tests/test_migrations.py checks they add up to the schema
        if path.name != "schema.py" and "migrations" not in path.relative_to(PACKAGE).parts:
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def _strings(node) -> list[str] | None:
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)) and node.elts:
        if all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
            return [e.value for e in node.elts]
    return None


def test_no_module_spells_out_a_list_of_claims_columns():
    """A literal list of three or more claims columns is a copy of the schema waiting to drift."""
    found = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            names = _strings(node)
            if names and len(names) >= 3 and set(names) <= COLUMNS:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {names}")
    assert not found, "\n".join(found)


def test_no_module_spells_out_a_vocabulary():
    """Roles, qualifiers, review states and measures come from the StrEnums: no literal list of them, and no
    comparison of a column with a literal value of its vocabulary."""
    found = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            names = _strings(node)
            if names and len(names) >= 2 and any(set(names) <= v for v in VOCABULARIES.values()):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {names}")
            if isinstance(node, ast.Compare):
                for side in [node.left, *node.comparators]:
                    if isinstance(side, ast.Constant) and any(side.value in v for v in VOCABULARIES.values()):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}: compares with {side.value!r}")
            if isinstance(node, ast.keyword) and node.arg in VOCABULARIES and isinstance(node.value, ast.Constant):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.arg}={node.value.value!r}")
    assert not found, "\n".join(found)


def test_the_walk_would_find_a_second_spelling(tmp_path):
    """The walk is not vacuous: it flags the very spellings it looks for."""
    tree = ast.parse('COLS = ["report", "value", "unit"]\nok = q == "at_least"\nf(role="stated")\n')
    lists = [n for n in ast.walk(tree) if _strings(n) and set(_strings(n)) <= COLUMNS]
    compares = [n for n in ast.walk(tree) if isinstance(n, ast.Compare)]
    keywords = [n for n in ast.walk(tree) if isinstance(n, ast.keyword) and n.arg in VOCABULARIES]
    assert len(lists) == 1 and len(compares) == 1 and len(keywords) == 1


def test_frame_round_trips_through_the_schema_types():
    df = extract(ROOT / "seeds")
    from indicators.export import frame_csv
    back = pd.read_csv(__import__("io").StringIO(frame_csv(df)), keep_default_na=False, na_values={
        "value_low": [""], "value_high": [""]})
    assert back["value"].tolist() == df["value"].tolist()
    assert back["char_start"].tolist() == df["char_start"].tolist()
