"""The learned linker: its weights file, the confidence it gives each claim, and learning from analysts' reviews."""
from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import pytest

from indicators import load_catalog
from indicators.errors import CatalogError
from indicators.linker import FEATURES, Linker, load_linker
from indicators.model import Report
from indicators.pipeline import extract, extract_report, ingest_paths
from indicators.store import Store
from indicators.train import run

ROOT = Path(__file__).parent.parent


def _claims(text: str, catalog=None):
    return extract_report(Report(id="r", path="", format="txt", text=text, title="Monthly report (October 2023)"),
                          catalog)


def test_the_shipped_weights_load_and_round_trip():
    linker = load_catalog().linker
    assert isinstance(linker, Linker) and len(linker.coef) == len(FEATURES)
    again = Linker.from_json(linker.to_json())
    x = [0.5] * len(FEATURES)
    assert again.probability(x, 0.3) == pytest.approx(linker.probability(x, 0.3), abs=1e-6)
    assert again.threshold == linker.threshold and again.learned.examples.keys() == linker.learned.examples.keys()


@pytest.mark.parametrize("content, says", [
    ("{not json", "not a linker weights file"),
    ('{"features": ["a"], "coef": [1], "intercept": 0}', "other features"),
    (json.dumps({"features": list(FEATURES), "coef": ["x"], "intercept": 0}), "not a linker"),
])
def test_a_bad_weights_file_is_a_clear_error(tmp_path, content, says):
    p = tmp_path / "linker.json"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(CatalogError, match=says):
        load_linker(p)


def test_a_catalog_beside_stale_weights_still_trains(tmp_path):
    """`indicators train` replaces weights that no longer load instead of failing on them."""
    cat = tmp_path / "catalog.yaml"
    cat.write_text((ROOT / "indicators" / "data" / "catalog.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "linker.json").write_text("{broken", encoding="utf-8")
    with pytest.raises(CatalogError):
        load_catalog(cat)
    assert load_catalog(cat, with_linker=False).linker is None


def test_every_attached_claim_carries_the_linkers_confidence():
    claims = extract(sorted((ROOT / "tests" / "golden" / "reports").glob("*.txt"))[:2])
    linked = claims[claims["indicator"] != ""]
    assert len(linked) > 5
    assert linked["confidence"].between(0, 1).all()
    assert claims.loc[claims["indicator"] == "", "confidence"].isna().all()
    assert (linked["confidence"] >= load_catalog().linker.threshold).all()  # below it, a figure stays unlinked


def test_rules_alone_when_the_catalog_says_so(tmp_path):
    text = (ROOT / "indicators" / "data" / "catalog.yaml").read_text(encoding="utf-8")
    cat = tmp_path / "catalog.yaml"
    cat.write_text(text.replace("  linker: linker.json", "  linker: none"), encoding="utf-8")
    catalog = load_catalog(cat)
    assert catalog.linker is None
    claims = _claims("Over 11 months, 14,400 cybercrimes were registered.", catalog)
    linked = [c for c in claims if c.indicator]
    assert [c.indicator for c in linked] == ["cybercrime.registered"] and linked[0].confidence is None


# A phrasing of conscription the catalog does not know: neither its words nor the gold sets name it so.
REVIEWED = """Monthly report (October 2023)

This autumn some 4,200 young people put on the uniform for their compulsory stint, the district offices said.

A year earlier about 3,900 young people put on the uniform for their compulsory stint.

In the spring round, 3,100 young people put on the uniform for their compulsory stint in the western regions.

The city council hired 14 people to repair bridges over the summer."""

LATER = """Monthly report (April 2024)

This spring close to 3,700 young people put on the uniform for their compulsory stint across the country.

The regional theatre staged 6 premieres."""


def test_training_on_reviews_changes_what_is_linked(tmp_path, db_url):
    """Correct a few claims of a new phrasing in a store, train on the reviews, and another report with that
    phrasing links; the figures that fit nothing stay unlinked."""
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "oct.txt").write_text(REVIEWED, encoding="utf-8")
    later = tmp_path / "later"
    later.mkdir()
    (later / "apr.txt").write_text(LATER, encoding="utf-8")
    before = extract([later])
    assert set(before["indicator"]) == {""}, "the phrasing must be new to the shipped linker for this test to mean anything"

    store = Store(db_url)
    list(ingest_paths([folder], store))
    claims = store.claims(columns=["report", "char_start", "surface", "indicator"])
    young = claims[claims["surface"].isin(["some 4,200", "about 3,900", "3,100"])]
    assert len(young) == 3 and set(young["indicator"]) == {""}
    for r in young.to_dict("records"):
        store.edit(r["report"], store.seq_of(r["report"], r["char_start"]), "correct", "analyst",
                   changes={"indicator": "personnel.conscription"})
    bridges = claims[claims["surface"] == "14"]
    store.edit(bridges["report"].iloc[0], store.seq_of(bridges["report"].iloc[0], bridges["char_start"].iloc[0]),
               "reject", "analyst")

    out = tmp_path / "linker.json"
    lines: list[str] = []
    linker = run(db=db_url, output=str(out), cv=False, echo=lines.append)
    assert out.is_file() and linker.trained["reviews"] == 4
    assert any("reviews in" in line and "4 reviewed figures" in line for line in lines)
    catalog = dataclasses.replace(load_catalog(), linker=load_linker(out))
    after = extract([later], catalog)
    got = after[after["surface"] == "close to 3,700"]
    assert got["indicator"].tolist() == ["personnel.conscription"]
    assert not math.isnan(got["confidence"].iloc[0]) and got["confidence"].iloc[0] >= linker.threshold
    assert after.loc[after["surface"] == "6", "indicator"].tolist() == [""]


def test_low_confidence_claims_wait_for_a_person(tmp_path, db_url):
    """Below the catalog's chart_confidence a claim is out of the chart and first in "extractor unsure";
    accepting it puts it on the chart; the Review tab counts the review as not yet learned from."""
    import sqlalchemy as sa

    from indicators.dashboard.views.indicators import view
    from indicators.dashboard.views.review import training_note
    from indicators.store import claims as claims_table

    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "seed.txt").write_text(sorted((ROOT / "seeds").glob("*.txt"))[0].read_text(encoding="utf-8"),
                                     encoding="utf-8")
    store = Store(db_url)
    list(ingest_paths([folder], store))
    catalog = load_catalog()
    linked = store.claims(columns=["report", "seq", "indicator", "confidence"])
    linked = linked[linked["indicator"] == "cybercrime.registered"].reset_index(drop=True)
    assert len(linked) >= 2 and linked["confidence"].notna().all()
    low, lower = linked.iloc[0], linked.iloc[1]
    with store.engine.begin() as conn:  # two figures the linker was unsure of
        for row, p in ((low, 0.4), (lower, 0.2)):
            conn.execute(sa.update(claims_table).where(claims_table.c.report == row["report"],
                                                       claims_table.c.seq == int(row["seq"])).values(confidence=p))
    store._writes += 1  # what an ingest does: cached counts are stale

    def charted() -> set[int]:
        df, _ = view(store, ["cybercrime.registered"], None, None, None, confident=catalog.chart_confidence)
        return set(store.claims(columns=["seq", "surface"]).merge(df[["surface"]])["seq"])

    on_chart = charted()
    assert int(low["seq"]) not in on_chart and int(lower["seq"]) not in on_chart
    queue, n = store.review_queue("unsure", limit=10, below=catalog.chart_confidence)
    assert n >= 2 and queue["confidence"].is_monotonic_increasing  # least sure first
    mine = queue.set_index("seq")["confidence"]
    assert mine[int(lower["seq"])] == pytest.approx(0.2) and mine[int(low["seq"])] == pytest.approx(0.4)

    before = store.reviews_since(catalog.linker.trained.get("reviews_until") or catalog.linker.trained["at"])
    store.edit(low["report"], int(low["seq"]), "accept", "analyst")
    assert int(low["seq"]) in charted() and int(lower["seq"]) not in charted()
    assert store.reviews_since(catalog.linker.trained.get("reviews_until") or catalog.linker.trained["at"]) == before + 1
    assert f"{before + 1:,} review" in training_note(store, catalog)


# ------------------------------------------------------------------------------------------------ the fast paths

def _unit_vector(rng, vocab: list[str], n: int) -> dict[str, float]:
    words = rng.sample(vocab, n)
    raw = {w: rng.choice([1e-3, 1.0, 7.0]) * rng.random() + 1e-9 for w in words}
    norm = math.sqrt(sum(v * v for v in raw.values()))
    return {w: v / norm for w, v in raw.items()}


@pytest.mark.parametrize("seed, indicators, sizes", [
    (1, 53, (5, 12, 40)),      # a catalog's size; texts shorter and longer than its vectors
    (2, 2, (1, 3, 90)),        # the fewest rows the matrix sums take
    (3, 1, (4, 30)),           # a one-indicator catalog: summed one by one
    (4, 120, (2, 60, 150)),    # a large catalog, a long paragraph
    (5, 30, (0, 7)),           # an empty text
])
def test_all_similarities_at_once_are_the_cosines_to_the_last_digit(seed, indicators, sizes):
    """The matrix that compares a text with every indicator's catalog words and learned profile at once gives
    exactly what cosine() gives one by one (the confidences written depend on the last digits), and so does the
    word evidence of every indicator; numpy summing pairwise somewhere would break this."""
    import random
    from types import SimpleNamespace

    from indicators.linker import _Space, _WordIndex, cosine, word_evidence

    rng = random.Random(seed)
    vocab = [f"stem{i}" for i in range(400)]
    ids = [f"ind{i}" for i in range(indicators)]
    prof = SimpleNamespace(ids=ids, vectors={k: _unit_vector(rng, vocab, rng.randint(1, 70)) for k in ids})
    learned = {k: _unit_vector(rng, vocab, rng.randint(1, 120)) for k in ids[::2]}  # some indicators learned nothing
    space = _Space(prof, learned)
    rows = [prof.vectors[k] for k in ids] + [learned.get(k, {}) for k in ids]
    words = {k: {s: rng.uniform(-2, 2) for s in rng.sample(vocab, rng.randint(1, 60))} for k in ids[1::2]}
    index = _WordIndex(words, prof)
    for n in sizes:
        for _ in range(5):
            q = _unit_vector(rng, vocab, n) if n else {}
            assert space.similarities(q) == [cosine(q, v) for v in rows]
            sentence = SimpleNamespace(sentence=dict.fromkeys(q, 1))
            assert index.evidence(q) == [word_evidence(sentence, words.get(k)) for k in ids]


@pytest.mark.parametrize("reports", ["tests/golden/reports", "tests/unseen8/reports", "seeds"])
def test_the_linkers_shortcuts_decide_as_ranking_every_candidate(reports):
    """link() scores only the rules' choice when it is likely enough, and looks for a candidate's items only
    when they could make it the best; ranking every candidate fully and deciding on that must agree with it
    on every figure: the same indicator (or none) and item, the same best guess for a figure left unlinked, the
    same probability to the last digit."""
    from indicators.ingest import read_report
    from indicators.linker import decide, link, rank
    from indicators.pipeline import analyse

    catalog = load_catalog()
    decided = 0
    for path in sorted((ROOT / reports).iterdir()):
        fast, full = analyse(read_report(path)), analyse(read_report(path))  # nothing remembered between the two
        for k in range(len(fast.mentions)):
            p, chosen, best = link(fast, catalog, k, catalog.linker)
            ranked = rank(full, catalog, k, catalog.linker)
            want_p, want = decide(ranked, catalog.linker.threshold)
            assert (p, getattr(chosen, "indicator", None)) == (want_p, getattr(want, "indicator", None))
            if chosen is None:  # the best guess named in the claim's notes
                assert getattr(best, "indicator", None) == (ranked[0][1].indicator if ranked else None)
            else:
                assert (chosen.item, chosen.where) == (want.item, want.where)
            decided += chosen is not None
    assert decided > 10
