"""MkDocs hooks: the reference pages join the site at build time (see ``docs/reference.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

# mkdocs loads this file by path: make `docs.reference` importable from the repository.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from docs.reference import PAGES


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add each generated reference page; a page by that name on disk would be a mistake."""
    for name, render in PAGES.items():
        if files.get_file_from_path(name) is not None:
            raise ValueError(f"docs/{name} is generated: remove the copy on disk")
        files.append(File.generated(config, name, content=render()))
    return files
