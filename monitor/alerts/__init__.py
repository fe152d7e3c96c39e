"""Early warning before the two-week veto (无更新预警): tell people before day 14 comes.

For each active account the pass measures its **silence**: the time from the latest possible
moment of its last post (or, if it never posted, from its opening: its 开设日期, else the
earlier of its first known post and its filing) to its last *successful* collection. Collection
is judged exactly as the check judges it (``monitor.check.collection.collection_state`` over
``registry.collection.activity``): an account that is 未能采集 (DOMAIN.md §5) is not silent
and gets no silence alert. When the silence reaches a step of the escalation ladder, the
step's people are told once per silence; a new post starts a new silence.

The ladder comes from ``[alerts] steps`` in govmedia.toml, else from the monitor profile's
``escalation``, else the default: the account's 负责人 (operator) at 10 days, the unit's
分管领导 (leader) at 12, the supervising centre at 13. Contacts come from the filing;
the centre's from ``[alerts] centre_email`` / ``centre_phone``. Messages go by e-mail
(``[smtp]``) and by webhook (``[webhook] generic`` JSON, ``wecom`` and ``dingtalk`` robots,
which @-mention the recipient's mobile number).
"""
