"""The Stated vs corrected view: each disputed figure beside the one that answers it (a dumbbell chart, a panel
per unit, and a grid with both sentences), procurement planned against reported, and every plan paired with the
figure later reported for the same item and period. Pure functions shape the rows; callbacks are thin."""
from __future__ import annotations

import dash_ag_grid as dag
import pandas as pd
from dash import Input, Output, dcc, html, no_update

from ...catalog import Catalog
from ...conflicts import plan_vs_actual
from ...schema import Role
from ...store import Store
from .. import figures
from ..series import number
from .common import DEFAULT_COL, labels

MAX_PAIRS = 40  # the view shows the most recent stated/corrected pairs
REPORT_BATCH = 12  # reports read at a time, newest first, until MAX_PAIRS pairs are found
PROCUREMENT = "procurement.units"  # the catalog indicator the planned-against-reported chart draws
PAIR_GRID = [("report_month", "Month", 90), ("indicator", "Indicator", 150), ("item", "Item", 110),
             ("surface_stated", "Stated", 90), ("source", "Stated by", 150), ("sentence_stated", "Stated in", 300),
             ("surface_corrected", "Corrected to", 110), ("sentence_corrected", "Corrected in", 300)]
PLAN_GRID = [("indicator", "Indicator"), ("item", "Item"), ("period", "Period"), ("planned", "Planned"),
             ("actual", "Reported"), ("shortfall", "Shortfall"), ("shortfall_pct", "Shortfall %"),
             ("plan_report", "Plan in"), ("actual_report", "Reported in")]


def layout() -> list:
    return [
        dcc.Graph(id="pairs-chart", config={"displaylogo": False}),
        dag.AgGrid(id="pairs-grid", rowData=[], defaultColDef=DEFAULT_COL, style={"height": "360px", "width": "100%"},
                   columnDefs=[{"field": f, "headerName": h, "minWidth": w, "flex": 3 if "sentence" in f else 1,
                                "wrapText": "sentence" in f, "autoHeight": "sentence" in f}
                               for f, h, w in PAIR_GRID],
                   dashGridOptions={"localeText": {"noRowsToShow": "No disputed figures in these reports"}}),
        dcc.Graph(id="plan-chart", config={"displaylogo": False}),
        html.H3("Plans against what was reported"),
        dag.AgGrid(id="plan-grid", rowData=[], defaultColDef=DEFAULT_COL, style={"height": "300px", "width": "100%"},
                   columnDefs=[{"field": f, "headerName": h, "minWidth": 100, "flex": 1} for f, h in PLAN_GRID],
                   dashGridOptions={"localeText": {"noRowsToShow": "No plan has a reported figure for the same item "
                                                                 "and period yet"}}),
    ]


def recent_pairs(store: Store) -> tuple[pd.DataFrame, bool]:
    """Stated/corrected pairs of the newest reports, a batch of reports at a time, at most MAX_PAIRS of them;
    and whether there were more (older ones left out)."""
    reports = store.reports().sort_values(["month", "id"], ascending=False)["id"].tolist()
    found, n, more = [figures.stated_corrected_pairs(store.claims(report="__none__"))], 0, False
    for k in range(0, len(reports), REPORT_BATCH):
        batch = store.claims(report=reports[k:k + REPORT_BATCH], role=[Role.STATED, Role.CORRECTED])
        pairs = figures.stated_corrected_pairs(batch)
        found.append(pairs)
        n += len(pairs)
        if n >= MAX_PAIRS:
            more = n > MAX_PAIRS or k + REPORT_BATCH < len(reports)
            break
    pairs = pd.concat([f for f in found if len(f)], ignore_index=True) if n else found[0]
    if more:
        pairs = pairs.sort_values("report_month", ascending=False, kind="stable").head(MAX_PAIRS)
    return pairs.reset_index(drop=True), more


def pair_rows(pairs: pd.DataFrame, names: dict) -> list[dict]:
    """Pairs (figures.stated_corrected_pairs) as the grid shows them: indicator labels for ids."""
    return pairs.assign(indicator=pairs["indicator"].map(lambda i: names.get(i, i))).to_dict("records")


def plan_rows(plans: pd.DataFrame, names: dict, titles: dict) -> list[dict]:
    """Plans with what was reported (conflicts.plan_vs_actual) as the grid shows them: labels and report titles
    for ids, figures as an analyst writes them, the shortfall as a share of the plan."""
    return [{"indicator": names.get(r["indicator"], r["indicator"]), "item": r["item"],
             "period": f"{r['period_start']} – {r['period_end']}", "planned": number(r["planned"]),
             "actual": number(r["actual"]), "shortfall": number(r["shortfall"]),
             "shortfall_pct": number(round(r["shortfall_pct"], 1)) if r["shortfall_pct"] == r["shortfall_pct"] else "",
             "plan_report": titles.get(r["plan_report"], r["plan_report"]),
             "actual_report": titles.get(r["actual_report"], r["actual_report"])} for r in plans.to_dict("records")]


def register(app, store: Store, catalog: Catalog) -> None:
    names = labels(catalog)

    @app.callback(Output("pairs-chart", "figure"), Output("pairs-grid", "rowData"), Output("plan-chart", "figure"),
                  Input("tab", "value"), Input("uploaded", "data"))
    def disputes(tab, _n):
        if tab != "disputes":
            return no_update, no_update, no_update
        pairs, more = recent_pairs(store)
        procurement = store.claims(indicator=PROCUREMENT, role=[Role.PLANNED, Role.REPORTED])
        title = f"Stated versus corrected: the {len(pairs)} most recent pairs" if more else "Stated versus corrected"
        return (figures.pairs_figure(pairs, title=title, labels=names), pair_rows(pairs, names),
                figures.plan_actual_figure(procurement))

    @app.callback(Output("plan-grid", "rowData"), Input("tab", "value"), Input("edited", "data"),
                  Input("uploaded", "data"))
    def plans(tab, _e, _u):
        if tab != "disputes":
            return no_update
        return plan_rows(plan_vs_actual(store.plan_candidates()), names, store.report_titles())
