"""The dashboard in a real headless Chromium: charts, disputes, upload, download, shareable URLs."""
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
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'browser.sqlite'}")
    list(ingest_paths([ROOT / "seeds"], s))
    return s


@pytest.fixture
def started(dash_duo, store):
    app = create_app(store)
    dash_duo.start_server(app)
    dash_duo.driver.set_window_size(1280, 900)
    dash_duo.wait_for_element("#chart .main-svg", timeout=20)
    return dash_duo


def _plot_data(duo, graph_id):
    """The traces as plain lists (plotly keeps numbers in typed arrays)."""
    return duo.driver.execute_script(
        f"var g = document.querySelector('#{graph_id} .js-plotly-plot');"
        "if (!g || !g.data) return null;"
        "return g.data.map(t => ({mode: t.mode, x: Array.from(t.x || []).map(String), y: Array.from(t.y || []),"
        " hovertext: Array.from(t.hovertext || [])}));")




def _points(duo):
    data = _plot_data(duo, "chart") or []
    return [(y, text) for t in data if t.get("mode") == "markers" for y, text in zip(t["y"], t["hovertext"])]


def test_cybercrime_chart_draws_four_seed_points_with_their_periods(started, shot):
    duo = started
    duo.select_dcc_dropdown("#indicator", value="Crime and policing · Registered cybercrimes")
    points = _wait(lambda: sorted(_points(duo)) if len(_points(duo)) == 4 else None)
    assert [y for y, _ in points] == [9000, 10000, 20357, 25000]
    periods = {y: text.split("period ")[1].split("<br>")[0] for y, text in points}
    assert periods == {9000: "2019-01-01 – 2019-11-30", 10000: "2019-01-01 – 2019-12-31",
                       20357: "2020-01-01 – 2020-11-30", 25000: "2020-01-01 – 2020-12-31"}
    assert "indicator=cybercrime.registered" in duo.driver.current_url
    shot("indicators")
    assert duo.get_logs() == []


def test_stated_versus_corrected_shows_the_ministers_20_beside_about_30(started, shot):
    duo = started
    duo.find_element("#tab-disputes").click()
    duo.wait_for_contains_text("#pairs-table", "about 30%", timeout=15)
    row = duo.find_element("#pairs-table tbody tr:nth-child(2)").text
    assert "20%" in row and "about 30%" in row and "Minister of Defence" in row
    xs = _wait(lambda: sorted(float(x) for t in (_plot_data(duo, "pairs-chart") or [])
                              if t.get("mode") == "markers+text" for x in t["x"]))
    assert xs == [20, 30]
    shot("stated-vs-corrected")
    assert duo.get_logs() == []


def test_upload_adds_claims_to_chart_and_table(started, tmp_path, shot):
    duo = started
    report = tmp_path / "march_2021.md"
    report.write_text("# Monthly report (March 2021)\n\nAccording to the Ministry of Internal Affairs, 3,917 "
                      "cybercrimes were registered for two months of this year.\n", encoding="utf-8")
    duo.find_element("#tab-add").click()
    duo.find_element("#upload input[type=file]").send_keys(str(report))
    duo.wait_for_contains_text("#upload-result", "added", timeout=20)
    shot("add-report")
    duo.wait_for_page(url=f"{duo.server_url}/?tab=indicators&indicator=cybercrime.registered")
    points = _wait(lambda: _points(duo) if len(_points(duo)) == 5 else None)
    assert 3917 in [y for y, _ in points]
    duo.find_element("#tab-claims").click()
    box = duo.find_element('#claims-table th.dash-filter[data-dash-column="report"] input')
    box.send_keys("march" + Keys.ENTER)
    duo.wait_for_contains_text("#claims-table", "march_2021", timeout=15)
    assert "3917" in duo.find_element("#claims-table").text
    duo.wait_for_text_to_equal("#claims-count", "1 claims match")
    assert duo.get_logs() == []


def test_download_button_file_holds_exactly_the_filtered_rows(started, store, shot):
    duo = started
    duo.wait_for_page(url=f"{duo.server_url}/?indicator=personnel.male_service_share")
    _wait(lambda: len(_points(duo)) == 3)
    duo.find_element("#roles input[value=stated]").click()  # untick "stated"
    _wait(lambda: len(_points(duo)) == 2)
    duo.find_element("#download-button").click()
    target = Path(duo.download_path) / "personnel.male_service_share.csv"
    _wait(lambda: target.exists() and target.stat().st_size > 0, timeout=20)
    got = pd.read_csv(target, keep_default_na=False)
    want = store.claims(indicator="personnel.male_service_share")
    want = want[want["role"] != "stated"]
    assert sorted(got["value"]) == sorted(want["value"]) == [10.0, 30.0]
    assert set(got["role"]) == {"corrected"}
    assert duo.get_logs() == []


def test_reloading_a_shared_url_restores_the_view(started, shot):
    duo = started
    duo.wait_for_page(url=f"{duo.server_url}/?tab=indicators&indicator=csto.budget&x=report_month&colour=source")
    duo.wait_for_element("#chart .main-svg", timeout=20)
    _wait(lambda: [y for y, _ in _points(duo)] == [7000000])
    assert duo.find_element("#xaxis input[value=report_month]").is_selected()
    assert duo.find_element("#colour input[value=source]").is_selected()
    duo.wait_for_page(url=f"{duo.server_url}/?tab=report&report=001_d97b0e28c27e0c49")
    duo.wait_for_contains_text("#report-text", "less than 7 million USD", timeout=15)
    assert duo.find_element("#panel-report").is_displayed() and not duo.find_element("#panel-indicators").is_displayed()
    assert len(duo.find_elements("#report-text mark")) >= 15
    shot("report")
    duo.find_element("#tab-claims").click()
    duo.wait_for_contains_text("#claims-count", "claims match", timeout=15)
    shot("claims")
    assert duo.get_logs() == []
