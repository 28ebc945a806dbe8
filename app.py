"""Dashboard over the claims of the reports in seeds/ (a first, minimal view; the full dashboard builds on it).

    python app.py [--host 127.0.0.1] [--port 8050] [--reports seeds]

`server` is the WSGI app for a production server (e.g. `gunicorn app:server`).
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

import plotly.express as px
from dash import Dash, Input, Output, dash_table, dcc, html

from indicators import extract, load_catalog

HERE = Path(__file__).parent
REPORTS = Path(os.environ.get("INDICATORS_REPORTS", HERE / "seeds"))

catalog = load_catalog()
claims = extract(REPORTS)
labels = {ind.id: f"{ind.theme} · {ind.label}" for ind in catalog.indicators}


def figure(df, indicator: str):
    """Pure figure function: the claims of one indicator over their period start."""
    sub = df[df["indicator"] == indicator]
    fig = px.scatter(sub, x="period_start", y="value", color="role", symbol="item" if sub["item"].ne("").any() else None,
                     hover_data=["surface", "report", "source"], title=labels.get(indicator, indicator))
    unit = sub["unit"].iloc[0] if len(sub) else ""
    fig.update_layout(yaxis_title=unit, xaxis_title="period")
    return fig


app = Dash(__name__, title="Indicators")
server = app.server
options = [{"label": labels[i], "value": i} for i in labels if i in set(claims["indicator"])]
app.layout = html.Main([
    html.H1("Indicators from monthly reports"),
    html.P(f"{len(claims)} claims from {claims['report'].nunique()} reports in {REPORTS}"),
    dcc.Dropdown(id="indicator", options=options, value=options[0]["value"] if options else None, clearable=False),
    dcc.Graph(id="chart"),
    dash_table.DataTable(id="table", page_size=15, sort_action="native", filter_action="native",
                         columns=[{"name": c, "id": c} for c in claims.columns if c != "sentence"],
                         style_cell={"textAlign": "left", "maxWidth": 240, "overflow": "hidden", "textOverflow": "ellipsis"}),
])


@app.callback(Output("chart", "figure"), Output("table", "data"), Input("indicator", "value"))
def show(indicator):
    sub = claims[claims["indicator"] == indicator]
    return figure(claims, indicator), sub.drop(columns=["sentence"]).to_dict("records")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="Serve the indicators dashboard.")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8050)
    args = ap.parse_args()
    app.run(host=args.host, port=args.port, debug=False)
