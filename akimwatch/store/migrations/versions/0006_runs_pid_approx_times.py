"""import runs record their process (abandoned runs can be told apart); approximate publication times

Revision ID: 0006_runs_pid_approx
Revises: 0005_web
"""
from alembic import op
import sqlalchemy as sa

revision = "0006_runs_pid_approx"
down_revision = "0005_web"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("import_runs") as batch:
        batch.add_column(sa.Column("pid", sa.Integer()))
        batch.add_column(sa.Column("host", sa.String(255)))
    for table in ("posts", "comments"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("published_approx", sa.Boolean(), nullable=False,
                                       server_default=sa.false()))


def downgrade() -> None:
    for table in ("posts", "comments"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("published_approx")
    with op.batch_alter_table("import_runs") as batch:
        batch.drop_column("host")
        batch.drop_column("pid")
