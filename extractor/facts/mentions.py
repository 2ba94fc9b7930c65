"""Mentions: one target-rule match with everything the fact builders ask of it (category, rule
metadata, section role, sentence, assertion, attributed levels), and one index over a note's mentions.

Nothing here knows spaCy: ``doc_reader`` makes mentions from a processed Doc, and tests build them
directly.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from ..levels import Level
from ..model import Cue, Evidence

PRESENT = "present"
NOT_DONE = frozenset({"negated", "aborted", "hypothetical"})  # said not done, stopped or only planned
BODY = "body"

Sentence = tuple[int, int]


class LevelSpan(NamedTuple):
    """A vertebral level as written in the note; ``sentence`` when it was read from another sentence
    than its mention's ("The same was then done at T10-11")."""

    start: int
    end: int
    text: str
    level: Level
    sentence: tuple[int, int] | None = None


@dataclass(slots=True)
class Mention:
    """One target-rule match. Treated as immutable: builders make new mentions (``dataclasses.replace``)
    rather than change one (not frozen only because frozen dataclasses are slow to create)."""

    category: str
    rule: str
    meta: dict
    start: int
    end: int
    text: str
    section: str | None
    role: str  # "body", "procedure_list" or "excluded" (see rules/sections.json)
    sentence: Sentence
    assertion: str = PRESENT
    levels: tuple[LevelSpan, ...] = ()
    cue: Cue | None = None
    graft_source: bool = False  # "local bone from the Ponte osteotomies": names where graft came from
    heading: bool = False  # the words of a section header ("OSTEOTOMY" over template fields): a label
    count: int | None = None  # a number of osteotomies its sentence states ("Ponte x4 between T5 and T11")

    @property
    def present(self) -> bool:
        return self.assertion == PRESENT

    @property
    def kind(self) -> str | None:
        return self.meta.get("kind")

    @property
    def counted(self) -> bool:
        """Done in this operation and told in the operative narrative: the only mentions that code."""
        return self.role == BODY and self.assertion == PRESENT

    def level_values(self) -> list[Level]:
        return [ls.level for ls in self.levels]

    def vertebrae(self) -> set[str]:
        """Every vertebra its levels name or span ("T11-L1" -> T11, T12, L1)."""
        return {v for lv in self.level_values() for v in lv.vertebrae()}

    def level_labels(self) -> tuple[str, ...]:
        return tuple(ls.level.label for ls in self.levels)

    def evidence(self) -> Evidence:
        return Evidence(self.start, self.end, self.text, self.section, self.rule, *self.sentence)

    def level_evidence(self) -> list[Evidence]:
        return [Evidence(ls.start, ls.end, ls.text, self.section, f"level.{ls.level.kind}", *self._sentence_of(ls))
                for ls in self.levels]

    def _sentence_of(self, ls: LevelSpan) -> tuple[int, int]:
        """The sentence a level was read in: its own when it came from another sentence."""
        if ls.sentence:
            return ls.sentence
        inside = self.sentence[0] <= ls.start and ls.end <= self.sentence[1]
        return self.sentence if inside else (ls.start, ls.end)


@dataclass
class MentionIndex:
    """A note's mentions in text order, grouped the ways the fact builders read them."""

    mentions: list[Mention]
    # Levels of sentences without an anchor mention ("At C7-T1 the facets were resected").
    loose_levels: dict[Sentence, tuple[LevelSpan, ...]] = field(default_factory=dict)
    text: str = ""  # the note as the pipeline read it (the view): offsets are the mentions'
    by_sentence: dict[Sentence, list[Mention]] = field(init=False)
    by_category: dict[str, list[Mention]] = field(init=False)
    sentences: list[Sentence] = field(init=False)
    counted: list[Mention] = field(init=False)
    _position: dict[Sentence, int] = field(init=False, repr=False)
    _starts: list[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.by_sentence = defaultdict(list)
        self.by_category = defaultdict(list)
        for m in self.mentions:
            self.by_sentence[m.sentence].append(m)
            self.by_category[m.category].append(m)
        self.sentences = sorted(self.by_sentence)
        self._position = {sentence: i for i, sentence in enumerate(self.sentences)}
        self._starts = [start for start, _ in self.sentences]
        self.counted = [m for m in self.mentions if m.counted]

    def __iter__(self):
        return iter(self.mentions)

    def of(self, category: str) -> list[Mention]:
        return self.by_category.get(category, [])

    def in_sentence(self, sentence: Sentence) -> list[Mention]:
        return self.by_sentence.get(sentence, [])

    def position(self, sentence: Sentence) -> int | None:
        """Where a sentence holding a mention stands among them (None for any other span)."""
        return self._position.get(sentence)

    def next_sentence(self, sentence: Sentence) -> Sentence | None:
        """The next sentence holding a mention."""
        i = self._position[sentence]
        return self.sentences[i + 1] if i + 1 < len(self.sentences) else None

    @cached_property
    def told_sentences(self) -> list[Sentence]:
        """Every sentence holding a mention or loose levels, in text order (computed on first use)."""
        return sorted(set(self.sentences) | set(self.loose_levels))

    def sentences_near(self, lo: int, hi: int) -> list[Sentence]:
        """The sentences holding a mention that reach into ``[lo, hi]`` (sentences do not overlap, so
        their ends are in order too: a bisection, not a scan of a long note's every sentence)."""
        first = max(0, bisect_left(self._starts, lo) - 1)
        return [s for s in self.sentences[first: bisect_right(self._starts, hi)] if s[1] >= lo]

    def sentence_values(self, sentence: Sentence, category: str, key: str) -> set:
        """The metadata values ``key`` of the mentions of ``category`` in one sentence (any assertion)."""
        return {m.meta[key] for m in self.in_sentence(sentence) if m.category == category}

    def narrative_not_done(self, category: str) -> bool:
        """Does the narrative name a mention of ``category`` it says was not done, aborted or planned?"""
        return any(m.role == BODY and m.assertion in NOT_DONE for m in self.of(category))

    def counted_kinds(self, sentence: Sentence) -> set[str]:
        """Kinds of the counted mentions of a sentence ("" for a mention without a kind)."""
        return {m.kind or "" for m in self.in_sentence(sentence) if m.counted}
