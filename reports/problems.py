"""The circular's annex rows (附件1 问题账号清单) and its manual follow-up list (附件2).

One annex row per account and rule: the latest confirmed veto or deduct finding of that
rule for that account among the window's judged results. Rows are ordered by 市州, 县区,
unit, account and rule (vetoes first). The description is written from the figures the rule
stored (``reports.wording.describe``); the 最近更新日期 is a date; the evidence link is the
first post the finding rests on, else the account's filed link (in full in the .xlsx,
shortened in Word). The follow-up list says why each account could not be collected: the
outcome of its latest collection attempt (被平台拦截, 凭据失效, 账号已不可用 …) and when it was
last collected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from registry.checks.window import FindingRow
from registry.collection.activity import Activity
from registry.filing.queries import AccountBrief
from registry.vocab import COLLECTION_STATE, OUTCOME
from reports.groups import Regions
from reports.text import platform_name, rule_label
from reports.window import WindowFacts
from reports.wording import account_title, describe, local_day, mainland_quotes

LEVEL_ORDER = {"veto": 0, "deduct": 1, "warn": 2, "info": 3}
SHORT_LINK = 36


@dataclass
class AnnexRow:
    """附件1的一行: 序号, 地区/主办单位, 账号名称, 平台, 问题类型, 问题描述, 最近更新日期, 证据链接."""

    no: int
    region_unit: str
    account: str
    platform: str
    problem: str
    description: str
    last_update: str
    evidence: str  # the full link (.xlsx, ledger)
    account_id: int
    unit_id: int
    unit: str
    rule: str
    level: str
    title: str = ""  # 兰州市人民政府“兰州发布”新浪微博账号
    link: str = ""  # the link shortened for print (Word)


@dataclass
class UncollectedRow:
    """附件2的一行: an account that could not be collected, for manual follow-up."""

    no: int
    region_unit: str
    account: str
    platform: str
    detail: str
    account_id: int
    collection: str = "failed"  # never / failed


def safe_link(value: object) -> str:
    """Only http(s) links are shown; anything else (javascript:, data:) becomes empty."""
    text = str(value or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else ""


def short_link(url: str, limit: int = SHORT_LINK) -> str:
    """'https://m.weibo.cn/detail/5600000133' → 'm.weibo.cn/detail/5600000133'; a longer one
    keeps its host and its end: 'mp.weixin.qq.com/…/Ab3xYz'."""
    if not url:
        return ""
    parts = urlsplit(url)
    rest = parts.path + (f"?{parts.query}" if parts.query else "")
    whole = (parts.netloc + rest).rstrip("/")
    if len(whole) <= limit:
        return whole
    room = max(8, limit - len(parts.netloc) - 2)
    tail = ""
    for segment in reversed(rest.strip("/").split("/")):
        candidate = f"{segment}/{tail}" if tail else segment
        if len(candidate) > room:
            break
        tail = candidate
    return f"{parts.netloc}/…/{tail}" if tail else f"{parts.netloc}/…{rest.rstrip('/')[-room:]}"


def evidence_link(finding: FindingRow, account: AccountBrief) -> str:
    for post in (finding.evidence or {}).get("posts") or []:
        link = safe_link(post.get("url")) if isinstance(post, dict) else ""
        if link:
            return link
    return safe_link(account.url)


def last_update(finding: FindingRow, facts: WindowFacts) -> str:
    raw: Any = (finding.evidence or {}).get("last_post_at")
    day = local_day(raw) if raw else ""
    if not day:
        seen = facts.last_post.get(finding.account_id)
        day = local_day(seen) if seen else ""
    return day or "—"


def _latest(facts: WindowFacts) -> dict[tuple[int, str], FindingRow]:
    order = {r.id: (r.at, r.id) for r in facts.runs}
    latest: dict[tuple[int, str], FindingRow] = {}
    for f in facts.problems:
        key = (f.account_id, f.rule)
        if key not in latest or order[f.run_id] > order[latest[key].run_id]:
            latest[key] = f
    return latest


def annex_rows(
    facts: WindowFacts, accounts: dict[int, AccountBrief], regions: Regions, *, decimals: int = 2
) -> list[AnnexRow]:
    rows = []
    for (account_id, rule), finding in _latest(facts).items():
        account = accounts[account_id]
        unit = regions.units[account.unit_id]
        platform = platform_name(account.platform)
        others = [accounts[i].name for i in (finding.evidence or {}).get("accounts") or [] if i in accounts]
        link = evidence_link(finding, account)
        rows.append(
            AnnexRow(
                0,
                regions.place(unit),
                mainland_quotes(account.name),
                platform,
                rule_label(rule),
                describe(rule, finding.evidence, name=account.name, others=others, decimals=decimals),
                last_update(finding, facts),
                link,
                account_id,
                unit.id,
                unit.name,
                rule,
                finding.level,
                account_title(unit.name, account.name, platform),
                short_link(link),
            )
        )
    rows.sort(
        key=lambda r: (
            *_place_key(r, regions),
            r.unit,
            r.account,
            r.account_id,
            LEVEL_ORDER.get(r.level, 9),
            r.rule,
        )
    )
    for no, row in enumerate(rows, start=1):
        row.no = no
    return rows


def referenced_accounts(facts: WindowFacts) -> set[int]:
    """Accounts the annex names: the problem accounts and the ones their evidence points to."""
    ids = {f.account_id for f in facts.problems} | set(facts.uncollected)
    for f in facts.problems:
        ids |= {i for i in (f.evidence or {}).get("accounts") or [] if isinstance(i, int)}
    return ids


def _place_key(row: AnnexRow, regions: Regions) -> tuple[str, str]:
    unit = regions.units[row.unit_id]
    county = regions.county(unit)
    return regions.city(unit)[0], county[0] if county else ""


def collection_detail(collection: str, activity: Activity | None) -> str:
    """'被平台拦截，最近一次成功采集为2026年8月3日' / '凭据失效，从未成功采集' / '采集过期，…'."""
    why = OUTCOME.label(activity.last_outcome) if activity and activity.last_outcome else "采集失败"
    if collection == "stale" or why in (OUTCOME.label("ok"), OUTCOME.label("empty")):
        why = COLLECTION_STATE.label("stale") if collection == "stale" else "采集失败"  # no attempt since
    last: datetime | None = activity.last_success if activity else None
    if collection == "never" or last is None:
        return f"{why}，从未成功采集"
    return f"{why}，最近一次成功采集为{local_day(last)}"


def uncollected_rows(
    facts: WindowFacts,
    accounts: dict[int, AccountBrief],
    regions: Regions,
    activity: dict[int, Activity] | None = None,
) -> list[UncollectedRow]:
    rows = []
    for account_id, result in facts.uncollected.items():
        account = accounts[account_id]
        unit = regions.units[account.unit_id]
        rows.append(
            UncollectedRow(
                0,
                regions.place(unit),
                mainland_quotes(account.name),
                platform_name(account.platform),
                collection_detail(result.collection, (activity or {}).get(account_id)),
                account_id,
                result.collection,
            )
        )
    rows.sort(key=lambda r: (r.region_unit, r.account, r.account_id))
    for no, row in enumerate(rows, start=1):
        row.no = no
    return rows
