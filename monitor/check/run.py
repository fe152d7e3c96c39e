"""A check (检查): sample, gather facts, apply the rules, decide verdicts, store the run.

``run_check`` is the one library function behind ``govmedia check run``. The check time
``at`` (``--at``) is injected: an account is judged on the posts published up to ``at``,
so a past ``at`` reconstructs an earlier check from data gathered later. ``now`` (the time
the check runs, also injectable) decides collection freshness: collection time is when
data arrived, not ``at``.

Findings of mechanical rules are confirmed at once; judgement rules (serious_error,
sensitive_word, entertainment, commercial_ad) give candidates that count only once a person
confirms them (``govmedia finding confirm``). Inspectors' observations made in the window
become confirmed findings of their rule.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from monitor import profile as prof
from monitor.check import facts as F
from monitor.check import sampling
from monitor.rules import RULES, AccountFacts, Context
from monitor.similarity.lexicon import Matcher, ensure_starter
from monitor.similarity.originality import Analysis, cluster, find_relays, scan_and_index
from registry.checks import data as check_data
from registry.checks import inputs as check_lexicon
from registry.checks import store as checks
from registry.checks.models import RUN_KINDS
from registry.db import utcnow
from registry.errors import InvalidValue
from registry.timeutil import day_end, day_start, local_iso


@dataclass
class CheckOutcome:
    run_id: int
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def resolve_window(
    kind: str,
    profile: dict[str, Any],
    *,
    at: datetime | None,
    now: datetime,
    date_from: date | None,
    date_to: date | None,
) -> tuple[datetime, datetime, datetime]:
    """(at, window_from, window_to) from the options; ``at`` defaults to now, or to the end
    of ``--to`` when that is earlier."""
    if kind not in RUN_KINDS:
        raise InvalidValue("--kind", kind, "应为 " + "/".join(RUN_KINDS))
    if at is None:
        at = min(now, day_end(date_to)) if date_to else now
    window_to = min(day_end(date_to), at) if date_to else at
    if date_from:
        window_from = day_start(date_from)
    else:
        window_from = window_to - timedelta(days=float(profile["window_days"][kind]))
    if window_from >= window_to:
        raise InvalidValue("--from", local_iso(window_from), "检查窗口的起点应早于终点和监测时间点")
    return at, window_from, window_to


def _findings(
    facts: AccountFacts, ctx: Context, profile: dict[str, Any], observations: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    veto_days = prof.rule_config(profile, "no_update").get("days", 14)
    out = []
    for code, rule in RULES.items():
        cfg = prof.rule_config(profile, code)
        if not cfg["enabled"] or (rule.needs_collection and facts.collection != "collected"):
            continue
        level = cfg.get("level", rule.level)
        for evidence in rule.check(facts, ctx, {**cfg, "veto_days": veto_days}):
            out.append(
                {
                    "rule": code,
                    "level": level,
                    "status": "candidate" if rule.judgement else "confirmed",
                    "points": cfg.get("points") if level == "deduct" else None,
                    "evidence": evidence,
                    "observation_id": None,
                }
            )
    for obs in observations:
        cfg = prof.rule_config(profile, obs["rule"])
        out.append(
            {
                "rule": obs["rule"],
                "level": obs["level"],
                "status": "confirmed",
                "points": cfg.get("points") if obs["level"] == "deduct" else None,
                "observation_id": obs["id"],
                "evidence": {
                    "note": obs["note"],
                    "observed_at": local_iso(obs["observed_at"]),
                    "inspector": obs["actor"],
                },
            }
        )
    return out


def _relay_outcomes(
    releases: list[dict[str, Any]],
    sampled: dict[int, dict[str, Any]],
    posts_by_account: dict[int, list[Any]],
    matched: set[tuple[int, int]],
) -> dict[int, list[dict[str, Any]]]:
    """Per sampled account: each due key release, whether and when it was first relayed."""
    out: dict[int, list[dict[str, Any]]] = {}
    for release in releases:
        due_at = release["published_at"] + timedelta(hours=release["due_hours"])
        targets = set(release["unit_ids"])
        for aid, meta in sampled.items():
            if targets and meta["unit_id"] not in targets:
                continue
            relay = next((p for p in posts_by_account.get(aid, []) if (release["id"], p.id) in matched), None)
            out.setdefault(aid, []).append(
                {
                    "release_id": release["id"],
                    "title": release["title"],
                    "due_at": due_at,
                    "relayed_at": relay.published_at if relay else None,
                    "post": relay,
                    "on_time": bool(relay and relay.published_at <= due_at),
                }
            )
    return out


def _effective_rate(kind: str, rate: float | None, conf: dict[str, Any]) -> float | None:
    if kind == "monthly" or (kind == "adhoc" and rate is None):
        return None
    return float(conf["sampling"].get("rate", 0.2)) if rate is None else rate


def run_check(
    session: Session,
    *,
    kind: str,
    actor: str,
    at: datetime | None = None,
    now: datetime | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    sample_rate: float | None = None,
    seed: int | None = None,
    profile: str | None = None,
) -> CheckOutcome:
    """Run and store one check; return its id with the time spent per stage."""
    clock = time.perf_counter()
    timings: dict[str, float] = {}

    def tick(stage: str) -> None:
        nonlocal clock
        t = time.perf_counter()
        timings[stage] = round(t - clock, 3)
        clock = t

    now = now or utcnow()
    conf = prof.load(profile)
    if sample_rate is not None and not 0 <= sample_rate <= 1:
        raise InvalidValue("--sample-rate", sample_rate, "应在 0 到 1 之间")
    at, window_from, window_to = resolve_window(
        kind, conf, at=at, now=now, date_from=date_from, date_to=date_to
    )
    seed = int(at.timestamp()) if seed is None else seed
    accounts = check_data.load_accounts(session)
    info = {a["id"]: a for a in accounts}
    ended = set(check_data.ended_accounts_posting(session, until=at))
    if ended:
        for a in check_data.load_accounts(session, statuses=("closed", "cancelled")):
            if a["id"] in ended:
                info[a["id"]] = a
    rechecks = checks.previous_failures(session, before=at)
    chosen = sampling.draw(
        accounts,
        kind=kind,
        rate=sample_rate,
        seed=seed,
        rechecks=rechecks,
        full_classes=conf["sampling"].get("full_classes", []),
        default_rate=float(conf["sampling"].get("rate", 0.2)),
    )
    chosen.update({aid: "ended_posting" for aid in ended})
    tick("sample")

    span = float(prof.rule_config(conf, "shell_account").get("span_days", 90))
    last_posts = check_data.last_post_times(session, until=at)
    recent = check_data.post_counts(session, since=at - timedelta(days=span), until=at)
    snapshots = check_data.latest_snapshots(session, until=now)
    events = check_data.collection_events(session, until=now)
    posts = check_data.window_posts(session, since=window_from, until=window_to)
    observations = check_data.observations_between(session, since=window_from, until=at)
    tick("load")

    ensure_starter(session, actor=actor)
    analysis = Analysis()
    matcher = Matcher(check_lexicon.list_entries(session))
    scan_and_index(session, analysis, since=window_from, until=window_to, matcher=matcher)
    cluster(
        session,
        analysis,
        since=window_from,
        until=window_to,
        posts=posts,
        similarity=float(conf.get("similarity", 0.8)),
    )
    releases = [
        r
        for r in check_lexicon.list_releases(session, until=at)
        if window_from < r["published_at"] + timedelta(hours=r["due_hours"]) <= at
    ]
    find_relays(
        session,
        analysis,
        releases=releases,
        posts=posts,
        containment=float(conf.get("relay_containment", 0.8)),
    )
    timings.update({f"index.{k}": v for k, v in analysis.timings.items()})
    tick("originality")

    by_account = F.post_facts(posts, analysis)
    dups = F.duplicates(accounts)
    overlap = F.overlaps(posts, analysis, info)
    sampled = {aid: info[aid] for aid in chosen}
    relays = _relay_outcomes(releases, sampled, by_account, set(analysis.relay_similarity))
    obs_by: dict[int, list[dict[str, Any]]] = {}
    for o in observations:
        obs_by.setdefault(o["account_id"], []).append(o)
    ctx = Context(at=at, window_from=window_from, window_to=window_to)
    freshness = float(conf.get("freshness_days", 3))
    results, relay_rows = [], []
    for aid, reason in chosen.items():
        meta = info[aid]
        state = F.collection_state(events.get(aid), now=now, freshness_days=freshness)
        acct = F.account_facts(
            meta,
            collection=state,
            posts=by_account.get(aid, []),
            last_post_at=last_posts.get(aid),
            recent_posts=recent.get(aid, 0),
            snapshot=snapshots.get(aid),
            dups=dups.get(aid, []),
            overlap=overlap.get(aid),
        )
        acct.relays = relays.get(aid, [])
        found = _findings(acct, ctx, conf, obs_by.get(aid, []))
        verdict, score = checks.verdict_of(state, found, conf.get("scoring"))
        counted = [p for p in acct.posts if p.key_relay is None]
        original = sum(1 for p in counted if not (p.is_repost or p.copied))
        results.append(
            {
                "account_id": aid,
                "sample_reason": reason,
                "verdict": verdict,
                "score": score,
                "collection": state,
                "last_post_at": acct.last_post_at,
                "last_success_at": (events.get(aid) or {}).get("last_success"),
                "posts_in_window": len(acct.posts),
                "original_posts": original,
                "stats": {
                    "original_rate": round(original / len(counted), 4) if counted else None,
                    "overlap": round(acct.overlap, 4),
                    "key_relays": len(acct.posts) - len(counted),
                },
                "findings": found,
            }
        )
        for r in acct.relays:
            relay_rows.append(
                {
                    "release_id": r["release_id"],
                    "account_id": aid,
                    "post_id": r["post"].id if r["post"] else None,
                    "relayed_at": r["relayed_at"],
                    "on_time": r["on_time"],
                    "similarity": analysis.relay_similarity.get((r["release_id"], r["post"].id))
                    if r["post"]
                    else None,
                }
            )
    tick("rules")
    run_id = checks.store_run(
        session,
        run={
            "kind": kind,
            "at": at,
            "window_from": window_from,
            "window_to": window_to,
            "sample_rate": _effective_rate(kind, sample_rate, conf),
            "seed": seed,
            "profile": conf.get("name", "national"),
            "thresholds": conf,
            "actor": actor,
            "population": len(accounts),
            "started_at": now,
        },
        results=results,
        relays=relay_rows,
    )
    tick("store")
    counts = {"population": len(accounts), "sampled": len(results), "posts": len(posts), **analysis.counts}
    return CheckOutcome(run_id=run_id, timings=timings, counts=counts)
