"""Users, roles and jurisdiction: ``govmedia user …``, the approval rule at its boundaries, who
may change, refile, close and cancel an account, the actor of CLI actions, and two supervisors
approving one filing at the same moment."""

from __future__ import annotations

import io
import json
import threading

import pytest

from registry.db import session_scope
from registry.errors import Conflict
from registry.filing import accounts as filing
from registry.filing import queries as listing
from registry.users.access import PARENT, UnitTree, decide, scope_of
from registry.users.logins import sign_in
from tests.app.web_registry import CHENGGUAN, LANZHOU, PROVINCE, QINZHOU, TIANSHUI, build

PW = "s3cret-pass\n"


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_user_commands(any_db: str, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    build(any_db)
    _stdin(monkeypatch, PW)
    r = cli(
        [
            "--db",
            any_db,
            "user",
            "add",
            "--name",
            "新监管",
            "--unit",
            LANZHOU,
            "--role",
            "监管人员",
            "--password-stdin",
        ]
    )
    assert r.code == 0 and "已新增用户「新监管」（兰州市人民政府，监管人员）" in r.out
    rows = {u["name"]: u for u in json.loads(cli(["--db", any_db, "user", "list", "--format", "json"]).out)}
    assert rows["新监管"]["role"] == "supervisor" and rows["新监管"]["unit"] == LANZHOU
    assert rows["新监管"]["password_set"] is True and "password_hash" not in rows["新监管"]
    table = cli(["--db", any_db, "user", "list"]).out
    assert "监管人员" in table and "supervisor" not in table
    with session_scope(any_db) as s:
        assert sign_in(s, name="新监管", password="s3cret-pass", address="t").user is not None
    assert cli(["--db", any_db, "user", "role", "新监管", "reviewer"]).code == 0
    _stdin(monkeypatch, "another-pass-2\n")
    assert cli(["--db", any_db, "user", "passwd", "新监管", "--password-stdin"]).code == 0
    with session_scope(any_db) as s:
        assert sign_in(s, name="新监管", password="s3cret-pass", address="t").user is None
        assert sign_in(s, name="新监管", password="another-pass-2", address="t").user is not None
    assert cli(["--db", any_db, "user", "disable", "新监管"]).code == 0
    rows = {u["name"]: u for u in json.loads(cli(["--db", any_db, "user", "list", "--format", "json"]).out)}
    assert rows["新监管"]["active"] is False and rows["新监管"]["role"] == "reviewer"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--role", "boss"], PW, "字段「--role」的值「boss」无效：应为系统管理员（admin）"),
        (["--unit", "不存在的单位"], PW, "字段「--unit」的值「不存在的单位」无效：找不到该单位"),
        (["--name", "有 空格"], PW, "字段「用户名」的值「有 空格」无效：不能含空格"),
        (["--name", "兰州监管"], PW, "字段「用户名」的值「兰州监管」无效：该用户已存在"),
        ([], "short\n", "字段「密码」的值「（已隐藏）」无效：至少 8 个字符"),
        ([], "", "字段「--password-stdin」的值「」无效：标准输入中没有密码"),
    ],
)
def test_bad_user_input_is_one_chinese_line(tmp_path, cli, monkeypatch, args, stdin, message) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "u.db")
    build(db)
    base = {"--name": "某人", "--unit": LANZHOU, "--role": "filer"}
    for i in range(0, len(args), 2):
        base[args[i]] = args[i + 1]
    _stdin(monkeypatch, stdin)
    argv = ["--db", db, "user", "add", *[x for kv in base.items() for x in kv], "--password-stdin"]
    r = cli(argv)
    assert r.code == 2 and r.err.strip().startswith(f"错误：{message}"), r
    assert "short" not in r.err  # a password is never echoed
    assert "某人" not in cli(["--db", db, "user", "list"]).out


def test_a_user_added_without_a_password_cannot_sign_in(tmp_path, cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "u.db")
    build(db)
    _stdin(monkeypatch, "")
    r = cli(["--db", db, "user", "add", "--name", "待设密码", "--unit", LANZHOU, "--role", "只读"])
    assert r.code == 0 and "user passwd 待设密码" in r.err
    with session_scope(db) as s:
        assert sign_in(s, name="待设密码", password="", address="t").user is None
    assert cli(["--db", db, "user", "passwd", "待设密码"]).code == 2  # no terminal, no --password-stdin


def test_cli_actions_taken_as_a_registered_user_are_recorded_under_it(tmp_path, cli) -> None:  # type: ignore[no-untyped-def]
    reg = build(str(tmp_path / "u.db"))
    first, free = reg.pending[CHENGGUAN][0], reg.pending[QINZHOU][0]
    assert cli(["--db", reg.db, "--user", "兰州监管", "account", "approve", str(first)]).code == 0
    assert cli(["--db", reg.db, "--user", "中心脚本", "account", "approve", str(free)]).code == 0
    with session_scope(reg.db) as s:
        assert listing.history(s, first)[-1]["actor"] == "兰州监管"
        assert listing.history(s, free)[-1]["actor"] == "中心脚本"  # the centre's scripts keep working
    assert cli(["--db", reg.db, "user", "disable", "兰州只读"]).code == 0
    r = cli(
        [
            "--db",
            reg.db,
            "--user",
            "兰州只读",
            "account",
            "reject",
            str(reg.active[CHENGGUAN]),
            "--reason",
            "x",
        ]
    )
    assert r.code == 2 and "该用户已停用" in r.err


def _tree() -> UnitTree:
    tree = UnitTree()
    rows = [
        (1, None, "province", PROVINCE),
        (2, 1, "city", LANZHOU),
        (3, 2, "county", CHENGGUAN),
        (4, 3, "township", "某街道"),
        (5, 2, "city", "兰州市教育局"),
        (6, 1, "city", TIANSHUI),
        (7, 1, "province", "甘肃省教育厅"),
    ]
    for uid, parent, level, name in rows:
        tree.parent[uid], tree.level[uid], tree.name[uid] = parent, level, name
        if parent:
            tree.children.setdefault(parent, []).append(uid)
    return tree


# (supervisor's unit, filing unit, approval level, allowed)
APPROVALS = [
    (2, 3, PARENT, True),  # a county files with its city
    (1, 3, PARENT, False),  # not with the province
    (3, 3, PARENT, False),  # nor with itself
    (3, 4, PARENT, True),  # a township files with its county
    (2, 4, PARENT, False),
    (2, 4, "city", True),  # … or with its city when the office says so
    (3, 4, "city", False),
    (2, 5, PARENT, True),  # a city department files with its city government
    (1, 2, PARENT, True),  # a city files with the province
    (1, 7, PARENT, True),  # a provincial department with the province government
    (6, 3, PARENT, False),  # another city: outside its jurisdiction
    (1, 1, PARENT, True),  # the top of the tree files with itself
    (2, 2, PARENT, False),
    (1, 3, "province", True),
]


@pytest.mark.parametrize(("mine", "unit", "level", "allowed"), APPROVALS)
def test_the_approval_rule(mine: int, unit: int, level: str, allowed: bool) -> None:
    tree = _tree()
    scope = scope_of(tree, user_id=1, name="x", role="supervisor", unit_id=mine)
    decision = decide(scope, "approve", unit, tree=tree, approval_level=level)
    assert decision.allowed is allowed, decision
    if not allowed:
        assert decision.hidden == (unit not in tree.subtree(mine))


# (role, user's unit, account's unit, answer) for 变更、重新报备、关停、注销 an account:
# "allowed", "refused" (403: the role or the unit may not) or "hidden" (404: outside)
LIFE_CYCLE = [
    ("filer", 3, 3, "allowed"),  # a county's filer: its own unit's accounts
    ("filer", 3, 4, "refused"),  # not its township's, although it sees them (the township files its own)
    ("filer", 2, 3, "refused"),  # a city's filer: not its county's
    ("filer", 2, 5, "refused"),  # nor its department's
    ("filer", 3, 2, "hidden"),  # the unit above is outside its jurisdiction
    ("filer", 3, 6, "hidden"),  # another city
    ("supervisor", 2, 2, "allowed"),  # a supervisor: anywhere in its jurisdiction
    ("supervisor", 2, 3, "allowed"),
    ("supervisor", 2, 4, "allowed"),
    ("supervisor", 3, 4, "allowed"),
    ("supervisor", 3, 2, "hidden"),
    ("supervisor", 2, 6, "hidden"),
    ("admin", 2, 4, "allowed"),
    ("admin", 1, 6, "allowed"),
    ("admin", 3, 6, "hidden"),
    ("reviewer", 2, 3, "refused"),  # reviewers and readers never change a filing
    ("reviewer", 3, 3, "refused"),
    ("reviewer", 2, 6, "hidden"),
    ("readonly", 3, 3, "refused"),
    ("readonly", 1, 4, "refused"),
    ("readonly", 3, 6, "hidden"),
]


@pytest.mark.parametrize("action", ["change", "refile", "close", "cancel"])
@pytest.mark.parametrize(("role", "mine", "unit", "answer"), LIFE_CYCLE)
def test_who_may_change_refile_close_and_cancel(
    role: str, mine: int, unit: int, answer: str, action: str
) -> None:
    tree = _tree()
    scope = scope_of(tree, user_id=1, name="x", role=role, unit_id=mine)
    decision = decide(scope, action, unit, tree=tree)
    got = "allowed" if decision.allowed else ("hidden" if decision.hidden else "refused")
    assert got == answer, decision
    if answer == "refused":
        assert decision.reason == (
            f"填报人员只能办理本单位（{tree.name[mine]}）的事项"
            if role == "filer"
            else f"您的角色是「{scope.role_label}」，只有系统管理员、监管人员、填报人员可以进行此操作"
        )


@pytest.mark.parametrize(("role", "mine", "unit", "allowed"), [
    ("filer", 3, 3, True), ("filer", 2, 3, False), ("supervisor", 2, 3, False), ("admin", 2, 2, False),
])  # fmt: skip
def test_filing_stays_with_the_filer_of_its_own_unit(role: str, mine: int, unit: int, allowed: bool) -> None:
    tree = _tree()
    scope = scope_of(tree, user_id=1, name="x", role=role, unit_id=mine)
    assert decide(scope, "file", unit, tree=tree).allowed is allowed


def test_jurisdiction_is_the_subtree() -> None:
    tree = _tree()
    assert tree.subtree(2) == {2, 3, 4, 5}
    assert scope_of(tree, user_id=1, name="x", role="readonly", unit_id=1).everything
    city = scope_of(tree, user_id=1, name="x", role="readonly", unit_id=2)
    assert not city.everything and city.unit_ids == [2, 3, 4, 5]


def _until_blocked(db: str) -> None:
    """Wait until another transaction waits for a lock (PostgreSQL shows it in ``pg_locks``;
    on SQLite, where nothing shows it, give the other thread half a second)."""
    import time

    from sqlalchemy import create_engine, text

    if not db.startswith("postgresql"):
        time.sleep(0.5)
        return
    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if conn.execute(text("select count(*) from pg_locks where not granted")).scalar():
                    return
                time.sleep(0.02)
    finally:
        engine.dispose()


def _approve_in_parallel(db: str, account_id: int) -> list[str]:
    """Two supervisors' units of work: A approves and holds its transaction open until B has
    started; B's approval waits on A's write, then finds the filing no longer pending."""
    outcomes: list[str] = []
    a_wrote, b_started = threading.Event(), threading.Event()

    def first() -> None:
        with session_scope(db) as s:
            filing.approve(s, account_id, actor="兰州监管")
            a_wrote.set()
            b_started.wait(10)
            _until_blocked(db)  # B is now blocked on our write
        outcomes.append("A approved")

    def second() -> None:
        a_wrote.wait(10)
        try:
            with session_scope(db) as s:
                b_started.set()
                filing.approve(s, account_id, actor="另一监管")
            outcomes.append("B approved")
        except Conflict as exc:
            outcomes.append(f"B refused: {exc.message}")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


def test_two_supervisors_approving_one_filing_at_once(any_db: str) -> None:
    reg = build(any_db)
    account_id = reg.pending[CHENGGUAN][0]
    outcomes = _approve_in_parallel(reg.db, account_id)
    assert outcomes[0] == "A approved" and len(outcomes) == 2, outcomes
    assert outcomes[1].startswith("B refused"), outcomes
    if any_db.startswith("postgresql"):  # B was seen waiting on A's write: the guarded update refuses it
        assert "已被他人同时处理" in outcomes[1], outcomes
    else:  # B may have started after A committed: refused either way, in one Chinese line
        assert "已被他人同时处理" in outcomes[1] or "已备案" in outcomes[1], outcomes
    with session_scope(reg.db) as s:
        events = [e for e in listing.history(s, account_id) if e["action"] == "approve"]
        detail = listing.account_detail(s, account_id)
    assert [e["actor"] for e in events] == ["兰州监管"]  # one approval recorded, nothing half-written
    assert detail["status"] == "active" and detail["filing_no"].endswith(f"{account_id:06d}")


def test_two_approvals_through_http_at_once(any_db: str) -> None:
    """Real requests from two signed-in supervisors of the same level, released together."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.app.web_registry import client, login

    reg = build(any_db, copies=6)
    webs = [client(reg.db), client(reg.db)]
    tokens = [login(webs[0], "兰州监管"), login(webs[1], "兰州监管")]
    statuses = []
    for account_id in reg.pending[CHENGGUAN]:
        gate = threading.Barrier(2)

        def go(i: int, account_id: int = account_id, gate: threading.Barrier = gate) -> tuple[int, str]:
            gate.wait()
            r = webs[i].post(
                f"/accounts/{account_id}/approve", data={"csrf_token": tokens[i]}, follow_redirects=False
            )
            return r.status_code, r.text

        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(go, [0, 1]))
        codes = sorted(code for code, _ in answers)
        assert codes == [303, 409], answers
        refused = next(text for code, text in answers if code == 409)
        assert "已备案" in refused or "已被他人同时处理" in refused
        statuses.append(codes)
        with session_scope(reg.db) as s:
            assert [e["action"] for e in listing.history(s, account_id)].count("approve") == 1
