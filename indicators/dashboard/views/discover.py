"""The Discover view: series the catalog misses, proposed from the figures no indicator claims
(catalog.suggest), each with its example sentences and a catalog stub to copy into a catalog file."""
from __future__ import annotations

from dash import Input, Output, dcc, html, no_update

from ...catalog import Catalog
from ...catalog.suggest import Suggestion, suggest
from ...store import Store

MAX_GROUPS = 25
MAX_UNATTACHED = 50_000  # a store with more unattached figures is sampled (every k-th figure, in time order)


def layout() -> list:
    return [
        html.P("Figures that no indicator claims, grouped by what they count and the words around them, the groups "
               "that recur in most report months first. Copy a stub into your catalog (indicators/data/catalog.yaml "
               "or your own file), edit its id, label and description, check it with `indicators catalog check "
               "FILE`, and ingest again: the group's figures attach."),
        html.P(id="discover-count", className="note"),
        html.Div(id="discover-groups"),
    ]


def group_card(s: Suggestion) -> html.Div:
    """One candidate series: what it counts, how often, its sentences (as text), and its stub with a copy button."""
    stub = s.stub_yaml()
    return html.Div(className="suggestion", children=[
        html.H4(f"{s.head} ({s.unit})"),
        html.P(f"{s.figures} figures in {s.months} report months, {s.reports} reports", className="note"),
        html.Ul([html.Li(e) for e in s.examples]),
        html.Div(className="stub", children=[
            dcc.Clipboard(content=stub, title="Copy the catalog stub", className="copy-stub"),
            html.Pre(stub, className="stub-yaml"),
        ]),
    ])


def register(app, store: Store, catalog: Catalog) -> None:
    @app.callback(Output("discover-groups", "children"), Output("discover-count", "children"),
                  Input("tab", "value"), Input("uploaded", "data"), Input("edited", "data"))
    def discover(tab, _u, _e):
        if tab != "discover":
            return no_update, no_update
        claims, total = store.sample(MAX_UNATTACHED, indicator="")
        found = suggest(claims, limit=MAX_GROUPS, taken={i.id for i in catalog.indicators})
        if not found:
            return [html.P("No recurring series among the unattached figures.")], f"{total:,} figures unattached"
        sampled = f" (a sample of {len(claims):,})" if total > len(claims) else ""
        return ([group_card(s) for s in found],
                f"{total:,} figures unattached{sampled}; {len(found)} candidate series")
