"""Who is checked (抽样): reproducible from a seed, stored with the run.

Weekly spot check (周抽查):

1. every account in a *full class* is checked: by default every account of a provincial
   unit (省直部门) and every account opened by a 市州 or 县区 government
   (``[sampling] full_classes`` in the profile);
2. every account found unqualified by the previous check is re-checked (复核);
3. of the rest, a share ``--sample-rate`` (default ``[sampling] rate``, 0.2) is drawn,
   stratified by unit and platform: each stratum of n accounts gives floor(n·rate)
   accounts plus one more with probability equal to the fractional part.

A monthly check (月检查) covers every account; an adhoc check covers every account unless a
sample rate is given. The same accounts, seed and rate always give the same sample.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

FULL, RECHECK, SAMPLED, ALL = "full_class", "recheck", "sampled", "all"


def in_full_class(account: dict[str, Any], classes: Sequence[dict[str, Any]]) -> bool:
    return any(all(account.get(k) == v for k, v in cls.items()) for cls in classes)


def draw(
    accounts: Sequence[dict[str, Any]],
    *,
    kind: str,
    rate: float | None,
    seed: int,
    rechecks: set[int],
    full_classes: Sequence[dict[str, Any]],
    default_rate: float = 0.2,
) -> dict[int, str]:
    """``{account_id: reason}`` for the accounts to check (reason: full_class/recheck/sampled/all)."""
    if kind == "monthly" or (kind == "adhoc" and rate is None):
        return {a["id"]: ALL for a in accounts}
    share = default_rate if rate is None else rate
    chosen: dict[int, str] = {}
    rest: dict[tuple[int, str], list[int]] = {}
    for a in sorted(accounts, key=lambda a: a["id"]):
        if in_full_class(a, full_classes):
            chosen[a["id"]] = FULL
        elif a["id"] in rechecks:
            chosen[a["id"]] = RECHECK
        else:
            rest.setdefault((a["unit_id"], a["platform"]), []).append(a["id"])
    rng = np.random.default_rng(seed)
    for key in sorted(rest):
        ids = rest[key]
        exact = len(ids) * share
        take = math.floor(exact) + (1 if rng.random() < exact - math.floor(exact) else 0)
        if take:
            picked = rng.choice(len(ids), size=min(take, len(ids)), replace=False)
            for i in sorted(picked.tolist()):
                chosen[ids[i]] = SAMPLED
    return dict(sorted(chosen.items()))
