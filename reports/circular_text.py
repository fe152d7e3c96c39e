"""The circular's sentences, composed from computed figures (never in the template).

Each function returns finished Chinese in the tone of the province's circulars, e.g.
"上季度不合格的23个账号中，本期复查20个，仍有7个不合格，13个已整改合格；3个本期未复查。"
An empty string means "nothing to say", and the templates skip the paragraph.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from registry.checks.window import RelayRow
from registry.filing.queries import AccountBrief, UnitBrief
from registry.vocab import LEDGER_STATUS
from reports.groups import PROVINCIAL, RateRow
from reports.problems import AnnexRow
from reports.text import (
    LEVEL_ORDER,
    chinese_number,
    join_counts,
    join_names,
    level_label,
    pct,
    platform_name,
    rate,
)
from reports.window import Window

QUARTERS = {1: "一", 4: "二", 7: "三", 10: "四"}
MAX_NAMES = 10


def period_title(window: Window) -> str:
    """'2026年第三季度' for a calendar quarter, '2026年10月' for a month, else the dates."""
    start, months = window.start, window.calendar_months()
    if months == 3:
        return f"{start.year}年第{QUARTERS[start.month]}季度"
    if months == 1:
        return f"{start.year}年{start.month}月"
    if months == 12 and start.month == 1:
        return f"{start.year}年度"
    return window.text


def registry_texts(size: Sequence[tuple[str, str, int]]) -> tuple[str, str]:
    """('省级12个、市州30个…', '微信公众号40个、新浪微博20个…')."""
    by_level: dict[str, int] = defaultdict(int)
    by_platform: dict[str, int] = defaultdict(int)
    for level, platform, n in size:
        by_level[level] += n
        by_platform[platform] += n
    levels = [(level_label(k), by_level[k]) for k in LEVEL_ORDER if by_level.get(k)]
    platforms = sorted(by_platform.items(), key=lambda kv: (-kv[1], kv[0]))
    level_text = join_counts(levels) or "暂无"
    platform_text = join_counts([(platform_name(k), n) for k, n in platforms]) or "暂无"
    return level_text, platform_text


def problem_items(annex: Sequence[AnnexRow], accounts: dict[int, AccountBrief]) -> list[dict[str, Any]]:
    """One numbered problem per rule: vetoes first, then by number of accounts."""
    by_rule: dict[str, list[AnnexRow]] = defaultdict(list)
    for row in annex:
        by_rule[row.rule].append(row)
    order = sorted(by_rule.items(), key=lambda kv: (kv[1][0].level != "veto", -len(kv[1]), kv[0]))
    items = []
    for n, (rule, rows) in enumerate(order, start=1):
        names = sorted({r.account for r in rows})
        units = len({r.unit_id for r in rows})
        verdict = "，按单项否决计为不合格" if rows[0].level == "veto" else ""
        items.append(
            {
                "ordinal": chinese_number(n),
                "rule": rule,
                "label": rows[0].problem,
                "accounts": len(rows),
                "units": units,
                "names": join_names(names),
                "text": f"共{len(rows)}个账号存在此问题{verdict}，涉及{units}个单位，"
                f"包括{join_names(names)}。",
            }
        )
    return items


def _listed(rows: Sequence[RateRow]) -> str:
    names = [r.label for r in rows]
    shown = "、".join(names[:MAX_NAMES])
    return shown + (f"等{len(names)}个" if len(names) > MAX_NAMES else "")


def _tier_sentence(what: str, rows: Sequence[RateRow]) -> str:
    full = [r for r in rows if r.rate == 100.0]
    high = [r for r in rows if 95.0 <= r.rate < 100.0]
    parts = []
    if full:
        parts.append(f"合格率为100%的{what}有{len(full)}个（{_listed(full)}）")
    if high:
        parts.append(f"合格率在95%以上的{what}有{len(high)}个（{_listed(high)}）")
    return "，".join(parts)


def good_text(
    cities: Sequence[RateRow],
    counties: Sequence[RateRow],
    units: Sequence[RateRow],
    unit_facts: dict[int, UnitBrief],
) -> str:
    """Regions and units with full marks (100%) or at least 95%."""
    if not units:
        return "本期无可统计的检查结果。"
    sentences = []
    city_rows = [r for r in cities if r.label != PROVINCIAL]
    for what, rows in (("市州", city_rows), ("县区", counties)):
        sentence = _tier_sentence(what, rows)
        if sentence:
            sentences.append(sentence)
    provincial = [r for r in units if unit_facts[int(r.key)].level == "province"]
    sentence = _tier_sentence("省直部门", provincial)
    if sentence:
        sentences.append(sentence)
    full_units = [r for r in units if r.rate == 100.0]
    share = pct(rate(len(full_units), len(units)))
    sentences.append(f"被检查的{len(units)}个单位中，所有账号均合格的有{len(full_units)}个，占{share}")
    return "；".join(sentences) + "。"


def recheck_text(recheck: dict[str, int], period: str) -> str:
    bad = recheck["previous_unqualified"]
    if not bad:
        return ""
    text = f"{period}不合格的{bad}个账号中，本期复查{recheck['rechecked']}个"
    if recheck["rechecked"]:
        text += f"，仍有{recheck['still_unqualified']}个不合格，{recheck['now_qualified']}个已整改合格"
    if recheck["not_rechecked"]:
        text += f"；{recheck['not_rechecked']}个本期未复查"
    return text + "。"


def relay_text(relays: Sequence[RelayRow]) -> str:
    if not relays:
        return ""
    releases = len({r.release_id for r in relays})
    relayed = sum(r.relayed for r in relays)
    on_time = sum(r.on_time for r in relays)
    late = relayed - on_time
    missed = len(relays) - relayed
    return (
        f"重点信息转载方面，本期共下达转载任务{releases}条，应转载{len(relays)}个账号次，"
        f"按时转载{on_time}个账号次，按时转载率{pct(rate(on_time, len(relays)))}；"
        f"逾期转载{late}个账号次，未转载{missed}个账号次。"
    )


def ledger_text(counts: dict[str, int] | None) -> str:
    if not counts:
        return ""
    total = sum(counts.values())
    if not total:
        return ""
    pending = counts["open"] + counts["notified"]
    return (
        f"上期通报列入整改台账的问题{total}项，{LEDGER_STATUS.label('closed')}{counts['closed']}项，"
        f"{LEDGER_STATUS.label('rectified')}待复核{counts['rectified']}项，"
        f"{LEDGER_STATUS.label('reopened')}{counts['reopened']}项，尚未反馈整改情况{pending}项。"
    )
