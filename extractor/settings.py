"""Settings of the coding stage: defaults in rules/settings.toml, overridable by a TOML file or
``section.option=value`` pairs (the CLI's ``--config`` and ``--set``)."""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .codes import cervical_three_column_choices
from .resources import rules_path

CHOICES = {
    ("osteotomy", "posterior_counting"): {"per_site", "per_vertebra_touched"},
    ("osteotomy", "posterior_range_sites"): {"per_vertebra", "per_interspace"},
    ("osteotomy", "site_region"): {"cephalad", "caudal"},
    ("osteotomy", "cross_region_primary"): {"most_cephalad", "most_caudal"},
    ("osteotomy", "same_segment_posterior"): {"drop", "keep"},
}


def choices(section: str, option: str) -> set[str] | None:
    """Allowed values of an option with a fixed set (the cervical codes come from the code table)."""
    if (section, option) == ("osteotomy", "cervical_three_column_code"):
        return set(cervical_three_column_choices())
    return CHOICES.get((section, option))


@dataclass(frozen=True)
class OsteotomySettings:
    posterior_counting: str
    posterior_range_sites: str
    site_region: str
    cross_region_primary: str
    cervical_three_column_code: str
    same_segment_posterior: str


@dataclass(frozen=True)
class GraftSettings:
    ceramic_as_20930: bool


@dataclass(frozen=True)
class ConfidenceSettings:
    body_with_sites: float
    sites_from_procedure_list: float
    inferred_type: float
    convention_penalty: float


@dataclass(frozen=True)
class LearnedSettings:
    enabled: bool
    models_dir: str


@dataclass(frozen=True)
class Settings:
    osteotomy: OsteotomySettings
    grafts: GraftSettings
    confidence: ConfidenceSettings
    learned: LearnedSettings

    @classmethod
    def load(cls, path: str | Path | None = None, overrides: list[str] | None = None) -> "Settings":
        """Defaults, then the TOML file at ``path``, then ``section.option=value`` overrides."""
        with open(rules_path("settings.toml"), "rb") as fh:
            data = tomllib.load(fh)
        if path:
            try:
                with open(path, "rb") as fh:
                    _merge(data, tomllib.load(fh), str(path))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise ValueError(f"{path}: cannot read settings ({getattr(exc, 'strerror', None) or exc})") from None
        for item in overrides or []:
            key, sep, value = item.partition("=")
            section, dot, option = key.strip().partition(".")
            if not sep or not dot:
                raise ValueError(f"setting override must look like section.option=value, got {item!r}")
            _merge(data, {section: {option: _parse_value(value.strip())}}, "--set")
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict) -> "Settings":
        """The inverse of ``to_dict`` (how settings travel to worker processes)."""
        return cls(OsteotomySettings(**data["osteotomy"]), GraftSettings(**data["grafts"]),
                   ConfidenceSettings(**data["confidence"]), LearnedSettings(**data["learned"]))

    def to_dict(self) -> dict:
        return {f.name: dict(vars(getattr(self, f.name))) for f in fields(self)}


def _parse_value(raw: str) -> Any:
    low = raw.lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        return float(raw) if "." in raw else int(raw) if raw.isdigit() and len(raw) < 5 else raw
    except ValueError:
        return raw


def _merge(data: dict, new: dict, origin: str) -> None:
    for section, options in new.items():
        if section not in data or not isinstance(options, dict):
            raise ValueError(f"{origin}: unknown settings section {section!r}")
        for option, value in options.items():
            if option not in data[section]:
                raise ValueError(f"{origin}: unknown setting {section}.{option}")
            allowed = choices(section, option)
            if allowed and str(value) not in allowed:
                raise ValueError(f"{origin}: {section}.{option} must be one of {sorted(allowed)}, got {value!r}")
            expected = type(data[section][option])
            if expected is float and isinstance(value, int):
                value = float(value)
            if expected is str:
                value = str(value)
            if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                raise ValueError(f"{origin}: {section}.{option} must be {expected.__name__}, got {value!r}")
            if section == "confidence" and not (math.isfinite(value) and 0.0 <= value <= 1.0):
                raise ValueError(f"{origin}: {section}.{option} must be a number between 0 and 1, got {value!r}")
            data[section][option] = value

