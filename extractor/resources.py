"""The rule and table data files shipped in ``extractor/rules``, each checked against its JSON Schema
(``rules/schemas/``) when first loaded, so that a bad edit fails at start-up with the file and the
entry named, never as an ``internal error`` on every note."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

RULES_DIR = Path(__file__).resolve().parent / "rules"
SCHEMAS_DIR = RULES_DIR / "schemas"


class RuleFileError(ValueError):
    """A rule or table file that does not follow its schema; the message names the file and entry."""


def rules_path(name: str) -> Path:
    """Path of a data file under ``rules/`` (e.g. ``targets/osteotomy.json``)."""
    return RULES_DIR / name


def schema_name(name: str) -> str:
    """The schema of a rules file: one per file, and one shared by every ``targets/*.json``."""
    return "targets.schema.json" if Path(name).parent.name == "targets" else f"{Path(name).stem}.schema.json"


def display_name(name: str) -> str:
    """How messages name a rules file: relative to the package, or as given when outside it."""
    return name if Path(name).is_absolute() else f"rules/{name}"


@lru_cache(maxsize=None)
def load_json(name: str) -> Any:
    """Parsed and validated content of a JSON data file; cached because rules are read-only."""
    path = rules_path(name)
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, json.JSONDecodeError) as exc:
        raise RuleFileError(f"{display_name(name)}: cannot be read: {exc}") from exc
    validate(name, data)
    return data


def validate(name: str, data: Any) -> None:
    """Raise RuleFileError naming the file and the first offending entry (by its id when it has one)."""
    import jsonschema  # imported here: only loading rules needs it

    schema_path = SCHEMAS_DIR / schema_name(name)
    if not schema_path.exists():
        raise RuleFileError(f"{display_name(name)}: no schema ({schema_path.name}) in rules/schemas")
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(data))
    if error is not None:
        raise RuleFileError(f"{display_name(name)}: {_where(data, list(error.absolute_path))}: {error.message}")


def _where(data: Any, path: list) -> str:
    """A readable location: the JSON path, plus the rule id or literal of the entry it falls in."""
    where = "/".join(str(p) for p in path) or "(top level)"
    node = data
    for key in path[:2]:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return where
    if isinstance(node, dict):
        ident = (node.get("metadata") or {}).get("id") if isinstance(node.get("metadata"), dict) else None
        ident = ident or node.get("literal")
        if ident:
            return f"{where} (rule {ident!r})"
    return where
