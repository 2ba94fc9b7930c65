"""The typed contract between the stages: the facts of a note (built by ``extractor.facts``) and the
code suggestions made from them (by ``extractor.coding``). Plain dataclasses; ``to_dict()`` gives the
JSON output form and is only called at the output edge.

Fields that exist for coding or explanation only (``Construct.levels_from_procedure_list``,
``Graft.flags``, ``Osteotomy.dropped``...) are kept out of the facts' output form, which is a public
contract (README, "Output schema").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from heapq import merge
from typing import NamedTuple

from .flags import Flag, flag_record


class Evidence(NamedTuple):
    """A span of the note that supports a fact: the matched words, their section and sentence.
    (A named tuple: notes make hundreds of these, and a tuple is the cheapest immutable record.)"""

    start: int
    end: int
    text: str
    section: str | None
    rule: str
    sentence_start: int
    sentence_end: int

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text, "section": self.section,
                "rule": self.rule, "sentence_start": self.sentence_start, "sentence_end": self.sentence_end}


class Cue(NamedTuple):
    """The ConText modifier that gave a mention its assertion ("no", "was aborted", "s/p")."""

    text: str
    start: int
    end: int
    category: str

    def to_dict(self) -> dict:
        return {"text": self.text, "start": self.start, "end": self.end, "category": self.category}


@dataclass(frozen=True, slots=True)
class Site:
    """One osteotomy site: a vertebra ("L3") or an interspace ("T10-11")."""

    label: str
    kind: str  # "vertebra" | "interspace"
    vertebrae: tuple[str, ...]
    from_range: bool = False
    kind_written: str | None = None  # a three-column site written as an interspace

    def to_dict(self) -> dict:
        out = {"label": self.label, "kind": self.kind, "vertebrae": list(self.vertebrae), "from_range": self.from_range}
        if self.kind_written:
            out["kind_written"] = self.kind_written
        return out


@dataclass(frozen=True, slots=True)
class DroppedSite:
    """A site named in the note but not counted, and the flag or assertion that says why."""

    site: str
    reason: str

    def to_dict(self) -> dict:
        return {"site": self.site, "reason": self.reason}


@dataclass(frozen=True)
class Osteotomy:
    """Osteotomies of one family and type performed in this operation."""

    family: str
    type: str
    sites: tuple[Site, ...]
    approach: str
    source: str  # "body" or "procedure_list": where the levels came from
    inferred: bool
    evidence: tuple[Evidence, ...]
    flags: tuple[Flag, ...] = ()
    dropped: tuple[DroppedSite, ...] = ()

    def to_dict(self) -> dict:
        return {"family": self.family, "type": self.type, "assertion": "present",
                "sites": [s.to_dict() for s in self.sites], "approach": self.approach, "source": self.source,
                "inferred": self.inferred, "evidence": [e.to_dict() for e in self.evidence],
                "flags": [str(f) for f in self.flags]}


@dataclass(frozen=True)
class NotCounted:
    """A mention that was not counted: not done (its assertion, set by the ConText ``cue``) or outside
    the operative narrative (its section ``role``)."""

    assertion: str
    role: str
    levels: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    cue: Cue | None

    def _why(self) -> dict:
        return {"assertion": self.assertion, "role": self.role, "levels": list(self.levels),
                "evidence": [e.to_dict() for e in self.evidence], "cue": self.cue.to_dict() if self.cue else None}


@dataclass(frozen=True)
class Exclusion(NotCounted):
    """An osteotomy mention not counted, with the family and type it would have had."""

    family: str | None = None
    type: str | None = None

    def to_dict(self) -> dict:
        return {"family": self.family, "type": self.type, **self._why()}


@dataclass(frozen=True)
class ExcludedMention(NotCounted):
    """A graft or instrumentation mention not counted."""

    category: str = ""
    kind: str = ""

    def to_dict(self) -> dict:
        return {"category": self.category, "kind": self.kind, **self._why()}


@dataclass(frozen=True)
class Construct:
    """The vertebrae fixed by one instrumentation construct (posterior or anterior)."""

    span: str
    segments: int
    segmental: bool
    fixation_points: tuple[str, ...]
    pelvic_fixation: bool
    evidence: tuple[Evidence, ...]
    levels_from_procedure_list: bool = False

    def to_dict(self) -> dict:
        return {"span": self.span, "segments": self.segments, "segmental": self.segmental,
                "fixation_points": list(self.fixation_points), "pelvic_fixation": self.pelvic_fixation,
                "evidence": [e.to_dict() for e in self.evidence]}


@dataclass(frozen=True)
class Instrumentation:
    """Constructs, pelvic fixation and devices placed in this operation."""

    posterior: Construct | None = None
    anterior: Construct | None = None
    pelvic_fixation: bool = False
    interbody: tuple[str, ...] = ()  # interspaces with an interbody device
    interbody_level_unknown: bool = False  # a device whose interspace the note does not give
    corpectomy_defects: int = 0
    no_arthrodesis_devices: int = 0
    device_evidence: tuple[Evidence, ...] = ()
    pelvic_evidence: tuple[Evidence, ...] = ()

    def to_dict(self) -> dict:
        return {
            "posterior": self.posterior.to_dict() if self.posterior else None,
            "anterior": self.anterior.to_dict() if self.anterior else None,
            "pelvic_fixation": self.pelvic_fixation,
            "interbody": list(self.interbody) + (["?"] if self.interbody_level_unknown else []),
            "corpectomy_defects": self.corpectomy_defects,
            "no_arthrodesis_devices": self.no_arthrodesis_devices,
            # One list in note order, as the output always had it.
            "device_evidence": [e.to_dict() for e in merge(self.device_evidence, self.pelvic_evidence,
                                                          key=lambda e: e.start)],
        }


@dataclass(frozen=True)
class Graft:
    """A graft kind used in this operation (reported once), with the flags that qualify it."""

    kind: str
    evidence: tuple[Evidence, ...]
    flags: tuple[Flag, ...] = ()

    def to_dict(self) -> dict:
        return {"kind": self.kind, "evidence": [e.to_dict() for e in self.evidence]}


@dataclass(frozen=True)
class OtherProcedure:
    """A look-alike seen in the narrative (decompression, corpectomy, release...): never coded here."""

    kind: str
    assertion: str
    levels: tuple[str, ...]
    evidence: tuple[Evidence, ...]

    def to_dict(self) -> dict:
        return {"kind": self.kind, "assertion": self.assertion, "levels": list(self.levels),
                "evidence": [e.to_dict() for e in self.evidence]}


@dataclass(frozen=True)
class Facts:
    """Everything the coding stage needs to know about one note."""

    approach: tuple[str, ...] = ()
    osteotomies: tuple[Osteotomy, ...] = ()
    excluded_osteotomies: tuple[Exclusion, ...] = ()
    instrumentation: Instrumentation = field(default_factory=Instrumentation)
    grafts: tuple[Graft, ...] = ()
    other_procedures: tuple[OtherProcedure, ...] = ()
    sections: tuple[str, ...] = ()
    flags: tuple[Flag, ...] = ()
    excluded_mentions: tuple[ExcludedMention, ...] = ()

    def to_dict(self) -> dict:
        return {
            "approach": list(self.approach),
            "osteotomies": [o.to_dict() for o in self.osteotomies],
            "excluded_osteotomies": [x.to_dict() for x in self.excluded_osteotomies],
            "instrumentation": self.instrumentation.to_dict(),
            "grafts": [g.to_dict() for g in self.grafts],
            "other_procedures": [o.to_dict() for o in self.other_procedures],
            "sections": list(self.sections),
            "flags": [str(f) for f in self.flags],
            "excluded_mentions": [x.to_dict() for x in self.excluded_mentions],
        }


# --------------------------------------------------------------------------- suggestions


@dataclass(frozen=True, slots=True)
class Penalty:
    """One step from the base confidence: a factor (convention flags) or a cap (weak documentation)."""

    flag: Flag
    factor: float | None = None
    cap: float | None = None

    def to_dict(self) -> dict:
        return {"flag": str(self.flag), **({"factor": self.factor} if self.factor is not None else {}),
                **({"cap": self.cap} if self.cap is not None else {})}


@dataclass(frozen=True)
class Explanation:
    """Why a suggestion has its confidence and units (as Presidio's AnalysisExplanation does)."""

    base_confidence: float
    base_reason: str
    penalties: tuple[Penalty, ...] = ()
    sites: tuple[str, ...] = ()
    dropped_sites: tuple[DroppedSite, ...] = ()

    def to_dict(self) -> dict:
        return {"base_confidence": self.base_confidence, "base_reason": self.base_reason,
                "penalties": [p.to_dict() for p in self.penalties], "sites": list(self.sites),
                "dropped_sites": [d.to_dict() for d in self.dropped_sites]}


@dataclass(frozen=True)
class Suggestion:
    """One suggested code with its units, the evidence behind it and the flags a coder should read."""

    code: str
    units: int
    family: str
    label: str
    confidence: float
    flags: tuple[Flag, ...]
    evidence: tuple[Evidence, ...]
    explanation: Explanation

    def to_dict(self) -> dict:
        return {"code": self.code, "units": self.units, "family": self.family, "label": self.label,
                "confidence": self.confidence, "flags": [flag_record(f) for f in self.flags],
                "evidence": [e.to_dict() for e in self.evidence], "explanation": self.explanation.to_dict()}
