"""Stage 2: a note's mentions -> typed facts about what was done, where and how.

``read_doc`` turns a processed Doc into mentions (with section role, sentence, assertion and
levels); ``build_facts`` assembles the facts: osteotomies (``osteotomies``), constructs and devices
(``constructs``, ``devices``), grafts (``grafts``), approach, and the look-alikes a coder should see.
Nothing in this package imports spaCy or medSpaCy: tests build mentions directly.
"""
from .doc_reader import read_doc
from .mentions import LevelSpan, Mention, MentionIndex
from .note import build_facts
from .sections import SectionIndex
from .sites import osteotomy_sites

__all__ = ["LevelSpan", "Mention", "MentionIndex", "SectionIndex", "build_facts", "osteotomy_sites", "read_doc"]
