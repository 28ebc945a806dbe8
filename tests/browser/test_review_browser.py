"""Review and conflicts in a real headless Chromium: an analyst's correction reaches the chart and the CSV and
outlives a re-ingest; a rejection leaves the chart; revisions and conflicts are listed and drawn as vintages;
the minister's 20% is paired with the report's about 30%."""
from pathlib import Path

import pandas as pd
import pytest
from browserkit import click_row, grid_filter, grid_rows, wait_for as _wait
from selenium.webdriver.common.keys import Keys

from indicators.dashboard.app import create_app
from indicators.pipeline import ingest_paths
from indicators.store import Store

ROOT = Path(__file__).parent.parent.parent


@pytest.fixture
def folder(tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    for p in list((ROOT / "seeds").glob("*.txt")) + list((ROOT / "tests" / "conflicts").glob("*.txt")):
        (out / p.name).write_bytes(p.read_bytes())
    return out


@pytest.fixture
def store(tmp_path, folder):
    s = Store(f"sqlite:///{tmp_path / 'review.sqlite'}")
    list(ingest_paths([folder], s))
    return s


@pytest.fixture
def duo(dash_duo, store):
    dash_duo.start_server(create_app(store))
    dash_duo.driver.set_window_size(1280, 1000)
    dash_duo.wait_for_element("#chart .main-svg", timeout=20)
    return dash_duo




def _traces(duo):
    return duo.driver.execute_script(
        "var g = document.querySelector('#chart .js-plotly-plot');"
        "if (!g || !g.data) return [];"
        "return g.data.filter(t => t.mode === 'markers' && t.legendgroup !== 'shapes')"
        ".map(t => ({name: t.name, y: Array.from(t.y || [])}));") or []


def _values(duo, earlier=False):
    return sorted(y for t in _traces(duo) if (t["name"] or "").startswith("earlier") == earlier for y in t["y"])


def _claim(store, value, indicator="cybercrime.registered"):
    c = store.claims()
    row = c[(c["indicator"] == indicator) & (c["value"] == value)].iloc[0]
    return row["report"], int(row["char_start"]), row["surface"]


def _open_review(duo, store, value, **kw):
    report, start, surface = _claim(store, value, **kw)
    duo.wait_for_page(url=f"{duo.server_url}/?tab=review&claim={report}@{start}")
    duo.wait_for_contains_text("#review-title", surface, timeout=20)
    name = duo.find_element("#reviewer")
    name.clear()
    name.send_keys("Olga")
    return report, start


def _chart(duo, indicator="cybercrime.registered"):
    duo.wait_for_page(url=f"{duo.server_url}/?tab=indicators&indicator={indicator}&period=all")
    duo.wait_for_element("#chart .main-svg", timeout=20)


def test_a_correction_reaches_chart_and_csv_and_outlives_reingest(duo, store, folder, shot):
    report, start = _open_review(duo, store, 20357)
    value = duo.find_element("#fix-value")
    value.send_keys(Keys.CONTROL + "a", Keys.DELETE)
    value.send_keys("20500")
    duo.find_element("#review-note").send_keys("the ministry's table gives 20,500")
    duo.find_element("#correct-button").click()
    duo.wait_for_contains_text("#review-message", "Saved: corrected by Olga", timeout=15)
    duo.wait_for_contains_text("#history-grid", "value 20,357 → 20,500", timeout=15)
    row = grid_rows(duo, "history-grid")[0]
    assert row["author"] == "Olga" and len(row["when"]) == len("2026-01-01 10:00 UTC")  # to the minute
    shot("review-correction")

    _chart(duo)
    _wait(lambda: 20500 in _values(duo) and 20357 not in _values(duo))
    duo.find_element("#download-button").click()
    target = Path(duo.download_path) / "cybercrime.registered.csv"
    _wait(lambda: target.exists() and target.stat().st_size > 0, timeout=20)
    got = pd.read_csv(target, keep_default_na=False)
    row = got[got["value"] == 20500]
    assert len(row) == 1 and row["review"].iloc[0] == "corrected" and 20357 not in set(got["value"])

    # the report is re-ingested in a new version whose offsets moved: the correction stays
    path = folder / f"{report}.txt"
    text = path.read_text(encoding="utf-8")
    title, rest = text.split("\n", 1)
    path.write_text(title + "\n\nCorrigendum: this issue was re-issued with a new foreword.\n" + rest, encoding="utf-8")
    assert [r.status for _, r in ingest_paths([path], store)] == ["replaced"]
    _chart(duo)
    _wait(lambda: 20500 in _values(duo) and 20357 not in _values(duo))
    assert store.orphans() == []
    assert duo.get_logs() == []


def test_a_rejected_claim_leaves_the_chart_and_undo_brings_it_back(duo, store, shot):
    _open_review(duo, store, 9000)
    duo.find_element("#review-note").send_keys("counted twice")
    duo.find_element("#reject-button").click()
    duo.wait_for_contains_text("#review-message", "Saved: rejected by Olga", timeout=15)
    _chart(duo)
    _wait(lambda: 9000 not in _values(duo) and 10000 in _values(duo))

    _open_review(duo, store, 9000)
    duo.wait_for_contains_text("#history-grid", "counted twice", timeout=15)
    click_row(duo, "history-grid", "counted twice", "note")
    duo.find_element("#undo-button").click()
    duo.wait_for_contains_text("#review-message", "Saved: undone by Olga", timeout=15)
    _chart(duo)
    _wait(lambda: 9000 in _values(duo))
    assert duo.get_logs() == []


def test_conflicts_view_and_vintages_in_the_chart(duo, shot):
    duo.wait_for_page(url=f"{duo.server_url}/?tab=conflicts")
    duo.wait_for_contains_text("#conflicts-grid", "revision", timeout=20)
    table = " ".join(" ".join(r.values()) for r in grid_rows(duo, "conflicts-grid"))
    for text in ("revision", "conflict", "1,870", "2,140", "760", "1,020", "Investigative Committee",
                 "cybercrimes were registered in the first quarter of 2022"):
        assert text in table, text
    duo.wait_for_contains_text("#conflicts-count", "2 groups", timeout=10)
    # a chart of each group's figures by report month: a panel per group
    panels = _wait(lambda: duo.driver.execute_script(
        "var g = document.querySelector('#conflicts-chart .js-plotly-plot');"
        "return g && g.data && new Set(g.data.map(t => t.yaxis)).size;"))
    assert panels == 2
    shot("conflicts")

    _chart(duo)
    _wait(lambda: 2140 in _values(duo))
    assert 1870 not in _values(duo)  # April's figure was revised in May: the latest is drawn
    duo.find_element("#vintages input[value=show]").click()
    _wait(lambda: _values(duo, earlier=True) == [1870])
    shot("vintages")
    assert duo.get_logs() == []


def test_accepting_one_side_of_a_conflict_rejects_the_other(duo, store, shot):
    duo.wait_for_page(url=f"{duo.server_url}/?tab=conflicts")
    duo.wait_for_contains_text("#conflicts-grid", "conflict", timeout=20)
    name = duo.find_element("#conflict-reviewer")
    name.clear()
    name.send_keys("Olga")
    rows = grid_rows(duo, "conflicts-grid")
    group = [r for r in rows if r["kind"] == "conflict"]
    assert len(group) >= 2
    chosen = group[0]["figure"]
    click_row(duo, "conflicts-grid", group[0]["sentence"][:40], "figure")
    duo.find_element("#conflict-accept").click()
    duo.wait_for_contains_text("#conflict-message", "Saved: accepted", timeout=15)
    assert "rejected" in duo.find_element("#conflict-message").text
    c = store.claims()
    decided = c[c["review"] != "unreviewed"]
    assert set(decided["review"]) == {"accepted", "rejected"}
    assert decided[decided["review"] == "accepted"]["surface"].tolist() == [chosen]
    # the rejected side leaves the conflict: the group is no longer listed
    _wait(lambda: all(r["figure"] != chosen for r in grid_rows(duo, "conflicts-grid") if r["kind"] == "conflict"))
    shot("conflict-decided")
    assert duo.get_logs() == []


def test_the_review_queue_shows_sentences_and_a_handled_claim_leaves_it(duo, store, shot):
    duo.wait_for_page(url=f"{duo.server_url}/?tab=review")
    duo.wait_for_contains_text("#queue-count", "claims in this queue", timeout=20)
    before = int(duo.find_element("#queue-count").text.split()[0].replace(",", ""))
    duo.wait_for_contains_text("#training-note", "since the linker was last trained", timeout=10)
    unlearned = int(duo.find_element("#training-note").text.split()[0].replace(",", ""))
    rows = _wait(lambda: grid_rows(duo, "queue-grid") or None)
    marks = duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#queue-grid mark.figure')).map(m => m.textContent);")
    assert len(marks) == len(rows) and all(r["surface"] in r["sentence"] for r in rows)
    first = rows[0]
    click_row(duo, "queue-grid", first["sentence"][:40], "surface")
    duo.wait_for_contains_text("#review-title", first["surface"], timeout=15)
    name = duo.find_element("#reviewer")
    name.clear()
    name.send_keys("Olga")
    duo.find_element("#accept-button").click()
    duo.wait_for_contains_text("#review-message", "Saved: accepted by Olga", timeout=15)
    duo.wait_for_text_to_equal("#queue-count", f"{before - 1:,} claims in this queue", timeout=15)
    duo.wait_for_contains_text("#training-note", f"{unlearned + 1:,} review", timeout=15)  # not yet learned from
    shot("review-queue")
    assert duo.get_logs() == []


def test_the_ministers_20_percent_is_paired_with_about_30(duo, store, shot):
    duo.wait_for_page(url=f"{duo.server_url}/?tab=claims")
    duo.wait_for_contains_text("#claims-count", "claims match", timeout=20)
    grid_filter(duo, "claims-grid", "pair_kind", "corrected by")
    rows = _wait(lambda: [r for r in grid_rows(duo, "claims-grid") if r.get("surface") == "20%"])
    _, start30, _ = _claim(store, 30, indicator="personnel.male_service_share")
    assert any(f"@{start30}" in r["pair_kind"] and "corrected by" in r["pair_kind"] for r in rows)
    shot("pairs-in-table")
    assert duo.get_logs() == []
