"""import runs record their process (abandoned runs can be told apart); approximate publication times

Revision ID: 0006_runs_pid_approx
Revises: 0005_web

Plain ADD COLUMN on every backend: a batch (copy-and-move) migration on SQLite would drop the full-text
triggers 0005 put on ``comments``.
"""
from alembic import op
import sqlalchemy as sa

revision = "0006_runs_pid_approx"
down_revision = "0005_web"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("import_runs", sa.Column("pid", sa.Integer()))
    op.add_column("import_runs", sa.Column("host", sa.String(255)))
    for table in ("posts", "comments"):
        op.add_column(table, sa.Column("published_approx", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    for table in ("posts", "comments"):
        op.drop_column(table, "published_approx")
    op.drop_column("import_runs", "host")
    op.drop_column("import_runs", "pid")
