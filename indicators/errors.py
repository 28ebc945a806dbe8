"""One error hierarchy, so callers catch one thing and users always get a reason and a next step.

Every error carries a `kind` (what sort of failure it is), so a caller picks the hint or the
HTTP status from the kind, never by matching the message's words. Every error pickles with all
its fields, so worker processes send them back as they are.
"""
from __future__ import annotations

from enum import StrEnum
from pathlib import Path


class ErrorKind(StrEnum):
    """What sort of failure an error is; decides the hint, the exit status and the HTTP status."""

    UNREADABLE = "unreadable"  # a report's bytes cannot be read as a report
    UNSUPPORTED = "unsupported"  # a format we do not read
    EMPTY = "empty"  # no text in it
    NOT_FOUND = "not_found"  # a report, claim or file that is not there
    INVALID = "invalid"  # data (a catalog, schema, lexicon, edit) that breaks its rules
    DISK_FULL = "disk_full"
    READ_ONLY = "read_only"
    BUSY = "busy"  # another writer held the database too long
    UNAVAILABLE = "unavailable"  # the database cannot be reached or opened
    FAILED = "failed"  # anything else: the message says what


HINTS = {
    ErrorKind.DISK_FULL: "the disk is full: free some space and try again; what was stored before is intact",
    ErrorKind.READ_ONLY: ("the database is read-only: check the file's permissions and that its disk is mounted "
                          "writable; nothing was changed"),
    ErrorKind.BUSY: "another process held the database too long: try again",
    ErrorKind.UNAVAILABLE: "check that the database is reachable and its URL right; nothing was changed",
    ErrorKind.FAILED: "check that the database is reachable and writable; nothing was changed",
}


class IndicatorsError(Exception):
    """Base of every error this package raises on purpose: a message, a kind and (maybe) what to do."""

    default_kind = ErrorKind.FAILED

    def __init__(self, message: str = "", *, kind: ErrorKind | str | None = None, hint: str = ""):
        self.kind = ErrorKind(kind) if kind else self.default_kind
        self.hint = hint
        super().__init__(f"{message} ({hint})" if hint else message)

    def __reduce__(self):
        return _rebuild, (type(self), self.args, self.__dict__.copy())

    @property
    def message(self) -> str:
        """What went wrong, then what to do about it."""
        return str(self)


def _rebuild(cls, args, state):
    err = cls.__new__(cls)
    Exception.__init__(err, *args)
    err.__dict__.update(state)
    return err


class ReportError(IndicatorsError):
    """A report that cannot be read; names the file, the reason and what to do."""

    default_kind = ErrorKind.UNREADABLE

    def __init__(self, path: str | Path, reason: str, hint: str = "", *, kind: ErrorKind | str | None = None):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}", kind=kind, hint=hint)


class UnsupportedFormat(ReportError):
    """Neither the extension nor the content is a format we read."""

    default_kind = ErrorKind.UNSUPPORTED


class EmptyReport(ReportError):
    """The file holds no text."""

    default_kind = ErrorKind.EMPTY


class BinaryReport(ReportError):
    """The bytes are not text in any encoding we accept."""


class PdfError(ReportError):
    """Corrupt, truncated, encrypted or image-only PDF."""


class CatalogError(IndicatorsError):
    """The indicator catalog (YAML) is malformed; says where."""

    default_kind = ErrorKind.INVALID


class SchemaError(IndicatorsError):
    """The claims schema (data/claims.schema.yaml) is malformed; says which field."""

    default_kind = ErrorKind.INVALID


class LexiconError(IndicatorsError):
    """The recogniser's lexicon (data/lexicon.yaml) is malformed; says which key."""

    default_kind = ErrorKind.INVALID


class StoreError(IndicatorsError):
    """The database cannot be opened or written; says which and why, its kind says what sort of failure."""


class ReviewError(IndicatorsError):
    """An edit that cannot be recorded or imported; says which field and why."""

    default_kind = ErrorKind.INVALID


# SQLite's primary result codes (https://www.sqlite.org/rescode.html) and PostgreSQL's SQLSTATE classes
# (https://www.postgresql.org/docs/current/errcodes-appendix.html) that say what sort of failure it was
_SQLITE_KINDS = {13: ErrorKind.DISK_FULL, 8: ErrorKind.READ_ONLY, 5: ErrorKind.BUSY, 6: ErrorKind.BUSY,
                 14: ErrorKind.UNAVAILABLE}
_SQLSTATE_KINDS = {"53100": ErrorKind.DISK_FULL, "25006": ErrorKind.READ_ONLY, "55P03": ErrorKind.BUSY,
                   "40P01": ErrorKind.BUSY, "57P01": ErrorKind.UNAVAILABLE, "57P03": ErrorKind.UNAVAILABLE}


def store_kind(exc: BaseException) -> ErrorKind:
    """The kind of a database driver's error (sqlite3, psycopg), read from its error code where it is caught.

    Falls back to the operating system's words only for errors that carry no code (a full disk seen by
    SQLite's journal, say)."""
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None and (code & 0xFF) in _SQLITE_KINDS:
        return _SQLITE_KINDS[code & 0xFF]
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if state:
        if state in _SQLSTATE_KINDS:
            return _SQLSTATE_KINDS[state]
        if state.startswith("08"):
            return ErrorKind.UNAVAILABLE
    low = str(orig).lower()
    if "no space" in low or "disk is full" in low:
        return ErrorKind.DISK_FULL
    if "read-only" in low or "readonly" in low:
        return ErrorKind.READ_ONLY
    return ErrorKind.FAILED
