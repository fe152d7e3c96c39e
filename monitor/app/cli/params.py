"""The command line's validators: one parser for each kind of value a person types.

Every command that takes an id, a limit, a seed, a date or a time, a URL, a file to write or
one line of free text parses it here, before the command body runs. A bad value is therefore
always the one Chinese line ``字段「F」的值「V」无效：原因`` with exit status 2 (raised as
``registry.errors.InvalidValue`` and printed by ``monitor.app.cli.main``), never a traceback,
never a raw database error, and nothing is written.

How to use them (also for new commands): pass a factory's result as Typer's ``parser=`` and
keep the annotation, which is what ``--help`` shows (``整数``, ``文本``…)::

    from monitor.app.cli import params

    account: Annotated[int | None, typer.Option("--account", parser=params.record_id("--account"))] = None
    ids: Annotated[list[int], typer.Argument(metavar="ID", parser=params.record_id("问题ID"))]
    since: Annotated[date | None, typer.Option("--since", parser=params.day("--since"))] = None
    name: Annotated[str, typer.Option("--name", parser=params.line("--name"))]
    out: Annotated[Path | None, typer.Option("--out", parser=params.out_file("--out"))] = None

``F`` is the factory's argument: the option (``--account``) or, for an argument, its Chinese
name (``问题ID``). The factories and what each refuses:

==========================  ==========================  ====================================
factory                     gives                       refuses
==========================  ==========================  ====================================
``record_id(F)``            ``int`` 1 … ``MAX_INT``     anything but ASCII digits (``²``,
                                                        ``٣``, ``-1``, ``1e3``, ``0x10``), 0,
                                                        a number past ``MAX_INT``
``ref(F)``                  ``str``                     a name or an id (``--unit 兰州市`` or
                                                        ``--unit 12``): one line; all ASCII
                                                        digits must fit ``MAX_INT``
``limit(F)``                ``int`` 1 … ``MAX_INT``     as ``record_id``
``seed(F)``                 ``int`` 0 … ``MAX_INT``     as ``record_id`` (0 allowed)
``whole(F, low, high)``     ``int`` low … high          as ``record_id``, outside the range
``day(F)``                  ``date``                    not ``YYYY-MM-DD``; a year outside
                                                        1900–2100
``moment(F, past=False)``   aware UTC ``datetime``      not a time; a year outside 1900–2100;
                                                        with ``past=True`` a time later than
                                                        now (beyond ``CLOCK_TOLERANCE``)
``month(F)`` ``week(F)``    ``str`` (as given)          not ``YYYY-MM`` / ``YYYY-Www``; a year
                                                        outside 1900–2100
``url(F)``                  ``str``                     not http(s) (``javascript:``,
                                                        ``file:``), a bad port or host, blanks
                                                        or control characters
``line(F, max_len=200)``    ``str`` stripped            control characters (NUL, BEL, ESC,
                                                        CR/LF, tab), bidi overrides (U+202E…),
                                                        zero-width characters; empty; too long
``text(F, max_len=2000)``   ``str`` stripped            as ``line``, but line breaks allowed
``out_file(F, *suffixes)``  ``Path``                    a folder; a file whose folder cannot be
                                                        made or written; another suffix
``out_dir(F)``              ``Path``                    a file; a folder that cannot be made or
                                                        written
``blank_ok(parser)``        as ``parser``; ``""`` as    (an option whose empty value clears a
                            is                          field: ``account change --url ""``)
==========================  ==========================  ====================================

``database(value)`` checks ``--db`` / ``GOVMEDIA_DB`` / ``[database] url``: an SQLite path or
a well-formed ``postgresql://`` URL (``mysql://``, a bad port, a malformed URL are refused).

``MAX_INT`` is 2³¹ − 1, the largest id PostgreSQL's ``INTEGER`` columns hold (SQLite's hold
more): one bound for both dialects, so the same input gives the same message on both.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from registry import validation
from registry.errors import InvalidValue
from registry.timeutil import in_future, parse_date, parse_time

MAX_INT = validation.MAX_ID
DIGITS = re.compile(r"[0-9]+")

Parser = Callable[[str], object]


def _number(field: str, value: object, low: int, high: int) -> int:
    text = str(value).strip()
    if not DIGITS.fullmatch(text):
        raise InvalidValue(field, value, f"应为 {low} 到 {high} 之间的整数（只用阿拉伯数字 0–9）")
    if len(text) > len(str(high)) or not low <= int(text) <= high:
        raise InvalidValue(field, value, f"超出范围：应为 {low} 到 {high} 之间的整数")
    return int(text)


def whole(field: str, low: int, high: int) -> Callable[[str], int]:
    """A whole number from ``low`` to ``high`` written in ASCII digits."""

    def parse(value: str) -> int:
        return _number(field, value, low, high)

    return parse


def record_id(field: str) -> Callable[[str], int]:
    """A record's id: 1 … ``MAX_INT``."""
    return whole(field, 1, MAX_INT)


def limit(field: str) -> Callable[[str], int]:
    """How many rows at most: 1 … ``MAX_INT``."""
    return whole(field, 1, MAX_INT)


def seed(field: str) -> Callable[[str], int]:
    """A random seed: 0 … ``MAX_INT`` (stored with the check run)."""
    return whole(field, 0, MAX_INT)


def ref(field: str, max_len: int = 200) -> Callable[[str], str]:
    """A record named by its name or its id (``--unit``, ``--parent``, ``--into``)."""

    def parse(value: str) -> str:
        text = validation.text(value, field, max_len=max_len)
        if DIGITS.fullmatch(text):
            _number(field, text, 1, MAX_INT)
        return text

    return parse


def line(field: str, max_len: int = 200) -> Callable[[str], str]:
    """One line of text a person reads: no control or invisible characters, not empty."""

    def parse(value: str) -> str:
        return validation.text(value, field, max_len=max_len, multiline=False)

    return parse


def text(field: str, max_len: int = 2000) -> Callable[[str], str]:
    """A note (line breaks allowed): no other control or invisible characters, not empty."""

    def parse(value: str) -> str:
        return validation.text(value, field, max_len=max_len, multiline=True)

    return parse


def day(field: str) -> Callable[[str], date]:
    """A date ``YYYY-MM-DD`` from 1900 to 2100."""

    def parse(value: str) -> date:
        return parse_date(_plain(field, value), field)

    return parse


def moment(field: str, *, past: bool = False) -> Callable[[str], datetime]:
    """A time (Beijing time unless an offset is given) from 1900 to 2100, in UTC; with
    ``past`` not later than now (a check time, a moment something was read)."""

    def parse(value: str) -> datetime:
        when = parse_time(_plain(field, value), field)
        if past and in_future(when, datetime.now(when.tzinfo)):
            raise InvalidValue(field, value, "不能晚于现在")
        return when

    return parse


def month(field: str) -> Callable[[str], str]:
    """A calendar month ``YYYY-MM`` from 1900 to 2100."""

    def parse(value: str) -> str:
        from monitor.check.period import month_days

        month_days(_plain(field, value))
        return value.strip()

    return parse


def week(field: str) -> Callable[[str], str]:
    """An ISO week ``YYYY-Www`` from 1900 to 2100."""

    def parse(value: str) -> str:
        from monitor.check.period import week_days

        week_days(_plain(field, value))
        return value.strip()

    return parse


def url(field: str) -> Callable[[str], str]:
    """An http(s) address with a real host and port."""

    def parse(value: str) -> str:
        return validation.url(value, field)

    return parse


def out_file(field: str, *suffixes: str) -> Callable[[str], Path]:
    """A file to write: its folder exists or can be made, and can be written; when
    ``suffixes`` are given, the name ends with one of them."""

    def parse(value: str) -> Path:
        path = _path(field, value)
        if suffixes and path.suffix.lower() not in suffixes:
            raise InvalidValue(field, value, "应为 " + "、".join(suffixes) + " 文件")
        if path.is_dir():
            raise InvalidValue(field, value, "是文件夹，不是文件")
        if path.exists() and not os.access(path, os.W_OK):
            raise InvalidValue(field, value, "没有写入该文件的权限")
        _writable_folder(field, value, path.parent)
        return path

    return parse


def out_dir(field: str) -> Callable[[str], Path]:
    """A folder to write into: it exists or can be made, and can be written."""

    def parse(value: str) -> Path:
        path = _path(field, value)
        if path.exists() and not path.is_dir():
            raise InvalidValue(field, value, "已存在同名文件，不是目录")
        _writable_folder(field, value, path)
        return path

    return parse


def database(value: str | None, field: str = "--db") -> str | None:
    """``--db`` / ``GOVMEDIA_DB`` / ``[database] url``: an SQLite path or a PostgreSQL URL."""
    if value is None:
        return None
    shown = _masked(value)
    if not str(value).strip():
        raise InvalidValue(field, shown, "不能为空")
    if validation.INVISIBLE.search(value) or "\n" in value or "\r" in value:
        raise InvalidValue(field, shown, "含有控制字符")
    if "://" not in value:
        return value
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(value)
        port = parsed.port
    except (ArgumentError, ValueError, TypeError):
        raise InvalidValue(
            field, shown, "数据库地址格式不正确（应为 SQLite 文件路径或 postgresql://用户@主机/库名）"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql", "postgres"):
        raise InvalidValue(field, shown, "不支持的数据库地址（应为 SQLite 文件路径或 postgresql:// 地址）")
    if port is not None and not 1 <= port <= 65535:
        raise InvalidValue(field, shown, "端口无效（应为 1–65535）")
    return value


def blank_ok(parse: Callable[[str], object]) -> Callable[[str], object]:
    """``parse``, except that an empty value passes as it is (an option whose empty value
    clears a field, e.g. ``account change --url ""``)."""

    def either(value: str) -> object:
        return value if not str(value).strip() else parse(value)

    return either


def _masked(value: str) -> str:
    from registry.masking import mask_url

    return mask_url(str(value))


def _plain(field: str, value: str) -> str:
    text_value = str(value)
    if validation.INVISIBLE.search(text_value) or len(text_value) > 100:
        raise InvalidValue(field, validation.shown(text_value), "格式不对（含有控制字符或过长）")
    return text_value


def _path(field: str, value: str) -> Path:
    text_value = str(value)
    if not text_value.strip():
        raise InvalidValue(field, value, "不能为空")
    if "\x00" in text_value or validation.INVISIBLE.search(text_value):
        raise InvalidValue(field, validation.shown(text_value), "文件名含有控制字符")
    return Path(text_value).expanduser()


def _writable_folder(field: str, value: str, folder: Path) -> None:
    """The nearest existing folder of ``folder`` is a folder and can be written."""
    probe = folder if str(folder) else Path(".")
    try:
        while not probe.exists():
            if probe.parent == probe:
                break
            probe = probe.parent
        if not probe.is_dir():
            raise InvalidValue(field, value, f"「{probe}」是文件，不能在其中写入")
        if not os.access(probe, os.W_OK | os.X_OK):
            raise InvalidValue(field, value, f"没有在文件夹「{probe}」中写入的权限")
    except OSError:
        raise InvalidValue(field, value, "无法访问该路径") from None
