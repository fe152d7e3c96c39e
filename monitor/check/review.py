"""人工复核: a person confirms or dismisses a machine finding; the account's verdict is then
decided again by ``monitor.check.verdict`` and stored with the run.

Dismissing needs a note (why the machine was wrong). A finding already in the asked state is
refused, so a double click never records two decisions.

The review history is appended like the filing history: every decision is a row of
``finding_decisions`` with its actor, note and time (confirming and later dismissing keeps
both), and a stored verdict changes only through such a recorded decision.

A candidate is reviewed once:

- **Judgement findings** (lexicon hits): the decision applies to every finding that carries
  the same candidate (the finding first raised and those carried over from it in later checks,
  ``origin_id``) and is still a candidate; later checks read it per post (a dismissed post is
  not raised again, a confirmed one counts as confirmed).
- **A second account with a recorded reason** (``duplicate_account``): the decision is
  remembered for each pair the finding asked about (``registry.checks.reviews``), and the other
  account's candidate in the same check follows it once all its pairs are decided.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from monitor.check.verdict import judge
from registry import validation
from registry.checks import reviews, store
from registry.checks.models import CheckResult, Finding, FindingDecision
from registry.errors import Conflict, InvalidValue
from registry.vocab import FINDING_STATUS


def review_finding(
    session: Session, finding_id: int | str, *, status: str, note: str | None, actor: str
) -> Finding:
    """Confirm or dismiss a finding (复核), then store the new verdict and score of every
    account whose findings the decision changed."""
    if status not in ("confirmed", "dismissed"):
        raise InvalidValue("状态", status, "应为已确认（confirmed）或已排除（dismissed）")
    finding = store.get_finding(session, finding_id)
    text = validation.text(note, "复核意见", max_len=2000, multiline=True) if note and note.strip() else None
    if status == "dismissed" and text is None:
        raise InvalidValue("复核意见", note or "", "排除问题必须用 --note 说明理由")
    if finding.status == status:
        raise Conflict("问题ID", finding_id, f"该问题已是「{FINDING_STATUS.label(status)}」状态")
    decision = store.record_review(session, finding, status=status, note=text, actor=actor)
    changed = [(finding, decision)]
    if finding.rule == "duplicate_account":
        changed += _decide_pairs(session, finding, decision, status=status, note=text, actor=actor)
    else:
        follow = f"随问题{finding.id}的复核" + (f"：{text}" if text else "")
        for other in reviews.chain(session, finding):
            if other.id != finding.id and other.status == "candidate":
                followed = store.record_review(
                    session, other, status=status, note=follow, actor=actor, follows=decision
                )
                changed.append((other, followed))
    by_result = {f.result_id: d for f, d in reversed(changed)}  # the first decision per result
    for result_id in sorted(by_result):
        _decide_again(session, result_id, by_result[result_id])
    return finding


def _decide_pairs(
    session: Session,
    finding: Finding,
    decision: FindingDecision,
    *,
    status: str,
    note: str | None,
    actor: str,
) -> list[tuple[Finding, FindingDecision]]:
    """Remember the decision on the pairs the finding asked about; the other accounts'
    candidates of the same run follow once all their pairs are decided."""
    others = [
        int(a)
        for a in (finding.evidence or {}).get("pending_pairs")
        or (finding.evidence or {}).get("accounts")
        or []
    ]
    reviews.record_duplicate_decisions(
        session,
        [(finding.account_id, o) for o in others],
        status=status,
        note=note,
        actor=actor,
        finding_id=finding.id,
    )
    decisions = reviews.duplicate_decisions(session)
    changed = []
    for other in reviews.pending_duplicates(session, run_id=finding.run_id, account_ids=others):
        asked = [int(a) for a in (other.evidence or {}).get("pending_pairs") or []]
        decided = [decisions.get(reviews.pair(other.account_id, a)) for a in asked]
        if asked and all(decided):
            outcome = "confirmed" if "confirmed" in decided else "dismissed"
            followed = store.record_review(
                session,
                other,
                status=outcome,
                note=f"随问题{finding.id}的复核",
                actor=actor,
                follows=decision,
            )
            changed.append((other, followed))
    return changed


def _decide_again(session: Session, result_id: int, decision: FindingDecision) -> None:
    result = session.get(CheckResult, result_id)
    assert result is not None
    run = store.get_run(session, result.run_id)
    decided = judge(
        result.collection, store.result_findings(session, result.id), run.thresholds.get("scoring")
    )
    store.set_verdict(
        session,
        result.id,
        verdict=decided.verdict,
        score=decided.score,
        reason=decided.reason,
        decision=decision,
    )


def review_findings(
    session: Session, finding_ids: list[int | str], *, status: str, note: str | None, actor: str
) -> list[Finding]:
    """Confirm or dismiss many findings in one unit of work, all or nothing: one refused
    finding (unknown, or already in that state) refuses them all, naming every refused id."""
    ids: list[int | str] = list(dict.fromkeys(finding_ids))
    if not ids:
        raise InvalidValue("问题ID", "", "请给出至少一个问题ID")
    findings = [store.get_finding(session, fid) for fid in ids]
    already = [f.id for f in findings if f.status == status]
    if already and len(ids) > 1:
        shown = "、".join(str(i) for i in already[:10]) + ("…" if len(already) > 10 else "")
        raise Conflict(
            "问题ID", shown, f"已是「{FINDING_STATUS.label(status)}」状态；全部 {len(ids)} 条问题均未改动"
        )
    return [review_finding(session, f.id, status=status, note=note, actor=actor) for f in findings]
