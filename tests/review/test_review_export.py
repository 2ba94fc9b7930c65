"""CSV and FHIR export, statistics and the queue's commands."""
from __future__ import annotations

import csv
import io
import json
import logging
import subprocess
import sys

from click.testing import CliRunner

from extractor.cli import main
from extractor.review.export import validate


def _complete(browser, note_id: str, reject_first: bool = False) -> int:
    pk = browser.pk(note_id)
    note = browser.note(pk)
    version = note["version"]
    for n, item in enumerate(note["items"]):
        body = {"decision": "rejected", "reason": "not_performed"} if reject_first and n == 0 else \
            {"decision": "accepted"}
        version = browser.decide(pk, item["id"], version, **body).json()["version"]
    assert browser.form(f"/notes/{pk}/submit", version=str(version)).status_code == 303
    return pk


def test_csv_export_has_final_codes_with_decision_coder_and_offsets(login, corpus):
    cody, ada = login("cody"), login("ada")
    _complete(cody, "sample_04", reject_first=True)
    rows = list(csv.DictReader(io.StringIO(ada.http.get("/export", params={"format": "csv",
                                                                           "status": "completed"}).text)))
    assert {r["note_id"] for r in rows} == {"sample_04"}
    record = corpus["records"]["sample_04"]
    assert [r["suggested_code"] for r in rows] == [s["code"] for s in record["suggestions"]]
    assert rows[0]["decision"] == "rejected" and rows[0]["code"] == "" and rows[0]["reason"] == "not_performed"
    accepted = rows[1]
    assert accepted["decision"] == "accepted" and accepted["coder"] == "cody" and accepted["decided_at"]
    first = record["suggestions"][1]["evidence"][0]
    assert json.loads(accepted["evidence"])[0] == [first["start"], first["end"]]


def test_fhir_bundles_validate_with_draft_and_active_claims(login, corpus):
    cody, ada = login("cody"), login("ada")
    _complete(cody, "sample_01")
    lines = ada.http.get("/export", params={"format": "fhir"}).text.splitlines()
    bundles = {b["entry"][0]["resource"]["identifier"][0]["value"]: b for b in map(json.loads, lines)}
    assert len(bundles) == 8
    for bundle in bundles.values():
        validate(bundle)
    done = bundles["sample_01"]["entry"][1]["resource"]
    open_ = bundles["sample_02"]["entry"][1]["resource"]
    assert (done["status"], open_["status"], done["use"]) == ("active", "draft", "claim")
    item = next(i for i in done["item"] if i["productOrService"]["coding"][0]["code"] == "22216")
    coding = item["productOrService"]["coding"][0]
    assert coding["system"] == "http://www.ama-assn.org/go/cpt" and coding["display"].startswith("Posterior-element")
    assert item["quantity"]["value"] == 2
    ext = item["extension"][0]
    assert ext["url"] == "http://hl7.org/fhir/StructureDefinition/derivation-reference"
    parts = {e["url"]: e for e in ext["extension"]}
    assert parts["reference"]["valueReference"]["reference"] == bundles["sample_01"]["entry"][0]["fullUrl"]
    text = corpus["texts"]["sample_01"]
    evidence = corpus["records"]["sample_01"]["suggestions"][2]["evidence"][0]
    start, length = parts["offset"]["valueInteger"], parts["length"]["valueInteger"]
    assert text[start:start + length] == evidence["text"]


def test_invalid_fhir_is_caught_by_validation():
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        validate({"resourceType": "Bundle", "type": "collection", "entry": [
            {"fullUrl": "urn:uuid:1", "resource": {"resourceType": "Claim", "status": "not-a-status"}}]})


def test_stats_per_code_rule_reasons_added_and_agreement(login, corpus):
    cody, cleo, ada = login("cody"), login("cleo"), login("ada")
    pk = _complete(cody, "sample_04", reject_first=True)
    note = ada.note(pk)
    assert ada.form(f"/notes/{pk}/rounds", version=str(note["version"]), kind="second").status_code == 303
    refused = cody.form("/next")  # cody already reviewed it: he gets another note
    assert refused.headers["location"] != f"/notes/{pk}"
    note = cleo.note(pk)
    assert "cody" not in note["html"].split('class="history')[1]  # the second review is independent
    version = note["version"]
    for item in note["items"]:
        version = cleo.decide(pk, item["id"], version, decision="accepted").json()["version"]
    text = corpus["texts"]["sample_04"]
    start = text.index("autograft")
    version = cleo.add(pk, version, code="20937", units=1, start=start, end=start + 9).json()["version"]
    assert cleo.form(f"/notes/{pk}/submit", version=str(version)).status_code == 303
    figures = json.loads(CliRunner().invoke(main, ["queue", "stats", "--json", "--db", _db(ada)]).output)
    first = corpus["records"]["sample_04"]["suggestions"][0]["code"]
    assert figures["acceptance_per_code"][first] == {"suggested": 2, "accepted": 1, "modified": 0, "rejected": 1,
                                                     "acceptance_rate": 0.5}
    assert figures["rejection_reasons"] == {"Not performed": 1}
    assert figures["added_per_family"] == {"graft": 1}
    assert figures["agreement"]["double_reviewed_notes"] == 1 and figures["agreement"]["exact_agreement"] == 0.0
    assert figures["agreement"]["per_code"][first]["agreement"] == 0.0
    assert figures["time_per_note"]["notes"] == 2
    page = ada.http.get("/stats").text
    assert "Not performed: 1" in page and "double-reviewed" in page


def _db(browser) -> str:
    return str(browser.http.app.state.engine.url.render_as_string(hide_password=False))


def test_cli_load_add_user_export(corpus, tmp_path):
    db = str(tmp_path / "cli.sqlite3")
    runner = CliRunner()
    loaded = runner.invoke(main, ["queue", "load", corpus["results"], "--notes", corpus["notes"], "--db", db])
    assert loaded.exit_code == 0 and "8 new" in loaded.output and "1 error/skipped" in loaded.output
    added = runner.invoke(main, ["queue", "add-user", "eve", "--role", "admin", "--db", db],
                          input="long password\nlong password\n")
    assert added.exit_code == 0 and "eve added" in added.output
    out = tmp_path / "bundles.ndjson"
    exported = runner.invoke(main, ["queue", "export", "--db", db, "--format", "fhir", "-o", str(out)])
    assert exported.exit_code == 0 and len(out.read_text().splitlines()) == 8
    rows = runner.invoke(main, ["queue", "export", "--db", db, "--format", "csv", "--status", "completed"]).output
    assert rows.splitlines()[0].startswith("note_id,note_status,round,code,units,decision")
    stats = runner.invoke(main, ["queue", "stats", "--db", db])
    assert stats.exit_code == 0 and "8 new" not in stats.output and "'new': 8" in stats.output


def test_serving_imports_no_spacy_and_help_lists_commands():
    code = ("import sys; import extractor.review.web, extractor.review.commands; "
            "assert 'spacy' not in sys.modules and 'medspacy' not in sys.modules, 'spaCy imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
    help_text = CliRunner().invoke(main, ["serve", "--help"]).output
    assert "127.0.0.1" in help_text and "--claim-minutes" in help_text


def test_access_log_keeps_no_query_string():
    from extractor.review.web import NoQueryString

    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", "/?code=pedicle+subtraction+at+L3", "1.1", 200), None)
    NoQueryString().filter(record)
    assert "pedicle" not in record.getMessage() and "GET /" in record.getMessage()


def test_schema_from_migrations_matches_the_models(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from extractor.review.db import open_database
    from extractor.review.models import Base

    engine, _factory = open_database(db_url)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    engine.dispose()
