"""Build the spaCy pipeline once and run notes through text view -> Doc -> facts -> suggestions."""
from __future__ import annotations

import logging

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from . import components  # noqa: F401  (registers the factories)
from .coding import flag_record, suggest
from .decoding import decode_bytes
from .facts import build_facts
from .settings import Settings
from .textview import TextView, build_view, is_spine_note

log = logging.getLogger(__name__)

PIPE_NAMES = ("opnote_sentences", "opnote_targets", "opnote_levels", "opnote_sections", "opnote_context")
MAX_CHARS = 200_000  # longer notes are rejected with a reason: no op note is this long


def build_nlp() -> Language:
    """A blank English pipeline with the project's components (no model download)."""
    nlp = spacy.blank("en")
    for name in PIPE_NAMES:
        nlp.add_pipe(name)
    return nlp


class Extractor:
    """The extractor: one spaCy pipeline, the coding settings, and the per-note entry points."""

    def __init__(self, settings: Settings | None = None, triage: bool = True, gate: bool = True,
                 nlp: Language | None = None):
        self.settings = settings or Settings.load()
        self.triage = triage
        self.gate = gate
        self.nlp = nlp or build_nlp()
        self.rule_meta = self.nlp.get_pipe("opnote_targets").rule_meta

    def view(self, text: str) -> TextView:
        return build_view(text, triage=self.triage)

    def doc(self, text: str) -> tuple[TextView, Doc]:
        """The processed Doc of a note (its text is the same-length view of ``text``)."""
        view = self.view(text)
        doc = self.nlp.make_doc(view.view)
        doc._.opnote_sentence_spans = view.sentences + view.headers
        doc.user_data["opnote_text"] = view.view
        for _, proc in self.nlp.pipeline:
            doc = proc(doc)
        return view, doc

    def facts(self, text: str) -> dict:
        _, doc = self.doc(text)
        return build_facts(doc, text, self.rule_meta, self.settings)

    def extract(self, text: str | bytes | None, note_id: str | None = None) -> dict:
        """One output record for one note; never raises for bad input (status 'error' instead)."""
        record = {"note_id": note_id, "status": "ok", "error": None, "suggestions": [], "flags": [], "facts": None}
        extra_flags = []
        if isinstance(text, bytes):
            text, extra_flags = decode_bytes(text)
        record["flags"] = [flag_record(f) for f in extra_flags]  # kept on error and skipped records too
        if text is None or not isinstance(text, str):
            return {**record, "status": "error", "error": "missing note text"}
        if not text.strip():
            return {**record, "status": "error", "error": "empty note"}
        if len(text) > MAX_CHARS:
            return {**record, "status": "error", "error": f"note too long ({len(text)} characters > {MAX_CHARS})"}
        if self.gate and not is_spine_note(text):
            return {**record, "status": "skipped", "error": "not a spine note (no spine term found)"}
        try:
            facts = self.facts(text)
            facts["flags"] = extra_flags + facts["flags"]
            suggestions, flags = suggest(facts, self.settings)
        except Exception as exc:  # one bad note must not stop a batch; no note text in the message
            log.error("note %s failed: %s", note_id, type(exc).__name__)  # a traceback could quote note text
            return {**record, "status": "error", "error": f"internal error: {type(exc).__name__}"}
        return {**record, "suggestions": suggestions, "flags": flags, "facts": facts}
