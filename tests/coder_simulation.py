"""Simulated coders working through a real review queue (SQLite): the notes' results are loaded
with ``opnote queue load``'s own function, and every decision goes through the queue's claim /
decide / add / submit functions, so ``opnote models retrain --from-queue`` reads what a real queue
holds. A careful coder decides by the corpus's gold codes; a careless one decides every line at random."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

GOOD, CARELESS = "good", "careless"


def load_queue(db: str, records: list[dict], texts: dict[str, str], folder: Path) -> None:
    """A queue database holding ``records`` (their notes' texts in ``texts``) and one coder."""
    from extractor.review import auth
    from extractor.review.db import open_database
    from extractor.review.loading import load_results

    results, notes = folder / "results.jsonl", folder / "notes.jsonl"
    results.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    notes.write_text("".join(json.dumps({"note_id": r["note_id"], "text": texts[r["note_id"]]}) + "\n"
                             for r in records), encoding="utf-8")
    engine, factory = open_database(db)
    load_results(factory, str(results), [str(notes)], "tester", "simulated")
    with factory() as session:
        auth.add_user(session, "coder", "correct horse battery", "coder")
    engine.dispose()


def _decide_item(session, note, user, version: int, item, gold: dict[str, int], style: str) -> int:
    from extractor.review import queue

    right = gold.get(item.code) == item.units
    accept = right if style == GOOD else _coin(note.note_id, item.code)
    if accept:
        queue.decide(session, note, user, version, item.id, "accepted")
    elif style == GOOD and item.code in gold:
        queue.decide(session, note, user, version, item.id, "modified", code=item.code, units=gold[item.code])
    else:
        queue.decide(session, note, user, version, item.id, "rejected",
                     reason="wrong_level" if item.code in gold else "not_performed")
    return note.version


def _coin(*key: str) -> bool:
    """A fair coin, the same on every run for the same line."""
    return hashlib.sha256("/".join(key).encode()).digest()[0] < 128


def _add_missed(session, note, user, version: int, missed: dict[str, int], text: str) -> int:
    """The gold codes no line suggested, added with the note's first line as evidence."""
    from extractor.review import queue

    end = max(1, len(text.split("\n", 1)[0]))
    for code, units in sorted(missed.items()):
        try:
            queue.add_code(session, note, user, version, code, units, 0, end)
        except queue.Invalid:
            continue  # a code outside the queue's table: the coder would query instead
        version = note.version
    return version


def review_all(db: str, golds: dict[str, dict], style: Callable[[str], str]) -> int:
    """Every note reviewed and submitted; ``style(note_id)``: GOOD or CARELESS. Returns the notes done."""
    from extractor.review import queue
    from extractor.review.db import open_database
    from extractor.review.models import Extraction, Note, User

    engine, factory = open_database(db)
    done = 0
    with factory() as session:
        user = session.scalars(select(User).where(User.username == "coder")).one()
        for note in session.scalars(select(Note).order_by(Note.id)).all():
            gold = {c["code"]: int(c["units"]) for c in golds[note.note_id]["codes"]}
            queue.claim(session, note, user, note.version)
            version = note.version
            for item in queue.current_items(session, note):
                version = _decide_item(session, note, user, version, item, gold, style(note.note_id))
            suggested = {i.code for i in queue.current_items(session, note)}
            if style(note.note_id) == GOOD:
                missed = {c: u for c, u in gold.items() if c not in suggested}
                version = _add_missed(session, note, user, version, missed,
                                      session.get(Extraction, note.extraction_id).text)
            try:
                queue.submit(session, note, user, version)
                done += 1
            except queue.Invalid:
                queue.release(session, note, user, note.version)  # an add-on without its primary: left open
    engine.dispose()
    return done
