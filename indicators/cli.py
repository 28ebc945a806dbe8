"""Command line: `indicators extract PATH... -o claims.csv`, `indicators text REPORT`."""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from . import __doc__ as package_doc
from .catalog import load_catalog
from .errors import IndicatorsError, ReportError
from .ingest import read_report
from .model import Claim
from .pipeline import expand_paths, iter_extract
from .rows import claims_frame


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="indicators", description=package_doc)
    sub = ap.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("extract", help="extract the claims table from reports (files or folders)")
    ex.add_argument("paths", nargs="+", metavar="PATH")
    ex.add_argument("-o", "--output", default="-", help="CSV file to write (default: standard output)")
    ex.add_argument("--catalog", help="your own indicator catalog (YAML); default: the packaged one")
    ex.add_argument("-q", "--quiet", action="store_true", help="no progress on standard error")
    tx = sub.add_parser("text", help="print the normalised text that claim offsets refer to")
    tx.add_argument("report")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        if args.command == "text":
            return _text(args)
        return _extract(args)
    except IndicatorsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


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
    catalog = load_catalog(args.catalog)
    paths = expand_paths(args.paths)
    if not paths:
        print("error: no report files (.txt, .md, .html/.htm, .pdf) under the given paths", file=sys.stderr)
        return 1
    claims: list[Claim] = []
    skipped = 0
    show = not args.quiet and len(paths) > 1 and sys.stderr.isatty()
    for n, (path, result) in enumerate(iter_extract(paths, catalog), 1):
        if isinstance(result, ReportError):
            skipped += 1
            print(f"skipped {result.message}", file=sys.stderr)
        else:
            claims.extend(result)
        if show:
            print(f"\r[{n}/{len(paths)}] {path.name[:50]:<50}", end="", file=sys.stderr)
    if show:
        print(file=sys.stderr)
    df = claims_frame(claims)
    if args.output == "-":
        df.to_csv(sys.stdout, index=False)
    else:
        out = Path(args.output)
        if out.parent and not out.parent.exists():
            out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".part")
        df.to_csv(tmp, index=False)
        tmp.replace(out)
    if not args.quiet:
        print(f"{len(claims)} claims from {len(paths) - skipped} report(s)"
              + (f"; {skipped} file(s) skipped" if skipped else ""), file=sys.stderr)
    return 1 if skipped else 0
