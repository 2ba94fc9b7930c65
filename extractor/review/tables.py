"""The code table, flag texts and the fixed lists the review queue offers coders.

Labels are this project's own short wording from ``rules/codes.json`` (never AMA descriptors); the
only codes a coder may add or change to are the ones in that table.
"""
from __future__ import annotations

from functools import lru_cache

from .. import codes, flags
from ..codes import FAMILIES, OSTEOTOMY_FAMILIES, family_of  # noqa: F401 (the queue's modules import them here)

REJECT_REASONS: dict[str, str] = {
    "not_performed": "Not performed",
    "wrong_level": "Wrong level",
    "wrong_units": "Wrong units",
    "wrong_code": "Wrong code",
    "documentation_insufficient": "Documentation insufficient",
    "query_surgeon": "Query the surgeon",
    "other": "Other",
}


# Why a mention was not counted, in a coder's words (assertion, or the role for list-only mentions).
NOT_COUNTED: dict[str, str] = {
    "negated": "negated (not done)",
    "hypothetical": "planned / hypothetical",
    "historical": "historical (earlier surgery)",
    "aborted": "aborted",
    "procedure_list": "only in the procedure list",
    "excluded": "in a section that never yields a code",
    "present": "not counted",
}

STATUSES = ("new", "in_progress", "completed")


@lru_cache(maxsize=1)
def addon_primaries() -> dict[str, tuple[str, ...]]:
    """Add-on code -> the primary codes of its family; an add-on needs one of them on the claim."""
    table = codes.table()["osteotomy"]
    return {table[f]["addon"]: tuple(table[f]["primary"].values()) for f in OSTEOTOMY_FAMILIES}


@lru_cache(maxsize=1)
def code_labels() -> dict[str, str]:
    """Code -> our short label, for every code a coder may pick."""
    return dict(sorted(codes.table()["labels"].items()))


def flag_text(flag_id: str) -> str:
    """The plain-words text of a flag id; an id this version does not know (results made by another
    version of the extractor) is shown as words rather than failing the page."""
    try:
        return flags.flag_text(flag_id)
    except (KeyError, ValueError):
        return flag_id.replace("_", " ")


def confidence_band(value: float | None) -> str:
    if value is None:
        return "none"
    return "high" if value >= 0.9 else "medium" if value >= 0.75 else "low"
