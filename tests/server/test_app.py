"""The app's start-up, in-process (the served behaviour is tested end to end)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from wsrouter.app import RouterApp, create_app
from wsrouter.settings import Settings

SECRET = "app-test-secret-that-is-long-enough-0123456789"


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # give the test process its collector back


@pytest.mark.usefixtures("unfrozen")
def test_start_up_moves_the_long_lived_heap_out_of_the_collectors_sight(tmp_path: Path) -> None:
    settings = Settings(jwt_secret=SECRET, database_url=f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert gc.get_freeze_count() == 0
    with TestClient[RouterApp](create_app(settings)) as client:
        assert client.get("/health").status_code == 200
        assert gc.get_freeze_count() > 10_000
