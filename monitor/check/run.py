"""A check (检查): sample, gather facts, apply the rules, decide verdicts, store the run.

``run_check`` is the one library function behind ``govmedia check run``. The check time
``at`` (``--at``) is injected: an account is judged on the posts published up to ``at``,
so a past ``at`` reconstructs an earlier check from data gathered later, over the registry as
it stood at ``at`` (``registry.filing.history``: the accounts in service then, with their
unit, name and level then). ``now`` (the time the check runs, also injectable) bounds the
collections read: collection time is when data arrived, not ``at``.

Findings of mechanical rules are confirmed at once; judgement rules (serious_error,
sensitive_word, entertainment, commercial_ad) give candidates that count only once a person
confirms them (``govmedia finding confirm``). Inspectors' observations made in the window
become confirmed findings of their rule. Each account's verdict, its reason, its score and
the figures behind them are stored with the run; everything downstream reads them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from monitor import profile as prof
from monitor.check import facts as F
from monitor.check import judge, sampling
from monitor.check.collection import collection_state
from monitor.check.period import resolve_window
from monitor.rules import RULES, Context
from monitor.similarity.index import Lexicon
from monitor.similarity.originality import Analysis, CopyRule, cluster, find_relays, prepare_window
from registry.checks import data as check_data
from registry.checks import inputs as check_inputs
from registry.checks import queries as check_queries
from registry.checks import reviews as check_reviews
from registry.checks import store as check_store
from registry.collection.activity import Activity, LastPost, collection_activity, last_posts
from registry.db import utcnow
from registry.errors import InvalidValue


@dataclass
class CheckOutcome:
    run_id: int
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class Plan:
    """What is checked: kind, times, profile, the registry and the sample."""

    kind: str
    at: datetime
    now: datetime
    window_from: datetime
    window_to: datetime
    seed: int
    sample_rate: float | None
    profile: dict[str, Any]
    accounts: list[dict[str, Any]]
    info: dict[int, dict[str, Any]]
    chosen: dict[int, str]


@dataclass
class Loaded:
    """What the check reads about the registry, up to the check time."""

    last_posts: dict[int, LastPost]
    recent: dict[int, int]
    snapshots: dict[int, dict[str, Any]]
    activity: dict[int, Activity]
    posts: check_data.WindowPosts
    observations: dict[int, list[dict[str, Any]]]
    decisions: dict[tuple[int, int], str] = field(default_factory=dict)
    prior: F.PriorReviews = field(default_factory=lambda: F.PriorReviews({}, {}))


JUDGEMENT_RULES = tuple(code for code, r in RULES.items() if r.judgement)


class _Clock:
    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.timings: dict[str, float] = {}

    def tick(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = round(self.timings.get(stage, 0.0) + now - self.last, 3)
        self.last = now


def plan_check(
    session: Session,
    *,
    kind: str,
    at: datetime | None,
    now: datetime,
    date_from: date | None,
    date_to: date | None,
    sample_rate: float | None,
    seed: int | None,
    profile: str | None,
    month: str | None = None,
    week: str | None = None,
) -> Plan:
    """Resolve the options, rebuild the registry at the check time and draw the sample
    (reproducible from the seed)."""
    conf = prof.load(profile)
    if sample_rate is not None and not 0 <= sample_rate <= 1:
        raise InvalidValue("--sample-rate", sample_rate, "应在 0 到 1 之间")
    at, window_from, window_to = resolve_window(
        kind, conf, at=at, now=now, date_from=date_from, date_to=date_to, month=month, week=week
    )
    seed = int(at.timestamp()) if seed is None else seed
    registry = check_data.accounts_at(session, at=at)
    accounts = registry.in_service
    info = {a["id"]: a for a in accounts}
    ended = check_data.posted_after_ending(session, registry.ended, until=at)
    info.update({aid: registry.ended[aid] for aid in ended})
    chosen = sampling.draw(
        accounts,
        kind=kind,
        rate=sample_rate,
        seed=seed,
        rechecks=check_queries.previous_failures(session, before=at),
        full_classes=conf["sampling"].get("full_classes", []),
        default_rate=float(conf["sampling"].get("rate", 0.2)),
    )
    chosen.update({aid: "ended_posting" for aid in ended})
    rate = None if kind == "monthly" or (kind == "adhoc" and sample_rate is None) else sample_rate
    if rate is None and kind == "weekly":
        rate = float(conf["sampling"].get("rate", 0.2))
    return Plan(kind, at, now, window_from, window_to, seed, rate, conf, accounts, info, chosen)


def load(session: Session, plan: Plan) -> Loaded:
    span = float(prof.rule_config(plan.profile, "shell_account").get("span_days", 90))
    observations: dict[int, list[dict[str, Any]]] = {}
    for o in check_data.observations_between(session, since=plan.window_from, until=plan.at):
        observations.setdefault(o["account_id"], []).append(o)
    return Loaded(
        last_posts=last_posts(session, until=plan.at),
        recent=check_data.post_counts(session, since=plan.at - timedelta(days=span), until=plan.at),
        snapshots=check_data.latest_snapshots(session, until=plan.now),
        activity=collection_activity(session, until=plan.now),
        posts=check_data.window_posts(session, since=plan.window_from, until=plan.window_to),
        observations=observations,
        decisions=check_reviews.duplicate_decisions(session),
        prior=F.prior_reviews(
            check_reviews.judgement_history(session, rules=JUDGEMENT_RULES, account_ids=list(plan.chosen))
        ),
    )


def analyse(
    session: Session, plan: Plan, data: Loaded, *, actor: str
) -> tuple[Analysis, list[dict[str, Any]]]:
    """Lexicon hits, near-duplicate clusters and key-release relays of the window's posts."""
    analysis = Analysis()
    since, until = plan.window_from, plan.window_to
    window = prepare_window(
        session,
        analysis,
        since=since,
        until=until,
        post_ids=data.posts.ids,
        lexicon=Lexicon.current(session, actor=actor),
    )
    similarity = float(plan.profile.get("similarity", 0.8))
    cluster(
        session,
        analysis,
        since=since,
        until=until,
        posts=data.posts,
        similarity=similarity,
        rule=copy_rule(plan),
        window=window,
    )
    releases = [
        r
        for r in check_inputs.list_releases(session, until=plan.at)
        if since < r["published_at"] + timedelta(hours=r["due_hours"]) <= plan.at
    ]
    containment = float(plan.profile.get("relay_containment", 0.8))
    find_relays(
        session, analysis, releases=releases, posts=data.posts, containment=containment, window=window
    )
    return analysis, releases


def copy_rule(plan: Plan) -> CopyRule:
    """The near-duplicate rule of the profile (``similarity``, ``copy_containment``,
    ``copy_min_chars``, ``short_post_chars``, ``[rules.low_originality] own_unit_is_original``)."""
    conf = plan.profile
    containment = conf.get("copy_containment")
    own = bool(prof.rule_config(conf, "low_originality").get("own_unit_is_original", False))
    return CopyRule(
        similarity=float(conf.get("similarity", 0.8)),
        containment=float(containment) if containment is not None else None,
        min_chars=int(conf.get("copy_min_chars", 20)),
        short_chars=int(conf.get("short_post_chars", 0)),
        owners={aid: meta["unit_id"] for aid, meta in plan.info.items()} if own else None,
    )


JUDGE_BATCH = 20_000  # accounts judged, then stored, at a time (a national check holds no more)


@dataclass
class Judging:
    """Everything judging an account reads, prepared once for the whole sample."""

    plan: Plan
    data: Loaded
    analysis: Analysis
    rows_of: dict[int, Any]
    dups: dict[int, list[int]]
    overlap: dict[int, Any]
    duties: judge.RelayDuties
    ctx: Context
    freshness: float
    rules: Any


def judge_sample(
    plan: Plan, data: Loaded, analysis: Analysis, releases: list[dict[str, Any]]
) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """One stored result per sampled account, and the relay matches, ``JUDGE_BATCH`` accounts
    at a time, in the sample's order. (Judging in worker processes was measured: they need
    the whole check's data, and the parent, which stores, stays the bottleneck; a national
    check needed 5.3 GB for 5 s less.)"""
    judging = Judging(
        plan=plan,
        data=data,
        analysis=analysis,
        rows_of=F.rows_by_account(data.posts),
        dups=F.duplicates(plan.accounts),
        overlap=F.overlaps(data.posts, analysis, plan.info),
        duties=judge.RelayDuties(releases, set(analysis.relay_similarity)),
        ctx=Context(at=plan.at, window_from=plan.window_from, window_to=plan.window_to),
        freshness=float(plan.profile.get("freshness_days", 3)),
        rules=judge.profile_rules(plan.profile),
    )
    chosen = list(plan.chosen.items())
    for start in range(0, max(len(chosen), 1), JUDGE_BATCH):
        yield _judge_batch(judging, chosen[start : start + JUDGE_BATCH])


def _judge_batch(
    j: Judging, batch: list[tuple[int, str]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The result rows and relay matches of a batch of sampled accounts."""
    plan, data, analysis = j.plan, j.data, j.analysis
    results: list[dict[str, Any]] = []
    relay_rows: list[dict[str, Any]] = []
    for aid, reason in batch:
        activity = data.activity.get(aid)
        posts = F.post_facts(data.posts, j.rows_of.get(aid, ()), analysis)
        facts = F.account_facts(
            plan.info[aid],
            collection=collection_state(activity, at=plan.at, freshness_days=j.freshness),
            posts=data.prior.without_dismissed(aid, posts),
            last_post=data.last_posts.get(aid),
            recent_posts=data.recent.get(aid, 0),
            snapshot=data.snapshots.get(aid),
            dups=j.dups.get(aid, []),
            overlap=j.overlap.get(aid),
        )
        facts.duplicate_pairs = F.duplicate_pairs(facts, plan.info, data.decisions)
        if facts.collection == "collected":
            facts.relays = j.duties.of(plan.info[aid], posts)
        found = judge.findings(
            facts, j.ctx, plan.profile, data.observations.get(aid, []), prior=data.prior, rules=j.rules
        )
        results.append(
            judge.result_row(
                facts,
                reason=reason,
                found=found,
                scoring=plan.profile.get("scoring"),
                last_success=activity.last_success if activity else None,
            )
        )
        relay_rows += judge.relay_rows(facts, analysis.relay_similarity)
    return results, relay_rows


def add_links(session: Session, results: list[dict[str, Any]]) -> None:
    """The title and link of every post the evidence names, read for those posts only."""
    named = F.evidence_posts(results)
    links = check_data.post_links(session, [p["post_id"] for p in named])
    for post in named:
        post["title"], post["url"] = links.get(post["post_id"], (None, None))


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
    month: str | None = None,
    week: str | None = None,
) -> CheckOutcome:
    """Run and store one check; return its id with the time spent per stage."""
    clock = _Clock()
    now = now or utcnow()
    plan = plan_check(
        session,
        kind=kind,
        at=at,
        now=now,
        date_from=date_from,
        date_to=date_to,
        sample_rate=sample_rate,
        seed=seed,
        profile=profile,
        month=month,
        week=week,
    )
    clock.tick("sample")
    data = load(session, plan)
    clock.tick("load")
    analysis, releases = analyse(session, plan, data, actor=actor)
    clock.timings.update({f"index.{k}": v for k, v in analysis.timings.items()})
    clock.tick("originality")
    run_id = check_store.start_run(
        session,
        run={
            "kind": kind,
            "at": plan.at,
            "window_from": plan.window_from,
            "window_to": plan.window_to,
            "sample_rate": plan.sample_rate,
            "seed": plan.seed,
            "profile": plan.profile.get("name", "national"),
            "thresholds": plan.profile,
            "actor": actor,
            "population": len(plan.accounts),
            "started_at": now,
        },
    )
    sampled = 0
    for results, relays in judge_sample(plan, data, analysis, releases):
        clock.tick("rules")
        add_links(session, results)
        clock.tick("evidence")
        check_store.add_results(session, run_id, results, relays=relays)
        clock.tick("store")
        sampled += len(results)
    counts = {"population": len(plan.accounts), "sampled": sampled, "posts": len(data.posts)}
    return CheckOutcome(run_id=run_id, timings=clock.timings, counts={**counts, **analysis.counts})
