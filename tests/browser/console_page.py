"""The console as the tests see it: what a person does on the page, by element id."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Locator, Page, expect


@dataclass
class ConsolePage:
    """One browser tab showing ``/console``."""

    page: Page

    @classmethod
    def open(cls, page: Page, base_url: str) -> ConsolePage:
        """Load the console and wait until it has read the specs (and any dev tokens)."""
        page.goto(f"{base_url}/console")
        expect(page.locator("body")).to_have_attribute("data-ready", "true")
        return cls(page)

    def front(self) -> Page:
        """The page, brought to the front first.

        Scenes switch between pages; Playwright's clicks wait for animation frames,
        which a page in the background gets only about once a second.
        """
        self.page.bring_to_front()
        return self.page

    def connect(self, token: str, connection_type: str = "general", room: str = "") -> None:
        """Fill the connection form and press Connect; waits for nothing."""
        self.front()
        self.page.fill("#token", token)
        self.page.select_option("#connection-type", connection_type)
        self.page.fill("#room", room)
        self.page.click("#connect")

    def connected(self) -> str:
        """Wait until the connection is open and its id is shown; return the id."""
        expect(self.page.locator("#status")).to_have_attribute("data-state", "open")
        connection_id = self.page.locator("#connection-id")
        expect(connection_id).not_to_have_text("none")
        return connection_id.inner_text()

    def choose_template(self, message_type: str) -> dict[str, Any]:
        """Pick the first template of ``message_type``; return the message box's JSON."""
        option = self.page.locator(f'#template option[data-type="{message_type}"]').first
        value = option.get_attribute("value")
        assert value is not None, f"no template for {message_type}"
        self.front().select_option("#template", value)
        message: dict[str, Any] = json.loads(self.page.input_value("#message"))
        return message

    def send(self, message: dict[str, Any] | None = None) -> None:
        """Send the message box as it is, or after replacing it with ``message``."""
        self.front()
        if message is not None:
            self.page.fill("#message", json.dumps(message, indent=2))
        self.page.click("#send")

    def frame(self, direction: str, message_type: str) -> Locator:
        """The log entries of frames of ``message_type`` sent (``out``) or received (``in``)."""
        return self.page.locator(
            f'#log li[data-direction="{direction}"][data-type="{message_type}"]'
        )

    def received(self, message_type: str, containing: str = "") -> dict[str, Any]:
        """Wait for a received frame of ``message_type`` (with ``containing`` in its text)."""
        entry = self.frame("in", message_type)
        if containing:
            entry = entry.filter(has_text=containing)
        expect(entry.first).to_be_visible()
        frame: dict[str, Any] = json.loads(entry.first.locator("pre").inner_text())
        return frame

    def templates(self) -> list[str]:
        """The message types the template list offers, in order, without repeats."""
        types = self.page.locator("#template option").evaluate_all(
            "options => options.map(o => o.dataset.type)"
        )
        return list(dict.fromkeys(types))

    def admin_field(self, operation_id: str, where: str, name: str) -> Locator:
        """An input of the admin form of ``operation_id`` (``where``: query, path or body)."""
        return self.front().locator(f"#op-{operation_id}-{where}-{name}")

    def use_admin_token(self, token: str) -> None:
        """Fill the admin panel's token field."""
        self.front().fill("#admin-token", token)

    def call_admin(self, operation_id: str) -> Locator:
        """Submit the admin form of ``operation_id``; returns its result element."""
        self.front().click(f"#op-{operation_id}-submit")
        return self.page.locator(f"#op-{operation_id}-result")
