"""Analysts' review: accept, reject or correct a claim, as an overlay that outlives re-extraction.

An edit is keyed to what does not change when the extractor does: the report's content (its
hash) and the claim's surface, position and sentence. It is re-attached to the current
claims by position, else by the same surface in the same sentence (offsets move when the
normaliser changes), and reported as orphaned when neither finds it. Edits are never
deleted: undo is an edit too, so the history of a claim stays readable and shareable
(`indicators review export|import`).
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime

import pandas as pd

from .errors import ReviewError
from .export import csv_chunks, unguard
from .schema import SCHEMA, Qualifier, ReviewState, Role, bounds

ACTIONS = ("accept", "reject", "correct", "undo")
EDITABLE = tuple(SCHEMA.editable)  # what a reviewer may correct (x-editable in data/claims.schema.yaml)
NUMERIC = tuple(c for c in EDITABLE if SCHEMA.field(c).numeric)
ROLES = tuple(Role)
QUALIFIERS = tuple(Qualifier)
REVIEW_STATES = tuple(ReviewState)
EDIT_COLUMNS = ["edit_id", "report", "content_hash", "char_start", "char_end", "surface", "sentence", "action",
                "changes", "note", "author", "created_at", "undoes"]


@dataclass(frozen=True)
class Edit:
    report: str
    content_hash: str
    char_start: int
    char_end: int
    surface: str
    sentence: str
    action: str
    author: str
    changes: Mapping[str, object] = field(default_factory=dict)
    note: str = ""
    created_at: str = ""  # ISO 8601, UTC
    undoes: str = ""  # the edit an undo takes back
    edit_id: str = ""

    def row(self) -> dict:
        d = asdict(self)
        d["changes"] = json.dumps(dict(self.changes), ensure_ascii=False, sort_keys=True) if self.changes else ""
        return {c: d[c] for c in EDIT_COLUMNS}


def make_edit(claim: Mapping, action: str, author: str, *, changes: Mapping | None = None, note: str = "",
              content_hash: str = "", undoes: str = "", catalog=None) -> Edit:
    """A validated edit of `claim` (a row of the claims table) by `author`."""
    author = " ".join(str(author or "").split())
    if not author:
        raise ReviewError("say who you are: an edit needs the reviewer's name")
    if action not in ACTIONS:
        raise ReviewError(f"unknown action {action!r}: use one of {', '.join(ACTIONS)}")
    clean = validate_changes(changes or {}, catalog) if action == "correct" else {}
    if action == "correct" and not clean:
        raise ReviewError("a correction needs at least one changed field")
    if action == "undo" and not undoes:
        raise ReviewError("an undo names the edit it takes back")
    return Edit(report=str(claim["report"]), content_hash=content_hash, char_start=int(claim["char_start"]),
                char_end=int(claim["char_end"]), surface=str(claim["surface"]),
                sentence=_norm(str(claim.get("sentence", ""))), action=action, author=author, changes=clean,
                note=str(note or "").strip(), created_at=datetime.now(UTC).isoformat(timespec="microseconds"),
                undoes=undoes, edit_id=uuid.uuid4().hex)


def validate_changes(changes: Mapping, catalog=None) -> dict:
    """Typed, checked field values, by each field's type and enum in the claims schema; a ReviewError names the
    first bad one. Numbers may be written with thousands separators; an empty bound clears it."""
    out: dict[str, object] = {}
    for key, raw in changes.items():
        if key not in EDITABLE:
            raise ReviewError(f"{key!r} cannot be corrected; editable fields: {', '.join(EDITABLE)}")
        f = SCHEMA.field(key)
        value = raw.strip() if isinstance(raw, str) else raw
        if f.numeric:
            if value in ("", None) and not f.required:
                out[key] = None
                continue
            try:
                number = float(str(value).replace(",", "").replace("\u00a0", "").replace(" ", ""))
            except ValueError:
                raise ReviewError(f"{key} must be a number, not {raw!r}") from None
            if not math.isfinite(number):
                raise ReviewError(f"{key} must be a finite number, not {raw!r}")
            out[key] = number
        elif f.type == "date":
            try:
                out[key] = date.fromisoformat(str(value)).isoformat()
            except ValueError:
                raise ReviewError(f"{key} must be a date YYYY-MM-DD, not {raw!r}") from None
        elif f.enum:
            if value not in f.enum:
                raise ReviewError(f"{key} must be one of {', '.join(f.enum)}, not {raw!r}")
            out[key] = str(value)
        elif key == "indicator":
            value = str(value or "")
            if value and catalog is not None and value not in {i.id for i in catalog.indicators}:
                raise ReviewError(f"unknown indicator {value!r}: pick one of the catalog's ids (or none)")
            out[key] = value
        elif key == "unit":
            value = str(value or "")
            if not value:
                raise ReviewError("unit cannot be empty (use 'count' for a bare number)")
            from .units import parse_unit
            try:
                parse_unit(value)
            except Exception:
                raise ReviewError(f"unit {value!r} is not one pint knows (e.g. percent, USD, person)") from None
            out[key] = value
        else:
            out[key] = " ".join(str(value or "").split())
    if "period_start" in out and "period_end" in out and out["period_start"] > out["period_end"]:
        raise ReviewError("period_start is after period_end")
    if out.get("qualifier") == Qualifier.RANGE and {"value_low", "value_high"} & set(out):
        low, high = out.get("value_low"), out.get("value_high")
        if low is not None and high is not None and low > high:
            raise ReviewError("value_low is above value_high")
    return out


def _norm(s: str) -> str:
    return " ".join(s.split())


# --- attaching edits to the claims of today's extraction ----------------------------------------

def active(edits: Iterable[Edit]) -> list[Edit]:
    """Edits in force: every accept/reject/correct not taken back by an undo, oldest first."""
    edits = list(edits)
    undone = {e.undoes for e in edits if e.action == "undo"}
    return sorted((e for e in edits if e.action != "undo" and e.edit_id not in undone),
                  key=lambda e: (e.created_at, e.edit_id))


def locate(edit: Edit, claims: pd.DataFrame) -> object | None:
    """The index of the claim `edit` was made on, among one report's current claims, or None."""
    if claims.empty:
        return None
    same = claims[(claims["surface"] == edit.surface)]
    exact = same[(same["char_start"] == edit.char_start) & (same["char_end"] == edit.char_end)]
    if len(exact):
        return exact.index[0]
    if edit.sentence:
        by_sentence = same[same["sentence"].map(_norm) == edit.sentence]
        if len(by_sentence):  # offsets moved: the same words in the same sentence, nearest the old place
            return (by_sentence["char_start"] - edit.char_start).abs().idxmin()
    return None


def overlay(claims: pd.DataFrame, edits: Iterable[Edit], hashes: Mapping[str, str] | None = None
            ) -> tuple[pd.DataFrame, list[Edit]]:
    """The claims with edits applied and the `review` state set; and the edits that found no claim.

    `hashes` maps report id -> content hash: an edit follows its report's content, so it still
    applies when the same text was stored under another name.
    """
    out = claims.copy()
    out["review"] = ReviewState.UNREVIEWED
    out["review_note"] = ""
    by_hash: dict[str, list[str]] = {}
    for rid, h in (hashes or {}).items():
        by_hash.setdefault(h, []).append(rid)
    state: dict[object, str] = {}
    corrected: set = set()
    orphans: list[Edit] = []
    groups = {r: g for r, g in out.groupby("report", sort=False)} if len(out) else {}
    for e in active(edits):
        reports = by_hash.get(e.content_hash) or [e.report]
        idx = None
        for rid in reports:
            g = groups.get(rid)
            if g is not None:
                idx = locate(e, g)
                if idx is not None:
                    break
        if idx is None:
            orphans.append(e)
            continue
        if e.action == "reject":
            state[idx] = ReviewState.REJECTED
        elif e.action == "accept":
            state[idx] = ReviewState.CORRECTED if idx in corrected else ReviewState.ACCEPTED
        else:
            for k, v in e.changes.items():
                if k in NUMERIC:
                    out.at[idx, k] = float("nan") if v is None else float(v)
                else:
                    out.at[idx, k] = v
            if ({"qualifier", *NUMERIC}) & set(e.changes):
                # the bounds follow the qualifier (at_least 100: value_low 100), unless the edit set them
                low, high = bounds(out.at[idx, "qualifier"], out.at[idx, "value"], out.at[idx, "value_low"],
                                   out.at[idx, "value_high"])
                out.at[idx, "value_low"] = float("nan") if low is None else low
                out.at[idx, "value_high"] = float("nan") if high is None else high
            corrected.add(idx)
            state[idx] = ReviewState.CORRECTED
        if e.note:
            out.at[idx, "review_note"] = e.note
    for idx, s in state.items():
        out.at[idx, "review"] = s
    return out, orphans


# --- sharing: edits as CSV ----------------------------------------------------------------------

def edit_rows(edits: Iterable[Edit]) -> list[list]:
    """Rows of EDIT_COLUMNS in the order the edits were made (the body of `indicators review export`)."""
    return [[e.row()[c] for c in EDIT_COLUMNS] for e in sorted(edits, key=lambda e: (e.created_at, e.edit_id))]


def to_csv(edits: Iterable[Edit]) -> str:
    """The edits as CSV text, through the one writer (formula guard included)."""
    return "".join(csv_chunks(EDIT_COLUMNS, [edit_rows(edits)]))


def from_csv(text: str, catalog=None) -> list[Edit]:
    """Edits from a CSV written by `to_csv`; a bad row is an error naming its line and field."""
    rows = [{k: unguard(v) for k, v in r.items()} for r in csv.DictReader(io.StringIO(text))]
    if rows and set(EDIT_COLUMNS) - set(rows[0]):
        missing = sorted(set(EDIT_COLUMNS) - set(rows[0]))
        raise ReviewError(f"not an edits file: columns {', '.join(missing)} are missing "
                          "(write one with `indicators review export`)")
    out = []
    for line, r in enumerate(rows, start=2):
        try:
            if not re.fullmatch(r"[0-9a-f]{32}", r["edit_id"] or ""):
                raise ReviewError(f"edit_id must be 32 hex digits, not {r['edit_id']!r}")
            if r["action"] not in ACTIONS:
                raise ReviewError(f"unknown action {r['action']!r}")
            if not (r["author"] or "").strip():
                raise ReviewError("author is empty")
            try:
                changes = json.loads(r["changes"]) if r["changes"] else {}
            except json.JSONDecodeError:
                raise ReviewError("changes is not JSON") from None
            if not isinstance(changes, dict):
                raise ReviewError("changes must be a JSON object")
            clean = validate_changes(changes, catalog) if r["action"] == "correct" else {}
            try:
                datetime.fromisoformat(r["created_at"])
            except ValueError:
                raise ReviewError(f"created_at must be an ISO date-time, not {r['created_at']!r}") from None
            out.append(Edit(report=r["report"], content_hash=r["content_hash"], char_start=int(r["char_start"]),
                            char_end=int(r["char_end"]), surface=r["surface"], sentence=_norm(r["sentence"]),
                            action=r["action"], author=r["author"].strip(), changes=clean, note=r["note"] or "",
                            created_at=r["created_at"], undoes=r["undoes"] or "", edit_id=r["edit_id"]))
        except (ReviewError, ValueError, TypeError, KeyError) as exc:
            raise ReviewError(f"line {line}: {exc}") from None
    return out
