"""Every corpus note keeps exactly the output recorded in the behaviour snapshot (see snapshot.py):
suggestions, units, confidences, flags, evidence and facts, explanation fields aside."""
import pytest

from snapshot import comparable, corpus_notes, read

SNAPSHOT = read()
NOTES = corpus_notes()


def test_snapshot_covers_every_corpus_note():
    assert sorted(SNAPSHOT) == sorted(note_id for _, note_id, _ in NOTES)


@pytest.mark.parametrize("note_id", [n for _, n, _ in NOTES])
def test_record_matches_snapshot(corpus_records, note_id):
    assert comparable(corpus_records[note_id]) == SNAPSHOT[note_id]
