"""The coder review queue: a self-hosted web app where coders accept, reject, correct and add the
extractor's code suggestions, with an append-only history and CSV/FHIR export.

It needs only the extractor's JSONL output and the note texts: nothing here imports spaCy, so
``opnote serve`` starts fast. Modules, in the order data flows:

* ``tables``: code labels, families, flag texts and reject reasons (from ``extractor/rules``);
* ``models`` and ``db``: the SQLAlchemy schema, engines (SQLite in WAL mode or PostgreSQL) and
  Alembic migrations shipped in ``migrations/``;
* ``loading``: JSONL results + note texts -> queued notes, extraction versions and items;
* ``queue``: claims, decisions, missed codes and submission under optimistic locking;
* ``worklist`` and ``noteview``: what the pages show; ``auth``: users, sessions, CSRF;
* ``export`` (CSV, FHIR R4) and ``stats``; ``web``: the FastAPI routes; ``commands``: the CLI bodies.
"""
