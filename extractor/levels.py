"""Vertebral level grammar: find and normalize level mentions in raw text.

Levels are a small grammar rather than a lexicon (ranges, interspace shorthand such as "L4-5",
lists whose later items inherit the region, written ordinals), so they are parsed here with
regular expressions over characters. The vocabulary (ordinal words, pelvic terms) lives in
``rules/levels.json``. Everything returned is JSON-able.
"""
from __future__ import annotations

import heapq
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

from .resources import load_json

REGION_SIZES = (("C", 7), ("T", 12), ("L", 5), ("S", 5))
REGION_NAMES = {"C": "cervical", "T": "thoracic", "L": "lumbar", "S": "sacral"}

_ORDER: dict[str, int] = {}
_LABELS: list[str] = []
for _letter, _size in REGION_SIZES:
    for _n in range(1, _size + 1):
        _ORDER[f"{_letter}{_n}"] = len(_LABELS)
        _LABELS.append(f"{_letter}{_n}")
VERTEBRA_COUNT = len(_LABELS)


def vertebra_index(label: str) -> int:
    """Position of a vertebra along the column (C1 = 0); raises KeyError for an unknown label."""
    return _ORDER[label]


def vertebra_label(index: int) -> str:
    return _LABELS[index]


def region_of(label: str) -> str:
    """'cervical', 'thoracic', 'lumbar' or 'sacral' for a vertebra label such as 'T12'."""
    return REGION_NAMES[label[0]]


def interspace_label(upper: str, lower: str) -> str:
    """'T10-11' within a region, 'T12-L1' across regions."""
    if upper[0] == lower[0]:
        return f"{upper}-{lower[1:]}"
    return f"{upper}-{lower}"


def interspaces_around(vertebra: str) -> list[str]:
    """The interspaces above and below a vertebra ("L3" -> L2-3, L3-4; "C1" -> C1-2 only)."""
    i = vertebra_index(vertebra)
    return [interspace_label(_LABELS[j], _LABELS[j + 1]) for j in (i - 1, i) if 0 <= j < len(_LABELS) - 1]


@dataclass(frozen=True)
class Level:
    """One normalized level mention: a vertebra, an interspace or a range of vertebrae.

    ``start``/``end`` are vertebra labels, cephalad first. ``pelvis`` marks a range whose caudal end
    was written as the pelvis or ilium (counted to S1).
    """

    kind: str  # "vertebra" | "interspace" | "range"
    start: str
    end: str
    pelvis: bool = False

    @property
    def label(self) -> str:
        if self.kind == "vertebra":
            return self.start
        if self.kind == "interspace":
            return interspace_label(self.start, self.end)
        return f"{self.start}-{'pelvis' if self.pelvis else self.end}"

    def vertebrae(self) -> list[str]:
        lo, hi = vertebra_index(self.start), vertebra_index(self.end)
        return [vertebra_label(i) for i in range(lo, hi + 1)]

    def interspaces(self) -> list[str]:
        verts = self.vertebrae()
        return [interspace_label(a, b) for a, b in zip(verts, verts[1:])]

    def to_dict(self) -> dict:
        return _level_dict(self)

    def _as_dict(self) -> dict:
        return {"kind": self.kind, "label": self.label, "start": self.start, "end": self.end,
                "pelvis": self.pelvis, "vertebrae": self.vertebrae()}


@lru_cache(maxsize=8192)
def _level_dict(level: Level) -> dict:
    """The JSON-able form of a level, cached: op notes repeat the same few levels. Treat as read-only."""
    return level._as_dict()


def make_level(a: str, b: str | None = None, pelvis: bool = False) -> Level | None:
    """Build a Level from one or two vertebra labels, ordering them and choosing the kind."""
    if a not in _ORDER or (b is not None and b not in _ORDER):
        return None
    if b is None or a == b:
        return Level("vertebra", a, a, pelvis)
    lo, hi = sorted((vertebra_index(a), vertebra_index(b)))
    kind = "interspace" if hi - lo == 1 and not pelvis else "range"
    return Level(kind, vertebra_label(lo), vertebra_label(hi), pelvis)


# --------------------------------------------------------------------------- dorsal notation

_DORSAL = re.compile(r"(?<![A-Za-z0-9])D(?=(1[0-2]|[1-9])(?![0-9A-Za-z]))")
_DORSAL_LIST = re.compile(r"(?<![A-Za-z0-9])D(?:1[0-2]|[1-9])\s*(?:-|–|,|and|to|through)\s*(?:[DL]\s?)?\d")


_TH = re.compile(r"(?<![A-Za-z0-9])T[hH](?=(1[0-2]|[1-9])(?![0-9A-Za-z]))")
_TH_LIST = re.compile(r"(?<![A-Za-z0-9])T[hH](?:1[0-2]|[1-9])\s*(?:-|–|/|,|and|AND|to|TO|through)\s*(?:(?:T[hH]|L)\s?)?\d")
_THORACIC_NOTATIONS = (("D", _DORSAL, _DORSAL_LIST, "T"), ("T", _TH, _TH_LIST, "T "))


def thoracic_from_dorsal(text: str) -> str:
    """A note numbering the thoracic vertebrae as dorsal (D1-D12, as surgeons trained in India and
    parts of Europe write) read as T1-T12, and one writing them Th1-Th12 (German and Scandinavian
    usage) as "T 1"-"T 12", offsets unchanged. Only when the note writes them as levels are written:
    two different ones at least, one in a list or range ("D9, D10", "D5 to L2", "Th12/L1");
    "vitamin D3", "D5W" or "Th1 cells" alone leave a note as it is."""
    for prefix, pattern, listed, replacement in _THORACIC_NOTATIONS:
        if prefix in text and listed.search(text) and len({m.group(1) for m in pattern.finditer(text)}) >= 2:
            text = pattern.sub(replacement, text)
    return text


_SPOKEN_NUMBERS = {
    "one": 1, "won": 1, "two": 2, "to": 2, "too": 2, "three": 3, "four": 4, "for": 4, "fore": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "ate": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}
_HOMOPHONES = frozenset({"won", "to", "too", "for", "fore", "ate"})
_SPOKEN_REGIONS = {"tee": "T", "tea": "T", "el": "L", "elle": "L", "ell": "L"}
_SPOKEN = re.compile(
    r"(?<![A-Za-z0-9])(?P<region>(?i:tee|tea|elle|ell|el)|[CTLS]\.?)(?:[ \t]+|[ \t]*\n[ \t]*)(?P<number>(?i:"
    + "|".join(sorted(_SPOKEN_NUMBERS, key=len, reverse=True)) + r")|1[0-2]|[1-9])(?![A-Za-z0-9])")


def spoken_levels(text: str) -> str:
    """Levels as speech recognition writes them ("tee eleven, T. twelve, L won, el three") read as
    levels ("T11", "T12", "L1", "L3"; "tea 12" too), padded with spaces so that no offset changes. Only in a note that
    writes at least two so, one of them with a number no homophone ("three", not "to" or "for"):
    "C to" or "L for" alone leaves a note as it is."""
    found = [m for m in _SPOKEN.finditer(text) if _spoken_label(m)]
    if len(found) < 2 or all(m.group("number").lower() in _HOMOPHONES for m in found):
        return text
    pieces, pos = [], 0
    for m in found:
        label = _spoken_label(m)
        pieces += [text[pos:m.start()], label.ljust(m.end() - m.start())]
        pos = m.end()
    return "".join(pieces) + text[pos:]


def _spoken_label(m: re.Match) -> str | None:
    """A spoken region word takes a number in words or digits ("tea 12"); a letter only words ("T twelve"),
    since "T12" and "L 4" are levels already."""
    region, number = m.group("region").rstrip("."), m.group("number")
    if number.isdigit() and region.lower() not in _SPOKEN_REGIONS:
        return None
    region = _SPOKEN_REGIONS.get(region.lower(), region)
    label = f"{region}{number if number.isdigit() else _SPOKEN_NUMBERS[number.lower()]}"
    return label if label in _ORDER else None


@lru_cache(maxsize=1)
def repeated_at_pattern() -> re.Pattern:
    """"The same was then done at T10-11" (rules/decisions.json, levels.repeated_at): read by the text
    view's triage, which keeps such a sentence after an osteotomy, and by facts.osteotomy_levels."""
    return re.compile(load_json("decisions.json")["levels"]["repeated_at"], re.IGNORECASE)


@lru_cache(maxsize=1)
def repeated_at_place_pattern() -> re.Pattern:
    """"At L1 we did the same", "At L1 the facets ... were excised, in the same way": a repeat only in a sentence
    that opens on its place (rules/decisions.json, levels.repeated_at_place)."""
    return re.compile(load_json("decisions.json")["levels"]["repeated_at_place"], re.IGNORECASE)


@lru_cache(maxsize=1)
def next_levels_pattern() -> re.Pattern:
    """"Next two levels down done by me, same steps each level": interspaces counted on from the osteotomy told
    before (rules/decisions.json, levels.next_levels): read by the view's triage and by facts.osteotomy_levels."""
    return re.compile(load_json("decisions.json")["levels"]["next_levels"], re.IGNORECASE)


@lru_cache(maxsize=1)
def told_in_turn_pattern() -> re.Pattern:
    """"The third was made between L2 and L3": the next site of the osteotomy told before, by its ordinal
    (rules/decisions.json, levels.told_in_turn): read by the view's triage and by facts.osteotomy_levels."""
    return re.compile(load_json("decisions.json")["levels"]["told_in_turn"], re.IGNORECASE)


@lru_cache(maxsize=1)
def told_next_pattern() -> re.Pattern:
    """A sentence that gives the levels of the osteotomy told just before it ("These were at T7-8, T8-9
    and T9-10"; rules/decisions.json, levels.told_next): read by the view's triage and by
    facts.osteotomy_levels."""
    return re.compile(load_json("decisions.json")["levels"]["told_next"], re.IGNORECASE)


# --------------------------------------------------------------------------- grammar

_VOCAB = load_json("levels.json")
_ORDINALS: dict[str, int] = _VOCAB["ordinals"]
_REGION_WORDS: dict[str, str] = _VOCAB["region_words"]
_PELVIC_WORDS: dict[str, bool] = _VOCAB["caudal_end_words"]  # word -> counts as pelvic fixation end

_V = r"(?:[CTLS](?:\.[ \t]?|[ -])?|[ctls])\d{1,2}"  # L3, L-3, L 3, l3, L. 3 (speech recognition)
_NUM = r"\d{1,2}(?!\d|\.\d)"
_DASH = r"\s*(?:->|→|-{1,2}|–|—|/)\s*"  # "L1-2 -> L4-5": an arrow is a range too
_WORD_SEP = r"\s+(?:to|through|thru|down\s+to)\s+(?:the\s+)?"
_SEP = rf"(?:{_DASH}|{_WORD_SEP})"
_PELVIC = "|".join(sorted(map(re.escape, _PELVIC_WORDS), key=len, reverse=True))
_ORD = "|".join(sorted(map(re.escape, _ORDINALS), key=len, reverse=True))
_REG = "|".join(sorted(map(re.escape, _REGION_WORDS), key=len, reverse=True))

_BOUND_L = r"(?<![A-Za-z0-9])"
_BOUND_R = r"(?![A-Za-z0-9]|-weighted|\s*weighted|\s*-?\s*alar)"  # not "S2-alar-iliac"
# Two regexes: vertebra chains start with a region letter (a cheap first-character test), written
# levels with an ordinal word; searching them apart is much faster than one alternation.
_CHAIN = re.compile(rf"{_BOUND_L}(?=[CTLSctls])(?P<chain>{_V}(?:{_SEP}(?:{_V}|{_NUM}))*(?:{_SEP}(?:{_PELVIC}))?){_BOUND_R}",
                    re.IGNORECASE)
_NOUN = r"(?:\s+(?:vertebral\s+bodies|vertebral\s+body|vertebrae|vertebra|levels|level|segments|segment))?"
_WORDS = re.compile(
    rf"""{_BOUND_L}(?P<word>(?:{_ORD})(?:(?:\s*,\s*(?:and\s+)?(?:the\s+)?|\s+(?:and|through|to)\s+(?:the\s+)?)(?:{_ORD}))*\s+(?:{_REG})
         {_NOUN}(?:\s+(?:through|to|down\s+to)\s+(?:the\s+)?(?:(?:{_ORD})\s+(?:{_REG}){_NOUN}|(?:{_PELVIC})))?){_BOUND_R}""",
    re.VERBOSE | re.IGNORECASE,
)
# "L2, 3 and 4" / "T10-11, 11-12": bare numbers continuing a list inherit the region.
_CONTINUATION = re.compile(
    rf"\s*(?:,\s*(?:and\s+|&\s*)?|(?:and|&)\s+)(?P<bare>{_NUM}(?:{_DASH}{_NUM})?)"
    rf"(?![A-Za-z0-9]|\s*(?:mm|cm|ml|cc|mg|degrees?|°|%|units?|screws?|rods?|hours?|min))",
    re.IGNORECASE,
)
_PIECE = re.compile(rf"({_V}|{_NUM}|{_PELVIC})", re.IGNORECASE)


def _vertebra(text: str) -> str | None:
    """'L-3' / 'l 3' / 'L3' -> 'L3' (None when the number is outside the region)."""
    m = re.fullmatch(r"([CTLSctls])(?:\.[ \t]?|[ -])?(\d{1,2})", text.strip())
    if not m:
        return None
    label = f"{m.group(1).upper()}{int(m.group(2))}"
    return label if label in _ORDER else None


def _with_region(number: str, region: str) -> str | None:
    label = f"{region}{int(number)}"
    return label if label in _ORDER else None


@lru_cache(maxsize=8192)
def _parse_chain(text: str) -> Level | None:
    """Parse 'T10-L2', 'L4-5', 'T10 to the pelvis', 'L3-L4-L5' into one Level."""
    pieces = _PIECE.findall(text)
    labels: list[str] = []
    pelvis = False
    for piece in pieces:
        low = piece.lower()
        if low in _PELVIC_WORDS:
            pelvis = pelvis or _PELVIC_WORDS[low]
            labels.append("S1")
            continue
        if piece.isdigit():
            if not labels:
                return None
            label = _with_region(piece, labels[-1][0])
        else:
            label = _vertebra(piece)
        if label is None:
            return None
        labels.append(label)
    if not labels:
        return None
    if len(labels) == 1:
        return make_level(labels[0])
    idx = [vertebra_index(x) for x in labels]
    return make_level(vertebra_label(min(idx)), vertebra_label(max(idx)), pelvis)


@lru_cache(maxsize=1024)
def _parse_words(text: str) -> tuple[Level, ...]:
    """'the third lumbar vertebra' -> [L3]; 'fifth and sixth cervical' -> [C5, C6];
    'tenth through twelfth thoracic', 'first to the fifth lumbar' -> [T10-T12], [L1-L5]; 'third thoracic to
    the first lumbar vertebra' -> [T3-L1]; 'eleventh thoracic vertebra down to the sacrum' -> [T11-S1]."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    labels, pending, pelvis = [], [], False
    for w in words:  # each ordinal takes the region word that follows it ("third thoracic to first lumbar")
        if w in _ORDINALS:
            pending.append(_ORDINALS[w])
        elif w in _REGION_WORDS:
            labels += [_with_region(str(n), _REGION_WORDS[w]) for n in pending]
            pending = []
        elif w in _PELVIC_WORDS and labels:  # "the eleventh thoracic vertebra down to the sacrum"
            labels.append("S1")
            pelvis = _PELVIC_WORDS[w]
    if not labels or None in labels:
        return ()
    if any(w in ("through", "to") for w in words) and len(labels) == 2:
        level = make_level(labels[0], labels[1], pelvis)
        return (level,) if level else ()
    return tuple(lv for lv in (make_level(x) for x in labels) if lv)


@dataclass(frozen=True)
class LevelMatch:
    start: int
    end: int
    level: Level


_CANDIDATE = re.compile(r"(?<![A-Za-z0-9])(?:[CTLS](?:\.[ \t]?|[ -])?|[ctls])\d")


def _chains(text: str, start: int, end: int) -> Iterator[re.Match]:
    """Chain matches, tried only where a region letter and a digit start (a fast scan)."""
    pos = start
    for candidate in _CANDIDATE.finditer(text, start, end):
        if candidate.start() < pos:
            continue
        m = _CHAIN.match(text, candidate.start(), end)
        if m:
            pos = m.end()
            yield m


_REGION_WORD = re.compile(rf"{_BOUND_L}(?:{_REG})", re.IGNORECASE)


def _words(text: str, start: int, end: int) -> list[re.Match]:
    """Written levels ("the third lumbar vertebra"), looked for only just before region words,
    which are rare, instead of trying the ordinal alternation at every position."""
    found: list[re.Match] = []
    for region in _REGION_WORD.finditer(text, start, end):
        window_start = max(start, region.start() - 80)
        for m in _WORDS.finditer(text, window_start, min(end, region.end() + 60)):
            if m.start() <= region.start() < m.end() and (not found or m.start() >= found[-1].end()):
                found.append(m)
    return found


def _atoms(text: str, start: int, end: int) -> Iterator[re.Match]:
    """Chain and word matches in text order."""
    words = _words(text, start, end)
    if not words:
        yield from _chains(text, start, end)
        return
    yield from heapq.merge(_chains(text, start, end), words, key=lambda m: m.start())


def find_levels(text: str, start: int = 0, end: int | None = None) -> Iterator[LevelMatch]:
    """Yield every level mention in ``text[start:end]`` with character offsets into ``text``; two adjacent
    vertebrae "between T11 and T12" / "between the twelfth thoracic and first lumbar" are their interspace."""
    held: LevelMatch | None = None
    for found in _level_mentions(text, start, end):
        if held is not None and (joined := _between_pair(text, held, found)) is not None:
            yield joined
            held = None
            continue
        if held is not None:
            yield held
        held = found
    if held is not None:
        yield held


_AND_THE = re.compile(r"\s+and\s+(?:the\s+)?", re.IGNORECASE)


def _between_pair(text: str, first: LevelMatch, second: LevelMatch) -> LevelMatch | None:
    if first.level.kind != "vertebra" or second.level.kind != "vertebra":
        return None
    if not (_AND_THE.fullmatch(text, first.end, second.start) and _BETWEEN.search(text, max(0, first.start - 12), first.start)):
        return None
    joined = make_level(first.level.start, second.level.start)
    return LevelMatch(first.start, second.end, joined) if joined is not None and joined.kind == "interspace" else None


def _level_mentions(text: str, start: int = 0, end: int | None = None) -> Iterator[LevelMatch]:
    end = len(text) if end is None else end
    pos = start
    for m in _atoms(text, start, end):
        if m.start() < pos:
            continue  # inside a list continuation already consumed
        pos = m.end()
        if m.re is _WORDS:
            levels = _parse_words(m.group("word"))
            if _BETWEEN.search(text, max(0, m.start() - 12), m.start()):
                levels = _between(levels)
            for level in levels:
                yield LevelMatch(m.start(), m.end(), level)
            continue
        level = _parse_chain(m.group("chain"))
        if level is None:
            continue
        yield LevelMatch(m.start(), m.end(), level)
        if level.kind == "range":
            continue
        previous = level
        while True:
            c = _CONTINUATION.match(text, pos, end)
            if not c:
                break
            nxt = _continue(previous, c.group("bare"))
            if nxt is None:
                break
            yield LevelMatch(c.start("bare"), c.end("bare"), nxt)
            previous, pos = nxt, c.end()


_BETWEEN = re.compile(r"\bbetween\s+(?:the\s+)?$", re.IGNORECASE)


def _between(levels: tuple[Level, ...]) -> tuple[Level, ...]:
    """'between the second and third lumbar vertebrae': the interspace of two adjacent vertebrae."""
    if len(levels) == 2 and all(lv.kind == "vertebra" for lv in levels):
        joined = make_level(levels[0].start, levels[1].start)
        if joined is not None and joined.kind == "interspace":
            return (joined,)
    return levels


def _continue(previous: Level, bare: str) -> Level | None:
    """A bare '3' or '11-12' after a level: same region, and only going caudally."""
    region = previous.end[0]
    nums = re.findall(r"\d{1,2}", bare)
    labels = [_with_region(n, region) for n in nums]
    if any(x is None for x in labels):
        return None
    if vertebra_index(labels[0]) < vertebra_index(previous.start):
        return None
    return make_level(*labels) if len(labels) == 2 else make_level(labels[0])


@lru_cache(maxsize=4096)
def parse_level(text: str) -> Level | None:
    """Normalize one level expression ('L4/5', 'the third lumbar vertebra'); None unless exactly one."""
    found = list(find_levels(text))
    return found[0].level if len(found) == 1 else None


def region_vertebra(vertebrae: tuple[str, ...] | list[str], mode: str) -> str:
    """The vertebra that sets a site's region: the cephalad one (default) or, with ``mode`` "caudal",
    the caudal one of an interspace."""
    return vertebrae[-1] if mode == "caudal" else vertebrae[0]
