"""Fixtures of the review queue tests: sample results made by the extractor itself, a real local
PostgreSQL server (Debian's package; started here, never mocked) next to SQLite, and logged-in
test clients."""
from __future__ import annotations

import copy
import glob
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

SAMPLE = Path(__file__).resolve().parents[2] / "corpora" / "sample" / "notes"
PASSWORD = "correct horse battery"
SCRIPT_NOTE = ("OPERATIVE NOTE\nPROCEDURE: <script>alert('x')</script> Posterior fusion.\n"
               "DESCRIPTION: Pedicle screws were placed at L4 and L5 bilaterally.\r\n"
               "Local autograft was placed. <b>bold</b> &amp; done.\n")


def _explained(record: dict) -> dict:
    """A record with the optional fields newer extractor versions add (explanation, cues,
    excluded mentions), to check they are shown."""
    record = copy.deepcopy(record)
    for s in record["suggestions"]:
        s["explanation"] = {"base_confidence": 0.95, "base_reason": "named osteotomy with levels in the narrative",
                            "penalties": [{"flag": "two_families", "factor": 0.9}], "sites": ["L1-2"],
                            "dropped_sites": [{"site": "S1", "reason": "sacral_site"}]}
    facts = record["facts"]
    for m in facts["excluded_osteotomies"]:
        ev = m["evidence"][0]
        m["cue"] = {"text": "CUE-" + ev["text"], "start": ev["start"], "end": ev["end"], "category": "HYPOTHETICAL"}
    facts["excluded_mentions"] = [{"category": "graft", "kind": "allograft_morselized", "assertion": "negated",
                                   "role": "body", "levels": [], "evidence": [], "cue": None}]
    return record


@pytest.fixture(scope="session")
def corpus(ex, tmp_path_factory) -> dict:
    """Results (JSONL) and note texts (JSONL input) of the sample corpus plus two made-up notes."""
    from extractor.learned import rules_only

    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted(SAMPLE.glob("*.txt"))}
    texts["script_note"] = SCRIPT_NOTE
    # The rules' records (hand-set confidence): the tests below rely on its values and bands.
    records = [rules_only(ex.extract(t, note_id=i)) for i, t in texts.items()]
    for r in records:
        r.setdefault("row", 0)
    records.append(_explained(next(r for r in records if r["note_id"] == "sample_03")) | {"note_id": "explained"})
    texts["explained"] = texts["sample_03"]
    records.append({"row": 9, "note_id": "not_spine", "status": "skipped", "error": "not a spine note",
                    "suggestions": [], "flags": [], "facts": None, "extra": {}})
    base = tmp_path_factory.mktemp("corpus")
    results, notes = base / "results.jsonl", base / "notes.jsonl"
    results.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    notes.write_text("".join(json.dumps({"note_id": i, "text": t}) + "\n" for i, t in texts.items()),
                     encoding="utf-8")
    return {"results": str(results), "notes": str(notes), "records": {r["note_id"]: r for r in records},
            "texts": texts, "dir": base}


def _pg_binary(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def pg_server():
    """A throwaway PostgreSQL cluster on 127.0.0.1 (run as the 'postgres' user when we are root)."""
    initdb, pg_ctl = _pg_binary("initdb"), _pg_binary("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.fail("PostgreSQL is not installed: `apt-get install postgresql` (.ci/run does it)")
    base = Path(tempfile.mkdtemp(prefix="opnote-pg-"))
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(base, "postgres", "postgres")
    port = _free_port()
    data, log = base / "data", base / "server.log"
    subprocess.run([*as_user, initdb, "-D", str(data), "-U", "opnote", "-A", "trust", "-E", "UTF8", "-N"],
                   check=True, capture_output=True)
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    subprocess.run([*as_user, pg_ctl, "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o", options, "start"],
                   check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://opnote@127.0.0.1:{port}"
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """An empty database of each kind for one test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'queue.sqlite3'}"
        return
    server = request.getfixturevalue("pg_server")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield f"{server}/{name}"
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture
def loaded(db_url, corpus):
    """A queue with the corpus loaded, an admin 'ada' and coders 'cody' and 'cleo'."""
    from extractor.review import auth
    from extractor.review.db import open_database
    from extractor.review.loading import load_results

    engine, factory = open_database(db_url)
    load_results(factory, corpus["results"], [corpus["notes"]], "tester", "sample batch")
    with factory() as session:
        auth.add_user(session, "ada", PASSWORD, "admin")
        auth.add_user(session, "cody", PASSWORD, "coder")
        auth.add_user(session, "cleo", PASSWORD, "coder")
    yield db_url, factory
    engine.dispose()


@pytest.fixture
def app(loaded):
    from extractor.review.web import create_app

    application = create_app(loaded[0])
    yield application
    application.state.engine.dispose()


class Browser:
    """A test client logged in as one user, with helpers that read pages as a coder would."""

    def __init__(self, app, username: str):
        from fastapi.testclient import TestClient

        self.http = TestClient(app)
        page = self.http.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = self.http.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                                  follow_redirects=False)
        assert response.status_code == 303, response.text
        self.csrf = re.search(r'name="csrf-token" content="([^"]+)"', self.http.get("/").text).group(1)

    def pk(self, note_id: str) -> int:
        page = self.http.get("/", params={"sort": "age"}).text
        return int(re.search(rf'href="/notes/(\d+)">{re.escape(note_id)}</a>', page).group(1))

    def note(self, pk: int) -> dict:
        page = self.http.get(f"/notes/{pk}").text
        items = re.findall(r'data-item="(\d+)" data-origin="(\w+)" tabindex="0">\s*<header>.*?<b class="code">(\d+)</b>',
                           page, re.DOTALL)
        return {"html": page, "version": int(re.search(r'data-version="(\d+)"', page).group(1)),
                "items": [{"id": int(i), "origin": o, "code": c} for i, o, c in items]}

    def decide(self, pk: int, item: int, version: int, **body):
        return self.http.post(f"/api/notes/{pk}/items/{item}", json={"version": version, **body},
                              headers={"X-CSRF-Token": self.csrf})

    def add(self, pk: int, version: int, **body):
        return self.http.post(f"/api/notes/{pk}/items", json={"version": version, **body},
                              headers={"X-CSRF-Token": self.csrf})

    def form(self, url: str, **data):
        return self.http.post(url, data={"csrf_token": self.csrf, **data}, follow_redirects=False)

    def accept_all(self, pk: int) -> int:
        """Accept every line of the note; returns the note's version afterwards."""
        note = self.note(pk)
        version = note["version"]
        for item in note["items"]:
            response = self.decide(pk, item["id"], version, decision="accepted")
            assert response.status_code == 200, response.text
            version = response.json()["version"]
        return version


@pytest.fixture
def login(app):
    return lambda username: Browser(app, username)
