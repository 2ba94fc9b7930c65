"""spaCy components of the pipeline, registered as factories (and advertised through the
``spacy_factories`` entry point).

Order: ``opnote_sentences`` -> ``opnote_targets`` -> ``opnote_levels`` -> ``opnote_sections``
-> ``opnote_context``. Our own extension attributes hold JSON-able values only.
"""
# No "from __future__ import annotations": spaCy validates factory signatures at runtime.

import warnings

from medspacy.context import ConText, ConTextRule
from medspacy.section_detection import Section, Sectionizer
from medspacy.target_matcher import TargetRule
import numpy
from spacy.attrs import IDX, LENGTH, SENT_START
from spacy.language import Language
from spacy.pipeline import SpanRuler
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .context_graph import BoundedConText
from .levels import find_levels
from .resources import load_json, rules_path
from .sentences import split_sentences

TARGET_RULE_FILES = (
    "targets/osteotomy.json",
    "targets/non_osteotomy.json",
    "targets/fusion.json",
    "targets/approach.json",
    "targets/instrumentation.json",
    "targets/grafts.json",
    "targets/cues.json",
)
LEVELS_KEY = "levels"
ASSERTED_KEY = "opnote_asserted"
# Target categories that only qualify another mention in the same sentence: ConText skips them.
CUE_CATEGORIES = frozenset({"RESECTION", "PURPOSE", "STRUCTURAL", "DEFECT", "HARVEST_SITE"})
# medSpaCy's matchers warn on every call when one of their two matchers has no pattern.
warnings.filterwarnings("ignore", message=r"\[W036\]")
ASSERTION_ATTRS = {
    "NEGATED_EXISTENCE": {"is_negated": True},
    "POSSIBLE_EXISTENCE": {"is_uncertain": True},
    "HISTORICAL": {"is_historical": True},
    "HYPOTHETICAL": {"is_hypothetical": True},
    "FAMILY": {"is_family": True},
    "ABORTED": {"is_aborted": True},
    "REMOVED": {"is_removed": True},
}

if not Doc.has_extension("opnote_sentence_spans"):
    # Sentence spans computed on raw text by the text view; lets the splitter skip its own work.
    Doc.set_extension("opnote_sentence_spans", default=None)
if not Span.has_extension("level"):
    Span.set_extension("level", default=None)
for _attrs in ASSERTION_ATTRS.values():
    for _name in _attrs:
        if not Span.has_extension(_name):
            Span.set_extension(_name, default=False)


class SentenceSetter:
    """Sets sentence starts from ``split_sentences`` (or from spans the text view already computed).

    Every span start, and the first token after a span, opens a sentence; done on arrays because a
    Python loop over tokens costs more than the splitting itself.
    """

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        spans = doc._.opnote_sentence_spans
        if spans is None:
            spans = split_sentences(doc.text)
        boundaries = numpy.unique(numpy.array([0] + [x for span in spans for x in span], dtype=numpy.int64))
        token_starts = doc.to_array(IDX).astype(numpy.int64)
        token_ends = token_starts + doc.to_array(LENGTH).astype(numpy.int64)
        # A token opens a sentence when a boundary falls inside [start, end) of that token.
        first_at_or_after = numpy.searchsorted(boundaries, token_starts, side="left")
        has_boundary = (first_at_or_after < len(boundaries)) & (
            boundaries[numpy.minimum(first_at_or_after, len(boundaries) - 1)] < numpy.maximum(token_ends, token_starts + 1))
        sent_starts = numpy.where(has_boundary, 1, -1).astype(numpy.int64).astype(numpy.uint64)
        sent_starts[0] = 1
        doc.from_array([SENT_START], sent_starts.reshape(-1, 1))
        return doc


@Language.factory("opnote_sentences")
def make_sentences(nlp: Language, name: str) -> SentenceSetter:
    return SentenceSetter()


MAX_EXPANSION = 5000


def literal_variants(pattern: list[dict], nlp: Language) -> list[str] | None:
    """The phrases a token pattern matches, when it is made only of LOWER values, IN lists and
    optional tokens; None otherwise. Such a pattern matches exactly what these phrases match with
    a LOWER PhraseMatcher, which is much faster than the token Matcher."""
    options: list[list[str]] = []
    for token in pattern:
        op = token.get("OP")
        if set(token) - {"LOWER", "OP"} or op not in (None, "?") or "LOWER" not in token:
            return None
        value = token["LOWER"]
        values = [value] if isinstance(value, str) else value.get("IN") if isinstance(value, dict) and set(value) == {"IN"} else None
        if not values or any(len(nlp.make_doc(v)) != 1 for v in values):
            return None
        options.append(values + ([""] if op == "?" else []))
    phrases = [""]
    for values in options:
        phrases = [f"{p} {v}".strip() for p in phrases for v in values]
        if len(phrases) > MAX_EXPANSION:
            return None
    return sorted({p for p in phrases if p})


def _rule_patterns(files: tuple[str, ...] | list[str], nlp: Language) -> tuple[list[dict], dict[str, dict]]:
    """medSpaCy TargetRules -> SpanRuler patterns, plus each rule id's category and metadata."""
    patterns: list[dict] = []
    meta: dict[str, dict] = {}
    for name in files:
        for rule in TargetRule.from_json(str(rules_path(name))):
            rule_id = rule.metadata["id"]
            if isinstance(rule.pattern, str):
                raise ValueError(f"{name}: regex target patterns are not supported ({rule_id})")
            info = {"category": rule.category, **rule.metadata}
            if meta.setdefault(rule_id, info) != info:
                raise ValueError(f"{name}: rule id {rule_id} has two different metadata")
            if rule.pattern is None:
                phrases = [rule.literal]
            else:
                phrases = literal_variants(rule.pattern, nlp) or []
                if not phrases:
                    patterns.append({"label": rule.category, "pattern": rule.pattern, "id": rule_id})
            patterns += [{"label": rule.category, "pattern": phrase, "id": rule_id} for phrase in phrases]
    return patterns, meta


def _longest_new(existing: list[Span], new: list[Span]) -> list[Span]:
    """Keep the longest of overlapping new matches (the doc has no other entities)."""
    return filter_spans(new)


class TargetRuler:
    """medSpaCy target rules matched with spaCy's SpanRuler (much faster than TargetMatcher).

    Matches become ``doc.ents`` (longest wins); ``span.id_`` is the rule id, whose metadata is in
    ``rule_meta``.
    """

    def __init__(self, nlp: Language, name: str, rule_files: list[str]):
        patterns, self.rule_meta = _rule_patterns(rule_files, nlp)
        self.ruler = SpanRuler(nlp, name=name, spans_key=None, annotate_ents=True, overwrite=True,
                               phrase_matcher_attr="LOWER", ents_filter=_longest_new)
        self.ruler.add_patterns(patterns)

    def __call__(self, doc: Doc) -> Doc:
        doc = self.ruler(doc)
        # ConText reads only this group: cue words (resected elements, purposes...) need no assertion,
        # and every target it skips saves a pass over all modifiers.
        doc.spans[ASSERTED_KEY] = [ent for ent in doc.ents if ent.label_ not in CUE_CATEGORIES]
        return doc


@Language.factory("opnote_targets", default_config={"rule_files": list(TARGET_RULE_FILES)})
def make_targets(nlp: Language, name: str, rule_files: list[str]) -> TargetRuler:
    return TargetRuler(nlp, name, rule_files)


class LevelTagger:
    """Vertebral level mentions into ``doc.spans['levels']``, each with ``span._.level`` (a dict)."""

    def __call__(self, doc: Doc) -> Doc:
        # The text view is handed over with the doc; rebuilding doc.text joins every token.
        text = doc.user_data.get("opnote_text") or doc.text
        token_starts = doc.to_array(IDX)
        spans = []
        for match in find_levels(text):
            # Token span covering [start, end) (alignment "expand"), without char_span's overhead.
            first = int(numpy.searchsorted(token_starts, match.start, side="right")) - 1
            last = int(numpy.searchsorted(token_starts, match.end, side="left"))
            span = Span(doc, max(first, 0), max(last, first + 1))
            span._.level = match.level.to_dict()
            spans.append(span)
        doc.spans[LEVELS_KEY] = spans
        return doc


@Language.factory("opnote_levels")
def make_levels(nlp: Language, name: str) -> LevelTagger:
    return LevelTagger()


class HeaderSectionizer(Sectionizer):
    """medSpaCy's Sectionizer whose literal rules (fast PhraseMatcher) count as headers only at the
    start of a line and when followed by a colon or the end of the line, so that "Findings were
    unremarkable" is not a header. The text view puts every real header on its own line."""

    @property
    def _matcher(self):
        return self._Sectionizer__matcher  # medSpaCy keeps its matcher private

    def filter_start_lines(self, doc: Doc, matches: list) -> list:
        rule_map = self._matcher.rule_map
        colon_required = set(load_json("sections.json")["colon_required"])

        def ends(match) -> bool:
            if rule_map[self.nlp.vocab.strings[match[0]]].literal in colon_required:
                return match[2] < len(doc) and doc[match[2]].text == ":"
            return _header_ends(doc, match[2])

        return [m for m in super().filter_start_lines(doc, matches) if ends(m)]

    def __call__(self, doc: Doc) -> Doc:
        """medSpaCy's sectioning without its last step, setting ``token._.section`` on every token,
        which took 90% of the component's time: ``doc._.sections`` is all this project reads.
        (Our rules have no parents and no maximum scope, so nothing else differs.)"""
        matcher = self._matcher
        matches = self.filter_start_lines(doc, matcher(doc))
        sections = []
        if not matches or matches[0][1] != 0:
            sections.append(Section(None, 0, 0, 0, matches[0][1] if matches else len(doc)))
        for i, (match_id, start, end) in enumerate(matches):
            rule = matcher.rule_map[self.nlp.vocab.strings[match_id]]
            body_end = matches[i + 1][1] if i + 1 < len(matches) else len(doc)
            sections.append(Section(rule.category, start, end, end, body_end, None, rule))
        doc._.sections = sections
        return doc


def _header_ends(doc: Doc, end: int) -> bool:
    if end >= len(doc):
        return True
    nxt = doc[end]
    return nxt.text == ":" or (nxt.is_space and ("\n" in nxt.text or "\r" in nxt.text)) or (
        "\n" in doc[end - 1].whitespace_)


@Language.factory("opnote_sections")
def make_sections(nlp: Language, name: str) -> Sectionizer:
    return HeaderSectionizer(nlp, name=name, rules=str(rules_path("sections.json")), require_start_line=True,
                             span_attrs=None)


def context_rules(nlp: Language) -> list[ConTextRule]:
    """medSpaCy's default ConText rules (minus the excluded literals) plus the project's rules,
    token patterns expanded to literals where ``literal_variants`` allows."""
    default_path = ConText(Language(), rules=None, span_attrs=None).DEFAULT_RULES_FILEPATH
    project = load_json("context.json")
    excluded = set(project["excluded_default_literals"])
    rules = [r for r in ConTextRule.from_json(default_path) if r.literal not in excluded]
    rules += [ConTextRule.from_dict(r) for r in project["context_rules"]]
    expanded = []
    for rule in rules:
        phrases = literal_variants(rule.pattern, nlp) if rule.pattern else None
        if not phrases:
            expanded.append(rule)
            continue
        for phrase in phrases:
            expanded.append(ConTextRule(phrase, rule.category, direction=rule.direction, max_scope=rule.max_scope,
                                        allowed_types=rule.allowed_types, excluded_types=rule.excluded_types,
                                        max_targets=rule.max_targets, terminated_by=rule.terminated_by,
                                        metadata=rule.metadata))
    return expanded


@Language.factory("opnote_context")
def make_context(nlp: Language, name: str) -> ConText:
    context = BoundedConText(nlp, name=name, rules=None, span_attrs=ASSERTION_ATTRS, input_span_type="group",
                             span_group_name=ASSERTED_KEY)
    context.add(context_rules(nlp))
    return context
