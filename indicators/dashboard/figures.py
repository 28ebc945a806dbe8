"""Pure figure functions: a DataFrame of claims in, a plotly Figure out (no app state, easy to test)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ..units import registry

ROLE_COLOURS = {"reported": "#1f77b4", "stated": "#d62728", "corrected": "#2ca02c", "planned": "#9467bd"}
_PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
            "#17becf"]
# marker per qualifier: one-sided bounds point the way the truth lies; approximate values are hollow
_SYMBOLS = {"exact": "circle", "approx": "circle-open", "over": "triangle-up", "at_least": "triangle-up",
            "under": "triangle-down", "at_most": "triangle-down", "range": "diamond"}


def unit_label(unit: str) -> str:
    """The axis title for a unit of the registry ("person" -> "persons", "percent" -> "%")."""
    if not unit:
        return ""
    try:
        u = registry().Unit(unit)
    except Exception:
        return unit
    short = format(u, "~")
    if unit in ("percent", "percentage_point", "USD", "BYN", "EUR", "RUB", "ratio"):
        return {"percent": "%", "percentage_point": "percentage points", "ratio": "times"}.get(unit, short)
    return f"{unit.replace('_', ' ')}s"


def _mid(start: str, end: str) -> pd.Timestamp:
    a, b = pd.Timestamp(start), pd.Timestamp(end)
    return a + (b - a) / 2


def _hover(row) -> str:
    sentence = str(row.sentence)
    if len(sentence) > 300:
        sentence = sentence[:297] + "…"
    parts = [f"<b>{_esc(row.surface)}</b> ({row.qualifier}, {row.role})",
             f"period {row.period_start} – {row.period_end}",
             f"report {_esc(row.report)} ({row.report_month})"]
    if row.source:
        parts.append(f"source: {_esc(row.source)}")
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
                     unit: str = "") -> go.Figure:
    """Claims over time: x is the measured period (spans drawn as lines) or the report month.

    Ranges get error bars, over/under one-sided triangles, approximate values hollow markers.
    Each point carries its claim id (report, char_start) as customdata for click-through.
    """
    fig = go.Figure()
    if df.empty:
        fig.update_layout(title=title or "no claims", xaxis={"visible": False}, yaxis={"visible": False},
                          annotations=[{"text": "No claims match this view", "showarrow": False,
                                        "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5}])
        return fig
    df = df.copy()
    if x == "report_month":
        df["_x"] = pd.to_datetime(df["report_month"] + "-15")
    else:
        df["_x"] = [_mid(a, b) for a, b in zip(df["period_start"], df["period_end"])]
    groups = sorted(df[colour].fillna("").unique(), key=lambda g: (g == "", g))
    for n, group in enumerate(groups):
        sub = df[df[colour].fillna("") == group]
        name = group or ("report's own" if colour == "source" else "—")
        col = ROLE_COLOURS.get(group, _PALETTE[n % len(_PALETTE)]) if colour == "role" else _PALETTE[n % len(_PALETTE)]
        # periods longer than a month as horizontal spans
        if x == "period":
            xs, ys = [], []
            for row in sub.itertuples():
                if (pd.Timestamp(row.period_end) - pd.Timestamp(row.period_start)).days > 31:
                    xs += [pd.Timestamp(row.period_start), pd.Timestamp(row.period_end) + pd.Timedelta(days=1), None]
                    ys += [row.value, row.value, None]
            if xs:
                fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": col, "width": 3}, opacity=0.45,
                                         hoverinfo="skip", showlegend=False, legendgroup=name))
        err_plus = (sub["value_high"] - sub["value"]).where(sub["qualifier"] == "range")
        err_minus = (sub["value"] - sub["value_low"]).where(sub["qualifier"] == "range")
        fig.add_trace(go.Scatter(
            x=sub["_x"].tolist(), y=sub["value"].tolist(), mode="markers", name=name, legendgroup=name,
            marker={"color": col, "size": 11, "symbol": [_SYMBOLS.get(q, "circle") for q in sub["qualifier"]],
                    "line": {"width": 2, "color": col}},
            error_y={"type": "data", "array": err_plus.fillna(0).tolist(), "arrayminus": err_minus.fillna(0).tolist(),
                     "visible": bool((sub["qualifier"] == "range").any()), "thickness": 1.5},
            customdata=list(zip(sub["report"], sub["char_start"])),
            hovertext=[_hover(r) for r in sub.itertuples()], hoverinfo="text",
        ))
    fig.update_layout(
        title=title, hovermode="closest", legend_title=colour.replace("_", " "),
        xaxis={"title": "period measured" if x == "period" else "report month", "type": "date",
               "tickformat": "%b %Y"},
        yaxis={"title": unit_label(unit or (df["unit"].mode().iloc[0] if len(df) else "")), "rangemode": "tozero"},
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
    )
    return fig


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
    for side, position in (("stated", "top center"), ("corrected", "bottom center")):
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
    for role in ("planned", "reported"):
        sub = agg[agg["role"] == role]
        fig.add_trace(go.Bar(x=sub["label"].tolist(), y=sub["value"].tolist(), name=role,
                             marker_color=ROLE_COLOURS[role]))
    fig.update_layout(title=title, barmode="group", yaxis_title="units", xaxis_title="system and year")
    return fig


def stated_corrected_pairs(claims: pd.DataFrame) -> pd.DataFrame:
    """Each stated claim with the corrected claims of the same report and indicator that answer it."""
    stated = claims[claims["role"] == "stated"]
    corrected = claims[claims["role"] == "corrected"]
    if stated.empty or corrected.empty:
        return pd.DataFrame(columns=["report", "report_month", "indicator", "item", "unit", "value_stated",
                                     "value_corrected", "surface_stated", "surface_corrected", "sentence_stated",
                                     "sentence_corrected", "source"])
    merged = stated.merge(corrected, on=["report", "indicator"], suffixes=("_stated", "_corrected"))
    # an item-less stated figure answers every corrected one; otherwise the items must agree
    merged = merged[(merged["item_stated"] == merged["item_corrected"]) | (merged["item_stated"] == "")
                    | (merged["item_corrected"] == "")]
    merged = merged[merged["char_start_corrected"] > merged["char_start_stated"]]
    out = pd.DataFrame({
        "report": merged["report"], "report_month": merged["report_month_stated"], "indicator": merged["indicator"],
        "item": merged["item_stated"].where(merged["item_stated"] != "", merged["item_corrected"]),
        "unit": merged["unit_stated"], "value_stated": merged["value_stated"],
        "value_corrected": merged["value_corrected"], "surface_stated": merged["surface_stated"],
        "surface_corrected": merged["surface_corrected"], "sentence_stated": merged["sentence_stated"],
        "sentence_corrected": merged["sentence_corrected"], "source": merged["source_stated"],
    })
    return out.drop_duplicates().reset_index(drop=True)
