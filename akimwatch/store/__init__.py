"""The store: one schema, SQLite by default, PostgreSQL by URL. SQL stays inside this package."""

from akimwatch.store.engine import DEFAULT_DB_PATH, StoreUnavailable, open_store, resolve_db_url

__all__ = ["DEFAULT_DB_PATH", "StoreUnavailable", "open_store", "resolve_db_url"]
