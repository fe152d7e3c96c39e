"""Every command has Chinese help, and docs/cli.md is in step with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from monitor.app.cli.doc import render, walk
from monitor.app.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")
COMMANDS = [(path, cmd) for path, cmd in walk(typer.main.get_command(app), ["govmedia"])]


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_command_has_chinese_help(path: list[str], command, cli) -> None:  # type: ignore[no-untyped-def]
    assert command.help and CJK.search(command.help), f"{' '.join(path)} has no Chinese help"
    for param in command.params:
        if param.name == "help":
            continue
        assert getattr(param, "help", None) and CJK.search(param.help), (
            f"{' '.join(path)} {param.name} has no Chinese help"
        )
    r = cli([*path[1:], "--help"])
    assert r.code == 0, r
    assert command.help.strip().splitlines()[0][:10] in r.out


def test_cli_reference_is_current() -> None:
    expected = render(app)
    actual = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert actual == expected, (
        "docs/cli.md is stale: run `.venv/bin/python -m monitor.app.cli.doc > docs/cli.md`"
    )


def test_usage_errors_are_chinese_one_liners(cli) -> None:  # type: ignore[no-untyped-def]
    for args, word in (
        (["unit", "add", "--name", "x"], "缺少必填参数"),
        (["account", "list", "--bogus"], "没有选项"),
        (["account", "show", "abc"], "ID"),
        (["nosuch"], "没有命令"),
        (["account", "list", "--format", "xml"], "--format"),
    ):
        r = cli(args)
        assert r.code == 2, (args, r)
        assert word in r.err and "Traceback" not in r.err and r.err.startswith("错误："), (args, r)
