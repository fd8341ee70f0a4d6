"""A ``test-session`` connection: status, two answers, submit (blocking API).

    python examples/test_session.py --url ws://localhost:8000/ws --token TOKEN --session ID

The session must exist and belong to the token's user (the admin API creates one:
``POST /test-sessions``). ``--url``, ``--token`` and ``--session`` default to
``WSROUTER_URL``, ``WSROUTER_TOKEN`` and ``WSROUTER_SESSION``.
"""

from __future__ import annotations

import argparse
import os
import sys

import wsrouter_client


def main(url: str, token: str, session_id: str) -> None:
    with wsrouter_client.connect_sync(
        url, connection_type="test-session", room=session_id, token=token
    ) as session:
        print(f"connected: {session.connection_id} to session {session.established.session_id}")
        status = session.get_session_status()
        print(f"status {status.status}: {status.remaining_seconds} s left")
        for question, answer in (("q1", "B"), ("q2", ["A", "C"])):
            saved = session.save_answer(
                question_id=question, answer=answer, client_answer_id=f"example-{question}"
            )
            print(f"saved {saved.question_id} (version {saved.version})")
        submitted = session.submit_session()
        print(f"submitted ({submitted.reason}) with {submitted.answered_count} answer(s)")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="A test-session connection, end to end.")
    env = os.environ.get
    parser.add_argument("--url", default=env("WSROUTER_URL", "ws://localhost:8000/ws"))
    parser.add_argument(
        "--token", default=env("WSROUTER_TOKEN"), required=not env("WSROUTER_TOKEN")
    )
    parser.add_argument(
        "--session", default=env("WSROUTER_SESSION"), required=not env("WSROUTER_SESSION")
    )
    return parser.parse_args()


if __name__ == "__main__":
    args = arguments()
    try:
        main(args.url, args.token, args.session)
    except wsrouter_client.WsrouterError as exc:
        sys.exit(f"failed: {exc!r}")
