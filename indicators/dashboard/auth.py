"""Who is using the dashboard, and what they may do.

Three modes, looked up at request time (the users table at most every ACCOUNTS_RECHECK_SECONDS per process), so
adding the first user switches sign-in on without a restart:

- single-user (no accounts in the store, no proxy header configured): the embedded default on 127.0.0.1; no
  login, the one user may do everything, and the start says so. Requests from other machines are refused, and so
  is any request a proxy forwarded (it carries a forwarding header): a reverse proxy on this host would otherwise
  make every remote request look local.
- accounts (`indicators users add ...`): a login page; a signed session cookie (HttpOnly, SameSite=Lax, Secure
  unless $INDICATORS_COOKIE_SECURE=0); the role decides what the user may do.
- proxy header ($INDICATORS_AUTH_HEADER, e.g. X-Remote-User): a reverse proxy that already signs users in names
  them in that header; their role comes from the users table, else $INDICATORS_PROXY_ROLE (default viewer). Only
  safe when the app is reachable through that proxy alone.
"""
from __future__ import annotations

import html
import ipaddress
import logging
import os
import secrets
import threading
import time
from datetime import timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from flask import Response, current_app, g, redirect, request, session

from .. import accounts, db
from ..accounts import Role, User

LOCAL_USER = User("local", Role.ADMIN)
PUBLIC_PREFIXES = ("/login", "/logout", "/assets/", "/_dash-component-suites/", "/_favicon.ico")
# headers a proxy adds when it forwards a request (RFC 7239, the de-facto X-Forwarded-*, nginx's X-Real-IP, Via):
# their presence means the loopback peer is a proxy, not the user
FORWARDING_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Server",
                      "X-Real-IP", "Via")
ACCOUNTS_RECHECK_SECONDS = 2.0  # how stale a process's idea of "are there accounts?" may be
EXTENSION = "indicators.auth"  # the app's ModeCheck, in flask.current_app.extensions

log = logging.getLogger(__name__)


class AuthMode(StrEnum):
    SINGLE_USER = "single-user"
    ACCOUNTS = "accounts"
    PROXY_HEADER = "proxy-header"


def mode_for(store) -> AuthMode:
    """The mode the store and the environment call for (see the module's docstring)."""
    if os.environ.get("INDICATORS_AUTH_HEADER", "").strip():
        return AuthMode.PROXY_HEADER
    return AuthMode.ACCOUNTS if accounts.count(store.engine) else AuthMode.SINGLE_USER


class ModeCheck:
    """The sign-in mode of one app, asked for on every request: the users table is counted at most every `ttl`
    seconds (a user added by the CLI, another worker or another host counts within that time; `forget()` makes the
    next request count again, as the admin page does after a change)."""

    def __init__(self, store, ttl: float | None = None) -> None:
        self.store, self.ttl = store, ttl
        self._lock = threading.Lock()
        self._mode: AuthMode | None = None
        self._until = 0.0

    def __call__(self) -> AuthMode:
        now = time.monotonic()
        with self._lock:
            if self._mode is not None and now < self._until:
                return self._mode
        mode = mode_for(self.store)
        with self._lock:
            if self._mode is not None and mode is not self._mode:
                log.warning("sign-in mode is now %s (was %s): the users table changed", mode, self._mode)
            self._mode, self._until = mode, now + (ACCOUNTS_RECHECK_SECONDS if self.ttl is None else self.ttl)
        return mode

    def forget(self) -> None:
        with self._lock:
            self._until = 0.0


def accounts_changed() -> None:
    """Call after adding or removing a user inside a request: the next request of this process sees the change."""
    check = current_app.extensions.get(EXTENSION)
    if check is not None:
        check.forget()


def forwarded_by(headers) -> str | None:
    """The first forwarding header a request carries (a proxy sent it), or None."""
    return next((h for h in FORWARDING_HEADERS if h in headers), None)


def is_loopback(host: str) -> bool:
    host = (host or "").strip("[]")
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def current_user() -> User | None:
    """The user of this request (None: nobody signed in)."""
    return getattr(g, "user", None)


def refusal(needed: Role) -> str | None:
    """Why the current user may not do what `needed` may, or None when they may."""
    user = current_user()
    if user is None:
        return "Sign in first."
    if not user.can(needed):
        return f"Your role ({user.role}) cannot do this; it needs {needed}. Ask an admin."
    return None


def author(typed: str | None) -> str:
    """Who an edit is by: the signed-in user; in single-user mode, the name typed in the form (else 'local')."""
    user = current_user()
    if user is None or user is LOCAL_USER:
        return (typed or "").strip() or LOCAL_USER.name
    return user.name


def _secret_key(store) -> str:
    """$INDICATORS_SECRET_KEY, else one made once and kept in the database, so every worker and host signs
    sessions with the same key and a restart signs nobody out."""
    key = os.environ.get("INDICATORS_SECRET_KEY", "").strip()
    if key:
        return key
    with db.write_transaction(store.engine) as conn:
        return db.claim_setting(conn, "secret_key", secrets.token_hex(32))


LOGIN_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in - Indicators</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family:sans-serif;max-width:24em;margin:4em auto">
<h1>Indicators</h1><p>{message}</p>
<form method="post" action="/login"><input type="hidden" name="next" value="{next}">
<p><label>Name<br><input name="name" autocomplete="username" required autofocus></label></p>
<p><label>Password<br><input name="password" type="password" autocomplete="current-password" required></label></p>
<p><button type="submit">Sign in</button></p></form></body></html>"""


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never another host) after signing in."""
    parts = urlsplit(target or "/")
    if parts.scheme or parts.netloc or not (target or "/").startswith("/") or (target or "").startswith("//"):
        return "/"
    return target or "/"


def install(app, store) -> AuthMode:
    """Sign-in, session cookies and the per-request user on the app's Flask server; returns the mode at start
    (each request looks it up again: see ModeCheck)."""
    server = app.server
    mode_now = ModeCheck(store)
    server.extensions[EXTENSION] = mode_now
    mode = mode_now()
    server.config.update(
        SECRET_KEY=_secret_key(store),
        SESSION_COOKIE_NAME="indicators_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("INDICATORS_COOKIE_SECURE", "1").strip() != "0",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
    )
    header = os.environ.get("INDICATORS_AUTH_HEADER", "").strip()
    proxy_role = Role(os.environ.get("INDICATORS_PROXY_ROLE", Role.VIEWER).strip() or Role.VIEWER)

    @server.before_request
    def who():
        g.user = None
        mode = mode_now()
        if mode is AuthMode.SINGLE_USER:
            if not is_loopback(request.remote_addr or ""):
                return Response("This dashboard runs in single-user mode (no accounts) and serves this machine only. "
                                "Add accounts with `indicators users add NAME --role admin` to serve a team.\n",
                                status=403, mimetype="text/plain")
            proxy = forwarded_by(request.headers)
            if proxy:
                log.warning("refused %s %s: single-user mode serves this machine only, and the request came through "
                            "a proxy (%s header)", request.method, request.path, proxy)
                return Response(f"This dashboard runs in single-user mode (no accounts) and serves this machine "
                                f"only, but this request came through a proxy (it has a {proxy} header), so it may be "
                                f"from anywhere. Add accounts with `indicators users add NAME --role admin`, or set "
                                f"INDICATORS_AUTH_HEADER for a proxy that signs users in.\n",
                                status=403, mimetype="text/plain")
            g.user = LOCAL_USER
            return None
        if mode is AuthMode.PROXY_HEADER:
            name = (request.headers.get(header) or "").strip()
            if name:
                g.user = accounts.get(store.engine, name) or User(name, proxy_role)
        else:
            name = session.get("user")
            if name:
                g.user = accounts.get(store.engine, name)  # removed since: signed out; role changed: applies now
        if g.user is None and not request.path.startswith(PUBLIC_PREFIXES):
            if mode is AuthMode.PROXY_HEADER:
                return Response(f"no user in the {header} header: sign in through the site's proxy\n", status=401,
                                mimetype="text/plain")
            if request.method == "GET" and not request.path.startswith(("/_dash", "/download")):
                return redirect(f"/login?next={request.full_path if request.query_string else request.path}")
            return Response("sign in first: /login\n", status=401, mimetype="text/plain")
        return None

    @server.route("/login", methods=["GET", "POST"])
    def login():
        if mode_now() is not AuthMode.ACCOUNTS:
            return redirect("/")
        target = _safe_next(request.values.get("next"))
        message = "Sign in with the name and password an admin gave you."
        status = 200
        if request.method == "POST":
            user = accounts.verify(store.engine, request.form.get("name", ""), request.form.get("password", ""))
            if user is not None:
                session.clear()
                session["user"] = user.name
                session.permanent = True
                return redirect(target)
            message, status = "Wrong name or password.", 401
        return Response(LOGIN_PAGE.format(message=html.escape(message), next=html.escape(target)), status=status,
                        mimetype="text/html")

    @server.route("/logout")
    def logout():
        session.clear()
        return redirect("/login" if mode_now() is AuthMode.ACCOUNTS else "/")

    return mode
