"""Alembic's environment, run by `api.migrate`, which hands it a connection under its lock."""

from alembic import context

from api.migrate import render_item
from api.models import Base

config = context.config

if context.is_offline_mode():
    # `python -m api.migrate upgrade head --sql` prints the SQL instead of running it.
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=Base.metadata,
        literal_binds=True,
        render_as_batch=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations with `python -m api.migrate`, which connects them")
    # Batch mode rewrites a table where SQLite's ALTER TABLE cannot change it in place.
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()
