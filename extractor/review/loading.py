"""``opnote queue load``: extraction results (the extractor's JSONL) and their note texts -> queue.

Re-loading is safe: a note nobody has decided on yet takes the new result; a note with any decision
keeps its review and the new result is stored as a newer version, shown to coders as such. An
identical result is recognised and changes nothing. Every note's evidence is checked against its
text, so results loaded with the wrong note files are refused note by note, never shown wrongly.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from .models import Action, Batch, Extraction, Item, Note, utcnow

CHUNK = 500


@dataclass
class LoadSummary:
    new: int = 0
    updated: int = 0
    versioned: int = 0
    unchanged: int = 0
    not_ok: int = 0
    malformed: int = 0
    missing_text: int = 0
    mismatched: int = 0
    problems: list[str] = field(default_factory=list)  # note ids and reasons, never note text

    def line(self) -> str:
        return (f"{self.new} new, {self.updated} updated (not yet reviewed), {self.versioned} kept as a newer "
                f"version (already reviewed), {self.unchanged} unchanged; not loaded: {self.not_ok} error/skipped "
                f"records, {self.malformed} malformed lines, {self.missing_text} without note text, "
                f"{self.mismatched} whose evidence does not match the note text")


def read_results(path: str, summary: LoadSummary) -> Iterator[dict[str, Any]]:
    """Result records of a JSONL file; a line that is not a result record is counted, not fatal."""
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict) or not isinstance(record.get("suggestions", []), list):
                    raise ValueError("not a result record")
                str(record["note_id"])
            except (ValueError, KeyError):
                summary.malformed += 1
                summary.problems.append(f"line {number}: not a result record")
                continue
            yield record


def read_texts(paths: Iterable[str], wanted: set[str], input_format: str | None = None,
               id_col: str | None = None, text_col: str | None = None) -> dict[str, str]:
    """Texts of the wanted note ids from any input ``opnote extract`` reads, decoded as it does."""
    from ..inputs import read_inputs

    texts: dict[str, str] = {}
    for record in read_inputs(list(paths), input_format, id_col, text_col):
        note_id = record.note_id if record.note_id is not None else f"row-{record.row}"
        if note_id in wanted and record.text is not None and note_id not in texts:
            texts[note_id] = _decode(record.text)
    return texts


def _decode(text: str | bytes) -> str:
    if isinstance(text, str):
        return text
    from ..pipeline import decode_bytes  # the extractor's own decoding, so offsets agree

    return decode_bytes(text)[0]


def evidence_matches(record: dict[str, Any], text: str) -> bool:
    spans = [e for s in record.get("suggestions", []) for e in s.get("evidence", [])]
    return all(text[e["start"]:e["end"]] == e["text"] for e in spans)


def digest(record: dict[str, Any], text: str) -> str:
    """What identifies a result: everything but its position in the run's input."""
    core = {k: v for k, v in record.items() if k != "row"}
    payload = json.dumps(core, sort_keys=True, ensure_ascii=False) + "\x00" + text
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def section_spans(text: str) -> list[list[Any]]:
    """[start, end, header] of each section header, found as the extractor finds them."""
    from ..textview import find_headers

    return [[start, end, text[start:end].strip(" \t:,")] for _prefix, start, end in find_headers(text)]


def primary_rule(evidence: list[dict[str, Any]]) -> str | None:
    rules = [e.get("rule") for e in evidence if e.get("rule")]
    return next((r for r in rules if not r.startswith("level.")), rules[0] if rules else None)


def items_for(note: Note, extraction: Extraction, record: dict[str, Any]) -> list[Item]:
    from .tables import code_labels, family_of

    items = []
    for position, s in enumerate(record.get("suggestions", [])):
        code = str(s["code"])
        items.append(Item(note_pk=note.id, extraction_id=extraction.id, round=note.round, position=position,
                          current=True, origin="suggested", code=code, units=int(s.get("units", 1)),
                          family=s.get("family") or family_of(code), label=s.get("label") or code_labels().get(code, ""),
                          confidence=s.get("confidence"), rule=primary_rule(s.get("evidence", [])),
                          flags=s.get("flags", []), evidence=s.get("evidence", []), explanation=s.get("explanation")))
    return items


def retire_items(session: Session, note: Note) -> None:
    """The note's code lines stop being current (kept, with their decisions, for history and stats)."""
    session.execute(update(Item).where(Item.note_pk == note.id, Item.current.is_(True)).values(current=False)
                    .execution_options(synchronize_session=False))


def note_summary(note: Note, record: dict[str, Any]) -> None:
    """The worklist's sort and filter columns of a note, from its current result."""
    suggestions = record.get("suggestions", [])
    confidences = [s["confidence"] for s in suggestions if s.get("confidence") is not None]
    note.min_confidence = min(confidences) if confidences else 1.0  # nothing to doubt (sorts last)
    note.flagged = bool(record.get("flags")) or any(s.get("flags") for s in suggestions)
    note.n_items = len(suggestions)


def _is_reviewed(session: Session, note: Note) -> bool:
    if note.status == "completed" or note.round > 1:
        return True
    decided = select(func.count()).select_from(Item).where(
        Item.note_pk == note.id, Item.current.is_(True), Item.decision.is_not(None))
    return session.scalar(decided) > 0


class Loader:
    """Loads result records into one batch, chunk by chunk, one transaction per chunk."""

    def __init__(self, session: Session, batch: Batch, actor: str, summary: LoadSummary):
        self.session, self.batch, self.actor, self.summary = session, batch, actor, summary

    def load_chunk(self, pairs: list[tuple[dict[str, Any], str]]) -> None:
        existing = {n.note_id: n for n in self.session.scalars(
            select(Note).where(Note.note_id.in_([str(r["note_id"]) for r, _ in pairs])))}
        fresh: dict[str, tuple[dict[str, Any], str]] = {}
        for record, text in pairs:
            note_id = str(record["note_id"])
            if note_id in fresh:  # the same id twice in one file: the later record is a reload
                existing.update(self._new_notes(list(fresh.values())))
                fresh = {}
            if note_id in existing:
                self._reload(existing[note_id], record, text)
            else:
                fresh[note_id] = (record, text)
        self._new_notes(list(fresh.values()))
        self.session.commit()

    def _log(self, note: Note, kind: str, after: dict[str, Any]) -> None:
        self.session.add(Action(note_pk=note.id, round=note.round, actor=self.actor, kind=kind, after=after))

    def _new_notes(self, pairs: list[tuple[dict[str, Any], str]]) -> dict[str, Note]:
        """Notes seen for the first time, inserted together (a few statements per chunk)."""
        notes = []
        for record, _text in pairs:
            note = Note(note_id=str(record["note_id"]), batch_id=self.batch.id, status="new", round=1, version=1)
            note_summary(note, record)
            notes.append(note)
        self.session.add_all(notes)
        self.session.flush()
        extractions = [Extraction(note_pk=note.id, number=1, batch_id=self.batch.id, digest=digest(record, text),
                                  text=text, sections=section_spans(text), record=record)
                       for note, (record, text) in zip(notes, pairs)]
        self.session.add_all(extractions)
        self.session.flush()
        for note, extraction, (record, _text) in zip(notes, extractions, pairs):
            note.extraction_id = extraction.id
            self.session.add_all(items_for(note, extraction, record))
            self._log(note, "load", {"extraction": 1, "batch": self.batch.name})
        self.summary.new += len(notes)
        return {note.note_id: note for note in notes}

    def _extraction(self, note: Note, record: dict[str, Any], text: str, number: int, hashed: str) -> Extraction:
        extraction = Extraction(note_pk=note.id, number=number, batch_id=self.batch.id, digest=hashed, text=text,
                                sections=section_spans(text), record=record)
        self.session.add(extraction)
        self.session.flush()
        return extraction

    def _reload(self, note: Note, record: dict[str, Any], text: str) -> None:
        hashed = digest(record, text)
        known = self.session.scalars(select(Extraction.digest).where(
            Extraction.id.in_([i for i in (note.extraction_id, note.pending_extraction_id) if i]))).all()
        if hashed in known:
            self.summary.unchanged += 1
            return
        number = 1 + self.session.scalar(select(func.max(Extraction.number)).where(Extraction.note_pk == note.id))
        extraction = self._extraction(note, record, text, number, hashed)
        note.version += 1
        note.updated_at = utcnow()
        if _is_reviewed(self.session, note):
            note.pending_extraction_id = extraction.id
            self._log(note, "newer_version", {"extraction": number, "batch": self.batch.name})
            self.summary.versioned += 1
            return
        note.extraction_id = extraction.id
        note.batch_id = self.batch.id
        note_summary(note, record)
        # The earlier suggestions stay stored with their extraction; this round shows the new ones.
        retire_items(self.session, note)
        self.session.add_all(items_for(note, extraction, record))
        self._log(note, "reload", {"extraction": number, "batch": self.batch.name})
        self.summary.updated += 1


def load_results(factory: sessionmaker[Session], results: str, notes: Iterable[str], actor: str,
                 batch_name: str | None = None, input_format: str | None = None, id_col: str | None = None,
                 text_col: str | None = None) -> LoadSummary:
    """Load one results file (with the note texts it was made from) as one batch."""
    summary = LoadSummary()
    records = []
    for record in read_results(results, summary):
        if record.get("status", "ok") != "ok":
            summary.not_ok += 1
        else:
            records.append(record)
    texts = read_texts(notes, {str(r["note_id"]) for r in records}, input_format, id_col, text_col)
    with factory() as session:
        batch = Batch(name=batch_name or results, loaded_by=actor, counts={})
        session.add(batch)
        session.commit()
        loader = Loader(session, batch, actor, summary)
        for chunk in _chunks(_with_texts(records, texts, summary), CHUNK):
            loader.load_chunk(chunk)
        batch.counts = {k: v for k, v in vars(summary).items() if k != "problems"}
        session.commit()
        session.execute(text("ANALYZE"))  # fresh planner statistics for the worklist's indexes
        session.commit()
    return summary


def _with_texts(records: list[dict[str, Any]], texts: dict[str, str],
                summary: LoadSummary) -> Iterator[tuple[dict[str, Any], str]]:
    for record in records:
        note_id = str(record["note_id"])
        text = texts.get(note_id)
        if text is None:
            summary.missing_text += 1
            summary.problems.append(f"{note_id}: no note text found in --notes")
        elif not evidence_matches(record, text):
            summary.mismatched += 1
            summary.problems.append(f"{note_id}: evidence offsets do not match the note text")
        else:
            yield record, text


def _chunks(pairs: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for pair in pairs:
        chunk.append(pair)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
