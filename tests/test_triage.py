"""The raw-text triage must change no result: it only skips sentences that cannot yield a fact."""
import pytest

from conftest import load_split

NOTES = load_split("dev") + load_split("test") + load_split("sample") + load_split("generated")


def comparable(record):
    return [(s["code"], s["units"], s["confidence"], [f["id"] for f in s["flags"]],
             [(e["start"], e["end"], e["rule"]) for e in s["evidence"]]) for s in record["suggestions"]]


@pytest.mark.parametrize("gold", NOTES, ids=[g["note_id"] for g in NOTES])
def test_triage_changes_nothing(corpus_records, ex_no_triage, gold):
    fast = corpus_records[gold["note_id"]]
    full = ex_no_triage.extract(gold["text"], gold["note_id"])
    assert comparable(fast) == comparable(full)
    assert [f["id"] for f in fast["flags"]] == [f["id"] for f in full["flags"]]


def test_triage_masks_most_of_a_note(ex):
    view = ex.view(NOTES[0]["text"])
    assert len(view.view) == len(view.text)
    assert view.kept_chars < 0.9 * len(view.text)
