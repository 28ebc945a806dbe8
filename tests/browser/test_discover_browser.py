"""The Discover view: series the catalog misses, proposed from a store's unattached figures, with example
sentences and a stub to copy."""
import pytest

from indicators.dashboard.app import create_app
from indicators.pipeline import ingest_paths
from indicators.store import Store

MONTHS = [("March 2024", 412), ("April 2024", 530), ("May 2024", 611)]


@pytest.fixture
def store(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for month, n in MONTHS:
        (folder / f"digest_{month.replace(' ', '_')}.txt").write_text(
            f"Regional digest ({month})\n\nMilitary enlistment offices delivered {n} summonses to men of "
            f"call-up age this month.\n", encoding="utf-8")
    s = Store(f"sqlite:///{tmp_path / 'd.sqlite'}")
    list(ingest_paths([folder], s))
    return s


def test_discover_lists_a_recurring_series_with_its_stub(dash_duo, store, shot):
    dash_duo.start_server(create_app(store))
    dash_duo.driver.set_window_size(1366, 768)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/?tab=discover")
    dash_duo.wait_for_contains_text("#discover-count", "3 figures unattached", timeout=20)
    dash_duo.wait_for_contains_text("#discover-groups", "summons (summons)", timeout=20)
    groups = dash_duo.find_element("#discover-groups").text
    assert "3 figures in 3 report months, 3 reports" in groups
    assert "delivered 530 summonses" in groups
    stub = dash_duo.find_element(".stub-yaml").text
    assert "- id: suggested.summons" in stub and "accepts:" in stub and "examples:" in stub
    assert dash_duo.find_element(".copy-stub")  # the copy button beside the stub
    shot("discover-1366")
    assert dash_duo.get_logs() == []
