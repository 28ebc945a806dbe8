"""Dashboard without a browser: pure figure functions, download routes, app wiring."""
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from indicators import extract
from indicators.dashboard import figures
from indicators.dashboard.app import _highlighted, _ingest_upload, _parse_filter, create_app
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


def test_indicator_figure_marks_spans_ranges_and_bounds():
    df = extract([ROOT / "seeds"])
    fig = figures.indicator_figure(df[df["indicator"] == "cybercrime.registered"], unit="case")
    points = [t for t in fig.data if t.mode == "markers"]
    assert sorted(v for t in points for v in t.y) == [9000, 10000, 20357, 25000]
    assert {s for t in points for s in t.marker.symbol} == {"circle", "triangle-up"}
    spans = [t for t in fig.data if t.mode == "lines"]
    assert spans, "periods longer than a month are drawn as spans"
    assert fig.layout.yaxis.title.text == "cases"
    chats = figures.indicator_figure(df[df["indicator"] == "civil.local_chat_audience_share"])
    assert list(chats.data[-1].error_y.array) == [4.5] and list(chats.data[-1].error_y.arrayminus) == [4.5]
    by_month = figures.indicator_figure(df[df["indicator"] == "cybercrime.registered"], x="report_month")
    assert {str(x)[:7] for t in by_month.data for x in t.x} == {"2020-11", "2020-12"}
    assert figures.indicator_figure(df.iloc[0:0]).layout.annotations[0].text == "No claims match this view"


def test_stated_corrected_pairs_and_plan_actual():
    df = extract([ROOT / "seeds"])
    pairs = figures.stated_corrected_pairs(df)
    assert pairs[["value_stated", "value_corrected", "item"]].values.tolist() == [[20.0, 30.0, "Armed Forces"]]
    fig = figures.pairs_figure(pairs)
    assert {tuple(t.x) for t in fig.data if t.mode == "markers+text"} == {(20.0,), (30.0,)}
    plan = figures.plan_actual_figure(df[df["indicator"] == "procurement.units"])
    assert {t.name for t in plan.data} == {"planned", "reported"}


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


def test_table_filter_parsing():
    assert _parse_filter('{indicator} contains cyber && {role} = "stated"') == ({"indicator": "cyber"}, {"role": "stated"})


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


_CHART_INPUTS = {"indicator.value": "cybercrime.registered", "items.value": None, "sources.value": None,
                 "roles.value": ["reported", "stated", "corrected", "planned"], "xaxis.value": "period",
                 "colour.value": "role", "vintages.value": [], "uploaded.data": 0, "edited.data": 0}


def test_chart_draws_at_most_max_points_and_says_so(client, monkeypatch):
    from indicators.dashboard import app as app_module
    fig = _callback(client, "chart.figure", _CHART_INPUTS)["chart"]["figure"]
    assert sorted(y for t in fig["data"] if t["mode"] == "markers" for y in t["y"]) == [9000, 10000, 20357, 25000]
    assert "claims drawn" not in fig["layout"]["title"]["text"]
    monkeypatch.setattr(app_module, "MAX_POINTS", 2)
    fig = _callback(client, "chart.figure", _CHART_INPUTS)["chart"]["figure"]
    assert len([y for t in fig["data"] if t["mode"] == "markers" for y in t["y"]]) == 2
    assert "2 of 4 claims drawn" in fig["layout"]["title"]["text"]
    none = _callback(client, "chart.figure", dict(_CHART_INPUTS, **{"roles.value": []}))["chart"]["figure"]
    assert none["layout"]["annotations"][0]["text"] == "No claims match this view"


def test_an_indicator_the_catalog_does_not_name_is_no_error(client):
    out = _callback(client, "..items.options...sources.options...indicator-note.children..",
                    {"indicator.value": "gone.from_catalog", "uploaded.data": 0})
    assert out["items"]["options"] == [] and "not in the catalog" in out["indicator-note"]["children"]
    fig = _callback(client, "chart.figure", dict(_CHART_INPUTS, **{"indicator.value": "gone.from_catalog"}))
    assert fig["chart"]["figure"]["layout"]["annotations"][0]["text"] == "No claims match this view"


def test_claims_table_pages_server_side(client, store):
    out = _callback(client, "..claims-table.data...claims-count.children..",
                    {"claims-table.page_current": 1, "claims-table.page_size": 5,
                     "claims-table.sort_by": [{"column_id": "value", "direction": "desc"}],
                     "claims-table.filter_query": "{indicator} contains cyber", "uploaded.data": 0,
                     "edited.data": 0})
    want = store.claims()
    want = want[want["indicator"].str.contains("cyber")].sort_values("value", ascending=False, kind="stable")
    assert [r["value"] for r in out["claims-table"]["data"]] == list(want["value"][5:10])
    assert out["claims-count"]["children"] == f"{len(want)} claims match"


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
                    {"indicator.value": "cybercrime.registered", "items.value": None, "sources.value": None,
                     "roles.value": ["reported", "stated", "corrected", "planned"]})
    data = out["download"]["data"]
    assert data["filename"] == "cybercrime.registered.csv" and not data.get("base64")
    _assert_spreadsheet_safe(data["content"], len(_HOSTILE))
    some = _callback(client, "download.data", {"download-button.n_clicks": 2},
                     {"indicator.value": "cybercrime.registered", "items.value": [_HOSTILE[3]], "sources.value": None,
                      "roles.value": ["reported"]})
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
