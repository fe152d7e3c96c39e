"""Adding and changing users (``govmedia user add|passwd|role|disable``), and their passwords.

Passwords are hashed with argon2id (argon2-cffi's defaults: 64 MiB, 3 passes); the hash is
the only thing stored and no function here returns or prints a password. Every change
appends a ``UserEvent`` naming who made it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import validation as v
from registry.db import utcnow
from registry.errors import Conflict, InvalidValue, NotFound
from registry.filing.units import live_unit
from registry.users.models import User, UserEvent, WebSession
from registry.vocab import USER_ROLE

MIN_PASSWORD = 8
MAX_PASSWORD = 256
HIDDEN = "（已隐藏）"  # what an error shows instead of a password


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id by default


def hash_password(password: str) -> str:
    """The argon2id hash of a password that meets the policy (InvalidValue otherwise)."""
    check_password(password)
    return str(_hasher().hash(password))


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidValue("密码", HIDDEN, f"至少 {MIN_PASSWORD} 个字符")
    if len(password) > MAX_PASSWORD:
        raise InvalidValue("密码", HIDDEN, f"不能超过 {MAX_PASSWORD} 个字符")
    if password.strip() != password or not password.isprintable():
        raise InvalidValue("密码", HIDDEN, "不能以空格开头或结尾，也不能含控制字符")


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored``; with no stored hash a dummy hash is checked, so
    an unknown user and a wrong password take the same time."""
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(_hasher().verify(stored or _dummy(), password)) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


_DUMMY: list[str] = []


def _dummy() -> str:
    if not _DUMMY:
        _DUMMY.append(_hasher().hash("govmedia-no-such-user"))
    return _DUMMY[0]


def user_name(value: str) -> str:
    name = v.text(value, "用户名", max_len=64)
    if any(c.isspace() for c in name):
        raise InvalidValue("用户名", value, "不能含空格")
    return name


def find_user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == str(name).strip()))
    if user is None:
        raise NotFound("用户名", name, "用户")
    return user


def add_user(session: Session, *, name: str, unit: str, role: str, password: str | None, actor: str) -> User:
    """Register a user of ``unit`` with ``role`` (code or Chinese label); without a password
    the user cannot sign in until one is set (``set_password``)."""
    clean = user_name(name)
    owner = live_unit(session, unit, "--unit")
    code = USER_ROLE.code(role, "--role")
    if session.scalar(select(User.id).where(User.name == clean)) is not None:
        raise Conflict("用户名", clean, "该用户已存在")
    now = utcnow()
    user = User(
        name=clean,
        unit_id=owner.id,
        role=code,
        password_hash=hash_password(password) if password is not None else None,
        password_at=now if password is not None else None,
        active=True,
        created_at=now,
    )
    session.add(user)
    session.flush()
    changes = {"unit": [None, owner.name], "role": [None, code], "password": [None, password is not None]}
    session.add(UserEvent(actor=actor, action="add", user_id=user.id, changes=changes))
    return user


def set_password(session: Session, name: str, *, password: str, actor: str) -> User:
    """Set a user's password; its open web sessions end."""
    user = find_user(session, name)
    user.password_hash = hash_password(password)
    user.password_at = utcnow()
    _end_sessions(session, user.id)
    session.add(UserEvent(actor=actor, action="password", user_id=user.id, changes={}))
    return user


def set_role(session: Session, name: str, *, role: str, actor: str) -> User:
    """Change a user's role; its open web sessions end (they carried the old rights)."""
    user = find_user(session, name)
    code = USER_ROLE.code(role, "ROLE")
    if code == user.role:
        raise InvalidValue("ROLE", role, f"用户「{user.name}」已是{USER_ROLE.label(code)}")
    session.add(UserEvent(actor=actor, action="role", user_id=user.id, changes={"role": [user.role, code]}))
    user.role = code
    _end_sessions(session, user.id)
    return user


def disable_user(session: Session, name: str, *, actor: str) -> User:
    """停用 a user: it can no longer sign in and its open sessions end. The record stays (the
    audit trail names it)."""
    user = find_user(session, name)
    if not user.active:
        raise Conflict("用户名", user.name, "该用户已停用")
    user.active = False
    user.disabled_at = utcnow()
    _end_sessions(session, user.id)
    session.add(UserEvent(actor=actor, action="disable", user_id=user.id, changes={"active": [True, False]}))
    return user


def _end_sessions(session: Session, user_id: int) -> None:
    for open_session in session.scalars(select(WebSession).where(WebSession.user_id == user_id)):
        session.delete(open_session)
