"""Release 2: how far the candidates had raced when a record was committed, now that the
race runs behind the reference.

Records written before it keep a null `rows_raced`: their race stood at `rows_seen`.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("model_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rows_raced", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("model_record", schema=None) as batch_op:
        batch_op.drop_column("rows_raced")
