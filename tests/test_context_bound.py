"""The bounded ConText graph gives exactly the edges medSpaCy's own graph gives over the same modifiers
(cues within one sentence, a TERMINATE cue ending a bounded scope), and splitting over-long sentences
keeps its work per note linear (the timing itself is a `make bench` row, not a test)."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from medspacy.context.context_graph import ConTextGraph

from extractor.components import ASSERTED_KEY, ASSERTION_ATTRS, context_rules
from extractor.context_graph import BoundedConText
from extractor.sentences import MAX_SENTENCE_CHARS

PHRASES = ["no", "not", "without", "no evidence of", "negative for", "planned", "if needed", "history of",
           "previous", "status post", "aborted", "but", "however", "was performed", "Ponte osteotomy",
           "pedicle subtraction osteotomy", "pedicle screws", "at L3", "at T10-11", "allograft", "local autograft",
           "Smith-Petersen osteotomies", "facetectomy", "rods", "interbody cage", ".", ",", ";", "\n", "\n\n",
           "The patient", "was placed prone", "will be considered", "was abandoned", "and", "with"]

_CACHE = {}


class _MedspacyGraph(BoundedConText):
    """The same modifiers, scoped and applied by medSpaCy's pairwise graph."""
    graph_class = ConTextGraph


def _components(ex):
    if "original" not in _CACHE:
        kwargs = dict(rules=None, span_attrs=ASSERTION_ATTRS, input_span_type="group", span_group_name=ASSERTED_KEY)
        original = _MedspacyGraph(ex.nlp, name="original_context", **kwargs)
        original.add(context_rules(ex.nlp))
        bounded = BoundedConText(ex.nlp, name="bounded_context", **kwargs)
        bounded.add(context_rules(ex.nlp))
        _CACHE.update(original=original, bounded=bounded)
    return _CACHE["original"], _CACHE["bounded"]


def _edges(ex, text, component):
    view = ex.view(text)
    doc = ex.nlp.make_doc(view.view)
    doc._.opnote = view.layout()
    for name, proc in ex.nlp.pipeline:
        if name != "opnote_context":
            doc = proc(doc)
    doc = component(doc)
    return sorted((t.start, t.end, t.label_, m.modifier_span, m.scope_span, m.category)
                  for t, m in doc._.context_graph.edges)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(PHRASES), min_size=1, max_size=120))
def test_bounded_context_gives_medspacy_edges(ex, words):
    text = "DESCRIPTION OF PROCEDURE:\n" + " ".join(words)
    original, bounded = _components(ex)
    assert _edges(ex, text, bounded) == _edges(ex, text, original)


def test_long_unpunctuated_note_keeps_its_assertions(ex):
    """400 repetitions of a negated osteotomy: every mention stays negated and none is coded."""
    text = "DESCRIPTION OF PROCEDURE:\n" + "no pedicle subtraction osteotomy was performed and " * 400
    assert len(text) > 20 * MAX_SENTENCE_CHARS
    record = ex.extract(text, "long")
    assert record["status"] == "ok" and record["suggestions"] == []
    excluded = record["facts"]["excluded_osteotomies"]
    assert excluded and all(o["assertion"] == "negated" for o in excluded)


def test_edges_are_compared_on_real_modifiers(ex):
    text = "DESCRIPTION OF PROCEDURE:\nNo Ponte osteotomy was performed, but pedicle screws were placed at L3."
    original, bounded = _components(ex)
    edges = _edges(ex, text, bounded)
    assert edges and edges == _edges(ex, text, original)
