"""What every page of the workbench shares: the signed-in user and its scope, one unit of work
per request, CSRF checks, the security headers, rendering and the error answers.

- **Who**: the session cookie (``govmedia_session``, HttpOnly, SameSite=Lax, Secure over
  HTTPS) names a ``web_sessions`` row; ``signed_in`` opens the request's unit of work, finds
  the user and builds its ``Scope`` (role and jurisdiction). No cookie or an expired one
  sends a page to ``/login`` (303) and an API call to 401.
- **Authorisation** is per object, on the server: ``Ctx.require(action, unit_id)`` answers
  404 outside the jurisdiction (as if the object did not exist) and 403 with the Chinese
  reason when the role or level may not.
- **CSRF**: every form carries ``csrf_token``, compared in constant time with the session's
  (the sign-in form: with a cookie set when the form was shown).
- **Headers**: a Content-Security-Policy with no inline script (``default-src 'self'``),
  ``X-Content-Type-Options``, ``X-Frame-Options``/``frame-ancestors``, ``Referrer-Policy``,
  no caching of pages (HSTS is the HTTPS proxy's to send).
- HTTPS and the client's address come from ``X-Forwarded-Proto``/``-For`` only when the
  request comes from a configured proxy (``[web] trust_proxy``, ``proxy_addresses``).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from monitor.app.web.settings import WebSettings
from registry.db import session_scope
from registry.users import logins
from registry.users.access import Decision, UnitTree, decide
from registry.users.access import Scope as UserScope
from registry.users.queries import user_scope

COOKIE = "govmedia_session"
LOGIN_CSRF = "govmedia_login_csrf"
HERE = Path(__file__).parent
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


class NeedLogin(Exception):
    """No valid session: a page goes to /login, an API call answers 401."""


class Refused(Exception):
    """An action the user may not take: 404 (hidden) or 403 with the reason."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(decision.reason)
        self.decision = decision

    @property
    def status(self) -> int:
        return 404 if self.decision.hidden else 403


class BadCsrf(Exception):
    """A form without its CSRF token, or with another session's."""


def templates() -> Environment:
    from registry.timeutil import local_text

    env = Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=select_autoescape(["html", "j2", "svg"], default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    env.filters["local"] = local_text
    env.globals["label"] = _label
    return env


def _label(vocabulary: str, code: Any) -> str:
    """The one Chinese label of a code (``label("platform", "weibo")`` → 新浪微博)."""
    from registry.vocab import ALL

    return ALL[vocabulary].label(None if code is None else str(code))


def _when(value: Any) -> str:
    """An ISO time (or a datetime) as 2026-12-01 14:06, Beijing time."""
    from monitor.app.cli.output import shown

    return shown(value) if value is not None else ""


@dataclass
class Ctx:
    """One signed-in request: its unit of work, the user, its scope and the unit tree."""

    request: Request
    session: Session
    signed: logins.Signed
    scope: UserScope
    tree: UnitTree
    settings: WebSettings

    @property
    def csrf(self) -> str:
        return self.signed.csrf_token

    def decide(self, action: str, unit_id: int | None) -> Decision:
        return decide(
            self.scope, action, unit_id, tree=self.tree, approval_level=self.settings.approval_level
        )

    def require(self, action: str, unit_id: int | None) -> None:
        """Refuse (404 outside the jurisdiction, 403 otherwise) unless the user may."""
        decision = self.decide(action, unit_id)
        if not decision.allowed:
            raise Refused(decision)

    def check_csrf(self, form: Mapping[str, Any]) -> None:
        given = str(form.get("csrf_token") or "")
        if not given or not secrets.compare_digest(given.encode(), self.csrf.encode()):
            raise BadCsrf()


def settings_of(request: Request) -> WebSettings:
    return request.app.state.settings


@contextmanager
def signed_in(request: Request) -> Iterator[Ctx]:
    """The request's unit of work with its signed-in user (NeedLogin without one); everything
    written in it is committed together or not at all."""
    settings = settings_of(request)
    with session_scope(settings.db) as s:
        signed = logins.current(s, request.cookies.get(COOKIE))
        if signed is None:
            raise NeedLogin()
        tree = UnitTree.load(s)
        yield Ctx(request, s, signed, user_scope(s, signed.user, tree), tree, settings)


def render(
    request: Request, name: str, ctx: Ctx | None = None, *, http_status: int = 200, **values: Any
) -> Response:
    env: Environment = request.app.state.templates
    page = env.get_template(name).render(
        user=ctx.scope if ctx else None, csrf_token=ctx.csrf if ctx else "", path=request.url.path, **values
    )
    return HTMLResponse(page, status_code=http_status)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def json_response(rows: Any) -> Response:
    """JSON exactly as the CLI's ``--format json`` writes it (codes, ISO times, str() for the rest)."""
    body = json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n"
    return Response(body, media_type="application/json; charset=utf-8")


def from_proxy(request: Request) -> bool:
    settings = settings_of(request)
    peer = request.client.host if request.client else ""
    return settings.trust_proxy and peer in settings.proxy_addresses


def is_https(request: Request) -> bool:
    if from_proxy(request):
        proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
        if proto:
            return proto == "https"
    return request.url.scheme == "https"


def client_address(request: Request) -> str:
    if from_proxy(request):
        forwarded = request.headers.get("x-forwarded-for", "").split(",")[0].strip()
        if forwarded:
            return forwarded[:64]
    return (request.client.host if request.client else "unknown")[:64]


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/", httponly=True, samesite="lax", secure=is_https(request)
    )


class SecurityHeaders:
    """Adds the security headers to every response (pages, API, static files, errors)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                ]
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def error_page(request: Request, status: int, message: str) -> Response:
    titles = {400: "请求有误", 401: "请先登录", 403: "无权操作", 404: "找不到页面", 409: "操作冲突"}
    if request.url.path.startswith("/api/"):
        return Response(
            json.dumps({"error": message}, ensure_ascii=False),
            status_code=status,
            media_type="application/json; charset=utf-8",
        )
    env: Environment = request.app.state.templates
    page = env.get_template("error.html.j2").render(
        user=None, csrf_token="", path=request.url.path, title=titles.get(status, "出错了"), message=message
    )
    return HTMLResponse(page, status_code=status)
