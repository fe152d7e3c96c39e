"""A stored check as people and scripts read it: ``check show`` / ``check run`` JSON, the list
of runs, with the one pass-rate function (``monitor.figures``).

The run's JSON is the CLI contract::

    {run_id, kind, at, window: {from, to}, profile, seed, sample_rate, population, sampled,
     qualified, unqualified, uncollected, pass_rate, pass_rate_text,
     accounts: [{account_id, unit, platform, name, verdict, score, reason, sample_reason,
                 collection, last_post_at, posts_in_window, original_posts,
                 findings: [{id, rule, level, status, points, evidence, …}]}],
     relays: [{release_id, title, url, published_at, due_hours, due, relayed, on_time, rate,
               units: [{unit, due, relayed, on_time, rate}]}]}

Every verdict and count is the stored one (reviews included); nothing is judged again here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from monitor import figures
from registry.checks import queries
from registry.checks.queries import VERDICTS
from registry.timeutil import local_iso


def run_json(session: Session, run_id: int | str) -> dict[str, Any]:
    """The run as the CLI contract's JSON, reflecting every review made since the run."""
    run, rows = queries.run_results(session, run_id)
    counts = dict.fromkeys(VERDICTS, 0)
    for row in rows:
        counts[row["verdict"]] += 1
    return {**_head(run, counts, len(rows), [_shown(row) for row in rows]), "relays": relays(session, run.id)}


def run_overview(session: Session, run_id: int | str, *, listed: int) -> dict[str, Any]:
    """``run_json`` without the key releases and with at most ``listed`` accounts (the
    unqualified first, then the uncollected, then the qualified): what a terminal shows of a
    large check. The counts are the whole run's."""
    run = queries.get_run(session, run_id)
    counts = queries.verdict_counts(session, [run.id]).get(run.id, dict.fromkeys(VERDICTS, 0))
    ids = queries.failing_first(session, run.id, listed)
    _, rows = queries.run_results(session, run.id, account_ids=ids)
    place = {aid: n for n, aid in enumerate(ids)}
    rows.sort(key=lambda row: place[row["account_id"]])
    return _head(run, counts, sum(counts.values()), [_shown(row) for row in rows])


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in ("stats", "last_success_at")}


def _head(run: Any, counts: dict[str, int], sampled: int, accounts: list[dict[str, Any]]) -> dict[str, Any]:
    rate = figures.pass_rate(counts["qualified"], counts["unqualified"], figures.decimals_of(run.thresholds))
    return {
        "run_id": run.id,
        "kind": run.kind,
        "at": local_iso(run.at),
        "window": {"from": local_iso(run.window_from), "to": local_iso(run.window_to)},
        "profile": run.profile,
        "seed": run.seed,
        "sample_rate": run.sample_rate,
        "population": run.population,
        "sampled": sampled,
        **counts,
        "pass_rate": figures.as_number(rate),
        "pass_rate_text": figures.pct_text(rate),
        "accounts": accounts,
    }


def relays(session: Session, run_id: int) -> list[dict[str, Any]]:
    """Per key release of the run: accounts due, relayed, on time and the on-time rate."""
    out = queries.relay_counts(session, run_id)
    for release in out:
        release["rate"] = figures.as_number(figures.percent(release["on_time"], release["due"]))
        for unit in release["units"]:
            unit["rate"] = figures.as_number(figures.percent(unit["on_time"], unit["due"]))
    return out


def list_runs(session: Session) -> list[dict[str, Any]]:
    """Every run with its stored verdict counts and pass rate, newest first."""
    counts = queries.verdict_counts(session)
    rows = []
    for run in queries.all_runs(session):
        c = counts.get(run.id, dict.fromkeys(VERDICTS, 0))
        q, u, n = c["qualified"], c["unqualified"], c["uncollected"]
        rate = figures.pass_rate(q, u, figures.decimals_of(run.thresholds))
        rows.append(
            {
                "run_id": run.id,
                "kind": run.kind,
                "at": local_iso(run.at),
                "from": local_iso(run.window_from),
                "to": local_iso(run.window_to),
                "profile": run.profile,
                "sampled": q + u + n,
                "qualified": q,
                "unqualified": u,
                "uncollected": n,
                "pass_rate": figures.as_number(rate),
                "pass_rate_text": figures.pct_text(rate),
            }
        )
    return rows
