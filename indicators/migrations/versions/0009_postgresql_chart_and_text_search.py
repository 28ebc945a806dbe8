"""PostgreSQL at a million claims (nothing to do on SQLite, whose planner and byte-wise text order the earlier
indexes were tuned for):

- `ix_claims_chart_time` (indicator, period start and end, report, seq, then the chart's filter columns): the
  chart's evenly spread sample numbers an indicator's claims in time order. With the index that is a walk of it;
  without, PostgreSQL sorts every claim of the indicator by text under the database's collation (40 ms for the
  largest indicator at a million claims, half the chart's query).
- trigram (pg_trgm) GIN indexes on lower(surface), lower(sentence), lower(notes): the claims grid's substring
  filters on free text (`lower(col) LIKE '%text%'`) find their rows by the index instead of reading every claim
  (a sentence filter at a million claims: 1.5 s -> 0.3 s for its first page; patterns under three characters
  still read the table). When the extension cannot be created (not installed, or the role may not), the indexes
  are skipped with a warning and the filters work as before.

Revision ID: 0009
Revises: 0008
"""
import logging

import sqlalchemy as sa
from alembic import op

from indicators.db import index_names

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

CHART_TIME = ["indicator", "period_start", "period_end", "report", "seq", "role", "item", "source", "review",
              "confidence"]
FREE_TEXT = ("surface", "sentence", "notes")
log = logging.getLogger("indicators.migrations")


def _trigrams(bind) -> bool:
    """Whether pg_trgm is there, creating it when it is installed and we may (a savepoint keeps a refusal from
    ending the migration's transaction)."""
    if bind.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").first():
        return True
    if not bind.exec_driver_sql("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'").first():
        log.warning("pg_trgm is not installed on the server: substring filters on %s stay unindexed "
                    "(install the server's contrib package, then run this migration again)", ", ".join(FREE_TEXT))
        return False
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError as exc:
        log.warning("could not create the pg_trgm extension (%s): substring filters on %s stay unindexed; a "
                    "superuser can run CREATE EXTENSION pg_trgm in this database", str(exc.orig).strip().splitlines()[0],
                    ", ".join(FREE_TEXT))
        return False
    return True


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    have = index_names(bind, "claims")
    if "ix_claims_chart_time" not in have:
        op.create_index("ix_claims_chart_time", "claims", CHART_TIME)
    if _trigrams(bind):
        for col in FREE_TEXT:
            if f"ix_claims_{col}_trgm" not in have:
                op.execute(f"CREATE INDEX ix_claims_{col}_trgm ON claims USING gin (lower({col}) gin_trgm_ops)")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    have = index_names(bind, "claims")
    for col in FREE_TEXT:
        if f"ix_claims_{col}_trgm" in have:
            op.drop_index(f"ix_claims_{col}_trgm", table_name="claims")
    if "ix_claims_chart_time" in have:
        op.drop_index("ix_claims_chart_time", table_name="claims")
