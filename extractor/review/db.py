"""Engines and schema migrations. SQLite (the default, one file, WAL mode so readers never wait for
the writer) and PostgreSQL run the same code; the schema is created and upgraded by the Alembic
migrations shipped inside this package, so an installed wheel can migrate its own database."""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_DB = "opnote-queue.sqlite3"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def database_url(value: str | None = None) -> str:
    """A SQLAlchemy URL from --db, $OPNOTE_DB or the default file; a bare path means SQLite."""
    value = value or os.environ.get("OPNOTE_DB") or DEFAULT_DB
    if "://" in value:
        return value.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"sqlite:///{Path(value).expanduser()}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               pool_size=8, max_overflow=8)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=8, max_overflow=8, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (creates it on an empty database)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_database(url: str | None = None) -> tuple[Engine, sessionmaker[Session]]:
    """Engine and session factory of a migrated database."""
    engine = make_engine(database_url(url))
    migrate(engine)
    return engine, sessionmaker(engine, expire_on_commit=False)
