"""Packaging: factories advertised through entry points, settings validation, JSON-able output."""
import json
import logging
from importlib.metadata import entry_points

import pytest
import spacy

from extractor.settings import Settings


def test_factories_are_advertised_and_usable():
    names = {ep.name for ep in entry_points(group="spacy_factories")}
    assert {"opnote_sentences", "opnote_targets", "opnote_levels", "opnote_sections", "opnote_context"} <= names
    nlp = spacy.blank("en")
    nlp.add_pipe("opnote_levels")
    doc = nlp("Pontes at T10-11 and T11-12.")
    assert [s._.level["label"] for s in doc.spans["levels"]] == ["T10-11", "T11-12"]


def test_settings_reject_unknown_and_invalid_values(tmp_path):
    with pytest.raises(ValueError, match="unknown setting"):
        Settings.load(overrides=["osteotomy.nope=1"])
    with pytest.raises(ValueError, match="must be one of"):
        Settings.load(overrides=["osteotomy.posterior_counting=per_everything"])
    config = tmp_path / "c.toml"
    config.write_text('[osteotomy]\nsite_region = "caudal"\n')
    assert Settings.load(config).osteotomy.site_region == "caudal"


def test_records_are_plain_json(ex):
    record = ex.extract("DESCRIPTION OF PROCEDURE:\nA PSO was performed at L3 with screws from T10 to the pelvis.")
    assert json.loads(json.dumps(record)) == record


def test_missing_text_is_an_error_record(ex):
    record = ex.extract(None, "missing")
    assert record["status"] == "error" and record["error"] == "missing note text"


def test_logs_carry_no_note_text(ex, caplog):
    caplog.set_level(logging.DEBUG)
    ex.extract("DESCRIPTION OF PROCEDURE:\nPatient Zebediah Quux had a PSO at L3.", "n1")
    ex.extract(b"\xff\xfe Zebediah Quux PSO \x00 at L3", "n2")
    assert "Zebediah" not in caplog.text
