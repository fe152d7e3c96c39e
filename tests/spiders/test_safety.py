"""Untrusted URLs: schemes, private addresses after DNS, the allow-list; and outcome rules."""

from __future__ import annotations

import pytest

from spiders.outcomes import AuthExpired, Blocked, Failed, Gone, check_http, check_markers, redact
from spiders.safety import AllowList, UnsafeUrl, check_url, is_public


def fake_dns(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    return lambda host: table[host]


DNS = fake_dns(
    {
        "feeds.example.gov.cn": ["203.0.113.10"],  # documentation range: not global
        "rss.gansu.gov.cn": ["101.37.1.1"],
        "intranet.gansu.gov.cn": ["10.20.30.40"],
        "rebind.example.cn": ["101.37.1.1", "127.0.0.1"],
        "v6.example.cn": ["2408:8000::1"],
        "v6local.example.cn": ["fe80::1"],
    }
)


@pytest.mark.parametrize(
    ("url", "allow", "refused"),
    [
        ("https://rss.gansu.gov.cn/weibo/user/1", "", False),
        ("http://rss.gansu.gov.cn:8080/feed", "", False),
        ("ftp://rss.gansu.gov.cn/feed", "", True),
        ("file:///etc/passwd", "", True),
        ("gopher://rss.gansu.gov.cn/", "", True),
        ("http://127.0.0.1:1200/feed", "", True),
        ("http://localhost/feed", "", True),
        ("http://10.1.2.3/feed", "", True),
        ("http://192.168.1.5/feed", "", True),
        ("http://169.254.169.254/latest/meta-data", "", True),
        ("http://[::1]/feed", "", True),
        ("http://0.0.0.0/feed", "", True),
        ("http://intranet.gansu.gov.cn/rss", "", True),
        ("http://rebind.example.cn/rss", "", True),  # any private address refuses
        ("http://v6.example.cn/rss", "", False),
        ("http://v6local.example.cn/rss", "", True),
        ("http://feeds.example.gov.cn/rss", "", True),
        ("http://intranet.gansu.gov.cn/rss", "1", False),
        ("http://intranet.gansu.gov.cn/rss", "intranet.gansu.gov.cn", False),
        ("http://intranet.gansu.gov.cn:1200/rss", "intranet.gansu.gov.cn:1200", False),
        ("http://intranet.gansu.gov.cn:1201/rss", "intranet.gansu.gov.cn:1200", True),
        ("http://127.0.0.1:5000/rss", "127.0.0.1:5000", False),
        ("http://localhost:5000/rss", "127.0.0.1:5000", True),
        ("ftp://intranet.gansu.gov.cn/rss", "1", True),  # the allow-list never opens other schemes
    ],
)
def test_check_url(url: str, allow: str, refused: bool) -> None:
    def resolver(host: str) -> list[str]:
        if host == "localhost":
            return ["127.0.0.1"]
        return DNS(host)

    if refused:
        with pytest.raises(UnsafeUrl):
            check_url(url, allow=AllowList(allow), resolver=resolver)
    else:
        check_url(url, allow=AllowList(allow), resolver=resolver)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("10.0.0.1", False),
        ("172.16.0.1", False),
        ("100.64.0.1", False),
        ("::ffff:127.0.0.1", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),
    ],
)
def test_is_public(address: str, public: bool) -> None:
    assert is_public(address) is public


@pytest.mark.parametrize(
    ("status", "url", "raised"),
    [
        (200, "https://m.weibo.cn/api", None),
        (432, "https://m.weibo.cn/api", Blocked),
        (418, "https://m.weibo.cn/api", Blocked),
        (403, "https://m.weibo.cn/api", Blocked),
        (412, "https://api.bilibili.com/x", Blocked),
        (401, "https://rss.example.cn/feed", AuthExpired),
        (200, "https://passport.weibo.cn/signin/welcome", AuthExpired),
        (404, "https://rss.example.cn/feed", Gone),
        (410, "https://rss.example.cn/feed", Gone),
        (500, "https://rss.example.cn/feed", Failed),
        (503, "https://rss.example.cn/feed", Failed),
    ],
)
def test_check_http(status: int, url: str, raised: type[Exception] | None) -> None:
    if raised is None:
        check_http(status, "{}", url)
    else:
        with pytest.raises(raised):
            check_http(status, "<html></html>", url)


@pytest.mark.parametrize(
    ("text", "blocked"),
    [
        ("<h2>当前环境异常，完成验证后即可继续访问。</h2>", True),
        ("用户您好，您的访问过于频繁，为确认本次访问为正常用户行为，需要您协助验证。", True),
        ('{"code":-352,"message":"风控校验失败"}', True),
        ("<ul class='news-list'><li>关于防范验证码诈骗的提示</li></ul>", False),
        ("<rss><channel><title>x</title></channel></rss>", False),
    ],
)
def test_check_markers(text: str, blocked: bool) -> None:
    if blocked:
        with pytest.raises(Blocked):
            check_markers(text)
    else:
        check_markers(text)


def test_credentials_are_redacted() -> None:
    text = "GET https://mp.weixin.qq.com/cgi-bin/appmsg?token=123456789&lang=zh_CN Cookie: SUB=_2A25abc; x=1"
    cleaned = redact(text)
    assert "123456789" not in cleaned and "_2A25abc" not in cleaned
    assert "token=***" in cleaned and "lang=zh_CN" in cleaned
