"""Release 2: a 95% interval on every coefficient of a record, and the drift events.

Records written before it keep a null `coefficient_intervals`.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "drift_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task", sa.String(length=32), nullable=False),
        sa.Column("rows_seen", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detector", sa.String(length=32), nullable=False),
        sa.Column("loss_before", sa.Float(), nullable=False),
        sa.Column("loss_after", sa.Float(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drift_event")),
        sa.UniqueConstraint("task", "rows_seen", name=op.f("uq_drift_event_task")),
    )
    with op.batch_alter_table("model_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("coefficient_intervals", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("model_record", schema=None) as batch_op:
        batch_op.drop_column("coefficient_intervals")

    op.drop_table("drift_event")
