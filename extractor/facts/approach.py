"""The surgical approach in use at each point of the operative narrative."""
from __future__ import annotations

from bisect import bisect_right

from .mentions import MentionIndex

ANTERIOR_SIDE = ("anterior", "lateral")  # approaches that place anterior-column hardware


class ApproachTrack:
    """Which approach was in use at a point of the narrative (the last cue before it)."""

    def __init__(self, index: MentionIndex):
        cues = [m for m in index.counted if m.meta.get("approach") and m.category in ("APPROACH", "FUSION")]
        self.cues = sorted((m.start, m.meta["approach"]) for m in cues)
        self._starts = [start for start, _ in self.cues]
        # Positioning (prone, supine, lateral decubitus) counts only where no approach proper is named.
        proper = [m for m in cues if not m.meta.get("positional")] or cues
        self.values = tuple(dict.fromkeys(m.meta["approach"] for m in sorted(proper, key=lambda m: m.start)))
        # A note that names its approach only in the procedure list (a brief note: "Anterior cervical
        # discectomy and fusion" over an implant list) was done through it.
        listed = [m for m in index if m.role == "procedure_list" and m.present and m.meta.get("approach")
                  and m.category in ("APPROACH", "FUSION") and not m.meta.get("positional")]
        approaches = {m.meta["approach"] for m in listed} | {
            "posterior" for m in index if m.role == "procedure_list" and m.present and m.category == "INSTRUMENT"
            and "posterior" in m.text.lower()}  # "Percutaneous posterior fixation L5-S1"
        # An approach from the front named in words (narrative or procedure list), not only by a position ("supine"
        # for intubation, then prone).
        self.front_named = bool(approaches & set(ANTERIOR_SIDE)) or any(
            m.meta["approach"] in ANTERIOR_SIDE for m in cues if not m.meta.get("positional"))
        self._listed = approaches.pop() if len(approaches) == 1 else None  # not "ALIF L5-S1" + "posterior fixation"

    def at(self, offset: int) -> str | None:
        i = bisect_right(self._starts, offset)
        if i:
            return self.cues[i - 1][1]
        return self.cues[0][1] if self.cues else self._listed

    def anterior_at(self, offset: int) -> bool:
        return self.at(offset) in ANTERIOR_SIDE
