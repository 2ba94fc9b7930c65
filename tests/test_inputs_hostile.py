"""Readers under hostile input: every input row gives exactly one record, nothing is swallowed,
skipped or read twice, and no value that could be note text reaches an error message."""
import codecs
import gzip
import json
import os
import threading

import pytest
from click.testing import CliRunner

from extractor.cli import main
from extractor.inputs import InputError, open_inputs

PSO = "DESCRIPTION OF PROCEDURE:\nA pedicle subtraction osteotomy was performed at L3."
PONTE = "DESCRIPTION OF PROCEDURE:\nPonte osteotomies were performed at T10-11 and T11-12."


def records(*paths, **options):
    inputs = open_inputs([str(p) for p in paths], **options)
    return list(inputs.records()), inputs


def extract(*args):
    return CliRunner().invoke(main, ["extract", *map(str, args), "--workers", "1"], catch_exceptions=False)


def out_records(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# ------------------------------------------------------------------ CSV / TSV


def test_stray_quote_does_not_swallow_the_following_rows(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(f'note_id,text\n1,"{PSO}\n2,{PONTE.replace(chr(10), " ")}\n3,"{PONTE}"\n4,"{PSO}"\n')
    recs, _ = records(path)
    assert [r.row for r in recs] == [0, 1, 2, 3]
    assert recs[0].problem and "quote" in recs[0].problem and recs[0].note_id == "1"
    assert [r.note_id for r in recs[1:]] == ["2", "3", "4"] and not any(r.problem for r in recs[1:])


def test_stray_quote_closed_at_a_line_end_or_unterminated_at_eof(tmp_path):
    closed = tmp_path / "closed.csv"
    closed.write_text('note_id,text\n1,"PSO at L3\n2,Ponte at T10-11"\n3,PSO at L4\n')
    recs, _ = records(closed)
    assert [r.note_id for r in recs] == ["1", "2", "3"] and recs[0].problem and not recs[2].problem
    eof = tmp_path / "eof.csv"
    eof.write_text('note_id,text\n1,PSO at L2\n2,"PSO at L3\n3,Ponte at T10-11\n4,PSO at L4\n')
    recs, _ = records(eof)
    assert [r.note_id for r in recs] == ["1", "2", "3", "4"]
    assert recs[1].problem and not recs[0].problem and not recs[2].problem and not recs[3].problem


def test_legit_multiline_quoted_notes_are_kept_whole(tmp_path):
    path = tmp_path / "in.csv"
    text = "PROCEDURES:\n1. L3 PSO, 2. fusion\n3, 4 and 5 were not fused.\nDESCRIPTION: done."
    path.write_text('note_id,text\nA1,"' + text + '"\nA2,"' + text + '"\n')
    recs, _ = records(path)
    assert [(r.note_id, r.text, r.problem) for r in recs] == [("A1", text, None), ("A2", text, None)]


def test_blank_lines_and_cr_cr_lf_endings_are_not_rows(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(b"note_id,text\r\r\n\r\n1,PSO at L3\r\r\n\n2,PSO at L4\r\r\n\n")
    recs, _ = records(path)
    assert [(r.note_id, r.problem) for r in recs] == [("1", None), ("2", None)]


def test_utf8_bom_before_a_quoted_header_keeps_the_ids(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(codecs.BOM_UTF8 + b'"note_id","text"\n"a1","PSO at L3"\n')
    recs, _ = records(path)
    assert [(r.note_id, r.text) for r in recs] == [("a1", "PSO at L3")]


def test_utf16_csv_with_bom(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes('note_id,text\nu1,PSO at L3 café\n'.encode("utf-16"))
    recs, _ = records(path)
    assert [(r.note_id, r.text) for r in recs] == [("u1", "PSO at L3 café")]


@pytest.mark.parametrize("header", ["note_id,text,text", "note_id,Text,TEXT"])
def test_duplicate_or_ambiguous_text_columns_are_refused(tmp_path, header):
    path = tmp_path / "in.csv"
    path.write_text(f"{header}\n1,PSO at L3,other\n")
    with pytest.raises(InputError, match="text"):
        records(path)


def test_non_utf8_bytes_in_id_and_kept_columns(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(b"note_id,text,surgeon\nn\xe91,PSO at L3,Dr M\xfcller\n")
    recs, _ = records(path, keep_cols=["surgeon"])
    assert recs[0].note_id == "né1" and recs[0].extra == {"surgeon": "Dr Müller"}
    assert "non_utf8_field" in recs[0].flags


# ------------------------------------------------------------------ JSONL


def test_jsonl_columns_are_taken_from_each_object(tmp_path):
    path = tmp_path / "in.jsonl"
    rows = [{"note_id": "s1"}, {"text": PSO}, {"note_id": "s3", "text": PSO, "surgeon": "x"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    recs, _ = records(path, keep_cols=["surgeon"])
    assert [(r.note_id, r.text) for r in recs] == [("s1", None), (None, PSO), ("s3", PSO)]
    assert recs[2].extra == {"surgeon": "x"} and recs[0].extra == {"surgeon": ""}


def test_nested_json_text_is_an_error_not_its_repr(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"note_id": "j1", "text": {"body": PSO}}) + "\n")
    recs, _ = records(path)
    assert recs[0].problem and "not a string" in recs[0].problem and recs[0].text is None


def test_cp1252_byte_in_a_jsonl_line_and_lone_surrogate_id(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"note_id": "c1", "text": "PSO at L3 caf\xe9"}\n{"note_id": "\\udc80x", "text": "PSO at L3"}\n')
    recs, _ = records(path)
    assert recs[0].text == "PSO at L3 café" and "non_utf8_input" in recs[0].flags and not recs[0].problem
    assert recs[1].note_id == "\ufffdx" and "non_utf8_field" in recs[1].flags


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_bad_unicode_in_ids_and_kept_columns_does_not_end_the_run(tmp_path, fmt):
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"note_id": "\\ud800a", "text": "PSO at L3", "k": "\\udfff"}\n'
                    + json.dumps({"note_id": "ok", "text": PSO, "k": "v"}).encode() + b"\n")
    csv_src = tmp_path / "in.csv"
    csv_src.write_bytes(b"note_id,text,k\nb\xff,PSO at L3,\x81\nok," + PSO.replace("\n", " ").encode() + b",v\n")
    out = tmp_path / ("out.parquet" if fmt == "parquet" else f"out.{fmt}")
    for source in (src, csv_src):
        result = extract(source, "-o", out, "--keep-cols", "k", "--overwrite")
        assert result.exit_code == 0, result.output
        assert "2 notes" in result.stderr


# ------------------------------------------------------------------ text files and folders


def test_text_file_variants_in_folders(tmp_path):
    notes = tmp_path / "notes"
    (notes / "sub").mkdir(parents=True)
    (notes / ".hidden").mkdir()
    (notes / "a.TXT").write_text(PSO)
    (notes / "b.text").write_text(PSO)
    (notes / "sub" / "c.txt.gz").write_bytes(gzip.compress(PSO.encode()))
    (notes / ".hidden" / "d.txt").write_text(PSO)
    (notes / "e.txt").write_bytes(PSO.encode("utf-16"))
    (notes / "f.txt").symlink_to(notes / "missing.txt")
    (notes / "g.txt").symlink_to(notes / "g.txt")
    recs, _ = records(notes)
    by_id = {r.note_id: r for r in recs}
    assert sorted(by_id) == ["a", "b", "c", "e", "f", "g"]
    assert by_id["c"].text == PSO.encode() and not by_id["c"].problem
    assert by_id["f"].problem and by_id["g"].problem


def test_unreadable_sub_folder_is_an_error_record(tmp_path, monkeypatch):
    notes = tmp_path / "notes"
    (notes / "locked").mkdir(parents=True)
    (notes / "locked" / "x.txt").write_text(PSO)
    (notes / "a.txt").write_text(PSO)
    real_scandir = os.scandir

    def scandir(path="."):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    recs, _ = records(notes)
    assert len(recs) == 2
    locked = [r for r in recs if r.problem]
    assert len(locked) == 1 and "unreadable folder" in locked[0].problem and "Permission denied" in locked[0].problem


def test_utf16_text_file_is_decoded_and_flagged(tmp_path):
    path = tmp_path / "n.txt"
    path.write_bytes(PSO.encode("utf-16"))
    out = tmp_path / "out.jsonl"
    assert extract(path, "-o", out).exit_code == 0
    record = out_records(out)[0]
    assert record["status"] == "ok" and {s["code"] for s in record["suggestions"]} == {"22207"}


def test_non_utf8_flag_is_kept_on_skipped_and_error_records(tmp_path):
    (tmp_path / "a.txt").write_bytes("Seen for hypertension \u2013 no changes.".encode("cp1252"))
    (tmp_path / "b.txt").write_bytes(b"\xa0\xa0  \n")  # cp1252 no-break spaces: empty
    out = tmp_path / "out.jsonl"
    assert extract(tmp_path, "-o", out).exit_code == 0
    a, b = out_records(out)
    assert a["status"] == "skipped" and "non_utf8_input" in {f["id"] for f in a["flags"]}
    assert b["status"] == "error" and "non_utf8_input" in {f["id"] for f in b["flags"]}


def test_txt_gz_file(tmp_path):
    path = tmp_path / "n.txt.gz"
    path.write_bytes(gzip.compress(PSO.encode()))
    out = tmp_path / "out.jsonl"
    assert extract(path, "-o", out).exit_code == 0
    assert [s["code"] for s in out_records(out)[0]["suggestions"]] == ["22207"]


# ------------------------------------------------------------------ streams and progress


def test_fifo_input_with_progress_is_read_once(tmp_path):
    fifo = tmp_path / "in.jsonl"
    os.mkfifo(fifo)
    data = "".join(json.dumps({"note_id": f"f{i}", "text": PSO}) + "\n" for i in range(5))

    def feed():
        with open(fifo, "w") as fh:
            fh.write(data)

    writer = threading.Thread(target=feed)
    writer.start()
    out = tmp_path / "out.jsonl"
    result = extract(fifo, "-o", out, "--progress")
    writer.join(timeout=30)
    assert result.exit_code == 0 and [r["note_id"] for r in out_records(out)] == [f"f{i}" for i in range(5)]


def test_progress_total_counts_rows_not_lines(tmp_path):
    path = tmp_path / "in.csv"
    text = PSO + "\n" * 30
    path.write_text("note_id,text\n" + "".join(f'{i},"{text}"\n' for i in range(40)))
    inputs = open_inputs([str(path)])
    for _ in inputs.records():
        pass
    assert inputs.estimate() == 40


# ------------------------------------------------------------------ privacy


@pytest.mark.parametrize("content", [
    "101,Patient Zebediah Quux had a Ponte osteotomy at L2-3\n102,Another note\n",
    "PREOPERATIVE DIAGNOSIS: Zebediah Quux flatback, severe\nThe patient was prone.\n",
])
def test_headerless_csv_never_echoes_note_text(tmp_path, content):
    path = tmp_path / "in.csv"
    path.write_text(content)
    for extra in ([], ["--text-col", "NOPE"], ["--keep-cols", "NOPE"]):
        result = CliRunner().invoke(main, ["extract", str(path), *extra])
        assert result.exit_code != 0
        assert "Zebediah" not in result.output and "Ponte" not in result.output and "flatback" not in result.output
        assert "in.csv" in result.output
