"""The Users tab in a real browser: an admin signs in, adds a user, changes a role, removes a user; a reviewer who
signs in sees no Users tab, and the tab's link tells them it is for admins."""
from pathlib import Path

import pytest
from browserkit import click_row, grid_rows, wait_for
from selenium.webdriver.common.by import By

from indicators import accounts
from indicators.dashboard.app import create_app
from indicators.pipeline import ingest_paths
from indicators.store import Store

ROOT = Path(__file__).parent.parent.parent


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("INDICATORS_COOKIE_SECURE", "0")  # the test server speaks plain http
    s = Store(f"sqlite:///{tmp_path / 'u.sqlite'}")
    list(ingest_paths([sorted((ROOT / "seeds").glob("*.txt"))[0]], s))
    accounts.add(s.engine, "ada", "admin", "admin password")
    accounts.add(s.engine, "rita", "reviewer", "reviewer password")
    return s


def _sign_in(duo, name, password, then="/"):
    duo.driver.get(f"{duo.server.url}/login?next={then}")
    duo.driver.find_element(By.NAME, "name").send_keys(name)
    duo.driver.find_element(By.NAME, "password").send_keys(password)
    duo.driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    duo.wait_for_element("#react-entry-point", timeout=20)
    duo.wait_for_contains_text("#whoami", f"Signed in as {name}", timeout=20)


def _names(duo):
    return {r.get("name"): r.get("role") for r in grid_rows(duo, "users-grid")}


def test_an_admin_adds_changes_and_removes_users_and_a_reviewer_cannot(dash_duo, store, shot):
    dash_duo.start_server(create_app(store), navigate=False)  # "/" is the sign-in page until someone signs in
    dash_duo.driver.set_window_size(1366, 900)
    _sign_in(dash_duo, "ada", "admin password", "/?tab=users")
    wait_for(lambda: _names(dash_duo) == {"ada": "admin", "rita": "reviewer"}, timeout=20)

    dash_duo.find_element("#users-new-name").send_keys("olga")
    dash_duo.find_element("#users-new-password").send_keys("olga password")
    dash_duo.find_element("#users-add").click()
    dash_duo.wait_for_contains_text("#users-message", "Added olga (viewer).", timeout=20)
    wait_for(lambda: _names(dash_duo).get("olga") == "viewer")
    assert dash_duo.find_element("#users-new-password").get_attribute("value") == ""  # never left in the form

    click_row(dash_duo, "users-grid", "olga")
    dash_duo.select_dcc_dropdown("#users-set-role", value="reviewer — also uploads and edits")
    dash_duo.find_element("#users-change").click()
    dash_duo.wait_for_contains_text("#users-message", "olga is now reviewer.", timeout=20)
    wait_for(lambda: _names(dash_duo).get("olga") == "reviewer")

    click_row(dash_duo, "users-grid", "rita")
    dash_duo.find_element("#users-remove").click()
    dash_duo.wait_for_contains_text("#users-message", "Removed rita", timeout=20)
    wait_for(lambda: set(_names(dash_duo)) == {"ada", "olga"})
    shot("users-admin")
    assert [u.name for u in accounts.all_users(store.engine)] == ["ada", "olga"]

    dash_duo.driver.get(f"{dash_duo.server.url}/logout")
    _sign_in(dash_duo, "olga", "olga password", "/?tab=users")
    assert not dash_duo.driver.find_elements(By.CSS_SELECTOR, "#tab-users")
    assert dash_duo.driver.find_elements(By.CSS_SELECTOR, "#tab-review")  # the distractor: other tabs are there
    dash_duo.wait_for_contains_text("#users-refused", "Only an admin manages users; your role is reviewer",
                                    timeout=20)
    assert not dash_duo.driver.find_elements(By.CSS_SELECTOR, "#users-grid")
    shot("users-refused")
