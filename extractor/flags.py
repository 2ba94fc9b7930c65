"""The review-flag registry: every flag id with the text a coder reads, from ``rules/flags.json``.

``Flag`` is a string enum built from that file, so a flag id that is not registered fails where it
is written (attribute access on ``Flag`` raises AttributeError) instead of reaching a coder as a bare id,
and every raised flag serialises as its plain id. 'Convention' flags mark a project default deciding
an open coding question; each lowers a suggestion's confidence.
"""
from __future__ import annotations

from enum import StrEnum

from .resources import load_json

_TABLE: dict[str, dict] = load_json("flags.json")["flags"]

Flag = StrEnum("Flag", [(flag_id, flag_id) for flag_id in _TABLE])
Flag.__doc__ = "A registered review flag id (see rules/flags.json)."


def flag(flag_id: str) -> Flag:
    """The registered flag of an id read from data; unknown ids fail with the id named."""
    try:
        return Flag(flag_id)
    except ValueError:
        raise ValueError(f"unknown review flag {flag_id!r} (not in rules/flags.json)") from None


def flag_text(flag_id: str) -> str:
    return _TABLE[flag(flag_id)]["text"]


def is_convention(flag_id: str) -> bool:
    return _TABLE[flag(flag_id)]["convention"]


def flag_record(flag_id: str) -> dict:
    """The output form of a flag: its id and the text shown to coders."""
    return {"id": str(flag_id), "text": flag_text(flag_id)}
