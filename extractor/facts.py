"""Stage 1: a processed Doc -> typed, JSON-able facts about what was done, where and how.

A *mention* is one target span with its rule metadata, section role, sentence, assertion and the
levels attributed to it. Facts are built from mentions:

* osteotomies grouped by family and type, with normalized sites, counted only from the operative
  narrative ("body"); the procedure header list can only supply levels or raise a flag;
* the instrumentation constructs (posterior, anterior), interbody and corpectomy devices;
* bone grafts; other procedures (decompression, TLIF, corpectomy...) kept for the reviewer.

Note-level review flags are collected as ids; their texts live in rules/flags.json.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.tokens import Doc

from .components import LEVELS_KEY
from .levels import Level, interspace_label, vertebra_index, vertebra_label
from .resources import load_json

PRESENT = "present"
# When several ConText modifiers touch a mention, the first of these wins.
_ASSERTION_PRECEDENCE = ("aborted", "negated", "historical", "hypothetical", "removed")
_ANCHORS = {"OSTEOTOMY", "NON_OSTEOTOMY", "FUSION", "INSTRUMENT", "GRAFT"}
_ADJACENT_GAP = 3  # "L3 PSO": a level this close before a mention belongs to it


@dataclass
class Mention:
    category: str
    rule: str
    meta: dict
    start: int
    end: int
    section: str | None
    role: str
    sentence: tuple[int, int]
    assertion: str
    levels: list[tuple[int, int, Level]] = field(default_factory=list)

    @property
    def present(self) -> bool:
        return self.assertion == PRESENT

    def evidence(self, text: str) -> dict:
        return {"start": self.start, "end": self.end, "text": text[self.start:self.end],
                "section": self.section, "rule": self.rule,
                "sentence_start": self.sentence[0], "sentence_end": self.sentence[1]}

    def level_evidence(self, text: str) -> list[dict]:
        return [{"start": s, "end": e, "text": text[s:e], "section": self.section,
                 "rule": f"level.{lv.kind}", "sentence_start": self.sentence[0],
                 "sentence_end": self.sentence[1]} for s, e, lv in self.levels]


# --------------------------------------------------------------------------- sections


class SectionIndex:
    """Section category and evidence role of any character offset.

    Without a narrative header (description, technique...), a long "Procedure:" section is the
    narrative: it counts as body, and short procedure sections stay procedure lists.
    """

    NARRATIVE_MIN_CHARS = 700

    def __init__(self, doc: Doc, text: str):
        roles_cfg = load_json("sections.json")["roles"]
        self.role_of = {cat: role for role, cats in roles_cfg.items() for cat in cats if cat is not None}
        self.starts: list[int] = []
        self.categories: list[str | None] = []
        for section in doc._.sections:
            start_tok = section.title_start if section.category else section.body_start
            self.starts.append(doc[start_tok].idx if start_tok < len(doc) else len(text))
            self.categories.append(section.category)
        lengths = [e - s for s, e in zip(self.starts, self.starts[1:] + [len(text)])]
        self.narrative_missing = "description" not in self.categories
        procedure_lengths = [n for c, n in zip(self.categories, lengths) if c == "procedures"]
        # With two "Procedure(s):" sections, the longer one is the narrative.
        narrative_length = max(procedure_lengths) if len(procedure_lengths) > 1 else self.NARRATIVE_MIN_CHARS
        self.roles = [self._role(c, n, narrative_length) for c, n in zip(self.categories, lengths)]

    def _role(self, category: str | None, length: int, narrative_length: int) -> str:
        if category is None:
            return "body"
        role = self.role_of.get(category, "body")
        if role == "procedure_list" and self.narrative_missing and length >= narrative_length:
            return "body"
        return role

    def at(self, offset: int) -> tuple[str | None, str]:
        i = bisect_right(self.starts, offset) - 1
        return (self.categories[i], self.roles[i]) if i >= 0 else (None, "body")


# --------------------------------------------------------------------------- mentions


_ASSERTION_OF = {"ABORTED": "aborted", "NEGATED_EXISTENCE": "negated", "HISTORICAL": "historical",
                 "HYPOTHETICAL": "hypothetical", "POSSIBLE_EXISTENCE": "hypothetical", "REMOVED": "removed",
                 "FAMILY": "historical"}
_ASSERTION_RANK = {name: i for i, name in enumerate(_ASSERTION_PRECEDENCE)}


def _assertions(doc: Doc) -> dict[tuple[int, int], str]:
    """Assertion of each modified target, read once from ConText's edges (the categories that also
    set the span attributes ``is_negated``, ``is_aborted``...; reading those costs more)."""
    found: dict[tuple[int, int], str] = {}
    graph = doc._.context_graph
    for target, modifier in graph.edges if graph is not None else ():
        name = _ASSERTION_OF.get(modifier.category)
        key = (target.start_char, target.end_char)
        if name and (key not in found or _ASSERTION_RANK[name] < _ASSERTION_RANK[found[key]]):
            found[key] = name
    return found


class SentenceIndex:
    """The sentence around any character offset (bisect; ``span.sent`` rescans tokens each time)."""

    def __init__(self, doc: Doc):
        self.spans = [(s.start_char, s.end_char) for s in doc.sents]
        self.starts = [s for s, _ in self.spans]

    def at(self, offset: int) -> tuple[int, int]:
        return self.spans[bisect_right(self.starts, offset) - 1]


def collect_mentions(doc: Doc, text: str, rule_meta: dict[str, dict], sections: SectionIndex) -> list[Mention]:
    """All target mentions with their levels attributed (see ``_attribute_levels``)."""
    mentions = []
    sentences = SentenceIndex(doc)
    assertions = _assertions(doc)
    for ent in doc.ents:
        meta = rule_meta[ent.id_]
        sent = sentences.at(ent.start_char)
        section, role = sections.at(ent.start_char)
        previous = mentions[-1] if mentions else None
        if (previous and ent.label_ == "OSTEOTOMY" == previous.category and meta["type"] is None
                and 0 <= ent.start_char - previous.end <= 1):
            previous.end = ent.end_char  # "posterior wedge resection osteotomy" is one mention
            continue
        mentions.append(Mention(ent.label_, ent.id_, meta, ent.start_char, ent.end_char, section, role,
                                sent, assertions.get((ent.start_char, ent.end_char), PRESENT)))
    _attribute_levels(doc, text, mentions, sentences)
    return mentions


def _attribute_levels(doc: Doc, text: str, mentions: list[Mention], sentences: SentenceIndex) -> None:
    """Give each level of a sentence to one anchor mention of that sentence.

    A level right before a mention ("L3 PSO") belongs to it; otherwise to the nearest anchor before
    it ("Pontes at T10-11 and T11-12, and screws from T8 to L2"); levels opening a sentence go to
    its first anchor.
    """
    by_sentence: dict[tuple[int, int], list[Mention]] = defaultdict(list)
    for m in mentions:
        if m.category in _ANCHORS:
            by_sentence[m.sentence].append(m)
    for span in doc.spans[LEVELS_KEY]:
        anchors = by_sentence.get(sentences.at(span.start_char))
        if not anchors:
            continue
        level = Level(span._.level["kind"], span._.level["start"], span._.level["end"], span._.level["pelvis"])
        s, e = span.start_char, span.end_char
        following = [a for a in anchors if 0 <= a.start - e <= _ADJACENT_GAP
                     and not text[e:a.start].strip(" -")]
        before = [a for a in anchors if a.end <= s]
        target = following[0] if following else (before[-1] if before else min(anchors, key=lambda a: a.start))
        target.levels.append((s, e, level))
    for anchors in by_sentence.values():
        for i, m in enumerate(anchors):
            if m.category != "OSTEOTOMY":
                continue
            if len(m.levels) > 1:
                m.levels = _site_group(text, m)
            elif not m.levels:
                m.levels = _shared_levels(m, anchors, i)


_SHARED_KINDS = {"facetectomy", "release", "discectomy"}


def _shared_levels(m: Mention, anchors: list[Mention], i: int) -> list[tuple[int, int, Level]]:
    """Levels for an osteotomy mention that names none, from the procedure it describes in the same
    sentence: "an anterior osteotomy with discectomy at L4-5", "At T11-12 and T12-L1, complete
    facetectomies ... were performed as Ponte-type osteotomies". Three-column osteotomies never
    borrow levels (a laminectomy beside a PSO is often at another level)."""
    if m.meta.get("family") == "three_column":
        return []
    nxt = next((a for a in anchors[i + 1:] if a.levels), None)
    if nxt and nxt.category in ("NON_OSTEOTOMY", "FUSION"):
        return list(nxt.levels)
    prev = next((a for a in reversed(anchors[:i]) if a.levels), None)
    if prev and prev.category == "NON_OSTEOTOMY" and prev.meta["kind"] in _SHARED_KINDS:
        return list(prev.levels)
    return []


_LIST_GAP = re.compile(r"(?:[\s,;&/()]|\b(?:and|or|as well as|through|thru|to|at|the|plus|levels?)\b)*", re.IGNORECASE)


def _site_group(text: str, m: "Mention") -> list[tuple[int, int, Level]]:
    """The levels an osteotomy names as its sites: the list right before it ("T12 and L1 PSOs")
    or else the first list after it; other levels of the sentence only describe the resection."""
    levels = sorted(m.levels, key=lambda x: x[0])
    groups: list[list[tuple[int, int, Level]]] = []
    for item in levels:
        if groups and _LIST_GAP.fullmatch(text[groups[-1][-1][1]:item[0]]):
            groups[-1].append(item)
        else:
            groups.append([item])
    before = [g for g in groups if g[-1][1] <= m.start]
    if before and not text[before[-1][-1][1]:m.start].strip(" ,-"):
        return before[-1]
    after = [g for g in groups if g[0][0] >= m.end]
    return after[0] if after else before[-1]


# --------------------------------------------------------------------------- approach


class ApproachTrack:
    """Which approach was in use at a point of the narrative (the last cue before it)."""

    def __init__(self, mentions: list[Mention]):
        cues = [m for m in mentions if m.role == "body" and m.present and m.meta.get("approach")
                and m.category in ("APPROACH", "FUSION")]
        self.cues = sorted((m.start, m.meta["approach"]) for m in cues)
        # Positioning (prone, supine, lateral decubitus) counts only where no approach proper is named.
        proper = [m for m in cues if not m.meta.get("positional")] or cues
        self.values = list(dict.fromkeys(m.meta["approach"] for m in sorted(proper, key=lambda m: m.start)))

    def at(self, offset: int) -> str | None:
        before = [a for s, a in self.cues if s <= offset]
        if before:
            return before[-1]
        return self.cues[0][1] if self.cues else None


# --------------------------------------------------------------------------- osteotomies


def _site(label: str, kind: str, vertebrae: list[str], from_range: bool = False) -> dict:
    return {"label": label, "kind": kind, "vertebrae": vertebrae, "from_range": from_range}


def osteotomy_sites(family: str, levels: list[Level], range_mode: str) -> list[dict]:
    """Normalized sites of one osteotomy family from its level mentions.

    Three-column sites are vertebrae (an interspace gives its cephalad vertebra); posterior and
    anterior sites are interspaces or vertebrae as written, a vertebra range giving one site per
    vertebra or per interspace (setting ``posterior_range_sites``).
    """
    sites: dict[str, dict] = {}
    explicit = {v for lv in levels if lv.kind != "range" for v in lv.vertebrae()}
    # A range restating named sites ("compression across T10-11 through T12-L1", "satellite rods
    # across the PSO from L2 to L4") adds none.
    levels = [lv for lv in levels if not (lv.kind == "range" and explicit
                                          and (family == "three_column" or set(lv.vertebrae()) <= explicit))]
    ordered = sorted(levels, key=lambda lv: lv.kind != "vertebra")  # vertebrae first
    for lv in ordered:
        if family == "three_column":
            if lv.kind == "interspace":
                # The disc next to a named vertebra (extended PSO, BDBO) is not a further segment.
                if lv.start in sites or lv.end in sites:
                    continue
                verts = [lv.start]
            else:
                verts = lv.vertebrae()
            for v in verts:
                sites.setdefault(v, _site(v, "vertebra", [v], lv.kind == "range"))
                if lv.kind == "interspace":
                    sites[v]["kind_written"] = "interspace"
        elif lv.kind == "range":
            if range_mode == "per_interspace":
                verts = lv.vertebrae()
                for a, b in zip(verts, verts[1:]):
                    label = interspace_label(a, b)
                    sites.setdefault(label, _site(label, "interspace", [a, b], True))
            else:
                for v in lv.vertebrae():
                    sites.setdefault(v, _site(v, "vertebra", [v], True))
        else:
            sites.setdefault(lv.label, _site(lv.label, lv.kind, lv.vertebrae()))
    if family != "three_column":
        # "A wedge of bone from the L2 lamina and the top of L3" describes the L2-3 site again.
        covered = {v for site in sites.values() if site["kind"] == "interspace" for v in site["vertebrae"]}
        sites = {k: v for k, v in sites.items()
                 if not (v["kind"] == "vertebra" and not v["from_range"] and k in covered)}
    return sorted(sites.values(), key=lambda s: (vertebra_index(s["vertebrae"][0]), len(s["vertebrae"])))


def _sentence_elements(mentions: list[Mention], sentence: tuple[int, int]) -> set[str]:
    return {m.meta["element"] for m in mentions if m.category == "RESECTION" and m.sentence == sentence}


def _sentence_purposes(mentions: list[Mention], sentence: tuple[int, int]) -> set[str]:
    return {m.meta["purpose"] for m in mentions if m.category == "PURPOSE" and m.sentence == sentence}


def resolve_type(m: Mention, mentions: list[Mention], approach: ApproachTrack, ankylosis: bool) -> tuple[str | None, str | None, bool]:
    """(family, type, inferred) of an osteotomy mention; (None, None, False) when it stays generic."""
    if m.meta.get("family"):
        return m.meta["family"], m.meta["type"], False
    elements = _sentence_elements(mentions, m.sentence)
    where = approach.at(m.start)
    if where in ("anterior", "lateral"):
        if ankylosis:
            return "anterior", "anterior_osteotomy", True
        return None, None, False
    if m.meta.get("type") == "wedge":
        if elements & {"pedicle", "body"}:
            return "three_column", "pso", True
        return "posterior", "posterior_wedge", False
    if elements & {"pedicle", "body"}:
        return "three_column", "three_column", True
    if elements & {"spinous_process", "lamina", "facet", "ligament"}:
        return "posterior", "pco", True
    return None, None, False


def _release_mentions(mentions: list[Mention]) -> list[Mention]:
    """Posterior releases coded as posterior osteotomies (SRS reading): complete facetectomies with
    ligamentum flavum resection done to gain correction, said in one sentence, or a "release ... to
    allow correction" followed by a sentence describing facet and flavum resection."""
    sentences = sorted({m.sentence for m in mentions})
    found = []
    for m in mentions:
        if m.category != "NON_OSTEOTOMY" or m.meta["kind"] not in ("facetectomy", "release") or not m.present:
            continue
        if _sentence_purposes(mentions, m.sentence) != {"correction"}:
            continue
        elements = _sentence_elements(mentions, m.sentence)
        if m.meta["kind"] == "release":
            i = sentences.index(m.sentence)
            nxt = sentences[i + 1] if i + 1 < len(sentences) else None
            if nxt and nxt[0] - m.sentence[1] < 40:
                elements |= _sentence_elements(mentions, nxt)
                elements |= {"facet" for x in mentions if x.sentence == nxt and x.category == "NON_OSTEOTOMY"
                             and x.meta["kind"] == "facetectomy"}
        if {"ligament", "facet"} <= elements or (m.meta["kind"] == "facetectomy" and "ligament" in elements):
            found.append(m)
    return found


def build_osteotomies(mentions: list[Mention], text: str, approach: ApproachTrack, settings) -> tuple[list[dict], list[dict], list[str]]:
    """Osteotomy facts (performed), excluded osteotomy mentions, and note-level flags."""
    flags: list[str] = []
    ankylosis = any(m.category == "ANKYLOSIS" and m.assertion != "negated" for m in mentions)
    typed: dict[tuple[str, str], list[tuple[Mention, bool]]] = defaultdict(list)
    generic: list[Mention] = []
    named = {v for m in mentions if m.category == "OSTEOTOMY" and m.meta.get("family") and m.present
             and m.role == "body" for _, _, lv in m.levels for v in lv.vertebrae()}
    for m in mentions:
        if m.category != "OSTEOTOMY":
            continue
        if m.meta["type"] is None and named and all(set(lv.vertebrae()) & named for _, _, lv in m.levels):
            generic.append(m)  # "the C7 osteotomy was closed" refers back to the named C7 PSO
            continue
        family, kind, inferred = resolve_type(m, mentions, approach, ankylosis)
        if family:
            typed[(family, kind)].append((m, inferred))
        else:
            generic.append(m)
    for m in _release_mentions(mentions):
        typed[("posterior", "posterior_release")].append((m, True))

    excluded = [{"family": fam, "type": kind, "assertion": m.assertion, "role": m.role,
                 "levels": [lv.label for _, _, lv in m.levels], "evidence": [m.evidence(text)]}
                for (fam, kind), ms in typed.items() for m, _ in ms if not (m.present and m.role == "body")]
    excluded += [{"family": None, "type": None, "assertion": m.assertion, "role": m.role,
                  "levels": [lv.label for _, _, lv in m.levels], "evidence": [m.evidence(text)]}
                 for m in generic if not m.present]

    body_generic = [m for m in generic if m.role == "body" and m.present]
    listed_families = {fam for (fam, _), items in typed.items()
                       if any(m.role == "procedure_list" and m.present for m, _ in items)}
    body_typed = any(m.role == "body" for items in typed.values() for m, _ in items)
    confirmed_by_generic = bool(body_generic) and len(listed_families) == 1 and not body_typed
    facts = []
    for (family, kind), items in typed.items():
        body = [(m, inf) for m, inf in items if m.role == "body"]
        listed = [m for m, _ in items if m.role == "procedure_list" and m.present]
        present = [(m, inf) for m, inf in body if m.present]
        cancelled = [m for m, _ in body if m.assertion in ("aborted", "negated")]
        if not present and listed and not cancelled and confirmed_by_generic:
            # "PSO at L3" in the procedure list and "the osteotomy was then performed" in the narrative.
            present = [(m, False) for m in listed]
        elif not present:
            if listed:
                flags.append("header_body_conflict" if cancelled else "osteotomy_header_only")
            continue
        fact_flags: list[str] = ["type_from_procedure_list"] if all(m.role != "body" for m, _ in present) else []
        levels = [lv for m, _ in present if m.role == "body" for _, _, lv in m.levels]
        source = "body"
        if not levels:
            levels = [lv for m in listed for _, _, lv in m.levels]
            source = "procedure_list"
            if levels:
                fact_flags.append("sites_from_procedure_list")
        dropped = {lv.label for m in cancelled for _, _, lv in m.levels}
        unplaced = [m for m in cancelled if not m.levels]
        if any(m.assertion == "aborted" for m in unplaced):
            flags.append("osteotomy_aborted")
            continue
        if unplaced:  # "no PSO was needed" beside "a PSO was performed at L3": suggest, but flag it
            fact_flags.append("osteotomy_conflicting_assertions")
        levels = [lv for lv in levels if lv.label not in dropped]
        sites = osteotomy_sites(family, levels, settings.osteotomy.posterior_range_sites)
        if not sites:
            flags.append("osteotomy_site_unknown")
            continue
        inferred = any(inf for _, inf in present) or bool(unplaced)
        if any(inf for _, inf in present):
            fact_flags.append("posterior_release_inferred" if kind == "posterior_release" else "inferred_type")
        if any(s["from_range"] for s in sites) and family != "three_column":
            fact_flags.append("posterior_range_count")
        evidence = [m.evidence(text) for m, _ in present] + [e for m, _ in present for e in m.level_evidence(text)]
        if source == "procedure_list":
            evidence += [m.evidence(text) for m in listed] + [e for m in listed for e in m.level_evidence(text)]
        where = approach.at(present[0][0].start)
        if family != "anterior" and where in ("anterior", "lateral") and "posterior" not in approach.values:
            fact_flags.append("approach_conflict")
        facts.append({"family": family, "type": kind, "assertion": PRESENT, "sites": sites,
                      "approach": "anterior" if family == "anterior" else (where or "posterior"),
                      "source": source, "inferred": inferred, "evidence": evidence, "flags": fact_flags})

    _apply_generic(generic, facts, text, flags, approach)
    return facts, excluded, flags


def _apply_generic(generic: list[Mention], facts: list[dict], text: str, flags: list[str], approach: ApproachTrack) -> None:
    """Untyped 'osteotomy' mentions: evidence for the one typed osteotomy, or cancel it when aborted."""
    body = [m for m in generic if m.role == "body"]
    for m in body:
        if m.assertion == "aborted":
            labels = {lv.label for _, _, lv in m.levels}
            if not labels and len(facts) == 1:
                facts.clear()
                flags.append("osteotomy_aborted")
            for fact in facts:
                fact["sites"] = [s for s in fact["sites"] if s["label"] not in labels]
            facts[:] = [f for f in facts if f["sites"]]
        elif m.present and len(facts) == 1:
            facts[0]["evidence"].append(m.evidence(text))
        elif m.present and not facts and m.levels:
            flags.append("anterior_osteotomy_unconfirmed" if approach.at(m.start) in ("anterior", "lateral")
                         else "osteotomy_type_unclear")


# --------------------------------------------------------------------------- instrumentation


def _points(levels: list[Level]) -> tuple[set[int], bool]:
    points: set[int] = set()
    pelvis = False
    for lv in levels:
        points.update(vertebra_index(v) for v in lv.vertebrae())
        pelvis = pelvis or lv.pelvis
    return points, pelvis


def _construct(points: set[int], evidence: list[dict], pelvic: bool) -> dict | None:
    if not points:
        return None
    lo, hi = min(points), max(points)
    return {"span": f"{vertebra_label(lo)}-{vertebra_label(hi)}" if hi > lo else vertebra_label(lo),
            "segments": hi - lo + 1, "segmental": len(points) >= 3 and any(lo < p < hi for p in points),
            "fixation_points": [vertebra_label(p) for p in sorted(points)],
            "pelvic_fixation": pelvic, "evidence": evidence}


def _side(m: Mention, approach: ApproachTrack) -> str:
    side = m.meta.get("side")
    if side:
        return side
    return "anterior" if approach.at(m.start) in ("anterior", "lateral") else "posterior"


def build_instrumentation(mentions: list[Mention], text: str, approach: ApproachTrack) -> tuple[dict, list[str]]:
    """Constructs (posterior/anterior fixation points), pelvic fixation and devices of this operation."""
    flags: list[str] = []
    by_sentence: dict[tuple[int, int], list[Mention]] = defaultdict(list)
    for m in mentions:
        by_sentence[m.sentence].append(m)
    post_points: set[int] = set()
    ant_points: set[int] = set()
    post_ev: list[dict] = []
    ant_ev: list[dict] = []
    list_points: set[int] = set()
    pelvic = False
    for ms in by_sentence.values():
        fixation = [m for m in ms if m.category == "INSTRUMENT" and m.present
                    and m.meta["role"] in ("fixation", "pelvic")]
        if not fixation or fixation[0].role not in ("body", "procedure_list"):
            continue
        instr = [m for m in ms if m.category == "INSTRUMENT" and m.present and m.meta["role"] != "other"]
        levels = [lv for m in instr for _, _, lv in m.levels]
        # "PSF T4-L1 with pedicle screws at every level": the fusion names the levels.
        levels = levels or [lv for m in ms if m.category == "FUSION" and m.present for _, _, lv in m.levels]
        points, pelvis_end = _points(levels)
        if fixation[0].role == "procedure_list":
            if any(_side(m, approach) == "posterior" for m in fixation):
                list_points |= points
            continue
        pelvic = pelvic or any(m.meta["role"] == "pelvic" for m in fixation)
        if not points:
            continue
        evidence = [m.evidence(text) for m in fixation] + [e for m in instr for e in m.level_evidence(text)]
        sided = [m for m in fixation if m.meta.get("side")] or fixation  # "plate ... with 4 screws"
        if all(_side(m, approach) == "anterior" for m in sided):
            ant_points |= points
            ant_ev += evidence
        else:
            post_points |= points
            post_ev += evidence
            pelvic = pelvic or pelvis_end
    body_fixation = any(m.category == "INSTRUMENT" and m.present and m.role == "body"
                        and m.meta["role"] in ("fixation", "pelvic") for m in mentions)
    if not post_points and list_points and body_fixation:
        post_points = list_points
        flags.append("instrumentation_levels_from_procedure_list")
    devices, device_flags = _devices(mentions, by_sentence)
    flags += device_flags
    return {
        "posterior": _construct(post_points, post_ev, pelvic),
        "anterior": _construct(ant_points, ant_ev, False),
        "pelvic_fixation": pelvic,
        **devices,
        "device_evidence": [m.evidence(text) for m in mentions if m.category == "INSTRUMENT" and m.present
                            and m.role == "body" and m.meta["role"] in ("device", "pelvic")],
    }, flags


def _devices(mentions: list[Mention], by_sentence: dict) -> tuple[dict, list[str]]:
    """Interbody (per interspace), corpectomy-defect (per contiguous defect) and no-arthrodesis devices."""
    flags: list[str] = []
    body = [m for m in mentions if m.role == "body" and m.present]
    listed_or_body = [m for m in mentions if m.present and m.role in ("body", "procedure_list")]
    resection_in_note = any(_is_body_resection(x) for x in listed_or_body)
    interbody_fusion = any(m.category == "FUSION" and m.meta.get("kind") == "interbody" for m in listed_or_body)
    # Levels of interbody work: every level in a sentence naming an interbody fusion or a discectomy.
    interbody_sentences = {m.sentence for m in listed_or_body
                           if (m.category == "FUSION" and m.meta.get("kind") == "interbody")
                           or (m.category == "NON_OSTEOTOMY" and m.meta["kind"] == "discectomy")}
    interbody_levels = [lv for m in listed_or_body if m.sentence in interbody_sentences for _, _, lv in m.levels
                        if lv.kind != "vertebra"]

    def in_defect(m: Mention) -> bool:
        """A cage in a corpectomy or VCR defect rather than in a disc space."""
        if any(x.category == "DEFECT" or _is_body_resection(x) for x in by_sentence[m.sentence]):
            return True  # "cage (C5-C6 corpectomy defect)": C5-C6 are the resected bodies
        levels = [lv for _, _, lv in m.levels]
        if not levels:  # "the expandable cage was inserted" in a corpectomy without interbody fusion
            return resection_in_note and not interbody_fusion
        return resection_in_note and not any(lv.kind == "interspace" for lv in levels)

    all_devices = [m for m in body if m.category == "INSTRUMENT" and m.meta["role"] == "device"]
    devices = [m for m in all_devices if not _allograft_spacer(m, by_sentence[m.sentence])]
    if len(devices) < len(all_devices):  # the allograft spacers again: "good spacer position"
        devices = [m for m in devices if m.rule != "instr.spacer" or m.levels]
    kyphoplasty = any(m.category == "NON_OSTEOTOMY" and m.meta["kind"] == "kyphoplasty" for m in body)
    mma = [m for m in devices if m.meta["kind"] == "mma_device" or (m.meta["kind"] == "mma_material" and any(
        x.category == "DEFECT" or _is_corpectomy(x) or x.rule == "instr.spacer" for x in by_sentence[m.sentence]))]
    corpectomy = [m for m in devices if m.meta["kind"] == "corpectomy_cage" or (m.meta["kind"] == "cage" and in_defect(m))]
    cages = [m for m in devices if m.meta["kind"] == "cage" and m not in corpectomy
             and not (m.rule == "instr.spacer" and any(x in mma for x in by_sentence[m.sentence]))]

    defect_points = _points([lv for m in corpectomy for _, _, lv in m.levels])[0]
    if corpectomy and not defect_points:
        defect_points = _points([lv for m in body if _is_corpectomy(m)
                                 for _, _, lv in m.levels if lv.kind != "interspace"])[0]
    interbody = _interspaces(lv for m in cages for _, _, lv in m.levels)
    if any(not m.levels for m in cages) and not corpectomy:
        # A cage named without its level sits at the interbody fusion / discectomy levels.
        interbody |= _interspaces(interbody_levels)
        if not interbody:
            interbody.add("?")
            flags.append("interbody_level_unknown")
    mma_levels = {lv.label for m in mma for _, _, lv in m.levels}
    no_arthrodesis = 0 if kyphoplasty or not mma else max(1, len(mma_levels))
    defects = _contiguous_runs(defect_points) or (1 if corpectomy else 0)
    return {"interbody": sorted(interbody, key=_interspace_order), "corpectomy_defects": defects,
            "no_arthrodesis_devices": no_arthrodesis}, flags


def _is_corpectomy(m: Mention) -> bool:
    return m.category == "NON_OSTEOTOMY" and m.meta["kind"] == "corpectomy"


def _is_body_resection(m: Mention) -> bool:
    """A corpectomy or a VCR: either leaves a defect where a cage is a corpectomy device."""
    return _is_corpectomy(m) or (m.category == "OSTEOTOMY" and m.meta.get("type") == "vcr")


def _interspaces(levels: Iterable[Level]) -> set[str]:
    labels: set[str] = set()
    for lv in levels:
        verts = lv.vertebrae()
        labels.update(interspace_label(a, b) for a, b in zip(verts, verts[1:]))
    return labels


def _allograft_spacer(device: Mention, sentence: list[Mention]) -> bool:
    """"Cortico-cancellous allograft spacers": a bare 'spacer' beside an allograft is the graft itself."""
    return device.meta["kind"] == "cage" and device.rule == "instr.spacer" and any(
        m.category == "GRAFT" and m.meta["kind"].startswith("allograft") for m in sentence)


def _interspace_order(label: str) -> int:
    try:
        return vertebra_index(label.split("-")[0])
    except KeyError:
        return 999


def _contiguous_runs(points: set[int]) -> int:
    """Number of contiguous runs of vertebrae (one corpectomy defect each)."""
    known = sorted(points)
    return sum(1 for i, p in enumerate(known) if i == 0 or p != known[i - 1] + 1)


# --------------------------------------------------------------------------- grafts


def build_grafts(mentions: list[Mention], text: str) -> tuple[list[dict], list[str]]:
    """Graft kinds used in this operation (once each), from the narrative and implant sections."""
    flags: list[str] = []
    body = [m for m in mentions if m.role == "body" and m.present]
    separate_incision = any(m.category == "INCISION" for m in body)
    by_sentence: dict[tuple[int, int], set[str]] = defaultdict(set)
    for m in body:
        by_sentence[m.sentence].add(m.meta.get("kind") or "")
    spacer_sentences = {m.sentence for m in body if m.category == "INSTRUMENT" and m.rule == "instr.spacer"}
    kinds: dict[str, list[dict]] = defaultdict(list)
    for m in body:
        here = by_sentence[m.sentence]
        iliac_harvest = "iliac" in here and "bone_marrow_aspirate" not in here
        if m.category == "GRAFT":
            kind = m.meta["kind"]
            if kind == "autograft_unspecified" and iliac_harvest:
                kind = "autograft_separate"
            if kind == "autograft_separate" and "bone_marrow_aspirate" in here:
                continue  # the crest is where the marrow was aspirated
            if m.rule == "graft.allograft_generic" and "allograft_structural" in here:
                continue  # "ring allografts from the bone bank"
            if kind == "allograft_morselized" and m.sentence in spacer_sentences:
                kind = "allograft_structural"  # "cortico-cancellous allograft spacers"
        elif m.category == "NON_OSTEOTOMY" and m.meta["kind"] == "graft_harvest" and iliac_harvest:
            kind = "autograft_separate"
        else:
            continue
        if kind == "autograft_separate":
            kind = "autograft_separate_structural" if "structural" in here else "autograft_separate_morselized"
        if kind == "allograft_structural" and ("spacer" in text[m.start:m.end].lower() or "cage" in here
                                               or m.sentence in spacer_sentences):
            flags.append("allograft_spacer")
        kinds[kind].append(m.evidence(text))
    unspecified = kinds.pop("autograft_unspecified", [])
    if unspecified and not any(k.startswith("autograft_separate") for k in kinds):
        if "local_autograft" not in kinds:
            flags.append("autograft_source_unstated")
        kinds["local_autograft"] += unspecified
    if "autograft_separate_morselized" in kinds and not separate_incision:
        flags.append("separate_incision_not_documented")
    if not kinds and any(m.category == "GRAFT" and m.present and m.role == "procedure_list" for m in mentions):
        flags.append("graft_header_only")
    return [{"kind": k, "evidence": ev} for k, ev in kinds.items()], flags


# --------------------------------------------------------------------------- note


def build_facts(doc: Doc, text: str, rule_meta: dict[str, dict], settings) -> dict:
    """All facts of one note (JSON-able)."""
    sections = SectionIndex(doc, text)
    mentions = collect_mentions(doc, text, rule_meta, sections)
    approach = ApproachTrack(mentions)
    osteotomies, excluded, flags = build_osteotomies(mentions, text, approach, settings)
    instrumentation, instr_flags = build_instrumentation(mentions, text, approach)
    grafts, graft_flags = build_grafts(mentions, text)
    flags += instr_flags + graft_flags
    flags += _procedure_flags(mentions, osteotomies)
    if sections.narrative_missing and any(m.category == "OSTEOTOMY" for m in mentions):
        flags.append("no_narrative_section")
    others = [{"kind": m.meta["kind"], "assertion": m.assertion, "levels": [lv.label for _, _, lv in m.levels],
               "evidence": [m.evidence(text)]} for m in mentions
              if m.category == "NON_OSTEOTOMY" and m.role == "body"]
    return {
        "approach": approach.values,
        "osteotomies": osteotomies,
        "excluded_osteotomies": excluded,
        "instrumentation": instrumentation,
        "grafts": grafts,
        "other_procedures": others,
        "sections": [c for c in dict.fromkeys(sections.categories) if c],
        "flags": list(dict.fromkeys(flags)),
    }


def _procedure_flags(mentions: list[Mention], osteotomies: list[dict]) -> list[str]:
    """Flags for look-alikes that are never coded but that a coder should see."""
    flags = []
    body = [m for m in mentions if m.category == "NON_OSTEOTOMY" and m.present and m.role == "body"]
    kinds = {m.meta["kind"] for m in body}
    if "schwab1" in kinds:
        flags.append("schwab_grade1")
    if "release" in kinds and not osteotomies:
        flags.append("release_not_coded")
    if "acr" in kinds:
        flags.append("acr_not_coded")
    for kind, flag in (("corpectomy", "corpectomy_same_segment"), ("kyphectomy", "kyphectomy_same_segment")):
        segs = {v for m in body if m.meta["kind"] == kind for _, _, lv in m.levels for v in lv.vertebrae()}
        sites = {v for f in osteotomies for s in f["sites"] for v in s["vertebrae"]}
        if segs & sites:
            flags.append(flag)
    return flags


def region_vertebra(site: dict, mode: str) -> str:
    """The vertebra that sets a site's region: cephalad (default) or caudal for interspaces."""
    return site["vertebrae"][-1] if mode == "caudal" else site["vertebrae"][0]

