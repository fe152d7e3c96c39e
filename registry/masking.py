"""Hiding secrets in what the tool shows or stores: passwords, cookies, tokens, robot keys."""

from __future__ import annotations

import re


def mask(value: str) -> str:
    """Hide a secret but keep enough to recognise it: ``******abcd``."""
    if not value:
        return ""
    return "******" + (value[-4:] if len(value) >= 12 else "")


def mask_url(value: str) -> str:
    """Hide a URL's password and query values (robot tokens live there)."""
    value = re.sub(r"(://[^:/@]*:)[^@/]+@", r"\1******@", value)
    return re.sub(r"([?&][^=&]+=)[^&]+", r"\1******", value)
