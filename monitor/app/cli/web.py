"""``govmedia web``: serve the web workbench over the same database."""

from __future__ import annotations

from typing import Annotated

import typer

from monitor.app.cli import params
from monitor.app.cli.output import STATE, say


def web(
    host: Annotated[
        str | None,
        typer.Option(
            "--host", parser=params.line("--host"), help="监听地址，默认 127.0.0.1（或配置 [web] host）。"
        ),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            "--port", parser=params.whole("--port", 1, 65535), help="端口，默认 8000（或配置 [web] port）。"
        ),
    ] = None,
) -> None:
    """启动网页工作台（各单位填报、上级审核、人工复核、整改台账、检查与通报），Ctrl-C 停止。用户用 govmedia user add 新增。"""
    from monitor.app.config import load_config, web_settings
    from monitor.app.web.server import serve
    from registry.db import ensure_current, get_engine

    config = load_config(STATE.config).require_valid()
    settings = web_settings(config, STATE.db)
    ensure_current(get_engine(STATE.db))  # a missing or old database is one Chinese line, not a page error
    host = host or config.get("web", "host")
    port = port or config.get("web", "port")
    say(f"网页工作台：http://{host}:{port}/ （Ctrl-C 停止）")
    serve(settings, host=host, port=port)
