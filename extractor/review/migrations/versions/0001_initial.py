"""The review queue schema: users, sessions, batches, notes, extraction versions, items, and the
append-only history (actions, submissions) guarded by triggers.

Revision ID: 0001
Revises:
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer, primary_key=True)


def _tables() -> None:
    op.create_table("users", _id(), sa.Column("username", sa.String(64), nullable=False, unique=True),
                    sa.Column("password_hash", sa.String(255), nullable=False),
                    sa.Column("role", sa.String(16), nullable=False), sa.Column("active", sa.Boolean, nullable=False),
                    sa.Column("created_at", sa.DateTime, nullable=False))
    op.create_table("web_sessions", _id(), sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
                    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
                    sa.Column("csrf_token", sa.String(64), nullable=False),
                    sa.Column("created_at", sa.DateTime, nullable=False),
                    sa.Column("expires_at", sa.DateTime, nullable=False))
    op.create_table("batches", _id(), sa.Column("name", sa.String(255), nullable=False),
                    sa.Column("loaded_by", sa.String(64), nullable=False),
                    sa.Column("loaded_at", sa.DateTime, nullable=False), sa.Column("counts", sa.JSON, nullable=False))
    op.create_table("notes", _id(), sa.Column("note_id", sa.String(255), nullable=False, unique=True),
                    sa.Column("status", sa.String(16), nullable=False), sa.Column("round", sa.Integer, nullable=False),
                    sa.Column("version", sa.Integer, nullable=False), sa.Column("extraction_id", sa.Integer),
                    sa.Column("pending_extraction_id", sa.Integer),
                    sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False, index=True),
                    sa.Column("created_at", sa.DateTime, nullable=False),
                    sa.Column("updated_at", sa.DateTime, nullable=False),
                    sa.Column("claimed_by", sa.Integer, sa.ForeignKey("users.id"), index=True),
                    sa.Column("claim_expires", sa.DateTime),
                    sa.Column("completed_by", sa.Integer, sa.ForeignKey("users.id"), index=True),
                    sa.Column("completed_at", sa.DateTime), sa.Column("min_confidence", sa.Float),
                    sa.Column("flagged", sa.Boolean, nullable=False), sa.Column("n_items", sa.Integer, nullable=False))
    op.create_index("ix_notes_status_created", "notes", ["status", "created_at", "id"])
    op.create_index("ix_notes_status_confidence", "notes", ["status", "min_confidence", "id"])
    op.create_index("ix_notes_created", "notes", ["created_at", "id"])
    op.create_index("ix_notes_confidence", "notes", ["min_confidence", "id"])
    op.create_index("ix_notes_flagged_status", "notes", ["flagged", "status"])
    op.create_index("ix_notes_flagged_created", "notes", ["flagged", "created_at", "id"])
    op.create_table("extractions", _id(),
                    sa.Column("note_pk", sa.Integer, sa.ForeignKey("notes.id"), nullable=False, index=True),
                    sa.Column("number", sa.Integer, nullable=False),
                    sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False),
                    sa.Column("loaded_at", sa.DateTime, nullable=False),
                    sa.Column("digest", sa.String(64), nullable=False), sa.Column("text", sa.Text, nullable=False),
                    sa.Column("sections", sa.JSON, nullable=False), sa.Column("record", sa.JSON, nullable=False))
    _items()
    _history()


def _items() -> None:
    op.create_table("items", _id(), sa.Column("note_pk", sa.Integer, sa.ForeignKey("notes.id"), nullable=False),
                    sa.Column("extraction_id", sa.Integer, sa.ForeignKey("extractions.id"), nullable=False),
                    sa.Column("round", sa.Integer, nullable=False), sa.Column("position", sa.Integer, nullable=False),
                    sa.Column("current", sa.Boolean, nullable=False), sa.Column("origin", sa.String(16), nullable=False), sa.Column("code", sa.String(16), nullable=False),
                    sa.Column("units", sa.Integer, nullable=False), sa.Column("family", sa.String(32), nullable=False),
                    sa.Column("label", sa.String(255), nullable=False), sa.Column("confidence", sa.Float),
                    sa.Column("rule", sa.String(128)), sa.Column("flags", sa.JSON, nullable=False),
                    sa.Column("evidence", sa.JSON, nullable=False), sa.Column("explanation", sa.JSON),
                    sa.Column("decision", sa.String(16)), sa.Column("final_code", sa.String(16)),
                    sa.Column("final_units", sa.Integer), sa.Column("reason", sa.String(32)),
                    sa.Column("reason_text", sa.Text), sa.Column("decided_by", sa.String(64)),
                    sa.Column("decided_at", sa.DateTime))
    op.create_index("ix_items_note_current", "items", ["note_pk", "current"])
    op.create_index("ix_items_code_current", "items", ["code", "current", "note_pk"])
    op.create_index("ix_items_family_current", "items", ["family", "current", "note_pk"])


def _history() -> None:
    op.create_table("actions", _id(),
                    sa.Column("note_pk", sa.Integer, sa.ForeignKey("notes.id"), nullable=False, index=True),
                    sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id")),
                    sa.Column("round", sa.Integer, nullable=False), sa.Column("actor", sa.String(64), nullable=False),
                    sa.Column("at", sa.DateTime, nullable=False), sa.Column("kind", sa.String(32), nullable=False),
                    sa.Column("before", sa.JSON), sa.Column("after", sa.JSON), sa.Column("reason", sa.Text))
    op.create_table("submissions", _id(),
                    sa.Column("note_pk", sa.Integer, sa.ForeignKey("notes.id"), nullable=False, index=True),
                    sa.Column("round", sa.Integer, nullable=False),
                    sa.Column("extraction_id", sa.Integer, sa.ForeignKey("extractions.id"), nullable=False),
                    sa.Column("actor", sa.String(64), nullable=False),
                    sa.Column("started_at", sa.DateTime, nullable=False),
                    sa.Column("submitted_at", sa.DateTime, nullable=False),
                    sa.Column("seconds", sa.Float, nullable=False), sa.Column("codes", sa.JSON, nullable=False))


def _append_only_triggers() -> None:
    """History cannot be rewritten, whatever client writes to the database."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION opnote_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   "RAISE EXCEPTION 'review history is append-only'; END $$")
        for table in ("actions", "submissions"):
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION opnote_append_only()")
        return
    for table in ("actions", "submissions"):
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                       "BEGIN SELECT RAISE(ABORT, 'review history is append-only'); END")


def upgrade() -> None:
    _tables()
    _append_only_triggers()


def downgrade() -> None:
    for table in ("submissions", "actions", "items", "extractions", "notes", "batches", "web_sessions", "users"):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS opnote_append_only()")
