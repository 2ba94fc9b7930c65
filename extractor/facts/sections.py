"""Which role each part of a note plays as evidence, from its section (roles in rules/sections.json)."""
from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache

from ..resources import load_json
from .mentions import BODY


@lru_cache(maxsize=1)
def _role_of() -> dict[str, str]:
    roles = load_json("sections.json")["roles"]
    return {cat: role for role, cats in roles.items() for cat in cats if cat is not None}


class SectionIndex:
    """Section category and evidence role of any character offset.

    Without a narrative header (description, technique...), a long "Procedure:" section is the
    narrative: it counts as body, and short procedure sections stay procedure lists.
    """

    def __init__(self, sections: list[tuple[int, str | None]], text_length: int):
        """``sections``: (start offset, category) of each section in order; None before the first header."""
        self.starts = [start for start, _ in sections]
        self.categories = [category for _, category in sections]
        lengths = [e - s for s, e in zip(self.starts, self.starts[1:] + [text_length])]
        self.narrative_missing = "description" not in self.categories
        minimum = load_json("decisions.json")["sections"]["narrative_min_chars"]
        procedure_lengths = [n for c, n in zip(self.categories, lengths) if c == "procedures"]
        # With two "Procedure(s):" sections, the longer one is the narrative.
        narrative_length = max(procedure_lengths) if len(procedure_lengths) > 1 else minimum
        self.roles = [self._role(c, n, narrative_length) for c, n in zip(self.categories, lengths)]

    def _role(self, category: str | None, length: int, narrative_length: int) -> str:
        if category is None:
            return BODY
        role = _role_of().get(category, BODY)
        if role == "procedure_list" and self.narrative_missing and length >= narrative_length:
            return BODY
        return role

    def at(self, offset: int) -> tuple[str | None, str]:
        i = bisect_right(self.starts, offset) - 1
        return (self.categories[i], self.roles[i]) if i >= 0 else (None, BODY)

    def found(self) -> tuple[str, ...]:
        """Section categories found, in order, once each."""
        return tuple(c for c in dict.fromkeys(self.categories) if c)
