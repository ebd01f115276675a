"""Alembic environment: migrations always run on a connection handed in by migrate.py."""

from alembic import context

from paas_platform.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
