"""``govmedia lexicon …``, ``govmedia relay …`` and ``govmedia observe …``: what people give
the monitor (words to look for, releases to relay, what inspectors saw)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from monitor.app.cli import params
from monitor.app.cli.output import Col, Format, FormatOpt, OutOpt, actor, emit, say, session
from registry.errors import InvalidValue
from registry.timeutil import local_iso
from registry.vocab import FINDING_LEVEL, LEXICON_KIND, LEXICON_SOURCE, RULE

lexicon_app = typer.Typer(
    help="词库：严重表述错误、违法有害内容、敏感词、娱乐化、商业广告用语。", no_args_is_help=True
)
relay_app = typer.Typer(help="转载任务：指定下级账号须在时限内转载的重要信息。", no_args_is_help=True)
observe_app = typer.Typer(help="人工检查记录：导入检查人员发现的问题（直接确认）。", no_args_is_help=True)

LEXICON_COLUMNS = [
    Col("id", "ID"),
    Col("phrase", "词语"),
    Col("kind", "类别", LEXICON_KIND),
    Col("correct", "正确表述"),
    Col("source", "来源", LEXICON_SOURCE),
    Col("added_at", "加入时间"),
]
RELAY_COLUMNS = [
    ("id", "ID"),
    ("title", "标题"),
    ("url", "链接"),
    ("published_at", "发布时间"),
    ("due_hours", "时限（小时）"),
    ("units", "须转载单位"),
]


@lexicon_app.command("add")
def lexicon_add(
    phrase: Annotated[
        str, typer.Argument(metavar="PHRASE", parser=params.line("词语"), help="词语（错误表述或敏感词等）。")
    ],
    kind: Annotated[
        str,
        typer.Option("--kind", help="类别：" + LEXICON_KIND.choices() + "。"),
    ],
    correct: Annotated[
        str | None,
        typer.Option("--correct", parser=params.line("--correct"), help="正确表述（严重表述错误时填写）。"),
    ] = None,
) -> None:
    """向词库加入一个词语。"""
    from monitor.similarity import lexicon
    from registry.checks import inputs as check_lexicon

    with session() as s:
        lexicon.ensure_starter(s, actor=actor())
        entry = check_lexicon.add_entry(s, phrase=phrase, kind=kind, correct=correct, actor=actor())
    say(f"已加入词库：{entry.phrase}（{LEXICON_KIND.label(entry.kind)}，ID {entry.id}）")


@lexicon_app.command("list")
def lexicon_list(
    kind: Annotated[
        str | None, typer.Option("--kind", help="只列出该类别：" + LEXICON_KIND.choices() + "。")
    ] = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """列出词库（含随软件提供的初始词库）。"""
    from monitor.similarity import lexicon
    from registry.checks import inputs as check_lexicon

    with session() as s:
        lexicon.ensure_starter(s, actor=actor())
        rows = check_lexicon.list_entries(s, kind=kind)
    emit(rows, fmt, columns=LEXICON_COLUMNS, title="词库", out=out)


@lexicon_app.command("import")
def lexicon_import(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help=".csv（UTF-8 或 GBK）、.xlsx 或 .jsonl，列：词语（phrase）、类别（kind）、正确表述（correct）。",
        ),
    ],
) -> None:
    """批量导入词库，已有的词语跳过；有错误行则一行也不导入。"""
    from monitor.similarity import lexicon
    from registry.checks import inputs as check_lexicon

    rows = lexicon.read_entries(path)
    with session() as s:
        lexicon.ensure_starter(s, actor=actor())
        n = check_lexicon.add_entries(s, rows, source="import", actor=actor())
    say(f"已导入 {n} 个词语（共读取 {len(rows)} 行，重复的已跳过）")


@relay_app.command("add")
def relay_add(
    title: Annotated[str, typer.Option("--title", parser=params.line("--title"), help="重要信息的标题。")],
    url: Annotated[str, typer.Option("--url", parser=params.url("--url"), help="原文链接。")],
    text_file: Annotated[Path, typer.Option("--text-file", help="正文文本文件（UTF-8），用于近似匹配转载。")],
    published_at: Annotated[
        datetime,
        typer.Option(
            "--published-at",
            parser=params.moment("--published-at"),
            help="原文发布时间，如 2026-11-20 09:00。",
        ),
    ],
    due_hours: Annotated[
        int,
        typer.Option(
            "--due-hours", parser=params.whole("--due-hours", 1, 24 * 366), help="转载时限（小时）。"
        ),
    ],
    unit: Annotated[
        list[str] | None,
        typer.Option(
            "--unit",
            parser=params.ref("--unit"),
            help="须转载的单位（名称或ID，可重复）；不填则所有受检账号。",
        ),
    ] = None,
) -> None:
    """登记转载任务：检查时报告各账号是否及何时转载、各单位转载率。"""
    from monitor.similarity import neardup
    from registry.checks import inputs as check_lexicon

    try:
        text = text_file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidValue("--text-file", str(text_file), "不是 UTF-8 编码的文本文件") from None
    except OSError:
        raise InvalidValue(
            "--text-file", str(text_file), "无法读取（文件不存在、是文件夹或没有权限）"
        ) from None
    when = published_at
    with session() as s:
        release = check_lexicon.add_release(
            s,
            title=title,
            url=url,
            text=text,
            published_at=when,
            due_hours=due_hours,
            units=unit or [],
            exact_hash=neardup.exact_hash(neardup.normalise(text)),
            actor=actor(),
        )
    say(f"已登记转载任务 {release.id}：「{release.title}」，时限 {due_hours} 小时")


@relay_app.command("list")
def relay_list(fmt: FormatOpt = Format.table, out: OutOpt = None) -> None:
    """列出转载任务。"""
    from registry.checks import inputs as check_lexicon

    with session() as s:
        rows = check_lexicon.list_releases(s)
        names = dict(check_lexicon.unit_names(s))
    releases = [
        {
            "id": r["id"],
            "title": r["title"],
            "url": r["url"],
            "published_at": local_iso(r["published_at"]),
            "due_hours": r["due_hours"],
            "units": [names[u] for u in r["unit_ids"]],
        }
        for r in rows
    ]
    emit(releases, fmt, columns=RELAY_COLUMNS, title="转载任务", out=out)


@observe_app.command("import")
def observe_import(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="填好的检查表 .xlsx（check sheet 导出），或 .csv / .jsonl（列：账号ID、规则、级别、检查说明、检查时间）。",
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只校验并逐行列出将导入的记录，不写入。")
    ] = False,
) -> None:
    """导入人工检查记录，作为已确认的问题计入之后的检查。

    规则、级别可写中文名称或代码；规则，包括只能由检查人员判断的指标：泄露国家秘密（state_secret）、
    发布或链接反动暴力色情等内容（illegal_content）、引发严重负面舆情（public_opinion）、
    留言办理不及时（slow_response）、功能无法使用/链接无法访问（broken_function）、
    个人信息泄露（privacy_leak）、转载未注明来源（unattributed_repost）、未提供有效互动功能
    （no_interaction）等。级别留空时按检查所用指标方案的级别。未能采集的账号也按记录判定：
    已确认的单项否决记录即不合格。
    """
    from monitor import observe
    from registry.checks import inputs as check_lexicon

    with session() as s:
        rows = observe.read_observations(s, path)
        if dry_run:
            for row in rows:
                say(
                    f"第{row['row']}行 账号 {row['account_id']}：{RULE.label(row['rule'])}"
                    f"（{FINDING_LEVEL.label(row['level'])}）{row['note']}"
                )
            say(f"校验通过（--dry-run，未写入）：将导入 {len(rows)} 条人工检查记录（{path}）")
            return
        n = check_lexicon.add_observations(s, rows, actor=actor(), source_file=path.name)
    say(f"已导入 {n} 条人工检查记录（{path}）")
