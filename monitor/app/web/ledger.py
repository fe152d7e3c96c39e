"""整改: the ledger board of the jurisdiction; an item's page with its record; a 填报人员 submits
the rectification report (text and evidence link) for its own unit's items, a 监管人员 closes
(销号) or reopens (整改未通过) them, each with a note. The steps are ``registry.ledger.store``'s
(the CLI's ``rectify record|close|reopen``)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from monitor.app.web.core import Ctx, Refused, redirect, render, signed_in
from monitor.app.web.filing import PAGE, page_number
from registry.errors import NotFound
from registry.ledger import queries as ledger_queries
from registry.ledger import store as ledger
from registry.users.access import HIDDEN
from registry.vocab import LEDGER_STATUS

ACTIONS = {"record": "rectify", "close": "close_item", "reopen": "reopen_item"}
DONE = {"record": "已报送整改情况。", "close": "已销号。", "reopen": "已退回重新整改。"}


def board(request: Request) -> Response:
    page = page_number(request)
    status = request.query_params.get("status") or None
    with signed_in(request) as ctx:
        code = LEDGER_STATUS.find(status) if status else None
        rows = ledger_queries.list_items(
            ctx.session, status=code, unit_ids=ctx.scope.unit_ids, limit=PAGE + 1, offset=(page - 1) * PAGE
        )
        return render(
            request,
            "ledger.html.j2",
            ctx,
            rows=rows[:PAGE],
            more=len(rows) > PAGE,
            page=page,
            status=code or "",
            statuses=LEDGER_STATUS.labels,
        )


def _visible_item(ctx: Ctx, item_id: int) -> Any:
    from registry.filing.accounts import get_account

    try:
        item = ledger.get_item(ctx.session, item_id)
    except NotFound:
        raise Refused(HIDDEN) from None
    unit_id = get_account(ctx.session, item.account_id).unit_id
    ctx.require("view", unit_id)
    return item, unit_id


def item_page(request: Request) -> Response:
    item_id = int(request.path_params["item_id"])
    with signed_in(request) as ctx:
        item, unit_id = _visible_item(ctx, item_id)
        row = ledger_queries.list_items(ctx.session, account_ids=[item.account_id])
        return render(
            request,
            "ledger_item.html.j2",
            ctx,
            item=next(r for r in row if r["id"] == item.id),
            history=ledger_queries.history(ctx.session, item.id),
            may={verb: ctx.decide(action, unit_id).allowed for verb, action in ACTIONS.items()},
            allowed={verb: item.status in ledger.TRANSITIONS[verb] for verb in ACTIONS},
            done=DONE.get(request.query_params.get("done", ""), ""),
        )


async def step_post(request: Request) -> Response:
    form = dict(await request.form())
    return await run_in_threadpool(_step, request, form)


def _step(request: Request, form: dict[str, Any]) -> Response:
    item_id = int(request.path_params["item_id"])
    verb = request.url.path.rsplit("/", 1)[-1]
    note = str(form.get("note") or "").strip()[:2000]
    with signed_in(request) as ctx:
        ctx.check_csrf(form)
        item, unit_id = _visible_item(ctx, item_id)
        ctx.require(ACTIONS[verb], unit_id)
        actor = ctx.scope.name
        if verb == "record":
            link = str(form.get("evidence_url") or "").strip()[:2000] or None
            ledger.record(ctx.session, item.id, note=note, evidence_url=link, actor=actor)
        elif verb == "close":
            ledger.close(ctx.session, item.id, note=note, actor=actor)
        else:
            ledger.reopen(ctx.session, item.id, note=note, actor=actor)
    return redirect(f"/ledger/{item_id}?done={verb}")
