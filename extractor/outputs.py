"""Streaming writers (JSONL, CSV, Parquet) and the checkpoint that lets an interrupted run resume.

Records are written in input order, one batch at a time. After each batch the checkpoint, a sidecar
file next to the output (``OUT.resume.json``), records the input rows done and the output's size
(or part count). Resuming cuts the output back to that position, which drops whatever a killed run
wrote after it, and skips the rows done: nothing is re-parsed from the output, so no value in it (a
line break in an id, say) can mislead the resume. JSONL holds whole records; CSV and Parquet hold
one flattened row per suggestion (a note without suggestions still gets one row).
"""
from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

OUTPUT_FORMATS = ("jsonl", "csv", "parquet")
FLAT_COLUMNS = ("row", "note_id", "status", "error", "code", "units", "family", "label", "confidence", "flags",
                "note_flags", "evidence")


class OutputError(Exception):
    """The output cannot be written (a missing folder, a full disk...): the message names the file."""


OUTPUT_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".parquet": "parquet",
                   ".pq": "parquet"}


def detect_output_format(path: str | None) -> str:
    """The format told by -o's name: JSONL for stdout; an unknown or compressed name is refused
    rather than silently written as JSONL."""
    if not path or path == "-":
        return "jsonl"
    suffix = Path(path.rstrip("/")).suffix.lower()
    if suffix in OUTPUT_SUFFIXES:
        return OUTPUT_SUFFIXES[suffix]
    known = ", ".join(OUTPUT_SUFFIXES)
    raise OutputError(f"{path}: cannot tell the output format from the name (known: {known}; compressed "
                      f"output is not written, compress the result afterwards); use --output-format")


def _cause(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def flatten(record: dict, keep_cols: list[str]) -> list[dict]:
    """One row per suggestion; flags as ';'-joined ids; evidence as JSON [[start, end, rule], ...]."""
    base = {"row": record["row"], "note_id": record["note_id"], "status": record["status"],
            "error": record["error"], "note_flags": ";".join(f["id"] for f in record["flags"])}
    extra = {k: record.get("extra", {}).get(k, "") for k in keep_cols}
    rows = [{**base, "code": s["code"], "units": s["units"], "family": s["family"], "label": s["label"],
             "confidence": s["confidence"], "flags": ";".join(f["id"] for f in s["flags"]),
             "evidence": json.dumps([[e["start"], e["end"], e["rule"]] for e in s["evidence"]]), **extra}
            for s in record["suggestions"]]
    empty = {"code": None, "units": None, "family": None, "label": None, "confidence": None, "flags": "",
             "evidence": "[]"}
    return rows or [{**base, **empty, **extra}]


class _StreamWriter:
    """Appends to a file (kept for --resume), or writes to stdout without -o. Its position is the
    file's size after the last complete batch, which a checkpoint records."""

    def __init__(self, path: str | None, newline: str | None = None):
        self.to_stdout = not path or path == "-"
        self.path = path or "-"
        try:
            self.fh = sys.stdout if self.to_stdout else open(path, "a", encoding="utf-8", newline=newline)
        except OSError as exc:
            raise OutputError(f"{path}: cannot write: {_cause(exc)}") from None

    def _flush(self) -> None:
        try:
            self.fh.flush()
        except OSError as exc:
            raise OutputError(f"{self.path}: cannot write: {_cause(exc)}") from None

    def position(self) -> int:
        return 0 if self.to_stdout else self.fh.tell()

    @staticmethod
    def written(path: str) -> int:
        """The position of an existing output (its size)."""
        return os.path.getsize(path) if os.path.exists(path) else 0

    @staticmethod
    def truncate(path: str, position: int) -> None:
        """Cut what a killed run wrote after its last checkpoint."""
        with open(path, "rb+") as fh:
            fh.truncate(position)

    def close(self) -> None:
        if not self.to_stdout:
            try:
                self.fh.close()
            except OSError as exc:
                raise OutputError(f"{self.path}: cannot write: {_cause(exc)}") from None


class JsonlWriter(_StreamWriter):
    def __init__(self, path: str | None, keep_cols: list[str]):
        super().__init__(path)

    def write(self, records: list[dict]) -> None:
        try:
            self.fh.write("".join(json.dumps(r, ensure_ascii=False, allow_nan=False) + "\n" for r in records))
        except OSError as exc:
            raise OutputError(f"{self.path}: cannot write: {_cause(exc)}") from None
        self._flush()


class CsvWriter(_StreamWriter):
    def __init__(self, path: str | None, keep_cols: list[str]):
        new = not path or path == "-" or not os.path.exists(path) or os.path.getsize(path) == 0
        super().__init__(path, newline="")
        self.keep_cols = keep_cols
        self.writer = csv.DictWriter(self.fh, fieldnames=list(FLAT_COLUMNS) + keep_cols)
        if new:
            self._guard(self.writer.writeheader)

    def _guard(self, action, *args) -> None:
        try:
            action(*args)
        except OSError as exc:
            raise OutputError(f"{self.path}: cannot write: {_cause(exc)}") from None

    def write(self, records: list[dict]) -> None:
        for record in records:
            self._guard(self.writer.writerows, flatten(record, self.keep_cols))
        self._flush()


class ParquetWriter:
    """A directory of part files, each written to a temporary name and renamed when complete, so an
    interrupted run never leaves a broken file."""

    def __init__(self, path: str, keep_cols: list[str]):
        if not path or path == "-":
            raise OutputError("Parquet output needs -o DIR.parquet")
        self.dir = Path(path)
        try:
            self.dir.mkdir(exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{path}: cannot write: {_cause(exc)}") from None
        self.keep_cols = keep_cols
        self.part = len(list(self.dir.glob("part-*.parquet")))
        fields = [("row", pa.int64()), ("note_id", pa.string()), ("status", pa.string()), ("error", pa.string()),
                  ("code", pa.string()), ("units", pa.int32()), ("family", pa.string()), ("label", pa.string()),
                  ("confidence", pa.float64()), ("flags", pa.string()), ("note_flags", pa.string()),
                  ("evidence", pa.string())]
        self.schema = pa.schema(fields + [(k, pa.string()) for k in keep_cols])

    def write(self, records: list[dict]) -> None:
        rows = [row for record in records for row in flatten(record, self.keep_cols)]
        table = pa.Table.from_pylist(rows, schema=self.schema)
        final = self.dir / f"part-{self.part:06d}.parquet"
        tmp = final.with_suffix(".tmp")
        try:
            pq.write_table(table, tmp)
            os.replace(tmp, final)
        except (OSError, pa.ArrowException) as exc:
            cause = _cause(exc) if isinstance(exc, OSError) else str(exc)[:120]
            raise OutputError(f"{self.dir}: cannot write: {cause}") from None
        self.part += 1

    def close(self) -> None:
        pass

    def position(self) -> int:
        """Part files written."""
        return self.part

    @staticmethod
    def written(path: str) -> int:
        """The position of an existing output (its complete part files, numbered from 0)."""
        parts = {int(p.stem.split("-")[1]) for p in Path(path).glob("part-*.parquet")} if os.path.isdir(path) else set()
        count = 0
        while count in parts:
            count += 1
        return count

    @staticmethod
    def truncate(path: str, position: int) -> None:
        """Remove the part files (and temporary files) written after the last checkpoint."""
        folder = Path(path)
        for tmp in folder.glob("*.tmp"):
            tmp.unlink()
        for part in folder.glob("part-*.parquet"):
            if int(part.stem.split("-")[1]) >= position:
                part.unlink()


WRITERS = {"jsonl": JsonlWriter, "csv": CsvWriter, "parquet": ParquetWriter}


# --------------------------------------------------------------------------- checkpoint

CHECKPOINT_SUFFIX = ".resume.json"


def checkpoint_path(output: str) -> Path:
    return Path(output.rstrip("/") + CHECKPOINT_SUFFIX)


class Checkpoint:
    """The sidecar file of a run writing to ``output``: what the run reads and how (``run``: input
    fingerprints and options), the input rows done and the output position after them."""

    def __init__(self, output: str, run: dict, rows_done: int = 0, position: int = 0, complete: bool = False):
        self.output, self.path = output, checkpoint_path(output)
        self.run, self.rows_done, self.position, self.complete = run, rows_done, position, complete

    @classmethod
    def load(cls, output: str) -> "Checkpoint | None":
        path = checkpoint_path(output)
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(output, data["run"], int(data["rows_done"]), int(data["position"]), bool(data["complete"]))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise OutputError(f"{path}: unreadable checkpoint ({type(exc).__name__}); run again with --overwrite") \
                from None

    def save(self) -> None:
        """Written to a temporary file and renamed: a kill leaves the old or the new checkpoint."""
        data = {"run": self.run, "rows_done": self.rows_done, "position": self.position, "complete": self.complete}
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:
            raise OutputError(f"{self.path}: cannot write: {_cause(exc)}") from None

    def differences(self, run: dict) -> list[str]:
        """Why this checkpoint cannot be continued by ``run`` (empty when it can)."""
        found = []
        old_inputs, new_inputs = self.run.get("inputs", []), run.get("inputs", [])
        if [i.get("path") for i in old_inputs] != [i.get("path") for i in new_inputs]:
            found.append("the inputs are not the same files")
        else:
            changed = [new["path"] for old, new in zip(old_inputs, new_inputs) if old != new]
            if changed:
                found.append(f"input changed since the interrupted run: {', '.join(changed)}")
        for key, option in (("input_format", "--input-format"), ("id_col", "--id-col"), ("text_col", "--text-col"),
                            ("keep_cols", "--keep-cols"), ("output_format", "--output-format"),
                            ("gate", "--no-gate"), ("settings", "--config/--set")):
            if self.run.get(key) != run.get(key):
                found.append(f"{option} differs (was {self.run.get(key)!r})" if key != "settings"
                             else f"{option}: the settings differ")
        return found


class CheckpointedWriter:
    """A writer that records a checkpoint after every batch it writes."""

    def __init__(self, writer, checkpoint: Checkpoint):
        self.writer, self.checkpoint = writer, checkpoint

    def write(self, records: list[dict]) -> None:
        self.writer.write(records)
        self.checkpoint.rows_done = records[-1]["row"] + 1
        self.checkpoint.position = self.writer.position()
        self.checkpoint.save()

    def close(self) -> None:
        self.writer.close()
