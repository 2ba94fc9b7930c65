"""Contracts that must hold for any input (property-based, with hypothesis)."""
import csv
import io
import json
import logging
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from extractor.cli import main
from extractor.decoding import bom_encoding
from extractor.inputs import open_inputs

SNIPPETS = ["DESCRIPTION OF PROCEDURE:", "PROCEDURES:", "A pedicle subtraction osteotomy was performed at L3.",
            "Ponte osteotomies at T10-11, T11-12", "no osteotomy", "pedicle screws T10-L2", "local autograft",
            "planned VCR at T8", "<p>", "&nbsp;", "{\\rtf1 ", "\\par", "L1-", "<!--", "-->", "\r", "\n", "\r\n",
            "\u2028", "\x00", "\ufeff", "é", "\ud800", "  ", ".", ",", ";", "1.", "T12-L1", "S2AI", "iliac"]
TEXT = st.lists(st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=30)), max_size=40).map("".join)
MARK = "Zebediahquux"
QUIET = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])


@QUIET
@given(TEXT)
def test_any_text_gives_one_valid_deterministic_record(ex, caplog, text):
    caplog.set_level(logging.DEBUG)
    first = ex.extract(text, "p")
    assert first["status"] in ("ok", "error", "skipped")
    safe = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace") if text else text
    for s in first["suggestions"]:
        for e in s["evidence"]:
            assert 0 <= e["start"] <= e["end"] <= len(text) and text[e["start"]:e["end"]] == e["text"]
    assert ex.extract(text, "p") == first
    marked = ex.extract(f"{MARK} {safe} {MARK}", "p")
    assert MARK not in json.dumps([marked["error"], caplog.text])


IDS = st.from_regex(r"id-[0-9]{1,4}", fullmatch=True)
FIELD = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="-\x00"), max_size=60)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(IDS, FIELD, FIELD), max_size=8), st.sampled_from([",", "\t"]),
       st.sampled_from(["\n", "\r\n"]))
def test_well_formed_delimited_files_give_one_record_per_row(rows, delimiter, newline):
    # csv.writer only quotes a CR when it is part of the line terminator
    assume(newline == "\r\n" or not any("\r" in value for row in rows for value in row))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("in.csv" if delimiter == "," else "in.tsv")
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, delimiter=delimiter, lineterminator=newline)
            writer.writerow(["note_id", "text", "other"])
            writer.writerows(rows)
        inputs = open_inputs([str(path)], keep_cols=["other"])
        found = [(r.note_id, r.text, r.extra["other"], r.problem) for r in inputs.records()]
    assert found == [(i, t, o, None) for i, t, o in rows]


def _jsonl_lines(raw: bytes) -> list[bytes]:
    """The non-blank lines of a JSONL file as the reader splits it: bytes on "\\n", or, after a UTF-16/32
    byte-order mark, the decoded text on any line ending (the mark itself is no line)."""
    codec = bom_encoding(raw[:4])
    if codec:
        text = raw.decode(codec, "replace").replace("\r\n", "\n").replace("\r", "\n")
        return [line.encode() for line in text.split("\n") if line.encode().strip()]
    return [line for line in raw.split(b"\n") if line.strip()]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["csv", "tsv", "jsonl"]))
@example(b"\xfe\xff", "jsonl")  # a UTF-16 BOM alone: its decoder closed the file before its size was taken
def test_any_bytes_never_raise_and_rows_are_contiguous(data, fmt):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"in.{fmt}"
        header = b"note_id,text\n" if fmt == "csv" else b"note_id\ttext\n" if fmt == "tsv" else b""
        path.write_bytes(header + data)
        records = list(open_inputs([str(path)], text_col="text").records())
    assert [r.row for r in records] == list(range(len(records)))
    for r in records:
        assert r.problem or r.text is not None or fmt == "jsonl"
    if fmt == "jsonl":
        assert len(records) == len(_jsonl_lines(header + data))
    else:
        text = (header + data).decode("utf-8", "surrogateescape")
        try:
            rows = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter="," if fmt == "csv" else "\t",
                                          strict=True) if r]
        except csv.Error:
            return  # malformed: error records instead, checked above
        assert len(records) >= len(rows) - 1


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=1, max_value=5), st.sampled_from(["jsonl", "csv", "parquet"]),
       st.binary(max_size=30), st.integers(min_value=2, max_value=7))
def test_interrupted_run_plus_resume_equals_an_uninterrupted_run(stop_at, fmt, tail, batch):
    from extractor.outputs import WRITERS

    notes = ["DESCRIPTION OF PROCEDURE:\nA PSO was performed at L3.", "Seen for hypertension.", "",
             "Ponte osteotomies at T10-11 and T11-12 with pedicle screws T10-L2."]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        src.write_text("".join(json.dumps({"note_id": f"n{i}", "text": notes[i % 4]}) + "\n" for i in range(20)))
        full, out = Path(tmp) / f"full.{fmt}", Path(tmp) / f"out.{fmt}"
        args = ["extract", str(src), "--workers", "1", "--batch-size", str(batch)]
        assert CliRunner().invoke(main, args + ["-o", str(full)]).exit_code == 0
        writer = WRITERS[fmt]
        real, calls = writer.write, {"n": 0}

        def write(self, records):
            calls["n"] += 1
            if calls["n"] == stop_at:
                raise KeyboardInterrupt
            real(self, records)

        writer.write = write
        try:
            first = CliRunner().invoke(main, args + ["-o", str(out)])
        finally:
            writer.write = real
        if first.exit_code == 130 and fmt != "parquet":
            with open(out, "ab") as fh:
                fh.write(tail)  # what a killed process may leave behind
        resumed = CliRunner().invoke(main, args + ["-o", str(out), "--resume"])
        assert resumed.exit_code == 0, resumed.output
        assert _content(out, fmt) == _content(full, fmt)


def _content(path: Path, fmt: str):
    if fmt != "parquet":
        return path.read_bytes()
    import pandas as pd

    return pd.read_parquet(path).to_json(orient="records")


@QUIET
@given(TEXT)
def test_the_pipeline_tokenizes_as_spacys_english_tokenizer(ex, text):
    """The pipeline's tokenizer matches whitespace runs whole (speed); the tokens must be spaCy's own,
    on raw text and on the text view (whose masked sentences are runs of spaces)."""
    import spacy

    english = spacy.blank("en").tokenizer
    text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")  # as the extractor decodes it
    for sample in (text, ex.view(text).view):
        ours = ex.nlp.make_doc(sample)
        assert [(t.idx, t.text, t.whitespace_, t.norm_) for t in ours] == [
            (t.idx, t.text, t.whitespace_, t.norm_) for t in english(sample)]
