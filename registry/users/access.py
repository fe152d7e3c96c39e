"""Who may do what to which object: roles, jurisdiction and the approval rule.

- A user's **jurisdiction** (管辖范围) is its unit's subtree: the unit and every unit below it
  (``Unit.parent_id``). It sees only the accounts, findings and ledger items of those units;
  anything else answers as if it did not exist.
- **Roles** (``registry.vocab.USER_ROLE``) decide the actions, always within the jurisdiction:

  ============  ==============================================================
  admin         系统管理员: sees its jurisdiction (users are managed with ``govmedia user``);
                changes, refiles, closes and cancels its jurisdiction's accounts
  supervisor    监管人员: approves or rejects filings that its level receives; changes,
                refiles, closes and cancels its jurisdiction's accounts; closes or
                reopens rectification items, downloads the check reports
  reviewer      复核人员: confirms or dismisses candidate findings
  filer         填报人员: files, changes, refiles, closes and cancels its own unit's
                accounts, answers its own unit's rectification items
  readonly      只读: reads its jurisdiction
  ============  ==============================================================

- **A filer acts for its own unit only** (``OWN_UNIT``), not for the units below it: a county's
  filer sees its townships' accounts but does not file, change, close or cancel them (谁开设、
  谁主办: each township files its own, through its own filer); the 监管人员 or 系统管理员 above
  may change them within their jurisdiction. The life-cycle steps (变更 ``change``, 重新报备
  ``refile``, 关停 ``close``, 注销 ``cancel``) are the CLI's ``account …`` commands; whether the
  account's state allows a step is the filing workflow's to say (409), not this module's.

- **The approval rule** (分级备案: each level files with the level above): a filing of unit U
  is approved (or rejected) only by a 监管人员 whose unit is the unit U files with, or a unit
  of the same level above that unit within the supervisor's jurisdiction. U files with its
  parent unit, or, when the office configures ``approval_level`` (省级/市州/县区), with its
  nearest ancestor of that level (its parent when it has none). A unit at the top of the
  tree files with itself.

Everything here is a plain decision over plain values; ``UnitTree`` is read once per request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.filing.models import Unit
from registry.vocab import UNIT_LEVEL, USER_ROLE

ROLES = USER_ROLE.codes
LIFE_CYCLE = frozenset({"filer", "supervisor", "admin"})  # 变更、重新报备、关停、注销 an account
# action → the roles that may take it (inside the jurisdiction; some also need their own unit)
ACTIONS: dict[str, frozenset[str]] = {
    "view": frozenset(ROLES),
    "file": frozenset({"filer"}),
    "change": LIFE_CYCLE,
    "refile": LIFE_CYCLE,
    "close": LIFE_CYCLE,
    "cancel": LIFE_CYCLE,
    "approve": frozenset({"supervisor"}),
    "reject": frozenset({"supervisor"}),
    "review": frozenset({"reviewer"}),
    "rectify": frozenset({"filer"}),
    "close_item": frozenset({"supervisor"}),
    "reopen_item": frozenset({"supervisor"}),
    "check_report": frozenset({"supervisor", "admin"}),
}
# actions a filer takes for its own unit only (other roles: anywhere in their jurisdiction)
OWN_UNIT = frozenset({"file", "change", "refile", "close", "cancel", "rectify"})
PARENT = "parent"


@dataclass
class UnitTree:
    """Every unit's parent, level and name: subtrees, ancestors and the approval rule."""

    parent: dict[int, int | None] = field(default_factory=dict)
    level: dict[int, str] = field(default_factory=dict)
    name: dict[int, str] = field(default_factory=dict)
    children: dict[int, list[int]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> UnitTree:
        tree = cls()
        for uid, parent, level, name in session.execute(
            select(Unit.id, Unit.parent_id, Unit.level, Unit.name)
        ):
            tree.parent[uid], tree.level[uid], tree.name[uid] = parent, level, name
            if parent is not None:
                tree.children.setdefault(parent, []).append(uid)
        return tree

    def subtree(self, unit_id: int) -> frozenset[int]:
        """The unit and every unit below it."""
        seen = {unit_id}
        stack = [unit_id]
        while stack:
            for child in self.children.get(stack.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        return frozenset(seen)

    def ancestors(self, unit_id: int) -> list[int]:
        """The units above, nearest first."""
        out: list[int] = []
        current = self.parent.get(unit_id)
        while current is not None and current not in out:
            out.append(current)
            current = self.parent.get(current)
        return out

    def files_with(self, unit_id: int, approval_level: str = PARENT) -> int:
        """The unit that approves the filings of ``unit_id`` (see the module docstring)."""
        above = self.ancestors(unit_id)
        if not above:
            return unit_id
        if approval_level != PARENT:
            for ancestor in above:
                if self.level.get(ancestor) == approval_level:
                    return ancestor
        return above[0]


@dataclass(frozen=True)
class Scope:
    """A signed-in user as the authorisation sees it: role, unit and jurisdiction."""

    user_id: int
    name: str
    role: str
    unit_id: int
    unit_name: str
    units: frozenset[int]
    everything: bool  # the jurisdiction holds every unit of the registry

    @property
    def unit_ids(self) -> list[int] | None:
        """The jurisdiction as a filter: None when it is the whole registry."""
        return None if self.everything else sorted(self.units)

    def covers(self, unit_id: int | None) -> bool:
        return unit_id is not None and unit_id in self.units

    def may(self, action: str) -> bool:
        """Whether the role may take ``action`` at all (the object is checked separately)."""
        return self.role in ACTIONS[action]

    @property
    def role_label(self) -> str:
        return USER_ROLE.label(self.role)


def scope_of(tree: UnitTree, *, user_id: int, name: str, role: str, unit_id: int) -> Scope:
    units = tree.subtree(unit_id)
    return Scope(
        user_id=user_id,
        name=name,
        role=role,
        unit_id=unit_id,
        unit_name=tree.name.get(unit_id, str(unit_id)),
        units=units,
        everything=len(units) >= len(tree.parent),
    )


@dataclass(frozen=True)
class Decision:
    """The answer to "may this user do this to this object": ``allowed``; otherwise
    ``hidden`` (outside the jurisdiction: answer as if it did not exist, 404) or a Chinese
    ``reason`` why the role or level may not (403)."""

    allowed: bool
    hidden: bool = False
    reason: str = ""


ALLOWED = Decision(True)
HIDDEN = Decision(False, hidden=True, reason="找不到该对象，或不在您的管辖范围内")


def decide(
    scope: Scope,
    action: str,
    unit_id: int | None,
    *,
    tree: UnitTree | None = None,
    approval_level: str = PARENT,
) -> Decision:
    """May ``scope`` take ``action`` on an object of unit ``unit_id``?"""
    if not scope.covers(unit_id):
        return HIDDEN
    assert unit_id is not None
    if not scope.may(action):
        allowed = "、".join(USER_ROLE.label(r) for r in ROLES if r in ACTIONS[action])
        return Decision(False, reason=f"您的角色是「{scope.role_label}」，只有{allowed}可以进行此操作")
    if action in OWN_UNIT and scope.role == "filer" and unit_id != scope.unit_id:
        return Decision(False, reason=f"填报人员只能办理本单位（{scope.unit_name}）的事项")
    if action in ("approve", "reject"):
        assert tree is not None, "the approval rule needs the unit tree"
        return _approval(scope, tree, unit_id, approval_level)
    return ALLOWED


def _approval(scope: Scope, tree: UnitTree, unit_id: int, approval_level: str) -> Decision:
    approver = tree.files_with(unit_id, approval_level)
    mine = scope.unit_id
    same_level = tree.level.get(approver) == tree.level.get(mine)
    if approver == mine or (same_level and approver in tree.subtree(mine)):
        return ALLOWED
    level = UNIT_LEVEL.label(tree.level.get(approver, ""))
    return Decision(
        False,
        reason=f"该报备应由「{tree.name.get(approver, approver)}」（{level}）的监管人员审核（分级备案）",
    )


def approval_level_code(value: str | None) -> str:
    """``parent`` or a unit level code, from what the configuration says (code or label)."""
    if value is None or not str(value).strip() or str(value).strip().lower() in (PARENT, "上级单位"):
        return PARENT
    return UNIT_LEVEL.code(value, "approval_level")


def approvable_units(scope: Scope, tree: UnitTree, approval_level: str = PARENT) -> list[int]:
    """The units (of the jurisdiction) whose filings ``scope`` may approve."""
    if not scope.may("approve"):
        return []
    return [u for u in sorted(scope.units) if _approval(scope, tree, u, approval_level).allowed]


def unit_names(tree: UnitTree, ids: Iterable[int]) -> list[str]:
    return [tree.name[i] for i in ids if i in tree.name]
