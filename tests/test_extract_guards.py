"""`opnote extract` and `opnote evaluate` check everything before they touch an output, refuse what
would lose data, and end every fatal problem with a one-line message naming the file and the cause
and a non-zero exit, after writing every finished row."""
import gzip
import json
import math

import pandas as pd
import pytest
from click.testing import CliRunner

from extractor.cli import main

PSO = "DESCRIPTION OF PROCEDURE:\nA pedicle subtraction osteotomy was performed at L3."


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def extract(*args):
    return invoke("extract", *args, "--workers", 1)


def csv_input(path, n=3):
    pd.DataFrame({"note_id": [f"n{i}" for i in range(n)], "text": [PSO] * n}).to_csv(path, index=False)
    return path


def one_line_error(result, *needles):
    """A fatal problem: non-zero exit, and a line naming the cause (no traceback)."""
    assert result.exit_code not in (0, None), result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if all(n in line for n in needles)]
    assert lines, result.output


# ------------------------------------------------------------------ data loss


def test_output_that_is_an_input_is_refused(tmp_path):
    src = csv_input(tmp_path / "in.csv")
    before = src.read_bytes()
    result = extract(src, "-o", src, "--output-format", "csv")
    one_line_error(result, "in.csv")
    assert src.read_bytes() == before


def test_existing_output_is_kept_when_the_input_is_bad(tmp_path):
    src = csv_input(tmp_path / "in.csv")
    out = tmp_path / "res.jsonl"
    out.write_text('{"previous": "results"}\n')
    result = extract(src, "--text-col", "NOPE", "-o", out, "--overwrite")
    assert result.exit_code != 0 and "NOPE" in result.output
    assert out.read_text() == '{"previous": "results"}\n'


def test_existing_output_needs_overwrite(tmp_path):
    src = csv_input(tmp_path / "in.csv")
    out = tmp_path / "res.jsonl"
    out.write_text('{"previous": "results"}\n')
    refused = extract(src, "-o", out)
    one_line_error(refused, "res.jsonl", "--overwrite")
    assert out.read_text() == '{"previous": "results"}\n'
    assert extract(src, "-o", out, "--overwrite").exit_code == 0
    assert len(out.read_text().splitlines()) == 3


def test_every_input_is_checked_before_the_run(tmp_path):
    good = csv_input(tmp_path / "a.csv", n=150)
    bad = tmp_path / "b.csv"
    pd.DataFrame({"note_id": ["x"], "body_of_note": [PSO]}).to_csv(bad, index=False)
    out = tmp_path / "out.jsonl"
    result = extract(good, bad, "-o", out)
    one_line_error(result, "b.csv", "no text column")
    assert not out.exists() or out.read_text() == ""


def test_truncated_gzip_keeps_the_finished_rows_and_names_the_input(tmp_path):
    rows = "".join(json.dumps({"note_id": f"g{i}", "text": PSO + " " * 3000 + str(i)}) + "\n" for i in range(200))
    packed = gzip.compress(rows.encode())
    src = tmp_path / "in.jsonl.gz"
    src.write_bytes(packed[: len(packed) * 2 // 3])
    out = tmp_path / "out.jsonl"
    result = extract(src, "-o", out)
    one_line_error(result, "in.jsonl.gz")
    written = [json.loads(line) for line in out.read_text().splitlines()]
    assert written and [r["row"] for r in written] == list(range(len(written)))
    assert f"{len(written)} notes" in result.stderr


# ------------------------------------------------------------------ fatal problems: one line, non-zero


def test_corrupt_parquet(tmp_path):
    src = tmp_path / "in.parquet"
    pd.DataFrame({"note_id": ["a"], "text": [PSO]}).to_parquet(src)
    src.write_bytes(src.read_bytes()[:-20])
    one_line_error(extract(src), "in.parquet")


def test_output_in_a_missing_or_unusable_directory(tmp_path):
    src = csv_input(tmp_path / "in.csv")
    one_line_error(extract(src, "-o", tmp_path / "nowhere" / "out.jsonl"), "out.jsonl")
    (tmp_path / "file").write_text("")
    one_line_error(extract(src, "-o", tmp_path / "file" / "out.jsonl"), "out.jsonl")


def test_full_disk_keeps_a_summary_and_fails(tmp_path):
    src = csv_input(tmp_path / "in.csv")
    result = extract(src, "-o", "/dev/full", "--overwrite")
    one_line_error(result, "/dev/full")
    assert "notes:" in result.stderr


@pytest.mark.parametrize("args,needle", [
    (["--output-format", "parquet"], "-o"),
    (["-o", "{tmp}/out.csv.gz"], "out.csv.gz"),
    (["-o", "{tmp}/out.txt"], "out.txt"),
    (["--workers", "0"], "--workers"),
    (["--workers", "-1"], "--workers"),
    (["--set", "confidence.inferred_type=1.5"], "inferred_type"),
    (["--set", "confidence.inferred_type=1.0e400"], "inferred_type"),
    (["--set", "confidence.convention_penalty=-0.1"], "convention_penalty"),
])
def test_invalid_options_are_refused(tmp_path, args, needle):
    src = csv_input(tmp_path / "in.csv")
    result = invoke("extract", src, *[a.format(tmp=tmp_path) for a in args])
    assert result.exit_code == 2 and needle in result.output, result.output


def test_config_file_confidence_must_be_finite_and_in_range(tmp_path):
    src = csv_input(tmp_path / "in.csv")
    config = tmp_path / "c.toml"
    config.write_text("[confidence]\nbody_with_sites = inf\n")
    result = invoke("extract", src, "--config", config)
    assert result.exit_code == 2 and "body_with_sites" in result.output


def test_settings_validation_in_python():
    from extractor.settings import Settings

    with pytest.raises(ValueError, match="between 0 and 1"):
        Settings.load(overrides=["confidence.body_with_sites=2"])
    assert math.isclose(Settings.load(overrides=["confidence.body_with_sites=1"]).confidence.body_with_sites, 1.0)


# ------------------------------------------------------------------ evaluate


def _gold(tmp_path, lines, notes=True):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(lines)
    if notes:
        (tmp_path / "notes").mkdir(exist_ok=True)
        (tmp_path / "notes" / "e1.txt").write_text(PSO)
    return gold


def test_evaluate_malformed_gold(tmp_path):
    gold = _gold(tmp_path, '{"note_id": "e1", "codes": []}\n{"note_id": "e2", "codes": [\n')
    one_line_error(invoke("evaluate", gold), "gold.jsonl", "line 2")
    gold = _gold(tmp_path, '{"codes": []}\n')
    one_line_error(invoke("evaluate", gold), "gold.jsonl", "note_id")


def test_evaluate_without_notes_folder(tmp_path):
    gold = _gold(tmp_path, '{"note_id": "e1", "codes": [{"code": "22207", "units": 1}]}\n', notes=False)
    one_line_error(invoke("evaluate", gold), "notes")


def test_evaluate_predictions_that_match_no_gold_id(tmp_path):
    gold = _gold(tmp_path, '{"note_id": "e1", "codes": [{"code": "22207", "units": 1}]}\n')
    pred = tmp_path / "pred.jsonl"
    pred.write_text(json.dumps({"note_id": "other", "status": "ok", "suggestions": []}) + "\n")
    one_line_error(invoke("evaluate", gold, "--pred", pred), "pred.jsonl")
