"""Indexes the dashboard needs at a million claims: a chart read from one index, the claims table's filter and
sort columns. The older ix_claims_view, which ix_claims_chart supersedes, is dropped.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_claims_chart": ["indicator", "role", "item", "source", "period_start", "period_end", "report", "seq", "review"],
    **{f"ix_claims_{c}": [c] for c in ("report_month", "role", "qualifier", "source", "period_start", "value")},
}


def upgrade() -> None:
    have = {ix["name"] for ix in sa.inspect(op.get_bind()).get_indexes("claims")}
    if "ix_claims_view" in have:
        op.drop_index("ix_claims_view", table_name="claims")
    for name, cols in INDEXES.items():
        if name not in have:
            op.create_index(name, "claims", cols)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="claims")
