"""web application: users, sessions, API keys, inbox requests + audit log, snapshots, full-text search

Revision ID: 0005_web
Revises: 0004_labels_index
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_web'
down_revision = '0004_labels_index'
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'users',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('username', sa.String(100), nullable=False),
        sa.Column('password_hash', sa.Text(), nullable=False),
        sa.Column('role', sa.String(20), nullable=False),
        sa.Column('disabled', sa.Boolean(), server_default='0', nullable=False),
        sa.Column('created_utc', UTC, nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
        sa.UniqueConstraint('username', name=op.f('uq_users_username')),
    )
    op.create_table(
        'sessions',
        sa.Column('token_hash', sa.String(64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('csrf_token', sa.String(64), nullable=False),
        sa.Column('created_utc', UTC, nullable=False),
        sa.Column('expires_utc', UTC, nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sessions_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_sessions')),
    )
    op.create_table(
        'api_keys',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('key_hash', sa.String(64), nullable=False),
        sa.Column('prefix', sa.String(20), nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('scopes', sa.Text(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('created_utc', UTC, nullable=False),
        sa.Column('revoked_utc', UTC, nullable=True),
        sa.Column('last_used_utc', UTC, nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_keys_user_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
        sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash')),
    )
    op.create_table(
        'requests',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('source', sa.String(20), nullable=False),
        sa.Column('comment_id', sa.Integer(), nullable=True),
        sa.Column('incident_id', sa.Integer(), nullable=True),
        sa.Column('official_id', sa.String(100), nullable=True),
        sa.Column('account_id', sa.String(200), nullable=True),
        sa.Column('post_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(20), nullable=False),
        sa.Column('topic', sa.String(40), nullable=True),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('address', sa.Text(), nullable=True),
        sa.Column('lat', sa.String(30), nullable=True),
        sa.Column('lon', sa.String(30), nullable=True),
        sa.Column('requester', sa.JSON(), nullable=True),
        sa.Column('status', sa.String(20), server_default='new', nullable=False),
        sa.Column('department', sa.Text(), nullable=True),
        sa.Column('notes', sa.Text(), nullable=True),
        sa.Column('requested_utc', UTC, nullable=False),
        sa.Column('due_utc', UTC, nullable=True),
        sa.Column('answered_utc', UTC, nullable=True),
        sa.Column('created_utc', UTC, nullable=False),
        sa.Column('updated_utc', UTC, nullable=False),
        sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_requests_comment_id_comments'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_requests')),
        sa.UniqueConstraint('comment_id', name=op.f('uq_requests_comment_id')),
    )
    # Lists are newest-first by id (keyset pagination): filter columns + id.
    op.create_index(op.f('ix_requests_status_id'), 'requests', ['status', 'id'])
    op.create_index(op.f('ix_requests_official_id_id'), 'requests', ['official_id', 'id'])
    op.create_index(op.f('ix_requests_incident_id'), 'requests', ['incident_id'])
    op.create_index(op.f('ix_requests_requested_utc'), 'requests', ['requested_utc'])
    op.create_table(
        'request_events',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('at_utc', UTC, nullable=False),
        sa.Column('actor', sa.Text(), nullable=False),
        sa.Column('action', sa.String(40), nullable=False),
        sa.Column('old_value', sa.Text(), nullable=True),
        sa.Column('new_value', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['request_id'], ['requests.id'], name=op.f('fk_request_events_request_id_requests'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_request_events')),
    )
    op.create_index(op.f('ix_request_events_request_id_at_utc'), 'request_events', ['request_id', 'at_utc'])
    op.create_table(
        'web_snapshots',
        sa.Column('key', sa.String(200), nullable=False),
        sa.Column('computed_utc', UTC, nullable=False),
        sa.Column('fingerprint', sa.Text(), nullable=True),
        sa.Column('data', sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_web_snapshots')),
    )
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        op.execute("CREATE VIRTUAL TABLE comments_fts USING fts5(text, content='comments', content_rowid='id', "
                   "tokenize='unicode61 remove_diacritics 2')")
        op.execute("CREATE TRIGGER comments_fts_ai AFTER INSERT ON comments BEGIN "
                   "INSERT INTO comments_fts(rowid, text) VALUES (new.id, new.text); END")
        op.execute("CREATE TRIGGER comments_fts_ad AFTER DELETE ON comments BEGIN "
                   "INSERT INTO comments_fts(comments_fts, rowid, text) VALUES ('delete', old.id, old.text); END")
        op.execute("CREATE TRIGGER comments_fts_au AFTER UPDATE OF text ON comments BEGIN "
                   "INSERT INTO comments_fts(comments_fts, rowid, text) VALUES ('delete', old.id, old.text); "
                   "INSERT INTO comments_fts(rowid, text) VALUES (new.id, new.text); END")
        op.execute("INSERT INTO comments_fts(comments_fts) VALUES ('rebuild')")
    elif bind.dialect.name == 'postgresql':
        op.execute("CREATE INDEX ix_comments_fts_ru ON comments USING gin (to_tsvector('russian', coalesce(text, '')))")
        op.execute("CREATE INDEX ix_comments_fts_simple ON comments USING gin (to_tsvector('simple', coalesce(text, '')))")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for trig in ('comments_fts_ai', 'comments_fts_ad', 'comments_fts_au'):
            op.execute(f"DROP TRIGGER IF EXISTS {trig}")
        op.execute("DROP TABLE IF EXISTS comments_fts")
    elif bind.dialect.name == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_comments_fts_ru")
        op.execute("DROP INDEX IF EXISTS ix_comments_fts_simple")
    op.drop_table('web_snapshots')
    op.drop_index(op.f('ix_request_events_request_id_at_utc'), table_name='request_events')
    op.drop_table('request_events')
    for ix in ('ix_requests_requested_utc', 'ix_requests_incident_id', 'ix_requests_official_id_id',
               'ix_requests_status_id'):
        op.drop_index(ix, table_name='requests')
    op.drop_table('requests')
    op.drop_table('api_keys')
    op.drop_table('sessions')
    op.drop_table('users')
