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
