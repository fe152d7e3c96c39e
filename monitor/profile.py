"""Profiles (指标方案): the thresholds, levels and points every rule reads.

``national`` (the default, the national indicators) and ``gansu`` ship in
``monitor/profiles/``. A user passes a name or the path of their own TOML file to
``--profile``; a user's file only lists what it changes: it is laid over ``national``.
Every rule has a table ``[rules.CODE]`` with ``level`` (veto/deduct/warn/info),
``enabled`` (default true), ``points`` for deductions, and its own thresholds.
"""

from __future__ import annotations

import copy
import re
import tomllib
from pathlib import Path
from typing import Any

from registry.checks.models import LEVELS
from registry.errors import InvalidValue

PROFILES = Path(__file__).parent / "profiles"
DEFAULT = "national"


def shipped() -> list[str]:
    return sorted(p.stem for p in PROFILES.glob("*.toml"))


def _read(path: Path, ref: str) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InvalidValue("--profile", ref, "不是 UTF-8 编码的 TOML 文本文件") from None
    except OSError:
        raise InvalidValue("--profile", ref, "无法读取文件（没有权限或不是普通文件）") from None
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        at = f"第 {where.group(1)} 行第 {where.group(2)} 列" if where else "文件中"
        raise InvalidValue("--profile", ref, f"不是有效的 TOML：{at}有语法错误") from None


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load(ref: str | None = None) -> dict[str, Any]:
    """The profile named ``ref`` (shipped) or read from the path ``ref``, over ``national``."""
    base = _read(PROFILES / f"{DEFAULT}.toml", DEFAULT)
    name = (ref or DEFAULT).strip()
    if name == DEFAULT:
        profile = base
    elif (PROFILES / f"{name}.toml").is_file() and "/" not in name:
        profile = _merge(base, _read(PROFILES / f"{name}.toml", name))
    else:
        path = Path(name).expanduser()
        if not path.is_file():
            raise InvalidValue(
                "--profile", ref, "既不是内置方案（" + "、".join(shipped()) + "）也不是存在的文件"
            )
        profile = _merge(base, _read(path, name))
        profile.setdefault("name", path.stem)
        if profile.get("name") == DEFAULT:
            profile["name"] = str(path)
    validate(profile, ref or DEFAULT)
    return profile


def validate(profile: dict[str, Any], ref: str) -> None:
    for code, rule in profile.get("rules", {}).items():
        level = rule.get("level")
        if level not in LEVELS:
            raise InvalidValue("--profile", ref, f"规则 {code} 的 level「{level}」应为 " + "/".join(LEVELS))
        if "points" in rule and not isinstance(rule["points"], int | float):
            raise InvalidValue("--profile", ref, f"规则 {code} 的 points 应为数字")
    rate = profile.get("sampling", {}).get("rate", 0.2)
    if not isinstance(rate, int | float) or not 0 <= rate <= 1:
        raise InvalidValue("--profile", ref, "sampling.rate 应在 0 到 1 之间")


def rule_config(profile: dict[str, Any], code: str) -> dict[str, Any]:
    """The ``[rules.CODE]`` table, with ``enabled`` defaulting to true."""
    cfg = dict(profile.get("rules", {}).get(code, {}))
    cfg.setdefault("enabled", True)
    return cfg
