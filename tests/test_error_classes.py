"""The error classes seen on notes written by others (issue 10), each on short notes written here:
what a coder would code, and what must stay uncoded."""
import pytest

from conftest import codes_of
from extractor.codes import osteotomy_codes

OSTEOTOMY = osteotomy_codes()
OPENING = ("OPERATIVE REPORT\nPREOPERATIVE DIAGNOSIS: Kyphosis.\nDESCRIPTION OF PROCEDURE:\n"
           "The patient was brought to the operating room and placed prone on a Jackson table. "
           "A midline incision was made and subperiosteal exposure carried out. ")


def osteotomy_codes_of(ex, body, procedures=""):
    text = OPENING.replace("DESCRIPTION", f"PROCEDURES PERFORMED:\n{procedures}\nDESCRIPTION") if procedures else OPENING
    return {c for c in codes_of(ex, text + body) if c[0] in OSTEOTOMY}


def all_codes_of(ex, body):
    return codes_of(ex, OPENING + body)


def test_seed_wedge_with_pedicles_as_boundary_is_a_posterior_osteotomy(ex):
    body = ("At L2-3 the osteotomy was performed: the spinous process, laminae, interspinous ligament and both "
            "facets were resected as a wedge back to the pedicles, which formed the boundary of the resection. "
            "The gap was closed by manual pressure with the roots in view and the anterior column cracked closed.")
    assert osteotomy_codes_of(ex, body) == {("22214", 1)}


def test_stated_untouched_body_keeps_a_wedge_posterior(ex):
    body = ("A posterior wedge resection was carried out at L2-3, taking the spinous process, lamina and facets. "
            "The pedicles and vertebral bodies were left untouched. The gap was closed by compression.")
    assert osteotomy_codes_of(ex, body) == {("22214", 1)}


def test_tlif_facetectomy_with_an_osteotome_is_not_an_osteotomy(ex):
    body = ("Pedicle screws were placed at L4 and L5. Right L4-5 TLIF: the inferior articular process of L4 was "
            "osteotomized and removed, and the superior articular process of L5 taken down to the top of the L5 "
            "pedicle with the osteotome. Discectomy was performed and a PEEK cage placed at L4-5.")
    assert osteotomy_codes_of(ex, body) == set()


def test_osteotomies_named_as_the_source_of_graft_add_no_site(ex):
    body = ("Ponte osteotomies were performed at T10-11 and T11-12. Pedicle screws were placed from T8 to L2. "
            "The bone we had removed in the osteotomies was laid along the gutters from T8 to L2.")
    assert osteotomy_codes_of(ex, body) == {("22212", 1), ("22216", 1)}


@pytest.mark.parametrize("body,codes", [
    ("Ponte osteotomies were performed from T8 to T12.", {("22212", 1), ("22216", 3)}),
    ("Smith-Petersen osteotomies were performed at T7, T8, T9 and T10.", {("22212", 1), ("22216", 3)}),
    ("SPOs were performed at L1-2, L2-3 and L3-4.", {("22214", 1), ("22216", 2)}),
])
def test_a_range_counts_interspaces_and_a_list_counts_what_it_lists(ex, body, codes):
    assert osteotomy_codes_of(ex, body) == codes


def test_old_osteotomy_sites_are_history(ex):
    body = ("Old SPO sites at L1/2 and L2/3 were solidly fused. A pedicle subtraction osteotomy was performed at L3.")
    assert osteotomy_codes_of(ex, body) == {("22207", 1)}


def test_a_synonym_in_parentheses_keeps_the_level_with_its_osteotomy(ex):
    body = "A decancellation (eggshell) osteotomy of the first lumbar vertebra was then performed."
    assert osteotomy_codes_of(ex, body) == {("22207", 1)}


def test_a_range_around_the_listed_site_means_that_site(ex):
    body = ("The L2 pedicles and a wedge of the vertebral body were resected. "
            "The osteotomy was closed by compression from L1 to L3.")
    codes = osteotomy_codes_of(ex, body, procedures="1. L2 pedicle subtraction osteotomy.")
    assert codes == {("22207", 1)}


@pytest.mark.parametrize("body,codes", [
    ("Local AG + allo chips were packed posterolaterally.", {("20936", 1), ("20930", 1)}),
    ("Laminectomy bone was morselized and packed along the gutters.", {("20936", 1)}),
    ("The patient's own bone from the decompression was placed over the decorticated facets.", {("20936", 1)}),
])
def test_graft_words_of_real_notes(ex, body, codes):
    assert {c for c in all_codes_of(ex, body) if c[0].startswith("209")} == codes


def test_levels_after_an_osteotomy_named_as_a_landmark_stay_with_the_screws(ex):
    body = ("Pedicle screws were placed bilaterally at T8, T9 and T10 above the osteotomy and at T12, L1 and L2 below. "
            "A pedicle subtraction osteotomy was then performed at T11, resecting both pedicles and a wedge of the "
            "vertebral body.")
    codes = all_codes_of(ex, body)
    assert ("22843", 1) in codes and ("22842", 1) not in codes and ("22206", 1) in codes


def test_a_radiographic_table_does_not_add_osteotomy_sites(ex):
    body = ("A pedicle subtraction osteotomy was performed at L3, resecting both pedicles and a wedge of the body.\n\n"
            "RADIOGRAPHIC PARAMETERS\n"
            "                      Preoperative     Goal        Intraoperative\n"
            "Lumbar lordosis       27 deg           55 deg      58 deg\n"
            "Correction at L3 PSO  --               30 deg      ~30 deg\n"
            "L4-S1 lordosis        8 deg            --          unchanged\n")
    assert osteotomy_codes_of(ex, body) == {("22207", 1)}


RESECTION_AT_C7_T1 = ("Lateral mass screws C4-C6 and pedicle screws C7-T3 were placed. At C7-T1 the spinous process base, "
                      "ligamentum flavum and both facet joints were resected back to the pedicles to open a posterior "
                      "gap, which was closed in extension.")


def test_a_resection_the_list_names_as_an_osteotomy_is_that_osteotomy(ex):
    assert osteotomy_codes_of(ex, RESECTION_AT_C7_T1, procedures="1. Smith-Petersen osteotomy, C7-T1") == {("22210", 1)}


def test_a_resection_without_an_osteotomy_in_the_list_or_at_another_level_is_not_coded(ex):
    assert osteotomy_codes_of(ex, RESECTION_AT_C7_T1) == set()
    assert osteotomy_codes_of(ex, RESECTION_AT_C7_T1, procedures="1. Smith-Petersen osteotomy, T4-5") == set()
