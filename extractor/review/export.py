"""Export of the queue: CSV of the final codes per note, and FHIR R4 (one Bundle per note per line,
NDJSON as in FHIR bulk data) with a DocumentReference for the note and a Claim whose items carry
the CPT codes, units and evidence offsets (``derivation-reference`` extension). Every bundle is
validated with ``fhir.resources`` before it is written; R4B's models are used, whose Bundle, Claim
and DocumentReference are the R4 ones.
"""
from __future__ import annotations

import base64
import csv
import io
import json
import uuid
from collections.abc import Iterator
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Extraction, Item, Note, User, utcnow
from .queue import current_items

FORMATS = ("csv", "fhir")
CSV_COLUMNS = ["note_id", "note_status", "round", "code", "units", "decision", "suggested_code", "suggested_units",
               "reason", "reason_text", "coder", "decided_at", "evidence"]
CPT = "http://www.ama-assn.org/go/cpt"
DERIVATION = "http://hl7.org/fhir/StructureDefinition/derivation-reference"
NOTE_ID_SYSTEM = "urn:opnote:note-id"
UNKNOWN = "Not in the source export"
FINAL = ("accepted", "modified", "added")


def _notes(session: Session, status: str | None) -> Iterator[Note]:
    query = select(Note).order_by(Note.note_id)
    if status:
        query = query.where(Note.status == status)
    yield from session.scalars(query.execution_options(yield_per=500))


def _iso(value) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def csv_rows(session: Session, status: str | None) -> Iterator[dict[str, Any]]:
    """One row per code line of the note's current round (rejected lines too, with their reason);
    a note without any code line still gets a row, so every note is accounted for."""
    for note in _notes(session, status):
        items = [i for i in current_items(session, note) if i.decision != "removed"]
        base = {"note_id": note.note_id, "note_status": note.status, "round": note.round}
        if not items:
            yield base
        for item in items:
            final = item.decision in FINAL
            yield base | {"code": item.final_code if final else item.code if item.decision is None else "",
                          "units": item.final_units if final else item.units if item.decision is None else "",
                          "decision": item.decision or "pending",
                          "suggested_code": item.code if item.origin == "suggested" else "",
                          "suggested_units": item.units if item.origin == "suggested" else "",
                          "reason": item.reason or "", "reason_text": item.reason_text or "",
                          "coder": item.decided_by or "", "decided_at": _iso(item.decided_at) or "",
                          "evidence": json.dumps([[e["start"], e["end"]] for e in item.evidence])}


def write_csv(session: Session, status: str | None, out: TextIO) -> int:
    writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    count = 0
    for row in csv_rows(session, status):
        writer.writerow(row)
        count += 1
    return count


def _reference(display: str) -> dict[str, str]:
    return {"display": display}


def _claim_item(sequence: int, item: Item, completed: bool, doc_url: str) -> dict[str, Any]:
    code = item.final_code if completed else item.code
    units = item.final_units if completed else item.units
    from .tables import code_labels

    evidence = [{"url": DERIVATION, "extension": [
        {"url": "reference", "valueReference": {"reference": doc_url}},
        {"url": "path", "valueString": "DocumentReference.content[0].attachment"},
        {"url": "offset", "valueInteger": e["start"]},
        {"url": "length", "valueInteger": e["end"] - e["start"]}]} for e in item.evidence]
    line = {"sequence": sequence, "productOrService": {"coding": [
        {"system": CPT, "code": code, "display": code_labels().get(code, item.label)}]},
        "quantity": {"value": units}, "informationSequence": [1]}
    return line | ({"extension": evidence} if evidence else {})


def bundle(note: Note, extraction: Extraction, items: list[Item], coder: str | None) -> dict[str, Any]:
    """One note as a FHIR R4 collection Bundle (DocumentReference + Claim)."""
    completed = note.status == "completed"
    doc_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"opnote/{note.note_id}/extraction/{extraction.number}"))
    claim_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"opnote/{note.note_id}/round/{note.round}"))
    doc_url = f"urn:uuid:{doc_id}"
    lines = [i for i in items if i.decision in FINAL] if completed else \
        [i for i in items if i.origin == "suggested"]
    document = {"resourceType": "DocumentReference", "id": doc_id, "status": "current",
                "identifier": [{"system": NOTE_ID_SYSTEM, "value": note.note_id}],
                "type": {"text": "Operative note"}, "date": _iso(extraction.loaded_at),
                "content": [{"attachment": {"contentType": "text/plain; charset=utf-8",
                                            "data": base64.b64encode(extraction.text.encode("utf-8")).decode()}}]}
    claim = {"resourceType": "Claim", "id": claim_id, "status": "active" if completed else "draft",
             "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                                  "code": "professional"}]},
             "use": "claim", "patient": _reference(UNKNOWN), "created": _iso(note.completed_at or utcnow()),
             "provider": _reference(UNKNOWN), "enterer": _reference(coder) if coder else None,
             "priority": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/processpriority",
                                      "code": "normal"}]},
             "insurance": [{"sequence": 1, "focal": True, "coverage": _reference(UNKNOWN)}],
             "supportingInfo": [{"sequence": 1, "category": {"coding": [{
                 "system": "http://terminology.hl7.org/CodeSystem/claiminformationcategory", "code": "attachment"}]},
                 "valueReference": {"reference": doc_url}}],
             "item": [_claim_item(n, item, completed, doc_url) for n, item in enumerate(lines, start=1)]}
    claim = {k: v for k, v in claim.items() if v not in (None, [])}
    return {"resourceType": "Bundle", "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"opnote/{note.note_id}/bundle")),
            "type": "collection", "timestamp": _iso(utcnow()),
            "entry": [{"fullUrl": doc_url, "resource": document},
                      {"fullUrl": f"urn:uuid:{claim_id}", "resource": claim}]}


def validate(data: dict[str, Any]) -> None:
    """Raise if the bundle or any resource in it is not valid FHIR (pydantic ValidationError)."""
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.claim import Claim
    from fhir.resources.R4B.documentreference import DocumentReference

    Bundle.model_validate(data)
    models = {"Claim": Claim, "DocumentReference": DocumentReference}
    for entry in data["entry"]:
        models[entry["resource"]["resourceType"]].model_validate(entry["resource"])


def fhir_bundles(session: Session, status: str | None) -> Iterator[dict[str, Any]]:
    users = dict(session.execute(select(User.id, User.username)).all())
    for note in _notes(session, status):
        data = bundle(note, session.get(Extraction, note.extraction_id), current_items(session, note),
                      users.get(note.completed_by))
        validate(data)
        yield data


def write_fhir(session: Session, status: str | None, out: TextIO) -> int:
    count = 0
    for data in fhir_bundles(session, status):
        out.write(json.dumps(data, ensure_ascii=False) + "\n")
        count += 1
    return count


def render(session: Session, fmt: str, status: str | None) -> str:
    out = io.StringIO()
    (write_csv if fmt == "csv" else write_fhir)(session, status, out)
    return out.getvalue()
