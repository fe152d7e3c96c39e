"""The result sheet of one check run (周抽查 / 月检查): a printable HTML page and an .xlsx.

``compute_check`` builds a ``CheckContext`` from the run as ``registry.checks.check_json``
reports it (so later confirmations and dismissals are reflected): totals and 合格率, how
the sample was drawn, every unqualified and uncollected account with its findings and
evidence (last post time, links), the candidate findings still awaiting review, and the
comparison with the previous run of the same kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from monitor import figures
from monitor.check.summary import run_json
from registry.checks import queries
from registry.checks import store as checks
from registry.sheets import Sheet, write_workbook
from registry.timeutil import local_text
from registry.vocab import CHECK_KIND, FINDING_LEVEL, FINDING_STATUS, SAMPLE_REASON
from reports import render
from reports.problems import safe_link
from reports.publish import Written, ensure_dir
from reports.text import pct, platform_name, points_change, rule_label


@dataclass
class FindingLine:
    """One finding as the sheet shows it."""

    id: int
    account: str
    unit: str
    platform: str
    rule: str
    level: str
    status: str
    note: str
    last_post: str
    links: list[str]


@dataclass
class AccountLine:
    """One unqualified or uncollected account with its findings."""

    account_id: int
    account: str
    unit: str
    platform: str
    verdict: str
    last_post: str
    findings: list[FindingLine]


@dataclass
class CheckContext:
    """Placeholders of ``check.html.j2``: one run's figures, its problem accounts and the
    comparison with the previous run of the same kind."""

    run_id: int  # 检查批次
    kind_label: str  # 周抽查/月检查/专项检查
    at_text: str  # 监测时间点
    window_text: str  # 内容窗口
    profile: str  # 指标方案
    seed: int  # 抽样随机种子
    sample_text: str  # 抽样方法说明
    population: int  # 可抽查账号总数
    sampled: int  # 本次检查账号数
    qualified: int
    unqualified: int
    uncollected: int
    pass_rate_text: str  # 合格率
    previous_text: str  # 与上一次同类检查的比较
    unqualified_accounts: list[AccountLine]
    uncollected_accounts: list[AccountLine]
    candidates: list[FindingLine]  # 待人工复核的问题
    relays: list[dict[str, Any]]  # 重点信息转载情况（每条任务）


def _when(iso: str | None) -> str:
    return local_text(datetime.fromisoformat(iso)) if iso else "无"


def _finding(f: dict[str, Any], acc: dict[str, Any]) -> FindingLine:
    evidence = f.get("evidence") or {}
    links = [safe_link(p.get("url")) for p in evidence.get("posts") or [] if isinstance(p, dict)]
    last = evidence.get("last_post_at") or acc.get("last_post_at")
    return FindingLine(
        f["id"],
        acc["name"],
        acc["unit"],
        platform_name(acc["platform"]),
        rule_label(f["rule"]),
        FINDING_LEVEL.label(f["level"]),
        FINDING_STATUS.label(f["status"]),
        str(evidence.get("note") or ""),
        _when(last),
        [x for x in links if x],
    )


def compute_check(session: Session, run_id: int | str) -> CheckContext:
    data = run_json(session, run_id)
    run = checks.get_run(session, data["run_id"])
    bad: list[AccountLine] = []
    missing: list[AccountLine] = []
    candidates: list[FindingLine] = []
    for acc in data["accounts"]:
        shown = [_finding(f, acc) for f in acc["findings"] if f["status"] == "confirmed"]
        candidates += [_finding(f, acc) for f in acc["findings"] if f["status"] == "candidate"]
        if acc["verdict"] in ("unqualified", "uncollected"):
            line = AccountLine(
                acc["account_id"],
                acc["name"],
                acc["unit"],
                platform_name(acc["platform"]),
                acc["verdict"],
                _when(acc.get("last_post_at")),
                shown,
            )
            (bad if acc["verdict"] == "unqualified" else missing).append(line)
    decimals = figures.decimals_of(run.thresholds)
    current = figures.pass_rate(data["qualified"], data["unqualified"], decimals)
    previous_text = "无上一次同类检查。"
    before = queries.previous_run(session, run)
    if before is not None:
        counts = queries.verdict_counts(session, [before.id]).get(
            before.id, dict.fromkeys(queries.VERDICTS, 0)
        )
        prev = figures.pass_rate(
            counts["qualified"], counts["unqualified"], figures.decimals_of(before.thresholds)
        )
        change = points_change(current, prev, "上次")
        previous_text = (
            f"上一次{CHECK_KIND.label(before.kind)}（第{before.id}次，{local_text(before.at)}）"
            f"检查{sum(counts.values())}个账号，合格率{pct(prev)}" + (f"；本次{change}。" if change else "。")
        )
    reasons = queries.sample_reasons(session, run.id)
    parts = "、".join(f"{SAMPLE_REASON.label(k)}{n}个" for k, n in sorted(reasons.items()))
    rate_text = f"，其余账号按{run.sample_rate:.0%}分层随机抽样" if run.sample_rate is not None else ""
    sample_text = (
        f"从{data['population']}个账号中抽取{data['sampled']}个（{parts or '无'}）"
        f"{rate_text}，随机种子{run.seed}。"
    )
    return CheckContext(
        run_id=run.id,
        kind_label=CHECK_KIND.label(run.kind),
        at_text=local_text(run.at),
        window_text=f"{local_text(run.window_from)} 至 {local_text(run.window_to)}",
        profile=run.profile,
        seed=run.seed,
        sample_text=sample_text,
        population=data["population"],
        sampled=data["sampled"],
        qualified=data["qualified"],
        unqualified=data["unqualified"],
        uncollected=data["uncollected"],
        pass_rate_text=pct(current),
        previous_text=previous_text,
        unqualified_accounts=bad,
        uncollected_accounts=missing,
        candidates=candidates,
        relays=data.get("relays") or [],
    )


FINDING_HEADERS = [
    "账号名称",
    "主办单位",
    "平台",
    "问题类型",
    "级别",
    "状态",
    "说明",
    "最近更新时间",
    "证据链接",
]


def _finding_rows(lines: list[FindingLine]) -> list[list[Any]]:
    return [
        [f.account, f.unit, f.platform, f.rule, f.level, f.status, f.note, f.last_post, " ".join(f.links)]
        for f in lines
    ]


def check_sheets(ctx: CheckContext) -> list[Sheet]:
    summary: list[list[Any]] = [
        ["检查批次", ctx.run_id],
        ["检查类型", ctx.kind_label],
        ["监测时间点", ctx.at_text],
        ["内容窗口", ctx.window_text],
        ["指标方案", ctx.profile],
        ["抽样方法", ctx.sample_text],
        ["检查账号数", ctx.sampled],
        ["合格", ctx.qualified],
        ["不合格", ctx.unqualified],
        ["未能采集", ctx.uncollected],
        ["合格率", ctx.pass_rate_text],
        ["与上次比较", ctx.previous_text],
    ]
    unqualified = [f for a in ctx.unqualified_accounts for f in a.findings]
    missing = [[a.account, a.unit, a.platform, a.last_post] for a in ctx.uncollected_accounts]
    return [
        Sheet("检查结果", ["项目", "内容"], summary, widths=(16, 60)),
        Sheet(
            "不合格账号",
            FINDING_HEADERS,
            _finding_rows(unqualified),
            widths=(20, 24, 12, 24, 10, 8, 40, 18, 40),
        ),
        Sheet("未能采集", ["账号名称", "主办单位", "平台", "最近更新时间"], missing, widths=(20, 24, 12, 18)),
        Sheet(
            "待复核问题",
            ["问题ID", *FINDING_HEADERS],
            [[f.id, *row] for f, row in zip(ctx.candidates, _finding_rows(ctx.candidates), strict=True)],
            widths=(8, 20, 24, 12, 24, 10, 8, 40, 18, 40),
        ),
    ]


def write_check(ctx: CheckContext, out: Path) -> Written:
    stem = f"第{ctx.run_id}次{ctx.kind_label}结果"
    written = Written()
    ensure_dir(out)
    written.files["html"] = str(render.render_html("check.html.j2", ctx, (), out / f"{stem}.html"))
    written.files["xlsx"] = str(write_workbook(out / f"{stem}.xlsx", check_sheets(ctx)))
    return written
