"""The near-duplicate index: normalisation, banding recall and precision against exact
Jaccard ground truth, bucket pairs, union-find, and the band keys stored in the database."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from monitor.similarity import neardup as nd
from monitor.similarity.index import Lexicon, index_new_posts
from monitor.similarity.originality import Analysis, cluster, find_relays, prepare_window
from registry import db
from registry.checks import data as check_data
from registry.collection import store as collection
from registry.filing import accounts as filing
from registry.filing import units

CHARS = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]


def corpus(seed: int = 7, n: int = 150) -> tuple[list[str], list[int]]:
    """Originals plus 1–3 lightly edited relays each; returns texts and their cluster ids."""
    rng = random.Random(seed)
    words = ["".join(rng.choice(CHARS) for _ in range(rng.randint(2, 4))) for _ in range(3000)]
    texts, groups = [], []
    for g in range(n):
        base = "".join(rng.choice(words) for _ in range(rng.randint(80, 200)))
        texts.append(base)
        groups.append(g)
        for _ in range(rng.randint(0, 3)):
            chars = list(base)
            for _ in range(int(len(chars) * rng.uniform(0, 0.02))):
                chars[rng.randrange(len(chars))] = rng.choice(CHARS)
            relay = "".join(chars)
            if rng.random() < 0.5:
                relay = "转发自某某发布：" + relay
            if rng.random() < 0.3:
                relay = relay.replace("。", "，")
            texts.append(relay)
            groups.append(g)
    return texts, groups


def true_jaccard(a: str, b: str) -> float:
    sa = {a[i : i + 5] for i in range(len(a) - 4)}
    sb = {b[i : i + 5] for i in range(len(b) - 4)}
    return len(sa & sb) / len(sa | sb)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Ａ Ｂ，c！", "abc"), ("习 近 平", "习近平"), ("__x__", "x"), ("", ""), (None, "")],
)
def test_normalise(raw: str | None, expected: str) -> None:
    assert nd.normalise(raw) == expected
    assert nd.normalise_many([raw, "甲\x1f乙"]) == [expected, "甲乙"]


def test_banding_finds_near_duplicates_with_exact_precision() -> None:
    texts, groups = corpus()
    norms, _hashes, keys = nd.fingerprint(texts)
    truth = set()
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            if groups[i] == groups[j] and true_jaccard(norms[i], norms[j]) >= 0.8:
                truth.add((i, j))
    assert len(truth) > 50
    uf = nd.UnionFind(len(texts))
    sets = [nd.shingle_set(n) for n in norms]
    for a, b in nd.candidate_pairs(keys).tolist():
        if nd.jaccard(sets[a], sets[b]) >= 0.8:
            uf.union(a, b)
    found = {(i, j) for i, j in truth if uf.find(i) == uf.find(j)}
    assert len(found) / len(truth) >= 0.99
    # no cluster joins texts of different groups (precision after verification)
    roots: dict[int, set[int]] = {}
    for i, g in enumerate(groups):
        roots.setdefault(uf.find(i), set()).add(g)
    assert all(len(gs) == 1 for gs in roots.values())


def test_numpy_jaccard_matches_string_jaccard() -> None:
    texts, _ = corpus(n=5)
    norms = nd.normalise_many(texts)
    for a, b in [(0, 1), (0, 2), (1, 3)]:
        got = nd.jaccard(nd.shingle_set(norms[a]), nd.shingle_set(norms[b]))
        assert got == pytest.approx(true_jaccard(norms[a], norms[b]), abs=1e-9)


def test_exact_hash_ignores_punctuation_and_width() -> None:
    a, b, c = nd.normalise_many(["一、通知：明天开会。", "一 通知 明天开会", "一通知后天开会"])
    assert nd.exact_hash(a) == nd.exact_hash(b) != nd.exact_hash(c)


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ([[1], [2], [3]], []),
        ([[5], [5], [5]], [(0, 1), (0, 2)]),  # each against the earliest, never all pairs
        ([[5, 9], [6, 9], [5, 7]], [(0, 1), (0, 2)]),
        ([[1, 1], [1, 1]], [(0, 1)]),  # the same pair from two bands is reported once
    ],
)
def test_candidate_pairs(keys: list[list[int]], expected: list[tuple[int, int]]) -> None:
    got = nd.candidate_pairs(np.array(keys, dtype=np.int64))
    assert [tuple(p) for p in got.tolist()] == expected


def test_union_find_keeps_the_earliest_as_root() -> None:
    uf = nd.UnionFind(6)
    uf.union(4, 2)
    uf.union(5, 4)
    uf.union(3, 1)
    assert [uf.find(i) for i in range(6)] == [0, 1, 2, 1, 2, 2]


def test_index_in_database_and_relay_matching(any_db: str) -> None:
    url = db.resolve_url(any_db)
    db.upgrade(url)
    texts, groups = corpus(seed=3, n=12)
    at = datetime(2026, 11, 23, tzinfo=UTC)
    with db.session_scope(url) as s:
        units.add_unit(s, name="某县政府", level="county", region="620102", actor="t")
        ids = []
        for k in range(3):
            a = filing.file_account(
                s,
                unit="某县政府",
                platform="weibo",
                name=f"号{k}",
                platform_id=f"20000{k}",
                reason="r",
                actor="t",
            )
            ids.append(a.id)
        posts = [
            {"post_id": str(i), "text": t, "published_at": at - timedelta(hours=len(texts) - i)}
            for i, t in enumerate(texts)
        ]
        for k in range(3):
            collection.upsert_posts(s, ids[k], posts[k::3])
    since, until = at - timedelta(days=7), at
    with db.session_scope(url) as s:
        report = index_new_posts(s, actor="t", chunk=7)  # several chunks
        assert report.indexed == len(texts)
        assert index_new_posts(s, actor="t").indexed == 0  # incremental: nothing new
        posts = check_data.window_posts(s, since=since, until=until)
        rows = [posts.row(n) for n in range(len(posts))]
        analysis = Analysis()
        window = prepare_window(
            s,
            analysis,
            since=since,
            until=until,
            post_ids=posts.ids,
            lexicon=Lexicon.current(s, actor="t"),
        )
        assert analysis.counts["indexed"] == 0  # the ingest path indexed every post
        assert len(window.ids) == len(texts) and (window.keys != 0).all()
        cluster(s, analysis, since=since, until=until, posts=posts, similarity=0.8, window=window)
        # the first text as a key release: its relays (and itself) are found, nothing else
        release = {
            "id": 1,
            "text": texts[0],
            "exact_hash": nd.fingerprint([texts[0]])[1][0],
            "published_at": since,
        }
        find_relays(s, analysis, releases=[release], posts=posts, containment=0.8, window=window)
    by_pid = {r[0]: i for i, r in enumerate(sorted(rows, key=lambda r: r[2]))}
    same = {pid for pid, i in by_pid.items() if groups[i] == groups[0]}
    relayed = set(analysis.key_relay)
    assert by_pid and relayed <= same and min(same) in relayed
    assert all(true_jaccard(nd.normalise(texts[0]), nd.normalise(texts[by_pid[p]])) >= 0.5 for p in relayed)
    # copies: later posts of the first group by other accounts
    first_group = sorted((r for r in rows if groups[by_pid[r[0]]] == groups[0]), key=lambda r: r[2])
    expected_copies = {r[0] for r in first_group[1:] if r[1] != first_group[0][1]}
    assert expected_copies <= analysis.copied


def test_a_check_indexes_what_the_ingest_path_missed(sqlite_db: str) -> None:
    """Posts stored without indexing are indexed by the check of their window; a lexicon entry
    added after a post was indexed is found in it by the next check."""
    from registry.checks import inputs

    at = datetime(2026, 11, 23, tzinfo=UTC)
    with db.session_scope(sqlite_db) as s:
        units.add_unit(s, name="某县政府", level="county", region="620102", actor="t")
        a = filing.file_account(
            s, unit="某县政府", platform="weibo", name="号", platform_id="300001", actor="t"
        )
        collection.upsert_posts(s, a.id, [{"post_id": "1", "text": "甲乙丙丁戊己庚辛", "published_at": at}])
        index_new_posts(s, actor="t")
        collection.upsert_posts(s, a.id, [{"post_id": "2", "text": "子丑寅卯辰巳", "published_at": at}])
        inputs.add_entry(s, phrase="丙丁戊", kind="sensitive", actor="t")
    since = at - timedelta(days=1)
    with db.session_scope(sqlite_db) as s:
        posts = check_data.window_posts(s, since=since, until=at)
        analysis = Analysis()
        prepare_window(
            s,
            analysis,
            since=since,
            until=at,
            post_ids=posts.ids,
            lexicon=Lexicon.current(s, actor="t"),
        )
        assert analysis.counts == {"indexed": 1, "rescanned": 1}  # post 2 indexed with the new entry
        first = int(posts.ids.min())
        assert analysis.hits == {first: [("丙丁戊", "sensitive", None)]}
        again = Analysis()
        prepare_window(
            s,
            again,
            since=since,
            until=at,
            post_ids=posts.ids,
            lexicon=Lexicon.current(s, actor="t"),
        )
        assert again.counts == {"indexed": 0, "rescanned": 0} and again.hits == analysis.hits
