"""Pure figure functions: a DataFrame of claims in, a plotly Figure out (no app state, easy to test)."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..conflicts import pair_stated_corrected
from ..schema import Qualifier, Role
from ..units import unit_label
from .columns import Columns

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


def _hovers(cols: dict, rows: list[int], reports: dict | None = None) -> list[str]:
    """The hover texts of these rows of {column: list}: the figure, its period, report (or for a derived value
    both claims), item, source and the sentence, wrapped. One loop with its lookups bound once: a chart
    writes one per point."""
    reports = reports or {}
    names: dict = {}

    def name(r: str) -> str:
        if r not in names:
            names[r] = _esc(reports.get(r, r))
        return names[r]

    surface, qualifier, role, start, end = cols["surface"], cols["qualifier"], cols["role"], \
        cols["period_start"], cols["period_end"]
    report, month, item, source, sentences = cols["report"], cols["report_month"], cols["item"], cols["source"], \
        cols["sentence"]
    derived_from = cols["derived_from"] if "derived_from" in cols else None
    out = []
    for i in rows:
        sentence = str(sentences[i])
        if len(sentence) > 300:
            sentence = sentence[:297] + "…"
        derived = derived_from[i] if derived_from is not None else ""
        if derived:
            later, earlier = [p.strip() for p in str(derived).split(";")]
            text = (f"<b>{_esc(surface[i])}</b> = derived monthly value ({qualifier[i]})<br>"
                    f"period {start[i]} – {end[i]}<br>"
                    f"from claim {_esc(later)} ({name(later.rpartition('@')[0])})<br>"
                    f"minus claim {_esc(earlier)} ({name(earlier.rpartition('@')[0])})")
        else:
            text = (f"<b>{_esc(surface[i])}</b> ({qualifier[i]}, {role[i]})<br>period {start[i]} – {end[i]}<br>"
                    f"report {name(report[i])} ({month[i]})")
        if item[i]:
            text += f"<br>item: {_esc(item[i])}"
        if source[i]:
            text += f"<br>source: {_esc(source[i])}"
        out.append(f"{text}<br>{_wrap(_esc(sentence))}")
    return out


def _esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@lru_cache(maxsize=8)
def _line_pattern(width: int) -> re.Pattern:
    """A line of at most width − 1 characters ending before a space (or the end); a longer word alone."""
    return re.compile(rf"\S.{{0,{width - 2}}}(?= |$)|\S+")


def _wrap(text: str, width: int = 80) -> str:
    """Words into lines shorter than `width` characters, joined by <br> (one regex pass: a chart wraps a
    sentence per point)."""
    return "<br>".join(_line_pattern(width).findall(" ".join(text.split())))


def _panels(n: int, gap: float = 0.1) -> list[tuple[float, float]]:
    """Vertical domains of n stacked panels, top first."""
    h = (1 - gap * (n - 1)) / n
    return [(max(0.0, round(1 - (k + 1) * h - k * gap, 6)), min(1.0, round(1 - k * h - k * gap, 6))) for k in range(n)]


def _source_note(cols: dict, reports: dict | None, limit: int = 6) -> str:
    """"Reports: …; sources: …" under the chart, so an exported image says where its figures come from.
    `cols`: {column: list} of the drawn rows."""
    ids = list(dict.fromkeys(cols["report"]))
    names = [_esc((reports or {}).get(r, r)) for r in ids[:limit]]
    more = f" and {len(ids) - limit} more" if len(ids) > limit else ""
    sources = sorted({s for s in cols["source"] if s})
    src = ", ".join(_esc(s) for s in sources[:limit]) + (f" and {len(sources) - limit} more" if len(sources) > limit else "")
    note = _wrap(f"Reports: {'; '.join(names)}{more}.", 170)
    if src:
        note += "<br>" + _wrap(f"Figures attributed to: {src}.", 170)
    return note


@lru_cache(maxsize=65536)
def _period_place(start: str, end: str) -> tuple[str | None, bool, str | None, str | None]:
    """Where a period sits on a time axis: (its midpoint, longer than a month?, span start, the day after its
    end) as ISO text; Nones for a period that is no pair of dates. Remembered: a chart repeats few periods."""
    try:
        a, b = date.fromisoformat(str(start)[:10]), date.fromisoformat(str(end)[:10])
    except ValueError:
        return None, False, None, None
    mid = datetime.combine(a, time()) + (b - a) / 2
    text = mid.date().isoformat() if mid.time() == time() else mid.isoformat(sep=" ")
    return text, (b - a).days > 31, a.isoformat(), (b + timedelta(days=1)).isoformat()


@lru_cache(maxsize=4096)
def _month_mid(month: str) -> str | None:
    """A report month's place on the axis: its 15th ("2020-11" -> "2020-11-15")."""
    return f"{month}-15" if len(str(month)) == 7 else None


def indicator_figure(df: pd.DataFrame, **kw) -> go.Figure:
    """indicator_figure_dict as a plotly Figure (for tests and scripts; the dashboard sends the dict)."""
    return go.Figure(indicator_figure_dict(df, **kw), _validate=False)


def indicator_figure_dict(df: pd.DataFrame | Columns, *, x: str = "period", colour: str = "item", title: str = "",
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
    `df` and `earlier` may be frames or Columns (the dashboard's: no pandas on a chart's way).
    """
    cols_in = df if isinstance(df, Columns) else Columns.from_frame(df)
    if not len(cols_in):
        return {"data": [], "layout": {
            "title": {"text": title or "no claims"}, "xaxis": {"visible": False}, "yaxis": {"visible": False},
            "annotations": [{"text": "No claims match this view", "showarrow": False, "xref": "paper",
                             "yref": "paper", "x": 0.5, "y": 0.5}]}}
    labels = labels or {}
    n_rows = len(cols_in)
    cols = dict(cols_in.data)
    cols["derived_from"] = [d if isinstance(d, str) else "" for d in cols_in.get("derived_from", "")]
    places = [_period_place(s, e) for s, e in zip(cols["period_start"], cols["period_end"])]
    x_text = ([_month_mid(m) for m in cols["report_month"]] if x == "report_month" else [p[0] for p in places])
    long = [p[1] for p in places]
    span_from, span_to = [p[2] for p in places], [p[3] for p in places]
    several = len(set(cols["indicator"])) > 1
    ind_label = lambda i: labels.get(i, i) or "no indicator"
    # panels: one per unit (per indicator and unit with `multiples`)
    panel_key = [(ind if multiples else "", u) for ind, u in zip(cols["indicator"], cols["unit"])]
    panel_ids = list(dict.fromkeys(panel_key))
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

    keys = [colour_key(i) for i in range(n_rows)]
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
                "hovertext": _hovers(cols, rows, reports), "hoverinfo": "text",
            })
            shown.add(group)
    if earlier is not None and len(earlier):
        earlier = earlier if isinstance(earlier, Columns) else Columns.from_frame(earlier)
        ecols = {c: earlier.get(c, "") for c in cols}
        ex = ([_month_mid(m) for m in ecols["report_month"]] if x == "report_month"
              else [_period_place(s, e)[0] for s, e in zip(ecols["period_start"], ecols["period_end"])])
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
                "hovertext": [f"earlier figure (vintage {earlier['vintage'][i]}), revised later<br>"
                              + h for i, h in zip(rows, _hovers(ecols, rows, reports))], "hoverinfo": "text"})
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
    if total is not None and total > n_rows:
        title = (f"{title}<br><sup>{n_rows:,} of {total:,} claims drawn, evenly spread in time order; "
                 f"choose items, sources or roles to see them all</sup>")
    elif subtitle:
        title = f"{title}<br><sup>{_esc(subtitle)}</sup>"
    note = _source_note(cols, reports)
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
                hovertext=_hovers(cols, list(range(len(part))), reports), hoverinfo="text"), row=n, col=1)
            shown.add(src)
        fig.update_yaxes(title_text=unit_label(sub["unit"].iloc[0]), rangemode="tozero", row=n, col=1)
        fig.update_xaxes(type="date", tickformatstops=TICK_FORMATS, row=n, col=1)
    fig.update_xaxes(title_text="report month", row=len(groups), col=1)
    fig.update_layout(title="Figures that disagree, by the month they were reported", legend_title_text="source",
                      height=160 + 240 * len(groups), margin={"l": 70, "r": 20, "t": 80, "b": 50})
    return fig
