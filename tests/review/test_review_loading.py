"""Loading results into the queue, and re-loading them, on SQLite and PostgreSQL."""
from __future__ import annotations

import copy
import json

from sqlalchemy import func, select

from extractor.review.loading import load_results
from extractor.review.models import Extraction, Item, Note


def _write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return str(path)


def test_load_counts_and_skips_error_records(db_url, corpus):
    from extractor.review.db import open_database

    engine, factory = open_database(db_url)
    summary = load_results(factory, corpus["results"], [corpus["notes"]], "tester")
    assert (summary.new, summary.not_ok) == (8, 1)
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Note)) == 8
        assert session.scalar(select(Note).where(Note.note_id == "not_spine")) is None
    engine.dispose()


def test_wrong_note_texts_are_refused_note_by_note(db_url, corpus, tmp_path):
    from extractor.review.db import open_database

    engine, factory = open_database(db_url)
    shifted = tmp_path / "notes.jsonl"
    shifted.write_text("".join(json.dumps({"note_id": i, "text": "X" + t}) + "\n"
                               for i, t in corpus["texts"].items() if i != "sample_04"), encoding="utf-8")
    summary = load_results(factory, corpus["results"], [str(shifted)], "tester")
    assert summary.missing_text == 1 and summary.mismatched >= 6
    assert any("sample_04: no note text" in p for p in summary.problems)
    assert all("X" not in p.split(":")[1] for p in summary.problems)  # reasons, never note text
    engine.dispose()


def test_reloading_updates_unreviewed_notes_and_never_overwrites_a_decision(login, loaded, corpus, tmp_path):
    _db_url, factory = loaded
    cody = login("cody")
    pk_decided, pk_open = cody.pk("sample_02"), cody.pk("sample_03")
    note = cody.note(pk_decided)
    decided_item = note["items"][0]
    assert cody.decide(pk_decided, decided_item["id"], note["version"], decision="rejected",
                       reason="wrong_code").status_code == 200
    newer = []
    for record in corpus["records"].values():
        record = copy.deepcopy(record)
        if record["note_id"] in ("sample_02", "sample_03"):
            record["suggestions"] = [s | {"confidence": 0.5} for s in record["suggestions"]]
        newer.append(record)
    summary = load_results(factory, _write(tmp_path / "v2.jsonl", newer), [corpus["notes"]], "tester", "second run")
    assert (summary.updated, summary.versioned, summary.unchanged) == (1, 1, 6)
    decided_page = cody.note(pk_decided)["html"]
    assert "rejected: Wrong code by cody" in decided_page and "A newer extraction of this note (version 2" in decided_page
    assert "confidence 0.95 (high)" in decided_page  # still the version the decision was made on
    open_page = cody.note(pk_open)["html"]
    assert "confidence 0.50" in open_page and "extraction version 2" in open_page
    assert "confidence 0.95 (high)" not in open_page  # the earlier suggestions are not shown twice
    with factory() as session:
        item = session.get(Item, decided_item["id"])
        assert (item.decision, item.reason) == ("rejected", "wrong_code")
        assert session.scalar(select(func.count()).select_from(Extraction)) == 10
    again = load_results(factory, _write(tmp_path / "v2b.jsonl", newer), [corpus["notes"]], "tester")
    assert again.unchanged == 8  # the same results twice change nothing


def test_admin_reviews_the_newer_version_in_a_new_round(login, loaded, corpus, tmp_path):
    _db_url, factory = loaded
    cody, ada = login("cody"), login("ada")
    pk = cody.pk("sample_03")
    version = cody.accept_all(pk)
    assert cody.form(f"/notes/{pk}/submit", version=str(version)).status_code == 303
    changed = copy.deepcopy(corpus["records"]["sample_03"])
    changed["suggestions"] = [s | {"units": 2} for s in changed["suggestions"]]
    load_results(factory, _write(tmp_path / "v2.jsonl", [changed]), [corpus["notes"]], "tester")
    note = ada.note(pk)
    assert "Review the newer version" in note["html"]
    assert ada.form(f"/notes/{pk}/rounds", version=str(note["version"]), kind="newer").status_code == 303
    page = ada.note(pk)["html"]
    assert "review round 2" in page and "extraction version 2" in page and "to decide" in page
    assert "submit" in page.split('class="history')[1]  # round 1 stays in the history


def test_worklist_pages_walk_every_note_once_forwards_and_back(db_url, corpus, tmp_path):
    """Cursor paging over 130 notes with tied sort values: next pages list each note once, in
    order; 'previous' gives the page before."""
    from extractor.review.db import open_database
    from extractor.review.worklist import PAGE_SIZE, Filters, worklist

    engine, factory = open_database(db_url)
    records = []
    for n in range(130):
        record = copy.deepcopy(corpus["records"]["sample_0" + str(1 + n % 6)])
        record["note_id"] = f"n{n:03d}"
        records.append(record)
    notes = tmp_path / "notes.jsonl"
    notes.write_text("".join(json.dumps({"note_id": r["note_id"], "text": corpus["texts"]["sample_0" + str(1 + n % 6)]})
                             + "\n" for n, r in enumerate(records)), encoding="utf-8")
    load_results(factory, _write(tmp_path / "many.jsonl", records), [str(notes)], "tester")
    with factory() as session:
        for sort in ("age", "confidence", "confidence_desc"):
            seen, pages, values, f = [], [], [], Filters(sort=sort)
            while True:
                page = worklist(session, f)
                pages.append([r["note"].note_id for r in page.rows])
                values += [r["note"].min_confidence for r in page.rows]
                seen += pages[-1]
                if not page.next_cursor:
                    break
                f = Filters(sort=sort, after=page.next_cursor)
            assert len(seen) == 130 and len(set(seen)) == 130 and [len(p) for p in pages] == [PAGE_SIZE, PAGE_SIZE, 30]
            back = worklist(session, Filters(sort=sort, before=worklist(session, f).previous_cursor))
            assert [r["note"].note_id for r in back.rows] == pages[-2]
            if sort != "age":
                assert values == sorted(values, reverse=sort == "confidence_desc") and len(set(values)) > 1
    engine.dispose()
