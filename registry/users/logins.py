"""Signing in and out of the workbench: password checks with throttling, and web sessions.

**Throttling** is kept in the database (``login_attempts``), so it holds across server
processes and restarts: after ``Throttle.per_name`` failed attempts for one user name, or
``Throttle.per_address`` for one client address, within ``Throttle.window_minutes``, every
attempt for that name or from that address is refused, even with the right password, until
the window has passed. Unknown names are counted like known ones and get the same answer in
the same time (a dummy hash is checked), so the form never tells whether a user exists.

**Sessions**: the browser's cookie holds a random session id (256 bits); the table keeps only
its SHA-256 digest, with the session's CSRF token and expiry. Signing out, changing the
password or role, or disabling the user ends the session.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from registry.db import utcnow
from registry.users.models import LoginAttempt, User, WebSession
from registry.users.store import verify_password

FAILED = "用户名或密码错误"
LOCKED = "登录失败次数过多，请稍后再试（{minutes} 分钟内不能登录）"


@dataclass(frozen=True)
class Throttle:
    """How many failures lock a name or an address, and for how long."""

    per_name: int = 5
    per_address: int = 20
    window_minutes: int = 15


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: the user, or the one Chinese line the form shows."""

    user: User | None
    message: str = ""


def name_key(typed: str) -> str:
    """The throttling key of a typed user name (width and case folded, at most 64 characters)."""
    return unicodedata.normalize("NFKC", typed).strip().lower()[:64]


def sign_in(
    session: Session,
    *,
    name: str,
    password: str,
    address: str,
    throttle: Throttle = Throttle(),
    now: datetime | None = None,
) -> SignIn:
    """Check a name and password, record the attempt, and answer (never saying which was wrong)."""
    now = now or utcnow()
    key, address = name_key(name), (address or "unknown")[:64]
    since = now - timedelta(minutes=throttle.window_minutes)
    user = session.scalar(select(User).where(User.name == name.strip())) if name.strip() else None
    matches = verify_password(user.password_hash if user is not None else None, password)
    locked = _failures(session, LoginAttempt.name == key, since) >= throttle.per_name or (
        _failures(session, LoginAttempt.address == address, since) >= throttle.per_address
    )
    ok = matches and user is not None and user.active and not locked
    session.add(LoginAttempt(at=now, name=key, address=address, success=ok))
    if locked:
        return SignIn(None, LOCKED.format(minutes=throttle.window_minutes))
    return SignIn(user if ok else None, "" if ok else FAILED)


def _failures(session: Session, where: object, since: datetime) -> int:
    query = select(func.count(LoginAttempt.id)).where(
        where,  # type: ignore[arg-type]
        LoginAttempt.at >= since,
        LoginAttempt.success.is_(False),
    )
    return session.scalar(query) or 0


def digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def open_session(
    session: Session, user: User, *, hours: float, address: str, now: datetime | None = None
) -> tuple[str, str]:
    """Start a web session for ``user``: returns (session id for the cookie, CSRF token)."""
    now = now or utcnow()
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(
        WebSession(
            digest=digest(session_id),
            user_id=user.id,
            csrf_token=csrf,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
            address=(address or "")[:64],
        )
    )
    session.execute(delete(WebSession).where(WebSession.expires_at < now))  # forget expired ones
    return session_id, csrf


@dataclass(frozen=True)
class Signed:
    """A live session: its user and the CSRF token of its forms."""

    user: User
    csrf_token: str


def current(session: Session, session_id: str | None, *, now: datetime | None = None) -> Signed | None:
    """The session of a cookie's id, if it exists, has not expired and its user is active."""
    if not session_id or len(session_id) > 128:
        return None
    now = now or utcnow()
    row = session.scalar(select(WebSession).where(WebSession.digest == digest(session_id)))
    if row is None or row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return Signed(user, row.csrf_token)


def close_session(session: Session, session_id: str | None) -> None:
    if session_id:
        session.execute(delete(WebSession).where(WebSession.digest == digest(session_id)))
