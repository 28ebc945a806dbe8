"""The extraction pipeline: ingest -> sentences -> times -> quantities -> attach -> roles -> periods -> rows."""
from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .attach import attach
from .catalog import Catalog, load_catalog
from .errors import HINTS, ErrorKind, IndicatorsError, ReportError
from .ingest import UNSUPPORTED_DOCUMENTS, read_report
from .model import Claim, Document, Report
from .periods import find_times, report_month, resolve_periods
from .quantities import find_mentions
from .roles import classify_roles, corrected_needs_stated, disputes, future_is_planned
from .rows import claims_frame, to_claims
from .sentences import split_sentences

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".pdf")


def analyse(report: Report) -> Document:
    """Sentences, time expressions and quantities of one report."""
    month = report_month(report)
    if not month:
        log.warning("%s: no month and year found in the title or the text; the report month is unknown, and "
                    "periods that depend on it are left empty", report.path or report.id)
    sentences = tuple(split_sentences(report))
    doc = Document(report=report, month=month, sentences=sentences, times=(), mentions=())
    times = _TimesBySentence(report, sentences, doc.ref)
    mentions = find_mentions(report.text, sentences, times)
    return Document(report=report, month=month, sentences=sentences, times=times, mentions=mentions)


class _TimesBySentence(Sequence):
    """Time expressions per sentence, found when a stage first asks about that sentence.

    The time patterns are the costliest scan of the text, and most sentences are never asked
    about: only those with figures, and the lead-ins or earlier sentences their periods need.
    An expression never spans sentences, so each sentence is scanned on its own.
    """

    def __init__(self, report: Report, sentences, ref: tuple[int, int]) -> None:
        self._text, self._sentences, self._ref = report.text, sentences, ref
        self._found: list[tuple | None] = [None] * len(sentences)

    def __len__(self) -> int:
        return len(self._found)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        found = self._found[index]
        if found is None:
            s = self._sentences[index]
            found = self._found[index] = tuple(find_times(self._text, s.start, s.end, self._ref))
        return found


def extract_report(report: Report, catalog: Catalog | None = None) -> list[Claim]:
    """Every claim of one report, in text order."""
    catalog = catalog or load_catalog()
    doc = analyse(report)
    attachments = attach(doc, catalog)
    roles = classify_roles(doc, catalog, attachments)
    periods = resolve_periods(doc, roles)
    roles = future_is_planned(doc, roles, periods)
    roles, periods = disputes(doc, attachments, roles, periods)
    if catalog.role_model is not None:
        from .role_model import refine_roles
        roles = refine_roles(doc, catalog, attachments, roles, periods, catalog.role_model)
    roles = corrected_needs_stated(attachments, roles)
    return to_claims(doc, attachments, roles, periods)


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, folders walked (sorted) for report files; a missing path is kept so it is reported.

    A folder walk also lists documents in formats that are not read (.docx, .xlsx ...), so that they are
    named as skipped, with what to do, instead of being passed over in silence.
    """
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file()
                              and (f.suffix.lower() in SUFFIXES or f.suffix.lower() in UNSUPPORTED_DOCUMENTS)
                              and not any(part.startswith(".") for part in f.relative_to(p).parts)))
        else:
            out.append(p)
    return out


def ingest_paths(paths: Iterable[str | Path], store, catalog: Catalog | None = None, workers: int = 1):
    """Extract and store each file; yields (path, Ingested | ReportError). Memory stays a few reports deep.

    Extraction may run in `workers` processes; the store is written from this one process only.
    """
    from .store import Ingested

    catalog = catalog or load_catalog()
    known = store.known_hashes()  # reports stored before (a resumed ingest) are found unchanged without extracting
    for path, result in iter_extract(paths, catalog, with_reports=True, workers=workers, known=known):
        if isinstance(result, ReportError):
            yield path, result
            continue
        if isinstance(result, Known):
            same = result.stored_as == result.report
            yield path, Ingested(result.report, "unchanged" if same else "duplicate", 0, "" if same else result.stored_as)
            continue
        report, month, claims = result
        try:
            yield path, store.ingest(report, claims, month=month)
        except IndicatorsError as exc:
            yield path, ReportError(path, str(exc), store_hint(exc), kind=exc.kind)


def store_hint(exc: IndicatorsError) -> str:
    """What to do about a database that refused a write, by the kind of failure."""
    return exc.hint or HINTS.get(exc.kind, HINTS[ErrorKind.FAILED])


def iter_extract(paths: Iterable[str | Path], catalog: Catalog | None = None,
                 with_reports: bool = False, workers: int = 1, known: Mapping[str, str] | None = None,
                 ) -> Iterator[tuple[Path, list[Claim] | tuple | ReportError | Known]]:
    """(path, claims) per file in the order given, or (path, error) for a file that cannot be read;
    never stops the batch. A file whose text hashes to a key of `known` (content hash -> stored report id) is
    read but not extracted: (path, Known).

    With `with_reports`, yields (path, (report, month, claims)) so a caller can store the text too.
    With `workers` > 1 (0: one per core), files are extracted in that many processes; only a few
    reports per worker are in flight at once, so memory stays bounded whatever the corpus size.
    """
    catalog = catalog or load_catalog()
    files = expand_paths(paths)
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(files) < 2:
        with _fewer_collections():  # for the batch (restored when it ends or is closed)
            for path in files:
                yield path, _extract_path(path, catalog, with_reports, known)
        return
    yield from _parallel(files, catalog, with_reports, workers, known)


@dataclass(frozen=True)
class Known:
    """A report whose text the store holds already (under `stored_as`): not extracted again."""
    report: str
    stored_as: str


# Extracting a report allocates some hundred thousand small objects, nearly all freed by reference counting as the
# stages finish; CPython's cyclic collector, run every 700 net allocations by default, then spends some 5% of the
# time looking for cycles among the memos that live on. A batch raises the first generation's threshold (its
# workers for good), which leaves far fewer such passes; the rare cycles are still collected, and memory stays
# bounded (bench/extract.py reports the peak RSS).
_YOUNG_THRESHOLD = 50_000


@contextlib.contextmanager
def _fewer_collections():
    """The cyclic collector's first threshold at _YOUNG_THRESHOLD inside, as it was after (never lowered)."""
    before = gc.get_threshold()
    _raise_young_threshold()
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _raise_young_threshold() -> None:
    first, *rest = gc.get_threshold()
    gc.set_threshold(max(first, _YOUNG_THRESHOLD), *rest)


def _extract_path(path: Path, catalog: Catalog, with_reports: bool, known: Mapping[str, str] | None = None):
    try:
        report = read_report(path)
    except ReportError as exc:
        return exc
    except OSError as exc:
        return ReportError(path, f"cannot open the file ({exc.strerror or exc})", "check the path and permissions")
    if known:
        from .store import content_hash
        stored_as = known.get(content_hash(report.text))
        if stored_as is not None:
            return Known(report.id, stored_as)
    try:
        claims = extract_report(report, catalog)
        return ((report, claims[0].report_month if claims else report_month(report), claims)
                if with_reports else claims)
    except Exception as exc:  # a defect of ours must not stop the batch; say so plainly
        log.exception("extraction failed on %s", path)
        return ReportError(path, f"the extractor failed on this report ({type(exc).__name__}: {exc})",
                           "please report it with the file; the other reports were extracted")


_WORKER_CATALOG: Catalog | None = None
_WORKER_KNOWN: Mapping[str, str] | None = None


def _init_worker(catalog: Catalog, known: Mapping[str, str] | None = None, parent: int | None = None) -> None:
    global _WORKER_CATALOG, _WORKER_KNOWN
    _WORKER_CATALOG, _WORKER_KNOWN = catalog, known
    _raise_young_threshold()  # for good in a worker (see _fewer_collections)
    _die_with_parent(parent or os.getppid())


def _die_with_parent(parent: int) -> None:
    """A worker ends when the process that started it does (killed, crashed), instead of running on alone.

    Linux tells the worker at once (PR_SET_PDEATHSIG); elsewhere, and as a backstop, a thread notices that the
    parent is gone (the worker was re-parented) within half a second. `parent` is the pid the parent gave: a
    worker still starting up when its parent was killed is already re-parented when it gets here."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before this worker was ready
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


def _work(path: Path, with_reports: bool):
    result = _extract_path(path, _WORKER_CATALOG, with_reports, _WORKER_KNOWN)
    return result  # a ReportError pickles with its fields (errors.IndicatorsError.__reduce__)


def _parallel(files: list[Path], catalog: Catalog, with_reports: bool, workers: int,
              known: Mapping[str, str] | None = None):
    # spawn, not fork: a parent with threads (the dashboard's server) must not be forked
    ctx = multiprocessing.get_context("spawn")
    in_flight: deque = deque()
    todo = iter(files)
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(catalog, known, os.getpid())) as pool:
        for path in todo:
            in_flight.append((path, pool.submit(_work, path, with_reports)))
            if len(in_flight) >= 4 * workers:
                break
        while in_flight:
            path, fut = in_flight.popleft()
            nxt = next(todo, None)
            if nxt is not None:
                in_flight.append((nxt, pool.submit(_work, nxt, with_reports)))
            try:
                result = fut.result()
            except Exception as exc:  # a worker died (killed, out of memory): name the file, go on
                result = ReportError(path, f"the extraction process failed ({type(exc).__name__}: {exc})",
                                     "run again with --workers 1 to see the cause")
            yield path, result


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
