"""Pure figure functions: a DataFrame of claims in, a plotly Figure out (no app state, easy to test)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

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


_SHAPE_LEGEND = [("exact", "circle", "exact"), ("approx", "circle-open", "about (hollow)"),
                 ("over", "triangle-up", "over / at least"), ("under", "triangle-down", "under / at most"),
                 ("range", "diamond", "range (bar: its bounds)")]
_SHAPE_OF = {"exact": "exact", "approx": "approx", "over": "over", "at_least": "over", "under": "under",
             "at_most": "under", "range": "range"}
# a derived monthly value: a star of the same family as its qualifier's shape
_DERIVED_SYMBOLS = {"exact": "star", "approx": "star-open", "over": "star-triangle-up", "at_least": "star-triangle-up",
                    "under": "star-triangle-down", "at_most": "star-triangle-down", "range": "star-diamond"}
DAY_MS = 86_400_000
# ticks never repeat a month: days when ticks are closer than a month, months up to a year, then years
TICK_FORMATS = [{"dtickrange": [None, 28 * DAY_MS], "value": "%d %b %Y"},
                {"dtickrange": [28 * DAY_MS, "M11"], "value": "%b %Y"},
                {"dtickrange": ["M12", None], "value": "%Y"}]


def _hover(cols: dict, i: int, reports: dict | None = None) -> str:
    """The hover text of row i of a claims frame given as {column: list}; `reports` names reports by title."""
    name = lambda r: _esc((reports or {}).get(r, r))
    sentence = str(cols["sentence"][i])
    if len(sentence) > 300:
        sentence = sentence[:297] + "…"
    derived = cols.get("derived_from", [""] * (i + 1))[i]
    if derived:
        later, earlier = [p.strip() for p in str(derived).split(";")]
        parts = [f"<b>{_esc(cols['surface'][i])}</b> = derived monthly value ({cols['qualifier'][i]})",
                 f"period {cols['period_start'][i]} – {cols['period_end'][i]}",
                 f"from claim {_esc(later)} ({name(later.rpartition('@')[0])})",
                 f"minus claim {_esc(earlier)} ({name(earlier.rpartition('@')[0])})"]
    else:
        parts = [f"<b>{_esc(cols['surface'][i])}</b> ({cols['qualifier'][i]}, {cols['role'][i]})",
                 f"period {cols['period_start'][i]} – {cols['period_end'][i]}",
                 f"report {name(cols['report'][i])} ({cols['report_month'][i]})"]
    if cols["item"][i]:
        parts.append(f"item: {_esc(cols['item'][i])}")
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


def _panels(n: int, gap: float = 0.1) -> list[tuple[float, float]]:
    """Vertical domains of n stacked panels, top first."""
    h = (1 - gap * (n - 1)) / n
    return [(max(0.0, round(1 - (k + 1) * h - k * gap, 6)), min(1.0, round(1 - k * h - k * gap, 6))) for k in range(n)]


def _source_note(df: pd.DataFrame, reports: dict | None, limit: int = 6) -> str:
    """"Reports: …; sources: …" under the chart, so an exported image says where its figures come from."""
    ids = list(dict.fromkeys(df["report"].tolist()))
    names = [_esc((reports or {}).get(r, r)) for r in ids[:limit]]
    more = f" and {len(ids) - limit} more" if len(ids) > limit else ""
    sources = sorted({s for s in df["source"].tolist() if s})
    src = ", ".join(_esc(s) for s in sources[:limit]) + (f" and {len(sources) - limit} more" if len(sources) > limit else "")
    note = _wrap(f"Reports: {'; '.join(names)}{more}.", 170)
    if src:
        note += "<br>" + _wrap(f"Figures attributed to: {src}.", 170)
    return note


def indicator_figure(df: pd.DataFrame, **kw) -> go.Figure:
    """indicator_figure_dict as a plotly Figure (for tests and scripts; the dashboard sends the dict)."""
    return go.Figure(indicator_figure_dict(df, **kw), _validate=False)


def indicator_figure_dict(df: pd.DataFrame, *, x: str = "period", colour: str = "item", title: str = "",
                          unit: str = "", total: int | None = None, earlier: pd.DataFrame | None = None,
                          labels: dict | None = None, reports: dict | None = None, multiples: bool = False,
                          subtitle: str = "") -> dict:
    """Claims over time: x is the measured period (spans drawn as lines) or the report month.

    One unit per axis: figures in different units (or, with `multiples`, of different indicators) go to
    stacked panels sharing the time axis. Colour by item (default), role, source or indicator; marker shape
    by qualifier (ranges get error bars, over/under one-sided triangles, approximate values hollow), derived
    monthly values (rows with `derived_from`) as stars; a legend group explains the shapes.
    Each point carries its claim id (report, char_start, derived_from) as customdata for click-through.
    `total`: how many claims the view holds when `df` is a sample of them; the title says so.
    `earlier`: figures a later report revised (vintages), drawn as grey rings under the latest ones.
    `labels`: indicator id -> label; `reports`: report id -> title, for legends, hovers and the source note.
    """
    if df.empty:
        return {"data": [], "layout": {
            "title": {"text": title or "no claims"}, "xaxis": {"visible": False}, "yaxis": {"visible": False},
            "annotations": [{"text": "No claims match this view", "showarrow": False, "xref": "paper",
                             "yref": "paper", "x": 0.5, "y": 0.5}]}}
    labels = labels or {}
    df = df.reset_index(drop=True)
    if "derived_from" not in df.columns:
        df = df.assign(derived_from="")
    df["derived_from"] = df["derived_from"].fillna("")
    start, end = pd.to_datetime(df["period_start"]), pd.to_datetime(df["period_end"])
    xs_all = pd.to_datetime(df["report_month"] + "-15") if x == "report_month" else start + (end - start) / 2
    x_text = xs_all.astype(str).tolist()  # ISO dates: the traces are plain data, built without plotly's checks
    long = ((end - start).dt.days > 31).tolist()
    span_from, span_to = start.astype(str).tolist(), (end + pd.Timedelta(days=1)).astype(str).tolist()
    cols = {c: df[c].tolist() for c in ("report", "report_month", "indicator", "item", "role", "qualifier", "value",
                                         "value_low", "value_high", "period_start", "period_end", "source",
                                         "surface", "sentence", "char_start", "unit", "derived_from")}
    several = len(set(cols["indicator"])) > 1
    ind_label = lambda i: labels.get(i, i) or "no indicator"
    # panels: one per unit (per indicator and unit with `multiples`)
    panel_key = [(ind if multiples else "", u) for ind, u in zip(cols["indicator"], cols["unit"])]
    panel_ids = sorted(set(panel_key), key=lambda k: (panel_key.index(k)))
    panel_ids.sort(key=lambda k: (ind_label(k[0]) if k[0] else "", k[1]))
    domains = _panels(len(panel_ids))
    axis_of = {k: ("" if n == 0 else str(n + 1)) for n, k in enumerate(panel_ids)}

    def colour_key(i: int) -> str:
        if colour == "item":
            item = cols["item"][i] or "total"
            return f"{ind_label(cols['indicator'][i])} · {item}" if several else item
        if colour == "indicator":
            return ind_label(cols["indicator"][i])
        if colour == "source":
            return cols["source"][i] or "report's own"
        return cols[colour][i] if colour in cols else ""

    keys = [colour_key(i) for i in range(len(df))]
    groups = sorted(set(keys))
    colour_of = {g: (ROLE_COLOURS.get(g) if colour == "role" else None) or _PALETTE[n % len(_PALETTE)]
                 for n, g in enumerate(groups)}
    members: dict = {}  # (panel, colour group) -> row numbers, in one pass
    for i, (p, g) in enumerate(zip(panel_key, keys)):
        members.setdefault((p, g), []).append(i)
    traces, shown = [], set()
    for panel in panel_ids:
        ax = axis_of[panel]
        for group in groups:
            rows = members.get((panel, group))
            if not rows:
                continue
            col = colour_of[group]
            if x == "period":  # periods longer than a month as horizontal spans
                xs, ys = [], []
                for i in rows:
                    if long[i]:
                        xs += [span_from[i], span_to[i], None]
                        ys += [cols["value"][i], cols["value"][i], None]
                if xs:
                    traces.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines", "opacity": 0.45,
                                   "line": {"color": col, "width": 3}, "hoverinfo": "skip", "showlegend": False,
                                   "legendgroup": group, "xaxis": f"x{ax}", "yaxis": f"y{ax}"})
            ranged = [cols["qualifier"][i] == Qualifier.RANGE for i in rows]
            symbols = [(_DERIVED_SYMBOLS if cols["derived_from"][i] else _SYMBOLS).get(cols["qualifier"][i], "circle")
                       for i in rows]
            traces.append({
                "type": "scatter", "x": [x_text[i] for i in rows], "y": [cols["value"][i] for i in rows],
                "mode": "markers", "name": group, "legendgroup": group, "showlegend": group not in shown,
                "xaxis": f"x{ax}", "yaxis": f"y{ax}",
                "marker": {"color": col, "size": 11, "line": {"width": 2, "color": col}, "symbol": symbols},
                "error_y": {"type": "data", "visible": any(ranged), "thickness": 1.5,
                            "array": [_err(cols["value_high"][i], cols["value"][i]) if r else 0
                                      for i, r in zip(rows, ranged)],
                            "arrayminus": [_err(cols["value"][i], cols["value_low"][i]) if r else 0
                                           for i, r in zip(rows, ranged)]},
                "customdata": [[cols["report"][i], cols["char_start"][i], cols["derived_from"][i]] for i in rows],
                "hovertext": [_hover(cols, i, reports) for i in rows], "hoverinfo": "text",
            })
            shown.add(group)
    if earlier is not None and len(earlier):
        earlier = earlier.reset_index(drop=True)
        e_start, e_end = pd.to_datetime(earlier["period_start"]), pd.to_datetime(earlier["period_end"])
        ex = (pd.to_datetime(earlier["report_month"] + "-15") if x == "report_month"
              else e_start + (e_end - e_start) / 2).astype(str).tolist()
        ecols = {c: (earlier[c].tolist() if c in earlier else [""] * len(earlier)) for c in cols}
        e_panel = [(ind if multiples else "", u) for ind, u in zip(ecols["indicator"], ecols["unit"])]
        first = True
        for panel in panel_ids:
            rows = [i for i, p in enumerate(e_panel) if p == panel]
            if not rows:
                continue
            ax = axis_of[panel]
            traces.insert(0, {
                "type": "scatter", "x": [ex[i] for i in rows], "y": [ecols["value"][i] for i in rows],
                "mode": "markers", "name": "earlier figures (vintages)", "legendgroup": "earlier",
                "showlegend": first, "xaxis": f"x{ax}", "yaxis": f"y{ax}",
                "marker": {"color": "rgba(0,0,0,0)", "size": 13, "line": {"width": 2, "color": "#999"}},
                "customdata": [[ecols["report"][i], ecols["char_start"][i], ""] for i in rows],
                "hovertext": [f"earlier figure (vintage {earlier['vintage'].iloc[i]}), revised later<br>"
                              + _hover(ecols, i, reports) for i in rows], "hoverinfo": "text"})
            first = False
    # the legend explains the marker shapes present (grey, in a group of their own)
    present = {_SHAPE_OF.get(q, "exact") for q, d in zip(cols["qualifier"], cols["derived_from"]) if not d}
    shapes = [(name, sym) for key, sym, name in _SHAPE_LEGEND if key in present]
    if any(cols["derived_from"]):
        shapes.append(("derived monthly value", "star"))
    for n, (name, sym) in enumerate(shapes):
        traces.append({"type": "scatter", "x": [None], "y": [None], "mode": "markers", "name": name,
                       "legendgroup": "shapes", **({"legendgrouptitle": {"text": "marker shape"}} if n == 0 else {}),
                       "marker": {"color": "#666", "size": 10, "symbol": sym, "line": {"width": 2, "color": "#666"}},
                       "hoverinfo": "skip", "showlegend": True})
    if total is not None and total > len(df):
        title = (f"{title}<br><sup>{len(df):,} of {total:,} claims drawn, evenly spread in time order; "
                 f"choose items, sources or roles to see them all</sup>")
    elif subtitle:
        title = f"{title}<br><sup>{_esc(subtitle)}</sup>"
    note = _source_note(df, reports)
    bottom = 62 + 14 * (note.count("<br>") + 1)
    layout = {
        "title": {"text": title}, "hovermode": "closest",
        "legend": {"title": {"text": f"colour: {colour}"}, "groupclick": "toggleitem", "tracegroupgap": 12},
        "margin": {"l": 70, "r": 20, "t": 70, "b": bottom},
        "height": 460 if len(panel_ids) == 1 else 120 + 260 * len(panel_ids),
        "annotations": [{"text": note, "showarrow": False, "xref": "paper", "yref": "paper",
                         "x": 0, "y": 0, "yshift": -bottom + 8, "xanchor": "left", "yanchor": "bottom",
                         "align": "left", "font": {"size": 11, "color": "#555"}}],
    }
    for n, panel in enumerate(panel_ids):
        ax = axis_of[panel]
        ind, u = panel
        u = u or unit or ""
        axis_title = unit_label(u)
        if multiples and ind:
            axis_title = f"{ind_label(ind)}<br>{axis_title}"
        layout[f"yaxis{ax}"] = {"title": {"text": axis_title}, "rangemode": "tozero", "domain": list(domains[n]),
                                "anchor": f"x{ax}"}
        layout[f"xaxis{ax}"] = {"type": "date", "tickformatstops": TICK_FORMATS, "anchor": f"y{ax}",
                                "showticklabels": True, **({"matches": "x"} if ax else {})}
    last = axis_of[panel_ids[-1]]
    layout[f"xaxis{last}"]["title"] = {"text": "period measured" if x == "period" else "report month"}
    # thousands of points: plotly's per-value checks and copies would cost more than the query, so the figure is
    # a plain dict built to its schema (the tests read it back through a Figure's attributes)
    return {"data": traces, "layout": layout}


def _err(a, b) -> float:
    """a - b for an error bar; 0 when either side is missing."""
    return 0.0 if a is None or b is None or a != a or b != b else float(a - b)


def pairs_figure(pairs: pd.DataFrame, title: str = "Stated versus corrected", labels: dict | None = None) -> go.Figure:
    """Dumbbell: each stated figure beside the corrected one that answers it; one panel per unit (persons never
    share an axis with percentages)."""
    fig = go.Figure()
    if pairs.empty:
        fig.update_layout(title="No disputed figures in these reports")
        return fig
    labels = labels or {}
    units = list(dict.fromkeys(pairs["unit"].tolist()))
    rows_per = [int((pairs["unit"] == u).sum()) for u in units]
    fig = make_subplots(rows=len(units), cols=1, row_heights=rows_per, vertical_spacing=0.12 if len(units) > 1 else 0,
                        subplot_titles=[unit_label(u) for u in units] if len(units) > 1 else None)
    for n, u in enumerate(units, start=1):
        sub = pairs[pairs["unit"] == u]
        ylabels = [f"{labels.get(r.indicator, r.indicator)}{' · ' + r.item if r.item else ''} ({r.report_month})"
                   for r in sub.itertuples()]
        for label, r in zip(ylabels, sub.itertuples()):
            fig.add_trace(go.Scatter(x=[r.value_stated, r.value_corrected], y=[label, label], mode="lines",
                                     line={"color": "#bbb", "width": 4}, showlegend=False, hoverinfo="skip"),
                          row=n, col=1)
        for side, position in ((Role.STATED, "top center"), (Role.CORRECTED, "bottom center")):
            fig.add_trace(go.Scatter(x=sub[f"value_{side}"].tolist(), y=ylabels, mode="markers+text", name=side,
                                     legendgroup=side, showlegend=n == 1, marker={"color": ROLE_COLOURS[side], "size": 14},
                                     text=sub[f"surface_{side}"].tolist(), textposition=position,
                                     hovertext=[_wrap(_esc(s)) for s in sub[f"sentence_{side}"]], hoverinfo="text"),
                          row=n, col=1)
        fig.update_xaxes(title_text=unit_label(u), rangemode="tozero", row=n, col=1)
    fig.update_layout(title=title, height=max(320, 110 * len(pairs) + 90 * len(units)),
                      margin={"l": 260, "r": 20, "t": 60, "b": 50})
    return fig


def plan_actual_figure(df: pd.DataFrame, title: str = "Procurement: planned against reported") -> go.Figure:
    """Grouped bars per system and year: what was planned and what was reported delivered; one panel per unit
    (vehicles, aircraft and battalion sets are not one quantity)."""
    fig = go.Figure()
    if df.empty:
        fig.update_layout(title="No procurement claims")
        return fig
    d = df.copy()
    if "unit" not in d.columns:
        d["unit"] = ""
    d["year"] = d["period_start"].str[:4]
    d["label"] = d["item"] + " " + d["year"]
    agg = d.groupby(["unit", "label", "role"], as_index=False)["value"].max()
    units = sorted(agg["unit"].unique())
    fig = make_subplots(rows=1, cols=len(units), subplot_titles=[unit_label(u) or "units" for u in units],
                        horizontal_spacing=0.08)
    for n, u in enumerate(units, start=1):
        for role in (Role.PLANNED, Role.REPORTED):
            sub = agg[(agg["unit"] == u) & (agg["role"] == role)]
            if sub.empty:
                continue
            fig.add_trace(go.Bar(x=sub["label"].tolist(), y=sub["value"].tolist(), name=role, legendgroup=role,
                                 showlegend=n == 1, marker_color=ROLE_COLOURS[role]), row=1, col=n)
        fig.update_yaxes(title_text=unit_label(u) or "units", rangemode="tozero", row=1, col=n)
    fig.update_layout(title=title, barmode="group", margin={"l": 60, "r": 20, "t": 80, "b": 60})
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


def conflicts_figure(c: pd.DataFrame, labels: dict | None = None, reports: dict | None = None,
                     max_groups: int = 12) -> go.Figure:
    """Each group of disagreeing figures (conflicts.conflicts) in a panel of its own: value by report month,
    colour by source, shape by qualifier, range bars; its unit on its axis. At most `max_groups` panels."""
    if c.empty:
        fig = go.Figure()
        fig.update_layout(title="No figures disagree", xaxis={"visible": False}, yaxis={"visible": False})
        return fig
    labels = labels or {}
    groups = list(dict.fromkeys(c["group"].tolist()))[:max_groups]
    titles = []
    for g in groups:
        r = c[c["group"] == g].iloc[0]
        item = f" · {r['item']}" if r["item"] else ""
        titles.append(f"{labels.get(r['indicator'], r['indicator'])}{item}, {r['period_start']} – {r['period_end']}"
                      f" ({r['kind']})")
    fig = make_subplots(rows=len(groups), cols=1, subplot_titles=titles, vertical_spacing=0.4 / max(len(groups), 1))
    sources = sorted({s or "report's own" for s in c["source"]})
    colour = {s: _PALETTE[n % len(_PALETTE)] for n, s in enumerate(sources)}
    shown = set()
    for n, g in enumerate(groups, start=1):
        sub = c[c["group"] == g]
        for src, part in sub.groupby(sub["source"].replace("", "report's own"), sort=True):
            ranged = (part["qualifier"] == Qualifier.RANGE).tolist()
            cols = {k: part[k].tolist() for k in part.columns}
            cols.setdefault("derived_from", [""] * len(part))
            fig.add_trace(go.Scatter(
                x=[f"{m}-15" for m in part["report_month"]], y=part["value"].tolist(), mode="markers", name=src,
                legendgroup=src, showlegend=src not in shown,
                marker={"color": colour[src], "size": 13, "line": {"width": 2, "color": colour[src]},
                        "symbol": [_SYMBOLS.get(q, "circle") for q in part["qualifier"]]},
                error_y={"type": "data", "visible": any(ranged),
                         "array": [_err(h, v) if r else 0 for h, v, r in zip(part["value_high"], part["value"], ranged)],
                         "arrayminus": [_err(v, lo) if r else 0 for v, lo, r in
                                        zip(part["value"], part["value_low"], ranged)]},
                customdata=[[rid] for rid in part["claim_id"]],
                hovertext=[_hover(cols, i, reports) for i in range(len(part))], hoverinfo="text"), row=n, col=1)
            shown.add(src)
        fig.update_yaxes(title_text=unit_label(sub["unit"].iloc[0]), rangemode="tozero", row=n, col=1)
        fig.update_xaxes(type="date", tickformatstops=TICK_FORMATS, row=n, col=1)
    fig.update_xaxes(title_text="report month", row=len(groups), col=1)
    fig.update_layout(title="Figures that disagree, by the month they were reported", legend_title_text="source",
                      height=160 + 240 * len(groups), margin={"l": 70, "r": 20, "t": 80, "b": 50})
    return fig
