"""``wsrouter-contract``: test a running WebSocket server against its AsyncAPI document.

Two profiles. ``wsrouter`` (a document that declares connection types, as ours does):
per connection type, protocol scenarios (a plugin), bad input that must get an
``error``, and generated traffic, over a handshake with a token. ``generic`` (any
other AsyncAPI 3 document): per WebSocket endpoint, the document's examples and
generated valid requests, with every received frame checked against the document.

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
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from wsrouter_contract.endpoints import is_wsrouter, read
from wsrouter_contract.generic import GenericOptions, run_endpoint
from wsrouter_contract.peer import Target
from wsrouter_contract.plugin import Admin, load_plugin
from wsrouter_contract.redact import redact
from wsrouter_contract.report import TypeResult, render_report
from wsrouter_contract.runner import Options, UsageError, run
from wsrouter_contract.spec import SpecError, parse
from wsrouter_contract.urls import endpoint_url

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
        description="Check a running WebSocket server against its AsyncAPI 3 document. "
        "wsrouter profile: generated valid traffic, bad input and protocol scenarios, per "
        "connection type. generic profile (any other document): the document's examples "
        "and generated valid requests per endpoint, every received frame checked.",
    )
    p.add_argument(
        "url",
        nargs="?",
        help="wsrouter: the WebSocket endpoint, e.g. ws://localhost:8000/ws (required); "
        "generic: the server, ws://HOST[:PORT][/PATH], each channel's address appended "
        "(default: the document's first ws/wss server)",
    )
    p.add_argument(
        "--spec", default="asyncapi.yaml", help="the AsyncAPI 3 document (asyncapi.yaml)"
    )
    p.add_argument(
        "--profile",
        choices=("auto", "wsrouter", "generic"),
        default="auto",
        help="auto (the default): wsrouter for a document whose info.tags declare "
        "x-connection-type, generic otherwise",
    )
    p.add_argument(
        "--perspective",
        choices=("auto", "server", "client"),
        default="auto",
        help="generic: the side the document describes; auto (the default) reads it from "
        "the requests with a reply",
    )
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="generic: a channel parameter or server variable (default: its default, first "
        "enum or example value)",
    )
    p.add_argument(
        "--channel",
        action="append",
        default=[],
        metavar="NAME",
        help="generic: test only this endpoint (a channel key; repeatable; default: all)",
    )
    p.add_argument(
        "--token",
        default=os.environ.get(TOKEN_ENV),
        help=f"wsrouter: user JWT (${TOKEN_ENV})",
    )
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
        help="wsrouter: the request that checks a connection still serves (default: chosen "
        "from the spec)",
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
        help="wsrouter: scenario plugin module, or `none` (wsrouter_contract.scenarios)",
    )
    return p


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - it raises on a port that is not a number
    except ValueError:
        parts = parts._replace(scheme="")
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


def _read(path: str) -> Any:
    try:
        with Path(path).open(encoding="utf-8") as stream:
            return yaml.safe_load(stream)
    except (OSError, yaml.YAMLError) as exc:
        raise SpecError([f"{path}: {exc}"]) from None


def _main(args: argparse.Namespace, say: Callable[..., None]) -> int:
    try:
        document = _read(args.spec)
    except SpecError as exc:
        return _spec_problems(args.spec, exc, say)
    profile = args.profile
    if profile == "auto":
        profile = "wsrouter" if is_wsrouter(document) else "generic"
    if profile == "generic":
        return _generic(args, document, say)
    if not args.url:
        say("wsrouter-contract: the wsrouter profile needs the endpoint's URL", error=True)
        return 2
    if not args.token:
        say(f"wsrouter-contract: --token (or ${TOKEN_ENV}) is required", error=True)
        return 2
    try:
        _check_url(args.url)
        spec = parse(document)
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
        return _spec_problems(args.spec, exc, say)
    except (UsageError, ImportError) as exc:
        say(f"wsrouter-contract: {exc}", error=True)
        return 2
    header = f"wsrouter-contract: {args.url} against {spec.title} {spec.version} ({args.spec})"
    say(render_report(header, results))
    return _status(results, args.connection_type)


def _status(results: list[TypeResult], asked: list[str]) -> int:
    if any(r.failures for r in results):
        return 1
    if all(r.skipped for r in results) or any(r.skipped for r in results if r.name in asked):
        return 2
    return 0


def _spec_problems(path: str, exc: SpecError, say: Callable[..., None]) -> int:
    say(f"wsrouter-contract: {path} cannot be used:", error=True)
    for problem in exc.problems:
        say(f"  {problem}", error=True)
    return 2


def _generic(args: argparse.Namespace, document: Any, say: Callable[..., None]) -> int:
    """The generic profile: every WebSocket endpoint of any AsyncAPI 3 document."""
    try:
        if args.url:
            _check_url(args.url)
        found = read(document, args.perspective, Path(args.spec).parent)
        unknown = [c for c in args.channel if c not in found.endpoints]
        if unknown:
            raise UsageError(
                f"unknown channel(s) {unknown}; the endpoints are {sorted(found.endpoints)}"
            )
        names = args.channel or list(found.endpoints)
        values = _pairs(args.param, "--param")
        urls = {name: endpoint_url(found.endpoints[name], values, args.url) for name in names}
        for url in urls.values():
            _check_url(url)
    except SpecError as exc:
        return _spec_problems(args.spec, exc, say)
    except (UsageError, LookupError) as exc:
        say(f"wsrouter-contract: {exc.args[0]}", error=True)
        return 2
    options = GenericOptions(
        max_examples=args.max_examples,
        max_length=args.max_length,
        seed=args.seed,
        timeout=args.timeout,
        rate=args.rate,
        burst=args.burst,
        max_frame_bytes=args.max_frame_bytes,
        exclude=frozenset(args.exclude_operation),
    )
    results = [run_endpoint(urls[name], found.endpoints[name], options) for name in names]
    side = found.perspective.split(" ", 1)[0]
    header = (
        f"wsrouter-contract: {found.title} {found.version} ({args.spec}), generic profile,"
        f" read as the {side}'s document"
    )
    say(render_report(header, results, "endpoint"))
    return _status(results, args.channel)


if __name__ == "__main__":
    sys.exit(main())
