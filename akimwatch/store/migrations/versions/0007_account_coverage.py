"""outputs: account_coverage — the span of time each import or harvest run covered per account

Revision ID: 0007_account_coverage
Revises: 0006_runs_pid_approx
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_account_coverage'
down_revision = '0006_runs_pid_approx'
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'account_coverage',
        sa.Column('account_id', sa.String(200), nullable=False),
        sa.Column('import_run_id', sa.Integer(), nullable=False),
        sa.Column('start_utc', UTC, nullable=False),
        sa.Column('end_utc', UTC, nullable=False),
        sa.Column('posts', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_account_coverage_account_id_accounts'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('account_id', 'import_run_id', name=op.f('pk_account_coverage')),
    )
    # Stores imported before this revision: one span per account and run, from the posts each run saved first.
    op.execute(
        "INSERT INTO account_coverage (account_id, import_run_id, start_utc, end_utc, posts) "
        "SELECT account_id, import_run_id, MIN(published_utc), MAX(published_utc), COUNT(*) FROM posts "
        "WHERE import_run_id IS NOT NULL GROUP BY account_id, import_run_id")


def downgrade() -> None:
    op.drop_table('account_coverage')
