"""The ``opnote`` command line."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .inputs import FORMATS
from .outputs import OUTPUT_FORMATS
from .report import explain as explain_report
from .settings import Settings

_config = click.option("--config", type=click.Path(exists=True, dir_okay=False),
                       help="TOML file overriding the default settings (see README, Configuration).")
_set = click.option("--set", "overrides", multiple=True, metavar="SECTION.OPTION=VALUE",
                    help="Override one setting, e.g. --set osteotomy.site_region=caudal (repeatable).")


def _settings(config: str | None, overrides: tuple[str, ...]) -> Settings:
    """The settings, with the learned layer's models checked here: a bad models folder is one clear
    message before any worker starts, not a traceback per worker."""
    try:
        settings = Settings.load(config, list(overrides))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    from .learned.layer import learned_layer
    from .learned.store import ModelError

    try:
        learned_layer(settings)
    except ModelError as exc:
        raise click.ClickException(f"learned layer: {exc} (--set learned.enabled=false runs the rules alone)") from None
    return settings


def _load(config: str | None, overrides: tuple[str, ...]):
    from . import load  # imported late: building the pipeline is the slow part

    return load(settings=_settings(config, overrides))


@click.group()
@click.version_option(package_name="opnote-extractor")
def main() -> None:
    """Spine operative-note extractor: osteotomy, graft and instrumentation CPT suggestions."""


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--output", help="Output file (.jsonl, .csv, or a .parquet directory); default: JSONL on stdout.")
@click.option("--output-format", type=click.Choice(OUTPUT_FORMATS), help="Override the format told by -o's name.")
@click.option("--input-format", type=click.Choice(FORMATS), help="Input format (needed for stdin '-').")
@click.option("--id-col", help="Note id column (default: auto-detect note_id, id, ...).")
@click.option("--text-col", help="Note text column (default: auto-detect text, note_text, ...).")
@click.option("--keep-cols", default="", help="Comma-separated input columns copied to the output.")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Worker processes (default: CPU count).")
@click.option("--resume", is_flag=True, help="Continue an interrupted run writing to -o (from its checkpoint).")
@click.option("--overwrite", is_flag=True, help="Replace an existing -o (refused otherwise).")
@click.option("--note-timeout", type=click.FloatRange(min=0, min_open=True), default=10.0, show_default=True,
              help="Seconds one note may take before it becomes an error record.")
@click.option("--batch-size", type=click.IntRange(min=1), default=64, show_default=True,
              help="Notes per batch (a checkpoint after each).")
@click.option("--no-gate", is_flag=True, help="Run the pipeline on notes without any spine term too.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: only on a terminal).")
@click.option("--table", is_flag=True, help="Print a readable table of the suggestions (small runs).")
@_config
@_set
def extract(paths: tuple[str, ...], output: str | None, output_format: str | None, input_format: str | None,
            id_col: str | None, text_col: str | None, keep_cols: str, workers: int | None, resume: bool,
            overwrite: bool, note_timeout: float, batch_size: int, no_gate: bool, progress: bool | None, table: bool,
            config: str | None, overrides: tuple[str, ...]) -> None:
    """Extract code suggestions from notes: .txt files, folders, CSV/TSV, JSONL, Parquet (gzip too) or '-'.

    Exactly one output record per input record, in input order; bad rows become error records.
    """
    from .batch import default_workers
    from .extract_command import ExtractOptions, progress_default, run_extract

    options = ExtractOptions(
        paths=list(paths), settings=_settings(config, overrides), output=output, output_format=output_format,
        input_format=input_format, id_col=id_col, text_col=text_col,
        keep_cols=[c.strip() for c in keep_cols.split(",") if c.strip()], workers=workers or default_workers(),
        batch_size=batch_size, note_timeout=note_timeout, resume=resume, overwrite=overwrite, gate=not no_gate,
        progress=progress_default(progress), table=table)
    code = run_extract(options)
    if code:
        sys.exit(code)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@_config
@_set
def explain(file: str, config: str | None, overrides: tuple[str, ...]) -> None:
    """Explain one note: facts, suggestions, evidence with its sentences, and review flags."""
    extractor = _load(config, overrides)
    raw = Path(file).read_bytes()
    record = extractor.extract(raw, Path(file).stem)
    from .decoding import decode_bytes

    click.echo(explain_report(record, decode_bytes(raw)[0]))
    if record["status"] != "ok":
        sys.exit(1)


@main.command()
@click.argument("gold", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--pred", type=click.Path(exists=True, dir_okay=False),
              help="Score these predictions (JSON lines from `opnote extract`) instead of running the extractor.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON instead of tables.")
@_config
@_set
def evaluate(gold: tuple[str, ...], pred: str | None, as_json: bool, config: str | None,
             overrides: tuple[str, ...]) -> None:
    """Score suggestions against gold JSONL files (notes are read from notes/ beside each gold file)."""
    from .evaluate import (EvaluationInputError, check_predictions, notes_dir, predict, read_gold, read_jsonl,
                           render, score)

    try:
        rows = [row for path in gold for row in read_gold(path)]
        if pred:
            predictions = read_jsonl(pred)
            check_predictions(rows, predictions, pred)
        else:
            folders = [notes_dir(path) for path in gold]
            extractor = _load(config, overrides)
            predictions = [p for path, folder in zip(gold, folders)
                           for p in predict(read_gold(path), folder, extractor)]
    except EvaluationInputError as exc:
        raise click.ClickException(str(exc)) from None
    missing = len({r["note_id"] for r in rows} - {p.get("note_id") for p in predictions})
    if missing:
        click.echo(f"warning: {missing} gold notes have no prediction (scored as missing)", err=True)
    result = score(rows, predictions)
    click.echo(json.dumps(result, indent=1) if as_json else render(result, ", ".join(gold)))


_db = click.option("--db", help="Queue database: a SQLAlchemy URL (postgresql://...) or an SQLite file path "
                                "(default: $OPNOTE_DB or opnote-queue.sqlite3).")


@main.group()
def queue() -> None:
    """Coder review queue: load results, add users, export decisions, statistics (see `opnote serve`)."""


@queue.command("load")
@click.argument("results", type=click.Path(exists=True, dir_okay=False))
@click.option("--notes", "notes", multiple=True, required=True,
              help="The note texts the results were made from: any input `opnote extract` reads (repeatable).")
@_db
@click.option("--batch", help="Batch name shown in the worklist (default: the results file name).")
@click.option("--input-format", type=click.Choice(FORMATS), help="Format of --notes (needed for unusual names).")
@click.option("--id-col", help="Note id column of --notes (default: auto-detect).")
@click.option("--text-col", help="Note text column of --notes (default: auto-detect).")
@click.option("--user", "actor", help="Name recorded in the history as the loader (default: cli:<login>).")
def queue_load(results: str, notes: tuple[str, ...], db: str | None, batch: str | None, input_format: str | None,
               id_col: str | None, text_col: str | None, actor: str | None) -> None:
    """Load extraction results (JSONL of `opnote extract`) and their note texts into the queue.

    Re-loading updates notes nobody has decided on yet; a reviewed note keeps its decisions and the
    new result is stored as a newer version.
    """
    from .review import commands

    commands.load(results, notes, db, batch, input_format, id_col, text_col, actor)


@queue.command("add-user")
@click.argument("username")
@click.option("--role", type=click.Choice(["coder", "admin"]), default="coder", show_default=True)
@click.password_option(envvar="OPNOTE_PASSWORD", help="Password (prompted when not given; or $OPNOTE_PASSWORD).")
@_db
def queue_add_user(username: str, role: str, password: str, db: str | None) -> None:
    """Add a user who can log in to the review queue."""
    from .review import commands

    commands.add_user(username, role, password, db)


@queue.command("export")
@_db
@click.option("--format", "fmt", type=click.Choice(["csv", "fhir"]), default="csv", show_default=True)
@click.option("--status", type=click.Choice(["new", "in_progress", "completed"]), help="Only notes in this status.")
@click.option("-o", "--output", help="Output file (default: stdout). FHIR is NDJSON: one Bundle per note per line.")
def queue_export(db: str | None, fmt: str, status: str | None, output: str | None) -> None:
    """Export the queue's codes: CSV of the final codes per note, or FHIR R4 bundles."""
    from .review import commands

    commands.export(db, fmt, status, output)


@queue.command("stats")
@_db
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def queue_stats(db: str | None, as_json: bool) -> None:
    """Acceptance per code and rule, rejection reasons, added codes, time per note, coder agreement."""
    from .review import commands

    commands.stats(db, as_json)


@main.command()
@_db
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--claim-minutes", type=int, default=30, show_default=True,
              help="How long a coder's claim on a note lasts without activity.")
@click.option("--secure-cookies", is_flag=True, help="Mark cookies Secure (when served over HTTPS by a proxy).")
def serve(db: str | None, host: str, port: int, claim_minutes: int, secure_cookies: bool) -> None:
    """Start the coder review queue web app."""
    from .review import commands

    commands.serve(db, host, port, claim_minutes, secure_cookies)


_models = click.option("--models", help="Models folder (default: the project's models/).")


@main.group()
def models() -> None:
    """The learned layer's models: train from the corpus, report, retrain from coder decisions, versions, check."""


@models.command("train")
@click.option("--out", help="Folder to write the models to (default: the project's models/).")
@click.option("--corpora", type=click.Path(exists=True, file_okay=False), help="Corpora folder (default: corpora/).")
def models_train(out: str | None, corpora: str | None) -> None:
    """Fit every model on the training splits, judge it on the held-out splits (`make models`)."""
    from .learned import commands

    commands.train(out, corpora)


@models.command("retrain")
@click.option("--from-queue", "db", required=True, help="Review queue database (SQLAlchemy URL or SQLite file).")
@_models
@click.option("--corpus/--no-corpus", default=True, show_default=True,
              help="Also fit on the corpus's training splits (when corpora/ is there).")
def models_retrain(db: str, models: str | None, corpus: bool) -> None:
    """Refit the confidence model from completed coder decisions; keep it only if not worse (exit 1 if refused)."""
    from .learned import commands

    commands.retrain(db, models, corpus)


@models.command("versions")
@_models
def models_versions(models: str | None) -> None:
    """Every stored model version, its headline figure, and which is in use (*)."""
    from .learned import commands

    commands.list_versions(models)


@models.command("check")
@_models
def models_check(models: str | None) -> None:
    """Check that every model in use is readable and was trained on the current corpus."""
    from .learned import commands

    commands.check(models)


@models.command("report")
@_models
@click.option("--write", is_flag=True, help="Write the figures into README.md and models/README.md.")
def models_report(models: str | None, write: bool) -> None:
    """The learned layer's figures next to the rule-only baseline (Markdown)."""
    from .learned import commands

    commands.report(models, write)


if __name__ == "__main__":
    main()
