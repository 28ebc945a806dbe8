"""A bound set by an analyst is a bound everywhere: a claim corrected to "at least 100" is drawn as a one-sided
marker, downloads with value_low = 100, and no longer conflicts with another source's 150."""
from pathlib import Path

import pandas as pd
import pytest
from browserkit import wait_for as _wait

from indicators.dashboard.app import create_app
from indicators.pipeline import ingest_paths
from indicators.store import Store

# two sources, one month: 100 and 150 registered cybercrimes cannot both be exact
REPORTS = {
    "bounds_a_2022_02.txt": "Security review (February 2022)\n\nAccording to the Ministry of Internal Affairs, "
                            "100 cybercrimes were registered in January 2022.\n",
    "bounds_b_2022_03.txt": "Security digest (March 2022)\n\nThe Prosecutor General's Office counted 150 "
                            "cybercrimes registered in January 2022.\n",
}


@pytest.fixture
def store(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for name, text in REPORTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    s = Store(f"sqlite:///{tmp_path / 'bounds.sqlite'}")
    list(ingest_paths([folder], s))
    return s


def _symbols(duo) -> dict:
    """value -> marker symbol of every point in the chart."""
    got = duo.driver.execute_script(
        "var g = document.querySelector('#chart .js-plotly-plot'); if (!g || !g.data) return [];"
        "return g.data.filter(t => (t.mode || '').includes('markers')).map(t => ({y: Array.from(t.y || []),"
        " s: t.marker && t.marker.symbol}));") or []
    out = {}
    for t in got:
        symbols = t["s"] if isinstance(t["s"], list) else [t["s"]] * len(t["y"])
        out.update(zip(t["y"], symbols))
    return out


def test_a_claim_corrected_to_at_least_100_is_a_bound_everywhere(dash_duo, store, shot):
    c = store.claims()
    assert sorted(c["value"]) == [100, 150]
    hundred = c[c["value"] == 100].iloc[0]
    dash_duo.start_server(create_app(store))
    dash_duo.driver.set_window_size(1280, 1000)

    # before: two sources disagree
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/?tab=conflicts")
    dash_duo.wait_for_contains_text("#conflicts-count", "1 groups", timeout=20)

    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/?tab=review&claim={hundred['report']}@{hundred['char_start']}")
    dash_duo.wait_for_contains_text("#review-title", "100", timeout=20)
    name = dash_duo.find_element("#reviewer")
    name.clear()
    name.send_keys("Olga")
    dash_duo.select_dcc_dropdown("#fix-qualifier", value="at least")
    dash_duo.find_element("#review-note").send_keys("the ministry counts only closed cases")
    dash_duo.find_element("#correct-button").click()
    dash_duo.wait_for_contains_text("#review-message", "Saved: corrected by Olga", timeout=15)

    # the chart draws it as a floor (a triangle pointing up), the other figure as a point
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/?tab=indicators&indicator=cybercrime.registered")
    dash_duo.wait_for_element("#chart .main-svg", timeout=20)
    _wait(lambda: _symbols(dash_duo).get(100) == "triangle-up")
    assert _symbols(dash_duo).get(150) == "circle"
    shot("bound-at-least")

    # the download carries the bound
    dash_duo.find_element("#download-button").click()
    target = Path(dash_duo.download_path) / "cybercrime.registered.csv"
    _wait(lambda: target.exists() and target.stat().st_size > 0, timeout=20)
    got = pd.read_csv(target, keep_default_na=False)
    row = got[got["value"] == 100].iloc[0]
    assert row["qualifier"] == "at_least" and float(row["value_low"]) == 100 and row["value_high"] == ""
    assert row["review"] == "corrected"

    # and "at least 100" agrees with 150: no conflict left
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/?tab=conflicts")
    dash_duo.wait_for_contains_text("#conflicts-count", "0 groups", timeout=20)
    assert dash_duo.get_logs() == []
