"""Target rules (medSpaCy TargetRule JSON in ``rules/targets/``) checked against the categories they
use (``rules/categories.json``): every metadata key a category needs is there with an allowed value,
and no other; one rule id means one metadata. A bad rule fails at load with its file and id."""
from __future__ import annotations

from functools import lru_cache

from .resources import RuleFileError, display_name, load_json

TARGET_RULE_FILES = (
    "targets/osteotomy.json",
    "targets/non_osteotomy.json",
    "targets/fusion.json",
    "targets/approach.json",
    "targets/instrumentation.json",
    "targets/grafts.json",
    "targets/cues.json",
)


@lru_cache(maxsize=1)
def categories() -> dict[str, dict]:
    return load_json("categories.json")["categories"]


def asserted_categories() -> frozenset[str]:
    """Categories whose mentions ConText asserts; the others only qualify a mention in their sentence."""
    return frozenset(name for name, c in categories().items() if c["asserted"])


@lru_cache(maxsize=8)
def load_target_rules(files: tuple[str, ...] = TARGET_RULE_FILES) -> tuple[tuple[dict, ...], dict[str, dict]]:
    """The validated rules of ``files`` and each rule id's metadata (with its category)."""
    rules: list[dict] = []
    meta: dict[str, dict] = {}
    for name in files:
        for rule in load_json(name)["target_rules"]:
            rule_id = rule["metadata"]["id"]
            info = {"category": rule["category"], **rule["metadata"]}
            problem = _metadata_problem(rule["category"], rule["metadata"])
            if problem is None and meta.setdefault(rule_id, info) != info:
                problem = "the same id has different metadata elsewhere"
            if problem:
                raise RuleFileError(f"{display_name(name)}: rule {rule_id!r} ({rule['literal']!r}): {problem}")
            rules.append(rule)
    return tuple(rules), meta


def _metadata_problem(category: str, metadata: dict) -> str | None:
    spec = categories().get(category)
    if spec is None:
        return f"unknown category {category!r} (not in rules/categories.json)"
    allowed = {**spec["required"], **spec["optional"]}
    for key in spec["required"]:
        if key not in metadata:
            return f"metadata {key!r} is required for {category}"
    for key, value in metadata.items():
        if key == "id":
            continue
        if key not in allowed:
            return f"metadata {key!r} is not declared for {category}"
        if value not in allowed[key]:
            return f"metadata {key}={value!r} is not one of {allowed[key]}"
    if category == "OSTEOTOMY":
        return _osteotomy_type_problem(metadata)
    return None


def _osteotomy_type_problem(metadata: dict) -> str | None:
    """A named type must carry its family (rules/decisions.json, osteotomy_types); untyped, none."""
    kind, family = metadata["type"], metadata["family"]
    families = load_json("decisions.json")["osteotomy_types"]
    expected = families.get(kind) if kind in families else None
    if family != expected:
        return f"type {kind!r} belongs to family {expected!r}, not {family!r}"
    return None
