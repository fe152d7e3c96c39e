"""The search subprocess: ``python -m spiders.search.run --run-id ID --queries 1,2,3``.

Twisted's reactor cannot be restarted, so every search run has a fresh process, like the
crawl (``spiders.run``). Settings come from the environment
(``spiders.search.settings.search_settings_from_env``); each stored query is printed on stdout
as a JSON line, then ``{"event": "done", "stats": {...}}``; Scrapy's log goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def search(query_ids: list[int], *, run_id: str) -> dict[str, Any]:
    """Run the search spider in this process (once per process); return Scrapy's stats."""
    import os

    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from spiders import settings as project
    from spiders.outcomes import register_secrets
    from spiders.run import _redact_logs
    from spiders.search.settings import search_settings_from_env
    from spiders.search.spider import SearchSpider

    register_secrets(project.secrets_of(os.environ))
    settings = Settings()
    settings.setmodule(project, priority="project")
    settings.update(search_settings_from_env(), priority="cmdline")
    settings.set("GOVMEDIA_SEARCH_RUN_ID", run_id, priority="cmdline")
    settings.set("GOVMEDIA_PROGRESS", True, priority="cmdline")
    settings.set("LOG_INSTALL_ROOT_HANDLER", True, priority="cmdline")
    process = CrawlerProcess(settings)
    _redact_logs()
    crawler = process.create_crawler(SearchSpider)
    process.crawl(crawler, query_ids=query_ids)
    process.start()
    return dict(crawler.stats.get_stats()) if crawler.stats else {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spiders.search.run")
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--queries", required=True, help="comma-separated query ids")
    args = parser.parse_args(argv)
    ids = [int(x) for x in args.queries.split(",") if x.strip()]
    stats = search(ids, run_id=args.run_id)
    summary = {k: v for k, v in stats.items() if isinstance(v, (int, float, str))}
    sys.stdout.write(json.dumps({"event": "done", "stats": summary}, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
