"""A run over an export in the layout of the public transcription exports (issue 9): the text column
and pandas' unnamed index column are found by themselves, every row gives one record, spine operative
reports flattened onto one line get the codes of the note as written, and nothing else gets a code."""
import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from extractor.cli import main

CORPORA = Path(__file__).resolve().parents[1] / "corpora"
EXPORT = CORPORA / "exports" / "transcriptions.csv"


def run_cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def export_rows() -> list[dict]:
    with open(EXPORT, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def records(tmp_path_factory) -> list[dict]:
    out = tmp_path_factory.mktemp("export") / "out.jsonl"
    result = run_cli("extract", EXPORT, "-o", out, "--workers", 1, "--no-progress", "--keep-cols", "medical_specialty")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def _codes(record: dict) -> set[tuple[str, int]]:
    return {(s["code"], s["units"]) for s in record["suggestions"]}


def test_every_row_gives_one_record_with_the_index_as_its_id(export_rows, records):
    assert [r["note_id"] for r in records] == [row[""] for row in export_rows]
    assert all(r["extra"]["medical_specialty"] == row["medical_specialty"] for r, row in zip(records, export_rows))


def test_flattened_operative_reports_get_the_codes_of_the_note_as_written(ex, export_rows, records):
    spine = [(row, r) for row, r in zip(export_rows, records) if row["keywords"] == "spine, operative"]
    assert len(spine) >= 16
    for row, record in spine:
        original = (CORPORA / row["sample_name"].replace("/", "/notes/", 1)).with_suffix(".txt")
        expected = _codes(ex.extract(original.read_text(encoding="utf-8"), row["sample_name"]))
        assert _codes(record) == expected, row["sample_name"]
    assert sum(bool(r["suggestions"]) for _, r in spine) >= 0.8 * len(spine)


def test_other_documents_are_skipped_with_their_kind(export_rows, records):
    others = [(row, r) for row, r in zip(export_rows, records) if row["keywords"] not in ("spine, operative", "")]
    assert len(others) >= 50
    assert all(r["suggestions"] == [] for _, r in others)
    skipped = [r for _, r in others if r["status"] == "skipped"]
    assert len(skipped) >= 0.9 * len(others)
    assert all(r["error"].startswith(("not an operative report: ", "operative report of another site", "not a spine note"))
               for r in skipped)


def test_the_empty_row_is_a_record_not_a_gap(records):
    assert records[-1]["status"] == "error" and records[-1]["error"] == "empty note" and records[-1]["suggestions"] == []


def test_a_pandas_round_trip_keeps_the_index_column_as_the_id(tmp_path):
    frame = pd.read_csv(EXPORT).head(3)  # pandas names the unnamed column "Unnamed: 0"
    frame.to_csv(tmp_path / "again.csv", index=False)
    out = tmp_path / "out.jsonl"
    assert run_cli("extract", tmp_path / "again.csv", "-o", out, "--workers", 1, "--no-progress").exit_code == 0
    assert [json.loads(line)["note_id"] for line in out.read_text().splitlines()] == ["0", "1", "2"]
