"""Configuration: govmedia.toml, GOVMEDIA_… variables, masking, checks, the database precedence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.app.config import crawl_env, env_name, load_config
from registry.masking import mask_url

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"

FULL = """
[database]
url = "postgresql://govmedia:s3cretpw@db.example.gov.cn/govmedia"

[smtp]
host = "127.0.0.1"
port = 2525
user = "alert"
password = "mail-password-123"
sender = "alert@example.gov.cn"

[webhook]
wecom = ["https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdef-123456"]

[weibo]
cookie = "SUB=weibo-cookie-value-0001"

[wechat]
base_url = "http://127.0.0.1:8800/wechat"

[crawl]
delay = 1.5
"""


def write(tmp_path: Path, text: str, name: str = "govmedia.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("section", "key", "variable"),
    [
        ("smtp", "host", "GOVMEDIA_SMTP_HOST"),
        ("weibo", "cookie", "GOVMEDIA_WEIBO_COOKIE"),
        ("wechat", "base_url", "GOVMEDIA_WECHAT_BASE_URL"),
        ("crawl", "delay", "GOVMEDIA_CRAWL_DELAY"),
        ("wechat", "token", "GOVMEDIA_WECHAT_TOKEN"),
        ("bilibili", "daily_budget", "GOVMEDIA_BILIBILI_DAILY_BUDGET"),
        ("crawl", "user_agent", "GOVMEDIA_USER_AGENT"),  # the spiders' own names
        ("crawl", "store_batch", "GOVMEDIA_STORE_BATCH"),
        ("report", "issuer", "GOVMEDIA_REPORT_ISSUER"),
        ("report", "doc_no", "GOVMEDIA_REPORT_DOC_NO"),
        ("report", "deadline_workdays", "GOVMEDIA_REPORT_DEADLINE_WORKDAYS"),
    ],
)
def test_environment_variable_names(section: str, key: str, variable: str) -> None:
    assert env_name(section, key) == variable


def test_file_then_environment_then_default(tmp_path: Path) -> None:
    path = write(tmp_path, FULL)
    config = load_config(str(path), env={"GOVMEDIA_SMTP_PORT": "465"})
    assert config.problems == []
    assert config.get("smtp", "host") == "127.0.0.1"  # file
    assert config.get("smtp", "port") == 465  # environment wins over the file
    assert config.sources["smtp.port"] == "环境变量 GOVMEDIA_SMTP_PORT"
    assert config.get("smtp", "security") == "none"  # default
    assert config.get("crawl", "delay") == 1.5


def test_default_file_in_working_directory(tmp_path: Path) -> None:
    write(tmp_path, '[schedule]\nweekly = "周三 8:00"\n')
    config = load_config(None, env={})
    assert config.path == Path("govmedia.toml")
    assert config.get("schedule", "weekly") == "wednesday 08:00"


@pytest.mark.parametrize(
    ("variable", "value", "reason"),
    [
        ("GOVMEDIA_SMTP_PORT", "abc", "1–65535"),
        ("GOVMEDIA_SMTP_PORT", "70000", "1–65535"),
        ("GOVMEDIA_SMTP_SECURITY", "tls", "none、starttls、ssl"),
        ("GOVMEDIA_SCHEDULE_WEEKLY", "funday 09:00", "星期"),
        ("GOVMEDIA_SCHEDULE_MONTHLY", "31 09:00", "1–28"),
        ("GOVMEDIA_SCHEDULE_ALERTS", "25:00", "HH:MM"),
        ("GOVMEDIA_ALERTS_STEPS", "12:leader,10:operator", "递增"),
        ("GOVMEDIA_ALERTS_STEPS", "10:boss", "operator"),
        ("GOVMEDIA_WEBHOOK_WECOM", "not-a-url", "完整地址"),
        ("GOVMEDIA_CRAWL_DELAY", "-1", "0 到 3600"),
        ("GOVMEDIA_CRAWL_DELAY", "inf", "0 到 3600"),
        ("GOVMEDIA_SCHEDULE_WINDOWS", "2026-10-01..2026-09-30", "早于"),
        ("GOVMEDIA_REPORT_DOC_NO", "甘政务公开办〔{year}〕号", "{seq}"),
        ("GOVMEDIA_REPORT_DOC_NO", "甘〔{yr}〕{seq}号", "{yr}"),
        ("GOVMEDIA_REPORT_SCOPE", "全国", "全省、全区、全市、全州、全县"),
        ("GOVMEDIA_REPORT_DEADLINE_WORKDAYS", "0", "1–120"),
    ],
)
def test_invalid_values_name_key_value_and_reason(variable: str, value: str, reason: str) -> None:
    config = load_config(None, env={variable: value})
    assert len(config.problems) == 1
    problem = config.problems[0]
    assert problem.value == value
    assert reason in problem.reason
    assert problem.key.replace(".", "_").upper() == variable.removeprefix("GOVMEDIA_")


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("GOVMEDIA_SMTP_PORT", "587", 587),
        ("GOVMEDIA_SCHEDULE_WEEKLY", "MON 9:05", "monday 09:05"),
        ("GOVMEDIA_SCHEDULE_MONTHLY", "28 23:59", "28 23:59"),
        ("GOVMEDIA_ALERTS_STEPS", "7:负责人, 12:分管领导", "7:operator,12:leader"),
        (
            "GOVMEDIA_WEBHOOK_GENERIC",
            "http://a.example/x,http://b.example/y",
            ["http://a.example/x", "http://b.example/y"],
        ),
    ],
)
def test_valid_values_are_normalised(variable: str, value: str, expected: object) -> None:
    """(The [report] keys are below: their names hold an underscore.)"""
    config = load_config(None, env={variable: value})
    assert config.problems == []
    section, key = variable.removeprefix("GOVMEDIA_").lower().split("_", 1)
    assert config.get(section, key) == expected


def test_unknown_sections_and_keys_are_problems(tmp_path: Path) -> None:
    path = write(tmp_path, '[smtp]\nhots = "x"\n[mail]\nhost = "y"\n')
    keys = {p.key for p in load_config(str(path), env={}).problems}
    assert keys == {"smtp.hots", "[mail]"}


def test_crawl_env_carries_credentials_and_base_urls_only(tmp_path: Path) -> None:
    config = load_config(
        str(write(tmp_path, FULL)),
        env={"GOVMEDIA_BILIBILI_COOKIE": "bl-cookie", "GOVMEDIA_USER_AGENT": "ua/1"},
    )
    env = crawl_env(config)
    assert env == {
        "GOVMEDIA_WEIBO_COOKIE": "SUB=weibo-cookie-value-0001",
        "GOVMEDIA_WECHAT_BASE_URL": "http://127.0.0.1:8800/wechat",
        "GOVMEDIA_BILIBILI_COOKIE": "bl-cookie",
        "GOVMEDIA_USER_AGENT": "ua/1",
        "GOVMEDIA_CRAWL_DELAY": "1.5",
    }


def test_crawl_env_leaves_the_spiders_defaults_alone() -> None:
    assert crawl_env(load_config(None, env={})) == {}


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "https://oapi.dingtalk.com/robot/send?access_token=abc123",
            "https://oapi.dingtalk.com/robot/send?access_token=******",
        ),
        ("postgresql://u:pw@host/db", "postgresql://u:******@host/db"),
        ("http://127.0.0.1:9000/hook", "http://127.0.0.1:9000/hook"),
    ],
)
def test_mask_url(url: str, shown: str) -> None:
    assert mask_url(url) == shown


def test_config_show_masks_secrets(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, FULL)
    result = cli(["--config", str(path), "config", "show", "--format", "json"])
    assert result.code == 0, result
    rows = {r["key"]: r for r in json.loads(result.out)}
    assert set(rows["smtp.host"]) == {"key", "value", "source", "env", "secret", "help"}
    assert rows["smtp.password"]["value"] == "******-123"
    assert rows["weibo.cookie"]["value"].startswith("******")
    assert "weibo-cookie" not in result.out and "mail-password" not in result.out
    assert "abcdef-123456" not in result.out and "s3cretpw" not in result.out
    assert rows["crawl.delay"]["source"] == "环境变量 GOVMEDIA_CRAWL_DELAY"  # conftest sets it
    assert rows["smtp.host"]["source"] == "配置文件"


def test_config_check_reports_every_problem(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, '[smtp]\nport = "abc"\nhost = "mail"\n[schedule]\nweekly = "funday 9:00"\n')
    result = cli(["--config", str(path), "config", "check"])
    assert result.code == 2
    assert "配置项「smtp.port」的值「abc」无效：应为 1–65535 之间的整数" in result.err
    assert "配置项「schedule.weekly」的值「funday 9:00」无效" in result.err
    assert "配置项「smtp.sender」" in result.err
    assert "Traceback" not in result.err


def test_config_check_accepts_a_valid_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli(["--config", str(write(tmp_path, FULL)), "config", "check"])
    assert result.code == 0, result
    assert "配置有效" in result.out


def test_example_file_in_deploy_is_valid(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("GOVMEDIA_CRAWL_DELAY")
    result = cli(["--config", str(DEPLOY / "govmedia.toml.example"), "config", "check"])
    assert result.code == 0, result


def test_systemd_unit_runs_the_scheduler() -> None:
    unit = (DEPLOY / "govmedia-scheduler.service").read_text(encoding="utf-8")
    assert "schedule run" in unit
    assert "KillMode=mixed" in unit  # SIGTERM to the scheduler only; it stops between jobs


@pytest.mark.parametrize(
    ("text", "reason"),
    [(None, "文件不存在"), ("[smtp\nhost=", "不是有效的 TOML")],
)
def test_unreadable_config_file_is_one_chinese_line(
    cli, tmp_path: Path, text: str | None, reason: str
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.toml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    result = cli(["--config", str(path), "config", "check"])
    assert result.code == 2
    assert reason in result.err and "Traceback" not in result.err


def test_database_url_from_config_when_no_db_given(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("GOVMEDIA_DB")
    from_config = tmp_path / "from-config.db"
    path = write(tmp_path, f'[database]\nurl = "{from_config}"\n')
    assert cli(["--config", str(path), "db", "upgrade"]).code == 0
    assert from_config.exists()
    explicit = tmp_path / "explicit.db"
    assert cli(["--config", str(path), "--db", str(explicit), "db", "upgrade"]).code == 0
    assert explicit.exists()
    env_db = tmp_path / "env.db"
    monkeypatch.setenv("GOVMEDIA_DB", str(env_db))
    assert cli(["--config", str(path), "db", "upgrade"]).code == 0
    assert env_db.exists()
    monkeypatch.delenv("GOVMEDIA_DB")
    monkeypatch.setenv("GOVMEDIA_DATABASE_URL", str(tmp_path / "env-url.db"))
    assert cli(["--config", str(path), "db", "upgrade"]).code == 0
    assert (tmp_path / "env-url.db").exists()


@pytest.mark.parametrize(
    ("profile", "code", "message"),
    [("gansu", 0, "配置有效"), ("no-such-profile", 2, "配置项「profile.name」的值「no-such-profile」无效")],
)
def test_config_check_loads_the_profile(  # type: ignore[no-untyped-def]
    cli, monkeypatch: pytest.MonkeyPatch, profile: str, code: int, message: str
) -> None:
    monkeypatch.setenv("GOVMEDIA_PROFILE_NAME", profile)
    result = cli("config check")
    assert result.code == code, result
    assert message in result.out + result.err


REPORT = """
[report]
issuer = "甘肃省政务公开办公室"
masthead = "甘肃省政务公开办公室文件"
addressees = "各市（州）人民政府，省政府各部门"
cc = "省委网信办"
printed_by = "甘肃省政务公开办公室秘书科"
doc_no = "甘政务公开办〔{year}〕{seq}号"
basis = ["《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）", "《甘肃省政务新媒体管理办法》"]
scope = "全市"
deadline_workdays = 10
"""


def test_the_report_section_gives_the_circulars_settings(tmp_path: Path) -> None:
    from monitor.app.config import report_settings

    config = load_config(str(write(tmp_path, REPORT)), env={"GOVMEDIA_REPORT_CC": "省委网信办，省大数据中心"})
    assert config.problems == []
    settings = report_settings(config)
    assert (settings.issuer, settings.masthead_text, settings.printer) == (
        "甘肃省政务公开办公室",
        "甘肃省政务公开办公室文件",
        "甘肃省政务公开办公室秘书科",
    )
    assert settings.cc == "省委网信办，省大数据中心"  # the environment wins
    assert settings.number(2026, 13) == "甘政务公开办〔2026〕13号"
    assert settings.basis == (
        "《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）",
        "《甘肃省政务新媒体管理办法》",
    )
    assert (settings.scope, settings.deadline_workdays) == ("全市", 10)
    overridden = report_settings(config, issuer="某市政务公开办", addressees=None)
    assert overridden.issuer == "某市政务公开办" and overridden.addressees == settings.addressees


def test_without_a_report_section_the_defaults_print_no_number_and_no_cc() -> None:
    from monitor.app.config import report_settings

    settings = report_settings(load_config(None, env={}))
    assert (settings.doc_no, settings.cc, settings.masthead_text) == ("", "", "省政务公开办公室文件")
    assert settings.documents()[0] == "《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）"
    env = load_config(None, env={"GOVMEDIA_REPORT_BASIS": "甲（某〔2020〕1号）,乙有关规定"})
    assert report_settings(env).basis_text() == "《甲》（某〔2020〕1号）和乙有关规定"


def test_config_show_lists_the_report_keys(cli) -> None:  # type: ignore[no-untyped-def]
    rows = json.loads(cli("config show --format json").out)
    keys = {r["key"]: r["env"] for r in rows}
    for key in (
        "issuer",
        "masthead",
        "addressees",
        "cc",
        "printed_by",
        "doc_no",
        "basis",
        "scope",
        "deadline_workdays",
    ):
        assert keys[f"report.{key}"] == f"GOVMEDIA_REPORT_{key.upper()}"
