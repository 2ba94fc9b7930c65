"""medSpaCy's ConText with the same results and bounded work.

medSpaCy's ``ConTextGraph`` compares every modifier with every other modifier and with every target
of the whole document, so its time grows with the square of the note's length: 15 s for a
40,000-character note of repeated negation phrases, minutes for a 200,000-character one. A modifier
can only act on what overlaps its scope (the sentence, or ``max_scope`` tokens), and scopes only
ever shrink, so this graph makes the calls the original makes, in the same order, minus the ones
between spans too far apart to overlap: those return False without any effect. With sentences of
bounded length (``sentences.MAX_SENTENCE_CHARS``) the work per note is linear.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right

from . import deferred_imports  # noqa: F401  (first: medSpaCy without NLTK, see the module)
from medspacy.context import ConText
from medspacy.context.context_graph import ConTextGraph
from medspacy.context.context_modifier import ConTextModifier
from medspacy.util import tuple_overlaps
from spacy.tokens import Doc

from .keys import LEVELS_KEY


class _IntervalIndex:
    """Which of a list of closed intervals ``[start, end]`` meet a query interval."""

    def __init__(self, intervals: list[tuple[int, int]]):
        self.order = sorted(range(len(intervals)), key=lambda i: intervals[i][0])
        self.starts = [intervals[i][0] for i in self.order]
        self.intervals = intervals
        self.longest = max((e - s for s, e in intervals), default=0)

    def meeting(self, start: int, end: int) -> list[int]:
        """Indices (ascending) of the intervals that share a point with ``[start, end]``."""
        lo = bisect_left(self.starts, start - self.longest)
        hi = bisect_right(self.starts, end)
        return sorted(i for i in self.order[lo:hi] if self.intervals[i][1] >= start)


class _SentenceModifier(ConTextModifier):
    """A ConTextModifier that takes its sentence from a table built once per Doc (medSpaCy asks
    ``doc[start].sent``, which walks the sentence's tokens, for every modifier). Without a
    ``max_scope`` its scope is set as medSpaCy 1.3.1 sets it: the sentence, in the rule's direction,
    shortened to the rule's ``max_scope``, where a level of several tokens ("L2-3") counts as one."""

    def __init__(self, rule, start: int, end: int, doc: Doc, sentence: tuple[int, int], max_scope=None):
        self._sentence = sentence
        super().__init__(rule, start, end, doc, max_scope=max_scope)

    def limit_scope(self, other: ConTextModifier) -> bool:
        """medSpaCy's, except that a TERMINATE cue inside this modifier's scope always ends it there: medSpaCy
        tests the two scopes for overlap one way only, so a scope bounded by ``max_scope`` that lies wholly
        inside the terminating cue's own scope ("no screws at L4, and bilateral iliac bolts") ran past it."""
        if other.direction.upper() != "TERMINATE" or self.direction.upper() == "TERMINATE":
            return super().limit_scope(other)
        before = self.scope_span
        cue_start, cue_end = other.modifier_span
        if self.direction.lower() in ("forward", "bidirectional") and self._start < cue_start < self._scope_end:
            self._scope_end = cue_start
        if self.direction.lower() in ("backward", "bidirectional") and self._scope_start < cue_end <= self._start:
            self._scope_start = cue_end
        return before != self.scope_span

    def _widen_past_levels(self, doc: Doc) -> None:
        """Stretch a ``max_scope`` window by the extra tokens of the levels inside it, within the sentence: "the
        Ponte osteotomies at L2-3 and L3-4 were never begun" is as near as "the Ponte osteotomies at L2 were never
        begun"."""
        extra = _level_extra(doc)
        sent_start, sent_end = self._sentence
        direction = self.direction.lower()
        if direction in ("backward", "bidirectional"):
            start = self._scope_start
            for _ in range(2):  # the levels the first stretch uncovers count too
                start = max(sent_start, self._scope_start - (extra[self._start] - extra[start]))
            self._scope_start = start
        if direction in ("forward", "bidirectional"):
            end = self._scope_end
            for _ in range(2):
                end = min(sent_end, self._scope_end + (extra[end] - extra[self._end]))
            self._scope_end = end

    def modifies(self, target) -> bool:
        """medSpaCy's, except that a rule whose metadata names ``wide_types`` reaches targets of other types
        only within ``narrow_scope`` tokens ("old" reaches the hardware of its whole sentence, "the old fusion
        mass was solid from L2 to L5, a PSO was performed at L3" not the PSO), and one whose metadata says
        ``answer`` is a field's answer (``_answers``)."""
        if not super().modifies(target):
            return False
        metadata = self.rule.metadata or {}
        if metadata.get("answer") and not self._answers(target):
            return False
        if "wide_types" not in metadata or target.label_ in metadata["wide_types"]:
            return True
        distance = target.start - self._end if target.start >= self._end else self._start - target.end
        return distance < metadata["narrow_scope"]

    def _answers(self, target) -> bool:
        """A field's answer ("Osteotomy: No", "PSO at L3: No given bone quality") negates the label before it, and the
        words after it only where they go on from it to name what was not done ("... on this point: no osteotomy was
        performed", "the same exposure: no second skin or fascial incision")."""
        doc = target.doc
        end = self._end
        after, answer = (doc[end], doc[end - 1]) if end < len(doc) else (None, None)
        goes_on = after is not None and after.is_alpha and answer.is_alpha and (
            after.is_lower or after.is_upper and answer.is_upper) and "\n" not in doc.text[answer.idx:after.idx] and not any(
            t.text == ":" for t in doc[end:end + 3]) and (answer.is_lower or any(
            (e_end := _target_ends(doc).get(i)) is not None and not (e_end < len(doc) and doc[e_end].text == ":")
            for i in (end, end + 1))
        )  # "no osteotomy", "No osteotomy was ..."; not "[No]", "No\nCage", "No Pedicle", "No given bone quality"
        return (target.start >= end) == goes_on

    def _ConTextModifier__set_scope(self, doc: Doc) -> None:
        if self._max_scope:  # a window, not the sentence: medSpaCy's own way
            return ConTextModifier._ConTextModifier__set_scope(self, doc)
        sent_start, sent_end = self._sentence
        direction, limit = self.direction.lower(), self.max_scope
        if direction == "forward":
            self._scope_start, self._scope_end = self._end, sent_end
            if limit is not None and self._scope_end - self._scope_start > limit:
                self._scope_end = self._end + limit
        elif direction == "backward":
            self._scope_start, self._scope_end = sent_start, self._start
            if limit is not None and self._scope_end - self._scope_start > limit:
                self._scope_start = self._start - limit
        else:
            self._scope_start, self._scope_end = sent_start, sent_end
            if limit is not None and self._start - self._scope_start > limit:
                self._scope_start = self._start - limit
            if limit is not None and self._scope_end - self._end > limit:
                self._scope_end = self._end + limit
        if limit is not None:
            self._widen_past_levels(doc)


def _target_ends(doc: Doc) -> dict[int, int]:
    """Start token -> end token of each target of ``doc``, computed once per Doc (a long note has thousands)."""
    cached = doc.user_data.get(_TARGET_ENDS)
    if cached is None:
        cached = doc.user_data[_TARGET_ENDS] = {e.start: e.end for e in doc.ents}
    return cached


def _level_extra(doc: Doc) -> list[int]:
    """Prefix sums over the tokens of ``doc``: how many tokens before each index are the second or later token of a
    level ("L2-3" is three tokens, one word) or of a list of levels ("T4, T5, T8, T11 and L1" is one word too),
    computed once per Doc."""
    cached = doc.user_data.get(_LEVEL_EXTRA)
    if cached is None:
        extra = [0] * (len(doc) + 1)
        spans = sorted(doc.spans[LEVELS_KEY], key=lambda s: s.start) if LEVELS_KEY in doc.spans else []
        for span in spans:
            for i in range(span.start + 1, span.end):
                extra[i + 1] += 1
        for before, after in zip(spans, spans[1:]):
            if after.start > before.end and all(t.lower_ in _LIST_JOINERS or t.is_space for t in doc[before.end:after.start]):
                for i in range(before.end, after.start + 1):  # the joiners and the next level's first token
                    extra[i + 1] += 1
        for i in range(1, len(extra)):
            extra[i] += extra[i - 1]
        cached = doc.user_data[_LEVEL_EXTRA] = extra
    return cached


_LEVEL_EXTRA = "opnote_level_extra"
_TARGET_ENDS = "opnote_target_ends"
_LIST_JOINERS = frozenset({",", "and", "&", "or", "/", ";"})


def _sentence_table(doc: Doc):
    """A function from a token index to its sentence's (start, end) token indices."""
    bounds = [(sent.start, sent.end) for sent in doc.sents]
    starts = [start for start, _ in bounds]
    return lambda token: bounds[bisect_right(starts, token) - 1]


def _hull(modifier: ConTextModifier, pad: int = 0) -> tuple[int, int]:
    """Where a modifier's scope can ever reach: scopes only shrink, towards the modifier itself or
    to the edge of an overlapping modifier (``pad``: the longest modifier)."""
    (s0, s1), (m0, m1) = modifier.scope_span, modifier.modifier_span
    return min(s0, m0) - pad, max(s1, m1) + pad


class BoundedContextGraph(ConTextGraph):
    """``ConTextGraph`` whose pairwise passes skip pairs too far apart to ever interact.

    medSpaCy's ``tuple_overlaps`` needs an end of one span inside the other, so two spans that
    share no point (closed intervals) never overlap: the candidates here are a superset of the
    pairs that can, and each candidate goes through medSpaCy's own test.
    """

    def update_scopes(self) -> None:
        pad = max((m.modifier_span[1] - m.modifier_span[0] for m in self.modifiers), default=0)
        hulls = [_hull(m, pad) for m in self.modifiers]
        index = _IntervalIndex(hulls)
        modifiers = self.modifiers
        scopes = [m.scope_span for m in modifiers]
        for i, modifier1 in enumerate(modifiers):
            for j in index.meeting(*hulls[i]):
                if j <= i:
                    continue
                # scopes that share no point (closed intervals: an empty scope at the edge of another
                # counts) never interact: most candidates stop here; limit_scope tests them again
                (a0, a1), (b0, b1) = scopes[i], scopes[j]
                if a0 <= b1 and b0 <= a1:
                    modifier1.limit_scope(modifiers[j])
                    scopes[i] = modifier1.scope_span
                    modifiers[j].limit_scope(modifier1)
                    scopes[j] = modifiers[j].scope_span

    def apply_modifiers(self) -> None:
        spans = [(t.start, t.end) for t in self.targets]
        targets = _IntervalIndex(spans)
        if self.prune_on_modifier_overlap:
            self.modifiers = [m for m in self.modifiers if not any(
                tuple_overlaps(spans[i], m.modifier_span) for i in targets.meeting(*m.modifier_span))]
        modifiers = _IntervalIndex([_hull(m) for m in self.modifiers])
        for target, span in zip(self.targets, spans):
            for j in modifiers.meeting(*span):
                modifier = self.modifiers[j]
                # modifies() returns False without any effect unless the scope overlaps the target
                if tuple_overlaps(modifier.scope_span, span) and modifier.modifies(target):
                    modifier.modify(target)
        edges = []
        for modifier in self.modifiers:
            modifier.reduce_targets()
            edges += [(target, modifier) for target in modifier._targets]
        self.edges = edges


def _sentence_matches(matcher, doc: Doc, sentence_of, target_starts: frozenset[int] = frozenset()
                      ) -> list[tuple[int, int, int]]:
    """The ConText matcher's matches, without those that run across a sentence break (": <blanks> No" of
    a label, then the box of the next option), pruned to the longest only after that, so that the cue
    inside the next sentence is kept."""
    prune, matcher._prune = matcher._prune, False
    try:
        matches = [m for m in matcher(doc) if sentence_of(m[1]) == sentence_of(m[2] - 1)]
    finally:
        matcher._prune = prune
    if not prune:
        return matches
    pseudo = {m[0] for m in matches if matcher.rule_map[doc.vocab[m[0]].text].category == "PSEUDO"}
    return prune_overlaps(matches, pseudo, target_starts)


def prune_overlaps(matches: list[tuple[int, int, int]], pseudo: set[int], target_starts: frozenset[int] = frozenset()
                   ) -> list[tuple[int, int, int]]:
    """Of overlapping cues the longest stays, as in medSpaCy; of two as long, the pseudo-cue, whichever
    starts first, unless a target follows it straight away: "with no" and "no buckling" overlap in "with no
    buckling", which negates nothing, but "with no additional allograft" negates the allograft."""
    def finding(m: tuple[int, int, int]) -> bool:
        return m[0] in pseudo and m[2] not in target_starts

    kept: list[tuple[int, int, int]] = []
    for match in sorted(matches, key=lambda m: (m[1], m[2])):
        if kept and match[1] < kept[-1][2]:
            last = kept[-1]
            if (match[2] - match[1], finding(match)) > (last[2] - last[1], finding(last)):
                kept[-1] = match
            continue
        kept.append(match)
    return kept


class BoundedConText(ConText):
    """medSpaCy's ConText component building a ``BoundedContextGraph`` (``__call__`` follows
    medSpaCy 1.3.1's, for span-group input)."""

    graph_class: type[ConTextGraph] = BoundedContextGraph  # a test swaps in medSpaCy's own graph to compare

    def __call__(self, doc: Doc, targets: str | None = None) -> Doc:
        if targets:
            spans = getattr(doc._, targets)
        elif self.input_span_type == "ents":
            spans = doc.ents
        else:
            spans = doc.spans[self.span_group_name]
        graph = self.graph_class(prune_on_modifier_overlap=self.prune_on_target_overlap)
        graph.targets = spans
        matcher = self._ConText__matcher
        sentence_of = _sentence_table(doc)
        graph.modifiers = [_SentenceModifier(matcher.rule_map[self.nlp.vocab[match_id].text], start, end, doc,
                                             sentence_of(start), max_scope=self.max_scope)
                           for match_id, start, end in _sentence_matches(matcher, doc, sentence_of,
                                                                         frozenset(span.start for span in spans))]
        graph.update_scopes()
        graph.apply_modifiers()
        for target, modifier in graph.edges:
            target._.modifiers += (modifier,)
        if self.context_attributes_mapping:
            self.set_context_attributes(graph.edges)
        doc._.context_graph = graph
        return doc
