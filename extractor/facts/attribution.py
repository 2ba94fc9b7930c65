"""Which mention each vertebral level of a sentence belongs to.

A level right before a mention ("L3 PSO"), or in a list that a determiner opens and that ends right
before it ("the T12 and L2 screws"), belongs to it; otherwise to the nearest anchor before it
("Pontes at T10-11 and T11-12, and screws from T8 to L2"); levels opening a sentence go to its
first anchor. An osteotomy with several levels keeps the list that names its sites; one with none
may borrow the levels of the procedure it describes (rules/decisions.json, "levels").
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache

from ..levels import make_level, vertebra_index
from ..resources import load_json
from .mentions import LevelSpan, Mention, Sentence


@lru_cache(maxsize=1)
def _anchor_categories() -> frozenset[str]:
    return frozenset(name for name, c in load_json("categories.json")["categories"].items() if c["anchor"])


def _config() -> dict:
    return load_json("decisions.json")["levels"]


@lru_cache(maxsize=1)
def typing_elements() -> frozenset[str]:
    """The resected elements that can type an osteotomy (rules/decisions.json, osteotomy_typing)."""
    rules = load_json("decisions.json")["osteotomy_typing"]["rules"]
    return frozenset(e for r in rules for key in ("elements_any", "elements_all") for e in r.get(key, ()))


def attribute_levels(mentions: list[Mention], levels: list[LevelSpan], sentence_at: Callable[[int], Sentence],
                     text: str, unowned: list[LevelSpan] | None = None) -> list[Mention]:
    """The mentions again, each anchor with the levels of its sentence that belong to it; the levels of
    a sentence with anchors that none of them takes go to ``unowned`` (they are loose levels too)."""
    anchors_by_sentence: dict[Sentence, list[int]] = defaultdict(list)
    others_by_sentence: dict[Sentence, list[Mention]] = defaultdict(list)
    anchors = _anchor_categories()
    for i, m in enumerate(mentions):
        if m.category in anchors:
            anchors_by_sentence[m.sentence].append(i)
        else:
            others_by_sentence[m.sentence].append(m)
    assigned: dict[int, list[LevelSpan]] = defaultdict(list)
    levels_by_sentence: dict[Sentence, list[LevelSpan]] = defaultdict(list)
    for span in levels:
        levels_by_sentence[sentence_at(span.start)].append(span)
    for sentence, spans in levels_by_sentence.items():
        candidates = anchors_by_sentence.get(sentence)
        if not candidates:
            continue
        first_start = min(mentions[i].start for i in candidates)
        others = tuple(o for o in others_by_sentence.get(sentence, ()) if o.meta.get("element") != "pedicle")
        screws_levelled = any(ls.start > first_start for ls in spans)  # levels after the first anchor
        for span in spans:
            owner = _owner(span, [mentions[i] for i in candidates], candidates, text, others, screws_levelled)
            if owner is not None:
                assigned[owner].append(span)
            elif unowned is not None:
                unowned.append(span)
    out = [replace(m, levels=tuple(assigned[i])) if assigned.get(i) else m for i, m in enumerate(mentions)]
    typing = typing_elements()
    describes_resection = {m.sentence for m in mentions if m.category == "RESECTION" and m.meta["element"] in typing}
    for sentence_anchors in anchors_by_sentence.values():
        for position, i in enumerate(sentence_anchors):
            if out[i].category == "OSTEOTOMY":
                out[i] = _osteotomy_levels(out[i], [out[j] for j in sentence_anchors], position, text,
                                           out[i].sentence in describes_resection)
    return out


def loose_levels(mentions: list[Mention], levels: list[LevelSpan], sentence_at: Callable[[int], Sentence],
                 unowned: list[LevelSpan] = ()) -> dict[Sentence, tuple[LevelSpan, ...]]:
    """The levels no anchor mention took, by sentence: those of sentences without an anchor, and the
    ``unowned`` ones of sentences with anchors (see ``attribute_levels``)."""
    anchored = {m.sentence for m in mentions if m.category in _anchor_categories()}
    loose: dict[Sentence, list[LevelSpan]] = defaultdict(list)
    for span in levels:
        sentence = sentence_at(span.start)
        if sentence not in anchored:
            loose[sentence].append(span)
    for span in unowned:
        loose[sentence_at(span.start)].append(span)
    return {k: tuple(sorted(v, key=lambda ls: ls.start)) for k, v in loose.items()}


def _owner(span: LevelSpan, anchors: list[Mention], indexes: list[int], text: str,
           others: tuple[Mention, ...] = (), screws_levelled: bool = False) -> int | None:
    """Index of the anchor a level belongs to (see the module docstring); None for the level cell of a
    table row run onto the row before it, when nothing in its own row takes it, and for a level opening
    a sentence that is not its first anchor's (``_opening_belongs``; ``others``: the mentions that are no
    anchor, but for the pedicles, where screws go; ``screws_levelled``: the sentence has levels after its
    first anchor)."""
    gap = _config()["adjacent_gap"]
    s, e = span.start, span.end
    if _SKIPPED_AFTER.match(text, e) or _SKIPPED_BEFORE.search(text, max(0, s - 48), s):
        return None  # "screws placed as listed above, C7 and T1 left free to allow the osteotomies", "none were placed at L3"
    following = [i for a, i in zip(anchors, indexes) if 0 <= a.start - e <= gap and not text[e:a.start].strip(" -")
                 or _COLUMN_GAP.fullmatch(text, e, a.start) and not _FIELD_AFTER.match(text, a.end)]
    if following:
        return following[0]
    named = [i for a, i in zip(anchors, indexes) if a.category == "OSTEOTOMY" and 0 < a.start - e <= _NAMED_REACH
             and _NAMED_AS.fullmatch(text, e, a.start)]
    if named:  # "the L1-2, L2-3 and L3-4 resections are Ponte osteotomies, and the L4-5 resection is called a grade 2 ..."
        return named[0]
    if _DETERMINER.search(text, max(0, s - 12), s):
        listed = [i for a, i in zip(anchors, indexes)
                  if 0 < a.start - e <= _LIST_REACH and _LIST_BEFORE.fullmatch(text, e, a.start)]
        if listed:  # "between the T12 and L2 screws" (not "Pontes at T10-11 and L3 PSO")
            return listed[0]
    if _ROW_LABEL.match(text, e) and text[s - 1:s].isspace():
        later = [i for a, i in zip(anchors, indexes) if a.start >= e]
        if later and not any(a.end <= s for a in anchors):
            return later[0]  # "T12     --     --     Osteotomy (PSO, 30 deg)": the row's own level
        return None  # "-- (PSO) L4      8.5 x 50 mm": the next row's level, not the PSO's
    before = [(a, i) for a, i in zip(anchors, indexes) if a.end <= s]
    if len(before) > 1 and _landmark(before[-1][0], text) and _GOES_ON.match(text, before[-1][0].end, s):
        return before[-2][1]
    if before:
        last = before[-1][0]
        if last.category == "OSTEOTOMY" and _LEVELS_LABEL.search(text, max(0, s - 20), s):
            listed = [(a, i) for a, i in before[:-1] if a.category in ("FUSION", "INSTRUMENT")]
            if listed and not _FIELD_BETWEEN.search(text, listed[-1][0].end, last.start):
                return listed[-1][1]  # "Fusion and instrumentation with Ponte osteotomies" / "Levels: T4-L1": the fusion's
        if ";" in text[last.end:s] and last.category == "INSTRUMENT" and last.meta.get("role") == "device":
            return None  # "to load the cage; gentle in situ bending L2-L4": not the cage's level
        if (last.category == "OSTEOTOMY" and _REFERS_BACK.search(text, max(0, last.start - 12), last.start)
                and (last.meta.get("type") is None or not _OF_THE.search(text, max(0, last.start - 12), last.start))
                and any(0 <= o.start - e <= gap for o in others)):
            # "lamina of the osteotomy vertebra ... the lower edge of the C6 lamina", "the L1 facets were already
            # gone with the PSO, only the L2 superior articular processes were removed": the anatomy's level
            return None
        then = _THEN_ELSEWHERE.search(text, last.end, s + 4) if last.category == "OSTEOTOMY" else None
        if then and then.end() <= s:
            return None  # "compression across L4-5 to close the Ponte gap, then across L5-S1 over the cage"
        return before[-1][1]
    first, index = min(zip(anchors, indexes), key=lambda pair: pair[0].start)
    return index if _opening_belongs(span, first, text, others, screws_levelled) else None


def _opening_belongs(span: LevelSpan, first: Mention, text: str, others: tuple[Mention, ...],
                     screws_levelled: bool) -> bool:
    """Does a level opening a sentence belong to its first anchor? Yes ("At L3 the PSO was done", "L3-S1
    laminae were exposed and pedicle screws inserted at each level"), but not to screws or rods told
    after a semicolon ("midline incision from L3 to S1 ...; pedicle screws L4, L5"), far along a run-on
    sentence ("..., then the identical resection was carried out at L3-4, ..., the rods"), or placed at
    levels of their own after a level that names anatomy ("preserving the T2-3 and L2-3 facet capsules
    ..., pedicle screws were placed at every level from T3 to L2")."""
    e = span.end
    semicolon = text.find(";", e, first.start)
    if semicolon != -1 and any(e <= o.start < semicolon for o in others) and _LEVEL_WORD.search(text, semicolon, first.start):
        # "At L2-3 and L3-4 both facet joints and the ligamentum flavum were resected ...; at L4-5 a laminectomy": the
        # clause before tells work of its own and the next opens on its own level (not "At L3 the spinous process and
        # lamina were removed; a PSO was then carried out")
        return False
    if first.category != "INSTRUMENT" or first.meta.get("role") == "device":
        return True
    if first.start - e > _OPENING_REACH:
        return False
    if _DISC_BEFORE.search(text, max(0, span.start - 12), span.start):
        return False  # "excision of calcified thoracic disc T9-10, with pedicle screw fixation": the disc's level
    gap = _config()["adjacent_gap"]
    names_anatomy = any(0 <= o.start - e <= gap or _LIST_BEFORE.fullmatch(text, e, o.start) for o in others) or (
        _APPROACH_BEFORE.search(text, max(0, span.start - 80), span.start) is not None)
    return not (names_anatomy and screws_levelled)


# A table row's level and its first cell: "T11      Pedicle screw 5.0 x 35" (a row run onto the one
# before it by an export keeps the level with its own row).
_COLUMN_GAP = re.compile(r"[ \t]{2,30}")
_LEVEL_WORD = re.compile(r"\b[CTLS]\d{1,2}\b")
_FIELD_BETWEEN = re.compile(r"[:\[\]]")  # another field between two procedures: each has its own levels
_LEVELS_LABEL = re.compile(r"\blevels?(?:[ \t]*\(s\))?[ \t]*:?[ \t\[]*$", re.IGNORECASE)  # "Levels: T4-L1"
# Levels told as left without anything: "C7 and T1 left free", "T12 and L1 were skipped", "L3-4 left alone"
_SKIPPED_AFTER = re.compile(r"(?:[ \t]*(?:,|and|or)[ \t]*[CTLS]\d{1,2})*[ \t]+(?:were[ \t]+|was[ \t]+)?(?:left[ \t]+"
                            r"(?:free|empty|open|uninstrumented|without|alone|untouched)\b(?!-?hand)|skipped\b|not[ \t]+instrumented\b)",
                            re.IGNORECASE)
# Levels told as left out before them: "none were placed at L3", "no screws in L3", "skipping L3"
_SKIPPED_BEFORE = re.compile(r"(?:\bnone[ \t]+(?:were|was)[ \t]+(?:placed|inserted|put)|\bno[ \t]+(?:screws?|fixation|anchors?)"
                             r"(?:[ \t]+(?:were|was))?(?:[ \t]+(?:placed|inserted|put))?|\bskipping|\bsparing)"
                             r"[ \t]+(?:(?:at|in|into|the)[ \t]+)*$", re.IGNORECASE)
_FIELD_AFTER = re.compile(r"[ \t]*:")  # "Fusion levels: T8-L3     Ponte osteotomy: T12-L1": the next field's label
# A level cell, then the row's first value ("8.5 x 50 mm", "--"), not the number of a list's next item.
_ROW_LABEL = re.compile(r"[ \t]{2,30}(?!\d{1,2}[.)][ \t])(?:\d|--)")
# The rest of a list of levels that ends right before a mention: ", T11 and T12 " / " and L2 ".
_LIST_BEFORE = re.compile(r"(?:[ \t]*(?:,[ \t]*(?:and[ \t]+)?|and[ \t]+|&[ \t]*)[CTLS]\d{1,2}(?:[ \t]*-[ \t]*[CTLS]?\d{1,2})?)+"
                          r"[ \t]{0,3}", re.IGNORECASE)
_LIST_REACH = 60
# Levels a sentence names as a type: "the L1-2 and L2-3 resections are Ponte osteotomies", "the L4-5 cut is called a grade 2
# osteotomy", "T10-11 and T11-12 were Smith-Petersen osteotomies".
_NAMED_AS = re.compile("(?:" + _LIST_BEFORE.pattern + r")?\s+(?:(?:resections?|cuts?|sites?|levels?|ones?)\s+)?(?:is|are|was|were)"
                       r"\s+(?:(?:called|termed|considered|classed|classified|labell?ed|counted|coded)\s+(?:as\s+)?)?"
                       r"(?:an?\s+)?", re.IGNORECASE)
_NAMED_REACH = 120
_OPENING_REACH = 150  # characters from a level opening a sentence to the first mention it may belong to
_DETERMINER = re.compile(r"\b(?:the|both)[ \t]+$", re.IGNORECASE)
# "a midline incision was made from T9 to L4", "subperiosteal dissection was carried out to the transverse processes
# from T10 to L3": the approach's extent, not where screws went (when the screws name levels of their own)
_APPROACH_BEFORE = re.compile(r"\b(?:incision|exposure|dissection|exposed|stripped)\b[^.;]{0,60}?\b(?:from|over)[ \t]+"
                              r"(?:the[ \t]+)?$", re.IGNORECASE)
_DISC_BEFORE = re.compile(r"\bdis[ck]s?(?:\s+(?:space|herniation))?[ \t]*$", re.IGNORECASE)
_REFERS_BACK = re.compile(r"\b(?:of|at|with|by)[ \t]+the[ \t]+$", re.IGNORECASE)  # ... an osteotomy named before
_OF_THE = re.compile(r"\b(?:of|at)[ \t]+the[ \t]+$", re.IGNORECASE)  # "the pedicles of the osteotomy vertebra"
_GOES_ON = re.compile(r"[^.;]*?(?:,|\band\b|\bas well as\b)", re.IGNORECASE)


@lru_cache(maxsize=1)
def _landmark_before() -> re.Pattern:
    words = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in _config()["landmark_words"])
    return re.compile(rf"\b(?:{words})\s+(?:the\s+|this\s+|that\s+|both\s+|each\s+of\s+the\s+|all\s+(?:of\s+)?the\s+)?$",
                      re.IGNORECASE)


def _landmark(m: Mention, text: str) -> bool:
    """An osteotomy named as a landmark ("above the osteotomy") rather than as work done at levels."""
    return m.category == "OSTEOTOMY" and bool(_landmark_before().search(text, max(0, m.start - 24), m.start))


_EACH_SITE = re.compile(r"\b(?:at\s+)?(?:each|every)\s+(?:interspace|level|segment|disc\s+space)\b", re.IGNORECASE)
# A template field whose label says its levels are osteotomy sites: "Osteotomy level(s): T11-L2", "Osteotomy site #2:"
OSTEOTOMY_LEVELS_FIELD = re.compile(r"osteotom\w*[ \t]+(?:level|site)s?(?:\(s\))?(?:[ \t]*#?\d{1,2})?[ \t]*:", re.IGNORECASE)


def _osteotomy_levels(m: Mention, anchors: list[Mention], position: int, text: str, resection: bool) -> Mention:
    joined = _AND_THE if _landmark(m, text) else _PLUS
    if any(joined.fullmatch(text, m.end, ls.start) for ls in m.levels):
        # "compression across SPOs + L5-S1", "across each of the osteotomies and the L4-5 interbody level":
        # the level joined after the osteotomy named as a landmark is another procedure's
        m = replace(m, levels=tuple(ls for ls in m.levels if not joined.fullmatch(text, m.end, ls.start)))
        if not m.levels:
            return m  # nor does it borrow that level from its sentence
    if m.meta["type"] is None and m.levels and not resection and all(ls.level.kind == "range" for ls in m.levels) and not (
            _EACH_SITE.search(text, m.end, max(m.end, min(ls.start for ls in m.levels)))
            or OSTEOTOMY_LEVELS_FIELD.match(text, m.start)):
        # "the bone removed in the osteotomies was laid from L1 to S1": a span, not osteotomy sites (but "the osteotomies,
        # done at each interspace from the first to the fifth lumbar vertebra", and an "Osteotomy level(s): T11-L2" field)
        return replace(m, levels=())
    if m.meta["type"] in _WEDGE_TYPES and not m.text.lower().endswith("s") and (one := _one_interspace(m.levels)):
        return replace(m, levels=one)
    if len(m.levels) > 1:
        return replace(m, levels=site_group(text, m))
    if not m.levels:
        borrowed = shared_levels(m, anchors, position, text)
        return replace(m, levels=borrowed) if borrowed else m
    return m


_WEDGE_TYPES = frozenset({"wedge", "wedge_shape"})
# "T9, then T10, then T11": a level after "then" is a list item only where the item ends there (not "then
# L1 and L2 were decorticated").
_THEN = re.compile(r"\b(?:then|lastly|finally)\b", re.IGNORECASE)  # a list going on only while each item ends
# A next step after an osteotomy, elsewhere ("..., then across L5-S1"), not its list going on ("..., then at T11-12",
# "..., then the identical resection was carried out at L3-4").
_THEN_ELSEWHERE = re.compile(r",\s*then\s++(?!at\b|and\b|[CTLS]\d|again\b|similarly\b"
                             r"|(?:the|an?)[ \t]+(?:same|identical|similar)\b)", re.IGNORECASE)
_ITEM_END = re.compile(r"\s*(?:[,.;:]|\bthen\b|\band\s+(?:lastly|finally)\b|$)", re.IGNORECASE)
_AND_AT = re.compile(r"(?:\s+for\s+(?:the\s+)?[a-z][a-z \t\n-]{1,40}?)?,?\s+and\s+(?:also\s+)?(?:at|between\s+(?:the\s+)?)\s*",
                     re.IGNORECASE)  # "... and at L3-4", "... and between the twelfth thoracic and first lumbar"
_PLUS = re.compile(r"\s*\+\s*")
_AND_THE = re.compile(r"\s*(?:\+|and\s+(?:the\s+|at\s+)?)\s*", re.IGNORECASE)


def _one_interspace(levels: tuple[LevelSpan, ...]) -> tuple[LevelSpan, ...]:
    """A wedge resected between two adjacent vertebrae is one site, the interspace, however the
    sentence names it ("a wedge from the laminae of L2 and L3", "at L1-2 ... bounded by the L1 and L2
    pedicles"); other level sets are left to ``site_group``."""
    vertebrae = {v for ls in levels for v in ls.level.vertebrae()}
    if len(levels) < 2 or len(vertebrae) != 2:
        return ()
    upper, lower = sorted(vertebrae, key=vertebra_index)
    if vertebra_index(lower) - vertebra_index(upper) != 1:
        return ()
    first = min(levels, key=lambda ls: ls.start)  # its words are the evidence, as the note wrote them
    return (first._replace(level=make_level(upper, lower)),)


def shared_levels(m: Mention, anchors: list[Mention], i: int, text: str) -> tuple[LevelSpan, ...]:
    """Levels for an osteotomy mention that names none, from the procedure it describes in the same
    sentence: "an anterior osteotomy with discectomy at L4-5", "At T11-12 and T12-L1, complete
    facetectomies ... were performed as Ponte-type osteotomies", or for a named type from the one
    unnamed osteotomy after it whose levels follow the word "levels" ("Osteotomy type: Ponte / Osteotomy
    levels: T6, T7"), never from an earlier one ("after the L4 osteotomy and the Ponte releases")."""
    config = _config()
    if m.meta.get("family") in config["families_never_borrow"]:
        return ()
    nxt = next((a for a in anchors[i + 1:] if a.levels), None)
    if nxt and nxt.category in config["borrow_from_next_categories"]:
        return nxt.levels
    prev = next((a for a in reversed(anchors[:i]) if a.levels), None)
    if prev and prev.category == "NON_OSTEOTOMY" and prev.kind in config["borrow_from_previous_kinds"]:
        return prev.levels
    fields = [a for a in anchors[i + 1:] if a.category == "OSTEOTOMY" and a.meta.get("type") is None and a.levels
              and _LEVELS_WORD.search(text, a.end, a.levels[0].start)]
    if m.meta.get("type") not in (None, "wedge_shape") and len(fields) == 1:
        return fields[0].levels  # "[Osteotomy type: Ponte] [Osteotomy levels: T6, T7, T8, T9]"
    return ()


_LEVELS_WORD = re.compile(r"\blevels?\b|\blevel\(s\)", re.IGNORECASE)


_LIST_GAP = re.compile(r"(?:[\s,;&/()+]|\b(?:and|or|as well as|through|thru|to|at|the|plus|then|levels?|one|another|above|below"
                       r"|second|third|fourth|fifth|sixth|last|lastly|finally)\b)*",
                       re.IGNORECASE)  # "one at T7, one at T8 and one at T9", "the first at L1-2, the second at L2-3"


def first_list(text: str, spans: tuple[LevelSpan, ...]) -> tuple[LevelSpan, ...]:
    """The first list of levels among ``spans`` ("At T8-9, the margins of the T8 and T9 laminae ..." -> T8-9)."""
    ordered = sorted(spans, key=lambda x: x.start)
    out = ordered[:1]
    for item in ordered[1:]:
        if not _LIST_GAP.fullmatch(text, out[-1].end, item.start):
            break
        out.append(item)
    return tuple(out)


def site_group(text: str, m: Mention) -> tuple[LevelSpan, ...]:
    """The levels an osteotomy names as its sites: the list right before it ("T12 and L1 PSOs")
    or else the first list after it and the lists that go on "... and at"; other levels of the sentence only
    describe the resection."""
    groups: list[list[LevelSpan]] = []
    for item in sorted(m.levels, key=lambda x: x.start):
        gap = text[groups[-1][-1].end:item.start] if groups else ""
        if groups and _LIST_GAP.fullmatch(gap) and (not _THEN.search(gap) or _ITEM_END.match(text, item.end)):
            groups[-1].append(item)
        else:
            groups.append([item])
    before = [g for g in groups if g[-1].end <= m.start]
    if before and not text[before[-1][-1].end:m.start].strip(" ,-"):
        return tuple(before[-1])
    after = [g for g in groups if g[0].start >= m.end]
    if not after:
        return tuple(before[-1])
    sites = list(after[0])
    for previous, group in zip(after, after[1:]):  # "at T7-8 and T8-9 for the kyphosis and at L3-4 and L4-5"
        if not _AND_AT.fullmatch(text, previous[-1].end, group[0].start):
            break
        sites += group
    return tuple(sites)
