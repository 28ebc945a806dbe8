"""When the database is down: a 503 page and a 503 callback answer that say so (instead of an empty page and
generic 500s), and nothing to restart when it returns (pooled connections are checked before use, and a failed
one is replaced: see indicators.db)."""
from __future__ import annotations

import html as html_escape
import logging

import pandas as pd
import sqlalchemy as sa
from flask import Response, request
from werkzeug.exceptions import InternalServerError

from ..db import DatabaseUnavailable, is_unavailable, safe_url

log = logging.getLogger(__name__)

MESSAGE = ("The database is unavailable right now, so nothing can be shown or saved. It is retried on every "
           "request: reload this page in a moment. If it lasts, ask whoever runs the server to check the database.")

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Database unavailable - Indicators</title>
<meta http-equiv="refresh" content="15"></head><body style="font-family:sans-serif;max-width:40em;margin:4em auto">
<h1>Database unavailable</h1><p>{message}</p><p style="color:#666">{detail}</p></body></html>"""


def unavailable_response(exc: BaseException | None = None) -> Response:
    detail = html_escape.escape(str(exc)) if isinstance(exc, DatabaseUnavailable) else ""
    if request.path.startswith("/_dash") or request.accept_mimetypes.best == "application/json":
        return Response(MESSAGE, status=503, mimetype="text/plain", headers={"Retry-After": "15"})
    return Response(PAGE.format(message=html_escape.escape(MESSAGE), detail=detail), status=503,
                    mimetype="text/html", headers={"Retry-After": "15"})


def _lost_database(exc: BaseException | None) -> BaseException | None:
    """The error in `exc`'s chain of causes that says the database cannot be reached, if any."""
    seen = 0
    while exc is not None and seen < 5:
        if is_unavailable(exc):
            return exc
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


def install(server, store) -> None:
    """503 for every request that fails because the database cannot be reached; the page itself checks first."""

    def on_error(exc):
        lost = _lost_database(exc)
        if lost is not None:
            log.warning("database unavailable (%s): %s", request.path, lost)
            return unavailable_response(lost if isinstance(lost, DatabaseUnavailable) else None)
        log.exception("request failed: %s", request.path, exc_info=exc)
        return InternalServerError(original_exception=exc)

    # pandas.read_sql says a failed query as its own DatabaseError, with SQLAlchemy's error as the cause
    for kind in (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError, DatabaseUnavailable,
                 pd.errors.DatabaseError):
        server.register_error_handler(kind, on_error)

    @server.before_request
    def page_checks_the_database():
        if request.method == "GET" and request.path == "/":
            try:
                with store.engine.connect() as conn:
                    conn.exec_driver_sql("SELECT 1")
            except sa.exc.SQLAlchemyError as exc:
                if not is_unavailable(exc):
                    raise
                log.warning("database %s unavailable: %s", safe_url(store.url), exc)
                return unavailable_response()
        return None


def guarded_layout(make):
    """The layout function, or a message in place of the page when the database cannot be reached."""
    from dash import html

    def layout():
        try:
            return make()
        except (sa.exc.SQLAlchemyError, DatabaseUnavailable) as exc:
            if not is_unavailable(exc):
                raise
            return html.Div(className="page", children=[html.H1("Database unavailable"),
                                                        html.P(MESSAGE, id="db-unavailable")])
    return layout
