"""Analysts' review: the edits table, and the review overlay's columns on claims (until now added ad hoc when a
store opened).

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

REVIEW_COLUMNS = (("review", sa.String(16), "unreviewed"), ("review_note", sa.Text, ""), ("extracted", sa.Text, ""),
                  ("pair", sa.Text, ""), ("pair_kind", sa.String(32), ""))


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    have = {c["name"] for c in inspector.get_columns("claims")}
    for name, kind, default in REVIEW_COLUMNS:
        if name not in have:
            op.add_column("claims", sa.Column(name, kind, nullable=False, server_default=default))
    if "edits" not in inspector.get_table_names():
        op.create_table(
            "edits",
            sa.Column("edit_id", sa.String(32), primary_key=True),
            sa.Column("report", sa.String(255), nullable=False),
            sa.Column("content_hash", sa.String(64), nullable=False),
            sa.Column("char_start", sa.Integer, nullable=False),
            sa.Column("char_end", sa.Integer, nullable=False),
            sa.Column("surface", sa.Text, nullable=False),
            sa.Column("sentence", sa.Text, nullable=False),
            sa.Column("action", sa.String(16), nullable=False),
            sa.Column("changes", sa.Text, nullable=False),
            sa.Column("note", sa.Text, nullable=False),
            sa.Column("author", sa.String(255), nullable=False),
            sa.Column("created_at", sa.String(40), nullable=False),
            sa.Column("undoes", sa.String(32), nullable=False),
        )
    indexes = {ix["name"] for ix in sa.inspect(op.get_bind()).get_indexes("edits")}
    for col in ("report", "content_hash"):
        if f"ix_edits_{col}" not in indexes:
            op.create_index(f"ix_edits_{col}", "edits", [col])


def downgrade() -> None:
    op.drop_table("edits")
    with op.batch_alter_table("claims") as batch:
        for name, _kind, _default in REVIEW_COLUMNS:
            batch.drop_column(name)
