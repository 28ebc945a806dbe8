"""The dashboard in a real headless Chromium: series one period length at a time, derived monthly values,
readable grids, links that keep their promises (URL state, report links), downloads and exports, the weight
of the first page, and screenshots of every view at two screen sizes."""
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
from browserkit import grid_filter, grid_rows, wait_for as _wait
from selenium.webdriver.common.action_chains import ActionChains

from indicators.dashboard.app import TABS, create_app
from indicators.pipeline import ingest_paths
from indicators.store import Store

ROOT = Path(__file__).parent.parent.parent
SCREENSHOTS = ROOT / "tests" / "screenshots"

# two months of one series given cumulatively from January, by the same source: February follows
MONITOR = {
    "monitor_2021_02.txt": "Security monitor (February 2021)\n\nAccording to the Ministry of Internal Affairs, 1,800 "
                           "cybercrimes were registered in January 2021.\n",
    "monitor_2021_03.txt": "Security monitor (March 2021)\n\nAccording to the Ministry of Internal Affairs, 3,917 "
                           "cybercrimes were registered in the first two months of 2021.\n",
}


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'browser.sqlite'}")
    folder = tmp_path / "reports"
    folder.mkdir()
    for p in (ROOT / "seeds").glob("*.txt"):
        (folder / p.name).write_bytes(p.read_bytes())
    for name, text in MONITOR.items():
        (folder / name).write_text(text, encoding="utf-8")
    list(ingest_paths([folder], s))
    return s


@pytest.fixture
def started(dash_duo, store):
    dash_duo.start_server(create_app(store))
    dash_duo.driver.set_window_size(1366, 900)
    dash_duo.wait_for_element("#chart .main-svg", timeout=20)
    return dash_duo


def _plot_data(duo, graph_id):
    """The traces as plain lists (plotly keeps numbers in typed arrays)."""
    return duo.driver.execute_script(
        f"var g = document.querySelector('#{graph_id} .js-plotly-plot');"
        "if (!g || !g.data) return null;"
        "return g.data.map(t => ({mode: t.mode, name: t.name, group: t.legendgroup, yaxis: t.yaxis,"
        " x: Array.from(t.x || []).map(String), y: Array.from(t.y || []),"
        " symbol: [].concat(t.marker && t.marker.symbol || []), hovertext: Array.from(t.hovertext || []),"
        " customdata: Array.from(t.customdata || [])}));")


def _points(duo):
    data = _plot_data(duo, "chart") or []
    return [(y, text) for t in data if t.get("mode") == "markers" and t.get("group") != "shapes"
            for y, text in zip(t["y"], t["hovertext"])]


def _values(duo):
    return sorted(y for y, _ in _points(duo))


def _open(duo, query):
    duo.wait_for_page(url=f"{duo.server_url}/{query}")
    duo.wait_for_element("#chart .main-svg", timeout=20)


def _query(duo) -> dict:
    return parse_qs(urlparse(duo.driver.current_url).query)


def test_one_period_length_at_a_time_with_a_control_to_choose(started, shot):
    duo = started
    _open(duo, "?indicator=cybercrime.registered")
    # monthly figures by default (January 2021, and February derived from two cumulative ones); annual totals
    # and January-to-November figures are other series, one choice away
    _wait(lambda: _values(duo) == [1800, 2117])
    duo.find_element("#period input[value=year]").click()
    _wait(lambda: _values(duo) == [10000, 25000])
    duo.find_element("#period input[value=ytd]").click()
    _wait(lambda: _values(duo) == [3917, 9000, 20357])
    assert _query(duo)["period"] == ["ytd"]
    duo.find_element("#period input[value=all]").click()
    points = _wait(lambda: _points(duo) if len(_points(duo)) >= 6 else None)
    periods = {y: text.split("period ")[1].split("<br>")[0] for y, text in points}
    assert periods[9000] == "2019-01-01 – 2019-11-30" and periods[25000] == "2020-01-01 – 2020-12-31"
    # the legend explains marker shapes; colour is by item by default
    legend = duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#chart .legendtext')).map(t => t.textContent);")
    assert "over / at least" in legend and "exact" in legend
    assert duo.find_element("#colour input[value=item]").is_selected()
    # month ticks never repeat
    ticks = duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#chart .xtick text')).map(t => t.textContent);")
    assert len(ticks) == len(set(ticks)), ticks
    shot("indicators-all-lengths")
    assert duo.get_logs() == []


def test_two_months_year_to_date_give_a_derived_february_whose_hover_names_both_claims(started, store, shot):
    duo = started
    _open(duo, "?indicator=cybercrime.registered&period=month")
    trace = _wait(lambda: next((t for t in _plot_data(duo, "chart") or [] if t["mode"] == "markers"
                                and t["group"] != "shapes" and any(s.startswith("star") for s in t["symbol"])), None))
    k = next(i for i, s in enumerate(trace["symbol"]) if s.startswith("star"))
    assert trace["y"][k] == 2117 and trace["x"][k].startswith("2021-02-1")
    c = store.claims(indicator="cybercrime.registered")
    ids = {f"{r.report}@{r.char_start}" for r in c.itertuples() if r.value in (1800, 3917)}
    assert set(trace["customdata"][k][2].split("; ")) == ids
    # hover the star: the tooltip names both claims and their reports
    index = next(i for i, t in enumerate(_plot_data(duo, "chart")) if t["customdata"] == trace["customdata"])
    star = duo.driver.execute_script(
        "return document.querySelectorAll('#chart .scatterlayer .trace')[arguments[0]]"
        ".querySelectorAll('.points path')[arguments[1]];", index, k)
    ActionChains(duo.driver).move_to_element(star).perform()
    hover = _wait(lambda: duo.driver.execute_script(
        "var h = document.querySelector('#chart .hoverlayer'); return h && h.textContent;"))
    for cid in ids:
        assert cid in hover
    assert "Security monitor (February 2021)" in hover and "Security monitor (March 2021)" in hover
    assert "derived monthly value" in " ".join(t["name"] or "" for t in _plot_data(duo, "chart"))
    shot("derived-monthly")
    # the CSV of the view carries the derived row with both claims as provenance; the store never holds it
    duo.find_element("#download-button").click()
    target = Path(duo.download_path) / "cybercrime.registered.csv"
    _wait(lambda: target.exists() and target.stat().st_size > 0, timeout=20)
    got = pd.read_csv(target, keep_default_na=False)
    row = got[got["derived"] == "yes"]
    assert len(row) == 1 and row["value"].iloc[0] == 2117 and set(row["derived_from"].iloc[0].split("; ")) == ids
    assert 2117 not in set(store.claims()["value"])
    assert duo.get_logs() == []


def test_the_readme_url_with_items_round_trips_and_every_control_is_in_the_url(started, shot):
    duo = started
    _open(duo, "?tab=indicators&indicator=budget.defence_growth&items=military")
    _wait(lambda: _values(duo) == [31])
    assert "military" in duo.find_element("#items").text
    duo.driver.refresh()
    duo.wait_for_element("#chart .main-svg", timeout=20)
    _wait(lambda: _values(duo) == [31])
    assert _query(duo)["items"] == ["military"]
    # every control: sources, roles, vintages, axis, period length, colour, compared indicators, layout
    full = ("?indicator=cybercrime.registered&also=cybercrime.property_share&layout=multiples"
            "&sources=Ministry+of+Internal+Affairs&roles=reported&roles=corrected&vintages=show&x=report_month"
            "&period=ytd&colour=source")
    _open(duo, full)
    _wait(lambda: _values(duo) == [90, 3917, 9000, 20357])
    assert duo.find_element("#xaxis input[value=report_month]").is_selected()
    assert duo.find_element("#colour input[value=source]").is_selected()
    assert duo.find_element("#layout input[value=multiples]").is_selected()
    assert duo.find_element("#period input[value=ytd]").is_selected()
    assert duo.find_element("#vintages input[value=show]").is_selected()
    assert not duo.find_element("#roles input[value=stated]").is_selected()
    assert "Ministry of Internal Affairs" in duo.find_element("#sources").text
    assert len({t["yaxis"] for t in _plot_data(duo, "chart") if t["group"] != "shapes"}) == 2  # cases and %
    q = _query(duo)
    assert q["also"] == ["cybercrime.property_share"] and q["roles"] == ["reported", "corrected"]
    assert q["sources"] == ["Ministry of Internal Affairs"] and q["vintages"] == ["show"]
    # changing a control writes the URL
    duo.find_element("#colour input[value=role]").click()
    _wait(lambda: _query(duo).get("colour") == ["role"])
    shot("url-state")
    assert duo.get_logs() == []


def test_a_report_link_lands_on_its_figure_marked(started, store, shot):
    duo = started
    _open(duo, "?indicator=csto.budget")
    point = _wait(lambda: duo.driver.execute_script(
        "return document.querySelector('#chart .scatterlayer .trace .points path');"))
    ActionChains(duo.driver).move_to_element(point).click().perform()
    duo.wait_for_contains_text("#point-detail", "less than 7 million USD", timeout=15)
    duo.driver.set_window_size(1366, 500)  # a short window: the figure is far below the top of the report
    duo.find_element("#point-detail .report-link").click()
    duo.wait_for_contains_text("#report-text", "less than 7 million USD", timeout=15)
    mark = _wait(lambda: duo.driver.execute_script("return document.querySelector('#report-text mark.focus');"))
    assert mark.text == "less than 7 million USD"
    c = store.claims(indicator="csto.budget").iloc[0]
    assert _query(duo)["claim"] == [f"{c['report']}@{c['char_start']}"] and _query(duo)["tab"] == ["report"]
    _wait(lambda: duo.driver.execute_script(
        "var r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight;", mark))
    shot("report-link")
    # the detail box does not keep the previous claim after the indicator changes
    _open(duo, "?indicator=csto.budget")
    point = _wait(lambda: duo.driver.execute_script(
        "return document.querySelector('#chart .scatterlayer .trace .points path');"))
    ActionChains(duo.driver).move_to_element(point).click().perform()
    duo.wait_for_contains_text("#point-detail", "7 million", timeout=15)
    duo.select_dcc_dropdown("#indicator", value="Crime and policing · Registered cybercrimes")
    _wait(lambda: duo.find_element("#point-detail").text == "")
    assert duo.get_logs() == []


def test_unknown_ids_in_a_url_get_a_visible_message(started, shot):
    duo = started
    duo.wait_for_page(url=f"{duo.server_url}/?indicator=no.such_indicator&report=nope")
    duo.wait_for_contains_text("#url-message", "'no.such_indicator'", timeout=15)
    assert duo.find_element("#url-message").is_displayed() and "'nope'" in duo.find_element("#url-message").text
    shot("unknown-id")
    _open(duo, "?indicator=csto.budget")
    _wait(lambda: not duo.find_element("#url-message").is_displayed())


def test_stated_versus_corrected_gives_each_unit_its_axis(started, shot):
    duo = started
    duo.find_element("#tab-disputes").click()
    rows = _wait(lambda: [r for r in grid_rows(duo, "pairs-grid") if "about 30%" in r.get("surface_corrected", "")])
    assert rows[0]["surface_stated"] == "20%" and rows[0]["source"] == "Minister of Defence"
    assert rows[0]["indicator"] != "personnel.male_service_share"  # its label, not its id
    xs = _wait(lambda: sorted(float(x) for t in (_plot_data(duo, "pairs-chart") or [])
                              if t.get("mode") == "markers+text" for x in t["x"]))
    assert xs == [20, 30]
    titles = _wait(lambda: duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#plan-chart .g-ytitle, #plan-chart .annotation-text'))"
        ".map(t => t.textContent);"))
    assert {"vehicles", "battalion sets"} <= set(titles)  # one axis per unit, not one "units" axis
    # the plans table says why it is empty instead of showing headers only
    duo.wait_for_contains_text("#plan-grid", "No plan has a reported figure", timeout=15)
    shot("stated-vs-corrected")
    assert duo.get_logs() == []


def test_claims_grid_is_readable_and_filters_in_sql(started, shot):
    duo = started
    duo.find_element("#tab-claims").click()
    duo.wait_for_contains_text("#claims-count", "claims match", timeout=20)
    rows = _wait(lambda: grid_rows(duo, "claims-grid") if len(grid_rows(duo, "claims-grid")) >= 10 else None)
    assert all("_" not in r["report"] or "·" in r["report"] for r in rows)  # titles and months, not ids
    headers = duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#claims-grid .ag-header-cell-text')).map(t => t.textContent);")
    assert "Sentence" in headers and "Figure" in headers and "period_start" not in headers
    marks = duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#claims-grid .ag-row mark.figure')).map(m => m.textContent);")
    assert len(marks) >= 10  # each sentence with its figure marked
    # the grid fits a 1,366 px screen: no horizontal scrollbar
    assert duo.driver.execute_script(
        "var v = document.querySelector('#claims-grid .ag-body-horizontal-scroll-viewport');"
        "return !v || v.scrollWidth <= v.clientWidth + 1;")
    grid_filter(duo, "claims-grid", "report", "Security monitor")
    duo.wait_for_text_to_equal("#claims-count", "2 claims match", timeout=15)
    rows = _wait(lambda: grid_rows(duo, "claims-grid") if len(grid_rows(duo, "claims-grid")) == 2 else None)
    assert {r["surface"] for r in rows} == {"1,800", "3,917"}
    shot("claims")
    assert duo.get_logs() == []


def test_table_view_is_wide_and_downloads(started, shot):
    duo = started
    duo.wait_for_page(url=f"{duo.server_url}/?tab=table&indicator=budget.defence_growth")
    rows = _wait(lambda: [r for r in grid_rows(duo, "wide-grid") if r.get("military (planned)")], timeout=20)
    assert rows[0]["military (planned)"] == "31" and rows[0]["defence and law enforcement (planned)"] == "~12"
    duo.find_element("#wide-download-button").click()
    target = Path(duo.download_path) / "budget.defence_growth.wide.csv"
    _wait(lambda: target.exists() and target.stat().st_size > 0, timeout=20)
    got = pd.read_csv(target, keep_default_na=False, dtype=str)
    assert list(got.columns) == ["period_start", "period_end", "period", "defence and law enforcement (planned)",
                                 "military (planned)"]
    shot("table")
    assert duo.get_logs() == []


def test_upload_adds_claims_to_chart_and_grid(started, tmp_path, shot):
    duo = started
    report = tmp_path / "march_2021.md"
    report.write_text("# Monthly report (March 2021)\n\nAccording to the Ministry of Internal Affairs, 4,917 "
                      "cybercrimes were registered for three months of this year.\n", encoding="utf-8")
    duo.find_element("#tab-add").click()
    duo.find_element("#upload input[type=file]").send_keys(str(report))
    duo.wait_for_contains_text("#upload-result", "added", timeout=20)
    shot("add-report")
    _open(duo, "?tab=indicators&indicator=cybercrime.registered&period=quarter")
    _wait(lambda: _values(duo) == [4917])
    duo.find_element("#tab-claims").click()
    grid_filter(duo, "claims-grid", "report", "monthly report (march")
    duo.wait_for_text_to_equal("#claims-count", "1 claims match", timeout=15)
    rows = _wait(lambda: grid_rows(duo, "claims-grid") or None)
    assert rows[0]["surface"] == "4,917" and rows[0]["report"] == "2021-03 · Monthly report (March 2021)"
    assert duo.get_logs() == []


def test_download_button_file_holds_exactly_the_filtered_rows(started, store):
    duo = started
    _open(duo, "?indicator=personnel.male_service_share")
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
    assert set(got["role"]) == {"corrected"} and set(got["derived"]) == {""}
    assert duo.get_logs() == []


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_chart_exports_with_title_unit_and_sources(started, fmt):
    duo = started
    _open(duo, "?indicator=cybercrime.registered&period=all")
    _wait(lambda: len(_points(duo)) >= 6)
    duo.find_element(f"#{fmt}-button").click()
    target = Path(duo.download_path) / f"cybercrime.registered.{fmt}"
    _wait(lambda: target.exists() and target.stat().st_size > 1000, timeout=20)
    if fmt == "svg":
        text = target.read_text(encoding="utf-8")
        for want in ("Registered cybercrimes", "cases", "Reports:", "Prosecutor General"):
            assert want in text, want
    else:
        assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_first_page_transfers_less_than_2_mb_compressed(started):
    duo = started
    duo.driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    duo.wait_for_page(url=f"{duo.server_url}/")
    duo.wait_for_element("#chart .main-svg", timeout=20)
    got = duo.driver.execute_script("""
        var nav = performance.getEntriesByType('navigation')[0];
        var res = performance.getEntriesByType('resource');
        return {total: nav.transferSize + res.reduce((a, r) => a + r.transferSize, 0),
                decoded: nav.decodedBodySize + res.reduce((a, r) => a + r.decodedBodySize, 0)};""")
    print(f"first page: {got['total']:,} bytes transferred, {got['decoded']:,} decoded")
    assert got["total"] < 2 * 1024 * 1024, got
    assert got["decoded"] > 2 * got["total"], got  # compressed on the wire


def test_screenshots_of_every_view_at_two_screen_sizes(started):
    duo = started
    SCREENSHOTS.mkdir(exist_ok=True)
    views = {"indicators": "?indicator=cybercrime.registered&period=all",
             "report": "?tab=report&report=001_d97b0e28c27e0c49"}
    for width, height in ((1366, 768), (1920, 1080)):
        duo.driver.set_window_size(width, height)
        for tab, _label in TABS:
            duo.wait_for_page(url=f"{duo.server_url}/{views.get(tab, f'?tab={tab}')}")
            duo.wait_for_element(f"#panel-{tab}", timeout=20)
            _wait(lambda: duo.find_element(f"#panel-{tab}").is_displayed())
            duo.driver.execute_script("return new Promise(r => setTimeout(r, 800));")
            path = SCREENSHOTS / f"{tab}-{width}x{height}.png"
            duo.driver.save_screenshot(str(path))
            assert path.stat().st_size > 10_000
    assert duo.get_logs() == []
