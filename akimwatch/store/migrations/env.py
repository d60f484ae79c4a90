"""Alembic environment: runs on the connection handed in by ``ensure_schema`` (or a URL)."""

from alembic import context
from sqlalchemy import create_engine

from akimwatch.store.metadata import complete_metadata

metadata = complete_metadata()

config = context.config


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    from akimwatch.store.engine import resolve_db_url

    engine = create_engine(resolve_db_url(config.get_main_option("sqlalchemy.url") or None))
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations()
