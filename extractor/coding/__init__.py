"""Stage 3: facts -> code suggestions. A pure function of (facts, settings, code table).

Conventions (coding-rules sections 1-2, 5-6): one primary per osteotomy family plus the family's
add-on for each further site, in any region; region of a site from its cephalad vertebra; primary
from the most cephalad site; grafts once per code; instrumentation by segments spanned. Every
suggestion carries an explanation of its confidence and of the sites it counted or dropped.
"""
from __future__ import annotations

from ..model import Facts, Suggestion
from ..settings import Settings
from .grafts import code_grafts
from .instrumentation import code_instrumentation
from .osteotomy import code_osteotomies


def suggest(facts: Facts, settings: Settings) -> list[Suggestion]:
    """Every code the facts support, in code order."""
    suggestions = (code_osteotomies(facts.osteotomies, settings) + code_grafts(facts.grafts, settings)
                   + code_instrumentation(facts.instrumentation, settings))
    return sorted(suggestions, key=lambda s: s.code)


__all__ = ["suggest"]
