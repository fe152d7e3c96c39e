"""复核: the queue of candidate findings of the jurisdiction, one at a time with its evidence
(the post's text with the matched words highlighted, its time and link, the rule's
description), confirmed or dismissed with a note; the answer is a redirect to the next
candidate, so a reviewer works through the queue without leaving the page.

The decision is ``monitor.check.review.review_finding`` (the CLI's ``finding confirm|dismiss``):
the account's verdict is decided again and stored. Only 复核人员 may decide.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from monitor.app.web.core import Ctx, Refused, redirect, render, signed_in
from registry.checks import queries as check_queries
from registry.errors import NotFound
from registry.users.access import HIDDEN

VERBS = {"confirm": "confirmed", "dismiss": "dismissed"}
DONE = {"confirmed": "已确认，下一条：", "dismissed": "已排除，下一条："}


def highlight(text: str | None, phrases: Iterable[str]) -> Markup:
    """``text`` escaped, with every occurrence of ``phrases`` (longest first) in ``<mark>``.
    The text is split on the raw phrases and each piece escaped on its own, so nothing in
    the post can become markup."""
    body = text or ""
    wanted = sorted({p for p in phrases if p}, key=len, reverse=True)
    if not wanted or not body:
        return Markup(escape(body))
    pattern = re.compile("|".join(re.escape(p) for p in wanted))
    out, last = [], 0
    for match in pattern.finditer(body):
        out.append(escape(body[last : match.start()]))
        out.append(Markup("<mark>") + escape(match.group(0)) + Markup("</mark>"))
        last = match.end()
    out.append(escape(body[last:]))
    return Markup("").join(out)


def rule_description(code: str) -> str:
    from monitor.rules import RULES

    rule = RULES.get(code)
    if rule is None:
        return ""
    from registry.vocab import LEXICON_KIND

    first = re.sub(r"\s*\n\s*", "", rule.doc.split("\n\n", 1)[0]).replace("``", "")
    return re.sub(r"（(\w+) 类）", lambda m: f"（{LEXICON_KIND.label(m.group(1))}类）", first)


def queue(request: Request) -> Response:
    wanted = request.query_params.get("id", "")
    with signed_in(request) as ctx:
        rows = check_queries.finding_list(ctx.session, status="candidate", unit_ids=ctx.scope.unit_ids)
        current = next((r for r in rows if str(r["id"]) == wanted), rows[0] if rows else None)
        detail = _evidence(ctx, current["id"]) if current else None
        return render(
            request,
            "review.html.j2",
            ctx,
            total=len(rows),
            upcoming=[r for r in rows if current is None or r["id"] != current["id"]][:20],
            f=detail,
            may_review=ctx.scope.may("review"),
            done=DONE.get(request.query_params.get("done", ""), ""),
        )


def _evidence(ctx: Ctx, finding_id: int) -> dict[str, Any]:
    from registry.checks.evidence import finding_detail

    detail = finding_detail(ctx.session, finding_id)
    matches = detail["evidence"].get("matches") or []
    for post in detail["posts"]:
        phrases = [m.get("phrase", "") for m in matches if m.get("post_id") in (None, post["post_id"])]
        post["marked"] = highlight(post["text"], phrases)
    detail["description"] = rule_description(detail["rule"])
    return detail


async def decide_post(request: Request) -> Response:
    form = dict(await request.form())
    return await run_in_threadpool(_decide, request, form)


def _decide(request: Request, form: dict[str, Any]) -> Response:
    from monitor.check.review import review_finding
    from registry.checks.store import get_finding

    finding_id = int(request.path_params["finding_id"])
    status = VERBS[request.url.path.rsplit("/", 1)[-1]]
    note = str(form.get("note") or "").strip()[:2000] or None
    with signed_in(request) as ctx:
        ctx.check_csrf(form)
        try:
            finding = get_finding(ctx.session, finding_id)
        except NotFound:
            raise Refused(HIDDEN) from None
        from registry.filing.accounts import get_account

        ctx.require("review", get_account(ctx.session, finding.account_id).unit_id)
        review_finding(ctx.session, finding.id, status=status, note=note, actor=ctx.scope.name)
    return redirect(f"/review?done={status}")
