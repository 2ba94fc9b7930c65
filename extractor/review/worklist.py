"""The worklist query: counts by status, filters, sort and paging, all on indexed columns so a page
stays fast at 100,000 notes (see ``make bench``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from .models import Batch, Item, Note, User, utcnow
from .tables import FAMILIES, STATUSES

PAGE_SIZE = 50
SORTS = {
    "age": (Note.created_at.asc(), Note.id.asc()),
    "newest": (Note.created_at.desc(), Note.id.desc()),
    "confidence": (Note.min_confidence.asc(), Note.id.asc()),
    "confidence_desc": (Note.min_confidence.desc(), Note.id.desc()),
}
BANDS = {"high": (0.9, None), "medium": (0.75, 0.9), "low": (None, 0.75)}


@dataclass
class Filters:
    status: str = ""
    flagged: bool = False
    code: str = ""
    family: str = ""
    band: str = ""
    batch: int | None = None
    assignee: str = ""
    sort: str = "age"
    page: int = 1

    @classmethod
    def from_query(cls, params: dict[str, str]) -> Filters:
        """Unknown or malformed values fall back to 'no filter' rather than an error page."""
        def number(key: str) -> int | None:
            value = params.get(key, "")
            return int(value) if value.isdigit() else None

        return cls(status=params.get("status", "") if params.get("status") in STATUSES else "",
                   flagged=params.get("flagged") == "1", code=params.get("code", "").strip()[:16],
                   family=params.get("family", "") if params.get("family") in FAMILIES else "",
                   band=params.get("band", "") if params.get("band") in (*BANDS, "none") else "",
                   batch=number("batch"), assignee=params.get("assignee", "").strip()[:64],
                   sort=params.get("sort", "age") if params.get("sort") in SORTS else "age",
                   page=max(1, min(number("page") or 1, 100_000)))

    def query(self, **changes: Any) -> dict[str, Any]:
        """The filters as query parameters (for links), with some changed."""
        values = {"status": self.status, "flagged": "1" if self.flagged else "", "code": self.code,
                  "family": self.family, "band": self.band, "batch": self.batch or "", "assignee": self.assignee,
                  "sort": self.sort, "page": self.page} | changes
        return {k: v for k, v in values.items() if v not in ("", None)}


@dataclass
class Page:
    rows: list[dict[str, Any]]
    total: int
    counts: dict[str, int]
    pages: int
    batches: list[Batch] = field(default_factory=list)
    users: list[str] = field(default_factory=list)


def _filtered(query: Select, f: Filters, session: Session) -> Select:
    if f.flagged:
        query = query.where(Note.flagged.is_(True))
    for column, value in ((Item.code, f.code), (Item.family, f.family)):
        if value:
            query = query.where(Note.id.in_(select(Item.note_pk).where(column == value, Item.current.is_(True))))
    if f.band == "none":
        query = query.where(Note.min_confidence.is_(None))
    elif f.band:
        low, high = BANDS[f.band]
        query = query.where(*([Note.min_confidence >= low] if low is not None else []),
                            *([Note.min_confidence < high] if high is not None else []))
    if f.batch:
        query = query.where(Note.batch_id == f.batch)
    if f.assignee:
        user_id = session.scalar(select(User.id).where(User.username == f.assignee)) or -1
        query = query.where(or_(and_(Note.claimed_by == user_id, Note.claim_expires > utcnow()),
                                Note.completed_by == user_id))
    return query


def worklist(session: Session, f: Filters) -> Page:
    counts = {status: 0 for status in STATUSES}
    counts.update(dict(session.execute(_filtered(select(Note.status, func.count()), f, session)
                                       .group_by(Note.status)).all()))
    total = counts[f.status] if f.status else sum(counts.values())
    query = _filtered(select(Note, User.username).outerjoin(User, User.id == Note.claimed_by), f, session)
    if f.status:
        query = query.where(Note.status == f.status)
    query = query.order_by(*SORTS[f.sort]).offset((f.page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    now = utcnow()
    rows = [{"note": note, "holder": holder if note.claim_expires and note.claim_expires > now else None}
            for note, holder in session.execute(query).all()]
    codes = _codes_of(session, [r["note"] for r in rows])
    for row in rows:
        row["codes"] = codes.get(row["note"].id, [])
    return Page(rows=rows, total=total, counts=counts, pages=max(1, -(-total // PAGE_SIZE)),
                batches=list(session.scalars(select(Batch).order_by(Batch.id.desc()).limit(50))),
                users=list(session.scalars(select(User.username).order_by(User.username))))


def _codes_of(session: Session, notes: list[Note]) -> dict[int, list[str]]:
    """The current code lines of the page's notes, in one query."""
    result: dict[int, list[str]] = {}
    if not notes:
        return result
    rows = session.execute(select(Item.note_pk, Item.code, Item.units, Item.decision)
                           .where(Item.note_pk.in_([n.id for n in notes]), Item.current.is_(True))
                           .order_by(Item.note_pk, Item.origin.desc(), Item.position, Item.id))
    for note_pk, code, units, decision in rows:
        if decision != "removed":
            result.setdefault(note_pk, []).append(f"{code}x{units}" if units > 1 else code)
    return result
