"""The data package the app serves validates with frictionless, on the claims.csv the same app serves."""
import json
import shutil
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from indicators.dashboard.app import create_app
from indicators.pipeline import ingest_paths
from indicators.store import Store

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The real app on a free loopback port, over a store of the seeds and our two-month conflict pair."""
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('dp') / 's.sqlite'}")
    list(ingest_paths([ROOT / "seeds", ROOT / "tests" / "conflicts"], store))
    server = make_server("127.0.0.1", 0, create_app(store).server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", store
    server.shutdown()


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as resp:
        assert resp.status == 200
        return resp.read()


def test_frictionless_validates_the_served_package(served, tmp_path):
    base, store = served
    package = json.loads(_get(f"{base}/download/datapackage.json"))
    (tmp_path / "indicators").mkdir()
    (tmp_path / "claims.csv").write_bytes(_get(f"{base}/download/claims.csv"))
    keep = [r for r in package["resources"] if r["name"] == "claims" or r["path"] in (
        "indicators/cybercrime.registered.csv", "indicators/budget.defence_growth.csv")]
    for r in keep[1:]:
        (tmp_path / r["path"]).write_bytes(_get(f"{base}/download/{r['path']}"))
    package["resources"] = keep
    (tmp_path / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    frictionless = shutil.which("frictionless", path=str(Path(sys.executable).parent)) or "frictionless"
    res = subprocess.run([frictionless, "validate", "--json", "datapackage.json"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    report = json.loads(res.stdout)
    errors = [e.get("message") for t in report.get("tasks", []) for e in t.get("errors", [])] + \
        [e.get("message") for e in report.get("errors", [])]
    assert report["valid"], errors[:5]
    rows = sum(t["stats"]["rows"] for t in report["tasks"] if t["name"] == "claims")
    assert rows == len(store.claims()) > 30


def test_a_broken_row_fails_validation(served, tmp_path):
    """Control: the validation is real. A qualifier outside the enum and a bad month are reported."""
    base, _ = served
    package = json.loads(_get(f"{base}/download/datapackage.json"))
    package["resources"] = package["resources"][:1]
    lines = _get(f"{base}/download/claims.csv").decode("utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    assert row[header.index("qualifier")] in ("exact", "approx", "over", "under", "at_least", "at_most", "range")
    row[header.index("report_month")] = "2021-13"
    lines[1] = ",".join(row)
    (tmp_path / "claims.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    frictionless = shutil.which("frictionless", path=str(Path(sys.executable).parent)) or "frictionless"
    res = subprocess.run([frictionless, "validate", "--json", "datapackage.json"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert json.loads(res.stdout)["valid"] is False
