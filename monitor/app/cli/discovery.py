"""``govmedia discover …`` (未备案账号排查) and ``govmedia registry …`` (失管脱管核查): thin
commands over ``monitor.app.discovery``, ``registry.discovery`` and ``monitor.discovery.audit``.
Scrapy is imported only inside the search subprocess."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from monitor.app.cli import params
from monitor.app.cli.output import STATE, Format, actor, emit, emit_object, say, session
from registry.vocab import (
    AUDIT_KIND,
    CANDIDATE_STATE,
    MATCH_BASIS,
    PLATFORM,
    SEARCH_OUTCOME,
    VERIFIED_KIND,
)

discover_app = typer.Typer(
    help="未备案账号排查：按备案库生成搜索词，在各平台搜索账号，核实瞒报漏报、私开账号。",
    no_args_is_help=True,
)
registry_app = typer.Typer(help="备案库核查：已备案账号失管脱管、建而不管的情况。", no_args_is_help=True)


class ListFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


class RunFormat(str, Enum):
    table = "table"
    json = "json"


ListFmtOpt = Annotated[ListFormat, typer.Option("--format", help="输出格式：table、json、csv 或 xlsx。")]
IdArg = Annotated[
    int, typer.Argument(metavar="ID", parser=params.record_id("线索ID"), help="线索ID（见 discover list）。")
]
XlsxOut = params.out_file("--out", ".xlsx")

RUN_COLUMNS = [
    ("platform_label", "平台"),
    ("queries", "待搜索"),
    ("searched", "已搜索"),
    ("blocked", "被拦截"),
    ("failed", "搜索失败"),
    ("unsearched", "未搜索"),
    ("found", "搜到账号"),
    ("new_candidates", "新线索"),
]
CANDIDATE_COLUMNS = [
    ("id", "线索ID"),
    ("platform_label", "平台"),
    ("platform_id", "平台账号ID"),
    ("name", "账号名称"),
    ("verified", "平台认证"),
    ("verified_text", "认证主体"),
    ("unit", "匹配单位"),
    ("state_label", "状态"),
    ("query", "搜索词"),
    ("found_at", "发现时间"),
]
CANDIDATE_LABELS = {
    "id": "线索ID",
    "platform": "平台",
    "platform_id": "平台账号ID",
    "name": "账号名称",
    "verified": "平台认证",
    "verified_text": "认证主体",
    "verified_kind": "认证类型",
    "unit": "匹配单位",
    "state": "状态",
    "query": "搜索词",
    "found_at": "发现时间",
    "last_seen_at": "最近搜到",
    "evidence": "证据（搜索结果）",
    "description": "简介",
    "url": "主页链接",
    "followers": "粉丝数",
    "basis": "匹配依据",
    "match_note": "匹配说明",
    "account_id": "已备案账号ID",
    "decided_by": "核实人",
    "decided_at": "核实时间",
    "note": "核实说明",
    "filed_account_id": "补办备案的账号ID",
}
QUERY_COLUMNS = [
    ("id", "搜索词ID"),
    ("platform_label", "平台"),
    ("query", "搜索词"),
    ("region", "行政区划"),
    ("unit", "所属单位"),
    ("form", "生成方式"),
    ("outcome_label", "本月结果"),
    ("found", "搜到账号"),
    ("last_at", "搜索时间"),
    ("detail", "说明"),
]
AUDIT_COLUMNS = [
    ("kind_label", "核查问题"),
    ("account_id", "账号ID"),
    ("name", "账号名称"),
    ("platform_label", "平台"),
    ("unit", "主办单位"),
    ("status_label", "备案状态"),
    ("detail", "说明"),
]


@discover_app.command("run")
def discover_run(
    region: Annotated[
        str | None,
        typer.Option(
            "--region", parser=params.line("--region"), help="只排查该行政区划（6 位代码，含下级）。"
        ),
    ] = None,
    platform: Annotated[
        str | None, typer.Option("--platform", help="只在该平台搜索（代码或中文名）。")
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option("--unit", parser=params.ref("--unit"), help="只用该单位（名称或ID）的搜索词。"),
    ] = None,
    fmt: Annotated[RunFormat, typer.Option("--format", help="输出格式：table 或 json。")] = RunFormat.table,
) -> None:
    """搜索本月尚未搜索的搜索词（按各平台每日搜索预算分摊，中断后再次运行即从停下处继续），
    并把搜到的账号与备案库比对。被拦截或失败的搜索不算“已搜索”，下次继续搜索。"""
    from monitor.app.config import discovery_env, load_config
    from monitor.app.discovery import PLATFORM_KEYS, discovery_settings, run_discovery

    config = load_config(STATE.config).require_valid()
    run = run_discovery(
        STATE.db,
        settings=discovery_settings(config),
        env=discovery_env(config),
        now=datetime.now(UTC),
        region=region,
        platform=platform,
        unit=unit,
        timeout=config.get("schedule", "job_timeout"),
    )
    if fmt is RunFormat.json:
        rows = [{k: p[k] for k in PLATFORM_KEYS} for p in run.platforms]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    rows = [
        {
            **p,
            "platform_label": PLATFORM.label(p["platform"]),
            "unsearched": p["queries"] - p["searched"] - p["blocked"] - p["failed"],
        }
        for p in run.platforms
    ]
    emit(rows, Format.table, columns=RUN_COLUMNS, title=f"未备案账号排查（批次 {run.run_id or '无'}）")
    if run.pending_after:
        say(
            f"本月尚有 {run.pending_after} 个搜索词未完成搜索（被拦截、失败或超出今日搜索预算），再次运行即继续"
        )
    else:
        say("本月范围内的搜索词均已搜索；新线索请用 discover list --state candidate 查看并核实")


def _candidate_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            **r,
            "platform_label": PLATFORM.label(r["platform"]),
            "state_label": CANDIDATE_STATE.label(r["state"]),
            "found_at": (r["found_at"] or "")[:16].replace("T", " "),
        }
        for r in rows
    ]


@discover_app.command("list")
def discover_list(
    state: Annotated[
        str | None,
        typer.Option("--state", help="只列出该状态：candidate/filed/unfiled/not_government/dismissed。"),
    ] = None,
    platform: Annotated[str | None, typer.Option("--platform", help="只列出该平台。")] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", parser=params.ref("--unit"), help="只列出匹配到该单位的线索。")
    ] = None,
    region: Annotated[
        str | None,
        typer.Option("--region", parser=params.line("--region"), help="只列出该行政区划（6 位代码）的线索。"),
    ] = None,
    fmt: ListFmtOpt = ListFormat.table,
    out: Annotated[Path, typer.Option("--out", parser=XlsxOut, help="--format xlsx 时写入的文件。")] = Path(
        "排查线索.xlsx"
    ),
) -> None:
    """列出排查搜到的账号（线索），最新的在前。"""
    from registry.discovery.queries import LIST_KEYS, list_candidates

    with session() as s:
        rows = list_candidates(s, state=state, platform=platform, unit=unit, region=region)
    if fmt is ListFormat.json:
        emit([{k: r[k] for k in LIST_KEYS} for r in rows], Format.json)
        return
    if fmt is ListFormat.csv:
        emit(rows, Format.csv, columns=[(k, k) for k in LIST_KEYS])
        return
    shown = _candidate_rows(rows)
    if fmt is ListFormat.xlsx:
        _xlsx(out, "排查线索", CANDIDATE_COLUMNS, shown, "条线索")
        return
    emit(shown, Format.table, columns=CANDIDATE_COLUMNS, title="未备案账号排查线索")


def _xlsx(
    out: Path, name: str, columns: list[tuple[str, str]], rows: list[dict[str, Any]], what: str
) -> None:
    from registry.sheets import Sheet, write_workbook

    sheet = Sheet(name, [label for _, label in columns], [[r.get(k) for k, _ in columns] for r in rows])
    say(f"已写入{len(rows)}{what}：{write_workbook(out, [sheet])}")


@discover_app.command("show")
def discover_show(
    candidate: IdArg,
    fmt: Annotated[Format, typer.Option("--format", help="输出格式：table、json 或 csv。")] = Format.table,
) -> None:
    """查看一条线索：平台显示的信息、匹配依据、核实记录和作为证据的搜索结果。"""
    from registry.discovery.queries import candidate_detail

    with session() as s:
        row = candidate_detail(s, candidate)
    if fmt is not Format.table:
        emit_object(row, fmt, CANDIDATE_LABELS)
        return
    shown = {
        **row,
        "platform": PLATFORM.label(row["platform"]),
        "state": CANDIDATE_STATE.label(row["state"]),
        "verified_kind": VERIFIED_KIND.label(row["verified_kind"]),
        "basis": MATCH_BASIS.label(row["basis"]),
    }
    emit_object(shown, fmt, CANDIDATE_LABELS)


NoteOpt = Annotated[
    str | None, typer.Option("--note", parser=params.blank_ok(params.text("--note")), help="核实说明。")
]
UnitOpt = Annotated[
    str | None,
    typer.Option("--unit", parser=params.ref("--unit"), help="主办单位（名称或ID），改正或补充匹配结果。"),
]


@discover_app.command("confirm")
def discover_confirm(candidate: IdArg, unit: UnitOpt = None, note: NoteOpt = None) -> None:
    """人工核实后确认为未备案账号（瞒报漏报、私开），计入季度通报。"""
    from registry.discovery.store import decide

    with session() as s:
        row = decide(s, candidate, state="unfiled", actor=actor(), note=note, unit=unit)
    say(f"线索 {row.id}「{row.name}」已确认为{CANDIDATE_STATE.label('unfiled')}")


@discover_app.command("dismiss")
def discover_dismiss(
    candidate: IdArg,
    note: Annotated[
        str, typer.Option("--note", parser=params.blank_ok(params.text("--note")), help="排除理由（必填）。")
    ],
    not_government: Annotated[
        bool, typer.Option("--not-government", help="判定为非政务账号（个人、企业等）。")
    ] = False,
) -> None:
    """排除一条线索（误搜、仿冒已处理等），或用 --not-government 判定为非政务账号。"""
    from registry.discovery.store import decide

    state = "not_government" if not_government else "dismissed"
    with session() as s:
        row = decide(s, candidate, state=state, actor=actor(), note=note)
    say(f"线索 {row.id}「{row.name}」已标记为{CANDIDATE_STATE.label(state)}")


@discover_app.command("file")
def discover_file(candidate: IdArg, unit: UnitOpt = None) -> None:
    """把已确认的未备案账号补办为待审核的备案（主办单位为匹配到的单位，或用 --unit 指定）。"""
    from registry.discovery.store import file_candidate

    with session() as s:
        row = file_candidate(s, candidate, actor=actor(), unit=unit)
    say(f"已为线索 {row.id}「{row.name}」补办备案：账号ID {row.filed_account_id}（待审核）")


@discover_app.command("queries")
def discover_queries(
    platform: Annotated[str | None, typer.Option("--platform", help="只列出该平台。")] = None,
    region: Annotated[
        str | None,
        typer.Option("--region", parser=params.line("--region"), help="只列出该行政区划（6 位代码）。"),
    ] = None,
    fmt: ListFmtOpt = ListFormat.table,
    out: Annotated[Path, typer.Option("--out", parser=XlsxOut, help="--format xlsx 时写入的文件。")] = Path(
        "排查搜索词.xlsx"
    ),
) -> None:
    """列出搜索词及其本月的搜索结果（有结果、无结果、被拦截、失败或尚未搜索）。"""
    from monitor.app.discovery import cycle_start
    from registry.discovery.queries import QUERY_KEYS, query_status

    with session() as s:
        rows = query_status(s, since=cycle_start(datetime.now(UTC)), platform=platform, region=region)
    if fmt is ListFormat.json or fmt is ListFormat.csv:
        emit([{k: r[k] for k in QUERY_KEYS} for r in rows], Format(fmt.value))
        return
    shown = [
        {
            **r,
            "platform_label": PLATFORM.label(r["platform"]),
            "outcome_label": SEARCH_OUTCOME.label(r["outcome"]) if r["outcome"] else "尚未搜索",
        }
        for r in rows
    ]
    if fmt is ListFormat.xlsx:
        _xlsx(out, "排查搜索词", QUERY_COLUMNS, shown, "个搜索词")
        return
    emit(shown, Format.table, columns=QUERY_COLUMNS, title="排查搜索词（本月）")


@registry_app.command("audit")
def registry_audit(
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", help="只列出这些问题（可重复）：" + "、".join(AUDIT_KIND.codes) + "。"),
    ] = None,
    fmt: ListFmtOpt = ListFormat.table,
    out: Annotated[Path, typer.Option("--out", parser=XlsxOut, help="--format xlsx 时写入的文件。")] = Path(
        "备案核查.xlsx"
    ),
) -> None:
    """列出失管脱管、建而不管的已备案账号及证据：平台已注销或改名而备案未变更、关停注销后仍在运行、
    未登记或逾期未核实联系人、连续多周未能采集。"""
    from monitor.app.config import load_config
    from monitor.app.discovery import discovery_settings
    from monitor.discovery.audit import AUDIT_KEYS, audit

    kinds = [AUDIT_KIND.code(k, "--kind") for k in kind] if kind else None
    settings = discovery_settings(load_config(STATE.config).require_valid()).audit
    with session() as s:
        rows = audit(s, now=datetime.now(UTC), settings=settings, kinds=kinds)
    if fmt is ListFormat.json or fmt is ListFormat.csv:
        emit([{k: r[k] for k in AUDIT_KEYS} for r in rows], Format(fmt.value))
        return
    from registry.vocab import ACCOUNT_STATUS

    shown = [
        {
            **r,
            "kind_label": AUDIT_KIND.label(r["kind"]),
            "platform_label": PLATFORM.label(r["platform"]),
            "status_label": ACCOUNT_STATUS.label(r["status"]),
        }
        for r in rows
    ]
    if fmt is ListFormat.xlsx:
        _xlsx(out, "备案核查", AUDIT_COLUMNS, shown, "项核查问题")
        return
    emit(shown, Format.table, columns=AUDIT_COLUMNS, title="备案核查：失管脱管、建而不管")


@registry_app.command("confirm-contacts")
def registry_confirm_contacts(
    accounts: Annotated[
        list[int],
        typer.Argument(metavar="ACCOUNT...", parser=params.record_id("账号ID"), help="账号ID（可多个）。"),
    ],
    note: NoteOpt = None,
) -> None:
    """登记已核实这些账号的负责人和联系电话（年度核查），逾期未核实的提示随之消除。"""
    from registry.discovery.store import confirm_contacts

    with session() as s:
        done = confirm_contacts(s, accounts, actor=actor(), note=note)
    say(f"已登记 {len(done)} 个账号的联系人核实：{'、'.join(str(i) for i in done)}")
