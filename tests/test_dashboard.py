"""Dashboard without a browser: pure figure functions, download routes, app wiring."""
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from indicators import extract
from indicators.dashboard import figures
from indicators.dashboard.app import _highlighted, _ingest_upload, create_app, url_query, url_values
from indicators.dashboard.views.claims import request_to_query
from indicators.dashboard.views.review import changes_text
from indicators.dashboard.wire import outputs_of
from indicators.export import csv_chunks, frame_csv, guard
from indicators.pipeline import ingest_paths
from indicators.schema import PUBLIC_COLUMNS
from indicators.store import Store

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def store(databases):
    s = Store(databases())
    list(ingest_paths([ROOT / "seeds"], s))
    return s


@pytest.fixture(scope="module")
def client(store):
    return create_app(store).server.test_client()


def _csv(resp) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(resp.get_data(as_text=True)), keep_default_na=False)


def _data(fig):
    """The traces that draw claims (not the legend's marker-shape keys)."""
    return [t for t in fig.data if t.mode == "markers" and t.legendgroup != "shapes"]


def test_indicator_figure_marks_spans_ranges_and_bounds():
    df = extract([ROOT / "seeds"])
    fig = figures.indicator_figure(df[df["indicator"] == "cybercrime.registered"], unit="case")
    points = _data(fig)
    assert sorted(v for t in points for v in t.y) == [9000, 10000, 20357, 25000]
    assert {s for t in points for s in t.marker.symbol} == {"circle", "triangle-up"}
    spans = [t for t in fig.data if t.mode == "lines"]
    assert spans, "periods longer than a month are drawn as spans"
    assert fig.layout.yaxis.title.text == "cases"
    # the legend explains the shapes drawn, and only those
    assert [t.name for t in fig.data if t.legendgroup == "shapes"] == ["exact", "over / at least"]
    chats = figures.indicator_figure(df[df["indicator"] == "civil.local_chat_audience_share"])
    assert list(_data(chats)[-1].error_y.array) == [4.5] and list(_data(chats)[-1].error_y.arrayminus) == [4.5]
    by_month = figures.indicator_figure(df[df["indicator"] == "cybercrime.registered"], x="report_month")
    assert {str(x)[:7] for t in _data(by_month) for x in t.x} == {"2020-11", "2020-12"}
    assert figures.indicator_figure(df.iloc[0:0]).layout.annotations[0].text == "No claims match this view"


@pytest.mark.parametrize("indicators,multiples,axes", [
    (["cybercrime.registered"], False, [["cases"]]),
    # persons and percentages never share an axis: one panel per unit, in overlay too
    (["personnel.training_callup", "personnel.male_service_share"], False, [["%"], ["people"]]),
    (["personnel.training_callup", "territorial_defence.callup"], False, [["people"], ["units"]]),
    # small multiples: a panel per indicator and unit, named
    (["cybercrime.registered", "personnel.male_service_share"], True,
     [["Men who do military service", "%"], ["Registered cybercrimes", "cases"]]),
])
def test_one_unit_per_axis(indicators, multiples, axes):
    df = extract([ROOT / "seeds"])
    labels = {i.id: i.label for i in __import__("indicators").load_catalog().indicators}
    fig = figures.indicator_figure(df[df["indicator"].isin(indicators)], multiples=multiples, labels=labels)
    titles = [fig.layout[k].title.text for k in sorted(k for k in fig.layout.to_plotly_json() if k.startswith("yaxis"))]
    assert len(titles) == len(axes)
    for title, want in zip(titles, axes):
        assert all(w.lower() in title.lower() for w in want), (title, want)
    unit_of = {(r, int(c)): u for r, c, u in zip(df["report"], df["char_start"], df["unit"])}
    per_axis = {}
    for t in _data(fig):  # every axis draws figures of one unit
        per_axis.setdefault(t.yaxis or "y", set()).update(unit_of[(r, int(c))] for r, c, _ in t.customdata)
    assert len(per_axis) == len(axes) and all(len(u) == 1 for u in per_axis.values()), per_axis


def test_colour_by_item_names_each_item_and_ticks_never_repeat_a_month():
    df = extract([ROOT / "seeds"])
    fig = figures.indicator_figure(df[df["indicator"] == "budget.defence_growth"])
    assert sorted(t.name for t in _data(fig)) == ["defence and law enforcement", "military"]
    assert len({t.marker.color for t in _data(fig)}) == 2
    stops = {s.value for s in fig.layout.xaxis.tickformatstops}
    assert stops == {"%d %b %Y", "%b %Y", "%Y"}  # days only when ticks are closer than a month


def test_derived_values_are_stars_and_name_both_claims_in_hover():
    from indicators.dashboard import series
    base = dict(indicator="crime.x", item="", role="reported", value_low=None, value_high=None, unit="case",
                source="Ministry", sentence="s", char_end=0, report_month="2021-03")
    df = pd.DataFrame([dict(base, report="jan", qualifier="exact", value=1800.0, period_start="2021-01-01",
                            period_end="2021-01-31", surface="1,800", char_start=5),
                       dict(base, report="feb", qualifier="exact", value=3917.0, period_start="2021-01-01",
                            period_end="2021-02-28", surface="3,917", char_start=9)])
    fig = figures.indicator_figure(series.with_derived(df), reports={"jan": "January report", "feb": "February report"})
    stars = [(t, k) for t in _data(fig) for k, s in enumerate(t.marker.symbol) if s.startswith("star")]
    assert len(stars) == 1
    t, k = stars[0]
    assert t.y[k] == 2117 and t.customdata[k][2] == "feb@9; jan@5"
    assert "feb@9" in t.hovertext[k] and "jan@5" in t.hovertext[k] and "January report" in t.hovertext[k]
    assert "derived monthly value" in [x.name for x in fig.data if x.legendgroup == "shapes"]


def test_stated_corrected_pairs_and_plan_actual():
    df = extract([ROOT / "seeds"])
    pairs = figures.stated_corrected_pairs(df)
    assert pairs[["value_stated", "value_corrected", "item"]].values.tolist() == [[20.0, 30.0, "Armed Forces"]]
    fig = figures.pairs_figure(pairs)
    assert {tuple(t.x) for t in fig.data if t.mode == "markers+text"} == {(20.0,), (30.0,)}
    plan = figures.plan_actual_figure(df[df["indicator"] == "procurement.units"])
    assert {t.name for t in plan.data} == {"planned"}  # the seeds report no deliveries: no empty bars
    # vehicles, aircraft, helicopters and battalion sets: a panel (and an axis) each
    assert len({t.yaxis for t in plan.data}) == len(set(df[df["indicator"] == "procurement.units"]["unit"])) == 4


def test_claims_route_filters(client):
    all_rows = _csv(client.get("/download/claims.csv"))
    assert list(all_rows.columns)[:3] == ["report", "report_month", "indicator"]
    cyber = _csv(client.get("/download/claims.csv?indicator=cybercrime.registered"))
    assert sorted(cyber["value"]) == [9000, 10000, 20357, 25000]
    one = _csv(client.get("/download/claims.csv?indicator=cybercrime.registered&report=001_d97b0e28c27e0c49"))
    assert len(one) == 2
    planned = _csv(client.get("/download/claims.csv?role=planned&indicator=procurement.units&item=Su-30SM"))
    assert set(planned["item"]) == {"Su-30SM"} and set(planned["role"]) == {"planned"}
    assert len(all_rows) == len(extract([ROOT / "seeds"]))


def test_routes_status_codes_and_messages(client):
    resp = client.get("/download/indicators/nope.csv")
    assert resp.status_code == 404 and "unknown indicator 'nope'" in resp.get_data(as_text=True)
    resp = client.get("/download/claims.csv?indicator=nope")
    assert resp.status_code == 404 and "unknown indicator" in resp.get_data(as_text=True)
    resp = client.get("/download/claims.csv?colour=red")
    assert resp.status_code == 400 and "unknown filter" in resp.get_data(as_text=True)
    resp = client.get("/download/indicators/csto.budget.csv")
    assert resp.status_code == 200 and resp.headers["Content-Disposition"].endswith('csto.budget.csv"')
    assert list(_csv(resp)["value"]) == [7000000.0]


def test_datapackage_describes_every_column(client):
    pkg = json.loads(client.get("/download/datapackage.json").get_data(as_text=True))
    claims = pkg["resources"][0]
    names = [f["name"] for f in claims["schema"]["fields"]]
    assert names[:4] == ["report", "report_month", "indicator", "item"] and "char_end" in names
    assert all(f["type"] and f["description"] for f in claims["schema"]["fields"])
    by_name = {r["path"]: r for r in pkg["resources"]}
    value = next(f for f in by_name["indicators/cybercrime.registered.csv"]["schema"]["fields"] if f["name"] == "value")
    assert value["unit"] == "case" and value["type"] == "number"


def test_csv_injection_is_neutralised_numbers_stay_numbers():
    df = pd.DataFrame({"surface": ["=1+1", "+3", "-5", "@x", "\tx", "fine"], "value": [1.0, -2.0, 3.0, 4.0, 5.0, 6.0]})
    out = pd.read_csv(io.StringIO(frame_csv(df)), keep_default_na=False)
    assert list(out["surface"]) == ["'=1+1", "'+3", "'-5", "'@x", "'\tx", "fine"]
    assert list(out["value"]) == [1.0, -2.0, 3.0, 4.0, 5.0, 6.0]
    assert [guard(v) for v in (-5.0, None, "a\rb")] == [-5.0, None, "a\nb"]


def test_pairs_in_different_units_get_an_axis_each():
    pairs = pd.DataFrame([
        {"report": "r", "report_month": "2021-01", "indicator": "a", "item": "", "unit": "percent", "value_stated": 20.0,
         "value_corrected": 30.0, "surface_stated": "20%", "surface_corrected": "about 30%", "sentence_stated": "s",
         "sentence_corrected": "t", "source": "Minister"},
        {"report": "r", "report_month": "2021-01", "indicator": "b", "item": "", "unit": "person",
         "value_stated": 9000.0, "value_corrected": 12000.0, "surface_stated": "9,000", "surface_corrected": "12,000",
         "sentence_stated": "u", "sentence_corrected": "v", "source": "Ministry"}])
    fig = figures.pairs_figure(pairs)
    by_axis = {}
    for t in fig.data:
        if t.mode == "markers+text":
            by_axis.setdefault(t.xaxis, set()).update(t.x)
    assert sorted(map(sorted, by_axis.values())) == [[20.0, 30.0], [9000.0, 12000.0]]
    assert {fig.layout.xaxis.title.text, fig.layout.xaxis2.title.text} == {"%", "people"}


def test_grid_request_becomes_a_store_query():
    cat = __import__("indicators").load_catalog()
    titles = {"r1": "2020-11 · Monthly review", "r2": "2020-12 · Security digest"}
    req = {"startRow": 0, "endRow": 100,
           "filterModel": {"indicator": {"filterType": "text", "type": "contains", "filter": "Registered cyber"},
                           "report": {"filterType": "text", "type": "contains", "filter": "digest"},
                           "role": {"filterType": "text", "type": "equals", "filter": "stated"},
                           "sentence": {"filterType": "text", "type": "contains", "filter": "minister"},
                           "nonsense": {"filterType": "text", "type": "contains", "filter": "x"}},
           "sortModel": [{"colId": "value", "sort": "desc"}, {"colId": "report_month", "sort": "asc"}]}
    equals, contains, sort = request_to_query(req, cat, titles)
    assert equals == {"indicator": ["cybercrime.registered"], "report": ["r2"], "role": "stated"}
    assert contains == {"sentence": "minister"}
    assert sort == [("value", False), ("report_month", True)]


@pytest.mark.parametrize("values,query", [
    ({"tab": "indicators", "indicator": "cybercrime.registered", "items": ["a", "b"]},
     "?indicator=cybercrime.registered&items=a&items=b"),
    ({"tab": "table", "indicator": "x", "roles": [], "period": "ytd", "colour": "source", "x": "report_month"},
     "?tab=table&indicator=x&roles=none&x=report_month&period=ytd&colour=source"),
    ({"tab": "indicators", "indicator": "x", "also": ["y"], "layout": "multiples", "sources": ["Ministry"],
      "roles": ["reported", "planned"], "vintages": ["show"]},
     "?indicator=x&also=y&layout=multiples&sources=Ministry&roles=reported&roles=planned&vintages=show"),
])
def test_url_holds_every_control_and_reads_back(values, query):
    assert url_query(values) == query
    back = url_values(query, {})
    for k, v in values.items():
        assert back[k] == v, k
    assert back["roles"] is not None


def test_history_changes_read_as_old_to_new():
    history = pd.DataFrame({"changes": ['{"value": 9500.0}', "", '{"unit": "person", "value": 9700.0}']})
    assert changes_text(history, {"value": 9000.0, "unit": "case"}) == [
        "value 9,000 → 9,500", "", "unit case → person; value 9,500 → 9,700"]


def test_report_text_is_components_never_html():
    text = "A <script>alert(1)</script> and 20% here.\n\nSecond paragraph."
    at = text.index("20%")
    claims = pd.DataFrame({"char_start": [at], "char_end": [at + 3], "indicator": [""], "role": ["reported"]})
    paras = _highlighted(text, claims)
    assert len(paras) == 2
    first = paras[0].children
    assert first[0] == "A <script>alert(1)</script> and " and first[1].children == "20%"


def test_upload_checks_format_and_stores(store, tmp_path):
    import base64
    good = base64.b64encode(b"Report (May 2021)\n\nAbout 5 thousand reservists were called up for military training.").decode()
    msg = _ingest_upload(store, None or __import__("indicators").load_catalog(), f"data:text/plain;base64,{good}",
                         "../../etc/new report.txt", 20)
    assert "added" in msg and "1 attached" in msg
    assert "new_report" in list(store.reports()["id"])
    bad = _ingest_upload(store, __import__("indicators").load_catalog(), "data:x;base64,AAAA", "x.docx", 20)
    assert "unsupported format" in bad and ".pdf" in bad


def _callback(client, output, inputs, state=None):
    """POST one callback the way the browser does; returns its `response` part."""
    val = lambda d: [{"id": k.rsplit(".", 1)[0], "property": k.rsplit(".", 1)[1], "value": v} for k, v in d.items()]
    resp = client.post("/_dash-update-component", json={"output": output, "outputs": outputs_of(output),
                                                         "inputs": val(inputs),
                                                         "state": val(state or {}), "changedPropIds": list(inputs)[:1]})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return json.loads(resp.get_data())["response"]


_CHART_INPUTS = {"indicator.value": "cybercrime.registered", "also.value": None, "layout.value": "overlay",
                 "items.value": None, "sources.value": None,
                 "roles.value": ["reported", "stated", "corrected", "planned"], "period.value": "all",
                 "xaxis.value": "period", "colour.value": "role", "vintages.value": [], "uploaded.data": 0,
                 "edited.data": 0}
_CHART = "..chart.figure...period.options.."


def _fig_points(fig):
    return [y for t in fig["data"] if t["mode"] == "markers" and t.get("legendgroup") != "shapes" for y in t["y"]]


def test_chart_draws_at_most_max_points_and_says_so(client, monkeypatch):
    from indicators.dashboard.views import indicators as view
    fig = _callback(client, _CHART, _CHART_INPUTS)["chart"]["figure"]
    assert sorted(_fig_points(fig)) == [9000, 10000, 20357, 25000]
    assert "claims drawn" not in fig["layout"]["title"]["text"]
    monkeypatch.setattr(view, "MAX_POINTS", 2)
    fig = _callback(client, _CHART, _CHART_INPUTS)["chart"]["figure"]
    assert len(_fig_points(fig)) == 2
    assert "2 of 4 claims drawn" in fig["layout"]["title"]["text"]
    none = _callback(client, _CHART, dict(_CHART_INPUTS, **{"roles.value": []}))["chart"]["figure"]
    assert none["layout"]["annotations"][0]["text"] == "No claims match this view"


@pytest.mark.parametrize("period,values", [
    ("auto", [10000, 25000]),  # annual first when there is no monthly or quarterly figure
    ("year", [10000, 25000]),
    ("ytd", [9000, 20357]),
    ("all", [9000, 10000, 20357, 25000]),
    ("month", []),
])
def test_chart_draws_one_period_length_at_a_time(client, period, values):
    out = _callback(client, _CHART, dict(_CHART_INPUTS, **{"period.value": period}))
    assert sorted(_fig_points(out["chart"]["figure"])) == values
    offered = [o["value"] for o in out["period"]["options"]]
    assert offered == ["auto", "year", "ytd", "all"]


def test_an_indicator_the_catalog_does_not_name_is_no_error(client):
    out = _callback(client, "..items.options...sources.options...indicator-note.children..",
                    {"indicator.value": "gone.from_catalog", "also.value": None, "uploaded.data": 0},
                    {"items.value": None, "sources.value": None})
    assert out["items"]["options"] == [] and "not in the catalog" in out["indicator-note"]["children"]
    fig = _callback(client, _CHART, dict(_CHART_INPUTS, **{"indicator.value": "gone.from_catalog"}))
    assert fig["chart"]["figure"]["layout"]["annotations"][0]["text"] == "No claims match this view"
    from indicators.dashboard.app import URL_STATE
    deps = json.loads(client.get("/_dash-dependencies").get_data())
    sync = next(d for d in deps if "url-message.children" in d["output"])
    msg = _callback(client, sync["output"], {"url.search": "?indicator=gone.from_catalog&report=nope",
                                             **{f"{cid}.value": None for _, cid, *_ in URL_STATE}})
    assert "'gone.from_catalog'" in msg["url-message"]["children"] and "'nope'" in msg["url-message"]["children"]
    assert msg["url-message"]["style"] == {"display": "block"}


def test_claims_grid_pages_server_side(client, store):
    request = {"startRow": 1, "endRow": 4, "sortModel": [{"colId": "value", "sort": "desc"}],
               "filterModel": {"indicator": {"filterType": "text", "type": "contains", "filter": "cyber"}}}
    out = _callback(client, "..claims-grid.getRowsResponse...claims-count.children..",
                    {"claims-grid.getRowsRequest": request, "uploaded.data": 0, "edited.data": 0})
    want = store.claims()
    want = want[want["indicator"].str.contains("cyber")].sort_values("value", ascending=False, kind="stable")
    got = out["claims-grid"]["getRowsResponse"]
    assert [r["value"] for r in got["rowData"]] == list(want["value"][1:4]) and len(want) > 4
    assert got["rowCount"] == len(want) and out["claims-count"]["children"] == f"{len(want)} claims match"
    row = got["rowData"][0]
    assert row["report"].startswith("2020-1") and "·" in row["report"]  # titles, not ids
    assert row["sentence"][row["mark_at"]:].startswith(row["surface"])


def test_claims_csv_is_streamed_and_matches_the_safe_frame(client, store):
    resp = client.get("/download/claims.csv")
    assert resp.is_streamed
    assert resp.get_data(as_text=True) == frame_csv(store.claims(), PUBLIC_COLUMNS)
    rows = [("r", "2020-11", "x", "=1+1", "reported", "exact", -2.0, None, 1.5, "count", "2020-01-01", "2020-01-31",
             "@src", "-5", "\tx", 3, 5, "level", "unreviewed", "", "", "+why")]
    text = "".join(csv_chunks(PUBLIC_COLUMNS, [rows]))
    assert text.splitlines()[1] == ("r,2020-11,x,'=1+1,reported,exact,-2.0,,1.5,count,2020-01-01,2020-01-31,'@src,'-5,"
                                    "'\tx,3,5,level,unreviewed,,,'+why")


# ------------------------------------------- CSV injection: every download route, on hostile cells

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBERS = {"value", "value_low", "value_high", "char_start", "char_end"}
_HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+SUM(1,2)", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1",
            "=cmd|' /C calc'!A0", "note\r=2+2"]  # a bare CR would end the row in a spreadsheet: "=2+2" its own row


def _neutralised(cell: str) -> str:
    """What a hostile cell must read as: an apostrophe before a formula-like start, CR as LF (then quoted)."""
    return ("'" + cell if cell.startswith(_FORMULA_START) else cell).replace("\r", "\n")


@pytest.fixture(scope="module")
def hostile(databases):
    """A store whose claims carry formula-like text in every text column, and negative numbers."""
    from indicators.model import Claim, Report
    s = Store(databases())
    text = "Hostile report (May 2021)\n\n" + " ".join(_HOSTILE)
    claims = []
    for n, bad in enumerate(_HOSTILE):
        claims.append(Claim(report="hostile", report_month="2021-05", indicator="cybercrime.registered", item=bad,
                            role="reported", qualifier="exact", value=-5.0 - n, value_low=-7.5 if n % 2 else None,
                            value_high=None, unit=bad, period_start="2021-05-01", period_end="2021-05-31",
                            source=bad, surface=bad, sentence=bad, char_start=10 + n, char_end=12 + n,
                            notes=(bad,)))
    s.ingest(Report(id="hostile", path="hostile.txt", format="txt", text=text, title=_HOSTILE[0]), claims,
             month="2021-05")
    return s


def _assert_spreadsheet_safe(text: str, n_rows: int) -> None:
    """No text cell starts like a formula; the numeric columns are plain numbers (negative ones too)."""
    import csv
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    assert len(body) == n_rows and {"source", "surface", "sentence", "value"} <= set(header)
    for row in body:
        cells = dict(zip(header, row))
        for col, cell in cells.items():
            if col in _NUMBERS:
                assert cell == "" or float(cell) == float(cell), (col, cell)  # parses as a number as written
            else:
                assert not cell.startswith(_FORMULA_START), (col, cell)
        assert cells["source"] in {_neutralised(h) for h in _HOSTILE}  # neutralised, not dropped or altered otherwise
        assert cells["surface"] == cells["source"] == cells["sentence"] == cells["item"]
        assert float(cells["value"]) <= -5.0 and not cells["value"].startswith("'")
    if n_rows == len(_HOSTILE):
        assert {float(dict(zip(header, r))["value"]) for r in body} == {-5.0 - n for n in range(n_rows)}


def test_csv_routes_neutralise_formulas_and_keep_numbers(hostile):
    client = create_app(hostile).server.test_client()
    n = len(_HOSTILE)
    for path in ("/download/claims.csv", "/download/claims.csv?indicator=cybercrime.registered",
                 "/download/claims.csv?report=hostile&role=reported", "/download/indicators/cybercrime.registered.csv"):
        resp = client.get(path)
        assert resp.status_code == 200 and resp.mimetype == "text/csv"
        _assert_spreadsheet_safe(resp.get_data(as_text=True), n)
    # filtering on a formula-like value finds the claim (the stored value is untouched) and still neutralises it
    resp = client.get("/download/claims.csv", query_string={"item": _HOSTILE[0]})
    _assert_spreadsheet_safe(resp.get_data(as_text=True), 1)


def test_download_button_csv_neutralises_formulas_and_keeps_numbers(hostile):
    client = create_app(hostile).server.test_client()
    out = _callback(client, "download.data", {"download-button.n_clicks": 1},
                    {"indicator.value": "cybercrime.registered", "also.value": None, "items.value": None,
                     "sources.value": None, "roles.value": ["reported", "stated", "corrected", "planned"],
                     "period.value": "all"})
    data = out["download"]["data"]
    assert data["filename"] == "cybercrime.registered.csv" and not data.get("base64")
    _assert_spreadsheet_safe(data["content"], len(_HOSTILE))
    some = _callback(client, "download.data", {"download-button.n_clicks": 2},
                     {"indicator.value": "cybercrime.registered", "also.value": None, "items.value": [_HOSTILE[3]],
                      "sources.value": None, "roles.value": ["reported"], "period.value": None})
    _assert_spreadsheet_safe(some["download"]["data"]["content"], 1)


def test_indicators_export_neutralises_formulas_and_keeps_numbers(hostile, tmp_path):
    """`indicators export -o FILE` writes through the same writer as the download routes."""
    from indicators.cli import main
    out = tmp_path / "deep" / "claims.csv"
    assert main(["export", "-o", str(out), "--db", hostile.url]) == 0
    text = out.read_text(encoding="utf-8")
    _assert_spreadsheet_safe(text, len(_HOSTILE))
    # the same bytes as the route gives
    client = create_app(hostile).server.test_client()
    assert text == client.get("/download/claims.csv").get_data(as_text=True)
    assert not [p for p in out.parent.iterdir() if p.name != "claims.csv"]  # no temporary file left behind


def test_review_export_neutralises_and_import_reads_it_back(hostile, tmp_path):
    """A reviewer's note that starts like a formula is guarded in the edits CSV and read back as written."""
    from indicators.cli import main
    from indicators.review import from_csv
    edit = hostile.edit("hostile", 0, "accept", "=HYPERLINK(\"x\")", note="-1 is wrong; +2")
    out = tmp_path / "edits.csv"
    assert main(["review", "export", "-o", str(out), "--db", hostile.url]) == 0
    text = out.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and "'-1 is wrong" in text
    back = [e for e in from_csv(text) if e.edit_id == edit.edit_id][0]
    assert back.author == edit.author and back.note == edit.note


def test_an_interrupted_export_leaves_the_old_file(tmp_path):
    from indicators.export import write_csv

    def parts():
        yield [("a", 1.0)]
        raise OSError(28, "No space left on device")

    out = tmp_path / "x.csv"
    out.write_text("old\n", encoding="utf-8")
    with pytest.raises(OSError):
        write_csv(out, ["name", "value"], parts())
    assert out.read_text(encoding="utf-8") == "old\n" and [p.name for p in tmp_path.iterdir()] == ["x.csv"]


@pytest.mark.parametrize("text,width,lines", [
    ("one two three", 80, ["one two three"]),
    ("alpha beta gamma delta", 12, ["alpha beta", "gamma delta"]),  # each line shorter than the width
    ("a   spaced\n\nout   text", 80, ["a spaced out text"]),  # runs of white space are one space
    ("tiny " + "x" * 30 + " end", 12, ["tiny", "x" * 30, "end"]),  # a word longer than a line stands alone
    ("", 80, []),
])
def test_hover_sentences_wrap_at_word_boundaries(text, width, lines):
    got = figures._wrap(text, width)
    assert (got.split("<br>") if got else []) == lines
    assert all(len(line) < width for line in lines if " " in line)


@pytest.mark.parametrize("sentence,surface,marked", [
    ("Police registered 9,000 cases.", "9,000", ("Police registered ", "9,000", " cases.")),
    ("About 12% in 2021, 12% in 2022.", "12%", ("About ", "12%", " in 2021, 12% in 2022.")),  # the first one
    ("The figure was rewritten.", "9 000", None),  # not in the sentence as written: plain text
])
def test_the_review_form_marks_the_figure_in_its_sentence(sentence, surface, marked):
    from indicators.dashboard.views.review import marked_sentence
    got = marked_sentence(sentence, surface)
    if marked is None:
        assert got == sentence
    else:
        assert (got[0], got[1].children, got[2]) == marked and got[1].className == "figure"


def test_plan_rows_name_reports_and_write_figures_as_analysts_do():
    from indicators.dashboard.views.disputes import plan_rows
    plans = pd.DataFrame([{"indicator": "procurement.units", "item": "Su-30SM", "period_start": "2021-01-01",
                           "period_end": "2021-12-31", "planned": 12.0, "actual": 8.0, "shortfall": 4.0,
                           "shortfall_pct": 33.333, "plan_report": "r0", "actual_report": "r1"},
                          {"indicator": "other.id", "item": "", "period_start": "2022-01-01",
                           "period_end": "2022-12-31", "planned": 0.0, "actual": 1500.0, "shortfall": -1500.0,
                           "shortfall_pct": float("nan"), "plan_report": "gone", "actual_report": "r1"}])
    rows = plan_rows(plans, {"procurement.units": "Aircraft delivered"}, {"r0": "2021-01 · Plan", "r1": "2022-01 · Outcome"})
    assert [r["indicator"] for r in rows] == ["Aircraft delivered", "other.id"]  # an id the catalog lacks stays
    assert (rows[0]["planned"], rows[0]["shortfall_pct"], rows[0]["plan_report"]) == ("12", "33.3", "2021-01 · Plan")
    assert (rows[1]["shortfall"], rows[1]["shortfall_pct"], rows[1]["plan_report"]) == ("-1,500", "", "gone")
