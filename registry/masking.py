"""Hiding secrets in what the tool shows or stores: passwords, cookies, tokens, robot keys.

The one root for every package (the crawl and search subprocesses, the alerts, the scheduler,
the command line):

- :func:`register_secrets` remembers the configured credentials (cookies, tokens, the SMTP
  password, webhook secrets and robot keys); :func:`redact` then masks them wherever they
  appear: verbatim, URL-encoded (``%3D``, ``+``), or as one cookie's value;
- :func:`redact` also masks what looks like a credential even when it was never configured:
  ``token=…``, ``key=…``, ``pass_ticket=…`` and similar pairs in URLs, headers and bodies
  (also URL-encoded in a redirect location), and the value of every cookie a ``Cookie`` or
  ``Set-Cookie`` header carries, whatever the cookie is called;
- :func:`mask` and :func:`mask_url` show a configured secret in ``config show``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote, quote_plus, unquote, urlsplit

MASK = "***"
SHORTEST = 6  # shorter values are too common to replace everywhere (and too short to be keys)

# name=value pairs whose value is a credential, in URLs, cookies, headers and bodies; also
# URL-encoded (``token%3D…``) as redirect locations carry them
_NAMES = (
    r"token|access_token|appmsg_token|pass_ticket|ticket|key|appkey|secret|sign|signature|sessionid|"
    r"session|sid|slave_sid|slave_user|bizuin|data_ticket|cookie|passwd|password|pwd|sub|subp|suid|"
    r"sessdata|bili_jct|uin|auth|authorization|api_key|apikey|access_key|credential"
)
_PAIR = re.compile(
    rf"(?i)((?:(?<![A-Za-z0-9_])|(?<=%[0-9A-F]{{2}}))(?:{_NAMES})(?:=|%3D|\"?\s*:\s*\"))"
    r"(?:[^&\s;\"'<>,%]|%(?!26|3B|20|22))+"
)
# every value of a Cookie / Set-Cookie header, whatever the cookie is called
_COOKIE_HEADER = re.compile(r"(?i)((?:set-)?cookie[\"']?\s*[:=]\s*[\"']?)([^\r\n\"']+)")
_COOKIE_VALUE = re.compile(r"(=)[^;,\s]+")
# a password in a URL: scheme://user:password@host
_URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@/\s]+@")
_KNOWN: set[str] = set()


def mask(value: str) -> str:
    """Hide a secret but keep enough to recognise it: ``******abcd``."""
    if not value:
        return ""
    return "******" + (value[-4:] if len(value) >= 12 else "")


def mask_url(value: str) -> str:
    """Hide a URL's password and query values (robot tokens live there)."""
    value = re.sub(r"(://[^:/@]*:)[^@/]+@", r"\1******@", value)
    return re.sub(r"([?&][^=&]+=)[^&]+", r"\1******", value)


def register_secrets(values: Iterable[str | None]) -> None:
    """Remember configured credentials (cookies, tokens, passwords, robot URLs): ``redact``
    masks them verbatim, URL-encoded or as single cookie values, wherever they are echoed.
    A URL registers its password and its query values (a robot's ``key``/``access_token``)."""
    for value in values:
        if not value:
            continue
        value = str(value)
        parts = {value, *(p.split("=", 1)[1] for p in value.split(";") if "=" in p)}
        if "://" in value:
            parts |= _url_secrets(value)
        for part in (p.strip() for p in parts):
            if len(part) >= SHORTEST:
                _KNOWN.update({part, quote(part, safe=""), quote_plus(part), quote(part)})


def _url_secrets(url: str) -> set[str]:
    try:
        parts = urlsplit(url)
        found = {parts.password or ""}
        found |= {v for _k, v in parse_qsl(parts.query, keep_blank_values=False)}
    except ValueError:
        return set()
    return {unquote(v) for v in found if v} | {v for v in found if v}


def forget_secrets() -> None:
    """Forget every registered secret (tests)."""
    _KNOWN.clear()


def redact(text: str) -> str:
    """Mask credentials in a text meant for logs, the database or the screen: the registered
    secrets wherever they appear, ``token=…`` style pairs, every cookie value, URL passwords."""
    if not text:
        return text
    for secret in sorted(_KNOWN, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    text = _COOKIE_HEADER.sub(lambda m: m.group(1) + _COOKIE_VALUE.sub(r"\1" + MASK, m.group(2)), text)
    text = _URL_PASSWORD.sub(r"\1" + MASK + "@", text)
    return _PAIR.sub(lambda m: m.group(1) + MASK, text)
