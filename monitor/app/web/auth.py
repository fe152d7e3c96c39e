"""Signing in and out (the stable contract of issue 13):

- ``GET /login``: the form, with the fields ``username``, ``password`` and a hidden
  ``csrf_token`` (also set as an HttpOnly cookie: the form must send both, equal);
- ``POST /login``: 303 to ``/`` with the session cookie, or the form again (200) with one
  Chinese message: the same message, in about the same time, for an unknown user and a
  wrong password; throttled per user name and per address (``registry.users.logins``);
- ``POST /logout`` (``csrf_token``): ends the session, 303 to ``/login``.
"""

from __future__ import annotations

import secrets

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from monitor.app.web.core import (
    COOKIE,
    LOGIN_CSRF,
    BadCsrf,
    client_address,
    redirect,
    render,
    set_cookie,
    settings_of,
    signed_in,
)
from registry.db import session_scope
from registry.users import logins

FIELD_LIMIT = 256


def login_form(request: Request, message: str = "", username: str = "", status: int = 200) -> Response:
    token = secrets.token_urlsafe(32)
    response = render(
        request, "login.html.j2", login_token=token, message=message, username=username, http_status=status
    )
    set_cookie(request, response, LOGIN_CSRF, token, max_age=3600)
    return response


def login_page(request: Request) -> Response:
    return login_form(request)


async def login_post(request: Request) -> Response:
    form = await request.form()
    given = str(form.get("csrf_token") or "")
    expected = request.cookies.get(LOGIN_CSRF) or ""
    if not given or not expected or not secrets.compare_digest(given.encode(), expected.encode()):
        raise BadCsrf()
    name = str(form.get("username") or "")[:FIELD_LIMIT]
    password = str(form.get("password") or "")[:FIELD_LIMIT]
    return await run_in_threadpool(_sign_in, request, name, password)


def _sign_in(request: Request, name: str, password: str) -> Response:
    settings = settings_of(request)
    address = client_address(request)
    with session_scope(settings.db) as s:
        outcome = logins.sign_in(s, name=name, password=password, address=address, throttle=settings.throttle)
        session_id = None
        if outcome.user is not None:
            session_id, _ = logins.open_session(
                s, outcome.user, hours=settings.session_hours, address=address
            )
    if session_id is None:
        return login_form(request, outcome.message, username=name)
    response = redirect("/")
    set_cookie(request, response, COOKIE, session_id, max_age=int(settings.session_hours * 3600))
    response.delete_cookie(LOGIN_CSRF, path="/")
    return response


async def logout(request: Request) -> Response:
    form = await request.form()
    return await run_in_threadpool(_logout, request, dict(form))


def _logout(request: Request, form: dict[str, object]) -> Response:
    with signed_in(request) as ctx:
        ctx.check_csrf(form)
        logins.close_session(ctx.session, request.cookies.get(COOKIE))
    response = redirect("/login")
    response.delete_cookie(COOKIE, path="/")
    return response
