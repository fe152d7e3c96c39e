"""The circular's annex rows (附件1 问题账号清单) and its manual follow-up list (附件2).

One annex row per account and rule: the latest confirmed veto or deduct finding of that
rule for that account among the window's judged results. Rows are ordered by 市州, 县区,
unit, account and rule (vetoes first). The description is the rule's own note when its
evidence carries one; the evidence link is the first post the finding rests on, else the
account's filed link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from registry.checks.window import FindingRow
from registry.filing.queries import AccountBrief
from registry.timeutil import local_text
from registry.vocab import COLLECTION_STATE
from reports.groups import Regions
from reports.text import platform_name, rule_label
from reports.window import WindowFacts

LEVEL_ORDER = {"veto": 0, "deduct": 1, "warn": 2, "info": 3}


@dataclass
class AnnexRow:
    """附件1的一行: 序号, 地区/主办单位, 账号名称, 平台, 问题类型, 问题描述, 最近更新时间, 证据链接."""

    no: int
    region_unit: str
    account: str
    platform: str
    problem: str
    description: str
    last_update: str
    evidence: str
    account_id: int
    unit_id: int
    unit: str
    rule: str
    level: str


@dataclass
class UncollectedRow:
    """附件2的一行: an account that could not be collected, for manual follow-up."""

    no: int
    region_unit: str
    account: str
    platform: str
    detail: str
    account_id: int


def describe(finding: FindingRow) -> str:
    note = (finding.evidence or {}).get("note")
    return str(note) if note else rule_label(finding.rule)


def safe_link(value: object) -> str:
    """Only http(s) links are shown; anything else (javascript:, data:) becomes empty."""
    text = str(value or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else ""


def evidence_link(finding: FindingRow, account: AccountBrief) -> str:
    for post in (finding.evidence or {}).get("posts") or []:
        link = safe_link(post.get("url")) if isinstance(post, dict) else ""
        if link:
            return link
    return safe_link(account.url)


def last_update(finding: FindingRow, facts: WindowFacts) -> str:
    raw: Any = (finding.evidence or {}).get("last_post_at")
    if isinstance(raw, str) and raw:
        try:
            return local_text(datetime.fromisoformat(raw))
        except ValueError:
            pass
    seen = facts.last_post.get(finding.account_id)
    return local_text(seen) if seen else "无"


def annex_rows(facts: WindowFacts, accounts: dict[int, AccountBrief], regions: Regions) -> list[AnnexRow]:
    order = {r.id: (r.at, r.id) for r in facts.runs}
    latest: dict[tuple[int, str], FindingRow] = {}
    for f in facts.problems:
        key = (f.account_id, f.rule)
        if key not in latest or order[f.run_id] > order[latest[key].run_id]:
            latest[key] = f
    rows = []
    for (account_id, rule), finding in latest.items():
        account = accounts[account_id]
        unit = regions.units[account.unit_id]
        rows.append(
            AnnexRow(
                0,
                regions.place(unit),
                account.name,
                platform_name(account.platform),
                rule_label(rule),
                describe(finding),
                last_update(finding, facts),
                evidence_link(finding, account),
                account_id,
                unit.id,
                unit.name,
                rule,
                finding.level,
            )
        )
    rows.sort(
        key=lambda r: (
            _place_key(r, accounts, regions),
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


def _place_key(row: AnnexRow, accounts: dict[int, AccountBrief], regions: Regions) -> tuple[str, str]:
    unit = regions.units[row.unit_id]
    county = regions.county(unit)
    return regions.city(unit)[0], county[0] if county else ""


def uncollected_rows(
    facts: WindowFacts, accounts: dict[int, AccountBrief], regions: Regions
) -> list[UncollectedRow]:
    rows = []
    for account_id, result in facts.uncollected.items():
        account = accounts[account_id]
        unit = regions.units[account.unit_id]
        state = COLLECTION_STATE.label(result.collection)  # 从未成功采集 / 采集失败 / 采集过期
        if result.collection != "never" and result.last_success_at is not None:
            detail = f"{state}，最近一次成功采集为{local_text(result.last_success_at)}"
        else:
            detail = state
        rows.append(
            UncollectedRow(
                0, regions.place(unit), account.name, platform_name(account.platform), detail, account_id
            )
        )
    rows.sort(key=lambda r: (r.region_unit, r.account, r.account_id))
    for no, row in enumerate(rows, start=1):
        row.no = no
    return rows
