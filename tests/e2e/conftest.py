"""End-to-end fixtures: the real portal on a localhost port, Debian's Chromium, axe-core.

``portal`` starts ``web.create_app`` (a temporary instance folder, the session's
catalogue, cheap password hashing, e-mail to a real SMTP server on localhost) in a
werkzeug server thread and gives its base URL. ``desktop`` (1280×900) and ``phone``
(360×780, a touch screen) are browser contexts of one headless Chromium.

The tests skip when /usr/bin/chromium, Playwright or axe-core (``make test`` installs
it into .cache/axe) is missing, unless REQUIRE_BROWSER=1 (CI): then they fail.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.e2e.walk import AXE_PATH
from tests.web.helpers import SmtpServer
from web import create_app

CHROMIUM = "/usr/bin/chromium"
REQUIRED = os.environ.get("REQUIRE_BROWSER") == "1"
# As in tests/renderers/test_form_js.py; without the background-networking flags Chromium
# keeps trying to reach Google's hosts, which this machine's closed network refuses.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
WIDTHS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 360, "height": 780}, "is_mobile": True, "has_touch": True},
}


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless. Module-scoped, like tests/renderers/test_form_js.py's:
    one Playwright driver at a time in a process."""
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is missing (`make test` installs Debian's chromium)")
    if not AXE_PATH.exists():
        _unavailable(f"axe-core is missing: no {AXE_PATH} (`make test` installs it from the npm registry)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (`make test` installs the dev dependencies)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_context(browser):
    """``open_context("desktop" | "phone")``: a new browser context (its own cookies), closed
    after the test; a walk with two people (a clerk and a citizen) opens one each."""
    opened = []

    def open_(width: str):
        context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", **WIDTHS[width])
        context.set_default_timeout(10_000)
        opened.append(context)
        return context

    yield open_
    for context in opened:
        context.close()


@pytest.fixture
def desktop(open_context):
    return open_context("desktop")


@pytest.fixture
def phone(open_context):
    return open_context("phone")


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on localhost; ``smtp.messages`` holds what the portal sent."""
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def app(tmp_path, catalog, smtp):
    return create_app({
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "CATALOG": catalog,  # loaded once per session (tests/conftest.py)
        "PASSWORD_PROFILE": "CHEAPEST",  # argon2's cheapest parameters
        "MAIL_HOST": "127.0.0.1",
        "MAIL_PORT": smtp.port,
        "MAIL_TIMEOUT": 5,
        # The walks are one visitor on 127.0.0.1; the limits are tested in tests/web.
        "LOGIN_LIMIT_IP": "1000 per minute",
        "REGISTER_LIMIT_IP": "1000 per minute",
        "MAIL_LIMIT_IP": "1000 per minute",
        "LOOKUP_LIMIT_IP": "1000 per minute",
    })


@pytest.fixture
def portal(app) -> Iterator[str]:
    """The portal served by werkzeug in a thread, on a free localhost port: its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="portal", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
