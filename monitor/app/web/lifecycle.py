"""备案的变更、重新报备、关停、注销: the filing life cycle after 报备, on the account page.

Each step calls the same library function as ``govmedia account change|refile|close|cancel``
(``registry.filing.accounts``), so validation, the state rules and the Chinese messages are
the CLI's; the actor is the signed-in user.

- **变更** (``GET|POST /accounts/{id}/change``): a form prefilled with the filing; only the
  fields the form changed (present in it and different from the filing) go to
  ``accounts.change``, with the required reason. A field left blank is cleared (as
  ``account change --url ""``); a field absent from the form stays as it is.
- **重新报备** (``POST /accounts/{id}/refile``): a rejected filing back to 待审核, with an
  optional note.
- **关停 / 注销** (``GET|POST /accounts/{id}/close|cancel``): a confirmation page saying what the
  step does, then the step with its required reason.

Answers: 303 to the account page on success; 404 outside the jurisdiction; 403 for a role that
may not (``registry.users.access``: a filer for its own unit only; a supervisor or admin within
its jurisdiction); 409 with the workflow's message when the account's state does not allow
the step (already closed, no longer rejected…); a form with bad input again with the message
(400), nothing written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from monitor.app.web.core import Ctx, redirect, render, signed_in
from monitor.app.web.filing import visible_account
from registry.errors import Conflict, GovmediaError, IllegalTransition
from registry.filing import accounts as filing
from registry.filing import queries as listing
from registry.filing.sheet_store import EDITABLE

# the form's fields: the attributes ``account change``'s options map to (``--email`` → email)
CHANGEABLE = tuple(field for field in EDITABLE if field != "unit_id")  # a unit is changed by the sheet
ALIASES = {"owner_email": "email"}  # another spelling a script may send
YES_NO = {"yes": True, "no": False}
ENDINGS: dict[str, Callable[..., Any]] = {"close": filing.close, "cancel": filing.cancel}
DONE = {"close": "closed", "cancel": "cancelled"}


def filed_values(detail: Mapping[str, Any]) -> dict[str, str]:
    """The filing as the change form shows it (``account_detail``'s values as text)."""
    values = {key: "" if detail.get(key) is None else str(detail[key]) for key in CHANGEABLE}
    verified = detail.get("verified")
    values["verified"] = "" if verified is None else ("yes" if verified else "no")
    return values


def typed_values(form: Mapping[str, Any]) -> dict[str, str]:
    """What the form sent for each changeable field (absent fields are left out); text is
    stripped and a textarea's CR LF read as LF, as the filing stores it."""
    typed: dict[str, str] = {}
    for alias, key in ALIASES.items():
        if key not in form and alias in form:
            typed[key] = str(form[alias])
    for key in CHANGEABLE:
        if key in form:
            typed[key] = str(form[key])
    return {key: value.replace("\r\n", "\n").strip() for key, value in typed.items()}


def changed_fields(filed: Mapping[str, str], typed: Mapping[str, str]) -> dict[str, Any]:
    """The keyword arguments of ``accounts.change``: the fields whose typed value differs from
    the filed one (``verified`` as a boolean; a blank choice of it changes nothing)."""
    out: dict[str, Any] = {}
    for key, value in typed.items():
        if value == filed.get(key, ""):
            continue
        if key == "verified":
            if value in YES_NO:
                out[key] = YES_NO[value]
            continue
        out[key] = value
    return out


def change_page(request: Request) -> Response:
    account_id = int(request.path_params["account_id"])
    with signed_in(request) as ctx:
        account = _steppable(ctx, account_id, "change")
        detail = listing.account_detail(ctx.session, account.id)
        return _change_form(request, ctx, account.id, filed_values(detail), "", detail=detail)


def _change_form(
    request: Request,
    ctx: Ctx,
    account_id: int,
    values: dict[str, str],
    message: str,
    status: int = 200,
    *,
    detail: dict[str, Any] | None = None,
) -> Response:
    return render(
        request,
        "change.html.j2",
        ctx,
        a=detail if detail is not None else listing.account_detail(ctx.session, account_id),
        values=values,
        message=message,
        http_status=status,
    )


async def change_post(request: Request) -> Response:
    form = dict(await request.form())
    return await run_in_threadpool(_change, request, form)


def _change(request: Request, form: dict[str, Any]) -> Response:
    account_id = int(request.path_params["account_id"])
    reason = str(form.get("reason") or "")
    with signed_in(request) as ctx:
        ctx.check_csrf(form)
        account = visible_account(ctx, account_id)
        ctx.require("change", account.unit_id)
        filed = filed_values(listing.account_detail(ctx.session, account.id))
        typed = typed_values(form)
        try:
            filing.change(
                ctx.session, account.id, reason=reason, actor=ctx.scope.name, **changed_fields(filed, typed)
            )
        except (Conflict, IllegalTransition):
            raise  # the state no longer allows it: 409 with the workflow's message
        except GovmediaError as exc:
            ctx.session.rollback()  # a refused change writes nothing
            values = {**filed, **typed, "reason": reason.strip()}
            return _change_form(request, ctx, account_id, values, exc.message, 400)
    return redirect(f"/accounts/{account_id}?done=changed")


async def refile_post(request: Request) -> Response:
    form = dict(await request.form())
    return await run_in_threadpool(_refile, request, form)


def _refile(request: Request, form: dict[str, Any]) -> Response:
    account_id = int(request.path_params["account_id"])
    with signed_in(request) as ctx:
        ctx.check_csrf(form)
        account = visible_account(ctx, account_id)
        ctx.require("refile", account.unit_id)
        filing.refile(ctx.session, account.id, actor=ctx.scope.name, reason=str(form.get("reason") or ""))
    return redirect(f"/accounts/{account_id}?done=refiled")


def confirm_page(request: Request) -> Response:
    """关停 / 注销, first step: what it does, and the form with its reason."""
    account_id = int(request.path_params["account_id"])
    action = _ending(request)
    with signed_in(request) as ctx:
        account = _steppable(ctx, account_id, action)
        return _confirm_form(request, ctx, account.id, action, "", "")


def _confirm_form(
    request: Request, ctx: Ctx, account_id: int, action: str, reason: str, message: str, status: int = 200
) -> Response:
    return render(
        request,
        "confirm.html.j2",
        ctx,
        a=listing.account_detail(ctx.session, account_id),
        action=action,
        reason=reason,
        message=message,
        http_status=status,
    )


async def end_post(request: Request) -> Response:
    form = dict(await request.form())
    return await run_in_threadpool(_end, request, form)


def _end(request: Request, form: dict[str, Any]) -> Response:
    account_id = int(request.path_params["account_id"])
    action = _ending(request)
    reason = str(form.get("reason") or "")
    with signed_in(request) as ctx:
        ctx.check_csrf(form)
        account = visible_account(ctx, account_id)
        ctx.require(action, account.unit_id)
        try:
            ENDINGS[action](ctx.session, account.id, reason=reason, actor=ctx.scope.name)
        except (Conflict, IllegalTransition):
            raise
        except GovmediaError as exc:
            ctx.session.rollback()
            return _confirm_form(request, ctx, account_id, action, reason.strip(), exc.message, 400)
    return redirect(f"/accounts/{account_id}?done={DONE[action]}")


def _ending(request: Request) -> str:
    action = request.url.path.rsplit("/", 1)[-1]
    assert action in ENDINGS, action
    return action


def _steppable(ctx: Ctx, account_id: int, action: str) -> Any:
    """The account for a step's form: 404 outside the jurisdiction, 403 for a role that may
    not, 409 when its state does not allow the step."""
    account = visible_account(ctx, account_id)
    ctx.require(action, account.unit_id)
    filing.check_transition(account, action)
    return account


def steps(ctx: Ctx, account: Any) -> dict[str, bool]:
    """Which life-cycle steps the account page offers: those the user may take and the
    account's state allows."""
    return {
        action: account.status in filing.TRANSITIONS[action] and ctx.decide(action, account.unit_id).allowed
        for action in ("change", "refile", *ENDINGS)
    }
