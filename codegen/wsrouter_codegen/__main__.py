"""``python -m wsrouter_codegen generate [--check]``: regenerate, or check for drift."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wsrouter_codegen.errors import SpecError
from wsrouter_codegen.generate import Outputs, check, generate, write


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(prog="wsrouter-codegen", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="generate the _generated/ packages from the specs")
    gen.add_argument(
        "--check", action="store_true", help="write nothing; fail with a diff on drift"
    )
    gen.add_argument("--root", type=Path, default=Path(), help="the project root (default: .)")
    gen.add_argument("--asyncapi", type=Path, default=Path("asyncapi.yaml"))
    gen.add_argument("--openapi", type=Path, default=Path("openapi.yaml"))
    gen.add_argument("--server-out", type=Path, default=Path("server/wsrouter/_generated"))
    gen.add_argument(
        "--client-out", type=Path, default=Path("clients/python/wsrouter_client/_generated")
    )
    gen.add_argument("--tag-field", default="type", help="the payload property that tags messages")
    args = parser.parse_args(argv)

    root: Path = args.root
    try:
        files = generate(
            root / args.asyncapi,
            root / args.openapi,
            Outputs(server=args.server_out, client=args.client_out),
            tag_field=args.tag_field,
            ruff_config=config if (config := root / "pyproject.toml").exists() else None,
        )
    except SpecError as exc:
        print(
            f"codegen: {len(exc.errors)} problem(s) in the specs; nothing written:", file=sys.stderr
        )
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
    changed = write(root, files)
    print(f"codegen: {len(files)} files generated, {len(changed)} changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
