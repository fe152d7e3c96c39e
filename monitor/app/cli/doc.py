"""The CLI reference (docs/cli.md), generated from the commands themselves so that a test
can keep it in step with ``--help``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer

HEADER = """# govmedia 命令参考

本文件由 `python -m monitor.app.cli.doc > docs/cli.md` 从命令本身生成，测试保证它与 `--help` 一致。
全局选项写在子命令之前，例如 `govmedia --db postgresql://… account list`。
"""


def walk(command: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        if not getattr(sub, "hidden", False):
            yield from walk(sub, [*path, name])


def _param_line(param: Any) -> str:
    if param.param_type_name == "argument":
        name = f"`{param.metavar or param.name.upper()}`"
    else:
        names = list(param.opts) + list(getattr(param, "secondary_opts", []))
        name = " / ".join(f"`{n}`" for n in names)
    help_text = (getattr(param, "help", None) or "").strip()
    extras = []
    if getattr(param, "required", False):
        extras.append("必填")
    default = getattr(param, "default", None)
    if default not in (None, False, ()) and param.param_type_name != "argument":
        extras.append(f"默认 {getattr(default, 'value', default)}")
    envvar = getattr(param, "envvar", None)
    if envvar:
        extras.append(f"环境变量 {envvar}")
    suffix = f"（{'；'.join(extras)}）" if extras else ""
    return f"- {name}：{help_text}{suffix}"


def render(app: typer.Typer) -> str:
    root = typer.main.get_command(app)
    lines = [HEADER]
    for path, command in walk(root, ["govmedia"]):
        depth = min(len(path) + 0, 4)
        lines.append(f"{'#' * depth} `{' '.join(path)}`\n")
        help_text = (command.help or "").strip()
        if help_text:
            lines.append(help_text + "\n")
        params = [p for p in command.params if p.name != "help"]
        if params:
            lines.extend(_param_line(p) for p in params)
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    from monitor.app.cli.main import app

    print(render(app), end="")


if __name__ == "__main__":
    main()
