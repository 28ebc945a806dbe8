"""The Users view: an admin lists the accounts, adds one, changes a role, removes one (what `indicators users` does
on the command line). Only an admin sees the tab; anyone else who opens it (a link with ?tab=users) is told so,
and every action checks the role again on the server."""
from __future__ import annotations

import dash_ag_grid as dag
from dash import Input, Output, State, ctx, dcc, html, no_update

from ... import accounts
from ...accounts import AccountError, Role
from .. import auth
from .common import DEFAULT_COL, minute

ROLE_OPTIONS = [{"label": f"{r} — {what}", "value": r.value} for r, what in (
    (Role.VIEWER, "reads and downloads"), (Role.REVIEWER, "also uploads and edits"),
    (Role.ADMIN, "also manages users"))]
COLUMNS = [("name", "Name", 160), ("role", "Role", 110), ("created_at", "Added", 170)]
ROW = {"display": "flex", "gap": "0.6em", "alignItems": "center", "flexWrap": "wrap", "margin": "0.6em 0"}


def layout() -> list:
    """The panel for the user of this request (the layout is built per request)."""
    user = auth.current_user()
    if user is None or not user.can(Role.ADMIN):
        role = user.role if user else "none"
        return [html.P(f"Only an admin manages users; your role is {role}.", id="users-refused", className="alert")]
    first = ("There are no accounts yet: this dashboard runs in single-user mode. Adding the first user switches "
             "sign-in on at once (make it an admin): you will be asked to sign in as that user."
             if user is auth.LOCAL_USER else "")
    return [
        html.P(first, id="users-first", className="note"),
        dag.AgGrid(id="users-grid", rowData=[], defaultColDef=DEFAULT_COL, getRowId="params.data.name",
                   columnDefs=[{"field": f, "headerName": h, "minWidth": w, "flex": 1} for f, h, w in COLUMNS],
                   dashGridOptions={"rowSelection": "single", "localeText": {"noRowsToShow": "No users yet"}},
                   style={"height": "300px", "width": "100%"}),
        html.Div(style=ROW, children=[
            html.Span("The selected user:", className="note"),
            dcc.Dropdown(id="users-set-role", options=ROLE_OPTIONS, placeholder="new role", clearable=False,
                         style={"minWidth": "16em"}),
            html.Button("Change role", id="users-change", n_clicks=0),
            html.Button("Remove user", id="users-remove", n_clicks=0),
        ]),
        html.H3("Add a user"),
        html.Div(style=ROW, children=[
            dcc.Input(id="users-new-name", placeholder="name", autoComplete="off", style={"width": "12em"}),
            dcc.Dropdown(id="users-new-role", options=ROLE_OPTIONS, value=Role.VIEWER.value, clearable=False,
                         style={"minWidth": "16em"}),
            dcc.Input(id="users-new-password", type="password", autoComplete="new-password",
                      placeholder=f"password (at least {accounts.MIN_PASSWORD} characters)", style={"width": "18em"}),
            html.Button("Add user", id="users-add", n_clicks=0),
        ]),
        html.P(id="users-message"),
    ]


def register(app, store, catalog) -> None:  # noqa: ARG001 (every view registers with the same arguments)
    @app.callback(Output("users-grid", "rowData"), Output("users-message", "children"),
                  Output("users-new-password", "value"),
                  Input("tab", "value"), Input("users-add", "n_clicks"), Input("users-change", "n_clicks"),
                  Input("users-remove", "n_clicks"),
                  State("users-new-name", "value"), State("users-new-role", "value"),
                  State("users-new-password", "value"), State("users-grid", "selectedRows"),
                  State("users-set-role", "value"))
    def users(tab, _add, _change, _remove, name, role, password, selected, new_role):
        """List the users when the tab opens; add, change a role or remove on a button. The role is checked here,
        on the server, whatever the page showed."""
        if ctx.triggered_id in (None, "tab") and tab != "users":
            return no_update, no_update, no_update
        refused = auth.refusal(Role.ADMIN)
        if refused:
            return [], f"Not done: {refused}", ""
        me = auth.current_user()
        picked = (selected or [{}])[0].get("name")
        message, clear = "", no_update
        try:
            if ctx.triggered_id == "users-add":
                user = accounts.add(store.engine, name or "", role or "", password or "")
                clear = ""
                message = f"Added {user.name} ({user.role})."
                if me is auth.LOCAL_USER:
                    message += " Sign-in is now on: reload the page and sign in."
            elif ctx.triggered_id in ("users-change", "users-remove") and not picked:
                message = "Select a user in the table first."
            elif ctx.triggered_id == "users-change":
                if not new_role:
                    message = "Choose the new role first."
                elif picked == me.name and new_role != Role.ADMIN:
                    message = "You cannot take away your own admin role; another admin can."
                else:
                    user = accounts.set_role(store.engine, picked, new_role)
                    message = f"{user.name} is now {user.role}."
            elif ctx.triggered_id == "users-remove":
                if picked == me.name:
                    message = "You cannot remove yourself while signed in; another admin can."
                elif accounts.remove(store.engine, picked, keep_admin=True):
                    message = f"Removed {picked}: signed out at their next request."
                else:
                    message = f"No user {picked!r} (removed meanwhile)."
        except AccountError as exc:
            message = f"Not done: {exc}"
        if ctx.triggered_id in ("users-add", "users-change", "users-remove"):
            auth.accounts_changed()  # this process's next request sees the new mode at once
        rows = [dict(r, created_at=minute(r["created_at"])) for r in accounts.listing(store.engine)]
        return rows, message, clear
