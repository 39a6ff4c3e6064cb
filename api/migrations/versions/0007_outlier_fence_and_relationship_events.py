"""Release 3: the rows the outlier fence holds back, the order rows were learned in, and
drift events that name a feature or a coefficient.

`learned_row.rows_seen` numbers the learned rows in the order they were learned (held
rows are learned after later ones); rows learned before it were learned in id order, so
they are numbered by id. A drift event is now unique per task, row and detector, since
the fence, ADWIN and the relationship detector may each flag the same row.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NUMBER_LEARNED_ROWS = """
UPDATE learned_row SET rows_seen = numbered.position
FROM (SELECT id, row_number() OVER (ORDER BY id) AS position FROM learned_row) AS numbered
WHERE learned_row.id = numbered.id
"""


def upgrade() -> None:
    op.create_table(
        "held_row",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("taken", sa.Integer(), nullable=False),
        sa.Column("features", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_held_row")),
        sa.UniqueConstraint("page", "position", name=op.f("uq_held_row_page")),
    )
    with op.batch_alter_table("learned_row", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rows_seen", sa.Integer(), nullable=True))
    op.execute(NUMBER_LEARNED_ROWS)
    with op.batch_alter_table("learned_row", schema=None) as batch_op:
        batch_op.alter_column("rows_seen", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f("ix_learned_row_rows_seen"), ["rows_seen"], unique=False)
    with op.batch_alter_table("drift_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("coefficient", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("feature", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("value_before", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("value_after", sa.Float(), nullable=True))
        batch_op.drop_constraint("uq_drift_event_task", type_="unique")
        batch_op.create_unique_constraint("uq_drift_event_task", ["task", "rows_seen", "detector"])
    with op.batch_alter_table("learner_cursor", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("rows_held", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("learner_cursor", schema=None) as batch_op:
        batch_op.drop_column("rows_held")
    with op.batch_alter_table("drift_event", schema=None) as batch_op:
        batch_op.drop_constraint("uq_drift_event_task", type_="unique")
        batch_op.create_unique_constraint("uq_drift_event_task", ["task", "rows_seen"])
        batch_op.drop_column("value_after")
        batch_op.drop_column("value_before")
        batch_op.drop_column("feature")
        batch_op.drop_column("coefficient")
    with op.batch_alter_table("learned_row", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learned_row_rows_seen"))
        batch_op.drop_column("rows_seen")
    op.drop_table("held_row")
