from sqlalchemy import inspect

from akimwatch.store.engine import ensure_schema


def test_migrations_create_every_table_and_rerun_is_a_no_op(store):
    tables = set(inspect(store).get_table_names())
    assert {"officials", "accounts", "posts", "comments", "text_versions", "follower_snapshots",
            "import_runs", "labels", "post_mentions", "account_links", "alembic_version"} <= tables
    ensure_schema(store)  # second run: nothing to do, no error
