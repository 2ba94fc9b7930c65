"""Access to the rule and table data files shipped in ``extractor/rules``."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

RULES_DIR = Path(__file__).resolve().parent / "rules"


def rules_path(name: str) -> Path:
    """Path of a data file under ``rules/`` (e.g. ``targets/osteotomy.json``)."""
    return RULES_DIR / name


@lru_cache(maxsize=None)
def load_json(name: str) -> Any:
    """Parsed content of a JSON data file; cached because rules are read-only."""
    with open(rules_path(name), encoding="utf-8") as fh:
        return json.load(fh)
