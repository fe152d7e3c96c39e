"""The demo registry: Gansu's provincial departments and 14 市州 with a few hundred accounts,
and what each account "publishes" on the stand-in platforms.

Every way the monitor can fail an account appears at least once: silent for two weeks,
silent for ten days (early warning), a 空壳 account, mostly reposts, entertainment content,
a known wrong formulation, a sensitive word, an advertisement, a platform name that differs
from the filing, an unverified account, two accounts of one unit on one platform, a missed or
late relay of a key release, and crawls that the platform blocked (which must end as 未能采集,
never as 无更新). The plan is deterministic: the same seed gives the same demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from spiders.standin import StandinAccount, StandinPost

PROVINCE = ("甘肃省人民政府", "620000")
PROVINCIAL_DEPARTMENTS = [
    "甘肃省人民政府办公厅",
    "甘肃省教育厅",
    "甘肃省财政厅",
    "甘肃省自然资源厅",
    "甘肃省生态环境厅",
    "甘肃省水利厅",
    "甘肃省交通运输厅",
    "甘肃省人力资源和社会保障厅",
    "甘肃省退役军人事务厅",
    "甘肃省市场监督管理局",
    "甘肃省医疗保障局",
    "甘肃省林业和草原局",
    "甘肃省乡村振兴局",
]
# 市州 with two of their counties (districts) each; 嘉峪关 has no counties
CITIES = [
    ("兰州市", "620100", [("城关区", "620102"), ("七里河区", "620103")]),
    ("嘉峪关市", "620200", []),
    ("金昌市", "620300", [("金川区", "620302"), ("永昌县", "620321")]),
    ("白银市", "620400", [("白银区", "620402"), ("会宁县", "620422")]),
    ("天水市", "620500", [("秦州区", "620502"), ("麦积区", "620503")]),
    ("武威市", "620600", [("凉州区", "620602")]),
    ("张掖市", "620700", [("甘州区", "620702")]),
    ("平凉市", "620800", [("崆峒区", "620802")]),
    ("酒泉市", "620900", [("肃州区", "620902")]),
    ("庆阳市", "621000", [("西峰区", "621002")]),
    ("定西市", "621100", [("安定区", "621102")]),
    ("陇南市", "621200", [("武都区", "621202")]),
    ("临夏回族自治州", "622900", [("临夏市", "622901")]),
    ("甘南藏族自治州", "623000", [("合作市", "623001")]),
]
CITY_DEPARTMENTS = ["教育局", "市场监督管理局"]

TOPICS = [
    "乡村振兴",
    "营商环境",
    "安全生产",
    "防汛抗旱",
    "稳岗就业",
    "义务教育",
    "医疗保障",
    "文化旅游",
    "生态保护",
    "交通建设",
    "社会救助",
    "政务服务",
    "疫苗接种",
    "冬季供暖",
    "森林防火",
    "科技创新",
]
ACTIONS = [
    "召开专题会议部署",
    "印发工作方案推进",
    "开展专项检查督导",
    "举办政策宣讲解读",
    "组织现场观摩交流",
    "启动集中整治行动",
    "完成年度目标任务",
    "公布第一批试点名单",
]
DETAILS = [
    "会议要求各地各部门提高政治站位，压实工作责任",
    "全年累计投入资金{n}万元，惠及群众{m}人",
    "共排查整改问题隐患{n}处，完成率达{p}%",
    "线上线下同步办理，平均办理时限压缩{p}%",
    "新增就业岗位{n}个，帮扶困难群众{m}人",
    "下一步将持续跟踪问效，确保各项措施落地见效",
    "群众可通过12345热线反映诉求，咨询电话{t}",
    "截至{d}日，已完成项目{n}个，总投资{m}万元",
]

KEY_RELEASE_TITLE = "甘肃省人民政府关于进一步优化营商环境的若干措施"
KEY_RELEASE_TEXT = (
    "为深入贯彻落实党中央、国务院关于优化营商环境的决策部署，进一步激发市场主体活力，"
    "现就进一步优化我省营商环境提出如下措施。一、全面推行企业开办一网通办，开办时间压缩至一个工作日以内。"
    "二、深化工程建设项目审批制度改革，社会投资简易低风险项目审批时间不超过十五个工作日。"
    "三、落实减税降费政策，确保各项优惠政策直达快享。四、健全政企沟通机制，建立企业诉求快速响应闭环。"
    "五、加强营商环境监督评价，对损害营商环境的行为依法依规严肃处理。各地各部门要结合实际抓好贯彻落实。"
)


@dataclass
class DemoAccount:
    """One account of the demo: what is filed and what the stand-in platform serves."""

    unit: str
    platform: str
    platform_id: str
    name: str
    kind: str = "native"  # native / rss / html (the stand-in interface it is collected from)
    behaviour: str = "active"
    shown_name: str | None = None  # name the platform shows, when it differs from the filing
    verified: bool = True
    followers: int = 5000
    fault: str | None = None
    reason: str | None = None  # for a second account of a unit on one platform
    posts: list[StandinPost] = field(default_factory=list)
    standin: StandinAccount | None = None


@dataclass
class DemoUnit:
    name: str
    level: str
    region: str
    kind: str = "government"
    parent: str | None = None


def units() -> list[DemoUnit]:
    """The 主办单位: province, its departments, the 14 市州, their departments and counties."""
    out = [DemoUnit(PROVINCE[0], "province", PROVINCE[1])]
    out += [DemoUnit(d, "province", PROVINCE[1], "department", PROVINCE[0]) for d in PROVINCIAL_DEPARTMENTS]
    for city, code, counties in CITIES:
        government = f"{city}人民政府"
        out.append(DemoUnit(government, "city", code, "government", PROVINCE[0]))
        out += [DemoUnit(f"{city}{d}", "city", code, "department", government) for d in CITY_DEPARTMENTS]
        out += [
            DemoUnit(f"{city}{county}人民政府", "county", ccode, "government", government)
            for county, ccode in counties
        ]
    out.append(DemoUnit("会宁县会师镇人民政府", "township", "620422", "government", "白银市会宁县人民政府"))
    return out


# which behaviour the n-th account of the plan gets (the rest are active)
BEHAVIOURS = {
    3: "silent",
    11: "silent",
    19: "silent",
    27: "silent",
    41: "silent",
    57: "silent",
    73: "silent",
    89: "silent",
    104: "silent",
    131: "silent",
    150: "silent",
    170: "silent",
    5: "warning",
    33: "warning",
    61: "warning",
    97: "warning",
    141: "warning",
    7: "shell",
    77: "shell",
    121: "shell",
    9: "blocked",
    23: "blocked",
    49: "blocked",
    83: "blocked",
    115: "blocked",
    160: "blocked",
    13: "gone",
    67: "auth_expired",
    15: "reposts",
    45: "reposts",
    101: "reposts",
    155: "reposts",
    17: "entertainment",
    113: "entertainment",
    21: "serious",
    93: "serious",
    29: "sensitive",
    53: "advert",
    31: "renamed",
    109: "renamed",
    37: "unverified",
    125: "unverified",
}
FAULT_FOR = {"weibo": "blocked_432", "wechat": "ret_200013", "bilibili": "blocked_418"}


def plan(seed: int = 2026) -> list[DemoAccount]:
    """The filed accounts with their behaviour (posts are made later by ``make_timelines``)."""
    rng = random.Random(seed)
    counter = iter(range(10_000))
    accounts: list[DemoAccount] = []

    def add(unit: str, platform: str, name: str, kind: str = "native", reason: str | None = None) -> None:
        n = next(counter)
        pid = _platform_id(platform, n)
        accounts.append(
            DemoAccount(
                unit, platform, pid, name, kind=kind, reason=reason, followers=rng.randint(800, 200_000)
            )
        )

    add(PROVINCE[0], "weibo", "甘肃发布")
    add(PROVINCE[0], "wechat", "甘肃发布")
    add(PROVINCE[0], "douyin", "甘肃发布", "rss")
    add(PROVINCE[0], "website", "甘肃省人民政府门户网站", "html")
    for dept in PROVINCIAL_DEPARTMENTS:
        short = dept.removeprefix("甘肃省").removesuffix("厅").removesuffix("局")
        add(dept, "wechat", f"甘肃{short}")
        add(dept, "weibo", f"甘肃{short}发布")
    for city, _code, counties in CITIES:
        gov = f"{city}人民政府"
        short = city.removesuffix("市").removesuffix("回族自治州").removesuffix("藏族自治州")
        add(gov, "weibo", f"{short}发布")
        add(gov, "wechat", f"{short}发布")
        add(gov, "douyin", f"{short}发布", "rss")
        add(gov, "kuaishou", f"{short}发布", "rss")
        add(gov, "toutiao", f"{short}发布", "rss")
        for dept in CITY_DEPARTMENTS:
            add(f"{city}{dept}", "wechat", f"{short}{dept.removesuffix('局')}")
        for county, _ccode in counties:
            add(f"{city}{county}人民政府", "wechat", f"{county}发布")
            add(f"{city}{county}人民政府", "douyin", f"{county}融媒", "rss")
            add(f"{city}{county}人民政府", "bilibili", f"{county}融媒")
    add("甘肃省教育厅", "bilibili", "甘肃教育B站")
    add("会宁县会师镇人民政府", "wechat", "会师镇")
    # one unit with two accounts on one platform (filed with a reason)
    add("兰州市人民政府", "weibo", "兰州应急发布", reason="应急信息发布专用账号，经市政府同意开设")
    add("白银市会宁县人民政府", "website", "会宁县人民政府网", "html")
    for index, account in enumerate(accounts):
        account.behaviour = BEHAVIOURS.get(index, "active")
        if account.behaviour in ("blocked", "gone", "auth_expired") and account.kind == "native":
            account.fault = {
                "blocked": FAULT_FOR.get(account.platform, "blocked_432"),
                "gone": "gone",
                "auth_expired": "auth_expired",
            }[account.behaviour]
        elif account.behaviour in ("blocked", "gone", "auth_expired"):
            account.fault = {"blocked": "captcha", "gone": "gone", "auth_expired": "auth_expired"}[
                account.behaviour
            ]
        if account.behaviour == "renamed":
            account.shown_name = account.name + "（新）"
        if account.behaviour == "unverified":
            account.verified = False
    return accounts


def _platform_id(platform: str, n: int) -> str:
    return {
        "weibo": f"{5600000000 + n * 7}",
        "wechat": f"gh_{0x5A0000000000 + n:012x}",
        "douyin": f"MS4wLjABAAAAgansu{n:020d}",
        "kuaishou": f"3xgansu{n:08d}",
        "toutiao": f"{880000000 + n}",
        "bilibili": f"{3400000 + n}",
        "website": f"gansu-site-{n}",
    }[platform]


def make_timelines(
    accounts: list[DemoAccount],
    *,
    now: datetime,
    seed: int = 2026,
    relays: dict[str, timedelta] | None = None,
) -> None:
    """Give each account its posts over the last ~200 days, as its behaviour says.

    ``relays`` maps a platform id to how long after the key release the account relayed it.
    """
    rng = random.Random(seed)
    relays = relays or {}
    for index, account in enumerate(accounts):
        posts = _timeline(account, index, now, rng)
        delay = relays.get(account.platform_id)
        if delay is not None:
            released = now - timedelta(days=5)
            posts.append(
                StandinPost(
                    post_id=f"{account.platform_id}-relay",
                    published_at=released + delay,
                    title=f"转发：{KEY_RELEASE_TITLE}",
                    text=f"【转载】{KEY_RELEASE_TEXT}来源：甘肃省人民政府网站",
                    counts=_counts(rng, account),
                )
            )
        posts.sort(key=lambda p: p.published_at, reverse=True)
        account.posts = posts


def _timeline(account: DemoAccount, index: int, now: datetime, rng: random.Random) -> list[StandinPost]:
    behaviour = account.behaviour
    newest_gap = {"silent": rng.randint(16, 40), "warning": rng.randint(10, 12)}.get(behaviour, 0)
    if behaviour == "shell":
        times = [now - timedelta(days=rng.randint(95, 180)), now - timedelta(days=rng.randint(40, 80))]
    else:
        times, t = [], now - timedelta(days=newest_gap, hours=rng.randint(1, 20))
        while t > now - timedelta(days=200):
            times.append(t)
            t -= timedelta(days=rng.choice([1, 1, 2, 2, 3]), hours=rng.randint(0, 12))
    posts = []
    for i, when in enumerate(times):
        title, text = _original(rng)
        repost = behaviour == "reposts" and i % 5 != 0
        if behaviour == "entertainment" and i % 2 == 0:
            title, text = (
                "周末吃瓜：明星八卦大盘点",
                "今天带大家吃瓜，明星八卦、恋情曝光一网打尽，还有星座运势。",
            )
        if behaviour == "serious" and i == 3:
            text += "会议强调要深入推进一带一路战略，坚持全面从严至党。"
        if behaviour == "sensitive" and i == 2:
            text += "近期有不法分子以办证刻章为名实施诈骗，请提高警惕。"
        if behaviour == "advert" and i == 1:
            title, text = "限时抢购！", "本店年货限时抢购，领取优惠券立减五十元，扫码下单。"
        posts.append(
            StandinPost(
                post_id=f"{account.platform_id}-{i:04d}",
                published_at=when,
                title=title,
                text=text,
                is_repost=repost,
                source="人民日报" if repost else None,
                counts=_counts(rng, account),
            )
        )
    if behaviour == "silent" and account.platform == "weibo":
        # an old pinned post must never be taken for the newest
        posts.append(
            StandinPost(
                post_id=f"{account.platform_id}-top",
                pinned=True,
                published_at=now - timedelta(days=300),
                title="置顶：关于我们",
                text="本账号为政务新媒体账号，发布权威信息。",
            )
        )
    return posts


def _original(rng: random.Random) -> tuple[str, str]:
    topic, action = rng.choice(TOPICS), rng.choice(ACTIONS)
    sentences = [f"{rng.choice(['我市', '我县', '我省', '我局'])}{action}{topic}工作。"]
    for template in rng.sample(DETAILS, 3):
        sentences.append(
            template.format(
                n=rng.randint(3, 9000),
                m=rng.randint(100, 90000),
                p=rng.randint(10, 99),
                d=rng.randint(1, 28),
                t=f"0931-{rng.randint(1000000, 9999999)}",
            )
            + "。"
        )
    return f"{topic}｜{action}{topic}工作", "".join(sentences)


def _counts(rng: random.Random, account: DemoAccount) -> dict[str, int]:
    scale = max(1, account.followers // 1000)
    return {
        "reposts": rng.randint(0, 3 * scale),
        "comments": rng.randint(0, 2 * scale),
        "likes": rng.randint(0, 20 * scale),
        "reads": rng.randint(50, 500 * scale),
    }


def standin_accounts(accounts: list[DemoAccount]) -> list[StandinAccount]:
    """The stand-in platform's view of each account."""
    out = []
    for account in accounts:
        account.standin = StandinAccount(
            account.platform,
            account.platform_id,
            account.shown_name or account.name,
            posts=account.posts,
            kind=account.kind,
            fault=account.fault,
            followers=account.followers,
            verified=account.verified,
        )
        out.append(account.standin)
    return out
