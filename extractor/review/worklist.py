"""The worklist query: counts by status, filters, sort and paging, all on indexed columns so a page
stays fast at 100,000 notes (see ``make bench``). Paging is by cursor (the sort value and id of the
last row shown), so the 1,000th page costs what the first does."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select, tuple_
from sqlalchemy.orm import Session

from .models import Batch, Item, Note, User, utcnow
from .tables import FAMILIES, STATUSES

PAGE_SIZE = 50
# Sort -> (column, descending); ties are broken by id. min_confidence is 1.0 for a note without
# suggestions (nothing to doubt), so it is never NULL and cursors compare plainly.
SORTS = {
    "age": (Note.created_at, False),
    "newest": (Note.created_at, True),
    "confidence": (Note.min_confidence, False),
    "confidence_desc": (Note.min_confidence, True),
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
    after: str = ""
    before: str = ""

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
                   after=params.get("after", "")[:64], before=params.get("before", "")[:64])

    def query(self, **changes: Any) -> dict[str, Any]:
        """The filters as query parameters (for links), with some changed."""
        values = {"status": self.status, "flagged": "1" if self.flagged else "", "code": self.code,
                  "family": self.family, "band": self.band, "batch": self.batch or "", "assignee": self.assignee,
                  "sort": self.sort, "after": self.after, "before": self.before} | changes
        return {k: v for k, v in values.items() if v not in ("", None)}


@dataclass
class Page:
    rows: list[dict[str, Any]]
    total: int
    counts: dict[str, int]
    next_cursor: str = ""
    previous_cursor: str = ""
    batches: list[Batch] = field(default_factory=list)
    users: list[str] = field(default_factory=list)


class CountCache:
    """Counts kept a few seconds: counting 100,000 notes on every page view is the worklist's main
    cost, and counts a few seconds old are fine while the rows themselves are always exact."""

    def __init__(self, seconds: float = 5.0):
        self.seconds = seconds
        self._entries: dict[tuple, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def remember(self, key: tuple, compute: Callable[[], Any]) -> Any:
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(key)
        if hit and now - hit[0] < self.seconds:
            return hit[1]
        value = compute()
        with self._lock:
            if len(self._entries) > 1000:
                self._entries.clear()
            self._entries[key] = (now, value)
        return value


def _has_line(session: Session, cache: CountCache, column, value: str, for_count: bool):
    """Notes with a current code line of this code or family. For a page, a common value is
    tested note by note while the sorted index is walked (the page fills at once); a rare one, and
    every count, goes through the list the items index gives (short to sort, cheap to count)."""
    listed = Note.id.in_(select(Item.note_pk).where(column == value, Item.current.is_(True)))
    if for_count:
        return listed
    lines, notes = cache.remember(("lines", column.key, value), lambda: (
        session.scalar(select(func.count()).select_from(Item).where(column == value, Item.current.is_(True))),
        session.scalar(select(func.max(Note.id))) or 0))
    if lines * 20 < notes:
        return listed
    return exists().where(Item.note_pk == Note.id, Item.current.is_(True), column == value)


def _filtered(query: Select, f: Filters, session: Session, cache: CountCache, for_count: bool = False) -> Select:
    if f.flagged:
        query = query.where(Note.flagged.is_(True))
    for column, value in ((Item.code, f.code), (Item.family, f.family)):
        if value:
            query = query.where(_has_line(session, cache, column, value, for_count))
    if f.band == "none":
        query = query.where(Note.n_items == 0)
    elif f.band:
        low, high = BANDS[f.band]
        query = query.where(Note.n_items > 0, *([Note.min_confidence >= low] if low is not None else []),
                            *([Note.min_confidence < high] if high is not None else []))
    if f.batch:
        query = query.where(Note.batch_id == f.batch)
    if f.assignee:
        user_id = session.scalar(select(User.id).where(User.username == f.assignee)) or -1
        query = query.where(or_(and_(Note.claimed_by == user_id, Note.claim_expires > utcnow()),
                                Note.completed_by == user_id))
    return query


def status_counts(session: Session, f: Filters, cache: CountCache) -> dict[str, int]:
    key = ("status", f.flagged, f.code, f.family, f.band, f.batch, f.assignee)
    query = _filtered(select(Note.status, func.count()), f, session, cache, for_count=True).group_by(Note.status)
    return cache.remember(key, lambda: dict.fromkeys(STATUSES, 0) | dict(session.execute(query).all()))


def cursor_of(note: Note, sort: str) -> str:
    value = getattr(note, SORTS[sort][0].key)
    return f"{value.isoformat() if isinstance(value, datetime) else value}~{note.id}"


def _parse_cursor(cursor: str, sort: str) -> tuple[Any, int] | None:
    try:
        raw, ident = cursor.rsplit("~", 1)
        value = datetime.fromisoformat(raw) if SORTS[sort][0] is Note.created_at else float(raw)
        return value, int(ident)
    except ValueError:
        return None  # a damaged link: start from the first page


def _paged(query: Select, f: Filters) -> tuple[Select, bool]:
    """The page's query (one row more than a page, to know whether another follows), and whether
    it runs backwards (a 'previous' link)."""
    column, descending = SORTS[f.sort]
    backwards = bool(f.before) and not f.after
    cursor = _parse_cursor(f.before if backwards else f.after, f.sort) if (f.after or f.before) else None
    scan_descending = descending != backwards
    if cursor:
        key, bound = tuple_(column, Note.id), tuple_(*cursor)
        query = query.where(key < bound if scan_descending else key > bound)
    order = (column.desc(), Note.id.desc()) if scan_descending else (column.asc(), Note.id.asc())
    return query.order_by(*order).limit(PAGE_SIZE + 1), backwards


def worklist(session: Session, f: Filters, cache: CountCache | None = None) -> Page:
    cache = cache or CountCache(0)
    counts = status_counts(session, f, cache)
    total = counts[f.status] if f.status else sum(counts.values())
    query = _filtered(select(Note, User.username).outerjoin(User, User.id == Note.claimed_by), f, session, cache)
    if f.status:
        query = query.where(Note.status == f.status)
    query, backwards = _paged(query, f)
    found = session.execute(query).all()
    more, found = len(found) > PAGE_SIZE, found[:PAGE_SIZE]
    if backwards:
        found.reverse()
    has_next, has_previous = (True, more) if backwards else (more, bool(f.after))
    now = utcnow()
    rows = [{"note": note, "holder": holder if note.claim_expires and note.claim_expires > now else None}
            for note, holder in found]
    codes = _codes_of(session, [r["note"] for r in rows])
    for row in rows:
        row["codes"] = codes.get(row["note"].id, [])
    return Page(rows=rows, total=total, counts=counts,
                next_cursor=cursor_of(rows[-1]["note"], f.sort) if rows and has_next else "",
                previous_cursor=cursor_of(rows[0]["note"], f.sort) if rows and has_previous else "",
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
