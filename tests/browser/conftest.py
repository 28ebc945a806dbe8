"""Browser tests run a real headless Chromium (Debian's chromium + chromium-driver) against the real app.

The test command installs them itself when they are missing (as root, with apt-get), so a fresh
machine needs nothing beforehand.
"""
import os
import shutil
import subprocess
from pathlib import Path

import pytest


def _ensure_chromium() -> None:
    if shutil.which("chromium") and shutil.which("chromedriver"):
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium", "chromium-driver"],
                       check=True, env=env, stdout=subprocess.DEVNULL)
        return
    pytest.exit("browser tests need chromium and chromedriver: apt-get install chromium chromium-driver", 2)


_ensure_chromium()
os.environ.setdefault("DASH_TEST_CHROMEPATH", shutil.which("chromium") or "/usr/bin/chromium")

SCREENSHOTS = Path(__file__).parent.parent / "screenshots"


@pytest.fixture
def shot(dash_duo):
    """Save a screenshot of the current page under tests/screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        dash_duo.driver.save_screenshot(str(path))
        return path

    return take


@pytest.fixture(autouse=True)
def _dash_port(request):
    """Serve the app on $DASH_TEST_PORT (default 8050), so two checkouts can run their browser tests at once."""
    if "dash_duo" not in request.fixturenames:
        yield
        return
    duo = request.getfixturevalue("dash_duo")
    start = duo.start_server

    def start_server(app, **kwargs):
        kwargs.setdefault("port", int(os.environ.get("DASH_TEST_PORT", "8050")))
        return start(app, **kwargs)

    duo.start_server = start_server
    yield
