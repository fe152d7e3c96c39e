"""per-year circular numbers (发文字号): the sequence the office keeps for each year

Revision ID: 0009_circular_numbers
Revises: 0008_discovery
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import registry.db


revision = '0009_circular_numbers'
down_revision = '0008_discovery'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('circular_numbers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circular_id', sa.Integer(), nullable=False, comment='通报'),
    sa.Column('year', sa.Integer(), nullable=False, comment='年度（成文日期所在年）'),
    sa.Column('seq', sa.Integer(), nullable=False, comment='年度内序号'),
    sa.Column('doc_no', sa.String(length=64), nullable=False, comment='发文字号（按当时的格式）'),
    sa.Column('assigned_at', registry.db.UTCDateTime(timezone=True), nullable=False, comment='编号时间'),
    sa.Column('actor', sa.String(length=64), nullable=False, comment='操作人'),
    sa.ForeignKeyConstraint(['circular_id'], ['circulars.id'], name=op.f('fk_circular_numbers_circular_id_circulars')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circular_numbers')),
    sa.UniqueConstraint('circular_id', name=op.f('uq_circular_numbers_circular_id')),
    sa.UniqueConstraint('year', 'seq', name=op.f('uq_circular_numbers_year_seq'))
    )


def downgrade() -> None:
    op.drop_table('circular_numbers')
