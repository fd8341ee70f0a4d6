"""``wsrouter-contract``: test a running WebSocket server against its AsyncAPI document.

Exit status: 0 when no violation was found, 1 when one was, 2 when the run could
not be made (a bad option or spec, an unreachable server, a connection type asked
for with ``--connection-type`` that could not be tested).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from wsrouter_contract.peer import Target
from wsrouter_contract.plugin import Admin, load_plugin
from wsrouter_contract.redact import redact
from wsrouter_contract.report import render_report
from wsrouter_contract.runner import Options, UsageError, run
from wsrouter_contract.spec import SpecError, load

# Names of environment variables, not secrets.
TOKEN_ENV = "WSROUTER_CONTRACT_TOKEN"  # noqa: S105
ADMIN_TOKEN_ENV = "WSROUTER_CONTRACT_ADMIN_TOKEN"  # noqa: S105


def _pairs(values: list[str], option: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        key, sep, item = value.partition("=")
        if not sep or not key or not item:
            raise UsageError(f"{option} takes TYPE=VALUE, not {value!r}")
        pairs[key] = item
    return pairs


def parser() -> argparse.ArgumentParser:
    """The command line."""
    p = argparse.ArgumentParser(
        prog="wsrouter-contract",
        description="Check a running WebSocket server against its AsyncAPI 3 document: "
        "generated valid traffic, bad input and protocol scenarios, per connection type.",
    )
    p.add_argument("url", help="the WebSocket endpoint, e.g. ws://localhost:8000/ws")
    p.add_argument(
        "--spec", default="asyncapi.yaml", help="the AsyncAPI 3 document (asyncapi.yaml)"
    )
    p.add_argument("--token", default=os.environ.get(TOKEN_ENV), help=f"user JWT (${TOKEN_ENV})")
    p.add_argument(
        "--admin-token",
        default=os.environ.get(ADMIN_TOKEN_ENV),
        help=f"admin JWT for the HTTP admin API, used by scenarios (${ADMIN_TOKEN_ENV})",
    )
    p.add_argument("--http-url", help="the admin API's base URL, e.g. http://localhost:8000")
    p.add_argument(
        "--room", action="append", default=[], metavar="TYPE=ROOM", help="handshake room per type"
    )
    p.add_argument(
        "--connection-type",
        action="append",
        default=[],
        metavar="TYPE",
        help="test only this connection type (repeatable; default: all)",
    )
    p.add_argument("--max-examples", type=int, default=50, help="generated sequences per type (50)")
    p.add_argument("--max-length", type=int, default=4, help="requests per sequence, at most (4)")
    p.add_argument("--seed", type=int, help="Hypothesis seed, for a reproducible run")
    p.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for a reply (5)")
    p.add_argument("--rate", type=float, default=15.0, help="frames/s per connection (15)")
    p.add_argument("--burst", type=int, default=30, help="frames sent before pacing (30)")
    p.add_argument(
        "--max-frame-bytes", type=int, default=65536, help="the server's frame limit (65536)"
    )
    p.add_argument(
        "--probe",
        action="append",
        default=[],
        metavar="TYPE=OPERATION",
        help="the request that checks a connection still serves (default: chosen from the spec)",
    )
    p.add_argument(
        "--exclude-operation",
        action="append",
        default=[],
        metavar="OPERATION",
        help="never send this operation (an operation id of the spec, e.g. submitSession)",
    )
    p.add_argument(
        "--scenarios",
        default="wsrouter_contract.scenarios",
        metavar="MODULE",
        help="scenario plugin module, or `none` (wsrouter_contract.scenarios)",
    )
    return p


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise UsageError(
            f"the URL must be a WebSocket URL, ws://HOST[:PORT]/PATH or wss://..., not {url!r}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the tester; returns the exit status. Nothing it prints shows a token."""
    args = parser().parse_args(argv)
    secrets = (args.token, args.admin_token)

    def say(text: str, *, error: bool = False) -> None:
        text = redact(text, secrets)
        stream = sys.stderr if error else sys.stdout
        try:
            print(text, file=stream)
        except UnicodeEncodeError:  # a terminal that cannot show every character a frame holds
            print(text.encode("ascii", "backslashreplace").decode("ascii"), file=stream)

    try:
        return _main(args, say)
    except KeyboardInterrupt:
        say("wsrouter-contract: interrupted", error=True)
        return 2
    except Exception:  # a bug of the tester's: report it, without the token
        say(f"wsrouter-contract: internal error\n{traceback.format_exc()}", error=True)
        return 2


def _main(args: argparse.Namespace, say: Callable[..., None]) -> int:
    if not args.token:
        say(f"wsrouter-contract: --token (or ${TOKEN_ENV}) is required", error=True)
        return 2
    try:
        _check_url(args.url)
        spec = load(args.spec)
        target = Target(
            url=args.url,
            spec=spec,
            token=args.token,
            timeout=args.timeout,
            rate=args.rate,
            burst=args.burst,
            rooms=_pairs(args.room, "--room"),
        )
        options = Options(
            connection_types=tuple(args.connection_type),
            max_examples=args.max_examples,
            max_length=args.max_length,
            seed=args.seed,
            max_frame_bytes=args.max_frame_bytes,
            probes=_pairs(args.probe, "--probe"),
            exclude=frozenset(args.exclude_operation),
        )
        admin = (
            Admin(args.http_url, args.admin_token, args.timeout)
            if args.http_url and args.admin_token
            else None
        )
        results = run(target, options, load_plugin(args.scenarios), admin)
    except SpecError as exc:
        say(f"wsrouter-contract: {args.spec} cannot be used:", error=True)
        for problem in exc.problems:
            say(f"  {problem}", error=True)
        return 2
    except (UsageError, ImportError) as exc:
        say(f"wsrouter-contract: {exc}", error=True)
        return 2
    header = f"wsrouter-contract: {args.url} against {spec.title} {spec.version} ({args.spec})"
    say(render_report(header, results))
    if any(r.failures for r in results):
        return 1
    if all(r.skipped for r in results) or any(
        r.skipped for r in results if r.name in args.connection_type
    ):
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
