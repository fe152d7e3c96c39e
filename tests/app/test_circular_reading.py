"""The circular read as a person reads it: opened from the .docx a real check produced (the
rules' own evidence, with its fractional day counts and ISO times, on SQLite with both
profiles), every paragraph and table cell looked at.

- no ISO date or clock time, no fractional day count, no 「」, no English or code word
  (wechat, veto, pending … any code of ``registry.vocab``) outside the links;
- every picture sits in a paragraph of automatic line spacing, with its caption;
- the annex table repeats its header row on every page;
- the 发文字号, 抄送 and the rest of the letterhead are as configured, and nothing is printed
  where nothing is configured (no empty 发文字号 paragraph, no 抄送 line);
- every number in the text is one of the stored figures (``check show``), in its place.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.enum.text import WD_LINE_SPACING

from registry.timeutil import TZ
from registry.vocab import ALL
from tests.app.test_one_truth import AT, WINDOW, build

CODES = {code.lower() for vocabulary in ALL.values() for code in vocabulary.codes}
LINK = re.compile(r"(?:https?://)?(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?::\d+)?(?:/\S*)?|https?://\S+")
ISO_TIME = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}:\d{2}")
REPORT = {
    "GOVMEDIA_REPORT_ISSUER": "甘肃省政务公开办公室",
    "GOVMEDIA_REPORT_MASTHEAD": "甘肃省人民政府办公厅 甘肃省政务公开办公室文件",
    "GOVMEDIA_REPORT_ADDRESSEES": "兰州市人民政府，各县（区）人民政府",
    "GOVMEDIA_REPORT_CC": "省委网信办，省大数据中心",
    "GOVMEDIA_REPORT_PRINTED_BY": "甘肃省政务公开办公室秘书科",
    "GOVMEDIA_REPORT_DOC_NO": "甘政务公开办〔{year}〕{seq}号",
    "GOVMEDIA_REPORT_BASIS": "政府网站与政务新媒体检查指标（国办秘函〔2019〕19号）,《甘肃省政务新媒体管理办法》",
    "GOVMEDIA_REPORT_SCOPE": "全市",
}


def _json(cli, db: str, *args: str) -> Any:  # type: ignore[no-untyped-def]
    result = cli(["--db", db, *args])
    assert result.code == 0, result
    return json.loads(result.out)


def _circular(  # type: ignore[no-untyped-def]
    cli, db: str, tmp_path: Path, profile: str, *, spot_check: bool = False
) -> tuple[dict, dict, docx.Document]:
    """The registry of ``test_one_truth``, its monthly check (and, with ``spot_check``, a
    weekly one two weeks earlier, so the trend has two points), and the circular of November."""
    build(db, tmp_path, cli, chinese=True)
    if spot_check:
        early = (AT - timedelta(days=14)).astimezone(TZ).strftime("%Y-%m-%d %H:%M")
        _json(
            cli,
            db,
            "check",
            "run",
            "--kind",
            "weekly",
            "--at",
            early,
            "--sample-rate",
            "1",
            "--format",
            "json",
        )
    at = AT.astimezone(TZ).strftime("%Y-%m-%d %H:%M")
    run = _json(
        cli, db, "check", "run", "--kind", "monthly", "--at", at, "--profile", profile, "--format", "json"
    )
    circ = _json(
        cli, db, "report", "circular", "--from", WINDOW[0], "--to", WINDOW[1], "--out", str(tmp_path / "c"),
        "--format", "json",
    )  # fmt: skip
    return run, circ, docx.Document(circ["files"]["docx"])


def _texts(document: docx.Document) -> list[str]:
    texts = [p.text for p in document.paragraphs]
    texts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    for section in document.sections:
        texts += [p.text for p in section.footer.paragraphs] + [p.text for p in section.header.paragraphs]
    return [t for t in texts if t.strip()]


@pytest.mark.parametrize("profile", ["national", "gansu"])
def test_no_machine_wording_anywhere(
    sqlite_db: str, tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch, profile: str
) -> None:  # type: ignore[no-untyped-def]
    for key, value in REPORT.items():
        monkeypatch.setenv(key, value)
    run, circ, document = _circular(cli, sqlite_db, tmp_path, profile)
    assert not circ["draft"], circ["draft_reasons"]
    evidence = json.dumps([f["evidence"] for a in run["accounts"] for f in a["findings"]], ensure_ascii=False)
    assert re.search(r"\d+\.\d+", evidence) and re.search(
        r"\d{4}-\d{2}-\d{2}T", evidence
    )  # what the rules stored
    for text in _texts(document):
        words = LINK.sub("", text)
        assert not ISO_TIME.search(words), text
        assert not re.search(r"\d+\.\d+\s*天", words), text
        assert "「" not in text and "」" not in text, text
        english = re.findall(r"[A-Za-z_]+", words)
        assert not english, (text, sorted({w for w in english if w.lower() in CODES}))
        assert "疑似" not in text, text


def test_pictures_captions_and_the_annex_table_print(
    sqlite_db: str, tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    for key, value in REPORT.items():
        monkeypatch.setenv(key, value)
    _, circ, document = _circular(cli, sqlite_db, tmp_path, "national", spot_check=True)
    pictures = [p for p in document.paragraphs if p._p.xpath(".//w:drawing")]
    assert len(pictures) == len(circ["charts"]) >= 1  # one platform, one 市州: the trend only
    for picture in pictures:
        assert picture.paragraph_format.line_spacing_rule not in (
            WD_LINE_SPACING.EXACTLY,
            WD_LINE_SPACING.AT_LEAST,
        )
    texts = [p.text for p in document.paragraphs]
    captions = [t for t in texts if re.fullmatch(r"图\d  .+（%）", t)]
    assert [c[:2] for c in captions] == [f"图{n}" for n in range(1, len(pictures) + 1)]
    assert any("见图1" in t for t in texts)
    for table in document.tables:
        header = table.rows[0]._tr.trPr
        assert header is not None and header.find(docx.oxml.ns.qn("w:tblHeader")) is not None
    assert document.core_properties.language == "zh-CN"


def test_the_letterhead_is_as_configured(
    sqlite_db: str, tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    for key, value in REPORT.items():
        monkeypatch.setenv(key, value)
    _, circ, document = _circular(cli, sqlite_db, tmp_path, "national")
    texts = [p.text for p in document.paragraphs if p.text.strip()]
    number = f"甘政务公开办〔{date.today().year}〕1号"
    assert texts[:3] == [
        REPORT["GOVMEDIA_REPORT_MASTHEAD"],
        number,
        "关于2026年11月全市政务新媒体检查情况的通报",
    ]
    assert circ["doc_no"] == number
    assert texts[3] == "兰州市人民政府，各县（区）人民政府："
    assert texts[4].startswith(
        "根据《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）和《甘肃省政务新媒体管理办法》要求，"
        "甘肃省政务公开办公室于2026年11月1日至11月30日对全市政务新媒体开展了检查。"
    )
    assert "　抄送：省委网信办，省大数据中心" in texts
    assert any(t.startswith("　甘肃省政务公开办公室秘书科") and t.endswith("印发") for t in texts)
    assert texts.count("甘肃省政务公开办公室") == 1  # the 落款


def test_nothing_is_printed_where_nothing_is_configured(sqlite_db: str, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result_run, circ, document = _circular(cli, sqlite_db, tmp_path, "national")
    texts = [p.text for p in document.paragraphs]
    assert circ["doc_no"] == "" and not any("号" in t and "〔" in t and "国办" not in t for t in texts)
    assert not any("抄送" in t for t in texts)
    masthead = texts.index("省政务公开办公室文件")
    title = texts.index("关于2026年11月全省政务新媒体检查情况的通报")
    between = document.paragraphs[masthead + 1 : title]
    assert all(not p.text.strip() for p in between) and len(between) == 3  # spacing and the red rule only
    assert result_run["run_id"]


def _body(document: docx.Document) -> str:
    texts = [p.text for p in document.paragraphs]
    return "\n".join(texts[: texts.index("附件1") if "附件1" in texts else len(texts)])


@pytest.mark.parametrize("profile", ["national", "gansu"])
def test_every_number_in_the_text_is_a_stored_figure(
    sqlite_db: str, tmp_path: Path, cli, profile: str
) -> None:  # type: ignore[no-untyped-def]
    run, _, document = _circular(cli, sqlite_db, tmp_path, profile)
    accounts = run["accounts"]
    judged = [a for a in accounts if a["verdict"] != "uncollected"]
    bad = [a for a in accounts if a["verdict"] == "unqualified"]
    problems = Counter(
        rule
        for a in judged
        for rule in {
            f["rule"]
            for f in a["findings"]
            if f["status"] == "confirmed" and f["level"] in ("veto", "deduct")
        }
    )
    q, u, n = len(judged) - len(bad), len(bad), len(accounts) - len(judged)
    by_veto = sum(1 for a in bad if a["reason"]["basis"] == "veto")
    registry = 34
    share = f"{round(len(judged) / registry * 100, 2):.2f}%"
    expected = {
        "个": {registry, len(judged), q, u, n, by_veto, u - by_veto, *problems.values()},
        "次": {1},
        "%": {run["pass_rate_text"], share, f"{q / len(judged) * 100:.2f}%", "95%"},
    }
    body = _body(document)
    body = re.sub(r"\d{4}年(\d{1,2}月)?(\d{1,2}日)?|\d{1,2}月\d{1,2}日|\d{1,2}月", "", body)  # dates, months
    body = re.sub(r"〔\d{4}〕\d+号|图\d+|“[^”]*”|某区\d{2}", "", body)  # numbers, figures, names
    found = re.findall(r"(\d+(?:\.\d+)?)(%|个百分点|个|次|项|条)", body)
    assert found
    for value, unit in found:
        allowed = expected.get(unit, set())
        shown = f"{value}%" if unit == "%" else int(value)
        assert shown in allowed, (value, unit, allowed)
    assert f"其中合格{q}个，不合格{u}个，合格率{run['pass_rate_text']}" in body
    for rule, count in problems.items():
        from registry.vocab import RULE

        assert f"是{RULE.label(rule)}。共{count}个账号" in body


def test_the_notices_read_as_sentences_too(sqlite_db: str, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    _circular(cli, sqlite_db, tmp_path, "gansu")
    notices = _json(
        cli, sqlite_db, "report", "notices", "--from", WINDOW[0], "--to", WINDOW[1], "--out", str(tmp_path / "n"),
        "--format", "json",
    )  # fmt: skip
    assert notices["units"] == 5
    for path in notices["files"].values():
        document = docx.Document(path)
        for text in _texts(document):
            words = LINK.sub("", text)
            assert not ISO_TIME.search(words) and not re.search(r"\d+\.\d+\s*天", words), text
            assert "「" not in text and not re.findall(r"[A-Za-z_]+", words), text
            assert "证据：无" not in text and "。。" not in text, text
        items = [p.text for p in document.paragraphs if re.match(r"\d+\. “", p.text)]
        assert items and all(t.endswith("）") for t in items)  # each item ends with its ledger number
