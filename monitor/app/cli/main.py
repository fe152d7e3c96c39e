"""The ``govmedia`` command: global options, sub-apps mounted from each package, and the
one place where typed errors become a Chinese line and exit status 2."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
import typer.main
from sqlalchemy.exc import SQLAlchemyError
from typer._click import core as click_core
from typer._click import exceptions as click_exc

from monitor.app.cli import params
from monitor.app.cli.checks import check_app, finding_app
from monitor.app.cli.collection import crawl_app, post_app
from monitor.app.cli.demo import demo
from monitor.app.cli.discovery import discover_app, registry_app
from monitor.app.cli.filing import account_app, db_app
from monitor.app.cli.inputs import lexicon_app, observe_app, relay_app
from monitor.app.cli.ops import alert_app, config_app, schedule_app
from monitor.app.cli.output import STATE
from monitor.app.cli.reports import rectify_app, report_app
from monitor.app.cli.status import status
from monitor.app.cli.units import unit_app
from monitor.app.cli.users import user_app
from monitor.app.cli.web import web
from monitor.app.config import configured_database
from registry.db import describe_error
from registry.errors import GovmediaError

app = typer.Typer(
    name="govmedia",
    help="govmedia：政务新媒体分级备案、采集监测、抽查检查与季度通报。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


@app.callback()
def root(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="GOVMEDIA_DB",
            metavar="URL_OR_PATH",
            help="数据库：SQLite 文件路径或 SQLAlchemy URL（如 postgresql://…），默认 ./govmedia.db。",
        ),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(
            "--user",
            envvar="GOVMEDIA_USER",
            parser=params.line("--user", max_len=64),
            help="操作人（记入每条备案记录），默认为系统用户名。",
        ),
    ] = None,
    config: Annotated[
        str | None, typer.Option("--config", envvar="GOVMEDIA_CONFIG", help="配置文件 govmedia.toml 的路径。")
    ] = None,
) -> None:
    """govmedia：政务新媒体分级备案、采集监测、抽查检查与季度通报。"""
    # --db / GOVMEDIA_DB, then [database] url: a malformed URL or another database is one line
    # (the file is read even when --db is given: a configuration that cannot be read is one line)
    configured = params.database(configured_database(config), "配置项 database.url")
    STATE.db = params.database(db) or configured
    if STATE.db and "://" in STATE.db:
        from registry.masking import register_secrets

        register_secrets([STATE.db])  # its password, wherever a message would show it
    STATE.user = user
    STATE.config = config


# Sub-apps, one line each; every package owns its own CLI module.
app.add_typer(db_app, name="db")
app.add_typer(unit_app, name="unit")
app.add_typer(account_app, name="account")
app.add_typer(config_app, name="config")
app.add_typer(schedule_app, name="schedule")
app.add_typer(alert_app, name="alert")
app.add_typer(check_app, name="check")
app.add_typer(finding_app, name="finding")
app.add_typer(lexicon_app, name="lexicon")
app.add_typer(relay_app, name="relay")
app.add_typer(observe_app, name="observe")
app.add_typer(report_app, name="report")
app.add_typer(rectify_app, name="rectify")
app.add_typer(post_app, name="post")
app.add_typer(discover_app, name="discover")
app.add_typer(registry_app, name="registry")
app.add_typer(user_app, name="user")
app.add_typer(crawl_app, name="crawl")
app.command("status")(status)
app.command("demo")(demo)
app.command("web")(web)


def _usage_message(exc: click_exc.UsageError) -> str:
    """Click's and Typer's usage errors as one Chinese line (never their English)."""
    if isinstance(exc, click_exc.MissingParameter):
        return f"缺少必填参数「{_hint(exc.param, exc.param_hint)}」"
    if isinstance(exc, click_exc.NoSuchOption):
        near = "、".join(sorted(exc.possibilities or ()))
        return f"没有选项「{exc.option_name}」" + (f"，是否想用 {near}" if near else "") + "，请查看 --help"
    if isinstance(exc, click_exc.BadOptionUsage):
        if "requires" in exc.message:
            return f"选项「{exc.option_name}」后面缺少值"
        if "does not take a value" in exc.message:
            return f"选项「{exc.option_name}」不带值"
        return f"选项「{exc.option_name}」的用法不对，请查看 --help"
    if isinstance(exc, click_exc.BadParameter):
        hint = _hint(exc.param, exc.param_hint)
        return f"参数「{hint}」的值无效：{_value_reason(exc.message, exc.param)}"
    return _translate(exc.format_message())


def _hint(param: object, fallback: object) -> str:
    metavar = getattr(param, "metavar", None)
    opts = getattr(param, "opts", None) or []
    if getattr(param, "param_type_name", "") == "argument":
        return str(metavar or (opts[0].upper() if opts else "参数"))
    return str(opts[0] if opts else (fallback or "参数"))


def _value_reason(message: str, param: object) -> str:
    """Why a value was refused, in Chinese, from Typer's (pydantic's) English reason."""
    import re

    text = message.removeprefix("Value error, ")
    m = re.match(r"'(.*)' is not one of (.*)\.", text)
    if m:
        choices = m.group(2).replace("'", "").replace(", ", "、")
        return f"「{m.group(1)}」不是可选值，应为 {choices}"
    m = re.search(r"greater than or equal to ([-\d.]+)", text)
    if m:
        return f"应不小于 {m.group(1)}"
    m = re.search(r"less than or equal to ([-\d.]+)", text)
    if m:
        return f"应不大于 {m.group(1)}"
    for needle, reason in (
        ("valid integer", "应为整数"),
        ("valid number", "应为数字"),
        ("valid float", "应为数字"),
        ("valid bool", "应为是或否（true/false）"),
        ("does not exist", "文件或文件夹不存在"),
        ("is a directory", "是文件夹，不是文件"),
        ("is a file", "是文件，不是文件夹"),
        ("not readable", "没有读取权限"),
        ("not writable", "没有写入权限"),
    ):
        if needle in text:
            return reason
    return "格式不对，请查看 --help"


def _translate(message: str) -> str:
    """The other usage errors (unknown command, extra arguments, …) in Chinese."""
    import re

    m = re.match(r"No such command '([^']*)'\.?(?: Did you mean (.*)\?)?", message)
    if m:
        near = (m.group(2) or "").replace("'", "").replace(", ", "、")
        return f"没有命令「{m.group(1)}」" + (f"，是否想用「{near}」" if near else "") + "，请查看 --help"
    m = re.match(r"Got unexpected extra argument(?:\(s\)|s)? \((.*)\)", message)
    if m:
        return f"多余的参数「{m.group(1)}」（请查看 --help）"
    m = re.match(r"Missing (?:argument|parameter|option) '?([^'.]*)'?", message)
    if m:
        return f"缺少参数「{m.group(1)}」"
    if message.startswith("Missing command"):
        return "缺少子命令，请查看 --help"
    if re.search(r"[\u4e00-\u9fff]", message):
        return message  # already Chinese (our own typer.BadParameter messages)
    return "命令用法不对，请查看 --help"


_COMMANDS: list[click_core.Command] = []


def _command() -> click_core.Command:
    """The Click command tree of ``app``, built once per process (Typer builds it from the
    functions' annotations, ~70 ms, which every in-process call would otherwise repeat)."""
    if not _COMMANDS:
        _COMMANDS.append(typer.main.get_command(app))
    return _COMMANDS[0]


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status.

    ``govmedia`` or a command group given without a command prints its help and exits 0."""
    try:
        result = _command().main(args=argv, standalone_mode=False, prog_name="govmedia")
    except click_exc.NoArgsIsHelpError:
        return 0  # Typer has printed the help already
    except click_exc.UsageError as exc:
        print(f"错误：{_usage_message(exc)}", file=sys.stderr)
        return 2
    except click_exc.ClickException as exc:
        print(f"错误：{_translate(exc.format_message())}", file=sys.stderr)
        return 2
    except typer.Abort:
        print("已中止。", file=sys.stderr)
        return 1
    except GovmediaError as exc:
        print(f"错误：{_masked(exc.message)}", file=sys.stderr)
        return exc.exit_code
    except SQLAlchemyError as exc:
        print(f"错误：数据库操作失败：{describe_error(exc)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader of the output went away (… | head): nothing to say
        return 0
    except OSError as exc:  # a file the command had to write or read that the system refused
        print(f"错误：{_os_message(exc)}", file=sys.stderr)
        return 2
    except typer.Exit as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        print("已中止。", file=sys.stderr)
        return 130
    return result if isinstance(result, int) else 0


def _masked(message: str) -> str:
    from registry.masking import redact

    return redact(message)


def _os_message(exc: OSError) -> str:
    from registry.errors import shown_value
    from registry.paths import write_reason

    if exc.filename:
        return f"文件「{shown_value(exc.filename)}」无法读写：{write_reason(exc)}"
    return f"系统操作失败：{write_reason(exc, '系统报告错误')}"


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
