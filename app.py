"""The dashboard: `python app.py` ingests seeds/ into the store when it is empty, then serves.

    python app.py [--host 127.0.0.1] [--port 8050] [--db URL] [--reports seeds] [--max-upload-mb 20]

The store is a SQLAlchemy URL (default: SQLite under data/; or $INDICATORS_DB, e.g. a
PostgreSQL URL for a team). `server` is the WSGI app: `gunicorn app:server`. Uploads are refused above
--max-upload-mb (default: $INDICATORS_MAX_UPLOAD_MB, else 20) MB, and so is any larger request.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))  # run from anywhere without installing

from indicators.catalog import load_catalog  # noqa: E402
from indicators.dashboard.app import create_app  # noqa: E402
from indicators.dashboard.auth import is_loopback  # noqa: E402
from indicators.dashboard.uploads import limit_mb  # noqa: E402
from indicators.db import seed_once  # noqa: E402
from indicators.errors import IndicatorsError  # noqa: E402
from indicators.pipeline import ingest_paths  # noqa: E402
from indicators.store import Store  # noqa: E402

DEFAULT_DB = f"sqlite:///{HERE / 'data' / 'indicators.sqlite'}"


def build(db: str | None = None, reports: str | Path | None = None, max_upload_mb: float | None = None):
    """The app over a store; the sample reports are ingested on first start."""
    max_upload_mb = limit_mb(max_upload_mb)  # a bad --max-upload-mb / $INDICATORS_MAX_UPLOAD_MB stops the start
    store = Store(db or os.environ.get("INDICATORS_DB") or DEFAULT_DB)
    folder = Path(reports or os.environ.get("INDICATORS_REPORTS") or HERE / "seeds")

    def seed():
        for path, result in ingest_paths([folder], store, load_catalog()):
            print(f"{path.name}: {getattr(result, 'status', None) or result}", file=sys.stderr)

    # `gunicorn -w N app:server` on several hosts: one process fills an empty store, once, under a database lock
    seed_once(store.engine, lambda: store.count() == 0, seed)
    return create_app(store, max_upload_mb=max_upload_mb)


app = build() if __name__ != "__main__" else None
server = app.server if app is not None else None

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="Serve the indicators dashboard.")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8050)
    ap.add_argument("--db", help="SQLAlchemy URL (default: $INDICATORS_DB, else SQLite under data/)")
    ap.add_argument("--reports", help="folder ingested when the store is empty (default: seeds/)")
    ap.add_argument("--max-upload-mb", type=float,
                    help="largest report accepted for upload, in MB (default: $INDICATORS_MAX_UPLOAD_MB, else 20)")
    args = ap.parse_args()
    try:
        app = build(args.db, args.reports, args.max_upload_mb)
    except ValueError as exc:
        ap.error(str(exc))
    except IndicatorsError as exc:  # e.g. a server database not migrated yet: the message names the command
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    mode = app.auth_mode
    if mode == "single-user" and not is_loopback(args.host):
        print(f"error: refusing to serve on {args.host}: there are no accounts, so anyone who can reach the port could "
              f"upload and edit. Add one first (indicators users add NAME --role admin), or set "
              f"INDICATORS_AUTH_HEADER behind a signing-in reverse proxy, or serve on 127.0.0.1.", file=sys.stderr)
        sys.exit(2)
    if mode == "single-user":
        print("Single-user mode: no sign-in, everything allowed, this machine only (no accounts in the store; add "
              "them with `indicators users add NAME --role admin` to serve a team).", file=sys.stderr)
    else:
        print(f"Sign-in mode: {mode}.", file=sys.stderr)
    print(f"Dashboard on http://{args.host}:{args.port}/", file=sys.stderr)
    app.run(host=args.host, port=args.port, debug=False)
