"""The quarterly circular (季度通报): its documented context, computed before rendering.

``compute_circular`` reads the window's checks through ``reports.window`` (the stored
verdicts, never judged again) and returns a ``CircularReport``: the ``CircularContext`` every
template renders (Word, HTML), the machine-readable ``figures``, the annex sheets, the chart
series, and why it can only be a draft (征求意见稿), if it can. Every number in the text is
taken from the same computed objects as the annex and the charts, so they agree by
construction (and the tests open the files to prove it). Who issues it, to whom and under
what number come from ``reports.settings.CircularSettings`` (plain values).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from registry.checks import window as rd
from registry.collection.activity import collection_activity
from registry.filing import queries as fq
from registry.ledger import queries as ledger_queries
from registry.timeutil import TZ
from reports import circular_text as words
from reports import groups
from reports.charts import Series
from reports.discovery_text import discovery_problems, discovery_text
from reports.guards import draft_reasons, refuse_open_window
from reports.problems import AnnexRow, UncollectedRow, annex_rows, referenced_accounts, uncollected_rows
from reports.settings import CircularSettings
from reports.text import cn_date, pct, points_change, previous_period_name, rate
from reports.trend import chart_series, rate_row, trend_rows
from reports.window import Window, WindowFacts, load_window
from reports.workdays import Deadline, add_workdays

INLINE_LIMIT = 1000  # longer lists go to the .xlsx annex only, not into Word/HTML tables
DRAFT_MARK = "（征求意见稿）"


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
    level: str = "deduct"


@dataclass
class CircularContext:
    """Placeholders of the circular templates (Word and HTML). Text fields are finished
    Chinese; numbers are already formatted; lists hold rows; ``chart_*`` are PNG paths that
    the renderer turns into pictures. A user template may use any subset of these keys."""

    issuer: str  # 发文机关（开头、整改要求、落款），如“甘肃省政务公开办公室”
    masthead: str  # 版头（发文机关标志），如“甘肃省政务公开办公室文件”
    doc_no: str  # 发文字号，如“甘政务公开办〔2026〕13号”（未配置或征求意见稿时为空，不印）
    draft_mark: str  # “（征求意见稿）”或空
    title: str  # 标题“关于2026年第三季度全省政务新媒体抽查情况的通报”
    addressees: str  # 主送机关
    opening_text: str  # 开头：依据、发文机关、检查窗口和范围
    cc: str  # 抄送（为空时不印抄送行）
    printer: str  # 印发机关
    date_text: str  # 成文日期“2026年10月8日”
    print_date_text: str  # 印发日期
    scope: str  # 检查范围“全省”
    window_text: str  # 检查窗口“2026年7月1日至9月30日”
    period_name: str  # 上一窗口的叫法：上季度/上月/上周/上一检查周期
    registry_date_text: str  # 备案数的统计日（窗口末日）
    registry_text: str  # 备案情况一句“截至…，全省共备案政务新媒体183个。按级别分，…”
    registry_total: int  # 窗口末日在册账号数
    registry_by_level_text: str  # “省级12个、市州30个…”
    registry_by_platform_text: str  # “微信公众号40个、新浪微博20个…”
    runs_count: int  # 窗口内检查次数
    checked: int  # 检查账号数（去重）
    checked_share_text: str  # 占备案总数的比例“37.50%”
    qualified: int  # 合格账号数
    unqualified: int  # 不合格账号数（窗口内保存的结论为不合格）
    pass_rate_text: str  # 合格率“98.60%”（无可判定结果时为“—”）
    change_text: str  # “，较上季度提高2.70个百分点”（无上期数据时为空）
    results_text: str  # 检查结果一句（检查次数、账号数、合格率；未检查时说明未检查）
    good_text: str  # 所有账号均合格及合格率95%以上的地区、单位（可为空）
    recheck_text: str  # 上期问题账号复查情况（可为空）
    relay_text: str  # 重点信息转载情况（可为空）
    ledger_text: str  # 上期整改台账情况（可为空）
    discovery_text: str  # 未备案账号排查的搜索情况（可为空；排查发现的问题在 problems 中）
    charts_text: str  # 引用图表的一句“各月合格率见图1，…”（无图表时为空）
    problems: list[ProblemItem]  # 存在的问题（全部），按“一是…二是…”编号
    veto_problems: list[ProblemItem]  # 单项否决问题（判定不合格），一是…
    other_problems: list[ProblemItem]  # 其他问题（扣分项），重新编号一是…
    unqualified_text: str  # 不合格账号的构成（单项否决/得分低于合格线，可为空）
    veto_heading: str  # “（一）判定为不合格的问题。”（无此类问题时为空）
    other_heading: str  # “（二）需要整改的其他问题。”（编号随前一项；无此类问题时为空）
    uncollected_count: int  # 未能采集、列入人工核查的账号数
    uncollected_text: str  # 未能采集账号的说明（含附件编号，可为空）
    attachments: list[str]  # 附件说明各行“附件：1. …”（无附件时为空）
    annex_label: str  # 问题账号清单的附件编号“附件1”（无问题账号时为空）
    uncollected_label: str  # 未能采集清单的附件编号“附件2”（无未能采集账号时为空）
    uncollected: list[UncollectedRow]  # 未能采集账号清单（附件2；超过 INLINE_LIMIT 行时为空）
    deadline_text: str  # 整改期限“2026年11月8日”（工作日）
    annex_title: str  # 附件1标题
    annex_count: int  # 附件1的行数（问题账号×问题类型）
    annex: list[AnnexRow]  # 附件1：问题账号清单（超过 INLINE_LIMIT 行时为空，只在 .xlsx 中）
    annex_note: str  # 清单过长、只在 .xlsx 中列出时的说明（否则为空）
    trend: list[groups.RateRow]  # 上期及本期各月（或各次检查）合格率（图1）
    platform_rates: list[groups.RateRow]  # 分平台合格率（图2）
    city_rates: list[groups.RateRow]  # 分市州合格率（图3）
    county_rates: list[groups.RateRow]  # 分县区合格率
    chart_trend: str = ""  # 图1 PNG
    chart_platform: str = ""  # 图2 PNG
    chart_region: str = ""  # 图3 PNG
    chart_trend_caption: str = ""  # 图1 题注“图1 上季度及本期各月合格率（%）”
    chart_platform_caption: str = ""  # 图2 题注
    chart_region_caption: str = ""  # 图3 题注


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
    draft_reasons: list[str] = field(default_factory=list)  # why it is only 征求意见稿
    warnings: list[str] = field(default_factory=list)  # what the user should read (deadline …)
    trend_total: groups.RateRow | None = None  # the whole window, the last row of 各期合格率
    subject: str = ""  # “2026年第三季度全省政务新媒体抽查” (the notices' title)
    issued: date | None = None  # 成文日期 (its year numbers the circular)

    @property
    def draft(self) -> bool:
        return bool(self.context.draft_mark)


def compute_circular(
    session: Session,
    *,
    window: Window,
    settings: CircularSettings | None = None,
    title: str | None = None,
    doc_no: str = "",
    deadline: date | None = None,
    today: date | None = None,
    draft: bool = False,
    extra_problems: Sequence[words.Problem] = (),
) -> CircularReport:
    """Everything the circular says about ``window``, computed once. ``draft`` asks for a
    征求意见稿 (and allows a window that has not ended); the guards may make it one anyway.
    ``extra_problems`` are problems found outside the checks (the hook for other sources,
    e.g. accounts that run without being filed): numbered after the checks' own."""
    from datetime import datetime

    settings = settings or CircularSettings()
    today = today or datetime.now(TZ).date()
    refuse_open_window(window, today, draft=draft)
    due = Deadline(deadline) if deadline else add_workdays(today, settings.deadline_workdays)
    facts = load_window(session, window)
    units = fq.unit_briefs(session)
    regions = groups.Regions(units)
    accounts = fq.account_briefs(session, referenced_accounts(facts))
    last_circular = ledger_queries.previous_circular(session, before=window.start)
    previous = load_window(session, window.previous(), with_problems=False)
    found = Found(
        window=window,
        facts=facts,
        previous=previous,
        size=fq.registry_size(session, on=window.end),
        annex=annex_rows(facts, accounts, regions, decimals=facts.decimals),
        uncollected=uncollected_rows(
            facts, accounts, regions, collection_activity(session, until=window.bounds()[1])
        ),
        trend=trend_rows(session, window, facts, previous, previous_period_name(window.days)),
        relays=rd.relays_of(session, facts.runs),
        ledger_counts=ledger_queries.state_counts(session, last_circular.id) if last_circular else None,
        units=units,
        discovery_text=discovery_text(session, window),
        grouping=groups.Grouping(
            fq.account_platforms(session), regions, facts.checked, facts.unqualified, decimals=facts.decimals
        ),
    )
    reasons = draft_reasons(session, facts)
    context = _context(
        found,
        settings,
        title=title,
        doc_no=doc_no,
        today=today,
        deadline=due.day,
        draft=draft or bool(reasons),
        extra=[*extra_problems, *discovery_problems(session, window)],  # 瞒报漏报、失管脱管
    )
    series = chart_series(context.trend, context.platform_rates, context.city_rates, decimals=facts.decimals)
    _captions(context, series)
    return CircularReport(
        window,
        due.day,
        context,
        _figures(found, context),
        _ledger_problems(facts, found.annex),
        found.annex,
        found.uncollected,
        series,
        reasons,
        [due.warning] if due.warning else [],
        rate_row("本期", facts) if facts.checked else None,
        words.subject(window, settings, words.check_word(r.kind for r in facts.runs)),
        today,
    )


@dataclass
class Found:
    """What the stored results say about the window, read once for the context and the figures."""

    window: Window
    facts: WindowFacts
    previous: WindowFacts
    size: list[tuple[str, str, int]]
    annex: list[AnnexRow]
    uncollected: list[UncollectedRow]
    trend: list[groups.RateRow]
    relays: list[rd.RelayRow]
    ledger_counts: dict[str, int] | None
    units: dict[int, Any]
    discovery_text: str
    grouping: groups.Grouping

    @property
    def recheck(self) -> dict[str, int]:
        return _recheck(self.previous.unqualified, self.facts)


def _context(
    found: Found,
    settings: CircularSettings,
    *,
    title: str | None,
    doc_no: str,
    today: date,
    deadline: date,
    draft: bool,
    extra: Sequence[words.Problem] = (),
) -> CircularContext:
    window, facts, annex, uncollected = found.window, found.facts, found.annex, found.uncollected
    registry_total = sum(n for _, _, n in found.size)
    by_level_text, by_platform_text = words.registry_texts(found.size)
    problems = [ProblemItem(**p) for p in words.problem_items(annex, extra)]
    period = previous_period_name(window.days)
    change = points_change(facts.pass_rate, found.previous.pass_rate, period)
    grouping = found.grouping
    city_rates, county_rates = grouping.by_city(), grouping.by_county()
    word = words.check_word(r.kind for r in facts.runs)
    places = facts.decimals  # every rate in the text with the profile's decimals
    share, rate_text = pct(rate(len(facts.checked), registry_total, places)), pct(facts.pass_rate)
    vetoed = {r.account_id for r in annex if r.level == "veto"} & facts.unqualified
    change_text = f"，{change}" if change else ""
    headings = words.problem_headings(problems, len(facts.unqualified) > len(vetoed))
    return CircularContext(
        issuer=settings.issuer,
        masthead=settings.masthead_text,
        doc_no="" if draft else doc_no,
        draft_mark=DRAFT_MARK if draft else "",
        title=title or words.title(window, settings, word),
        addressees=settings.addressees,
        opening_text=words.opening(window, settings, word),
        cc=settings.cc,
        printer=settings.printer,
        date_text=cn_date(today),
        print_date_text=cn_date(today),
        scope=settings.scope,
        window_text=window.text,
        period_name=period,
        registry_date_text=cn_date(window.end),
        registry_text=words.registry_text(
            cn_date(window.end), settings.scope, registry_total, by_level_text, by_platform_text
        ),
        registry_total=registry_total,
        registry_by_level_text=by_level_text,
        registry_by_platform_text=by_platform_text,
        runs_count=len(facts.runs),
        checked=len(facts.checked),
        checked_share_text=share,
        qualified=facts.qualified,
        unqualified=len(facts.unqualified),
        pass_rate_text=rate_text,
        change_text=change_text,
        results_text=words.results_text(
            window,
            len(facts.runs),
            len(facts.checked),
            share,
            facts.qualified,
            len(facts.unqualified),
            rate_text,
            change_text,
        ),
        good_text=words.good_text(city_rates, county_rates, grouping.by_unit(), found.units, decimals=places),
        recheck_text=words.recheck_text(found.recheck, period),
        relay_text=words.relay_text(found.relays, decimals=places),
        ledger_text=words.ledger_text(found.ledger_counts),
        discovery_text=found.discovery_text,
        charts_text="",
        problems=problems,
        veto_problems=[p for p in problems if p.level == "veto"],
        other_problems=[p for p in problems if p.level != "veto"],
        unqualified_text=words.unqualified_text(len(facts.unqualified), len(vetoed)),
        veto_heading=headings["veto"],
        other_heading=headings["other"],
        uncollected_count=len(uncollected),
        **words.attachments(annex, uncollected),
        uncollected=_inline(uncollected),
        deadline_text=cn_date(deadline),
        annex_title=words.ANNEX_TITLE,
        annex_count=len(annex),
        annex=_inline(annex),
        annex_note=words.annex_note(annex, uncollected, INLINE_LIMIT),
        trend=found.trend,
        platform_rates=grouping.by_platform(),
        city_rates=city_rates,
        county_rates=county_rates,
    )


def _inline(rows: list[Any]) -> list[Any]:
    return rows if len(rows) <= INLINE_LIMIT else []


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


def _captions(ctx: CircularContext, series: dict[str, Series]) -> None:
    """Number the charts in order (图1, 图2 …) and the sentence that refers to them."""
    cited = []
    for n, (key, s) in enumerate(series.items(), start=1):
        setattr(ctx, f"{key}_caption", f"图{n}  {s.title}（%）")
        cited.append((f"图{n}", s.title))
    ctx.charts_text = words.charts_text(cited)


def clear_charts(ctx: CircularContext) -> None:
    """No pictures at all (no Chinese font): no captions and no sentence citing them."""
    for key in IMAGES:
        setattr(ctx, key, "")
        setattr(ctx, f"{key}_caption", "")
    ctx.charts_text = ""


def _figures(found: Found, ctx: CircularContext) -> dict[str, Any]:
    by_level: dict[str, int] = defaultdict(int)
    by_platform: dict[str, int] = defaultdict(int)
    for level, platform, n in found.size:
        by_level[level] += n
        by_platform[platform] += n
    pass_rate, prev_rate = found.facts.pass_rate, found.previous.pass_rate
    relays = found.relays
    return {
        "window": {"from": found.window.start.isoformat(), "to": found.window.end.isoformat()},
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
        "recheck": found.recheck,
        "relay": {
            "releases": len({r.release_id for r in relays}),
            "due": len(relays),
            "relayed": sum(r.relayed for r in relays),
            "on_time": sum(r.on_time for r in relays),
        },
        "ledger": found.ledger_counts,
        "trend": [
            {"label": r.label, "checked": r.checked, "qualified": r.qualified, "pass_rate": r.rate}
            for r in found.trend
        ],
    }
