"""Figures of discovery on the test scenario (``tests/discovery_scenario.py``): a county's
registry, and the stand-in platforms' searches that know filed, unfiled, renamed,
cancelled-but-active and impostor accounts, each with the unit it truly belongs to.

One real run (``monitor.app.discovery.run_discovery``: queries from the registry, the search
subprocess against the stand-in, the matcher) and then the figures:

- queries per platform, searched / blocked / failed, accounts found, new candidates;
- the matcher's precision and recall over the unfiled accounts found (a unit named is a
  prediction; it is right when it is the true unit);
- how each unfiled account ended (state, unit, basis);
- the wall time of the run.

    .venv/bin/python bench/discovery.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.app.config import discovery_env, load_config
from monitor.app.discovery import discovery_settings, run_discovery
from registry.db import session_scope
from registry.discovery.queries import list_candidates
from spiders.standin import StandinServer, search_env
from tests.discovery_scenario import FAULTS, FILED_FOUND, build, precision_recall, truths


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "discovery.db")
        build(db)
        with StandinServer() as server:
            server.search.found.extend([t.found for t in truths()] + FILED_FOUND)
            server.search.faults.update(FAULTS)
            env = {**server.env(), **search_env(server), "GOVMEDIA_CRAWL_DELAY": "0"}
            config = load_config(None, env=env)
            started = time.monotonic()
            run = run_discovery(
                db, settings=discovery_settings(config), env=discovery_env(config), now=datetime.now(UTC)
            )
            took = time.monotonic() - started
        with session_scope(db) as s:
            found = {(c["platform"], c["platform_id"]): c for c in list_candidates(s)}
            details = {}
            from registry.discovery.queries import candidate_detail

            for key in found:
                details[key] = candidate_detail(s, found[key]["id"])
    print("platform   queries searched blocked failed found new")
    for p in run.platforms:
        print(
            f"{p['platform']:<10} {p['queries']:>7} {p['searched']:>8} {p['blocked']:>7} {p['failed']:>6}"
            f" {p['found']:>5} {p['new_candidates']:>3}"
        )
    truth = {(t.found.platform, t.found.platform_id): t.unit for t in truths()}
    figures = precision_recall({k: found[k]["unit"] for k in truth}, truth)
    print(
        f"matcher: {len(truth)} unfiled accounts found, {sum(u is not None for u in truth.values())} "
        f"belong to a registry unit; TP {figures['tp']}, FP {figures['fp']}, FN {figures['fn']}; "
        f"precision {figures['precision']:.3f}, recall {figures['recall']:.3f}"
    )
    for t in truths():
        d = details[(t.found.platform, t.found.platform_id)]
        mark = "ok " if d["unit"] == t.unit else "ERR"
        row = f"{t.found.platform:<8} {t.found.name:<8} {d['state']:<14} {d['basis']:<13} {d['unit']}"
        print(f"  {mark} {row}  ({t.what})")
    filed = sum(1 for f in FILED_FOUND if details[(f.platform, f.platform_id)]["state"] == "filed")
    print(f"filed accounts recognised by platform id: {filed}/{len(FILED_FOUND)}")
    print(f"run wall time: {took:.1f} s (search subprocess included, delays 0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
