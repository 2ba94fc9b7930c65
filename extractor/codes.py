"""The code table (``rules/codes.json``) and everything derived from it: the family of each code, the
osteotomy codes, the labels. Every code set in the project, tests included, comes from here."""
from __future__ import annotations

from functools import lru_cache

from .resources import RuleFileError, load_json

OSTEOTOMY_FAMILIES = ("three_column", "posterior", "anterior")
FAMILIES = OSTEOTOMY_FAMILIES + ("graft", "instrumentation")


def table() -> dict:
    return load_json("codes.json")


@lru_cache(maxsize=1)
def family_of_code() -> dict[str, str]:
    """Every code of the table with its family."""
    codes = table()
    families: dict[str, str] = {}
    for family in OSTEOTOMY_FAMILIES:
        entry = codes["osteotomy"][family]
        for code in [*entry["primary"].values(), entry["addon"]]:
            families[code] = family
    for choice, entry in codes["cervical_three_column"].items():
        families.setdefault(entry.get("code", choice), entry["family"])
    families.update({code: "graft" for code in codes["graft"].values()})
    families.update({code: "instrumentation" for code in _instrumentation_codes(codes["instrumentation"])})
    if set(families) != set(codes["labels"]):
        raise RuleFileError(f"rules/codes.json: labels and codes differ: {sorted(set(families) ^ set(codes['labels']))}")
    return families


def _instrumentation_codes(entry: dict) -> list[str]:
    out = []
    for value in entry.values():
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, list):
            out += [row["code"] for row in value]
    return out


def family_of(code: str) -> str:
    """'three_column', 'posterior', 'anterior', 'graft', 'instrumentation', or 'other' for a code
    outside the table."""
    return family_of_code().get(code, "other")


def is_osteotomy(code: str) -> bool:
    return family_of(code) in OSTEOTOMY_FAMILIES


def osteotomy_codes() -> frozenset[str]:
    return frozenset(c for c, f in family_of_code().items() if f in OSTEOTOMY_FAMILIES)


def addon_codes() -> frozenset[str]:
    return frozenset(table()["osteotomy"][f]["addon"] for f in OSTEOTOMY_FAMILIES)


def label(code: str) -> str:
    """This project's own short label of a code (never the AMA descriptor)."""
    return table()["labels"][code]


def cervical_three_column_choices() -> tuple[str, ...]:
    """Values of the setting osteotomy.cervical_three_column_code."""
    return (*table()["cervical_three_column"], "none")
