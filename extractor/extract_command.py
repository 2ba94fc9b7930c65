"""What ``opnote extract`` does, in order: check every option, the output location and every input
(columns included) before anything is written or deleted; then run, checkpointing after every
batch; then report. A problem found before the run refuses it (exit 2) and leaves any existing output
untouched; a problem during the run (an input that breaks, a full disk) keeps every finished row,
prints the summary and exits 1; an interruption exits 130. Messages are one line naming the file
and the cause, never note text.
"""
from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click

from .inputs import InputError, Inputs, open_inputs
from .outputs import (FLAT_COLUMNS, WRITERS, Checkpoint, CheckpointedWriter, OutputError, checkpoint_path,
                      detect_output_format)
from .settings import Settings


class Refused(click.ClickException):
    """A problem found before the run: nothing was written (exit 2)."""

    exit_code = 2


class Failed(click.ClickException):
    """A problem during the run: finished rows are written, the summary printed (exit 1)."""

    exit_code = 1


@dataclass
class ExtractOptions:
    paths: list[str]
    settings: Settings
    output: str | None = None
    output_format: str | None = None
    input_format: str | None = None
    id_col: str | None = None
    text_col: str | None = None
    keep_cols: list[str] = field(default_factory=list)
    workers: int = 1
    batch_size: int = 64
    note_timeout: float | None = None
    resume: bool = False
    overwrite: bool = False
    gate: bool = True
    progress: bool = False
    table: bool = False


def run_extract(opts: ExtractOptions) -> int:
    """Run the command; returns the exit code (raises ``Refused``/``Failed`` for fatal problems)."""
    from .batch import BatchRunner, RecordCollector
    from .report import suggestion_table

    fmt = _check_options(opts)
    _check_output(opts, fmt)
    try:
        inputs = open_inputs(opts.paths, opts.input_format, opts.id_col, opts.text_col, opts.keep_cols)
    except InputError as exc:
        raise Refused(str(exc)) from None
    try:
        writer, checkpoint, skip = _open_output(opts, fmt, inputs)
        if opts.table:
            writer = RecordCollector(writer)
        runner = BatchRunner(opts.settings, workers=opts.workers, gate=opts.gate, progress=opts.progress,
                             batch_size=opts.batch_size, total=inputs.estimate, note_timeout=opts.note_timeout)
        summary = runner.run(inputs.records(), writer, skip_rows=skip)
    finally:
        inputs.close()
    if opts.table:
        click.echo(suggestion_table(writer.records))
    click.echo(summary.line(), err=True)
    failure = inputs.failure or summary.failure
    if failure:
        raise Failed(failure)
    if summary.interrupted:
        return 130
    if checkpoint:
        checkpoint.complete = True
        checkpoint.save()
    return 0


def _check_options(opts: ExtractOptions) -> str:
    clash = set(opts.keep_cols) & set(FLAT_COLUMNS)
    if clash:
        raise Refused(f"--keep-cols may not reuse output column names: {sorted(clash)}")
    try:
        stream = bool(opts.output) and _is_stream(opts.output)  # /dev/stdout, a FIFO: JSONL unless told
        fmt = opts.output_format or ("jsonl" if stream else detect_output_format(opts.output))
    except OutputError as exc:
        raise Refused(str(exc)) from None
    if fmt == "parquet" and not opts.output:
        raise Refused("Parquet output is a folder of part files: it needs -o DIR.parquet")
    if opts.resume and not opts.output:
        raise Refused("--resume needs -o")
    if opts.resume and opts.overwrite:
        raise Refused("--resume and --overwrite exclude each other")
    return fmt


def _is_stream(path: str) -> bool:
    """A device or pipe (/dev/null, a FIFO): written to, never checkpointed or refused as existing."""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode) and not os.path.isdir(path)
    except OSError:
        return False


def _check_output(opts: ExtractOptions, fmt: str) -> None:
    """The output's folder exists, the output is no input, and an existing output is only replaced
    or continued when asked."""
    output = opts.output
    if not output or output == "-" or _is_stream(output):
        return
    parent = Path(output).resolve().parent
    if not parent.is_dir():
        raise Refused(f"{output}: cannot write: folder {parent} does not exist"
                      if not parent.exists() else f"{output}: cannot write: {parent} is not a folder")
    for path in opts.paths:
        if path != "-" and os.path.exists(path) and os.path.exists(output) and os.path.samefile(path, output):
            raise Refused(f"{output}: the output is also an input; choose another -o")
    exists = (os.path.isfile(output) and os.path.getsize(output) > 0) or checkpoint_path(output).exists() or (
        os.path.isdir(output) and any(Path(output).iterdir()))
    if os.path.isdir(output) and fmt != "parquet":
        raise Refused(f"{output}: is a folder; a {fmt} output is a file")
    if exists and not (opts.overwrite or opts.resume):
        raise Refused(f"{output} already exists; use --overwrite to replace it, or --resume to continue the "
                      f"interrupted run that wrote it")
    if not os.access(output if os.path.exists(output) else parent, os.W_OK):
        raise Refused(f"{output}: cannot write: permission denied")


def _run_description(opts: ExtractOptions, fmt: str, inputs: Inputs) -> dict:
    """What a resumed run must share with the interrupted one."""
    return {"inputs": inputs.fingerprints(), "input_format": opts.input_format, "id_col": opts.id_col,
            "text_col": opts.text_col, "keep_cols": opts.keep_cols, "output_format": fmt,
            "gate": opts.gate, "settings": opts.settings.to_dict()}


def _open_output(opts: ExtractOptions, fmt: str, inputs: Inputs):
    """(writer, checkpoint or None, input rows to skip). Only here is an existing output changed."""
    output, writer_class = opts.output, WRITERS[fmt]
    if not output or output == "-" or _is_stream(output):
        return _writer(writer_class, output, opts.keep_cols), None, 0
    run = _run_description(opts, fmt, inputs)
    skip = 0
    if opts.resume:
        checkpoint = _checkpoint_to_resume(output, run)
        writer_class.truncate(output, checkpoint.position)
        skip = checkpoint.rows_done
    else:
        _remove_output(output, fmt)
    writer = _writer(writer_class, output, opts.keep_cols)
    checkpoint = Checkpoint(output, run, rows_done=skip, position=writer.position())
    try:
        checkpoint.save()
    except OutputError as exc:
        raise Failed(str(exc)) from None
    return CheckpointedWriter(writer, checkpoint), checkpoint, skip


def _writer(writer_class, output: str | None, keep_cols: list[str]):
    try:
        return writer_class(output, keep_cols)
    except OutputError as exc:
        raise Failed(str(exc)) from None


def _checkpoint_to_resume(output: str, run: dict) -> Checkpoint:
    try:
        checkpoint = Checkpoint.load(output)
    except OutputError as exc:
        raise Refused(str(exc)) from None
    if checkpoint is None:
        raise Refused(f"{output}: no checkpoint ({checkpoint_path(output).name}) beside it, so it cannot be "
                      f"resumed; run again with --overwrite")
    differences = checkpoint.differences(run)
    if differences:
        raise Refused(f"cannot resume {output}: {'; '.join(differences)}")
    written = WRITERS[run["output_format"]].written(output)
    if written < checkpoint.position:
        raise Refused(f"cannot resume {output}: it is shorter than its checkpoint records ({written} < "
                      f"{checkpoint.position}), so it was changed after the run; use --overwrite")
    return checkpoint


def _remove_output(output: str, fmt: str) -> None:
    """--overwrite (or an output that does not exist yet): start from nothing."""
    try:
        if fmt == "parquet" and os.path.isdir(output):
            for item in Path(output).iterdir():
                if item.name.startswith("part-") or item.suffix == ".tmp":
                    item.unlink()
        elif os.path.isfile(output):
            open(output, "w").close()
        checkpoint_path(output).unlink(missing_ok=True)
    except OSError as exc:
        raise Failed(f"{output}: cannot replace: {exc.strerror}") from None


def progress_default(progress: bool | None) -> bool:
    return sys.stderr.isatty() if progress is None else progress
