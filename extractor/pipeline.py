"""The extractor: text -> text view -> spaCy Doc -> facts -> suggestions -> one output record.

Built once (the spaCy pipeline takes about a second) and reused for every note, the way Presidio's
``AnalyzerEngine`` holds its recognizers: ``Extractor.extract`` is the per-note entry point and never
raises for bad input.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from . import components  # noqa: F401  (registers the factories)
from .coding import suggest
from .decoding import decode_bytes
from .documents import SPINE_OPERATIVE, classify
from .facts import build_facts, read_doc
from .flags import Flag, flag_record
from .learned import learned_layer, rules_only
from .model import Facts
from .section_roles import BODY
from .settings import Settings
from .textview import TextView, build_view, is_spine_note

log = logging.getLogger(__name__)

PIPE_NAMES = ("opnote_sentences", "opnote_targets", "opnote_levels", "opnote_sections", "opnote_context")
_WHITESPACE_RUN = re.compile(r"\s+\Z")
MAX_CHARS = 200_000  # longer notes are rejected with a reason: no op note is this long


def build_nlp() -> Language:
    """A blank English pipeline with the project's components (no model download)."""
    nlp = spacy.blank("en")
    _fast_whitespace(nlp.tokenizer)
    for name in PIPE_NAMES:
        nlp.add_pipe(name)
    return nlp


def _fast_whitespace(tokenizer) -> None:
    """The same tokens as spaCy's English tokenizer, about 1.5 ms a note sooner on the text view:
    * a whitespace run (the view blanks what cannot yield a fact with spaces) is matched whole,
      instead of spaCy's affix search trying it position by position;
    * the special cases " ", "\t" and "\n" (each the one token it would be anyway) are dropped: a
      special case met in a text stops spaCy caching the tokenization of the rest of that text, so
      with them every note after its first line break was tokenized without the cache."""
    tokenizer.token_match = _WHITESPACE_RUN.match
    tokenizer.rules = {k: v for k, v in tokenizer.rules.items() if k not in (" ", "\t", "\n")}


@lru_cache(maxsize=1)
def shared_nlp() -> Language:
    """One pipeline per process, shared by every Extractor that does not bring its own: it holds no
    per-note state, and building it takes about a second."""
    return build_nlp()


class Extractor:
    """The extractor: one spaCy pipeline, the coding settings, and the per-note entry points."""

    def __init__(self, settings: Settings | None = None, triage: bool = True, gate: bool = True,
                 nlp: Language | None = None):
        """``gate``: skip notes without a spine term and documents that are not spine operative
        reports (``extractor.documents``) before the pipeline; off, every note is run through it.
        The learned layer (``extractor.learned``) runs when the settings enable it."""
        self.settings = settings or Settings.load()
        self.learned = learned_layer(self.settings)
        self.triage = triage
        self.gate = gate
        self.nlp = nlp or shared_nlp()
        targets = self.nlp.get_pipe("opnote_targets")
        self.rule_meta = targets.rule_meta
        self.rule_files = targets.rule_files  # the triage keeps sentences with a trigger of these rules

    def view(self, text: str) -> TextView:
        return build_view(text, triage=self.triage, rule_files=self.rule_files)

    def doc(self, text: str) -> tuple[TextView, Doc]:
        """The processed Doc of a note (its text is the same-length view of ``text``)."""
        view = self.view(text)
        doc = self.nlp.make_doc(view.view)
        doc._.opnote = view.layout()
        return view, self.nlp(doc)

    def facts(self, text: str) -> Facts:
        return self._facts(self.doc(text)[1], text)

    def _facts(self, doc: Doc, text: str) -> Facts:
        index, sections = read_doc(doc, text, self.rule_meta)
        return build_facts(index, sections, self.settings.osteotomy.posterior_range_sites)

    def extract(self, text: str | bytes | None, note_id: str | None = None) -> dict:
        """One output record for one note; never raises for bad input (status 'error' instead)."""
        record = {"note_id": note_id, "status": "ok", "error": None, "suggestions": [], "flags": [], "facts": None}
        input_flags: list[Flag] = []
        if isinstance(text, bytes):
            text, input_flags = decode_bytes(text)
        record["flags"] = [flag_record(f) for f in input_flags]  # kept on error and skipped records too
        if text is None or not isinstance(text, str):
            return {**record, "status": "error", "error": "missing note text"}
        if not text.strip():
            return {**record, "status": "error", "error": "empty note"}
        if len(text) > MAX_CHARS:
            return {**record, "status": "error", "error": f"note too long ({len(text)} characters > {MAX_CHARS})"}
        if self.gate and not is_spine_note(text):
            return {**record, "status": "skipped", "error": "not a spine note (no spine term found)"}
        if self.gate and not (kind := classify(text)).coded:
            return self._learn({**record, "status": "skipped", "error": kind.skip_reason}, text, None, kind.kind)
        try:
            view, doc = self.doc(text)
            facts = self._facts(doc, text)
            facts = Facts(**{**vars(facts), "flags": tuple(dict.fromkeys(input_flags + list(facts.flags)))})
            suggestions = suggest(facts, self.settings)
        except Exception as exc:  # one bad note must not stop a batch; no note text in the message
            log.error("note %s failed: internal error %s", note_id, type(exc).__name__)
            return {**record, "status": "error", "error": f"internal error: {type(exc).__name__}"}
        found = {**record, "suggestions": [s.to_dict() for s in suggestions],
                 "flags": [flag_record(f) for f in facts.flags], "facts": facts.to_dict()}
        return self._learn(_in_the_note_s_words(found, text), text,
                           [(s.start, s.end) for s in view.sections if s.role == BODY], SPINE_OPERATIVE)

    def _learn(self, record: dict, text: str, body: list[tuple[int, int]] | None, rule_kind: str) -> dict:
        """The learned layer's additions (calibrated confidence, flags); the rules' record if it fails."""
        if self.learned is None:
            return record
        try:
            return self.learned.apply(record, text, body, rule_kind)
        except Exception as exc:  # the rules' result stands; no note text in the message
            log.error("note %s: learned layer failed: %s", record["note_id"], type(exc).__name__)
            return rules_only(record)


def _in_the_note_s_words(value, text: str):
    """The record with every evidence span's text as the note writes it: the view a span was read in may have joined
    a wrapped line ("T12 and L3" for "T12\nand L3"); the offsets are the note's own."""
    if isinstance(value, dict):
        if {"start", "end", "text"} <= value.keys() and isinstance(value["start"], int):
            return {**value, "text": text[value["start"]:value["end"]]}
        return {k: _in_the_note_s_words(v, text) for k, v in value.items()}
    if isinstance(value, list):
        return [_in_the_note_s_words(v, text) for v in value]
    return value
