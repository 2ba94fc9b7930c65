"""What coders do to a note: claim it, decide each code line, add missed codes, submit.

Every change goes through ``_bump``: one conditional UPDATE that succeeds only if the note is still
at the version the coder saw, is not completed, and is not claimed by someone else whose claim is
still running. The database decides, so two concurrent saves can never both win, on SQLite or
PostgreSQL; the loser gets a ``Conflict`` whose message says who changed what.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, or_, select, update
from sqlalchemy.orm import Session

from .loading import items_for, note_summary, retire_items
from .models import Action, Extraction, Item, Note, Submission, User, utcnow
from .tables import REJECT_REASONS, addon_primaries, code_labels, family_of

DEFAULT_CLAIM_MINUTES = 30
MAX_UNITS = 99


class Conflict(Exception):
    """The note changed or is held by someone else: nothing was saved."""


class Invalid(ValueError):
    """The request itself is wrong (unknown code, missing reason...): nothing was saved."""


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC") if at else "?"


def _explain_conflict(session: Session, note_pk: int, user: User, expected: int) -> str:
    note = session.get(Note, note_pk, populate_existing=True)
    if note.status == "completed":
        who = session.get(User, note.completed_by) if note.completed_by else None
        return f"This note was completed by {who.username if who else 'someone'} at {_when(note.completed_at)}."
    if note.claimed_by not in (None, user.id) and note.claim_expires and note.claim_expires > utcnow():
        holder = session.get(User, note.claimed_by)
        return (f"{holder.username} is working on this note (claimed until {_when(note.claim_expires)}). "
                "Your change was not saved.")
    last = session.scalars(select(Action).where(Action.note_pk == note_pk).order_by(Action.id.desc())).first()
    what = f" by {last.actor} ({last.kind.replace('_', ' ')}) at {_when(last.at)}" if last else ""
    return (f"This note was changed{what} after you opened it (version {expected}, now {note.version}). "
            "Your change was not saved: reload the note to see the current state.")


def _bump(session: Session, note: Note, user: User, expected: int, minutes: int, **values: Any) -> None:
    """Take the next version of the note (and the claim), or raise Conflict."""
    if note.round > 1 and session.scalar(select(Submission.id).where(
            Submission.note_pk == note.id, Submission.actor == user.username).limit(1)):
        raise Conflict("You already reviewed this note: a second review must be done by another coder.")
    now = utcnow()
    changes = {"version": Note.version + 1, "updated_at": now, "claimed_by": user.id,
               "claim_expires": now + timedelta(minutes=minutes),
               "status": case((Note.status == "new", "in_progress"), else_=Note.status)} | values
    stmt = (update(Note)
            .where(Note.id == note.id, Note.version == expected, Note.status != "completed",
                   or_(Note.claimed_by.is_(None), Note.claimed_by == user.id, Note.claim_expires < now))
            .values(**changes).execution_options(synchronize_session=False))
    if session.execute(stmt).rowcount != 1:
        session.rollback()
        raise Conflict(_explain_conflict(session, note.id, user, expected))
    session.refresh(note)


def _log(session: Session, note: Note, user: User, kind: str, item: Item | None = None,
         before: dict | None = None, after: dict | None = None, reason: str | None = None) -> None:
    session.add(Action(note_pk=note.id, item_id=item.id if item else None, round=note.round, actor=user.username,
                       kind=kind, before=before, after=after, reason=reason))


def current_items(session: Session, note: Note) -> list[Item]:
    return list(session.scalars(select(Item).where(Item.note_pk == note.id, Item.current.is_(True))
                                .order_by(Item.origin.desc(), Item.position, Item.id)))


def item_state(item: Item) -> dict[str, Any]:
    return {"decision": item.decision, "code": item.final_code or item.code,
            "units": item.final_units or item.units, "reason": item.reason}


def claim(session: Session, note: Note, user: User, expected: int, minutes: int = DEFAULT_CLAIM_MINUTES) -> None:
    _bump(session, note, user, expected, minutes)
    _log(session, note, user, "claim", after={"until": _when(note.claim_expires)})
    session.commit()


def release(session: Session, note: Note, user: User, expected: int) -> None:
    _bump(session, note, user, expected, 0)
    session.execute(update(Note).where(Note.id == note.id).values(claimed_by=None, claim_expires=None))
    _log(session, note, user, "release")
    session.commit()


def _check_code(code: str, units: int) -> None:
    if code not in code_labels():
        raise Invalid(f"{code} is not in the code table")
    if not 1 <= units <= MAX_UNITS:
        raise Invalid(f"units must be between 1 and {MAX_UNITS}")


def _decision_values(item: Item, decision: str, reason: str | None, reason_text: str | None,
                     code: str | None, units: int | None) -> dict[str, Any]:
    """The item's new state for a decision, validated."""
    if item.origin == "added" and decision not in ("removed",):
        raise Invalid("a code you added can only be removed")
    if decision == "accepted":
        return {"final_code": item.code, "final_units": item.units, "reason": None, "reason_text": None}
    if decision == "rejected":
        if reason not in REJECT_REASONS:
            raise Invalid("choose a reason for the rejection")
        if reason == "other" and not (reason_text or "").strip():
            raise Invalid("say why when the reason is 'Other'")
        return {"final_code": None, "final_units": None, "reason": reason, "reason_text": (reason_text or "").strip() or None}
    if decision == "modified":
        if not code or units is None:
            raise Invalid("choose the corrected code and units")
        _check_code(code, units)
        if (code, units) == (item.code, item.units):
            raise Invalid("the corrected code and units are the same as suggested: accept it instead")
        return {"final_code": code, "final_units": units, "reason": reason if reason in REJECT_REASONS else None,
                "reason_text": (reason_text or "").strip() or None}
    if decision == "removed" and item.origin == "added":
        return {"final_code": None, "final_units": None, "reason": None, "reason_text": None}
    raise Invalid(f"unknown decision {decision!r}")


def decide(session: Session, note: Note, user: User, expected: int, item_id: int, decision: str,
           reason: str | None = None, reason_text: str | None = None, code: str | None = None,
           units: int | None = None, minutes: int = DEFAULT_CLAIM_MINUTES) -> Item:
    """Accept, reject (with a reason), modify (code/units) or remove (an added code) one line."""
    item = session.get(Item, item_id)
    if item is None or item.note_pk != note.id or not item.current:
        raise Invalid("this code line is not part of the note's current review")
    values = _decision_values(item, decision, reason, reason_text, code, units)
    before = item_state(item)
    _bump(session, note, user, expected, minutes)
    for key, value in values.items():
        setattr(item, key, value)
    item.decision, item.decided_by, item.decided_at = decision, user.username, utcnow()
    _log(session, note, user, decision, item, before, item_state(item),
         " ".join(filter(None, [REJECT_REASONS.get(item.reason or ""), item.reason_text])) or None)
    session.commit()
    return item


def add_code(session: Session, note: Note, user: User, expected: int, code: str, units: int, start: int, end: int,
             minutes: int = DEFAULT_CLAIM_MINUTES) -> Item:
    """A code the extractor missed, with the text the coder selected as its evidence."""
    _check_code(code, units)
    text = session.get(Extraction, note.extraction_id).text
    if not 0 <= start < end <= len(text) or end - start > 2000 or not text[start:end].strip():
        raise Invalid("select the evidence for the code in the note text (up to 2,000 characters)")
    _bump(session, note, user, expected, minutes)
    position = len(current_items(session, note))
    evidence = [{"start": start, "end": end, "text": text[start:end], "section": None, "rule": "coder"}]
    item = Item(note_pk=note.id, extraction_id=note.extraction_id, round=note.round, position=position,
                current=True, origin="added", code=code, units=units, family=family_of(code), label=code_labels()[code],
                confidence=None, rule="coder", flags=[], evidence=evidence, explanation=None, decision="added",
                final_code=code, final_units=units, decided_by=user.username, decided_at=utcnow())
    session.add(item)
    session.flush()
    _log(session, note, user, "added", item, None, item_state(item))
    session.commit()
    return item


@dataclass
class Review:
    """What submitting would send, and what stops it."""
    final: list[dict[str, Any]]
    rejected: list[Item]
    undecided: list[Item]
    errors: list[str]

    @property
    def ready(self) -> bool:
        return not self.undecided and not self.errors


def review_summary(items: list[Item]) -> Review:
    """Validation before submit: every line decided, add-ons with their primary, no code twice."""
    final = [{"code": i.final_code, "units": i.final_units, "decision": i.decision, "item": i.id}
             for i in items if i.decision in ("accepted", "modified", "added")]
    codes = [f["code"] for f in final]
    errors = [f"{code} appears more than once: keep one line and set its units" for code in sorted(set(codes))
              if codes.count(code) > 1]
    primaries = addon_primaries()
    errors += [f"add-on {code} needs one of {', '.join(primaries[code])} on the same claim"
               for code in sorted(set(codes)) if code in primaries and not set(primaries[code]) & set(codes)]
    return Review(final=final, rejected=[i for i in items if i.decision == "rejected"],
                  undecided=[i for i in items if i.decision is None], errors=errors)


def submit(session: Session, note: Note, user: User, expected: int) -> Submission:
    review = review_summary(current_items(session, note))
    if review.undecided:
        raise Invalid(f"{len(review.undecided)} code line(s) still need a decision")
    if review.errors:
        raise Invalid("; ".join(review.errors))
    now = utcnow()
    _bump(session, note, user, expected, 0, status="completed", completed_by=user.id, completed_at=now,
          claimed_by=None, claim_expires=None)
    started = session.scalar(select(Action.at).where(Action.note_pk == note.id, Action.round == note.round,
                                                     Action.actor == user.username).order_by(Action.id)) or now
    codes = [{"code": f["code"], "units": f["units"], "decision": f["decision"]} for f in review.final]
    submission = Submission(note_pk=note.id, round=note.round, extraction_id=note.extraction_id,
                            actor=user.username, started_at=started,
                            submitted_at=now, seconds=(now - started).total_seconds(), codes=codes)
    session.add(submission)
    _log(session, note, user, "submit", after={"codes": codes})
    session.commit()
    return submission


def next_note(session: Session, user: User, minutes: int = DEFAULT_CLAIM_MINUTES) -> Note | None:
    """The coder's own open note, else the oldest unclaimed (or expired) one, claimed for them."""
    now = utcnow()
    mine = session.scalars(select(Note).where(Note.claimed_by == user.id, Note.status == "in_progress",
                                              Note.claim_expires > now).order_by(Note.created_at, Note.id)).first()
    if mine:
        return mine
    reviewed = select(Submission.note_pk).where(Submission.actor == user.username)
    queries = [select(Note).where(Note.status == "new", or_(Note.claimed_by.is_(None), Note.claim_expires < now)),
               select(Note).where(Note.status == "in_progress", Note.claim_expires < now)]
    for query in queries:
        for note in session.scalars(query.where(Note.id.not_in(reviewed))
                                    .order_by(Note.created_at, Note.id).limit(20)).all():
            try:
                claim(session, note, user, note.version, minutes)
                return note
            except Conflict:
                continue  # another coder took it a moment ago: try the next one
    return None


def start_round(session: Session, note: Note, admin: User, expected: int, newer: bool) -> None:
    """A new review round: a second, independent review of a completed note, or the review of a
    newer extraction. The earlier round's decisions stay as they were."""
    extraction_id = note.pending_extraction_id if newer else note.extraction_id
    if newer and not extraction_id:
        raise Invalid("there is no newer extraction of this note")
    if not newer and note.status != "completed":
        raise Invalid("only a completed note can be sent to a second review")
    stmt = (update(Note).where(Note.id == note.id, Note.version == expected)
            .values(version=Note.version + 1, round=Note.round + 1, status="new", claimed_by=None,
                    claim_expires=None, completed_by=None, completed_at=None, extraction_id=extraction_id,
                    pending_extraction_id=None if newer else Note.pending_extraction_id, updated_at=utcnow())
            .execution_options(synchronize_session=False))
    if session.execute(stmt).rowcount != 1:
        session.rollback()
        raise Conflict(_explain_conflict(session, note.id, admin, expected))
    session.refresh(note)
    extraction = session.get(Extraction, extraction_id)
    note_summary(note, extraction.record)
    retire_items(session, note)
    session.add_all(items_for(note, extraction, extraction.record))
    _log(session, note, admin, "review_newer_version" if newer else "second_review",
         after={"round": note.round, "extraction": extraction.number})
    session.commit()
