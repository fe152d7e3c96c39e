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

from registry.timeutil import local_iso
from registry.vocab import RULE

Evidence = dict[str, Any]


@dataclass(slots=True)
class PostFacts:
    id: int
    published_at: datetime
    title: str | None = None
    url: str | None = None
    is_repost: bool | None = None
    engagement: int = 0
    copied: bool = False  # a near-duplicate of an earlier post by another account
    key_relay: int | None = None  # id of the key release this post relays
    hits: Sequence[tuple[str, str, str | None]] = ()  # lexicon hits: (phrase, kind, correct)


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
    collection: str = "collected"
    last_post_at: datetime | None = None
    last_post: PostFacts | None = None
    posts: list[PostFacts] = field(default_factory=list)  # published in the window, time order
    recent_posts: int = 0  # posts in the shell-account span before ``at``
    snapshot: dict[str, Any] | None = None
    duplicates: list[int] = field(default_factory=list)  # same unit, same platform
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

    @property
    def name(self) -> str:
        return RULE.label(self.code)

    @property
    def doc(self) -> str:
        return (self.check.__doc__ or "").strip()


RULES: dict[str, Rule] = {}


def rule(
    code: str, level: str, *, judgement: bool = False, needs_collection: bool = True
) -> Callable[[Check], Check]:
    """Register a rule under its stable code (which must be in the vocabulary)."""
    assert code in RULE, f"rule {code} has no name in registry.vocab.RULE"

    def register(func: Check) -> Check:
        RULES[code] = Rule(code, level, judgement, needs_collection, func)
        return func

    return register


def post_evidence(post: PostFacts) -> dict[str, Any]:
    return {
        "post_id": post.id,
        "title": post.title,
        "url": post.url,
        "published_at": local_iso(post.published_at),
    }


def days(delta: timedelta) -> float:
    return round(delta / timedelta(days=1), 2)
