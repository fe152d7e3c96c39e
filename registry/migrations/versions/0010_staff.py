"""units merged in an institutional reform (机构改革) keep their record and point to their successor

Revision ID: 0010_staff
Revises: 0009_circular_numbers
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import registry.db


revision = '0010_staff'
down_revision = '0009_circular_numbers'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True, comment='机构改革时并入的单位（其账号已转入该单位）'))
        batch_op.add_column(sa.Column('merged_at', registry.db.UTCDateTime(timezone=True), nullable=True, comment='并入时间'))
        batch_op.create_index(batch_op.f('ix_units_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_units_merged_into_id_units'), 'units', ['merged_into_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_units_merged_into_id_units'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_units_merged_into_id'))
        batch_op.drop_column('merged_at')
        batch_op.drop_column('merged_into_id')
