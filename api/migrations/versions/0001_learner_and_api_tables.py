"""The first tables: learned and quarantined rows, records, snapshots and the cursor.

The schema `create_all` made at commit c4cfc2c, the learner's and the API's first version.

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "learned_row",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("competence", sa.Float(), nullable=False),
        sa.Column("network_ability", sa.Float(), nullable=False),
        sa.Column("promoted", sa.Boolean(), nullable=False),
        sa.Column("predicted_promoted", sa.Boolean(), nullable=False),
        sa.Column("promoted_probability", sa.Float(), nullable=False),
        sa.Column("predicted_network_ability", sa.Float(), nullable=False),
        sa.Column("model_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learned_row")),
    )
    op.create_index(
        op.f("ix_learned_row_model_version"), "learned_row", ["model_version"], unique=False
    )
    op.create_table(
        "quarantined_row",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantined_row")),
        sa.UniqueConstraint("page", "position", name=op.f("uq_quarantined_row_page")),
    )
    op.create_table(
        "model_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task", sa.String(length=32), nullable=False),
        sa.Column("model_version", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("rows_seen", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("rolling_metrics", sa.JSON(), nullable=False),
        sa.Column("coefficients", sa.JSON(), nullable=False),
        sa.Column("batch", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_record")),
        sa.UniqueConstraint("task", "model_version", name=op.f("uq_model_record_task")),
    )
    op.create_table(
        "model_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task", sa.String(length=32), nullable=False),
        sa.Column("model_version", sa.Integer(), nullable=False),
        sa.Column("blob", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_snapshot")),
        sa.UniqueConstraint("task", "model_version", name=op.f("uq_model_snapshot_task")),
    )
    op.create_index(
        "ix_model_snapshot_task_version", "model_snapshot", ["task", "model_version"], unique=False
    )
    op.create_table(
        "learner_cursor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("next_page", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=True),
        sa.Column("rows_seen", sa.Integer(), nullable=False),
        sa.Column("rows_quarantined", sa.Integer(), nullable=False),
        sa.Column("model_version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learner_cursor")),
    )


def downgrade() -> None:
    op.drop_table("learner_cursor")
    op.drop_index("ix_model_snapshot_task_version", table_name="model_snapshot")
    op.drop_table("model_snapshot")
    op.drop_table("model_record")
    op.drop_table("quarantined_row")
    op.drop_index(op.f("ix_learned_row_model_version"), table_name="learned_row")
    op.drop_table("learned_row")
