"""The annotated corpora as training and held-out data: every note with its gold line, the record
the rules make of it (the learned layer off), and the spans of its operative narrative.

Training splits: ``dev``, ``generated``, ``sample`` and ``external/dev``. Held out: ``test`` and
``external/test``, which are only ever scored as a whole (aggregate figures), never looked at note by
note, and never used to choose anything.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ...decoding import decode_bytes
from ...evaluate import read_gold
from ...section_roles import BODY
from ...settings import Settings
from ..layer import rules_only
from ..store import fingerprint

CORPORA = Path(__file__).resolve().parents[3] / "corpora"
TRAINING_SPLITS = ("dev", "generated", "sample", "external/dev")
HELD_OUT_SPLITS = ("test", "external/test")
EXTERNAL_TRAINING = "external/dev"


@dataclass
class CorpusNote:
    split: str
    note_id: str
    text: str
    gold: dict
    record: dict  # what the rules make of the note (no learned additions)
    body: list[tuple[int, int]] = field(default_factory=list)  # the operative narrative (ok records)

    @property
    def group(self) -> str:
        """A note id unique across splits (cross-validation keeps a note's suggestions together)."""
        return f"{self.split}/{self.note_id}"


def rules_extractor(settings: Settings | None = None):
    """An extractor with the learned layer off: the rules' records the models are fitted on."""
    from ... import load

    base = settings or Settings.load()
    return load(Settings.from_dict({**base.to_dict(), "learned": {"enabled": False, "models_dir": ""}}))


def read_split(split: str, extractor, corpora: Path = CORPORA, records: dict[str, dict] | None = None
               ) -> list[CorpusNote]:
    """The notes of one split with their rules' records (``records``: already made ones, by note id)."""
    folder = Path(corpora) / split
    notes = []
    for gold in read_gold(folder / "gold.jsonl"):
        raw = (folder / "notes" / f"{gold['note_id']}.txt").read_bytes()
        text = decode_bytes(raw)[0]
        record = rules_only((records or {}).get(gold["note_id"]) or extractor.extract(raw, gold["note_id"]))
        body = []
        if record["status"] == "ok":
            body = [(s.start, s.end) for s in extractor.view(text).sections if s.role == BODY]
        notes.append(CorpusNote(split, gold["note_id"], text, gold, record, body))
    return notes


def corpus_fingerprint(splits: tuple[str, ...] = TRAINING_SPLITS, corpora: Path = CORPORA) -> str:
    """SHA-256 over the gold files and note files of ``splits`` (names and bytes)."""
    items = []
    for split in splits:
        folder = Path(corpora) / split
        for path in [folder / "gold.jsonl", *sorted((folder / "notes").glob("*.txt"))]:
            items.append([split, path.name, hashlib.sha256(path.read_bytes()).hexdigest()])
    return fingerprint(items)
