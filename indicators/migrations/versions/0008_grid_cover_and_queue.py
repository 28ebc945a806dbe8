"""A million claims in the grid and the review queue. Each sort index of the claims grid also carries the columns
the grid filters on most, so a jump deep into a filtered view skips rows on the index alone (a claim's row is read
only for the page returned; 0006's indexes held the key only, and the skip read every row it passed); so does a
new index in the grid's default order (report, seq), where the primary key holds the key alone. The review
queue gets an index in its own order (unattached, then unsure, then the newest reports), so its first page is
the index's first entries instead of a sort of every unreviewed claim.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

from indicators.db import index_names

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SORTED = ("report_month", "role", "qualifier", "source", "period_start", "value")
COVERED = ("indicator", "item", "role", "source", "period_start", "value", "review")
QUEUE = ["review", sa.text("(indicator != '')"), sa.text("(notes = '')"), sa.text("report_month DESC"), "report",
         "seq"]


def upgrade() -> None:
    have = index_names(op.get_bind(), "claims")
    for col in SORTED:
        if f"ix_claims_{col}_page" in have:
            op.drop_index(f"ix_claims_{col}_page", table_name="claims")
        if f"ix_claims_{col}_grid" not in have:
            op.create_index(f"ix_claims_{col}_grid", "claims", [col, "report", "seq", *[c for c in COVERED if c != col]])
    if "ix_claims_key_grid" not in have:  # the default order: report, then the claim's place in its text
        op.create_index("ix_claims_key_grid", "claims", ["report", "seq", *COVERED])
    if "ix_claims_queue" not in have:
        op.create_index("ix_claims_queue", "claims", QUEUE)


def downgrade() -> None:
    op.drop_index("ix_claims_queue", table_name="claims")
    op.drop_index("ix_claims_key_grid", table_name="claims")
    for col in SORTED:
        op.drop_index(f"ix_claims_{col}_grid", table_name="claims")
        op.create_index(f"ix_claims_{col}_page", "claims", [col, "report", "seq"])
