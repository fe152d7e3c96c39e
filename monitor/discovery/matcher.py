"""Matching the accounts a search found to the registry's units.

In this order, the first that applies decides:

1. **Filed** (已备案): the platform's stable id is in the registry (a WeChat filing also by the
   ``__biz`` or 微信号 its crawls found), whatever the filing's status: a cancelled or closed
   filing whose account a search still finds is ``filed`` with a note, and the audit lists it.
2. **统一社会信用代码**: the 关于公众号 page names a credit code the registry holds.
3. **认证主体** (the verification text: 认证主体, verified_reason, official_verify.desc,
   enterprise_verify_reason, without 官方微博/官方账号… and with bracketed alternatives): equal
   to a unit's full or short name, or naming the same jurisdiction (every place word it begins
   with lies in the unit's region chain and includes the unit's own region — 永登县教育局 and
   拉萨市城关区教育局 never match 兰州市城关区教育局) with the same department (教育局,
   市场监管局 ≈ 市场监督管理局). A 融媒体中心 verified as 媒体 is matched like any body.
4. A verification as a **person or an enterprise** that names no unit: ``not_government``.
   A verified body whose text begins with a place no region of the registry carries: ``dismissed``
   (another jurisdiction's account).
5. **Account name** (unverified accounts, or verification texts without place words): equal to
   a unit's name, to an account-name form of a region (城关发布, 平安城关 …; see
   ``monitor.discovery.plan``), or to the current or former name of a filed account with another
   id (a migrated or duplicate account). A bio calling itself 非官方/个人/粉丝… is not matched
   by name. Two units fitting equally well match none (ambiguous).

Anything matched by 2, 3 or 5 stays a ``candidate`` for a person to confirm (``unfiled``) or
dismiss; the matcher never decides ``unfiled``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from monitor.discovery.places import clean, consistent, foreign, leading_places, regions_of, strip_places
from monitor.discovery.plan import Form, fill, owner_of, short_name
from registry.discovery.queries import RegistryView

GOV_KINDS = frozenset({"government", "institution", "organisation", "media", "school"})
NON_GOV_KINDS = frozenset({"personal", "enterprise"})
DEPT_RATIO = 0.6
_TAIL = re.compile(
    r"(?:(?:官方|政务)?(?:微博|抖音号|抖音账号|头条号|快手号|快手账号|公众号|微信公众号|视频号|B站账号)"
    r"|官方(?:账号|帐号|网站|号))$"
)
_LABEL = re.compile(r"^(?:微信认证|认证主体|机构认证|认证信息|认证)[:：]")
_BRACKETS = re.compile(r"[（(]([^（）()]*)[）)]")
_NOT_OFFICIAL = ("非官方", "个人账号", "个人号", "粉丝", "自媒体", "搬运", "爱好者", "非政府", "民间")
_CREDIT = re.compile(r"\b[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}\b")


@dataclass(frozen=True)
class Match:
    """The matcher's conclusion on one found account."""

    state: str  # candidate / filed / not_government / dismissed
    unit_id: int | None
    account_id: int | None
    basis: str  # registry.vocab.MATCH_BASIS
    note: str | None = None


def subjects(text: str | None) -> list[str]:
    """The body names a verification text gives: 兰州市城关区教育局官方微博 → [兰州市城关区教育局];
    四川省电化教育馆(四川教育电视台) → [四川省电化教育馆, 四川教育电视台]."""
    t = _LABEL.sub("", clean(text))
    parts = [_BRACKETS.sub("", t), *_BRACKETS.findall(t)]
    out = []
    for part in parts:
        part = re.split(r"[,，;；。、]", part)[0]
        previous = None
        while previous != part:
            previous = part
            part = _TAIL.sub("", part).removesuffix("官方")
        if len(part) >= 2:
            out.append(part)
    return out


def _dept(name: str) -> str:
    return strip_places(name).replace("人民", "")


def same_department(a: str, b: str) -> bool:
    """教育局 = 教育局; 市场监管局 ≈ 市场监督管理局 (one is a subsequence of the other and they
    share at least 60 % of the longer one's characters)."""
    x, y = _dept(a), _dept(b)
    if not x or not y:
        return False
    if x == y:
        return True
    short, long_ = sorted((x, y), key=len)
    it = iter(long_)
    if not all(ch in it for ch in short):
        return False
    return SequenceMatcher(None, short, long_).ratio() >= DEPT_RATIO and len(short) / len(long_) >= 0.5


class Matcher:
    """Built once per run from the registry; ``match`` is pure."""

    def __init__(self, view: RegistryView, forms: Sequence[Form] = ()) -> None:
        self.view = view
        self.units = {u["id"]: u for u in view.units}
        self.table = regions_of(view.units)
        self.credit = {u["credit_code"]: u["id"] for u in view.units if u.get("credit_code")}
        self.exact: dict[str, set[int]] = {}
        self.by_region: dict[str, list[dict[str, Any]]] = {}
        for u in view.units:
            reg = self.table[u["region_code"]]
            for key in (clean(u["name"]), short_name(u["name"], reg)):
                self.exact.setdefault(key, set()).add(u["id"])
            self.by_region.setdefault(u["region_code"], []).append(u)
        self.own: dict[str, list[str]] = {}
        for code, reg in self.table.items():
            self.own.setdefault(reg.own, []).append(code)
        self.names = self._account_names(forms)

    def _account_names(self, forms: Sequence[Form]) -> dict[str, set[int]]:
        """Account names the forms give each region (城关发布 → 城关区人民政府)."""
        out: dict[str, set[int]] = {k: set(v) for k, v in self.exact.items()}
        for code, members in self.by_region.items():
            reg = self.table[code]
            for form in forms:
                if form.per_unit:
                    for u in members:
                        if form.keyword is None or form.keyword in u["name"]:
                            out.setdefault(fill(form, reg, u), set()).add(u["id"])
                    continue
                owner = owner_of(form, members)
                if owner is not None:
                    for place in {reg.stem, reg.own}:
                        text = clean(form.template.replace("{地名全称}", reg.own).replace("{地名}", place))
                        out.setdefault(text, set()).add(owner["id"])
        return out

    # --- the decision ---

    def match(self, found: dict[str, Any]) -> Match:
        filed = self._filed(found)
        if filed is not None:
            return filed
        credit = self._credit(found)
        if credit is not None:
            return credit
        kind = found.get("verified_kind") or "none"
        texts = subjects(found.get("verified_text")) if found.get("verified") is not False else []
        for text in texts:
            unit, note = self.by_subject(text)
            if unit is not None:
                return Match("candidate", unit, None, "verified_text", f"认证主体「{text}」")
            if note:
                return Match("candidate", None, None, "none", note)
        if kind in NON_GOV_KINDS:
            shown = "、".join(texts) or found.get("verified_text") or ""
            return Match("not_government", None, None, "none", f"平台认证为{_kind_label(kind)}：{shown}")
        for text in texts:
            outside = foreign(text, self.table)
            if outside and kind in GOV_KINDS | {"verified"}:
                return Match(
                    "dismissed", None, None, "none", f"认证主体「{text}」属于备案范围以外的地区（{outside}）"
                )
        if any(leading_places(t) for t in texts):
            return Match("candidate", None, None, "none", f"认证主体「{texts[0]}」未匹配到备案单位")
        return self.by_name(found)

    def _filed(self, found: dict[str, Any]) -> Match | None:
        platform, pid = found["platform"], str(found["platform_id"])
        keys = [(platform, pid)]
        alias = ((found.get("about") or {}).get("alias")) or found.get("alias")
        if alias:
            keys.append((platform, str(alias)))
        info = next((self.view.filed[k] for k in keys if k in self.view.filed), None)
        if info is None:
            return None
        note = None
        if info["status"] in ("closed", "cancelled"):
            label = "关停" if info["status"] == "closed" else "注销"
            note = f"备案已{label}，但平台上仍能搜到该账号（可能已重新启用）"
        return Match("filed", info["unit_id"], info["account_id"], "platform_id", note)

    def _credit(self, found: dict[str, Any]) -> Match | None:
        about = found.get("about") or {}
        text = " ".join(str(v) for v in (about.get("credit_code"), about.get("text")) if v)
        for code in _CREDIT.findall(text.upper()):
            if code in self.credit:
                return Match("candidate", self.credit[code], None, "credit_code", f"统一社会信用代码 {code}")
        return None

    def by_subject(self, text: str) -> tuple[int | None, str | None]:
        """The unit a verification body names, or (None, why not when ambiguous)."""
        exact = self.exact.get(text, set())
        if len(exact) == 1:
            return next(iter(exact)), None
        if len(exact) > 1:
            return None, f"认证主体「{text}」同时对应多个单位"
        places = leading_places(text)
        if not places:
            return None, None
        fits = set()
        for code in self.own.get(places[-1], []):
            reg = self.table[code]
            if not consistent(text, reg):
                continue
            fits |= {u["id"] for u in self.by_region.get(code, []) if same_department(text, u["name"])}
        if len(fits) == 1:
            return next(iter(fits)), None
        if len(fits) > 1:
            return None, f"认证主体「{text}」同时对应多个单位"
        return None, None

    def by_name(self, found: dict[str, Any]) -> Match:
        name = clean(found.get("name"))
        bio = clean(found.get("description"))
        if any(word in bio for word in _NOT_OFFICIAL):
            return Match("candidate", None, None, "none", "简介自称非官方或个人账号，未按名称匹配")
        same = self.view.names.get((found["platform"], found.get("name") or ""), [])
        if len(same) == 1:
            info = same[0]
            how = "曾用名" if info["former"] else "名称"
            return Match(
                "candidate",
                info["unit_id"],
                None,
                "former_name",
                f"与已备案账号「{info['name']}」（账号ID {info['account_id']}）的{how}相同，但平台账号ID不同",
            )
        units = self.names.get(name, set())
        if len(units) == 1:
            return Match("candidate", next(iter(units)), None, "name", f"账号名称「{name}」")
        if len(units) > 1:
            return Match("candidate", None, None, "none", f"账号名称「{name}」同时对应多个单位")
        return Match("candidate", None, None, "none", None)


def _kind_label(kind: str) -> str:
    from registry.vocab import VERIFIED_KIND

    return VERIFIED_KIND.label(kind)
