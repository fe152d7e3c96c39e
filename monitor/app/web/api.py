"""The JSON API for scripts and acceptance checks: the same rows as the CLI's ``--format json``,
built by the same library functions, within the signed-in user's jurisdiction.

- ``GET /api/accounts`` = ``govmedia account list --format json`` (``registry.filing.queries
  .list_accounts``; query parameters ``unit``, ``platform``, ``status``, ``level``, ``search``);
- ``GET /api/findings`` = ``govmedia finding list --format json`` (``registry.checks.queries
  .finding_list``; ``run``, ``status``, ``rule``, ``unit``, ``region``).

Without a session: 401; a filter value that is not valid: 400 with the Chinese line.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from monitor.app.web.core import json_response, signed_in
from registry.checks import queries as check_queries
from registry.errors import InvalidValue
from registry.filing import queries as listing


def _params(request: Request, *keys: str) -> dict[str, str | None]:
    return {k: request.query_params.get(k) or None for k in keys}


def accounts(request: Request) -> Response:
    q = _params(request, "unit", "platform", "status", "level", "search")
    with signed_in(request) as ctx:
        rows = listing.list_accounts(
            ctx.session,
            unit=q["unit"],
            platform=q["platform"],
            status=q["status"],
            level=q["level"],
            search=q["search"],
            unit_ids=ctx.scope.unit_ids,
        )
    return json_response(rows)


def findings(request: Request) -> Response:
    wanted = _params(request, "status", "rule", "unit", "region")
    run = request.query_params.get("run")
    if run is not None and not run.isdigit():
        raise InvalidValue("run", run, "应为检查批次ID（整数）")
    with signed_in(request) as ctx:
        rows = check_queries.finding_list(
            ctx.session, run=int(run) if run else None, **wanted, unit_ids=ctx.scope.unit_ids
        )
    return json_response(rows)
