"""Benchmark: the monthly check (月检查) over a synthetic registry, national or provincial,
with the near-duplicate index built as posts arrive.

Generates a registry of ``--accounts`` accounts (default 500,000, national scale) with
``--posts`` posts in the 30-day window (default 3,500,000): Chinese-like text of realistic
length (lognormal, median ~470 characters, Zipf-distributed characters), ~15 % near-duplicate
relays of earlier posts (0–3 % character edits, a header half the time), key releases
relayed by hundreds of accounts each, ~20 % silent accounts, ~3 % blocked crawls and ~2 %
never collected. The posts are stored without their index, as a path that does not index
would leave them. Then, each in a fresh process, with its wall time and peak memory (PSS summed
over the process and its forked workers: shared pages counted once):

1. ``index``: ``monitor.similarity.index.index_new_posts`` over every post (normalise, lexicon
   scan, sign, band keys, one index row per post): what the ingest path does as posts arrive;
2. ``check``: ``monitor.check.run.run_check(kind="monthly")`` and what the terminal shows of
   it (``monitor.check.summary.run_overview``), with the time of each stage; ``--cli`` also
   times the command itself, ``govmedia check run --kind monthly`` (the target), and
   ``govmedia check show RUN --format json`` (every account of the run, for scripts);
3. ``signing`` (in this process): the index's signing pipeline against datasketch (MinHash,
   128 permutations, MinHashLSH threshold 0.8) on the same posts, recall and precision at
   J ≥ 0.8;
4. ``short copies``: short posts cut from the sample and copied the way people copy them (a
   prefix, one phrase swapped), judged by the profile's rule (Jaccard ≥ 0.8 or containment of
   the earlier post ≥ 0.8): recall and precision of the 16×8 banding alone and with the finer
   42×3 banding of short posts.

Targets on this machine kind (2 cores): national monthly check < 3 min and < 4 GB, index of
3.5 M new posts < 5 min; provincial check (``--accounts 5000 --posts 100000``) < 5 s;
recall and precision ≥ 0.99. ``--db`` keeps the generated database (an SQLite path or a
PostgreSQL URL) and reuses it when it already holds posts (``--reindex`` rebuilds the index).

    .venv/bin/python bench/check.py --accounts 5000 --posts 100000     # provincial
    .venv/bin/python bench/check.py --db /tmp/national.db               # national (long), kept
    .venv/bin/python bench/check.py --db postgresql://postgres@127.0.0.1/national
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select

from monitor.check.run import run_check
from monitor.similarity import neardup as nd
from registry import db
from registry.checks import index as check_index
from registry.checks import inputs as check_lexicon
from registry.collection.models import CrawlAttempt, Post
from registry.filing.models import Account, Unit

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
NOW = AT + timedelta(hours=1)
WINDOW = timedelta(days=30)
POSTS = Post.__table__
PLATFORMS = ["wechat", "weibo", "douyin", "toutiao", "kuaishou", "bilibili", "wechat_channels", "xiaohongshu"]
LEVELS = [("province", 0.05), ("city", 0.15), ("county", 0.4), ("township", 0.4)]
BATCH = 50_000
RING = 40_000
ROOT = Path(__file__).resolve().parents[1]
HEADER = np.array([ord(c) for c in "转发自政务发布："], dtype=np.uint32)


class Peak:
    """Samples the resident set size every 20 ms; ``reset`` starts a stage."""

    def __init__(self) -> None:
        self.proc = psutil.Process()
        self.peak = 0
        self.stop = False
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while not self.stop:
            self.peak = max(self.peak, self.proc.memory_info().rss)
            time.sleep(0.02)

    def reset(self) -> None:
        self.peak = self.proc.memory_info().rss


CPU = [0.0]


def stage(name: str, peak: Peak, started: float, extra: str = "") -> float:
    """Print wall seconds, CPU seconds (the machine is shared) and peak RSS of a stage."""
    now, cpu = time.perf_counter(), time.process_time()
    print(
        f"{name:<14} {now - started:8.1f} s wall {cpu - CPU[0]:8.1f} s cpu   "
        f"peak RSS {peak.peak / 2**20:7.0f} MB   {extra}",
        flush=True,
    )
    CPU[0] = cpu
    peak.reset()
    return time.perf_counter()


class Corpus:
    """Generates post texts as codepoint arrays, batch by batch, with known relay links."""

    def __init__(self, rng: np.random.Generator, n_releases: int) -> None:
        self.rng = rng
        ranks = np.arange(1, 3501)
        weights = 1 / ranks**0.8
        self.cdf = np.cumsum(weights / weights.sum())
        self.cdf[-1] = 1.0
        self.table = np.array([0x4E00 + i * 5 for i in range(3500)], dtype=np.uint32)
        self.ring: list[tuple[int, np.ndarray]] = []  # recent originals, a circular buffer
        self.pos = 0
        self.cluster: dict[int, int] = {}
        self.releases = [self.text_codes(int(rng.integers(400, 1200))) for _ in range(n_releases)]

    def text_codes(self, n: int) -> np.ndarray:
        return self.many_codes(np.array([n]))[0]

    def many_codes(self, lengths: np.ndarray) -> list[np.ndarray]:
        """Zipf-distributed characters with ，。 about every 25 characters, one array per text."""
        total = int(lengths.sum())
        codes = self.table[np.searchsorted(self.cdf, self.rng.random(total))]
        punct = self.rng.random(total) < 0.04
        codes[punct] = np.where(self.rng.random(int(punct.sum())) < 0.5, ord("，"), ord("。"))
        return np.split(codes, np.cumsum(lengths)[:-1])

    def edit(self, src: np.ndarray) -> np.ndarray:
        out = src.copy()
        k = int(len(out) * self.rng.uniform(0, 0.03))
        if k:
            out[self.rng.integers(0, len(out), k)] = self.table[self.rng.integers(0, 3500, k)]
        if self.rng.random() < 0.5:
            out = np.concatenate([HEADER, out])
        return out

    def batch(self, first: int, kinds: np.ndarray, releases: np.ndarray) -> list[str]:
        """Texts of documents first.., each an original, a relay of a recent original, or a
        relay of a key release."""
        lengths = np.clip(self.rng.lognormal(np.log(470), 0.6, size=len(kinds)), 50, 3000).astype(np.int64)
        fresh = iter(self.many_codes(lengths))
        parts = []
        for j, kind in enumerate(kinds):
            i = first + j
            base = next(fresh)
            if kind == "release":
                codes = self.edit(self.releases[int(releases[j])])
                self.cluster[i] = -1 - int(releases[j])
            elif kind == "relay" and self.ring:
                src, source = self.ring[int(self.rng.integers(0, len(self.ring)))]
                codes = self.edit(source)
                self.cluster[i] = self.cluster.get(src, src)
            else:
                codes = base
                self.cluster[i] = i
                if len(self.ring) < RING:
                    self.ring.append((i, codes))
                else:
                    self.ring[self.pos] = (i, codes)
                    self.pos = (self.pos + 1) % RING
            parts.append(codes)
        joined = np.concatenate(parts).tobytes().decode("utf-32-le")
        ends = np.cumsum([len(p) for p in parts]).tolist()
        return [joined[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]


def generate(url: str, n_accounts: int, n_posts: int, seed: int) -> dict[str, Any]:
    """Build and load the synthetic registry; return what the signing stage needs."""
    rng = np.random.default_rng(seed)
    n_units = max(10, n_accounts // 10)
    levels = rng.choice([lv for lv, _ in LEVELS], size=n_units, p=[p for _, p in LEVELS])
    kinds = rng.choice(["government", "department"], size=n_units, p=[0.3, 0.7])
    opened = AT - timedelta(days=400)
    with db.session_scope(url) as s:
        s.execute(
            insert(Unit),
            [
                {
                    "id": u + 1,
                    "name": f"单位{u + 1:06d}",
                    "level": str(levels[u]),
                    "kind": str(kinds[u]),
                    "region_code": f"{62 + u % 30:02d}{(u // 30) % 100:02d}{u % 97:02d}",
                    "created_at": opened,
                }
                for u in range(n_units)
            ],
        )
        unit_of = rng.integers(1, n_units + 1, size=n_accounts)
        platform_of = rng.integers(0, len(PLATFORMS), size=n_accounts)
        for start in range(0, n_accounts, 100_000):
            s.execute(
                insert(Account),
                [
                    {
                        "id": a + 1,
                        "unit_id": int(unit_of[a]),
                        "platform": PLATFORMS[int(platform_of[a])],
                        "name": f"账号{a + 1:07d}",
                        "platform_id": f"{10_000_000 + a}",
                        "status": "active",
                        "filed_at": opened,
                        "approved_at": opened,
                        "status_at": opened,
                        "verified": True,
                    }
                    for a in range(start, min(n_accounts, start + 100_000))
                ],
            )
        state = rng.random(n_accounts)
        attempts = []
        for a in range(n_accounts):
            if state[a] < 0.02:
                continue  # never collected
            attempts.append(
                {
                    "account_id": a + 1,
                    "outcome": "ok",
                    "at": NOW - timedelta(days=10 if state[a] < 0.05 else 0, hours=1),
                    "source": "crawl",
                    "new_posts": 0,
                }
            )
            if state[a] < 0.05:
                attempts.append(
                    {
                        "account_id": a + 1,
                        "outcome": "blocked",
                        "at": NOW - timedelta(days=1),
                        "source": "crawl",
                        "new_posts": 0,
                    }
                )
        for start in range(0, len(attempts), 100_000):
            s.execute(insert(CrawlAttempt), attempts[start : start + 100_000])
    n_releases = max(2, n_accounts // 10_000)
    relayers = max(50, n_accounts // 250)
    corpus = Corpus(rng, n_releases)
    active = np.flatnonzero(rng.random(n_accounts) >= 0.2) + 1  # 20 % never post
    kinds_doc = np.where(rng.random(n_posts) < 0.15, "relay", "orig").astype(object)
    release_of = np.full(n_posts, -1)
    release_slots = rng.choice(n_posts, size=min(n_posts // 5, n_releases * relayers), replace=False)
    release_of[release_slots] = rng.integers(0, n_releases, size=len(release_slots))
    kinds_doc[release_slots] = "release"
    # release k is published at day k*25/n_releases of the window and relayed soon after
    rel_time = [AT - WINDOW + timedelta(days=1 + 25 * k / n_releases) for k in range(n_releases)]
    offsets = np.sort(rng.random(n_posts)) * WINDOW.total_seconds()
    account_of = rng.choice(active, size=n_posts)
    with db.session_scope(url) as s:
        for k in range(n_releases):
            check_lexicon.add_release(
                s,
                title=f"重要信息{k}",
                url=f"https://gov.example/r{k}",
                text=corpus.releases[k].tobytes().decode("utf-32-le"),
                published_at=rel_time[k],
                due_hours=48,
                units=[str(u) for u in rng.integers(1, n_units + 1, size=20)],
                exact_hash=0,
                actor="bench",
            )
    sample: list[str] = []
    for start in range(0, n_posts, BATCH):
        stop = min(n_posts, start + BATCH)
        texts = corpus.batch(start, kinds_doc[start:stop], release_of[start:stop])
        reposts = rng.random(stop - start) < 0.03
        likes = rng.integers(0, 20, size=stop - start)
        rows = []
        for j, text in enumerate(texts):
            i = start + j
            rel = int(release_of[i])
            published = AT - WINDOW + timedelta(seconds=float(offsets[i]))
            if rel >= 0:
                published = rel_time[rel] + timedelta(hours=float(rng.uniform(0, 72)))
            if len(sample) < 8_000 and i % 7 == 0:
                sample.append(text)
            rows.append(
                {
                    "id": i + 1,
                    "account_id": int(account_of[i]),
                    "post_id": f"p{i}",
                    "title": text[:18],
                    "text": text,
                    "url": f"https://m.example/p{i}",
                    "published_at": published,
                    "published_latest": published,
                    "published_approx": False,
                    "pinned": False,
                    "is_repost": bool(reposts[j]),
                    "likes": int(likes[j]),
                    "fetched_at": NOW - timedelta(hours=1),
                    "origin": "crawl",
                }
            )
        with db.session_scope(url) as s:
            s.connection().execute(insert(POSTS), rows)
    return {"cluster": corpus.cluster, "sample": sample}


def signing(sample: list[str], similarity: float = 0.8) -> None:
    """Our pipeline vs datasketch on the same posts: docs/s, and recall/precision at J ≥ 0.8."""
    from datasketch import MinHash, MinHashLSH

    norms = nd.normalise_many(sample)
    rng = random.Random(1)
    # add near-duplicates of a quarter of the sample so there are pairs to find
    extra = []
    for n in norms[: len(norms) // 4]:
        chars = list(n)
        for _ in range(int(len(chars) * rng.uniform(0, 0.03))):
            chars[rng.randrange(len(chars))] = chr(0x4E00 + rng.randrange(3500) * 5)
        extra.append(("转发自政务发布" if rng.random() < 0.5 else "") + "".join(chars))
    docs = norms + extra
    t = time.perf_counter()
    norms2 = nd.normalise_many(docs)
    tokens, offsets = nd.shingle_hashes(norms2)
    keys = nd.band_keys(nd.signatures(tokens, offsets))
    ours = time.perf_counter() - t
    sets = [nd.shingle_set(n) for n in norms2]
    t = time.perf_counter()
    mh = []
    for n in norms2:
        m = MinHash(num_perm=128)
        m.update_batch([n[i : i + 5].encode("utf-8") for i in range(max(1, len(n) - 4))])
        mh.append(m)
    theirs = time.perf_counter() - t
    truth = set()
    for i in range(len(extra)):
        j = len(norms) + i
        if nd.jaccard(sets[i], sets[j]) >= similarity:
            truth.add((i, j))
    uf = nd.UnionFind(len(docs))
    reported = [
        (a, b) for a, b in nd.candidate_pairs(keys).tolist() if nd.jaccard(sets[a], sets[b]) >= similarity
    ]
    for a, b in reported:
        uf.union(a, b)
    recall = sum(uf.find(a) == uf.find(b) for a, b in truth) / max(1, len(truth))
    precision = sum(nd.jaccard(sets[a], sets[b]) >= similarity for a, b in reported) / max(1, len(reported))
    lsh = MinHashLSH(threshold=similarity, num_perm=128)
    for i, m in enumerate(mh):
        lsh.insert(str(i), m)
    ds_pairs = {
        (min(i, int(k)), max(i, int(k))) for i, m in enumerate(mh) for k in lsh.query(m) if int(k) != i
    }
    ds_recall = sum(p in ds_pairs for p in truth) / max(1, len(truth))
    ds_precision = sum(nd.jaccard(sets[a], sets[b]) >= similarity for a, b in ds_pairs) / max(
        1, len(ds_pairs)
    )
    print(f"signing        {len(docs)} posts, {len(truth)} pairs with J ≥ {similarity}")
    print(
        f"  ours         {len(docs) / ours:10.0f} docs/s   "
        f"recall {recall:.4f}   precision {precision:.4f} (verified)"
    )
    print(
        f"  datasketch   {len(docs) / theirs:10.0f} docs/s   "
        f"recall {ds_recall:.4f}   precision {ds_precision:.4f} (raw LSH)"
    )
    print(f"  speed-up     {theirs / ours:10.1f}×")


def short_copies(n: int = 3000, *, similarity: float = 0.8, containment: float = 0.8) -> None:
    """Recall and precision on short copies (prefix + swapped phrase) of the profile's rule,
    over fresh originals of the corpus's character distribution (40–160 characters)."""
    rng = random.Random(2)
    corpus = Corpus(np.random.default_rng(3), 0)
    lengths = np.array([rng.randint(40, 160) for _ in range(n)])
    originals = [c.tobytes().decode("utf-32-le") for c in corpus.many_codes(lengths)]
    prefixes = ["转自省厅：", "【转发】", "据某某发布消息，", "转：", "来源：市政府网站 "]
    texts: list[str] = []
    groups: list[int] = []
    for g, base in enumerate(originals):
        texts.append(base)
        groups.append(g)
        cut = rng.randrange(0, max(1, len(base) - 4))
        swapped = (
            base[:cut] + "".join(chr(0x4E00 + rng.randrange(3500) * 5) for _ in range(3)) + base[cut + 3 :]
        )
        texts.append(rng.choice(prefixes) + swapped)
        groups.append(g)
    norms = nd.normalise_many(texts)
    sets = [nd.shingle_set(n) for n in norms]

    def copy(a: int, b: int) -> bool:
        return nd.near_duplicate(
            sets[a],
            sets[b],
            similarity=similarity,
            min_containment=containment,
            earlier_chars=len(norms[a]),
            min_chars=20,
        )

    truth = {(i, i + 1) for i in range(0, len(texts), 2) if copy(i, i + 1)}
    tokens, offsets = nd.shingle_hashes(norms)
    sigs = nd.signatures(tokens, offsets)
    coarse = {(int(a), int(b)) for a, b in nd.candidate_pairs(nd.band_keys(sigs)).tolist()}
    fine = {(int(a), int(b)) for a, b in nd.candidate_pairs(nd.fine_band_keys(sigs)).tolist()}
    print(f"short copies   {len(texts)} posts, {len(truth)} pairs that are copies by the rule")
    for label, pairs in (("16×8 only", coarse), ("16×8 + 42×3", coarse | fine)):
        reported = [(a, b) for a, b in pairs if copy(a, b)]
        uf = nd.UnionFind(len(texts))
        for a, b in reported:
            uf.union(a, b)
        recall = sum(uf.find(a) == uf.find(b) for a, b in truth) / max(1, len(truth))
        precision = sum(groups[a] == groups[b] for a, b in reported) / max(1, len(reported))
        print(f"  {label:<12} recall {recall:.4f}   precision {precision:.4f}   candidates {len(pairs)}")


NATIONAL = 500_000


def _pss(proc: psutil.Process) -> int:
    """A process's proportional set size: its resident memory, pages shared with forked
    workers counted once across them (the RSS of each would count them in every worker)."""
    try:
        with open(f"/proc/{proc.pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return int(proc.memory_info().rss)


def measured(command: list[str], *, stdout: Any = subprocess.PIPE) -> tuple[float, int, str]:
    """Run a command; its wall seconds, its peak memory (PSS summed over it and its forked
    workers) and its output. Its CPU seconds (the machine is shared: wall time depends on the
    others) go to ``CHILD_CPU``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=stdout, text=True, cwd=ROOT)
    proc, peak = psutil.Process(child.pid), 0
    while child.poll() is None:
        with contextlib.suppress(psutil.Error):
            peak = max(peak, sum(_pss(p) for p in [proc, *proc.children(recursive=True)]))
        time.sleep(0.02)
    out = child.stdout.read() if child.stdout is not None else ""
    if child.returncode:
        raise SystemExit(f"{command} failed with {child.returncode}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CHILD_CPU[0] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return time.perf_counter() - started, peak, out


CHILD_CPU = [0.0]


def child(stage: str, url: str) -> None:
    """One measured stage in its own process; prints its figures as JSON."""
    if stage == "index":
        from monitor.similarity.index import index_new_posts

        with db.session_scope(url) as s:
            report = index_new_posts(s, actor="bench")
        print(json.dumps({"indexed": report.indexed, "timings": report.timings}))
        return
    from monitor.check.summary import run_json, run_overview

    with db.session_scope(url) as s:
        outcome = run_check(s, kind="monthly", actor="bench", at=AT, now=NOW, seed=1)
        overview = run_overview(s, outcome.run_id, listed=200)  # what the terminal shows
    checked = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    timings = {**outcome.timings}
    verdicts = {k: overview[k] for k in ("qualified", "unqualified", "uncollected", "pass_rate")}
    figures = {"timings": timings, "counts": outcome.counts, "verdicts": verdicts, "rss_check": checked}
    if stage == "check-json":
        started = time.perf_counter()
        with db.session_scope(url) as s:
            whole = run_json(s, outcome.run_id)
        text = json.dumps(whole, ensure_ascii=False, indent=2, default=str)
        figures.update(json=round(time.perf_counter() - started, 3), bytes=len(text))
    print(json.dumps(figures))


def target(label: str, seconds: float, rss: int, *, limit_s: float | None, limit_gb: float | None) -> None:
    bars = []
    if limit_s is not None:
        bars.append(f"target < {limit_s:.0f} s: {'met' if seconds < limit_s else 'NOT MET'}")
    if limit_gb is not None:
        bars.append(f"< {limit_gb:.0f} GB: {'met' if rss < limit_gb * 2**30 else 'NOT MET'}")
    print(
        f"{label:<14} {seconds:8.1f} s wall {CHILD_CPU[0]:8.1f} s cpu   peak PSS {rss / 2**20:7.0f} MB   "
        f"{'; '.join(bars)}",
        flush=True,
    )


def has_posts(url: str) -> bool:
    from sqlalchemy import func, select

    with db.session_scope(url) as s:
        return bool(s.scalar(select(func.count()).select_from(POSTS)))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=NATIONAL)
    parser.add_argument("--posts", type=int, default=3_500_000)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--db", help="SQLite file or URL, kept and reused (default: a temporary file)")
    parser.add_argument("--reindex", action="store_true", help="drop the index of a reused database first")
    parser.add_argument("--cli", action="store_true", help="also time `govmedia check run … --format json`")
    parser.add_argument("--skip-quality", action="store_true", help="skip the signing and short-copy stages")
    parser.add_argument("--generate-only", action="store_true", help="only build the database (with --db)")
    parser.add_argument("--child", choices=["index", "check", "check-json"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, db.resolve_url(args.db))
        return
    tmp = tempfile.TemporaryDirectory(prefix="govmedia-bench-")
    url = db.resolve_url(args.db or str(Path(tmp.name) / "bench.db"))
    db.upgrade(url)
    sample: list[str] = []
    reuse = bool(args.db) and has_posts(url)
    if reuse:
        with db.session_scope(url) as s:
            args.accounts = s.scalar(select(func.count()).select_from(Account)) or 0
            args.posts = s.scalar(select(func.count()).select_from(POSTS)) or 0
    national = args.accounts >= NATIONAL
    print(f"accounts {args.accounts:,}   posts {args.posts:,}   database {url}", flush=True)
    if reuse:
        print("generate       reusing the database's posts", flush=True)
        if args.reindex:
            with db.session_scope(url) as s:
                check_index.clear(s)
    else:
        peak = Peak()
        t = time.perf_counter()
        sample = generate(url, args.accounts, args.posts, args.seed)["sample"]
        stage("generate+load", peak, t)
        peak.stop = True
    db.dispose_engines()
    if args.generate_only:
        return
    me = [sys.executable, str(Path(__file__).resolve()), "--db", url]
    seconds, rss, out = measured([*me, "--child", "index"])
    figures = json.loads(out)
    target("index", seconds, rss, limit_s=300 if national else None, limit_gb=None)
    print(f"  {figures['indexed']:,} posts indexed: {figures['timings']}", flush=True)
    seconds, rss, out = measured([*me, "--child", "check"])
    figures = json.loads(out)
    target("check", seconds, rss, limit_s=180 if national else 5, limit_gb=4 if national else None)
    print(f"  stages: {figures['timings']}")
    print(f"  counts: {figures['counts']}")
    print(
        f"  verdicts: {figures['verdicts']}; "
        f"peak RSS of the checking process {figures['rss_check'] / 2**20:.0f} MB",
        flush=True,
    )
    if args.cli:
        command = [sys.executable, "-m", "monitor.app.cli.main", "--db", url, "check", "run"]
        command += ["--kind", "monthly", "--at", AT.isoformat()]
        with tempfile.TemporaryFile("w+") as sink:  # a pipe would fill before the command ends
            seconds, rss, _ = measured(command, stdout=sink)
            sink.seek(0)
            out = sink.read()
        limit = 180 if national else 5
        target("check run CLI", seconds, rss, limit_s=limit, limit_gb=4 if national else None)
        run_id = out.split("检查批次 ", 1)[1].split("（", 1)[0]
        command = [sys.executable, "-m", "monitor.app.cli.main", "--db", url, "check", "show", run_id]
        with tempfile.TemporaryFile("w") as sink:
            seconds, rss, _ = measured([*command, "--format", "json"], stdout=sink)
            size = sink.tell()
        target(f"check show --format json ({size / 2**20:.0f} MB)", seconds, rss, limit_s=None, limit_gb=None)
    if args.skip_quality:
        return
    if not sample:
        with db.session_scope(url) as s:
            sample = [
                t
                for _, t in s.execute(select(POSTS.c.id, POSTS.c.text).where(POSTS.c.id % 7 == 1).limit(8000))
            ]
    peak = Peak()
    t = time.perf_counter()
    signing(sample)
    t = stage("signing", peak, t)
    short_copies()
    stage("short copies", peak, t)
    peak.stop = True


if __name__ == "__main__":
    main()
