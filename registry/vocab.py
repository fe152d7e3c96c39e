"""The vocabulary: every code the tool stores, its one Chinese name, and the way back.

A code (``weibo``, ``pending``, ``no_update``…) is what the database and ``--format json``
hold; its label (新浪微博, 待审核, 内容不更新…) is what every table, spreadsheet, report and
help text shows. There is exactly one label per code, so a problem has the same name in the
CLI, the check report, the circular and its annex. ``Vocabulary.code`` reads back what staff
type: the code, the label or a common alias, case and width insensitive; anything else is a
one-line Chinese error that lists the choices.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from registry.errors import InvalidValue


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().lower()


@dataclass(frozen=True)
class Vocabulary:
    """The codes of one field with their Chinese labels (in display order) and aliases."""

    name: str  # the field's Chinese name, used in error messages
    labels: Mapping[str, str]
    aliases: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        lookup: dict[str, str] = {}
        for code, label in self.labels.items():
            lookup[_key(code)] = code
            lookup[_key(label)] = code
        for alias, code in self.aliases.items():
            assert code in self.labels, f"{self.name}: alias {alias} → unknown code {code}"
            lookup.setdefault(_key(alias), code)
        object.__setattr__(self, "_lookup", lookup)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.labels)

    def __contains__(self, code: object) -> bool:
        return code in self.labels

    def __iter__(self) -> Iterator[str]:
        return iter(self.labels)

    def label(self, code: str | None) -> str:
        """The Chinese label of ``code`` (an unknown code is shown as it is; None as "")."""
        if code is None:
            return ""
        return self.labels.get(code, code)

    def find(self, value: object) -> str | None:
        """The code for a code, label or alias; None when nothing matches."""
        if value is None:
            return None
        lookup: dict[str, str] = self._lookup  # type: ignore[attr-defined]
        return lookup.get(_key(str(value)))

    def code(self, value: object, field: str | None = None) -> str:
        """The code for ``value``, or ``InvalidValue`` naming the field and the choices."""
        found = self.find(value)
        if found is None:
            raise InvalidValue(
                field or self.name, value if value is not None else "", "应为" + self.choices()
            )
        return found

    def choices(self) -> str:
        """'待审核（pending）、已备案（active）…' for help texts and errors."""
        return "、".join(f"{label}（{code}）" for code, label in self.labels.items())


PLATFORM = Vocabulary(
    "平台",
    {
        "wechat": "微信公众号",
        "weibo": "新浪微博",
        "douyin": "抖音",
        "kuaishou": "快手",
        "toutiao": "今日头条",
        "bilibili": "哔哩哔哩",
        "wechat_channels": "微信视频号",
        "xiaohongshu": "小红书",
        "baijiahao": "百家号",
        "app": "移动客户端",
        "website": "网站",
        "other": "其他",
    },
    {
        "微信": "wechat", "公众号": "wechat", "微信订阅号": "wechat", "微信服务号": "wechat",
        "订阅号": "wechat", "服务号": "wechat", "微博": "weibo", "新浪": "weibo", "sina": "weibo",
        "抖音号": "douyin", "快手号": "kuaishou", "头条": "toutiao", "头条号": "toutiao",
        "今日头条号": "toutiao", "B站": "bilibili", "哔哩哔哩号": "bilibili", "视频号": "wechat_channels",
        "小红书号": "xiaohongshu", "红书": "xiaohongshu", "百度百家号": "baijiahao", "客户端": "app",
        "政务APP": "app", "政府网站": "website", "门户网站": "website", "其它": "other",
    },
)  # fmt: skip

ACCOUNT_STATUS = Vocabulary(
    "状态",
    {
        "pending": "待审核",
        "rejected": "已驳回",
        "active": "已备案",
        "closed": "已关停",
        "cancelled": "已注销",
    },
    {
        "已备案（在用）": "active", "在用": "active", "正常": "active", "备案": "active",
        "关停": "closed", "停用": "closed", "注销": "cancelled", "待审": "pending", "待审核中": "pending",
        "审核中": "pending", "驳回": "rejected", "退回": "rejected", "已退回": "rejected",
    },
)  # fmt: skip

UNIT_LEVEL = Vocabulary(
    "级别",
    {"province": "省级", "city": "市州", "county": "县区", "township": "乡镇（街道）"},
    {
        "省": "province", "省直": "province", "市": "city", "市级": "city", "州": "city",
        "县": "county", "县级": "county", "区": "county", "县(市、区)": "county",
        "乡镇": "township", "街道": "township", "乡镇(街道)": "township",
    },
)  # fmt: skip
LEVEL_RANK = {"province": 0, "city": 1, "county": 2, "township": 3}

UNIT_KIND = Vocabulary(
    "类型",
    {"government": "政府", "department": "部门", "other": "其他"},
    {"政府部门": "department", "人民政府": "government", "其它": "other"},
)

FILING_ACTION = Vocabulary(
    "操作",
    {
        "unit_add": "新增单位",
        "file": "报备",
        "import": "导入",
        "approve": "审核通过",
        "reject": "驳回",
        "refile": "重新报备",
        "change": "变更",
        "close": "关停",
        "cancel": "注销",
        "unit_change": "单位变更",
        "unit_merge": "单位合并",
    },
)

# what the filing history calls each field of a filing
FILING_FIELD = Vocabulary(
    "字段",
    {
        "unit": "主办单位",
        "platform": "平台",
        "name": "账号名称",
        "platform_id": "平台账号ID",
        "status": "状态",
        "filing_no": "备案编号",
        "url": "链接",
        "feed_url": "采集地址",
        "operator": "运维单位",
        "owner": "负责人",
        "phone": "联系电话",
        "email": "负责人邮箱",
        "leader": "分管领导",
        "leader_phone": "分管领导电话",
        "leader_email": "分管领导邮箱",
        "verified": "官方认证",
        "opened_on": "开设日期",
        "selectors": "列表页选择器",
        "note": "备注",
        "level": "级别",
        "region": "行政区划",
    },
)

# what a unit's history calls each field of the unit
UNIT_FIELD = Vocabulary(
    "字段",
    {
        "name": "单位名称",
        "level": "级别",
        "kind": "类型",
        "region": "行政区划代码",
        "parent": "上级单位",
        "credit_code": "统一社会信用代码",
        "merged_into": "并入单位",
    },
)

# 是/否 cells of the registry's sheets (官方认证)
YES_NO = Vocabulary(
    "是否",
    {"yes": "是", "no": "否"},
    {
        "已认证": "yes", "认证": "yes", "true": "yes", "1": "yes", "y": "yes", "√": "yes", "有": "yes",
        "未认证": "no", "false": "no", "0": "no", "n": "no", "×": "no", "无": "no",
    },
)  # fmt: skip

# the shipped indicator profiles (monitor/profiles/*.toml); a user's own file shows its own name
PROFILE = Vocabulary(
    "指标方案", {"national": "国家指标", "gansu": "甘肃省指标"}, {"国家": "national", "甘肃": "gansu"}
)

CHECK_KIND = Vocabulary(
    "检查类型",
    {"weekly": "周抽查", "monthly": "月检查", "adhoc": "专项检查"},
    {
        "周": "weekly", "抽查": "weekly", "每周抽查": "weekly", "月": "monthly", "月度检查": "monthly",
        "每月检查": "monthly", "临时": "adhoc", "临时检查": "adhoc", "专项": "adhoc",
    },
)  # fmt: skip

# what places an account's opening (registry.filing.history.opening)
OPENING_BASIS = Vocabulary(
    "开设时间依据", {"opened_on": "开设日期", "first_post": "首次发布", "filed": "报备时间"}
)

VERDICT = Vocabulary("结论", {"qualified": "合格", "unqualified": "不合格", "uncollected": "未能采集"})

# why a result has its verdict (check_results.reason.basis)
VERDICT_BASIS = Vocabulary(
    "结论依据",
    {
        "passed": "未发现否决项",
        "veto": "单项否决",
        "score": "得分低于合格线",
        "collection": "未能采集",
    },
)

FINDING_LEVEL = Vocabulary(
    "级别",
    {"veto": "单项否决", "deduct": "扣分", "warn": "提醒", "info": "提示"},
    {"否决": "veto", "扣分项": "deduct", "预警": "warn", "警告": "warn", "提醒项": "warn"},
)

FINDING_STATUS = Vocabulary(
    "状态",
    {"candidate": "待复核", "confirmed": "已确认", "dismissed": "已排除"},
    {"待确认": "candidate", "确认": "confirmed", "排除": "dismissed", "误报": "dismissed"},
)

SAMPLE_REASON = Vocabulary(
    "抽样原因",
    {
        "full_class": "全检类别",
        "recheck": "上次不合格复核",
        "sampled": "随机抽中",
        "all": "全部检查",
        "ended_posting": "关停后仍发布",
    },
)

COLLECTION_STATE = Vocabulary(
    "采集状态",
    {"collected": "采集正常", "never": "从未成功采集", "failed": "采集失败", "stale": "采集过期"},
)

OUTCOME = Vocabulary(
    "采集结果",
    {
        "ok": "采集成功",
        "empty": "无内容",
        "blocked": "被平台拦截",
        "auth_expired": "凭据失效",
        "gone": "账号已不可用",
        "error": "采集失败",
    },
    {"成功": "ok", "拦截": "blocked", "已注销": "gone", "失败": "error"},
)

WORKER_STATE = Vocabulary("采集进程状态", {"running": "运行中", "stopped": "已退出", "lost": "失联"})

ATTEMPT_SOURCE = Vocabulary("来源", {"crawl": "采集", "import": "导入", "observation": "人工检查"})

RULE = Vocabulary(
    "规则",
    {
        "no_update": "内容不更新",
        "update_warning": "更新预警",
        "update_slow": "更新不及时",
        "shell_account": "空壳、僵尸账号",
        "duplicate_account": "同一平台重复开设账号",
        "similar_low_use": "功能相近、关注度和利用率低",
        "low_originality": "原创率低",
        "serious_error": "严重表述错误",
        "illegal_content": "发布或链接反动、暴力、色情等违法有害内容",
        "state_secret": "泄露国家秘密",
        "public_opinion": "引发严重负面舆情",
        "sensitive_word": "敏感词",
        "entertainment": "内容娱乐化",
        "commercial_ad": "发布商业广告",
        "no_interaction": "未提供有效互动功能",
        "filing_mismatch": "账号信息与备案不符",
        "relay_missed": "未按时转载重要信息",
        "slow_response": "留言办理不及时",
        "broken_function": "功能无法使用、链接无法访问",
        "privacy_leak": "个人信息泄露",
        "unattributed_repost": "转载未注明来源",
    },
    {
        "无更新": "no_update", "2周内无更新": "no_update", "监测时间点前2周内无更新": "no_update",
        "空壳": "shell_account", "僵尸账号": "shell_account", "空壳/僵尸账号": "shell_account",
        "重复开设": "duplicate_account", "重复建设": "duplicate_account", "原创比例偏低": "low_originality",
        "娱乐化": "entertainment", "商业广告": "commercial_ad", "互动回应差": "no_interaction",
        "与备案不符": "filing_mismatch", "未转载": "relay_missed",
        "违法有害内容": "illegal_content", "反动暴力色情": "illegal_content",
        "发布或链接反动暴力色情等内容": "illegal_content", "泄密": "state_secret",
        "严重负面舆情": "public_opinion", "负面舆情": "public_opinion",
        "因发布内容不当引发严重负面舆情": "public_opinion", "留言回复不及时": "slow_response",
        "回应不及时": "slow_response", "功能无法使用": "broken_function", "链接无法访问": "broken_function",
        "泄露个人信息": "privacy_leak", "未注明来源": "unattributed_repost",
    },
)  # fmt: skip

# the figures a rule's evidence records (metrics) and the bars it compared them with (threshold)
METRIC = Vocabulary(
    "指标",
    {
        "idle_days": "未更新天数",
        "days": "天数",
        "max_gap_days": "最长间隔天数",
        "posts_per_month": "月均发布条数",
        "min_posts_per_month": "月均发布条数下限",
        "posts": "内容条数",
        "max_posts": "条数上限",
        "span_days": "统计天数",
        "original": "原创条数",
        "rate": "原创率",
        "min_rate": "原创率下限",
        "entertainment": "娱乐化条数",
        "share": "占比",
        "max_share": "占比上限",
        "overlap": "内容重合率",
        "min_overlap": "重合率下限",
        "followers": "粉丝数",
        "max_followers": "粉丝数上限",
        "engagement_per_post": "条均互动量",
        "max_engagement": "条均互动量上限",
        "accounts": "账号数",
        "shown_name": "平台显示名称",
        "verified": "平台认证",
    },
)

LEXICON_KIND = Vocabulary(
    "类别",
    {
        "serious": "严重表述错误",
        "illegal": "违法有害内容",
        "sensitive": "敏感词",
        "entertainment": "娱乐化",
        "ad": "商业广告",
    },
    {"表述错误": "serious", "广告": "ad", "反动暴力色情": "illegal", "违法": "illegal"},
)

LEXICON_SOURCE = Vocabulary("来源", {"user": "手工添加", "import": "文件导入", "starter": "初始词库"})

LEDGER_STATUS = Vocabulary(
    "状态",
    {
        "open": "已立项",
        "notified": "已反馈",
        "rectified": "已整改",
        "closed": "已销号",
        "reopened": "整改未通过",
    },
    {"立项": "open", "反馈": "notified", "整改": "rectified", "销号": "closed", "未通过": "reopened"},
)

LEDGER_ACTION = Vocabulary(
    "操作",
    {"open": "立项", "notify": "反馈", "record": "登记整改", "close": "销号", "reopen": "重新整改"},
)

JOB = Vocabulary(
    "任务",
    {
        "crawl": "采集",
        "alerts": "无更新预警",
        "weekly": "周抽查及报告",
        "monthly": "月检查",
        "circular": "季度通报起草",
        "discovery": "未备案账号排查",
    },
)

JOB_STATUS = Vocabulary(
    "结果",
    {"running": "运行中", "ok": "成功", "failed": "失败", "skipped": "未运行", "interrupted": "中断"},
)

JOB_TRIGGER = Vocabulary("触发", {"schedule": "定时", "startup": "启动补跑", "once": "手动"})

ALERT_STEP = Vocabulary(
    "预警对象",
    {"operator": "账号负责人", "leader": "分管领导", "centre": "监管中心", "test": "测试"},
    {"负责人": "operator", "center": "centre", "中心": "centre"},
)

ALERT_CHANNEL = Vocabulary(
    "渠道", {"email": "邮件", "generic": "回调", "wecom": "企业微信", "dingtalk": "钉钉"}
)

ALERT_STATUS = Vocabulary("发送结果", {"sent": "已发送", "failed": "发送失败"})

# --- discovery (未备案账号排查) and the registry audit (失管脱管) ---

CANDIDATE_STATE = Vocabulary(
    "线索状态",
    {
        "candidate": "待核实",
        "filed": "已备案",
        "unfiled": "未备案（已确认）",
        "not_government": "非政务账号",
        "dismissed": "已排除",
    },
    {
        "待确认": "candidate", "未备案": "unfiled", "瞒报": "unfiled", "非政务": "not_government",
        "排除": "dismissed",
    },
)  # fmt: skip

SEARCH_OUTCOME = Vocabulary(
    "搜索结果",
    {
        "ok": "有结果",
        "empty": "无结果",
        "blocked": "被平台拦截",
        "auth_expired": "凭据失效",
        "error": "搜索失败",
        "skipped": "未搜索（已达搜索预算）",
    },
    {"拦截": "blocked", "失败": "error", "未搜索": "skipped"},
)

SEARCH_FILTER = Vocabulary("搜索范围", {"org": "仅机构认证", "all": "不限"})

# how the platform marks the account that a search found
VERIFIED_KIND = Vocabulary(
    "认证类型",
    {
        "government": "政府",
        "institution": "事业单位",
        "organisation": "机构团体",
        "media": "媒体",
        "school": "校园",
        "enterprise": "企业",
        "personal": "个人",
        "verified": "已认证（类型未知）",
        "other": "其他",
        "none": "未认证",
    },
    {"其他组织": "organisation", "团体": "organisation", "机构": "organisation", "机构认证": "organisation"},
)

MATCH_BASIS = Vocabulary(
    "匹配依据",
    {
        "platform_id": "平台账号ID（已备案）",
        "credit_code": "统一社会信用代码",
        "verified_text": "认证主体",
        "former_name": "已备案账号的名称或曾用名",
        "name": "账号名称",
        "none": "未匹配",
    },
)

AUDIT_KIND = Vocabulary(
    "核查问题",
    {
        "gone_on_platform": "平台显示已注销或不存在",
        "renamed_on_platform": "平台名称与备案不符",
        "ended_but_active": "已关停或注销仍在运行",
        "no_contact": "未登记负责人或联系电话",
        "contacts_stale": "联系人逾期未核实",
        "collection_failing": "连续多周未能采集",
    },
)

# the circular's numbered problems that discovery and the audit feed
DISCOVERY_PROBLEM = Vocabulary(
    "问题类型",
    {"unfiled_accounts": "瞒报漏报、私开账号", "unmanaged_accounts": "失管脱管、建而不管"},
)

# the roles of the web workbench's users (govmedia user add --role)
USER_ROLE = Vocabulary(
    "角色",
    {
        "admin": "系统管理员",
        "supervisor": "监管人员",
        "reviewer": "复核人员",
        "filer": "填报人员",
        "readonly": "只读",
    },
    {"管理员": "admin", "监管": "supervisor", "复核": "reviewer", "填报": "filer", "只读人员": "readonly"},
)

USER_ACTION = Vocabulary(
    "操作",
    {"add": "新增用户", "role": "变更角色", "password": "设置密码", "disable": "停用", "enable": "启用"},
)

ALL: dict[str, Vocabulary] = {
    "platform": PLATFORM,
    "account_status": ACCOUNT_STATUS,
    "unit_level": UNIT_LEVEL,
    "unit_kind": UNIT_KIND,
    "yes_no": YES_NO,
    "profile": PROFILE,
    "filing_action": FILING_ACTION,
    "filing_field": FILING_FIELD,
    "unit_field": UNIT_FIELD,
    "check_kind": CHECK_KIND,
    "verdict": VERDICT,
    "verdict_basis": VERDICT_BASIS,
    "finding_level": FINDING_LEVEL,
    "finding_status": FINDING_STATUS,
    "sample_reason": SAMPLE_REASON,
    "collection_state": COLLECTION_STATE,
    "opening_basis": OPENING_BASIS,
    "outcome": OUTCOME,
    "attempt_source": ATTEMPT_SOURCE,
    "worker_state": WORKER_STATE,
    "rule": RULE,
    "metric": METRIC,
    "lexicon_kind": LEXICON_KIND,
    "lexicon_source": LEXICON_SOURCE,
    "ledger_status": LEDGER_STATUS,
    "ledger_action": LEDGER_ACTION,
    "job": JOB,
    "job_status": JOB_STATUS,
    "job_trigger": JOB_TRIGGER,
    "alert_step": ALERT_STEP,
    "alert_channel": ALERT_CHANNEL,
    "alert_status": ALERT_STATUS,
    "candidate_state": CANDIDATE_STATE,
    "search_outcome": SEARCH_OUTCOME,
    "search_filter": SEARCH_FILTER,
    "verified_kind": VERIFIED_KIND,
    "match_basis": MATCH_BASIS,
    "audit_kind": AUDIT_KIND,
    "discovery_problem": DISCOVERY_PROBLEM,
    "user_role": USER_ROLE,
    "user_action": USER_ACTION,
}
