"""The whole pipeline: specs in, formatted files out (in memory), then write or check."""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from wsrouter_codegen.agreement import check_agreement
from wsrouter_codegen.asyncapi import build_protocol
from wsrouter_codegen.emit import render_template
from wsrouter_codegen.emit_http import HttpViews
from wsrouter_codegen.emit_protocol import ProtocolViews
from wsrouter_codegen.emit_table import TableViews
from wsrouter_codegen.errors import Problem, SpecError
from wsrouter_codegen.load import Document
from wsrouter_codegen.openapi import build_http_api


@dataclass(frozen=True)
class Outputs:
    """Where the generated packages go: relative to the project root, or absolute.

    ``None`` leaves that side out (``--client-only`` has no server package).
    """

    server: Path | None
    client: Path | None


@dataclass(frozen=True)
class GeneratedFile:
    """One generated file: its path (relative to the root, or absolute), and its text."""

    path: Path
    text: str


# What each side holds; ``--models-only`` keeps only the types.
_MODELS = frozenset({"__init__.py", "messages.py", "http_models.py"})


def generate(
    asyncapi: Path,
    openapi: Path | None,
    outputs: Outputs,
    *,
    tag_field: str = "type",
    perspective: str = "auto",
    ruff_config: Path | None = None,
    models_only: bool = False,
) -> list[GeneratedFile]:
    """Generate every file from the specs, in memory and formatted.

    ``openapi`` is optional: without it no HTTP models, routes or client are made.
    ``perspective`` says which application the AsyncAPI document describes
    (``server``, ``client``, or ``auto``: read from the document).
    ``ruff_config`` is the ``pyproject.toml`` whose ruff settings format the output
    (the one of the project the files go into). Raises :class:`SpecError` listing
    every problem found in either spec; nothing is produced then.
    """
    async_doc = Document.load(asyncapi)
    http_doc = Document.load(openapi) if openapi is not None else None
    try:
        protocol = build_protocol(async_doc, tag_field, perspective)
        api = build_http_api(http_doc) if http_doc is not None else None
        if http_doc is not None:
            check_agreement(protocol, async_doc, http_doc)
    except (AttributeError, TypeError, KeyError, IndexError, ValueError, RecursionError) as exc:
        # A node of a shape the readers do not expect (a list where a mapping belongs,
        # ...): the problems found so far, and this one, rather than a traceback.
        errors = [*async_doc.errors.errors, *(http_doc.errors.errors if http_doc else [])]
        shape = f"a value of an unexpected type or shape ({type(exc).__name__}: {exc}); "
        shape += "check the document against its specification's JSON Schema"
        raise SpecError([*errors, Problem(async_doc.source, "", shape)]) from None
    errors = [*async_doc.errors.errors, *(http_doc.errors.errors if http_doc else [])]
    if errors:
        raise SpecError(errors)
    ws = ProtocolViews(protocol)
    table = TableViews(protocol)
    messages = ws.messages_module()
    sources = f"{protocol.source} and {api.source}" if api else protocol.source
    server: dict[str, str] = {
        "__init__.py": _package_init(sources, "server"),
        "messages.py": messages,
        "handlers.py": ws.handlers_module(),
    }
    client: dict[str, str] = {
        "__init__.py": _package_init(sources, "client"),
        "messages.py": messages,
        "ws_client.py": ws.client_module(),
        "ws_client_sync.py": ws.sync_client_module(),
    }
    if protocol.declared_groups:  # a router's document: the table of its connection types
        server["connection_types.py"] = table.server_module()
        client["connections.py"] = table.client_module()
    if api is not None:
        http = HttpViews(api)
        models = http.models_module()
        server |= {"http_models.py": models, "http_routes.py": http.routes_module()}
        client |= {"http_models.py": models, "http_client.py": http.client_module()}
    files: dict[Path, str] = {}
    # Other protocols (mqtt, kafka, ...) get the message models; the messages module says
    # that no client or server was generated for them.
    models_only = models_only or not protocol.websocket
    for folder, side in ((outputs.server, server), (outputs.client, client)):
        if folder is not None:
            files |= {
                folder / name: text
                for name, text in side.items()
                if not models_only or name in _MODELS
            }
    formatted = _format(files, ruff_config)
    return [GeneratedFile(path, formatted[path]) for path in sorted(files)]


def _package_init(sources: str, side: str) -> str:
    return render_template("__init__.py", {"source": sources, "side": side})


def _format(files: dict[Path, str], config: Path | None) -> dict[Path, str]:
    """Format with ruff (fixing import order first) so output is stable and lint-clean.

    The files are formatted in a scratch folder under the same names (an absolute
    output path is re-rooted there), so that ruff applies the same settings it applies
    to the checked-in copies, and nothing is written where the output goes.
    """
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        raise SpecError([Problem("codegen", "", "ruff is needed to format the generated code")])
    with tempfile.TemporaryDirectory(prefix="wsrouter-codegen-") as scratch:
        root = Path(scratch)
        if config is not None:
            shutil.copy(config, root / "pyproject.toml")
        places = {path: root / _relative(path) for path in files}
        for path, text in files.items():
            places[path].parent.mkdir(parents=True, exist_ok=True)
            places[path].write_text(text, encoding="utf-8")
        targets = [str(place) for place in places.values()]
        _ruff(root, [ruff, "check", "--fix-only", "--select", "I,F401", *targets])
        _ruff(root, [ruff, "format", *targets])
        return {path: place.read_text(encoding="utf-8") for path, place in places.items()}


def _relative(path: Path) -> Path:
    return Path("_absolute", *path.parts[1:]) if path.is_absolute() else path


def _ruff(cwd: Path, command: list[str]) -> None:
    """Run ruff on generated code; what it rejects is a generator bug, reported as such."""
    env = {**os.environ, "RUFF_NO_CACHE": "true"}
    # the commands are ours; only the file names vary, and they are ours too
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        output = (done.stderr or done.stdout).replace(str(cwd) + os.sep, "").strip()
        message = f"ruff rejected the generated code (a generator bug, please report it): {output}"
        raise SpecError([Problem("codegen", "", message)])


def write(root: Path, files: list[GeneratedFile]) -> list[Path]:
    """Write ``files`` under ``root``; remove stale ``.py`` files of the output folders.

    Returns the paths that changed.
    """
    changed = [f.path for f in files if _read(root / f.path) != f.text]
    stale = _stale(root, files)
    for f in files:
        target = root / f.path
        if target.exists() and _read(target) == f.text:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch = target.with_suffix(target.suffix + ".tmp")
        scratch.write_text(f.text, encoding="utf-8")
        scratch.replace(target)
    for path in stale:
        (root / path).unlink()
    return changed + stale


def check(root: Path, files: list[GeneratedFile]) -> str:
    """A unified diff between the files on disk and ``files``; empty when in sync."""
    chunks: list[str] = []
    for f in files:
        current = _read(root / f.path)
        if current != f.text:
            chunks.extend(
                difflib.unified_diff(
                    (current or "").splitlines(keepends=True),
                    f.text.splitlines(keepends=True),
                    fromfile=f"{f.path} (on disk{'' if current is not None else ', missing'})",
                    tofile=f"{f.path} (generated from the specs)",
                )
            )
    for path in _stale(root, files):
        chunks.append(f"{path}: stale generated file; the specs no longer produce it\n")
    return "".join(chunks)


def _stale(root: Path, files: list[GeneratedFile]) -> list[Path]:
    wanted = {f.path for f in files}
    folders = {f.path.parent for f in files}
    return sorted(
        folder / path.name
        for folder in folders
        if (root / folder).is_dir()
        for path in (root / folder).glob("*.py")
        if folder / path.name not in wanted
    )


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
