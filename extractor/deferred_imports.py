"""Import medSpaCy without the parts of its dependency tree the extractor never runs.

``import medspacy`` always imports QuickUMLS (``medspacy.util`` does), which imports NLTK, which imports
SciPy and scikit-learn: about 200 MB of memory and a second of start-up in every worker process, for a
component this project does not use (it matches with its own rules and medSpaCy's ConText). NLTK is
therefore registered as a stand-in module that imports the real one the first time anything reads from
it: code that does use NLTK (QuickUMLS, a notebook) still gets it, and a process that never touches it
never pays for it.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
import types


class _OnFirstUse(types.ModuleType):
    """A module that replaces itself with the real one on the first attribute read."""

    def __getattr__(self, name: str):
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), name)


def defer(name: str) -> None:
    """Stand ``name`` in for itself until first use (nothing to do if it is imported or not installed)."""
    if name not in sys.modules and importlib.util.find_spec(name) is not None:
        sys.modules[name] = _OnFirstUse(name)


defer("nltk")  # on import of this module, which the modules importing medSpaCy import first
