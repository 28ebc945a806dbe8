"""Report text is shown, never run: markup in reports stays text in every view of the dashboard.

Two hostile reports are stored: a .txt carrying <script>, <img onerror> and a javascript: link as literal text
(the real risk: the extractor keeps it, in sentences, sources and titles), and an .html report with the same
as real elements (the reader drops them) and as escaped text (kept, as literal text). Then a real headless
Chromium opens the report view, the claims table and the chart (hover, click, colour by source), uploads a
file whose name is markup, and checks that none of it ran (window.__pwned / window.pwned stay undefined: the
text normaliser turns paired `__` into nothing, so both names are watched), that no element was made from it,
and that the markup is visible as text. A last step feeds the same stored text to innerHTML on purpose, to
show the payloads are live: the test would see them run.
"""

import pytest
from browserkit import wait_for as _wait
from selenium.webdriver.common.action_chains import ActionChains

from indicators.dashboard.app import create_app
from indicators.pipeline import ingest_paths
from indicators.store import Store

TXT = """Monthly report <script>window.__pwned=1</script> (March 2021)

According to the <img src=x onerror="window.__pwned=2"> Agency, 3,917 cybercrimes were registered \
<script>window.__pwned=1</script> in the first two months of 2021.

Police registered 4,212 cybercrimes <a href="javascript:window.__pwned=3">in February 2021</a> alone.
"""

HTML = """<!doctype html><html><head><title>Report &lt;script&gt;window.__pwned=1&lt;/script&gt; (April 2021)</title>
<script>window.__pwned=5</script></head><body><article>
<h1>Monthly report &lt;script&gt;window.__pwned=1&lt;/script&gt; (April 2021)</h1>
<p>According to the &lt;img src=x onerror="window.__pwned=2"&gt; Bureau, 5,120 cybercrimes were registered
<img src=x onerror="window.__pwned=6"> &lt;script&gt;window.__pwned=1&lt;/script&gt; in the first three months
of 2021.</p>
<p>Police registered 6,333 cybercrimes <a href="javascript:window.__pwned=7">in March 2021</a>
&lt;a href="javascript:window.__pwned=3"&gt;alone&lt;/a&gt;.</p>
</article></body></html>
"""

PWNED = "return [typeof window.__pwned, typeof window.pwned];"
INJECTED = """return {
  scripts: Array.from(document.scripts).filter(s => /pwned/.test(s.textContent)).length,
  onerror: document.querySelectorAll('[onerror]').length,
  js_links: Array.from(document.querySelectorAll('a[href]')).filter(a => /^\\s*javascript:/i.test(a.getAttribute('href'))).length,
  hostile_imgs: Array.from(document.images).filter(i => i.getAttribute('src') === 'x').length,
};"""


@pytest.fixture
def store(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "hostile_txt.txt").write_text(TXT, encoding="utf-8")
    (folder / "hostile_html.html").write_text(HTML, encoding="utf-8")
    s = Store(f"sqlite:///{tmp_path / 'hostile.sqlite'}")
    results = list(ingest_paths([folder], s))
    assert [getattr(r, "status", r) for _, r in results] == ["added", "added"]
    return s




def _nothing_ran(duo):
    assert duo.driver.execute_script(PWNED) == ["undefined", "undefined"]
    assert duo.driver.execute_script(INJECTED) == {"scripts": 0, "onerror": 0, "js_links": 0, "hostile_imgs": 0}


def test_markup_in_reports_is_shown_as_text_and_never_runs(dash_duo, store, tmp_path):
    # the hostile text reached the store: in sentences, a source and a title, as literal markup
    txt_claims = store.claims(report="hostile_txt")
    assert any("<script>" in s for s in txt_claims["sentence"])
    assert any("<img src=x onerror=" in s for s in txt_claims["source"])
    html_text = store.report_text("hostile_html")
    assert "<script>window.__pwned=1</script>" in html_text and "<img src=x onerror=" in html_text
    assert "__pwned=5" not in html_text and "__pwned=6" not in html_text  # the real elements were dropped
    titles = dict(zip(store.reports()["id"], store.reports()["title"]))
    assert "<script>" in titles["hostile_txt"]

    dash_duo.start_server(create_app(store))
    duo = dash_duo
    duo.driver.set_window_size(1280, 900)
    duo.wait_for_element("#chart .main-svg", timeout=20)

    # the report view: literal markup, as text, in the text and in the report chooser's title
    for report in ("hostile_txt", "hostile_html"):
        duo.wait_for_page(url=f"{duo.server_url}/?tab=report&report={report}")
        duo.wait_for_contains_text("#report-text", "cybercrimes were registered", timeout=15)
        shown = duo.find_element("#report-text").text
        assert "<script>window.__pwned=1</script>" in shown or "<script>window.pwned=1</script>" in shown
        assert "<img src=x onerror=" in shown and "javascript:window." in shown
        assert len(duo.find_elements("#report-text mark")) >= 2  # figures highlighted around the markup
        assert "<script>" in duo.find_element("#report-choice").text
        _nothing_ran(duo)

    # the claims grid: the source, sentence and report title taken from the text are shown as text
    duo.find_element("#tab-claims").click()
    duo.wait_for_contains_text("#claims-grid", "<img src=x onerror=", timeout=15)
    grid = duo.find_element("#claims-grid").text
    assert "Agency" in grid and "<script>" in grid
    _nothing_ran(duo)
    for tab in ("review", "conflicts", "table", "disputes"):  # every grid and view that shows report text
        duo.wait_for_page(url=f"{duo.server_url}/?tab={tab}&indicator=cybercrime.registered")
        duo.wait_for_element(f"#panel-{tab}", timeout=15)
        _wait(lambda: duo.find_element(f"#panel-{tab}").is_displayed())
        if tab == "review":
            duo.wait_for_contains_text("#queue-grid", "cybercrimes", timeout=15)
        _nothing_ran(duo)

    # the chart: hover and click a hostile claim's point; its detail shows the sentence as text
    duo.wait_for_page(url=f"{duo.server_url}/?tab=indicators&indicator=cybercrime.registered&period=all")
    duo.wait_for_element("#chart .main-svg", timeout=20)
    where = _wait(lambda: duo.driver.execute_script("""
        var g = document.querySelector('#chart .js-plotly-plot');
        if (!g || !g.data) return null;
        for (var k = 0; k < g.data.length; k++) {
          var t = g.data[k], y = Array.from(t.y || []);
          var j = y.indexOf(3917);
          if (t.mode === 'markers' && j >= 0) return [k, j];
        }
        return null;"""))
    point = duo.driver.execute_script(
        "return document.querySelectorAll('#chart .scatterlayer .trace')[arguments[0]]"
        ".querySelectorAll('.points path')[arguments[1]];", *where)
    ActionChains(duo.driver).move_to_element(point).perform()
    hover = _wait(lambda: duo.driver.execute_script(
        "var h = document.querySelector('#chart .hoverlayer'); return h && h.textContent;"))
    assert "<script>" in hover and "<img src=x onerror=" in hover
    ActionChains(duo.driver).move_to_element(point).click().perform()
    duo.wait_for_contains_text("#point-detail", "3,917", timeout=15)
    detail = duo.find_element("#point-detail").text
    assert "<img src=x onerror=" in detail and "<script>window." in detail
    _nothing_ran(duo)

    # colour by source: the legend names the hostile source; plotly draws it as SVG text, never as HTML
    duo.find_element("#colour input[value=source]").click()
    _wait(lambda: duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#chart .legendtext')).some(t => /Agency/.test(t.textContent));"))
    _nothing_ran(duo)

    # an upload whose name is markup: the result names it as text
    name = tmp_path / '<img src=x onerror="window.__pwned=4">.txt'
    name.write_text(TXT.replace("3,917", "3,918"), encoding="utf-8")
    duo.find_element("#tab-add").click()
    duo.find_element("#upload input[type=file]").send_keys(str(name))
    duo.wait_for_contains_text("#upload-result", "added", timeout=20)
    assert '<img src=x onerror="window.__pwned=4">.txt: added as img_src_x_onerror_window.__pwned_4' \
        in duo.find_element("#upload-result").text
    _nothing_ran(duo)
    assert duo.get_logs() == []

    # control: the same stored text given to innerHTML does run, so the checks above could see it
    duo.driver.execute_script("var d = document.createElement('div'); d.innerHTML = arguments[0];"
                              "document.body.appendChild(d);", store.report_text("hostile_txt"))
    assert _wait(lambda: duo.driver.execute_script(PWNED) != ["undefined", "undefined"], timeout=10)
