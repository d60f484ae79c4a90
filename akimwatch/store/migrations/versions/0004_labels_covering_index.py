"""Labels read fast by item: clustered key on SQLite, covering index on PostgreSQL

Revision ID: 0004_labels_index
Revises: 0003_harvest
"""
from alembic import op

revision = "0004_labels_index"
down_revision = "0003_harvest"
branch_labels = None
depends_on = None

COLUMNS = "item_kind, item_id, analyzer, version, value, confidence, extra, created_utc"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TABLE labels_new (item_kind VARCHAR(10) NOT NULL, item_id INTEGER NOT NULL, "
            "analyzer VARCHAR(40) NOT NULL, version VARCHAR(40) NOT NULL, value VARCHAR(60) NOT NULL, "
            "confidence FLOAT, extra JSON, created_utc DATETIME, "
            "CONSTRAINT pk_labels PRIMARY KEY (item_kind, item_id, analyzer, version)) WITHOUT ROWID")
        op.execute(f"INSERT INTO labels_new ({COLUMNS}) SELECT {COLUMNS} FROM labels")
        op.execute("DROP TABLE labels")
        op.execute("ALTER TABLE labels_new RENAME TO labels")
        op.create_index("ix_labels_analyzer_version_value", "labels", ["analyzer", "version", "value"])
    else:
        op.create_index("ix_labels_item_covering", "labels",
                        ["item_kind", "item_id", "analyzer", "version", "value"])


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_index("ix_labels_item_covering", table_name="labels")
