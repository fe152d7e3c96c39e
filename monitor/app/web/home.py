"""首页: what ``govmedia status`` says, for the user's jurisdiction (the same
``monitor.status.status``), with the pass-rate trend over the recent runs and the latest
run's pass rates by platform and by region, from the stored verdicts (``registry.checks.tallies``)
and the one pass-rate function (``monitor.figures``). A 填报人员 also sees its unit's rejected
filings (被驳回的报备) with the reason of each, to change and refile them."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from monitor import figures
from monitor.app.web import charts
from monitor.app.web.core import Ctx, render, signed_in
from registry.checks import tallies
from registry.vocab import CHECK_KIND, PLATFORM

REJECTED_SHOWN = 20


def home(request: Request) -> Response:
    from monitor.status import status
    from registry.db import utcnow

    with signed_in(request) as ctx:
        data = status(ctx.session, now=utcnow(), unit_ids=ctx.scope.unit_ids)
        return render(request, "home.html.j2", ctx, data=data, rejected=rejected(ctx), **dashboard(ctx))


def rejected(ctx: Ctx) -> list[dict[str, Any]]:
    """被驳回的报备 of a filer's own unit (those it must change and refile), with the reason."""
    from registry.filing.rejections import rejected_filings

    if not ctx.scope.may("file"):
        return []
    return rejected_filings(ctx.session, unit_ids=[ctx.scope.unit_id], limit=REJECTED_SHOWN)


def _point(label: str, counts: dict[str, int], decimals: int) -> charts.Point:
    rate = figures.pass_rate(counts["qualified"], counts["unqualified"], decimals)
    note = f"合格 {counts['qualified']}，不合格 {counts['unqualified']}，未能采集 {counts['uncollected']}"
    return charts.Point(label, rate, note)


def dashboard(ctx: Ctx) -> dict[str, Any]:
    """The three charts of the home page (SVG markup)."""
    s = ctx.session
    runs = tallies.recent_runs(s)
    ids = [r.id for r in runs]
    total = tallies.verdict_tallies(s, ids, unit_ids=ctx.scope.unit_ids)
    trend = [
        _point(
            f"{r.at.strftime('%m-%d')}{CHECK_KIND.label(r.kind)[:1]}",
            total.get(r.id, {}).get("", dict.fromkeys(tallies.VERDICTS, 0)),
            figures.decimals_of(r.thresholds),
        )
        for r in runs
    ]
    out: dict[str, Any] = {"trend": charts.trend(trend, title="各次检查合格率")}
    latest = runs[-1] if runs else None
    platform: list[charts.Point] = []
    region: list[charts.Point] = []
    if latest is not None:
        decimals = figures.decimals_of(latest.thresholds)
        by_platform = tallies.verdict_tallies(s, [latest.id], unit_ids=ctx.scope.unit_ids, by="platform")
        platform = [
            _point(PLATFORM.label(code), counts, decimals)
            for code, counts in sorted(by_platform.get(latest.id, {}).items())
        ]
        by_region = tallies.verdict_tallies(s, [latest.id], unit_ids=ctx.scope.unit_ids, by="region")
        groups = by_region.get(latest.id, {})
        names = tallies.region_names(s, list(groups))
        region = [_point(names.get(code, code), counts, decimals) for code, counts in sorted(groups.items())]
    when = f"（第{latest.id}次检查）" if latest is not None else ""
    out["by_platform"] = charts.bars(platform, title=f"分平台合格率{when}")
    out["by_region"] = charts.bars(region[:30], title=f"分地区合格率{when}")
    out["latest_run"] = latest.id if latest is not None else None
    return out
