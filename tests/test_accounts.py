"""Accounts and roles: argon2 passwords, sign-in with secure session cookies, what each role may do, edits signed by
the signed-in user, a reverse proxy's user header, and the single-user default that serves this machine only."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indicators import accounts
from indicators.accounts import AccountError, Role
from indicators.dashboard.app import create_app
from indicators.dashboard.wire import payload
from indicators.pipeline import ingest_paths
from indicators.store import Store

ROOT = Path(__file__).parent.parent
SEED = sorted((ROOT / "seeds").glob("*.txt"))[0]
HTTPS = "https://localhost"  # the session cookie is Secure: the test client sends it over https only


@pytest.fixture
def store(db_url):
    s = Store(db_url)
    list(ingest_paths([SEED], s))
    return s


@pytest.mark.parametrize("name, role, password, error", [
    ("olga", "reviewer", "correct horse", None),
    ("", "viewer", "correct horse", "user name"),
    ("two words", "viewer", "correct horse", "user name"),
    ("olga", "owner", "correct horse", "unknown role"),
    ("olga", "admin", "short", "at least 8"),
])
def test_adding_users_checks_name_role_and_password(store, name, role, password, error):
    if error:
        with pytest.raises(AccountError, match=error):
            accounts.add(store.engine, name, role, password)
        assert accounts.count(store.engine) == 0
        return
    user = accounts.add(store.engine, name, role, password)
    assert user == accounts.get(store.engine, name) and user.role is Role.REVIEWER
    assert accounts.verify(store.engine, name, password) == user
    assert accounts.verify(store.engine, name, password + "x") is None
    assert accounts.verify(store.engine, "nobody", password) is None
    with pytest.raises(AccountError, match="exists already"):
        accounts.add(store.engine, name, "admin", "another password")
    accounts.add(store.engine, name, "admin", "another password", replace=True)
    assert accounts.verify(store.engine, name, "another password").role is Role.ADMIN
    with store.engine.connect() as conn:  # never the password itself: an argon2id hash
        stored = conn.execute(accounts.users.select()).mappings().one()["password_hash"]
    assert stored.startswith("$argon2id$") and "another password" not in stored


@pytest.mark.parametrize("role, needed, allowed", [
    (Role.VIEWER, Role.VIEWER, True), (Role.VIEWER, Role.REVIEWER, False), (Role.REVIEWER, Role.REVIEWER, True),
    (Role.REVIEWER, Role.ADMIN, False), (Role.ADMIN, Role.REVIEWER, True),
])
def test_roles_are_ordered(role, needed, allowed):
    assert role.allows(needed) is allowed


def _sign_in(client, name, password):
    return client.post("/login", data={"name": name, "password": password, "next": "/?tab=review"},
                       base_url=HTTPS)


def _act(client, claim: dict, typed_name: str):
    deps = json.loads(client.get("/_dash-dependencies", base_url=HTTPS).get_data())
    dep = next(d for d in deps if "review-message.children" in d["output"])
    values = {"review-claim.data": claim, "reviewer.value": typed_name, "accept-button.n_clicks": 1}
    body = payload(dep, values, ["accept-button.n_clicks"])
    resp = client.post("/_dash-update-component", json=body, base_url=HTTPS)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return json.loads(resp.get_data())["response"]["review-message"]["children"]


def test_sign_in_sessions_and_roles(store):
    accounts.add(store.engine, "vera", "viewer", "viewer password")
    accounts.add(store.engine, "rita", "reviewer", "reviewer password")
    app = create_app(store)
    assert app.auth_mode == "accounts"
    client = app.server.test_client()
    page = client.get("/", base_url=HTTPS)
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    assert client.get("/download/claims.csv", base_url=HTTPS).status_code == 401
    assert client.post("/_dash-update-component", json={}, base_url=HTTPS).status_code == 401
    assert _sign_in(client, "vera", "wrong password").status_code == 401

    signed = _sign_in(client, "vera", "viewer password")
    assert signed.status_code == 302 and signed.headers["Location"] == "/?tab=review"
    cookie = signed.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie
    assert client.get("/download/claims.csv", base_url=HTTPS).status_code == 200
    assert b"Signed in as vera (viewer)" in client.get("/_dash-layout", base_url=HTTPS).data
    seq = int(store.claims(columns=["seq"])["seq"].iloc[0])
    claim = {"report": SEED.stem, "seq": seq}
    assert _act(client, claim, "rita").startswith("Not saved: Your role (viewer)")
    assert store.edits() == []

    client.get("/logout", base_url=HTTPS)
    assert client.get("/download/claims.csv", base_url=HTTPS).status_code == 401
    _sign_in(client, "rita", "reviewer password")
    assert _act(client, claim, "somebody else").startswith("Saved: accepted by rita")
    assert [e.author for e in store.edits()] == ["rita"]  # the signed-in user, whatever name was typed

    accounts.remove(store.engine, "rita")  # a removed user is signed out at the next request
    assert client.get("/download/claims.csv", base_url=HTTPS).status_code == 401


def test_sign_in_never_redirects_to_another_site(store):
    accounts.add(store.engine, "rita", "reviewer", "reviewer password")
    client = create_app(store).server.test_client()
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        resp = client.post("/login", data={"name": "rita", "password": "reviewer password", "next": target},
                           base_url=HTTPS)
        assert resp.headers["Location"] == "/", target


def test_a_reverse_proxy_names_the_user_in_a_header(store, monkeypatch):
    monkeypatch.setenv("INDICATORS_AUTH_HEADER", "X-Remote-User")
    accounts.add(store.engine, "rita", "reviewer", "reviewer password")
    app = create_app(store)
    assert app.auth_mode == "proxy-header"
    client = app.server.test_client()
    assert client.get("/download/claims.csv").status_code == 401
    assert client.get("/download/claims.csv", headers={"X-Remote-User": "someone"}).status_code == 200
    claim = {"report": SEED.stem, "seq": int(store.claims(columns=["seq"])["seq"].iloc[0])}
    client.environ_base["HTTP_X_REMOTE_USER"] = "someone"  # not in the users table: a viewer
    assert "Your role (viewer)" in _act(client, claim, "")
    client.environ_base["HTTP_X_REMOTE_USER"] = "rita"
    assert _act(client, claim, "").startswith("Saved: accepted by rita")


def test_single_user_mode_serves_this_machine_only(store):
    app = create_app(store)
    assert app.auth_mode == "single-user"
    client = app.server.test_client()
    assert client.get("/download/claims.csv").status_code == 200
    assert b"Single-user mode" in client.get("/_dash-layout").data
    remote = client.get("/download/claims.csv", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert remote.status_code == 403 and b"single-user mode" in remote.data


def test_app_refuses_a_public_bind_without_accounts_and_cli_manages_users(store, tmp_path):
    env = dict(os.environ, INDICATORS_DB=store.url, INDICATORS_REPORTS=str(tmp_path / "none"))
    refused = subprocess.run([sys.executable, "app.py", "--host", "0.0.0.0", "--port", "1"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "no accounts" in refused.stderr and "users add" in refused.stderr
    run = lambda *a, **kw: subprocess.run([sys.executable, "-m", "indicators", *a, "--db", store.url], cwd=ROOT,
                                          capture_output=True, text=True, timeout=120, **kw)
    added = run("users", "add", "ada", "--role", "admin", env=dict(os.environ, INDICATORS_PASSWORD="admin password"))
    assert added.returncode == 0, added.stderr
    assert run("users", "add", "bob", "--role", "viewer", input="bob password\n").returncode == 0
    assert run("users", "list").stdout.splitlines() == ["ada\tadmin", "bob\tviewer"]
    bad = run("users", "add", "cy", "--role", "viewer", input="short\n")
    assert bad.returncode == 2 and "at least 8" in bad.stderr
    assert run("users", "remove", "bob").returncode == 0 and accounts.get(store.engine, "bob") is None
    assert accounts.verify(store.engine, "ada", "admin password").role is Role.ADMIN


@pytest.mark.parametrize("headers, refused", [
    ({}, False),
    ({"X-Forwarded-For": "203.0.113.9"}, True),
    ({"Forwarded": "for=203.0.113.9;proto=https"}, True),
    ({"X-Real-IP": "198.51.100.4"}, True),
    ({"X-Forwarded-Proto": "https"}, True),  # what the README's nginx example sets
    ({"Via": "1.1 proxy.example"}, True),
    ({"X-Forwarded-Host": "dash.example.org"}, True),
    ({"X-Requested-With": "XMLHttpRequest", "Referer": "http://127.0.0.1:8050/"}, False),  # not a proxy's
])
def test_single_user_mode_refuses_what_a_proxy_forwarded(store, headers, refused, caplog):
    """A reverse proxy on this host connects from loopback: its forwarding headers give it away."""
    client = create_app(store).server.test_client()
    resp = client.get("/download/claims.csv", headers=headers)
    if not refused:
        assert resp.status_code == 200
        return
    header = next(iter(headers))
    assert resp.status_code == 403 and b"through a proxy" in resp.data and header.encode() in resp.data
    assert any("single-user mode" in r.getMessage() and header in r.getMessage() for r in caplog.records)


def test_the_first_user_switches_sign_in_on_without_a_restart(store, monkeypatch):
    """Accounts are looked up at request time: a user added by another process counts within the recheck time,
    and removing the last one goes back to the single-user default (this machine only)."""
    from indicators.dashboard import auth

    monkeypatch.setattr(auth, "ACCOUNTS_RECHECK_SECONDS", 0.3)
    app = create_app(store)
    assert app.auth_mode == "single-user"
    client = app.server.test_client()
    assert client.get("/download/claims.csv", base_url=HTTPS).status_code == 200
    added = subprocess.run([sys.executable, "-m", "indicators", "users", "add", "ada", "--role", "admin", "--db",
                            store.url], cwd=ROOT, capture_output=True, text=True, timeout=120,
                           env=dict(os.environ, INDICATORS_PASSWORD="admin password"))
    assert added.returncode == 0, added.stderr
    time.sleep(0.4)
    assert client.get("/download/claims.csv", base_url=HTTPS).status_code == 401
    page = client.get("/", base_url=HTTPS)
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    assert _sign_in(client, "ada", "admin password").status_code == 302
    assert b"Signed in as ada (admin)" in client.get("/_dash-layout", base_url=HTTPS).data
    accounts.remove(store.engine, "ada")
    time.sleep(0.4)
    assert client.get("/download/claims.csv", base_url=HTTPS).status_code == 200
    assert b"Single-user mode" in client.get("/_dash-layout", base_url=HTTPS).data


def _users_action(client, trigger: str, **state):
    """Press one of the Users tab's buttons (or open the tab: trigger 'tab') as the browser would."""
    deps = json.loads(client.get("/_dash-dependencies", base_url=HTTPS).get_data())
    dep = next(d for d in deps if "users-grid.rowData" in d["output"])
    values = {"tab.value": "users", "users-add.n_clicks": 0, "users-change.n_clicks": 0,
              "users-remove.n_clicks": 0, "users-new-name.value": state.get("name"),
              "users-new-role.value": state.get("role"), "users-new-password.value": state.get("password"),
              "users-grid.selectedRows": [{"name": state["picked"]}] if state.get("picked") else None,
              "users-set-role.value": state.get("new_role")}
    if trigger != "tab":
        values[f"{trigger}.n_clicks"] = 1
    changed = "tab.value" if trigger == "tab" else f"{trigger}.n_clicks"
    resp = client.post("/_dash-update-component", json=payload(dep, values, [changed]), base_url=HTTPS)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    out = json.loads(resp.get_data())["response"]
    return [r["name"] + ":" + r["role"] for r in out["users-grid"]["rowData"]], out["users-message"]["children"]


@pytest.mark.parametrize("trigger, state, rows, message", [
    ("tab", {}, ["ada:admin", "rita:reviewer", "vera:viewer"], ""),
    ("users-add", {"name": "olga", "role": "reviewer", "password": "olga password"},
     ["ada:admin", "olga:reviewer", "rita:reviewer", "vera:viewer"], "Added olga (reviewer)."),
    ("users-add", {"name": "olga", "role": "reviewer", "password": "short"}, None, "at least 8"),
    ("users-add", {"name": "vera", "role": "admin", "password": "another password"}, None, "exists already"),
    ("users-change", {"picked": "vera", "new_role": "reviewer"},
     ["ada:admin", "rita:reviewer", "vera:reviewer"], "vera is now reviewer."),
    ("users-change", {"picked": "ada", "new_role": "viewer"}, None, "your own admin role"),
    ("users-change", {"new_role": "viewer"}, None, "Select a user"),
    ("users-remove", {"picked": "rita"}, ["ada:admin", "vera:viewer"], "Removed rita"),
    ("users-remove", {"picked": "ada"}, None, "cannot remove yourself"),
])
def test_an_admin_manages_users_from_the_dashboard(store, trigger, state, rows, message):
    accounts.add(store.engine, "ada", "admin", "admin password")
    accounts.add(store.engine, "vera", "viewer", "viewer password")
    accounts.add(store.engine, "rita", "reviewer", "reviewer password")
    client = create_app(store).server.test_client()
    _sign_in(client, "ada", "admin password")
    assert b'"tab-users"' in client.get("/_dash-layout", base_url=HTTPS).data
    got, said = _users_action(client, trigger, **state)
    assert message in said
    assert got == (rows or ["ada:admin", "rita:reviewer", "vera:viewer"])  # a refusal changes nothing


@pytest.mark.parametrize("name, password, role", [("vera", "viewer password", "viewer"),
                                                  ("rita", "reviewer password", "reviewer")])
def test_only_an_admin_reaches_the_users_view(store, name, password, role):
    accounts.add(store.engine, "ada", "admin", "admin password")
    accounts.add(store.engine, name, role, password)
    client = create_app(store).server.test_client()
    _sign_in(client, name, password)
    layout = client.get("/_dash-layout", base_url=HTTPS).data
    assert b'"tab-users"' not in layout and b"Only an admin manages users" in layout
    assert b"users-grid" not in layout
    got, said = _users_action(client, "users-add", name="mallory", role="admin", password="mallory password")
    assert got == [] and f"Your role ({role})".encode() in said.encode()
    assert accounts.get(store.engine, "mallory") is None


@pytest.mark.parametrize("action", ["demote", "remove"])
def test_the_last_admin_cannot_be_demoted_or_removed(store, action):
    """Demoting or removing the only admin while other users remain would leave nobody to manage users."""
    accounts.add(store.engine, "ada", "admin", "admin password")
    accounts.add(store.engine, "vera", "viewer", "viewer password")
    with pytest.raises(AccountError, match="last admin"):
        if action == "demote":
            accounts.set_role(store.engine, "ada", "reviewer")
        else:
            accounts.remove(store.engine, "ada", keep_admin=True)
    accounts.set_role(store.engine, "vera", "admin")  # with a second admin, the first may go
    if action == "demote":
        assert accounts.set_role(store.engine, "ada", "reviewer").role is Role.REVIEWER
    else:
        assert accounts.remove(store.engine, "ada", keep_admin=True)
    with pytest.raises(AccountError, match="no user"):
        accounts.set_role(store.engine, "nobody", "viewer")


def test_adding_the_first_user_from_the_dashboard_switches_sign_in_on(store):
    client = create_app(store).server.test_client()
    layout = client.get("/_dash-layout", base_url=HTTPS).data
    assert b'"tab-users"' in layout and b"Adding the first user switches sign-in on" in layout
    got, said = _users_action(client, "users-add", name="ada", role="admin", password="admin password")
    assert got == ["ada:admin"] and "Sign-in is now on" in said
    page = client.get("/", base_url=HTTPS)  # at once: the same process forgot its cached mode
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
