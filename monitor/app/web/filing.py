"""备案: the account list (search and filters), the account page, the filing form (先报备后开设)
and the approval queue with 通过 / 驳回 (the later steps of the life cycle are ``lifecycle``'s;
the account page offers those the user may take, and shows a rejected filing's reason).

The pages call the same library functions as ``govmedia account …`` (``registry.filing``), so
validation and its Chinese messages are the CLI's. Every object is authorised on the server:
an account outside the user's jurisdiction answers 404, an action its role or level may not
take answers 403 with the reason.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from monitor.app.web.core import Ctx, Refused, redirect, render, signed_in
from registry.errors import GovmediaError, NotFound
from registry.filing import accounts as filing
from registry.filing import queries as listing
from registry.users.access import HIDDEN, approvable_units
from registry.users.queries import user_labels
from registry.vocab import ACCOUNT_STATUS, PLATFORM, UNIT_LEVEL

PAGE = 50
FORM_FIELDS = (
    "platform",
    "name",
    "platform_id",
    "url",
    "feed_url",
    "operator",
    "owner",
    "phone",
    "email",
    "leader",
    "leader_phone",
    "leader_email",
    "opened_on",
    "reason",
)
OPTIONAL = FORM_FIELDS[3:-1]
DONE = {
    "filed": "已报备，状态：待审核。",
    "approved": "已审核通过，账号已备案。",
    "rejected": "已驳回，退回报备单位修改。",
    "changed": "已变更备案信息。",
    "refiled": "已重新报备，状态：待审核。",
    "closed": "账号已关停。",
    "cancelled": "账号已注销。",
}


def page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


def paged(rows: list[dict[str, Any]], page: int) -> tuple[list[dict[str, Any]], bool]:
    """The page's rows (fetched with one extra row) and whether a next page exists."""
    return rows[:PAGE], len(rows) > PAGE


def filters(request: Request, *keys: str) -> dict[str, str | None]:
    return {k: (request.query_params.get(k) or "").strip()[:200] or None for k in keys}


def account_list(request: Request) -> Response:
    page = page_number(request)
    wanted = filters(request, "search", "status", "platform", "level")
    with signed_in(request) as ctx:
        message = ""
        try:
            rows = listing.list_accounts(
                ctx.session, **wanted, unit_ids=ctx.scope.unit_ids, limit=PAGE + 1, offset=(page - 1) * PAGE
            )
        except GovmediaError as exc:  # a filter value staff typed wrong: say so, list nothing
            rows, message = [], exc.message
        shown, more = paged(rows, page)
        return render(
            request,
            "accounts.html.j2",
            ctx,
            rows=shown,
            more=more,
            page=page,
            wanted=wanted,
            message=message,
            statuses=ACCOUNT_STATUS.labels,
            platforms=PLATFORM.labels,
            levels=UNIT_LEVEL.labels,
        )


def visible_account(ctx: Ctx, account_id: int) -> Any:
    """The account, or 404 when it does not exist or lies outside the jurisdiction."""
    try:
        account = filing.get_account(ctx.session, account_id)
    except NotFound:
        raise Refused(HIDDEN) from None
    ctx.require("view", account.unit_id)
    return account


def account_page(request: Request) -> Response:
    account_id = int(request.path_params["account_id"])
    with signed_in(request) as ctx:
        return _account_page(request, ctx, account_id)


def _account_page(request: Request, ctx: Ctx, account_id: int) -> Response:
    from monitor.app.web.lifecycle import steps
    from registry.checks.queries import list_findings
    from registry.collection.posts import list_posts
    from registry.collection.queries import account_attempts
    from registry.filing.rejections import latest_rejections
    from registry.ledger.queries import list_items

    account = visible_account(ctx, account_id)
    s = ctx.session
    history = listing.history(s, account.id)
    for event in history:
        event["text"] = listing.describe_changes(event["action"], event["changes"])
    return render(
        request,
        "account.html.j2",
        ctx,
        a=listing.account_detail(s, account.id),
        history=history,
        actors=user_labels(s, [e["actor"] for e in history]),
        posts=list_posts(s, account_id=account.id)[:20],
        attempts=list(reversed(account_attempts(s, account.id)))[:20],
        findings=list_findings(s, account_id=account.id),
        items=list_items(s, account_ids=[account.id]),
        may_approve=account.status == "pending" and ctx.decide("approve", account.unit_id).allowed,
        may=steps(ctx, account),
        rejection=latest_rejections(s, [account.id]).get(account.id)
        if account.status == "rejected"
        else None,
        done=DONE.get(request.query_params.get("done", ""), ""),
    )


def new_account(request: Request) -> Response:
    with signed_in(request) as ctx:
        ctx.require("file", ctx.scope.unit_id)
        return _form(request, ctx, {}, "")


def _form(request: Request, ctx: Ctx, values: dict[str, str], message: str, status: int = 200) -> Response:
    return render(
        request,
        "file.html.j2",
        ctx,
        values=values,
        message=message,
        platforms=PLATFORM.labels,
        http_status=status,
    )


async def file_post(request: Request) -> Response:
    form = dict(await request.form())
    return await run_in_threadpool(_file, request, form)


def _file(request: Request, form: dict[str, Any]) -> Response:
    values = {k: str(form.get(k) or "").strip()[:2000] for k in FORM_FIELDS}
    verified = form.get("verified") == "yes"
    with signed_in(request) as ctx:
        ctx.check_csrf(form)
        ctx.require("file", ctx.scope.unit_id)
        try:
            account = filing.file_account(
                ctx.session,
                unit=str(ctx.scope.unit_id),
                platform=values["platform"],
                name=values["name"],
                platform_id=values["platform_id"],
                reason=values["reason"] or None,
                actor=ctx.scope.name,
                verified=verified if form.get("verified") else None,
                **{k: values[k] for k in OPTIONAL if values[k]},
            )
        except GovmediaError as exc:
            ctx.session.rollback()  # a refused filing writes nothing
            return _form(request, ctx, {**values, "verified": "yes" if verified else ""}, exc.message, 400)
        return redirect(f"/accounts/{account.id}?done=filed")


async def approve_post(request: Request) -> Response:
    form = dict(await request.form())
    return await run_in_threadpool(_decide, request, form, "approve")


async def reject_post(request: Request) -> Response:
    form = dict(await request.form())
    return await run_in_threadpool(_decide, request, form, "reject")


def _decide(request: Request, form: dict[str, Any], action: str) -> Response:
    """通过 / 驳回 one filing: 303 back to the queue; 404 outside the jurisdiction; 403 for a
    role or level that may not; 409 when the filing is no longer pending (another supervisor
    acted first: the Chinese message says so and nothing was written)."""
    account_id = int(request.path_params["account_id"])
    reason = str(form.get("reason") or "").strip()[:2000] or None
    with signed_in(request) as ctx:
        ctx.check_csrf(form)
        account = visible_account(ctx, account_id)
        ctx.require(action, account.unit_id)
        if action == "approve":
            filing.approve(ctx.session, account.id, actor=ctx.scope.name, reason=reason)
        else:
            filing.reject(ctx.session, account.id, reason=reason or "", actor=ctx.scope.name)
    back = "/approvals" if form.get("back") == "queue" else f"/accounts/{account_id}"
    return redirect(f"{back}?done={'approved' if action == 'approve' else 'rejected'}")


def approvals(request: Request) -> Response:
    """审核: the pending filings this user may approve (those its level receives)."""
    page = page_number(request)
    with signed_in(request) as ctx:
        units = approvable_units(ctx.scope, ctx.tree, ctx.settings.approval_level)
        rows: list[dict[str, Any]] = []
        if units:
            rows = listing.list_accounts(
                ctx.session, status="pending", unit_ids=units, limit=PAGE + 1, offset=(page - 1) * PAGE
            )
        shown, more = paged(rows, page)
        return render(
            request,
            "approvals.html.j2",
            ctx,
            rows=shown,
            more=more,
            page=page,
            done=DONE.get(request.query_params.get("done", ""), ""),
        )
