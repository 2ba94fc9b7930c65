"""Streaming readers for note exports: .txt files, folders of .txt files, CSV/TSV, JSONL and Parquet,
gzip-compressed or not, and stdin. Every input row becomes exactly one ``InputRecord``, in order;
a row that cannot be read becomes a record with a ``problem`` instead of being dropped.

CSV is read with the standard library's csv module, row by row: it keeps memory flat, gives an exact
row count, and lets a malformed row become an error record where pandas would drop or abort.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

ID_CANDIDATES = ("note_id", "noteid", "id", "note_key", "document_id", "doc_id", "report_id", "row_id")
TEXT_CANDIDATES = ("text", "note_text", "notetext", "note", "body", "report_text", "report", "content",
                   "document_text", "note_body")
FORMATS = ("txt", "csv", "tsv", "jsonl", "parquet")

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class InputError(ValueError):
    """A problem with the whole input (unknown format, no text column): the run cannot start."""


@dataclass
class InputRecord:
    row: int
    note_id: str | None
    text: str | bytes | None
    extra: dict[str, str] = field(default_factory=dict)
    problem: str | None = None


def detect_format(path: str) -> str:
    """Format from the file name (a trailing .gz is looked through)."""
    name = path.lower().removesuffix(".gz")
    for suffix, fmt in ((".txt", "txt"), (".csv", "csv"), (".tsv", "tsv"), (".tab", "tsv"), (".jsonl", "jsonl"),
                        (".ndjson", "jsonl"), (".json", "jsonl"), (".parquet", "parquet"), (".pq", "parquet")):
        if name.endswith(suffix):
            return fmt
    raise InputError(f"cannot tell the format of {path}; use --input-format with one of {', '.join(FORMATS)}")


def _open_binary(path: str):
    if path == "-":
        return sys.stdin.buffer
    raw = open(path, "rb")
    return gzip.open(raw) if path.lower().endswith(".gz") else raw


def _pick(columns: list[str], wanted: str | None, candidates: tuple[str, ...], what: str, source: str) -> str | None:
    if wanted:
        if wanted not in columns:
            raise InputError(f"{source}: no column {wanted!r}; columns are {columns}")
        return wanted
    lowered = {c.lower(): c for c in columns}
    found = next((lowered[c] for c in candidates if c in lowered), None)
    if found is None and what == "text":
        raise InputError(f"{source}: no text column found (tried {', '.join(candidates)}); "
                         f"use --text-col; columns are {columns}")
    return found


def _check_keep(columns: list[str], keep: Iterable[str], source: str) -> None:
    missing = [c for c in keep if c not in columns]
    if missing:
        raise InputError(f"{source}: --keep-cols not found: {missing}; columns are {columns}")


def _field(value: str) -> str | bytes:
    """A CSV field read with surrogateescape: bytes again if it was not valid UTF-8."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape")


def _read_delimited(path: str, delimiter: str, id_col, text_col, keep, start_row: int) -> Iterator[InputRecord]:
    stream = io.TextIOWrapper(_open_binary(path), encoding="utf-8", errors="surrogateescape", newline="")
    reader = csv.reader(stream, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    header = [h.strip().lstrip("\ufeff") for h in header]
    text_name = _pick(header, text_col, TEXT_CANDIDATES, "text", path)
    id_name = _pick(header, id_col, ID_CANDIDATES, "id", path)
    _check_keep(header, keep, path)
    index = {name: i for i, name in enumerate(header)}
    row = start_row
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield InputRecord(row, None, None, problem=f"malformed CSV row: {exc}")
            row += 1
            continue
        if len(values) != len(header):
            yield InputRecord(row, values[index[id_name]] if id_name and index[id_name] < len(values) else None,
                              None, problem=f"malformed row: {len(values)} fields, expected {len(header)}")
        else:
            yield InputRecord(row, values[index[id_name]] if id_name else None, _field(values[index[text_name]]),
                              {k: values[index[k]] for k in keep})
        row += 1


def _read_jsonl(path: str, id_col, text_col, keep, start_row: int) -> Iterator[InputRecord]:
    names: tuple[str | None, str | None] | None = None
    row = start_row
    for line in _open_binary(path):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise ValueError("not an object")
        except ValueError as exc:
            yield InputRecord(row, None, None, problem=f"malformed JSON line: {str(exc)[:80]}")
            row += 1
            continue
        if names is None:
            columns = list(obj)
            names = (_pick(columns, id_col, ID_CANDIDATES, "id", path), _pick(columns, text_col, TEXT_CANDIDATES,
                                                                              "text", path))
            _check_keep(columns, keep, path)
        id_name, text_name = names
        note_id = obj.get(id_name) if id_name else None
        text = obj.get(text_name)
        yield InputRecord(row, None if note_id is None else str(note_id),
                          text if isinstance(text, str) or text is None else str(text),
                          {k: "" if obj.get(k) is None else str(obj.get(k)) for k in keep},
                          None if text_name in obj else f"missing column {text_name!r}")
        row += 1


def _read_parquet(path: str, id_col, text_col, keep, start_row: int) -> Iterator[InputRecord]:
    # Parquet needs random access: stdin and gzip are read into memory first (documented limit).
    source = path if path != "-" and not path.lower().endswith(".gz") else io.BytesIO(_open_binary(path).read())
    parquet = pq.ParquetFile(source)
    columns = parquet.schema_arrow.names
    text_name = _pick(columns, text_col, TEXT_CANDIDATES, "text", path)
    id_name = _pick(columns, id_col, ID_CANDIDATES, "id", path)
    _check_keep(columns, keep, path)
    wanted = [c for c in dict.fromkeys([id_name, text_name, *keep]) if c]
    row = start_row
    for batch in parquet.iter_batches(batch_size=512, columns=wanted):
        for item in batch.to_pylist():
            note_id = item.get(id_name) if id_name else None
            text = item.get(text_name)
            yield InputRecord(row, None if note_id is None else str(note_id),
                              text if isinstance(text, (str, bytes)) or text is None else str(text),
                              {k: "" if item.get(k) is None else str(item.get(k)) for k in keep})
            row += 1


def _read_txt(path: Path, start_row: int) -> Iterator[InputRecord]:
    files = sorted(p for p in path.rglob("*.txt") if p.is_file()) if path.is_dir() else [path]
    for row, file in enumerate(files, start=start_row):
        try:
            yield InputRecord(row, file.stem, file.read_bytes())
        except OSError as exc:
            yield InputRecord(row, file.stem, None, problem=f"unreadable file: {exc.strerror}")


def read_inputs(paths: Iterable[str], input_format: str | None = None, id_col: str | None = None,
                text_col: str | None = None, keep_cols: Iterable[str] = ()) -> Iterator[InputRecord]:
    """All records of all inputs, in order, with a running row number across inputs."""
    keep = list(keep_cols)
    row = 0
    for path in paths:
        if path != "-" and Path(path).is_dir():
            fmt = "txt"
        elif input_format:
            fmt = input_format
        elif path == "-":
            raise InputError("reading stdin needs --input-format")
        else:
            fmt = detect_format(path)
        if fmt == "txt":
            if path == "-":
                records = iter([InputRecord(row, "stdin", sys.stdin.buffer.read())])
            else:
                records = _read_txt(Path(path), row)
        elif fmt in ("csv", "tsv"):
            records = _read_delimited(path, "," if fmt == "csv" else "\t", id_col, text_col, keep, row)
        elif fmt == "jsonl":
            records = _read_jsonl(path, id_col, text_col, keep, row)
        elif fmt == "parquet":
            records = _read_parquet(path, id_col, text_col, keep, row)
        else:
            raise InputError(f"unknown input format {fmt!r}; use one of {', '.join(FORMATS)}")
        for record in records:
            yield record
            row = record.row + 1


def estimate_total(paths: Iterable[str], input_format: str | None = None) -> int | None:
    """Roughly how many records the inputs hold, for a progress bar's ETA (None when it would cost
    a pass over compressed data or stdin). Counts lines, so CSV fields with line breaks overcount."""
    total = 0
    for path in paths:
        p = Path(path)
        if path == "-" or path.lower().endswith(".gz"):
            return None
        if p.is_dir():
            total += sum(1 for f in p.rglob("*.txt") if f.is_file())
            continue
        fmt = input_format or detect_format(path)
        if fmt == "parquet":
            total += pq.ParquetFile(path).metadata.num_rows
        elif fmt == "txt":
            total += 1
        else:
            with open(path, "rb") as fh:
                lines = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
            total += lines - (1 if fmt in ("csv", "tsv") else 0)
    return total

