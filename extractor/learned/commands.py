"""The bodies of ``opnote models ...`` (``extractor/cli.py`` imports this module inside the commands,
so ``opnote --help`` stays fast)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .store import DEFAULT_DIR, KINDS, ModelError, read_manifest, read_model, versions

ROOT = Path(__file__).resolve().parents[2]


def _log(message: str) -> None:
    click.echo(message, err=True)


def _folder(models: str | None) -> Path:
    return Path(models) if models else DEFAULT_DIR


def train(out: str | None, corpora: str | None) -> None:
    from .training.build import train as fit
    from .training.corpus import CORPORA

    folder = _folder(out)
    fit(folder, Path(corpora) if corpora else CORPORA, _log)
    click.echo(f"wrote the models to {folder}")


def report(models: str | None, write: bool) -> None:
    from .layer import read_models
    from .training import report as reporting

    loaded = read_models(_folder(models))
    if write:
        reporting.write(loaded, ROOT / "README.md", ROOT / "models" / "README.md")
        click.echo("wrote the learned-layer figures into README.md and models/README.md")
    else:
        click.echo(reporting.summary(loaded))


def list_versions(models: str | None) -> None:
    folder = _folder(models)
    current = read_manifest(folder)
    for kind in KINDS:
        for version in versions(folder, kind):
            name = f"{kind}.v{version}.json"
            info = read_model(folder / name, kind)
            mark = "*" if current[kind] == name else " "
            click.echo(f"{mark} {name:26} {info.get('created_by', '')}  {_headline(info)}")


def _headline(info: dict) -> str:
    """One figure per model version: the one its replacement would be judged by."""
    metrics = info.get("metrics") or {}
    if "queue_held_out" in metrics:
        f = metrics["queue_held_out"]
        return (f"queue held-out Brier {f['new']['brier']:.4f} (parent {f['previous']['brier']:.4f}); "
                f"{'current' if metrics.get('replaced_previous') else 'refused'} at retraining")
    held = (metrics.get("held_out") or {}).get("external/test") or {}
    if "calibrated" in held:
        return f"external/test Brier {held['calibrated']['brier']:.4f} (hand-set {held['hand_set']['brier']:.4f})"
    if "catch_rate" in held:
        return f"external/test catch rate {held['catch_rate']:.2f}, needless flags {held['needless_flag_rate']:.3f}"
    if "classifier" in held:
        return f"external/test accuracy {held['classifier']['accuracy']:.3f} (rule gate {held['rule_gate']['accuracy']:.3f})"
    return ""


def retrain(db: str, models: str | None, corpus: bool) -> None:
    from .training.corpus import CORPORA
    from .training.retrain import retrain as refit

    corpora = CORPORA if corpus and (CORPORA / "dev" / "gold.jsonl").exists() else None
    folder = _folder(models)
    if folder.is_dir() and not os.access(folder, os.W_OK):  # checked before the fit, not after it
        raise click.ClickException(f"{folder}: not writable (a new model version is written there)")
    try:
        result = refit(db, folder, corpora, _log)
    except (ModelError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(result.message())
    if not result.replaced:
        sys.exit(1)


def check(models: str | None) -> None:
    """Every model readable, and trained on the corpus as it is now."""
    from .layer import read_models
    from .training.corpus import CORPORA, TRAINING_SPLITS, corpus_fingerprint

    try:
        loaded = read_models(_folder(models))
    except ModelError as exc:
        raise click.ClickException(str(exc)) from None
    now = corpus_fingerprint(TRAINING_SPLITS, CORPORA)
    stale = [m.info["kind"] for m in (loaded.confidence, loaded.missed_code, loaded.document_kind)
             if m.info["training_data"]["corpus_fingerprint"] != now]
    if stale:
        raise click.ClickException(f"trained on another version of the corpus: {', '.join(stale)}; run `make models`")
    click.echo(f"models in {loaded.folder} are readable and were trained on the current corpus")
