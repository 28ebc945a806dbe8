"""The Dash dashboard over the store: layout from the catalog, thin callbacks, plain HTTP download routes."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode

import pandas as pd
from dash import Dash, Input, Output, State, ctx, dash_table, dcc, html, no_update

from ..accounts import Role as AccountRole
from ..catalog import Catalog, load_catalog
from ..conflicts import vintages
from ..export import frame_csv
from ..schema import SCHEMA, ReviewState, Role
from ..store import Store
from ..units import unit_label
from . import auth, figures, health, review_ui, uploads
from .routes import add_routes

TABS = [("indicators", "Indicators"), ("disputes", "Stated vs corrected"), ("conflicts", "Conflicts"),
        ("claims", "Claims"), ("review", "Review"), ("report", "Report"), ("add", "Add a report")]
TABLE_COLUMNS = SCHEMA.group("table")
MAX_UPLOAD_MB = uploads.MAX_UPLOAD_MB
MAX_POINTS = 2000  # a chart draws at most this many claims (every k-th in time order beyond), and says so
MAX_OPTIONS = 500  # items and sources offered for one indicator
MAX_PAIRS = 40  # the disputes tab shows the most recent stated/corrected pairs


def create_app(store: Store, catalog: Catalog | None = None, max_upload_mb: float = MAX_UPLOAD_MB) -> Dash:
    """Build the app for a store; `app.server` is the Flask (WSGI) app."""
    catalog = catalog or load_catalog()
    max_upload_mb = uploads.limit_mb(max_upload_mb)
    app = Dash(__name__, title="Indicators", suppress_callback_exceptions=True,
               meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}])
    # a request larger than one upload at the limit (base64: 4/3) is refused with 413 before its body is read
    app.server.config["MAX_CONTENT_LENGTH"] = uploads.max_request_bytes(max_upload_mb)
    app.layout = health.guarded_layout(lambda: _layout(store, catalog, max_upload_mb))
    health.install(app.server, store)
    app.auth_mode = auth.install(app, store)  # who the user is, before any view or callback runs
    _callbacks(app, store, catalog, max_upload_mb)
    review_ui.register(app, store, catalog)
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


def _find(catalog: Catalog, indicator_id: str | None):
    """The catalog's indicator, or None for an id it does not (or no longer) name."""
    try:
        return catalog.get(indicator_id) if indicator_id else None
    except KeyError:
        return None


def _whoami():
    user = auth.current_user()
    if user is None or user is auth.LOCAL_USER:
        return html.P("Single-user mode: no sign-in; this dashboard serves this machine only.", id="whoami",
                      className="note")
    return html.P(id="whoami", className="note", children=[f"Signed in as {user.name} ({user.role}) · ",
                                                            html.A("sign out", href="/logout")])


def _layout(store: Store, catalog: Catalog, max_upload_mb: float):
    reports = store.reports()
    n_claims = store.count_claims()
    present = store.distinct("indicator")
    first = present[0] if present else (catalog.indicators[0].id if catalog.indicators else None)
    return html.Div(className="page", children=[
        dcc.Location(id="url", refresh=False),
        dcc.Store(id="uploaded", data=0),
        dcc.Store(id="edited", data=0),  # counts analysts' edits: every view that shows claims listens
        dcc.Store(id="review-claim"),
        html.Header([
            html.H1("Indicators from monthly reports"),
            html.P(id="summary", children=f"{n_claims} claims from {len(reports)} reports · "
                                          f"{len(present)} of {len(catalog.indicators)} indicators have claims"),
            _whoami(),
        ]),
        dcc.Tabs(id="tab", value="indicators", children=[dcc.Tab(label=label, value=value, id=f"tab-{value}")
                                                         for value, label in TABS]),
        html.Div(id="panel-indicators", className="panel", children=[
            html.Div(className="controls", children=[
                html.Label(["Indicator", dcc.Dropdown(id="indicator", options=_indicator_options(store, catalog),
                                                      value=first, clearable=False)]),
                html.Label(["Items", dcc.Dropdown(id="items", multi=True, placeholder="all items")]),
                html.Label(["Sources", dcc.Dropdown(id="sources", multi=True, placeholder="all sources")]),
                html.Label(["Roles", dcc.Checklist(id="roles", inline=True,
                                                   options=[{"label": r, "value": r} for r in figures.ROLE_COLOURS],
                                                   value=list(figures.ROLE_COLOURS))]),
                html.Label(["Time axis", dcc.RadioItems(id="xaxis", inline=True, value="period", options=[
                    {"label": "period measured", "value": "period"},
                    {"label": "report month", "value": "report_month"}])]),
                html.Label(["Colour by", dcc.RadioItems(id="colour", inline=True, value="role", options=[
                    {"label": "role", "value": "role"}, {"label": "source", "value": "source"}])]),
                dcc.Checklist(id="vintages", inline=True, value=[], options=[
                    {"label": "show earlier figures for the same period (vintages)", "value": "show"}]),
            ]),
            html.P(id="indicator-note", className="note"),
            dcc.Graph(id="chart", config={"displaylogo": False}),
            html.Div(id="point-detail", className="detail"),
            html.Button("Download CSV of this view", id="download-button"),
            dcc.Download(id="download"),
            html.A("all claims as CSV", href="/download/claims.csv", className="route-link"),
            html.A("data package (datapackage.json)", href="/download/datapackage.json", className="route-link"),
        ]),
        html.Div(id="panel-disputes", className="panel", children=[
            dcc.Graph(id="pairs-chart", config={"displaylogo": False}),
            dash_table.DataTable(id="pairs-table", page_size=10, style_cell={"whiteSpace": "normal", "textAlign": "left"},
                                 columns=[{"name": c, "id": c} for c in
                                          ("report_month", "indicator", "item", "surface_stated", "source",
                                           "sentence_stated", "surface_corrected", "sentence_corrected")]),
            dcc.Graph(id="plan-chart", config={"displaylogo": False}),
            *review_ui.plan_table(),
        ]),
        html.Div(id="panel-conflicts", className="panel", children=review_ui.conflicts_panel(catalog)),
        html.Div(id="panel-review", className="panel", children=review_ui.review_panel(catalog)),
        html.Div(id="panel-claims", className="panel", children=[
            html.P("Filter with the boxes under the headers; click a row to open its report at the figure."),
            dash_table.DataTable(
                id="claims-table", columns=[{"name": c, "id": c} for c in TABLE_COLUMNS],
                page_action="custom", page_current=0, page_size=25, sort_action="custom", sort_mode="multi",
                sort_by=[], filter_action="custom", filter_query="", row_selectable=False,
                style_table={"overflowX": "auto"},
                style_cell={"textAlign": "left", "maxWidth": 260, "overflow": "hidden", "textOverflow": "ellipsis"}),
            html.P(id="claims-count"),
        ]),
        html.Div(id="panel-report", className="panel", children=[
            dcc.Dropdown(id="report-choice", options=[{"label": f"{r.month} · {r.title or r.id}", "value": r.id}
                                                      for r in reports.itertuples()],
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

_URL_KEYS = ("tab", "indicator", "items", "report", "x", "colour")


def _callbacks(app: Dash, store: Store, catalog: Catalog, max_upload_mb: float) -> None:
    @app.callback(
        Output("url", "search"), Output("tab", "value"), Output("indicator", "value"), Output("items", "value"),
        Output("report-choice", "value"), Output("xaxis", "value"), Output("colour", "value"),
        Input("url", "search"), Input("tab", "value"), Input("indicator", "value"), Input("items", "value"),
        Input("report-choice", "value"), Input("xaxis", "value"), Input("colour", "value"),
    )
    def sync_url(search, tab, indicator, items, report, x, colour):
        """The URL holds the view: read it on load, write it when the view changes."""
        if ctx.triggered_id in (None, "url"):
            q = parse_qs((search or "").lstrip("?"))
            get = lambda k, d: (q.get(k) or [d])[0]
            return (no_update, get("tab", tab), get("indicator", indicator), q.get("items", items or []),
                    get("report", report), get("x", x), get("colour", colour))
        params = {"tab": tab, "indicator": indicator, "items": items or [], "report": report, "x": x,
                  "colour": colour}
        return ("?" + urlencode({k: v for k, v in params.items() if v not in (None, "", [])}, doseq=True),
                no_update, no_update, no_update, no_update, no_update, no_update)

    @app.callback([Output(f"panel-{v}", "style") for v, _ in TABS], Input("tab", "value"))
    def show_panel(tab):
        return [{"display": "block" if v == tab else "none"} for v, _ in TABS]

    @app.callback(Output("items", "options"), Output("sources", "options"), Output("indicator-note", "children"),
                  Input("indicator", "value"), Input("uploaded", "data"))
    def indicator_choices(indicator, _n):
        if not indicator:
            return [], [], ""
        ind = _find(catalog, indicator)
        items = store.distinct("item", limit=MAX_OPTIONS + 1, indicator=indicator)
        sources = store.distinct("source", limit=MAX_OPTIONS + 1, indicator=indicator)
        note = f"{ind.description} Unit: {unit_label(ind.unit)}." if ind else f"{indicator}: not in the catalog."
        for name, values in (("items", items), ("sources", sources)):
            if len(values) > MAX_OPTIONS:
                note += f" Only the first {MAX_OPTIONS} {name} (alphabetically) are offered."
        return ([{"label": i, "value": i} for i in items[:MAX_OPTIONS]],
                [{"label": s, "value": s} for s in sources[:MAX_OPTIONS]], note)

    @app.callback(Output("chart", "figure"), Input("indicator", "value"), Input("items", "value"),
                  Input("sources", "value"), Input("roles", "value"), Input("xaxis", "value"),
                  Input("colour", "value"), Input("vintages", "value"), Input("uploaded", "data"),
                  Input("edited", "data"))
    def chart(indicator, items, sources, roles, x, colour, show_vintages, _n, _e):
        df, total = _view(store, indicator, items, sources, roles, max_rows=MAX_POINTS)
        ind = _find(catalog, indicator)
        df, earlier = _latest(df)
        return figures.indicator_figure(df, x=x or "period", colour=colour or "role", total=total,
                                        title=ind.label if ind else (indicator or ""), unit=ind.unit if ind else "",
                                        earlier=earlier if show_vintages else None)

    @app.callback(Output("point-detail", "children"), Input("chart", "clickData"), prevent_initial_call=True)
    def point_detail(click):
        if not click or not click.get("points"):
            return no_update
        report, start = click["points"][0]["customdata"]
        row = store.page({"report": report, "char_start": int(start)}, limit=1, count=False)[0]
        if row.empty:
            return "That claim is no longer in the store."
        r = row.iloc[0]
        return [html.B(r["surface"]), f" — {r['indicator']} {r['item']} ({r['role']}, {r['period_start']} – "
                f"{r['period_end']}; {r['review']})", html.Blockquote(r["sentence"]),
                dcc.Link(f"open report {report} at this figure", href=f"?tab=report&report={report}#c{start}"),
                " · ", dcc.Link("review this claim", id="review-link",
                                href="?" + urlencode({"tab": "review", "claim": f"{report}@{start}"}))]

    @app.callback(Output("download", "data"), Input("download-button", "n_clicks"),
                  State("indicator", "value"), State("items", "value"), State("sources", "value"),
                  State("roles", "value"), prevent_initial_call=True)
    def download(_clicks, indicator, items, sources, roles):
        df = _view(store, indicator, items, sources, roles)[0]
        return dcc.send_string(frame_csv(df), f"{indicator or 'claims'}.csv")

    @app.callback(Output("pairs-chart", "figure"), Output("pairs-table", "data"), Output("plan-chart", "figure"),
                  Input("tab", "value"), Input("uploaded", "data"))
    def disputes(tab, _n):
        if tab != "disputes":
            return no_update, no_update, no_update
        pairs, more = _recent_pairs(store)
        procurement = store.claims(indicator="procurement.units",
                                   role=[Role.PLANNED, Role.REPORTED])
        title = f"Stated versus corrected: the {len(pairs)} most recent pairs" if more else "Stated versus corrected"
        return (figures.pairs_figure(pairs, title=title), pairs.to_dict("records"),
                figures.plan_actual_figure(procurement))

    @app.callback(Output("claims-table", "data"), Output("claims-count", "children"),
                  Input("claims-table", "page_current"), Input("claims-table", "page_size"),
                  Input("claims-table", "sort_by"), Input("claims-table", "filter_query"),
                  Input("uploaded", "data"), Input("edited", "data"))
    def claims_page(page, size, sort_by, filter_query, _n, _e):
        contains, equals = _parse_filter(filter_query or "")
        sort = [(s["column_id"], s["direction"] == "asc") for s in sort_by or []]
        df, total = store.page(equals, contains, sort, offset=(page or 0) * (size or 25), limit=size or 25)
        return df[TABLE_COLUMNS].to_dict("records"), f"{total} claims match"

    @app.callback(Output("url", "search", allow_duplicate=True), Input("claims-table", "active_cell"),
                  State("claims-table", "data"), prevent_initial_call=True)
    def open_report(cell, rows):
        if not cell or not rows:
            return no_update
        return "?" + urlencode({"tab": "report", "report": rows[cell["row"]]["report"]})

    @app.callback(Output("report-text", "children"), Input("report-choice", "value"), Input("uploaded", "data"))
    def report_text(report, _n):
        if not report:
            return "No report chosen."
        text = store.report_text(report)
        if text is None:
            return f"No report {report} in the store."
        return _highlighted(text, store.claims(report=report))

    @app.callback(Output("upload-result", "children"), Output("uploaded", "data"), Output("report-choice", "options"),
                  Output("indicator", "options"), Output("summary", "children"),
                  Input("upload", "contents"), State("upload", "filename"), State("uploaded", "data"),
                  prevent_initial_call=True)
    def upload(contents, names, n):
        refused = auth.refusal(AccountRole.REVIEWER)
        if refused:
            return [html.Li(f"Not added: {refused}")], no_update, no_update, no_update, no_update
        results = [r.message for r in uploads.ingest_uploads(store, catalog, contents, names, max_upload_mb)]
        reports = store.reports()
        options = [{"label": f"{r.month} · {r.title or r.id}", "value": r.id} for r in reports.itertuples()]
        summary = f"{store.count_claims()} claims from {len(reports)} reports"
        return [html.Li(r) for r in results], (n or 0) + 1, options, _indicator_options(store, catalog), summary


def _view(store: Store, indicator, items, sources, roles, max_rows: int | None = None) -> tuple[pd.DataFrame, int]:
    """The claims of a chart view (all of them, or at most `max_rows`) and how many there are; rejected ones
    are left out."""
    if not indicator or roles == []:
        return store.claims(indicator="__none__"), 0
    filters = {"indicator": indicator, "item": items or None, "source": sources or None, "role": roles,
               "review": [s for s in ReviewState if s != ReviewState.REJECTED]}
    if max_rows is None:
        df = store.claims(**filters)
        return df, len(df)
    return store.sample(max_rows, **filters)


def _latest(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the figures to draw, the earlier vintages they replace): a figure a later report revised for the same
    item, period and unit is an earlier vintage; plans and disputed statements always stay."""
    if df.empty:
        return df, df
    v = vintages(df)
    earlier = (v["vintage"] > 0) & ~v["latest"]
    return df[~earlier], df[earlier].join(v["vintage"])


def _recent_pairs(store: Store) -> tuple[pd.DataFrame, bool]:
    """Stated/corrected pairs of the newest reports, a batch of reports at a time, at most MAX_PAIRS of them;
    and whether there were more (older ones left out)."""
    reports = store.reports().sort_values(["month", "id"], ascending=False)["id"].tolist()
    found, n, more = [figures.stated_corrected_pairs(store.claims(report="__none__"))], 0, False
    for k in range(0, len(reports), 12):
        batch = store.claims(report=reports[k:k + 12], role=[Role.STATED, Role.CORRECTED])
        pairs = figures.stated_corrected_pairs(batch)
        found.append(pairs)
        n += len(pairs)
        if n >= MAX_PAIRS:
            more = n > MAX_PAIRS or k + 12 < len(reports)
            break
    pairs = pd.concat([f for f in found if len(f)], ignore_index=True) if n else found[0]
    if more:
        pairs = pairs.sort_values("report_month", ascending=False, kind="stable").head(MAX_PAIRS)
    return pairs.reset_index(drop=True), more


_FILTER_PART = re.compile(r"\{(?P<col>[^}]+)\}\s+(?P<op>contains|=|eq|scontains|icontains)\s+(?P<val>.+)")


def _parse_filter(query: str) -> tuple[dict, dict]:
    """Dash table filter query -> (substring filters, equality filters)."""
    contains, equals = {}, {}
    for part in query.split(" && "):
        m = _FILTER_PART.match(part.strip())
        if not m or m.group("col") not in TABLE_COLUMNS:
            continue
        val = m.group("val").strip()
        if len(val) >= 2 and val[0] == val[-1] and val[0] in "\"'`":
            val = val[1:-1]
        if m.group("op") in ("=", "eq"):
            equals[m.group("col")] = val
        else:
            contains[m.group("col")] = val
    return contains, equals


def _highlighted(text: str, claims: pd.DataFrame) -> list:
    """The report text as Dash components, each extracted figure a <mark> linked to its claim.

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
                             className=f"claim role-{role}{'' if indicator else ' unattached'}"))
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
