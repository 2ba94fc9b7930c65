"""The code table, flag texts and the fixed lists the review queue offers coders.

Labels are this project's own short wording from ``rules/codes.json`` (never AMA descriptors); the
only codes a coder may add or change to are the ones in that table.
"""
from __future__ import annotations

from functools import lru_cache

from ..resources import load_json

REJECT_REASONS: dict[str, str] = {
    "not_performed": "Not performed",
    "wrong_level": "Wrong level",
    "wrong_units": "Wrong units",
    "wrong_code": "Wrong code",
    "documentation_insufficient": "Documentation insufficient",
    "query_surgeon": "Query the surgeon",
    "other": "Other",
}

# Add-on code -> the primary codes of its family; an add-on needs one of them on the same claim.
ADDON_PRIMARIES: dict[str, tuple[str, ...]] = {
    "22208": ("22206", "22207", "22899"),
    "22216": ("22210", "22212", "22214"),
    "22226": ("22220", "22222", "22224"),
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

FAMILIES = ("three_column", "posterior", "anterior", "graft", "instrumentation")
STATUSES = ("new", "in_progress", "completed")


@lru_cache(maxsize=1)
def code_labels() -> dict[str, str]:
    """Code -> our short label, for every code a coder may pick."""
    return dict(sorted(load_json("codes.json")["labels"].items()))


@lru_cache(maxsize=1)
def code_families() -> dict[str, str]:
    """Code -> family, read from the structure of the code table."""
    table = load_json("codes.json")
    families: dict[str, str] = {}
    for family, entry in table["osteotomy"].items():
        families.update({code: family for code in entry["primary"].values()})
        families[entry["addon"]] = family
    families[table["unlisted_spine"]] = "three_column"  # the cervical three-column convention
    families.update({code: "graft" for code in table["graft"].values()})
    for value in table["instrumentation"].values():
        codes = [band["code"] for band in value] if isinstance(value, list) else [value]
        families.update({code: "instrumentation" for code in codes})
    return families


def family_of(code: str) -> str:
    return code_families().get(code, "other")


@lru_cache(maxsize=1)
def flag_texts() -> dict[str, str]:
    return {key: value["text"] for key, value in load_json("flags.json")["flags"].items()}


def flag_text(flag_id: str) -> str:
    """The plain-words text of a flag id (the id itself when the table does not know it)."""
    return flag_texts().get(flag_id, flag_id.replace("_", " "))


def confidence_band(value: float | None) -> str:
    if value is None:
        return "none"
    return "high" if value >= 0.9 else "medium" if value >= 0.75 else "low"
