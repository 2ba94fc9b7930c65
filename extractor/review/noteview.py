"""What the note page shows: the text cut into segments so each evidence span can be highlighted
in the colour of its code line, and the facts panel in a coder's words.

Segments carry their character offset (``data-start``) so a selection made in the browser maps
back to offsets into the note as stored. Carriage returns get no segment of their own (browsers
drop them), which keeps every segment's offset exact.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .models import Item
from .tables import NOT_COUNTED, flag_text

PALETTE = 8


@dataclass
class Segment:
    start: int
    text: str
    keys: list[str]
    header: bool


def segments(text: str, marks: list[tuple[int, int, str]], headers: list[list[Any]]) -> list[Segment]:
    """Cut the text at every mark and header boundary; each piece lists the marks covering it."""
    size = len(text)
    marks = [(max(0, s), min(size, e), k) for s, e, k in marks if 0 <= s < e]
    heads = [(h[0], h[1]) for h in headers]
    cuts = {0, size} | {p for s, e, _ in marks for p in (s, e)} | {p for s, e in heads for p in (s, e)}
    cuts |= {p for i, ch in enumerate(text) if ch == "\r" for p in (i, i + 1)} if "\r" in text else set()
    bounds = sorted(cuts)
    out = []
    for a, b in zip(bounds, bounds[1:]):
        piece = text[a:b]
        if piece == "\r":
            continue
        keys = [k for s, e, k in marks if s <= a and b <= e]
        out.append(Segment(a, piece, keys, any(s <= a and b <= e for s, e in heads)))
    return out


def css_class(segment: Segment, colours: dict[int, int]) -> str:
    """Highlight class of a segment: the colour of its first code line, else excluded mention/cue."""
    classes = ["hdr"] if segment.header else []
    items = [int(k[1:]) for k in segment.keys if k.startswith("i") and int(k[1:]) in colours]
    if items:
        classes += ["mark", f"c{colours[items[0]]}"]
    elif any(k.startswith("q") for k in segment.keys):
        classes.append("cue")
    elif any(k.startswith("x") for k in segment.keys):
        classes.append("excluded")
    return " ".join(classes)


def item_marks(items: list[Item]) -> list[tuple[int, int, str]]:
    return [(e["start"], e["end"], f"i{item.id}") for item in items if item.decision != "removed"
            for e in item.evidence]


def why_not_counted(mention: dict[str, Any]) -> str:
    assertion = mention.get("assertion") or "present"
    if assertion == "present":
        return NOT_COUNTED.get(mention.get("role") or "", NOT_COUNTED["present"])
    return NOT_COUNTED.get(assertion, assertion)


def not_counted(facts: dict[str, Any]) -> list[dict[str, Any]]:
    """Osteotomy, graft and instrument mentions that yielded no code, with the reason and the cue."""
    mentions = [{"what": m.get("type") or m.get("family") or "osteotomy", **m}
                for m in facts.get("excluded_osteotomies") or []]
    mentions += [{"what": m.get("kind") or m.get("category") or "mention", **m}
                 for m in facts.get("excluded_mentions") or []]
    return [{"key": f"x{i}", "cue_key": f"q{i}", "what": str(m["what"]).replace("_", " "),
             "why": why_not_counted(m), "levels": m.get("levels") or [], "cue": m.get("cue"),
             "evidence": m.get("evidence") or []} for i, m in enumerate(mentions)]


def mention_marks(mentions: list[dict[str, Any]]) -> list[tuple[int, int, str]]:
    marks = [(e["start"], e["end"], m["key"]) for m in mentions for e in m["evidence"]]
    marks += [(m["cue"]["start"], m["cue"]["end"], m["cue_key"]) for m in mentions
              if isinstance(m.get("cue"), dict) and "start" in m["cue"]]
    return marks


def explanation(item: Item) -> dict[str, Any] | None:
    """The suggestion's explanation with flag ids turned into plain words."""
    data = item.explanation
    if not data:
        return None
    return {"base_confidence": data.get("base_confidence"), "base_reason": data.get("base_reason"),
            "penalties": [{"factor": p.get("factor"), "text": flag_text(p.get("flag", ""))}
                          for p in data.get("penalties") or []],
            "sites": data.get("sites") or [],
            "dropped_sites": [{"site": d.get("site"), "text": flag_text(d.get("reason", ""))}
                              for d in data.get("dropped_sites") or []]}


def facts_panel(facts: dict[str, Any] | None) -> dict[str, Any]:
    facts = facts or {}
    instrumentation = facts.get("instrumentation") or {}
    constructs = [{"side": side, **instrumentation[side]} for side in ("posterior", "anterior")
                  if instrumentation.get(side)]
    return {
        "approach": facts.get("approach") or [],
        "osteotomies": [{"type": (o.get("type") or "").replace("_", " "), "family": o.get("family"),
                         "sites": [s.get("label") for s in o.get("sites") or []], "source": o.get("source"),
                         "inferred": o.get("inferred")} for o in facts.get("osteotomies") or []],
        "constructs": constructs,
        "interbody": instrumentation.get("interbody") or [],
        "corpectomy_defects": instrumentation.get("corpectomy_defects") or 0,
        "no_arthrodesis_devices": instrumentation.get("no_arthrodesis_devices") or 0,
        "grafts": [(g.get("kind") or "").replace("_", " ") for g in facts.get("grafts") or []],
        "other": [{"kind": (o.get("kind") or "").replace("_", " "), "assertion": o.get("assertion"),
                   "levels": o.get("levels") or []} for o in facts.get("other_procedures") or []],
    }
