"""Configuration in one place: ``govmedia.toml`` and its ``GOVMEDIA_…`` environment variables.

The file comes from ``--config`` / ``GOVMEDIA_CONFIG``, else ``./govmedia.toml`` when present.
Every key ``[section] key`` can also be set by the environment variable
``GOVMEDIA_<SECTION>_<KEY>`` (upper case), which wins over the file:

    [smtp] host        ↔ GOVMEDIA_SMTP_HOST
    [weibo] cookie     ↔ GOVMEDIA_WEIBO_COOKIE
    [wechat] base_url  ↔ GOVMEDIA_WECHAT_BASE_URL
    [crawl] delay      ↔ GOVMEDIA_CRAWL_DELAY

The database is the exception that keeps the global contract: ``--db`` / ``GOVMEDIA_DB`` win,
then ``[database] url`` (``GOVMEDIA_DATABASE_URL``), then ``./govmedia.db``. Lists (webhook
addresses) are TOML arrays in the file and comma-separated in the environment. Secrets
(passwords, cookies, tokens, robot addresses) are masked by ``show``. The spiders read
credentials and base URLs only from the environment of the crawl subprocess, which
``crawl_env`` builds; the other packages receive plain values built here (for example
``alert_settings``): only the application reads configuration.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor.alerts.settings import parse_steps
from registry.errors import InvalidValue
from registry.masking import mask, mask_url, register_secrets
from registry.vocab import PLATFORM

if TYPE_CHECKING:
    from monitor.alerts.settings import AlertSettings
    from reports.settings import CircularSettings
    from spiders.distributed.queue import QueueSettings

DEFAULT_FILE = "govmedia.toml"
ENV_PREFIX = "GOVMEDIA_"


def env_name(section: str, key: str) -> str:
    """``[smtp] host`` → ``GOVMEDIA_SMTP_HOST`` (a few crawl keys keep the spiders' own names,
    e.g. ``[crawl] user_agent`` ↔ ``GOVMEDIA_USER_AGENT``)."""
    spec = KEYS.get(section, {}).get(key)
    if spec is not None and spec.env:
        return spec.env
    return f"{ENV_PREFIX}{section.upper()}_{key.upper()}"


WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAYS = (
    {name: i for i, name in enumerate(WEEKDAY_NAMES)}
    | {name[:3]: i for i, name in enumerate(WEEKDAY_NAMES)}
    | {f"周{c}": i for i, c in enumerate("一二三四五六日")}
    | {"周天": 6}
)


def parse_clock(text: str) -> str:
    """``9:30`` → ``09:30`` (Beijing time); ValueError with a Chinese reason otherwise."""
    m = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", text.strip())
    if not m:
        raise ValueError("应为时刻 HH:MM（北京时间），如 09:00")
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def parse_when(text: str, kind: str) -> str:
    """A schedule time, normalised: daily ``HH:MM``, weekly ``monday HH:MM``, monthly ``D HH:MM``."""
    parts = str(text).split()
    if kind == "daily":
        if len(parts) != 1:
            raise ValueError("应为每天的时刻 HH:MM，如 08:30")
        return parse_clock(parts[0])
    if len(parts) != 2:
        example = "monday 09:00（或 周一 09:00）" if kind == "weekly" else "1 09:00（每月 1 日）"
        raise ValueError(f"应为「日 时刻」，如 {example}")
    if kind == "weekly":
        day = WEEKDAYS.get(parts[0].lower())
        if day is None:
            raise ValueError("星期应为 monday…sunday 或 周一…周日")
        return f"{WEEKDAY_NAMES[day]} {parse_clock(parts[1])}"
    if not parts[0].isdigit() or not 1 <= int(parts[0]) <= 28:
        raise ValueError("每月的日期应为 1–28（每个月都有的日子）")
    return f"{int(parts[0])} {parse_clock(parts[1])}"


def _text(value: Any) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise ValueError("应为文本")
    return str(value).strip()


def _int(low: int, high: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        try:
            number = int(str(value).strip()) if not isinstance(value, bool) else None
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            raise ValueError(f"应为 {low}–{high} 之间的整数")
        return number

    return parse


def _float(value: Any) -> float:
    """Seconds (a delay, a back-off): a finite number from 0 to 3600."""
    try:
        number = float(str(value).strip()) if not isinstance(value, bool) else -1.0
    except ValueError:
        number = -1.0
    if not 0 <= number <= 3600:  # also refuses nan and inf, which would never end a crawl
        raise ValueError("应为 0 到 3600 之间的秒数")
    return number


def _seconds(low: float, high: float) -> Callable[[Any], float]:
    def parse(value: Any) -> float:
        try:
            number = float(str(value).strip()) if not isinstance(value, bool) else float("nan")
        except ValueError:
            number = float("nan")
        if not low <= number <= high:  # also refuses nan and inf
            raise ValueError(f"应为 {low:g} 到 {high:g} 之间的秒数")
        return number

    return parse


def _redis_url(value: Any) -> str:
    text = _text(value)
    if not re.fullmatch(r"(redis|rediss|unix)://\S+", text):
        raise ValueError("应为 Redis 地址，如 redis://:密码@10.0.0.5:6379/0")
    return text


def _prefix(value: Any) -> str:
    text = _text(value)
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,40}", text):
        raise ValueError("应为 1–40 个字母、数字或 _ . -")
    return text


def _url(value: Any) -> str:
    text = _text(value)
    if not re.fullmatch(r"[a-z][a-z0-9+.\-]*://\S+", text):
        raise ValueError("应为完整地址，如 https://example.gov.cn/path")
    return text


def _urls(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [x for x in str(value).split(",")]
    return [_url(x) for x in items if str(x).strip()]


def _choice(*options: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = _text(value).lower()
        if text not in options:
            raise ValueError("应为 " + "、".join(options) + " 之一")
        return text

    return parse


def _email(value: Any) -> str:
    text = _text(value)
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
        raise ValueError("应为电子邮箱地址，如 zhongxin@example.gov.cn")
    return text


def _emails(value: Any) -> list[str]:
    items = value if isinstance(value, list) else str(value).split(",")
    return [_email(x) for x in items if str(x).strip()]


def _windows(value: Any) -> list[str]:
    """Inspection windows ``YYYY-MM-DD..YYYY-MM-DD``; empty means calendar quarters."""
    from datetime import date

    items = value if isinstance(value, list) else str(value).split(",")
    out = []
    for item in (str(x).strip() for x in items):
        if not item:
            continue
        try:
            start, end = (date.fromisoformat(p) for p in item.split(".."))
        except ValueError:
            raise ValueError(f"「{item}」应为 YYYY-MM-DD..YYYY-MM-DD") from None
        if end < start:
            raise ValueError(f"「{item}」的结束日期早于开始日期")
        out.append(f"{start}..{end}")
    return out


def _channels(value: Any) -> str:
    items = value if isinstance(value, list) else str(value).split(",")
    return ",".join(_choice("email", "webhook")(x) for x in items if str(x).strip())


def _texts(value: Any) -> list[str]:
    """A list of texts: a TOML array, or comma-separated in the environment."""
    items = value if isinstance(value, list) else str(value).split(",")
    return [_text(x) for x in items if str(x).strip()]


def _doc_no(value: Any) -> str:
    from reports.settings import check_doc_no

    return check_doc_no(_text(value))


def _scope(value: Any) -> str:
    from reports.settings import SCOPES

    text = _text(value)
    if text not in SCOPES:
        raise ValueError("应为 " + "、".join(SCOPES) + " 之一")
    return text


def _steps(value: Any) -> str:
    return ",".join(f"{d}:{r}" for d, r in parse_steps(value))


@dataclass(frozen=True)
class Key:
    """One setting: its parser, default, whether it is secret, and its help line."""

    parse: Callable[[Any], Any]
    default: Any = None
    help: str = ""
    secret: bool = False
    url: bool = False
    env: str | None = None  # an environment variable name other than GOVMEDIA_SECTION_KEY

    def show(self, value: Any) -> Any:
        if value is None or value == "":
            return value
        if isinstance(value, list):
            return [self.show(v) for v in value]
        if self.secret:
            return mask(str(value))
        return mask_url(str(value)) if self.url else value

    def to_env(self, value: Any) -> str:
        return ",".join(map(str, value)) if isinstance(value, list) else str(value)


COLLECTORS = {
    **{code: PLATFORM.label(code) for code in ("weibo", "wechat", "bilibili")},
    "feed": "RSS/Atom 订阅源",
    "html": "网站与客户端列表页",
}
PLATFORM_SECTIONS = tuple(COLLECTORS)


def _collector_keys(code: str, label: str) -> dict[str, Key]:
    """What the spiders read per collector: pace and budget; credentials and base URL for APIs."""
    keys = {
        "delay": Key(_float, help=f"{label}两次请求的间隔秒数（不设则用内置默认值）"),
        "concurrency": Key(_int(1, 64), help=f"{label}的并发请求数"),
        "daily_budget": Key(_int(0, 10**7), help=f"{label}每日请求上限，0 为不限"),
    }
    if code in ("weibo", "wechat", "bilibili"):
        keys["base_url"] = Key(_url, help=f"{label}的接口根地址（测试或代理时改写）", url=True)
        keys["cookie"] = Key(_text, help=f"{label}的登录 Cookie", secret=True)
    if code == "wechat":
        keys["token"] = Key(_text, help="微信公众平台后台会话的 token", secret=True)
        keys["max_articles"] = Key(_int(1, 100), help="每个公众号读取的文章页数")
    if code == "weibo":
        keys["max_pages"] = Key(_int(1, 100), help="每个微博账号读取的列表页数")
    return keys


SEARCH_PLATFORMS = ("weibo", "wechat", "bilibili", "douyin", "kuaishou", "toutiao")
# the searchers' own defaults (spiders.search.settings), named in the help
SEARCH_BUDGETS = {"weibo": 200, "wechat": 50, "bilibili": 300, "douyin": 100, "kuaishou": 100, "toutiao": 100}


def _platforms(value: Any) -> list[str]:
    items = value if isinstance(value, list) else str(value).split(",")
    out = []
    for item in (str(x).strip() for x in items):
        if not item:
            continue
        code = PLATFORM.find(item)
        if code not in SEARCH_PLATFORMS:
            raise ValueError(f"「{item}」不是可搜索的平台，应为 " + "、".join(SEARCH_PLATFORMS))
        out.append(code)
    return out


def _forms(value: Any) -> list[str]:
    from monitor.discovery.plan import parse_form

    items = value if isinstance(value, list) else str(value).split(",")
    out = []
    for item in (str(x).strip() for x in items):
        if item:
            parse_form(item)  # ValueError with the Chinese reason
            out.append(item)
    return out


def _discovery_keys() -> dict[str, Key]:
    """``[discovery]``: which platforms to search, the account-name forms, the search budgets,
    the search bridges, the WeChat-client keys, and the audit's periods."""
    from monitor.discovery.plan import DEFAULT_FORMS

    keys = {
        "platforms": Key(_platforms, list(SEARCH_PLATFORMS), help="排查搜索的平台（逗号分隔）"),
        "forms": Key(
            _forms,
            list(DEFAULT_FORMS),
            help="账号名称形式，如 {地名}发布、平安{地名}=公安（=后为所属单位名称中的关键词）",
        ),
        "max_pages": Key(_int(1, 50), help="每个搜索词每种搜索范围读取的结果页数（默认 2）"),
        "wechat_about_key": Key(_text, help="微信客户端 key（读取“关于公众号”的认证主体）", secret=True),
        "wechat_about_uin": Key(_text, help="微信客户端 uin", secret=True),
        "wechat_about_budget": Key(_int(0, 10**6), help="每日读取“关于公众号”页面的上限（默认 100）"),
        "contacts_days": Key(_int(1, 3650), 365, help="联系人多少天未核实即列为逾期（年度核查）"),
        "failing_weeks": Key(_int(1, 52), 4, help="连续多少周未能采集即列入核查"),
    }
    for code, budget in SEARCH_BUDGETS.items():
        keys[f"{code}_budget"] = Key(
            _int(0, 10**6), help=f"{PLATFORM.label(code)}每日搜索次数上限（默认 {budget}），0 为不限"
        )
    for code in ("douyin", "kuaishou", "toutiao"):
        keys[f"{code}_search_url"] = Key(
            _text,
            help=f"{PLATFORM.label(code)}搜索桥接地址，{{query}} 为搜索词，{{page}} 为页码",
            url=True,
        )
    return keys


def _web_keys() -> dict[str, Key]:
    """``[web]``: the workbench's address, the approval rule, the proxy and sign-in limits."""
    from monitor.app.web.settings import parse_approval_level, parse_flag

    return {
        "host": Key(_text, "127.0.0.1", help="工作台监听地址"),
        "port": Key(_int(1, 65535), 8000, help="工作台端口"),
        "approval_level": Key(
            parse_approval_level,
            "parent",
            help="报备由谁审核：parent（上级单位），或 province/city/county（该级别的上级单位）",
        ),
        "trust_proxy": Key(parse_flag, False, help="在反向代理之后：信任其 X-Forwarded-Proto/For 头"),
        "proxy_addresses": Key(_texts, ["127.0.0.1", "::1"], help="反向代理的地址（只信任它们转来的头）"),
        "session_hours": Key(_int(1, 720), 8, help="登录有效小时数"),
        "login_failures": Key(_int(1, 1000), 5, help="同一用户名在 login_window 分钟内失败多少次即暂停登录"),
        "address_failures": Key(_int(1, 10000), 20, help="同一地址在 login_window 分钟内失败多少次即暂停"),
        "login_window": Key(_int(1, 1440), 15, help="登录失败计数的时间窗（分钟）"),
    }


KEYS: dict[str, dict[str, Key]] = {
    "database": {
        "url": Key(
            _text, help="数据库（未给出 --db / GOVMEDIA_DB 时使用）：SQLite 路径或 postgresql://…", url=True
        ),
    },
    "profile": {
        "name": Key(_text, help="指标方案：national、gansu 或自定义 TOML 文件路径（定时检查与预警升级用）"),
    },
    "schedule": {
        "crawl": Key(lambda v: parse_when(v, "daily"), "06:00", help="每日采集时刻（北京时间）"),
        "alerts": Key(lambda v: parse_when(v, "daily"), "08:30", help="每日预警时刻"),
        "weekly": Key(lambda v: parse_when(v, "weekly"), "monday 09:00", help="每周抽查及其报告"),
        "monthly": Key(lambda v: parse_when(v, "monthly"), "1 09:30", help="每月检查（日 时刻）"),
        "circular": Key(
            lambda v: parse_when(v, "daily"), "10:00", help="每日查看检查窗口是否结束，结束后起草通报"
        ),
        "discovery": Key(
            lambda v: parse_when(v, "daily"),
            "11:00",
            help="每日续跑本月的未备案账号排查（每个搜索词每月搜索一次，按搜索预算分摊到多日）",
        ),
        "windows": Key(_windows, [], help="检查窗口 YYYY-MM-DD..YYYY-MM-DD 列表；为空则按自然季度"),
        "out_dir": Key(_text, "reports-out", help="定时生成的报告与通报的存放目录"),
        "crawl_fresh_hours": Key(_int(0, 168), 12, help="检查前若这么多小时内已采集成功则不再采集"),
        "job_timeout": Key(_int(60, 86400 * 2), 6 * 3600, help="单个任务子进程的最长运行秒数"),
        "lease_seconds": Key(_int(30, 86400), 600, help="任务租约有效秒数（进程意外退出后多久可由他人接手）"),
    },
    "smtp": {
        "host": Key(_text, help="SMTP 服务器"),
        "port": Key(_int(1, 65535), 25, help="SMTP 端口"),
        "user": Key(_text, help="SMTP 用户名"),
        "password": Key(_text, help="SMTP 密码", secret=True),
        "sender": Key(_email, help="发件人地址"),
        "security": Key(_choice("none", "starttls", "ssl"), "none", help="加密方式：none、starttls、ssl"),
        "timeout": Key(_int(1, 600), 30, help="连接超时秒数"),
    },
    "webhook": {
        "generic": Key(_urls, [], help="通用 JSON 回调地址（可多个）", url=True),
        "wecom": Key(_urls, [], help="企业微信群机器人地址（可多个）", url=True),
        "dingtalk": Key(_urls, [], help="钉钉群机器人地址（可多个）", url=True),
        "dingtalk_secret": Key(_text, help="钉钉机器人加签密钥", secret=True),
        "timeout": Key(_int(1, 600), 10, help="回调超时秒数"),
    },
    "alerts": {
        "steps": Key(
            _steps,
            help="预警升级：天数:对象，如 10:operator,12:leader,13:centre；"
            "未设置时用监测规则配置中的，再无则用此默认",
        ),
        "centre_name": Key(_text, "大数据中心", help="监管中心名称"),
        "centre_email": Key(_emails, [], help="监管中心收件地址（可多个）"),
        "centre_phone": Key(_text, help="监管中心手机号（群机器人 @ 提醒用）"),
        "channels": Key(_channels, "email,webhook", help="发送渠道：email、webhook（逗号分隔）"),
    },
    "report": {
        "issuer": Key(
            _text, help="发文机关（开头、整改要求和落款），如 甘肃省政务公开办公室；默认“省政务公开办公室”"
        ),
        "masthead": Key(
            _text, help="版头（发文机关标志），如 甘肃省政务公开办公室文件；默认为发文机关加“文件”"
        ),
        "addressees": Key(_text, help="主送机关；默认“各市（州）人民政府，省政府各部门”"),
        "cc": Key(_text, help="抄送机关（版记）；不设则不印抄送行"),
        "printed_by": Key(_text, help="印发机关（版记）；默认同发文机关"),
        "doc_no": Key(
            _doc_no,
            help="发文字号格式，{year} 为年度、{seq} 为本年序号（自动递增），"
            "如 甘政务公开办〔{year}〕{seq}号；不设则不印发文字号",
        ),
        "basis": Key(
            _texts,
            help="开头引用的依据文件（可多个），如 《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）；"
            "默认为该文件和“本省政务新媒体管理有关规定”",
        ),
        "scope": Key(_scope, "全省", help="检查范围：全省、全区、全市、全州或全县（标题和正文用）"),
        "deadline_workdays": Key(
            _int(1, 120), 15, help="整改期限：成文日期后的工作日数（跳过周末和法定节假日，计入调休上班日）"
        ),
    },
    "crawl": {
        "delay": Key(_float, help="所有平台两次请求的间隔秒数（设置后覆盖各平台的间隔）"),
        "timeout": Key(_int(1, 600), help="单次请求超时秒数（默认 30）"),
        "retries": Key(_int(0, 20), help="超时和 5xx 的重试次数（默认 2）"),
        "retry_backoff": Key(_float, help="重试退避基数秒数（默认 2）", env="GOVMEDIA_RETRY_BACKOFF"),
        "user_agent": Key(_text, help="User-Agent 请求头", env="GOVMEDIA_USER_AGENT"),
        "allow_private_urls": Key(
            _text, help="允许采集内网地址：1 或地址列表（仅测试用）", env="GOVMEDIA_ALLOW_PRIVATE_URLS"
        ),
        "max_response_bytes": Key(
            _int(1024, 10**9), help="备案链接响应大小上限（字节）", env="GOVMEDIA_MAX_RESPONSE_BYTES"
        ),
        "store_batch": Key(_int(1, 10000), help="每个数据库事务保存的账号数", env="GOVMEDIA_STORE_BATCH"),
        "lease_seconds": Key(
            _seconds(2, 3600),
            60.0,
            help="分布式采集：账号租约在采集进程最后一次心跳后多少秒到期（到期后由其他进程接手）",
        ),
        "heartbeat_seconds": Key(
            _seconds(0.2, 600), 10.0, help="分布式采集：采集进程的心跳间隔秒数（续期租约）"
        ),
    },
    "redis": {
        "url": Key(
            _redis_url,
            help="分布式采集的 Redis 地址，如 redis://:密码@10.0.0.5:6379/0（只放在内网）",
            url=True,
        ),
        "prefix": Key(_prefix, "govmedia", help="Redis 键名前缀（多套系统共用一个 Redis 时区分）"),
    },
    **{code: _collector_keys(code, label) for code, label in COLLECTORS.items()},
    "discovery": _discovery_keys(),
    "web": _web_keys(),
}


@dataclass(frozen=True)
class Problem:
    """One invalid setting: which key, which value, why, and where it came from."""

    key: str
    value: Any
    reason: str
    source: str = "配置文件"

    @property
    def where(self) -> str:
        """'crawl.delay' or 'crawl.delay（环境变量 GOVMEDIA_CRAWL_DELAY）'."""
        return self.key if self.source == "配置文件" else f"{self.key}（{self.source}）"

    def message(self) -> str:
        return f"配置项「{self.where}」的值「{self.value}」无效：{self.reason}"


@dataclass
class Config:
    """The effective configuration: typed values, where each came from, and its problems."""

    path: Path | None = None
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def get(self, section: str, key: str) -> Any:
        return self.values.get(section, {}).get(key, KEYS[section][key].default)

    def section(self, section: str) -> dict[str, Any]:
        return {k: self.get(section, k) for k in KEYS[section]}

    def require_valid(self) -> Config:
        """Raise the first problem as a typed error (exit status 2 at the CLI)."""
        if self.problems:
            first = self.problems[0]
            raise InvalidValue(f"配置项 {first.where}", first.value, first.reason)
        return self


def config_path(explicit: str | None = None, env: Mapping[str, str] | None = None) -> Path | None:
    """``--config``, then ``GOVMEDIA_CONFIG``, then ``./govmedia.toml`` if it exists."""
    env = os.environ if env is None else env
    chosen = explicit or env.get("GOVMEDIA_CONFIG")
    if chosen:
        path = Path(chosen).expanduser()
        if not path.is_file():
            raise InvalidValue("配置文件", chosen, "文件不存在")
        return path
    default = Path(DEFAULT_FILE)
    return default if default.is_file() else None


def read_file(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except UnicodeDecodeError:
        raise InvalidValue(
            "配置文件", str(path), "不是 UTF-8 编码的文本文件（应为 TOML 格式的 govmedia.toml）"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        at = f"第 {where.group(1)} 行第 {where.group(2)} 列" if where else "文件中"
        raise InvalidValue("配置文件", str(path), f"不是有效的 TOML：{at}有语法错误") from None
    except OSError as exc:
        raise InvalidValue("配置文件", str(path), f"无法读取：{exc.strerror}") from None


def load_config(explicit: str | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read the file and the environment; collect every problem instead of stopping at one."""
    env = os.environ if env is None else env
    path = config_path(explicit, env)
    raw = read_file(path)
    config = Config(path=path)
    for section, content in raw.items():
        if section not in KEYS:
            config.problems.append(Problem(f"[{section}]", "", "未知的配置节"))
            continue
        if not isinstance(content, dict):
            config.problems.append(Problem(f"[{section}]", content, "应为一个配置节（[节名] 下的键值）"))
            continue
        for key in content:
            if key not in KEYS[section]:
                config.problems.append(Problem(f"{section}.{key}", content[key], "未知的配置项"))
    for section, keys in KEYS.items():
        found = raw.get(section)
        body: dict[str, Any] = found if isinstance(found, dict) else {}
        for key, spec in keys.items():
            name = f"{section}.{key}"
            var = env_name(section, key)
            if var in env and env[var] != "":
                value, source = env[var], f"环境变量 {var}"
            elif key in body:
                value, source = body[key], "配置文件"
            else:
                continue
            try:
                config.values.setdefault(section, {})[key] = spec.parse(value)
                config.sources[name] = source
            except ValueError as exc:
                config.problems.append(Problem(name, value, str(exc), source))
    config.problems.extend(_cross_checks(config))
    register_secrets(_secret_values(config))  # masked wherever a server or a message echoes them
    return config


def _secret_values(config: Config) -> list[str]:
    """Every configured secret, and every configured URL (their passwords and keys)."""
    values: list[str] = []
    for section, keys in KEYS.items():
        for key, spec in keys.items():
            if not (spec.secret or spec.url) or f"{section}.{key}" not in config.sources:
                continue
            value = config.get(section, key)
            values += [str(v) for v in value] if isinstance(value, list) else [str(value or "")]
    return values


def _cross_checks(config: Config) -> list[Problem]:
    problems = []
    smtp = config.section("smtp")
    if smtp["user"] and not smtp["password"]:
        problems.append(Problem("smtp.password", "", "设置了 smtp.user 时必须设置密码"))
    if smtp["host"] and not smtp["sender"]:
        problems.append(Problem("smtp.sender", "", "设置了 smtp.host 时必须设置发件人地址"))
    if config.get("webhook", "dingtalk_secret") and not config.get("webhook", "dingtalk"):
        problems.append(Problem("webhook.dingtalk_secret", "******", "未设置钉钉机器人地址 webhook.dingtalk"))
    lease, beat = config.get("crawl", "lease_seconds"), config.get("crawl", "heartbeat_seconds")
    if beat * 2 > lease:
        problems.append(
            Problem(
                "crawl.heartbeat_seconds", beat, f"应不超过租约时长 crawl.lease_seconds（{lease:g} 秒）的一半"
            )
        )
    return problems


def configured_database(explicit: str | None = None) -> str | None:
    """``[database] url`` for the root command when neither ``--db`` nor ``GOVMEDIA_DB`` is set."""
    config = load_config(explicit)
    url = config.get("database", "url")
    return str(url) if url else None


def crawl_env(config: Config) -> dict[str, str]:
    """The ``GOVMEDIA_…`` variables the crawl subprocess needs: ``[crawl]`` and every collector
    section (credentials, base URLs, pace), only the keys set in the file or the environment,
    as strings; unset keys leave the spiders' own defaults in force."""
    out: dict[str, str] = {}
    for section in ("crawl", *PLATFORM_SECTIONS):
        for key, spec in KEYS[section].items():
            value = config.get(section, key)
            if f"{section}.{key}" not in config.sources or value is None or value == "":
                continue
            out[env_name(section, key)] = spec.to_env(value)
    return out


def queue_settings(config: Config) -> QueueSettings:
    """The distributed crawl's queue from ``[redis]`` and the lease times from ``[crawl]``;
    ``QueueNotConfigured`` (one Chinese line, exit 2) without ``[redis] url``."""
    from spiders.distributed.queue import QueueNotConfigured, QueueSettings

    url = config.get("redis", "url")
    if not url:
        raise QueueNotConfigured()
    return QueueSettings(
        url=str(url),
        prefix=str(config.get("redis", "prefix")),
        lease_seconds=float(config.get("crawl", "lease_seconds")),
        heartbeat_seconds=float(config.get("crawl", "heartbeat_seconds")),
    )


def discovery_env(config: Config) -> dict[str, str]:
    """The environment of a search subprocess: the crawl's (credentials, base URLs, pace) and
    the ``[discovery]`` keys the searchers read (budgets, bridges, WeChat-client keys, pages)."""
    out = crawl_env(config)
    spider_keys = ("max_pages", "wechat_about_key", "wechat_about_uin", "wechat_about_budget")
    for key, spec in KEYS["discovery"].items():
        if not (key in spider_keys or key.endswith("_budget") or key.endswith("_search_url")):
            continue
        value = config.get("discovery", key)
        if f"discovery.{key}" not in config.sources or value is None or value == "":
            continue  # unset keys leave the searchers' own defaults in force
        out[env_name("discovery", key)] = spec.to_env(value)
    return out


def effective_rows(config: Config) -> list[dict[str, Any]]:
    """Every key with its effective value (secrets masked), source and environment variable."""
    rows = []
    for section, keys in KEYS.items():
        for key, spec in keys.items():
            name = f"{section}.{key}"
            value = config.get(section, key)
            rows.append(
                {
                    "key": name,
                    "value": spec.show(value),
                    "source": config.sources.get(name, "默认值"),
                    "env": env_name(section, key),
                    "secret": spec.secret,
                    "help": spec.help,
                }
            )
    return rows


def report_settings(config: Config, **overrides: Any) -> CircularSettings:
    """The circular's issuing settings from ``[report]``; ``overrides`` (the command's options,
    e.g. ``issuer``) win when given. Unset keys keep the reports' own defaults."""
    from reports.settings import CircularSettings

    values: dict[str, Any] = {}
    for key in KEYS["report"]:
        value = config.get("report", key)
        if value is not None and value != "":
            values[key] = tuple(value) if key == "basis" else value
    values.update({k: v for k, v in overrides.items() if v is not None})
    return CircularSettings(**values)


def alert_settings(config: Config) -> AlertSettings:
    """The early-warning pass's settings: the ladder from ``[alerts] steps``, else the profile's
    ``escalation``, else the default; channels, the centre, SMTP and webhooks; the profile's
    collection freshness (the same the check uses)."""
    from monitor import profile as prof
    from monitor.alerts.settings import DEFAULT_STEPS, AlertSettings, Smtp
    from monitor.alerts.warning import profile_steps

    conf = prof.load(config.get("profile", "name"))
    configured = config.get("alerts", "steps")
    steps = parse_steps(configured) if configured else (profile_steps(conf) or list(DEFAULT_STEPS))
    smtp = config.section("smtp")
    return AlertSettings(
        steps=tuple(steps),
        channels=tuple(c for c in str(config.get("alerts", "channels") or "").split(",") if c),
        centre_name=config.get("alerts", "centre_name"),
        centre_emails=tuple(config.get("alerts", "centre_email") or ()),
        centre_phone=config.get("alerts", "centre_phone"),
        smtp=Smtp(
            host=smtp["host"],
            port=smtp["port"],
            user=smtp["user"],
            password=smtp["password"],
            sender=smtp["sender"],
            security=smtp["security"],
            timeout=smtp["timeout"],
        ),
        webhooks={
            kind: tuple(config.get("webhook", kind) or ()) for kind in ("generic", "wecom", "dingtalk")
        },
        dingtalk_secret=config.get("webhook", "dingtalk_secret"),
        webhook_timeout=config.get("webhook", "timeout"),
        freshness_days=float(conf.get("freshness_days", 3)),
    )


def web_settings(config: Config, db: str | None) -> Any:
    """The workbench's plain settings from ``[web]`` and ``[report]``."""
    from monitor.app.web.settings import WebSettings
    from registry.users.logins import Throttle

    web = config.section("web")
    return WebSettings(
        db=db,
        approval_level=web["approval_level"],
        trust_proxy=bool(web["trust_proxy"]),
        proxy_addresses=tuple(web["proxy_addresses"] or ()),
        session_hours=float(web["session_hours"]),
        throttle=Throttle(web["login_failures"], web["address_failures"], web["login_window"]),
        report=report_settings(config),
    )
