"""Review and conflicts in a real headless Chromium: an analyst's correction reaches the chart and the CSV and
outlives a re-ingest; a rejection leaves the chart; revisions and conflicts are listed and drawn as vintages;
the minister's 20% is paired with the report's about 30%."""
from pathlib import Path

import pandas as pd
import pytest
from browserkit import wait_for as _wait
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
        "return g.data.filter(t => t.mode === 'markers').map(t => ({name: t.name, y: Array.from(t.y || [])}));") or []


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
    duo.wait_for_page(url=f"{duo.server_url}/?tab=indicators&indicator={indicator}")
    duo.wait_for_element("#chart .main-svg", timeout=20)


def test_a_correction_reaches_chart_and_csv_and_outlives_reingest(duo, store, folder, shot):
    report, start = _open_review(duo, store, 20357)
    value = duo.find_element("#fix-value")
    value.send_keys(Keys.CONTROL + "a", Keys.DELETE)
    value.send_keys("20500")
    duo.find_element("#review-note").send_keys("the ministry's table gives 20,500")
    duo.find_element("#correct-button").click()
    duo.wait_for_contains_text("#review-message", "Saved: corrected by Olga", timeout=15)
    duo.wait_for_contains_text("#history-table", "20500", timeout=15)
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
    duo.wait_for_contains_text("#history-table", "counted twice", timeout=15)
    duo.find_element("#history-table input[type=radio]").click()
    duo.find_element("#undo-button").click()
    duo.wait_for_contains_text("#review-message", "Saved: undone by Olga", timeout=15)
    _chart(duo)
    _wait(lambda: 9000 in _values(duo))
    assert duo.get_logs() == []


def test_conflicts_view_and_vintages_in_the_chart(duo, shot):
    duo.wait_for_page(url=f"{duo.server_url}/?tab=conflicts")
    duo.wait_for_contains_text("#conflicts-table", "revision", timeout=20)
    table = duo.find_element("#conflicts-table").text
    for text in ("revision", "conflict", "1870", "2140", "760", "1020", "Investigative Committee",
                 "cybercrimes were registered in the first quarter of 2022"):
        assert text in table, text
    duo.wait_for_contains_text("#conflicts-count", "2 groups", timeout=10)
    shot("conflicts")

    _chart(duo)
    _wait(lambda: 2140 in _values(duo))
    assert 1870 not in _values(duo)  # April's figure was revised in May: the latest is drawn
    duo.find_element("#vintages input[value=show]").click()
    _wait(lambda: _values(duo, earlier=True) == [1870])
    shot("vintages")
    assert duo.get_logs() == []


def test_the_ministers_20_percent_is_paired_with_about_30(duo, store, shot):
    duo.wait_for_page(url=f"{duo.server_url}/?tab=claims")
    duo.wait_for_contains_text("#claims-count", "claims match", timeout=20)
    box = duo.find_element('#claims-table th.dash-filter[data-dash-column="pair_kind"] input')
    box.send_keys("corrected by" + Keys.ENTER)
    duo.wait_for_contains_text("#claims-table", "20%", timeout=15)
    rows = [r.text for r in duo.find_elements("#claims-table tbody tr") if "20%" in r.text]
    assert rows, duo.find_element("#claims-table").text
    _, start30, _ = _claim(store, 30, indicator="personnel.male_service_share")
    assert any(f"@{start30}" in r and "corrected by" in r for r in rows)
    shot("pairs-in-table")
    assert duo.get_logs() == []
