"""The console of a server in development mode (no JWT secret): tokens come prefilled."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import NewPage, screenshot
from tests.e2e.harness import ServerProcess, free_port, server_env
from tests.timing import TIMEOUT


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server without ``WSROUTER_JWT_SECRET``: it signs with a dev secret of its own."""
    where = tmp_path_factory.mktemp("dev-server")
    process = ServerProcess(where, free_port(), server_env(where, {"WSROUTER_JWT_SECRET": ""}))
    yield process.start()
    process.kill()


def test_dev_mode_prefills_both_tokens_and_they_work(
    new_console: NewPage, server: ServerProcess
) -> None:
    assert server.settings.dev_mode
    console = new_console()
    expect(console.page.locator("#dev-mode")).to_be_visible()
    expect(console.page.locator("#token")).not_to_have_value("")
    expect(console.page.locator("#admin-token")).not_to_have_value("")

    console.page.click("#connect")  # with the prefilled token, as it is
    console.connected()
    assert console.received("connection_established")["user_id"] == "1"
    result = console.call_admin("getWsStats")
    expect(result).to_have_attribute("data-status", "200")
    expect(result).to_contain_text('"total_connections": 1')
    screenshot(console.page, "dev_mode_prefilled")

    bob = new_console()
    bob.page.fill("#dev-sub", "2")
    bob.page.fill("#dev-name", "Bob")
    bob.page.click("#issue-dev-token")
    expect(bob.page.locator("#token-hint")).to_contain_text("user 2 (Bob)")
    bob.page.click("#connect")
    bob.connected()
    assert bob.received("connection_established")["user_id"] == "2"


def test_dev_tokens_are_only_for_loopback_clients_of_a_dev_server(server: ServerProcess) -> None:
    user = httpx.get(f"{server.http_url}/console/dev-token", timeout=TIMEOUT)
    assert user.status_code == 200
    assert user.headers["cache-control"] == "no-store"
    assert server.settings.dev_mode
    bob = httpx.get(
        f"{server.http_url}/console/dev-token", params={"sub": "2", "name": "Bob"}, timeout=TIMEOUT
    )
    assert bob.json()["sub"] == "2"
    bad_role = httpx.get(
        f"{server.http_url}/console/dev-token", params={"role": "root"}, timeout=TIMEOUT
    )
    assert bad_role.status_code == 422
