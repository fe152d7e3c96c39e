"""Inspectors' checklists and observations (人工检查).

``write_sheet`` turns a run's sampled accounts into an .xlsx checklist: one row per account
with what the machine found, and empty columns 规则 / 级别 / 检查说明 / 检查时间 for what the
inspector sees (no interaction function, an ad, a misstatement). ``read_observations`` reads
that sheet back, or a .csv / .jsonl file with the keys ``account, rule, level, note,
observed_at``; rows without a rule are skipped. Every row is validated first; one bad row
rejects the whole file, naming the row, column, value and reason.

Every rule can be recorded, by its code or its Chinese name, including the 19号 indicators that
only an inspector can judge (泄露国家秘密, 发布或链接反动暴力色情等内容, 引发严重负面舆情,
互动回应差/留言办理不及时, 功能无法使用/链接无法访问, 个人信息泄露, 转载未注明来源). A record is a
confirmed finding at the level the inspector wrote, or, left blank, at the level of the profile
the check uses (so 留言办理不及时 is a veto under a profile that makes it one). A record counts
even for an account that could not be collected (``monitor.check.verdict``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from monitor.check.summary import run_json
from monitor.rules import RULES
from registry.db import utcnow
from registry.errors import InvalidValue, NotFound, RowErrors
from registry.files import Column, Row, parse_cell_time, read_table
from registry.filing.accounts import get_account
from registry.vocab import FINDING_LEVEL, FINDING_STATUS, RULE, SAMPLE_REASON, VERDICT

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
    """Write the run's accounts as a checklist; return the number of rows."""
    import xlsxwriter

    if path.suffix.lower() != ".xlsx":
        raise InvalidValue("文件", str(path), "检查表应为 .xlsx 文件")
    data = run_json(session, run_id)
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("人工检查")
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    for col, (_, label) in enumerate(HEADERS):
        sheet.write(0, col, label, head)
    rules = "、".join(f"{code}（{r.name}）" for code, r in RULES.items())
    observed = "；".join(
        f"{r.name}（{code}，默认{FINDING_LEVEL.label(r.level)}）" for code, r in RULES.items() if r.observed
    )
    for row, acct in enumerate(data["accounts"], start=1):
        problems = "；".join(
            f"{RULE.label(f['rule'])}（{FINDING_STATUS.label(f['status'])}）" for f in acct["findings"]
        )
        values = [
            acct["account_id"],
            acct["unit"],
            acct["platform"],
            acct["name"],
            SAMPLE_REASON.label(acct["sample_reason"]),
            VERDICT.label(acct["verdict"]),
            problems,
            acct["last_post_at"] or "",
            "",
            "",
            "",
            "",
        ]
        for col, value in enumerate(values):
            sheet.write(row, col, value)
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 7, 18)
    sheet.set_column(8, 11, 16)
    notes = book.add_worksheet("填写说明")
    notes.write(0, 0, f"检查批次 {data['run_id']}，监测时间点 {data['at']}。")
    notes.write(1, 0, "发现问题时填写“规则”“级别”“检查说明”，可选填“检查时间”（默认为导入时间）。")
    notes.write(2, 0, "规则：可填代码或中文名称。" + rules)
    notes.write(3, 0, "只能由检查人员判断的指标：" + observed)
    notes.write(
        4,
        0,
        "级别：veto（单项否决）、deduct（扣分）、warn（提醒）、info（提示），留空按检查所用指标方案的级别。",
    )
    book.close()
    return len(data["accounts"])


Problem = tuple[int, str, object, str]
READ_COLUMNS = [
    Column("account", "账号ID", ("账号",), required=True),
    Column("rule", "规则", required=True),
    Column("level", "级别"),
    Column("note", "检查说明", ("说明",)),
    Column("observed_at", "检查时间"),
]


def read_observations(session: Session, path: Path) -> list[dict[str, Any]]:
    """Validated observation rows (``account_id, rule, level, note, observed_at``) of a .csv,
    .jsonl or filled-in checklist .xlsx (through ``registry.files``); rows without a rule are
    skipped, and one bad row rejects the file."""
    table = read_table(path, READ_COLUMNS)
    rows, errors = [], list(table.errors)
    for row in table.rows:
        parsed, row_errors = _observation(session, row)
        errors += row_errors
        if parsed is not None and not row_errors:
            rows.append(parsed)
    if errors:
        raise RowErrors(path.name, errors)
    return rows


def _observation(
    session: Session, row: Row
) -> tuple[dict[str, Any] | None, list[tuple[int, str, object, str]]]:
    no, label = row.number, dict((c.key, c.label) for c in READ_COLUMNS)
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
    when: datetime = utcnow()
    if row.text("observed_at"):
        try:
            when = parse_cell_time(row.values["observed_at"], field=label["observed_at"])
        except InvalidValue as exc:
            errors.append((no, label["observed_at"], row.text("observed_at"), exc.reason))
    if errors or rule is None:
        return None, errors
    return {
        "account_id": account_id,
        "rule": rule,
        "level": level,  # None: the level of the profile each check uses
        "note": note,
        "observed_at": when,
    }, []
