"""The bodies of ``opnote queue ...`` and ``opnote serve`` (``extractor/cli.py`` imports this module
inside the commands, so ``opnote --help`` stays fast)."""
from __future__ import annotations

import getpass
import json
import sys
from typing import TextIO

import click

from .db import database_url, open_database


def load(results: str, notes: tuple[str, ...], db: str | None, batch: str | None, input_format: str | None,
         id_col: str | None, text_col: str | None, actor: str | None) -> None:
    from ..inputs import InputError
    from .loading import load_results

    _engine, factory = open_database(db)
    try:
        summary = load_results(factory, results, notes, actor or f"cli:{getpass.getuser()}", batch, input_format,
                               id_col, text_col)
    except InputError as exc:
        raise click.UsageError(str(exc)) from exc
    for problem in summary.problems[:20]:
        click.echo(f"  not loaded: {problem}", err=True)
    if len(summary.problems) > 20:
        click.echo(f"  ... and {len(summary.problems) - 20} more", err=True)
    click.echo(summary.line())


def add_user(username: str, role: str, password: str, db: str | None) -> None:
    from .auth import add_user as create

    _engine, factory = open_database(db)
    with factory() as session:
        try:
            create(session, username, password, role)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from exc
    click.echo(f"user {username} added with role {role}")


def export(db: str | None, fmt: str, status: str | None, output: str | None) -> None:
    from . import export as exporter

    _engine, factory = open_database(db)
    writer = exporter.write_csv if fmt == "csv" else exporter.write_fhir
    with factory() as session:
        if output:
            with open(output, "w", encoding="utf-8", newline="") as out:
                count = writer(session, status, out)
        else:
            count = writer(session, status, sys.stdout)
            sys.stdout.flush()
    click.echo(f"exported {count} {'rows' if fmt == 'csv' else 'bundles'}", err=True)


def stats(db: str | None, as_json: bool, out: TextIO = sys.stdout) -> None:
    from .stats import compute

    _engine, factory = open_database(db)
    with factory() as session:
        figures = compute(session)
    if as_json:
        click.echo(json.dumps(figures, indent=1))
        return
    click.echo(f"notes: {figures['notes']}; submitted reviews: {figures['submitted_rounds']}")
    click.echo(f"precision as coders see it: {figures['precision']}; recall: {figures['recall']}")
    click.echo("code      suggested accepted modified rejected rate")
    for code, row in figures["acceptance_per_code"].items():
        click.echo(f"{code:<9} {row['suggested']:>9} {row['accepted']:>8} {row['modified']:>8} {row['rejected']:>8} "
                   f"{row['acceptance_rate']}")
    click.echo(f"rejection reasons: {figures['rejection_reasons']}")
    click.echo(f"added (missed) codes per family: {figures['added_per_family']}")
    click.echo(f"time per note: {figures['time_per_note']}")
    agreement = figures["agreement"]
    click.echo(f"double-reviewed notes: {agreement['double_reviewed_notes']}, exact agreement "
               f"{agreement['exact_agreement']}, positive agreement {agreement['positive_agreement']}")


def serve(db: str | None, host: str, port: int, claim_minutes: int, secure_cookies: bool) -> None:
    import uvicorn

    from .web import create_app, log_config

    app = create_app(db, claim_minutes=claim_minutes, secure_cookies=secure_cookies)
    click.echo(f"review queue on {database_url(db).split('@')[-1]}: open http://{host}:{port}/", err=True)
    uvicorn.run(app, host=host, port=port, log_config=log_config(), server_header=False)
