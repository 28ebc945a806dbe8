"""The extraction pipeline: ingest -> sentences -> times -> quantities -> attach -> roles -> periods -> rows."""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

from .attach import attach
from .catalog import Catalog, load_catalog
from .errors import IndicatorsError, ReportError
from .ingest import read_report
from .model import Claim, Document, Report
from .periods import find_times, report_month, resolve_periods
from .quantities import find_mentions
from .roles import classify_roles, future_is_planned, implicit_corrections
from .rows import claims_frame, to_claims
from .sentences import split_sentences

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".pdf")


def analyse(report: Report) -> Document:
    """Sentences, time expressions and quantities of one report."""
    month = report_month(report) or "1970-01"
    ref = (int(month[:4]), int(month[5:7]))
    sentences = tuple(split_sentences(report))
    times = _times_by_sentence(report, sentences, ref)
    mentions = find_mentions(report.text, sentences, times)
    return Document(report=report, month=month, sentences=sentences, times=times, mentions=mentions)


def _times_by_sentence(report: Report, sentences, ref) -> tuple:
    """Time expressions found once per paragraph, handed to the sentence that holds each."""
    buckets: list[list] = [[] for _ in sentences]
    k = 0
    for start, end in report.paragraphs:
        found = find_times(report.text, start, end, ref)
        while k < len(sentences) and sentences[k].end <= start:
            k += 1
        j = k
        for t in found:
            while j < len(sentences) and sentences[j].end <= t.start:
                j += 1
            if j < len(sentences) and sentences[j].start <= t.start and t.end <= sentences[j].end:
                buckets[j].append(t)
    return tuple(tuple(b) for b in buckets)


def extract_report(report: Report, catalog: Catalog | None = None) -> list[Claim]:
    """Every claim of one report, in text order."""
    catalog = catalog or load_catalog()
    doc = analyse(report)
    attachments = attach(doc, catalog)
    roles = classify_roles(doc, catalog, attachments)
    periods = resolve_periods(doc, roles)
    roles = future_is_planned(doc, roles, periods)
    roles = implicit_corrections(doc, attachments, roles, periods)
    return to_claims(doc, attachments, roles, periods)


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, folders walked (sorted) for report files; a missing path is kept so it is reported."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES
                              and not any(part.startswith(".") for part in f.relative_to(p).parts)))
        else:
            out.append(p)
    return out


def ingest_paths(paths: Iterable[str | Path], store, catalog: Catalog | None = None):
    """Extract and store each file; yields (path, Ingested | ReportError). Memory stays one report deep."""
    catalog = catalog or load_catalog()
    for path, result in iter_extract(paths, catalog, with_reports=True):
        if isinstance(result, ReportError):
            yield path, result
            continue
        report, month, claims = result
        try:
            yield path, store.ingest(report, claims, month=month)
        except IndicatorsError as exc:
            yield path, ReportError(path, str(exc), "check that the database is reachable and writable")


def iter_extract(paths: Iterable[str | Path], catalog: Catalog | None = None,
                 with_reports: bool = False) -> Iterator[tuple[Path, list[Claim] | tuple | ReportError]]:
    """(path, claims) per file, or (path, error) for a file that cannot be read; never stops the batch.

    With `with_reports`, yields (path, (report, month, claims)) so a caller can store the text too.
    """
    catalog = catalog or load_catalog()
    for path in expand_paths(paths):
        try:
            report = read_report(path)
        except ReportError as exc:
            yield path, exc
            continue
        except OSError as exc:
            yield path, ReportError(path, f"cannot open the file ({exc.strerror or exc})", "check the path and permissions")
            continue
        try:
            claims = extract_report(report, catalog)
            yield path, ((report, claims[0].report_month if claims else report_month(report), claims)
                         if with_reports else claims)
        except Exception as exc:  # a defect of ours must not stop the batch; say so plainly
            log.exception("extraction failed on %s", path)
            yield path, ReportError(path, f"the extractor failed on this report ({type(exc).__name__}: {exc})",
                                    "please report it with the file; the other reports were extracted")


def extract(paths, catalog: Catalog | str | Path | None = None) -> pd.DataFrame:
    """The claims table for the given files/folders; unreadable files are logged and skipped."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    if not isinstance(catalog, Catalog):
        catalog = load_catalog(catalog)
    claims: list[Claim] = []
    for path, result in iter_extract(paths, catalog):
        if isinstance(result, ReportError):
            log.warning("skipped %s", result.message)
        else:
            claims.extend(result)
    return claims_frame(claims)
