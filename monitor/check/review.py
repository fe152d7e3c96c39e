"""人工复核: a person confirms or dismisses a machine finding; the account's verdict is then
decided again by ``monitor.check.verdict`` and stored with the run.

Dismissing needs a note (why the machine was wrong). A finding already in the asked state is
refused, so a double click never records two decisions.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from monitor.check.verdict import judge
from registry.checks import store
from registry.checks.models import CheckResult, Finding
from registry.errors import Conflict, InvalidValue
from registry.vocab import FINDING_STATUS


def review_finding(
    session: Session, finding_id: int | str, *, status: str, note: str | None, actor: str
) -> Finding:
    """Confirm or dismiss a finding (复核), then store its account's new verdict and score."""
    if status not in ("confirmed", "dismissed"):
        raise InvalidValue("状态", status, "应为已确认（confirmed）或已排除（dismissed）")
    finding = store.get_finding(session, finding_id)
    text = note.strip() if note and note.strip() else None
    if status == "dismissed" and text is None:
        raise InvalidValue("复核意见", note or "", "排除问题必须用 --note 说明理由")
    if finding.status == status:
        raise Conflict("问题ID", finding_id, f"该问题已是「{FINDING_STATUS.label(status)}」状态")
    store.record_review(session, finding, status=status, note=text, actor=actor)
    run = store.get_run(session, finding.run_id)
    result = session.get(CheckResult, finding.result_id)
    assert result is not None
    decided = judge(
        result.collection, store.result_findings(session, result.id), run.thresholds.get("scoring")
    )
    store.set_verdict(session, result.id, verdict=decided.verdict, score=decided.score, reason=decided.reason)
    return finding


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
