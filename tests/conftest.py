"""Shared fixtures: one extractor for the whole session (building the pipeline takes seconds)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import extractor

CORPORA = Path(__file__).resolve().parents[1] / "corpora"


def load_split(split: str) -> list[dict]:
    """Gold lines of a split, each with its note text (bytes decoded as UTF-8, newlines kept)."""
    rows = []
    for line in (CORPORA / split / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            gold = json.loads(line)
            gold["text"] = (CORPORA / split / "notes" / f"{gold['note_id']}.txt").read_bytes().decode("utf-8")
            rows.append(gold)
    return rows


def code_set(items: list[dict]) -> set[tuple[str, int]]:
    return {(c["code"], c["units"]) for c in items}


@pytest.fixture(scope="session")
def ex() -> extractor.Extractor:
    return extractor.load()


@pytest.fixture(scope="session")
def corpus_records(ex) -> dict[str, dict]:
    """Every corpus note extracted once per test session, by note id (extraction is the slow part)."""
    from snapshot import corpus_notes

    return {note_id: ex.extract(raw, note_id) for _, note_id, raw in corpus_notes()}


def load_external(split: str) -> list[dict]:
    """Gold lines of an independent-writer split (corpora/external/<split>), each with its note text."""
    folder = CORPORA / "external" / split
    rows = [json.loads(line) for line in (folder / "gold.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    for gold in rows:
        gold["text"] = (folder / "notes" / f"{gold['note_id']}.txt").read_text(encoding="utf-8")
    return rows


@pytest.fixture(scope="session")
def external_records(ex) -> dict[str, dict]:
    """Every independent-writer document (both splits) extracted once per test session, by note id."""
    return {g["note_id"]: ex.extract(g["text"], g["note_id"]) for split in ("dev", "test") for g in load_external(split)}


@pytest.fixture(scope="session")
def ex_no_triage() -> extractor.Extractor:
    return extractor.load(triage=False)


def codes_of(ex: extractor.Extractor, text: str) -> set[tuple[str, int]]:
    record = ex.extract(text, "snippet")
    assert record["status"] == "ok", record["error"]
    return code_set(record["suggestions"])


def osteotomy_codes_in(ex: extractor.Extractor, text: str) -> set[tuple[str, int]]:
    """The osteotomy codes (22206-22226, 22899) with units the extractor suggests for ``text``."""
    from extractor.codes import osteotomy_codes

    return {c for c in codes_of(ex, text) if c[0] in osteotomy_codes()}


@pytest.fixture(scope="session")
def spark():
    """One local Spark session for all Spark tests (starting one takes seconds)."""
    import os

    import sys

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ["PYSPARK_PYTHON"] = sys.executable  # executors use this virtualenv's Python
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("opnote-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
               .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


# Slow tests (a local Spark session, real processes and signals, executed notebooks): `make test-fast`
# leaves them out; `make test` and CI run everything.
SLOW_MODULES = {"test_spark.py", "test_resume.py"}
SLOW_NAMES = ("interrupted_run", "two_workers", "test_progress_lines")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if (item.path.name in SLOW_MODULES or item.path.suffix == ".ipynb"
                or any(name in item.name for name in SLOW_NAMES)):
            item.add_marker(pytest.mark.slow)
