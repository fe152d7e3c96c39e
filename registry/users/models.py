"""Users, their web sessions and login attempts (tables of ``registry.users``).

- ``users``: one person with an account on the workbench: a unique name, the unit it works
  for (its jurisdiction is that unit's subtree), its role (``registry.vocab.USER_ROLE``), its
  argon2id password hash, and whether it is disabled;
- ``user_events``: the append-only record of what was done to a user (added, role changed,
  password changed, disabled) and by whom;
- ``web_sessions``: a signed-in browser: only the SHA-256 of the session id is stored (the id
  itself lives in the browser's cookie), with the CSRF token of its forms and its expiry;
- ``login_attempts``: every sign-in attempt with its outcome, by account name and by address,
  so that throttling holds across processes and restarts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.db import Base, UTCDateTime, utcnow
from registry.filing.models import Unit


class User(Base):
    """一个工作台用户：姓名（登录名）、所在单位、角色。"""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True, comment="用户名（登录名，记入操作记录）")
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True, comment="所在单位（管辖范围）")
    role: Mapped[str] = mapped_column(String(16), comment="admin/supervisor/reviewer/filer/readonly")
    password_hash: Mapped[str | None] = mapped_column(Text, comment="argon2id 密码散列")
    active: Mapped[bool] = mapped_column(Boolean, default=True, comment="是否启用")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    password_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), comment="密码设置时间")
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), comment="停用时间")

    unit: Mapped[Unit] = relationship()


class UserEvent(Base):
    """Append-only: who added, changed or disabled a user, and when."""

    __tablename__ = "user_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(64), comment="操作人")
    action: Mapped[str] = mapped_column(String(16), comment="add/role/password/disable")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, comment="变更内容 {字段: [旧, 新]}")


class WebSession(Base):
    """A signed-in browser; the cookie holds the session id, the table only its digest."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True, comment="会话ID的 SHA-256")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64), comment="本会话表单的 CSRF 令牌")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True, comment="过期时间")
    address: Mapped[str | None] = mapped_column(String(64), comment="登录地址")


class LoginAttempt(Base):
    """One sign-in attempt (成功或失败), for throttling by account and by address."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_name_at", "name", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    name: Mapped[str] = mapped_column(String(64), comment="输入的用户名（规范化）")
    address: Mapped[str] = mapped_column(String(64), comment="客户端地址")
    success: Mapped[bool] = mapped_column(Boolean, default=False)
