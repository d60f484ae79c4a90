"""The one SQLAlchemy ``MetaData`` every table is declared on: the core's (store/schema.py) and the features'.

Imports nothing of akimwatch, so any layer may declare tables on it without an import cycle. Features that own
tables are listed in ``FEATURE_TABLES`` by module name and imported on demand by ``complete_metadata()`` (for
Alembic, ``ensure_schema`` and the schema tests), never statically: the store does not depend on its features.
"""

from __future__ import annotations

import importlib

from sqlalchemy import DateTime, MetaData

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

UtcDateTime = DateTime(timezone=True)

CORE_TABLES = "akimwatch.store.schema"
FEATURE_TABLES = ("akimwatch.inbox.tables", "akimwatch.web.auth.tables")


def complete_metadata() -> MetaData:
    """The metadata with every table declared: the core's and each feature's (imported by name)."""
    for module in (CORE_TABLES, *FEATURE_TABLES):
        importlib.import_module(module)
    return metadata
