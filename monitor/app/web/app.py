"""The workbench as one Starlette application: its routes, the answers to errors and the
security headers. ``create_app(settings)`` is what ``govmedia web`` serves and what the tests
drive.

Routes (the stable contract of issue 13 in the first block):

=======================================  ==============================================
GET  /login, POST /login, POST /logout    sign in and out (``auth``)
GET  /accounts/{id}                       the account page (404 outside the jurisdiction)
POST /accounts/{id}/approve|reject        通过 / 驳回 (``csrf_token``, ``reason``): 303;
                                          403 for a role or level that may not; 409 when
                                          another supervisor acted first
GET  /api/accounts, /api/findings         the CLI's JSON, scoped to the user
GET  /                                    首页 (status and charts)
GET  /accounts, /accounts/new, /approvals 备案: list, filing form (POST /accounts), queue
GET|POST /accounts/{id}/change            变更 (``csrf_token``, ``reason`` and the changed
                                          fields): 303; 404 / 403 / 409 as above
POST /accounts/{id}/refile                重新报备 a rejected filing (``reason`` optional)
GET|POST /accounts/{id}/close|cancel      关停 / 注销: a confirmation page, then the step
                                          (``csrf_token``, ``reason``)
GET  /review; POST /findings/{id}/confirm|dismiss   复核
GET  /ledger, /ledger/{id}; POST /ledger/{id}/record|close|reopen   整改
GET  /checks, /checks/{id}, downloads     检查与通报
=======================================  ==============================================
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from monitor.app.web import api, auth, checks, filing, home, ledger, lifecycle, review
from monitor.app.web.core import (
    HERE,
    BadCsrf,
    NeedLogin,
    Refused,
    SecurityHeaders,
    error_page,
    redirect,
    templates,
)
from monitor.app.web.settings import WebSettings
from registry.errors import Conflict, GovmediaError, IllegalTransition

FONTS = Path(str(files("reports"))) / "fonts"  # shipped with the reports (package data)

ROUTES = [
    Route("/login", auth.login_page, methods=["GET"]),
    Route("/login", auth.login_post, methods=["POST"]),
    Route("/logout", auth.logout, methods=["POST"]),
    Route("/", home.home, methods=["GET"]),
    Route("/accounts", filing.account_list, methods=["GET"]),
    Route("/accounts", filing.file_post, methods=["POST"]),
    Route("/accounts/new", filing.new_account, methods=["GET"]),
    Route("/accounts/{account_id:int}", filing.account_page, methods=["GET"]),
    Route("/accounts/{account_id:int}/approve", filing.approve_post, methods=["POST"]),
    Route("/accounts/{account_id:int}/reject", filing.reject_post, methods=["POST"]),
    Route("/accounts/{account_id:int}/change", lifecycle.change_page, methods=["GET"]),
    Route("/accounts/{account_id:int}/change", lifecycle.change_post, methods=["POST"]),
    Route("/accounts/{account_id:int}/refile", lifecycle.refile_post, methods=["POST"]),
    *(
        Route(f"/accounts/{{account_id:int}}/{verb}", handler, methods=[method])
        for verb in lifecycle.ENDINGS
        for handler, method in ((lifecycle.confirm_page, "GET"), (lifecycle.end_post, "POST"))
    ),
    Route("/approvals", filing.approvals, methods=["GET"]),
    Route("/review", review.queue, methods=["GET"]),
    *(
        Route(f"/findings/{{finding_id:int}}/{verb}", review.decide_post, methods=["POST"])
        for verb in review.VERBS
    ),
    Route("/ledger", ledger.board, methods=["GET"]),
    Route("/ledger/{item_id:int}", ledger.item_page, methods=["GET"]),
    *(
        Route(f"/ledger/{{item_id:int}}/{verb}", ledger.step_post, methods=["POST"])
        for verb in ledger.ACTIONS
    ),
    Route("/checks", checks.runs_page, methods=["GET"]),
    Route("/checks/{run_id:int}", checks.run_page, methods=["GET"]),
    *(Route(f"/checks/{{run_id:int}}/report.{kind}", checks.run_report) for kind in ("html", "xlsx")),
    *(
        Route(f"/circulars/{{circular_id:int}}/circular.{kind}", checks.circular_file)
        for kind in checks.CIRCULAR
    ),
    Route("/circulars/{circular_id:int}/notices.zip", checks.notices_file, methods=["GET"]),
    Route("/api/accounts", api.accounts, methods=["GET"]),
    Route("/api/findings", api.findings, methods=["GET"]),
    Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"),
    # the Chinese font the reports ship (Noto Sans SC, GB 2312 subset): pages read on any machine
    Mount("/fonts", app=StaticFiles(directory=str(FONTS)), name="fonts"),
]


async def _need_login(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/api/"):
        return error_page(request, 401, "请先登录")
    return redirect("/login")


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refused)
    return error_page(request, exc.status, exc.decision.reason)


async def _bad_csrf(request: Request, exc: Exception) -> Response:
    return error_page(request, 403, "表单已失效（缺少或不匹配的安全令牌），请返回刷新页面后重新提交")


async def _domain(request: Request, exc: Exception) -> Response:
    """A typed error of the library: its Chinese line; 409 when the object's state changed."""
    assert isinstance(exc, GovmediaError)
    status = 409 if isinstance(exc, (Conflict, IllegalTransition)) else 400
    return error_page(request, status, exc.message)


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    messages = {404: "找不到该页面", 405: "不支持该请求方式"}
    return error_page(request, exc.status_code, messages.get(exc.status_code, "请求有误"))


def create_app(settings: WebSettings) -> Starlette:
    app = Starlette(
        routes=ROUTES,
        exception_handlers={
            NeedLogin: _need_login,
            Refused: _refused,
            BadCsrf: _bad_csrf,
            GovmediaError: _domain,
            HTTPException: _http,
        },
    )
    app.state.settings = settings
    app.state.templates = templates()
    app.add_middleware(SecurityHeaders)
    return app
