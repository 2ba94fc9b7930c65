"""Readings of a whole note that add, move or drop osteotomy mentions once they are typed: a range's
excepted sites, the sites an untyped sentence gives the one type told without levels, a narrative that names its
osteotomies by another type than the procedure list, a denial of any osteotomy in the case, and an osteotomy
named far from every level the operation works on."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from ..levels import find_levels, vertebra_index
from ..model import Osteotomy
from ..resources import load_json
from .mentions import BODY, LevelSpan, Mention, MentionIndex
from .resections import cuts

TypeKey = tuple[str, str]  # (family, type)


@dataclass(frozen=True)
class Typed:
    """An osteotomy mention with the family and type it was given."""

    mention: Mention
    inferred: bool


def denied_for_case(generic: list[Mention], typed: dict[TypeKey, list[Typed]], text: str) -> set[str] | None:
    """The families a narrative sentence or its clause denies for this operation ("No osteotomy was performed in this
    case.": every family, None; "No Ponte osteotomies were performed at any level.": that one), each with no osteotomy of
    it told after the denial; an empty set when there is none. It outweighs a procedure line or a template block carried
    over (rules/decisions.json, assertions.case_negation); a denial before the osteotomy the narrative tells ("at
    L5-S1 ... No osteotomy was performed. A PSO was then performed at L3") does not."""
    untyped = generic + [t.mention for items in typed.values() for t in items if t.mention.meta.get("type") is None]
    named = [t.mention.start for items in typed.values() for t in items if t.mention.counted and t.mention.meta.get("family")]
    told = [t.mention for items in typed.values() for t in items if t.mention.counted]
    # (a bare word the list typed counts too); a denial in a clause after a colon ("As for the lumbar curve: no
    # osteotomy was performed") speaks for the whole case only where the narrative names no osteotomy before it
    denials = [m for m in untyped if _denies(m, text) and (
        not _case_denial().search(text[m.sentence[0]:m.sentence[1]]).group().lstrip(" \t\n-*•").startswith(":")
        or not any(start < m.start for start in named))]
    if denials:
        last = max(m.sentence[1] for m in denials)
        return None if not any(m.start > last for m in told) else set()
    typed_denials = [t.mention for items in typed.values() for t in items
                     if t.mention.meta.get("type") is not None and _denies(t.mention, text)]
    return {m.meta["family"] for m in typed_denials
            if not any(x.start > m.sentence[1] and x.meta.get("family") == m.meta["family"] for x in told)}


def _denies(m: Mention, text: str) -> bool:
    return m.role == BODY and m.assertion == "negated" and _case_denial().search(text[m.sentence[0]:m.sentence[1]]) is not None


def far_from_the_operation(facts: list[Osteotomy], index: MentionIndex) -> tuple[list[Osteotomy], bool]:
    """The osteotomies kept, and whether one was dropped because each of its sites lies more than ``max_gap``
    vertebrae from every vertebra the operation's other mentions name in the narrative, or its hardware in the
    procedure list: an earlier operation told in passing ("because of her long lumbar fusion with the L3
    osteotomy, the knees were flexed" in an ACDF) (rules/decisions.json, far_from_the_operation)."""
    rule = load_json("decisions.json")["far_from_the_operation"]
    operated = {vertebra_index(v) for m in index if m.present and m.category in rule["categories"]
                and (m.role == BODY or m.role == "procedure_list" and m.category in rule["listed_categories"])
                for lv in m.level_values() for v in lv.vertebrae()}
    if not operated or not facts:
        return facts, False
    kept = [f for f in facts if any(min(abs(vertebra_index(v) - o) for o in operated) <= rule["max_gap"]
                                    for site in f.sites for v in site.vertebrae)]
    return kept, len(kept) < len(facts)


@lru_cache(maxsize=1)
def _case_denial() -> re.Pattern:
    return re.compile(load_json("decisions.json")["assertions"]["case_negation"], re.IGNORECASE)


_EXCEPT = re.compile(r"\b(?:except(?:ing)?(?:\s+for)?|with\s+the\s+exception\s+of|excluding)\s+(?:at\s+)?"
                     r"(?P<levels>[CTLS]\d{1,2}(?:[-/][CTLS]?\d{1,2})?(?:\s*(?:,|and|or)\s*[CTLS]\d{1,2}(?:[-/][CTLS]?\d{1,2})?)*)"
                     r"(?![-\w])(?!\s+(?:facets?|pars|lamina\w*|pedicles?|capsules?|spinous|joints?))", re.IGNORECASE)


def excepted(m: Mention, text: str) -> Mention | None:
    """The sites a range of osteotomies leaves out in its own sentence ("Ponte osteotomies were performed
    from T5 to T11, with the exception of T7-8"), as a negated mention at those levels (they are dropped
    from the range's sites); not the anatomy a resection spares ("except the T12-L1 pars")."""
    if not any(lv.kind == "range" for lv in m.level_values()) or not m.counted:
        return None
    if not (cue := _EXCEPT.search(text, m.end, m.sentence[1])):
        return None
    spans = tuple(LevelSpan(x.start, x.end, text[x.start:x.end], x.level, m.sentence)
                  for x in find_levels(text, cue.start("levels"), cue.end("levels")))
    return replace(m, assertion="negated", levels=spans, rule="osteo.excepted") if spans else None


def untyped_sites_of_the_one_type(typed: dict[TypeKey, list[Typed]], generic: list[Mention], index: MentionIndex
                                  ) -> tuple[dict[TypeKey, list[Typed]], list[Mention]]:
    """The one posterior type the narrative tells without levels takes the sites an untyped mention names
    as sites or cuts, in its sentence or the next ("This localised the two osteotomy sites to L1/2 and L2/3. At each
    site an osteotomy through the fusion mass was made: a V-shaped cut ... fused laminae and facet bone"), and those
    read as posterior only from what they resect ("posterior (Smith-Petersen) osteotomies" / "We began the osteotomies
    between T12 and L1 ..." / "The second osteotomy was between L1 and L2, ... both facet joints were cut through");
    not the levels of surfaces ("bleeding from the osteotomy surfaces at T12 and L2")."""
    key = _the_one_posterior_type(typed)
    if key is None:
        return typed, generic
    typed = {key: [t for k, items in typed.items() for t in items if k == key or _only_inferred(items)],
             **{k: items for k, items in typed.items() if k != key and not _only_inferred(items)}}
    sites = [m for m in generic if m.counted and m.levels and not m.graft_source
             and ("site" in m.text.lower() or any(cuts(index, s) for s in _told_in(m) | _next(index, m)))]
    if not sites:
        return typed, generic
    return {**typed, key: typed[key] + [Typed(m, True) for m in sites]}, [m for m in generic if m not in sites]


def _only_inferred(items: list[Typed]) -> bool:
    return all(t.inferred for t in items)


def _the_one_posterior_type(typed: dict[TypeKey, list[Typed]]) -> TypeKey | None:
    """The posterior type the narrative tells without levels: the only type, or the only one the surgeon
    names among posterior types read from bare words ("Smith-Petersen osteotomies" beside "posterior
    osteotomies through the joints would give him the correction"), which may have levels of their own."""
    if not typed or any(k[0] != "posterior" for k in typed):
        return None
    levelled = {k for k, items in typed.items() if any(t.mention.levels for t in items if t.mention.role == BODY)}
    if len(typed) == 1:
        (key, items), = typed.items()
        return key if not levelled and any(t.mention.counted for t in items) else None
    named = [k for k, items in typed.items() if any(t.mention.counted and not t.inferred for t in items)]
    if len(named) != 1 or any(k == named[0] or not _only_inferred(typed[k]) for k in levelled):
        return None
    return named[0]


def _next(index: MentionIndex, m: Mention) -> set:
    """The sentence after a mention's ("We then turned to the osteotomies, starting at L1-2." / "The spinous process
    at this level was taken off ...")."""
    following = index.next_sentence(m.sentence)
    return {following} if following else set()


def _told_in(m: Mention) -> set:
    """The sentences a mention is told in: its own and those its levels came from ("We then came to the
    osteotomy itself. Working at the level between the second and third lumbar vertebrae we took away ...")."""
    return {m.sentence} | {span.sentence for span in m.levels if span.sentence}


_ONE = re.compile(r"\b(?:single|only\s+one|one)\s+(?:\w+\s+){0,2}osteotom", re.IGNORECASE)


def unlevelled_into_listed(typed: dict[TypeKey, list[Typed]], index_text: str) -> dict[TypeKey, list[Typed]]:
    """A narrative that names its osteotomies by another type of the same family and gives them no level
    ("Each osteotomy was made chevron shaped") describes those the procedure list names at their levels
    ("Smith-Petersen osteotomy L1 / L2 / L3"): one osteotomy, typed and placed by the list (flagged
    sites_from_procedure_list)."""
    def body(items):
        return [t for t in items if t.mention.role == BODY and t.mention.present]

    def listed(items):
        return [t for t in items if t.mention.role == "procedure_list" and t.mention.present and t.mention.levels]

    merged = dict(typed)
    for key, items in typed.items():
        told = body(items)
        if not told or any(t.mention.levels for t in told) or listed(items):
            continue
        targets = [k for k, other in merged.items() if k[0] == key[0] and k != key and listed(other) and not body(other)]
        if any(_ONE.search(index_text, *t.mention.sentence) for t in told):
            continue  # "only a single Ponte osteotomy was made": not the three the list books
        if len(targets) == 1:
            merged[targets[0]] = merged[targets[0]] + told
            merged[key] = [t for t in items if t not in told]
    return {key: items for key, items in merged.items() if items}
