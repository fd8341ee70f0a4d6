"""The golden output of the generator for the fixture specs.

``python -m tests.codegen.refresh_golden`` (or ``make golden``) rewrites ``golden/`` from
``fixtures/``; ``test_golden.py`` fails, with a diff, when they differ.
"""

from __future__ import annotations

import sys
from pathlib import Path

from wsrouter_codegen import GeneratedFile, Outputs, generate
from wsrouter_codegen.generate import check, write

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
GOLDEN = HERE / "golden"
FIXTURES = HERE / "fixtures"


def golden_files() -> list[GeneratedFile]:
    """What the generator makes of the fixture specs, as the golden folder lays it out."""
    return generate(
        FIXTURES / "asyncapi.yaml",
        FIXTURES / "openapi.yaml",
        Outputs(server=Path("server/_generated"), client=Path("client/_generated")),
        ruff_config=ROOT / "pyproject.toml",
    )


def golden_diff() -> str:
    """The diff between ``golden/`` and fresh output; empty when they agree."""
    return check(GOLDEN, golden_files())


def main() -> int:
    """Rewrite ``golden/``."""
    changed = write(GOLDEN, golden_files())
    print(f"golden: {len(changed)} file(s) changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
