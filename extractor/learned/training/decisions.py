"""Completed coder decisions read from a review queue database (``extractor.review``), as labelled
suggestions for refitting the confidence model.

For each note, the latest submitted review round counts. A suggested line the coder accepted is
right; one rejected or modified (another code, other units) is wrong, except a rejection "query the
surgeon", which says nothing yet about the code. A code the coder added is a code the rules missed: it
has no suggestion to calibrate and is only counted.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..layer import rules_only

UNDECIDED_REASONS = frozenset({"query_surgeon"})


@dataclass
class Decision:
    """One decided suggestion: the note's record (as the rules made it) and which suggestion."""

    note_id: str
    record: dict
    position: int
    right: bool

    @property
    def suggestion(self) -> dict:
        return self.record["suggestions"][self.position]


@dataclass
class Decisions:
    items: list[Decision] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # decisions by kind, and what was left out
    added_by_family: Counter = field(default_factory=Counter)
    notes: int = 0


def check_database(db: str) -> None:
    """A bare path must name an existing file (opening would otherwise create an empty queue)."""
    if "://" not in db and not Path(db).expanduser().is_file():
        raise FileNotFoundError(f"{db}: no such queue database")


def read_decisions(db: str) -> Decisions:
    """Every decided suggestion of the latest submitted round of each completed note."""
    from sqlalchemy import select

    from ...review.db import open_database
    from ...review.models import Extraction, Item, Note, Submission

    check_database(db)
    _engine, factory = open_database(db)
    out = Decisions()
    with factory() as session:
        latest: dict[int, Submission] = {}
        for submission in session.scalars(select(Submission).order_by(Submission.id)):
            latest[submission.note_pk] = submission
        for note_pk, submission in sorted(latest.items()):
            note = session.get(Note, note_pk)
            record = rules_only(session.get(Extraction, submission.extraction_id).record)
            items = session.scalars(select(Item).where(Item.note_pk == note_pk, Item.round == submission.round)
                                    .order_by(Item.position, Item.id)).all()
            out.notes += 1
            for item in items:
                _read_item(out, note.note_id, record, item)
    return out


def _read_item(out: Decisions, note_id: str, record: dict, item) -> None:
    out.counts[item.decision or "undecided"] += 1
    if item.origin == "added":
        if item.decision == "added":
            out.added_by_family[item.family] += 1
        return
    suggestions = record.get("suggestions") or []
    if item.position >= len(suggestions) or str(suggestions[item.position]["code"]) != item.code:
        out.counts["not_matching_the_record"] += 1
        return
    if item.decision == "rejected" and item.reason in UNDECIDED_REASONS:
        out.counts["left_out_query_surgeon"] += 1
        return
    if item.decision in ("accepted", "rejected", "modified"):
        out.items.append(Decision(note_id, record, item.position, item.decision == "accepted"))
