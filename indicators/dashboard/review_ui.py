"""The Review and Conflicts tabs: layout from the catalog, callbacks that call the store and little else."""
from __future__ import annotations

import json
import math
from urllib.parse import parse_qs

import pandas as pd
from dash import Input, Output, State, ctx, dash_table, dcc, html, no_update

from ..accounts import Role
from ..catalog import Catalog
from ..conflicts import conflicts, plan_vs_actual
from ..errors import IndicatorsError
from ..review import EDITABLE
from ..schema import SCHEMA
from ..store import Store
from . import auth

QUEUE_COLUMNS = SCHEMA.group("queue")
QUEUES = [("all", "needs a look"), ("unattached", "no indicator"), ("unsure", "extractor unsure"),
          ("unreviewed", "not reviewed"), ("reviewed", "reviewed")]
CONFLICT_VIEW = ["group", "kind", "indicator", "item", "period_start", "period_end", "value", "unit", "qualifier",
                 "source", "role", "report_month", "latest", "surface", "sentence", "report", "claim_id"]
HISTORY_COLUMNS = ["created_at", "author", "action", "changes", "note", "undone", "edit_id"]
PLAN_TABLE = ["indicator", "item", "period_start", "period_end", "unit", "planned", "actual", "shortfall",
              "shortfall_pct", "plan_report", "actual_report"]
_FIELDS = [(name, SCHEMA.field(name).title) for name in EDITABLE]  # the correction form, in schema order


def _signer():
    """Who edits are by: the signed-in user (the name field stays, hidden, for the callback's State), or in
    single-user mode a name typed here."""
    user = auth.current_user()
    if user is not None and user is not auth.LOCAL_USER:
        return html.Span([f"Edits are signed as {user.name}.",
                          dcc.Input(id="reviewer", type="hidden", value=user.name)])
    return html.Label(["Your name", dcc.Input(id="reviewer", type="text", persistence=True,
                                              persistence_type="local", placeholder="who is reviewing")])


def review_panel(catalog: Catalog):
    indicators = [{"label": "(none)", "value": ""}] + [{"label": f"{i.theme} · {i.label}", "value": i.id}
                                                       for i in sorted(catalog.indicators, key=lambda i: (i.theme, i.label))]

    def field(key, label):
        if key == "indicator":
            control = dcc.Dropdown(id="fix-indicator", options=indicators, clearable=False)
        elif SCHEMA.field(key).enum:
            f = SCHEMA.field(key)  # every value the claims schema allows, with its label
            control = dcc.Dropdown(id=f"fix-{key}", options=[{"label": lab, "value": v} for v, lab in f.labels],
                                   clearable=False)
        else:
            control = dcc.Input(id=f"fix-{key.replace('_', '-')}", type="text", debounce=False)
        return html.Label([label, control], className="field")

    return [
        html.P("Claims that need a person: pick a queue, click a row, then accept, reject or correct it. "
               "Every edit is kept with your name, the time and your note, and can be undone."),
        dcc.RadioItems(id="queue-kind", inline=True, value="all",
                       options=[{"label": label, "value": v} for v, label in QUEUES]),
        dash_table.DataTable(id="queue-table", columns=[{"name": c, "id": c} for c in QUEUE_COLUMNS + ["seq"]],
                             hidden_columns=["seq"], page_action="custom", page_current=0, page_size=10,
                             style_table={"overflowX": "auto"}, css=[{"selector": ".show-hide", "rule": "display: none"}],
                             style_cell={"textAlign": "left", "maxWidth": 240, "overflow": "hidden",
                                         "textOverflow": "ellipsis"}),
        html.P(id="queue-count"),
        html.Div(id="review-editor", className="editor", children=[
            html.H3(id="review-title", children="No claim chosen"),
            html.Blockquote(id="review-sentence"),
            html.Div(className="controls", children=[
                _signer(),
                html.Label(["Note (why)", dcc.Input(id="review-note", type="text", placeholder="optional")]),
                html.Button("Accept", id="accept-button"),
                html.Button("Reject", id="reject-button"),
            ]),
            html.Div(className="controls", children=[field(k, label) for k, label in _FIELDS]),
            html.Button("Save correction", id="correct-button"),
            html.P(id="review-message", className="note"),
            html.H4("History of this claim"),
            dash_table.DataTable(id="history-table", columns=[{"name": c, "id": c} for c in HISTORY_COLUMNS],
                                 row_selectable="single", selected_rows=[],
                                 style_cell={"textAlign": "left", "whiteSpace": "normal"}),
            html.Button("Undo the selected edit", id="undo-button"),
        ]),
        html.H4("Edits that no longer attach to a claim"),
        html.Ul(id="orphans"),
    ]


def conflicts_panel(catalog: Catalog):
    options = [{"label": "all indicators", "value": ""}] + [
        {"label": f"{i.theme} · {i.label}", "value": i.id} for i in sorted(catalog.indicators, key=lambda i: (i.theme, i.label))]
    return [
        html.P("The same indicator, item and period given different values: a revision when one source changed "
               "its figure in a later report, a conflict when sources disagree. Figures agree when what they "
               "assert can both be true (about 12% and 12.3%; over 9,000 and 9,100)."),
        dcc.Dropdown(id="conflict-indicator", options=options, value="", clearable=False),
        html.P(id="conflicts-count"),
        dash_table.DataTable(id="conflicts-table", columns=[{"name": c, "id": c} for c in CONFLICT_VIEW],
                             page_size=20, sort_action="native", filter_action="native",
                             style_table={"overflowX": "auto"},
                             style_cell={"textAlign": "left", "whiteSpace": "normal", "maxWidth": 360},
                             style_cell_conditional=[{"if": {"column_id": "sentence"}, "minWidth": "380px"}],
                             style_data_conditional=[{"if": {"filter_query": "{latest} = true"}, "fontWeight": "bold"}]),
    ]


def plan_table():
    return [html.H3("Plans against what was reported"),
            dash_table.DataTable(id="plan-table", columns=[{"name": c, "id": c} for c in PLAN_TABLE], page_size=10,
                                 style_cell={"textAlign": "left"})]


def _records(df: pd.DataFrame, columns) -> list[dict]:
    out = df[columns].astype(object).where(df[columns].notna(), None)
    return out.to_dict("records")


def _text(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def register(app, store: Store, catalog: Catalog) -> None:
    @app.callback(Output("queue-table", "data"), Output("queue-count", "children"),
                  Input("queue-kind", "value"), Input("queue-table", "page_current"),
                  Input("queue-table", "page_size"), Input("edited", "data"), Input("uploaded", "data"))
    def queue(kind, page, size, _e, _u):
        df, total = store.review_queue(kind or "all", offset=(page or 0) * (size or 10), limit=size or 10)
        return _records(df, QUEUE_COLUMNS + ["seq"]), f"{total} claims in this queue"

    @app.callback(Output("review-claim", "data"), Input("queue-table", "active_cell"), State("queue-table", "data"),
                  prevent_initial_call=True)
    def choose(cell, rows):
        if not cell or not rows or cell["row"] >= len(rows):
            return no_update
        r = rows[cell["row"]]
        return {"report": r["report"], "seq": int(r["seq"])}

    @app.callback(Output("review-claim", "data", allow_duplicate=True), Input("url", "search"),
                  prevent_initial_call="initial_duplicate")
    def from_url(search):
        """?tab=review&claim=REPORT@CHAR_START opens a claim for review (the chart's point detail links here)."""
        claim = (parse_qs((search or "").lstrip("?")).get("claim") or [""])[0]
        report, _, start = claim.rpartition("@")
        seq = store.seq_of(report, int(start)) if report and start.isdigit() else None
        if seq is None:
            return no_update
        return {"report": report, "seq": int(seq)}

    outputs = [Output("review-title", "children"), Output("review-sentence", "children")] + [
        Output(f"fix-{k.replace('_', '-')}", "value") for k, _ in _FIELDS] + [Output("history-table", "data"),
                                                                              Output("history-table", "selected_rows")]

    @app.callback(*outputs, Input("review-claim", "data"), Input("edited", "data"))
    def show(claim, _e):
        row = store.claim(claim["report"], claim["seq"]) if claim else None
        if row is None:
            return ["No claim chosen" if not claim else "That claim is no longer in the store", ""] + [
                None] * len(_FIELDS) + [[], []]
        title = [html.B(row["surface"]), f" · {row['report']} · {row['indicator'] or 'no indicator'} · "
                                         f"review: {row['review']}"]
        values = [_text(row[k]) if k not in ("indicator",) else (row[k] or "") for k, _ in _FIELDS]
        history = store.history(claim["report"], claim["seq"])
        return [title, row["sentence"]] + values + [_records(history, HISTORY_COLUMNS), []]

    @app.callback(Output("review-message", "children"), Output("edited", "data"),
                  Input("accept-button", "n_clicks"), Input("reject-button", "n_clicks"),
                  Input("correct-button", "n_clicks"), Input("undo-button", "n_clicks"),
                  State("review-claim", "data"), State("reviewer", "value"), State("review-note", "value"),
                  State("history-table", "data"), State("history-table", "selected_rows"), State("edited", "data"),
                  *[State(f"fix-{k.replace('_', '-')}", "value") for k, _ in _FIELDS],
                  prevent_initial_call=True)
    def act(_a, _r, _c, _u, claim, author, note, history, selected, n, *fixes):
        refused = auth.refusal(Role.REVIEWER)
        if refused:
            return f"Not saved: {refused}", no_update
        if not claim:
            return "Choose a claim first.", no_update
        action = {"accept-button": "accept", "reject-button": "reject", "correct-button": "correct",
                  "undo-button": "undo"}[ctx.triggered_id]
        kwargs: dict = {"note": note or ""}
        if action == "correct":
            row = store.claim(claim["report"], claim["seq"]) or {}
            changes = {k: v for (k, _), v in zip(_FIELDS, fixes) if _text(row.get(k)) != _text(v) and k in EDITABLE}
            if not changes:
                return "Nothing to save: change a field first.", no_update
            kwargs.update(changes=changes, catalog=catalog)
        if action == "undo":
            if not selected or not history:
                return "Select the edit to undo in the history first.", no_update
            target = history[selected[0]]
            if target["action"] == "undo" or target.get("undone"):
                return "That edit is not in force.", no_update
            kwargs["undoes"] = target["edit_id"]
        try:
            e = store.edit(claim["report"], claim["seq"], action, auth.author(author), **kwargs)
        except IndicatorsError as exc:
            return f"Not saved: {exc}", no_update
        what = {"accept": "accepted", "reject": "rejected", "correct": "corrected", "undo": "undone"}[action]
        detail = f" ({json.dumps(dict(e.changes), ensure_ascii=False)})" if e.changes else ""
        return f"Saved: {what} by {e.author}{detail}.", (n or 0) + 1

    @app.callback(Output("orphans", "children"), Input("tab", "value"), Input("edited", "data"),
                  Input("uploaded", "data"))
    def orphans(tab, _e, _u):
        if tab != "review":
            return no_update
        return [html.Li(f"{e.report}: {e.surface!r} ({e.action} by {e.author}, {e.created_at[:16]}): "
                        f"its claim is no longer found") for e in store.orphans()] or [html.Li("none")]

    @app.callback(Output("conflicts-table", "data"), Output("conflicts-count", "children"),
                  Input("tab", "value"), Input("conflict-indicator", "value"), Input("edited", "data"),
                  Input("uploaded", "data"))
    def conflict_list(tab, indicator, _e, _u):
        if tab != "conflicts":
            return no_update, no_update
        c = conflicts(store.conflict_candidates(indicator or None))
        groups = c["group"].nunique() if len(c) else 0
        kinds = c.drop_duplicates("group")["kind"].value_counts().to_dict() if len(c) else {}
        summary = ", ".join(f"{n} {k}{'s' if n != 1 else ''}" for k, n in sorted(kinds.items())) or "none"
        return _records(c, CONFLICT_VIEW), f"{groups} groups of figures that disagree: {summary}"

    @app.callback(Output("plan-table", "data"), Input("tab", "value"), Input("edited", "data"),
                  Input("uploaded", "data"))
    def plans(tab, _e, _u):
        if tab != "disputes":
            return no_update
        return _records(plan_vs_actual(store.plan_candidates()), PLAN_TABLE)
