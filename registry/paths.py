"""Files the tool writes: names made from what people typed, whole-or-nothing writes, and
why a write failed, in Chinese.

- :func:`safe_filename` turns a unit or account name into part of a file name: no path
  separators or characters Windows refuses, no control characters, and short enough (in
  UTF-8 bytes, which is what file systems count) that any name the registry accepts fits;
- :func:`replacing` writes a file into a temporary file beside it and moves it into place
  only when the whole file is written, so a failure leaves no half-written file behind;
- :func:`write_reason` says in Chinese why the system refused a write (no such folder, a file
  in the way, no permission, disk full, name too long, read-only).
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from registry.errors import InvalidValue

# a file name part of at most this many UTF-8 bytes (a full name stays far below the 255
# bytes file systems allow, with room for a prefix, a number and a suffix)
NAME_BYTES = 120
_UNSAFE = re.compile(
    r"[\\/:*?\"<>|\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\s]+"
)
_REASONS = {
    errno.ENOENT: "文件夹不存在",
    errno.ENOTDIR: "路径中有同名文件，不是文件夹",
    errno.EISDIR: "是文件夹，不是文件",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EROFS: "只读文件系统，不能写入",
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额",
    errno.ENAMETOOLONG: "文件名过长",
    errno.EEXIST: "已存在同名文件",
}


def safe_filename(name: str, *, limit: int = NAME_BYTES, fallback: str = "未命名") -> str:
    """``name`` as part of a file name: unsafe characters become ``_``, cut to ``limit`` UTF-8
    bytes on a character boundary (``一对一反馈_001_{safe_filename(unit)}.docx``)."""
    text = _UNSAFE.sub("_", name).strip("._ ")
    encoded = text.encode("utf-8")
    if len(encoded) > limit:
        text = encoded[:limit].decode("utf-8", "ignore").rstrip("._ ")
    return text or fallback


def write_reason(exc: OSError, default: str = "系统无法写入该文件") -> str:
    """Why the system refused a write, in Chinese."""
    return _REASONS.get(exc.errno or 0, default)


@contextmanager
def replacing(path: Path, field: str = "文件") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; once the block has written it, move it into
    place (with the mode a new file gets). On any failure the temporary file is removed and
    ``path`` is left as it was; a system error becomes ``InvalidValue`` naming ``field`` and
    the path. A path that exists and is not a regular file (``/dev/stdout``, a pipe) is
    written in place: it is never replaced."""
    temp: Path | None = None
    try:
        if path.exists() and not path.is_file() and not path.is_dir():
            yield path
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=".govmedia-", suffix=path.suffix, dir=path.parent)
        os.close(handle)
        temp = Path(name)
        os.chmod(temp, 0o666 & ~_umask())
        yield temp
        os.replace(temp, path)
        temp = None
    except OSError as exc:
        raise InvalidValue(field, str(path), f"无法写入：{write_reason(exc)}") from None
    finally:
        if temp is not None:
            temp.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
