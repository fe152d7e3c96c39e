"""Inspectors' checklists and observations (人工检查).

``write_sheet`` turns a run's sampled accounts into an .xlsx checklist: one row per account
with what the machine found, and empty columns 规则 / 级别 / 检查说明 / 检查时间 for what the
inspector sees (no interaction function, an ad, a misstatement). ``read_observations`` reads
that sheet back, or a .csv / .jsonl file with the keys ``account, rule, level, note,
observed_at``; rows without a rule are skipped. Every row is validated first; one bad row
rejects the whole file, naming the row, column, value and reason.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from monitor.check.summary import run_json
from monitor.rules import RULES
from registry.checks.models import LEVELS
from registry.db import utcnow
from registry.errors import InvalidValue, RowErrors
from registry.filing.accounts import get_account
from registry.timeutil import parse_time
from registry.vocab import FINDING_STATUS, RULE, SAMPLE_REASON, VERDICT

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
ZH_KEYS = {zh: key for key, zh in HEADERS}


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
    notes.write(2, 0, "规则代码：" + rules)
    notes.write(
        3, 0, "级别：veto（单项否决）、deduct（扣分）、warn（提醒）、info（提示），留空取规则默认级别。"
    )
    book.close()
    return len(data["accounts"])


def _rows(path: Path) -> list[dict[str, Any]]:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InvalidValue("文件", str(path), "文件不存在")
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return [{ZH_KEYS.get(k, k): v for k, v in row.items() if k} for row in csv.DictReader(fh)]
    if suffix == ".jsonl":
        rows = []
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    raise RowErrors(str(path), [(no, "(整行)", line[:40], "不是有效的 JSON")]) from None
        return rows
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        values = list(book.worksheets[0].iter_rows(values_only=True))
        header = [ZH_KEYS.get(str(h).strip(), str(h).strip()) if h is not None else "" for h in values[0]]
        return [dict(zip(header, row, strict=False)) for row in values[1:]]
    raise InvalidValue("文件", str(path), "应为 .csv、.jsonl 或检查表 .xlsx")


def read_observations(session: Session, path: Path) -> list[dict[str, Any]]:
    """Validated observation rows (``account_id, rule, level, note, observed_at``)."""
    rows, errors = [], []
    for no, raw in enumerate(_rows(path), start=2):
        rule = str(raw.get("rule") or "").strip()
        if not rule:
            continue
        row_errors: list[tuple[int, str, object, str]] = []
        account = raw.get("account")
        try:
            account_id = get_account(session, str(account or "").strip()).id
        except Exception:
            row_errors.append((no, "account", account, "找不到该账号ID"))
            account_id = 0
        if rule not in RULES:
            row_errors.append((no, "rule", rule, "未知规则代码，可选：" + "、".join(RULES)))
        level = str(raw.get("level") or "").strip() or (RULES[rule].level if rule in RULES else "")
        if level not in LEVELS:
            row_errors.append((no, "level", level, "应为 " + "/".join(LEVELS)))
        note = str(raw.get("note") or "").strip()
        if not note:
            row_errors.append((no, "note", "", "检查说明不能为空"))
        observed = raw.get("observed_at")
        when: datetime = utcnow()
        if isinstance(observed, datetime):
            when = parse_time(observed.isoformat(sep=" "), "检查时间")
        elif observed not in (None, ""):
            try:
                when = parse_time(str(observed), "检查时间")
            except InvalidValue as exc:
                row_errors.append((no, "observed_at", observed, exc.reason))
        errors += row_errors
        if not row_errors:
            rows.append(
                {"account_id": account_id, "rule": rule, "level": level, "note": note, "observed_at": when}
            )
    if errors:
        raise RowErrors(str(path), errors)
    return rows
