"""The figures every output shows, computed in one place.

``pass_rate`` is the 合格率 of the check report, the circular, its charts, the notices and
the demo summary: qualified / (qualified + unqualified) in percent, rounded half-up (四舍五入)
to the profile's ``pass_rate_decimals`` (default 2). Accounts that could not be collected
(未能采集) count in neither part. ``percent`` is the same arithmetic for any other share
(原创率, 按时转载率, share of the registry checked). Both return ``Decimal`` so that the
text, the tables and the JSON show the same digits; ``None`` when there is nothing to divide.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

DEFAULT_DECIMALS = 2


def percent(part: int, whole: int, places: int = DEFAULT_DECIMALS) -> Decimal | None:
    """part / whole in percent, rounded half-up to ``places`` decimals; None when whole ≤ 0."""
    if whole <= 0:
        return None
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(part) * 100 / Decimal(whole)).quantize(quantum, rounding=ROUND_HALF_UP)


def pass_rate(qualified: int, unqualified: int, decimals: int = DEFAULT_DECIMALS) -> Decimal | None:
    """合格率: qualified / (qualified + unqualified), half-up to ``decimals``."""
    return percent(qualified, qualified + unqualified, decimals)


def decimals_of(profile: dict[str, Any] | None) -> int:
    """The profile's ``pass_rate_decimals`` (the run stores its profile in ``thresholds``)."""
    return int((profile or {}).get("pass_rate_decimals", DEFAULT_DECIMALS))


def as_number(value: Decimal | None) -> float | None:
    """A rate for JSON: the same digits as the text (``Decimal("90.63")`` → ``90.63``)."""
    return None if value is None else float(value)


def pct_text(value: Decimal | None) -> str:
    """'98.60%', or '—' when there is nothing to divide."""
    return "—" if value is None else f"{value}%"
