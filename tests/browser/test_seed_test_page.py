"""The seed's own HTML test page, saved as a file and opened in Chromium, works.

``seed_test_page.html`` is the page of the seed's "Testing với JavaScript" section,
verbatim. As the seed says, it is saved and opened from disk (a ``file://`` URL, so its
``Origin`` is ``null``, which the router accepts unless ``WSROUTER_ALLOWED_ORIGINS`` is
set). Its two placeholders need real values, substituted in a temporary copy and nowhere
else: ``ws://localhost:8000`` becomes the test server's ``ws://127.0.0.1:PORT`` (the port
is a free one, not 8000) and ``'your_jwt_token_here'`` a token the server signed.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import screenshot
from tests.e2e.harness import ServerProcess

PAGE = Path(__file__).with_name("seed_test_page.html")
SEED = Path(__file__).resolve().parents[1] / "e2e" / "seed" / "ws-router-spec.md"


def test_the_page_is_the_seeds_verbatim() -> None:
    seed = SEED.read_text(encoding="utf-8")
    section = seed[seed.index("## Testing với JavaScript") :]
    block = re.search(r"```html\n(.*?)```", section, flags=re.DOTALL)
    assert block is not None
    assert PAGE.read_text(encoding="utf-8") == block.group(1)


def test_seed_page_pings_and_echoes_against_the_router(
    context: BrowserContext, server: ServerProcess, tmp_path: Path
) -> None:
    html = PAGE.read_text(encoding="utf-8")
    assert html.count("ws://localhost:8000") == 1
    assert html.count("'your_jwt_token_here'") == 1
    token = server.token("1", name="Alice")
    html = html.replace("ws://localhost:8000", f"ws://127.0.0.1:{server.port}")
    html = html.replace("'your_jwt_token_here'", f"'{token}'")
    copy = tmp_path / "seed_test_page.html"
    copy.write_text(html, encoding="utf-8")

    page = context.new_page()
    page.goto(copy.as_uri())
    messages = page.locator("#messages")
    expect(messages).to_contain_text("Connected to WebSocket")
    expect(messages).to_contain_text('"type": "connection_established"')

    page.get_by_role("button", name="Ping").click()
    expect(messages).to_contain_text('"type": "pong"')

    page.fill("#messageInput", "Hello from the seed page")
    page.get_by_role("button", name="Send").click()
    echo = messages.locator("div").filter(has_text='"type": "echo"')
    expect(echo).to_contain_text('"message": "Hello from the seed page"')
    expect(page.locator("#messageInput")).to_have_value("")
    expect(messages).not_to_contain_text("Disconnected")
    screenshot(page, "seed_test_page")
