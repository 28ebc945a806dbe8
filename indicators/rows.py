"""Tidy rows: one Claim per mention, and the DataFrame with exactly the CLAIMS.md columns."""
from __future__ import annotations

import pandas as pd

from .model import UNKNOWN_REF, Claim, Document
from .schema import CLAIM_COLUMNS, SCHEMA


def to_claims(doc: Document, attachments, roles, periods) -> list[Claim]:
    """Assemble the claims of one report in text order."""
    text = doc.report.text
    out = []
    for m, a, r, (start, end, how) in zip(doc.mentions, attachments, roles, periods):
        q = m.quantity
        sent = doc.sentences[m.sentence]
        notes = list(a.notes)
        if how in ("named in an earlier sentence", "report month"):
            notes.append(f"period guessed: {how}")
        if not doc.month and (start.year > UNKNOWN_REF[0] - 100 or end.year > UNKNOWN_REF[0] - 100):
            start = end = None  # a period relative to an unknown report month: unknown too
            notes.append("period unknown: the report names no month")
        out.append(Claim(
            report=doc.report.id,
            report_month=doc.month,
            indicator=a.indicator,
            item=a.item,
            role=str(r.role),  # plain strings in the table: the enums are for the code
            qualifier=str(q.qualifier),
            value=q.value,
            value_low=q.low,
            value_high=q.high,
            unit=a.unit or q.unit or "count",
            period_start=start.isoformat() if start else "",
            period_end=end.isoformat() if end else "",
            source=r.source,
            surface=text[q.start:q.end],
            sentence=" ".join(sent.text.split()),
            char_start=q.start,
            char_end=q.end,
            measure=str(q.measure),
            confidence=round(a.confidence, 4) if a.indicator and a.confidence is not None else None,
            notes=tuple(notes),
        ))
    return out


def claims_frame(claims: list[Claim]) -> pd.DataFrame:
    """The claims table: CLAIMS.md columns, typed (floats for values, ints for offsets)."""
    df = pd.DataFrame([{c: getattr(cl, c) for c in CLAIM_COLUMNS} for cl in claims], columns=CLAIM_COLUMNS)
    return typed(df)


_DTYPES = {"number": "float64", "integer": "int64"}


def typed(df: pd.DataFrame) -> pd.DataFrame:
    """One dtype per claims column, wherever the rows come from (extraction or the store), as the schema types
    it: numbers float64 (empty = NaN), integers int64, everything else str (empty = "")."""
    for col in df.columns:
        try:
            f = SCHEMA.field(col)
        except KeyError:
            continue  # a column of the caller's own (claim_id, ...)
        if f.type == "number":
            df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
        elif f.type == "integer":
            df[col] = df[col].astype("int64")
        else:
            df[col] = df[col].fillna("").astype(str)
    return df
