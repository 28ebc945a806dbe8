"""Reports and their claims, as the first release wrote them.

A store made before migrations existed already has these tables: only what is missing is created, so such a
store is adopted as it is.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    have = set(sa.inspect(op.get_bind()).get_table_names())
    if "reports" not in have:
        op.create_table(
            "reports",
            sa.Column("id", sa.String(255), primary_key=True),
            sa.Column("title", sa.Text, nullable=False),
            sa.Column("month", sa.String(7), nullable=False),
            sa.Column("format", sa.String(8), nullable=False),
            sa.Column("path", sa.Text, nullable=False),
            sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
            sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("text", sa.Text, nullable=False),
        )
    if "claims" not in have:
        op.create_table(
            "claims",
            sa.Column("report", sa.String(255), sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
            sa.Column("seq", sa.Integer, primary_key=True),
            sa.Column("report_month", sa.String(7), nullable=False),
            sa.Column("indicator", sa.String(128), nullable=False),
            sa.Column("item", sa.String(255), nullable=False),
            sa.Column("role", sa.String(16), nullable=False),
            sa.Column("qualifier", sa.String(16), nullable=False),
            sa.Column("value", sa.Float, nullable=False),
            sa.Column("value_low", sa.Float),
            sa.Column("value_high", sa.Float),
            sa.Column("unit", sa.String(64), nullable=False),
            sa.Column("period_start", sa.String(10), nullable=False),
            sa.Column("period_end", sa.String(10), nullable=False),
            sa.Column("source", sa.String(255), nullable=False),
            sa.Column("surface", sa.Text, nullable=False),
            sa.Column("sentence", sa.Text, nullable=False),
            sa.Column("char_start", sa.Integer, nullable=False),
            sa.Column("char_end", sa.Integer, nullable=False),
            sa.Column("notes", sa.Text, nullable=False),
        )


def downgrade() -> None:
    op.drop_table("claims")
    op.drop_table("reports")
