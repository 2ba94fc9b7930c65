"""Streaming writers (JSONL, CSV, Parquet) that can resume an interrupted run.

Every output record carries ``row``, the input position, and records are written in input order,
so resuming means: find how many input rows are completely written, drop any partial tail, and
continue from there. JSONL holds whole records; CSV and Parquet hold one flattened row per
suggestion (a note without suggestions still gets one row).
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


def detect_output_format(path: str | None) -> str:
    if not path or path == "-":
        return "jsonl"
    name = path.lower()
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    return "jsonl"


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
    """Appends to a file (kept for --resume), or writes to stdout without -o."""

    def __init__(self, path: str | None, newline: str | None = None):
        self.to_stdout = not path or path == "-"
        self.fh = sys.stdout if self.to_stdout else open(path, "a", encoding="utf-8", newline=newline)

    def close(self) -> None:
        if not self.to_stdout:
            self.fh.close()


class JsonlWriter(_StreamWriter):
    def __init__(self, path: str | None, keep_cols: list[str]):
        super().__init__(path)

    def write(self, records: list[dict]) -> None:
        self.fh.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        self.fh.flush()

    @staticmethod
    def resume_position(path: str) -> int:
        """Rows completely written; a partial last line (a killed run) is cut off."""
        if not os.path.exists(path):
            return 0
        with open(path, "rb+") as fh:
            data = fh.read()
            end = data.rfind(b"\n") + 1
            fh.truncate(end)
        last = data[:end].rstrip(b"\n").rsplit(b"\n", 1)[-1]
        return json.loads(last)["row"] + 1 if last else 0


class CsvWriter(_StreamWriter):
    def __init__(self, path: str | None, keep_cols: list[str]):
        new = not path or path == "-" or not os.path.exists(path) or os.path.getsize(path) == 0
        super().__init__(path, newline="")
        self.keep_cols = keep_cols
        self.writer = csv.DictWriter(self.fh, fieldnames=list(FLAT_COLUMNS) + keep_cols)
        if new:
            self.writer.writeheader()

    def write(self, records: list[dict]) -> None:
        for record in records:
            self.writer.writerows(flatten(record, self.keep_cols))
        self.fh.flush()

    @staticmethod
    def resume_position(path: str) -> int:
        """The last note may be partly written: its rows are cut off and it is done again."""
        if not os.path.exists(path) or os.path.getsize(path) == 0:
            return 0
        with open(path, "rb+") as fh:
            data = fh.read()
            lines = data.split(b"\n")
            offsets, pos = [], 0
            for line in lines:
                offsets.append(pos)
                pos += len(line) + 1
            rows = []
            for i, line in enumerate(lines[1:], start=1):
                try:
                    rows.append((int(line.split(b",", 1)[0]), offsets[i]))
                except ValueError:
                    continue  # a continuation line of a quoted field, or a partial line
            if not rows:
                fh.truncate(len(lines[0]) + 1)
                return 0
            last_row = rows[-1][0]
            cut = next(offset for row, offset in rows if row == last_row)
            fh.truncate(cut)
            return last_row


class ParquetWriter:
    """A directory of part files, each written to a temporary name and renamed when complete, so an
    interrupted run never leaves a broken file."""

    def __init__(self, path: str, keep_cols: list[str]):
        if not path or path == "-":
            raise ValueError("Parquet output needs -o DIR.parquet")
        self.dir = Path(path)
        self.dir.mkdir(parents=True, exist_ok=True)
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
        pq.write_table(table, tmp)
        os.replace(tmp, final)
        self.part += 1

    def close(self) -> None:
        pass

    @staticmethod
    def resume_position(path: str) -> int:
        parts = sorted(Path(path).glob("part-*.parquet")) if Path(path).is_dir() else []
        for tmp in Path(path).glob("*.tmp") if Path(path).is_dir() else []:
            tmp.unlink()
        rows = [pq.read_table(p, columns=["row"]).column("row").to_pylist() for p in parts]
        return max((max(r) for r in rows if r), default=-1) + 1


WRITERS = {"jsonl": JsonlWriter, "csv": CsvWriter, "parquet": ParquetWriter}
