"""Batch runs: input formats, bad rows, output formats, workers, interruption and resume."""
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import load_split
from extractor.cli import main

NOTES = load_split("sample") + load_split("dev")[:14]


def run_cli(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


def read_jsonl(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    """A small export as a DataFrame with extra columns."""
    rows = [{"NOTE_ID": g["note_id"], "Note_Text": g["text"], "surgeon": f"dr{i % 3}", "encounter": str(1000 + i)}
            for i, g in enumerate(NOTES)]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def reference(export, tmp_path_factory):
    """Codes per note from a plain one-process JSONL run over the CSV export."""
    path = tmp_path_factory.mktemp("ref") / "in.csv"
    export.to_csv(path, index=False)
    out = path.with_suffix(".jsonl")
    assert run_cli("extract", path, "-o", out, "--workers", 1).exit_code == 0
    return {r["note_id"]: sorted((s["code"], s["units"]) for s in r["suggestions"]) for r in read_jsonl(out)}


def codes(records):
    return {r["note_id"]: sorted((s["code"], s["units"]) for s in r["suggestions"]) for r in records}


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl", "parquet", "csv.gz", "jsonl.gz"])
def test_input_formats_autodetect_columns_and_keep_cols(export, reference, tmp_path, fmt):
    path = tmp_path / f"in.{fmt}"
    base = fmt.removesuffix(".gz")
    if base == "csv":
        export.to_csv(path, index=False, compression="gzip" if fmt.endswith("gz") else None)
    elif base == "tsv":
        export.to_csv(path, index=False, sep="\t")
    elif base == "jsonl":
        export.to_json(path, orient="records", lines=True, compression="gzip" if fmt.endswith("gz") else None)
    else:
        export.to_parquet(path)
    out = tmp_path / "out.jsonl"
    assert run_cli("extract", path, "-o", out, "--keep-cols", "surgeon,encounter", "--workers", 1).exit_code == 0
    records = read_jsonl(out)
    assert [r["row"] for r in records] == list(range(len(export)))
    assert codes(records) == reference
    assert records[4]["extra"] == {"surgeon": "dr1", "encounter": "1004"}


def test_stdin_jsonl(export, reference):
    data = export.to_json(orient="records", lines=True)
    result = run_cli("extract", "-", "--input-format", "jsonl", "--workers", 1, input=data)
    assert codes([json.loads(x) for x in result.stdout.splitlines()]) == reference


def test_missing_text_column_is_a_clear_error(tmp_path):
    path = tmp_path / "in.csv"
    pd.DataFrame({"id": ["a"], "body_of_note": ["PSO at L3"]}).to_csv(path, index=False)
    result = CliRunner().invoke(main, ["extract", str(path)])
    assert result.exit_code == 2 and "no text column found" in result.output and "--text-col" in result.output
    ok = run_cli("extract", path, "--text-col", "body_of_note", "--workers", 1)
    assert json.loads(ok.stdout.splitlines()[0])["status"] == "ok"


def test_malformed_input_gives_one_output_per_input(tmp_path):
    good = NOTES[1]["text"]
    path = tmp_path / "bad.csv"
    with open(path, "wb") as fh:
        fh.write(b"note_id,text\n")
        rows = [("n1", good.encode()), ("", good.encode()), ("n3", b"   "), ("n4", "PSO at L3 caf\xe9".encode("cp1252")),
                ("n5", ("x " * 120_000).encode()), ("n1", good.encode()),
                ("n7", b"<html><body><p>DESCRIPTION OF PROCEDURE:</p><p>A pedicle subtraction osteotomy was performed at L3.</p></body></html>"),
                ("n8", b"Seen in clinic for hypertension and diabetes; no changes to medication.")]
        for note_id, text in rows:
            fh.write(b'"' + note_id.encode() + b'","' + text.replace(b'"', b'""') + b'"\n')
        fh.write(b'n9,PSO at L3,extra,fields\n')
    out = tmp_path / "out.jsonl"
    result = run_cli("extract", path, "-o", out, "--workers", 2)
    records = read_jsonl(out)
    assert [r["row"] for r in records] == list(range(9))
    by_row = {r["row"]: r for r in records}
    flags = {row: {f["id"] for f in r["flags"]} for row, r in by_row.items()}
    assert by_row[0]["status"] == "ok"
    assert by_row[1]["note_id"] == "row-2" and "generated_note_id" in flags[1]
    assert by_row[2]["status"] == "error" and by_row[2]["error"] == "empty note"
    assert by_row[3]["status"] == "ok" and "non_utf8_input" in flags[3]
    assert by_row[4]["status"] == "error" and "too long" in by_row[4]["error"]
    assert "duplicate_note_id" in flags[5]
    assert {s["code"] for s in by_row[6]["suggestions"]} == {"22207"}
    assert by_row[7]["status"] == "skipped"
    assert by_row[8]["status"] == "error" and "malformed" in by_row[8]["error"]
    assert "9 notes:" in result.stderr and "1 skipped" in result.stderr


def test_csv_and_parquet_outputs_are_flat_and_complete(export, reference, tmp_path):
    path = tmp_path / "in.csv"
    export.to_csv(path, index=False)
    run_cli("extract", path, "-o", tmp_path / "out.csv", "--keep-cols", "encounter", "--workers", 1)
    flat = pd.read_csv(tmp_path / "out.csv", dtype={"code": str})
    assert flat["row"].nunique() == len(export)  # notes without suggestions still have a row
    assert "encounter" in flat.columns
    run_cli("extract", path, "-o", tmp_path / "out.parquet", "--workers", 1)
    table = pd.read_parquet(tmp_path / "out.parquet")
    assert table["row"].nunique() == len(export)
    expected = sorted((n, c, u) for n, cs in reference.items() for c, u in cs)
    got = sorted((r.note_id, r.code, int(r.units)) for r in table.itertuples() if isinstance(r.code, str))
    assert got == expected


def test_two_workers_give_the_same_output_in_order(export, reference, tmp_path):
    path = tmp_path / "in.jsonl"
    export.to_json(path, orient="records", lines=True)
    run_cli("extract", path, "-o", tmp_path / "out.jsonl", "--workers", 2)
    records = read_jsonl(tmp_path / "out.jsonl")
    assert [r["row"] for r in records] == list(range(len(export))) and codes(records) == reference


def test_resume_after_a_partial_write(export, reference, tmp_path):
    """A killed run leaves its last checkpoint and maybe half a batch after it: resume cuts that."""
    path = tmp_path / "in.jsonl"
    export.to_json(path, orient="records", lines=True)
    out = tmp_path / "out.jsonl"
    run_cli("extract", path, "-o", out, "--workers", 1, "--batch-size", 4)
    full = out.read_bytes()
    checkpoint = tmp_path / "out.jsonl.resume.json"
    state = json.loads(checkpoint.read_text())
    cut = full.index(b"\n", len(full) // 3) + 1
    rows_done = full[:cut].count(b"\n")
    checkpoint.write_text(json.dumps({**state, "rows_done": rows_done, "position": cut, "complete": False}))
    out.write_bytes(full[:cut + 40])  # some records, then half a line
    run_cli("extract", path, "-o", out, "--resume", "--workers", 1, "--batch-size", 4)
    assert [r["row"] for r in read_jsonl(out)] == list(range(len(export)))
    assert codes(read_jsonl(out)) == reference and out.read_bytes() == full


def test_resume_refuses_an_output_cut_below_its_checkpoint(export, tmp_path):
    path = tmp_path / "in.jsonl"
    export.to_json(path, orient="records", lines=True)
    out = tmp_path / "out.jsonl"
    run_cli("extract", path, "-o", out, "--workers", 1)
    out.write_bytes(out.read_bytes()[:100])
    result = CliRunner().invoke(main, ["extract", str(path), "-o", str(out), "--resume"])
    assert result.exit_code == 2 and "shorter" in result.output
    assert len(out.read_bytes()) == 100


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_interrupted_run_resumes_without_duplicates_or_gaps(tmp_path, fmt):
    """A real process gets SIGINT mid-run, then `--resume` completes the same output."""
    rows = [{"note_id": f"n{i}", "text": NOTES[i % len(NOTES)]["text"]} for i in range(400)]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / f"out.{fmt}"
    cmd = [sys.executable, "-m", "extractor.cli", "extract", str(src), "-o", str(out), "--workers", "1", "--no-progress"]
    # Under nohup or in a background job SIGINT starts ignored, and the child would inherit that:
    # the test sets the disposition it relies on.
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, cwd=Path(__file__).resolve().parents[1],
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 60
    while time.time() < deadline and (not out.exists() or out.stat().st_size < 5000):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()[-500:]
    assert b"INTERRUPTED" in err
    subprocess.run(cmd + ["--resume"], check=True, capture_output=True, cwd=Path(__file__).resolve().parents[1])
    if fmt == "jsonl":
        written = [r["row"] for r in read_jsonl(out)]
    else:
        written = sorted(set(pd.read_csv(out)["row"]))
        assert len(pd.read_csv(out).drop_duplicates()) == len(pd.read_csv(out))
    assert written == list(range(400))


def test_no_note_text_in_logs(tmp_path, caplog):
    import logging
    caplog.set_level(logging.DEBUG)
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"note_id": "a", "text": "Patient Zebediah Quux: PSO at L3."}) + "\n"
                    + '{"note_id": "b", "text": "Zebediah broken\n')
    result = run_cli("extract", path, "--workers", 1)
    assert "Zebediah" not in caplog.text and "Zebediah" not in result.stderr


def test_progress_lines_when_not_a_terminal(tmp_path):
    from extractor.batch import BatchRunner
    from extractor.inputs import InputRecord
    from extractor.settings import Settings

    class Sink:
        def write(self, records): pass
        def close(self): pass

    records = (InputRecord(i, f"n{i}", NOTES[i % len(NOTES)]["text"]) for i in range(40))
    runner = BatchRunner(Settings.load(), workers=1, progress=False, log_every=0.0001, batch_size=8)
    import contextlib
    import io
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        summary = runner.run(records, Sink())
    assert summary.total == 40 and "processed 40 notes" in err.getvalue()
    assert "Zebediah" not in err.getvalue() and NOTES[0]["text"][:30] not in err.getvalue()


def test_progress_estimate_for_the_eta(export, tmp_path):
    from extractor.inputs import open_inputs

    export.to_parquet(tmp_path / "b.parquet")
    assert open_inputs([str(tmp_path / "b.parquet")]).estimate() == len(export)
    big = pd.concat([export] * 20, ignore_index=True)
    big.to_csv(tmp_path / "a.csv", index=False)
    inputs = open_inputs([str(tmp_path / "a.csv")])
    records = inputs.records()
    for _ in range(len(big) // 2):
        next(records)
    assert 0.7 * len(big) <= inputs.estimate() <= 1.3 * len(big)  # rows, not lines (the notes have many)
    for _ in records:
        pass
    assert inputs.estimate() == len(big)
