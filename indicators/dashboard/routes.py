"""Plain HTTP routes for scripts: claims CSV (filterable), per-indicator CSV, a Frictionless data package."""
from __future__ import annotations

import json
import logging

from flask import Response, request

from ..catalog import Catalog
from ..db import is_unavailable
from ..schema import SCHEMA
from ..store import Store

FILTERS = tuple(SCHEMA.group("filters"))
log = logging.getLogger(__name__)


def _primed(chunks, name: str = "download"):
    """The first chunk is made now, while the route can still answer with an error status (a database that is
    down gets the 503 page, not a 200 cut short); the rest streams.

    A failure after the first chunk (the database dies mid-stream) is logged and raised again: the WSGI server then
    drops the connection without the chunked encoding's last chunk, so the client sees an incomplete download,
    never a short file that looks whole."""
    chunks = iter(chunks)
    first = next(chunks, "")

    def rest():
        sent, size = 1, len(first)
        yield first
        try:
            for chunk in chunks:
                yield chunk
                sent, size = sent + 1, size + len(chunk)
        except Exception as exc:
            why = "the database became unavailable" if is_unavailable(exc) else "it failed"
            detail = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [""])[0]
            log.error("download %s cut after %d chunks (%d characters): %s (%s: %s); the connection is aborted so the "
                      "client sees an incomplete download", name, sent, size, why, type(exc).__name__, detail)
            raise
    return rest()


def _csv(store: Store, name: str, **filters) -> Response:
    """The claims matching the filters as CSV, streamed a chunk of rows at a time (a million rows never sit in
    memory at once); the database guards formula-like text cells on the way out, and on PostgreSQL writes the CSV
    itself (Store.csv: the same bytes as export.csv_chunks)."""
    return Response(_primed(store.csv(**filters), name), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def datapackage(catalog: Catalog) -> dict:
    """A Frictionless tabular data package: all claims, then one resource per indicator with its unit."""
    resources = [{
        "name": "claims", "profile": "tabular-data-resource", "path": "claims.csv", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
        "title": SCHEMA.title, "schema": SCHEMA.table_schema(),
    }]
    for ind in catalog.indicators:
        resources.append({
            "name": ind.id.replace(".", "-").replace("_", "-").lower(),
            "profile": "tabular-data-resource", "path": f"indicators/{ind.id}.csv", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "title": ind.label, "description": ind.description, "schema": SCHEMA.table_schema(ind.unit),
        })
    return {"profile": "tabular-data-package", "name": "indicators-claims",
            "title": "Claims extracted from monthly reports", "resources": resources}


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
    def datapackage_json():
        return Response(json.dumps(datapackage(catalog), indent=2), mimetype="application/json")
