"""Where an osteotomy's levels are told outside its own sentence: the place set just before a bare
wedge, the sentence saying the same was done again at another level, the items listed below a colon,
the ticked rows of a table column, a template's "Osteotomy level(s):" field, and the next sentence
when it only says where ("These were at T7-8 and T8-9")."""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import replace

from ..levels import (VERTEBRA_COUNT, make_level, next_levels_pattern, repeated_at_pattern, repeated_at_place_pattern,
                      told_in_turn_pattern, told_next_pattern, vertebra_index, vertebra_label)
from ..resources import load_json
from ..sentences import TABLE_HEADER
from .attribution import OSTEOTOMY_LEVELS_FIELD, first_list
from .mentions import BODY, NOT_DONE, LevelSpan, Mention, MentionIndex, Sentence
from .resections import cuts


def names_type(m: Mention) -> bool:
    """Does the mention name an osteotomy type ("PSO", "wedge osteotomy")? The bare word "wedge" does not:
    it is read from the resection around it (rules/decisions.json, osteotomy_typing)."""
    return bool(m.meta.get("type")) and m.meta["type"] != "wedge_shape"


def wedge_place(m: Mention, index: MentionIndex) -> Mention:
    """A bare "wedge" told without a level takes the levels of the sentence just before when that sentence
    only sets the place ("Apex of the kyphosis confirmed at T12/L1. - Spinous processes ... across that
    junction removed as a posterior wedge"); it is typed afterwards as any wedge (osteotomy_typing)."""
    gap = load_json("decisions.json")["osteotomy_typing"]["place_sentence_max_gap"]
    if m.meta["type"] != "wedge_shape" or m.levels or m.role != BODY:
        return m
    before = [s for s in index.loose_levels if s[1] <= m.sentence[0]]
    place = max(before, default=None)
    if place is None or m.sentence[0] - place[1] > gap:
        return m
    if any(s[0] >= place[1] and s[1] <= m.sentence[0] for s in index.sentences_near(place[1], m.sentence[0])):
        return m  # a sentence between them
    return replace(m, levels=tuple(span._replace(sentence=place) for span in index.loose_levels[place]))


def repeated_at(index: MentionIndex) -> dict[int, tuple]:
    """Levels a sentence without a mention adds to the osteotomy told just before it ("The bar was
    osteotomized at T9-10 first ... The same was then done at T10-11"), by id of that mention
    (rules/decisions.json, levels.repeated_at)."""
    config = load_json("decisions.json")["levels"]
    pattern = repeated_at_pattern()
    osteotomies = [m for m in index.of("OSTEOTOMY") if m.counted]
    added: dict[int, tuple] = defaultdict(tuple)
    for sentence, spans in index.loose_levels.items():
        if not osteotomies or not (pattern.search(index.text, *sentence) or _repeated_at_its_place(index.text, sentence)):
            continue
        before = [m for m in osteotomies if m.end <= sentence[0] and sentence[0] - m.end <= config["repeated_within_chars"]]
        if before and not _other_step_between(index, before[-1].end, sentence[0]):
            added[id(before[-1])] += tuple(span._replace(sentence=sentence) for span in spans)
    return added


def counted_on(index: MentionIndex) -> dict[int, tuple]:
    """Interspaces a sentence without an osteotomy counts on from the osteotomy told just before it ("First Ponte
    (T11/12) done by consultant ... Next two levels down done by me, same steps each level": T12-L1 and L1-2), by id
    of that mention (rules/decisions.json, levels.next_levels)."""
    within = load_json("decisions.json")["levels"]["repeated_within_chars"]
    osteotomies = [m for m in index.of("OSTEOTOMY") if m.counted and m.levels]
    added: dict[int, tuple] = defaultdict(tuple)
    for found in next_levels_pattern().finditer(index.text) if osteotomies else ():
        before = [m for m in index.of("OSTEOTOMY") if m.end <= found.start()]
        anchor = before[-1] if before else None
        if anchor is None or anchor not in osteotomies or anchor.sentence[1] > found.start() or (
                found.start() - anchor.end > within or _other_step_between(index, anchor.end, found.start())):
            continue
        line = (index.text.rfind("\n", 0, found.start()) + 1, found.end())
        added[id(anchor)] += _counted_from(anchor, found, line)
    return added


_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5}
_DOWN = ("down", "below", "caudal", "caudally", "distal", "distally")


def _counted_from(m: Mention, found: re.Match, sentence: Sentence) -> tuple:
    """The interspaces ``found`` counts on from the mention's sites, in its direction."""
    count = _COUNTS.get(found.group("count").lower()) or int(found.group("count"))
    step = 1 if found.group("direction").lower() in _DOWN else -1
    ends = [vertebra_index(v) for lv in m.level_values() for v in lv.vertebrae()]
    start = max(ends) if step == 1 else min(ends)
    spans = []
    for k in range(count):
        a, b = start + step * k, start + step * (k + 1)
        level = make_level(vertebra_label(a), vertebra_label(b)) if 0 <= min(a, b) and max(a, b) < VERTEBRA_COUNT else None
        if level is None:
            return ()
        spans.append(LevelSpan(found.start(), found.end(), found.group(), level, sentence))
    return tuple(spans)


def told_in_turn(index: MentionIndex) -> dict[int, tuple]:
    """Sites told one sentence each by their ordinal after the osteotomy told before them ("The second osteotomy was
    between the first and second lumbar vertebrae ... The third was made between the second and third, the facets
    being taken ... The fourth and last was between the third and fourth"): their levels, by id of that mention; the
    first such sentence must cut bone or name the cut ("the third osteotomy") unless the osteotomy before it was
    numbered ("The first osteotomy was made ... The second was made ..."), each one the next number, within
    ``repeated_within_chars`` of the site before it, with no other procedure or device between them."""
    within = load_json("decisions.json")["levels"]["repeated_within_chars"]
    added: dict[int, tuple] = defaultdict(tuple)
    anchor, last_end, number, chained = None, 0, 1, False
    for sentence in index.told_sentences:
        own = [m for m in index.in_sentence(sentence) if m.category == "OSTEOTOMY" and m.counted]
        if own:
            anchor, last_end = own[-1], sentence[1]
            said = _ORDINAL_NUMBERS.get(_ordinal_before(index.text, anchor))  # "The first osteotomy was made ..."
            number, chained = said or 1, said is not None  # a sequence the writer numbers goes on by number alone
            continue
        turn = told_in_turn_pattern().match(index.text, *sentence)
        if anchor is None or turn is None or sentence[0] - last_end > within:
            continue
        told = _ORDINAL_NUMBERS.get(turn.group("ordinal").lower())
        named = turn.group("noun") is not None or cuts(index, sentence)
        spans = first_list(index.text, levels_of(index, sentence))
        if spans and (chained or named) and told in (number + 1, None if chained else -1) and not _other_step_between(
                index, last_end, sentence[1]):
            added[id(anchor)] += tuple(span._replace(sentence=sentence) for span in spans)
            last_end, number, chained = sentence[1], told or number + 1, True
    return added


_ORDINAL_NUMBERS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
                    "next": None, "last": None, "final": None}


def _ordinal_before(text: str, m: Mention) -> str:
    """The ordinal word just before a mention ("The second osteotomy" -> "second")."""
    words = re.findall(r"[a-z]+", text[max(0, m.start - 12):m.start].lower())
    return words[-1] if words else ""


def _repeated_at_its_place(text: str, sentence: Sentence) -> bool:
    opening = told_next_pattern().match(text, *sentence)
    return bool(opening and opening.group("place") and repeated_at_place_pattern().search(text, *sentence))


_STEPS = frozenset({"NON_OSTEOTOMY", "INSTRUMENT", "FUSION", "GRAFT"})
_NOT_STEPS = frozenset({"osteotome_instrument"})  # "straight and curved osteotomes were used": the same step


def _other_step_between(index: MentionIndex, start: int, end: int) -> bool:
    """Is another procedure or device told between an osteotomy and "the same was then done"? Then the
    same is that step ("a laminotomy at L4-5 ... The same was then done at L5-S1")."""
    return any(m.category in _STEPS and m.kind not in _NOT_STEPS and start <= m.start < end for m in index)


_TICKED = re.compile(r"\[[xX✓]\]|✓")
_CELL_SLACK = 3  # characters a tick may sit left or right of its column heading


def table_column(m: Mention, index: MentionIndex) -> Mention:
    """A named osteotomy that heads a column of a per-level table takes the levels of the rows ticked in
    that column ("Level  L screw  R screw  Ponte" / "T6  4.0 x 35  5.5 x 40  [x]"): each row is a
    sentence that starts with its level."""
    if m.levels or m.role != BODY or not names_type(m) or not TABLE_HEADER.search(index.text, *m.sentence):
        return m
    column = m.start - (index.text.rfind("\n", 0, m.start) + 1)
    end, spans = m.sentence[1], []
    for row in sorted(s for s in index.loose_levels if s[0] >= end):
        gap = index.text[end:row[0]]
        first = index.loose_levels[row][0]
        if gap.strip(" \t\n-=|+") or first.start != row[0]:
            break
        line = index.text.rfind("\n", 0, row[0]) + 1
        if _TICKED.search(index.text, line + max(0, column - _CELL_SLACK), line + column + len(m.text) + _CELL_SLACK):
            spans.append(first._replace(sentence=row))  # ticked under the osteotomy's own column
        end = row[1]
    return replace(m, levels=tuple(spans)) if spans else m


_FIELD_OPENS = re.compile(r"(?:^|\n|\[)[ \t]*$")  # a field's label starts its line or its brackets
_NUMBERED_FIELD = re.compile(r"osteotom\w*[ \t]+(?:level|site)[ \t]*#?\d{1,2}[ \t]*:", re.IGNORECASE)


def levels_fields(index: MentionIndex) -> tuple[Mention, ...]:
    """A template's "Osteotomy level(s): {L1-L2, L2-L3}" field below a ticked type ("[x] Ponte /
    Smith-Petersen"), or its numbered fields ("[Osteotomy level 1: T11-T12]" / "[Osteotomy level 2: ...]"),
    when every osteotomy the narrative names without levels is of one family: their levels are its sites
    (a range, "T11-L2", only for posterior-column ones: the interspaces it spans)."""
    fields = tuple(m for m in index.of("OSTEOTOMY") if m.meta["type"] is None and m.present and m.levels
                   and (m.start == m.sentence[0] or _FIELD_OPENS.search(index.text, max(0, m.start - 12), m.start))
                   and OSTEOTOMY_LEVELS_FIELD.match(index.text, m.start))
    unlevelled = {(m.meta.get("family"), m.meta["type"]) for m in index.of("OSTEOTOMY")
                  if names_type(m) and m.present and not m.levels}
    families = {family for family, _ in unlevelled}
    numbered = len(fields) > 1 and all(_NUMBERED_FIELD.match(index.text, m.start) for m in fields)
    if families != {"posterior"} and any(ls.level.kind == "range" for f in fields for ls in f.levels):
        return ()  # "T11-L2" spans interspaces of posterior-column sites; no three-column count is read off a range
    return fields if len(families) == 1 and (len(fields) == 1 or numbered) else ()


def levels_listed_below(m: Mention, index: MentionIndex) -> Mention:
    """An osteotomy told without a level in a sentence that ends with a colon takes the levels listed
    right below it ("Three chevron osteotomies were performed at the following interspaces:" / "1. T7-8"
    / "2. T8-9" / "3. T9-10"): the level-only items that follow it with nothing in between."""
    if m.levels or m.role != BODY or not index.text[m.sentence[0]:m.sentence[1]].rstrip().endswith(":"):
        return m
    if _other_step_between(index, m.end, m.sentence[1]):
        return m  # "After the Ponte osteotomies, pedicle screws were inserted at the following levels:"
    end, spans = m.sentence[1], []
    for item in sorted(s for s in index.loose_levels if s[0] >= end):
        if index.text[end:item[0]].strip():
            break
        spans += [span._replace(sentence=item) for span in index.loose_levels[item]]
        end = item[1]
    return replace(m, levels=tuple(spans)) if spans else m


def told_next(m: Mention, index: MentionIndex) -> Mention:
    """An osteotomy told without a level takes the levels of the sentence right after it when that
    sentence refers back to it and only says where ("Three posterior column osteotomies were performed.
    These were at T7-8, T8-9 and T9-10, each including the spinous process ..."), or opens on the place
    where it cut bone ("At L1-2 and L2-3 the facets were resected"), and of the sentences after that one
    that open on the next places so ("At L1 the facets ... At L2 the facets ..."); a sentence whose levels
    another procedure or device owns is not one, nor one that only finds something there ("At L2-3 there
    was marked hypertrophy")."""
    if m.levels or m.role != BODY or not m.present:
        return m
    spans: tuple = ()
    last, form = m.sentence, "refers"
    while (nxt := _next_place(index, last, form)) is not None:
        # the first list only: "At T8-9, the margins of the T8 and T9 laminae", "This was done at L3, with the
        # L2 and L3 roots protected" (a list may go on "above, and at T9-10 below")
        spans += tuple(span._replace(sentence=nxt) for span in first_list(index.text, levels_of(index, nxt)))
        last, form = _past_the_same_step(index, nxt), "place"
    return replace(m, levels=spans) if spans else m


def _past_the_same_step(index: MentionIndex, place: Sentence) -> Sentence:
    """The last of the few sentences after a place sentence that go on with the same resection ("The fused
    facet mass below it was thinned and removed. The resection was carried back to the pedicles.") before
    the next place ("At C6, the lower lamina was taken"): none opens on a place or names another step."""
    last = place
    for _ in range(load_json("decisions.json")["levels"]["told_next_same_step_sentences"]):
        nxt = _sentence_right_after(index, last)
        if nxt is None or told_next_pattern().match(index.text, nxt[0], nxt[1]) or _other_step_between(
                index, nxt[0], nxt[1]):
            break
        last = nxt
    return last


def under_heading(m: Mention, index: MentionIndex) -> Mention:
    """An osteotomy that is a heading by itself ("Osteotomies" on its line, a run-in "Osteotomies:" an
    export set on its own line) takes the first list of levels of the sentence right under it, when no
    other procedure or device of that sentence owns them ("Gr 2 at L1-2, L2-3, L3-4, L4-5. At each...")."""
    if m.levels or m.role != BODY or not m.present:
        return m
    if index.text[m.sentence[0]:m.sentence[1]].strip(" \t\n:-.").lower() != m.text.lower():
        return m
    nxt = _sentence_right_after(index, m.sentence)
    if nxt is None or _other_step_between(index, nxt[0], nxt[1]):
        return m
    spans = tuple(span._replace(sentence=nxt) for span in first_list(index.text, index.loose_levels.get(nxt, ())))
    return replace(m, levels=spans) if spans else m


def _next_place(index: MentionIndex, last: Sentence, form: str) -> Sentence | None:
    """The sentence right after ``last`` if it tells where the osteotomy was done: referring back to it
    (only right after the osteotomy: ``form`` "refers") or opening on the place where it cut bone."""
    nxt = _sentence_right_after(index, last)
    if nxt is None:
        return None
    opening = told_next_pattern().match(index.text, nxt[0], nxt[1])
    if not opening or (form == "place" and not opening.group("place")):
        return None
    if _other_step_between(index, nxt[0], nxt[1]) or (opening.group("place") and not cuts(index, nxt)):
        return None
    if index.sentence_values(nxt, "PURPOSE", "purpose") - {"correction"}:
        return None  # "At L4-5 the facets were undercut and the flavum removed for stenosis": a decompression
    return nxt if levels_of(index, nxt) else None


def _sentence_right_after(index: MentionIndex, last: Sentence) -> Sentence | None:
    """The sentence (holding a mention or loose levels) that starts at most ``told_next_max_gap`` characters
    after ``last``, with only blanks between them."""
    gap = load_json("decisions.json")["levels"]["told_next_max_gap"]
    nxt = min((s for s in index.told_sentences if last[1] <= s[0] <= last[1] + gap),
              default=None)
    return None if nxt is None or index.text[last[1]:nxt[0]].strip() else nxt


def levels_of(index: MentionIndex, sentence: Sentence) -> tuple:
    """The levels no mention of the sentence took, or those an osteotome took ("with an osteotome")."""
    return index.loose_levels.get(sentence) or tuple(
        span for other in index.in_sentence(sentence) if other.kind in _NOT_STEPS for span in other.levels)


# From a type in a template field to the levels of the field below it: "Smith-Petersen (Schwab grade 2)]" /
# "Level(s): [T12-L1, ...", the label at the end of the type's line or on a line of its own, its colon lost or not.
_TO_FIELD_LEVELS = re.compile(r"[ \t)\]]*\s*levels?(?:[ \t]*\(s\))?[ \t]*:?\s*\[?[ \t]*", re.IGNORECASE)


def levels_field_below(m: Mention, index: MentionIndex) -> Mention:
    """A type told without a level at the end of a template field takes the levels of the "Level(s)" field right
    below it ("Type: [Smith-Petersen]" / "Level(s): [T12-L1, L1-2]"), as an export wraps or sets apart a field."""
    if m.levels or not names_type(m):
        return m
    gap = load_json("decisions.json")["levels"]["told_next_max_gap"]
    nxt = min((s for s in index.loose_levels if m.sentence[1] <= s[0] <= m.sentence[1] + gap), default=None)
    if nxt is None or not _TO_FIELD_LEVELS.fullmatch(index.text, m.end, index.loose_levels[nxt][0].start):
        return m
    return replace(m, levels=index.loose_levels[nxt])


def listed_above(m: Mention, index: MentionIndex) -> Mention:
    """A named osteotomy done "at the levels listed above" takes the levels of the last mention of its
    type before it, in any section (a template field "Level(s) - osteotomy: [Ponte: T11-12, T12-L1]")."""
    if m.levels or m.role != BODY or not names_type(m):
        return m
    if not re.search(load_json("decisions.json")["levels"]["listed_above"], index.text[m.sentence[0]:m.sentence[1]],
                     re.IGNORECASE):
        return m
    earlier = [levels_field_below(x, index) for x in index.of("OSTEOTOMY") if x.end <= m.start
               and x.meta.get("type") == m.meta["type"] and x.assertion not in NOT_DONE]
    earlier = [x for x in earlier if x.levels]
    return replace(m, levels=earlier[-1].levels) if earlier else m


def first_of_repeats(m: Mention, index: MentionIndex) -> Mention:
    """An osteotomy told without a level that the next one repeats elsewhere ("... across the width of the
    osteotomy. The same osteotomy was then performed at C6-7") was made where the sentence just before it
    cut bone ("the fused bone at C5-6 was cut transversely with a burr")."""
    if m.levels or m.role != BODY or not m.present:
        return m
    within = load_json("decisions.json")["levels"]["repeated_within_chars"]
    repeat = next((o for o in index.of("OSTEOTOMY") if o.start >= m.end and o.counted), None)
    if (repeat is None or not repeat.levels or repeat.start - m.end > within
            or not repeated_at_pattern().search(index.text, *repeat.sentence)):
        return m
    spans = _one_place_cut_before(index, m.sentence, index.loose_levels, index.loose_levels.__getitem__)
    return replace(m, levels=spans) if spans else m


def _one_place_cut_before(index: MentionIndex, sentence: Sentence, pool: Iterable[Sentence],
                          levels_of: Callable[[Sentence], tuple]) -> tuple:
    """The one place where the sentence of ``pool`` right before ``sentence`` cut bone (its levels by
    ``levels_of``), or nothing: several places are one site at a time ("The spinous processes of T10, T11, T12 and
    L1 were removed"), not a place."""
    before = max((s for s in pool if s[1] <= sentence[0]), default=None)
    if before is None or index.text[before[1]:sentence[0]].strip() or not cuts(index, before):
        return ()
    spans = first_list(index.text, levels_of(before))
    return tuple(span._replace(sentence=before) for span in spans) if len(spans) == 1 else ()


_SAME_BEFORE = re.compile(r"\bsame[ \t]+(?:[a-z-]+[ \t]+)?$", re.IGNORECASE)


def cut_before_the_same(m: Mention, index: MentionIndex) -> tuple:
    """The place cut in the sentence right before an osteotomy told as "the same" ("At C4-5 the fusion mass was cut
    through along the old disc line with the burr and an osteotome. At C5-6 the same osteotomy was done"): one
    place, where no other procedure or device is told."""
    if m.role != BODY or not m.present or not _SAME_BEFORE.search(index.text, max(m.sentence[0], m.start - 20), m.start):
        return ()
    spans = _one_place_cut_before(index, m.sentence, index.told_sentences,
                                  lambda sentence: levels_of(index, sentence))
    return () if spans and _other_step_between(index, *spans[0].sentence) else spans


def levels_told_elsewhere(m: Mention, index: MentionIndex) -> Mention:
    """The mention with the levels its own words do not give but the note tells elsewhere, each reader
    trying in turn where the previous found none."""
    for read in (wedge_place, levels_listed_below, levels_field_below, table_column, first_of_repeats, told_next,
                 under_heading, listed_above):
        m = read(m, index)
    return m
