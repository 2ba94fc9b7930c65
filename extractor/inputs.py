"""Streaming readers for note exports: .txt files (gzip too), folders of them, CSV/TSV, JSONL and
Parquet, gzip-compressed or not, and stdin or a pipe. Every input row becomes exactly one
``InputRecord``, in order; a row that cannot be read becomes a record with a ``problem`` instead of
being dropped.

``open_inputs`` opens every input and checks its columns before anything runs, so a bad second
input cannot end a run half-way. Each input is read once, as a stream (a pipe cannot be read
twice); the progress estimate comes from the bytes read so far. If an input fails mid-run (a
truncated .gz), its rows read so far are kept and ``Inputs.failure`` names the file and the cause.

CSV is read with the standard library's csv module in strict mode, row by row: memory stays flat, a
malformed row becomes an error record, and a stray quote cannot swallow the rows after it (see
``_DelimitedSource``). No message here ever quotes a value that could be note text.
"""
from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
import re
import stat
import sys
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .decoding import bom_encoding, decode_bytes, escaped_field, writable
from .flags import Flag

ID_CANDIDATES = ("note_id", "noteid", "id", "note_key", "document_id", "doc_id", "report_id", "row_id")
TEXT_CANDIDATES = ("text", "note_text", "notetext", "note", "body", "report_text", "report", "content",
                   "document_text", "note_body", "transcription", "transcript", "dictation", "note_content")
_INDEX_COLUMN = re.compile(r"(?:unnamed: ?0|index|__index_level_0__|)", re.IGNORECASE)  # how pandas names the index it writes
FORMATS = ("txt", "csv", "tsv", "jsonl", "parquet")
NOTE_SUFFIXES = (".txt", ".text", ".txt.gz", ".text.gz")
JSONL_LOOKAHEAD = 1000  # objects whose keys are checked before the run (Spark drops null fields)

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class InputError(ValueError):
    """A problem with a whole input, found before the run starts: the run cannot start."""


@dataclass
class InputRecord:
    row: int
    note_id: str | None
    text: str | bytes | None
    extra: dict[str, str] = field(default_factory=dict)
    problem: str | None = None
    flags: list[str] = field(default_factory=list)


def detect_format(path: str) -> str:
    """Format from the file name (a trailing .gz is looked through)."""
    name = path.lower().removesuffix(".gz")
    for suffix, fmt in ((".txt", "txt"), (".text", "txt"), (".csv", "csv"), (".tsv", "tsv"), (".tab", "tsv"),
                        (".jsonl", "jsonl"), (".ndjson", "jsonl"), (".json", "jsonl"), (".parquet", "parquet"),
                        (".pq", "parquet")):
        if name.endswith(suffix):
            return fmt
    raise InputError(f"{path}: cannot tell the format from the name; use --input-format with one of "
                     f"{', '.join(FORMATS)}")


# --------------------------------------------------------------------------- column names, safely

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_ .\-/#()]{0,39}")


def _looks_like_name(value: str) -> bool:
    return bool(_NAME.fullmatch(value)) and len(value.split()) <= 3


def describe_columns(columns: list[str]) -> str:
    """The columns for an error message, unless the first row does not look like a header (then it
    may be note text, which never goes into a message)."""
    if columns and all(_looks_like_name(c) for c in columns):
        shown = columns[:30]
        return f"columns are {shown}" + (f" and {len(columns) - 30} more" if len(columns) > 30 else "")
    return (f"the first row ({len(columns)} values) does not look like a header row, so its values are not "
            f"shown; the file needs a header row naming its columns")


def _pick(columns: list[str], wanted: str | None, candidates: tuple[str, ...], what: str, source: str,
          required: bool) -> str | None:
    """The column holding the ``what`` (id or text): the one asked for, else the first candidate, else
    (for the id) an unnamed first column, the index pandas writes."""
    if wanted:
        count = columns.count(wanted)
        if count == 0:
            raise InputError(f"{source}: no column {wanted!r} (--{what}-col); {describe_columns(columns)}")
        if count > 1:
            raise InputError(f"{source}: column {wanted!r} appears {count} times")
        return wanted
    for candidate in candidates:
        matches = [c for c in columns if c.strip().lower() == candidate]
        if len(matches) > 1:
            raise InputError(f"{source}: columns {matches} could each be the note {what}; "
                             f"choose one with --{what}-col")
        if matches:
            return matches[0]
    if what == "id" and columns and _INDEX_COLUMN.fullmatch(columns[0].strip()) and columns.count(columns[0]) == 1:
        return columns[0]  # the unnamed first column of a table pandas wrote with its index
    if required:
        raise InputError(f"{source}: no text column found (tried {', '.join(candidates)}); use --text-col; "
                         f"{describe_columns(columns)}")
    return None


def _check_keep(columns: list[str], keep: Iterable[str], source: str) -> None:
    missing = [c for c in keep if c not in columns]
    if missing:
        raise InputError(f"{source}: --keep-cols not found: {missing}; {describe_columns(columns)}")
    doubled = [c for c in keep if columns.count(c) > 1]
    if doubled:
        raise InputError(f"{source}: --keep-cols {doubled} appear more than once")


def _json_value(value) -> str:
    """A kept or id value as text: strings as they are, anything else as compact JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


_JSON_TYPES = {dict: "an object", list: "an array", bool: "a boolean", int: "a number", float: "a number"}


# --------------------------------------------------------------------------- sources


class _Source:
    """One input. ``rows()`` yields ``(note_id, text, extra, problem, flags)`` tuples."""

    exact_total: int | None = None

    def __init__(self, path: str):
        self.path = path
        self.rows_read = 0
        self.done = False
        self._raw = None  # the underlying file, for the position in bytes
        self._size: int | None = None
        self._size_known = False

    def size(self) -> int | None:
        """Bytes of a regular file (None for a pipe or stdin); taken once, while the file is open, or from
        its path when a text decoder wrapped around it (a BOM-marked JSONL) closed it on being released."""
        if not self._size_known and self._raw is not None:
            self._size_known = True
            if self.path != "-":
                info = os.stat(self.path) if self._raw.closed else os.fstat(self._raw.fileno())
                self._size = info.st_size if stat.S_ISREG(info.st_mode) else None
        return self._size

    def position(self) -> int | None:
        try:
            return self._raw.tell() if self._raw is not None else None
        except (OSError, ValueError):
            return None

    def fingerprint(self) -> dict:
        """What --resume compares: a changed input makes the rows done meaningless."""
        if self.path == "-":
            return {"path": "-", "stream": True}
        info = os.stat(self.path)
        if not stat.S_ISREG(info.st_mode):
            return {"path": os.path.abspath(self.path), "stream": True}
        return {"path": os.path.abspath(self.path), "size": info.st_size, "mtime_ns": info.st_mtime_ns}

    def rows(self) -> Iterator[tuple]:
        raise NotImplementedError

    def close(self) -> None:
        if self._raw is not None and self._raw is not getattr(sys.stdin, "buffer", None):
            self.size()
            self._raw.close()


def _open_binary(path: str):
    """(stream to read, underlying file): stdin, a plain file, or a gzip stream over one."""
    if path == "-":
        return sys.stdin.buffer, sys.stdin.buffer
    raw = open(path, "rb")
    return (gzip.GzipFile(fileobj=raw) if path.lower().endswith(".gz") else raw), raw


class _LineFeed:
    """Feeds text lines to csv.reader, keeps the lines of the current record, and takes lines back
    to be read again."""

    def __init__(self, stream):
        self.stream = stream
        self.pending: deque[str] = deque()
        self.taken: list[str] = []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.pending.popleft() if self.pending else next(self.stream)
        self.taken.append(line)
        return line

    def give_back(self, lines: list[str]) -> None:
        self.pending.extendleft(reversed(lines))


def _shape(value: str) -> str:
    """The character classes of an id ('n12' -> 'a9'): swallowed rows start with an id of the same shape."""
    return re.sub(r"[A-Z]+", "A", re.sub(r"[a-z]+", "a", re.sub(r"[0-9]+", "9", value)))


class _DelimitedSource(_Source):
    """CSV/TSV. A stray quote at the start of a field makes a CSV reader run on through the
    following rows until the next quote. It is detected when strict parsing fails (a quote followed
    by a character other than a delimiter, or the end of the file inside quotes), or when every line
    a multi-line field holds looks like a row of the file (the right number of fields, an id of the
    same shape). The record's first line then becomes an error record and the other lines are read
    again as rows."""

    def __init__(self, path: str, delimiter: str, id_col, text_col, keep: list[str]):
        super().__init__(path)
        stream, self._raw = _open_binary(path)
        head = stream.peek(4)[:4] if hasattr(stream, "peek") else b""
        codec = bom_encoding(head)
        if head.startswith(b"\xef\xbb\xbf"):
            stream.read(3)
        self.escaped = codec is None
        text = io.TextIOWrapper(stream, encoding=codec or "utf-8", errors="surrogateescape" if codec is None
                                else "replace", newline="")
        self.delimiter = delimiter
        self.feed = _LineFeed(text)
        self.reader = csv.reader(self.feed, delimiter=delimiter, strict=True)
        self.header = self._header()
        columns = self.header
        self.text_name = _pick(columns, text_col, TEXT_CANDIDATES, "text", path, required=bool(columns))
        self.id_name = _pick(columns, id_col, ID_CANDIDATES, "id", path, required=False)
        _check_keep(columns, keep, path)
        self.index = {name: i for i, name in enumerate(columns)}
        self.keep = keep

    def _header(self) -> list[str]:
        while True:
            try:
                values = next(self.reader)
            except StopIteration:
                return []
            except csv.Error as exc:
                raise InputError(f"{self.path}: cannot read the header row ({exc})") from None
            if values:
                return [self._text(h.strip())[0] for h in values]

    def rows(self) -> Iterator[tuple]:
        if not self.header:
            return
        while True:
            self.feed.taken = []
            try:
                values = next(self.reader)
            except StopIteration:
                return
            except csv.Error as exc:
                quote = "expected after" in str(exc) or "end of data" in str(exc)
                yield self._recover("malformed CSV row: unbalanced quote" if quote else f"malformed CSV row: {exc}")
                continue
            if not values:
                continue  # a blank line (pandas skips these too)
            if len(self.feed.taken) > 1 and self._swallowed(values):
                yield self._recover("malformed CSV row: unbalanced quote")
                continue
            yield self._row(values)

    def _recover(self, problem: str) -> tuple:
        """An error record for the record's first line and the lines after it up to the next line
        that looks like a row; those are read again."""
        first, rest = self.feed.taken[0], self.feed.taken[1:]
        values = next(csv.reader([first], delimiter=self.delimiter), [])
        position = self.index.get(self.id_name) if self.id_name is not None else None
        note_id = self._text(values[position])[0] if position is not None and position < len(values) else None
        shape = _shape(note_id) if note_id is not None else None
        again = next((i for i, line in enumerate(rest) if self._row_like(line, shape)), len(rest))
        self.feed.give_back(rest[again:])
        if rest[again:]:
            problem += f" (the {len(rest) - again} line(s) after it were read again as rows)"
        return note_id, None, {}, problem, []

    def _row_like(self, line: str, shape: str | None) -> bool:
        """Does ``line`` alone parse as a row of this file (and start with an id of ``shape``)?"""
        if len(self.header) < 2:
            return False
        fields = next(csv.reader([line.rstrip("\r\n")], delimiter=self.delimiter), [])
        if len(fields) != len(self.header):
            return False
        return shape is None or self.id_name is None or _shape(fields[self.index[self.id_name]]) == shape

    def _swallowed(self, values: list[str]) -> bool:
        """Is every line after the first of this multi-line record a row of the file?"""
        if self.id_name is None or len(self.header) < 2:
            return False
        position = self.index[self.id_name]
        shape = _shape(values[position]) if position < len(values) else None
        return all(self._row_like(line, shape) for line in self.feed.taken[1:])

    def _text(self, value: str) -> tuple[str, bool]:
        """A field as text (undecodable bytes decoded as cp1252), and whether it had such bytes."""
        field_value, escaped = escaped_field(value) if self.escaped else (value, False)
        return (decode_bytes(field_value)[0], True) if escaped else (field_value, False)

    def _row(self, values: list[str]) -> tuple:
        note_id, bad_id = (self._text(values[self.index[self.id_name]]) if self.id_name is not None
                           and self.index[self.id_name] < len(values) else (None, False))
        if len(values) != len(self.header):
            return note_id, None, {}, f"malformed row: {len(values)} fields, expected {len(self.header)}", []
        text = values[self.index[self.text_name]]
        if self.escaped:
            text = escaped_field(text)[0]  # bytes when not UTF-8: the pipeline decodes and flags them
        extra, bad_extra = {}, False
        for k in self.keep:
            extra[k], bad = self._text(values[self.index[k]])
            bad_extra |= bad
        return note_id, text, extra, None, [Flag.non_utf8_field] if bad_id or bad_extra else []


class _JsonlSource(_Source):
    """JSON lines. Columns are looked up in each object: Spark's JSON writer leaves out null fields,
    so the first object need not have them all."""

    def __init__(self, path: str, id_col, text_col, keep: list[str]):
        super().__init__(path)
        stream, self._raw = _open_binary(path)
        head = stream.peek(4)[:4] if hasattr(stream, "peek") else b""
        codec = bom_encoding(head)
        self.lines = (line.encode("utf-8") for line in io.TextIOWrapper(stream, encoding=codec, errors="replace")
                      ) if codec else iter(stream)
        self.id_col, self.text_col, self.keep = id_col, text_col, keep
        self.buffer: deque[bytes] = deque()
        self.read_error: BaseException | None = None  # met while reading ahead: raised when reached
        self._check_keys()

    def _check_keys(self) -> None:
        """Read ahead (kept, not re-read) and check that the columns asked for occur at all."""
        keys: set[str] = set()
        parsed = 0
        while True:
            try:
                line = next(self.lines, None)
            except (OSError, EOFError, zlib.error, UnicodeError) as exc:
                self.read_error = exc
                break
            if line is None:
                break
            self.buffer.append(line)
            obj = self._parse(line)[0]
            if isinstance(obj, dict):
                keys.update(obj)
                parsed += 1
            if parsed >= JSONL_LOOKAHEAD:
                break
        if not parsed:
            return
        where = f"in the first {parsed} objects" if parsed == JSONL_LOOKAHEAD else "in any object"
        for what, wanted in (("id", self.id_col), ("text", self.text_col)):
            if wanted and wanted not in keys:
                raise InputError(f"{self.path}: no key {wanted!r} (--{what}-col) {where}")
        if not self.text_col and not any(k.lower() in TEXT_CANDIDATES for k in keys):
            raise InputError(f"{self.path}: no text key {where} (tried {', '.join(TEXT_CANDIDATES)}); "
                             f"use --text-col")
        missing = [k for k in self.keep if k not in keys]
        if missing:
            raise InputError(f"{self.path}: --keep-cols not found {where}: {missing}")

    @staticmethod
    def _parse(line: bytes) -> tuple[object, list[str], str | None]:
        text, flags = decode_bytes(line)
        try:
            return json.loads(text), flags, None
        except json.JSONDecodeError as exc:
            return None, flags, f"malformed JSON line: {exc.msg} (column {exc.colno})"
        except RecursionError:
            return None, flags, "malformed JSON line: nested too deeply"

    def _key(self, obj: dict, wanted: str | None, candidates: tuple[str, ...]) -> str | None:
        if wanted:
            return wanted
        lowered = {k.lower(): k for k in obj if isinstance(k, str)}
        return next((lowered[c] for c in candidates if c in lowered), None)

    def rows(self) -> Iterator[tuple]:
        while True:
            if not self.buffer and self.read_error:
                raise self.read_error
            line = self.buffer.popleft() if self.buffer else next(self.lines, None)
            if line is None:
                return
            if line.strip():
                yield self._row(line)

    def _row(self, line: bytes) -> tuple:
        obj, flags, problem = self._parse(line)
        if problem is None and not isinstance(obj, dict):
            problem = "malformed JSON line: not an object"
        if problem:
            return None, None, {}, problem, flags
        raw_id = obj.get(self._key(obj, self.id_col, ID_CANDIDATES))
        note_id, bad_id = writable(_json_value(raw_id)) if raw_id is not None else (None, False)
        extra, bad_extra = {}, False
        for k in self.keep:
            extra[k], bad = writable("" if obj.get(k) is None else _json_value(obj.get(k)))
            bad_extra |= bad
        flags = flags + ([Flag.non_utf8_field] if bad_id or bad_extra else [])
        text = obj.get(self._key(obj, self.text_col, TEXT_CANDIDATES))
        if text is not None and not isinstance(text, str):
            kind = _JSON_TYPES.get(type(text), "a value")
            return note_id, None, extra, f"note text is not a string (got {kind})", flags
        if isinstance(text, str):
            text, bad_text = writable(text)
            flags += [Flag.non_utf8_input] if bad_text and Flag.non_utf8_input not in flags else []
        return note_id, text, extra, None, flags


class _ParquetSource(_Source):
    """Parquet, read in record batches. Parquet needs random access: stdin and gzip are read into
    memory first (a documented limit)."""

    def __init__(self, path: str, id_col, text_col, keep: list[str]):
        super().__init__(path)
        try:
            if path == "-" or path.lower().endswith(".gz"):
                stream, raw = _open_binary(path)
                source = io.BytesIO(stream.read())
                if raw is not sys.stdin.buffer:
                    raw.close()
            else:
                source = self._raw = open(path, "rb")
            self.file = pq.ParquetFile(source)
        except (OSError, EOFError, zlib.error, pa.ArrowException) as exc:
            raise InputError(f"{path}: not a readable Parquet file ({failure_cause(exc)})") from None
        columns = self.file.schema_arrow.names
        self.text_name = _pick(columns, text_col, TEXT_CANDIDATES, "text", path, required=True)
        self.id_name = _pick(columns, id_col, ID_CANDIDATES, "id", path, required=False)
        _check_keep(columns, keep, path)
        self.keep = keep
        self.exact_total = self.file.metadata.num_rows

    def rows(self) -> Iterator[tuple]:
        wanted = [c for c in dict.fromkeys([self.id_name, self.text_name, *self.keep]) if c]
        for batch in self.file.iter_batches(batch_size=512, columns=wanted):
            for item in batch.to_pylist():
                yield self._row(item)

    def _row(self, item: dict) -> tuple:
        raw_id = item.get(self.id_name) if self.id_name else None
        note_id, bad_id = writable(_json_value(raw_id) if not isinstance(raw_id, bytes) else
                                   decode_bytes(raw_id)[0]) if raw_id is not None else (None, False)
        extra, bad_extra = {}, False
        for k in self.keep:
            value = item.get(k)
            extra[k], bad = writable("" if value is None else decode_bytes(value)[0] if isinstance(value, bytes)
                                     else _json_value(value) if not isinstance(value, str) else value)
            bad_extra |= bad
        flags = [Flag.non_utf8_field] if bad_id or bad_extra else []
        text = item.get(self.text_name)
        if text is not None and not isinstance(text, (str, bytes)):
            return note_id, None, extra, f"note text is not a string (got {type(text).__name__})", flags
        if isinstance(text, str):
            text, bad_text = writable(text)
            flags += [Flag.non_utf8_input] if bad_text else []
        return note_id, text, extra, None, flags


def _note_name(name: str) -> str | None:
    """The note id of a note file name (``a.TXT`` -> ``a``), or None for other files."""
    low = name.lower()
    suffix = next((s for s in NOTE_SUFFIXES if low.endswith(s)), None)
    return name[: -len(suffix)] if suffix and len(name) > len(suffix) else None


class _TextSource(_Source):
    """One note file, or a folder of them read recursively in name order. Hidden files and folders
    are left out; an unreadable folder, a dangling or looping symlink become error records."""

    def __init__(self, path: str):
        super().__init__(path)
        if path == "-":
            self.entries = [("stdin", "-", None)]
        elif os.path.isdir(path):
            self.entries = list(self._walk(path, "", set()))
        else:
            self.entries = [(_note_name(Path(path).name) or Path(path).stem, path, None)]
        self.exact_total = len(self.entries)

    def _walk(self, folder: str, relative: str, seen: set) -> Iterator[tuple[str, str, str | None]]:
        real = os.path.realpath(folder)
        if real in seen:
            yield relative or folder, folder, "unreadable folder: symlink loop"
            return
        seen.add(real)
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield relative or folder, folder, f"unreadable folder: {exc.strerror or type(exc).__name__}"
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            inner = f"{relative}/{entry.name}" if relative else entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                yield from self._walk(entry.path, inner, seen)
            elif (name := _note_name(entry.name)) is not None:
                yield name, entry.path, None

    def fingerprint(self) -> dict:
        if self.path == "-" or not os.path.isdir(self.path):
            return super().fingerprint()
        digest = hashlib.blake2b(digest_size=16)
        for _, file, _ in self.entries:
            try:
                info = os.stat(file)
                digest.update(f"{file}\0{info.st_size}\0{info.st_mtime_ns}\n".encode("utf-8", "surrogateescape"))
            except OSError:
                digest.update(f"{file}\0-\n".encode("utf-8", "surrogateescape"))
        return {"path": os.path.abspath(self.path), "files": len(self.entries), "digest": digest.hexdigest()}

    def rows(self) -> Iterator[tuple]:
        for note_id, file, problem in self.entries:
            if problem:
                yield note_id, None, {}, problem, []
                continue
            try:
                yield note_id, self._read(file), {}, None, []
            except (OSError, EOFError, zlib.error) as exc:
                yield note_id, None, {}, f"unreadable file: {failure_cause(exc)}", []

    @staticmethod
    def _read(file: str) -> bytes:
        if file == "-":
            return sys.stdin.buffer.read()
        with open(file, "rb") as fh:
            data = fh.read()
        return gzip.decompress(data) if file.lower().endswith(".gz") else data


def failure_cause(exc: BaseException) -> str:
    """A short cause for a message: never the data (gzip's errors may quote bytes)."""
    if isinstance(exc, EOFError):
        return "truncated compressed file (it ends before its end-of-stream marker)"
    if isinstance(exc, gzip.BadGzipFile):
        return "not a gzip file"
    if isinstance(exc, zlib.error):
        return "corrupt compressed data"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return f"{type(exc).__name__}: {str(exc)[:120]}"


# --------------------------------------------------------------------------- all inputs


class Inputs:
    """The opened inputs: their records with a running row number, a progress estimate, and the
    failure of an input that broke mid-run."""

    def __init__(self, sources: list[_Source]):
        self.sources = sources
        self.failure: str | None = None

    def records(self) -> Iterator[InputRecord]:
        row = 0
        for source in self.sources:
            items = source.rows()
            while True:
                try:
                    item = next(items)
                except StopIteration:
                    break
                except (OSError, EOFError, zlib.error, csv.Error, pa.ArrowException, UnicodeError) as exc:
                    self.failure = (f"{source.path}: {failure_cause(exc)}; stopped after row {row - 1} "
                                    f"({source.rows_read} rows of this input were read)")
                    source.done = True
                    return
                note_id, text, extra, problem, flags = item
                source.rows_read += 1
                yield InputRecord(row, note_id, text, extra, problem, flags)
                row += 1
            source.done = True
            source.close()

    def estimate(self) -> int | None:
        """Roughly how many records the inputs hold (for a progress bar's ETA): exact for folders and
        Parquet, extrapolated from the bytes read so far for the others; None for a pipe."""
        total, rows_seen, bytes_seen, unknown = 0, 0, 0, []
        for source in self.sources:
            if source.exact_total is not None:
                total += source.exact_total
                continue
            size, position = source.size(), source.position()
            if size is None:
                return None
            if source.done:
                total += source.rows_read
            elif source.rows_read and position:
                total += max(source.rows_read, round(source.rows_read * size / position))
            else:
                unknown.append(size)
                continue
            rows_seen, bytes_seen = rows_seen + source.rows_read, bytes_seen + (position or size)
        if unknown and not rows_seen:
            return None
        return total + sum(round(size * rows_seen / bytes_seen) for size in unknown)

    def fingerprints(self) -> list[dict]:
        return [source.fingerprint() for source in self.sources]

    def close(self) -> None:
        for source in self.sources:
            source.close()


def open_inputs(paths: Iterable[str], input_format: str | None = None, id_col: str | None = None,
                text_col: str | None = None, keep_cols: Iterable[str] = ()) -> Inputs:
    """Open every input and check its columns; raises ``InputError`` naming the file and the cause."""
    keep = list(keep_cols)
    sources: list[_Source] = []
    try:
        for path in paths:
            sources.append(_open_source(path, input_format, id_col, text_col, keep))
    except BaseException:
        for source in sources:
            source.close()
        raise
    return Inputs(sources)


def _open_source(path: str, input_format, id_col, text_col, keep: list[str]) -> _Source:
    if path != "-" and not os.path.exists(path):
        raise InputError(f"{path}: no such file or folder")
    if path != "-" and os.path.isdir(path):
        fmt = "txt"
    elif input_format:
        fmt = input_format
    elif path == "-":
        raise InputError("reading stdin needs --input-format")
    else:
        fmt = detect_format(path)
    try:
        if fmt == "txt":
            return _TextSource(path)
        if fmt in ("csv", "tsv"):
            return _DelimitedSource(path, "," if fmt == "csv" else "\t", id_col, text_col, keep)
        if fmt == "jsonl":
            return _JsonlSource(path, id_col, text_col, keep)
        if fmt == "parquet":
            return _ParquetSource(path, id_col, text_col, keep)
    except (OSError, EOFError, zlib.error, UnicodeError) as exc:
        raise InputError(f"{path}: cannot read: {failure_cause(exc)}") from None
    raise InputError(f"{path}: unknown input format {fmt!r}; use one of {', '.join(FORMATS)}")


def read_inputs(paths: Iterable[str], input_format: str | None = None, id_col: str | None = None,
                text_col: str | None = None, keep_cols: Iterable[str] = ()) -> Iterator[InputRecord]:
    """Every record of every input, in order, for callers that need no progress or resume (the
    review loader). Raises ``InputError`` for a whole-input problem, also one met mid-way."""
    inputs = open_inputs(paths, input_format, id_col, text_col, keep_cols)
    try:
        yield from inputs.records()
    finally:
        inputs.close()
    if inputs.failure:
        raise InputError(inputs.failure)
