"""What every rule sees and how rules are declared.

A rule is a plain function ``check(account, ctx, cfg) -> list[evidence]``, declared with
``@rule(code, level)``; its Chinese name is the vocabulary's (``registry.vocab.RULE``), so
a rule has one name in every output. It reads only the facts of one account (``AccountFacts``), the
check's context (``Context``: the check time ``at``, injected, and the window) and its own
table of the profile (``cfg``). It returns one evidence dict per finding (usually zero or
one), in the documented shape of ``registry.check_models``. The engine adds the rule code,
the level the profile gives it, the points and the review status: ``candidate`` for
judgement rules (a person must confirm), ``confirmed`` for mechanical ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from registry.timeutil import TZ, local_iso
from registry.vocab import RULE

Evidence = dict[str, Any]


@dataclass(slots=True)
class PostFacts:
    """One post of the window. ``published_at`` is the earliest moment it can have been
    published and ``latest`` the latest (the same for an exact time; ``approx`` says which)."""

    id: int
    published_at: datetime
    title: str | None = None
    url: str | None = None
    is_repost: bool | None = None
    engagement: int = 0
    copied: bool = False  # a near-duplicate of an earlier post by another account
    key_relay: int | None = None  # id of the key release this post relays
    hits: Sequence[tuple[str, str, str | None]] = ()  # lexicon hits: (phrase, kind, correct)
    latest: datetime | None = None  # None: the same as published_at
    approx: bool = False

    @property
    def latest_at(self) -> datetime:
        return self.latest or self.published_at


@dataclass
class AccountFacts:
    id: int
    unit_id: int = 0
    unit: str = ""
    level: str = "county"
    kind: str = "government"
    region: str = ""
    platform: str = "weibo"
    name: str = ""
    status: str = "active"
    status_at: datetime | None = None
    filed_verified: bool | None = None
    approved_at: datetime | None = None
    opened_at: datetime | None = None  # the opening (registry.filing.history.opening)
    opening_basis: str = "filed"  # opened_on / first_post / filed
    filing_reason: str | None = None  # the reason recorded with the filing
    collection: str = "collected"
    last_post_at: datetime | None = None  # the latest possible moment of the newest post
    last_post_approx: bool = False  # the newest post's time is approximate
    last_post_earliest: datetime | None = None
    last_post: PostFacts | None = None
    posts: list[PostFacts] = field(default_factory=list)  # published in the window, time order
    recent_posts: int = 0  # posts in the shell-account span before ``at``
    snapshot: dict[str, Any] | None = None
    duplicates: list[int] = field(default_factory=list)  # same unit, same platform
    # per other account of the pair: {"reason": str | None, "decision": str | None}
    duplicate_pairs: dict[int, dict[str, Any]] = field(default_factory=dict)
    overlap: float = 0.0  # share of posts shared with accounts of the same unit/region
    partners: list[int] = field(default_factory=list)
    relays: list[dict[str, Any]] = field(default_factory=list)  # due key releases and the outcome


@dataclass
class Context:
    at: datetime
    window_from: datetime
    window_to: datetime

    @property
    def window_days(self) -> float:
        return max((self.window_to - self.window_from) / timedelta(days=1), 1e-9)


Check = Callable[[AccountFacts, Context, dict[str, Any]], list[Evidence]]


@dataclass(frozen=True)
class Rule:
    code: str
    level: str
    judgement: bool
    needs_collection: bool
    check: Check
    observed: bool = False  # only an inspector can judge it (recorded with ``observe import``)

    @property
    def name(self) -> str:
        return RULE.label(self.code)

    @property
    def doc(self) -> str:
        return (self.check.__doc__ or "").strip()


RULES: dict[str, Rule] = {}


def rule(
    code: str, level: str, *, judgement: bool = False, needs_collection: bool = True, observed: bool = False
) -> Callable[[Check], Check]:
    """Register a rule under its stable code (which must be in the vocabulary). ``observed``
    rules find nothing themselves: their findings come from inspectors' records."""
    assert code in RULE, f"rule {code} has no name in registry.vocab.RULE"

    def register(func: Check) -> Check:
        RULES[code] = Rule(code, level, judgement, needs_collection and not observed, func, observed)
        return func

    return register


def post_evidence(post: PostFacts) -> dict[str, Any]:
    ev: dict[str, Any] = {
        "post_id": post.id,
        "title": post.title,
        "url": post.url,
        "published_at": local_iso(post.published_at),
    }
    if post.approx:
        ev["approximate"] = True
        ev["published_latest"] = local_iso(post.latest_at)
    return ev


def days(delta: timedelta) -> float:
    """A duration in days, rounded to 0.01 for display (never used in a comparison)."""
    return round(delta / timedelta(days=1), 2)


def whole_days(delta: timedelta) -> int:
    """Whole days of a duration (14 days and 23 hours is 14 days)."""
    return max(0, int(delta // timedelta(days=1)))


def cn_time(value: datetime) -> str:
    """2026年11月9日 14:06 (Beijing time)."""
    local = value.astimezone(TZ)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def cn_day(value: datetime) -> str:
    local = value.astimezone(TZ)
    return f"{local.year}年{local.month}月{local.day}日"
