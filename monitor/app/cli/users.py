"""``govmedia user …``: the users of the web workbench (thin commands over registry.users), and
who a CLI action is recorded under.

Passwords never come as an option (they would stay in the shell's history and the process
list): ``--password-stdin`` reads the first line of standard input, otherwise a terminal is
asked twice; without either the user is added without a password and cannot sign in until
``user passwd`` sets one.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from monitor.app.cli import params
from monitor.app.cli.output import Col, Format, FormatOpt, OutOpt, actor, emit, note, say, session
from registry.errors import DatabaseError, InvalidValue
from registry.vocab import USER_ROLE

user_app = typer.Typer(
    help="工作台用户：新增、列出、停用、设置密码、变更角色（角色决定在网页工作台中能做什么）。",
    no_args_is_help=True,
)

USER_COLUMNS = [
    Col("id", "ID"),
    Col("name", "用户名"),
    Col("unit", "所在单位"),
    Col("role", "角色", USER_ROLE),
    Col("active", "启用"),
    Col("password_set", "已设密码"),
    Col("created_at", "创建时间"),
]
StdinOpt = Annotated[
    bool, typer.Option("--password-stdin", help="从标准输入读取密码（第一行），供脚本使用。")
]


def read_password(from_stdin: bool, *, required: bool) -> str | None:
    """The new password: the first line of stdin, or typed twice at a terminal; None when
    neither is possible and the password is optional."""
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise InvalidValue("--password-stdin", "", "标准输入中没有密码")
        return password
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass("密码：")
        if first != getpass.getpass("再次输入密码："):
            raise InvalidValue("密码", "（已隐藏）", "两次输入的密码不一致")
        return first
    if required:
        raise InvalidValue("密码", "", "请用 --password-stdin 从标准输入给出密码，或在终端中运行以输入密码")
    return None


@user_app.command("add")
def user_add(
    name: Annotated[
        str,
        typer.Option(
            "--name",
            parser=params.line("--name", max_len=64),
            help="用户名（登录名，记入操作记录），不含空格。",
        ),
    ],
    unit: Annotated[
        str,
        typer.Option(
            "--unit", parser=params.ref("--unit"), help="所在单位（名称或ID）：管辖范围为该单位及其下级单位。"
        ),
    ],
    role: Annotated[str, typer.Option("--role", help="角色：" + USER_ROLE.choices() + "。")],
    password_stdin: StdinOpt = False,
) -> None:
    """新增用户。不给 --password-stdin 时在终端中输入两次密码；非终端又未给出密码时，用户须先用 user passwd 设置密码才能登录。"""
    from registry.users.store import add_user

    password = read_password(password_stdin, required=False)
    with session() as s:
        user = add_user(s, name=name, unit=unit, role=role, password=password, actor=actor())
        label, unit_name = USER_ROLE.label(user.role), user.unit.name
    say(f"已新增用户「{user.name}」（{unit_name}，{label}）")
    if password is None:
        note(f"尚未设置密码：请运行 govmedia user passwd {user.name} 后再登录")


@user_app.command("list")
def user_list(fmt: FormatOpt = Format.table, out: OutOpt = None) -> None:
    """列出全部用户（不显示密码）。"""
    from registry.users.queries import list_users

    with session() as s:
        rows = list_users(s)
    emit(rows, fmt, columns=USER_COLUMNS, title="用户", out=out)


@user_app.command("passwd")
def user_passwd(
    name: Annotated[
        str, typer.Argument(metavar="NAME", parser=params.line("用户名", max_len=64), help="用户名。")
    ],
    password_stdin: StdinOpt = False,
) -> None:
    """设置用户的密码（该用户已登录的会话随即失效）。"""
    from registry.users.store import set_password

    password = read_password(password_stdin, required=True)
    assert password is not None
    with session() as s:
        user = set_password(s, name, password=password, actor=actor())
    say(f"已设置用户「{user.name}」的密码")


@user_app.command("role")
def user_role(
    name: Annotated[
        str, typer.Argument(metavar="NAME", parser=params.line("用户名", max_len=64), help="用户名。")
    ],
    role: Annotated[str, typer.Argument(metavar="ROLE", help="新角色：" + USER_ROLE.choices() + "。")],
) -> None:
    """变更用户的角色（该用户已登录的会话随即失效）。"""
    from registry.users.store import set_role

    with session() as s:
        user = set_role(s, name, role=role, actor=actor())
    say(f"用户「{user.name}」的角色已改为{USER_ROLE.label(user.role)}")


@user_app.command("disable")
def user_disable(
    name: Annotated[
        str, typer.Argument(metavar="NAME", parser=params.line("用户名", max_len=64), help="用户名。")
    ],
) -> None:
    """停用用户：不能再登录，已登录的会话失效；记录保留。"""
    from registry.users.store import disable_user

    with session() as s:
        user = disable_user(s, name, actor=actor())
    say(f"已停用用户「{user.name}」")


def acting_as(name: str, db: str | None) -> str:
    """The actor a CLI action is recorded under: a registered user of that name (who must be
    active), or the free text the centre's scripts give."""
    from registry.db import session_scope
    from registry.users.queries import registered

    try:
        with session_scope(db) as s:
            user = registered(s, name)
            if user is None:
                return name
            if not user.active:
                raise InvalidValue("--user", name, "该用户已停用，不能以其名义操作")
            return user.name
    except DatabaseError:
        return name  # no database yet: the command itself will say so
