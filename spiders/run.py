"""The crawl subprocess: ``python -m spiders.run --crawl-id ID --accounts 1,2,3``.

Twisted's reactor cannot be restarted, so every crawl runs Scrapy in a fresh process.
Settings come from the environment (``spiders.settings.settings_from_env``); progress is
printed on stdout as JSON lines (``{"event": "account", ...}`` per stored account, then
``{"event": "done", "stats": {...}}``); Scrapy's own log goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from typing import Any


def crawl(
    account_ids: list[int], *, crawl_id: str | None, extra: dict[str, Any] | None = None, store: bool = True
) -> dict[str, Any]:
    """Run the accounts spider in this process (once per process); return Scrapy's stats."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from spiders import settings as project
    from spiders.outcomes import register_secrets
    from spiders.settings import secrets_of, settings_from_env
    from spiders.spiders.accounts import AccountsSpider

    register_secrets(secrets_of(os.environ))

    settings = Settings()
    settings.setmodule(project, priority="project")
    settings.update(settings_from_env(), priority="cmdline")
    settings.set("GOVMEDIA_CRAWL_ID", crawl_id, priority="cmdline")
    if not store:
        settings.set("GOVMEDIA_STORE", False, priority="cmdline")
    for key, value in (extra or {}).items():
        settings.set(key, value, priority="cmdline")
    settings.set("LOG_INSTALL_ROOT_HANDLER", True, priority="cmdline")
    process = CrawlerProcess(settings)
    _redact_logs()
    crawler = process.create_crawler(AccountsSpider)
    process.crawl(crawler, account_ids=account_ids)
    process.start()
    return dict(crawler.stats.get_stats()) if crawler.stats else {}


class _RedactFilter(logging.Filter):
    """Keeps tokens and cookies (e.g. the MP backend ``token=`` in URLs) out of the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        from spiders.outcomes import redact

        record.msg = redact(record.getMessage())
        record.args = None
        return True


def _redact_logs() -> None:
    for handler in logging.getLogger().handlers:
        handler.addFilter(_RedactFilter())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spiders.run")
    parser.add_argument("--crawl-id", required=True)
    parser.add_argument("--accounts", required=True, help="comma-separated account ids")
    parser.add_argument("--no-store", action="store_true", help="bare crawl: report outcomes, store nothing")
    args = parser.parse_args(argv)
    ids = [int(x) for x in args.accounts.split(",") if x.strip()]
    stats = crawl(ids, crawl_id=args.crawl_id, extra={"GOVMEDIA_PROGRESS": True}, store=not args.no_store)
    summary = {k: v for k, v in stats.items() if isinstance(v, (int, float, str))}
    for key in ("start_time", "finish_time"):
        if key in stats:
            summary[key] = str(stats[key])
    sys.stdout.write(json.dumps({"event": "done", "stats": summary}, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
