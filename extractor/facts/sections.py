"""The section category and evidence role of any offset of a note (roles are decided on the whole
text by ``extractor.section_roles``; this is the lookup the fact builders use)."""
from __future__ import annotations

from bisect import bisect_right

from .mentions import BODY


class SectionIndex:
    """Section category and role at any character offset, from (start, end, category, role) spans."""

    def __init__(self, sections: list[tuple[int, int, str | None, str]]):
        self.starts = [s[0] for s in sections]
        self.categories = [s[2] for s in sections]
        self.roles = [s[3] for s in sections]
        self.narrative_missing = "description" not in self.categories
        # Set by the reader: a brief operative note (titled so, or without any narrative section) whose list
        # can be taken as done (it says nothing was aborted, deferred, staged or not done).
        self.brief = False

    def at(self, offset: int) -> tuple[str | None, str]:
        i = bisect_right(self.starts, offset) - 1
        return (self.categories[i], self.roles[i]) if i >= 0 else (None, BODY)

    def found(self) -> tuple[str, ...]:
        """Section categories found, in order, once each."""
        return tuple(c for c in dict.fromkeys(self.categories) if c and c != "unknown")
