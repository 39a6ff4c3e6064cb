"""Release 2: the leaderboard of each record (champion and candidates' scores) and the
champion changes.

Records written before it keep a null `champion` and `leaderboard`.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "champion_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task", sa.String(length=32), nullable=False),
        sa.Column("rows_seen", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("previous", sa.String(length=64), nullable=False),
        sa.Column("champion", sa.String(length=64), nullable=False),
        sa.Column("metric", sa.String(length=16), nullable=False),
        sa.Column("previous_score", sa.Float(), nullable=False),
        sa.Column("champion_score", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_champion_change")),
        sa.UniqueConstraint("task", "rows_seen", name=op.f("uq_champion_change_task")),
    )
    with op.batch_alter_table("model_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("champion", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("leaderboard", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("model_record", schema=None) as batch_op:
        batch_op.drop_column("leaderboard")
        batch_op.drop_column("champion")

    op.drop_table("champion_change")
