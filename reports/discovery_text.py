"""The circular's numbered problems from discovery and the audit, and its sentence on the
searches, composed from stored results (never in the template).

- 瞒报漏报、私开账号 (``unfiled_accounts``): accounts a person confirmed as unfiled
  (``govmedia discover confirm``) that were found up to the window's end, e.g.
  "排查发现未备案账号3个（新浪微博2个、哔哩哔哩1个），涉及2个单位，包括「平安城关」「城关教育」。";
- 失管脱管、建而不管 (``unmanaged_accounts``): the audit's findings on filed accounts as of
  the window's end (``monitor.discovery.audit``) that say a filing no longer describes what runs
  on the platform — gone on the platform but filed as active, renamed without a 变更备案, closed
  or cancelled but still active. Missing contacts and failing collection stay in
  ``govmedia registry audit``: they are the registry's upkeep, not a unit's account problem.

An empty list means nothing to report; the numbering continues the check's problems. The
collected data and the searches are read up to the window's end; the filings as they are now
(the registry keeps their current status).
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy.orm import Session

from monitor.discovery.audit import audit
from registry.discovery.facts import search_counts, unfiled_candidates
from registry.timeutil import day_end, day_start
from registry.vocab import AUDIT_KIND, DISCOVERY_PROBLEM
from reports.circular_text import Problem
from reports.text import join_counts, platform_name
from reports.window import Window

CIRCULAR_KINDS = ("ended_but_active", "gone_on_platform", "renamed_on_platform")


def discovery_problems(session: Session, window: Window) -> list[Problem]:
    """The problems found outside the checks, for the circular's ``extra_problems``: the
    unfiled accounts a person confirmed, and the filed accounts whose filing no longer
    describes what runs on the platform."""
    until = day_end(window.end)
    problems = []
    unfiled = unfiled_candidates(session, until=until)
    if unfiled:
        titles = tuple(sorted({_title(r.get("unit"), r["name"], r["platform"]) for r in unfiled}))
        units = len({r["unit_id"] for r in unfiled if r["unit_id"] is not None})
        by_platform = Counter(platform_name(r["platform"]) for r in unfiled)
        detail = join_counts(sorted(by_platform.items(), key=lambda kv: (-kv[1], kv[0])))
        problems.append(_problem("unfiled_accounts", titles, units, detail))
    findings = audit(session, now=until, kinds=CIRCULAR_KINDS)
    if findings:
        titles = tuple(sorted({_title(f["unit"], f["name"], f["platform"]) for f in findings}))
        units = len({f["unit"] for f in findings})
        by_kind = Counter(f["kind"] for f in findings)
        detail = join_counts([(AUDIT_KIND.label(k), by_kind[k]) for k in CIRCULAR_KINDS])
        problems.append(_problem("unmanaged_accounts", titles, units, detail))
    return problems


def _problem(rule: str, titles: tuple[str, ...], units: int, detail: str) -> Problem:
    return Problem(rule, DISCOVERY_PROBLEM.label(rule), "other", titles, units, detail)


def _title(unit: str | None, name: str, platform: str) -> str:
    """兰州市人民政府“兰州发布”新浪微博账号 (without a known unit: “兰州发布”新浪微博账号)."""
    return f"{unit or ''}“{name}”{platform_name(platform)}账号"


def discovery_text(session: Session, window: Window) -> str:
    """How the window's searches went; blocked or failed searches are named, because a query
    that could not be searched found nothing only for want of an answer."""
    counts = search_counts(session, since=day_start(window.start), until=day_end(window.end))
    if not counts["searches"]:
        return ""
    text = (
        f"本期开展未备案账号排查，在{counts['regions']}个行政区划内对{counts['queries']}个搜索词"
        f"进行平台搜索，完成{counts['searched_queries']}个"
    )
    if counts["unsearched_queries"]:
        blocked = counts["outcomes"].get("blocked", 0)
        text += (
            f"；{counts['unsearched_queries']}个因平台拦截（{blocked}次）或搜索失败未能完成，"
            "不能据此认定没有未备案账号"
        )
    return text + "。"
