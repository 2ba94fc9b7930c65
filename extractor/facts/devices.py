"""Biomechanical devices: interbody devices (per interspace), corpectomy-defect devices (per
contiguous defect) and devices without arthrodesis (per interspace or defect). Device classes are in
rules/decisions.json, "devices"."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..flags import Flag
from ..levels import Level, interspace_label, vertebra_index
from ..resources import load_json
from ..sentences import INTERBODY_LEVELS_LABEL
from .attribution import first_list
from .constructs import fixation_points
from .mentions import BODY, Mention, MentionIndex


@dataclass(frozen=True)
class Devices:
    interbody: tuple[str, ...]
    interbody_level_unknown: bool
    corpectomy_defects: int
    no_arthrodesis_devices: int


def _config() -> dict:
    return load_json("decisions.json")["devices"]


def is_body_resection(m: Mention) -> bool:
    """A corpectomy or a VCR: either leaves a defect where a cage is a corpectomy device."""
    config = _config()
    return ((m.category == "NON_OSTEOTOMY" and m.kind in config["body_resection_kinds"])
            or (m.category == "OSTEOTOMY" and m.meta.get("type") in config["body_resection_osteotomy_types"]))


def _is_corpectomy(m: Mention) -> bool:
    return m.category == "NON_OSTEOTOMY" and m.kind in _config()["body_resection_kinds"]


def _is_generic_spacer(m: Mention) -> bool:
    return bool(m.meta.get("generic_spacer"))


def fills_a_spacer(graft: Mention) -> bool:
    """Graft words that say it fills a spacer ("allograft cancellous chips"), not that it is one
    (rules/decisions.json, devices.filling_graft_words)."""
    return any(w in graft.text.lower() for w in _config()["filling_graft_words"])


def is_allograft_spacer(device: Mention, sentence: list[Mention]) -> bool:
    """"Cortico-cancellous allograft spacers": a bare 'spacer' beside an allograft is the graft itself (not beside
    allograft chips it is packed with: "a 6 mm COALITION spacer was packed with allograft cancellous chips")."""
    return device.kind in _config()["interbody_kinds"] and _is_generic_spacer(device) and any(
        m.category == "GRAFT" and m.kind.startswith("allograft") and not fills_a_spacer(m) for m in sentence)


class _DeviceReader:
    """What the device decisions need to know about the note, computed once."""

    def __init__(self, index: MentionIndex):
        config = _config()
        self.index = index
        listed_or_body = [m for m in index if m.present and m.role in ("body", "procedure_list")]
        self.resection_in_note = any(is_body_resection(x) for x in listed_or_body)
        self.resected = {v for x in listed_or_body if is_body_resection(x) for lv in x.level_values()
                         if lv.kind != "interspace" for v in lv.vertebrae()}  # the bodies, not the discs taken with them
        self.interbody_fusion = any(m.category == "FUSION" and m.kind == "interbody" for m in listed_or_body)
        # Levels of interbody work: the levels of an interbody fusion, a discectomy or an anterior osteotomy
        # (which includes the discectomy of its segment); where those name none ("Anterior cervical discectomy
        # and decompression, C4/5, C5/6"), every level of their sentence.
        osteotomy_not_done = index.narrative_not_done("OSTEOTOMY")
        work = [m for m in listed_or_body
                if (m.category == "FUSION" and m.kind == "interbody")
                or (m.category == "NON_OSTEOTOMY" and m.kind in config["interbody_level_kinds"])
                or (m.category == "OSTEOTOMY" and m.meta.get("type") in config["interbody_level_osteotomy_types"]
                    and (m.counted or not osteotomy_not_done))]
        # (never where another interbody step names its levels: "TLIF cage" in an implant line beside the screws)
        work_without_levels = [] if any(m.levels for m in work) else work
        replaced = _replaced_discs(listed_or_body, work, config)
        self.interbody_levels = [lv for m in listed_or_body
                                 if (m in work and m.levels) or _near_any(m, work_without_levels)
                                 for lv in m.level_values() if lv.kind != "vertebra" and lv.label not in replaced]
        self.levels_field = _levels_field(index, work_without_levels) if work_without_levels else []
        self.interbody_field = _interbody_levels_field(index)
        # "The two spacers sat centrally": in a note whose interbody implants are all structural allografts (femoral
        # rings, no cage named), a bare "spacer" is one of those grafts, not a device
        self.spacers_are_grafts = any(m.category == "GRAFT" and m.kind == config["structural_graft_kind"]
                                      for m in index.counted) and not any(
            m.category == "INSTRUMENT" and m.kind in config["interbody_kinds"] and not _is_generic_spacer(m)
            for m in index.counted)

    def in_defect(self, m: Mention) -> bool:
        """A cage in a corpectomy or VCR defect rather than in a disc space."""
        here = self.index.in_sentence(m.sentence)
        if any(is_body_resection(x) for x in here) or any(x.category == "DEFECT" for x in here) and (
                self.resection_in_note or not _DISC_SPACE.search(self.index.text, *m.sentence)):
            return True  # "cage (C5-C6 corpectomy defect)": C5-C6 are the resected bodies; not "into the disc space
            # ... the front of the defect" of a debrided disc where no body was resected
        levels = m.level_values()
        if not levels:  # "the expandable cage was inserted" in a corpectomy without interbody fusion
            return self.resection_in_note and not self.interbody_fusion
        spaces = [lv for lv in levels if lv.kind == "interspace"]
        return self.resection_in_note and (not spaces or self._spans_the_defect(m, spaces))

    def _spans_the_defect(self, m: Mention, spaces: list[Level]) -> bool:
        """One cage told at both discs around a resected body ("the T12-L1 and L1-L2 discs were removed ... to support
        the cage" of an L1 vertebrectomy), or at the disc between two resected bodies ("| T9-10 | Expandable cage |" of
        T9 and T10 partial corpectomies); not cages, one in each disc beside a partial corpectomy."""
        below = {lv.start for lv in spaces}
        above = {lv.end for lv in spaces}
        between = any(lv.start in self.resected and lv.end in self.resected for lv in spaces)
        return not m.text.lower().endswith("s") and (bool(below & above & self.resected) or between)


_DISC_SPACE = re.compile(r"\b(?:disc|disk)[ \t\n]+space|\binterspace\b", re.IGNORECASE)
_NEAR_WORK_CHARS = 250  # in a run-on dictated sentence, the levels of other steps are far from the discectomy


def _replaced_discs(mentions: list[Mention], work: list[Mention], config: dict) -> set[str]:
    """The interspaces of a disc arthroplasty: its own levels, and those of a discectomy told in its sentence with no
    interbody device ("At L4-5 the disc was removed ... and a disc prosthesis inserted"). A cage told without a level
    never sits there ("C5-6 disc arthroplasty; C6-7 discectomy and fusion with a PEEK cage")."""
    kinds = set(config["disc_replacement_kinds"])
    discs = [m for m in mentions if m.category == "NON_OSTEOTOMY" and m.kind in kinds]
    sentences = {m.sentence for m in discs}
    with_device = {m.sentence for m in mentions if m.category == "INSTRUMENT" and m.kind in config["interbody_kinds"]}
    return {lv.label for m in discs + [w for w in work if w.sentence in sentences - with_device]
            for lv in m.level_values() if lv.kind == "interspace"}


def _near_any(m: Mention, work: list[Mention]) -> bool:
    """Is ``m`` in the sentence of an interbody step told without levels, and near it?"""
    return any(m.sentence == w.sentence and abs(m.start - w.start) <= _NEAR_WORK_CHARS for w in work)


def _levels_field(index: MentionIndex, work: list[Mention]) -> list[Level]:
    """The interspaces of a templated "Level(s):" field set just after a procedure named without levels in the
    procedure list ("Procedure(s): Lateral interbody fusion, stand-alone" ... "Level(s): [L3-4, L4-5]", or a range:
    "Level(s): [L3-L5]"), on its own line or run onto the procedure's, within ``levels_field_reach_chars`` of it."""
    listed = [m for m in work if m.role == "procedure_list"]
    if not listed:
        return []
    start, end = min(m.sentence[0] for m in listed), min(m.sentence[1] for m in listed)
    reach = _config()["levels_field_reach_chars"]
    spans = sorted((span for s, group in index.loose_levels.items() if start <= s[0] <= end + reach for span in group
                    if span.start > min(m.end for m in listed)), key=lambda span: span.start)
    opening = next((i for i, span in enumerate(spans)
                    if _LEVELS_LABEL_BEFORE.search(index.text, max(0, span.start - 30), span.start)), None)
    if opening is None:
        return []
    return [span.level for span in first_list(index.text, tuple(spans[opening:])) if span.level.kind != "vertebra"]


_LEVELS_LABEL_BEFORE = re.compile(r"\blevels?(?:[ \t]*\(s\))?[ \t]*:?\s*\[?[ \t]*$", re.IGNORECASE)


# A template field named for the interbody levels, up to one of its levels: "[Interbody level(s): L3-4, L4-5".
_INTERBODY_LEVELS_FIELD = re.compile(INTERBODY_LEVELS_LABEL.pattern + r"\s*\[?(?:\s*[CTLS]\d{1,2}(?:-[CTLS]?\d{1,2})?\s*,?)*\s*$",
                                     re.IGNORECASE)


def _interbody_levels_field(index: MentionIndex) -> list[Level]:
    """The interspaces of a template field named for them ("[Interbody level(s): L3-4, L4-5]"), whichever mention
    stands nearest (the field is often under a label set aside from the narrative): the cages' levels only where
    the interbody work names none (a plan's or a history's field never overrides the narrative's)."""
    spans = [span for m in index for span in m.levels] + [span for group in index.loose_levels.values() for span in group]
    return [span.level for span in spans if span.level.kind != "vertebra"
            and _INTERBODY_LEVELS_FIELD.search(index.text, max(0, span.start - 60), span.start)]


_EACH_SPACE = re.compile(r"\b(?:each|every|both|all)\b(?![ \t]+remaining)", re.IGNORECASE)


def _one_per_space(cages: list[Mention], index: MentionIndex) -> bool:
    """Do the cages told without levels go one into each space ("a cage was impacted into each space", "cages")?
    Only then does a levels field give them its interspaces: "one cage into the disc space" beside "Level(s): L3-S1"
    is not three cages, and "each remaining space" leaves out levels the field does not."""
    return any(m.text.lower().endswith("s") or _EACH_SPACE.search(index.text, *m.sentence) for m in cages)


_BETWEEN_SPINOUS = re.compile(r"\bbetween\s+(?:the\s+)?(?:[CTLS]\d{1,2}\s+and\s+(?:the\s+)?[CTLS]?\d{1,2}\s+)?spinous\s+processes\b",
                              re.IGNORECASE)  # "the spacer was sitting loose between the L3 and L4 spinous processes"


def build_devices(index: MentionIndex) -> tuple[Devices, list[Flag]]:
    """The devices placed in this operation, by class, and the note flags they raise."""
    config = _config()
    reader = _DeviceReader(index)
    devices = _placed_devices(index)
    sentence = index.in_sentence
    no_device = any(m.category == "NON_OSTEOTOMY" and m.kind in config["no_device_with_kinds"] for m in index.counted)
    mma = [m for m in devices if m.kind in config["no_arthrodesis_kinds"] or (
        m.kind in config["no_arthrodesis_material_kinds"] and any(
            x.category == "DEFECT" or _is_corpectomy(x) or _is_generic_spacer(x) for x in sentence(m.sentence)))]
    corpectomy = [m for m in devices if m.kind in config["corpectomy_kinds"]
                  or (m.kind in config["interbody_kinds"] and reader.in_defect(m)
                      and not (_is_generic_spacer(m) and any(x in mma for x in sentence(m.sentence))))]
    # ("cement poured into the defect ... allowed to harden into a spacer": the spacer is the cement, one device)
    posterior_spacer = any(m.kind in config["posterior_spacer_kinds"] for m in index.counted)
    cages = [m for m in devices if m.kind in config["interbody_kinds"] and m not in corpectomy
             and not (_is_generic_spacer(m) and (posterior_spacer or _BETWEEN_SPINOUS.search(index.text, m.end, m.end + 80)
                                                 or any(x in mma for x in sentence(m.sentence)) or reader.spacers_are_grafts))]
    defect_points = _defect_points(corpectomy, index)
    interbody = interspaces(lv for m in cages for lv in m.level_values())
    unknown = False
    flags: list[Flag] = []
    if any(not m.levels for m in cages) and not corpectomy:
        # A cage named without its level sits at the interbody fusion / discectomy levels.
        interbody |= interspaces(reader.interbody_levels)
        if not interbody and reader.interbody_field:  # "[Interbody level(s): L3-4, L4-5]", where the work names none
            interbody = interspaces(reader.interbody_field)
            flags.append(Flag.interbody_levels_from_field)
        if not interbody and reader.levels_field and _one_per_space([m for m in cages if not m.levels], index):
            interbody = interspaces(reader.levels_field)
            flags.append(Flag.interbody_levels_from_field)
        if not interbody:
            unknown = True
            flags.append(Flag.interbody_level_unknown)
    mma_levels = {lv.label for m in mma for lv in m.level_values() if lv.kind == "interspace"}  # not the pins' vertebrae
    defects = contiguous_runs(defect_points) or (1 if corpectomy else 0)
    no_arthrodesis = 0 if no_device or not mma else max(1, len(mma_levels))
    if _fusion_ruled_out(index):  # "stabilization only, not fusion": its cages are devices without arthrodesis
        no_arthrodesis, defects, interbody = no_arthrodesis + defects + len(interbody), 0, set()
    return Devices(interbody=tuple(sorted(interbody, key=_interspace_order)), interbody_level_unknown=unknown,
                   corpectomy_defects=defects, no_arthrodesis_devices=no_arthrodesis), flags


def _fusion_ruled_out(index: MentionIndex) -> bool:
    """The narrative says no fusion was done ("the construct was intended as stabilization only, not
    fusion"), and neither it nor the procedure list names a fusion or a graft as done."""
    told = [m for category in ("FUSION", "GRAFT") for m in index.of(category) if m.role in (BODY, "procedure_list")]
    return (any(m.category == "FUSION" and m.role == BODY and m.assertion == "negated" for m in told)
            and not any(m.present for m in told))


def _placed_devices(index: MentionIndex) -> list[Mention]:
    """Device mentions of the narrative, without allograft spacers (which are grafts): a bare "spacer"
    told without levels is the allograft again when the note names its spacers as allograft (in the
    narrative, a template field or the implant list)."""
    all_devices = [m for m in index.counted if m.category == "INSTRUMENT" and m.meta["role"] == "device"]
    devices = [m for m in all_devices if not is_allograft_spacer(m, index.in_sentence(m.sentence))]
    named = [m for m in index if m.category == "GRAFT" and m.kind == "allograft_structural" and m.present
             and "spacer" in m.text.lower()]
    if len(devices) < len(all_devices) or named:  # the allograft spacers again: "good spacer position"
        # ... and "a 7 mm VG2 spacer was tapped into the C6-7 space" where the allograft spacer is named
        # without a level, or at that level, and no other kind of device is named
        allograft_at = {lv.label for m in named for lv in m.level_values()}
        only_allograft = bool(named) and not allograft_at and all(_is_generic_spacer(m) for m in devices)

        def the_allograft_again(m: Mention) -> bool:
            at_allograft_levels = {lv.label for lv in m.level_values()} <= allograft_at
            return _is_generic_spacer(m) and (not m.levels or only_allograft or at_allograft_levels)

        devices = [m for m in devices if not the_allograft_again(m)]
    return devices


def _defect_points(devices: list[Mention], index: MentionIndex) -> set[int]:
    """Vertebrae of the defects that hold a device: the resected bodies within what the devices span
    (a device's own levels are often its end plates: "tapped into position between C4 and C7" after a
    C5-C6 corpectomy), else what they span; a corpectomy left without a device is not counted."""
    resected = fixation_points([lv for m in index.counted if _is_corpectomy(m)
                                for lv in m.level_values() if lv.kind != "interspace"])[0]
    spanned = {p for m in devices for p in _spanned(m)}
    if not spanned:
        return resected if devices else set()
    return (resected & spanned) or spanned


def _spanned(device: Mention) -> set[int]:
    """The vertebrae one device spans: "a cage between C4 and C7" fills one defect, C4 to C7."""
    points = fixation_points(device.level_values())[0]
    return set(range(min(points), max(points) + 1)) if points else set()


def interspaces(levels: Iterable[Level]) -> set[str]:
    labels: set[str] = set()
    for lv in levels:
        verts = lv.vertebrae()
        labels.update(interspace_label(a, b) for a, b in zip(verts, verts[1:]))
    return labels


def _interspace_order(label: str) -> int:
    return vertebra_index(label.split("-")[0])


def contiguous_runs(points: set[int]) -> int:
    """Number of contiguous runs of vertebrae (one corpectomy defect each)."""
    known = sorted(points)
    return sum(1 for i, p in enumerate(known) if i == 0 or p != known[i - 1] + 1)
