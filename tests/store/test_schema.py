from sqlalchemy import inspect

from akimwatch.store.engine import ensure_schema


def test_migrations_create_every_table_and_rerun_is_a_no_op(store):
    tables = set(inspect(store).get_table_names())
    assert {"officials", "accounts", "posts", "comments", "text_versions", "follower_snapshots",
            "import_runs", "labels", "post_mentions", "account_links", "alembic_version"} <= tables
    ensure_schema(store)  # second run: nothing to do, no error


def test_migrations_match_the_declared_schema(store):
    """Every table, column and index declared in schema.py exists after migrating (nothing forgotten)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from akimwatch.store.metadata import complete_metadata

    metadata = complete_metadata()

    with store.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    if store.dialect.name == "sqlite":  # the PostgreSQL-only covering index is expected to be absent
        diff = [d for d in diff if not (d[0] == "add_index" and d[1].name == "ix_labels_item_covering")]
    # Full-text search objects cannot be declared in SQLAlchemy metadata: the FTS5 virtual table (and its
    # shadow tables) on SQLite, the GIN expression indexes on PostgreSQL (migration 0005_web).
    diff = [d for d in diff if not (d[0] in ("remove_table", "remove_index")
                                    and (d[1].name or "").startswith(("comments_fts", "ix_comments_fts")))]
    assert diff == []


def test_head_revision_constant_matches_alembic(store):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from akimwatch.store.engine import HEAD_REVISION, MIGRATIONS_DIR, current_revision

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(cfg).get_current_head() == HEAD_REVISION == current_revision(store)
