"""judgement that stands up: approximate post times, remembered decisions, carried candidates

- ``posts.published_latest``: the latest moment a post can have been published (filled with
  ``published_at`` for the posts already stored, whose span is not known);
- ``findings.origin_id``: a pending candidate carried over from an earlier run;
- ``duplicate_decisions``: a person's decision on two accounts of one unit on one platform;
- ``observations.level`` may be empty (the level of the profile the check uses).

Revision ID: 0011_judgement
Revises: 0010_staff
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import registry.db


revision = '0011_judgement'
down_revision = '0010_staff'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'duplicate_decisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False, comment='账号（较小的ID）'),
        sa.Column('other_id', sa.Integer(), nullable=False, comment='另一个账号（较大的ID）'),
        sa.Column('status', sa.String(length=12), nullable=False, comment='confirmed（重复建设）/dismissed（确有必要）'),
        sa.Column('note', sa.Text(), nullable=True, comment='复核意见'),
        sa.Column('actor', sa.String(length=64), nullable=False, comment='复核人'),
        sa.Column('decided_at', registry.db.UTCDateTime(timezone=True), nullable=False, comment='复核时间'),
        sa.Column('finding_id', sa.Integer(), nullable=True, comment='依据的问题'),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_duplicate_decisions_account_id_accounts')),
        sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_duplicate_decisions_finding_id_findings')),
        sa.ForeignKeyConstraint(['other_id'], ['accounts.id'], name=op.f('fk_duplicate_decisions_other_id_accounts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_duplicate_decisions')),
        sa.UniqueConstraint('account_id', 'other_id', name=op.f('uq_duplicate_decisions_account_id_other_id')),
    )
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin_id', sa.Integer(), nullable=True, comment='延续的待复核问题（首次提出的问题ID）'))
        batch_op.create_index(batch_op.f('ix_findings_origin_id'), ['origin_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_findings_origin_id_findings'), 'findings', ['origin_id'], ['id'])

    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.alter_column(
            'level',
            existing_type=sa.VARCHAR(length=8),
            nullable=True,
            comment='veto/deduct/warn/info；留空按检查所用指标方案的级别',
            existing_comment='veto/deduct/warn/info',
        )

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_latest', registry.db.UTCDateTime(timezone=True), nullable=True, comment='最晚可能的发布时间（时间精确时等于 published_at）'))
        batch_op.alter_column(
            'published_approx',
            existing_type=sa.Boolean(),
            existing_nullable=False,
            comment='发布时间不精确（published_at 为最早可能时间）',
            existing_comment='相对时间推算',
        )
        batch_op.create_index('ix_posts_account_latest', ['account_id', 'published_latest'], unique=False)
    op.execute("UPDATE posts SET published_latest = published_at")


def downgrade() -> None:
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index('ix_posts_account_latest')
        batch_op.alter_column(
            'published_approx',
            existing_type=sa.Boolean(),
            existing_nullable=False,
            comment='相对时间推算',
            existing_comment='发布时间不精确（published_at 为最早可能时间）',
        )
        batch_op.drop_column('published_latest')

    op.execute("UPDATE observations SET level = 'info' WHERE level IS NULL")
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.alter_column(
            'level',
            existing_type=sa.VARCHAR(length=8),
            nullable=False,
            comment='veto/deduct/warn/info',
            existing_comment='veto/deduct/warn/info；留空按检查所用指标方案的级别',
        )

    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_findings_origin_id_findings'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_findings_origin_id'))
        batch_op.drop_column('origin_id')

    op.drop_table('duplicate_decisions')
