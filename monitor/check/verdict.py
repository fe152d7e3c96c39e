"""The verdict of one account in one check (合格 / 不合格 / 未能采集), and why.

This is the only place a verdict is decided; the check stores it with its reason and every
output (``check show``, the check report, the circular, notices, the ledger, the demo
summary, alerts) reads what was stored. A person's review (confirming or dismissing a
finding) decides again with the same function.

Only *confirmed* findings count; candidate (待复核) and dismissed (已排除) ones never do.

1. A *confirmed* finding of level 单项否决 (``veto``) makes the account **不合格**.
2. Otherwise, when the profile scores accounts (``[scoring] enabled``), a score below
   ``[scoring] pass`` (default 60) makes it **不合格**; the score is ``full`` (default 100)
   minus the points of the confirmed deductions, never below 0.
3. Otherwise an account whose collection did not reach the check time (``never``, ``failed``
   or ``stale``: ``monitor.check.collection.collection_state``) is **未能采集** (``uncollected``):
   a failed crawl is not an inactive account, and nothing short of a collection proves that
   it is qualified.
4. Otherwise it is **合格**.

An account that could not be collected is judged only on what stands without its posts: the
inspectors' records (``observe import``) and the registry's own facts (the rules that need no
collection, such as ``duplicate_account``); the check never runs the post rules on it. So an
account known only from an inspector's record is judged on that record: a confirmed veto
observation makes it 不合格, and otherwise it is 未能采集.

The reason is stored as ``{"basis": "veto", "rules": [...]}``, ``{"basis": "score",
"score": 55.0, "pass": 60.0}``, ``{"basis": "collection", "collection": "failed"}`` or
``{"basis": "passed"}``; a veto or score reason of an uncollected account also carries
``"collection"`` (e.g. ``{"basis": "veto", "rules": ["no_interaction"], "collection": "never"}``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Verdict:
    verdict: str  # qualified / unqualified / uncollected
    score: float | None
    reason: dict[str, Any] = field(default_factory=dict)


def judge(collection: str, findings: Iterable[dict[str, Any]], scoring: dict[str, Any] | None) -> Verdict:
    """The verdict from the collection state and the findings' level, status and points."""
    counted = [f for f in findings if f["status"] == "confirmed"]
    scored = bool(scoring and scoring.get("enabled"))
    score: float | None = None
    bar = float((scoring or {}).get("pass", 60))
    if scored:
        full = float((scoring or {}).get("full", 100))
        lost = sum(float(f.get("points") or 0) for f in counted)
        score = round(max(0.0, full - lost), 2)
    extra = {} if collection == "collected" else {"collection": collection}
    vetoes = sorted({f["rule"] for f in counted if f["level"] == "veto"})
    if vetoes:
        return Verdict("unqualified", score, {"basis": "veto", "rules": vetoes, **extra})
    if score is not None and score < bar:
        return Verdict("unqualified", score, {"basis": "score", "score": score, "pass": bar, **extra})
    if collection != "collected":
        return Verdict("uncollected", score, {"basis": "collection", "collection": collection})
    return Verdict("qualified", score, {"basis": "passed"})
