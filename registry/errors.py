"""Typed errors of the registry.

Every error carries the one Chinese line the user will read; the CLI prints it and exits
with status 2. Nothing is written when one is raised inside a unit of work.
"""

from __future__ import annotations

import re

# what a message never prints as is: control characters (they rewrite a terminal), bidi
# overrides, zero-width characters, line breaks (a message is one line) and lone surrogates
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)
SHOWN_LENGTH = 120


def shown_value(value: object) -> str:
    """A value as a one-line message shows it: invisible characters as ``\\u001b``, at most
    ``SHOWN_LENGTH`` characters."""
    text = str(value)
    text = _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"


class GovmediaError(Exception):
    """输入或状态有误：打印一行中文说明，退出码 2。"""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidValue(GovmediaError):
    """字段「F」的值「V」无效：原因。"""

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"字段「{field}」的值「{shown_value(value)}」无效：{reason}")


class NotFound(GovmediaError):
    """找不到「F」为「V」的对象。"""

    def __init__(self, field: str, value: object, what: str = "记录") -> None:
        self.field = field
        self.value = value
        super().__init__(f"字段「{field}」的值「{shown_value(value)}」无效：找不到该{what}")


class Conflict(GovmediaError):
    """与已有数据冲突（重复备案、编号重复等）。"""

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        super().__init__(f"字段「{field}」的值「{shown_value(value)}」无效：{reason}")


class IllegalTransition(GovmediaError):
    """账号当前状态不允许该操作（例如已注销的账号不能再关停）。"""

    def __init__(self, account_id: int, status_label: str, action_label: str, reason: str) -> None:
        super().__init__(
            f"字段「账号ID」的值「{account_id}」无效：当前状态为「{status_label}」，"
            f"不能{action_label}（{reason}）"
        )


class RowErrors(GovmediaError):
    """表格导入中有错误行：逐行列出行号、列、值和原因，整个文件不写入。"""

    def __init__(self, source: str, errors: list[tuple[int, str, object, str]]) -> None:
        self.errors = errors
        lines = [f"文件「{source}」有 {len(errors)} 处错误，未写入任何数据："]
        lines += [
            f"第{row}行 列「{col}」的值「{shown_value(val)}」无效：{why}" for row, col, val, why in errors
        ]
        super().__init__("\n".join(lines))


class DatabaseError(GovmediaError):
    """数据库无法打开、未初始化或版本不符。"""
