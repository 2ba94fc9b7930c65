"""The opnote command line, its JSONL contract, and bad input."""
import json
from pathlib import Path

from click.testing import CliRunner

from extractor.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "corpora" / "sample" / "notes"
KEYS = {"row", "note_id", "status", "error", "suggestions", "flags", "facts", "extra", "learned"}
SUGGESTION_KEYS = {"code", "units", "family", "label", "confidence", "rule_confidence", "flags", "evidence", "explanation"}
EXPLANATION_KEYS = {"base_confidence", "base_reason", "penalties", "sites", "dropped_sites", "calibration"}
EVIDENCE_KEYS = {"start", "end", "text", "section", "rule", "sentence_start", "sentence_end"}


def run(*args):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


def test_extract_folder_writes_one_line_per_note(tmp_path):
    out = tmp_path / "out.jsonl"
    result = run("extract", str(SAMPLE), "-o", str(out))
    assert result.exit_code == 0
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["note_id"] for r in lines] == sorted(p.stem for p in SAMPLE.glob("*.txt"))
    for record in lines:
        assert set(record) == KEYS and record["status"] == "ok"
        for s in record["suggestions"]:
            assert set(s) == SUGGESTION_KEYS and 0 <= s["confidence"] <= 1
            assert set(s["explanation"]) == EXPLANATION_KEYS and s["rule_confidence"] <= s["explanation"]["base_confidence"]
            assert all(set(f) == {"id", "text"} for f in s["flags"])
            assert all(set(e) == EVIDENCE_KEYS for e in s["evidence"])


def test_extract_to_stdout_and_table():
    result = run("extract", str(SAMPLE / "sample_02.txt"))
    record = json.loads(result.stdout)
    assert {(s["code"], s["units"]) for s in record["suggestions"]} == {
        ("22207", 1), ("22843", 1), ("22848", 1), ("20930", 1)}
    table = run("extract", str(SAMPLE / "sample_02.txt"), "--table").output
    assert "22207" in table and "Posterior 3-column osteotomy" in table


def test_settings_on_the_command_line(tmp_path):
    note = tmp_path / "n.txt"
    note.write_text("DESCRIPTION OF PROCEDURE:\nPedicle subtraction osteotomies were performed at T12 and L1.\n")
    default = json.loads(run("extract", str(note)).stdout)
    caudal = json.loads(run("extract", str(note), "--set", "osteotomy.cross_region_primary=most_caudal").stdout)
    assert "22206" in {s["code"] for s in default["suggestions"]}
    assert "22207" in {s["code"] for s in caudal["suggestions"]}
    bad = CliRunner().invoke(main, ["extract", str(note), "--set", "osteotomy.site_region=middle"])
    assert bad.exit_code != 0 and "site_region" in bad.output


def test_explain_shows_evidence_sentences_and_flags():
    result = run("explain", str(SAMPLE / "sample_05.txt"))
    assert result.exit_code == 0
    assert "22207 x1" in result.output and "sentence [" in result.output and "flag two_families" in result.output


def test_bad_inputs_yield_error_records_and_the_batch_goes_on(tmp_path):
    (tmp_path / "a_empty.txt").write_text("   \n")
    (tmp_path / "b_cp1252.txt").write_bytes("PSO at L3 \x96 caf\xe9".encode("latin-1"))
    (tmp_path / "c_html.txt").write_text("<html><body><p>DESCRIPTION OF PROCEDURE:</p><p>A pedicle subtraction "
                                         "osteotomy was performed at L3.</p></body></html>")
    (tmp_path / "d_huge.txt").write_text("x " * 150_001)
    out = tmp_path / "out.jsonl"
    assert run("extract", str(tmp_path), "-o", str(out)).exit_code == 0
    records = {r["note_id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert len(records) == 4
    assert records["a_empty"]["status"] == "error" and records["a_empty"]["error"] == "empty note"
    assert records["b_cp1252"]["status"] == "ok"
    assert "non_utf8_input" in {f["id"] for f in records["b_cp1252"]["flags"]}
    assert {s["code"] for s in records["c_html"]["suggestions"]} == {"22207"}
    assert records["d_huge"]["status"] == "error" and "too long" in records["d_huge"]["error"]
