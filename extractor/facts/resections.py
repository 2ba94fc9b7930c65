"""Bone resected in the narrative without the word "osteotomy": which sentences say bone was cut away,
and the seed procedure of an ankylosed spine told only by what was resected (rules/decisions.json,
"listed_resection" and "unnamed_wedge")."""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from ..levels import make_level
from ..resources import load_json
from .mentions import LevelSpan, Mention, MentionIndex, Sentence


def cuts(index: MentionIndex, sentence: Sentence) -> bool:
    """Does the sentence say bone was cut away ("removed", "resected", "taken down")? Anatomy named in a
    screw step ("the L3 pedicles were probed") is not a resection (rules/decisions.json, resection_verbs),
    nor a dissection carried down to expose it ("subperiosteal dissection was carried out to the
    transverse processes")."""
    first = resection_verbs().search(index.text, *sentence) if index.text else None
    if first is None or first.group().lower() != "carried":
        return first is not None
    verbs = {m.group().lower() for m in resection_verbs().finditer(index.text, *sentence)}
    return verbs != {"carried"} or not _EXPOSURE.search(index.text, *sentence)


_EXPOSURE = re.compile(r"\b(?:dissection|expos\w*)\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def resection_verbs() -> re.Pattern:
    return re.compile(load_json("decisions.json")["listed_resection"]["resection_verbs"], re.IGNORECASE)


@lru_cache(maxsize=1)
def _config() -> dict:
    config = dict(load_json("decisions.json")["unnamed_wedge"])
    config["closing"] = re.compile(config["closing_words"], re.IGNORECASE)
    config["not_closing"] = re.compile(config["not_closing_words"], re.IGNORECASE)
    return config


def unnamed_wedge(index: MentionIndex, ankylosis: bool) -> Mention | None:
    """The seed procedure told without any osteotomy word ("Here we removed the spinous processes ...
    The joints on each side were then taken away ..., stopping at the pedicles, which were left
    untouched ... the front of the spine gave way with an audible crack and the gap closed"): in an
    ankylosed spine whose note names no osteotomy anywhere, the sentences just before the gap closes
    cut away the facets and another posterior element, never a pedicle or the body, at one interspace
    they name: one posterior wedge osteotomy there (inferred: flagged)."""
    config = _config()
    if not ankylosis or index.of("OSTEOTOMY"):
        return None
    cut = [m for m in index.of("RESECTION") if m.counted and cuts(index, m.sentence)]
    closing = next((s for s in index.sentences if config["closing"].search(index.text, *s)
                    and any(m.sentence < s and m.meta["element"] in config["elements_all"] for m in cut)), None)
    if closing is None:
        return None
    position = index.position(closing)
    window = set(index.sentences[max(0, position - config["resection_within_sentences"]):position])
    wedge = [m for m in cut if m.sentence in window]
    if any(x.category == "PURPOSE" and x.meta.get("purpose") == "decompression"
           for m in wedge for x in index.in_sentence(m.sentence)) or config["not_closing"].search(index.text, *closing):
        return None  # "resected to decompress the cord", "the fracture gap closed": not a correction
    elements = {m.meta["element"] for m in wedge}
    if not set(config["elements_all"]) <= elements or not elements & set(config["elements_any"]) \
            or elements & set(config["elements_none"]):
        return None
    wedge = [m for m in wedge if m.meta["element"] in set(config["elements_all"]) | set(config["elements_any"])]
    site = _site(index, wedge)
    if site is None:
        return None
    return replace(wedge[0], category="OSTEOTOMY", rule="osteo.unnamed_wedge",
                   meta={"family": "posterior", "type": "posterior_wedge"}, levels=(site,))


def _site(index: MentionIndex, wedge: list[Mention]) -> LevelSpan | None:
    """The one interspace the resection names, in its sentences or the sentence that sets the place
    just before ("Attention was then turned to the interval between the third and fourth lumbar
    vertebrae."); None when it names none or several."""
    sentences = sorted({m.sentence for m in wedge})
    before = [s for s in index.loose_levels if s[1] <= sentences[0][0]]
    spans = [span for s in sentences + ([max(before)] if before else []) for span in index.loose_levels.get(s, ())]
    spans += [span for s in sentences for m in index.in_sentence(s) for span in m.levels]
    interspaces = {span.level.label: span for span in spans if span.level.kind == "interspace"}
    if not interspaces:
        vertebrae = sorted({span.level.start for span in spans if span.level.kind == "vertebra"})
        level = make_level(*vertebrae) if len(vertebrae) == 2 else None
        if level is None or level.kind != "interspace":
            return None
        first = min(spans, key=lambda span: span.start)
        return LevelSpan(first.start, first.end, first.text, level)
    return next(iter(interspaces.values())) if len(interspaces) == 1 else None
