"""Real Chromium, driven by Playwright's sync API, against a real ``wsrouter serve``.

The browser is Debian's ``/usr/bin/chromium`` (``make test`` installs it where missing;
``WSROUTER_CHROMIUM`` names another one); Playwright's own browser downloads are never
used. Each module gets one browser and one server; each test gets a fresh context, whose
pages may only reach the test server: any other request is refused and fails the test.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright

from tests.browser.console_page import ConsolePage
from tests.e2e.harness import ServerProcess, free_port, server_env
from tests.timing import TIMEOUT

CHROMIUM = Path(os.environ.get("WSROUTER_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Containers often have a small /dev/shm; Chromium then crashes on large pages.
    "--disable-dev-shm-usage",
    # Several pages play one scene side by side: none of them may be throttled as hidden.
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--disable-renderer-backgrounding",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"

NewPage = Callable[[], ConsolePage]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for the module; ``launch`` gives it a fresh, temporary user-data dir."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"no Chromium at {CHROMIUM}: run `make chromium` (apt-get install chromium) "
            "or set WSROUTER_CHROMIUM to a Chromium binary",
            pytrace=False,
        )
    # Module scope, not session: the sync API's event loop must be gone before the
    # async tests of other folders run.
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=6 * TIMEOUT * 1000
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server (not in development mode) shared by the tests of one module."""
    where = tmp_path_factory.mktemp("server")
    generous = {"WSROUTER_MESSAGES_PER_SECOND": "1000", "WSROUTER_MESSAGE_BURST": "1000"}
    process = ServerProcess(where, free_port(), server_env(where, generous)).start()
    yield process
    process.kill()


@pytest.fixture
def context(browser: Browser, server: ServerProcess) -> Iterator[BrowserContext]:
    """A fresh browser context whose pages may load nothing but the test server."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT * 1000)
    outside: list[str] = []

    def only_local(route: Route) -> None:
        url = route.request.url
        if url.startswith("file:") or urlsplit(url).hostname in {"127.0.0.1", "localhost"}:
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", only_local)
    yield context
    context.close()
    assert not outside, f"pages tried to load from outside the test server: {outside}"


@pytest.fixture
def new_console(context: BrowserContext, server: ServerProcess) -> NewPage:
    """Opens ``/console`` of the module's server in a new page of the test's context."""

    def open_console() -> ConsolePage:
        return ConsolePage.open(context.new_page(), server.http_url)

    return open_console


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page under ``test-artifacts/browser/NAME.png``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.bring_to_front()
    page.screenshot(path=str(path), full_page=True)
    return path
