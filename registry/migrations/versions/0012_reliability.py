"""reliability: review history appended like the filing history

- ``finding_decisions``: every review decision on a finding (confirmed or dismissed), with its
  actor, note and time; the decisions already recorded on findings are copied in, so a
  finding reviewed before this version keeps its decision in the history.

Revision ID: 0012_reliability
Revises: 0011_judgement
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import registry.db


revision = '0012_reliability'
down_revision = '0011_judgement'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'finding_decisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('finding_id', sa.Integer(), nullable=False, comment='问题ID'),
        sa.Column('status', sa.String(length=12), nullable=False, comment='confirmed（已确认）/dismissed（已排除）'),
        sa.Column('previous', sa.String(length=12), nullable=False, comment='复核前的状态'),
        sa.Column('note', sa.Text(), nullable=True, comment='复核意见'),
        sa.Column('actor', sa.String(length=64), nullable=False, comment='复核人'),
        sa.Column('decided_at', registry.db.UTCDateTime(timezone=True), nullable=False, comment='复核时间'),
        sa.Column('follows_id', sa.Integer(), nullable=True, comment='随哪一条复核记录（延续的问题、重复账号的另一方）'),
        sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_finding_decisions_finding_id_findings')),
        sa.ForeignKeyConstraint(['follows_id'], ['finding_decisions.id'], name=op.f('fk_finding_decisions_follows_id_finding_decisions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_decisions')),
    )
    with op.batch_alter_table('finding_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_decisions_finding_id'), ['finding_id'], unique=False)
    # the decisions recorded so far (on the findings themselves) become the first history rows
    op.execute(
        "INSERT INTO finding_decisions (finding_id, status, previous, note, actor, decided_at) "
        "SELECT id, status, 'candidate', review_note, reviewer, reviewed_at FROM findings "
        "WHERE reviewed_at IS NOT NULL AND reviewer IS NOT NULL AND status IN ('confirmed', 'dismissed') "
        "ORDER BY reviewed_at, id"
    )


def downgrade() -> None:
    with op.batch_alter_table('finding_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_decisions_finding_id'))
    op.drop_table('finding_decisions')
