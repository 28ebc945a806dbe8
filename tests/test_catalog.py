"""The catalog is data: every unit parses, a user catalog adds an indicator without code, bad files say why."""
import textwrap
from pathlib import Path

import pytest

from indicators import extract, load_catalog
from indicators.errors import CatalogError
from indicators.units import parse_unit, unit_class

CATALOG = load_catalog()


@pytest.mark.parametrize("ind", CATALOG.indicators, ids=[i.id for i in CATALOG.indicators])
def test_every_unit_parses_in_the_registry(ind):
    parse_unit(ind.unit)
    for noun in ind.nouns:  # what it accepts is of its own class (nouns for counts, currencies for money)
        assert unit_class(noun) == unit_class(ind.unit), noun
    for item in ind.items:
        for u in item.units + ((item.unit,) if item.unit else ()):
            assert unit_class(u) == "count"
    assert ind.require, "an indicator needs words that name it"
    assert ind.label and ind.theme and ind.description


def test_fixed_ids_of_the_contract_are_all_there():
    ids = {i.id for i in CATALOG.indicators}
    assert {"cybercrime.registered", "personnel.training_callup", "procurement.units", "csto.budget",
            "civil.chat_audience_to_police_ratio", "mic.smic_enterprises"} <= ids
    assert len(ids) == len(CATALOG.indicators)


def test_sources_are_canonicalised():
    assert CATALOG.canonical_source("the head of the Ministry of Defence of Belarus") == "Minister of Defence"
    assert CATALOG.canonical_source("the Defence Ministry") == "Ministry of Defence"
    assert CATALOG.canonical_source("the prosecutor general’s office") == "Prosecutor General's Office"
    assert CATALOG.canonical_source("a blogger") == ""


def test_a_user_catalog_adds_an_indicator_without_code(tmp_path):
    cat = tmp_path / "mine.yaml"
    cat.write_text(textwrap.dedent("""
        indicators:
          - id: drones.shot_down
            label: Drones shot down
            theme: Air defence
            unit: aircraft
            description: Drones shot down by air defence.
            require: [[drone, drones, UAV, UAVs]]
            terms: {shot down: 2, downed: 2}
    """), encoding="utf-8")
    report = tmp_path / "r.txt"
    report.write_text("Monthly report (May 2022)\n\nAir defence units shot down 14 drones in May. "
                      "The army bought 20 trucks.\n", encoding="utf-8")
    df = extract([report], catalog=cat)
    row = df[df["indicator"] == "drones.shot_down"].iloc[0]
    assert row["value"] == 14 and row["period_start"] == "2022-05-01"
    assert set(df["indicator"]) == {"drones.shot_down", ""}  # the trucks fit no indicator but stay in the table
    assert (df["value"] == 20).any()


@pytest.mark.parametrize("body, message", [
    ("indicators: [{label: x}]", "has no 'id'"),
    ("indicators:\n  - {id: a, unit: 'per cent per', require: [[x]]}", "unknown unit"),
    ("indicators:\n  - {id: a, unit: count}", "needs at least one group of 'words'"),
    ("indicators:\n  - {id: a, require: ['@nope']}", "unknown phrase group"),
    ("indicators:\n  - {id: a, require: [[x]]}\n  - {id: a, require: [[y]]}", "defined twice"),
    ("indicators: [", "not valid YAML"),
    ("just text", "expected a mapping"),
])
def test_bad_catalogs_say_what_is_wrong(tmp_path, body, message):
    cat = tmp_path / "bad.yaml"
    cat.write_text(body, encoding="utf-8")
    with pytest.raises(CatalogError, match=message):
        load_catalog(cat)


def test_missing_catalog_file(tmp_path):
    with pytest.raises(CatalogError, match="cannot read"):
        load_catalog(tmp_path / "nope.yaml")


def test_claim_units_are_pint_quantities():
    from indicators.units import quantity

    df = extract([Path(__file__).parent.parent / "seeds"])
    for row in df.itertuples():
        q = quantity(row.value, row.unit)
        assert q.magnitude == row.value
    assert str(quantity(3, "person").to("count")) == "3 count"
    assert quantity(20, "percent").to("ratio").magnitude == 0.2
    with pytest.raises(Exception):
        quantity(1, "USD").to("BYN")  # currencies never silently convert
