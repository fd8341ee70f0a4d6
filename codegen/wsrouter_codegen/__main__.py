"""``wsrouter-codegen generate``: typed Python code from an AsyncAPI 3 document (and an
optional OpenAPI 3.1 one), or a check that the code on disk still matches them.

Exit status: 0 done (or no drift), 1 drift found by ``--check``, 2 the specs or the
options cannot be used (every problem is listed, nothing is written).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wsrouter_codegen.errors import SpecError
from wsrouter_codegen.generate import Outputs, check, generate, write


def parser() -> argparse.ArgumentParser:
    """The command line."""
    p = argparse.ArgumentParser(
        prog="wsrouter-codegen",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = p.add_subparsers(dest="command", required=True)
    gen = commands.add_parser(
        "generate",
        help="generate the _generated/ packages from the specs",
        description="Generate msgspec types, a server skeleton (handler interfaces, "
        "Litestar routes) and a typed client from the specs. Relative paths are under --root.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    gen.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 with a diff on drift"
    )
    gen.add_argument("--root", type=Path, default=Path(), help="the project root")
    gen.add_argument(
        "--asyncapi", type=Path, default=Path("asyncapi.yaml"), help="the AsyncAPI 3 document"
    )
    gen.add_argument(
        "--openapi", type=Path, default=Path("openapi.yaml"), help="the OpenAPI 3.1 document"
    )
    gen.add_argument(
        "--no-openapi",
        action="store_true",
        help="no OpenAPI document: generate no HTTP models, routes or client",
    )
    gen.add_argument(
        "--server-out",
        type=Path,
        default=Path("server/wsrouter/_generated"),
        help="the server package's folder (relative to --root, or absolute)",
    )
    gen.add_argument(
        "--client-out",
        type=Path,
        default=Path("clients/python/wsrouter_client/_generated"),
        help="the client package's folder (relative to --root, or absolute)",
    )
    only = gen.add_mutually_exclusive_group()
    only.add_argument(
        "--models-only",
        action="store_true",
        help="only the message and HTTP models (messages.py, http_models.py)",
    )
    only.add_argument(
        "--client-only", action="store_true", help="only the client package, no server package"
    )
    gen.add_argument(
        "--tag-field", default="type", help="the payload property whose const tags messages"
    )
    gen.add_argument(
        "--perspective",
        choices=("auto", "server", "client"),
        default="auto",
        help="the application the AsyncAPI document describes: `server` (its receive is "
        "what clients send, like ours) or `client` (its send is); auto: a request with a "
        "reply tells",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = parser().parse_args(argv)
    root: Path = args.root
    try:
        files = generate(
            root / args.asyncapi,
            None if args.no_openapi else root / args.openapi,
            Outputs(server=None if args.client_only else args.server_out, client=args.client_out),
            tag_field=args.tag_field,
            perspective=args.perspective,
            ruff_config=config if (config := root / "pyproject.toml").exists() else None,
            models_only=args.models_only,
        )
    except SpecError as exc:
        print(f"codegen: {len(exc.errors)} problem(s); nothing written:", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error}", file=sys.stderr)
        return 2
    if args.check:
        diff = check(root, files)
        if diff:
            sys.stdout.write(diff)
            print(
                "codegen: generated files differ from the specs; run `make gen` "
                "(never edit _generated/ by hand)",
                file=sys.stderr,
            )
            return 1
        print(f"codegen: {len(files)} generated files match the specs")
        return 0
    try:
        changed = write(root, files)
    except OSError as exc:
        print(f"codegen: cannot write the generated files: {exc}", file=sys.stderr)
        return 2
    print(f"codegen: {len(files)} files generated, {len(changed)} changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
