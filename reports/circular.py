"""The quarterly circular (季度通报): its documented context, computed before rendering.

``compute_circular`` reads the window's checks through ``registry.report_data`` and returns
a ``CircularReport``: the ``CircularContext`` every template renders (Word, HTML), the
machine-readable ``figures``, the annex sheets and the chart series. Every number in the
text is taken from the same computed objects as the annex and the charts, so they agree by
construction (and the tests open the files to prove it). How the window's figures are
defined is documented in ``reports.window``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from registry.checks import window as rd
from registry.filing import queries as fq
from registry.ledger import queries as ledger_queries
from registry.timeutil import TZ
from reports import groups
from reports.charts import Series
from reports.circular_text import (
    good_text,
    ledger_text,
    period_title,
    problem_items,
    recheck_text,
    registry_texts,
    relay_text,
)
from reports.discovery_text import discovery_problems, discovery_text
from reports.problems import AnnexRow, UncollectedRow, annex_rows, uncollected_rows
from reports.text import cn_date, pct, points_change, previous_period_name, rate
from reports.window import Window, WindowFacts, load_window

TREND_WINDOWS = 4
MAX_BARS = 40
INLINE_LIMIT = 1000  # longer lists go to the .xlsx annex only, not into Word/HTML tables


@dataclass
class ProblemItem:
    """One numbered problem: 一是… with its rule, the accounts it names and the finished text."""

    ordinal: str
    rule: str
    label: str
    accounts: int
    units: int
    names: str
    text: str


@dataclass
class CircularContext:
    """Placeholders of the circular templates (Word and HTML). Text fields are finished
    Chinese; numbers are already formatted; lists hold rows; ``chart_*`` are PNG paths that
    the renderer turns into pictures. A user template may use any subset of these keys."""

    issuer: str  # 发文机关，如“某省大数据中心”
    doc_no: str  # 发文字号，如“某数据发〔2026〕12号”
    title: str  # 标题
    addressees: str  # 主送机关
    cc: str  # 抄送
    printer: str  # 印发机关
    date_text: str  # 成文日期“2026年10月8日”
    print_date_text: str  # 印发日期
    window_text: str  # 检查窗口“2026年7月1日至2026年9月30日”
    period_name: str  # 上一窗口的叫法：上季度/上月/上周/上一检查周期
    registry_date_text: str  # 备案数的统计日（窗口末日）
    registry_total: int  # 窗口末日在册账号数
    registry_by_level_text: str  # “省级12个、市州30个…”
    registry_by_platform_text: str  # “微信公众号40个、新浪微博20个…”
    runs_count: int  # 窗口内检查次数
    checked: int  # 检查账号数（去重）
    checked_share_text: str  # 占备案总数的比例“37.50%”
    qualified: int  # 合格账号数
    unqualified: int  # 不合格账号数（窗口内有已确认的单项否决问题）
    pass_rate_text: str  # 合格率“98.60%”
    change_text: str  # “，较上季度提高2.70个百分点”（无上期数据时为空）
    good_text: str  # 满分及95%以上的地区、单位
    recheck_text: str  # 上期问题账号复查情况（可为空）
    relay_text: str  # 重点信息转载情况（可为空）
    ledger_text: str  # 上期整改台账情况（可为空）
    problems: list[ProblemItem]  # 存在的问题，按“一是…二是…”编号
    uncollected_count: int  # 未能采集、列入人工核查的账号数
    uncollected: list[UncollectedRow]  # 未能采集账号清单（附件2；超过 INLINE_LIMIT 行时为空）
    deadline_text: str  # 整改期限“2026年11月8日”
    annex_title: str  # 附件1标题
    annex_count: int  # 附件1的行数（问题账号×问题类型）
    annex: list[AnnexRow]  # 附件1：问题账号清单（超过 INLINE_LIMIT 行时为空，只在 .xlsx 中）
    annex_note: str  # 清单过长、只在 .xlsx 中列出时的说明（否则为空）
    trend: list[groups.RateRow]  # 各期合格率（图1）
    platform_rates: list[groups.RateRow]  # 分平台合格率（图2）
    city_rates: list[groups.RateRow]  # 分市州合格率（图3）
    county_rates: list[groups.RateRow]  # 分县区合格率
    chart_trend: str = ""  # 图1 PNG
    chart_platform: str = ""  # 图2 PNG
    chart_region: str = ""  # 图3 PNG
    discovery_text: str = ""  # 未备案账号排查的搜索情况（可为空；问题见 problems）


IMAGES = ("chart_trend", "chart_platform", "chart_region")


@dataclass
class CircularReport:
    """The computed circular: its context, figures, the full annex lists and the chart series."""

    window: Window
    deadline: date
    context: CircularContext
    figures: dict[str, Any]
    ledger_problems: list[dict[str, Any]]
    annex: list[AnnexRow]
    uncollected: list[UncollectedRow]
    series: dict[str, Series] = field(default_factory=dict)


def compute_circular(
    session: Session,
    *,
    window: Window,
    title: str | None = None,
    doc_no: str | None = None,
    deadline: date | None = None,
    issuer: str = "省大数据中心",
    addressees: str = "各市（州）人民政府，省政府各部门",
    today: date | None = None,
) -> CircularReport:
    """Everything the circular says about ``window``, computed once."""
    from datetime import datetime

    today = today or datetime.now(TZ).date()
    deadline = deadline or today + timedelta(days=30)
    facts = load_window(session, window)
    trend = _trend(session, window, facts)
    previous = trend[-2] if len(trend) > 1 and trend[-2].window == window.previous() else None
    if previous is None:
        previous = load_window(session, window.previous(), with_problems=False)
    units = fq.unit_briefs(session)
    regions = groups.Regions(units)
    ids = {f.account_id for f in facts.problems} | set(facts.uncollected)
    accounts = fq.account_briefs(session, ids)
    size = fq.registry_size(session, on=window.end)
    registry_total = sum(n for _, _, n in size)
    by_level_text, by_platform_text = registry_texts(size)
    annex = annex_rows(facts, accounts, regions)
    problems = problem_items(annex, accounts)
    problems += discovery_problems(session, window, start=len(problems) + 1)  # 瞒报漏报、失管脱管
    uncollected = uncollected_rows(facts, accounts, regions)
    period = previous_period_name(window.days)
    pass_rate, prev_rate = facts.pass_rate, previous.pass_rate if previous else None
    change = points_change(pass_rate, prev_rate, period)
    grouping = groups.Grouping(
        fq.account_platforms(session), regions, facts.checked, facts.unqualified, decimals=facts.decimals
    )
    platform_rates = grouping.by_platform()
    city_rates = grouping.by_city()
    county_rates = grouping.by_county()
    unit_rates = grouping.by_unit()
    trend_rows = [_trend_row(f) for f in trend if f.checked]
    relays = rd.relays_of(session, facts.runs)
    last_circular = ledger_queries.previous_circular(session, before=window.start)
    ledger_counts = ledger_queries.state_counts(session, last_circular.id) if last_circular else None
    recheck = _recheck(previous.unqualified if previous else set(), facts)
    context = CircularContext(
        issuer=issuer,
        doc_no=doc_no or "",
        title=title or f"关于{period_title(window)}政务新媒体检查情况的通报",
        addressees=addressees,
        cc="",
        printer=issuer,
        date_text=cn_date(today),
        print_date_text=cn_date(today),
        window_text=window.text,
        period_name=period,
        registry_date_text=cn_date(window.end),
        registry_total=registry_total,
        registry_by_level_text=by_level_text,
        registry_by_platform_text=by_platform_text,
        runs_count=len(facts.runs),
        checked=len(facts.checked),
        checked_share_text=pct(rate(len(facts.checked), registry_total)),
        qualified=facts.qualified,
        unqualified=len(facts.unqualified),
        pass_rate_text=pct(pass_rate),
        change_text=f"，{change}" if change else "",
        good_text=good_text(city_rates, county_rates, unit_rates, units),
        recheck_text=recheck_text(recheck, period),
        relay_text=relay_text(relays),
        ledger_text=ledger_text(ledger_counts),
        problems=[ProblemItem(**p) for p in problems],
        uncollected_count=len(uncollected),
        uncollected=_inline(uncollected),
        deadline_text=cn_date(deadline),
        annex_title="政务新媒体检查问题账号清单",
        annex_count=len(annex),
        annex=_inline(annex),
        annex_note=_annex_note(annex, uncollected),
        trend=trend_rows,
        platform_rates=platform_rates,
        city_rates=city_rates,
        county_rates=county_rates,
        discovery_text=discovery_text(session, window),
    )
    figures = _figures(window, context, size, pass_rate, prev_rate, recheck, relays, ledger_counts)
    return CircularReport(
        window,
        deadline,
        context,
        figures,
        _ledger_problems(facts, annex),
        annex,
        uncollected,
        _series(context),
    )


def _inline(rows: list[Any]) -> list[Any]:
    return rows if len(rows) <= INLINE_LIMIT else []


def _annex_note(annex: list[AnnexRow], uncollected: list[UncollectedRow]) -> str:
    if len(annex) <= INLINE_LIMIT and len(uncollected) <= INLINE_LIMIT:
        return ""
    return (
        f"问题账号清单共{len(annex)}行、未能采集账号{len(uncollected)}个，"
        "篇幅所限不在正文中列出，详见附件表格（.xlsx）。"
    )


def _trend(session: Session, window: Window, facts: WindowFacts) -> list[WindowFacts]:
    """The earlier windows of the same length (oldest first), then this one."""
    earlier: list[WindowFacts] = []
    w = window
    for _ in range(TREND_WINDOWS):
        w = w.previous()
        earlier.insert(0, load_window(session, w, with_problems=False))
    return [*earlier, facts]


def _trend_row(f: WindowFacts) -> groups.RateRow:
    value = f.pass_rate
    assert value is not None
    return groups.RateRow(
        f.window.short,
        f.window.short,
        f.window.short,
        len(f.checked),
        f.qualified,
        len(f.unqualified),
        float(value),
        pct(value),
    )


def _recheck(previous_bad: set[int], facts: WindowFacts) -> dict[str, int]:
    rechecked = previous_bad & facts.checked
    still = rechecked & facts.unqualified
    return {
        "previous_unqualified": len(previous_bad),
        "rechecked": len(rechecked),
        "still_unqualified": len(still),
        "now_qualified": len(rechecked) - len(still),
        "not_rechecked": len(previous_bad) - len(rechecked),
    }


def _ledger_problems(facts: WindowFacts, annex: list[AnnexRow]) -> list[dict[str, Any]]:
    ids: dict[tuple[int, str], list[int]] = defaultdict(list)
    for f in facts.problems:
        ids[(f.account_id, f.rule)].append(f.id)
    return [
        {
            "account_id": r.account_id,
            "rule": r.rule,
            "level": r.level,
            "finding_ids": sorted(ids[(r.account_id, r.rule)]),
            "description": r.description,
        }
        for r in annex
    ]


def _series(ctx: CircularContext) -> dict[str, Series]:
    out: dict[str, Series] = {}
    if ctx.trend:
        out["chart_trend"] = _bars("图1 各期合格率（%）", "Pass rate by window (%)", ctx.trend, "line")
    if ctx.platform_rates:
        out["chart_platform"] = _bars(
            "图2 分平台合格率（%）", "Pass rate by platform (%)", ctx.platform_rates
        )
    if ctx.city_rates:
        rows = ctx.city_rates
        title = "图3 分市州合格率（%）"
        if len(rows) > MAX_BARS:
            rows, title = rows[-MAX_BARS:], f"图3 合格率最低的{MAX_BARS}个市州（%）"
        out["chart_region"] = _bars(title, "Pass rate by prefecture (%)", rows)
    return out


def _bars(title: str, fallback: str, rows: list[groups.RateRow], kind: str = "bar") -> Series:
    return Series(
        title, fallback, [r.label for r in rows], [r.fallback for r in rows], [r.rate for r in rows], kind
    )


def _figures(
    window: Window,
    ctx: CircularContext,
    size: list[tuple[str, str, int]],
    pass_rate: Any,
    prev_rate: Any,
    recheck: dict[str, int],
    relays: list[rd.RelayRow],
    ledger_counts: dict[str, int] | None,
) -> dict[str, Any]:
    by_level: dict[str, int] = defaultdict(int)
    by_platform: dict[str, int] = defaultdict(int)
    for level, platform, n in size:
        by_level[level] += n
        by_platform[platform] += n
    return {
        "window": {"from": window.start.isoformat(), "to": window.end.isoformat()},
        "registry_total": ctx.registry_total,
        "registry_by_level": dict(by_level),
        "registry_by_platform": dict(by_platform),
        "runs": ctx.runs_count,
        "checked": ctx.checked,
        "qualified": ctx.qualified,
        "unqualified": ctx.unqualified,
        "uncollected": ctx.uncollected_count,
        "pass_rate": float(pass_rate) if pass_rate is not None else None,
        "previous_pass_rate": float(prev_rate) if prev_rate is not None else None,
        "change_points": float(pass_rate - prev_rate)
        if pass_rate is not None and prev_rate is not None
        else None,
        "problems": {p.rule: p.accounts for p in ctx.problems},
        "annex_rows": ctx.annex_count,
        "recheck": recheck,
        "relay": {
            "releases": len({r.release_id for r in relays}),
            "due": len(relays),
            "relayed": sum(r.relayed for r in relays),
            "on_time": sum(r.on_time for r in relays),
        },
        "ledger": ledger_counts,
    }
