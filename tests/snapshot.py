"""The behaviour snapshot: every corpus note's full output record, to prove a refactor changes nothing.

``python tests/snapshot.py`` rewrites ``tests/snapshots/corpus_records.jsonl`` from the current code;
``tests/test_snapshot.py`` compares against it. Rewrite it only for an intended behaviour change, and
read the diff (``git diff --word-diff``) before committing it.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SNAPSHOT = HERE / "snapshots" / "corpus_records.jsonl"
SPLITS = ("dev", "test", "sample", "generated")
# Fields added after the snapshot was taken that explain, rather than change, a result.
EXPLANATION_FIELDS = {"explanation", "cue", "excluded_mentions"}


def corpus_notes() -> list[tuple[str, str, bytes]]:
    """(split, note_id, raw bytes) of every corpus note, in a stable order."""
    corpora = HERE.parent / "corpora"
    out = []
    for split in SPLITS:
        for path in sorted((corpora / split / "notes").glob("*.txt")):
            out.append((split, path.stem, path.read_bytes()))
    return out


def comparable(value):
    """The record without explanation-only fields (recursively), for comparison with the snapshot."""
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items() if k not in EXPLANATION_FIELDS}
    if isinstance(value, list):
        return [comparable(v) for v in value]
    return value


def write(records: dict[str, dict]) -> None:
    with open(SNAPSHOT, "w", encoding="utf-8") as fh:
        for note_id in sorted(records):
            fh.write(json.dumps(comparable(records[note_id]), sort_keys=True, ensure_ascii=False) + "\n")


def read() -> dict[str, dict]:
    with open(SNAPSHOT, encoding="utf-8") as fh:
        return {rec["note_id"]: rec for rec in map(json.loads, fh)}


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    import extractor

    ex = extractor.load()
    write({note_id: ex.extract(raw, note_id) for _, note_id, raw in corpus_notes()})
    print(f"wrote {SNAPSHOT}")
