"""What the early-warning pass needs to know, as plain values (the application builds them
from govmedia.toml; the library never reads configuration itself)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from registry.vocab import ALERT_STEP

DEFAULT_STEPS: tuple[tuple[int, str], ...] = ((10, "operator"), (12, "leader"), (13, "centre"))
ROLES = {alias: code for code in ALERT_STEP.codes for alias in (code,)} | {
    "负责人": "operator",
    "分管领导": "leader",
    "center": "centre",
    "中心": "centre",
    "监管中心": "centre",
}
WEBHOOK_KINDS = ("generic", "wecom", "dingtalk")


def parse_steps(value: Any) -> list[tuple[int, str]]:
    """Escalation steps ``10:operator,12:leader,13:centre``: days without a post, then whom
    (operator = the filing's 负责人, leader = 分管领导, centre = the supervising centre)."""
    items = value if isinstance(value, list) else str(value).split(",")
    steps: list[tuple[int, str]] = []
    for item in (str(x).strip() for x in items):
        if not item:
            continue
        days, _, role = item.partition(":")
        code = ROLES.get(role.strip())
        if not days.strip().isdigit() or not 1 <= int(days) <= 365 or code in (None, "test"):
            raise ValueError(f"「{item}」应为「天数:对象」，对象为 operator、leader 或 centre")
        steps.append((int(days), str(code)))
    if [d for d, _ in steps] != sorted({d for d, _ in steps}):
        raise ValueError("各级提醒的天数应递增且不重复")
    return steps


@dataclass(frozen=True)
class Smtp:
    host: str | None = None
    port: int = 25
    user: str | None = None
    password: str | None = None
    sender: str | None = None
    security: str = "none"  # none / starttls / ssl
    timeout: int = 30


@dataclass(frozen=True)
class AlertSettings:
    """The ladder, the channels and the centre's contacts."""

    steps: tuple[tuple[int, str], ...] = DEFAULT_STEPS
    channels: tuple[str, ...] = ("email", "webhook")
    centre_name: str = "大数据中心"
    centre_emails: tuple[str, ...] = ()
    centre_phone: str | None = None
    smtp: Smtp = field(default_factory=Smtp)
    webhooks: dict[str, tuple[str, ...]] = field(default_factory=dict)  # kind → URLs
    dingtalk_secret: str | None = None
    webhook_timeout: int = 10
    freshness_days: float = 3.0  # the profile's: how old a success may be when the latest attempt failed
