"""检查与通报: the check runs with the jurisdiction's figures, one run's results, and the
downloads: a run's check report (``reports.service.check_sheet``), a recorded circular and
the jurisdiction's per-unit notices (``reports.copies``). Every document is written by the
reports library from the stored verdicts; nothing is judged again here.

The check report lists every account the run checked, so only a 监管人员 (or 系统管理员) whose
jurisdiction is the whole registry downloads it; the others read their jurisdiction's rows on
the run's page.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from monitor import figures
from monitor.app.web.core import Ctx, Refused, render, signed_in
from monitor.app.web.filing import PAGE, page_number
from registry.checks import queries as check_queries
from registry.checks import tallies
from registry.errors import NotFound
from registry.users.access import HIDDEN, Decision

OFFICE = "application/vnd.openxmlformats-officedocument"
KINDS = {
    "html": "text/html; charset=utf-8",
    "xlsx": f"{OFFICE}.spreadsheetml.sheet",
    "docx": f"{OFFICE}.wordprocessingml.document",
}
CIRCULAR = ("docx", "html", "xlsx")
WHOLE = Decision(
    False, reason="检查结果表包含全部受检账号，只有管辖全部单位的监管人员可以下载；本辖区的结果见本页"
)


def _rates(counts: dict[str, int], thresholds: dict[str, Any]) -> dict[str, Any]:
    rate = figures.pass_rate(counts["qualified"], counts["unqualified"], figures.decimals_of(thresholds))
    return {**counts, "sampled": sum(counts.values()), "pass_rate_text": figures.pct_text(rate)}


def runs_page(request: Request) -> Response:
    from sqlalchemy import select

    from registry.ledger.models import Circular

    with signed_in(request) as ctx:
        runs = check_queries.all_runs(ctx.session)[:100]
        counts = tallies.verdict_tallies(ctx.session, [r.id for r in runs], unit_ids=ctx.scope.unit_ids)
        empty = dict.fromkeys(tallies.VERDICTS, 0)
        rows = [{"run": r, **_rates(counts.get(r.id, {}).get("", empty), r.thresholds)} for r in runs]
        circulars = list(ctx.session.scalars(select(Circular).order_by(Circular.window_to.desc()).limit(50)))
        return render(
            request,
            "checks.html.j2",
            ctx,
            rows=rows,
            circulars=circulars,
            whole=_may_download(ctx),
        )


def _may_download(ctx: Ctx) -> bool:
    return ctx.scope.may("check_report") and ctx.scope.everything


def run_page(request: Request) -> Response:
    from registry.checks.store import get_run

    run_id = int(request.path_params["run_id"])
    page = page_number(request)
    with signed_in(request) as ctx:
        try:
            run = get_run(ctx.session, run_id)
        except NotFound:
            raise Refused(HIDDEN) from None
        scope = ctx.scope.unit_ids
        counts = tallies.verdict_tallies(ctx.session, [run.id], unit_ids=scope).get(run.id, {})
        rows = tallies.result_page(
            ctx.session, run.id, unit_ids=scope, limit=PAGE + 1, offset=(page - 1) * PAGE
        )
        return render(
            request,
            "run.html.j2",
            ctx,
            run=run,
            figures=_rates(counts.get("", dict.fromkeys(tallies.VERDICTS, 0)), run.thresholds),
            rows=rows[:PAGE],
            more=len(rows) > PAGE,
            page=page,
            whole=_may_download(ctx),
        )


def _send(folder: Path, path: str, name: str) -> FileResponse:
    suffix = Path(path).suffix.lstrip(".")
    return FileResponse(
        path,
        media_type=KINDS.get(suffix, "application/octet-stream"),
        filename=name,
        content_disposition_type="attachment",
        background=BackgroundTask(shutil.rmtree, folder, True),
    )


def run_report(request: Request) -> Response:
    from reports.service import check_sheet

    run_id = int(request.path_params["run_id"])
    kind = request.url.path.rsplit(".", 1)[-1]
    folder = Path(tempfile.mkdtemp(prefix="govmedia-web-"))
    try:
        with signed_in(request) as ctx:
            if not _may_download(ctx):
                raise Refused(WHOLE)
            try:
                done = check_sheet(ctx.session, run_id, out=folder)
            except NotFound:
                raise Refused(HIDDEN) from None
        path = next(p for p in done["files"].values() if str(p).endswith(f".{kind}"))
        return _send(folder, path, Path(path).name)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def circular_file(request: Request) -> Response:
    """A recorded circular (.docx / .html / .xlsx annex): it is issued to every unit."""
    from reports.copies import circular_copy

    circular_id = int(request.path_params["circular_id"])
    kind = request.url.path.rsplit(".", 1)[-1]
    folder = Path(tempfile.mkdtemp(prefix="govmedia-web-"))
    try:
        with signed_in(request) as ctx:
            try:
                written = circular_copy(ctx.session, circular_id, out=folder, settings=ctx.settings.report)
            except NotFound:
                raise Refused(HIDDEN) from None
        path = written.files[kind]
        return _send(folder, path, Path(path).name)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def notices_file(request: Request) -> Response:
    """The per-unit notices of a circular for the units of the jurisdiction, as one .zip."""
    from reports.copies import notice_copies

    circular_id = int(request.path_params["circular_id"])
    folder = Path(tempfile.mkdtemp(prefix="govmedia-web-"))
    try:
        with signed_in(request) as ctx:
            try:
                notice_copies(
                    ctx.session,
                    circular_id,
                    out=folder / "一对一反馈",
                    unit_ids=ctx.scope.unit_ids,
                    settings=ctx.settings.report,
                )
            except NotFound:
                raise Refused(HIDDEN) from None
        archive = shutil.make_archive(str(folder / "一对一反馈"), "zip", folder / "一对一反馈")
        return FileResponse(
            archive,
            media_type="application/zip",
            filename=f"一对一反馈_通报{circular_id}.zip",
            content_disposition_type="attachment",
            background=BackgroundTask(shutil.rmtree, folder, True),
        )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
