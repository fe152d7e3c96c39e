"""Copying measured the way people copy: a short post with a prefix and a phrase swapped is a
near-duplicate by containment even when its Jaccard similarity is under 0.8; the finer banding
of short posts finds such pairs (recall ≥ 0.99, exact precision); a unit's own republishing on
its other platforms is not copying."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from monitor.similarity import neardup as nd
from monitor.similarity.index import index_new_posts
from monitor.similarity.originality import Analysis, CopyRule, cluster
from registry import db
from registry.checks import data as check_data
from registry.collection import store as collection
from registry.filing import accounts as filing
from registry.filing import units

CHARS = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
PREFIXES = ["转自省厅：", "【转发】", "据某某发布消息，", "转：", "来源：市政府网站 "]


def short_corpus(seed: int = 11, n: int = 300) -> tuple[list[str], list[int]]:
    """Short originals (40–160 characters) and 1–2 copies each: a prefix, and one phrase of 2–4
    characters swapped for another; returns texts and their group ids."""
    rng = random.Random(seed)
    words = ["".join(rng.choice(CHARS) for _ in range(rng.randint(2, 4))) for _ in range(4000)]
    texts, groups = [], []
    for g in range(n):
        base = ""
        while len(base) < rng.randint(40, 160):
            base += rng.choice(words)
        texts.append(base)
        groups.append(g)
        for _ in range(rng.randint(1, 2)):
            cut = rng.randrange(0, max(1, len(base) - 4))
            width = rng.randint(2, 4)
            copy = base[:cut] + rng.choice(words) + base[cut + width :]
            texts.append(rng.choice(PREFIXES) + copy)
            groups.append(g)
    return texts, groups


RULE = {"similarity": 0.8, "min_containment": 0.8, "min_chars": 20}


def is_copy(a: str, b: str) -> bool:
    na, nb = nd.normalise(a), nd.normalise(b)
    return nd.near_duplicate(nd.shingle_set(na), nd.shingle_set(nb), earlier_chars=len(na), **RULE)


@pytest.mark.parametrize(
    ("earlier", "later", "expected"),
    [
        (
            "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉",
            "转自：一二三四五六七八九十甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉",
            True,
        ),
        # a phrase swapped and a prefix: Jaccard under 0.8, containment over it
        (
            "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水火土日月星",
            "转自省厅：一二三四五六七八九十甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水火土日光星",
            True,
        ),
        (
            "一二三四五六七八九十",
            "转自某某发布：一二三四五六七八九十",
            False,
        ),  # under 20 characters: Jaccard only
        (
            "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸",
            "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉",
            False,
        ),  # half of it
    ],
)
def test_near_duplicate_rule(earlier: str, later: str, expected: bool) -> None:
    assert is_copy(earlier, later) is expected


def test_jaccard_alone_misses_what_containment_finds() -> None:
    texts, groups = short_corpus(n=60)
    norms = nd.normalise_many(texts)
    sets = [nd.shingle_set(n) for n in norms]
    pairs = [(i, j) for i in range(len(texts)) for j in range(i + 1, len(texts)) if groups[i] == groups[j]]
    by_jaccard = sum(nd.jaccard(sets[i], sets[j]) >= 0.8 for i, j in pairs)
    by_rule = sum(is_copy(texts[i], texts[j]) for i, j in pairs)
    assert by_rule > 2 * by_jaccard  # most short copies fall under Jaccard 0.8


def test_fine_banding_finds_short_copies_with_exact_precision() -> None:
    texts, groups = short_corpus()
    norms = nd.normalise_many(texts)
    sets = [nd.shingle_set(n) for n in norms]
    truth = {
        (i, j)
        for i in range(len(texts))
        for j in range(i + 1, len(texts))
        if groups[i] == groups[j] and nd.near_duplicate(sets[i], sets[j], earlier_chars=len(norms[i]), **RULE)
    }
    assert len(truth) > 300
    tokens, offsets = nd.shingle_hashes(norms)
    sigs = nd.signatures(tokens, offsets)
    candidates = {tuple(p) for p in nd.candidate_pairs(nd.band_keys(sigs)).tolist()}
    candidates |= {tuple(p) for p in nd.candidate_pairs(nd.fine_band_keys(sigs)).tolist()}
    uf = nd.UnionFind(len(texts))
    reported = [
        (a, b)
        for a, b in candidates
        if nd.near_duplicate(sets[a], sets[b], earlier_chars=len(norms[a]), **RULE)
    ]
    for a, b in reported:
        uf.union(a, b)
    recall = sum(uf.find(i) == uf.find(j) for i, j in truth) / len(truth)
    assert recall >= 0.99
    roots: dict[int, set[int]] = {}
    for i, g in enumerate(groups):
        roots.setdefault(uf.find(i), set()).add(g)
    assert all(len(gs) == 1 for gs in roots.values())  # precision: no cluster joins two groups


def test_own_unit_republishing_is_not_copying(any_db: str) -> None:
    url = db.resolve_url(any_db)
    db.upgrade(url)
    at = datetime(2026, 11, 23, tzinfo=UTC)
    texts, _ = short_corpus(seed=5, n=3)
    original, copy = texts[0], texts[1]
    with db.session_scope(url) as s:
        units.add_unit(s, name="某县政府", level="county", region="620102", actor="t")
        units.add_unit(s, name="某县某局", level="county", region="620102", kind="department", actor="t")
        own_weibo = filing.file_account(
            s, unit="某县政府", platform="weibo", name="微博", platform_id="3000001", actor="t"
        )
        own_douyin = filing.file_account(
            s, unit="某县政府", platform="douyin", name="抖音", platform_id="3000002", actor="t"
        )
        other = filing.file_account(
            s, unit="某县某局", platform="weibo", name="某局微博", platform_id="3000003", actor="t"
        )
        ids = (own_weibo.id, own_douyin.id, other.id)
        for k, (aid, text) in enumerate(zip(ids, (original, copy, copy), strict=True)):
            collection.upsert_posts(
                s, aid, [{"post_id": f"p{k}", "text": text, "published_at": at - timedelta(hours=3 - k)}]
            )
    since, until = at - timedelta(days=7), at
    owners = {ids[0]: 1, ids[1]: 1, ids[2]: 2}
    outcome = {}
    for own_is_original in (True, False):
        with db.session_scope(url) as s:
            analysis = Analysis()
            index_new_posts(s, actor="t")
            posts = check_data.window_posts(s, since=since, until=until)
            rule = CopyRule(
                containment=0.8, min_chars=20, short_chars=400, owners=owners if own_is_original else None
            )
            cluster(s, analysis, since=since, until=until, posts=posts, similarity=0.8, rule=rule)
            by_account = dict(zip(posts.accounts.tolist(), posts.ids.tolist(), strict=True))
            outcome[own_is_original] = {a for a, pid in by_account.items() if pid in analysis.copied}
    assert outcome[True] == {ids[2]}  # the other unit copied; the unit's own Douyin did not
    assert outcome[False] == {ids[1], ids[2]}
