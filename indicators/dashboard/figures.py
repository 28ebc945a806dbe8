"""Pure figure functions: a DataFrame of claims in, a plotly Figure out (no app state, easy to test)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ..conflicts import pair_stated_corrected
from ..schema import Qualifier, Role
from ..units import unit_label

ROLE_COLOURS = {Role.REPORTED: "#1f77b4", Role.STATED: "#d62728", Role.CORRECTED: "#2ca02c", Role.PLANNED: "#9467bd"}
_PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
            "#17becf"]
# marker per qualifier: one-sided bounds point the way the truth lies; approximate values are hollow
_SYMBOLS = {Qualifier.EXACT: "circle", Qualifier.APPROX: "circle-open", Qualifier.OVER: "triangle-up",
            Qualifier.AT_LEAST: "triangle-up", Qualifier.UNDER: "triangle-down", Qualifier.AT_MOST: "triangle-down",
            Qualifier.RANGE: "diamond"}


def _hover(cols: dict, i: int) -> str:
    """The hover text of row i of a claims frame given as {column: list}."""
    sentence = str(cols["sentence"][i])
    if len(sentence) > 300:
        sentence = sentence[:297] + "…"
    parts = [f"<b>{_esc(cols['surface'][i])}</b> ({cols['qualifier'][i]}, {cols['role'][i]})",
             f"period {cols['period_start'][i]} – {cols['period_end'][i]}",
             f"report {_esc(cols['report'][i])} ({cols['report_month'][i]})"]
    if cols["source"][i]:
        parts.append(f"source: {_esc(cols['source'][i])}")
    parts.append(_wrap(_esc(sentence)))
    return "<br>".join(parts)


def _esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _wrap(text: str, width: int = 80) -> str:
    lines, line = [], ""
    for word in text.split():
        if len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines)


def indicator_figure(df: pd.DataFrame, *, x: str = "period", colour: str = "role", title: str = "",
                     unit: str = "", total: int | None = None, earlier: pd.DataFrame | None = None) -> go.Figure:
    """Claims over time: x is the measured period (spans drawn as lines) or the report month.

    Ranges get error bars, over/under one-sided triangles, approximate values hollow markers.
    Each point carries its claim id (report, char_start) as customdata for click-through.
    `total`: how many claims the view holds when `df` is a sample of them; the title says so.
    `earlier`: figures a later report revised (vintages), drawn as grey rings under the latest ones.
    """
    fig = go.Figure()
    if df.empty:
        fig.update_layout(title=title or "no claims", xaxis={"visible": False}, yaxis={"visible": False},
                          annotations=[{"text": "No claims match this view", "showarrow": False,
                                        "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5}])
        return fig
    start, end = pd.to_datetime(df["period_start"]), pd.to_datetime(df["period_end"])
    xs_all = pd.to_datetime(df["report_month"] + "-15") if x == "report_month" else start + (end - start) / 2
    x_text = xs_all.astype(str).tolist()  # ISO dates: the traces are plain data, built without plotly's checks
    long = ((end - start).dt.days > 31).tolist()
    span_from, span_to = start.astype(str).tolist(), (end + pd.Timedelta(days=1)).astype(str).tolist()
    cols = {c: df[c].tolist() for c in df.columns}
    keys = df[colour].fillna("").tolist()
    groups = sorted(set(keys), key=lambda g: (g == "", g))
    traces = []
    for n, group in enumerate(groups):
        rows = [i for i, k in enumerate(keys) if k == group]
        name = group or ("report's own" if colour == "source" else "—")
        col = ROLE_COLOURS.get(group, _PALETTE[n % len(_PALETTE)]) if colour == "role" else _PALETTE[n % len(_PALETTE)]
        # periods longer than a month as horizontal spans
        if x == "period":
            xs, ys = [], []
            for i in rows:
                if long[i]:
                    xs += [span_from[i], span_to[i], None]
                    ys += [cols["value"][i], cols["value"][i], None]
            if xs:
                traces.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines", "opacity": 0.45,
                               "line": {"color": col, "width": 3}, "hoverinfo": "skip", "showlegend": False,
                               "legendgroup": name})
        ranged = [cols["qualifier"][i] == Qualifier.RANGE for i in rows]
        traces.append({
            "type": "scatter", "x": [x_text[i] for i in rows], "y": [cols["value"][i] for i in rows],
            "mode": "markers", "name": name, "legendgroup": name,
            "marker": {"color": col, "size": 11, "line": {"width": 2, "color": col},
                       "symbol": [_SYMBOLS.get(cols["qualifier"][i], "circle") for i in rows]},
            "error_y": {"type": "data", "visible": any(ranged), "thickness": 1.5,
                        "array": [_err(cols["value_high"][i], cols["value"][i]) if r else 0
                                  for i, r in zip(rows, ranged)],
                        "arrayminus": [_err(cols["value"][i], cols["value_low"][i]) if r else 0
                                       for i, r in zip(rows, ranged)]},
            "customdata": [[cols["report"][i], cols["char_start"][i]] for i in rows],
            "hovertext": [_hover(cols, i) for i in rows], "hoverinfo": "text",
        })
    if earlier is not None and len(earlier):
        e_start, e_end = pd.to_datetime(earlier["period_start"]), pd.to_datetime(earlier["period_end"])
        ex = (pd.to_datetime(earlier["report_month"] + "-15") if x == "report_month"
              else e_start + (e_end - e_start) / 2).astype(str).tolist()
        ecols = {c: earlier[c].tolist() for c in cols}
        traces.insert(0, {
            "type": "scatter", "x": ex, "y": ecols["value"], "mode": "markers", "name": "earlier figures (vintages)",
            "marker": {"color": "rgba(0,0,0,0)", "size": 13, "line": {"width": 2, "color": "#999"}},
            "customdata": [[r, s] for r, s in zip(ecols["report"], ecols["char_start"])],
            "hovertext": [f"earlier figure (vintage {v}), revised later<br>" + _hover(ecols, i)
                          for i, v in enumerate(earlier["vintage"].tolist())], "hoverinfo": "text"})
    if total is not None and total > len(df):
        title = (f"{title}<br><sup>{len(df):,} of {total:,} claims drawn, evenly spread in time order; "
                 f"choose items, sources or roles to see them all</sup>")
    layout = {
        "title": {"text": title}, "hovermode": "closest", "legend": {"title": {"text": colour.replace("_", " ")}},
        "xaxis": {"title": {"text": "period measured" if x == "period" else "report month"}, "type": "date",
                  "tickformat": "%b %Y"},
        "yaxis": {"title": {"text": unit_label(unit or (df["unit"].mode().iloc[0] if len(df) else ""))},
                  "rangemode": "tozero"},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
    }
    # thousands of points: plotly's per-value checks would cost more than the query, so the traces are plain
    # dicts built to its schema (the tests read them back through the Figure's attributes)
    return go.Figure(data=traces, layout=layout, _validate=False)


def _err(a, b) -> float:
    """a - b for an error bar; 0 when either side is missing."""
    return 0.0 if a is None or b is None or a != a or b != b else float(a - b)


def pairs_figure(pairs: pd.DataFrame, title: str = "Stated versus corrected") -> go.Figure:
    """Dumbbell: each stated figure beside the corrected one that answers it."""
    fig = go.Figure()
    if pairs.empty:
        fig.update_layout(title="No disputed figures in these reports")
        return fig
    labels = [f"{r.indicator}{' · ' + r.item if r.item else ''} ({r.report_month})" for r in pairs.itertuples()]
    for label, r in zip(labels, pairs.itertuples()):
        fig.add_trace(go.Scatter(x=[r.value_stated, r.value_corrected], y=[label, label], mode="lines",
                                 line={"color": "#bbb", "width": 4}, showlegend=False, hoverinfo="skip"))
    for side, position in ((Role.STATED, "top center"), (Role.CORRECTED, "bottom center")):
        fig.add_trace(go.Scatter(x=pairs[f"value_{side}"].tolist(), y=labels, mode="markers+text", name=side,
                                 marker={"color": ROLE_COLOURS[side], "size": 14},
                                 text=pairs[f"surface_{side}"].tolist(), textposition=position,
                                 hovertext=[_wrap(_esc(s)) for s in pairs[f"sentence_{side}"]], hoverinfo="text"))
    fig.update_layout(title=title, xaxis_title=unit_label(pairs["unit"].iloc[0]), height=max(300, 120 * len(pairs)),
                      margin={"l": 260, "r": 20, "t": 50, "b": 50})
    return fig


def plan_actual_figure(df: pd.DataFrame, title: str = "Procurement: planned against reported") -> go.Figure:
    """Grouped bars per system and year: what was planned and what was reported delivered."""
    fig = go.Figure()
    if df.empty:
        fig.update_layout(title="No procurement claims")
        return fig
    d = df.copy()
    d["year"] = d["period_start"].str[:4]
    d["label"] = d["item"] + " " + d["year"]
    agg = d.groupby(["label", "role"], as_index=False)["value"].max()
    for role in (Role.PLANNED, Role.REPORTED):
        sub = agg[agg["role"] == role]
        fig.add_trace(go.Bar(x=sub["label"].tolist(), y=sub["value"].tolist(), name=role,
                             marker_color=ROLE_COLOURS[role]))
    fig.update_layout(title=title, barmode="group", yaxis_title="units", xaxis_title="system and year")
    return fig


PAIR_COLUMNS = ["report", "report_month", "indicator", "item", "unit", "value_stated", "value_corrected",
                "surface_stated", "surface_corrected", "sentence_stated", "sentence_corrected", "source"]


def stated_corrected_pairs(claims: pd.DataFrame) -> pd.DataFrame:
    """Each stated claim with the corrected claims that answer it (conflicts.pair_stated_corrected: same report,
    indicator and period, items agreeing), as the dumbbell chart and its table show them."""
    merged = pair_stated_corrected(claims)
    if merged.empty:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    out = pd.DataFrame({
        "report": merged["report"], "report_month": merged["report_month_stated"], "indicator": merged["indicator"],
        "item": merged["item_stated"].where(merged["item_stated"] != "", merged["item_corrected"]),
        "unit": merged["unit_stated"], "value_stated": merged["value_stated"],
        "value_corrected": merged["value_corrected"], "surface_stated": merged["surface_stated"],
        "surface_corrected": merged["surface_corrected"], "sentence_stated": merged["sentence_stated"],
        "sentence_corrected": merged["sentence_corrected"], "source": merged["source_stated"],
    })
    return out[PAIR_COLUMNS].drop_duplicates().reset_index(drop=True)
