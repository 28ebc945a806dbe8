"""The Indicators view: one indicator's series (or several, overlaid or as small multiples), one period length
at a time, derived monthly values drawn as such; the clicked point's claim; CSV of the view; PNG/SVG."""
from __future__ import annotations

import pandas as pd
from dash import ClientsideFunction, Input, Output, State, ctx, dcc, html

from ...catalog import Catalog
from ...export import frame_csv
from ...schema import ReviewState
from ...store import OUT_COLUMNS, Store
from .. import figures, series
from ..columns import Columns
from .common import labels, report_link

MAX_POINTS = 2000  # a chart draws at most this many claims (every k-th in time order beyond), and says so
MAX_OPTIONS = 500  # items and sources offered for one indicator
MAX_COMPARE = 6  # indicators drawn together at most
COLOURS = [("item", "item"), ("role", "role"), ("source", "source"), ("indicator", "indicator")]
AUTO = series.AUTO


def layout(indicator_options: list[dict], first: str | None) -> list:
    return [
        html.Div(className="controls", children=[
            html.Label(["Indicator", dcc.Dropdown(id="indicator", options=indicator_options, value=first,
                                                  clearable=False)]),
            html.Label(["Compare with", dcc.Dropdown(id="also", multi=True, options=indicator_options,
                                                     placeholder="other indicators (same unit: one axis)")]),
            html.Label(["Several indicators as", dcc.RadioItems(id="layout", inline=True, value="overlay", options=[
                {"label": "overlay", "value": "overlay"}, {"label": "small multiples", "value": "multiples"}])]),
            html.Label(["Items", dcc.Dropdown(id="items", multi=True, placeholder="all items")]),
            html.Label(["Sources", dcc.Dropdown(id="sources", multi=True, placeholder="all sources")]),
            html.Label(["Roles", dcc.Checklist(id="roles", inline=True,
                                               options=[{"label": r, "value": r} for r in figures.ROLE_COLOURS],
                                               value=list(figures.ROLE_COLOURS))]),
            html.Label(["Period length", dcc.RadioItems(id="period", inline=True, value=AUTO,
                                                        options=[{"label": "automatic", "value": AUTO}])]),
            html.Label(["Time axis", dcc.RadioItems(id="xaxis", inline=True, value="period", options=[
                {"label": "period measured", "value": "period"},
                {"label": "report month", "value": "report_month"}])]),
            html.Label(["Colour by", dcc.RadioItems(id="colour", inline=True, value="item",
                                                    options=[{"label": text, "value": v} for v, text in COLOURS])]),
            dcc.Checklist(id="vintages", inline=True, value=[], options=[
                {"label": "show earlier figures for the same period (vintages)", "value": "show"}]),
        ]),
        html.P(id="indicator-note", className="note"),
        dcc.Graph(id="chart", config={"displaylogo": False, "toImageButtonOptions": {"format": "svg"}}),
        html.Div(id="point-detail", className="detail"),
        html.Div(className="actions", children=[
            html.Button("Download CSV of this view", id="download-button"),
            html.Button("Chart as PNG", id="png-button"),
            html.Button("Chart as SVG", id="svg-button"),
            html.Span(id="export-format", hidden=True),
            html.A("all claims as CSV", href="/download/claims.csv", className="route-link"),
            html.A("data package (datapackage.json)", href="/download/datapackage.json", className="route-link"),
        ]),
        dcc.Download(id="download"),
    ]


def view(store: Store, indicators: list[str], items, sources, roles, max_rows: int | None = None,
         confident: float | None = None) -> tuple[pd.DataFrame, int]:
    """The claims of a chart view (all of them, or at most `max_rows`) and how many there are; rejected ones
    are left out, and so are those the linker was less sure of than `confident` until a person accepts them."""
    filters = _filters(indicators, items, sources, roles, confident)
    if filters is None:
        return store.claims(indicator="__none__"), 0
    if max_rows is None:
        df = store.claims(**filters)
        return df, len(df)
    return store.sample(max_rows, **filters)


def chart_rows(store: Store, indicators: list[str], items, sources, roles, max_rows: int,
               confident: float | None = None) -> tuple[Columns, int]:
    """view() for the chart: at most `max_rows` claims as Columns (the driver's rows, no frame), and how many
    the view holds."""
    filters = _filters(indicators, items, sources, roles, confident)
    if filters is None:
        return Columns.from_rows([], OUT_COLUMNS), 0
    rows, total = store.sample_rows(max_rows, **filters)
    return Columns.from_rows(rows, OUT_COLUMNS), total


def _filters(indicators: list[str], items, sources, roles, confident: float | None = None) -> dict | None:
    """The store filters of a view; None when it can hold nothing (no indicator, every role unticked)."""
    indicators = [i for i in indicators if i]
    if not indicators or roles == []:
        return None
    return {"indicator": indicators if len(indicators) > 1 else indicators[0], "item": items or None,
            "source": sources or None, "role": roles,
            "review": [s for s in ReviewState if s != ReviewState.REJECTED], "confident": confident}


def _of_length(df: pd.DataFrame, period: str | None) -> list[bool]:
    """Which rows of a frame series.of_length keeps."""
    marked = Columns.of({"period_start": df["period_start"], "period_end": df["period_end"],
                         "row": range(len(df))})
    keep = set(series.of_length(marked, period)[0]["row"])
    return [i in keep for i in range(len(df))]


def period_options(counts: dict, chosen: str) -> list[dict]:
    label = series.PERIOD_LABELS
    opts = [{"label": f"automatic ({label[series.PeriodKind(chosen)] if chosen in label else 'all lengths'})",
             "value": AUTO}]
    opts += [{"label": f"{label[k]} ({counts[k.value]})", "value": k.value} for k in series.PREFERENCE
             if k.value in counts]
    return opts + [{"label": "all lengths together", "value": series.ALL}]


def register(app, store: Store, catalog: Catalog) -> None:
    names = labels(catalog)

    def find(indicator_id):
        try:
            return catalog.get(indicator_id) if indicator_id else None
        except KeyError:
            return None

    @app.callback(Output("items", "options"), Output("sources", "options"), Output("indicator-note", "children"),
                  Input("indicator", "value"), Input("also", "value"), Input("uploaded", "data"),
                  State("items", "value"), State("sources", "value"))
    def indicator_choices(indicator, also, _n, chosen_items, chosen_sources):
        """Items and sources of the indicator(s); values already chosen (a shared link's) stay offered."""
        if not indicator:
            return [], [], ""
        ids = [indicator] + [a for a in (also or []) if a != indicator][:MAX_COMPARE - 1]
        ind = find(indicator)
        filt = ids if len(ids) > 1 else indicator
        items = store.distinct("item", limit=MAX_OPTIONS + 1, indicator=filt)
        sources = store.distinct("source", limit=MAX_OPTIONS + 1, indicator=filt)
        note = f"{ind.description} Unit: {figures.unit_label(ind.unit)}." if ind else f"{indicator}: not in the catalog."
        for name, values in (("items", items), ("sources", sources)):
            if len(values) > MAX_OPTIONS:
                note += f" Only the first {MAX_OPTIONS} {name} (alphabetically) are offered."
        offer = lambda values, chosen: [{"label": v, "value": v}
                                        for v in list(dict.fromkeys(values[:MAX_OPTIONS] + list(chosen or [])))]
        return offer(items, chosen_items), offer(sources, chosen_sources), note

    @app.callback(Output("chart", "figure"), Output("period", "options"),
                  Input("indicator", "value"), Input("also", "value"), Input("layout", "value"),
                  Input("items", "value"), Input("sources", "value"), Input("roles", "value"),
                  Input("period", "value"), Input("xaxis", "value"), Input("colour", "value"),
                  Input("vintages", "value"), Input("uploaded", "data"), Input("edited", "data"))
    def chart(indicator, also, how, items, sources, roles, period, x, colour, show_vintages, _n, _e):
        with store.one_version():
            return _chart(indicator, also, how, items, sources, roles, period, x, colour, show_vintages)

    def _chart(indicator, also, how, items, sources, roles, period, x, colour, show_vintages):
        ids = [indicator] + [a for a in (also or []) if a and a != indicator][:MAX_COMPARE - 1]
        rows, total = chart_rows(store, ids, items, sources, roles, MAX_POINTS, confident=catalog.chart_confidence)
        rows, earlier = series.split_vintages(rows)
        rows = series.with_derived_columns(rows)
        rows, chosen, counts = series.of_length(rows, period)
        if show_vintages and len(earlier):
            earlier = series.of_length(earlier, chosen)[0]
        title = " · ".join(names.get(i, i) for i in ids if i) if indicator else ""
        sub = (f"{series.PERIOD_LABELS[series.PeriodKind(chosen)]} figures" if chosen in series.PERIOD_LABELS
               else "figures of every period length") if counts else ""
        fig = figures.indicator_figure_dict(rows, x=x or "period", colour=colour or "item", total=total, title=title,
                                            unit=find(indicator).unit if find(indicator) else "",
                                            earlier=earlier if show_vintages else None, labels=names,
                                            reports=store.report_titles(), multiples=how == "multiples",
                                            subtitle=sub)
        return fig, period_options(counts, series.default_kind(counts))

    @app.callback(Output("point-detail", "children"), Input("chart", "clickData"), Input("indicator", "value"),
                  prevent_initial_call=True)
    def point_detail(click, _indicator):
        """The clicked claim (both claims of a derived value); cleared when the indicator changes."""
        if ctx.triggered_id == "indicator" or not click or not click.get("points") or "customdata" not in click["points"][0]:
            return ""
        custom = click["points"][0]["customdata"]
        report, start = custom[0], custom[1]
        derived = custom[2] if len(custom) > 2 else ""
        if derived:
            parts = [html.B("Derived monthly value: "), "the later cumulative figure minus the earlier one."]
            for cid in str(derived).split(";"):
                rid, _, pos = cid.strip().rpartition("@")
                parts.append(_claim_box(store, catalog, rid, int(pos)))
            return parts
        return _claim_box(store, catalog, report, int(start), review_link=True)

    @app.callback(Output("download", "data"), Input("download-button", "n_clicks"),
                  State("indicator", "value"), State("also", "value"), State("items", "value"),
                  State("sources", "value"), State("roles", "value"), State("period", "value"),
                  prevent_initial_call=True)
    def download(_clicks, indicator, also, items, sources, roles, period):
        """The view's claims and its derived monthly values (`derived`, `derived_from` name both claims)."""
        ids = [indicator] + [a for a in (also or []) if a and a != indicator][:MAX_COMPARE - 1]
        df = view(store, ids, items, sources, roles, confident=catalog.chart_confidence)[0]
        df = series.with_derived(df)
        df = df[_of_length(df, period)]
        df = df.assign(derived=df["derived"].map({True: "yes", False: ""}))
        return dcc.send_string(frame_csv(df), f"{indicator or 'claims'}.csv")

    app.clientside_callback(ClientsideFunction("indicators", "exportChart"), Output("export-format", "children"),
                            Input("png-button", "n_clicks"), Input("svg-button", "n_clicks"),
                            State("indicator", "value"), prevent_initial_call=True)


def _claim_box(store: Store, catalog: Catalog, report: str, start: int, review_link: bool = False):
    row = store.page({"report": report, "char_start": int(start)}, limit=1, count=False)[0]
    if row.empty:
        return html.P("That claim is no longer in the store.")
    r = row.iloc[0]
    title = store.report_titles().get(report, report)
    name = labels(catalog).get(r["indicator"], r["indicator"] or "no indicator")
    item = f" · {r['item']}" if r["item"] else ""
    links = [dcc.Link("open the report at this figure", href=report_link(report, start), className="report-link")]
    if review_link:
        links += [" · ", dcc.Link("review this claim", id="review-link",
                                  href=f"?tab=review&claim={report}@{int(start)}")]
    return html.Div(className="claim-box", children=[
        html.B(r["surface"]), f" — {name}{item} ({r['role']}, {r['period_start']} – {r['period_end']}; "
                              f"review: {r['review']}) · {title}",
        html.Blockquote(r["sentence"]), *links])
