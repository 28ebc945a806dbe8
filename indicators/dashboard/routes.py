"""Plain HTTP routes for scripts: claims CSV (filterable), per-indicator CSV, a Frictionless data package."""
from __future__ import annotations

import csv
import io
import json

import pandas as pd
from flask import Response, request

from ..catalog import Catalog
from ..store import OUT_COLUMNS as CLAIM_COLUMNS  # the contract's columns, then review, pair, notes
from ..store import Store

FILTERS = ("indicator", "item", "role", "report")
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
_NUMERIC = {"value", "value_low", "value_high", "char_start", "char_end"}

DESCRIPTIONS = {
    "report": ("string", "the report's id: its file name without extension"),
    "report_month": ("string", "YYYY-MM the report covers"),
    "indicator": ("string", "catalog id of the indicator; empty when the claim fits none"),
    "item": ("string", "the sub-series inside the indicator (a weapon system, a scope); may be empty"),
    "role": ("string", "reported, stated (attributed and disputed), corrected (the report's own figure replacing a "
                       "stated one) or planned"),
    "qualifier": ("string", "exact, approx, over, under, at_least, at_most or range"),
    "value": ("number", "the figure after multipliers; for a range, the midpoint"),
    "value_low": ("number", "lower bound (ranges, over, at_least)"),
    "value_high": ("number", "upper bound (ranges, under, at_most)"),
    "unit": ("string", "a unit of the project's pint registry (person, case, percent, USD, ratio, ...)"),
    "period_start": ("date", "first day of the period the figure measures"),
    "period_end": ("date", "last day of the period the figure measures"),
    "source": ("string", "who the figure is attributed to; empty when the report gives it as its own"),
    "surface": ("string", "the exact text of the figure with its qualifier"),
    "sentence": ("string", "the sentence the figure stands in, whitespace-normalised"),
    "char_start": ("integer", "offset of surface in the report's normalised text"),
    "char_end": ("integer", "end offset of surface in the report's normalised text"),
    "review": ("string", "unreviewed, accepted, corrected (the values are an analyst's) or rejected"),
    "pair": ("string", "the counterpart of a stated or corrected figure, as report@char_start"),
    "pair_kind": ("string", "'corrected by' on a stated figure, 'corrects' on the figure that answers it"),
    "notes": ("string", "why the extractor was unsure (ambiguous indicator, guessed period); empty when sure"),
}
_ENUMS = {"review": ["unreviewed", "accepted", "corrected", "rejected"],
          "role": ["reported", "stated", "corrected", "planned"],
          "qualifier": ["exact", "approx", "over", "under", "at_least", "at_most", "range"]}


def _no_cr(v):
    """A carriage return in a cell as a line feed. The CSV is written with \n line ends, so the writer (csv or
    pandas) leaves a cell holding a bare \r unquoted, and a spreadsheet breaks the row there: the rest of the
    cell would start a row of its own, a formula if it begins with =. A \n makes the writer quote the cell."""
    return v.replace("\r\n", "\n").replace("\r", "\n") if isinstance(v, str) and "\r" in v else v


def _safe_rows(writer, buf, rows) -> None:
    """Write rows; if any cell held a \r (rare: checked on the written text, no per-row work otherwise), write
    them again with _no_cr on every cell."""
    start = buf.tell()
    writer.writerows(rows)
    if "\r" in buf.getvalue()[start:]:
        buf.seek(start)
        buf.truncate()
        writer.writerows([[_no_cr(v) for v in row] for row in rows])


def safe_csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Neutralise text cells a spreadsheet would run as formulas (OWASP CSV injection); numbers stay numbers.
    A carriage return inside a text cell becomes a line feed (see _no_cr)."""
    out = df.copy()
    for col in out.columns:
        if col in _NUMERIC:
            continue
        out[col] = out[col].map(lambda v: _no_cr(f"'{v}" if isinstance(v, str) and v.startswith(_DANGEROUS) else v))
    return out


def safe_csv_rows(parts):
    """CSV text, a chunk per part of rows (sequences of CLAIM_COLUMNS), header first; text cells a spreadsheet
    would run as formulas get a leading apostrophe, numbers stay numbers (as safe_csv_frame does)."""
    text_cols = [n for n, col in enumerate(CLAIM_COLUMNS) if col not in _NUMERIC]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CLAIM_COLUMNS)
    for rows in parts:
        for row in rows:
            row = list(row)
            for n in text_cols:
                v = row[n]
                if v and v[0] in _DANGEROUS:
                    row[n] = f"'{v}"
            _safe_rows(writer, buf, [row])
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
    yield buf.getvalue()


def _stream_csv(parts):
    """CSV text a chunk per part of rows already made safe by the database (Store.rows with guard=...)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CLAIM_COLUMNS)
    for rows in parts:
        _safe_rows(writer, buf, rows)
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
    yield buf.getvalue()


def _csv(store: Store, name: str, **filters) -> Response:
    """The claims matching the filters as CSV, streamed a chunk of rows at a time (a million rows never sit in
    memory at once); the database neutralises formula-like text cells on the way out."""
    return Response(_stream_csv(store.rows(guard=_DANGEROUS, **filters)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _schema(unit: str | None = None) -> dict:
    fields = []
    for col in CLAIM_COLUMNS:
        ftype, desc = DESCRIPTIONS[col]
        field = {"name": col, "type": ftype, "description": desc}
        if col in ("value", "value_low", "value_high"):
            field["unit"] = unit or "given per row in the column `unit`"
        if col in _ENUMS:
            field["constraints"] = {"enum": _ENUMS[col]}
        fields.append(field)
    return {"fields": fields}


def add_routes(server, store: Store, catalog: Catalog) -> None:
    """Register the download routes on the Flask server behind Dash."""

    @server.route("/download/claims.csv")
    def claims_csv():
        unknown = [k for k in request.args if k not in FILTERS]
        if unknown:
            return Response(f"unknown filter(s) {', '.join(unknown)}; use {', '.join(FILTERS)}\n", status=400,
                            mimetype="text/plain")
        filters = {k: request.args.getlist(k) for k in FILTERS if request.args.getlist(k)}
        if "indicator" in filters:
            known = {i.id for i in catalog.indicators} | {""}
            bad = [i for i in filters["indicator"] if i not in known]
            if bad:
                return Response(f"unknown indicator {bad[0]!r}; see /download/datapackage.json for the list\n",
                                status=404, mimetype="text/plain")
        return _csv(store, "claims.csv", **filters)

    @server.route("/download/indicators/<indicator_id>.csv")
    def indicator_csv(indicator_id: str):
        if indicator_id not in {i.id for i in catalog.indicators}:
            return Response(f"unknown indicator {indicator_id!r}; see /download/datapackage.json for the list\n",
                            status=404, mimetype="text/plain")
        return _csv(store, f"{indicator_id}.csv", indicator=indicator_id)

    @server.route("/download/datapackage.json")
    def datapackage():
        resources = [{
            "name": "claims", "path": "claims.csv", "format": "csv", "mediatype": "text/csv",
            "title": "All quantitative claims", "schema": _schema(),
        }]
        for ind in catalog.indicators:
            resources.append({
                "name": ind.id.replace(".", "-").replace("_", "-").lower(),
                "path": f"indicators/{ind.id}.csv", "format": "csv", "mediatype": "text/csv",
                "title": ind.label, "description": ind.description, "schema": _schema(ind.unit),
            })
        package = {"profile": "tabular-data-package", "name": "indicators-claims",
                   "title": "Claims extracted from monthly reports", "resources": resources}
        return Response(json.dumps(package, indent=2), mimetype="application/json")
