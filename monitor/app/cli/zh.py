"""Chinese for the help and error text that Typer/Click print.

Typer binds ``gettext.gettext`` at import time, so this module is imported by
``monitor/__init__`` before anything imports Typer.
"""

from __future__ import annotations

import gettext
from typing import Any

ZH = {
    "Usage:": "用法：",
    "Options": "选项",
    "Arguments": "参数",
    "Commands": "命令",
    "Error": "错误",
    "Aborted.": "已中止。",
    "Aborted!": "已中止！",
    "[default: {}]": "[默认: {}]",
    "[env var: {}]": "[环境变量: {}]",
    "[required]": "[必填]",
    "(deprecated) ": "（已弃用）",
    "required": "必填",
    "default: {default}": "默认: {default}",
    "env var: {var}": "环境变量: {var}",
    "Show this message and exit.": "显示本帮助并退出。",
    "Missing command.": "缺少子命令。",
    "Try [blue]'{command_path} {help_option}'[/] for help.": "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。",
    "Install completion for the current shell.": "为当前 shell 安装命令补全。",
    "Show completion for the current shell, to copy it or customize the installation.": "显示当前 shell 的补全脚本。",
}

_original = gettext.gettext


def _zh(message: str) -> str:
    return ZH.get(message, _original(message))


gettext.gettext = _zh

# The help option's text is a literal in Typer's vendored Click; translate it where made.
from typer._click import decorators as _decorators  # noqa: E402

_option = _decorators.option


def _zh_option(*args: Any, **attrs: Any) -> Any:
    if isinstance(attrs.get("help"), str):
        attrs["help"] = ZH.get(attrs["help"], attrs["help"])
    return _option(*args, **attrs)


_decorators.option = _zh_option

# Help screens: no English type names ("<str>", "<int>"), nothing eaten as markup ("[profile]"),
# and long Chinese lines wrapped rather than cut off with "…" at 80 columns.
from rich.text import Text  # noqa: E402
from typer import core as _core  # noqa: E402
from typer import rich_utils as _rich_utils  # noqa: E402

TYPES = {
    "str": "文本",
    "int": "整数",
    "float": "数字",
    "Path": "路径",
    "bool": "是/否",
    "datetime": "时间",
    "date": "日期",
}
_display_type = _core._TyperParameter.display_type
_option_display = _core.TyperOption.display_type_rich


def _zh_type(self: Any, ctx: Any) -> str:
    label = str(_display_type(self, ctx)).strip("<>")
    listed = label.startswith("list[")
    label = label.removeprefix("list[").removesuffix("]")
    label = "|".join(TYPES.get(part, part) for part in label.split("|"))
    return label + ("…" if listed else "")


def _zh_option_type(self: Any, ctx: Any) -> str | None:
    if getattr(self, "is_flag", False) or getattr(self, "is_bool_flag", False):
        return None
    return _option_display(self, ctx)


def _plain_text(*, text: str, style: str = "", markup_mode: Any = None) -> Text:
    import inspect

    return Text(inspect.cleandoc(text), style=style, overflow="fold")


_parameter_help = _rich_utils._get_parameter_help


def _folded_parameter_help(**kwargs: Any) -> Any:
    columns = _parameter_help(**kwargs)
    parts = [r for r in getattr(columns, "renderables", []) if isinstance(r, Text)]
    if len(parts) != len(getattr(columns, "renderables", [])):
        return columns
    joined = Text(" ").join(parts)
    joined.overflow = "fold"
    return joined


_core._TyperParameter.display_type = _zh_type  # type: ignore[method-assign]
_core.TyperOption.display_type_rich = _zh_option_type  # type: ignore[method-assign]
_rich_utils._make_rich_text = _plain_text
_rich_utils._get_parameter_help = _folded_parameter_help

# The usage line: "用法：govmedia account list [选项]" rather than Click's English placeholders.
from typer._click import formatting as _formatting  # noqa: E402

_write_usage = _formatting.HelpFormatter.write_usage
USAGE = {"[OPTIONS]": "[选项]", "COMMAND [ARGS]...": "命令 [参数]…", "...": "…"}


def _zh_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
    for english, chinese in USAGE.items():
        args = args.replace(english, chinese)
    _write_usage(self, prog, args, "用法：" if prefix is None else prefix)


_formatting.HelpFormatter.write_usage = _zh_usage  # type: ignore[method-assign]
