"""national scale: the near-duplicate index in one row per post, lexicon hits kept with it

- ``post_fingerprints``: the finer band keys of a short post (``fine_bands``) and the lexicon
  version the post was scanned against (``lexicon_version``; rows indexed before are 0: they
  are scanned again by the next check of their window); ``bands`` is required (rows written
  before band keys were packed are dropped and indexed again when a check needs them); the
  index on ``exact_hash`` goes (nothing looks a hash up: checks match in memory);
- ``post_bands`` (16 rows per post) goes: a check reads the packed band keys of its window;
- ``post_hits``: the lexicon entries found in each post;
- indexes for the national registry: each account's successful collections
  (``ix_crawl_attempts_success``, partial: ``govmedia status`` and the early warnings probe it
  once per account), the latest crawl (``ix_crawl_attempts_source_at``) and the findings
  awaiting review (``ix_findings_status``); each account's newest post and its posts in a
  span from an index alone (``ix_posts_account_newest`` replaces ``ix_posts_account_latest``).

Revision ID: 0014_scale
Revises: 0013_users
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op



revision = '0014_scale'
down_revision = '0013_users'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'post_hits',
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['entry_id'], ['lexicon_entries.id'], name=op.f('fk_post_hits_entry_id_lexicon_entries')),
        sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_post_hits_post_id_posts')),
        sa.PrimaryKeyConstraint('post_id', 'entry_id', name=op.f('pk_post_hits')),
    )
    op.execute("DELETE FROM post_fingerprints WHERE bands IS NULL")
    with op.batch_alter_table('post_fingerprints', schema=None) as batch_op:
        batch_op.drop_index('ix_post_fingerprints_exact_hash')
        batch_op.add_column(sa.Column('fine_bands', sa.LargeBinary(), nullable=True, comment='短内容的 42 个细分 band 键（int64 小端）；较长的内容为空'))
        batch_op.add_column(sa.Column('lexicon_version', sa.Integer(), server_default='0', nullable=False, comment='扫描时词库的最大条目ID（此后新增的条目尚未扫描）'))
        batch_op.alter_column(
            'bands',
            existing_type=sa.LargeBinary(),
            nullable=False,
            comment='16 个 band 键（int64 小端）',
            existing_comment='16 个 band 键（int64 小端），与 post_bands 相同，供整窗读取',
        )
    with op.batch_alter_table('post_bands', schema=None) as batch_op:
        batch_op.drop_index('ix_post_bands_band_key')
    op.drop_table('post_bands')
    successes = sa.text("outcome IN ('ok', 'empty')")
    with op.batch_alter_table('crawl_attempts', schema=None) as batch_op:
        batch_op.create_index(
            'ix_crawl_attempts_success',
            ['account_id', 'at'],
            unique=False,
            sqlite_where=successes,
            postgresql_where=successes,
        )
        batch_op.create_index('ix_crawl_attempts_source_at', ['source', 'at'], unique=False)
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.create_index('ix_findings_status', ['status'], unique=False)
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index('ix_posts_account_latest')
        batch_op.create_index(
            'ix_posts_account_newest',
            ['account_id', 'published_latest', 'published_at', 'published_approx'],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index('ix_posts_account_newest')
        batch_op.create_index('ix_posts_account_latest', ['account_id', 'published_latest'], unique=False)
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_index('ix_findings_status')
    with op.batch_alter_table('crawl_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_crawl_attempts_source_at')
        batch_op.drop_index('ix_crawl_attempts_success')
    op.create_table(
        'post_bands',
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('band', sa.SmallInteger(), nullable=False),
        sa.Column('key', sa.BigInteger(), nullable=False, comment='band 的 64 位键'),
        sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_post_bands_post_id_posts')),
        sa.PrimaryKeyConstraint('post_id', 'band', name=op.f('pk_post_bands')),
    )
    with op.batch_alter_table('post_bands', schema=None) as batch_op:
        batch_op.create_index('ix_post_bands_band_key', ['band', 'key'], unique=False)
    with op.batch_alter_table('post_fingerprints', schema=None) as batch_op:
        batch_op.alter_column(
            'bands',
            existing_type=sa.LargeBinary(),
            nullable=True,
            comment='16 个 band 键（int64 小端），与 post_bands 相同，供整窗读取',
            existing_comment='16 个 band 键（int64 小端）',
        )
        batch_op.drop_column('lexicon_version')
        batch_op.drop_column('fine_bands')
        batch_op.create_index(batch_op.f('ix_post_fingerprints_exact_hash'), ['exact_hash'], unique=False)
    op.drop_table('post_hits')
