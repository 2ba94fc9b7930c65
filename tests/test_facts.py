"""The fact builders on mentions made by hand, without spaCy (as Presidio tests its engine with mocks):
each test states what a note says and checks the fact a coder would expect."""
import pytest

from extractor.facts import LevelSpan, Mention, MentionIndex, SectionIndex, build_facts
from extractor.facts.attribution import attribute_levels
from extractor.levels import parse_level
from extractor.target_rules import load_target_rules

META = load_target_rules()[1]


class Note:
    """A note made of sentences of mentions: ``say`` adds a sentence, ``m`` a mention in it."""

    def __init__(self):
        self.mentions: list[Mention] = []
        self.sentence = (0, 0)
        self.text = ""

    def say(self, role="body", section="description"):
        start = self.sentence[1] + 1
        self.sentence = (start, start + 200)
        self.role, self.section = role, section
        return self

    def m(self, rule, *levels, assertion="present", category=None):
        meta = META[rule]
        start = self.sentence[0] + 10 * (len([x for x in self.mentions if x.sentence == self.sentence]) + 1)
        spans = tuple(LevelSpan(start - 6 + i, start - 5 + i, lv, parse_level(lv)) for i, lv in enumerate(levels))
        self.mentions.append(Mention(category or meta["category"], rule, meta, start, start + 3, rule, self.section,
                                     self.role, self.sentence, assertion, spans))
        return self

    def facts(self, range_mode="per_vertebra"):
        index = MentionIndex(self.mentions)
        sections = SectionIndex([(0, 1, "procedures", "procedure_list"), (1, self.sentence[1] + 1, "description", "body")])
        return build_facts(index, sections, range_mode)


def test_named_osteotomy_in_the_narrative_gives_sites():
    note = Note().say().m("approach.prone").say().m("osteo.ponte", "T10-11", "T11-12")
    (fact,) = note.facts().osteotomies
    assert (fact.family, fact.type, [s.label for s in fact.sites], fact.source) == (
        "posterior", "ponte", ["T10-11", "T11-12"], "body")


def test_procedure_list_alone_is_flagged_not_coded():
    facts = Note().say(role="procedure_list", section="procedures").m("osteo.pso", "L3").facts()
    assert facts.osteotomies == () and "osteotomy_header_only" in facts.flags
    (excluded,) = facts.excluded_osteotomies
    assert (excluded.type, excluded.role, excluded.levels) == ("pso", "procedure_list", ("L3",))


def test_negated_osteotomy_is_excluded_with_its_assertion():
    facts = Note().say().m("osteo.pso", "L3", assertion="negated").facts()
    assert facts.osteotomies == ()
    assert [(x.type, x.assertion) for x in facts.excluded_osteotomies] == [("pso", "negated")]


def test_generic_osteotomy_takes_its_type_from_the_resected_elements():
    note = (Note().say().m("approach.prone")
            .say().m("osteo.generic", "L2").m("element.pedicle").m("element.body"))
    (fact,) = note.facts().osteotomies
    assert (fact.family, fact.type, fact.inferred, fact.flags) == ("three_column", "three_column", True,
                                                                 ("inferred_type",))


def test_posterior_wedge_without_pedicles_is_a_posterior_osteotomy():
    note = Note().say().m("approach.prone").say().m("osteo.wedge", "L1-2").m("element.lamina")
    (fact,) = note.facts().osteotomies
    assert (fact.family, fact.type, fact.inferred) == ("posterior", "posterior_wedge", False)


def test_aborted_generic_mention_cancels_the_site():
    note = (Note().say().m("osteo.ponte", "L1-2", "L2-3")
            .say().m("osteo.generic", "L2-3", assertion="aborted"))
    (fact,) = note.facts().osteotomies
    assert [s.label for s in fact.sites] == ["L1-2"]
    assert [(d.site, d.reason) for d in fact.dropped] == [("L2-3", "aborted")]


def test_release_for_correction_with_facets_and_flavum_is_a_posterior_osteotomy():
    note = (Note().say().m("approach.prone")
            .say().m("non.facetectomy", "T9-10").m("element.ligament").m("purpose.correction"))
    (fact,) = note.facts().osteotomies
    assert (fact.type, fact.flags) == ("posterior_release", ("posterior_release_inferred",))


def test_screws_give_a_segmental_posterior_construct_and_pelvic_fixation():
    note = (Note().say().m("approach.prone")
            .say().m("instr.pedicle_screw", "T10", "T11", "T12", "L1", "L2")
            .say().m("instr.pelvic"))
    instr = note.facts().instrumentation
    assert (instr.posterior.span, instr.posterior.segments, instr.posterior.segmental) == ("T10-L2", 5, True)
    assert instr.pelvic_fixation and len(instr.pelvic_evidence) == 1


def test_construct_levels_from_the_procedure_list_are_marked():
    note = (Note().say(role="procedure_list", section="procedures").m("instr.pedicle_screw", "L3-L5")
            .say().m("approach.prone").m("instr.pedicle_screw"))
    facts = note.facts()
    assert facts.instrumentation.posterior.levels_from_procedure_list
    assert "instrumentation_levels_from_procedure_list" in facts.flags


def test_cage_without_a_level_takes_the_interbody_fusion_levels():
    note = Note().say().m("fusion.tlif", "L4-5").say().m("instr.cage")
    instr = note.facts().instrumentation
    assert (instr.interbody, instr.interbody_level_unknown) == (("L4-5",), False)


def test_cage_with_no_level_anywhere_is_flagged_unknown():
    facts = Note().say().m("instr.cage").facts()
    assert facts.instrumentation.interbody_level_unknown and "interbody_level_unknown" in facts.flags


def test_cage_in_a_corpectomy_defect_is_a_corpectomy_device():
    note = Note().say().m("non.corpectomy", "L1").m("instr.cage")
    instr = note.facts().instrumentation
    assert (instr.corpectomy_defects, instr.interbody) == (1, ())


def test_iliac_autograft_without_incision_is_flagged_on_the_graft():
    note = Note().say().m("graft.autograft").m("harvest_site.iliac")
    (graft,) = note.facts().grafts
    assert (graft.kind, graft.flags) == ("autograft_separate_morselized", ("separate_incision_not_documented",))


def test_marrow_aspirate_at_the_crest_is_not_crest_autograft():
    note = Note().say().m("graft.iliac").m("graft.bma")
    assert [g.kind for g in note.facts().grafts] == ["bone_marrow_aspirate"]


def test_unspecified_autograft_is_local_and_flagged():
    (graft,) = Note().say().m("graft.autograft").facts().grafts
    assert (graft.kind, graft.flags) == ("local_autograft", ("autograft_source_unstated",))


def test_allograft_named_again_beside_a_structural_ring_adds_nothing():
    note = Note().say().m("graft.structural_allo").m("graft.allograft_generic")
    assert [g.kind for g in note.facts().grafts] == ["allograft_structural"]


def test_negated_graft_is_an_excluded_mention():
    facts = Note().say().m("graft.local", assertion="negated").facts()
    assert facts.grafts == ()
    assert [(x.category, x.kind, x.assertion) for x in facts.excluded_mentions] == [
        ("GRAFT", "local_autograft", "negated")]


@pytest.mark.parametrize("rule,flag", [("non.schwab1", "schwab_grade1"), ("non.acr", "acr_not_coded"),
                                       ("non.release", "release_not_coded")])
def test_look_alikes_raise_their_note_flag(rule, flag):
    assert flag in Note().say().m(rule, "L2-3").facts().flags


def test_level_right_before_a_mention_belongs_to_it():
    text = "Pontes at T10-11 and L3 PSO"
    ponte = Mention("OSTEOTOMY", "osteo.ponte", META["osteo.ponte"], 0, 6, "Pontes", "description", "body", (0, 27))
    pso = Mention("OSTEOTOMY", "osteo.pso", META["osteo.pso"], 24, 27, "PSO", "description", "body", (0, 27))
    levels = [LevelSpan(10, 16, "T10-11", parse_level("T10-11")), LevelSpan(21, 23, "L3", parse_level("L3"))]
    out = attribute_levels([ponte, pso], levels, lambda offset: (0, 27), text)
    assert [m.level_labels() for m in out] == [("T10-11",), ("L3",)]
    assert ponte.levels == () and pso.levels == ()  # the inputs are left as they were
