"""Reading users: the list (``govmedia user list``), one user's scope, and who an actor is."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.filing.models import Unit
from registry.timeutil import local_iso
from registry.users.access import Scope, UnitTree, scope_of
from registry.users.models import User

USER_KEYS = ("id", "name", "unit", "unit_id", "role", "active", "created_at", "password_set")


def list_users(session: Session) -> list[dict[str, Any]]:
    """Every user (``USER_KEYS``), by id; never the password hash."""
    query = select(User, Unit.name).join(Unit, Unit.id == User.unit_id).order_by(User.id)
    return [
        {
            "id": u.id,
            "name": u.name,
            "unit": unit,
            "unit_id": u.unit_id,
            "role": u.role,
            "active": u.active,
            "created_at": local_iso(u.created_at),
            "password_set": u.password_hash is not None,
        }
        for u, unit in session.execute(query)
    ]


def user_scope(session: Session, user: User, tree: UnitTree | None = None) -> Scope:
    """The user's role and jurisdiction (its unit's subtree)."""
    tree = tree or UnitTree.load(session)
    return scope_of(tree, user_id=user.id, name=user.name, role=user.role, unit_id=user.unit_id)


def registered(session: Session, name: str) -> User | None:
    """The registered user of that name, if any (the CLI's ``--user`` may name one)."""
    if not name or not name.strip():
        return None
    return session.scalar(select(User).where(User.name == name.strip()))


def user_labels(session: Session, names: list[str]) -> dict[str, tuple[str, str]]:
    """For actors that are registered users: name → (unit name, role code)."""
    wanted = sorted({n for n in names if n})
    if not wanted:
        return {}
    query = select(User.name, Unit.name, User.role).join(Unit, Unit.id == User.unit_id)
    return {n: (unit, role) for n, unit, role in session.execute(query.where(User.name.in_(wanted)))}
