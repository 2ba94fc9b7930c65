"""Assertions on short op-note snippets: what was not done never yields an osteotomy code."""
import pytest

from conftest import osteotomy_codes_in


DESCRIPTION = "DESCRIPTION OF PROCEDURE:\nThe patient was placed prone on the Jackson table. "


def osteotomy_codes(ex, body, header=""):
    text = (f"PROCEDURES PERFORMED:\n{header}\n\n" if header else "") + DESCRIPTION + body
    return osteotomy_codes_in(ex, text)


def test_performed_osteotomy_is_coded(ex):
    assert osteotomy_codes(ex, "A pedicle subtraction osteotomy was performed at L3.") == {("22207", 1)}


@pytest.mark.parametrize("kind,body", [
    ("negated", "No osteotomy was required. Pedicle screws were placed from L2 to L5."),
    ("negated", "We elected not to perform a pedicle subtraction osteotomy at L3."),
    ("negated", "A PSO at L3 was not necessary once the spine was mobilized."),
    ("hypothetical", "Ponte osteotomies at L1-2 and L2-3 will be performed if correction is insufficient."),
    ("hypothetical", "A pedicle subtraction osteotomy at L4 may be required at a later stage."),
    ("hypothetical", "The patient consented for possible vertebral column resection at T8."),
    ("historical", "She is status post L4 pedicle subtraction osteotomy in 2019."),
    ("historical", "The prior L3 PSO was found to be solidly healed."),
    ("aborted", "The L3 pedicle subtraction osteotomy was aborted after loss of motor evoked potentials."),
    ("aborted", "The Ponte osteotomy at L2-3 was abandoned because of epidural bleeding."),
])
def test_not_done_is_not_coded(ex, kind, body):
    assert osteotomy_codes(ex, body) == set(), kind


def test_planned_then_performed_is_coded(ex):
    body = ("Ponte osteotomies will be performed if correction is insufficient. "
            "Correction was insufficient, and Ponte osteotomies were then performed at L1-2 and L2-3.")
    assert osteotomy_codes(ex, body) == {("22214", 1), ("22216", 1)}


def test_considered_but_other_type_performed(ex):
    body = "A PSO was considered but, given bone quality, we performed Ponte osteotomies at L1-2, L2-3, L3-4."
    assert osteotomy_codes(ex, body) == {("22214", 1), ("22216", 2)}


def test_header_only_is_not_coded(ex):
    assert osteotomy_codes(ex, "Pedicle screws were placed from T10 to L2 and the rods locked.",
                           header="1. Ponte osteotomies T10-11, T11-12") == set()


def test_header_done_body_not_done(ex):
    body = "The L3 pedicle subtraction osteotomy was not performed because of neuromonitoring changes."
    assert osteotomy_codes(ex, body, header="1. L3 pedicle subtraction osteotomy") == set()


def test_header_gives_sites_when_body_confirms(ex):
    body = "The pedicle subtraction osteotomy was then performed and closed with compression."
    assert osteotomy_codes(ex, body, header="1. L3 pedicle subtraction osteotomy") == {("22207", 1)}


def test_indications_never_yield_a_code(ex):
    text = ("INDICATIONS:\nShe needs an L3 pedicle subtraction osteotomy.\n\n" + DESCRIPTION
            + "Pedicle screws were placed from T10 to L5.")
    assert osteotomy_codes_in(ex, text) == set()


@pytest.mark.parametrize("body", [
    "Inferior facetectomies were performed at each level to prepare the fusion bed.",
    "A complete facetectomy was performed on the left for the L4-5 TLIF.",
    "A laminectomy and bilateral foraminotomies were performed at L4-5.",
    "A curved osteotome was used to decorticate the lamina and harvest local bone.",
    "Posterior releases were performed at T10-11 and T11-12.",
    "Schwab grade 1 osteotomies (partial facetectomies) were done at T8-9 and T9-10.",
    "Balloon kyphoplasty was performed at L1 with PMMA.",
    "A corpectomy of L1 was performed and an expandable cage placed.",
])
def test_look_alikes_are_not_osteotomies(ex, body):
    assert osteotomy_codes(ex, body) == set()


def test_facetectomies_for_correction_are_a_flagged_posterior_osteotomy(ex):
    body = ("Complete bilateral facetectomies with resection of the ligamentum flavum were performed at "
            "T9-10 and T10-11 to allow correction of the kyphosis.")
    record = ex.extract(DESCRIPTION + body, "r")
    assert {(s["code"], s["units"]) for s in record["suggestions"]} == {("22212", 1), ("22216", 1)}
    flags = {f["id"] for s in record["suggestions"] for f in s["flags"]}
    assert "posterior_release_inferred" in flags


def test_anterior_discectomy_through_spurs_is_not_an_anterior_osteotomy(ex):
    text = ("DESCRIPTION OF PROCEDURE:\nThe patient was positioned supine. A Smith-Robinson approach was used. "
            "Bridging osteophytes at C5-6 were removed with an osteotome and drill to enter the disc, "
            "and a discectomy was performed.")
    assert osteotomy_codes_in(ex, text) == set()


def test_anterior_osteotomy_through_ankylosed_segment(ex):
    text = ("DESCRIPTION OF PROCEDURE:\nThe patient was positioned supine and a retroperitoneal approach was made. "
            "The L4-5 segment was ankylosed. An anterior osteotomy with discectomy was performed at L4-5.")
    assert osteotomy_codes_in(ex, text) == {("22224", 1)}


@pytest.mark.parametrize("cue", ["with no buckling", "with no change in signals"])
def test_a_pseudo_phrase_sharing_its_words_with_a_negation_negates_nothing_after_it(ex, cue):
    """ "with no" and "no buckling" overlap; the pseudo-phrase wins, so a graft later in a comma-run
    sentence is still placed."""
    from conftest import codes_of
    note = ("OPERATIVE NOTE\nProcedure: L4-5 posterior fusion with pedicle screws\n\nOperative notes: prone, "
            f"pedicle screws placed bilaterally at L4 and L5, rods seated and locked, dura inspected {cue}, "
            "decortication done and local bone from the laminectomy placed posterolaterally, closure in layers.\n")
    assert ("20936", 1) in codes_of(ex, note)
