"""Claims carry the linker's confidence (data/claims.schema.yaml `confidence`), and the review queue reads the
least sure first: an index on (review, confidence). Claims stored before have none (NULL): they were linked by
rules alone. The chart leaves out claims below the catalog's chart_confidence, so its covering index gains the
column.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

CHART = ["indicator", "role", "item", "source", "period_start", "period_end", "report", "seq", "review"]


def upgrade() -> None:
    bind = op.get_bind()
    have = {c["name"] for c in sa.inspect(bind).get_columns("claims")}
    if "confidence" not in have:
        op.add_column("claims", sa.Column("confidence", sa.Float, nullable=True))
    indexes = {ix["name"] for ix in sa.inspect(bind).get_indexes("claims")}
    if "ix_claims_review_confidence" not in indexes:
        op.create_index("ix_claims_review_confidence", "claims", ["review", "confidence", "report", "seq"])
    if "ix_claims_chart" in indexes:
        op.drop_index("ix_claims_chart", table_name="claims")
    op.create_index("ix_claims_chart", "claims", CHART + ["confidence"])


def downgrade() -> None:
    op.drop_index("ix_claims_chart", table_name="claims")
    op.create_index("ix_claims_chart", "claims", CHART)
    op.drop_index("ix_claims_review_confidence", table_name="claims")
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("confidence")
