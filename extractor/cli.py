"""The ``opnote`` command line."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .notes import iter_text_notes
from .report import explain as explain_report
from .report import suggestion_table
from .settings import Settings

_config = click.option("--config", type=click.Path(exists=True, dir_okay=False),
                       help="TOML file overriding the default settings (see README, Configuration).")
_set = click.option("--set", "overrides", multiple=True, metavar="SECTION.OPTION=VALUE",
                    help="Override one setting, e.g. --set osteotomy.site_region=caudal (repeatable).")


def _load(config: str | None, overrides: tuple[str, ...]):
    from . import load  # imported late: building the pipeline is the slow part

    try:
        settings = Settings.load(config, list(overrides))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    return load(settings=settings)


@click.group()
@click.version_option(package_name="opnote-extractor")
def main() -> None:
    """Spine operative-note extractor: osteotomy, graft and instrumentation CPT suggestions."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write JSON lines here (default: stdout).")
@click.option("--table", is_flag=True, help="Print a readable table of the suggestions.")
@_config
@_set
def extract(paths: tuple[str, ...], output: str | None, table: bool, config: str | None,
            overrides: tuple[str, ...]) -> None:
    """Extract code suggestions from .txt notes or folders of .txt notes (one JSON line per note)."""
    extractor = _load(config, overrides)
    records = []
    out = open(output, "w", encoding="utf-8") if output else None
    try:
        for note_id, raw in iter_text_notes(paths):
            record = extractor.extract(raw, note_id)
            line = json.dumps(record, ensure_ascii=False)
            if out:
                out.write(line + "\n")
            elif not table:
                click.echo(line)
            if table:
                records.append(record)
    finally:
        if out:
            out.close()
    if table:
        click.echo(suggestion_table(records))
    if output:
        click.echo(f"wrote {output}", err=True)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@_config
@_set
def explain(file: str, config: str | None, overrides: tuple[str, ...]) -> None:
    """Explain one note: facts, suggestions, evidence with its sentences, and review flags."""
    extractor = _load(config, overrides)
    raw = Path(file).read_bytes()
    record = extractor.extract(raw, Path(file).stem)
    from .pipeline import decode_bytes

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
    from .evaluate import notes_dir, predict, read_jsonl, render, score

    rows = [row for path in gold for row in read_jsonl(path)]
    if pred:
        predictions = read_jsonl(pred)
    else:
        extractor = _load(config, overrides)
        predictions = [p for path in gold for p in predict(read_jsonl(path), notes_dir(path), extractor)]
    result = score(rows, predictions)
    click.echo(json.dumps(result, indent=1) if as_json else render(result, ", ".join(gold)))


if __name__ == "__main__":
    main()
