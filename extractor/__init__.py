"""Spine operative-note extractor: osteotomy, bone graft and instrumentation CPT suggestions.

>>> import extractor
>>> ex = extractor.load()
>>> record = ex.extract(open("note.txt").read(), note_id="note")
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .settings import Settings

if TYPE_CHECKING:
    from .pipeline import Extractor, build_nlp

__version__ = "0.1.0"


def __getattr__(name: str):
    """``Extractor`` and ``build_nlp`` are imported on first use: importing spaCy takes seconds, and
    the review queue (``extractor.review``) and the CLI's help must not pay for it."""
    if name in ("Extractor", "build_nlp"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'extractor' has no attribute {name!r}")


def load(settings: Settings | None = None, triage: bool = True, gate: bool = True) -> Extractor:
    """Build the pipeline once; reuse the returned Extractor for every note.

    ``triage`` masks sentences that cannot yield a fact; ``gate`` skips notes with no spine term.
    """
    from .pipeline import Extractor

    return Extractor(settings=settings, triage=triage, gate=gate)


__all__ = ["Extractor", "Settings", "build_nlp", "load", "__version__"]
