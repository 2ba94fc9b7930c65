"""The queue's schema. History tables (``actions``, ``submissions``) are append-only: the
migration adds triggers that refuse UPDATE and DELETE on them. ``items`` hold each code line's
current decision, a projection of the actions kept for fast pages.

Times are naive UTC datetimes (SQLite has no time zones).
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: DateTime()}


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # coder | admin
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebSession(Base):
    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class Batch(Base):
    __tablename__ = "batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    loaded_by: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Note(Base):
    """One queued note. ``version`` is the optimistic lock: every change bumps it, and a change
    based on an older version is refused."""
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="new")
    round: Mapped[int] = mapped_column(Integer, default=1)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Plain ids, not foreign keys: extractions also point at notes, and SQLite cannot add a
    # constraint to an existing table.
    extraction_id: Mapped[int | None] = mapped_column(Integer)
    pending_extraction_id: Mapped[int | None] = mapped_column(Integer)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    claim_expires: Mapped[datetime | None]
    completed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    completed_at: Mapped[datetime | None]
    min_confidence: Mapped[float | None] = mapped_column(Float)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    n_items: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        Index("ix_notes_status_created", "status", "created_at", "id"),
        Index("ix_notes_status_confidence", "status", "min_confidence", "id"),
        Index("ix_notes_created", "created_at", "id"),
        Index("ix_notes_confidence", "min_confidence", "id"),
        Index("ix_notes_flagged_status", "flagged", "status"),
        Index("ix_notes_flagged_created", "flagged", "created_at", "id"),
    )


class Extraction(Base):
    """One loaded extraction result of a note, with the note text it refers to. Never changed:
    a new result of the same note is a new version."""
    __tablename__ = "extractions"
    id: Mapped[int] = mapped_column(primary_key=True)
    note_pk: Mapped[int] = mapped_column(ForeignKey("notes.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"))
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    digest: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    sections: Mapped[list[Any]] = mapped_column(default=list)
    record: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Item(Base):
    """A code line of one review round: a suggestion of the extraction, or a code the coder added."""
    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
    note_pk: Mapped[int] = mapped_column(ForeignKey("notes.id"))
    extraction_id: Mapped[int] = mapped_column(ForeignKey("extractions.id"))
    round: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    # False once the note moved on to another extraction or review round (the line stays stored).
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    origin: Mapped[str] = mapped_column(String(16))  # suggested | added
    code: Mapped[str] = mapped_column(String(16))
    units: Mapped[int] = mapped_column(Integer)
    family: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(255))
    confidence: Mapped[float | None] = mapped_column(Float)
    rule: Mapped[str | None] = mapped_column(String(128))
    flags: Mapped[list[Any]] = mapped_column(default=list)
    evidence: Mapped[list[Any]] = mapped_column(default=list)
    explanation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    decision: Mapped[str | None] = mapped_column(String(16))  # accepted|rejected|modified|added|removed
    final_code: Mapped[str | None] = mapped_column(String(16))
    final_units: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(32))
    reason_text: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_items_note_current", "note_pk", "current"),
        Index("ix_items_code_current", "code", "current", "note_pk"),
        Index("ix_items_family_current", "family", "current", "note_pk"),
    )


class Action(Base):
    """Append-only history: who did what, when, the state before and after, and why."""
    __tablename__ = "actions"
    id: Mapped[int] = mapped_column(primary_key=True)
    note_pk: Mapped[int] = mapped_column(ForeignKey("notes.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"))
    round: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(32))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)


class Submission(Base):
    """A completed review round: the final codes as submitted (append-only)."""
    __tablename__ = "submissions"
    id: Mapped[int] = mapped_column(primary_key=True)
    note_pk: Mapped[int] = mapped_column(ForeignKey("notes.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    extraction_id: Mapped[int] = mapped_column(ForeignKey("extractions.id"))
    actor: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    seconds: Mapped[float] = mapped_column(Float)
    codes: Mapped[list[Any]] = mapped_column(default=list)


APPEND_ONLY = ("actions", "submissions")
