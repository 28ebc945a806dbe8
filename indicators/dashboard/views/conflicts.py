"""The Conflicts view: each group of figures that cannot all be true, charted by report month and listed in a
grid; pick one figure and accept it (rejecting the others of its group) or reject it: review edits."""
from __future__ import annotations

import dash_ag_grid as dag
from dash import Input, Output, State, dcc, html, no_update

from ...catalog import Catalog
from ...conflicts import conflicts
from ...errors import IndicatorsError
from ...store import Store
from .. import figures
from ..series import cell_text
from .common import DEFAULT_COL, labels, mark_at

COLUMNS = [("kind", "Kind", 100), ("indicator", "Indicator", 160), ("item", "Item", 100),
           ("period", "Period", 170), ("figure", "Figure", 110), ("unit", "Unit", 80), ("source", "Source", 150),
           ("report", "Report", 170), ("latest", "Latest", 80), ("sentence", "Sentence", 320)]


def layout(catalog: Catalog) -> list:
    options = [{"label": "all indicators", "value": ""}] + [
        {"label": f"{i.theme} · {i.label}", "value": i.id} for i in sorted(catalog.indicators, key=lambda i: (i.theme, i.label))]
    defs = [{"field": f, "headerName": h, "minWidth": w, "flex": 3 if f == "sentence" else 1,
             "filter": "agTextColumnFilter", "floatingFilter": True} for f, h, w in COLUMNS]
    defs[-1].update({"cellRenderer": "MarkedSentence", "wrapText": True, "autoHeight": True, "filter": False,
                    "floatingFilter": False})
    return [
        html.P("The same indicator, item and period given different values: a revision when one source changed "
               "its figure in a later report, a conflict when sources disagree. Figures agree when what they "
               "assert can both be true (about 12% and 12.3%; over 9,000 and 9,100)."),
        dcc.Dropdown(id="conflict-indicator", options=options, value="", clearable=False),
        html.P(id="conflicts-count"),
        dcc.Graph(id="conflicts-chart", config={"displaylogo": False}),
        html.Div(className="controls", children=[
            html.Label(["Your name", dcc.Input(id="conflict-reviewer", type="text", persistence=True,
                                               persistence_type="local", placeholder="who is reviewing")]),
            html.Button("Accept the selected figure, reject the others of its group", id="conflict-accept"),
            html.Button("Reject the selected figure", id="conflict-reject"),
        ]),
        html.P(id="conflict-message", className="note"),
        dag.AgGrid(id="conflicts-grid", rowData=[], columnDefs=defs, defaultColDef=DEFAULT_COL,
                   getRowId="params.data.claim_id", style={"height": "520px", "width": "100%"},
                   dashGridOptions={"rowSelection": {"mode": "singleRow", "enableClickSelection": True,
                                                     "checkboxes": True},
                                    "localeText": {"noRowsToShow": "No figures disagree"},
                                    "rowClassRules": {"latest-figure": "params.data.latest === 'yes'"}}),
    ]


def rows_for_grid(c, catalog: Catalog, titles: dict) -> list[dict]:
    names = labels(catalog)
    return [{"claim_id": r["claim_id"], "group": int(r["group"]), "kind": r["kind"],
             "indicator": names.get(r["indicator"], r["indicator"]), "item": r["item"],
             "period": f"{r['period_start']} – {r['period_end']}", "figure": r["surface"],
             "value": cell_text(r), "unit": r["unit"], "source": r["source"] or "report's own",
             "report": titles.get(r["report"], r["report"]), "latest": "yes" if r["latest"] else "",
             "sentence": r["sentence"], "surface": r["surface"], "mark_at": mark_at(r["sentence"], r["surface"])}
            for r in c.to_dict("records")]


def register(app, store: Store, catalog: Catalog) -> None:
    names = labels(catalog)

    @app.callback(Output("conflicts-grid", "rowData"), Output("conflicts-count", "children"),
                  Output("conflicts-chart", "figure"),
                  Input("tab", "value"), Input("conflict-indicator", "value"), Input("edited", "data"),
                  Input("uploaded", "data"))
    def conflict_list(tab, indicator, _e, _u):
        if tab != "conflicts":
            return no_update, no_update, no_update
        c = conflicts(store.conflict_candidates(indicator or None, confident=catalog.chart_confidence))
        groups = c["group"].nunique() if len(c) else 0
        kinds = c.drop_duplicates("group")["kind"].value_counts().to_dict() if len(c) else {}
        summary = ", ".join(f"{n} {k}{'s' if n != 1 else ''}" for k, n in sorted(kinds.items())) or "none"
        titles = store.report_titles()
        return (rows_for_grid(c, catalog, titles), f"{groups} groups of figures that disagree: {summary}",
                figures.conflicts_figure(c, labels=names, reports=titles))

    @app.callback(Output("conflict-message", "children"), Output("edited", "data", allow_duplicate=True),
                  Input("conflict-accept", "n_clicks"), Input("conflict-reject", "n_clicks"),
                  State("conflicts-grid", "selectedRows"), State("conflicts-grid", "rowData"),
                  State("conflict-reviewer", "value"), State("edited", "data"), prevent_initial_call=True)
    def decide(accept, reject, selected, rows, author, n):
        """Accept the chosen figure and reject the rest of its group, or reject the chosen one: review edits,
        as the Review tab would write them (undone there)."""
        from dash import ctx

        from ...accounts import Role as AccountRole
        from .. import auth
        refused = auth.refusal(AccountRole.REVIEWER)
        if refused:
            return f"Not saved: {refused}", no_update
        if not selected:
            return "Select a figure in the table first.", no_update
        author = auth.author(author)
        chosen = selected[0]
        if ctx.triggered_id == "conflict-accept":
            others = [r for r in rows or [] if r["group"] == chosen["group"] and r["claim_id"] != chosen["claim_id"]]
            plan = [(chosen["claim_id"], "accept")] + [(r["claim_id"], "reject") for r in others]
        else:
            plan = [(chosen["claim_id"], "reject")]
        done = []
        try:
            for cid, action in plan:
                report, _, start = cid.rpartition("@")
                seq = store.seq_of(report, int(start))
                if seq is None:
                    return f"Not saved: claim {cid} is no longer in the store.", no_update
                store.edit(report, seq, action, author, note="decided in the Conflicts view")
                done.append(f"{action}ed {cid}")
        except IndicatorsError as exc:
            return f"Not saved: {exc}", (n or 0) + 1 if done else no_update
        return "Saved: " + "; ".join(done) + f" by {author}.", (n or 0) + 1
