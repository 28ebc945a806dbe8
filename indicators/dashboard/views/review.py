"""The Review view: queues of claims that need a person, the review form (accept, reject, correct, undo) and a
claim's history. Layout from the catalog and the claims schema; pure functions shape the store's rows for the
grids and the form; callbacks call the store and those, little else."""
from __future__ import annotations

import json
import math
from urllib.parse import parse_qs

import dash_ag_grid as dag
import pandas as pd
from dash import Input, Output, State, ctx, dcc, html, no_update

from ...accounts import Role
from ...catalog import Catalog
from ...errors import IndicatorsError
from ...review import EDITABLE
from ...schema import SCHEMA
from ...store import Store
from .. import auth
from ..series import number
from .common import DEFAULT_COL, labels, mark_at, minute

QUEUE_PAGE = 20
# the queue grid: what a reviewer reads first (the sentence with its figure marked), in headers a person reads
QUEUE_GRID = [("report", "Report", {"minWidth": 150, "flex": 1}), ("indicator", "Indicator", {"minWidth": 140, "flex": 1}),
              ("item", "Item", {"minWidth": 90, "flex": 0.6}), ("surface", "Figure", {"minWidth": 100, "flex": 0.7}),
              ("role", "Role", {"minWidth": 90, "flex": 0.5}),
              ("confidence", "Confidence", {"minWidth": 90, "flex": 0.5,
                                            "valueFormatter": {"function": "params.value == null ? '' : "
                                                               "Math.round(params.value * 100) + '%'"}}),
              ("sentence", "Sentence", {"minWidth": 300, "flex": 3, "cellRenderer": "MarkedSentence",
                                        "wrapText": True, "autoHeight": True}),
              ("notes", "Why it needs a look", {"minWidth": 140, "flex": 1, "wrapText": True, "autoHeight": True})]
HISTORY_GRID = [("when", "When", 150), ("author", "Who", 110), ("action", "Action", 100),
                ("change", "Change", 260), ("note", "Note", 200), ("state", "In force", 100)]
QUEUES = [("all", "needs a look"), ("unattached", "no indicator"), ("unsure", "extractor unsure"),
          ("unreviewed", "not reviewed"), ("reviewed", "reviewed")]
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


def layout(catalog: Catalog) -> list:
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
        dag.AgGrid(id="queue-grid", rowData=[], defaultColDef=DEFAULT_COL, getRowId="params.data.key",
                   columnDefs=[{"field": f, "headerName": h, **extra} for f, h, extra in QUEUE_GRID],
                   style={"height": "430px", "width": "100%"},
                   dashGridOptions={"rowSelection": {"mode": "singleRow", "enableClickSelection": True,
                                                     "checkboxes": False},
                                    "localeText": {"noRowsToShow": "Nothing in this queue"}}),
        html.Div(className="pager", children=[html.Button("◀ previous", id="queue-prev"),
                                              html.Span(id="queue-page-label"),
                                              html.Button("next ▶", id="queue-next"),
                                              dcc.Store(id="queue-page", data=0)]),
        html.P(id="queue-count"),
        html.P(id="training-note", className="note"),
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
            dag.AgGrid(id="history-grid", rowData=[], defaultColDef=DEFAULT_COL, getRowId="params.data.edit_id",
                       columnDefs=[{"field": f, "headerName": h, "minWidth": w, "flex": 1, "wrapText": True,
                                    "autoHeight": True} for f, h, w in HISTORY_GRID],
                       style={"height": "240px", "width": "100%"},
                       dashGridOptions={"rowSelection": {"mode": "singleRow", "enableClickSelection": True,
                                                         "checkboxes": True},
                                        "localeText": {"noRowsToShow": "No edits yet"}}),
            html.Button("Undo the selected edit", id="undo-button"),
        ]),
        html.H4("Edits that no longer attach to a claim"),
        html.Ul(id="orphans"),
    ]


def _text(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def changes_text(history: pd.DataFrame, original: dict) -> list[str]:
    """Each edit's change as a person reads it: "value 9,000 → 9,500; unit case → person"; "" for accept,
    reject and undo. `original`: the claim's fields as extracted, the start of the chain of corrections."""
    current = dict(original)
    out = []
    for changes in history["changes"].tolist():
        parts = []
        for k, v in (json.loads(changes) if changes else {}).items():
            old = current.get(k)
            fmt = lambda x: number(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else (str(x) if x not in (None, "") else "—")
            parts.append(f"{k.replace('_', ' ')} {fmt(old)} → {fmt(v)}")
            current[k] = v
        out.append("; ".join(parts))
    return out


def training_note(store: Store, catalog: Catalog) -> str:
    """How many reviews the linker has not learned from yet: every accept, correction and rejection since its
    last `indicators train` (run with --db) is a labelled example it could use."""
    linker = catalog.linker
    if linker is None:
        return "Claims are linked by the catalog's rules alone (no linker weights)."
    trained = linker.trained
    since = str(trained.get("reviews_until") or trained.get("at") or "")
    n = store.reviews_since(since)
    when = since[:16].replace("T", " ") if since else "never"
    return (f"{n:,} review{'s' if n != 1 else ''} since the linker was last trained ({when}); "
            f"`indicators train --db URL` learns from them.")


def queue_rows(df: pd.DataFrame, titles: dict, names: dict) -> list[dict]:
    """A queue page as the grid shows it: report titles and indicator labels for ids, the figure's place in its
    sentence (the grid marks it), the linker's confidence, a key per claim."""
    return [{"key": f"{r['report']}#{int(r['seq'])}", "report_id": r["report"], "seq": int(r["seq"]),
             "report": titles.get(r["report"], r["report"]),
             "indicator": names.get(r["indicator"], r["indicator"]) or "no indicator", "item": r["item"],
             "surface": r["surface"], "role": r["role"], "sentence": r["sentence"],
             "confidence": None if pd.isna(r["confidence"]) else round(float(r["confidence"]), 3),
             "mark_at": mark_at(r["sentence"], r["surface"]), "notes": r["notes"]}
            for r in df.to_dict("records")]


def claim_title(row: dict, titles: dict, names: dict) -> list:
    """The form's heading: the figure, its report's title, its indicator's label and its review state."""
    return [html.B(row["surface"]), f" · {titles.get(row['report'], row['report'])} · "
                                    f"{names.get(row['indicator'], row['indicator']) or 'no indicator'} · "
                                    f"review: {row['review']}"]


def marked_sentence(sentence: str, surface: str):
    """The sentence with its figure in a <mark> (as text when the sentence does not hold the figure as written)."""
    at = mark_at(sentence, surface)
    if at < 0:
        return sentence
    return [sentence[:at], html.Mark(surface, className="figure"), sentence[at + len(surface):]]


def history_rows(history: pd.DataFrame, row: dict) -> list[dict]:
    """A claim's edits (Store.history) as the history grid shows them: times to the minute, each change as
    "value 9,000 → 9,500", whether it is still in force."""
    changes = changes_text(history, _original(row))
    undone_by = set(history.loc[history["action"] == "undo", "undoes"])
    return [{"edit_id": e["edit_id"], "when": minute(e["created_at"]), "author": e["author"], "action": e["action"],
             "change": ch, "note": e["note"],
             "state": "undone" if e["edit_id"] in undone_by else ("—" if e["action"] == "undo" else "yes"),
             "undone": bool(e["undone"])}
            for e, ch in zip(history.to_dict("records"), changes)]


def _original(row: dict) -> dict:
    """The claim as the extractor found it: its current fields with what edits replaced put back."""
    out = {k: row.get(k) for k, _ in _FIELDS}
    out.update(json.loads(row["extracted"]) if row.get("extracted") else {})
    return out


def register(app, store: Store, catalog: Catalog) -> None:
    names = labels(catalog)

    @app.callback(Output("queue-page", "data"), Input("queue-prev", "n_clicks"), Input("queue-next", "n_clicks"),
                  Input("queue-kind", "value"), State("queue-page", "data"), prevent_initial_call=True)
    def turn(_p, _n, _k, page):
        if ctx.triggered_id == "queue-kind":
            return 0
        return max(0, (page or 0) + (1 if ctx.triggered_id == "queue-next" else -1))

    @app.callback(Output("queue-grid", "rowData"), Output("queue-count", "children"),
                  Output("queue-page-label", "children"), Output("training-note", "children"),
                  Input("queue-kind", "value"), Input("queue-page", "data"), Input("edited", "data"),
                  Input("uploaded", "data"))
    def queue(kind, page, _e, _u):
        page = page or 0
        df, total = store.review_queue(kind or "all", offset=page * QUEUE_PAGE, limit=QUEUE_PAGE,
                                       below=catalog.chart_confidence)
        rows = queue_rows(df, store.report_titles(), names)
        pages = max(1, -(-total // QUEUE_PAGE))
        return rows, f"{total:,} claims in this queue", f" page {min(page + 1, pages)} of {pages} ", \
            training_note(store, catalog)

    @app.callback(Output("review-claim", "data"), Input("queue-grid", "selectedRows"), prevent_initial_call=True)
    def choose(selected):
        if not selected:
            return no_update
        r = selected[0]
        return {"report": r["report_id"], "seq": int(r["seq"])}

    @app.callback(Output("review-claim", "data", allow_duplicate=True), Input("url", "search"),
                  prevent_initial_call="initial_duplicate")
    def from_url(search):
        """?tab=review&claim=REPORT@CHAR_START opens a claim for review (the chart's point detail links here)."""
        q = parse_qs((search or "").lstrip("?"))
        if (q.get("tab") or [""])[0] not in ("review", ""):
            return no_update
        claim = (q.get("claim") or [""])[0]
        report, _, start = claim.rpartition("@")
        seq = store.seq_of(report, int(start)) if report and start.isdigit() else None
        if seq is None:
            return no_update
        return {"report": report, "seq": int(seq)}

    outputs = [Output("review-title", "children"), Output("review-sentence", "children")] + [
        Output(f"fix-{k.replace('_', '-')}", "value") for k, _ in _FIELDS] + [Output("history-grid", "rowData")]

    @app.callback(*outputs, Input("review-claim", "data"), Input("edited", "data"))
    def show(claim, _e):
        row = store.claim(claim["report"], claim["seq"]) if claim else None
        if row is None:
            return ["No claim chosen" if not claim else "That claim is no longer in the store", ""] + [
                None] * len(_FIELDS) + [[]]
        title = claim_title(row, store.report_titles(), names)
        values = [_text(row[k]) if k not in ("indicator",) else (row[k] or "") for k, _ in _FIELDS]
        rows = history_rows(store.history(claim["report"], claim["seq"]), row)
        sentence = marked_sentence(row["sentence"], row["surface"])
        return [title, sentence] + values + [rows]

    @app.callback(Output("review-message", "children"), Output("edited", "data"),
                  Input("accept-button", "n_clicks"), Input("reject-button", "n_clicks"),
                  Input("correct-button", "n_clicks"), Input("undo-button", "n_clicks"),
                  State("review-claim", "data"), State("reviewer", "value"), State("review-note", "value"),
                  State("history-grid", "selectedRows"), State("edited", "data"),
                  *[State(f"fix-{k.replace('_', '-')}", "value") for k, _ in _FIELDS],
                  prevent_initial_call=True)
    def act(_a, _r, _c, _u, claim, author, note, selected, n, *fixes):
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
            if not selected:
                return "Select the edit to undo in the history first.", no_update
            target = selected[0]
            if target["action"] == "undo" or target.get("undone"):
                return "That edit is not in force.", no_update
            kwargs["undoes"] = target["edit_id"]
        try:
            e = store.edit(claim["report"], claim["seq"], action, auth.author(author), **kwargs)
        except IndicatorsError as exc:
            return f"Not saved: {exc}", no_update
        what = {"accept": "accepted", "reject": "rejected", "correct": "corrected", "undo": "undone"}[action]
        detail = ""
        if e.changes:
            detail = " (" + ", ".join(f"{k.replace('_', ' ')} → {v}" for k, v in dict(e.changes).items()) + ")"
        return f"Saved: {what} by {e.author}{detail}.", (n or 0) + 1

    @app.callback(Output("orphans", "children"), Input("tab", "value"), Input("edited", "data"),
                  Input("uploaded", "data"))
    def orphans(tab, _e, _u):
        if tab != "review":
            return no_update
        return [html.Li(f"{e.report}: {e.surface!r} ({e.action} by {e.author}, {minute(e.created_at)}): "
                        f"its claim is no longer found") for e in store.orphans()] or [html.Li("none")]
