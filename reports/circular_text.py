"""The circular's sentences, composed from computed figures (never in the template).

Each function returns finished Chinese in the tone of the province's circulars, e.g.
"上季度不合格的23个账号中，本期复查20个，仍有7个不合格，13个已整改合格；3个本期未复查。"
A count of zero is left out of a sentence rather than printed ("已销号0项" is noise); an
empty string means "nothing to say", and the templates skip the paragraph.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from registry.checks.window import RelayRow
from registry.filing.queries import UnitBrief
from registry.vocab import LEDGER_STATUS
from reports.groups import PROVINCIAL, RateRow
from reports.problems import AnnexRow, UncollectedRow
from reports.settings import CircularSettings
from reports.text import LEVEL_ORDER, chinese_number, join_counts, level_label, pct, platform_name, rate
from reports.window import Window
from reports.wording import names_list

QUARTERS = {1: "一", 4: "二", 7: "三", 10: "四"}
MAX_NAMES = 10
NAMED_ACCOUNTS = 5


def check_word(kinds: Iterable[str]) -> str:
    """抽查 (spot checks only), 检查 (full checks only) or 抽查检查 (both)."""
    found = set(kinds)
    spot, full = "weekly" in found, bool(found - {"weekly"})
    if spot and full:
        return "抽查检查"
    return "抽查" if spot else "检查"


def period_title(window: Window) -> str:
    """'2026年第三季度' for a calendar quarter, '2026年10月' for a month, '2026年度' for a
    year, else the dates ('2026年9月4日至12月2日')."""
    start, months = window.start, window.calendar_months()
    if months == 3:
        return f"{start.year}年第{QUARTERS[start.month]}季度"
    if months == 1:
        return f"{start.year}年{start.month}月"
    if months == 12 and start.month == 1:
        return f"{start.year}年度"
    return window.text


def subject(window: Window, settings: CircularSettings, word: str) -> str:
    """'2026年第三季度全省政务新媒体抽查'."""
    return f"{period_title(window)}{settings.scope}政务新媒体{word}"


def title(window: Window, settings: CircularSettings, word: str) -> str:
    """'关于2026年第三季度全省政务新媒体抽查情况的通报'."""
    return f"关于{subject(window, settings, word)}情况的通报"


def opening(window: Window, settings: CircularSettings, word: str) -> str:
    """'根据《…》（国办秘函〔2019〕19号）和本省政务新媒体管理有关规定要求，某办于…对全省政务新媒体
    开展了抽查检查。现将有关情况通报如下：'"""
    basis = settings.basis_text()
    ground = f"根据{basis}要求" if basis else "按照政务新媒体“周抽查、月检查、季通报”工作要求"
    return (
        f"{ground}，{settings.issuer}于{window.text}对{settings.scope}政务新媒体开展了{word}。"
        "现将有关情况通报如下："
    )


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


def registry_text(day: str, scope: str, total: int, by_level: str, by_platform: str) -> str:
    """'截至2026年9月30日，全省共备案政务新媒体183个。按级别分，…；按平台分，…。'"""
    if not total:
        return f"截至{day}，{scope}尚无在册的政务新媒体备案。"
    return f"截至{day}，{scope}共备案政务新媒体{total}个。按级别分，{by_level}；按平台分，{by_platform}。"


def results_text(
    window: Window,
    runs: int,
    checked: int,
    share: str,
    qualified: int,
    unqualified: int,
    rate_text: str,
    change: str,
) -> str:
    """The sentence of the check results; without a judged account it says so and prints no
    count of zero and no empty rate."""
    if not runs:
        return f"{window.text}未开展检查，暂无检查结果。"
    if not checked:
        return f"{window.text}共开展检查{runs}次，被检查账号均未能采集，暂无可判定的检查结果。"
    of_registry = f"，占备案总数的{share}" if share != "—" else ""
    return (
        f"{window.text}共开展检查{runs}次，检查账号{checked}个{of_registry}。"
        f"其中合格{qualified}个，不合格{unqualified}个，合格率{rate_text}{change}。"
    )


@dataclass(frozen=True)
class Problem:
    """One problem of the circular before it is numbered: a rule of the checks (from the
    annex) or a problem found outside them (``extra_problems``: e.g. accounts that run
    without being filed), with the accounts it names (“单位“名称”平台账号”)."""

    rule: str
    label: str
    level: str  # veto: the accounts are 不合格; anything else: to be rectified
    titles: tuple[str, ...]
    units: int
    detail: str = ""  # how the accounts split, e.g. “新浪微博2个、抖音1个” (said after the count)


def from_annex(annex: Sequence[AnnexRow]) -> list[Problem]:
    """One problem per rule of the annex."""
    by_rule: dict[str, list[AnnexRow]] = defaultdict(list)
    for row in annex:
        by_rule[row.rule].append(row)
    return [
        Problem(
            rule,
            rows[0].problem,
            rows[0].level,
            tuple(sorted({r.title for r in rows})),
            len({r.unit_id for r in rows}),
        )
        for rule, rows in by_rule.items()
    ]


def _item(n: int, problem: Problem) -> dict[str, Any]:
    veto = problem.level == "veto"
    count, units = len(problem.titles), problem.units
    names = names_list(list(problem.titles), count, NAMED_ACCOUNTS)
    text = f"共{count}个账号存在此问题" + (f"（{problem.detail}）" if problem.detail else "")
    if veto:
        text += "，按单项否决判定为不合格"
    if count == 1:
        text += f"，为{names}。"
    else:
        lead = "包括" if count > NAMED_ACCOUNTS else "分别是"
        text += f"，涉及{units}个单位，{lead}{names}。"
    return {
        "ordinal": chinese_number(n),
        "rule": problem.rule,
        "label": problem.label,
        "accounts": count,
        "units": units,
        "names": names,
        "text": text,
        "level": problem.level,
    }


def problem_items(annex: Sequence[AnnexRow], extra: Sequence[Problem] = ()) -> list[dict[str, Any]]:
    """One numbered problem per rule: the vetoes (不合格) numbered first, then the other
    problems numbered afresh, by number of accounts; ``extra`` problems (found outside the
    checks) come last among the other problems."""
    problems = from_annex(annex)
    items = []
    for veto in (True, False):
        group = [p for p in problems if (p.level == "veto") is veto]
        group.sort(key=lambda p: (-len(p.titles), p.rule))
        if not veto:
            group += [p for p in extra if p.level != "veto"]
        items += [_item(n, problem) for n, problem in enumerate(group, start=1)]
    return items


def problem_headings(problems: Sequence[Any], score_failures: bool) -> dict[str, str]:
    """The two sub-headings of 存在的问题, numbered by which groups there are."""
    vetoes = any(p.level == "veto" for p in problems) or score_failures
    others = any(p.level != "veto" for p in problems)
    first = "（一）判定为不合格的问题。" if vetoes else ""
    second = f"（{'二' if vetoes else '一'}）需要整改的其他问题。" if others else ""
    return {"veto": first, "other": second}


def unqualified_text(unqualified: int, by_veto: int) -> str:
    """'不合格的17个账号中，15个存在单项否决问题，2个扣分后得分低于合格线。' (only the parts that apply)."""
    if not unqualified:
        return ""
    by_score = unqualified - by_veto
    if not by_score:
        return f"本期不合格的{unqualified}个账号均存在单项否决问题。"
    if not by_veto:
        return f"本期不合格的{unqualified}个账号均因扣分后得分低于合格线。"
    return (
        f"本期不合格的{unqualified}个账号中，{by_veto}个存在单项否决问题，{by_score}个扣分后得分低于合格线。"
    )


def _listed(rows: Sequence[RateRow]) -> str:
    names = [r.label for r in rows]
    shown = "、".join(names[:MAX_NAMES])
    return shown + (f"等{len(names)}个" if len(names) > MAX_NAMES else "")


def _tier_sentence(what: str, rows: Sequence[RateRow]) -> str:
    full = [r for r in rows if r.rate == 100.0]
    high = [r for r in rows if 95.0 <= r.rate < 100.0]
    parts = []
    if full:
        parts.append(f"所有被检查账号均合格的{what}有{len(full)}个（{_listed(full)}）")
    if high:
        parts.append(f"合格率在95%以上的{what}有{len(high)}个（{_listed(high)}）")
    return "，".join(parts)


def good_text(
    cities: Sequence[RateRow],
    counties: Sequence[RateRow],
    units: Sequence[RateRow],
    unit_facts: dict[int, UnitBrief],
    *,
    decimals: int = 2,
) -> str:
    """Regions and units whose checked accounts all passed, and those at 95% or more."""
    if not units:
        return ""
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
    if full_units:
        share = pct(rate(len(full_units), len(units), decimals))
        sentences.append(f"被检查的{len(units)}个单位中，所有账号均合格的有{len(full_units)}个，占{share}")
    return "；".join(sentences) + "。" if sentences else ""


def recheck_text(recheck: dict[str, int], period: str) -> str:
    bad = recheck["previous_unqualified"]
    if not bad:
        return ""
    text = f"{period}不合格的{bad}个账号中，"
    if not recheck["rechecked"]:
        return text + "本期均未复查。"
    parts = [f"本期复查{recheck['rechecked']}个"]
    if recheck["still_unqualified"]:
        parts.append(f"仍有{recheck['still_unqualified']}个不合格")
    if recheck["now_qualified"]:
        parts.append(f"{recheck['now_qualified']}个已整改合格")
    text += "，".join(parts)
    if recheck["not_rechecked"]:
        text += f"；{recheck['not_rechecked']}个本期未复查"
    return text + "。"


def relay_text(relays: Sequence[RelayRow], *, decimals: int = 2) -> str:
    if not relays:
        return ""
    releases = len({r.release_id for r in relays})
    relayed = sum(r.relayed for r in relays)
    on_time = sum(r.on_time for r in relays)
    late, missed = relayed - on_time, len(relays) - relayed
    text = (
        f"重点信息转载方面，本期共下达转载任务{releases}条，应转载{len(relays)}个账号次，"
        f"按时转载{on_time}个账号次，按时转载率{pct(rate(on_time, len(relays), decimals))}"
    )
    tail = [f"逾期转载{late}个账号次"] if late else []
    tail += [f"未转载{missed}个账号次"] if missed else []
    return text + ("；" + "，".join(tail) if tail else "") + "。"


def ledger_text(counts: dict[str, int] | None) -> str:
    if not counts:
        return ""
    total = sum(counts.values())
    if not total:
        return ""
    pending = counts.get("open", 0) + counts.get("notified", 0)
    parts = [
        (LEDGER_STATUS.label("closed"), counts.get("closed", 0)),
        (f"{LEDGER_STATUS.label('rectified')}待复核", counts.get("rectified", 0)),
        (LEDGER_STATUS.label("reopened"), counts.get("reopened", 0)),
        ("尚未反馈整改情况", pending),
    ]
    said = "，".join(f"{label}{n}项" for label, n in parts if n)
    return f"上期通报列入整改台账的问题{total}项，{said}。"


def charts_text(captions: Sequence[tuple[str, str]]) -> str:
    """'各月合格率见图1，分平台合格率见图2。' for the charts that were drawn."""
    if not captions:
        return ""
    return "，".join(f"{what}见{number}" for number, what in captions) + "。"


ANNEX_TITLE = "政务新媒体检查问题账号清单"
UNCOLLECTED_TITLE = "未能采集账号人工核查清单"


def attachments(annex: Sequence[AnnexRow], uncollected: Sequence[UncollectedRow]) -> dict[str, Any]:
    """附件说明 and the labels of the two lists, numbered by which of them there are."""
    lists = [
        (key, title)
        for key, title, rows in (
            ("annex", ANNEX_TITLE, annex),
            ("uncollected", UNCOLLECTED_TITLE, uncollected),
        )
        if rows
    ]
    labels = {key: ("附件" if len(lists) == 1 else f"附件{n}") for n, (key, _) in enumerate(lists, start=1)}
    if not lists:
        lines = []
    elif len(lists) == 1:
        lines = [f"附件：{lists[0][1]}"]
    else:
        lines = [
            f"附件：1. {lists[0][1]}",
            *(f"　　　{n}. {t}" for n, (_, t) in enumerate(lists[1:], start=2)),
        ]
    label = labels.get("uncollected", "")
    return {
        "attachments": lines,
        "annex_label": labels.get("annex", ""),
        "uncollected_label": label,
        "uncollected_text": (
            f"另有{len(uncollected)}个账号在检查期间因被平台拦截、凭据失效等原因未能采集，未计入合格率，"
            f"已列入人工核查清单（见{label}）。"
        )
        if uncollected
        else "",
    }


def annex_note(annex: Sequence[AnnexRow], uncollected: Sequence[UncollectedRow], limit: int) -> str:
    """Why the Word and HTML annex is empty when the lists are too long to print."""
    if len(annex) <= limit and len(uncollected) <= limit:
        return ""
    return (
        f"问题账号清单共{len(annex)}行、未能采集账号{len(uncollected)}个，"
        "篇幅所限不在正文中列出，详见附件表格（.xlsx）。"
    )
