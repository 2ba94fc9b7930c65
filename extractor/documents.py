"""What kind of document a note is, decided cheaply on raw text before the pipeline: only spine
operative reports are coded. Consults that recount an old fusion, imaging reports that describe
hardware, discharge summaries, bone marrow biopsies and knee replacements are skipped with the reason.

A weighted-cue scorer over ``rules/documents.json``: every kind has cues (groups of phrases, each group
counted once), the operative report has its own, and an operative report is then placed on the spine
or elsewhere by its site cues. Phrases are looked up as whole words in a normal form of the text
(lower case, single spaces), which costs a few substring searches per note: the gate stays cheap.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .resources import load_json

SPINE_OPERATIVE = "spine operative report"
OTHER_OPERATIVE = "operative report of another site"

_TOKENS = re.compile(r"[a-z0-9]+|[:#&/]")
_LEVEL = re.compile(r"(?<![A-Za-z0-9])[CTL][ -]?(?:1[0-2]|[1-9])(?![0-9])")


def normal_form(text: str) -> str:
    """" estimated blood loss : 300 ml ": lower case, one space between words, padded, so that a
    phrase is a whole-word match exactly when ``f" {phrase} "`` is a substring."""
    return " " + " ".join(_TOKENS.findall(text.lower())) + " "


class Text(str):
    """A text in normal form with the set of its words: a phrase whose first word is missing need
    not be searched for (most are)."""

    words: frozenset[str]

    def __new__(cls, text: str) -> "Text":
        normal = super().__new__(cls, normal_form(text))
        normal.words = frozenset(normal.split())
        return normal


@dataclass(frozen=True)
class Cue:
    phrases: tuple[tuple[str, str], ...]  # (first word, phrase padded with spaces), in normal form
    weight: float
    title: bool = False
    narrative: bool = False
    firsts: frozenset[str] = field(init=False)  # the phrases' first words: most cues are absent from a note

    def __post_init__(self) -> None:
        object.__setattr__(self, "firsts", frozenset(first for first, _ in self.phrases))

    def found(self, text: Text) -> bool:
        return not self.firsts.isdisjoint(text.words) and any(
            first in text.words and p in text for first, p in self.phrases)

    def count(self, text: Text, cap: int) -> int:
        if self.firsts.isdisjoint(text.words):
            return 0
        return sum(min(text.count(p), cap) for first, p in self.phrases if first in text.words)


@dataclass(frozen=True)
class DocumentKind:
    """The decision and the scores behind it (for explanations and tuning)."""

    kind: str
    operative: float
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def coded(self) -> bool:
        return self.kind == SPINE_OPERATIVE

    @property
    def skip_reason(self) -> str | None:
        if self.coded:
            return None
        if self.kind == OTHER_OPERATIVE:
            return OTHER_OPERATIVE
        return f"not an operative report: {self.kind}"


def _cues(items: list[dict]) -> tuple[Cue, ...]:
    return tuple(Cue(tuple((normal_form(p).split()[0], normal_form(p)) for p in c["phrases"]), c["weight"],
                     c.get("title", False), c.get("narrative", False)) for c in items)


@dataclass(frozen=True)
class _Config:
    data: dict
    operative: tuple[Cue, ...]
    kinds: dict[str, tuple[Cue, ...]]
    spine: tuple[Cue, ...]
    other: tuple[Cue, ...]


@lru_cache(maxsize=1)
def _config() -> _Config:
    data = load_json("documents.json")
    return _Config(data, _cues(data["operative"]), {k: _cues(v) for k, v in data["kinds"].items()},
                   _cues(data["spine_site"]), _cues(data["other_site"]))


def _score(cues: tuple[Cue, ...], normal: Text, title: Text) -> float:
    """Sum of the weights of the cues found (each once)."""
    return sum(c.weight for c in cues if c.found(title if c.title else normal))


def narrative_cues(text: str) -> int:
    """How many kinds of operative-narrative cue a text holds (patient brought in, positioned,
    prepped, incised, closed, counted)."""
    normal = Text(text)
    return sum(1 for c in _config().operative if c.narrative and c.found(normal))


def classify(text: str) -> DocumentKind:
    """The kind of document ``text`` is; ``.coded`` only for a spine operative report."""
    config = _config()
    data = config.data
    text = text[: data["scan_chars"]]  # what a document is shows early; long notes cost no more
    normal = Text(text)
    title = Text(text.lstrip()[: data["title_chars"]])
    operative = _score(config.operative, normal, title)
    scores = {kind: _score(cues, normal, title) for kind, cues in config.kinds.items()}
    best, best_score = max(scores.items(), key=lambda item: item[1])
    is_operative = operative >= data["operative_min"] and operative >= best_score + data["operative_margin"]
    if not is_operative and (best_score >= data["kind_min"] or best_score > operative):
        return DocumentKind(best, operative, scores)
    cap = data["site_count_cap"]
    spine = sum(c.weight * c.count(normal, cap) for c in config.spine)
    spine += data["spine_level_weight"] * min(len(_LEVEL.findall(text)), cap)
    other = sum(c.weight * c.count(normal, cap) for c in config.other)
    scores.update({"spine site": spine, "other site": other})
    kind = OTHER_OPERATIVE if other >= spine + data["site_margin"] else SPINE_OPERATIVE
    return DocumentKind(kind, operative, scores)
