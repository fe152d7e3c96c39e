"""``govmedia status``: what the registry holds and what to do next, in one screen."""

from __future__ import annotations

import json
import sys
from typing import Any

from monitor.app.cli.output import STATE, Format, FormatOpt, say, session, time_text
from registry.vocab import ACCOUNT_STATUS, CHECK_KIND, JOB, OUTCOME, PLATFORM


def status(fmt: FormatOpt = Format.table) -> None:
    """现状与下一步：备案库规模、待审核报备、未能采集的账号及原因、待复核问题、逾期整改、最近一次采集/检查/通报和下一个定时任务。"""
    from monitor import status as summary
    from monitor.app.config import load_config
    from registry.db import utcnow

    config = load_config(STATE.config)
    now = utcnow()
    with session() as s:
        data = summary.status(s, now=now, freshness_days=_freshness(config))
    data["next_job"] = _next_job(config, now)
    if fmt is Format.json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    for line in lines(data):
        say(line)
    if config.problems:  # status still answers (with the defaults), and says what to fix
        print(f"提示：配置有 {len(config.problems)} 处错误，请运行 govmedia config check", file=sys.stderr)


def _freshness(config: Any) -> float:
    from monitor import profile

    try:
        return float(profile.load(config.get("profile", "name") or None).get("freshness_days", 3))
    except Exception:  # a broken profile is `config check`'s to report; status still answers
        return 3.0


def _next_job(config: Any, now: Any) -> dict[str, Any] | None:
    from monitor.app import scheduler

    try:
        jobs = scheduler.builtin_jobs(config)
    except Exception:  # an invalid [schedule] is `config check`'s to report
        return None
    upcoming = sorted((scheduler.next_occurrence(j.kind, j.when, now), j) for j in jobs)
    if not upcoming:
        return None
    when, job = upcoming[0]
    return {"job": job.name, "label": job.label, "at": when.isoformat(timespec="seconds")}


def lines(data: dict[str, Any]) -> list[str]:
    """The status as the lines a person reads, each problem with the command that deals with it."""
    counts = data["accounts"]
    parts = "，".join(f"{ACCOUNT_STATUS.label(k)} {counts[k]}" for k in ACCOUNT_STATUS.codes if counts.get(k))
    out = [
        f"备案库：主办单位 {data['units']} 个，账号 {sum(counts.values())} 个"
        + (f"（{parts}）" if parts else "")
    ]
    if not counts:
        out.append(
            "  下一步：登记主办单位和账号：govmedia unit import 单位登记表.xlsx；govmedia account import 备案登记表.xlsx"
        )
    if data["pending"]:
        since = time_text(data["pending_since"] or "")
        out.append(f"待审核报备：{data['pending']} 个（最早的报备于 {since}）")
        out.append(
            "  下一步：govmedia account list --status 待审核；govmedia account approve --all-pending 或 account reject ID… --reason …"
        )
    if data["rejected"]:
        out.append(f"已驳回待修改的报备：{data['rejected']} 个（govmedia account list --status 已驳回）")
    out += _collection(data)
    if data["candidates"]:
        out.append(f"待复核问题：{data['candidates']} 条")
        out.append("  下一步：govmedia finding list --status 待复核；govmedia finding confirm|dismiss ID…")
    if data["overdue"]:
        out.append(
            f"整改逾期：{data['overdue']} 项已过整改期限仍未销号（涉及 {data['overdue_units']} 个单位）"
        )
        out.append(
            "  下一步：govmedia rectify list --status 已反馈；登记整改：govmedia rectify record 事项ID --note …"
        )
    out += _recent(data)
    return out


def _collection(data: dict[str, Any]) -> list[str]:
    out = [f"最近一次采集：{time_text(data['last_crawl']) if data['last_crawl'] else '从未采集'}"]
    if data["active"] and not data["last_crawl"]:
        out.append("  下一步：govmedia crawl（采集全部已备案账号）")
    if data["never_collected_count"]:
        out.append(f"从未成功采集的账号：{data['never_collected_count']} 个")
        out += [
            f"  {_who(a)}" + (f"：{OUTCOME.label(a['outcome'])}" if a["outcome"] else "")
            for a in data["never_collected"]
        ]
        out += _more(data["never_collected_count"], len(data["never_collected"]))
    if data["failing_count"]:
        out.append(f"最近采集失败、已超过时效的账号：{data['failing_count']} 个（检查时计为未能采集）")
        for a in data["failing"]:
            why = OUTCOME.label(a["outcome"]) + (f"（{a['detail']}）" if a["detail"] else "")
            last = time_text(a["last_success"]) if a["last_success"] else "从未"
            out.append(f"  {_who(a)}：{why}；最近成功采集 {last}")
        out += _more(data["failing_count"], len(data["failing"]))
    if data["never_collected_count"] or data["failing_count"]:
        out.append("  下一步：检查凭据与采集地址（govmedia config check），再 govmedia crawl --account ID")
    return out


def _who(a: dict[str, Any]) -> str:
    return f"{a['name']}（{PLATFORM.label(a['platform'])}，{a['unit']}，账号ID {a['account_id']}）"


def _more(total: int, shown: int) -> list[str]:
    return [f"  ……另有 {total - shown} 个"] if total > shown else []


def _recent(data: dict[str, Any]) -> list[str]:
    out = []
    check = data["last_check"]
    if check:
        out.append(
            f"最近一次检查：检查批次 {check['run_id']}（{CHECK_KIND.label(check['kind'])}），"
            f"监测时间点 {time_text(check['at'])}（govmedia check show {check['run_id']}）"
        )
    else:
        out.append("最近一次检查：尚未检查（govmedia check run --kind 周抽查）")
    circular = data["last_circular"]
    if circular:
        out.append(
            f"最近一次通报：{circular['title']}（{circular['window_from']} 至 {circular['window_to']}，"
            f"生成于 {time_text(circular['created_at'])}）"
        )
    else:
        out.append("最近一次通报：尚未生成（govmedia report circular --from … --to … --out 目录）")
    job = data.get("next_job")
    if job:
        out.append(
            f"下一个定时任务：{time_text(job['at'])} {JOB.label(job['job'])}（需运行 govmedia schedule run）"
        )
    return out
