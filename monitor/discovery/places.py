"""Place names: the jurisdictions of the registry and how account names and verification texts
name them.

The registry keeps a 行政区划代码 per unit, not the region's name, so each region's name comes
from its government's own name (兰州市城关区人民政府 → 城关区, under 兰州市), else from the
place words that begin its units' names. A region is known by its own name (城关区), its stem
(城关, as in 平安城关) and its chain (城关区 › 兰州市 › 甘肃省).

``leading_places`` reads the place words that begin a text (拉萨市城关区教育局 → 拉萨市, 城关区);
a verification text belongs to a region only when every such word is in the region's chain and
the region's own name is among them, so 永登县教育局 or 拉萨市城关区教育局 never match
兰州市城关区教育局.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from registry.validation import region_level

_SUFFIX = r"(?:特别行政区|自治区|自治州|自治县|自治旗|地区|新区|省|市|州(?![市区县新])|盟|县|区|旗)"
_PLACE = re.compile(rf"[\u4e00-\u9fff]{{1,10}}?{_SUFFIX}")
_ETHNIC_NAMES = (
    "柯尔克孜|乌孜别克|维吾尔|哈萨克|塔吉克|塔塔尔|达斡尔|鄂温克|鄂伦春|俄罗斯|土家|蒙古|布依|朝鲜|哈尼|"
    "傈僳|拉祜|东乡|纳西|景颇|仫佬|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|德昂|保安|裕固|独龙|赫哲|门巴|"
    "珞巴|基诺|高山|回|藏|苗|彝|壮|满|侗|瑶|白|傣|黎|佤|畲|水|土|羌|怒|京"
)
_ETHNIC_SUFFIX = re.compile(rf"(?:(?:{_ETHNIC_NAMES})族)*(?:自治区|自治州|自治县|自治旗)$")
_PLAIN_SUFFIX = re.compile(r"(?:特别行政区|地区|新区|省|市|州|盟|县|区|旗)$")
GOVERNMENT_SUFFIX = "人民政府"


def clean(text: str | None) -> str:
    """NFKC, no blanks (staff and platforms write full-width letters and spaces)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def leading_places(text: str) -> list[str]:
    """The place words a name begins with: 兰州市城关区教育局 → [兰州市, 城关区]."""
    out: list[str] = []
    rest = clean(text)
    while True:
        m = _PLACE.match(rest)
        if not m:
            return out
        out.append(m.group(0))
        rest = rest[m.end() :]


def strip_places(text: str) -> str:
    """A name without its leading place words: 兰州市城关区教育局 → 教育局."""
    rest = clean(text)
    for place in leading_places(rest):
        rest = rest[len(place) :]
    return rest


def stem(own: str) -> str:
    """The short form used in account names: 城关区 → 城关, 临夏回族自治州 → 临夏, 甘肃省 → 甘肃
    (kept whole when the stem would be a single character, as in 宁县)."""
    m = _ETHNIC_SUFFIX.search(own)
    short = own[: m.start()] if m else own
    if short == own:
        short = _PLAIN_SUFFIX.sub("", own)
    return short if len(short) >= 2 else own


def parent_code(code: str) -> str | None:
    level = region_level(code)
    if level == "province":
        return None
    if level == "city":
        return code[:2] + "0000"
    return code[:4] + "00"


@dataclass
class Region:
    """One jurisdiction: its code, own name (城关区), stem (城关) and its parent's code."""

    code: str
    own: str
    stem: str
    parent: str | None
    chain: list[str] = field(default_factory=list)  # own names, this region first, then upwards

    @property
    def names(self) -> set[str]:
        return set(self.chain)


def regions_of(units: Sequence[dict[str, Any]]) -> dict[str, Region]:
    """Every region the units lie in (and the regions above them), with their names."""
    codes: set[str] = set()
    for u in units:
        code: str | None = u["region_code"]
        while code and code not in codes:
            codes.add(code)
            code = parent_code(code)
    bodies = _bodies(units, codes)
    table: dict[str, Region] = {}
    for code in sorted(codes, key=lambda c: (region_level(c) != "province", region_level(c) == "county", c)):
        parent = parent_code(code)
        body = bodies.get(code, "")
        above = table.get(parent) if parent else None
        own = body
        if above is not None:
            for prefix in above.chain:
                own = own.removeprefix(prefix)
        own = own or body or code
        table[code] = Region(code, own, stem(own), parent, [own, *(above.chain if above else [])])
    return table


def _bodies(units: Sequence[dict[str, Any]], codes: Iterable[str]) -> dict[str, str]:
    """A region's name as its government writes it (兰州市城关区), else the place words its
    units' names begin with, cut at the region's level."""
    out: dict[str, str] = {}
    for u in units:
        name = clean(u["name"])
        if (
            u.get("kind") == "government"
            and u.get("level") != "township"
            and name.endswith(GOVERNMENT_SUFFIX)
        ):
            out.setdefault(u["region_code"], name.removesuffix(GOVERNMENT_SUFFIX))
    depth = {"province": 1, "city": 2, "county": 3}
    for code in codes:
        if code in out:
            continue
        for u in units:
            places = leading_places(u["name"])
            if u["region_code"] == code and places:
                out[code] = "".join(places[: depth[region_level(code)]])
                break
    return out


def consistent(text: str, region: Region) -> bool:
    """True when the place words ``text`` begins with all lie in ``region``'s chain and include
    the region itself (a province-level body may name only its province)."""
    places = leading_places(text)
    if not places or region.own not in places:
        return False
    return all(p in region.names for p in places)


def foreign(text: str, table: dict[str, Region]) -> str | None:
    """The first place word of ``text`` when it begins with no region of the registry (neither
    its own name nor its stem: 兰州新区 begins with 兰州, so it is not foreign; 拉萨市 is)."""
    places = leading_places(text)
    if not places:
        return None
    known = {name for r in table.values() for name in (*r.chain, r.stem)}
    return None if any(places[0].startswith(k) for k in known) else places[0]
