"""The catalog is data: every unit parses, a user catalog adds an indicator without code, bad files say why."""
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

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


@pytest.mark.parametrize("body, message", [
    ("indicators:\n  - id: a\n    words: [x]\n  - id: b\n    lable: B\n    words: [y]\n",
     r"bad.yaml:4: indicator 'b': unknown key 'lable'; did you mean 'label'\?"),
    ("indicators:\n  - id: a\n    words: [x]\n    items:\n      - {name: T-72, alias: [T72]}\n",
     r"bad.yaml:2: indicator 'a', item 'T-72': unknown key 'alias'; did you mean 'aliases'\?"),
    ("indicators:\n  - id: a\n    words: [x]\n    examples: [one, two, three, four]\n", r"bad.yaml:2: .*1 to 3 sentences"),
    ("indicators:\n  - id: a\n    words: [x]\n    scope: page\n", r"bad.yaml:2: .*scope is clause, sentence or paragraph"),
    ("indicators:\n  - id: a\n    words: [x]\n    yields_to: [nope]\n", r"bad.yaml:2: .*yields_to names unknown"),
    ("indicators:\n  - id: a\n    words: [x]\n    stock_of: {nope: [new]}\n", r"bad.yaml:2: .*stock_of names unknown"),
    ("indicators:\n  - id: a\n    words: [x]\n    items:\n      - {name: S, pattern: 'S-(\\d'}\n",
     r"bad.yaml:2: .*pattern is not a regular expression"),
    ("indicator:\n  - id: a\n", r"expected a mapping with a list under 'indicators'"),
    ("indicators:\n  - id: a\n    words: [x]\ncities: []\nthemes: []\n", r"top level: unknown key 'themes'"),
    ("indicators:\n  - id: a\n   words: [x]\n", r"bad.yaml:3: not valid YAML"),
])
def test_a_bad_catalog_names_file_line_and_what_to_write(tmp_path, body, message):
    cat = tmp_path / "bad.yaml"
    cat.write_text(body, encoding="utf-8")
    with pytest.raises(CatalogError, match=message):
        load_catalog(cat)


@pytest.mark.parametrize("text, item", [
    ("Air defence destroyed 5 Shahed-136 drones.", "Shahed-136"),
    ("Air defence destroyed 5 Shahed‑136 drones.", "Shahed-136"),  # a non-breaking hyphen
    ("Air defence destroyed 5 Shahed 136 drones.", "Shahed-136"),
    ("Air defence destroyed 5 Geran-2 drones.", "Geran-2"),
    ("Air defence destroyed 5 Gerbera-7 drones.", "Gerbera"),  # an item's pattern
])
def test_hyphenated_designations_and_patterns_name_items(tmp_path, text, item):
    cat = tmp_path / "c.yaml"
    cat.write_text(textwrap.dedent("""
        indicators:
          - id: airspace.downed
            label: Drones downed
            unit: drone
            accepts: [drones, aircraft]
            words: [destroyed, shot down]
            item_required: true
            items:
              - {name: Shahed-136, aliases: [Shahed-136]}
              - {name: Geran-2, aliases: [Geran-2]}
              - {name: Gerbera, pattern: 'Gerbera-\\d+'}
    """), encoding="utf-8")
    report = tmp_path / "r.txt"
    report.write_text(f"Weekly bulletin (May 2024)\n\n{text}\n", encoding="utf-8")
    df = extract([report], catalog=cat)
    row = df[df["value"] == 5].iloc[0]
    assert row["indicator"] == "airspace.downed" and row["item"] == item


def test_shipped_examples_all_attach_and_every_indicator_has_one():
    from indicators.catalog.check import check
    report = check()
    assert report.ok, "\n".join(line for line in report.lines() if line.startswith("FAIL"))
    assert not report.without_examples, report.without_examples


def test_an_indicator_in_days_by_yaml_alone(tmp_path):
    """Durations are real pint time units: an indicator in days takes "15 days of administrative arrest", and a
    count beside it (people) stays out."""
    cat = tmp_path / "days.yaml"
    cat.write_text(textwrap.dedent("""
        indicators:
          - id: repression.arrest_days
            label: Days of administrative arrest
            unit: day
            description: Days of administrative arrest handed down.
            words: [administrative arrest]
            examples: ["The activist was given 15 days of administrative arrest."]
    """), encoding="utf-8")
    report = tmp_path / "r.txt"
    report.write_text("Weekly bulletin (May 2024)\n\nThe court gave him 15 days of administrative arrest. "
                      "Another 12 people were detained.\n", encoding="utf-8")
    df = extract([report], catalog=cat)
    days = df[df["indicator"] == "repression.arrest_days"]
    assert days[["value", "unit"]].values.tolist() == [[15.0, "day"]]
    assert df[df["value"] == 12]["indicator"].tolist() == [""]
    from indicators.units import quantity, unit_class
    assert unit_class("day") == "time" and quantity(2, "week").to("day").magnitude == 14


# ------------------------------------------------------------------ the phrase matcher's cheap pre-test
# Phrases skips its regular expression for a text none of whose words a phrase can start with; these hold the skip
# to the rule that it never changes an answer: whatever the pattern finds, the pre-test lets through.

@pytest.mark.parametrize("phrases, text, found", [
    (["air defence"], "They moved Air-Defence units east.", "Air-Defence"),
    (["air defence"], "the AIR   DEFENCE systems", "AIR   DEFENCE"),
    (["territorial defence"], "drawing some 450 reservists to territorial defences", "territorial defences"),
    (["Su-30SM"], "4 Su30SM fighters", "Su30SM"),
    (["Su-30SM"], "two Su 30SMs arrived", "Su 30SMs"),
    (["cyber-crime"], "cybercrimes rose", "cybercrimes"),
    (["B-2--A"], "a b2a flew", "b2a"),  # every hyphen may be left out
    (["B-2--A"], "a B-2-A flew", "B-2-A"),
    (["call-up campaign"], "the callup campaign ended", "callup campaign"),
    (["people's militia"], "the people\u2019s militia grew", "people\u2019s militia"),
    (["strong"], "a 75,000-strong army", "strong"),
    (["index"], "the \u0131ndex fell", "\u0131ndex"),  # dotless i: re matches it to i without re's help
    (["asset"], "frozen a\u017f\u017fets", "a\u017f\u017fets"),  # long s
    (["istanbul"], "talks in \u0130stanbul", "\u0130stanbul"),  # dotted capital I
    (["Mahilio\u00fa"], "in MAHILIO\u00da region", "MAHILIO\u00da"),  # not ASCII: always scanned
    # distractors: the pattern does not match, and neither may the pre-test invent a match
    (["air defence"], "anti-air defence", None),
    (["aircraft"], "anti-aircraft guns", None),
    (["defence"], "defenceless towns", None),
    (["Su-30SM"], "Su-30SMK units", None),
    (["crime"], "no cybercrime here", None),
    (["tank"], "the tanker left", None),
])
def test_phrases_find_what_their_pattern_finds(phrases, text, found):
    from indicators.catalog import Phrases

    hit = Phrases(phrases).first(text)  # on folded text: its offsets are the text's
    assert (text[hit.start():hit.end()] if hit else None) == found
    assert (Phrases(phrases).rx.search(text).group() if found else Phrases(phrases).rx.search(text)) == found


def test_the_pre_test_folds_every_character_re_matches_to_an_ascii_letter():
    """Every code point that re.IGNORECASE matches to an ASCII letter or digit becomes that letter in text_tokens."""
    import re
    import sys

    from indicators.catalog import text_tokens

    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    ascii_alnum = "abcdefghijklmnopqrstuvwxyz0123456789"
    matched = set(re.findall(r"[a-z0-9]", every, re.I))
    assert {c for c in matched if not c.isascii()} >= {"\u0130", "\u0131", "\u017f", "\u212a"}
    for c in matched:
        for a in ascii_alnum:
            if re.fullmatch(a, c, re.I):
                assert text_tokens(f" {c} ") == {a}, (hex(ord(c)), a)


_PHRASE_WORD = st.text(alphabet="abyzAB19-'", min_size=1, max_size=6).filter(lambda w: w[0].isalnum())


@settings(max_examples=600, deadline=None)
@given(words=st.lists(_PHRASE_WORD, min_size=1, max_size=3),
       pieces=st.lists(st.sampled_from(["a", "b", "y", "z", "A", "B", "1", "9", "-", "'", "\u2019", " ", "  ", "s",
                                        "es", "\u0131", "\u017f", "\u0130", "\u2010", "_", "\u00e9", ".", "\n"]),
                       max_size=24))
def test_the_pre_test_never_hides_a_match(words, pieces):
    """Whatever text the phrase's pattern matches in, its tokens meet the phrase's (so the skip loses nothing)."""
    from indicators.catalog import Phrases, phrase_tokens, text_tokens

    phrase = " ".join(words)
    p = Phrases([phrase])
    # texts built from the phrase's own letters, dashes, apostrophes and plural endings, and from pieces
    for text in ("".join(pieces), phrase + "".join(pieces), "".join(pieces) + phrase.upper(),
                 "".join(pieces[:3]) + phrase.replace("-", "") + "".join(pieces[3:])):
        slow = p.rx.search(text)
        if slow:
            assert not phrase_tokens([phrase]).isdisjoint(text_tokens(text)), (phrase, text)
        fast = p.first(text)  # the caseless pattern on folded text finds the same span
        assert (fast.span() if fast else None) == (slow.span() if slow else None), (phrase, text)


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(st.sampled_from(["called up", "Called-Up", "reservists", "RESERVIST", "drones", "drone",
                                        "cyber crimes", "cybercrime", "budget", "Budgets", "\u0130", "\u017f", " ",
                                        ",", "-", "training camps", "not", "political prisoners", "50"]), max_size=12))
def test_the_phrase_index_holds_every_group_that_matches(pieces):
    """PhraseIndex.possible(text) holds every `require` group and term of the catalog that matches the text."""
    from indicators.catalog import load_catalog

    catalog = load_catalog()
    text = " ".join(pieces)
    possible = catalog.phrase_index.possible(text)
    for ind in catalog.indicators:
        for group in (*ind.require, *(p for p, _ in ind.terms)):
            if group.rx is not None and group.rx.search(text):
                assert group in possible, (ind.id, group, text)
