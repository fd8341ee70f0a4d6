"""``wsrouter-contract`` on a first run: bad URLs and refused tokens get clean, short
answers that never show the token, and a run that tested nothing does not pass."""

from __future__ import annotations

import pytest

from tests.contract.broken_servers import Defect, running
from tests.contract.test_ws_contract import FAKE_ARGS, SPEC
from tests.e2e.harness import free_port
from wsrouter_contract.cli import main, parser
from wsrouter_contract.redact import redact

TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2VjcmV0LXNpZ25hdHVyZQ"  # a fake JWT


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = main([*args, "--spec", SPEC])
    out, err = capsys.readouterr()
    return status, out + err


def test_an_http_url_is_a_clean_exit_2_that_hides_the_token(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, output = _run(capsys, "http://127.0.0.1:8000/ws", "--token", TOKEN)
    assert status == 2
    assert "ws://" in output
    assert "Traceback" not in output
    assert TOKEN not in output


def test_a_token_in_the_url_itself_is_never_printed(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"ws://127.0.0.1:{free_port()}/ws?token={TOKEN}&x=1"
    status, output = _run(capsys, url, "--token", "other-token-value")
    assert status == 2
    assert TOKEN not in output
    assert "other-token-value" not in output
    assert "token=***" in output


def test_a_refused_token_is_no_hint_to_give_a_room(capsys: pytest.CaptureFixture[str]) -> None:
    with running(Defect.NONE) as url:
        status, output = _run(capsys, url, "--token", "bad-" + TOKEN, *FAKE_ARGS)
    assert status == 2
    assert "4401 (unauthorized): token is malformed (check --token)" in output
    assert "--room" not in output
    assert TOKEN not in output


def test_a_run_where_every_type_was_skipped_finds_no_absence_of_violations(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with running(Defect.NONE) as url:
        status, output = _run(capsys, url, "--token", "bad-token", *FAKE_ARGS)
    assert status == 2
    assert "No violations found" not in output
    assert "Nothing was tested: every connection type was skipped." in output


def test_help_shows_the_default_spec(capsys: pytest.CaptureFixture[str]) -> None:
    help_text = parser().format_help()
    assert "the AsyncAPI 3 document (asyncapi.yaml)" in " ".join(help_text.split())


def test_redact_masks_secrets_query_tokens_and_bearer_tokens() -> None:
    text = f"ws://h/ws?connection_type=general&token={TOKEN} Authorization: Bearer {TOKEN}"
    assert redact(text) == "ws://h/ws?connection_type=general&token=*** Authorization: Bearer ***"
    assert redact(f"echo {TOKEN[:20]}", [TOKEN[:20]]) == "echo ***"
