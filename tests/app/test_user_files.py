"""Every import reads users' files through the one reader: the same GBK CSV that Excel/WPS
writes in China, with Chinese headers, goes into account, post, observe and lexicon import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.factories import CITY, PROVINCE, active_account, small_registry


def gbk(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("gbk"))
    return path


@pytest.fixture
def registry(tmp_path: Path) -> int:
    db = str(tmp_path / "govmedia.db")
    small_registry(db)
    return active_account(db, unit=CITY, platform="weibo", name="兰州发布", platform_id="1669879400")


def test_account_import_reads_a_gbk_csv_with_chinese_headers(cli, registry: int, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = gbk(
        tmp_path / "登记表.csv",
        f"主办单位,平台,账号名称,平台账号ID\n{PROVINCE},微信公众号,甘肃发布,gh_0123456789ab\n",
    )
    result = cli(["account", "import", str(path)])
    assert result.code == 0, result
    listed = json.loads(cli("account list --format json").out)
    assert "甘肃发布" in [a["name"] for a in listed]


def test_post_import_reads_gbk_with_chinese_headers(cli, registry: int, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = gbk(tmp_path / "内容.csv", f"账号,内容ID,发布时间,标题\n{registry},p1,2026/11/20 9:30,兰州新闻\n")
    result = cli(["post", "import", str(path)])
    assert result.code == 0, result
    posts = json.loads(cli(f"post list --account {registry} --format json").out)
    assert posts[0]["title"] == "兰州新闻" and posts[0]["published_at"] == "2026-11-20T09:30:00+08:00"


def test_observe_import_reads_gbk_with_chinese_rule_names(cli, registry: int, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = gbk(
        tmp_path / "人工检查.csv",
        f"账号ID,规则,级别,检查说明,检查时间\n{registry},未提供有效互动功能,单项否决,留言入口无法打开,2026年11月20日 10:00\n",
    )
    result = cli(["observe", "import", str(path)])
    assert result.code == 0 and "1 条" in result.out, result


def test_lexicon_import_reads_gbk_with_chinese_kinds(cli, registry: int, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = gbk(
        tmp_path / "词库.csv", "词语,类别,正确表述\n某错误提法,严重表述错误,某正确提法\n某广告语,商业广告,\n"
    )
    result = cli(["lexicon", "import", str(path)])
    assert result.code == 0 and "已导入 2 个" in result.out, result
    listed = json.loads(cli("lexicon list --kind ad --format json").out)
    assert "某广告语" in [e["phrase"] for e in listed]


@pytest.mark.parametrize(
    ("command", "suffix"),
    [
        ("account import", ".xlsx"),
        ("post import", ".csv"),
        ("observe import", ".xlsx"),
        ("lexicon import", ".csv"),
    ],
)
def test_a_damaged_file_is_one_chinese_line(
    cli, registry: int, tmp_path: Path, command: str, suffix: str
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"坏文件{suffix}"
    path.write_bytes(b"PK\x03\x04\x00\x00garbage\x00\xff\xfe" * 20)
    result = cli([*command.split(), str(path)])
    assert result.code == 2, result
    assert result.err.startswith("错误：") and "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1 and "Error" not in result.err
