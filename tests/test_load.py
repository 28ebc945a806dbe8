"""A bounded load test on loopback: the real app under gunicorn (3 workers x 4 threads) over a store of the seeds
(the store the suite runs on: SQLite, or PostgreSQL with $INDICATORS_TEST_DB), 20 concurrent clients for
LOAD_SECONDS (default 60) mixing chart callbacks and CSV downloads.

Every response must be 200 with a sane body (the chart's figure, the CSV rows the store holds for the filters).
p50/p95 per kind are printed and written to tests/load-results.json (git-ignored).
"""
import csv
import http.client
import io
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import gunicorn  # noqa: F401  (in the `test` extra: the server this test runs the app under)
import pytest
import sqlalchemy as sa
from httpkit import free_port, get, wait_until_serving

from indicators.catalog import load_catalog
from indicators.dashboard.wire import layout_props, payload as wire_payload
from indicators.pipeline import ingest_paths
from indicators.store import Store

ROOT = Path(__file__).parent.parent
RESULTS = Path(__file__).parent / "load-results.json"
CLIENTS = 20
WORKERS, THREADS = 3, 4
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
ROLES = ["reported", "stated", "corrected", "planned"]


_free_port, _get = free_port, get  # tests/httpkit.py


@pytest.fixture(scope="module")
def server(tmp_path_factory, databases):
    """gunicorn serving app:server over a fresh store with the seeds ingested first (app.py then finds it full
    and every worker opens the same database); stopped with SIGTERM (then SIGKILL) whatever happens."""
    folder = tmp_path_factory.mktemp("load")
    db = databases()  # SQLite, or PostgreSQL with $INDICATORS_TEST_DB
    store = Store(db)
    results = list(ingest_paths([ROOT / "seeds"], store))
    assert results and all(getattr(r, "status", None) == "added" for _, r in results), results
    port = _free_port()
    env = dict(os.environ, INDICATORS_DB=db, INDICATORS_REPORTS=str(folder / "none"))
    log = open(folder / "gunicorn.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-k", "gthread",
                             "--threads", str(THREADS), "-b", f"127.0.0.1:{port}", "--chdir", str(ROOT),
                             "--graceful-timeout", "10", "app:server"],
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_serving(proc, port, folder / "gunicorn.log", 90)
        yield port, store, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)  # the group of the gunicorn this fixture started
                proc.wait(timeout=10)
        log.close()


def _chart_payload(port: int):
    """A function indicator -> the browser's POST body for the chart callback, built from /_dash-dependencies
    and the layout's initial values."""
    status, deps = _get(port, "/_dash-dependencies")
    assert status == 200
    dep = next(d for d in json.loads(deps) if d["output"].startswith("..chart.figure..."))
    status, layout = _get(port, "/_dash-layout")
    props = layout_props(json.loads(layout))
    values = {f"{d['id']}.{d['property']}": props.get(d["id"], {}).get(d["property"])
              for d in dep["inputs"] + dep.get("state", [])}

    def payload(indicator: str) -> bytes:
        body = wire_payload(dep, {**values, "indicator.value": indicator, "period.value": "all"}, ["indicator.value"])
        return json.dumps(body).encode()

    return payload, props


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs) + 0.5) - 1))]


def test_twenty_clients_for_a_minute_get_no_errors(server, capsys):
    port, store, proc = server
    catalog = load_catalog()
    payload, props = _chart_payload(port)
    indicators = [o["value"] for o in props["indicator"]["options"]]
    with_claims = [i for i in indicators if store.count_claims(indicator=i)]
    assert len(with_claims) >= 5, "the seeds give several indicators claims"
    reports = list(store.reports()["id"])

    # every request: (kind, method, path, body, expected) with expected the chart's point count or the CSV's rows
    requests = []
    for ind in indicators:
        requests.append(("chart", "POST", "/_dash-update-component", payload(ind), ind))
        requests.append(("indicator_csv", "GET", f"/download/indicators/{ind}.csv", None,
                         store.count_claims(indicator=ind)))
    rng = random.Random(7)
    for _ in range(60):
        filters = {"indicator": rng.choice(with_claims)}
        if rng.random() < 0.5:
            filters["role"] = rng.sample(ROLES, rng.randint(1, 3))
        if rng.random() < 0.3:
            filters["report"] = rng.choice(reports)
        requests.append(("claims_csv", "GET", "/download/claims.csv?" + urlencode(filters, doseq=True), None,
                         store.count_claims(**filters)))
    requests.append(("claims_csv", "GET", "/download/claims.csv", None, store.count_claims()))
    by_kind = {k: [r for r in requests if r[0] == k] for k in ("chart", "claims_csv", "indicator_csv")}
    weights = {"chart": 0.5, "claims_csv": 0.25, "indicator_csv": 0.25}

    def check(kind: str, body: bytes, expected) -> str:
        """'' for a sane body, else what is wrong with it."""
        if kind == "chart":
            fig = json.loads(body)["response"]["chart"]["figure"]
            points = sum(1 for t in fig["data"] if t.get("mode") == "markers" and t.get("legendgroup") != "shapes"
                         for c in t.get("customdata") or [] if not c[2])  # claims, not derived values
            # the chart leaves out what the linker was unsure of (the catalog's chart_confidence) until accepted
            want = min(store.count_claims(indicator=expected, confident=catalog.chart_confidence), 2000)
            return "" if points == want and "layout" in fig else f"chart of {expected}: {points} points, want {want}"
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
        if rows[:1] and rows[0][:3] == ["report", "report_month", "indicator"] and len(rows) - 1 == expected:
            return ""
        return f"{kind}: {len(rows) - 1} rows, want {expected}; header {rows[:1]}"

    timings = {k: [] for k in by_kind}
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + SECONDS

    def client(seed: int) -> None:
        rnd = random.Random(seed)
        conn = None
        while time.monotonic() < stop_at:
            kind = rnd.choices(list(weights), list(weights.values()))[0]
            _, method, path, body, expected = rnd.choice(by_kind[kind])
            t = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                headers = {"Content-Type": "application/json"} if body else {}
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                elapsed = time.perf_counter() - t
                problem = f"{kind} {path}: HTTP {resp.status}" if resp.status != 200 else check(kind, data, expected)
                if resp.will_close:
                    conn.close()
                    conn = None
            except Exception as exc:  # noqa: BLE001 - every failure is an error of the run
                problem, elapsed = f"{kind} {path}: {exc.__class__.__name__}: {exc}", None
                if conn is not None:
                    conn.close()
                conn = None
            with lock:
                if problem:
                    errors.append(problem)
                else:
                    timings[kind].append(elapsed)
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(CLIENTS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=SECONDS + 120)
    wall = time.monotonic() - started
    assert not any(t.is_alive() for t in threads), "a client hung"
    assert proc.poll() is None, "gunicorn died under load"

    total = sum(len(v) for v in timings.values())
    summary = {
        "server": f"gunicorn -w {WORKERS} -k gthread --threads {THREADS} app:server (seeds)",
        "store": sa.engine.make_url(store.url).get_backend_name(),
        "clients": CLIENTS, "seconds": round(wall, 1), "requests": total, "errors": len(errors),
        "requests_per_s": round(total / wall, 1),
        "kinds": {k: {"n": len(v), "p50_ms": round(_pct(v, 50) * 1000, 1) if v else None,
                      "p95_ms": round(_pct(v, 95) * 1000, 1) if v else None,
                      "max_ms": round(max(v) * 1000, 1) if v else None} for k, v in timings.items()},
    }
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n")
    with capsys.disabled():
        print(f"\nload: {CLIENTS} clients, {wall:.0f} s, {total} requests ({summary['requests_per_s']}/s), "
              f"{len(errors)} errors")
        for k, s in summary["kinds"].items():
            print(f"  {k:14s} n={s['n']:6d}  p50={s['p50_ms']} ms  p95={s['p95_ms']} ms  max={s['max_ms']} ms")
    assert errors == [], f"{len(errors)} errors, e.g. {errors[:5]}"
    assert all(len(v) >= 10 for v in timings.values()), summary
