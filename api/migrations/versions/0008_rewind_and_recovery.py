"""Release 3: rewinds. Where the stream stood at each kept version (`checkpoint`), the
admin's requests to go back to one (`rewind_request`), every rewind done (`recovery`), and
what a rewind takes back: records and events it supersedes are kept but marked, and a
quarantined row knows its place in the stream (`taken`).

The version the cursor stands at gets its checkpoint from the cursor and the held rows,
so a database of an earlier release can be rewound to it at once. An event is unique per
task and row among the current ones only: one taken back may happen again.

Revision ID: 0008
Revises: 0007
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENTS = {
    "drift_event": ("task", "rows_seen", "detector"),
    "champion_change": ("task", "rows_seen"),
}
HELD_COLUMNS = ("page", "position", "source_id", "taken", "features", "payload", "reason")


def upgrade() -> None:
    op.create_table(
        "checkpoint",
        sa.Column("model_version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("next_page", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=True),
        sa.Column("rows_seen", sa.Integer(), nullable=False),
        sa.Column("rows_quarantined", sa.Integer(), nullable=False),
        sa.Column("rows_held", sa.Integer(), nullable=False),
        sa.Column("held", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("model_version", name=op.f("pk_checkpoint")),
    )
    op.create_table(
        "rewind_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("to_version", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rewind_request")),
    )
    op.create_table(
        "recovery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_version", sa.Integer(), nullable=False),
        sa.Column("to_version", sa.Integer(), nullable=False),
        sa.Column("new_version", sa.Integer(), nullable=False),
        sa.Column("rows_seen", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery")),
    )
    with op.batch_alter_table("model_record", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("superseded", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("quarantined_row", schema=None) as batch_op:
        batch_op.add_column(sa.Column("taken", sa.Integer(), nullable=True))
    for table, columns in EVENTS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("superseded", sa.Boolean(), nullable=False, server_default=sa.false())
            )
            batch_op.drop_constraint(f"uq_{table}_task", type_="unique")
            batch_op.create_index(
                f"uq_{table}_current",
                list(columns),
                unique=True,
                sqlite_where=sa.text("superseded = 0"),
                postgresql_where=sa.text("NOT superseded"),
            )
    _checkpoint_the_cursor()


def _checkpoint_the_cursor() -> None:
    """The checkpoint of the version the cursor stands at, when its snapshots are kept."""
    connection = op.get_bind()
    cursor = connection.execute(
        sa.text(
            "SELECT next_page, last_id, rows_seen, rows_quarantined, model_version, rows_held "
            "FROM learner_cursor"
        )
    ).first()
    if cursor is None or not cursor.model_version:
        return
    kept = connection.execute(
        sa.text("SELECT count(*) FROM model_snapshot WHERE model_version = :version"),
        {"version": cursor.model_version},
    ).scalar()
    if not kept:
        return
    held = [
        dict(zip(HELD_COLUMNS, row, strict=True))
        for row in connection.execute(
            sa.text(f"SELECT {', '.join(HELD_COLUMNS)} FROM held_row ORDER BY taken")
        )
    ]
    connection.execute(
        sa.text(
            "INSERT INTO checkpoint (model_version, next_page, last_id, rows_seen, "
            "rows_quarantined, rows_held, held, created_at) VALUES (:model_version, "
            ":next_page, :last_id, :rows_seen, :rows_quarantined, :rows_held, :held, :at)"
        ),
        {
            **cursor._asdict(),
            "held": json.dumps(held),
            "at": datetime.now(UTC),
        },
    )


def downgrade() -> None:
    for table, columns in EVENTS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"uq_{table}_current")
            batch_op.create_unique_constraint(f"uq_{table}_task", list(columns))
            batch_op.drop_column("superseded")
    with op.batch_alter_table("quarantined_row", schema=None) as batch_op:
        batch_op.drop_column("taken")
    with op.batch_alter_table("model_record", schema=None) as batch_op:
        batch_op.drop_column("superseded")
    op.drop_table("recovery")
    op.drop_table("rewind_request")
    op.drop_table("checkpoint")
