"""users of the web workbench: users, their events, web sessions and login attempts

- ``users``: name, unit (jurisdiction), role, argon2id password hash, active;
- ``user_events``: who added, changed or disabled a user;
- ``web_sessions``: signed-in browsers (the SHA-256 of the session id, the CSRF token, expiry);
- ``login_attempts``: every sign-in attempt, for throttling by name and by address.

Revision ID: 0013_users
Revises: 0011_judgement
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import registry.db


revision = '0013_users'
down_revision = '0012_reliability'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', registry.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False, comment='输入的用户名（规范化）'),
    sa.Column('address', sa.String(length=64), nullable=False, comment='客户端地址'),
    sa.Column('success', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempts_address_at', ['address', 'at'], unique=False)
        batch_op.create_index('ix_login_attempts_name_at', ['name', 'at'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False, comment='用户名（登录名，记入操作记录）'),
    sa.Column('unit_id', sa.Integer(), nullable=False, comment='所在单位（管辖范围）'),
    sa.Column('role', sa.String(length=16), nullable=False, comment='admin/supervisor/reviewer/filer/readonly'),
    sa.Column('password_hash', sa.Text(), nullable=True, comment='argon2id 密码散列'),
    sa.Column('active', sa.Boolean(), nullable=False, comment='是否启用'),
    sa.Column('created_at', registry.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('password_at', registry.db.UTCDateTime(timezone=True), nullable=True, comment='密码设置时间'),
    sa.Column('disabled_at', registry.db.UTCDateTime(timezone=True), nullable=True, comment='停用时间'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_users_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('name', name=op.f('uq_users_name'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_unit_id'), ['unit_id'], unique=False)

    op.create_table('user_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', registry.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False, comment='操作人'),
    sa.Column('action', sa.String(length=16), nullable=False, comment='add/role/password/disable'),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False, comment='变更内容 {字段: [旧, 新]}'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_events'))
    )
    with op.batch_alter_table('user_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_events_user_id'), ['user_id'], unique=False)

    op.create_table('web_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False, comment='会话ID的 SHA-256'),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False, comment='本会话表单的 CSRF 令牌'),
    sa.Column('created_at', registry.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', registry.db.UTCDateTime(timezone=True), nullable=False, comment='过期时间'),
    sa.Column('address', sa.String(length=64), nullable=True, comment='登录地址'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_web_sessions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_sessions')),
    sa.UniqueConstraint('digest', name=op.f('uq_web_sessions_digest'))
    )
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_sessions_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_web_sessions_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_sessions_user_id'))
        batch_op.drop_index(batch_op.f('ix_web_sessions_expires_at'))

    op.drop_table('web_sessions')
    with op.batch_alter_table('user_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_events_user_id'))

    op.drop_table('user_events')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_unit_id'))

    op.drop_table('users')
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_name_at')
        batch_op.drop_index('ix_login_attempts_address_at')

    op.drop_table('login_attempts')
