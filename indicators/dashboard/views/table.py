"""The Table view of one indicator, as in OWID and FRED: the latest vintage per period and item, wide
(periods × items), derived monthly values marked; downloadable as a wide CSV."""
from __future__ import annotations

import dash_ag_grid as dag
import pandas as pd
from dash import Input, Output, State, dcc, html, no_update

from ...catalog import Catalog
from ...export import frame_csv, guard
from ...schema import ReviewState
from ...store import Store
from .. import figures, series
from .common import DEFAULT_COL, labels


def layout() -> list:
    return [
        html.H3(id="wide-title"),
        html.P(id="wide-note", className="note"),
        dag.AgGrid(id="wide-grid", rowData=[], columnDefs=[], defaultColDef=DEFAULT_COL,
                   columnSize="responsiveSizeToFit", style={"height": "520px", "width": "100%"},
                   dashGridOptions={"suppressFieldDotNotation": True, "localeText": {"noRowsToShow": "No figures for this indicator yet"},
                                    "tooltipShowDelay": 300}),
        html.Button("Download this table as CSV (wide)", id="wide-download-button"),
        dcc.Download(id="wide-download"),
    ]


def wide(store: Store, indicator: str | None) -> pd.DataFrame:
    """The indicator's wide table: latest vintage per period and item; a derived monthly value reads
    "2,117 (derived)"."""
    if not indicator:
        return series.wide_table(pd.DataFrame())
    df = store.claims(indicator=indicator, review=[s for s in ReviewState if s != ReviewState.REJECTED])
    df = series.with_derived(series.latest(df)[0])
    table = series.wide_table(df)
    if len(df) and df["derived"].any():
        # mark the cells that come from derivation
        derived = df[df["derived"] == True]  # noqa: E712 (a column of Python bools and numpy bools)
        for r in derived.itertuples():
            col = r.item or "total"
            hit = (table["period_start"] == r.period_start) & (table["period_end"] == r.period_end)
            if col in table.columns:
                table.loc[hit, col] = table.loc[hit, col].astype(str) + " (derived)"
    return table


def register(app, store: Store, catalog: Catalog) -> None:
    names = labels(catalog)

    @app.callback(Output("wide-grid", "rowData"), Output("wide-grid", "columnDefs"), Output("wide-title", "children"),
                  Output("wide-note", "children"), Input("tab", "value"), Input("indicator", "value"),
                  Input("uploaded", "data"), Input("edited", "data"))
    def table(tab, indicator, _u, _e):
        if tab != "table":
            return no_update, no_update, no_update, no_update
        t = wide(store, indicator)
        unit = ""
        try:
            unit = figures.unit_label(catalog.get(indicator).unit)
        except KeyError:
            pass
        cols = [{"field": "period_start", "headerName": "From", "pinned": "left", "minWidth": 110},
                {"field": "period_end", "headerName": "To", "pinned": "left", "minWidth": 110},
                {"field": "period", "headerName": "Period length", "minWidth": 130}]
        cols += [{"field": c, "headerName": c, "minWidth": 120, "type": "rightAligned"} for c in t.columns[3:]]
        title = f"{names.get(indicator, indicator or '')}" + (f" — {unit}" if unit else "")
        note = ("The latest figure given for each period and item (a later report's revision replaces the earlier "
                "one); ~ about, > over, < under, ≥ at least, ≤ at most, a – b a range. \"(derived)\": a monthly "
                "value that follows from two cumulative figures.")
        return t.fillna("").to_dict("records"), cols, title, note

    @app.callback(Output("wide-download", "data"), Input("wide-download-button", "n_clicks"),
                  State("indicator", "value"), prevent_initial_call=True)
    def download(_n, indicator):
        t = wide(store, indicator).fillna("")
        t.columns = [guard(c) for c in t.columns]  # item names head columns here: guarded like any cell
        return dcc.send_string(frame_csv(t), f"{indicator or 'indicator'}.wide.csv")
