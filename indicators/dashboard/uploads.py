"""Reports uploaded through the dashboard: checked, written under a safe name, read and stored.

Pure functions over the store, testable without a browser; the Dash callback only calls `ingest_uploads`.

An upload is refused, with a reason naming the formats read, when
- it is larger than the limit (checked on the base64 text before it is decoded);
- its extension is not one read (.txt, .md, .html/.htm, .pdf);
- its content does not match the extension: a .pdf must start with %PDF; a .txt, .md, .html or .htm must be
  text (a program, archive, image, office document or PDF under a text name is named for what it is), and
  then `read_report` must be able to decode and read it (its `ReportError` reason is passed on).

The uploaded name is never used as a path: the bytes go to a fresh private temporary folder (mode 0700) under
a sanitised name (the last path component only, letters, digits, `_ . -`; NUL bytes and separators removed),
created exclusively, and the folder is removed afterwards. The sanitised stem becomes the report id.

The same content uploaded twice is stored once (the store dedups by content hash): the message says
"already stored as <report id>".

The limit is also enforced before Dash sees a request: `max_request_bytes` is the Flask MAX_CONTENT_LENGTH
for a limit (the upload travels base64-encoded inside a JSON callback request, 4/3 of its size), so a larger
POST is refused with 413 from its Content-Length, without its body being read.
"""
from __future__ import annotations

import base64
import binascii
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..catalog import Catalog
from ..errors import IndicatorsError, ReportError
from ..ingest import read_report
from ..periods import report_month
from ..pipeline import SUFFIXES, extract_report, store_hint
from ..store import Store

MAX_UPLOAD_MB = 20.0
ENV_MAX_UPLOAD_MB = "INDICATORS_MAX_UPLOAD_MB"
FORMATS_READ = ".txt, .md, .html/.htm, .pdf"
_MB = 1024 * 1024
_REQUEST_SLACK = 256 * 1024  # the JSON around the base64 text: ids, names, the other inputs of the callback

_TEXT_SUFFIXES = {s for s in SUFFIXES if s != ".pdf"}

# Binary files people rename (or mistake) for reports: magic number, what it is. Checked on text-format names;
# under .pdf anything not starting with %PDF is refused, named by this table when it matches.
_MAGIC: list[tuple[bytes, str]] = [
    (b"%PDF", "a PDF file (upload it with the extension .pdf)"),
    (b"\x7fELF", "a program (ELF executable)"),
    (b"\xca\xfe\xba\xbe", "a program (Mach-O or Java class)"),
    (b"\xcf\xfa\xed\xfe", "a program (Mach-O executable)"),
    (b"\xce\xfa\xed\xfe", "a program (Mach-O executable)"),
    (b"\x00asm", "a WebAssembly program"),
    (b"PK\x03\x04", "a ZIP archive (a .docx, .xlsx or .odt document?)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"PK\x07\x08", "a ZIP archive"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\xfd7zXZ\x00", "an xz-compressed file"),
    (b"\x28\xb5\x2f\xfd", "a zstd-compressed file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document (.doc/.xls)"),
    (b"{\\rtf", "an RTF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"SQLite format 3\x00", "an SQLite database"),
]


@dataclass(frozen=True)
class UploadResult:
    """What happened to one uploaded file; `message` is what the user is shown."""
    name: str  # the uploaded name, made printable (for messages only, never a path)
    status: str  # added | replaced | duplicate | refused
    message: str
    report: str = ""  # the report id it is stored as (for duplicate: the report already holding the content)


# ------------------------------------------------------------------------------------------ limits

def limit_mb(value: str | float | None = None) -> float:
    """The upload limit in MB: `value` if given, else $INDICATORS_MAX_UPLOAD_MB, else 20. Must be > 0."""
    raw = value if value not in (None, "") else os.environ.get(ENV_MAX_UPLOAD_MB) or MAX_UPLOAD_MB
    try:
        mb = float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"the upload limit must be a number of megabytes, not {raw!r} "
                         f"(--max-upload-mb or ${ENV_MAX_UPLOAD_MB})") from None
    if not mb > 0 or mb != mb or mb == float("inf"):
        raise ValueError(f"the upload limit must be a positive number of megabytes, not {raw!r} "
                         f"(--max-upload-mb or ${ENV_MAX_UPLOAD_MB})")
    return mb


def max_bytes(max_upload_mb: float) -> int:
    """The largest file accepted, in bytes."""
    return int(max_upload_mb * _MB)


def max_request_bytes(max_upload_mb: float) -> int:
    """Flask MAX_CONTENT_LENGTH for a limit: a file at the limit, base64-encoded (4/3), plus the JSON around it."""
    return (max_bytes(max_upload_mb) + 2) // 3 * 4 + _REQUEST_SLACK


# ------------------------------------------------------------------------------------------- names

_UNSAFE = re.compile(r"[^\w.-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def display_name(name: str | None) -> str:
    """The uploaded name for messages: control characters shown as '?', at most 120 characters."""
    shown = _CONTROL.sub("?", name or "") or "upload"
    return shown if len(shown) <= 120 else shown[:117] + "..."


def safe_name(name: str | None) -> tuple[str, str]:
    """(stem, suffix) to write an upload under: the last component of the name (either separator), NUL bytes
    and control characters removed, anything but letters, digits, '_', '.', '-' replaced by '_', no leading
    dot, at most 100 characters; the suffix lower-cased. Never empty, never '.' or '..', never a separator."""
    name = unicodedata.normalize("NFKC", name or "")
    name = _CONTROL.sub("", name)
    base = re.split(r"[\\/]", name)[-1].strip()
    dot = base.rfind(".")
    stem, suffix = (base[:dot], base[dot:].lower()) if dot >= 0 else (base, "")
    stem = _UNSAFE.sub("_", stem).strip("._-")[:100].strip("._-") or "upload"
    suffix = suffix if re.fullmatch(r"\.[a-z0-9]{1,10}", suffix) else ""
    return stem, suffix


# ------------------------------------------------------------------------------------------ content

def check_content(data: bytes, suffix: str) -> str:
    """'' when the bytes can be what the extension says, else the reason they cannot (before read_report)."""
    head = data[:64]
    what = next((w for magic, w in _MAGIC if head.startswith(magic)), "")
    if not what and head.startswith(b"MZ") and b"\x00" in head:
        what = "a Windows program (.exe/.dll)"
    if suffix == ".pdf":
        if data.lstrip(b"\t\n\r\f ").startswith(b"%PDF"):
            return ""
        if what:
            return f"the file is named .pdf but is {what}"
        return "the file is named .pdf but is not a PDF (it does not start with %PDF)"
    if what:
        return f"the file is named {suffix} but is {what}"
    return ""


# ------------------------------------------------------------------------------------------- ingest

def decode_contents(contents: str | None, max_upload_mb: float) -> bytes | str:
    """The bytes of a dcc.Upload `contents` data URL, or the reason they cannot be had (too large, damaged).
    The size is checked on the base64 text, before anything is decoded."""
    limit = max_bytes(max_upload_mb)
    if not isinstance(contents, str) or "," not in contents:
        return "the upload was damaged; try again"
    header, b64 = contents.split(",", 1)
    if ";base64" not in header:
        return "the upload was damaged; try again"
    if len(b64) > (limit + 2) // 3 * 4:  # more base64 than a file at the limit needs: not decoded at all
        return f"larger than {max_upload_mb:g} MB"
    try:
        data = base64.b64decode(b64, validate=True)
    except (ValueError, binascii.Error):
        return "the upload was damaged; try again"
    if len(data) > limit:
        return f"larger than {max_upload_mb:g} MB"
    return data


def ingest_upload(store: Store, catalog: Catalog, contents: str | None, name: str | None,
                  max_upload_mb: float = MAX_UPLOAD_MB) -> UploadResult:
    """Check, read and store one uploaded file; never raises for bad input."""
    shown = display_name(name)

    def refused(reason: str, hint: str = "") -> UploadResult:
        msg = f"{shown}: not read: {reason}"
        if FORMATS_READ not in reason:
            msg += f"; the formats read are {FORMATS_READ}"
        return UploadResult(shown, "refused", msg + (f" ({hint})" if hint else ""))

    stem, suffix = safe_name(name)
    if suffix not in SUFFIXES:
        kind = f"unsupported format {suffix}" if suffix else "a file without an extension is not read"
        return refused(kind)
    data = decode_contents(contents, max_upload_mb)
    if isinstance(data, str):
        return refused(data)
    reason = check_content(data, suffix)
    if reason:
        return refused(reason)
    try:
        with tempfile.TemporaryDirectory(prefix="indicators-upload-") as tmp:  # mode 0700: this user only
            folder = Path(tmp).resolve()
            path = folder / f"{stem}{suffix}"
            if path.parent != folder:  # cannot happen with safe_name; refuse rather than write elsewhere
                return refused("the file name cannot be used")
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            report = read_report(path)
            claims = extract_report(report, catalog)
            result = store.ingest(report, claims, month=report_month(report))
    except ReportError as exc:
        return refused(exc.reason, exc.hint)
    except IndicatorsError as exc:
        return UploadResult(shown, "refused", f"{shown}: not stored: {exc} ({store_hint(exc)})")
    if result.status in ("duplicate", "unchanged"):
        same = result.duplicate_of or result.report
        return UploadResult(shown, "duplicate", f"{shown}: already stored as {same} (same content); stored once",
                            same)
    attached = sum(1 for c in claims if c.indicator)
    return UploadResult(shown, result.status, f"{shown}: {result.status} as {result.report}, {len(claims)} claims "
                                              f"({attached} attached to indicators)", result.report)


def ingest_uploads(store: Store, catalog: Catalog, contents: list | None, names: list | None,
                   max_upload_mb: float = MAX_UPLOAD_MB) -> list[UploadResult]:
    """Every file of one dcc.Upload drop, in order."""
    contents = contents if isinstance(contents, list) else [contents] if contents else []
    names = names if isinstance(names, list) else [names] if names else []
    names = names + [None] * (len(contents) - len(names))
    return [ingest_upload(store, catalog, c, n, max_upload_mb) for c, n in zip(contents, names)]
