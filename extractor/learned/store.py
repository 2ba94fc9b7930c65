"""Model files: plain JSON that cannot run code when it is read (never pickle), checked before use,
and written byte for byte the same from the same model.

A models folder holds one file per model version (``confidence.v1.json``, ``missed_code.v1.json``,
``document_kind.v1.json``, ``confidence.v2.json`` after a retrain...) and ``manifest.json``, which
names the version of each model in use. Every model file starts with the same header: ``format``,
``format_version``, ``kind``, ``version``, the ``training_data`` it was fitted on (fingerprints and
counts), its ``hyperparameters`` and its ``metrics``.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
from pathlib import Path
from typing import Any

FORMAT = "opnote-model"
MANIFEST_FORMAT = "opnote-models"
FORMAT_VERSION = 1
KINDS = ("confidence", "missed_code", "document_kind")
DIGITS = {"confidence": 7, "missed_code": 5, "document_kind": 5}  # significant digits kept (the n-gram weights are many)
MANIFEST = "manifest.json"
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "models"
_PICKLE_STARTS = (b"\x80", b"(dp", b"(lp", b"ccopy_reg", b"cnumpy", b"csklearn")
_HEADER = ("format", "format_version", "kind", "version", "training_data", "hyperparameters", "metrics")


class ModelError(ValueError):
    """A model file or folder that cannot be used; the message names the file and the cause."""


def file_name(kind: str, version: int) -> str:
    return f"{kind}.v{version}.json"


def _round(value: Any, digits: int) -> Any:
    """Floats to ``digits`` significant digits (recursively): stable text, and no 1e-17 noise."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ModelError(f"not a finite number: {value!r}")
        return float(f"{value:.{digits}g}")
    if isinstance(value, dict):
        return {k: _round(v, digits) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_round(v, digits) for v in value]
    return value


def dumps(data: dict, digits: int = 7) -> str:
    """Canonical text of a model: sorted keys, rounded floats, one array of numbers per line (a weight
    row is one line, so a retrained model's diff is readable)."""
    text = json.dumps(_round(data, digits), sort_keys=True, indent=1, ensure_ascii=True)
    return _NUMBER_ARRAY.sub(lambda m: "[" + ", ".join(n.strip() for n in m.group(1).split(",")) + "]", text) + "\n"


_NUMBER_ARRAY = re.compile(r"\[\s*(-?[0-9][0-9.eE+-]*(?:,\s*-?[0-9][0-9.eE+-]*)*)\s*\]")


def header(data: dict) -> dict:
    """The descriptive part of a model (kept in memory; the weights are not)."""
    return {k: data[k] for k in (*_HEADER, "created_by", "parent") if k in data}


def write_model(folder: Path, data: dict) -> Path:
    """Write a model file (refusing a header that is not complete) and return its path."""
    missing = [k for k in _HEADER if k not in data]
    if missing or data.get("kind") not in KINDS:
        raise ModelError(f"model to write lacks {', '.join(missing) or 'a known kind'}")
    path = Path(folder) / file_name(data["kind"], data["version"])
    _write_text(path, dumps(data, DIGITS[data["kind"]]))
    return path


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: Path) -> dict:
    """A JSON object from ``path``; a pickle (or any other format) is refused without being parsed."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ModelError(f"{path}: cannot read ({exc.strerror})") from None
    if raw.lstrip()[:1] != b"{":
        kind = "a pickle" if raw.startswith(_PICKLE_STARTS) else "not a JSON object"
        raise ModelError(f"{path}: {kind}; model files are plain JSON (pickle is never loaded)")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ModelError(f"{path}: not a JSON object")
    return data


def read_model(path: Path, kind: str) -> dict:
    """A model file of ``kind``, its header checked (the body is checked by the model that reads it)."""
    data = read_json(path)
    if data.get("format") != FORMAT:
        raise ModelError(f"{path}: not an opnote model file (format {data.get('format')!r}, expected {FORMAT!r})")
    if data.get("format_version") != FORMAT_VERSION:
        raise ModelError(f"{path}: model format version {data.get('format_version')!r}; this extractor reads "
                         f"version {FORMAT_VERSION} (run `make models`)")
    if data.get("kind") != kind:
        raise ModelError(f"{path}: holds a {data.get('kind')!r} model, expected {kind!r}")
    if not isinstance(data.get("version"), int) or data["version"] < 1:
        raise ModelError(f"{path}: version must be a positive integer")
    return data


def read_manifest(folder: Path) -> dict[str, str]:
    """Model kind -> file name of the version in use."""
    path = Path(folder) / MANIFEST
    data = read_json(path)
    if data.get("format") != MANIFEST_FORMAT or data.get("format_version") != FORMAT_VERSION:
        raise ModelError(f"{path}: not an opnote models manifest (format {data.get('format')!r})")
    current = data.get("current")
    if not isinstance(current, dict) or sorted(current) != sorted(KINDS):
        raise ModelError(f"{path}: 'current' must name one file for each of {', '.join(KINDS)}")
    for kind, name in current.items():
        if not isinstance(name, str) or Path(name).name != name or not name.startswith(f"{kind}.v"):
            raise ModelError(f"{path}: {kind}: {name!r} is not a model file name of that kind")
    return dict(current)


def write_manifest(folder: Path, current: dict[str, str]) -> None:
    _write_text(Path(folder) / MANIFEST, dumps({"format": MANIFEST_FORMAT, "format_version": FORMAT_VERSION,
                                               "current": dict(sorted(current.items()))}))


def versions(folder: Path, kind: str) -> list[int]:
    """Versions of ``kind`` stored in ``folder``, ascending."""
    found = []
    for path in Path(folder).glob(f"{kind}.v*.json"):
        number = path.name[len(kind) + 2: -len(".json")]
        if number.isdigit():
            found.append(int(number))
    return sorted(found)


def digest(folder: Path) -> str:
    """A short fingerprint of the models in use (manifest and the files it names)."""
    folder = Path(folder)
    h = hashlib.sha256()
    for kind, name in sorted(read_manifest(folder).items()):
        h.update(kind.encode() + b"\0" + (folder / name).read_bytes())
    return h.hexdigest()[:16]


def fingerprint(items: Any) -> str:
    """SHA-256 of the canonical JSON of ``items`` (training tables, file digests)."""
    return hashlib.sha256(json.dumps(items, sort_keys=True, ensure_ascii=True).encode()).hexdigest()
