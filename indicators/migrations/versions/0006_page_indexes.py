"""The claims grid pages in SQL at a million claims: each sort column's index carries the claim's key (report,
seq) after it, so ORDER BY column, report, seq is a walk of the index alone. They replace the one-column ones.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SORTED = ("report_month", "role", "qualifier", "source", "period_start", "value")


def upgrade() -> None:
    have = {ix["name"] for ix in sa.inspect(op.get_bind()).get_indexes("claims")}
    for col in SORTED:
        if f"ix_claims_{col}" in have:
            op.drop_index(f"ix_claims_{col}", table_name="claims")
        if f"ix_claims_{col}_page" not in have:
            op.create_index(f"ix_claims_{col}_page", "claims", [col, "report", "seq"])


def downgrade() -> None:
    for col in SORTED:
        op.drop_index(f"ix_claims_{col}_page", table_name="claims")
        op.create_index(f"ix_claims_{col}", "claims", [col])
