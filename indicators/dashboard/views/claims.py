"""The Claims view: every claim in an AG Grid on the infinite row model; each block of rows is one SQL page
(filter, sort, offset, limit) of the store, so it stays fast at a million claims."""
from __future__ import annotations

import json
from collections import OrderedDict

import dash_ag_grid as dag
from dash import Input, Output, html, no_update

from ...catalog import Catalog
from ...schema import SCHEMA
from ...store import Store
from .common import DEFAULT_COL, GRID_STYLE, TEXT_FILTER, claim_id, labels, mark_at, report_link

BLOCK = 100  # rows per request (one SQL page)
MAX_REMEMBERED = 10_000  # block ends remembered for seeks
# (store column, header, width settings): what fits 1,366 px, the sentence taking what is left
COLUMNS = [
    ("report", "Report", {"minWidth": 130, "flex": 1.2}),
    ("indicator", "Indicator", {"minWidth": 130, "flex": 1.2}),
    ("item", "Item", {"minWidth": 80, "flex": 0.7}),
    ("surface", "Figure", {"minWidth": 100, "flex": 0.8}),
    ("value", "Value", {"minWidth": 100, "flex": 0.7, "type": "rightAligned",
                        "valueFormatter": {"function": "params.value == null ? '' : "
                                                       "params.value.toLocaleString('en-US') + ' ' + params.data.unit"}}),
    ("period_start", "Period", {"minWidth": 110, "flex": 0.8}),
    ("role", "Role", {"minWidth": 80, "flex": 0.5}),
    ("source", "Source", {"minWidth": 100, "flex": 0.9}),
    ("sentence", "Sentence", {"minWidth": 200, "flex": 3, "cellRenderer": "MarkedSentence", "wrapText": True,
                              "sortable": False}),
    ("review", "Review", {"minWidth": 90, "flex": 0.6}),
    ("pair_kind", "Pair", {"minWidth": 80, "flex": 0.7}),
    ("notes", "Extractor notes", {"minWidth": 90, "flex": 0.7}),
]
FILTERABLE = set(SCHEMA.group("grid_filters"))


def layout() -> list:
    defs = []
    for col, header, extra in COLUMNS:
        d = {"field": col, "headerName": header, "tooltipField": "sentence" if col == "sentence" else None, **extra}
        if col in FILTERABLE:
            d.update(TEXT_FILTER)
        defs.append({k: v for k, v in d.items() if v is not None})
    return [
        html.P("Filter with the menu in each header; click a report or figure to open the report at that figure."),
        dag.AgGrid(id="claims-grid", rowModelType="infinite", columnDefs=defs, defaultColDef=DEFAULT_COL,
                   getRowId="params.data.id", style=GRID_STYLE,
                   dashGridOptions={"cacheBlockSize": BLOCK, "maxBlocksInCache": 20, "rowHeight": 54,
                                    "infiniteInitialRowCount": 1, "tooltipShowDelay": 400,
                                    "localeText": {"noRowsToShow": "No claims match"}}),
        html.P(id="claims-count"),
    ]


def request_to_query(request: dict, catalog: Catalog, titles: dict) -> tuple[dict, dict, list]:
    """An AG Grid getRowsRequest -> (equality filters, substring filters, sort) for Store.page. Report and
    indicator filters match what the grid shows (titles, labels) as well as the ids."""
    equals, contains = {}, {}
    for col, f in (request.get("filterModel") or {}).items():
        if col not in FILTERABLE or not isinstance(f, dict):
            continue
        text, op = str(f.get("filter") or "").strip(), f.get("type") or "contains"
        if not text:
            continue
        if col in ("report", "indicator"):
            names = titles if col == "report" else labels(catalog)
            low = text.lower()
            if op == "equals":
                hit = [k for k, v in names.items() if low in (k.lower(), v.lower())]
            else:
                hit = [k for k, v in names.items() if low in k.lower() or low in v.lower()]
            if col == "indicator" and not hit:
                contains[col] = text  # ids the catalog does not name
            else:
                equals[col] = hit or ["\x00none"]
        elif op == "equals":
            equals[col] = text
        else:
            contains[col] = text
    sort = [(s["colId"], s.get("sort") == "asc") for s in request.get("sortModel") or [] if s.get("colId")]
    return equals, contains, sort


def rows_for_grid(df, catalog: Catalog, titles: dict) -> list[dict]:
    """Store rows as the grid shows them: titles and labels in place of ids, the figure's place in its
    sentence, the period as one text, an id for links."""
    names = labels(catalog)
    out = []
    for r in df.to_dict("records"):
        out.append({
            "id": claim_id(r["report"], r["char_start"]), "report_id": r["report"], "char_start": int(r["char_start"]),
            "report": titles.get(r["report"], r["report"]), "indicator": names.get(r["indicator"], r["indicator"]),
            "item": r["item"], "surface": r["surface"], "value": r["value"], "unit": r["unit"],
            "period_start": f"{r['period_start']} – {r['period_end']}", "role": r["role"], "source": r["source"],
            "sentence": r["sentence"], "mark_at": mark_at(r["sentence"], r["surface"]), "review": r["review"],
            "pair_kind": f"{r['pair_kind']} {r['pair']}".strip(), "notes": r["notes"],
        })
    return out


def register(app, store: Store, catalog: Catalog) -> None:
    # where each block the grid has been sent ends (the sort key of its last row), per filter and sort: the next
    # block, asked for as the grid scrolls down, starts there with a seek instead of counting rows from the top
    ends: OrderedDict = OrderedDict()

    @app.callback(Output("claims-grid", "getRowsResponse"), Output("claims-count", "children"),
                  Input("claims-grid", "getRowsRequest"), Input("uploaded", "data"), Input("edited", "data"))
    def claims_rows(request, _n, _e):
        if not request:
            return no_update, no_update
        titles = store.report_titles()
        equals, contains, sort = request_to_query(request, catalog, titles)
        start = int(request.get("startRow") or 0)
        end = int(request.get("endRow") or start + BLOCK)
        view = json.dumps([request.get("filterModel"), request.get("sortModel")], sort_keys=True)
        df, total = store.page(equals, contains, sort, offset=start, limit=max(1, min(end - start, 500)),
                               after=ends.get((view, start)) if start else None)
        if len(df):
            ends[(view, start + len(df))] = store.page_key(df.iloc[-1], sort)
            while len(ends) > MAX_REMEMBERED:
                ends.popitem(last=False)
        return {"rowData": rows_for_grid(df, catalog, titles), "rowCount": total}, f"{total:,} claims match"

    @app.callback(Output("url", "search", allow_duplicate=True), Input("claims-grid", "cellClicked"),
                  prevent_initial_call=True)
    def open_report(cell):
        """A click on a report or a figure opens the report there."""
        if not cell or cell.get("colId") not in ("report", "surface") or not cell.get("rowId"):
            return no_update
        report, _, start = str(cell["rowId"]).rpartition("@")
        return report_link(report, start) if report and start.isdigit() else no_update
