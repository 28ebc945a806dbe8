"""The Dash dashboard over the store: the page, its tabs and URL, and the views (one module each under views/);
callbacks stay thin (the store queries, pure functions shape), plain HTTP download routes beside it."""
from __future__ import annotations

from urllib.parse import parse_qs, urlencode

import pandas as pd
from dash import ClientsideFunction, Dash, Input, Output, State, ctx, dcc, html, no_update

from ..accounts import Role as AccountRole
from ..catalog import Catalog, load_catalog
from ..store import Store
from . import auth, figures, health, uploads
from .routes import add_routes
from .views import (
    claims as claims_view,
    conflicts as conflicts_view,
    discover as discover_view,
    disputes as disputes_view,
    indicators as indicators_view,
    review as review_view,
    table as table_view,
    users as users_view,
)
from .views.indicators import AUTO, MAX_OPTIONS, MAX_POINTS  # noqa: F401 (MAX_POINTS: tests patch it there)

TABS = [("indicators", "Indicators"), ("table", "Table"), ("disputes", "Stated vs corrected"),
        ("conflicts", "Conflicts"), ("claims", "Claims"), ("review", "Review"), ("report", "Report"),
        ("add", "Add a report"), ("discover", "Discover series"), ("users", "Users")]
ADMIN_TABS = {"users"}  # shown to admins only (anyone else who opens one by its link is told why it is empty)
MAX_UPLOAD_MB = uploads.MAX_UPLOAD_MB
ASSET_MAX_AGE = 7 * 24 * 3600  # /assets/ URLs carry their file's mtime (?m=...), so a week in caches is safe
ALL_ROLES = list(figures.ROLE_COLOURS)


def create_app(store: Store, catalog: Catalog | None = None, max_upload_mb: float = MAX_UPLOAD_MB) -> Dash:
    """Build the app for a store; `app.server` is the Flask (WSGI) app.

    Responses are compressed (flask-compress: the first page's JavaScript is most of its weight) and
    /assets/ files cached by browsers."""
    catalog = catalog or load_catalog()
    max_upload_mb = uploads.limit_mb(max_upload_mb)
    app = Dash(__name__, title="Indicators", suppress_callback_exceptions=True, compress=True,
               meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}])
    # a request larger than one upload at the limit (base64: 4/3) is refused with 413 before its body is read
    app.server.config["MAX_CONTENT_LENGTH"] = uploads.max_request_bytes(max_upload_mb)
    app.server.config["SEND_FILE_MAX_AGE_DEFAULT"] = ASSET_MAX_AGE
    app.layout = health.guarded_layout(lambda: _layout(store, catalog, max_upload_mb))
    health.install(app.server, store)
    app.auth_mode = auth.install(app, store)  # who the user is, before any view or callback runs
    _callbacks(app, store, catalog, max_upload_mb)
    indicators_view.register(app, store, catalog)
    table_view.register(app, store, catalog)
    claims_view.register(app, store, catalog)
    conflicts_view.register(app, store, catalog)
    discover_view.register(app, store, catalog)
    users_view.register(app, store, catalog)
    disputes_view.register(app, store, catalog)
    review_view.register(app, store, catalog)
    add_routes(app.server, store, catalog)
    return app


# ----------------------------------------------------------------------------------------- layout

def _indicator_options(store: Store, catalog: Catalog) -> list[dict]:
    present = store.distinct("indicator", limit=len(catalog.indicators) + MAX_OPTIONS)
    known, have = {i.id for i in catalog.indicators}, set(present)
    opts = []
    for ind in sorted(catalog.indicators, key=lambda i: (i.theme, i.label)):
        count_note = "" if ind.id in have else " (no claims yet)"
        opts.append({"label": f"{ind.theme} · {ind.label}{count_note}", "value": ind.id})
    # ids in the store the catalog no longer names (a catalog edited since): still shown, at the end
    opts += [{"label": f"not in the catalog · {i}", "value": i} for i in present if i not in known][:MAX_OPTIONS]
    return opts


def _report_options(store: Store) -> list[dict]:
    titles = store.report_titles()
    return [{"label": titles.get(r, r), "value": r} for r in store.reports()["id"]]


def _whoami():
    user = auth.current_user()
    if user is None or user is auth.LOCAL_USER:
        return html.P("Single-user mode: no sign-in; this dashboard serves this machine only.", id="whoami",
                      className="note")
    return html.P(id="whoami", className="note", children=[f"Signed in as {user.name} ({user.role}) · ",
                                                            html.A("sign out", href="/logout")])


def _is_admin() -> bool:
    user = auth.current_user()
    return user is not None and user.can(AccountRole.ADMIN)


def _layout(store: Store, catalog: Catalog, max_upload_mb: float):
    reports = store.reports()
    n_claims = store.count_claims()
    present = store.distinct("indicator")
    first = present[0] if present else (catalog.indicators[0].id if catalog.indicators else None)
    options = _indicator_options(store, catalog)
    return html.Div(className="page", children=[
        dcc.Location(id="url", refresh=False),
        dcc.Store(id="uploaded", data=0),
        dcc.Store(id="edited", data=0),  # counts analysts' edits: every view that shows claims listens
        dcc.Store(id="review-claim"),
        html.Header([
            html.H1("Indicators from monthly reports"),
            html.P(id="summary", children=f"{n_claims:,} claims from {len(reports)} reports · "
                                          f"{len(present)} of {len(catalog.indicators)} indicators have claims"),
            _whoami(),
        ]),
        html.Div(id="url-message", className="alert"),
        dcc.Tabs(id="tab", value="indicators", children=[dcc.Tab(label=label, value=value, id=f"tab-{value}")
                                                         for value, label in TABS
                                                         if value not in ADMIN_TABS or _is_admin()]),
        html.Div(id="panel-indicators", className="panel", children=indicators_view.layout(options, first)),
        html.Div(id="panel-table", className="panel", children=table_view.layout()),
        html.Div(id="panel-disputes", className="panel", children=disputes_view.layout()),
        html.Div(id="panel-conflicts", className="panel", children=conflicts_view.layout(catalog)),
        html.Div(id="panel-review", className="panel", children=review_view.layout(catalog)),
        html.Div(id="panel-claims", className="panel", children=claims_view.layout()),
        html.Div(id="panel-discover", className="panel", children=discover_view.layout()),
        html.Div(id="panel-users", className="panel", children=users_view.layout()),
        html.Div(id="panel-report", className="panel", children=[
            dcc.Dropdown(id="report-choice", options=_report_options(store),
                         value=reports["id"].iloc[0] if len(reports) else None, clearable=False),
            html.Div(id="report-text", className="report-text"),
        ]),
        html.Div(id="panel-add", className="panel", children=[
            dcc.Upload(id="upload", multiple=True, max_size=int(max_upload_mb * 1024 * 1024),
                       children=html.Div([f"Drop reports here or click to choose (.txt, .md, .html, .pdf; "
                                          f"up to {max_upload_mb:g} MB each)"]), className="upload"),
            html.Ul(id="upload-result"),
        ]),
    ])


# -------------------------------------------------------------------------------------- callbacks

# the URL holds every control that changes the view: (key, component id, default left out of the URL, many?)
URL_STATE = [("tab", "tab", "indicators", False), ("indicator", "indicator", None, False),
             ("also", "also", [], True), ("layout", "layout", "overlay", False), ("items", "items", [], True),
             ("sources", "sources", [], True), ("roles", "roles", ALL_ROLES, True),
             ("vintages", "vintages", [], True), ("x", "xaxis", "period", False), ("period", "period", AUTO, False),
             ("colour", "colour", "item", False), ("report", "report-choice", None, False)]
_KEEP = ("claim",)  # parts of the URL no control holds (a report link's claim): kept while the view changes


def url_query(values: dict, keep: dict | None = None) -> str:
    """The query string of a view: every control not at its default (roles: "none" when all unticked)."""
    params = {}
    for key, _cid, default, many in URL_STATE:
        v = values.get(key)
        if v in (None, "") or v == default or (many and default is not None and sorted(v or []) == sorted(default)):
            continue
        if many and not v:
            v = ["none"]
        params[key] = v
    params.update({k: v for k, v in (keep or {}).items() if v})
    return "?" + urlencode(params, doseq=True)


def url_values(search: str, current: dict) -> dict:
    """The controls' values from a query string; what it does not name goes back to its default."""
    q = parse_qs((search or "").lstrip("?"), keep_blank_values=True)
    out = {}
    for key, _cid, default, many in URL_STATE:
        if key not in q:
            out[key] = current.get(key) if key in ("indicator", "report") else default
        elif many:
            out[key] = [] if q[key] == ["none"] else [v for v in q[key] if v]
        else:
            out[key] = q[key][0]
    return out


def _callbacks(app: Dash, store: Store, catalog: Catalog, max_upload_mb: float) -> None:
    keys = [k for k, *_ in URL_STATE]

    def problems(search: str) -> list[str]:
        """Ids in a link that name nothing here."""
        q = parse_qs((search or "").lstrip("?"))
        known = {i.id for i in catalog.indicators} | set(store.distinct("indicator"))
        found = [f"indicator {i!r}" for i in q.get("indicator", []) + q.get("also", []) if i not in known]
        titles = store.report_titles()
        found += [f"report {r!r}" for r in q.get("report", []) if r not in titles]
        for claim in q.get("claim", []):
            report, _, start = claim.rpartition("@")
            if not (report in titles and start.isdigit() and store.seq_of(report, int(start)) is not None):
                found.append(f"claim {claim!r}")
        tab = (q.get("tab") or ["indicators"])[0]
        if tab not in {v for v, _ in TABS}:
            found.append(f"tab {tab!r}")
        return found

    @app.callback(Output("url", "search"), Output("url-message", "children"), Output("url-message", "style"),
                  Output("items", "options", allow_duplicate=True), Output("sources", "options", allow_duplicate=True),
                  *[Output(cid, "value") for _, cid, *_ in URL_STATE],
                  Input("url", "search"), *[Input(cid, "value") for _, cid, *_ in URL_STATE],
                  prevent_initial_call="initial_duplicate")
    def sync_url(search, *values):
        """The URL holds the view: read it on load (and on a link), write it when the view changes. Ids in a
        link that name nothing here get a visible message, kept until the next link is followed."""
        current = dict(zip(keys, values))
        if ctx.triggered_id in (None, "url"):
            wanted = url_values(search, current)
            bad = problems(search)
            message = (f"This link names {', '.join(bad)}, which this dashboard does not have; showing what it "
                       f"does have instead.") if bad else ""
            # a link's items and sources are offered at once: a dropdown drops a value it does not offer
            offered = [[{"label": v, "value": v} for v in wanted[k]] if wanted[k] else no_update
                       for k in ("items", "sources")]
            return (no_update, message, {"display": "block" if bad else "none"}, *offered,
                    *[wanted[k] if wanted[k] != current[k] else no_update for k in keys])
        q = parse_qs((search or "").lstrip("?"))
        keep = {k: (q.get(k) or [""])[0] for k in _KEEP} if current["tab"] in ("report", "review") else {}
        new = url_query(current, keep)
        return (new if new != (search or "?") else no_update, *[no_update] * (4 + len(keys)))

    @app.callback([Output(f"panel-{v}", "style") for v, _ in TABS], Input("tab", "value"))
    def show_panel(tab):
        tab = tab if tab in {v for v, _ in TABS} else "indicators"
        return [{"display": "block" if v == tab else "none"} for v, _ in TABS]

    @app.callback(Output("report-text", "children"), Input("report-choice", "value"), Input("url", "search"),
                  Input("uploaded", "data"))
    def report_text(report, search, _n):
        if not report:
            return "No report chosen."
        text = store.report_text(report)
        if text is None:
            return f"No report {report} in the store."
        claim = (parse_qs((search or "").lstrip("?")).get("claim") or [""])[0]
        rid, _, start = claim.rpartition("@")
        focus = int(start) if rid == report and start.isdigit() else None
        return _highlighted(text, store.claims(report=report), focus=focus)

    app.clientside_callback(ClientsideFunction("indicators", "scrollToClaim"), Output("report-text", "title"),
                            Input("report-text", "children"), prevent_initial_call=True)

    app.clientside_callback(
        """function (n) { var api = window.dash_ag_grid && window.dash_ag_grid.getApi &&
               window.dash_ag_grid.getApi('claims-grid'); if (api) { api.purgeInfiniteCache(); }
               return window.dash_clientside.no_update; }""",
        Output("claims-count", "title"), Input("uploaded", "data"), Input("edited", "data"),
        prevent_initial_call=True)

    @app.callback(Output("upload-result", "children"), Output("uploaded", "data"), Output("report-choice", "options"),
                  Output("indicator", "options"), Output("summary", "children"),
                  Input("upload", "contents"), State("upload", "filename"), State("uploaded", "data"),
                  prevent_initial_call=True)
    def upload(contents, names, n):
        refused = auth.refusal(AccountRole.REVIEWER)
        if refused:
            return [html.Li(f"Not added: {refused}")], no_update, no_update, no_update, no_update
        results = [r.message for r in uploads.ingest_uploads(store, catalog, contents, names, max_upload_mb)]
        summary = f"{store.count_claims():,} claims from {len(store.reports())} reports"
        return ([html.Li(r) for r in results], (n or 0) + 1, _report_options(store),
                _indicator_options(store, catalog), summary)


def _highlighted(text: str, claims: pd.DataFrame, focus: int | None = None) -> list:
    """The report text as Dash components, each extracted figure a <mark> linked to its claim; the figure at
    offset `focus` (a report link's claim) is marked as the one to look at (and scrolled to).

    Components, never raw HTML: whatever the report contains is shown as text.
    """
    out, pos = [], 0
    spans = sorted(zip(claims["char_start"], claims["char_end"], claims["indicator"], claims["role"]))
    for start, end, indicator, role in spans:
        if start < pos:
            continue
        out.append(text[pos:start])
        title = f"{indicator or 'no indicator'} · {role}"
        out.append(html.Mark(text[start:end], id=f"c{start}", title=title,
                             className=f"claim role-{role}{'' if indicator else ' unattached'}"
                                       f"{' focus' if start == focus else ''}"))
        pos = end
    out.append(text[pos:])
    paragraphs, current = [], []
    for piece in out:
        if isinstance(piece, str) and "\n\n" in piece:
            parts = piece.split("\n\n")
            current.append(parts[0])
            for part in parts[1:]:
                paragraphs.append(html.P(current))
                current = [part]
        else:
            current.append(piece)
    paragraphs.append(html.P(current))
    return paragraphs


def _ingest_upload(store: Store, catalog: Catalog, contents: str, name: str, max_upload_mb: float) -> str:
    """Store one uploaded report; returns what happened, in words (see uploads.ingest_upload)."""
    return uploads.ingest_upload(store, catalog, contents, name, max_upload_mb).message
