"""Spine operative-note extractor: osteotomy, bone graft and instrumentation CPT suggestions.

>>> import extractor
>>> ex = extractor.load()
>>> record = ex.extract(open("note.txt").read(), note_id="note")
"""
from __future__ import annotations

from .pipeline import Extractor, build_nlp
from .settings import Settings

__version__ = "0.1.0"


def load(settings: Settings | None = None, triage: bool = True, gate: bool = True) -> Extractor:
    """Build the pipeline once; reuse the returned Extractor for every note.

    ``triage`` masks sentences that cannot yield a fact; ``gate`` skips notes with no spine term.
    """
    return Extractor(settings=settings, triage=triage, gate=gate)


__all__ = ["Extractor", "Settings", "build_nlp", "load", "__version__"]
