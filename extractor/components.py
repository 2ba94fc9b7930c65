"""spaCy components of the pipeline, registered as factories (and advertised through the
``spacy_factories`` entry point).

The Extractor makes the Doc from the text view and hands the view's layout over in one extension,
``doc._.opnote`` (``TextView.layout()``: the view's text, its headers with their categories and its
sentences); then ``nlp(doc)`` runs, in order: ``opnote_sentences`` -> ``opnote_targets`` ->
``opnote_levels`` -> ``opnote_sections`` -> ``opnote_context``. Each component also works on a
plain ``nlp(text)`` without the layout (sentences and headers are then found on the Doc's text).
"""
# No "from __future__ import annotations": spaCy validates factory signatures at runtime.

import re
import warnings

from . import deferred_imports  # noqa: F401  (first: medSpaCy without NLTK, see the module)
from medspacy.context import ConText, ConTextRule
from medspacy.section_detection import Section
import numpy
from spacy.attrs import IDX, IS_SPACE, LENGTH, SENT_START
from spacy.language import Language
from spacy.pipeline import SpanRuler
from spacy.tokens import Doc, Span, SpanGroup
from spacy.util import filter_spans

from .context_graph import BoundedConText
from .keys import ASSERTED_KEY, LEVELS_KEY
from .levels import find_levels
from .resources import load_json
from .sentences import split_sentences
from .target_rules import TARGET_RULE_FILES, asserted_categories, load_target_rules

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

if not Doc.has_extension("opnote"):
    Doc.set_extension("opnote", default=None)
if not Span.has_extension("level"):
    Span.set_extension("level", default=None)
for _attrs in ASSERTION_ATTRS.values():
    for _name in _attrs:
        if not Span.has_extension(_name):
            Span.set_extension(_name, default=False)


def _layout(doc: Doc) -> dict:
    """The text view's layout handed over with the doc, or one made from the Doc's own text."""
    if doc._.opnote is None:
        from .textview import build_view

        doc._.opnote = build_view(doc.text, triage=False).layout()
    return doc._.opnote


class SentenceSetter:
    """Sets sentence starts from the text view's sentences and headers (``split_sentences``).

    Every span start, and the first token after a span, opens a sentence; done on arrays because a
    Python loop over tokens costs more than the splitting itself.
    """

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        layout = doc._.opnote
        spans = layout["sentences"] if layout else split_sentences(doc.text)
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


@Language.factory("opnote_sentences", assigns=["token.is_sent_start"])
def make_sentences(nlp: Language, name: str) -> SentenceSetter:
    return SentenceSetter()


MAX_EXPANSION = 20000


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


def _span_ruler_patterns(rules: tuple[dict, ...], nlp: Language) -> list[dict]:
    """Target rules as SpanRuler patterns: phrases where a token pattern expands to them."""
    patterns: list[dict] = []
    for rule in rules:
        rule_id, category = rule["metadata"]["id"], rule["category"]
        phrases = [rule["literal"]]
        if rule.get("pattern"):
            phrases = literal_variants(rule["pattern"], nlp) or []
            if not phrases:
                patterns.append({"label": category, "pattern": rule["pattern"], "id": rule_id})
        patterns += [{"label": category, "pattern": phrase, "id": rule_id} for phrase in phrases]
    return patterns


def _longest_new(existing: list[Span], new: list[Span]) -> list[Span]:
    """Keep the longest of overlapping new matches (the doc has no other entities), among those inside
    one sentence: a phrase never runs across a sentence break ("...VCR (Grade 6) | Osteotomy level(s):")."""
    if not new:
        return new
    starts = new[0].doc.to_array(SENT_START)  # 1 where a sentence starts (one array for all the matches)
    return filter_spans([span for span in new
                         if span.end - span.start < 2 or not (starts[span.start + 1:span.end] == 1).any()])


class TargetRuler:
    """medSpaCy target rules matched with spaCy's SpanRuler (much faster than TargetMatcher).

    Matches become ``doc.ents`` (longest wins); ``span.id_`` is the rule id, whose metadata is in
    ``rule_meta``. The asserted ones are also put in ``doc.spans[ASSERTED_KEY]`` for ConText.
    """

    def __init__(self, nlp: Language, name: str, rule_files: list[str]):
        self.rule_files = tuple(rule_files)
        rules, self.rule_meta = load_target_rules(self.rule_files)
        self.asserted = asserted_categories()
        self.ruler = SpanRuler(nlp, name=name, spans_key=None, annotate_ents=True, overwrite=True,
                               phrase_matcher_attr="LOWER", ents_filter=_longest_new)
        self.ruler.add_patterns(_span_ruler_patterns(rules, nlp))

    def __call__(self, doc: Doc) -> Doc:
        gaps = _phrase_gaps(doc)
        doc = self._match_across(doc, gaps) if gaps else self.ruler(doc)
        # ConText reads only this group: cue words (resected elements, purposes...) need no assertion,
        # and every target it skips saves a pass over all modifiers.
        doc.spans[ASSERTED_KEY] = [ent for ent in doc.ents if ent.label_ in self.asserted]
        return doc

    def _match_across(self, doc: Doc, gaps: set[int]) -> Doc:
        """Match on a copy of the doc without the whitespace tokens inside sentences, and put the matches
        back on the doc: a phrase wrapped where an export left two characters ("end\\r\\nplate", a
        blanked tag or RTF control word) is still one phrase."""
        kept = [t.i for t in doc if t.i not in gaps]
        words = [doc[i].text for i in kept]
        spaces = [bool(doc[i].whitespace_) or i + 1 in gaps for i in kept]
        matched = self.ruler(Doc(doc.vocab, words=words, spaces=spaces))
        doc.ents = _longest_new([], [Span(doc, kept[e.start], kept[e.end - 1] + 1, label=e.label_, span_id=e.id_)
                                     for e in matched.ents])
        return doc


_GAP = re.compile(r"[^\s][ \t]{2,}[^\s]")


def _phrase_gaps(doc: Doc) -> set[int]:
    """Indices of the whitespace tokens between two words of one sentence (two spaces or more on one
    line: a CRLF line end or a markup remnant blanked inside a wrapped phrase, a table's column gap)."""
    if not _GAP.search(doc._.opnote["text"] if doc._.opnote else doc.text):  # the view's text: doc.text joins every token
        return set()
    space, start = doc.to_array(IS_SPACE).astype(bool), doc.to_array(SENT_START).astype(numpy.int64)
    between = numpy.flatnonzero(space[1:-1] & ~space[:-2] & ~space[2:] & (start[2:] != 1)) + 1
    return {int(i) for i in between if "\n" not in doc[int(i)].text}


@Language.factory("opnote_targets", default_config={"rule_files": list(TARGET_RULE_FILES)},
                  assigns=["doc.ents", "doc.spans"])
def make_targets(nlp: Language, name: str, rule_files: list[str]) -> TargetRuler:
    return TargetRuler(nlp, name, rule_files)


class LevelTagger:
    """Vertebral level mentions into ``doc.spans['levels']``, each with ``span._.level`` (a dict)."""

    def __call__(self, doc: Doc) -> Doc:
        # The view's text comes with the layout; rebuilding doc.text joins every token.
        text = doc._.opnote["text"] if doc._.opnote else doc.text
        token_starts = doc.to_array(IDX)
        spans, levels = [], []
        for match in find_levels(text):
            # Token span covering [start, end) (alignment "expand"), without char_span's overhead.
            first = int(numpy.searchsorted(token_starts, match.start, side="right")) - 1
            last = int(numpy.searchsorted(token_starts, match.end, side="left"))
            span = Span(doc, max(first, 0), max(last, first + 1))
            span._.level = match.level.to_dict()
            spans.append(span)
            levels.append(span._.level)
        # "the third and fourth lumbar vertebrae" is one span for two levels, and a span's extension
        # value is shared by every span with its boundaries: the group keeps each span's own level.
        doc.spans[LEVELS_KEY] = SpanGroup(doc, name=LEVELS_KEY, attrs={"levels": levels}, spans=spans)
        return doc


@Language.factory("opnote_levels", assigns=["doc.spans"])
def make_levels(nlp: Language, name: str) -> LevelTagger:
    return LevelTagger()


class SectionSetter:
    """``doc._.sections`` (medSpaCy ``Section`` objects) from the sections the text view decided
    (``extractor.section_roles``): one source of headers and roles for the whole pipeline."""

    def __call__(self, doc: Doc) -> Doc:
        layout = _layout(doc)
        if not len(doc):
            doc._.sections = []
            return doc
        titles = {h[0]: h[1] for h in layout["headers"]}
        spans = layout["sections"]
        # Token index of every section start, header end and section end, in one vectorised lookup.
        bounds = numpy.searchsorted(doc.to_array(IDX), [x for s in spans for x in (s[0], titles.get(s[0], s[0]), s[1])])
        bounds = bounds.tolist()
        doc._.sections = [Section(span[2], bounds[3 * i], bounds[3 * i + 1], bounds[3 * i + 1], bounds[3 * i + 2])
                          for i, span in enumerate(spans)]
        return doc


@Language.factory("opnote_sections", assigns=["doc._.sections"])
def make_sections(nlp: Language, name: str) -> SectionSetter:
    return SectionSetter()


def context_rules(nlp: Language) -> list[ConTextRule]:
    """medSpaCy's default ConText rules (minus the excluded literals) plus the project's rules,
    token patterns expanded to literals where ``literal_variants`` allows."""
    default_path = ConText(Language(), rules=None, span_attrs=None).DEFAULT_RULES_FILEPATH
    project = load_json("context.json")
    excluded = set(project["excluded_default_literals"])
    rules = [r for r in ConTextRule.from_json(default_path) if r.literal not in excluded]
    rules += [_project_rule(r) for r in project["context_rules"]]
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


def _project_rule(data: dict) -> ConTextRule:
    """A rule of context.json (medSpaCy's ``from_dict`` does not read ``terminated_by``)."""
    rule = ConTextRule.from_dict({k: v for k, v in data.items() if k != "terminated_by"})
    if "terminated_by" in data:
        rule.terminated_by = {category.upper() for category in data["terminated_by"]}
    return rule


@Language.factory("opnote_context", requires=["doc.ents", "token.is_sent_start"],
                  assigns=["doc._.context_graph"])
def make_context(nlp: Language, name: str) -> ConText:
    # Cue phrases match on NORM, so a contraction reads as its words ("weren't needed" is "were not needed").
    context = BoundedConText(nlp, name=name, rules=None, span_attrs=ASSERTION_ATTRS, input_span_type="group",
                             span_group_name=ASSERTED_KEY, phrase_matcher_attr="NORM")
    context.add(context_rules(nlp))
    return context
