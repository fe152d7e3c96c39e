"""one crawl over many machines: cycles, their accounts' leases, and the workers

- ``crawl_cycles``: one distributed crawl (采集批次), its crawl id and when it finished;
- ``crawl_cycle_accounts``: each account of a cycle, queued / leased (holder, expiry renewed by
  the worker's heartbeat) / done;
- ``crawl_workers``: each ``govmedia crawl worker`` process and its last heartbeat.

Revision ID: 0015_crawl_cycles
Revises: 0014_scale
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import registry.db


revision = '0015_crawl_cycles'
down_revision = '0014_scale'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('crawl_cycles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crawl_id', sa.String(length=64), nullable=False, comment='采集批次（采集记录的 crawl_id）'),
    sa.Column('created_at', registry.db.UTCDateTime(timezone=True), nullable=False, comment='加入队列的时间'),
    sa.Column('created_by', sa.String(length=120), nullable=False, comment='加入队列的进程（主机:进程号:随机码）'),
    sa.Column('selection', sa.String(length=300), nullable=False, comment='选择条件（平台、单位、账号）'),
    sa.Column('accounts', sa.Integer(), nullable=False, comment='账号数'),
    sa.Column('finished_at', registry.db.UTCDateTime(timezone=True), nullable=True, comment='全部账号都有采集结果的时间（未完成为空）'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crawl_cycles')),
    sa.UniqueConstraint('crawl_id', name=op.f('uq_crawl_cycles_crawl_id'))
    )
    op.create_table('crawl_workers',
    sa.Column('name', sa.String(length=120), nullable=False, comment='主机:进程号:随机码'),
    sa.Column('host', sa.String(length=64), nullable=False, comment='主机名'),
    sa.Column('pid', sa.Integer(), nullable=False, comment='进程号'),
    sa.Column('started_at', registry.db.UTCDateTime(timezone=True), nullable=False, comment='启动时间'),
    sa.Column('heartbeat_at', registry.db.UTCDateTime(timezone=True), nullable=False, comment='最近一次心跳'),
    sa.Column('stopped_at', registry.db.UTCDateTime(timezone=True), nullable=True, comment='正常退出的时间'),
    sa.Column('accounts', sa.Integer(), nullable=False, comment='已保存采集结果的账号数'),
    sa.Column('lease_seconds', sa.Float(), nullable=False, comment='租约时长（秒）'),
    sa.Column('heartbeat_seconds', sa.Float(), nullable=False, comment='心跳间隔（秒）'),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_crawl_workers'))
    )
    op.create_table('crawl_cycle_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False, comment='queued/leased/done'),
    sa.Column('holder', sa.String(length=120), nullable=True, comment='持有租约的采集进程'),
    sa.Column('leased_at', registry.db.UTCDateTime(timezone=True), nullable=True, comment='领取时间'),
    sa.Column('lease_expires_at', registry.db.UTCDateTime(timezone=True), nullable=True, comment='租约到期时间（心跳续期）'),
    sa.Column('leases', sa.Integer(), nullable=False, comment='已被领取的次数'),
    sa.Column('pushed_at', registry.db.UTCDateTime(timezone=True), nullable=False, comment='最近放入队列的时间'),
    sa.Column('done_at', registry.db.UTCDateTime(timezone=True), nullable=True, comment='采集结果保存的时间'),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_crawl_cycle_accounts_account_id_accounts')),
    sa.ForeignKeyConstraint(['cycle_id'], ['crawl_cycles.id'], name=op.f('fk_crawl_cycle_accounts_cycle_id_crawl_cycles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crawl_cycle_accounts')),
    sa.UniqueConstraint('cycle_id', 'account_id', name=op.f('uq_crawl_cycle_accounts_cycle_id_account_id'))
    )
    with op.batch_alter_table('crawl_cycle_accounts', schema=None) as batch_op:
        batch_op.create_index('ix_crawl_cycle_accounts_account', ['account_id', 'state'], unique=False)
        batch_op.create_index('ix_crawl_cycle_accounts_holder', ['holder'], unique=False)
        batch_op.create_index('ix_crawl_cycle_accounts_state', ['state', 'lease_expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('crawl_cycle_accounts', schema=None) as batch_op:
        batch_op.drop_index('ix_crawl_cycle_accounts_state')
        batch_op.drop_index('ix_crawl_cycle_accounts_holder')
        batch_op.drop_index('ix_crawl_cycle_accounts_account')

    op.drop_table('crawl_cycle_accounts')
    op.drop_table('crawl_workers')
    op.drop_table('crawl_cycles')
