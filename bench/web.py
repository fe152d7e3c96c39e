"""Benchmark: every page of the web workbench on the provincial registry.

Builds the provincial registry of ``bench/check.py`` (``--accounts 5000 --posts 100000`` by
default, with its generators, imported), indexes it and runs a monthly check (findings and
candidates), then arranges its units under a province and 14 cities, files a few hundred
pending filings, opens ledger items for the confirmed problems and adds a user of each role.
It then times each page's **server time** (from the request entering the application to the
last byte of its answer, measured in-process around the ASGI application) as the province's
supervisor (the whole registry, the worst case), as a city's users and as a county's filer
(with the life cycle's pages: the change form, the close confirmation and a rejected filing
with its reason, for the users who may take those steps), the median of
``--repeat`` requests, and prints the figures against the target of 300 ms for every page
(paginated lists). The JSON API (``/api/accounts``, ``/api/findings``) answers the whole
jurisdiction unpaginated, exactly as the CLI's ``--format json``: its figures are printed
beside the pages, not held to the page target.

    .venv/bin/python bench/web.py                       # SQLite in a temporary folder
    .venv/bin/python bench/web.py --db postgresql://postgres@127.0.0.1/bench_web
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, update

from bench.check import AT, NOW, WINDOW, generate
from monitor.app.web.app import create_app
from monitor.app.web.settings import WebSettings
from monitor.check.run import run_check
from monitor.similarity.index import index_new_posts
from monitor.similarity.lexicon import ensure_starter
from registry import db
from registry.checks.models import CheckResult, Finding
from registry.checks.queries import list_findings
from registry.filing import accounts as filing
from registry.filing.models import Account, Unit
from registry.ledger import store as ledger
from registry.ledger.models import LedgerItem
from registry.users.store import add_user

TARGET_MS = 300
PASSWORD = "bench-password-1"
CITIES = 14


def arrange(url: str) -> tuple[int, int]:
    """Put the generated (flat) units under a province and 14 cities; return (province, city)."""
    with db.session_scope(url) as s:
        ids = list(s.scalars(select(Unit.id).order_by(Unit.id)))
        root = Unit(name="甘肃省人民政府（基准）", level="province", kind="government", region_code="620000")
        s.add(root)
        s.flush()
        cities = []
        for n in range(CITIES):
            city = Unit(
                name=f"第{n + 1}市人民政府", level="city", kind="government", region_code=f"62{n + 1:02d}00",
                parent_id=root.id,
            )  # fmt: skip
            s.add(city)
            s.flush()
            cities.append(city.id)
        for i, uid in enumerate(ids):  # bench-only arrangement of generated units
            s.execute(update(Unit).where(Unit.id == uid).values(parent_id=cities[i % CITIES]))
        return root.id, cities[0]


def candidates(url: str, n: int = 2000) -> int:
    """An adhoc run whose results carry a candidate finding each (a post with a lexicon hit),
    so the review queue has work: the generated corpus matches no lexicon entry."""
    from registry.checks import store as checks
    from registry.collection.models import Post

    with db.session_scope(url) as s:
        posts = list(s.execute(select(Post.id, Post.account_id, Post.title, Post.url).limit(n * 3)))
        chosen = {}
        for post in posts:
            chosen.setdefault(post.account_id, post)
        results = [
            {"account_id": p.account_id, "sample_reason": "sampled", "verdict": "qualified", "score": None,
             "collection": "collected", "last_post_at": None, "last_success_at": None, "posts_in_window": 1,
             "original_posts": 1, "stats": {},
             "findings": [{"rule": "serious_error", "level": "veto", "status": "candidate", "points": None,
                           "evidence": {"posts": [{"post_id": p.id, "title": p.title, "url": p.url}],
                                        "post_ids": [p.id], "note": "基准：待复核",
                                        "matches": [{"phrase": "的", "kind": "serious", "post_id": p.id}]}}]}
            for p in list(chosen.values())[:n]
        ]  # fmt: skip
        run = {"kind": "adhoc", "at": NOW, "window_from": AT - WINDOW, "window_to": AT, "sample_rate": None,
               "seed": 1, "profile": "national", "thresholds": {}, "actor": "bench",
               "population": len(results)}  # fmt: skip
        checks.store_run(s, run=run, results=results)
    return len(results)


def populate(url: str, province: int, city: int) -> dict[str, Any]:
    with db.session_scope(url) as s:
        for name, unit, role in (
            ("省监管", province, "supervisor"),
            ("省复核", province, "reviewer"),
            ("市监管", city, "supervisor"),
            ("市复核", city, "reviewer"),
            ("市只读", city, "readonly"),
        ):
            add_user(s, name=name, unit=str(unit), role=role, password=PASSWORD, actor="bench")
        units = list(s.scalars(select(Unit.id).where(Unit.parent_id == city).limit(50)))
        pending = [
            filing.file_account(
                s, unit=str(units[i % len(units)]), platform="weibo", name=f"待审核{i}",
                platform_id=str(90_000_000 + i), reason="基准", actor="bench",
            ).id
            for i in range(300)
        ]  # fmt: skip
        # a county's filer whose unit has filings sent back to it (被驳回的报备 on its home page)
        add_user(s, name="县填报", unit=str(units[0]), role="filer", password=PASSWORD, actor="bench")
        for account_id in pending[:: len(units)][:3]:
            filing.reject(s, account_id, reason="基准：请补充负责人", actor="市监管")
        confirmed = list_findings(s, status="confirmed")
        problems = [
            {"account_id": f["account_id"], "rule": f["rule"], "level": f["level"], "finding_ids": [f["id"]],
             "description": "基准问题"}
            for f in confirmed
        ]  # fmt: skip
        circular, opened = ledger.save_circular(
            s, title="基准通报", doc_no=None, window_from=date(2026, 10, 1), window_to=date(2026, 11, 30),
            deadline=date(2026, 12, 31), figures={}, problems=problems, actor="bench",
        )  # fmt: skip
    return {"pending": pending, "items": opened, "circular": circular.id}


class Timed:
    """An ASGI wrapper recording the server time of each request."""

    def __init__(self, app: Any) -> None:
        self.app, self.last = app, 0.0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            self.last = time.perf_counter() - started


def sequences(url: str) -> None:
    """The generator gives units, accounts and posts explicit ids: on PostgreSQL move their
    sequences past them, so that the rows added next get new ids."""
    if not url.startswith("postgresql"):
        return
    from sqlalchemy import text

    with db.session_scope(url) as s:
        for table in ("units", "accounts", "posts"):
            s.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            )


def built(url: str) -> bool:
    from registry.users.models import User

    with db.session_scope(url) as s:
        return s.scalar(select(User.id).where(User.name == "省监管")) is not None


def build(url: str, args: Any) -> None:
    generate(url, args.accounts, args.posts, args.seed)
    with db.session_scope(url) as s:
        ensure_starter(s, actor="bench")
        index_new_posts(s, actor="bench")  # the index built as posts arrive, with the starter lexicon
    with db.session_scope(url) as s:
        run_check(s, kind="monthly", actor="bench", at=AT, now=NOW, seed=1)
    sequences(url)
    candidates(url)
    province, city = arrange(url)
    populate(url, province, city)


# the life cycle's pages: the change form, the close confirmation, a rejected filing's page
STEPS = ["/accounts/{active}/change", "/accounts/{active}/close", "/accounts/{rejected}"]


def _first(web: Any, status: str) -> int | None:
    rows = web.get(f"/api/accounts?status={status}").json()
    return rows[0]["id"] if rows else None


def measure(url: str, repeat: int) -> list[tuple[str, str, float, int]]:
    from starlette.testclient import TestClient

    timed = Timed(create_app(WebSettings(db=url)))
    rows = []
    with db.session_scope(url) as s:
        run_id = s.scalar(select(CheckResult.run_id).limit(1))
    pages = [
        "/", "/accounts", "/accounts?page=50", "/accounts?search=账号00012", "/accounts?status=pending",
        "/accounts/{pending}", "/accounts/{active}", "/approvals", "/review", "/ledger",
        "/ledger?page=5",
        "/ledger/{item}", "/checks", f"/checks/{run_id}",
        f"/checks/{run_id}?page=20", "/api/accounts", "/api/findings?status=candidate",
    ]  # fmt: skip
    for user in ("省监管", "市监管", "市复核", "县填报"):
        web = TestClient(timed, base_url="http://bench")
        token = web.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
        web.post("/login", data={"username": user, "password": PASSWORD, "csrf_token": token})
        mine = {status: _first(web, status) for status in ("active", "pending", "rejected")}
        ledger_page = web.get("/ledger").text
        mine["item"] = (
            ledger_page.split('href="/ledger/')[1].split('"')[0] if 'href="/ledger/' in ledger_page else ""
        )
        wanted = pages + (STEPS if user != "市复核" else [])  # the steps' forms: for those who may
        for template in wanted:
            if any(mine[key] in ("", None) for key in mine if "{" + key + "}" in template):
                continue  # nothing of that kind in this user's jurisdiction
            path = template.format(**mine) if "{" in template else template
            times, status = [], 0
            for _ in range(repeat):
                status = web.get(path).status_code
                times.append(timed.last)
            rows.append((user, path, statistics.median(times) * 1000, status))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=5000)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", help="SQLite file or URL (default: a temporary file)")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="govmedia-bench-web-")
    url = db.resolve_url(args.db or str(Path(tmp.name) / "bench.db"))
    db.upgrade(url)
    started = time.perf_counter()
    if not built(url):  # an existing bench database given with --db is measured again as it is
        build(url, args)
        print(f"registry built in {time.perf_counter() - started:.0f} s ({url.split(':')[0]})")
    with db.session_scope(url) as s:
        status = s.execute(select(Account.status, func.count()).group_by(Account.status)).all()
        items = s.scalar(select(func.count(LedgerItem.id)))
        candidates_n = s.scalar(select(func.count(Finding.id)).where(Finding.status == "candidate"))
    print(f"registry: accounts {dict(status)}, ledger items {items}, candidate findings {candidates_n}")
    rows = measure(url, args.repeat)
    width = max(len(p) for _, p, _, _ in rows)
    print(f"{'user':6} {'page':{width}} {'server ms':>10} status")
    worst = 0.0
    for user, path, ms, status in rows:
        page = not path.startswith("/api/")
        if page:
            worst = max(worst, ms)
        flag = "" if ms < TARGET_MS or not page else "  <-- over target"
        flag = flag if status == 200 else "  <-- error"
        print(f"{user:6} {path:{width}} {ms:10.1f} {status}{flag}")
    api = max(ms for _, path, ms, _ in rows if path.startswith("/api/"))
    verdict = "PASS" if worst < TARGET_MS else "FAIL"
    print(f"slowest page: {worst:.1f} ms (target < {TARGET_MS} ms): {verdict}")
    print(
        f"slowest JSON API (the whole jurisdiction, unpaginated like the CLI's --format json): {api:.1f} ms"
    )


if __name__ == "__main__":
    main()
