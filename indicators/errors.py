"""One error hierarchy, so callers catch one thing and users always get a reason and a next step."""
from __future__ import annotations

from pathlib import Path


class IndicatorsError(Exception):
    """Base of every error this package raises on purpose."""


class ReportError(IndicatorsError):
    """A report that cannot be read; names the file, the reason and what to do."""

    def __init__(self, path: str | Path, reason: str, hint: str = ""):
        self.path = str(path)
        self.reason = reason
        self.hint = hint
        super().__init__(self.message)

    @property
    def message(self) -> str:
        text = f"{self.path}: {self.reason}"
        return f"{text} ({self.hint})" if self.hint else text


class UnsupportedFormat(ReportError):
    """Neither the extension nor the content is a format we read."""


class EmptyReport(ReportError):
    """The file holds no text."""


class BinaryReport(ReportError):
    """The bytes are not text in any encoding we accept."""


class PdfError(ReportError):
    """Corrupt, truncated, encrypted or image-only PDF."""


class CatalogError(IndicatorsError):
    """The indicator catalog (YAML) is malformed; says where."""
