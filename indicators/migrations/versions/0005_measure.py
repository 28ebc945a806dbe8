"""Claims say what they measure of their series (data/claims.schema.yaml `measure`): a level, a change, or the base
a change is measured from. Existing claims were all read as levels.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("claims")}
    if "measure" not in have:
        op.add_column("claims", sa.Column("measure", sa.String(8), nullable=False, server_default="level"))


def downgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("measure")
