"""The coding stage as a pure function: typed facts + settings -> codes, units, flags and explanations."""
import pytest

from extractor.coding import suggest
from extractor.facts import osteotomy_sites
from extractor.flags import Flag
from extractor.levels import parse_level
from extractor.model import Construct, Facts, Graft, Instrumentation, Osteotomy
from extractor.settings import Settings

DEFAULTS = Settings.load()


def osteotomy(family, type_, *levels, settings=DEFAULTS, inferred=False, source="body"):
    sites = osteotomy_sites(family, [parse_level(x) for x in levels], settings.osteotomy.posterior_range_sites)
    return Osteotomy(family, type_, sites, approach="posterior", source=source, inferred=inferred, evidence=())


def no_instrumentation(**overrides):
    return Instrumentation(**overrides)


def facts(osteotomies=(), grafts=(), instrumentation=None):
    return Facts(osteotomies=tuple(osteotomies),
                 grafts=tuple(g if isinstance(g, Graft) else Graft(g, ()) for g in grafts),
                 instrumentation=instrumentation or no_instrumentation())


def codes(f, settings=DEFAULTS):
    return {(s.code, s.units) for s in suggest(f, settings)}


def flags_of(f, code, settings=DEFAULTS):
    return {str(fl) for s in suggest(f, settings) if s.code == code for fl in s.flags}


def suggestion(f, code, settings=DEFAULTS):
    return next(s for s in suggest(f, settings) if s.code == code)


def test_aapc_example_three_column_t10_t12():
    assert codes(facts([osteotomy("three_column", "three_column", "T10", "T11", "T12")])) == {("22206", 1), ("22208", 2)}


@pytest.mark.parametrize("family,level,primary", [
    ("three_column", "L3", "22207"), ("three_column", "T11", "22206"),
    ("posterior", "C6-7", "22210"), ("posterior", "T8-9", "22212"), ("posterior", "L2-3", "22214"),
    ("anterior", "C5-6", "22220"), ("anterior", "T8-9", "22222"), ("anterior", "L4-5", "22224"),
])
def test_primary_per_family_and_region(family, level, primary):
    assert codes(facts([osteotomy(family, "x", level)])) == {(primary, 1)}


@pytest.mark.parametrize("family,addon", [("posterior", "22216"), ("anterior", "22226")])
def test_addon_units_are_further_sites(family, addon):
    f = facts([osteotomy(family, "x", "L1-2", "L2-3", "L3-4", "L4-5")])
    assert (addon, 3) in codes(f)


def test_ponte_counted_per_interspace_with_cephalad_region():
    f = facts([osteotomy("posterior", "ponte", "T10-11", "T11-12", "T12-L1")])
    assert codes(f) == {("22212", 1), ("22216", 2)}


def test_cross_region_primary_from_most_cephalad_is_flagged():
    f = facts([osteotomy("three_column", "pso", "T12", "L1")])
    assert codes(f) == {("22206", 1), ("22208", 1)}
    assert "cross_region_primary" in flags_of(f, "22206")


def test_cross_region_setting_most_caudal():
    settings = Settings.load(overrides=["osteotomy.cross_region_primary=most_caudal"])
    f = facts([osteotomy("three_column", "pso", "T12", "L1")])
    assert codes(f, settings) == {("22207", 1), ("22208", 1)}


def test_junction_interspace_alone_setting_region_is_flagged():
    f = facts([osteotomy("posterior", "ponte", "T12-L1", "L1-2")])
    assert codes(f) == {("22212", 1), ("22216", 1)}
    assert "junction_primary" in flags_of(f, "22212")
    caudal = Settings.load(overrides=["osteotomy.site_region=caudal"])
    assert codes(f, caudal) == {("22214", 1), ("22216", 1)}


def test_vertebra_range_counting_settings():
    f = facts([osteotomy("posterior", "smith_petersen", "T7-T10")])
    assert codes(f) == {("22212", 1), ("22216", 2)}  # one site per interspace (worked example 15)
    listed = facts([osteotomy("posterior", "smith_petersen", "T7", "T8", "T9", "T10")])
    assert codes(listed) == {("22212", 1), ("22216", 3)}  # vertebrae listed one by one
    per_vertebra = Settings.load(overrides=["osteotomy.posterior_range_sites=per_vertebra"])
    f2 = facts([osteotomy("posterior", "smith_petersen", "T7-T10", settings=per_vertebra)])
    assert codes(f2, per_vertebra) == {("22212", 1), ("22216", 3)}


def test_per_vertebra_touched_mode_is_off_by_default_and_flagged():
    f = facts([osteotomy("posterior", "ponte", "T10-11", "T11-12", "T12-L1")])
    touched = Settings.load(overrides=["osteotomy.posterior_counting=per_vertebra_touched"])
    assert codes(f, touched) == {("22212", 1), ("22216", 3)}
    assert "ponte_per_vertebra_touched" in flags_of(f, "22212", touched)


def test_two_families_at_different_segments():
    f = facts([osteotomy("three_column", "pso", "L4"), osteotomy("posterior", "ponte", "L1-2", "L2-3")])
    assert codes(f) == {("22207", 1), ("22214", 1), ("22216", 1)}
    assert "two_families" in flags_of(f, "22207")


def test_posterior_site_at_three_column_segment_is_dropped():
    f = facts([osteotomy("three_column", "pso", "L3"), osteotomy("posterior", "ponte", "L1-2", "L3-4")])
    assert codes(f) == {("22207", 1), ("22214", 1)}
    assert "same_segment_bundling" in flags_of(f, "22214")


def test_cervical_three_column_has_no_code_and_is_flagged():
    f = facts([osteotomy("three_column", "pso", "C7")])
    assert codes(f) == {("22899", 1)}
    assert "cervical_three_column" in flags_of(f, "22899")
    none = Settings.load(overrides=["osteotomy.cervical_three_column_code=none"])
    assert codes(f, none) == set()


def test_vcr_is_three_column_and_flagged():
    f = facts([osteotomy("three_column", "vcr", "T8")])
    assert codes(f) == {("22206", 1)}
    assert "vcr_code_conflict" in flags_of(f, "22206")


def test_inferred_type_lowers_confidence_and_says_why():
    named = suggestion(facts([osteotomy("posterior", "ponte", "L2-3")]), "22214")
    inferred = suggestion(facts([osteotomy("posterior", "pco", "L2-3", inferred=True)]), "22214")
    assert (named.confidence, inferred.confidence) == (0.95, 0.7)
    assert inferred.explanation.base_reason == "osteotomy type inferred from the resection described"
    assert inferred.explanation.sites == ("L2-3",)


def test_each_convention_flag_is_a_penalty_in_the_explanation():
    s = suggestion(facts([osteotomy("three_column", "pso", "T12", "L1")]), "22206")
    assert [(str(p.flag), p.factor) for p in s.explanation.penalties] == [("cross_region_primary", 0.9)]
    assert s.confidence == round(0.95 * 0.9, 3)


def test_dropped_sites_are_explained():
    f = facts([osteotomy("three_column", "pso", "L3"), osteotomy("posterior", "ponte", "L1-2", "L3-4", "S1-2")])
    assert codes(f) == {("22207", 1), ("22214", 1)}
    posterior = suggestion(f, "22214")
    assert posterior.explanation.sites == ("L1-2",)
    assert {(d.site, d.reason) for d in posterior.explanation.dropped_sites} == {
        ("L3-4", "same_segment_bundling"), ("S1-2", "sacral_site")}


def test_grafts_once_per_code():
    f = facts(grafts=["allograft_morselized", "osteopromotive", "local_autograft", "autograft_separate_morselized"])
    assert codes(f) == {("20930", 1), ("20936", 1), ("20937", 1)}


@pytest.mark.parametrize("kind,code", [
    ("allograft_structural", "20931"), ("autograft_separate_structural", "20938"), ("bone_marrow_aspirate", "20939"),
])
def test_graft_kinds(kind, code):
    assert codes(facts(grafts=[kind])) == {(code, 1)}


def test_ceramic_is_20930_by_setting_and_flagged():
    f = facts(grafts=["ceramic"])
    assert codes(f) == {("20930", 1)} and "ceramic_graft" in flags_of(f, "20930")
    off = Settings.load(overrides=["grafts.ceramic_as_20930=false"])
    assert codes(f, off) == set()


def construct(span, segmental=True, from_list=False):
    verts = tuple(parse_level(span).vertebrae())
    return Construct(span, len(verts), segmental, verts, False, (), levels_from_procedure_list=from_list)


@pytest.mark.parametrize("span,segmental,code", [
    ("L4-L5", False, "22840"), ("L3-L5", False, "22840"), ("T10-L2", True, "22842"),
    ("T4-L1", True, "22843"), ("T10-S1", True, "22843"), ("T1-L4", True, "22844"),
])
def test_posterior_instrumentation_by_segments(span, segmental, code):
    assert codes(facts(instrumentation=no_instrumentation(posterior=construct(span, segmental)))) == {(code, 1)}


@pytest.mark.parametrize("span,code", [("C5-C6", "22845"), ("T8-L2", "22846"), ("T5-T12", "22847")])
def test_anterior_instrumentation_by_segments(span, code):
    assert codes(facts(instrumentation=no_instrumentation(anterior=construct(span)))) == {(code, 1)}


def test_pelvic_fixation_and_devices():
    instr = no_instrumentation(posterior=construct("T10-S1"), pelvic_fixation=True, interbody=("L4-5", "L5-S1"),
                               corpectomy_defects=1, no_arthrodesis_devices=1)
    assert codes(facts(instrumentation=instr)) == {("22843", 1), ("22848", 1), ("22853", 2), ("22854", 1),
                                                   ("22859", 1)}


def test_interbody_device_without_level_is_one_unit_with_lower_confidence():
    s = suggestion(facts(instrumentation=no_instrumentation(interbody_level_unknown=True)), "22853")
    assert (s.units, s.confidence, [str(f) for f in s.flags]) == (1, 0.7, ["interbody_level_unknown"])


def test_instrumentation_levels_from_the_procedure_list_are_flagged():
    s = suggestion(facts(instrumentation=no_instrumentation(posterior=construct("L3-L5", True, from_list=True))), "22842")
    assert s.confidence == 0.85 and [str(f) for f in s.flags] == ["instrumentation_levels_from_procedure_list"]


def test_graft_flags_travel_with_the_graft_and_cap_confidence():
    f = facts(grafts=[Graft("autograft_separate_morselized", (), (Flag.separate_incision_not_documented,)),
                      Graft("allograft_structural", (), (Flag.allograft_spacer,))])
    iliac, structural = suggestion(f, "20937"), suggestion(f, "20931")
    assert [str(x) for x in iliac.flags] == ["separate_incision_not_documented"] and iliac.confidence == 0.7
    assert [(str(p.flag), p.cap) for p in iliac.explanation.penalties] == [("separate_incision_not_documented", 0.7)]
    assert structural.confidence == round(0.95 * 0.9, 3)  # allograft_spacer is a convention


def test_labels_are_our_own_short_labels():
    s = suggest(facts([osteotomy("three_column", "pso", "L3")]), DEFAULTS)[0]
    assert s.label == "Posterior 3-column osteotomy, lumbar, first segment"
