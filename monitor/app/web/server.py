"""Serving the workbench with uvicorn (``govmedia web``, ``govmedia demo --web``).

uvicorn never rewrites the scheme or the client address from proxy headers itself
(``proxy_headers=False``): the application honours ``X-Forwarded-Proto``/``-For`` only from the
configured proxy addresses (``monitor.app.web.core``). The access log names the method, the
path and the status, never a cookie or a form field.
"""

from __future__ import annotations

from monitor.app.web.settings import WebSettings


def serve(settings: WebSettings, *, host: str = "127.0.0.1", port: int = 8000) -> None:
    import uvicorn

    from monitor.app.web.app import create_app

    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        proxy_headers=False,
        server_header=False,
        log_level="info",
    )
