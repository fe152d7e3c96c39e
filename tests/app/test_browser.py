"""End to end in a real headless Chromium (Debian's ``chromium``, driven by Playwright with its
``executable_path``; never ``playwright install``) against a real uvicorn server on a free
localhost port: a county filer files an account; the city supervisor approves it; a reviewer
reviews a candidate; the filer answers a rectification item and the supervisor closes it.
Then the life cycle: the supervisor rejects a filing with a reason; the filer sees the reason,
changes the filing and refiles it; the supervisor approves it; the filer closes an account
through its confirmation page. A screenshot of each page is kept under the test's output
folder (``tmp_path/screens``).

Chromium missing: skipped locally, a failure in CI (``CI=true``; ``scripts/ci-packages.sh``
installs it).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.app.web_registry import CHENGGUAN, PASSWORD, Built, build

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not path:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium is required in CI (scripts/ci-packages.sh installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Built]]:
    import uvicorn

    from monitor.app.web.app import create_app
    from monitor.app.web.settings import WebSettings

    reg = build(str(tmp_path / "govmedia.db"), lifecycle=1)
    port = _free_port()
    config = uvicorn.Config(
        create_app(WebSettings(db=reg.db)),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        proxy_headers=False,
    )
    web = uvicorn.Server(config)
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    for _ in range(200):
        if web.started:
            break
        threading.Event().wait(0.05)
    assert web.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}", reg
    finally:
        web.should_exit = True
        thread.join(10)


@pytest.fixture
def browser() -> Iterator[Any]:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, args=ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


class Person:
    """One signed-in browser context; ``shot`` keeps a screenshot of the page it is on."""

    def __init__(self, browser: Any, base: str, screens: Path, name: str) -> None:
        self.context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.base, self.screens, self.name = base, screens, name
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.goto(f"{base}/login")
        self.shot("login")
        self.page.fill("input[name=username]", name)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(f"{base}/")
        self.shot("home")

    def go(self, path: str, label: str) -> None:
        self.page.goto(f"{self.base}{path}")
        self.shot(label)

    def shot(self, label: str) -> None:
        self.screens.mkdir(parents=True, exist_ok=True)
        count = len(list(self.screens.iterdir())) + 1
        self.page.screenshot(path=str(self.screens / f"{count:02d}_{self.name}_{label}.png"), full_page=True)


def test_file_approve_review_and_rectify_in_a_browser(
    server: tuple[str, Built], browser: Any, tmp_path: Path
) -> None:
    base, reg = server
    screens = tmp_path / "screens"

    filer = Person(browser, base, screens, "城关填报")
    filer.go("/accounts/new", "filing_form")
    page = filer.page
    page.select_option("select[name=platform]", "douyin")
    page.fill("input[name=name]", "城关抖音")
    page.fill("input[name=platform_id]", "88880001")
    page.fill("input[name=phone]", "13800138000")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("text=已报备，状态：待审核")
    filer.shot("filed")
    account_url = page.url.split("?")[0]
    account_id = int(account_url.rsplit("/", 1)[1])
    assert "待审核" in page.inner_text("h1")

    supervisor = Person(browser, base, screens, "兰州监管")
    supervisor.go("/approvals", "approval_queue")
    row = supervisor.page.locator("tr", has_text="城关抖音")
    row.locator("button", has_text="通过").click()
    supervisor.page.wait_for_selector("text=已审核通过")
    supervisor.shot("approved")
    supervisor.go(f"/accounts/{account_id}", "account")
    assert "已备案" in supervisor.page.inner_text("h1")
    assert "兰州监管（兰州市人民政府，监管人员）" in supervisor.page.inner_text("body")

    reviewer = Person(browser, base, screens, "兰州复核")
    reviewer.go("/review", "review_queue")
    assert reviewer.page.locator("mark", has_text="某某错误表述").count() >= 1
    reviewer.page.fill("form[action$='/confirm'] input[name=note]", "核实为错误表述")
    reviewer.page.click("form[action$='/confirm'] button")
    reviewer.page.wait_for_selector("text=已确认")
    reviewer.shot("reviewed")
    assert "没有待复核的问题" in reviewer.page.inner_text("main")

    item = reg.items[CHENGGUAN][0]
    filer.go(f"/ledger/{item}", "ledger_item")
    filer.page.fill("textarea[name=note]", "已恢复更新，建立发布审核制度")
    filer.page.fill("input[name=evidence_url]", "https://example.org/proof")
    filer.page.click("text=报送整改情况")
    filer.page.wait_for_selector("text=已报送整改情况")
    filer.shot("rectified")

    supervisor.go("/ledger", "ledger_board")
    supervisor.go(f"/ledger/{item}", "ledger_item")
    supervisor.page.fill("form[action$='/close'] input[name=note]", "复查通过")
    supervisor.page.click("form[action$='/close'] button")
    supervisor.page.wait_for_selector("text=已销号。")
    supervisor.shot("closed")
    supervisor.go("/checks", "checks")

    for person in (filer, supervisor, reviewer):
        assert person.errors == [], person.errors  # no console errors: no script, no CSP violation
    shots = sorted(p.name for p in screens.iterdir())
    assert len(shots) >= 14 and all((screens / s).stat().st_size > 5000 for s in shots)


def test_reject_change_refile_approve_and_close_in_a_browser(
    server: tuple[str, Built], browser: Any, tmp_path: Path
) -> None:
    base, reg = server
    screens = tmp_path / "screens"
    target = reg.pending[CHENGGUAN][0]

    supervisor = Person(browser, base, screens, "兰州监管")
    supervisor.go("/approvals", "approval_queue")
    row = supervisor.page.locator("tr", has_text="城关待审0")
    row.locator("input[name=reason]").fill("请补充负责人和手机号码")
    row.locator("button", has_text="驳回").click()
    supervisor.page.wait_for_selector("text=已驳回，退回报备单位修改")
    supervisor.shot("rejected")

    filer = Person(browser, base, screens, "城关填报")  # its home page lists the rejected filing
    block = filer.page.locator("section", has_text="被驳回的报备")
    assert "请补充负责人和手机号码" in block.inner_text()
    block.locator("a", has_text="城关待审0").click()
    filer.page.wait_for_url(f"{base}/accounts/{target}")
    filer.shot("account_rejected")
    alert = filer.page.locator("section[role=alert]")
    assert "驳回理由：请补充负责人和手机号码" in alert.inner_text()
    alert.locator("a", has_text="修改报备信息").click()
    filer.page.wait_for_url(f"{base}/accounts/{target}/change")
    filer.shot("change_form")
    assert filer.page.input_value("input[name=name]") == "城关待审0"  # prefilled
    filer.page.fill("input[name=owner]", "张三")
    filer.page.fill("input[name=phone]", "13900139000")
    filer.page.fill("input[name=reason]", "按驳回意见补充负责人")
    filer.page.click("form.form button[type=submit]")
    filer.page.wait_for_selector("text=已变更备案信息")
    filer.shot("changed")
    filer.page.fill("form[action$='/refile'] input[name=reason]", "已补充")
    filer.page.click("form[action$='/refile'] button")
    filer.page.wait_for_selector("text=已重新报备，状态：待审核")
    filer.shot("refiled")
    assert "待审核" in filer.page.inner_text("h1") and "张三 13900139000" in filer.page.inner_text("body")

    supervisor.go("/approvals", "approval_queue_again")
    supervisor.page.locator("tr", has_text="城关待审0").locator("button", has_text="通过").click()
    supervisor.page.wait_for_selector("text=已审核通过")
    supervisor.go(f"/accounts/{target}", "account_approved")
    assert "已备案" in supervisor.page.inner_text("h1")
    history = supervisor.page.locator("section", has_text="备案记录").inner_text()
    for step in ("驳回", "变更", "重新报备", "审核通过"):
        assert step in history, step

    spare = reg.spare[CHENGGUAN][0]
    filer.go(f"/accounts/{spare}", "account_active")
    filer.page.click("a.button:has-text('关停账号')")
    filer.page.wait_for_url(f"{base}/accounts/{spare}/close")
    filer.shot("close_confirm")
    filer.page.fill("input[name=reason]", "整合关停")
    filer.page.click("button:has-text('确认关停')")
    filer.page.wait_for_selector("text=账号已关停")
    filer.shot("closed")
    assert "已关停" in filer.page.inner_text("h1")
    filer.go(f"/accounts/{spare}/cancel", "cancel_confirm")

    for person in (filer, supervisor):
        assert person.errors == [], person.errors
    shots = sorted(p.name for p in screens.iterdir())
    assert len(shots) >= 15 and all((screens / s).stat().st_size > 5000 for s in shots)
