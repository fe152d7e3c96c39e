"""Inspectors' checklists and observations (人工检查).

``write_sheet`` turns a run's sampled accounts into an .xlsx checklist in Chinese: one row per
account with what the machine found, and empty columns 规则 / 级别 (drop-down lists of the
rules' and levels' Chinese names) / 检查说明 / 检查时间 for what the inspector sees (no
interaction function, an ad, a misstatement). ``read_observations`` reads that sheet back,
or a .csv / .jsonl file with the keys ``account, rule, level, note, observed_at``; rows
without a rule are skipped. Every row is validated first; one bad row rejects the whole
file, naming the row, the column as the file names it, the value and the reason.

Every rule can be recorded, by its code or its Chinese name, including the 19号 indicators that
only an inspector can judge (泄露国家秘密, 发布或链接反动暴力色情等内容, 引发严重负面舆情,
互动回应差/留言办理不及时, 功能无法使用/链接无法访问, 个人信息泄露, 转载未注明来源). A record is a
confirmed finding at the level the inspector wrote, or, left blank, at the level of the profile
the check uses (so 留言办理不及时 is a veto under a profile that makes it one). A record counts
even for an account that could not be collected (``monitor.check.verdict``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from monitor.check.summary import run_json
from monitor.rules import RULES
from registry import validation
from registry.db import utcnow
from registry.errors import InvalidValue, NotFound, RowErrors
from registry.files import Column, Row, Table, parse_cell_time, read_table
from registry.filing.accounts import get_account
from registry.timeutil import in_future
from registry.vocab import FINDING_LEVEL, FINDING_STATUS, PLATFORM, RULE, SAMPLE_REASON, VERDICT

HEADERS = [
    ("account", "账号ID"),
    ("unit", "主办单位"),
    ("platform", "平台"),
    ("name", "账号名称"),
    ("reason", "抽样原因"),
    ("verdict", "机器结论"),
    ("problems", "机器发现的问题"),
    ("last_post_at", "最近发布"),
    ("rule", "规则"),
    ("level", "级别"),
    ("note", "检查说明"),
    ("observed_at", "检查时间"),
]


def write_sheet(session: Session, run_id: int | str, path: Path) -> int:
    """Write the run's accounts as a checklist (Chinese headers and values, drop-down lists for
    规则 and 级别, a 填写说明 sheet); return the number of rows."""
    from registry.sheets import Sheet, write_workbook

    if path.suffix.lower() != ".xlsx":
        raise InvalidValue("文件", str(path), "检查表应为 .xlsx 文件")
    data = run_json(session, run_id)
    rows = []
    for acct in data["accounts"]:
        problems = "；".join(
            f"{RULE.label(f['rule'])}（{FINDING_STATUS.label(f['status'])}）" for f in acct["findings"]
        )
        rows.append(
            [
                acct["account_id"],
                acct["unit"],
                PLATFORM.label(acct["platform"]),
                acct["name"],
                SAMPLE_REASON.label(acct["sample_reason"]),
                VERDICT.label(acct["verdict"]),
                problems,
                _minute(acct["last_post_at"]),
                "",
                "",
                "",
                "",
            ]
        )
    rules = [RULE.label(code) for code in RULES]
    levels = list(FINDING_LEVEL.labels.values())
    rule_col, level_col = len(HEADERS) - 4, len(HEADERS) - 3
    sheet = Sheet(
        "人工检查",
        [label for _, label in HEADERS],
        rows,
        widths=(8, 22, 12, 18, 14, 10, 30, 16, 22, 10, 36, 18),
        choices={rule_col: rules, level_col: levels},
        strict=(rule_col, level_col),
        notes={
            rule_col: "发现问题时从下拉列表选择规则；没有问题的账号留空。",
            level_col: "留空则取该规则在指标方案中的默认级别。",
            len(HEADERS) - 2: "发现问题时必填：看到了什么（如“互动留言菜单无法打开”）。",
            len(HEADERS) - 1: "如 2026-11-23 09:30，留空则为导入时间。",
        },
        input_rows=max(len(rows), 1),
    )
    notes = Sheet(
        "填写说明",
        ["项目", "说明"],
        [
            ["检查批次", f"第 {data['run_id']} 批，监测时间点 {_minute(data['at'])}"],
            [
                "填写",
                "发现问题时填写“规则”“级别”“检查说明”，可选填“检查时间”（默认为导入时间）；没有问题的行留空。",
            ],
            ["导入", "填好后运行 govmedia observe import 本文件 --dry-run 检查，再去掉 --dry-run 导入。"],
            ["规则", "、".join(rules)],
            ["级别", "、".join(levels) + "；留空取规则默认级别"],
        ],
        widths=(12, 100),
    )
    write_workbook(path, [sheet, notes])
    return len(rows)


def _minute(value: str | None) -> str:
    """An ISO time as 2026-12-01 14:06 (Beijing time, as the JSON gives it)."""
    return value[:16].replace("T", " ") if value else ""


Problem = tuple[int, str, object, str]
READ_COLUMNS = [
    Column("account", "账号ID", ("账号",), required=True),
    Column("rule", "规则", required=True),
    Column("level", "级别"),
    Column("note", "检查说明", ("说明",)),
    Column("observed_at", "检查时间"),
    # what the checklist shows of each account: read, not used
    *(
        Column(key, label)
        for key, label in HEADERS
        if key in ("unit", "platform", "name", "reason", "verdict", "problems", "last_post_at")
    ),
]


def read_observations(session: Session, path: Path) -> list[dict[str, Any]]:
    """Validated observation rows (``account_id, rule, level, note, observed_at``) of a .csv,
    .jsonl or filled-in checklist .xlsx (through ``registry.files``); rows without a rule are
    skipped, and one bad row rejects the file."""
    table = read_table(path, READ_COLUMNS)
    rows, errors = [], list(table.errors)
    for row in table.rows:
        parsed, row_errors = _observation(session, row, table)
        errors += row_errors
        if parsed is not None and not row_errors:
            rows.append(parsed)
    if errors:
        raise RowErrors(path.name, errors)
    return rows


def _observation(
    session: Session, row: Row, table: Table
) -> tuple[dict[str, Any] | None, list[tuple[int, str, object, str]]]:
    no = row.number
    label = {c.key: table.header(c.key, c.label) for c in READ_COLUMNS}  # as the file names them
    if not row.text("rule"):
        return None, []
    errors: list[Problem] = []
    account_id = 0
    try:
        account_id = get_account(session, row.text("account")).id
    except NotFound:
        errors.append((no, label["account"], row.text("account"), "找不到该账号ID"))
    rule = RULE.find(row.text("rule"))
    if rule is None or rule not in RULES:
        errors.append((no, label["rule"], row.text("rule"), "未知规则，可选：" + RULE.choices()))
    level = FINDING_LEVEL.find(row.text("level")) if row.text("level") else None
    if row.text("level") and level is None:
        errors.append((no, label["level"], row.text("level"), "应为" + FINDING_LEVEL.choices()))
    note = row.text("note")
    if not note:
        errors.append((no, label["note"], "", "检查说明不能为空"))
    else:
        try:
            note = validation.text(note, label["note"], max_len=2000, multiline=True)
        except InvalidValue as exc:
            errors.append((no, label["note"], exc.value, exc.reason))
    now = when = utcnow()
    if row.text("observed_at"):
        try:
            when = parse_cell_time(row.values["observed_at"], field=label["observed_at"])
        except InvalidValue as exc:
            errors.append((no, label["observed_at"], row.text("observed_at"), exc.reason))
        else:
            if in_future(when, now):
                errors.append(
                    (no, label["observed_at"], row.text("observed_at"), "晚于现在，不能是将来的时间")
                )
    if errors or rule is None:
        return None, errors
    return {
        "row": no,
        "account_id": account_id,
        "rule": rule,
        "level": level,  # None: the level of the profile each check uses
        "note": note,
        "observed_at": when,
    }, []
