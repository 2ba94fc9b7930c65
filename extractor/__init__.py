"""Spine operative-note extractor: osteotomy, bone graft and instrumentation CPT suggestions.

>>> import extractor
>>> ex = extractor.load()
>>> record = ex.extract(open("note.txt").read(), note_id="note")

Importing the package is cheap: spaCy and medSpaCy load only when a pipeline is built (``load()``,
``Extractor``, ``build_nlp``), so the command line and the batch readers start fast.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .settings import Settings

if TYPE_CHECKING:
    from .pipeline import Extractor, build_nlp

__version__ = "0.1.0"
_LAZY = {"Extractor", "build_nlp"}


def load(settings: Settings | None = None, triage: bool = True, gate: bool = True) -> "Extractor":
    """Build the pipeline once; reuse the returned Extractor for every note.

    ``triage`` masks sentences that cannot yield a fact; ``gate`` skips notes with no spine term.
    """
    from .pipeline import Extractor

    return Extractor(settings=settings, triage=triage, gate=gate)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'extractor' has no attribute {name!r}")


__all__ = ["Extractor", "Settings", "build_nlp", "load", "__version__"]
