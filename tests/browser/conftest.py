"""Playwright drives Debian's Chromium (never a downloaded browser) against the live server.
Screenshots go to test-artifacts/ (kept by CI, ignored by git)."""

import os
import threading
from pathlib import Path

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.utils.translation import get_language

from core.navigation import NavItem, _items, register
from core.roles import EVERYONE
from tests.conftest import CHROMIUM

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

DESKTOP = {"width": 1440, "height": 900}
TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}


class _OneRequestAtATime(ThreadedWSGIServer):
    """The live server on an in-memory SQLite database: every request thread shares the test's
    one connection, and two requests querying it at once can hang both for good (a Python SQL
    function of Django's waits for the interpreter lock that a thread waiting for the
    connection holds). Requests still come on many connections, but run one at a time, body and
    all, as one connection allows; on PostgreSQL each thread has its own connection."""

    def set_app(self, application):
        lock = threading.Lock()

        def one_at_a_time(environ, start_response):
            with lock:
                result = application(environ, start_response)
                try:
                    return list(result)
                finally:
                    if hasattr(result, "close"):
                        result.close()

        super().set_app(one_at_a_time)


@pytest.fixture(scope="session")
def live_server(django_db_setup):
    """pytest-django's live server, stopped before the test database is dropped (its threads'
    PostgreSQL connections would otherwise keep the database in use)."""
    from pytest_django import live_server_helper

    server = live_server_helper.LiveServer(
        os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost", start=False
    )
    if server.thread.connections_override:
        server.thread.server_class = _OneRequestAtATime
    server.start()
    yield server
    server.stop()


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test still talks to the
    # database synchronously, which Django allows only when told so.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, live_server):
    """``open_page(viewport)`` → a page in a fresh context that starts in Chinese."""
    contexts = []

    def make(viewport, *, has_touch=False):
        context = browser.new_context(
            viewport=viewport, locale="zh-CN", has_touch=has_touch, base_url=live_server.url
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name):
        width = page.viewport_size["width"]
        path = ARTIFACTS / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


class _Label:
    """A label in each language, like a module's translated menu entry."""

    def __init__(self, zh, en):
        self.zh, self.en = zh, en

    def __str__(self):
        return self.zh if (get_language() or "").startswith("zh") else self.en


FULL_MENU = [
    ("customers", "客户", "Customers"),
    ("sales", "销售", "Sales"),
    ("service", "服务工单", "Service"),
    ("inventory", "库存", "Inventory"),
    ("purchasing", "采购", "Purchasing"),
    ("finance", "财务", "Finance"),
    ("fulfilment", "履约", "Fulfilment"),
    ("insights", "经营分析", "Insights"),
    ("setup", "设置", "Setup"),
]


@pytest.fixture
def full_menu():
    """Every module's menu entry, as the shell will carry them once all modules are in."""
    saved = dict(_items)
    register(
        *[
            NavItem(f"{key}.demo", _Label(zh, en), "password_change", EVERYONE, section=key, order=10 + i)
            for i, (key, zh, en) in enumerate(FULL_MENU)
        ]
    )
    yield [key for key, _, _ in FULL_MENU]
    _items.clear()
    _items.update(saved)


def login(page, username, password="pw-Secret-123", *, screenshot=None):
    page.goto("/accounts/login/")
    if screenshot:
        screenshot(page, "login")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("[data-testid=main-nav]", state="attached")
