"""When the database is down: a 503 page and a 503 callback answer that say so (instead of an empty page and
generic 500s), and nothing to restart when it returns (pooled connections are checked before use, and a failed
one is replaced: see indicators.db)."""
from __future__ import annotations

import html as html_escape
import logging

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


def install(server, store) -> None:
    """503 for every request that fails because the database cannot be reached; the page itself checks first."""

    def on_error(exc):
        if is_unavailable(exc):
            log.warning("database unavailable (%s): %s", request.path, exc)
            return unavailable_response(exc if isinstance(exc, DatabaseUnavailable) else None)
        log.exception("request failed: %s", request.path, exc_info=exc)
        return InternalServerError(original_exception=exc)

    for kind in (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError, DatabaseUnavailable):
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
