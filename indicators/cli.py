"""Command line: `indicators extract PATH... -o claims.csv`, `indicators text REPORT`."""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from . import __doc__ as package_doc
from .catalog import load_catalog
from .errors import IndicatorsError, ReportError
from .export import FORMULA_START, atomic_text, csv_chunks, write_csv
from .ingest import read_report
from .model import Claim
from .pipeline import expand_paths, iter_extract
from .schema import CLAIM_COLUMNS, PUBLIC_COLUMNS


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="indicators", description=package_doc)
    sub = ap.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("extract", help="extract the claims table from reports (files or folders)")
    ex.add_argument("paths", nargs="+", metavar="PATH")
    ex.add_argument("-o", "--output", default="-", help="CSV file to write (default: standard output)")
    ex.add_argument("--catalog", help="your own indicator catalog (YAML); default: the packaged one")
    ex.add_argument("-q", "--quiet", action="store_true", help="no progress on standard error")
    ex.add_argument("-w", "--workers", type=_workers, default=1, help="processes to extract with (0: one per core)")
    tx = sub.add_parser("text", help="print the normalised text that claim offsets refer to")
    tx.add_argument("report")
    ig = sub.add_parser("ingest", help="extract reports and add them to the store (re-ingesting replaces)")
    ig.add_argument("paths", nargs="+", metavar="PATH")
    ig.add_argument("--db", help="SQLAlchemy URL (default: $INDICATORS_DB, else sqlite:///data/indicators.sqlite)")
    ig.add_argument("--catalog", help="your own indicator catalog (YAML)")
    ig.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    ig.add_argument("-w", "--workers", type=_workers, default=1, help="processes to extract with (0: one per core)")
    exp = sub.add_parser("export", help="write the claims CSV from the store")
    exp.add_argument("-o", "--output", default="-", help="CSV file (default: standard output)")
    exp.add_argument("--db", help="SQLAlchemy URL (default: $INDICATORS_DB, else sqlite:///data/indicators.sqlite)")
    rv = sub.add_parser("review", help="share analysts' edits: export them to CSV or import a colleague's")
    rsub = rv.add_subparsers(dest="review_command", required=True)
    rex = rsub.add_parser("export", help="write every edit (accept, reject, correct, undo) as CSV")
    rex.add_argument("-o", "--output", default="-", help="CSV file (default: standard output)")
    rex.add_argument("--db", help="SQLAlchemy URL (default: $INDICATORS_DB, else sqlite:///data/indicators.sqlite)")
    rim = rsub.add_parser("import", help="add the edits of a CSV written by `review export` (known ones are skipped)")
    rim.add_argument("file")
    rim.add_argument("--db", help="SQLAlchemy URL (default: $INDICATORS_DB, else sqlite:///data/indicators.sqlite)")
    rim.add_argument("--catalog", help="your own indicator catalog (YAML), to check corrected indicator ids")
    cat = sub.add_parser("catalog", help="work on an indicator catalog")
    csub = cat.add_subparsers(dest="catalog_command", required=True)
    chk = csub.add_parser("check", help="validate a catalog and run each indicator's examples through the extractor")
    chk.add_argument("file", nargs="?", help="the catalog (YAML); default: the packaged one")
    sg = sub.add_parser("suggest", help="group the figures no indicator claims into candidate series, with YAML stubs")
    sg.add_argument("paths", nargs="*", metavar="PATH", help="reports (files or folders); or use --db")
    sg.add_argument("--db", help="read the unattached claims of a store instead of extracting PATHs")
    sg.add_argument("--catalog", help="the catalog the figures were attached with (default: the packaged one)")
    sg.add_argument("-o", "--output", help="folder to write one YAML stub per group into")
    sg.add_argument("--min-figures", type=int, default=2, help="smallest group worth proposing (default 2)")
    sg.add_argument("-n", "--limit", type=int, default=30, help="at most this many groups (default 30)")
    tr = sub.add_parser("train", help="refit the linker on the gold sets and a store's reviews; report the "
                        "cross-validated change; write linker.json")
    tr.add_argument("--sets", help="the gold sets (a sets.yaml; default: the repository's tests/sets.yaml)")
    tr.add_argument("--db", help="also learn from this store's reviews (SQLAlchemy URL)")
    tr.add_argument("--catalog", help="the catalog (default: the packaged one)")
    tr.add_argument("-o", "--output", help="where to write the weights (default: linker.json beside the catalog)")
    tr.add_argument("--no-cv", dest="cv", action="store_false", help="skip the cross-validated report (faster)")
    dbp = sub.add_parser("db", help="the store's schema: migrate it to this version (`db upgrade`), or show its revision")
    dsub = dbp.add_subparsers(dest="db_command", required=True)
    for name, text in (("upgrade", "migrate the database to this version's schema (safe to run from several hosts)"),
                       ("current", "print the database's schema revision and the one this version needs")):
        d = dsub.add_parser(name, help=text)
        d.add_argument("--db", help="SQLAlchemy URL (default: $INDICATORS_DB, else sqlite:///data/indicators.sqlite)")
    us = sub.add_parser("users", help="accounts of a team server: add, list or remove users")
    usub = us.add_subparsers(dest="users_command", required=True)
    ua = usub.add_parser("add", help="add a user; the password is read from $INDICATORS_PASSWORD, else asked for")
    ua.add_argument("name")
    ua.add_argument("--role", required=True, choices=["viewer", "reviewer", "admin"],
                    help="viewer: read and download; reviewer: also upload and edit; admin: also manage users")
    ua.add_argument("--replace", action="store_true", help="set a new role and password for an existing user")
    ul = usub.add_parser("list", help="every user and their role")
    ur = usub.add_parser("remove", help="remove a user (signed out at their next request)")
    ur.add_argument("name")
    for p in (ua, ul, ur):
        p.add_argument("--db", help="SQLAlchemy URL (default: $INDICATORS_DB, else sqlite:///data/indicators.sqlite)")
    return ap


def _workers(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected a number of processes (0 for one per core), got {value!r}")
    return n


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        if args.command == "text":
            return _text(args)
        if args.command == "ingest":
            return _ingest(args)
        if args.command == "export":
            return _export(args)
        if args.command == "review":
            return _review(args)
        if args.command == "catalog":
            return _catalog(args)
        if args.command == "suggest":
            return _suggest(args)
        if args.command == "db":
            return _db(args)
        if args.command == "train":
            from .train import run
            run(args.sets, args.db, args.catalog, args.output, args.cv, echo=lambda s: print(s, file=sys.stderr))
            return 0
        if args.command == "users":
            return _users(args)
        return _extract(args)
    except IndicatorsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _catalog(args) -> int:
    from .catalog.check import check

    report = check(args.file)
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1


def _suggest(args) -> int:
    from .catalog.suggest import suggest

    catalog = load_catalog(args.catalog)
    if args.db:
        from .store import Store
        claims = Store(args.db).claims(indicator="")
    elif args.paths:
        from .pipeline import extract
        claims = extract(expand_paths(args.paths), catalog)
    else:
        print("error: name report files or folders, or a store with --db", file=sys.stderr)
        return 2
    found = suggest(claims, min_figures=args.min_figures, limit=args.limit, taken={i.id for i in catalog.indicators})
    out = Path(args.output) if args.output else None
    if out:
        out.mkdir(parents=True, exist_ok=True)
    for s in found:
        print(f"{s.id}: {s.figures} figures of {s.head} ({s.unit}) in {s.months} report months, {s.reports} reports")
        for example in s.examples[:2]:
            print(f"    {example[:160]}")
        if out:
            with atomic_text(out / f"{s.id}.yaml") as fh:
                fh.write(s.stub_yaml())
    print(f"{len(found)} candidate series" + (f"; stubs in {out}" if out else ""), file=sys.stderr)
    return 0


def _ingest(args) -> int:
    from tqdm import tqdm

    from .pipeline import ingest_paths
    from .store import Store

    catalog = load_catalog(args.catalog)
    store = Store(args.db)
    paths = expand_paths(args.paths)
    if not paths:
        print("error: no report files (.txt, .md, .html/.htm, .pdf) under the given paths", file=sys.stderr)
        return 1
    counts: dict[str, int] = {}
    skipped = 0
    bar = tqdm(total=len(paths), unit="report", disable=args.quiet or len(paths) < 2, file=sys.stderr)
    for path, result in ingest_paths(paths, store, catalog, workers=args.workers):
        bar.update(1)
        if isinstance(result, ReportError):
            skipped += 1
            bar.write(f"skipped {result.message}", file=sys.stderr)
            continue
        counts[result.status] = counts.get(result.status, 0) + 1
        if result.status == "duplicate":
            bar.write(f"{path}: same content as report {result.duplicate_of}; stored once", file=sys.stderr)
    bar.close()
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing stored"
    print(f"{summary}; {skipped} skipped" if skipped else summary, file=sys.stderr)
    return 1 if skipped else 0


def _db(args) -> int:
    from . import db
    from .store import database_url

    url = database_url(args.db)
    try:
        engine = db.create_engine(url)
    except ImportError as exc:
        print(f"error: the database driver is not installed ({exc.name}); pip install it (e.g. psycopg2-binary)",
              file=sys.stderr)
        return 2
    try:
        if args.db_command == "current":
            with engine.connect() as conn:
                have = db.current(conn)
            print(f"database: {have or 'no schema'}; this version needs: {db.head()}")
            return 0 if have == db.head() else 1
        before, after = db.upgrade(engine)
    except Exception as exc:  # noqa: BLE001  any driver error: say which database and why, no traceback
        import sqlalchemy as sa
        if isinstance(exc, sa.exc.SQLAlchemyError) and db.is_unavailable(exc):
            raise db.unavailable(url, exc) from None
        if isinstance(exc, (sa.exc.SQLAlchemyError, OSError)):
            raise db.StoreError(f"could not migrate {db.safe_url(url)}: {exc.__class__.__name__}: "
                                f"{getattr(exc, 'orig', None) or exc}") from None
        raise
    finally:
        engine.dispose()
    if before == after:
        print(f"{db.safe_url(url)}: already at schema revision {after}", file=sys.stderr)
    else:
        print(f"{db.safe_url(url)}: migrated from {before or 'no schema'} to {after}", file=sys.stderr)
    return 0


def _password() -> str:
    import getpass
    import os

    given = os.environ.get("INDICATORS_PASSWORD")
    if given is not None:
        return given
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise SystemExit("error: the two passwords differ; nothing was changed")
    return first


def _users(args) -> int:
    from . import accounts
    from .store import Store

    store = Store(args.db)
    if args.users_command == "list":
        for user in accounts.all_users(store.engine):
            print(f"{user.name}\t{user.role}")
        return 0
    if args.users_command == "remove":
        if not accounts.remove(store.engine, args.name):
            print(f"error: no user {args.name!r}", file=sys.stderr)
            return 1
        print(f"removed {args.name}", file=sys.stderr)
        return 0
    user = accounts.add(store.engine, args.name, args.role, _password(), replace=args.replace)
    print(f"{'updated' if args.replace else 'added'} {user.name} ({user.role}); the dashboard asks for a sign-in once "
          f"restarted", file=sys.stderr)
    return 0


def _review(args) -> int:
    from .review import EDIT_COLUMNS, edit_rows, from_csv
    from .store import Store

    store = Store(args.db)
    if args.review_command == "export":
        found = store.edits()
        write_csv(args.output, EDIT_COLUMNS, [edit_rows(found)])
        print(f"{len(found)} edits", file=sys.stderr)
        return 0
    try:
        text = Path(args.file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read {args.file}: {getattr(exc, 'strerror', None) or exc}", file=sys.stderr)
        return 2
    got = store.import_edits(from_csv(text, catalog=load_catalog(args.catalog)))
    print(f"{got['added']} edits added, {got['known']} already known", file=sys.stderr)
    for e in got["orphans"]:
        print(f"not attached: {e.report} {e.surface!r} ({e.action} by {e.author}): the claim is no longer found; "
              f"its report changed or was not ingested here", file=sys.stderr)
    return 0


def _export(args) -> int:
    from .store import Store

    n = write_csv(args.output, PUBLIC_COLUMNS, Store(args.db).rows(guard=FORMULA_START), guarded=True)
    print(f"{n} claims", file=sys.stderr)
    return 0


def _text(args) -> int:
    try:
        report = read_report(args.report)
    except ReportError as exc:
        print(f"skipped {exc.message}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"skipped {args.report}: cannot open the file ({exc.strerror or exc})", file=sys.stderr)
        return 1
    sys.stdout.write(report.text + "\n")
    return 0


def _extract(args) -> int:
    from tqdm import tqdm

    catalog = load_catalog(args.catalog)
    paths = expand_paths(args.paths)
    if not paths:
        print("error: no report files (.txt, .md, .html/.htm, .pdf) under the given paths", file=sys.stderr)
        return 1
    skipped = n_claims = 0
    bar = tqdm(total=len(paths), unit="report", file=sys.stderr,
               disable=args.quiet or len(paths) < 2 or not sys.stderr.isatty())
    with _CsvOut(args.output) as out:  # rows are written as reports finish: memory stays a few reports deep
        for path, result in iter_extract(paths, catalog, workers=args.workers):
            bar.update(1)
            if isinstance(result, ReportError):
                skipped += 1
                bar.write(f"skipped {result.message}", file=sys.stderr)
            else:
                out.add(result)
                n_claims += len(result)
    bar.close()
    if not args.quiet:
        print(f"{n_claims} claims from {len(paths) - skipped} report(s)"
              + (f"; {skipped} file(s) skipped" if skipped else ""), file=sys.stderr)
    return 1 if skipped else 0


class _CsvOut:
    """The claims CSV written in batches through the one writer; a file appears under its name only once
    complete (export.atomic_text)."""

    def __init__(self, output: str, batch: int = 5000) -> None:
        self.output, self.batch = output, batch
        self.pending: list[Claim] = []
        self.header = True

    def __enter__(self):
        self._file = atomic_text(self.output)
        self.fh = self._file.__enter__()
        return self

    def add(self, claims: list[Claim]) -> None:
        self.pending.extend(claims)
        if len(self.pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self.pending or self.header:
            rows = [tuple(getattr(c, col) for col in CLAIM_COLUMNS) for c in self.pending]
            for chunk in csv_chunks(CLAIM_COLUMNS, [rows], header=self.header):
                self.fh.write(chunk)
            self.header, self.pending = False, []

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            try:
                self.flush()
            except BaseException as err:
                return self._file.__exit__(type(err), err, err.__traceback__)
        return self._file.__exit__(exc_type, exc, tb)
