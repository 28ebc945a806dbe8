"""Benchmark the dashboard over a store of N synthetic claims.

    python bench/dashboard.py --claims 1000000 [--db URL] [--keep] [--reuse] [--repeat 50] [--seed 1]

Builds a store (SQLite in a temporary folder unless --db) with N synthetic claims over 200
indicators (the catalog's plus synthetic ones registered in a catalog passed to the app),
10 years of monthly reports, several reports a month, several sources, every role and
qualifier. Then it times, through the Flask test client and the same requests the browser
sends (POST /_dash-update-component with the payload built from /_dash-dependencies):

- the app's start (create_app on the populated store);
- the first page: GET /, /_dash-layout, /_dash-dependencies and every initial callback;
- the chart callback for one indicator (p50/p95 over --repeat calls, varying the indicator);
- blocks of 100 rows of the claims grid (AG Grid's infinite row model: getRowsRequest -> one SQL page) for
  every filter and sort: the first blocks as the grid is scrolled down, then the last one (p50/p95), and a jump
  to a random block (reported apart); free-text filters (sentence, surface) apart too;
- a page of each review queue (the first two and a later one);
- the CSV route for ~100,000 rows (full response body read);
- bare baselines for the same work in the same run, on the same database: the chart's query by a plain driver
  cursor (sqlite3; psycopg2 on PostgreSQL) plus a bare go.Scatter of its rows, and the CSV's rows dumped by the
  driver's plain cursor into csv.writer; the ratios say how
  much the dashboard adds (targets: chart callback <= 2x, CSV route <= 1.5x), whatever the machine's speed;
- the largest response of every callback (none may grow with the store);
- the process's memory (RSS after building the store, after serving, and the peak).

The last line is `callback_p95_ms=N page_p95_ms=N csv_100k_s=N rss_mb=N chart_ratio=N csv_ratio=N`.
"""
from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import json
import os
import random
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from anywhere without installing

import sqlalchemy as sa  # noqa: E402

from indicators.catalog import Indicator, load_catalog  # noqa: E402
from indicators.dashboard.app import create_app  # noqa: E402
from indicators.dashboard.wire import layout_props, payload as wire_payload  # noqa: E402
from indicators.store import Store, claims as claims_table, reports as reports_table  # noqa: E402

N_INDICATORS = 200
YEARS = 10
REPORTS_PER_MONTH = 3
ROLES = (("reported", 70), ("stated", 12), ("corrected", 8), ("planned", 10))
QUALIFIERS = (("exact", 60), ("approx", 15), ("over", 5), ("under", 5), ("at_least", 5), ("at_most", 5),
              ("range", 5))
SOURCES = ("", "", "", "Ministry of Internal Affairs", "Ministry of Defence", "Minister of Defence",
           "State Control Committee", "Belstat", "an opposition channel", "Prosecutor General's Office")
UNITS = ("count", "person", "case", "percent", "USD", "unit")
BATCH = 50_000


# ------------------------------------------------------------------------------------------ store

def bench_catalog(n_indicators: int = N_INDICATORS):
    """The packaged catalog plus synthetic indicators up to `n_indicators` ids."""
    catalog = load_catalog()
    extra = []
    for k in range(len(catalog.indicators), n_indicators):
        extra.append(Indicator(id=f"synthetic.indicator_{k:03d}", label=f"Synthetic indicator {k:03d}",
                               theme=f"Synthetic theme {k % 12:02d}", unit=UNITS[k % len(UNITS)],
                               description=f"Synthetic indicator {k} for the benchmark.", nouns=(),
                               require=(), terms=(), items=()))
    return dataclasses.replace(catalog, indicators=catalog.indicators + tuple(extra))


def _months(years: int) -> list[str]:
    return [f"{2015 + m // 12}-{m % 12 + 1:02d}" for m in range(12 * years)]


def _shift(month: str, back: int) -> tuple[int, int]:
    y, m = map(int, month.split("-"))
    idx = y * 12 + m - 1 - back
    return idx // 12, idx % 12 + 1


def _month_end(y: int, m: int) -> str:
    nxt = datetime(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)
    return nxt.strftime("%Y-%m-%d")


SENTENCES = [
    "According to {src}, {surf} were registered in the period, against the previous figure.",
    "The report counts {surf} in the region; the figure includes the capital.",
    "{src} said that {surf} had been recorded, a figure the report disputes.",
    "By the end of the period {surf} were planned for delivery under the state programme.",
]


def build_store(store: Store, catalog, n_claims: int, seed: int = 1) -> dict:
    """Fill `store` with `n_claims` synthetic claims; returns a description of what was made."""
    rng = random.Random(seed)
    ids = [i.id for i in catalog.indicators][:N_INDICATORS]
    units = {i.id: i.unit or "count" for i in catalog.indicators}
    weights = [1 / (k + 1) ** 0.5 for k in range(len(ids))]  # a few large indicators, a long tail
    items = {ind: ([""] + [f"item {chr(65 + j)}" for j in range(k % 7)]) for k, ind in enumerate(ids)}
    months = _months(YEARS)
    report_ids = [(f"bench_{m}_{chr(97 + r)}", m) for m in months for r in range(REPORTS_PER_MONTH)]
    text = "\n\n".join(s.format(src="the Ministry", surf=f"{n * 37} cases") for n in range(1, 40)
                       for s in SENTENCES)
    now = datetime.now(UTC)
    per_report = [n_claims // len(report_ids) + (1 if k < n_claims % len(report_ids) else 0)
                  for k in range(len(report_ids))]
    roles = [r for r, w in ROLES for _ in range(w)]
    quals = [q for q, w in QUALIFIERS for _ in range(w)]
    with store.engine.begin() as conn:
        conn.execute(reports_table.insert(), [
            {"id": rid, "title": f"Synthetic monthly report {m} ({rid[-1]})", "month": m, "format": "txt",
             "path": f"bench/{rid}.txt", "content_hash": f"{k:064x}", "ingested_at": now, "text": text}
            for k, (rid, m) in enumerate(report_ids)])
    batch: list[dict] = []
    offsets = [i for i in range(len(text)) if text[i].isdigit() and (i == 0 or not text[i - 1].isdigit())]

    def flush():
        with store.engine.begin() as conn:
            conn.execute(claims_table.insert(), batch)
        batch.clear()

    for (rid, month), n in zip(report_ids, per_report):
        chosen = rng.choices(ids, weights, k=n)
        for seq, ind in enumerate(chosen):
            role = rng.choice(roles)
            qual = rng.choice(quals)
            value = round(rng.lognormvariate(6, 2), 1)
            low = high = None
            if qual == "range":
                low, high = round(value * 0.9, 1), round(value * 1.1, 1)
            elif qual in ("over", "at_least"):
                low = value
            elif qual in ("under", "at_most"):
                high = value
            span = rng.choice((1, 1, 1, 3, 12))
            y0, m0 = _shift(month, rng.randrange(0, 24) + span - 1)
            y1, m1 = _shift(month, rng.randrange(0, 24) if span == 1 else 0)
            if (y1, m1) < (y0, m0):
                y1, m1 = y0, m0
            src = rng.choice(SOURCES)
            surf = f"{value:g}"
            if rng.random() < 0.01:
                surf = rng.choice(("-" + surf, "=" + surf, "+" + surf, "@" + surf))  # CSV-injection material
            start = offsets[seq % len(offsets)]
            batch.append({
                "report": rid, "seq": seq, "report_month": month, "indicator": ind, "item": rng.choice(items[ind]),
                "role": role, "qualifier": qual, "value": value, "value_low": low, "value_high": high,
                "unit": units.get(ind, "count"), "period_start": f"{y0}-{m0:02d}-01",
                "period_end": _month_end(y1, m1), "source": src, "surface": surf,
                "sentence": rng.choice(SENTENCES).format(src=src or "the report", surf=surf),
                "char_start": start, "char_end": start + len(surf), "notes": "",
            })
            if len(batch) >= BATCH:
                flush()
    if batch:
        flush()
    return {"reports": len(report_ids), "indicators": len(ids), "months": len(months)}


# -------------------------------------------------------------------------------------- requests

def _rss_mb() -> float:
    """The current resident set size (Linux /proc; elsewhere the peak)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return _peak_mb()


def _peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


class Browser:
    """The requests the browser sends, over the Flask test client; remembers each callback's largest answer."""

    def __init__(self, app):
        self.client = app.server.test_client()
        self.deps = {}
        self.sizes: dict[str, int] = {}

    def get(self, path: str):
        resp = self.client.get(path)
        body = resp.get_data()
        assert resp.status_code == 200, (path, resp.status_code, body[:300])
        return resp, body

    def load(self) -> dict:
        _, index = self.get("/")
        _, layout = self.get("/_dash-layout")
        _, deps = self.get("/_dash-dependencies")
        self.deps = {d["output"]: d for d in json.loads(deps)}
        return layout_props(json.loads(layout))

    def callback(self, output: str, values: dict, changed: list[str] | None = None) -> dict:
        """POST one callback; `values` maps "id.prop" to the value the browser holds (missing: None)."""
        payload = wire_payload(self.deps[output], values, changed)
        t = time.perf_counter()
        resp = self.client.post("/_dash-update-component", json=payload)
        body = resp.get_data()
        self.last_s = time.perf_counter() - t  # the server's part: the browser's parse of the answer is not in it
        if resp.status_code == 204:  # PreventUpdate / no_update everywhere
            return {}
        assert resp.status_code == 200, (output, resp.status_code, body[:500])
        self.sizes[output] = max(self.sizes.get(output, 0), len(body))
        return json.loads(body).get("response", {})

    def find(self, prefix: str) -> str:
        return next(o for o in self.deps if o.startswith(prefix) or o.startswith(".." + prefix))


def _timed(fn, *args, **kw):
    t = time.perf_counter()
    out = fn(*args, **kw)
    return out, getattr(fn.__self__, "last_s", None) if fn.__name__ == "callback" else time.perf_counter() - t


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs) + 0.5) - 1))]


def _sqlite_path(store: Store) -> str:
    return store.engine.url.database


class _Plain:
    """A plain DBAPI connection to the bench's database, beside the app's engine (no SQLAlchemy, no pool): sqlite3
    for SQLite, psycopg2 for PostgreSQL; `sql` takes `?` placeholders and `%` as it is, whatever the driver."""

    def __init__(self, store: Store):
        self.dialect = store.engine.dialect.name
        if self.dialect == "sqlite":
            self.con = sqlite3.connect(_sqlite_path(store))
        else:
            import psycopg2

            u = store.engine.url
            self.con = psycopg2.connect(host=u.host, port=u.port, user=u.username, password=u.password,
                                        dbname=u.database, **u.query)
            self.con.autocommit = True  # each statement on its own, as the app's short read transactions

    def execute(self, sql: str, params: tuple):
        if self.dialect != "sqlite":
            sql = sql.replace("%", "%%").replace("?", "%s")
        cur = self.con.cursor()
        cur.execute(sql, params)
        return cur

    def close(self):
        self.con.close()


def _bare_chart(plain: _Plain, indicator: str, max_rows: int = 2000, confident: float = 0.0) -> float:
    """Seconds for the chart's work done bare: the count and the evenly spread sample (the same SQL as
    Store.sample) by a plain driver cursor (sqlite3 or psycopg2) on the same database, then one go.Scatter of the
    rows, serialised to JSON."""
    import plotly.graph_objects as go

    from indicators.store import OUT_COLUMNS
    t = time.perf_counter()
    where = ("indicator = ? AND review IN ('unreviewed', 'accepted', 'corrected') AND (confidence IS NULL OR "
             f"confidence >= {float(confident)} OR review IN ('accepted', 'corrected'))")
    total = plain.execute(f"SELECT count(*) FROM claims WHERE {where}", (indicator,)).fetchone()[0]
    cols = ", ".join(f"c.{c}" for c in OUT_COLUMNS)
    if total <= max_rows:
        rows = plain.execute(f"SELECT {cols} FROM claims c WHERE {where} ORDER BY report, seq",
                             (indicator,)).fetchall()
    else:
        step = -(-total // max_rows)
        rows = plain.execute(
            f"SELECT {cols} FROM claims c JOIN (SELECT report, seq, row_number() OVER (ORDER BY period_start, "
            f"period_end, report, seq) AS rn FROM claims WHERE {where}) k ON c.report = k.report AND c.seq = k.seq "
            f"WHERE (k.rn - 1) % ? = 0 ORDER BY c.report, c.seq", (indicator, step)).fetchall()
    start, value = OUT_COLUMNS.index("period_start"), OUT_COLUMNS.index("value")
    fig = go.Figure(go.Scatter(x=[r[start] for r in rows], y=[r[value] for r in rows], mode="markers"))
    fig.to_json()
    return time.perf_counter() - t


def _bare_csv(store: Store, indicators: list[str]) -> tuple[int, int]:
    """The CSV route's rows dumped bare: the driver's plain cursor (sqlite3; psycopg2 on PostgreSQL, which
    fetches the whole result) into csv.writer (no guard, no streaming); returns (rows, bytes)."""
    from indicators.store import OUT_COLUMNS
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(OUT_COLUMNS)
    sql = f"SELECT {', '.join(OUT_COLUMNS)} FROM claims WHERE indicator IN ({{}}) ORDER BY report, seq"
    if store.engine.dialect.name == "sqlite":
        con = sqlite3.connect(_sqlite_path(store))
        cur = con.execute(sql.format(", ".join("?" for _ in indicators)), indicators)
    else:
        con = store.engine.raw_connection()
        cur = con.cursor()
        cur.execute(sql.format(", ".join("%s" for _ in indicators)), indicators)
    n = 0
    while part := cur.fetchmany(5000):
        w.writerows(part)
        n += len(part)
    con.close()
    return n, len(buf.getvalue().encode("utf-8"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--claims", type=int, default=100_000, help="number of synthetic claims (default 100000)")
    ap.add_argument("--db", help="SQLAlchemy URL of an empty database (default: SQLite in a temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary database and print its URL")
    ap.add_argument("--repeat", type=int, default=50, help="calls per timed callback (default 50)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reuse", action="store_true",
                    help="time a store a --keep run of the same --claims built, instead of building one")
    args = ap.parse_args(argv)

    tmp = None
    url = args.db
    if not url:
        tmp = tempfile.mkdtemp(prefix="indicators-bench-")
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
    rng = random.Random(args.seed)
    try:
        catalog = bench_catalog()
        store = Store(url, migrate=True)  # a fresh database (PostgreSQL too) gets the schema first
        with store.engine.connect() as conn:
            have = conn.execute(sa.select(sa.func.count()).select_from(claims_table)).scalar_one()
            foreign = conn.execute(sa.select(sa.func.count()).select_from(reports_table)
                                   .where(~reports_table.c.id.startswith("bench_"))).scalar_one()
        if have and not (args.reuse and have == args.claims and not foreign):
            print("the database is not empty; give --db an empty one (or --reuse one a --keep run of the same "
                  "--claims left)", file=sys.stderr)
            return 2
        if have:  # --reuse: the store a --keep run built (a million claims take minutes to write on a server)
            made, build_s = {"reports": len(store.reports()), "indicators": len(store.distinct("indicator")),
                             "months": len(set(store.reports()["month"]))}, 0.0
        else:
            made, build_s = _timed(build_store, store, catalog, args.claims, args.seed)
        if store.engine.dialect.name == "postgresql" and not have:  # what autovacuum does soon after a bulk load
            with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        rss_built = _rss_mb()
        print(f"store: {args.claims:,} claims, {made['reports']} reports, {made['indicators']} indicators, "
              f"{made['months']} months built in {build_s:.1f} s ({url.split('://')[0]})")

        app, start_s = _timed(create_app, store, catalog)
        print(f"app start (create_app): {start_s * 1000:.0f} ms")

        browser = Browser(app)
        t0 = time.perf_counter()
        props = browser.load()
        layout_s = time.perf_counter() - t0
        values = {f"{i}.{k}": v for i, p in props.items() for k, v in p.items()}
        initial = []
        for output, dep in browser.deps.items():
            if dep.get("prevent_initial_call") or dep.get("clientside_function"):
                continue
            _, s = _timed(browser.callback, output, values)
            initial.append((output, s))
        first_s = layout_s + sum(s for _, s in initial)
        print(f"first page: {first_s * 1000:.0f} ms (index + layout + dependencies {layout_s * 1000:.0f} ms, "
              f"{len(initial)} initial callbacks {sum(s for _, s in initial) * 1000:.0f} ms; slowest "
              f"{max(initial, key=lambda x: x[1])[0][:40]} {max(s for _, s in initial) * 1000:.0f} ms)")

        # the chart for one indicator, the way the browser asks after a dropdown change; each call is followed by the
        # bare baseline for the same indicator (the chart's query -- count, then the evenly spread sample -- by a
        # plain sqlite3 cursor, and a bare go.Scatter of its rows serialised as the callback would be), so both see
        # the same rows and the same load on a shared machine
        chart = browser.find("chart.figure")
        ids = [i.id for i in catalog.indicators][:N_INDICATORS]
        plain = _Plain(store) if store.engine.dialect.name in ("sqlite", "postgresql") else None
        if plain:  # warm: the first call pays plotly's JSON set-up, as the app's first did
            _bare_chart(plain, ids[0], confident=catalog.chart_confidence)
        times, bare = [], []
        for _ in range(args.repeat):
            ind = rng.choice(ids)
            _, s = _timed(browser.callback, chart, dict(values, **{"indicator.value": ind}), ["indicator.value"])
            times.append(s)
            if plain:
                bare.append(_bare_chart(plain, ind, confident=catalog.chart_confidence))
        cb_p50, cb_p95 = _pct(times, 50) * 1000, _pct(times, 95) * 1000
        print(f"chart callback: p50 {cb_p50:.0f} ms, p95 {cb_p95:.0f} ms, max {max(times) * 1000:.0f} ms "
              f"over {args.repeat} indicators; largest answer {browser.sizes[chart] / 1024:.0f} KiB")
        if plain:
            plain.close()
        if bare:
            bare_p50, bare_p95 = _pct(bare, 50) * 1000, _pct(bare, 95) * 1000
            chart_ratio = cb_p95 / max(bare_p95, 1e-9)
            driver = "sqlite3" if plain.dialect == "sqlite" else "psycopg2"
            print(f"bare chart ({driver} query + go.Scatter, the same indicators, interleaved): p50 {bare_p50:.0f} ms, "
                  f"p95 {bare_p95:.0f} ms -> chart callback / bare = {cb_p50 / max(bare_p50, 1e-9):.2f}x at p50, "
                  f"{chart_ratio:.2f}x at p95 (target <= 2)")

        # choices for the indicator (items, sources) come with every change too
        choices = browser.find("items.options")
        ctimes = [_timed(browser.callback, choices, dict(values, **{"indicator.value": rng.choice(ids)}),
                         ["indicator.value"])[1] for _ in range(min(args.repeat, 20))]
        print(f"indicator choices callback: p50 {_pct(ctimes, 50) * 1000:.0f} ms, p95 {_pct(ctimes, 95) * 1000:.0f} ms")

        # the claims grid (AG Grid, infinite row model): a block of 100 rows per request, as the grid asks when it
        # is scrolled, at offsets spread over every matching claim, with a filter typed in a header and a sort
        table = browser.find("claims-grid.getRowsResponse")
        text = lambda t: {"filterType": "text", "type": "contains", "filter": t}
        filters = [{}, {"indicator": text("synthetic indicator 1")}, {"role": {**text("stated"), "type": "equals"}},
                   {"source": text("ministry")}, {"indicator": text("cyber"), "role": text("reported")},
                   {"period_start": text("2019")}, {"report": text("2019-0")}]
        sorts = [[], [{"colId": "value", "sort": "desc"}], [{"colId": "period_start", "sort": "asc"}],
                 [{"colId": "report_month", "sort": "desc"}, {"colId": "value", "sort": "asc"}]]
        ptimes, jumps, nrows, deepest = [], [], [], 0
        ask = lambda req: _timed(browser.callback, table, dict(values, **{"claims-grid.getRowsRequest": req}),
                                 ["claims-grid.getRowsRequest"])
        per_view = max(3, args.repeat // (len(filters) * len(sorts)) + 1)
        for k in range(len(filters) * len(sorts)):
            f, srt = filters[k % len(filters)], sorts[(k // len(filters)) % len(sorts)]
            block = lambda start: {"startRow": start, "endRow": start + 100, "filterModel": f, "sortModel": srt}
            out, s = ask(block(0))
            ptimes.append(s)
            count = out["claims-grid"]["getRowsResponse"]["rowCount"]
            # scrolling down: each block right after the one before (a seek after its last row)
            for start in range(100, min(count, 100 * per_view), 100):
                out, s = ask(block(start))
                ptimes.append(s)
                nrows.append(len(out["claims-grid"]["getRowsResponse"]["rowData"]))
            if count > 100:  # the scrollbar dragged to the bottom: the last block (read bottom-up)
                last = (count - 1) // 100 * 100
                out, s = ask(block(last))
                ptimes.append(s)
                deepest = max(deepest, last)
                # and to a random place: counted from the nearer end
                _, s = ask(block(rng.randrange(0, count) // 100 * 100))
                jumps.append(s)
        pg_p50, pg_p95 = _pct(ptimes, 50) * 1000, _pct(ptimes, 95) * 1000
        print(f"claims grid block (100 rows): p50 {pg_p50:.0f} ms, p95 {pg_p95:.0f} ms, max {max(ptimes) * 1000:.0f} ms "
              f"over {len(ptimes)} blocks ({len(filters)} filters x {len(sorts)} sorts: the first {per_view} blocks "
              f"scrolling down, then the last, up to row {deepest:,}); a jump to a random block: "
              f"p50 {_pct(jumps, 50) * 1000:.0f} ms, p95 {_pct(jumps, 95) * 1000:.0f} ms")

        # free-text filters (words of the sentence or the figure as written: no facet, so no IN over known values;
        # PostgreSQL reads them from trigram indexes when pg_trgm is there), reported apart from the grid's p95: the
        # first block of each sort, then a jump to a random block
        ftimes, fjumps = [], []
        for f in ({"sentence": text("opposition")}, {"sentence": text("the region")}, {"surface": text("37")}):
            for srt in sorts:
                block = lambda start: {"startRow": start, "endRow": start + 100, "filterModel": f, "sortModel": srt}
                out, s = ask(block(0))
                ftimes.append(s)
                count = out["claims-grid"]["getRowsResponse"]["rowCount"]
                if count > 100:
                    fjumps.append(ask(block(rng.randrange(0, count) // 100 * 100))[1])
        print(f"claims grid, free-text filters (sentence, surface contains; {len(ftimes)} views): first block "
              f"p50 {_pct(ftimes, 50) * 1000:.0f} ms, p95 {_pct(ftimes, 95) * 1000:.0f} ms; a jump to a random block "
              f"p50 {_pct(fjumps or [0], 50) * 1000:.0f} ms, p95 {_pct(fjumps or [0], 95) * 1000:.0f} ms")

        # the review queue: the first page of each queue and a page further on (the queue's index gives its order)
        queue = browser.find("queue-grid.rowData")
        qtimes = []
        for kind in ("all", "unattached", "unsure", "unreviewed", "reviewed"):
            for page in (0, 1, 50):
                _, s = _timed(browser.callback, queue, dict(values, **{"queue-kind.value": kind, "queue-page.data": page}),
                              ["queue-page.data"])
                qtimes.append(s)
        print(f"review queue page (5 queues x pages 1, 2, 51): p50 {_pct(qtimes, 50) * 1000:.0f} ms, "
              f"p95 {_pct(qtimes, 95) * 1000:.0f} ms, max {max(qtimes) * 1000:.0f} ms")

        # other callbacks, once each, for their answer sizes
        first_ind = values.get("indicator.value") or ids[0]
        dep_out = browser.find("pairs-chart.figure")
        _, s = _timed(browser.callback, dep_out, dict(values, **{"tab.value": "disputes"}), ["tab.value"])
        print(f"disputes tab callback: {s * 1000:.0f} ms")
        one = store.page({"indicator": first_ind}, limit=1)[0]
        if len(one):
            r = one.iloc[0]
            click = {"points": [{"customdata": [r["report"], int(r["char_start"])]}]}
            _, s = _timed(browser.callback, browser.find("point-detail.children"), {"chart.clickData": click},
                          ["chart.clickData"])
            print(f"point detail callback: {s * 1000:.0f} ms")
        _, s = _timed(browser.callback, browser.find("download.data"),
                      dict(values, **{"download-button.n_clicks": 1, "indicator.value": ids[-1]}),
                      ["download-button.n_clicks"])
        print(f"download-this-view callback ({ids[-1]}): {s * 1000:.0f} ms")
        _, s = _timed(browser.callback, browser.find("report-text.children"), values, ["report-choice.value"])
        print(f"report text callback: {s * 1000:.0f} ms")

        # the CSV route for ~100,000 rows: the indicators that together hold about that many claims
        counts = dict(store.engine.connect().execute(
            sa.select(claims_table.c.indicator, sa.func.count()).group_by(claims_table.c.indicator)).all())
        want, chosen, total = min(100_000, args.claims), [], 0
        for ind in sorted(counts, key=lambda i: -counts[i]):
            if total + counts[ind] <= want * 1.02 or not chosen:
                chosen.append(ind)
                total += counts[ind]
            if total >= want * 0.98:
                break
        query = "&".join(f"indicator={i}" for i in chosen)
        t = time.perf_counter()
        resp = browser.client.get(f"/download/claims.csv?{query}")
        body = resp.get_data()  # the whole body, streamed or not
        csv_s = time.perf_counter() - t
        assert resp.status_code == 200, resp.status_code
        lines = body.count(b"\n") - 1
        csv_100k = csv_s * 100_000 / max(lines, 1) if lines < 90_000 else csv_s
        print(f"CSV route: {lines:,} rows ({len(body) / 2**20:.1f} MiB, {len(chosen)} indicators) in {csv_s:.2f} s"
              + (f" (scaled to 100k rows: {csv_100k:.2f} s)" if lines < 90_000 else ""))

        csv_ratio = None
        if store.engine.dialect.name in ("sqlite", "postgresql"):
            (bare_lines, bare_bytes), bare_s = _timed(_bare_csv, store, chosen)
            csv_ratio = csv_s / max(bare_s, 1e-9)
            driver = "sqlite3" if store.engine.dialect.name == "sqlite" else store.engine.dialect.driver
            print(f"bare CSV ({driver} cursor -> csv.writer, same rows): {bare_lines:,} rows "
                  f"({bare_bytes / 2**20:.1f} MiB) in {bare_s:.2f} s -> CSV route / bare = {csv_ratio:.2f}x "
                  f"(target <= 1.5)")

        big = sorted(browser.sizes.items(), key=lambda kv: -kv[1])
        print("largest answer per callback: " + ", ".join(f"{o.strip('.').split('.')[0]} {n / 1024:.0f} KiB"
                                                         for o, n in big))
        rss_served, peak = _rss_mb(), _peak_mb()
        print(f"memory: RSS {rss_built:.0f} MB after building the store, {rss_served:.0f} MB after serving, "
              f"peak {peak:.0f} MB")
        if args.keep:
            print(f"kept: {url}")
        ratios = f" chart_ratio={chart_ratio:.2f}" if bare else ""
        if csv_ratio is not None:
            ratios += f" csv_ratio={csv_ratio:.2f}"
        print(f"callback_p95_ms={cb_p95:.0f} page_p95_ms={pg_p95:.0f} csv_100k_s={csv_100k:.2f} rss_mb={peak:.0f}"
              + ratios)
        return 0
    finally:
        if tmp and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
