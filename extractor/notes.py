"""Reading notes from text files and folders of text files."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path


def iter_text_notes(paths: Iterable[str | Path]) -> Iterator[tuple[str, bytes]]:
    """(note_id, raw bytes) for each .txt file given or found (recursively, sorted) in a folder.

    note_id is the file name without extension. Bytes are returned undecoded so the extractor
    can detect and flag non-UTF-8 input.
    """
    for path in map(Path, paths):
        files = sorted(p for p in path.rglob("*.txt") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            yield file.stem, file.read_bytes()
