"""The minimal dashboard: importable for a WSGI server, its figure function is pure and right."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).parent.parent


def _load_app():
    spec = importlib.util.spec_from_file_location("dashboard_app", ROOT / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_app_serves_the_seed_claims():
    app = _load_app()
    assert app.server is app.app.server
    fig = app.figure(app.claims, "cybercrime.registered")
    values = sorted(v for trace in fig.data for v in trace.y)
    assert values == [9000, 10000, 20357, 25000]
    assert fig.layout.yaxis.title.text == "case"
    chart, rows = app.show("cybercrime.registered")
    assert len(rows) == 4 and all(r["indicator"] == "cybercrime.registered" for r in rows)
