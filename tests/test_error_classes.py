"""The error classes seen on notes written by others (issue 10), each on short notes written here:
what a coder would code, and what must stay uncoded."""
import pytest

from conftest import codes_of, osteotomy_codes_in

OPENING = ("OPERATIVE REPORT\nPREOPERATIVE DIAGNOSIS: Kyphosis.\nDESCRIPTION OF PROCEDURE:\n"
           "The patient was brought to the operating room and placed prone on a Jackson table. "
           "A midline incision was made and subperiosteal exposure carried out. ")


def note_with(body, procedures=""):
    """The test note: its opening, a procedure list when ``procedures`` is given, and ``body`` as the narrative."""
    text = OPENING.replace("DESCRIPTION", f"PROCEDURES PERFORMED:\n{procedures}\nDESCRIPTION") if procedures else OPENING
    return text + body


def osteotomy_codes_of(ex, body, procedures=""):
    return osteotomy_codes_in(ex, note_with(body, procedures))


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


ACDF = ("OPERATIVE REPORT\nPROCEDURE: Anterior cervical discectomy and fusion C5-6.\nDESCRIPTION OF PROCEDURE:\n"
        "A right transverse incision was made and the C5-6 disc removed back to the posterior longitudinal ligament. "
        "The endplates were prepared. ")


def graft_codes_of(ex, body):
    return {c for c in codes_of(ex, ACDF + body) if c[0].startswith("209")}


@pytest.mark.parametrize("body", [
    "A 7 mm lordotic allograft was tapped into the interspace.",
    "An allograft sized to the interspace (7 mm) was tapped into place.",
    "Machined bone allograft, 7 mm, was tapped into the disc space.",
    "A plug of bank bone, measured to the space, was tapped in.",
    "Cortical-cancellous allografts x2 (7 mm) were placed.",
])
def test_an_allograft_sized_to_the_interspace_is_structural(ex, body):
    """Structural allograft told by size, fit or brand, never a device (22853)."""
    codes = codes_of(ex, ACDF + body)
    assert {c for c in codes if c[0].startswith("209")} == {("20931", 1)}
    assert not {c for c in codes if c[0] == "22853"}


def test_allograft_chips_beside_a_sized_cage_stay_morselized(ex):
    body = "A 7 mm PEEK cage packed with allograft chips was tapped into the interspace."
    assert graft_codes_of(ex, body) == {("20930", 1)}


def test_recombinant_bmp_with_a_numbered_protein_is_a_graft(ex):
    body = "Recombinant human bone morphogenetic protein-2 on its collagen sponge was placed within the cage."
    assert ("20930", 1) in graft_codes_of(ex, body)


STAND_ALONE = ("A 7 mm stand-alone PEEK cage packed with DBM was impacted into the C5-6 space. "
               "The integrated screws were placed through the cage, one up into C5 and one down into C6. ")


def test_integrated_screws_of_a_stand_alone_cage_are_not_instrumentation(ex):
    codes = codes_of(ex, ACDF + STAND_ALONE + "Fluoroscopy showed the cage and both screws well placed in C5 and C6.")
    assert {c for c in codes if c[0].startswith("228")} == {("22853", 1)}


def test_a_plate_beside_a_cage_with_integrated_screws_is_still_instrumentation(ex):
    plate = "An anterior plate was then fixed from C4 to C6 with four screws."
    assert ("22845", 1) in codes_of(ex, ACDF + STAND_ALONE + plate)


def graft_codes(ex, body):
    return {c for c in all_codes_of(ex, body) if c[0].startswith("209")}


@pytest.mark.parametrize("body,codes", [
    ("Through a separate incision over the right posterior iliac crest, cancellous bone was taken from between the "
     "tables of the crest. The cancellous bone from the crest was laid over the transverse processes.", {("20937", 1)}),
    ("Through a separate incision a tricortical block was cut from the crest and tapped into the defect.", {("20938", 1)}),
    ("Through a separate stab wound a trocar was passed into the crest and marrow was drawn off into syringes; "
     "the iliac crest aspirate was mixed with bank bone chips.", {("20939", 1), ("20930", 1)}),
    ("A small separate stab incision was made over the right posterior iliac crest. A trocar was advanced into the "
     "crest between the tables and bone marrow was aspirated in several passes.", {("20939", 1)}),
    ("The local bone was mixed with bank bone and packed down the gutters.", {("20936", 1), ("20930", 1)}),
    ("The cancellous bone saved from the body of L1 was laid over the laminae as the graft.", {("20936", 1)}),
])
def test_crest_and_bank_bone_in_plain_words(ex, body, codes):
    assert graft_codes(ex, body) == codes


def test_crest_bone_taken_with_no_separate_incision_is_local_autograft(ex):
    """The note says no separate incision was made, two sentences before it tells the crest bone packed."""
    body = ("Local bone was saved from the osteotomies. Right posterior iliac crest: subfascial dissection from the "
            "midline wound laterally over to the PSIS, no separate skin or fascial incision. Cancellous bone taken "
            "with gouges. Local bone, allograft chips and the iliac crest cancellous packed posterolaterally.")
    assert graft_codes(ex, body) == {("20936", 1), ("20930", 1)}


def test_crest_bone_through_the_same_incision_is_local_autograft(ex):
    body = ("Working through the same midline skin incision and the same fascial opening, with no separate incision, "
            "the posterior iliac crest was exposed. Cancellous bone was taken from the crest and laid over the "
            "decorticated facets.")
    assert graft_codes(ex, body) == {("20936", 1)}


def test_an_empty_template_field_is_not_a_graft(ex):
    body = "Local autograft was laid over the fusion bed.\nGraft: [Local autograft]    Allograft: [--]    DBM: [N/A]\n"
    assert graft_codes(ex, body) == {("20936", 1)}


def narrative_note(body: str, procedure: str = "") -> str:
    """A short operative report: an optional procedure line, then the narrative."""
    listed = f"PROCEDURE: {procedure}\n" if procedure else ""
    return f"OPERATIVE REPORT\n{listed}DESCRIPTION OF PROCEDURE:\n{body}\n"


def instrumentation_codes(ex, text):
    return {c for c in codes_of(ex, text) if c[0].startswith("228")}


def test_ps_is_pedicle_screws_in_terse_notes(ex):
    assert instrumentation_codes(ex, OPENING + "PS b/l T4-L2 freehand, palpated, fluoro ok. Rods placed.") == {("22843", 1)}


def test_a_plate_told_without_levels_takes_the_listed_levels(ex):
    text = narrative_note("A transverse incision was made and the C6-7 disc removed. A 7 mm PEEK cage was placed. "
                          "The plate was then applied with four screws and the locking mechanism engaged.",
                          procedure="Anterior cervical discectomy and fusion C6-7 with anterior plating C6-C7.")
    assert instrumentation_codes(ex, text) == {("22845", 1), ("22853", 1)}
    plate = next(s for s in ex.extract(text, "t")["suggestions"] if s["code"] == "22845")
    assert [f["id"] for f in plate["flags"]] == ["instrumentation_levels_from_procedure_list"]
    assert {e["text"] for e in plate["evidence"]} >= {"plate", "anterior plating"}


def test_end_plates_are_not_a_plate(ex):
    text = narrative_note("The C5-6 disc was removed and the C5 and C6 end plates "
            "were prepared to bleeding bone. A 7 mm PEEK cage was placed at C5-6.")
    assert instrumentation_codes(ex, text) == {("22853", 1)}


def test_a_peek_implant_is_an_interbody_device(ex):
    text = narrative_note("Through a lateral transpsoas approach the L4-5 disc was removed "
            "and a PEEK implant packed with allograft was impacted across the disc space.")
    assert ("22853", 1) in instrumentation_codes(ex, text)


def test_hardware_taken_out_and_antibiotic_beads_are_not_instrumentation(ex):
    body = ("Each of the pedicle screws at L4 and L5 was then removed bilaterally. The interbody cage was loose and "
            "came out easily. Antibiotic-impregnated polymethylmethacrylate beads were placed in the wound.")
    assert instrumentation_codes(ex, OPENING + body) == set()


@pytest.mark.parametrize("body", [
    # one cage between its end plates is one defect
    "An anterior cervical corpectomy was performed, the bodies being removed back to the ligament. A titanium mesh "
    "cage was packed with the corpectomy bone. The cage was tapped into position between C4 and C7, recessed "
    "slightly from the anterior margins.",
    # a corpectomy left without a device is not a device defect
    "A C5 corpectomy was performed and an expandable cage was placed at C5 in the corpectomy defect between C4 and "
    "C6. A partial C7 corpectomy was done for decompression; no device was needed there. A plate was fixed from C4 "
    "to C6 with screws.",
])
def test_corpectomy_devices_count_the_defects_that_hold_them(ex, body):
    assert ("22854", 1) in instrumentation_codes(ex, narrative_note(body))


def test_a_disc_removed_before_the_cage_goes_in_leaves_the_cage_placed(ex):
    text = narrative_note("The L4-5 disc was removed and a PEEK cage packed with allograft was impacted across the "
                          "disc space.")
    assert ("22853", 1) in instrumentation_codes(ex, text)


POSTERIOR = ("OPERATIVE REPORT\nPROCEDURE: Posterior spinal fusion L4-L5 with pedicle screws.\nDESCRIPTION OF PROCEDURE:\n"
             "The patient was placed prone. A midline incision was made and subperiosteal exposure carried out. "
             "Pedicle screws were placed at L4 and L5 bilaterally and rods were seated. ")


@pytest.mark.parametrize("body,codes", [
    ("Thirty cc of 4-10 mm cancellous allograft chips were packed in the lateral gutters.", {("20930", 1)}),
    ("A 12 mm lordotic allograft-filled PEEK cage was placed at L4-5.", {("20930", 1)}),
    ("A small amount of bone was removed from the posterior iliac crest with a rongeur to recess the iliac screw "
     "heads.", set()),
    ("A piece of bone was removed from the crest of the L4 spinous process and morselized.", set()),
    ("Bone marrow was aspirated from the L4 pedicle tracts with a Jamshidi needle and mixed with allograft chips.",
     {("20930", 1)}),
    ("Cancellous bone was harvested from the right posterior iliac crest. It was not possible to work through the "
     "same incision for the interbody work.", {("20937", 1)}),
])
def test_graft_wording_that_is_not_the_graft_it_resembles(ex, body, codes):
    assert {c for c in codes_of(ex, POSTERIOR + body) if c[0].startswith("209")} == codes


def test_a_long_listed_anterior_span_is_not_taken_for_a_plate_told_without_levels(ex):
    text = narrative_note("The C5-6 disc was removed and a PEEK cage placed at C5-6. An anterior plate was then "
                          "applied with four screws.",
                          procedure="Anterior cervical discectomy C5-6; anterior cervical plate C4-C7.")
    assert not {c for c in instrumentation_codes(ex, text) if c[0] in ("22845", "22846", "22847")}


def test_integrated_screws_of_one_cage_leave_the_posterior_screws_of_another_level(ex):
    text = narrative_note("Through a retroperitoneal approach a stand-alone PEEK cage "
            "was impacted at L5-S1 and its integrated screws were placed through the cage into L5 and S1. The "
            "patient was turned prone. At L4-5 a TLIF cage was placed and screws were placed at L4, L5 and S1 "
            "bilaterally, with rods.")
    assert ("22842", 1) in instrumentation_codes(ex, text)


def test_a_flagged_suggestion_is_never_surer_than_the_rules(ex):
    body = "Cancellous bone was harvested from the right posterior iliac crest and laid over the facets."
    graft = next(s for s in ex.extract(POSTERIOR + body, "t")["suggestions"] if s["code"] == "20937")
    assert graft["flags"] and graft["confidence"] <= graft["rule_confidence"]


def test_dorsal_numbering_reads_as_thoracic(ex):
    """Surgeons trained in India and parts of Europe number the thoracic vertebrae D1-D12."""
    body = ("Pedicle screws were inserted bilaterally at every level from D9 to L2. Smith-Petersen osteotomies "
            "were done at D10-11 and D11-12, closed by compression.")
    codes = all_codes_of(ex, body)
    assert codes == {("22212", 1), ("22216", 1), ("22842", 1)}


def test_vitamin_d_and_dextrose_are_not_levels(ex):
    body = ("Vitamin D3 was continued. D5W ran at 75 mL/h. Pedicle screws were placed at L4 and L5 bilaterally "
            "and local bone was laid over the decorticated transverse processes.")
    assert all_codes_of(ex, body) == {("22840", 1), ("20936", 1)}


def test_brief_note_proc_line_is_the_procedure_list(ex):
    """"Proc:" in a resident's brief op note lists the procedures: its levels give the narrative's
    osteotomies their sites."""
    text = ("BRIEF OPERATIVE NOTE\nPre-op dx: Scheuermann kyphosis\nProc: PSF T4-L2; Ponte osteotomies T8-9, T9-10\n"
            "Implants: PS b/l every level T4-L2, rods x2\n\nDescription:\nProne on Jackson. PS b/l all levels "
            "freehand. 2 apical Ponte osteotomies done -> SP, both facets, LF at each. Rods, compression.\n")
    assert codes_of(ex, text) == {("22212", 1), ("22216", 1), ("22843", 1)}


def test_unnamed_wedge_resection_takes_the_listed_osteotomy_and_its_level(ex):
    """The procedure list names the wedge resection at its level; the narrative describes the resection
    without the word osteotomy and without a level: one posterior osteotomy at the listed level."""
    text = ("OPERATIVE REPORT\nPROCEDURE:\n1. Posterior wedge resection of the posterior elements at L4-5.\n"
            "2. Pedicle screw fixation L3 and L5.\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone. "
            "Pedicle screws were placed at L3 and L5. The spinous processes, laminar margins and ligamentum "
            "flavum were removed and both facet joints were resected. The pedicles were left intact as the "
            "lateral limits. The vertebral body was not entered. The gap was closed with compression.\n")
    assert osteotomy_codes_in(ex, text) == {("22214", 1)}


def test_listed_wedge_without_a_described_resection_stays_uncoded(ex):
    text = ("OPERATIVE REPORT\nPROCEDURE:\n1. Posterior wedge resection at L4-5.\nDESCRIPTION OF PROCEDURE:\n"
            "The patient was placed prone. Pedicle screws were placed at L3 and L5 and rods were seated.\n")
    assert not osteotomy_codes_in(ex, text)


def test_ordinal_range_with_the_reads_every_vertebra(ex):
    body = ("Pedicle screws were placed from the first to the fifth lumbar vertebra on both sides, "
            "and the bone removed was laid over the transverse processes.")
    assert ("22842", 1) in all_codes_of(ex, body)


def test_levels_listed_with_then_are_all_sites(ex):
    body = ("Pedicle screws were placed bilaterally from T4 to L2. Four Ponte osteotomies were done one vertebra "
            "at a time - T9, then T10, then T11, then T12.")
    assert osteotomy_codes_of(ex, body) == {("22212", 1), ("22216", 3)}


def test_ehr_smart_list_names_are_not_negations(ex):
    """"{YES/NO:Yes}" answers yes: the list's name "YES/NO" is not a negation of the item it answers."""
    text = ("OPERATIVE NOTE\nProcedures: posterior fusion T8-L3\nDESCRIPTION:\nThe patient was placed prone. Pedicle "
            "screws were placed at every level from T8 to L3.\nPonte osteotomies at T10-11 and T11-12 performed: "
            "{YES/NO:Yes}\nRods were contoured and locked.\n")
    assert osteotomy_codes_in(ex, text) == {("22212", 1), ("22216", 1)}


def test_template_osteotomy_type_field_takes_the_levels_field(ex):
    text = ("OPERATIVE NOTE\nProcedure(s):\n1. Posterior spinal fusion T3-L1\n2. Posterior column osteotomies\n\n"
            "[Osteotomy type: Ponte]\n[Osteotomy levels: T6, T7, T8, T9]\n\nNarrative:\nProne on Jackson table. "
            "Pedicle screws placed bilaterally at every level from T3 to L1. Ponte osteotomies were done at the "
            "levels listed, removing the spinous process, ligamentum flavum and both facets at each.\n")
    assert osteotomy_codes_in(ex, text) == {("22212", 1), ("22216", 3)}


def test_a_wedge_cut_from_two_laminae_is_one_posterior_osteotomy(ex):
    """Ankylosing spondylitis extension osteotomy told without the word: a V-shaped wedge of the posterior
    elements between two vertebrae is one posterior osteotomy at their interspace, not one per vertebra."""
    body = ("Ankylosing spondylitis with a fixed lumbar kyphosis. Pedicle screws were placed at L1, L2, L4 and L5. "
            "With the drill and Kerrison rongeurs a V-shaped wedge "
            "was removed from the laminae of L2 and L3 and from the fused facets and ossified ligamentum flavum on "
            "each side. The pedicles and the vertebral bodies were not entered. The gap was closed by extension.")
    assert osteotomy_codes_of(ex, body) == {("22214", 1)}


@pytest.mark.parametrize("body", [
    "The old L1 wedge compression fracture with anterior wedging was noted. Pedicle screws were placed at "
    "T12 and L2 and the laminae and facets were decorticated.",
    # red-team probe: "cannulas through both T9 pedicles into the wedge-shaped T9 vertebral body" of a kyphoplasty
    "Under biplanar fluoroscopy, working cannulas were passed through both T9 pedicles into the wedge-shaped T9 "
    "vertebral body; the balloons were inflated and cement was injected.\n",
])
def test_a_wedge_fracture_or_a_wedge_shaped_body_is_not_an_osteotomy(ex, body):
    assert osteotomy_codes_of(ex, body) == set()


def test_the_wedge_of_a_named_pso_adds_no_site(ex):
    body = ("A pedicle subtraction osteotomy was performed at L1: both L1 pedicles and a posterior-based wedge of "
            "the L1 body were resected. The wedge was then extended cephalad: the T12-L1 disc was removed. The "
            "osteotomy was closed by compression.")
    assert osteotomy_codes_of(ex, body) == {("22207", 1)}


def test_a_closing_wedge_through_the_body_told_later_is_a_pso(ex):
    text = ("OPERATIVE REPORT\nDESCRIPTION OF PROCEDURE:\nShe was brought to theatre for a closing-wedge resection "
            "through the second lumbar vertebra. She was positioned prone on a Jackson frame with the arms forward, "
            "every pressure point padded and the eyes checked, and a urinary catheter, arterial line and two "
            "large-bore cannulas were placed. Cefazolin and tranexamic acid were given before the incision and "
            "baseline motor and sensory potentials were recorded in all four limbs. The back was prepared with "
            "chlorhexidine and draped, and the levels were marked under the image intensifier before a long "
            "midline incision was made. The spine was exposed from T10 to the sacrum, the transverse processes "
            "cleared on both sides, and the wound edges were held with self-retaining retractors. Pedicle screws were placed at T10, T11, T12, "
            "L1, L3, L4, L5 and S1. The lamina of L2 was removed with the spinous process, the ligamentum flavum "
            "and the joints at each side. The pedicle on each side was removed down to the body, and the lateral "
            "walls of the body were thinned and broken inwards. The wedge was closed with compression.\n")
    assert osteotomy_codes_in(ex, text) == {("22207", 1)}


def test_set_screws_do_not_extend_a_construct(ex):
    """Set screws lock the rods: a connector's level in their sentence is not a fixation point."""
    body = ("Pedicle screws were placed bilaterally at L1 and L2. New rods were contoured from L1 to L2-3 and joined "
            "to the old rods with domino connectors at L2-3, and all set screws were final tightened.")
    assert ("22840", 1) in all_codes_of(ex, body) and ("22842", 1) not in all_codes_of(ex, body)


def test_template_checkboxes_say_what_was_used(ex):
    text = ("OPERATIVE NOTE\nDESCRIPTION:\nPedicle screws were placed at L4 and L5 and a PEEK cage was placed at L4-5.\n\n"
            "Graft:\n  [x] Allograft chips\n  [ ] Local autograft (facet bone discarded)\n  [ ] Iliac crest autograft\n"
            "  [ ] BMP\n  [x] DBM\n")
    grafts = {c for c in codes_of(ex, text) if c[0].startswith("209")}
    assert grafts == {("20930", 1)}
    assert ("20937", 1) in codes_of(ex, text.replace("[ ] Iliac", "[x] Iliac"))


def test_crest_cancellous_through_a_separate_incision_is_separate_autograft(ex):
    body = ("Pedicle screws were placed at L4, L5 and S1. Through a separate oblique skin incision over the left "
            "posterior iliac crest the outer table was opened and cancellous bone harvested with gouges. Local "
            "laminectomy bone and iliac crest cancellous were laid posterolaterally.")
    assert {("20937", 1), ("20936", 1)} <= all_codes_of(ex, body)


def test_a_bare_spacer_of_a_note_naming_allograft_spacers_is_the_graft(ex):
    text = ("OPERATIVE NOTE\nGraft type: {GRAFT TYPE:Structural allograft spacer}\n  [ ] PEEK cage\n\nDESCRIPTION:\n"
            "Complete C6-7 discectomy. Endplates prepped and the spacer was tamped in slightly recessed, then the "
            "plate was secured to C6 and C7.\n")
    assert codes_of(ex, text) == {("20931", 1), ("22845", 1)}


def test_sentence_case_template_fields_are_labels(ex):
    text = ("OPERATIVE NOTE\nProcedures: posterior fusion T8-L3 with osteotomies\nLevels fused: T8-L3\n"
            "Osteotomy: {YES/NO:Yes}\n  Osteotomy type: {OSTEOTOMY TYPE:Ponte (posterior column)}\n"
            "  Number of levels: {NUMBER:3}\n  Levels: {LEVELS:T10-11, T11-12, T12-L1}\n\nDESCRIPTION:\nThe patient "
            "was placed prone. Pedicle screws were placed at every level from T8 to L3. The osteotomies were "
            "completed as listed above and closed with compression.\n")
    assert osteotomy_codes_in(ex, text) == {("22212", 1), ("22216", 2)}


def test_listed_vcr_told_as_resections_across_sentences_is_coded(ex):
    """The procedure list names the VCR at its level; the narrative never says osteotomy or VCR but resects
    the posterior elements, the pedicles and the body of that vertebra in separate sentences, and a cage
    fills the defect."""
    text = ("OPERATIVE REPORT\nPROCEDURES:\n1. Posterior vertebral column resection of T8.\n2. Pedicle screw "
            "fixation T5-T11.\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone. Pedicle screws were placed "
            "at T5, T6, T7, T9, T10 and T11. The T8 spinous process, laminae, facets and transverse processes were "
            "removed with the drill. The medial T8 rib heads were removed on each side. Both T8 pedicles were then "
            "taken down with the drill to the body. The cancellous bone of the T8 body was removed with curettes and "
            "the lateral walls were thinned and removed. An expandable titanium cage was placed in the defect and "
            "the gap was closed by compression.\n")
    assert osteotomy_codes_in(ex, text) == {("22206", 1)}


def test_listed_vcr_without_a_described_body_resection_stays_uncoded(ex):
    text = ("OPERATIVE REPORT\nPROCEDURES:\n1. Posterior vertebral column resection of T8.\nDESCRIPTION OF PROCEDURE:\n"
            "The patient was placed prone. Pedicle screws were placed at T5, T6, T7, T9, T10 and T11. The T8 "
            "laminae and facets were removed for decompression.\n")
    assert not osteotomy_codes_in(ex, text)


def test_an_unnamed_osteotomy_takes_the_listed_type_where_the_narrative_names_none(ex):
    """The list names a PSO at L4 and Pontes from T10 to L2; the narrative names the Pontes and calls the
    L4 one only "the L4 osteotomy": it is the listed PSO, and the Pontes do not take its level."""
    text = ("OPERATIVE REPORT\nPROCEDURES:\n1. Pedicle subtraction osteotomy, L4.\n2. Ponte osteotomies at every "
            "level from T10 to L2.\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone. Pedicle screws were "
            "placed from T10 to the sacrum, L4 excepted. The Ponte osteotomies were carried out at every level from "
            "T10 to L2, one at each interspace. The L4 osteotomy was then performed and closed. After the L4 "
            "osteotomy and the Ponte releases the lordosis was restored.\n")
    assert osteotomy_codes_in(ex, text) == {("22207", 1), ("22212", 1), ("22216", 3)}


def test_compression_between_the_vertebrae_around_a_listed_osteotomy_adds_no_site(ex):
    text = ("OPERATIVE REPORT\nPROCEDURES:\n- Bone-disc-bone osteotomy, second lumbar vertebra / L2-3 disc\n"
            "DESCRIPTION OF PROCEDURE:\n- A bone-disc-bone osteotomy was performed at the second lumbar vertebra.\n"
            "- Osteotomy closed by extension of the table and compression between L1 and L3.\n")
    assert osteotomy_codes_in(ex, text) == {("22207", 1)}


def test_a_negation_of_one_clause_leaves_the_other_resections_done(ex):
    """"...were taken away, and the resection carried to the pedicles, which were left intact; the bodies
    were not entered": the joints were resected (a posterior wedge), the pedicles and bodies were not."""
    body = ("An extension osteotomy was done at L2-3. The spinous processes and the ligamentum flavum were removed. "
            "The L2-3 facet joints on each side were taken away with the burr, and the resection was carried "
            "laterally until we reached the pedicles, which were left intact; the vertebral bodies were not entered. "
            "The gap was closed by extension.")
    from extractor.facts import read_doc  # the elements the sentence resects
    view, doc = ex.doc(OPENING + body)
    index, _ = read_doc(doc, OPENING + body, ex.rule_meta)
    done = {m.meta["element"] for m in index.of("RESECTION") if m.present}
    assert "facet" in done and "body" not in done


def test_an_arrow_between_levels_is_a_range_and_a_plus_joins_another_procedure(ex):
    body = ("Pedicle screws were placed bilaterally from L1 to S1. SPOs L1-2 -> L4-5: spinous processes and "
            "ligamentum flavum removed and both facets resected. L5-S1 TLIF with a PEEK cage. Rods placed and "
            "sequential compression across SPOs + L5-S1.")
    assert osteotomy_codes_of(ex, body) == {("22214", 1), ("22216", 3)}


def test_levels_joined_by_plus_are_one_list_of_sites(ex):
    body = ("Pedicle screws were placed from L1 to L5.\n- Ponte L2-3 + L3-4: SP + ISL off, LF out with Kerrison, "
            "IAP + SAP resected b/l.\n- Rods placed, compression across the Pontes.")
    assert osteotomy_codes_of(ex, body) == {("22214", 1), ("22216", 1)}


# Cold-review findings (2026-12-06): each was overcoded by a rule of the day and must stay uncoded.

def test_a_listed_pso_is_not_coded_from_screw_step_anatomy(ex):
    text = ("OPERATIVE REPORT\nPROCEDURES:\n1. L3 pedicle subtraction osteotomy.\n2. Posterior spinal instrumentation "
            "T10-S1.\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone. Pedicle screws were placed at T10, T11, "
            "T12, L1, L2, L4, L5 and S1. The L3 pedicles were probed and found intact. Fluoroscopy showed the L3 "
            "vertebral body to be well aligned. Because motor potentials dropped, we elected not to perform the "
            "osteotomy; rods were placed in situ and the wound was closed.\n")
    assert osteotomy_codes_in(ex, text) == set()


def test_a_sentence_case_label_in_the_indications_opens_no_narrative(ex):
    text = ("OPERATIVE REPORT\nINDICATIONS:\nFixed flatback after a prior L4-S1 fusion. Posterior column osteotomies "
            "were chosen over a three-column correction.\nSurgical alternative: L3 pedicle subtraction osteotomy.\n"
            "DESCRIPTION OF PROCEDURE:\nThe patient was placed prone. Pedicle screws were placed at every level from "
            "T10 to S1. Ponte osteotomies were performed at L1-2 and L2-3 and closed with compression.\n")
    assert osteotomy_codes_in(ex, text) == {("22214", 1), ("22216", 1)}


def test_a_ticked_box_of_prior_surgery_stays_history(ex):
    text = ("OPERATIVE NOTE\nDESCRIPTION:\nRevision for proximal junctional kyphosis; prior surgery: [x] L3 PSO "
            "[x] T10-S1 fusion.\nThe patient was placed prone. The old rods were removed. Pedicle screws were placed "
            "at every level from T4 to S1.\n")
    assert osteotomy_codes_in(ex, text) == set()


def test_a_named_posterior_wedge_is_not_a_pso_by_screw_words_elsewhere(ex):
    text = ("OPERATIVE REPORT\nDESCRIPTION:\nThe patient was placed prone on a Jackson table. At each level from T10 "
            "to S1 the pedicle was probed and tapped and the screw was advanced into the vertebral body under "
            "fluoroscopy. Triggered EMG thresholds were above 10 mA at every screw. The wound was irrigated with "
            "dilute betadine and hemostasis was obtained with bipolar cautery and thrombin foam. Neuromonitoring "
            "signals were stable throughout, with no change from baseline at any time. The anesthesia team "
            "maintained mean arterial pressure above 80 mmHg. A posterior closing wedge osteotomy was performed at "
            "L2 and closed with compression.\n")
    assert osteotomy_codes_in(ex, text) == {("22214", 1)}


def test_a_wedge_of_lamina_for_a_microdiscectomy_is_not_an_osteotomy(ex):
    text = ("OPERATIVE REPORT\nPROCEDURE: Left L4-5 microdiscectomy.\nDESCRIPTION:\nThe patient was placed prone on "
            "a Wilson frame. Through a paramedian incision the left L4 lamina was exposed. A small wedge of the "
            "inferior L4 lamina and the medial facet was removed with a Kerrison to expose the ligamentum flavum, "
            "which was then taken down. The extruded L4-5 disc fragment was removed. The wound was closed.\n")
    assert codes_of(ex, text) == set()


def test_a_smart_list_answered_no_negates_its_item(ex):
    text = ("OPERATIVE NOTE\nProcedures: posterior fusion T8-L3\nDESCRIPTION:\nThe patient was placed prone. Pedicle "
            "screws were placed at every level from T8 to L3.\nPonte osteotomies at T10-11 and T11-12 performed: "
            "{YES/NO:No}\nRods were contoured and locked.\n")
    assert osteotomy_codes_in(ex, text) == set()


def test_then_does_not_join_the_levels_of_the_next_step(ex):
    body = ("Pedicle screws were placed at every level from T8 to L3. A Ponte osteotomy was made at T11-12, then L1 "
            "and L2 were decorticated for fusion.")
    assert osteotomy_codes_of(ex, body) == {("22212", 1)}


def test_a_wedge_bullet_takes_the_level_of_the_bullet_that_sets_the_place(ex):
    """Ankylosing spondylitis: "Apex confirmed at T12/L1" and, in the next bullet, the posterior elements
    "across that junction removed as a posterior wedge, pedicles left intact": one posterior osteotomy at
    T12-L1 (the pedicles were left, the other elements were removed)."""
    text = ("OPERATIVE NOTE\nProcedure: Posterior wedge resection at apex of kyphosis + posterior fusion T10-L3\n"
            "History: ankylosing spondylitis, fixed thoracolumbar kyphosis.\n\nDescription:\n"
            "- Pedicle screws T10, T11, L2, L3 bilaterally.\n- Apex of the kyphosis confirmed at T12/L1 on image "
            "intensifier.\n- Spinous processes, laminar margins, ligamentum flavum and both facet joints across that\n"
            "  junction removed as a posterior wedge with the Leksell, the burr and Kerrison rongeurs, pedicles left intact\n"
            "  forming the lateral limits; roots protected.\n- Gap closed by extending the table. Rods locked.\n")
    assert osteotomy_codes_in(ex, text) == {("22212", 1)}


BRIDGE_CUT_AT_C5_6 = ("Through a left anterior approach the prevertebral fascia was opened. At C5-6 the anterior bony "
                      "bridge spanning the autofused segment was cut across with the burr and the remnant disc removed "
                      "back to the ligament. A 7 mm cage packed with allograft chips was placed at C5-6.")


def test_a_listed_anterior_osteotomy_told_as_a_cut_bony_bridge_is_that_osteotomy(ex):
    """The list names the anterior osteotomy of the fused segment; the narrative only says the bony bridge
    at that level was cut: the anterior osteotomy at C5-6."""
    assert osteotomy_codes_of(ex, BRIDGE_CUT_AT_C5_6,
                              procedures="1. Anterior osteotomy through fused C5-6 segment") == {("22220", 1)}


def test_a_cut_bony_bridge_without_a_listed_osteotomy_or_through_spurs_is_not_coded(ex):
    """Without the listed osteotomy, or where the list names it at another level, the cut bridge stays a
    discectomy; an ACDF through bridging osteophytes is never an osteotomy (AANS)."""
    assert osteotomy_codes_of(ex, BRIDGE_CUT_AT_C5_6, procedures="1. ACDF C5-6") == set()
    assert osteotomy_codes_of(ex, BRIDGE_CUT_AT_C5_6, procedures="1. Anterior osteotomy C3-4") == set()
    spurs = ("At C5-6 the bridging osteophytes were cut across with the burr and the disc was removed back to the "
             "ligament. A cage packed with allograft chips was placed at C5-6.")
    assert osteotomy_codes_of(ex, spurs, procedures="1. ACDF C5-6") == set()


def test_a_cage_told_under_a_bullet_of_an_anterior_osteotomy_sits_at_its_segment(ex):
    """Each cage is told in the bullet after the one that names its level: the cage after the anterior
    osteotomy of the fused L2-3 segment sits at L2-3, the next at the L3-4 discectomy (22853 x2)."""
    text = ("OPERATIVE REPORT\nPROCEDURE:\n- Anterior osteotomy through fused L2-3 segment\n- Lateral interbody fusion "
            "L3-4\nOPERATION:\n- Anterior osteotomy through the fused L2-3 segment: bony bridge cut with an osteotome "
            "along the line of the old disc.\n- Hyperlordotic PEEK cage 12 mm packed with allograft chips, impacted.\n"
            "- Retractor moved to L3-4. Annulotomy, discectomy, endplates prepped.\n- PEEK cage (10 mm) filled with "
            "allograft chips inserted.\n")
    assert ("22853", 2) in codes_of(ex, text)


def test_a_cage_named_without_level_sits_at_the_interbody_levels_not_the_screw_range(ex):
    """The procedure line names the TLIF levels and, in the same sentence, the screw range to the pelvis:
    cages told without a level sit at the two TLIF interspaces, not at every interspace of the screws.
    A discectomy named without levels takes the levels of its sentence ("ACDF and decompression, C4/5, C5/6")."""
    text = ("OPERATIVE NOTE\nProcedure: TLIF L3/4 + L4/5 (PEEK cage each level); posterior instrumented fusion L3 to "
            "pelvis (pedicle screws L3-S1 + bilateral iliac screws)\n\nDescription:\nPedicle screws bilat L3, L4, L5 "
            "and S1, iliac screws both sides. Full facetectomy and discectomy at each TLIF level, one PEEK cage each "
            "level packed with local bone. Roots free after cage insertion. Rods, final tightening.\n")
    assert ("22853", 2) in codes_of(ex, text)
    acdf = ("OPERATIVE NOTE\nProcedure: Anterior cervical discectomy and decompression, C4/5, C5/6, C6/7.\n\n"
            "Description:\nAt each level the disc was removed and a PEEK cage packed with local bone was placed. "
            "A plate was fixed with screws into C4, C5, C6 and C7.\n")
    assert ("22853", 3) in codes_of(ex, acdf)


@pytest.mark.parametrize("label", [str.capitalize, str.lower])
def test_an_empty_field_does_not_negate_the_next_field_of_a_template(ex, label):
    """"Decompression: None" on the line before "Osteotomy: Yes": the "None" answers its own field, in
    a template written with capitalised or lower-case labels; the indented sub-fields stay together."""
    fields = [("levels fused", "T8-L3"), ("decompression", "{DECOMPRESSION:None}"), ("osteotomy", "{YES/NO:Yes}"),
              ("  osteotomy type", "{OSTEOTOMY TYPE:Ponte (posterior column)}"), ("  number of levels", "{NUMBER:3}"),
              ("  levels", "{LEVELS:T10-11, T11-12, T12-L1}"), ("interbody", "{INTERBODY:None}")]
    block = "".join(f"{(' ' * (len(k) - len(k.lstrip())))}{label(k.strip())}: {v}\n" for k, v in fields)
    text = ("OPERATIVE NOTE\nProcedures:\n1. Posterior spinal fusion T8-L3\n2. Posterior column osteotomies\n\n"
            + block + "\nProcedure details:\nProne on the Jackson table. Pedicle screws at every level T8 to L3. "
            "The osteotomies were completed as listed above and closed with compression.\n")
    assert osteotomy_codes_in(ex, text) == {("22212", 1), ("22216", 2)}


def test_no_buckling_at_the_osteotomy_sites_does_not_negate_the_osteotomies(ex):
    """"No buckling" negates the buckling, not the osteotomy sites it was looked for at: the listed
    posterior column osteotomies, told in the narrative as facet resections, stay coded."""
    text = ("OPERATIVE REPORT\nPROCEDURE:\n1. Posterior column osteotomies at C6-7 and C7-T1 for kyphosis.\n"
            "2. Lateral mass screws C4-C6 and pedicle screws T2-T3.\nFINDINGS: After correction the cord showed no "
            "buckling at the osteotomy sites.\nDESCRIPTION OF PROCEDURE:\nStarting at C6-7, the inferior and superior "
            "articular processes were resected bilaterally and the ligamentum flavum removed. The same facet "
            "resection and removal of the ligamentum flavum was then performed at C7-T1. The head holder was "
            "brought into extension, closing both interspaces.\n")
    assert osteotomy_codes_in(ex, text) == {("22210", 1), ("22216", 1)}


def test_a_flattened_implant_table_keeps_each_level_in_its_row(ex):
    """An export that turned line breaks into spaces runs the table rows together: the next row's level
    ("L4  8.5 x 50 mm") is not a second PSO site of the "(PSO)" cells before it."""
    table = ("IMPLANTS\nLevel   Left            Right\nL2      7.5 x 45 mm     7.5 x 45 mm\nL3      -- (PSO)        -- (PSO)\n"
             "L4      8.5 x 50 mm     8.5 x 50 mm\nL5      8.5 x 50 mm     8.5 x 50 mm\n")
    text = ("OPERATIVE REPORT\nPROCEDURE:\n1. Pedicle subtraction osteotomy, L3.\n2. Posterior instrumentation L2-L5.\n"
            "DESCRIPTION OF PROCEDURE:\nPedicle screws were placed at L2, L4 and L5. The L3 pedicle subtraction "
            "osteotomy was performed, resecting both pedicles and a wedge of the L3 body, and closed.\n" + table)
    for form in (text, text.replace("\n", " ")):
        assert osteotomy_codes_in(ex, form) == {("22207", 1)}


SEED_UNNAMED = ("Long-standing ankylosing spondylitis with a fixed kyphosis. Pedicle screws were placed at L1, L2, L4 "
                "and L5. Attention was turned to the interval between the third and fourth lumbar vertebrae. The "
                "spinous processes, the interspinous ligament and the adjoining laminar margins were removed, and "
                "the facet joints on each side were taken away back to the pedicles, which were left untouched. The table "
                "was extended, the front of the spine gave way with a crack and the gap closed.")


def test_the_seed_procedure_told_without_any_osteotomy_word_is_a_posterior_wedge(ex):
    """Ankylosed spine, the posterior elements and facets of one interspace cut away, the pedicles left,
    then the gap closes: one posterior osteotomy at L3-4 (22214), though no word names it."""
    assert osteotomy_codes_of(ex, SEED_UNNAMED) == {("22214", 1)}


@pytest.mark.parametrize("change", [
    ("Long-standing ankylosing spondylitis", "Degenerative stenosis"),  # no ankylosis
    ("which were left untouched", "which were then resected with the back of the vertebral body"),  # three-column: never guessed
    ("the front of the spine gave way with a crack and the gap closed", "the wound was irrigated"),  # no closure
    ("between the third and fourth lumbar vertebrae", "at L2-3 and L3-4"),  # two interspaces
])
def test_the_unnamed_seed_wedge_needs_every_part_of_it(ex, change):
    assert osteotomy_codes_of(ex, SEED_UNNAMED.replace(*change)) == set()


@pytest.mark.parametrize("body", [
    # an en bloc laminotomy put back as a laminoplasty: the laminae are "osteotomized" for exposure
    "For the tumour a laminoplasty was done: the laminae of T6, T7 and T8 were osteotomized bilaterally with the "
    "bone scalpel and the laminar block lifted off, then replaced and tied down. No fusion was done.",
    # an osteotomy of an earlier operation told in a run-in history label
    "Hx: T4-L2 fusion 2018 (incl Ponte osteotomies T7-T10 at that op).\nPedicle screws were placed at L3 and L4 "
    "and new rods connected to the old ones.",
    # the second stage, booked, not done
    "Two PEEK cages were placed at L3/4 and L4/5 through the lateral approach.\n6. Stage two (posterior fusion "
    "T10 to pelvis with L3 pedicle subtraction osteotomy) booked for next week.",
])
def test_osteotomies_for_exposure_of_an_earlier_operation_or_booked_are_not_coded(ex, body):
    assert osteotomy_codes_of(ex, body) == set()


def test_a_wedge_of_the_body_that_was_removed_is_resected_bone_not_removed_hardware(ex):
    """"A posterior-based wedge of the T11 body was then removed": the removal cue of old hardware does
    not make the wedge something taken out of an earlier operation, so the osteotomy is the PSO it
    describes, not a posterior column osteotomy read from the laminae alone."""
    body = ("Attention was then turned to the T11 osteotomy. The T11 lamina was removed with the ligamentum flavum. "
            "Both T11 pedicles were then resected down to the back of the body. A posterior-based wedge of the T11 "
            "vertebral body was then removed through the pedicles. The T11 osteotomy was then closed.")
    assert osteotomy_codes_of(ex, body) == {("22206", 1)}


def test_osteotomy_levels_listed_below_a_colon_are_its_sites(ex):
    """"at the following interspaces:" then one level per numbered line: three chevron osteotomies at
    T7-8, T8-9 and T9-10, even when the next sentence starts right after the last item."""
    body = ("Three chevron osteotomies were performed at the apex, at the following interspaces:\n1. T7-8\n2. T8-9\n"
            "3. T9-10\nAt each interspace a V-shaped resection was made through the spinous process, ligaments "
            "and facets.\n")
    assert osteotomy_codes_of(ex, body) == {("22212", 1), ("22216", 2)}


CHECKBOX_OSTEOTOMY = ("OPERATIVE NOTE\nProcedure(s):\n1. Posterior spinal fusion L1-S1\n2. Posterior column osteotomies "
                      "(see Osteotomy fields)\n\nINSTRUMENTATION:\nScrew levels: {L1 to S1 bilateral}\n\n"
                      "OSTEOTOMY:\n[ ] None\n[ ] Partial facet resection (Grade 1)\n"
                      "[x] Ponte / Smith-Petersen (Grade 2)\n[ ] Pedicle subtraction osteotomy (Grade 3)\n"
                      "Osteotomy level(s): {L1-L2, L2-L3}\n\nProcedure details:\nPedicle screws L1 to S1. Ponte "
                      "osteotomies done at the levels above with full removal of the facets and ligamentum flavum.\n")


def test_a_ticked_osteotomy_type_takes_the_levels_field_and_unticked_ones_stay_negated(ex):
    """Each checkbox option is a sentence of its own: the "No" of the empty box above does not negate the
    ticked Ponte, the empty PSO box stays negated, and the levels field gives the Pontes their sites."""
    assert osteotomy_codes_in(ex, CHECKBOX_OSTEOTOMY) == {("22214", 1), ("22216", 1)}
    unticked = (CHECKBOX_OSTEOTOMY.replace("[x] Ponte", "[ ] Ponte").replace("{L1-L2, L2-L3}", "{N/A}")
                .replace("Ponte osteotomies done at the levels above", "The facets were trimmed for the fusion bed"))
    assert osteotomy_codes_in(ex, unticked) == set()


def test_a_levels_field_written_as_a_range_gives_the_ticked_posterior_type_its_interspaces(ex):
    """"Osteotomy level(s): T10-L1" under a ticked Ponte box, the count field left blank, and a narrative
    that only says "at each interspace of the levels above": three interspaces, T10-11, T11-12 and T12-L1.
    The same range under a ticked PSO box is no three-column count: nothing is suggested from it."""
    template = ("OPERATIVE NOTE\nProcedure: {{Posterior fusion with posterior column osteotomies}}\nFused levels: T8-L3\n\n"
                "Osteotomy:\n  [ ] None\n  [{ponte}] Ponte / Smith-Petersen\n  [{pso}] Pedicle subtraction\n"
                "Osteotomy level(s): T10-L1\nNumber of osteotomies: ***\n\nProcedure Details:\nScrews placed T8 to L3 "
                "under fluoroscopy. {narrative} Rods seated and compressed. Local bone and allograft chips laid.\n")
    ponte = template.format(ponte="x", pso=" ", narrative="Ponte osteotomies were done at each interspace of the "
                            "levels listed above, removing the facets and the ligamentum flavum.")
    assert osteotomy_codes_in(ex, ponte) == {("22212", 1), ("22216", 2)}
    pso = template.format(ponte=" ", pso="x", narrative="The pedicle subtraction osteotomy was done as planned.")
    assert not {c for c, _ in osteotomy_codes_in(ex, pso)} & {"22207", "22208", "22206"}


def test_osteotomy_paragraphs_opened_by_a_level_label_are_its_sites(ex):
    """Sites told as paragraph labels after an unlevelled osteotomy ("T12-L1: The spinous process bases were
    removed ..." / "T11-T12: The same resection ..."): each label is a site, as "At T12-L1 the ..." would be."""
    body = ("Pedicle screws were placed from T8 to L4. Posterior column osteotomies were then done at two levels, working "
            "from caudal to cranial.\nT12-L1: The spinous process bases were removed with a rongeur and both facet joints "
            "were resected back to the pedicles.\nT11-T12: The same resection was performed, taking the ligamentum flavum "
            "and both facets.\nRods were seated and compressed.")
    assert osteotomy_codes_of(ex, body) == {("22212", 1), ("22216", 1)}


def test_the_same_done_again_at_the_next_level_is_another_site(ex):
    """A congenital unsegmented bar cut through a thoracotomy, "the same was then done at T10-11": two
    anterior osteotomy sites; without the sentence only the first."""
    body = ("Congenital kyphosis from an anterior unsegmented bar. Through a left thoracotomy the bar was "
            "osteotomized at the T9-10 level first, back to the posterior longitudinal ligament. The same was then "
            "done at T10-11. The openings were packed with rib graft.")
    assert osteotomy_codes_of(ex, body) == {("22222", 1), ("22226", 1)}
    assert osteotomy_codes_of(ex, body.replace(" The same was then done at T10-11.", "")) == {("22222", 1)}


def test_a_structure_left_intact_beside_the_osteotomy_does_not_negate_it(ex):
    """"Left intact" is said of the ligament or the old hardware, never of an osteotomy told beside it."""
    body = ("Through a right anterior approach to the ankylosed segment, the C5-6 anterior osteotomy was completed "
            "and the ligament left intact.")
    assert osteotomy_codes_of(ex, body) == {("22220", 1)}


PONTE_TABLE = ("The apical Ponte osteotomies were done as marked in the table, each closed with compression.\n\n"
               "Level  L screw (mm)  R screw (mm)  Ponte\n-----  ------------  ------------  -----\n"
               "T5     4.0 x 30      5.0 x 35      [ ]\nT6     4.0 x 35      5.5 x 40      [x]\n"
               "T7     4.0 x 35      5.5 x 40      [x]\nT8     4.5 x 35      5.5 x 40      [x]\n"
               "T9     4.5 x 35      5.5 x 40      [ ]\n\nRods: two, T5 to T9.\n")


def test_a_per_level_table_ticks_its_osteotomy_column(ex):
    """A table whose header names the osteotomy as a column: the ticked rows are its sites, one per
    vertebra listed (T6, T7, T8: 22212 + 22216 x2); no ticked row, no site."""
    assert osteotomy_codes_of(ex, PONTE_TABLE) == {("22212", 1), ("22216", 2)}
    assert osteotomy_codes_of(ex, PONTE_TABLE.replace("[x]", "[ ]")) == set()


def test_thoracic_levels_written_th_as_in_german_notes(ex):
    """"Transpedicular screws Th10 to L2", "Smith-Petersen osteotomy Th12/L1": Th1-Th12 are thoracic."""
    body = ("Dorsal spondylodesis. Transpedicular screws were placed Th10, Th11, L1 and L2 on both sides. A "
            "Smith-Petersen osteotomy was performed at Th12/L1 with resection of the facets and the ligamentum "
            "flavum, and closed with compression.")
    codes = all_codes_of(ex, body)
    assert ("22212", 1) in codes and ("22842", 1) in codes


def test_the_osteotomy_of_an_earlier_operation_named_at_its_level_is_history(ex):
    """A revision for a nonunion at an old PSO: "At the L3 osteotomy there was a cleft" describes the 2021
    osteotomy, not a new one."""
    body = ("He had a T10 to pelvis fusion in 2021 including an L3 pedicle subtraction osteotomy. The rods were "
            "removed. At the L3 osteotomy there was a transverse cleft of fibrous tissue, which was debrided. New "
            "rods were placed from T10 to the pelvis with iliac screws.")
    assert osteotomy_codes_of(ex, body) == set()


BRIEF_NOTE = ("BRIEF OPERATIVE NOTE\nPre-op diagnosis: Scheuermann kyphosis\nProcedure(s):\n  1. Posterior spinal fusion "
              "T3-L1\n  2. Segmental pedicle screw instrumentation T3-L1\n  3. Ponte osteotomies T7-8, T8-9, T9-10\n"
              "  4. Arthrodesis - local autograft\nEBL: 900 mL\nImplants: Pedicle screws bilat T3-L1, rods x2\n"
              "Complications: None\n")


def test_a_brief_note_without_narrative_is_coded_from_its_procedure_list(ex):
    """A brief op note is all the surgeon wrote: the Pontes and the graft it lists are coded, flagged."""
    record = ex.extract(BRIEF_NOTE, "brief")
    codes = {(s["code"], s["units"]) for s in record["suggestions"]}
    assert {("22212", 1), ("22216", 2), ("20936", 1)} <= codes
    assert "osteotomy_from_brief_note" in {f["id"] for f in record["flags"]}


def test_a_brief_note_that_says_the_osteotomy_was_not_done_codes_none(ex):
    text = BRIEF_NOTE.replace("Complications: None", "Complications: Ponte osteotomies not done - MEPs lost.")
    assert osteotomy_codes_in(ex, text) == set()


def test_an_exposure_range_before_a_semicolon_is_not_the_screw_span(ex):
    """One dense paragraph: "midline incision from L3 to S1 ...; pedicle screws were put in L4 and L5": the
    screws span L4-L5 (22840), not the exposure."""
    body = ("Operative notes: patient prone, midline incision from L3 to S1 and muscles elevated exposing L4 and L5 "
            "laminae; pedicle screws were put in L4 and L5 bilaterally and rods fixed.")
    codes = all_codes_of(ex, body)
    assert ("22840", 1) in codes and ("22842", 1) not in codes


def test_th_levels_in_an_all_caps_note(ex):
    body = ("DORSAL SPONDYLODESIS. TRANSPEDICULAR SCREWS TH10, TH11, L1 AND L2. SMITH-PETERSEN OSTEOTOMY AT TH12/L1 "
            "WITH RESECTION OF THE FACETS AND THE LIGAMENTUM FLAVUM.")
    assert ("22212", 1) in all_codes_of(ex, body)


def test_a_note_titled_brief_is_coded_from_its_list_even_with_a_short_description(ex):
    """"Brief description: MEPs dropped during the body resection and recovered": a brief op note whose
    only narrative does not name the osteotomy is still coded from its list, in any case."""
    text = BRIEF_NOTE.replace("Complications: None", "Brief description: MEPs dipped and recovered; closure routine.")
    for form in (text, text.upper()):
        assert ("22212", 1) in codes_of(ex, form)


# Cases a cold review of the day's rules verified as wrong before they were fixed (2026-12-06).
OP = ("OPERATIVE REPORT\nPREOPERATIVE DIAGNOSIS: Kyphosis.\nDESCRIPTION OF PROCEDURE:\nThe patient was brought to "
      "the operating room and placed prone on a Jackson table. A midline incision was made and subperiosteal "
      "exposure carried out. ")


@pytest.mark.parametrize("text,codes", [
    (OP + ("Pedicle screws were placed bilaterally at T9, T10, T11, T12, L1 and L2. A Ponte osteotomy was "
           "performed at T10-11 with resection of the inferior and superior facets and the ligamentum flavum. "
           "Next, a laminotomy was performed at L4-5 for decompression of the L5 root. The same was then done "
           "at L5-S1. Rods were placed and compression applied."),
     {("22212", 1)}),  # 1a
    (OP + ("After completion of the Ponte osteotomies, pedicle screws were inserted bilaterally at the "
           "following levels:\n1. T8\n2. T9\n3. T10\n4. T11\nRods were then placed and the osteotomies closed "
           "with compression."),
     set()),  # 2
    (OP + ("Pedicle screws and osteotomies were performed as marked in the table.\n\nLevel  Pedicle screw  "
           "Hook  Ponte\n-----  -------------  ----  -----\nT5     [x]            [ ]   [ ]\nT6     [x]       "
           "     [ ]   [ ]\nT7     [x]            [ ]   [x]\nT8     [x]            [ ]   [ ]\nT9     [x]      "
           "      [ ]   [ ]\n\nRods were placed and compression applied."),
     {("22212", 1)}),  # 3
    ("OPERATIVE NOTE\nFusion levels: T8-L3     Ponte osteotomy: T12-L1\nProcedure details:\nPedicle "
     "screws were placed T8 to L3. A Ponte osteotomy was done with full removal of the facets and "
     "ligamentum flavum at the level listed, and closed with compression. Local bone was used for the "
     "fusion.",
     {("22212", 1)}),  # 4
    (OP + ("The patient has ankylosing spondylitis with an extension fracture through the T11-12 disc. "
           "Pedicle screws were placed at T9, T10, L1 and L2. At T11-12 the lamina and ligamentum flavum were "
           "removed and the medial facets resected to decompress the cord. With the rods contoured and the "
           "patient positioned, the fracture gap closed. Rods were locked."),
     set()),  # 5
    ("BRIEF OPERATIVE NOTE\nPre-op diagnosis: Scheuermann kyphosis\nProcedure(s):\n  1. Posterior "
     "spinal fusion T3-L1\n  2. Segmental pedicle screw instrumentation T3-L1\n  3. Ponte osteotomies "
     "T7-8, T8-9, T9-10\n  4. Arthrodesis - local autograft\nEBL: 200 mL\nImplants: Pedicle screws "
     "bilat T3-T8\nComplications: Case aborted after screw placement because of loss of MEP signals; "
     "wound closed, will return for completion.",
     set()),  # 6a
    (OP + ("For this second-stage procedure, an L3 pedicle subtraction osteotomy was performed with resection "
           "of both pedicles and a wedge of the vertebral body, and closed. Pedicle screws were placed T10 to "
           "S1 bilaterally."),
     {("22207", 1)}),  # 11a
    (OP + ("Pedicle screws were placed at L1 to L5. Smith-Petersen osteotomies at L2-3 and L3-4 with removal "
           "of the facets and ligamentum flavum were performed, as the patient is booked for an anterior "
           "lumbar interbody fusion next week."),
     {("22214", 1), ("22216", 1)}),  # 11d
    (OP + ("The L3 level was confirmed with fluoroscopy; a pedicle subtraction osteotomy was then performed "
           "with resection of both pedicles and a posterior wedge of the vertebral body, and closed."),
     {("22207", 1)}),  # 14
    ("OPERATIVE REPORT\nPROCEDURES PERFORMED:\n1. Anterior cervical discectomy and fusion C4-5, "
     "C5-6\n2. Anterior osteotomy C5-6\nDESCRIPTION OF PROCEDURE:\nThe patient was placed supine. "
     "Through a right anterior approach the spine was exposed. At C5-6 the bridging bone from the large "
     "anterior osteophytes was removed with a burr and the disc excised back to the PLL. At C4-5 a "
     "discectomy was performed. Cages packed with allograft were placed at C4-5 and C5-6 and a plate "
     "fixed C4 to C6.",
     set()),  # 10
])
def test_reviewed_osteotomy_cases(ex, text, codes):
    """The same-done-again step, levels below a colon, a table column, a field beside a field, a fracture
    decompression, an aborted brief note, hypothetical cues' scope, a level before a semicolon."""
    assert osteotomy_codes_in(ex, text) == codes


def test_reviewed_graft_and_device_cases(ex):
    """"The crest of the sacral ala" is no crest harvest; a removed allograft spacer is not placed; a listed
    anterior osteotomy the narrative says was not needed sets no cage level."""
    sacral_ala = OP + ("Pedicle screws were placed at L3, L4, L5. Autograft was harvested from the spinous "
                       "processes and laminae, morselized, and packed lateral to the facets down to the crest of "
                       "the sacral ala.")
    removed_spacer = OP + ("Revision L4-5 fusion. The old pedicle screws at L4 and L5 were removed. The collapsed "
                           "structural allograft spacer at L4-5 was then removed. A PEEK cage packed with local "
                           "autograft was placed at L4-5. New pedicle screws were placed at L4 and L5.")
    not_needed = ("OPERATIVE REPORT\nPROCEDURES PERFORMED:\n1. Anterior cervical discectomy and fusion C6-7\n"
                  "2. Anterior osteotomy C5-6\nDESCRIPTION OF PROCEDURE:\nThe patient was placed supine. Through a "
                  "left anterior approach the spine was exposed. A discectomy was performed at C6-7 back to the "
                  "PLL. A PEEK cage packed with allograft chips was then inserted. On inspection the C5-6 segment "
                  "was mobile and the osteotomy was not needed. A plate was fixed with screws into C6 and C7.")
    assert ("20937", 1) not in codes_of(ex, sacral_ala)
    assert ("20931", 1) not in codes_of(ex, removed_spacer)
    assert ("22853", 1) in codes_of(ex, not_needed)


def test_a_vertebral_column_resection_written_as_a_pair_resects_both_vertebrae(ex):
    """"Posterior VCR T11-T12": two vertebrae resected (22206 + 22208); a PSO written so stays one."""
    body = ("Pedicle screws T8 to L3. Posterior vertebral column resection, VCR T11-T12: the posterior elements, "
            "pedicles, rib heads and both vertebral bodies with the discs were removed and a mesh cage placed.")
    assert osteotomy_codes_of(ex, body) == {("22206", 1), ("22208", 1)}
    pso = ("Pedicle screws L1 to S1. An extended pedicle subtraction osteotomy at L3-4 was performed, resecting both "
           "L3 pedicles, a wedge of the L3 body and the L3-4 disc, and closed.")
    assert osteotomy_codes_of(ex, pso) == {("22207", 1)}


@pytest.mark.parametrize("body,codes", [
    ("Three posterior column osteotomies were performed. These were at T7-8, T8-9 and T9-10, each taking the "
     "spinous process, facets and ligamentum flavum with an osteotome.", {("22212", 1), ("22216", 2)}),
    ("Osteotomies of Ponte type were performed at two levels. At L1-2 and L2-3 the inferior facets and "
     "ligamentum flavum were resected.", {("22214", 1), ("22216", 1)}),
    # the next sentence's levels belong to the screws it places, not to the osteotomy
    ("Three posterior column osteotomies were performed. These were followed by pedicle screws at T7, T8 and T9.",
     set()),
    # a place where something was found, not cut: "no further osteotomy" is not given that level
    ("The old Ponte osteotomy sites were solid; no further osteotomy was needed or performed. At L2-3 there was "
     "marked ligamentum flavum and facet hypertrophy.", set()),
])
def test_osteotomy_levels_in_the_next_sentence_that_refers_back(ex, body, codes):
    assert osteotomy_codes_of(ex, body) == codes


def test_levels_written_as_speech_recognition_spells_them(ex):
    body = ("Ponte osteotomies were then carried out. These were done at T9-10 and T. 10-11, removing the spinous "
            "process, ligamentum flavum and facets. Pedicle screws were placed at tee eleven, T. twelve, L won, "
            "L. to and el three on both sides and rods were locked.")
    assert all_codes_of(ex, body) >= {("22212", 1), ("22216", 1), ("22842", 1)}


def test_a_thoracic_level_recognised_as_tea_and_a_digit_sets_the_region(ex):
    """X964's class: "tea 12 L1" is the junction site T12-L1, so the primary is thoracic."""
    body = ("Pedicle screws were placed at T10, tea 11, T12, L1 and L2. A Ponte osteotomy was performed at tea 12 L1 "
            "removing the base of the spinous process, the ligamentum flavum and both facets. A Ponte osteotomy was "
            "then performed at L1-2 in the same fashion.")
    assert osteotomy_codes_of(ex, body) == {("22212", 1), ("22216", 1)}


def test_a_narrative_naming_another_type_of_the_same_family_codes_the_listed_sites(ex):
    procedures = "1. Smith-Petersen osteotomy L1.\n2. Smith-Petersen osteotomy L2.\n3. Smith-Petersen osteotomy L3."
    body = ("Osteotomies were then done one at a time. The inferior facets and adjoining lamina edges were removed "
            "with the ligamentum flavum below. Each osteotomy was made chevron shaped and closed by extension.")
    assert osteotomy_codes_of(ex, body, procedures) == {("22214", 1), ("22216", 2)}


def test_a_bare_v_shape_in_the_resection_sentence_still_types_the_osteotomy_before_it(ex):
    body = ("The spine is ankylosed. Now follow the osteotomies at L1/L2, L2/L3 and L3/L4. At each level the facet "
            "joints are resected on both sides with the adjoining edges of the laminae and the ligamentum flavum, as "
            "a V-shaped resection. The vertebral bodies are not entered. Closure by extension of the table.")
    assert osteotomy_codes_of(ex, body) == {("22214", 1), ("22216", 2)}


@pytest.mark.parametrize("purpose,codes", [
    ("Their purpose was not decompression of the roots but to mobilize the rigid kyphosis so that it could be "
     "corrected.", {("22210", 1), ("22216", 1)}),
    ("Their purpose was to decompress the exiting roots.", set()),
])
def test_a_release_told_over_the_next_sentences_is_a_posterior_osteotomy_only_for_correction(ex, purpose, codes):
    body = ("Attention was then turned to the posterior releases. " + purpose + " At C4-5 and C5-6, on both sides, "
            "the facet joints were resected completely and the remaining ligamentum flavum was taken out.")
    assert osteotomy_codes_of(ex, body) == codes


@pytest.mark.parametrize("harvest", [
    "Through a separate incision over the left iliac crest we cut two tricortical blocks with a saw and osteotome "
    "and tapped one into each disc space.",
    "Through a separate incision over the left iliac crest a tricortical block of bone taken from the crest was "
    "shaped and tapped into each disc space as tricortical grafts.",
])
def test_tricortical_blocks_from_the_crest_are_one_structural_harvest(ex, harvest):
    body = "Anterior discectomy was performed at L4-5 and L5-S1 back to the posterior annulus. " + harvest
    grafts = {c for c in all_codes_of(ex, body) if c[0].startswith("209")}
    assert grafts == {("20938", 1)}


@pytest.mark.parametrize("sentence", [
    "The bone removed during the correction was cut into small pieces and laid over the decorticated laminae.",
    "The rib heads and resected vertebral bone were morselized and laid over the fusion bed.",
    "Each cage was packed with the morselized ossification bone and tapped into place.",
])
def test_local_bone_in_the_words_of_real_notes(ex, sentence):
    body = "Pedicle screws were placed at L1, L2, L4 and L5 and rods were locked. " + sentence
    assert ("20936", 1) in all_codes_of(ex, body)


def test_a_brief_note_whose_implant_line_names_the_osteotomy_still_reads_its_procedure_list(ex):
    note = ("BRIEF OPERATIVE NOTE\nProcedure(s):\n 1. L3 pedicle subtraction osteotomy\n 2. Posterior spinal fusion "
            "T10-pelvis; local autograft, allograft chips\nFindings: lordosis restored.\nImplants:\n - Pedicle screws "
            "T10, T11, T12, L1, L2, L4, L5, S1\n - Satellite rod across L3 osteotomy\n - Allograft chips 60 cc\n")
    assert {("22207", 1), ("20936", 1), ("20930", 1)} <= codes_of(ex, note)


def test_a_crest_harvest_told_as_steps_is_the_harvest_of_the_tricortical_block(ex):
    body = ("Anterior discectomy was performed at L5-S1. Graft harvest: a separate oblique incision was made over the "
            "left anterior iliac crest and the muscles stripped. A tricortical block was cut with the saw and tapped "
            "into the L5-S1 disc space.")
    assert {c for c in all_codes_of(ex, body) if c[0].startswith("209")} == {("20938", 1)}


def test_demineralised_bone_fibres_in_british_spelling(ex):
    body = "A PEEK lateral cage filled with demineralised bone fibres was inserted at L3-4."
    assert ("20930", 1) in all_codes_of(ex, body)


@pytest.mark.parametrize("answer,codes", [
    ("[ ] Yes   [x] No", set()),
    ("[x] Yes   [ ] No", {("22853", 1)}),
])
def test_a_yes_no_question_answered_by_a_ticked_box_in_an_aligned_template(ex, answer, codes):
    text = ("OPERATIVE NOTE\nProcedure: L4-5 decompression and interbody fusion.\nDescription: The patient was placed "
            "prone. Discectomy at L4-5 was performed.\nInterbody device:                " + answer + "\n"
            "Dural tear:                      [ ] Yes   [x] No\n")
    assert {c for c in codes_of(ex, text) if c[0] == "22853"} == codes


@pytest.mark.parametrize("sentence", [
    "At this point I judged that a T9 pedicle subtraction osteotomy would add nothing, and it was not performed.",
    "A T9 pedicle subtraction osteotomy was unnecessary.",
])
def test_an_osteotomy_judged_unnecessary_is_not_coded(ex, sentence):
    assert osteotomy_codes_of(ex, "Pedicle screws were placed at T3 through T9. " + sentence) == set()


@pytest.mark.parametrize("text", [
    "A PONTE OSTEOTOMY AT L3-4 HAD BEEN CONSIDERED BEFORE SURGERY TO ADD LORDOSIS. WITH THE DURAL REPAIR BENEATH "
    "THE L3-4 INTERSPACE, THAT OSTEOTOMY WOULD HAVE REQUIRED WORKING OVER THE REPAIR.",
    "- Ponte #1 T7-8: LF out, facets resected.\n- Ponte #2 T8-9: same.\n- Ponte #3 T9-10 (booked) NOT done: correction "
    "already at goal.",
])
def test_an_osteotomy_considered_or_booked_and_not_done_is_not_counted(ex, text):
    codes = osteotomy_codes_of(ex, "Pedicle screws were placed at T3 through L4. " + text)
    assert not any(code == "22214" or (code == "22216" and units > 1) for code, units in codes)


@pytest.mark.parametrize("t10,codes", [
    ("- T10-11 (grade 1): inferior facet and capsule only; ligamentum flavum and lamina left intact.",
     {("22212", 1), ("22216", 2)}),
    ("- T10-11 (grade 2): both facets and the ligamentum flavum resected.", {("22212", 1), ("22216", 3)}),
])
def test_a_schwab_grade_1_site_is_not_counted(ex, t10, codes):
    procedures = "1. Posterior column osteotomies x4 T7-T11"
    body = ("Four posterior column osteotomies across the apex.\n- T7-8, T8-9, T9-10 (grade 2): spinous process, "
            "ligamentum flavum and both facets resected bilaterally.\n" + t10 + "\nGrade 1 spondylolisthesis at L4-5 "
            "was noted.")
    assert osteotomy_codes_of(ex, body, procedures) == codes


def test_a_level_joined_after_osteotomies_named_as_a_landmark_is_another_procedures(ex):
    body = ("Ponte osteotomies were performed at T11-12, T12-L1 and L1-2. A TLIF was performed at L4-5 with a cage. "
            "Compression was applied across each of the Ponte osteotomies and the L4-5 interbody level.")
    assert osteotomy_codes_of(ex, body) == {("22212", 1), ("22216", 2)}


def test_a_list_of_levels_right_before_the_screws_is_theirs_not_the_osteotomys(ex):
    procedures = "1. T12 pedicle subtraction osteotomy."
    body = ("The apex was clearly at L1 and not at T12 as it had been booked, so I elected to do the pedicle "
            "subtraction osteotomy at L1 instead of T12, and nothing was resected at T12. The L1 lamina, both L1 pedicles and a posterior wedge of the L1 body were removed. The osteotomy was "
            "closed with gentle compression between the T12 and L2 screws.")
    assert osteotomy_codes_of(ex, body, procedures) == {("22207", 1)}


def test_laminoplasty_spacers_are_neither_cages_nor_graft(ex):
    body = ("The C3 to C6 spinous processes were split in the midline and the halves opened on bilateral hinges. "
            "Four hydroxyapatite laminar spacers were placed between the split halves and tied with sutures; each "
            "spacer sat well. No fusion was performed.")
    assert all_codes_of(ex, body) == set()


def test_a_level_after_a_semicolon_is_not_the_cages(ex):
    body = ("Pedicle screws were placed at L2, L3, L4, L5 and S1. An L5-S1 TLIF was performed and a PEEK cage "
            "impacted. Compression across L5-S1 to load the cage; gentle in situ bending L2-L4.")
    assert ("22853", 1) in all_codes_of(ex, body)


def test_a_cage_in_the_defect_of_an_en_bloc_spondylectomy_is_a_corpectomy_device(ex):
    body = ("Total en bloc spondylectomy of L2 was performed for tumour. The end plates of L1 and L3 were prepared for "
            "the cage. An expandable titanium cage packed with allograft chips was placed between L1 and L3.")
    codes = all_codes_of(ex, body)
    assert ("22854", 1) in codes and not any(code == "22853" for code, _ in codes)


@pytest.mark.parametrize("opening,code", [
    ("preserving the T2-3 and L2-3 facet capsules, and levels were confirmed on fluoroscopy, pedicle screws were "
     "then placed free hand at every level from T3 to L2 on both sides.", "22843"),
    ("Needles were passed into the T11, T12, L2 and L3 pedicles bilaterally and pedicle screws placed over "
     "guidewires; rods were seated.", "22842"),
])
def test_a_level_before_anatomy_is_the_anatomys_not_the_screws_after_it(ex, opening, code):
    assert code in {c for c, _ in all_codes_of(ex, opening)}


def test_lms_is_lateral_mass_screws_in_a_terse_implant_line(ex):
    body = "Implants: LMS b/l C3, C4, C5, C6 (3.5 x 14); PS b/l T1, T2; 2 rods. Screws placed per above, fluoro ok."
    assert ("22843", 1) in all_codes_of(ex, body)


def test_osteotomies_told_one_at_each_vertebra(ex):
    body = ("Four Smith-Petersen osteotomies were done at the apex. One osteotomy was done at T7, one at T8, one at T9 "
            "and one at T10, each removing the facets and ligamentum flavum.")
    assert osteotomy_codes_of(ex, body) == {("22212", 1), ("22216", 3)}


def test_the_identical_resection_carried_out_at_the_next_level_in_a_run_on_dictation(ex):
    body = ("The spine was ankylosed, pedicle screws were placed at T11 T12 L1 L2 L3 L4 and L5 bilaterally, then at "
            "L2-3 a V shaped wedge was taken from the back of the spine consisting of the adjoining edges of the L2 "
            "and L3 laminae, the ossified ligamentum flavum and the fused facet joints on both sides, taking bone out "
            "to the medial wall of the L2 and L3 pedicles which served as the lateral border on each side, the dura "
            "was exposed and the L2 nerve roots seen in the foramina and free, then the identical resection was "
            "carried out at L3-4, again with the L3 and L4 pedicles as the lateral boundaries and the L3 roots "
            "identified and free, the rods were then contoured into lordosis and seated into the screws, and "
            "compression closed the gaps.")
    assert osteotomy_codes_of(ex, body) == {("22214", 1), ("22216", 1)}


@pytest.mark.parametrize("field,codes", [
    ("Level(s) - osteotomy: [Ponte: T11-12, T12-L1, L1-2]", {("22212", 1), ("22216", 2)}),
    ("Level(s) - decompression: [L4-5]", set()),
])
def test_osteotomies_done_at_the_levels_listed_above(ex, field, codes):
    text = ("OPERATIVE NOTE\n" + field + "\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone. Ponte osteotomies "
            "were done at the levels listed above with full removal of the facets and ligamentum flavum.\n")
    assert osteotomy_codes_in(ex, text) == codes


@pytest.mark.parametrize("purpose,codes", [
    ("To mobilize the kyphosis", {("22210", 1), ("22216", 1)}),
    ("To decompress the roots", set()),
])
def test_a_release_told_by_what_was_cut_and_why(ex, purpose, codes):
    body = (purpose + ", the C5-6 and C6-7 facet joints were resected completely on both sides together with the "
            "ligamentum flavum at each interspace, leaving the exiting roots visible and untouched.")
    assert osteotomy_codes_of(ex, body) == codes


def test_a_smith_petersen_extension_osteotomy_between_two_vertebrae_is_one_site(ex):
    body = ("Smith-Petersen extension osteotomy of the lumbar spine between the second and third lumbar vertebrae for "
            "ankylosing spondylitis. The fused facet joints and the laminar bone joining them were resected in the "
            "shape of a V out to the pedicles, and the osteotomy closed as the anterior column opened.")
    assert osteotomy_codes_of(ex, body) == {("22214", 1)}


def test_the_same_steps_at_the_second_listed_pso_level_count_it(ex):
    procedures = "1. Pedicle subtraction osteotomies, two levels, L1 and L3."
    body = ("The L3 osteotomy was done first. The L3 lamina was removed, the L3 pedicles were removed down to the body "
            "and a posterior-based wedge of the L3 body was resected. The osteotomy was closed. The same steps were "
            "then carried out at L1, with the L1 lamina removed and the T12 and L1 roots identified, and the wedge "
            "taken from the L1 body.")
    assert osteotomy_codes_of(ex, body, procedures) == {("22207", 1), ("22208", 1)}


@pytest.mark.parametrize("body,codes", [
    ("Osteotomies were then done one at a time from the top. At L1-2 the inferior facets of L1 were removed on both "
     "sides with the ligamentum flavum. At L2-3 the inferior facets of L2 were removed bilaterally with the flavum. "
     "At L3-4 the L3 inferior facets were removed bilaterally with the flavum.", {("22214", 1), ("22216", 2)}),
    ("I next turned to the osteotomies. At T8-9, the adjoining margins of the T8 and T9 laminae were removed, along "
     "with the facets and the ligamentum flavum. The same posterior column osteotomy was carried out at T9-10.",
     {("22212", 1), ("22216", 1)}),
])
def test_sites_told_in_the_sentences_after_the_osteotomy(ex, body, codes):
    procedures = "1. Posterior column osteotomies at T8-9 and T9-10." if "T8-9" in body else ""
    assert osteotomy_codes_of(ex, body, procedures) == codes


@pytest.mark.parametrize("harvest,codes", [
    ("Cancellous bone was harvested from the right posterior iliac crest through a separate incision.", {("20937", 1)}),
    ("The laminae were decorticated.", {("20936", 1)}),
])
def test_own_bone_is_the_separate_harvest_when_there_is_one(ex, harvest, codes):
    body = ("We had agreed on a short fusion with his own bone. Pedicle screws were placed at L5 and S1. " + harvest +
            " The bone was laid over the decorticated transverse processes.")
    assert {c for c in all_codes_of(ex, body) if c[0].startswith("209")} == codes


# A cold review of the day's rules (second review, later session) verified these wrong cases; each is fixed.
REVIEWED_OSTEOTOMY = [
    ('OPERATIVE REPORT\nPROCEDURE PERFORMED: Posterior spinal fusion T10-L4 with instrumentation and Ponte osteotomies.\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone. Pedicle screws were placed bilaterally from T10 to L4. Ponte osteotomies were performed. The levels T10 through L4 were then decorticated with a burr. Local bone was used as graft.',
     set()),
    ('OPERATIVE REPORT\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone. A midline incision was made and subperiosteal exposure carried out. Pedicle screws were placed at T10, T11, T12, L1, L2, L4 and L5. A pedicle subtraction osteotomy was then performed. This was done at L3, with the L2 and L3 nerve roots protected throughout. Local bone was used as graft.',
     {("22207", 1)}),
    ('OPERATIVE REPORT\nPROCEDURE PERFORMED: L3 pedicle subtraction osteotomy, T10-L5 fusion.\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone. Pedicle screws were placed from T10 to L5, skipping L3. The pedicle subtraction osteotomy was then performed. This was closed with in situ compression between L2 and L4. Local bone was used as graft.',
     {("22207", 1)}),
    ('OPERATIVE REPORT\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone. A midline incision was made and subperiosteal exposure carried out. Pedicle screws were placed bilaterally from T10 to L5. Ponte osteotomies were performed. At T12-L1 and L1-2 the facets and ligamentum flavum were resected. At L4-5, the hypertrophic facets were undercut and the ligamentum flavum removed for stenosis. Local bone was used as graft.',
     {("22212", 1), ("22216", 1)}),
    ('OPERATIVE REPORT\nPROCEDURES PERFORMED:\n1. Posterior spinal fusion T8-L2 with instrumentation.\n2. Smith-Petersen osteotomies T10-11, T11-12, T12-L1.\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone. Pedicle screws were placed bilaterally from T8 to L2. Because the curve was more flexible than expected, only a single Ponte osteotomy was made, at the apex. Local bone was used as graft.',
     set()),
    ('OPERATIVE REPORT\nPROCEDURE PERFORMED: L4-5 transforaminal lumbar interbody fusion, L4-L5 pedicle screws.\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone. Pedicle screws were placed at L4 and L5 bilaterally. Attention was turned to the TLIF. To mobilize the segment, the L4-5 facet joints were resected bilaterally together with the ligamentum flavum. The disc was removed and a 12 mm lordotic PEEK cage was inserted. Local bone was used as graft.',
     set()),
    ('OPERATIVE REPORT\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone. A midline incision was made and subperiosteal exposure carried out. Pedicle screws were placed bilaterally from T10 to L4. T12-L1 and L1-2 facets and ligamentum flavum were resected as Ponte osteotomies. Local bone was used as graft.',
     {("22212", 1), ("22216", 1)}),
    ('OPERATIVE REPORT\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone. A midline incision was made and subperiosteal exposure carried out. Pedicle screws were placed bilaterally at T10-L2 and L4. L3 lamina, facets and pedicles were removed and a pedicle subtraction osteotomy completed. Local bone was used as graft.',
     {("22207", 1)}),
    ('OPERATIVE REPORT\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone. A midline incision was made and subperiosteal exposure carried out. Pedicle screws were placed bilaterally from T10 to L4. At T12-L1 and L1-2, once the spinous processes had been removed with a large rongeur and the interlaminar spaces had been opened with a curette so that the epidural fat could be identified and protected throughout, Ponte osteotomies were completed with Kerrison punches. Local bone was used as graft.',
     {("22212", 1), ("22216", 1)}),
    ('OPERATIVE REPORT\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone. A midline incision was made and subperiosteal exposure carried out. Pedicle screws were placed bilaterally from T10 to L5. Ponte osteotomies were performed at T12-L1, L1-2 and L4-5. At L4-5, given the grade I listhesis, both facets were resected completely and the flavum removed. Local bone was used as graft.',
     {("22212", 1), ("22216", 2)}),
    ('OPERATIVE REPORT\nPREOPERATIVE DIAGNOSIS: Kyphosis.\nTIME OUT: Completed with all team members.\nThe patient was placed prone. A midline incision was made and subperiosteal exposure carried out. Pedicle screws were placed bilaterally from T10 to L4. Ponte osteotomies were performed at T12-L1 and L1-2. Local bone was used as graft.',
     {("22212", 1), ("22216", 1)}),
]


@pytest.mark.parametrize("text,codes", REVIEWED_OSTEOTOMY)
def test_reviewed_osteotomy_cases_of_the_later_session(ex, text, codes):
    assert osteotomy_codes_in(ex, text) == codes


REVIEWED_CODES = [
    ('OPERATIVE REPORT\nDESCRIPTION OF PROCEDURE:\nThe patient was placed supine and the anterior cervical spine exposed. A C5 corpectomy was performed. A bicortical block of fibular allograft from the bone bank was placed in the corpectomy defect and a plate applied from C4 to C6.',
     "20938", False),
    ('OPERATIVE REPORT\nPROCEDURE PERFORMED: Posterior lumbar fusion with instrumentation.\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone. A midline incision was made. L3-S1 laminae and transverse processes were exposed, and pedicle screws were inserted at each level. Rods were seated. Local bone was used as graft.',
     "22842", True),
    ('OPERATIVE REPORT\nDESCRIPTION OF PROCEDURE:\nThe patient was placed supine and the anterior cervical spine exposed. The C5-6 discectomy was performed. Posterior spur bone was taken down with a high-speed burr. A 7 mm PEEK cage filled with DBM was placed and a plate applied from C5 to C6.',
     "20936", False),
    ('OPERATIVE REPORT\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone. Pedicle screws were placed at T8, T9, T11 and T12 bilaterally. A T10 corpectomy was performed for metastatic tumor. The resected vertebral bone was sent to pathology. An expandable cage was placed in the corpectomy defect. Allograft chips were placed posterolaterally.',
     "20936", False),
]


@pytest.mark.parametrize("text,code,present", REVIEWED_CODES)
def test_reviewed_graft_and_instrumentation_cases_of_the_later_session(ex, text, code, present):
    assert (code in {c for c, _ in codes_of(ex, text)}) == present


@pytest.mark.parametrize("body,codes", [
    ("Pedicle screws were placed at L3 through L5. A Ponte osteotomy was then performed at L4-5. Scratch that, wrong "
     "phrase, the L4-5 facets were only decorticated for the fusion.", set()),
    ("Eggshell bone throughout, very thin cortices. The transverse processes and facets from T11 to L3 were "
     "decorticated with a burr, which hardly needed the eggshell-thin cortex touched.", set()),
    ("Osteotomy (Schwab grade 1) - T12-L1, L1-2, L2-3: at each, the inferior articular process and capsule only.",
     set()),
])
def test_retracted_eggshell_bone_and_grade_1_osteotomies_are_not_coded(ex, body, codes):
    assert osteotomy_codes_of(ex, body) == codes


def test_compression_between_the_vertebrae_around_a_pso_is_not_two_more_sites(ex):
    procedures = "1. L3 pedicle subtraction osteotomy"
    body = ("The L3 lamina, both L3 pedicles and a posterior-based wedge of the L3 body were removed. The PSO was closed "
            "by table extension and compression between L2 and L4.")
    assert osteotomy_codes_of(ex, body, procedures) == {("22207", 1)}


def test_a_post_op_plan_naming_the_next_stage_osteotomy_codes_nothing(ex):
    text = ("OPERATIVE REPORT\nDESCRIPTION OF PROCEDURE:\nThe patient was placed supine. L5-S1 discectomy was performed "
            "and a stand-alone cage with integrated screws inserted.\n\nPost-op plan:\n1. PACU then floor.\n"
            "2. Stage 2 POD3: ROH L2-5, L3 PSO, PSF T10-pelvis.\n")
    assert osteotomy_codes_in(ex, text) == set()


def test_a_wedge_of_spinous_process_trimmed_for_baastrup_is_no_osteotomy(ex):
    body = ("The muscle was stripped back from the spinous processes and laminae as far as the facet joints, and the "
            "exposure carried down to the L3 to L5 laminae. With a broad osteotome we took a wedge of bone off the lower "
            "edge of the L3 spinous process and the upper edge of L4, trimming the facing surfaces back. At L4-5 a "
            "laminotomy was made and the ligamentum flavum removed for stenosis.")
    assert osteotomy_codes_of(ex, body) == set()


@pytest.mark.parametrize("body", [
    "The transverse processes and the sacral ala were decorticated with a curved Smith-Petersen osteotome, raising "
    "small flaps of bone left hinged on the decorticated surfaces.",
    "At C2 the undersurface of the lamina was undercut in a dome shape with the drill (dome osteotomy), keeping the "
    "C2 spinous process intact. Lateral mass screws were placed from C3 to C6.",
    "A transverse process hook was placed at T4. Then the inferior facet osteotomy at T4 was performed, the lower "
    "part of the inferior articular process cut off with an osteotome so the pedicle hook could be seated.",
])
def test_instruments_decompressions_and_hook_seats_named_like_osteotomies_are_not_coded(ex, body):
    assert osteotomy_codes_of(ex, body) == set()


@pytest.mark.parametrize("body,procedures,codes", [
    ("The fused posterior elements were exposed. The pedicles of L3 were taken down to the body and a posterior wedge "
     "of the body removed; the wedge was closed by extending the table.",
     "1. Thomasen osteotomy of the third lumbar vertebra", {("22207", 1)}),
    ("Schwab gr 2 at L3-4, L4-5, L5-S1: spinous process, lamina edges, both facets and the flavum removed. Schwab gr 1 "
     "at L1-2: inferior facet and capsule only.", "", {("22214", 1), ("22216", 2)}),
    ("Working on either side of the sac without retracting it more than a few millimetres, a posteriorly based wedge "
     "of cancellous bone was removed from the T11 body through both pedicle defects, and the wedge was closed.",
     "1. Transpedicular wedge resection of T11", {("22206", 1)}),
])
def test_osteotomies_named_by_eponym_grade_or_by_the_bone_taken(ex, body, procedures, codes):
    assert osteotomy_codes_of(ex, body, procedures) == codes


@pytest.mark.parametrize("body,code,present", [
    ("PS freehand b/l L4 and L5. Rods x2. L4-5 TLIF with a PEEK cage.", "22840", True),
    ("The C5-6 disc and end plates were drilled out and a dowel graft from the left iliac crest, cut through a "
     "separate incision, was tapped home into the hole.", "20938", True),
    ("The morselized C1 arch was combined with allograft chips and packed over the decorticated C1-C2 joints.",
     "20936", True),
    ("The morselized vertebral body bone and allograft chips were packed along the construct.", "20936", True),
    ("With a gouge we raised small flaps of bone from the laminae of L5, each left hinged, and laid them like shingles.",
     "20936", False),
    ("Trial spacers were used to size each space: 7 mm was snug at C4-5 and 6 mm at C5-6. A cortical allograft spacer "
     "was tapped into each space and a plate fixed from C4 to C6.", "22853", False),
    ("Gill laminectomy of the loose L5 arch and the fibrous tissue at both pars defects; L5-S1 discectomy and two PEEK "
     "cages placed in the L5-S1 disc space; pedicle screws at L5 and S1.", "22854", False),
])
def test_graft_and_device_words_of_wave_six(ex, body, code, present):
    assert (code in {c for c, _ in all_codes_of(ex, body)}) == present


def test_cages_of_a_note_that_rules_out_fusion_are_devices_without_arthrodesis(ex):
    body = ("A T8 corpectomy was performed for tumor and an expandable titanium cage placed in the corpectomy defect. "
            "Pedicle screws were placed from T6 to T10. No bone graft of any kind was placed. The construct was "
            "intended as stabilization only, not fusion.")
    codes = {c for c, _ in all_codes_of(ex, body)}
    assert "22859" in codes and "22854" not in codes


def test_a_kept_structure_between_an_element_and_its_negation_leaves_the_element_resected(ex):
    from extractor.facts import read_doc
    body = ("Medial rib heads removed, both pedicles of T12 removed down to the body, T12 roots preserved and gently "
            "retracted, then the T12 body removed piecemeal. The laminae and facets were left intact.")
    view, doc = ex.doc(OPENING + body)
    index, _ = read_doc(doc, OPENING + body, ex.rule_meta)
    asserted = {m.meta["element"]: m.assertion for m in index.of("RESECTION")}
    assert asserted["pedicle"] == asserted["body"] == "present"
    assert asserted["lamina"] == asserted["facet"] == "negated"


def test_a_terminating_cue_ends_a_bounded_negation(ex):
    body = ("Pedicle screws were placed bilaterally at T10, T11, T12, L1 and L2 without difficulty, and bilateral "
            "iliac bolts were placed from the PSIS. Rods were seated. Local bone was used as graft.")
    assert "22848" in {c for c, _ in all_codes_of(ex, body)}


# Cases a cold review of the second session's change verified as wrong before they were fixed (2026-12-06).
@pytest.mark.parametrize("text,codes", [
    (OPENING + "Pedicle screws were placed bilaterally from L1 to L5. Correction of the kyphosis was obtained by "
     "positioning and rod contouring, without the need to resort to a pedicle subtraction osteotomy at L3.", set()),
    (OPENING + "Pedicle screws were placed from T9 to L3.\n\n| Step | Procedure | Side | Result | Notes |\n"
     "| 1 | Ponte osteotomy T10-11 | Bilateral | Complete | EBL 100 |\n"
     "| 2 | Ponte osteotomy T11-12 | Bilateral | Complete | EBL 80 |\n", {("22212", 1), ("22216", 1)}),
    (OPENING + "The fractured rods were replaced from T10 to the pelvis and local bone laid over the L3 "
     "pseudarthrosis.\n\nPRIOR SURGERY:\nL4-5 laminectomy 2012.\nT10-pelvis fusion with an L3 pedicle subtraction "
     "osteotomy, complicated by rod fracture at L3.\n", set()),
])
def test_reviewed_cases_of_the_second_session(ex, text, codes):
    assert osteotomy_codes_in(ex, text) == codes


def test_an_empty_cell_negates_only_the_device_it_answers(ex):
    text = ("OPERATIVE REPORT\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone. Posterolateral fusion L4-L5 "
            "with local autograft.\n\n| Level | Screw | Interbody |\n| L4 | Pedicle screw 6.5 x 45 | None |\n"
            "| L5 | Pedicle screw 6.5 x 45 | None |\n")
    assert ("22840", 1) in codes_of(ex, text)


@pytest.mark.parametrize("denial,coded", [
    ("No osteotomy was performed in this case.", False),
    ("NO OSTEOTOMY WAS DONE.", False),
    ("No other osteotomy was performed.", True),  # denies the others only
    ("No osteotomy was done in the lumbar spine.", True),  # denies a region only
])
def test_a_denial_of_any_osteotomy_outweighs_a_carried_over_procedure_line(ex, denial, coded):
    text = ("OPERATIVE REPORT\nPROCEDURES:\n1. Posterior column osteotomy L3-4\n2. Laminectomy L3\n"
            "DESCRIPTION OF PROCEDURE:\nThe patient was placed prone. A Ponte osteotomy was made at L3-4, resecting "
            "the inferior facets and the ligamentum flavum. Pedicle screws were placed at L3 and L4. " + denial + "\n")
    record = ex.extract(text, "snippet")
    assert bool(osteotomy_codes_in(ex, text)) == coded
    assert ("osteotomy_denied_for_case" in {f["id"] for f in record["flags"]}) == (not coded)


def test_an_implant_table_row_marked_not_implanted_places_no_device(ex):
    def table(answer):
        return ("OPERATIVE REPORT\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone. Pedicle screws were "
                "placed at L3 and L4 and posterolateral fusion done with local bone.\n\nIMPLANTS\n"
                "| Level | Side | Implant | Size | Implanted |\n|-------|------|---------|------|-----------|\n"
                "| L3 | L | Pedicle screw | 6.5 x 45 | Yes |\n"
                f"| L3-4 | -- | Interbody cage | -- | {answer} |\n")
    assert "22853" not in {c for c, _ in codes_of(ex, table("N/A"))}
    assert "22853" not in {c for c, _ in codes_of(ex, table("No"))}
    assert ("22853", 1) in codes_of(ex, table("Yes"))


@pytest.mark.parametrize("body,code", [
    ("The upper end of the old construct was identified with its rods and the T10 and T11 screws and was found "
     "solid. Pedicle screws were then placed at T4, T5, T6, T7, T8 and T9. The new rods were joined to the old "
     "rods with side-to-side connectors. Local bone was laid over the decorticated laminae.", "22842"),
    ("Domino connectors applied to old rods b/l, just below L2 screws. Pedicle screws placed at L3 and L4. Short "
     "new rods into the L3/L4 screws and the dominos. Local bone laid posterolaterally.", "22840"),
])
def test_old_hardware_a_sentence_names_does_not_extend_the_new_construct(ex, body, code):
    instrumentation = {c for c, _ in all_codes_of(ex, body) if c.startswith("2284")}
    assert instrumentation == {code}


def test_old_does_not_reach_the_graft_placed_in_the_same_sentence(ex):
    body = ("Pedicle screws were placed at L1, L2 and L3. The remaining local bone, including the bone taken off the "
            "old rods, was mixed with allograft chips and packed along the gutters from L1 to L3.")
    assert "20930" in {c for c, _ in all_codes_of(ex, body)}


def test_screws_of_a_brief_anterior_note_are_the_plate_screws(ex):
    text = ("BRIEF OPERATIVE NOTE\nProcedure(s):\n1. Anterior cervical discectomy and fusion C5-6, C6-7\n"
            "2. Anterior plate fixation C5-C7\n\nImplants:\n- Anterior cervical plate, 37.5 mm, C5-C7\n"
            "- Self-drilling screws 4.0 x 14 mm x6 (C5, C6, C7 bilat)\n\nComplications: None\n")
    instrumentation = {c for c, _ in codes_of(ex, text) if c.startswith("2284")}
    assert instrumentation == {"22845"}


TEMPLATE_BLOCKS = ("OPERATIVE NOTE\nProcedure(s):\n [Posterior spinal fusion T10-pelvis]\n [{listed}]\n\n"
                   "Position: [Prone, Jackson table]\n\nOSTEOTOMY\n Osteotomy: [{kind}]\n Level: [{level}]\n\n"
                   "INSTRUMENTATION\n Instrumented levels: [T10, T11, T12, L1, L2, L4, L5, S1 - pedicle screws]\n\n"
                   "Narrative:\nThe patient was placed prone and the spine exposed. {narrative} Rods were seated and "
                   "local bone was laid over the decorticated laminae.\n")


def test_a_capitalised_block_heading_over_template_fields_opens_a_section_that_codes(ex):
    text = TEMPLATE_BLOCKS.format(listed="Three-column osteotomy", kind="Schwab grade 4", level="L3",
                                  narrative="The osteotomy was performed as listed in the fields above and closed.")
    assert osteotomy_codes_in(ex, text) == {("22207", 1)}


def test_a_block_heading_is_a_label_not_a_statement_that_an_osteotomy_was_done(ex):
    text = TEMPLATE_BLOCKS.format(listed="Posterior column osteotomy L3-4", kind="None", level="--",
                                  narrative="Screws were placed.")
    record = ex.extract(text, "snippet")
    assert osteotomy_codes_in(ex, text) == set()
    assert "header_body_conflict" in {f["id"] for f in record["flags"]}


def test_a_listed_resection_told_by_steps_reads_the_sentences_after_its_levels(ex):
    text = ("OPERATIVE REPORT\nPROCEDURES PERFORMED:\n1. Posterior vertebral column resection T12 and L1.\n"
            "2. Pedicle screws T10, T11, L2 and L3.\n\nPROCEDURE IN DETAIL:\nThe patient was placed prone and the "
            "spine exposed. Pedicle screws were placed at T10, T11, L2 and L3. The posterior elements of T12 and L1 "
            "were removed, including spinous processes, laminae and facets. The T12 and L1 pedicles were removed "
            "down to the bodies. The bodies were removed piecemeal with curettes and rongeurs. Finally the posterior "
            "vertebral wall was thinned and pushed ventrally away from the dura. Rods were placed and local bone "
            "laid over the decorticated bone.\n")
    assert osteotomy_codes_in(ex, text) == {("22206", 1), ("22208", 1)}


def test_the_first_of_repeated_osteotomies_is_where_the_sentence_before_cut_bone(ex):
    text = ("OPERATIVE REPORT\nPROCEDURES:\n1. Anterior cervical osteotomy through the fused C5-6 segment.\n"
            "2. Anterior cervical osteotomy through the fused C6-7 segment.\n\nOPERATIVE PROCEDURE IN DETAIL:\n"
            "The patient was positioned supine and the anterior cervical spine exposed from C4 to C7 through a "
            "left-sided approach. The fused bone at C5-6 was cut transversely with a high-speed burr. An osteotome "
            "was used to complete the cut through the deeper bone across the width of the osteotomy. The same "
            "osteotomy was then performed at C6-7, burring through the ankylosed segment.\n")
    assert osteotomy_codes_in(ex, text) == {("22220", 1), ("22226", 1)}


@pytest.mark.parametrize("harvest,codes", [
    ("Through a separate oblique incision over the right posterior iliac crest the gluteal muscles were elevated "
     "from the outer table. With a curved osteotome we lifted the outer table and cut strips of cancellous bone "
     "from between the tables.", {"20937"}),
    ("Through a separate oblique incision over the right posterior iliac crest a Jamshidi needle was passed and "
     "bone marrow was aspirated into a syringe.", {"20939"}),
])
def test_a_crest_harvest_told_only_by_its_steps_is_a_separate_incision_autograft(ex, harvest, codes):
    body = "Pedicle screws were placed at L4 and L5 and the transverse processes decorticated. " + harvest
    grafts = {c for c, _ in all_codes_of(ex, body) if c.startswith("2093")}
    assert grafts == codes


def test_bone_the_surgeon_saved_from_the_laminectomy_is_local_autograft(ex):
    body = ("Pedicle screws were placed at L4 and L5 after an L4 laminectomy. The bone we had saved from the "
            "laminectomy was morcellated and packed into the lateral gutters.")
    assert "20936" in {c for c, _ in all_codes_of(ex, body)}


def test_a_row_without_screws_in_a_per_level_list_negates_only_its_own_row(ex):
    text = ("OPERATIVE REPORT\nPROCEDURES:\n1. Posterior segmental instrumentation T10-pelvis: bilateral pedicle "
            "screws T10, T11, T12, L1, L2, L4, L5, S1.\n2. Bilateral S2-alar-iliac screw fixation.\n\n"
            "DESCRIPTION OF PROCEDURE:\nThe patient was placed prone and the spine exposed from T10 to the sacrum.\n"
            "Instrumentation. Freehand pedicle screws with fluoroscopic confirmation:\n"
            "  T10 6.5x40, T11 6.5x40, T12 6.5x45, L1 7.0x45, L2 7.0x45 bilateral\n"
            "  L3 - no screws (osteotomy level)\n"
            "  L4 7.5x45, L5 7.5x45, S1 7.5x40 bilateral\n"
            "  S2AI 8.5x90 bilateral under fluoroscopy\nLocal bone was laid over the decorticated laminae.\n")
    assert "22848" in {c for c, _ in codes_of(ex, text)}


def test_a_cage_named_again_in_a_run_on_sentence_or_an_implant_line_is_one_device(ex):
    text = ("OPERATIVE REPORT\nPROCEDURES:\n1. Posterior spinal fusion T10 to pelvis.\n2. Right L5-S1 transforaminal "
            "lumbar interbody fusion with PEEK cage.\n\nDESCRIPTION OF PROCEDURE:\nThe spine was exposed from T10 to "
            "the sacrum and pedicle screws were placed bilaterally at every level from T10 to S1, and the facets from "
            "T10 down to the L1-2 level were decorticated, and then on the right at L5-S1 the transforaminal approach "
            "was made, the disc was removed and one 10 degree PEEK cage packed with local bone was placed, and the "
            "rods were then placed and the cage was compressed at L5-S1.\n\nIMPLANTS: Pedicle screws T10-S1 "
            "bilateral, two 5.5 mm rods, one 10 degree TLIF cage.\n")
    assert ("22853", 1) in codes_of(ex, text)


@pytest.mark.parametrize("body,codes", [
    ("Ponte osteotomies were performed from T5 to T11, with the exception of T7-8, whose facets were bridged by "
     "bone. At each osteotomy interspace the spinous process tip, the inferior laminar margin, both facet joints "
     "and the ligamentum flavum were removed.", {("22212", 1), ("22216", 4)}),
    ("Ponte osteotomies were then done at T7-8 and T8-9 for the thoracic kyphosis and at L3-4 and L4-5 for the "
     "lumbar lordosis, removing the facet joints and the ligamentum flavum at each.", {("22212", 1), ("22216", 3)}),
])
def test_osteotomy_sites_a_range_excepts_or_a_second_list_adds(ex, body, codes):
    assert osteotomy_codes_in(ex, OPENING + "Pedicle screws were placed from T4 to L5. " + body) == codes


def test_a_bare_spacer_in_a_note_that_names_its_spacer_as_allograft_is_that_graft(ex):
    text = ("OPERATIVE REPORT\nPROCEDURES:\n- Anterior cervical discectomy and interbody arthrodesis C6-7, structural "
            "cortical allograft (cervical spacer, 7 mm)\n- Anterior cervical plate C6-C7\n\nDESCRIPTION:\nThe "
            "anterior cervical spine was exposed through a right-sided approach and the C6-7 disc removed. A 7 mm "
            "spacer was sized, then tapped into the C6-7 space and sat flush. A plate was placed from C6 to C7 with "
            "four screws.\n\nImplants: cortical allograft spacer 7 mm x1; plate 20 mm x1.\n")
    codes = {c for c, _ in codes_of(ex, text)}
    assert "20931" in codes and "22853" not in codes


def test_the_one_type_told_without_levels_takes_the_sites_an_untyped_sentence_gives(ex):
    body = ("Pedicle screws were inserted bilaterally from T8 to L5. The osteotomy sites were localised to L1/2 and "
            "L2/3. At each site an osteotomy through the fusion mass was made: a V-shaped cut taken across the full "
            "width of the fused laminae and facet bone down to the dura, and the ossified ligamentum flavum removed. "
            "No cut was made into any vertebral body. Both osteotomies were closed by compression.")
    assert osteotomy_codes_in(ex, OPENING + body) == {("22214", 1), ("22216", 1)}


@pytest.mark.parametrize("graft", [
    "The rib was morselized on the back table and packed into the disc spaces.",
    "Each cage was packed with the bone trimmed from the vertebral bodies.",
])
def test_local_bone_in_the_words_of_real_notes(ex, graft):
    body = "Pedicle screws were placed at L1, L2 and L3. " + graft
    assert "20936" in {c for c, _ in all_codes_of(ex, body)}


def test_a_level_of_the_anatomy_after_a_back_reference_to_the_pso_is_not_a_second_pso(ex):
    body = ("Pedicle screws were placed at T10, T11, T12, L2, L3 and L4. An L1 pedicle subtraction osteotomy was "
            "performed, removing both L1 pedicles and a posterior-based wedge of the L1 body. At the interspace below, "
            "because the L1 inferior facets were already gone with the PSO, only the L2 superior articular processes "
            "and the ligamentum flavum were removed to open the foramina. The PSO was closed by compression.")
    assert {c for c, _ in osteotomy_codes_in(ex, OPENING + body)} == {"22207"}


# Cases a cold review of the third session's change confirmed as wrong before they were fixed (2026-12-06).
@pytest.mark.parametrize("body,codes", [
    ("Pedicle screws were placed from T10 to L2. There was no need for new decompression or for Ponte osteotomies "
     "at T11-12 and T12-L1, as the curve corrected passively.", set()),
    ("Because the old fusion mass was solid from L2 to L5, a pedicle subtraction osteotomy was performed at L3, "
     "removing both pedicles and a wedge of the body.", {("22207", 1)}),
    ("The patient, a 67-year-old man, was placed prone and Ponte osteotomies were performed at T11-12 and T12-L1, "
     "removing the facets and the ligamentum flavum.", {("22212", 1), ("22216", 1)}),
])
def test_old_and_new_hardware_words_reach_no_further_than_hardware(ex, body, codes):
    assert osteotomy_codes_in(ex, OPENING + body) == codes


def test_old_hardware_removed_before_new_screws_leaves_the_new_screws(ex):
    body = ("The old hardware was removed and pedicle screws were then placed at L3, L4 and L5. Local bone was laid "
            "in the gutters.")
    assert "22842" in {c for c, _ in all_codes_of(ex, body)}


# Cases a cold review of the third session's change confirmed as wrong before they were fixed (2026-12-06).
REVIEW_3 = {  # snippets the reviewer wrote
    'a3': (
        'BRIEF OPERATIVE NOTE\nProcedure(s):\n1. Anterior lumbar interbody fusion L5-S1\n2. Percutaneous '
        'posterior fixation L5-S1\n\nImplants:\n- PEEK interbody cage 12 mm (L5-S1)\n- Screws 6.5 x 45 mm x4 '
        '(L5, S1 bilat)\n\nComplications: None\n'
    ),
    'c1': (
        'OPERATIVE REPORT\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone on the Jackson table '
        'and the spine exposed through a midline incision from L4 to the sacrum. Pedicle screws were '
        'placed bilaterally at L4, L5 and S1. Through a separate small incision over the right posterior '
        'iliac crest, the starting point for the iliac screw was identified. The outer cortical bone was '
        'removed with a rongeur and a 8.0 x 80 mm iliac screw was placed between the tables. The same '
        'was done on the left. Rods were connected with offset connectors. Allograft chips were laid '
        'over the decorticated transverse processes.\n'
    ),
    'd1': (
        'OPERATIVE REPORT\nPROCEDURES:\n1. Posterior spinal fusion L1-S1 with pedicle screw '
        'instrumentation.\n2. L3 pedicle subtraction osteotomy.\n\nDESCRIPTION OF PROCEDURE:\nThe patient '
        'was placed prone on the Jackson table and a midline incision was made. Subperiosteal exposure '
        'was carried out from L1 to the sacrum. Pedicle screws were placed bilaterally at L1, L2, L4, L5 '
        'and S1. Attention was first turned to the L5-S1 level, where the facets were already autofused '
        'from the prior surgery. No osteotomy was performed. A pedicle subtraction osteotomy was then '
        'performed at L3: the posterior elements and both pedicles of L3 were resected and a wedge of '
        'the L3 body was removed with the anterior cortex preserved. The osteotomy was closed with rod '
        'compression. Local autograft and allograft chips were placed posterolaterally.\n'
    ),
    'e2': (
        'OPERATIVE REPORT\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone on the Jackson table '
        'and the spine exposed through a midline incision. Pedicle screws were placed bilaterally from '
        'T9 to L2. Ponte osteotomies were performed at T10-11, T11-12 and T12-L1, removing all of the '
        'facet joint except the T12-L1 pars, which was preserved. Local autograft was placed.\n'
    ),
    'h1': (
        'OPERATIVE NOTE\nProcedure(s):\n [Posterior spinal fusion T10-pelvis]\n\nPREOPERATIVE PLAN:\nStaged '
        'correction. If the curve does not correct adequately, a second stage will be '
        'scheduled.\n\nOSTEOTOMY\n Osteotomy: [Pedicle subtraction osteotomy]\n Level: [L3]\n\nPosition: '
        '[Prone, Jackson table]\n\nNarrative:\nThe patient was placed prone and the spine exposed from T10 '
        'to the sacrum. Pedicle screws were placed at T10, T11, T12, L1, L2, L3, L4, L5 and S1 '
        'bilaterally and bilateral S2AI screws were placed. The curve corrected well with rod reduction '
        'and no osteotomy was necessary. Rods were seated and local bone was laid over the decorticated '
        'laminae.\n'
    ),
    'h1b': (
        'OPERATIVE NOTE\nProcedure(s):\n [Posterior spinal fusion T10-pelvis]\n\nPREOPERATIVE '
        'PLAN:\n\n\nOSTEOTOMY\n Osteotomy: [Pedicle subtraction osteotomy]\n Level: [L3]\n\nPosition: [Prone, '
        'Jackson table]\n\nNarrative:\nThe patient was placed prone and the spine exposed from T10 to the '
        'sacrum. Pedicle screws were placed at T10, T11, T12, L1, L2, L3, L4, L5 and S1 bilaterally and '
        'bilateral S2AI screws were placed. Rods were seated and local bone was laid over the '
        'decorticated laminae.\n'
    ),
    'h3': (
        'OPERATIVE NOTE\nProcedure(s):\n [Posterior spinal fusion T10-pelvis]\n\nPosition: [Prone, Jackson '
        'table]\n\nOSTEOTOMY\n Osteotomy: [Pedicle subtraction osteotomy]\n Level: [L3]\n Performed: [No - '
        'deferred to second stage]\n\nNarrative:\nThe patient was placed prone and the spine exposed from '
        'T10 to the sacrum. Pedicle screws were placed at T10, T11, T12, L1, L2, L3, L4, L5 and S1 '
        'bilaterally. Rods were seated and local bone was laid over the decorticated laminae.\n'
    ),
    'k5': (
        'OPERATIVE REPORT\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone on the Jackson table '
        'and the spine exposed from L3 to the sacrum. Pedicle screws were placed bilaterally at L3, L4, '
        'L5 and S1. Transforaminal lumbar interbody fusion was then performed at L4-5 and L5-S1 on the '
        'left: at each level the facet was removed, the disc space cleared, the endplates prepared and a '
        'PEEK cage packed with local bone was placed, the cage at L5-S1 being a 12 mm lordotic one. Rods '
        'were contoured and locked.\n'
    ),
    'l4': (
        'OPERATIVE REPORT\nPROCEDURES PERFORMED:\n1. Posterior vertebral column resection T12.\n2. '
        'Posterior spinal fusion T10-L2 with pedicle screws T10, T11, L1, L2.\n\nPROCEDURE IN DETAIL:\nThe '
        'patient was placed prone and the spine exposed from T10 to L2. Pedicle screws were placed at '
        'T10, T11, L1 and L2. The T12 laminae, spinous process and facets were removed for decompression '
        'of the cord, and both T12 pedicles were removed down to the body. The dura was then inspected '
        'and found pulsatile. Because the deformity corrected fully with rod reduction, the planned '
        'resection of the vertebral body was abandoned. Rods were placed and local bone laid over the '
        'decorticated bone.\n'
    ),
    'n4': (
        'OPERATIVE REPORT\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone on the Jackson table '
        'and the spine exposed through a midline incision. Pedicle screws were placed bilaterally from '
        'T8 to L2. Ponte osteotomies were performed at T10-11 and T11-12, the facet capsules being '
        'preserved above and at T12-L1. Local autograft was placed.\n'
    ),
    'r3': (
        'OPERATIVE REPORT\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone on the Jackson table '
        'and the spine exposed through a midline incision from L4 to the sacrum. Pedicle screws were '
        'placed bilaterally at L4, L5 and S1. The anterior column was then approached. Bone removed from '
        'the vertebral bodies was sent for culture and pathology. Allograft chips were laid over the '
        'decorticated transverse processes.\n'
    ),
    'u12': (
        'OPERATIVE REPORT\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone on the Jackson table '
        'and the spine exposed through a midline incision. Pedicle screws were placed bilaterally at '
        'T10, T11, T12, L2, L3 and L4. A pedicle subtraction osteotomy was then carried out at the apex '
        'of the kyphosis, resecting both pedicles and a wedge of the vertebral body. Cancellous bleeding '
        'from the osteotomy surfaces at T12 and L2 was controlled with bone wax and Surgiflo. Rods were '
        'contoured and locked. Local autograft was placed.\n'
    ),
}


@pytest.mark.parametrize("name,codes", [
    ('h3', []),
    ('h1', []),
    ('h1b', []),
    ('l4', []),
    ('u12', []),
    ('n4', [('22212', 1), ('22216', 1)]),
    ('e2', [('22212', 1), ('22216', 2)]),
    ('d1', [('22207', 1)]),
])
def test_reviewed_osteotomy_cases_of_the_third_session(ex, name, codes):
    assert osteotomy_codes_in(ex, REVIEW_3[name]) == set(codes)


@pytest.mark.parametrize("name,code,present", [
    ('a3', '22840', True),
    ('a3', '22845', False),
    ('c1', '20937', False),
    ('r3', '20936', False),
    ('k5', '22853', True),
])
def test_reviewed_graft_and_instrumentation_cases_of_the_third_session(ex, name, code, present):
    assert (code in {c for c, _ in codes_of(ex, REVIEW_3[name])}) == present
    if name == 'k5':
        assert ('22853', 2) in codes_of(ex, REVIEW_3[name])


@pytest.mark.parametrize("text", [
    ("OPERATIVE REPORT\nPROCEDURES:\n1. Reopening and exploration of the posterior lumbar wound.\n2. Evacuation of "
     "epidural hematoma at the osteotomy sites L2 to L5.\n3. Inspection of instrumentation, all left in place.\n\n"
     "DESCRIPTION OF PROCEDURE:\nThe wound was reopened. At the L2-3 osteotomy site the gap left by the resected "
     "facets and ligamentum flavum was filled with clot, which was removed. At the L3-4 osteotomy site the same "
     "was done. The L5-S1 cage was seen in its position and was not disturbed. All pedicle screws and both rods "
     "were found intact and were left in place. The wound was closed over drains.\n"),
    ("OPERATIVE REPORT\nPROCEDURES:\n1. Re-exploration of the L3 pedicle subtraction osteotomy.\n2. Right L3 "
     "foraminotomy.\n\nDESCRIPTION OF PROCEDURE:\nThe wound was reopened. The osteotomy is well closed, bone on "
     "bone, and stable. A spike of the L2 lamina projecting into the right side of the osteotomy site was removed "
     "with a Kerrison and the L3 root freed. The rods were found intact and were left in place.\n"),
])
def test_a_return_to_the_operating_room_codes_nothing_of_the_index_operation(ex, text):
    codes = {c for c, _ in codes_of(ex, text)}
    assert not codes & {"22207", "22214", "22216", "22840", "22842", "22853"}


def test_the_osteotomy_vertebra_and_the_hemi_pso_are_references_not_sites(ex):
    body = ("The muscles were stripped from the ninth thoracic vertebra down to the sacrum, marking the osteotomy "
            "vertebra with a clamp, and pedicle screws were placed from T10 to the sacrum except at L3.\n"
            "Osteotomy\nL3 lamina removed with Leksell and Kerrison; both L3 facets removed; both L3 pedicles taken "
            "down. Wedge resection of the L3 body through the pedicle tracts, based posteriorly and to the right.\n"
            "Correction\nThe hemi-PSO component closed the right side more than the left, tilting L2 and above back "
            "toward the midline.")
    assert osteotomy_codes_in(ex, OPENING + body) == {("22207", 1)}


@pytest.mark.parametrize("sites,codes", [
    ("Ponte x4 between T5 and T11, at the stiffest apical segments.", {("22212", 1), ("22216", 3)}),
    ("Four Ponte osteotomies were made between T5 and T11 at the apex.", {("22212", 1), ("22216", 3)}),
    ("Ponte osteotomies were performed between T6 and T10.", {("22212", 1), ("22216", 3)}),
])
def test_a_stated_number_of_osteotomies_in_a_stretch_is_the_count(ex, sites, codes):
    body = ("Pedicle screws were placed from T2 to L2. " + sites + " At each the spinous process, the laminar "
            "edges, both facets and the ligamentum flavum were removed.")
    assert osteotomy_codes_in(ex, OPENING + body) == codes


# Cases a second cold review of the third session's change confirmed as wrong before they were fixed.
REVIEW_3B = {  # snippets the reviewer wrote
    'b12': (
        'PROCEDURE PERFORMED:\n1. Posterior spinal fusion T10-L4.\n2. Posterior segmental instrumentation '
        'T10-L4.\n\nESTIMATED BLOOD LOSS: 400 mL\n\nOSTEOTOMY\nType: Ponte\nLevels: T12-L1, L1-2\nOsteotomy '
        'performed? N - curve flexible\n\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone on the '
        'Jackson table. A midline incision was made and exposure carried out from T10 to L4. Pedicle '
        'screws were placed bilaterally from T10 to L4. Rods were contoured and locked. Local autograft '
        'was placed. The wound was closed.\n'
    ),
    'b9': (
        'PROCEDURE PERFORMED:\n1. Posterior spinal fusion T10-L4.\n2. Posterior segmental instrumentation '
        'T10-L4.\n\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone on the Jackson table. A midline '
        'incision was made and exposure carried out from T10 to L4. Pedicle screws were placed '
        'bilaterally from T10 to L4. Rods were contoured and locked. Local autograft was placed. The '
        'wound was closed.\n\nOSTEOTOMY\nType: Ponte\nLevels: T12-L1, L1-2\nPerformed: No\n\n'
    ),
    'c1': (
        'PROCEDURE PERFORMED:\n1. Posterior spinal fusion T4-L2.\n2. Posterior segmental instrumentation '
        'T4-L2.\n3. Posterior column osteotomies.\n\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone '
        'on the Jackson table. A midline incision was made and subperiosteal exposure carried out from '
        'T4 to L2. Pedicle screws were placed bilaterally from T4 to L2.\nPonte osteotomies were then '
        'performed from T6 to T10, removing the spinous processes, facets and ligamentum flavum at each '
        'interspace. Two additional Ponte osteotomies were performed at T11-12 and T12-L1. Rods were '
        'contoured and locked. The wound was closed.\n'
    ),
    'c2': (
        'PROCEDURE PERFORMED:\n1. Posterior spinal fusion T4-L2.\n2. Posterior segmental instrumentation '
        'T4-L2.\n3. Posterior column osteotomies.\n\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone '
        'on the Jackson table. A midline incision was made and subperiosteal exposure carried out from '
        'T4 to L2. Pedicle screws were placed bilaterally from T4 to L2.\nAfter two hours of exposure, '
        'Ponte osteotomies were performed from T5 to T11, removing the spinous processes, facets and '
        'ligamentum flavum at each interspace. Rods were contoured and locked. The wound was closed.\n'
    ),
    'd1': (
        'PROCEDURE PERFORMED:\n1. Posterior spinal fusion T4-L2.\n2. Posterior segmental instrumentation '
        'T4-L2.\n3. Posterior column osteotomies.\n\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone '
        'on the Jackson table. A midline incision was made and subperiosteal exposure carried out from '
        'T4 to L2. Pedicle screws were placed bilaterally from T4 to L2.\nPonte osteotomies were then '
        'performed at T7-8, T8-9, T9-10 and T10-11, removing the spinous processes, facets and '
        'ligamentum flavum. The lumbar curve was flexible on the bending films, so no osteotomy was '
        'needed. Rods were contoured and locked. The wound was closed.\n'
    ),
    'h4': (
        'PROCEDURE PERFORMED:\n1. Revision posterior spinal fusion.\n2. L3 pedicle subtraction '
        'osteotomy.\n\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone on the Jackson table. The '
        'prior incision was opened and exposure carried out from T10 to the sacrum.\nBecause the old '
        'fusion was solid, Ponte osteotomies were made at T10-11 and T11-12, resecting the facets and '
        'ligamentum flavum, and a pedicle subtraction osteotomy was performed at L3, resecting the '
        'pedicles and a wedge of the vertebral body. Pedicle screws were placed from T10 to S1. The '
        'wound was closed.\n'
    ),
    'i8': (
        'PROCEDURE PERFORMED:\n1. Posterior spinal fusion L2-L4.\n\nDESCRIPTION OF PROCEDURE:\nThe patient '
        'was placed prone on the Jackson table. A midline incision was made and exposure carried out '
        'from L2 to L4.\nPedicle screws were placed at L2-L4 and a drain was left in place. The wound was '
        'closed.\n'
    ),
    'o1': (
        'PROCEDURE PERFORMED:\n1. Revision posterior spinal fusion T10-S1.\n2. Removal of hardware '
        'L2-L5.\n3. Posterior segmental instrumentation T10-S1.\n\nDESCRIPTION OF PROCEDURE:\nThe patient '
        'was placed prone on the Jackson table. The prior midline incision was opened and exposure '
        'carried out from T10 to the sacrum.\nThe old rods and screws from L2 to L5 were removed. Through '
        'the old laminectomy defect an L3 pedicle subtraction osteotomy was performed, resecting the '
        'posterior elements, pedicles and a wedge of the vertebral body. Pedicle screws were placed from '
        'T10 to S1. Rods were locked. The wound was closed.\n'
    ),
    'o5': (
        'PROCEDURE PERFORMED:\n1. Revision posterior spinal fusion T10-S1.\n2. Removal of hardware '
        'L2-L5.\n3. Posterior segmental instrumentation T10-S1.\n\nDESCRIPTION OF PROCEDURE:\nThe patient '
        'was placed prone on the Jackson table. The prior midline incision was opened and exposure '
        'carried out from T10 to the sacrum.\nThe old rods and screws from L2 to L5 were removed. After '
        'inspection of the L3 pedicles, a pedicle subtraction osteotomy was performed at L3, resecting '
        'the posterior elements, pedicles and a wedge of the vertebral body. Pedicle screws were placed '
        'from T10 to S1. Rods were locked. The wound was closed.\n'
    ),
    'r1': (
        'PROCEDURE PERFORMED:\n1. Posterior spinal fusion T10-S1.\n2. Posterior segmental instrumentation '
        'T10-S1.\n3. Pedicle subtraction osteotomies.\n\nDESCRIPTION OF PROCEDURE:\nThe patient was placed '
        'prone on the Jackson table. A midline incision was made and exposure carried out from T10 to '
        'the sacrum. Pedicle screws were placed bilaterally from T10 to S1, skipping L1 and L3.\nA '
        'pedicle subtraction osteotomy was performed at L3, resecting the laminae, pedicles and a '
        'posterior wedge of the vertebral body, and closed over the rods. Attention was then turned to '
        'the thoracolumbar junction. The L1 PSO was completed in identical fashion and closed with '
        'compression. The wound was closed.\n'
    ),
    'r2': (
        'PROCEDURE PERFORMED:\n1. Posterior spinal fusion T10-S1.\n2. Posterior segmental instrumentation '
        'T10-S1.\n3. Pedicle subtraction osteotomies.\n\nDESCRIPTION OF PROCEDURE:\nThe patient was placed '
        'prone on the Jackson table. A midline incision was made and exposure carried out from T10 to '
        'the sacrum. Pedicle screws were placed bilaterally from T10 to S1, skipping L1 and L3.\nA '
        'pedicle subtraction osteotomy was performed at L3, resecting the laminae, pedicles and a '
        'posterior wedge of the vertebral body. The second PSO, at L1, was likewise completed and both '
        'were closed with compression. The wound was closed.\n'
    ),
    'u4': (
        'PROCEDURE PERFORMED:\n1. Posterior spinal fusion T10-L3.\n2. Posterior segmental instrumentation '
        'T10-L3.\n\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone on the Jackson table. A midline '
        'incision was made and exposure carried out from T10 to L3. Pedicle screws were placed '
        'bilaterally from T10 to L3.\nAt the T12-L1 and L1-2 osteotomy sites the spinous processes, '
        'facets and ligamentum flavum were resected bilaterally to allow correction of the kyphosis. '
        'Rods were contoured and locked in compression. The wound was closed.\n'
    ),
    'x3': (
        'PROCEDURE PERFORMED:\n1. Posterior spinal fusion T8-L2.\n2. Posterior segmental instrumentation '
        'T8-L2.\n3. Ponte osteotomies.\n\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone on the '
        'Jackson table. A midline incision was made and exposure carried out from T8 to L2. Pedicle '
        'screws were placed bilaterally from T8 to L2.\nFollowing inspection of the dura, Ponte '
        'osteotomies were performed at T10-11, T11-12 and T12-L1, removing the spinous processes, facets '
        'and ligamentum flavum bilaterally. Rods were locked. The wound was closed.\n'
    ),
}


@pytest.mark.parametrize("name,codes", [
    ('x3', [('22212', 1), ('22216', 2)]),
    ('o5', [('22207', 1)]),
    ('d1', [('22212', 1), ('22216', 3)]),
    ('r1', [('22207', 1), ('22208', 1)]),
    ('r2', [('22207', 1), ('22208', 1)]),
    ('c2', [('22212', 1), ('22216', 5)]),
    ('c1', [('22212', 1), ('22216', 5)]),
    ('u4', [('22212', 1), ('22216', 1)]),
    ('b9', []),
    ('b12', []),
    ('h4', [('22207', 1), ('22212', 1), ('22216', 1)]),
    ('o1', [('22207', 1)]),
])
def test_second_review_osteotomy_cases_of_the_third_session(ex, name, codes):
    assert osteotomy_codes_in(ex, REVIEW_3B[name]) == set(codes)


def test_a_drain_left_in_place_leaves_the_screws_placed(ex):
    assert "22842" in {c for c, _ in codes_of(ex, REVIEW_3B['i8'])}


def test_an_occipital_plate_and_its_later_mentions_are_posterior_fixation(ex):
    """An occipitocervical fusion's plate sits on the occiput: no anterior instrumentation code, even where a
    later sentence names "the plate" beside the levels it decorticates; the bone of the craniectomy is local."""
    body = ("A suboccipital craniectomy was completed with Kerrison rongeurs and the bone saved. An occipital plate "
            "was fixed with midline occipital screws. Bilateral C2 pedicle screws and lateral mass screws at C3 and "
            "C4 were placed and two rods were seated in the plate and the screw heads. The occipital bone outside "
            "the plate, the C2 lamina and the C3 and C4 laminae were decorticated. The occipital bone removed "
            "during the craniectomy was morselized and laid over the decorticated surfaces.")
    codes = all_codes_of(ex, body)
    assert ("22842", 1) in codes and ("20936", 1) in codes
    assert not {c for c, _ in codes} & {"22845", "22846", "22847"}


def test_a_plate_told_in_an_anterior_approach_stays_anterior_beside_an_occipital_plate(ex):
    body = ("An occipital plate was fixed with occipital screws and lateral mass screws were placed at C3 and C4. "
            "The patient was then turned supine and through a left anterior approach an anterior cervical "
            "discectomy was done at C5-6 and C6-7 and a plate was fixed from C5 to C7 with six screws.")
    assert ("22845", 1) in all_codes_of(ex, body)


TWO_LEVEL_ACDF = ("A right transverse incision was made and the anterior cervical spine exposed. Complete discectomies were "
        "done at C4-5 and C5-6 and the endplates prepared. ")


@pytest.mark.parametrize("device, expected", [
    ("A 7 mm Cornerstone-SR was tapped into each disc space.", {"20931"}),
    ("A 7 mm Cornerstone-SR PEEK cage was tapped into each disc space.", {"22853"}),
    ("A 6 mm Capstone was tapped into each disc space.", {"22853"}),
])
def test_a_spacer_named_by_brand_alone_is_coded_by_what_the_brand_is(ex, device, expected):
    """Coders read a brand: Cornerstone-SR is a machined allograft (20931), unless the note calls it a cage;
    Capstone is a PEEK cage (22853). The plate adds 22845 either way."""
    codes = {c for c, _ in all_codes_of(ex, TWO_LEVEL_ACDF + device + " A plate was fixed from C4 to C6 with six screws.")}
    assert codes & {"20931", "22853"} == expected and "22845" in codes


def test_an_implant_line_does_not_give_the_cage_level_to_the_screws(ex):
    note = ("BRIEF OP NOTE\nProcedure(s): PSF L2-S1 w/ bilat pedicle screws L2, L3, L4, L5, S1 + rods x2; L TLIF L4-5; "
            "local autograft\nImplants: Pedicle screws 6.5 x 45 mm x10; rods 5.5 mm Ti x2; Capstone PEEK 10 mm, L4-5;\n"
            "Brief description: Routine prone posterior case, signals stable throughout.\n")
    codes = codes_of(ex, note)
    assert ("22842", 1) in codes and ("22853", 1) in codes and ("22840", 1) not in codes


def test_a_fibular_strut_called_autograft_is_a_separate_structural_autograft(ex):
    body = ("Corpectomies of C5 and C6 were completed. Through a lateral incision over the left fibula a six "
            "centimetre segment was taken, and the autogenous fibular strut was keyed between C4 and C7. A plate "
            "was fixed from C4 to C7.")
    codes = {c for c, _ in all_codes_of(ex, body)}
    assert "20938" in codes and "20931" not in codes


@pytest.mark.parametrize("phrase", ["the cancellous bone we had taken out of the eleventh thoracic vertebra",
                                    "bone removed from the second lumbar body"])
def test_bone_taken_out_of_a_vertebra_named_in_words_is_local_autograft(ex, phrase):
    body = (f"Pedicle screws were placed from T9 to L1 and rods seated. The laminae were decorticated and {phrase} "
            "was laid along them.")
    assert ("20936", 1) in all_codes_of(ex, body)


@pytest.mark.parametrize("sentence, placed", [
    ("Loose, nonincorporated allograft chips were removed; the fusion bed looked clean.", False),
    ("The allograft chips were removed from the packaging and soaked in saline, then laid in the gutters.", True),
])
def test_graft_removed_in_a_washout_was_not_placed(ex, sentence, placed):
    body = ("The wound was opened and the subfascial collection drained. The rods and screws were solid and left in "
            f"place. {sentence} The wound was irrigated with nine litres of saline.")
    assert (("20930", 1) in all_codes_of(ex, body)) == placed


def test_an_osteotomy_told_in_passing_far_from_the_operation_is_not_coded(ex):
    """An ACDF whose positioning sentence recalls an old lumbar PSO: the osteotomy lies far from every level
    the operation works on, so it is an earlier operation (flagged for review), not today's."""
    note = ("OPERATIVE REPORT\nProcedure: Anterior cervical discectomy and fusion C6-7\nPMH/PSH: Posterior fusion T10 "
            "to pelvis with L3 pedicle subtraction osteotomy (2020).\n\nDescription: She was positioned supine; because "
            "of her long lumbar fusion with the L3 pedicle subtraction osteotomy, the knees were flexed over a pillow. "
            "Discectomy was "
            "performed at C6-7 and a PEEK cage placed. A plate was fixed to C6 and C7 with four screws.\n")
    record = ex.extract(note, "far")
    assert not {s["code"] for s in record["suggestions"]} & {"22206", "22207", "22208"}
    assert "approach_conflict" in {f["id"] for f in record["flags"]}  # a posterior osteotomy in a supine operation
    prone = note.replace("Anterior cervical discectomy and fusion C6-7", "Posterior cervical fusion C4-C6").replace(
        "She was positioned supine; because of her long lumbar fusion with the L3 pedicle subtraction osteotomy, the "
        "knees were flexed over a pillow. Discectomy was performed at C6-7 and a PEEK cage placed. A plate was fixed "
        "to C6 and C7 with four screws.", "She was turned prone; because of her long lumbar fusion with the L3 pedicle "
        "subtraction osteotomy, the knees were padded. Lateral mass screws were placed at C4, C5 and C6 with rods.")
    record = ex.extract(prone, "far")
    assert not {s["code"] for s in record["suggestions"]} & {"22206", "22207", "22208"}
    assert "osteotomy_far_from_operation" in {f["id"] for f in record["flags"]}
    today = note.replace("Anterior cervical discectomy and fusion C6-7", "L3 pedicle subtraction osteotomy").replace(
        "positioned supine", "positioned prone").replace(
        "Discectomy was performed at C6-7 and a PEEK cage placed. A plate was fixed to C6 and C7 with four screws.",
        "Pedicle screws were placed at L1, L2, L4 and L5 and the L3 pedicles and a posterior wedge of the L3 body "
        "were resected.")
    assert ("22207", 1) in codes_of(ex, today)


def test_a_prior_spine_surgery_field_is_history(ex):
    note = ("OPERATIVE NOTE\nPre-op Diagnosis: L3-4 spondylolisthesis\nPrior Spine Surgery: [x] Yes  [ ] No\n"
            "  [Details: Age 13 - posterior vertebral column resection T11 with fusion T8-L1; hardware in situ.]\n\n"
            "PROCEDURE(S):\n1. Lateral lumbar interbody fusion L3-4\n\nNARRATIVE:\nThrough a left transpsoas approach "
            "the L3-4 disc was removed and a PEEK cage placed. Percutaneous pedicle screws were placed at L3 and L4 "
            "with two rods. The existing T8-L1 construct was not disturbed.\n")
    assert not {c for c, _ in codes_of(ex, note)} & {"22206", "22207", "22208"}


def test_hardware_backed_out_or_with_granulation_around_it_is_the_old_construct(ex):
    """A washout removing an infected construct: screws with granulation tissue around them, and iliac screws
    backed out, are the earlier operation's; nothing is coded as placed."""
    body = ("There was turbid fluid and granulation tissue around the S1 and iliac screws and along the caudal rods. "
            "The set screws were loosened and both rods removed. The pedicle screws from T10 to S1 were then removed "
            "bilaterally, and both iliac screws were backed out. The wound was irrigated and closed over drains.")
    assert not {c for c, _ in all_codes_of(ex, body)} & {"22840", "22842", "22843", "22844", "22848"}


def test_screws_told_at_one_vertebra_only_take_the_procedure_lists_levels(ex):
    note = ("OPERATIVE REPORT\nPROCEDURES:\n1. Posterior spinal fusion T10-S1\n2. Pedicle screw instrumentation "
            "bilaterally T10, T11, T12, L1, L2, L3, L4, L5, S1\n\nDESCRIPTION OF PROCEDURE:\nProne on a Jackson table. "
            "Freehand pedicle screws with a fluoroscopic check; thoracic screws by a straightforward trajectory and "
            "lumbar and sacral screws tricortical at S1. Two rods were seated and the set screws final-tightened. "
            "Local bone and allograft chips were laid in the gutters.\n")
    assert ("22843", 1) in codes_of(ex, note)


def test_the_osteotomy_told_then_placed_in_words_by_the_next_sentence_takes_the_one_type(ex):
    """An older surgeon's prose: the type is named once without a level, "the osteotomy itself" is placed by
    the next sentence in ordinal words, which opens "Working at the level between ...": one posterior site."""
    body = ("Every lumbar segment was fused, and for that reason we undertook a lumbar extension osteotomy of the "
            "Smith-Petersen type. Pedicle screws were placed from T12 to L4. We then came to the osteotomy itself. "
            "Working at the level between the second and third lumbar vertebrae we took away a V of bone from the "
            "back of the spine, removing the spinous processes, the adjoining laminae and the facet joints on both "
            "sides. The gap was closed by extension of the table.")
    assert osteotomy_codes_of(ex, body) == {("22214", 1)}


@pytest.mark.parametrize("field", ["[Interbody device in osteotomy defect: None]",
                                   "[Interbody device placed in the osteotomy defect: N/A]"])
def test_a_long_field_label_answered_none_places_no_device(ex, field):
    note = ("OPERATIVE NOTE\nPROCEDURE(S):\n1. Posterior spinal fusion, T10 to pelvis\n2. Spinal osteotomy (see "
            "Osteotomy fields)\n\nOSTEOTOMY: [x] Yes  [ ] No\n  [Osteotomy type: Pedicle subtraction osteotomy]\n"
            f"  [Osteotomy level(s): L2]\n  {field}\n  [Additional osteotomies: None]\n\nNARRATIVE:\nPedicle screws were placed from T10 to S1 sparing L2, with S2-alar-iliac "
            "screws. The L2 pedicles and a posterior wedge of the L2 body were resected and the osteotomy closed; "
            "nothing was placed in the defect. Local bone was laid in the gutters.\n")
    codes = {c for c, _ in codes_of(ex, note)}
    assert "22207" in codes and "22854" not in codes


@pytest.mark.parametrize("sentence, code", [
    ("Bone graft consisting of the cancellous bone cored from the vertebra was laid over the laminae.", "20936"),
    ("The bone from the laminectomies, with bank-bone chips, was laid along the rods on both sides.", "20930"),
    ("We then made an oblique skin incision over the left posterior iliac crest, separate from the main wound. A "
     "window was cut in the outer table and strips of cancellous bone were scooped out with gouges. The strips "
     "were laid along the decorticated laminae.", "20937"),
])
def test_graft_words_of_an_older_surgeons_prose(ex, sentence, code):
    body = f"Pedicle screws were placed from L1 to L4 and rods seated. {sentence}"
    assert code in {c for c, _ in all_codes_of(ex, body)}


REVIEW_3C = {  # a third cold review's snippets (the reviewer's own writing), with the codes a coder gives
    'far_pso_s1_screws': (
        'OPERATIVE REPORT\nPROCEDURES PERFORMED:\n1. Posterior spinal fusion T10 to S1.\n2. Posterior segmental '
        'instrumentation T10 to S1.\n3. T12 pedicle subtraction osteotomy.\nDESCRIPTION OF PROCEDURE:\nThe '
        'patient was positioned prone on the Jackson table. A midline incision was made and the spine '
        'exposed. Pedicle screws were then placed bilaterally at the planned levels under fluoroscopic '
        'guidance, with bicortical screws at S1. A pedicle subtraction osteotomy was performed at T12, '
        'removing the posterior elements and pedicles and a wedge of the vertebral body. The osteotomy was '
        'closed and rods were locked. Local autograft and allograft chips were placed.\n',
        ['20930', '20936', '22206', '22843']),
    'far_pso_decompression': (
        'OPERATIVE REPORT\nPROCEDURES PERFORMED:\n1. Posterior spinal fusion T10 to S1.\n2. Posterior segmental '
        'instrumentation T10 to S1.\n3. T12 pedicle subtraction osteotomy.\n4. Laminectomy L4-5 and '
        'L5-S1.\nDESCRIPTION OF PROCEDURE:\nThe patient was positioned prone on the Jackson table. A midline '
        'incision was made and the spine exposed. A laminectomy was performed at L4-5 and L5-S1 for severe '
        'stenosis. Pedicle screws were then placed bilaterally at the planned levels under fluoroscopic '
        'guidance. A pedicle subtraction osteotomy was performed at T12, removing the posterior elements and '
        'pedicles and a wedge of the vertebral body. The osteotomy was closed and rods were locked. Local '
        'autograft and allograft chips were placed.\n',
        ['20930', '20936', '22206', '22843']),
    'prior_fusion_subheader': (
        'OPERATIVE REPORT\nPROCEDURES PERFORMED:\n1. Exploration of prior fusion L3-S1 and removal of '
        'instrumentation.\n2. L2 pedicle subtraction osteotomy.\n3. Posterior spinal fusion T10 to S1 with '
        'instrumentation.\n\nDESCRIPTION OF PROCEDURE:\nThe patient was positioned prone on the Jackson table '
        'and the previous midline incision was opened and extended proximally to T10.\n\nEXPLORATION OF PRIOR '
        'FUSION:\nThe old rods were cut and the L3, L4 and L5 screws were removed. The fusion mass was solid '
        'from L3 to L5. A pedicle subtraction osteotomy was then performed at L2, removing the pedicles and '
        'posterior elements of L2 and a wedge of the vertebral body. The osteotomy was closed with '
        'compression.\n\nINSTRUMENTATION:\nPedicle screws were placed from T10 to S1 and rods locked. Local '
        'autograft and allograft chips were placed.\n',
        ['20930', '20936', '22207', '22843']),
    'with_no_additional_ponte': (
        'OPERATIVE REPORT\nPROCEDURE: Posterior spinal fusion T10 to L4 with instrumentation, Ponte '
        'osteotomies T11-12 and T12-L1.\nDESCRIPTION OF PROCEDURE:\nThe patient was positioned prone. Pedicle '
        'screws were placed from T10 to L4. Ponte osteotomies were performed at T11-12 and T12-L1, removing '
        'the spinous processes, laminae, facets and ligamentum flavum. The rods were reduced and the '
        'kyphosis corrected well, with no additional Ponte osteotomy needed at L1-2. Local autograft and '
        'allograft chips were placed.\n',
        ['20930', '20936', '22212', '22216', '22843']),
    'with_no_additional_allograft': (
        'OPERATIVE REPORT\nPROCEDURE: L4-5 posterior spinal fusion with pedicle screw '
        'instrumentation.\nDESCRIPTION OF PROCEDURE:\nThe patient was positioned prone. Pedicle screws were '
        'placed at L4 and L5 bilaterally and rods locked. The transverse processes were decorticated and the '
        'gutters were packed with local autograft from the laminectomy, with no additional allograft or BMP '
        'used.\n',
        ['20936', '22840']),
    'with_no_additional_screws': (
        'OPERATIVE REPORT\nPROCEDURE: L3-L5 posterior spinal fusion with pedicle screw '
        'instrumentation.\nDESCRIPTION OF PROCEDURE:\nThe patient was positioned prone. Pedicle screws were '
        'placed at L3 and L5 bilaterally, with no additional screws at L4 because of the pars fracture, and '
        'rods locked. Local autograft was laid in the gutters.\n',
        ['20936', '22840']),
    'single_screw_revision': (
        'OPERATIVE REPORT\nPROCEDURES PERFORMED:\n1. Exploration of posterior spinal fusion L2 to S1.\n2. '
        'Revision of posterior segmental instrumentation L2 to S1 with replacement of loose right S1 pedicle '
        'screw.\nDESCRIPTION OF PROCEDURE:\nThe patient was positioned prone and the previous incision opened. '
        'The fusion was explored and found solid from L2 to L5. The right S1 screw was loose. The set screw '
        'was removed and the right S1 screw was removed. The tract was tapped and an 8.5 mm screw was placed '
        'at S1 on the right. The rod was re-seated and the set screws final-tightened.\n',
        []),
    's1_backed_out_turn': (
        'OPERATIVE REPORT\nPROCEDURE: L4-S1 posterior spinal fusion with pedicle screw '
        'instrumentation.\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone on the Jackson table. A '
        'midline incision was made from L4 to S1. Pedicle screws were placed bilaterally at L4 and L5. The '
        'S1 screws were placed and were then backed out one half turn so the heads would sit in line with '
        'the rod. Rods were contoured and locked. The transverse processes were decorticated and local '
        'autograft with allograft chips was laid in the lateral gutters.\n',
        ['20930', '20936', '22842']),
    'cage_clause_semicolon': (
        'OPERATIVE REPORT\nPROCEDURE: Left L4-5 transforaminal lumbar interbody fusion.\nDESCRIPTION OF '
        'PROCEDURE:\nThe patient was positioned prone on the Jackson table. A midline incision was made and '
        'the spine exposed. A left facetectomy and discectomy were performed and the endplates prepared. '
        'Bilateral pedicle screws were placed under fluoroscopic guidance; a 10 mm PEEK cage was placed at '
        'L4-5. Rods were contoured and locked. Local autograft was packed in the lateral gutters.\n',
        ['20936', '22840', '22853']),
    'tricortical_removed_comma': (
        'OPERATIVE REPORT\nPROCEDURE: Anterior cervical discectomy and fusion C5-6 with tricortical iliac '
        'crest autograft and anterior plate.\nDESCRIPTION OF PROCEDURE:\nThe patient was placed supine. A '
        'transverse incision was made on the right and the anterior cervical spine exposed. A complete '
        'discectomy was performed at C5-6. Through a separate incision over the left anterior iliac crest, a '
        'tricortical iliac crest graft was removed, contoured with a burr and tapped into the C5-6 '
        'interspace. A 16 mm anterior cervical plate was secured with screws at C5 and C6.\n',
        ['20938', '22845']),
    'drain_separate_incision': (
        'OPERATIVE REPORT\nPROCEDURE: L4-5 posterior spinal fusion with pedicle screws and local iliac crest '
        'autograft.\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone. A midline incision was made from '
        'L3 to S1. Pedicle screws were placed at L4 and L5 bilaterally. Without any separate skin or fascial '
        'incision, the right posterior iliac crest was reached beneath the same fascial exposure and '
        'cancellous bone was harvested with gouges. Rods were locked. The graft was laid over the '
        'decorticated transverse processes. A Hemovac drain was brought out through a stab wound separate '
        'from the main incision.\n',
        ['20936', '22840']),
    'infected_bone_ordinal_vertebra': (
        'OPERATIVE REPORT\nPROCEDURE: T11 corpectomy for osteomyelitis, expandable cage, posterior '
        'instrumentation T9 to L1.\nDESCRIPTION OF PROCEDURE:\nThe patient was positioned prone. Pedicle '
        'screws were placed at T9, T10, T12 and L1. The infected T11 vertebral body was resected through a '
        'costotransversectomy. Bone taken out of the eleventh thoracic vertebra was sent for culture and '
        'pathology. An expandable titanium cage filled with allograft chips was placed in the corpectomy '
        'defect. Rods were locked.\n',
        ['20930', '22842', '22854']),
}


@pytest.mark.parametrize("name", sorted(REVIEW_3C))
def test_third_review_snippets_get_the_codes_a_coder_gives(ex, name):
    """Each snippet broke one of a session's new rules: a distant osteotomy kept when the procedure list places
    the work, a revision subheader, "with no additional", one screw replaced, a screw backed out a half turn, a
    cage clause that tells a step, a graft "removed, contoured", a drain's stab wound, bone sent for culture."""
    text, codes = REVIEW_3C[name]
    assert sorted({c for c, _ in codes_of(ex, text)}) == codes


@pytest.mark.parametrize("passage", [
    ("ADDENDUM: The operative plan had included Ponte osteotomies at T6-7, T7-8, T8-9 and T9-10, to be carried "
     "out after screw placement. None of these osteotomies was begun; no posterior element was removed."),
    ("ADDENDUM: Outside CT reviewed.\nFINDINGS/IMPRESSION: Post-surgical changes from L2 to the pelvis with "
     "bilateral pedicle screws, two rods and two satellite rods spanning an L4 pedicle subtraction osteotomy."),
    ("Fluoroscopy: prior posterior construct T10-L5 intact, closed L3 pedicle subtraction osteotomy, no lucency "
     "around the L5 screws."),
])
def test_an_osteotomy_planned_in_an_addendum_or_seen_on_imaging_is_not_coded(ex, passage):
    """A plan that "had included" osteotomies none of which was begun, a radiology impression pasted into the
    note, an old osteotomy seen "closed" on fluoroscopy: none is today's osteotomy."""
    note = ("OPERATIVE REPORT\nPROCEDURE: Posterior spinal instrumentation T2-L2\nDESCRIPTION OF PROCEDURE:\nProne on a "
            "Jackson table. Pedicle screws were placed from T2 to L2 and two rods were seated. Local bone was laid "
            f"in the gutters and the wound was closed.\n\n{passage}\n")
    assert not {c for c, _ in codes_of(ex, note)} & {"22206", "22207", "22208", "22210", "22212", "22214", "22216"}



@pytest.mark.parametrize("sentence, absent", [
    ("The transverse processes were decorticated for the fusion bed; local bone not kept (small volume, "
     "osteopenic). Allograft chips were laid along the gutters.", "20936"),
    ("Implants: VG2 cervical allograft 7 mm lordotic x2; anterior cervical plate C5 to C7 with six screws.", "20930"),
])
def test_graft_not_kept_or_named_as_a_spacer_brand_is_no_morselized_graft(ex, sentence, absent):
    body = f"Pedicle screws were placed from L2 to L5 and rods seated. {sentence}"
    assert absent not in {c for c, _ in all_codes_of(ex, body)}


def test_sai_screws_named_by_their_abbreviation_are_pelvic_fixation(ex):
    body = ("Pedicle screws were placed bilaterally from T8 to S1 and SAI screws bilaterally into the pelvis, "
            "and two rods were seated.")
    assert ("22848", 1) in all_codes_of(ex, body)


PROBE_4 = {  # an adversarial probe's snippets (the prober's own writing), with the osteotomy codes a coder gives
    'rather_than': (
        'OPERATIVE REPORT\nPREOPERATIVE DIAGNOSIS: Flatback syndrome after L2-S1 fusion.\nPROCEDURE: Posterior '
        'fusion T10-pelvis, Ponte osteotomies T12-L1 and L1-2.\nDESCRIPTION OF PROCEDURE:\nProne on the '
        'Jackson table. Pedicle screws T10-L1, existing L2-S1 screws retained, bilateral iliac '
        'screws.\nRather than an L3 pedicle subtraction osteotomy, we performed Ponte osteotomies at T12-L1 '
        'and L1-2, resecting the facets and ligamentum flavum.\nRods contoured and connected. Allograft '
        'placed.\n',
        [('22212', 1), ('22216', 1)]),
    'converted': (
        'OPERATIVE REPORT\nPREOPERATIVE DIAGNOSIS: Fixed sagittal imbalance.\nPROCEDURE: PSF L1-S1; posterior '
        'column osteotomies L2-3, L3-4.\nDESCRIPTION OF PROCEDURE:\nProne. Pedicle screws L1-S1.\nThe '
        'originally planned L3 PSO was converted intraoperatively to posterior column osteotomies at L2-3 '
        'and L3-4 because of poor bone quality.\nFacets and ligamentum flavum resected at L2-3 and L3-4. '
        'Rods, compression. Allograft.\n',
        [('22214', 1), ('22216', 1)]),
    'deemed_unnecessary': (
        'OPERATIVE REPORT\nPREOPERATIVE DIAGNOSIS: Degenerative scoliosis.\nPROCEDURE: PSF T11-L5 with pedicle '
        'screws.\nDESCRIPTION OF PROCEDURE:\nProne. Pedicle screws T11-L5. Facets decorticated.\nAn L3 pedicle '
        'subtraction osteotomy had been templated but after positioning the lordosis was 52 degrees and the '
        'PSO was deemed unnecessary.\nRods placed. Allograft. Closure.\n',
        []),
    'not_required': (
        'OPERATIVE REPORT\nPREOPERATIVE DIAGNOSIS: Adult degenerative scoliosis.\nPROCEDURE: PSF T10-S1 with '
        'iliac screws.\nDESCRIPTION OF PROCEDURE:\nProne. Pedicle screws T10-S1 and iliac '
        'screws.\nPreoperatively an L4 PSO had been planned. Following releases and positioning, the PSO was '
        'not required.\nRods contoured, graft placed. Closure.\n',
        []),
    'held_reserve': (
        'OPERATIVE REPORT\nPREOPERATIVE DIAGNOSIS: Thoracolumbar kyphosis.\nPROCEDURE: PSF T9-L3.\nDESCRIPTION '
        'OF PROCEDURE:\nProne. Screws T9-L3.\nA T12 VCR was held in reserve pending the correction obtained '
        'with cantilever; correction to 15 degrees was obtained and this was not required.\nRods locked, '
        'graft placed.\n',
        []),
    'opted_against': (
        'OPERATIVE REPORT\nPREOPERATIVE DIAGNOSIS: Flatback.\nPROCEDURE: PSF T10-S1 with iliac '
        'fixation.\nDESCRIPTION OF PROCEDURE:\nProne. Screws T10-S1 and iliac screws. Given her osteoporosis '
        'we opted against an L3 PSO. Rods contoured. Allograft. Closure.\n',
        []),
    'skipped': (
        'OPERATIVE REPORT\nPREOPERATIVE DIAGNOSIS: Kyphosis.\nPROCEDURE: PSF T5-L1.\nDESCRIPTION OF '
        'PROCEDURE:\nProne. Screws T5-L1. The Ponte osteotomies at T8-9 and T9-10 were skipped because of '
        'bleeding and a drop in MAPs. Rods placed in situ. Allograft.\n',
        []),
    'attempt_then_no': (
        'OPERATIVE REPORT\nPREOPERATIVE DIAGNOSIS: Kyphosis.\nPROCEDURE: PSF T4-T12.\nDESCRIPTION OF '
        'PROCEDURE:\nProne. Screws T4-T12. Ponte osteotomies were planned at T7-8, T8-9 and T9-10 but were '
        'not carried out because the kyphosis corrected adequately with cantilever.\nRods. Graft.\n',
        []),
    'sp_osteotomy_approach': (
        'OPERATIVE REPORT\nPREOPERATIVE DIAGNOSIS: L3-4 and L4-5 stenosis.\nPROCEDURE: L3-4, L4-5 '
        'decompression via spinous process osteotomy approach.\nDESCRIPTION OF PROCEDURE:\nProne. Midline '
        'incision.\nThe spinous processes of L3 and L4 were osteotomized at their base and retracted '
        'laterally with the attached muscle.\nBilateral laminotomies at L3-4 and L4-5 with removal of '
        'ligamentum flavum and medial facetectomies for decompression.\nThe spinous processes were '
        'reapproximated with sutures. Closure.\n',
        []),
    'sp_osteotomy_decompress2': (
        'OPERATIVE REPORT\nPREOPERATIVE DIAGNOSIS: Lumbar stenosis L4-5.\nPROCEDURE: L4-5 decompression, '
        'spinous process osteotomy technique.\nDESCRIPTION OF PROCEDURE:\nProne. Midline incision. The L4 '
        'spinous process was osteotomized at its base with an osteotome and reflected laterally with the '
        'multifidus.\nBilateral L4 laminotomies, removal of hypertrophied ligamentum flavum and undercutting '
        'of the L4-5 facets.\nThe spinous process was reattached with a suture through drill holes.\n',
        []),
    'rods_broken_at_pso': (
        'OPERATIVE REPORT\nPREOPERATIVE DIAGNOSIS: Broken rods.\nPROCEDURE: Revision posterior instrumentation '
        'T10-S1, rod exchange.\nDESCRIPTION OF PROCEDURE:\nProne. Old incision opened.\nBoth rods were broken '
        'at the L3 PSO. The set screws were removed and the broken rods extracted.\nPseudarthrosis at the L3 '
        'pedicle subtraction osteotomy was debrided and grafted with allograft and BMP.\nFour new rods were '
        'placed from T10 to S1 with an accessory rod across the L3 osteotomy. Closure.\n',
        []),
    'nonunion_pso_noprior': (
        'OPERATIVE REPORT\nPREOPERATIVE DIAGNOSIS: Nonunion.\nPROCEDURE: Revision, rod exchange, '
        'L3-4.\nDESCRIPTION OF PROCEDURE:\nProne. The L3 PSO was nonunited anteriorly. The rods were exchanged '
        'and an L3-4 TLIF was performed through the nonunion. Allograft. Closure.\n',
        []),
    'previous_pcos_revision_new': (
        'OPERATIVE REPORT\nPREOPERATIVE DIAGNOSIS: Proximal junctional kyphosis above T10-pelvis fusion with '
        'prior PCOs at L1-2 and L2-3.\nPROCEDURE: Extension of fusion to T4; Ponte osteotomies T9-10, '
        'T10-11.\nDESCRIPTION OF PROCEDURE:\nProne. Screws T4-T9. Ponte osteotomies at T9-10 and T10-11 '
        'resecting facets and ligamentum flavum.\nThe old construct with the previous L1-2 and L2-3 posterior '
        'column osteotomies was solidly fused. Rods connected with dominos. Allograft.\n',
        [('22212', 1), ('22216', 1)]),
}


@pytest.mark.parametrize("name", sorted(PROBE_4))
def test_osteotomies_rejected_skipped_converted_or_old_in_other_words_are_not_coded(ex, name):
    """Ways surgeons say an osteotomy was not done today that the cue words did not cover: opted against,
    skipped, held in reserve, templated, deemed unnecessary, converted to another type, planned but not carried
    out, rather than (reaching only its own clause), a spinous process osteotomized for access and reattached, an
    old osteotomy named as the place of a pseudarthrosis or broken rods, or nonunited."""
    text, codes = PROBE_4[name]
    assert sorted(osteotomy_codes_in(ex, text)) == sorted(codes)


# Wave 12: the sentence shapes that carry an osteotomy not done today.
@pytest.mark.parametrize("sentence", [
    "For graft we used the right posterior iliac crest, which had been spared at her 2012 L3 pedicle subtraction "
    "osteotomy, when the left one was taken.",
    "In 1999 I corrected a kyphosis that had followed a fracture by a pedicle subtraction osteotomy of the third "
    "lumbar vertebra.",
    "The L3 pedicle subtraction osteotomy came next in the sequence, but the monitoring signals fell and after a long "
    "discussion with the anaesthetist the osteotomy was therefore not begun.",
    "We had weighed whether she would in the end need an L3 pedicle subtraction osteotomy.",
    "We agreed on the fusion first, keeping the L3 pedicle subtraction osteotomy in reserve.",
])
def test_an_osteotomy_not_done_today_whatever_the_sentence_shape(ex, sentence):
    body = f"{sentence} Pedicle screws were placed at L1, L2, L4 and L5 and two rods were seated in situ."
    codes = all_codes_of(ex, body)
    assert not {c for c, _ in codes} & {"22207", "22214"} and ("22842", 1) in codes


def test_the_same_sentence_shapes_keep_an_osteotomy_done_today(ex):
    body = ("The L3 pedicle subtraction osteotomy came next: the L3 pedicles and a posterior wedge of the L3 body "
            "were resected and the wedge closed. Pedicle screws were placed at L1, L2, L4 and L5 with two rods.")
    assert ("22207", 1) in all_codes_of(ex, body)


def test_a_bare_plate_in_an_operation_done_from_behind_is_bone(ex):
    body = ("The laminae of C4 through C7 were lifted off en bloc as a single plate with the ligaments, the "
            "ligamentum flavum being divided at C3-4 as the plate was elevated. Lateral mass screws were placed at "
            "C4, C5 and C6 and pedicle screws at T1, with two rods.")
    codes = {c for c, _ in all_codes_of(ex, body)}
    assert "22842" in codes and not codes & {"22845", "22846", "22847"}


def test_the_integrated_screws_of_a_stand_alone_cage_told_again_add_no_plate_code(ex):
    note = ("OPERATIVE REPORT\nDESCRIPTION OF PROCEDURE:\nShe was placed supine and the L5-S1 disc reached through a "
            "left retroperitoneal approach. The disc was removed. The implant was a hyperlordotic PEEK cage of the "
            "stand-alone kind with three integrated screws, packed with allograft chips and tapped into the disc space. "
            "The three screws were then driven through the cage, two into the body of S1 and one into the "
            "body of L5. No plate was used.\n")
    codes = {c for c, _ in codes_of(ex, note)}
    assert "22853" in codes and "22845" not in codes


# Wave 13: lumbar bone work that looks like a posterior-column osteotomy and is not one.
@pytest.mark.parametrize("sentence", [
    "The bone removal at L4-5 was as wide as a Ponte osteotomy however this was done for the nerve roots.",
    "The L4-5 facetectomy was done for the cage and the roots, not to correct alignment, although it was as complete "
    "as in a posterior column osteotomy at L4-5.",
    "5. Right L4-5 facet osteotomy for transforaminal access.\nA complete facetectomy was done with the osteotome.",
    "The osteotome raised flaps of the laminae of L4 and L5, the old fish-scaling, so that small osteotomies across "
    "L4-5 lay as a bed of raw bone.",
    "The L3 pars interarticularis was osteotomized with a quarter-inch osteotome and removed with the L3 inferior "
    "articular process as a complete facetectomy at L3-4.",
    "This man, on whom I carried out a fusion from L2 to L5 with Ponte osteotomies at L2-3 and L3-4 for a "
    "degenerative kyphosis, now has stenosis below it.",
])
def test_lumbar_bone_work_that_is_not_a_posterior_column_osteotomy(ex, sentence):
    body = f"{sentence} Pedicle screws were placed at L4 and L5 bilaterally with two rods."
    codes = all_codes_of(ex, body)
    assert not {c for c, _ in codes} & {"22210", "22212", "22214", "22216"} and ("22840", 1) in codes


REMOVAL = ("OPERATIVE REPORT\nPROCEDURE PERFORMED: Removal of posterior spinal instrumentation T5 to T11.\n\n"
           "DESCRIPTION OF PROCEDURE:\nThe patient was placed prone. The old incision was opened. The set screws were "
           "loosened and both rods lifted out. Each of the twelve pedicle screws, T5, T6, T7, T9, T10 and T11 on both "
           "sides, was then backed out and removed. {extra}The wound was closed in layers.\n")


def test_a_note_that_only_removes_hardware_codes_no_instrumentation(ex):
    record = ex.extract(REMOVAL.format(extra=""), "removal")
    assert not [s for s in record["suggestions"] if s["code"].startswith("228")]
    assert "hardware_removal_only" in {f["id"] for f in record["flags"]}
    placed = REMOVAL.format(extra="New pedicle screws were placed at T12 and L1 and new rods set from T5 to L1. ")
    assert ("22843", 1) in codes_of(ex, placed)


def test_a_list_of_levels_counts_as_one_word_in_a_cues_reach(ex):
    """"were never begun" reaches the Pontes back across "at L2-3 and L3-4" as it does across "at L2": a level
    written in three tokens is one word."""
    body = ("Pedicle screws were placed from L1 to L5 and two rods seated in situ. The Ponte osteotomies at L2-3 and "
            "L3-4 were never begun.")
    assert not {c for c, _ in all_codes_of(ex, body)} & {"22214", "22216"}


def test_an_unlevelled_named_type_takes_the_sites_the_next_sentence_cuts_at(ex):
    """X949 (external dev): the operation line names Smith-Petersen osteotomies "at three levels"; the narrative turns
    to "the osteotomies, starting at L1-2", cuts in the next sentence and repeats it at L2-3 and L3-4."""
    from pathlib import Path
    note = (Path(__file__).parent.parent / "corpora/external/dev/notes/X949.txt").read_text(encoding="utf-8")
    assert {c for c in codes_of(ex, note) if c[0].startswith("222")} == {("22214", 1), ("22216", 2)}


def test_a_next_step_after_an_osteotomy_keeps_its_own_level(ex):
    """"..., then across L5-S1 over the cage" is the compression's next step, not a second Ponte site; "Ponte
    osteotomy of T10, then T9" and "then at T11-12" still list the osteotomy's sites."""
    body = ("Pedicle screws were placed at L3, L4, L5 and S1. A Ponte osteotomy was done at L4-5, taking the spinous "
            "process, ligamentum flavum and both facets. A TLIF was done at L5-S1 with a PEEK cage. Sequential "
            "compression across L4-5 to close the Ponte gap, then across L5-S1 over the cage.")
    assert {c for c in all_codes_of(ex, body) if c[0].startswith("222")} == {("22214", 1)}
    listed = body.replace("A Ponte osteotomy was done at L4-5", "Ponte osteotomies were done at L3-4, then at L4-5")
    assert {c for c in all_codes_of(ex, listed) if c[0].startswith("222")} == {("22214", 1), ("22216", 1)}


def test_a_release_that_leaves_the_ligamentum_flavum_is_no_osteotomy(ex):
    """Grade 1: only the inferior articular processes and capsules excised "to loosen the curve", the ligamentum
    flavum left intact, is not a posterior release (not coded by default)."""
    body = ("Pedicle screws were placed at L1, L2, L3, L4 and L5. To loosen the curve, only the inferior articular "
            "processes and joint capsules were excised at L2-3, L3-4 and L4-5; the superior articular processes, "
            "ligamentum flavum, laminae and spinous processes were left intact. Rods were placed and the curve corrected.")
    assert not {c for c, _ in all_codes_of(ex, body)} & {"22214", "22216"}


def test_a_negated_sentence_naming_the_osteotomy_segments_does_not_cancel_them(ex):
    """X981's class: "No fixation was placed at C5, C6 or C7, the osteotomy segments" says nothing was
    screwed there, not that the osteotomies were not done."""
    procedures = "1. Smith-Petersen osteotomy at C5.\n2. Smith-Petersen osteotomy at C6."
    body = ("Lateral mass screws were placed at C3 and C4 and pedicle screws at T1. No fixation was placed at C5 or "
            "C6, the osteotomy segments.\n\nThe osteotomies were performed in sequence. At C5 and C6, the lower "
            "lamina, the fused facet masses and the ligamentum flavum were removed back to the pedicles.")
    assert osteotomy_codes_of(ex, body, procedures) == {("22210", 1), ("22216", 1)}


def test_sites_told_one_paragraph_each_after_an_unlevelled_osteotomy_sentence(ex):
    """X981's class: each site opens its own paragraph, with sentences going on about the same resection
    between them; all of them are sites."""
    procedures = "1. Smith-Petersen osteotomy at C5.\n2. Smith-Petersen osteotomy at C6.\n3. Smith-Petersen osteotomy at C7."
    body = ("The osteotomies were performed in sequence from cranial to caudal. At C5, the spinous process and the "
            "lower C5 lamina were removed with the burr. The fused facet mass below it, the C5 inferior and C6 "
            "superior articular processes, was removed on each side, and the ligamentum flavum was excised. The "
            "resection was carried back to the pedicles and the C6 roots were seen free.\n\n"
            "At C6, the lower lamina was taken and the ankylosed facet mass beneath it was resected on both sides "
            "with the ligamentum flavum. The resection reached the pedicles.\n\n"
            "At C7, the lower lamina was removed and the fused facet mass below it was resected bilaterally with the "
            "ligamentum flavum.")
    assert osteotomy_codes_of(ex, body, procedures) == {("22210", 1), ("22216", 2)}


def test_a_place_sentence_after_another_step_is_not_an_osteotomy_site(ex):
    """The sentences skipped between places go on with the same resection; a TLIF between them ends it."""
    body = ("The Ponte osteotomies were then performed. At L1-2, the spinous process base, the ligamentum flavum and "
            "both facets were resected back to the foramina. The gap was closed by compression. A TLIF was then "
            "performed at L4-5 on the left with a cage. At L3-4, the facets were resected with the osteotome.")
    assert osteotomy_codes_of(ex, body) == {("22214", 1)}


def test_complete_facetectomies_whose_purpose_the_next_sentences_give_are_releases(ex):
    """X986's class: the facetectomies, then the flavum and spinous bases, then "this was done to mobilize
    the stiff kyphotic segment": posterior releases at both interspaces (the junction sets the region)."""
    body = ("AT T12-L1 AND L1-2 WE PERFORMED COMPLETE FACETECTOMIES ON BOTH SIDES, REMOVING THE INFERIOR\nARTICULAR "
            "PROCESSES OF T12 AND L1 AND THE SUPERIOR ARTICULAR PROCESSES\nOF L1 AND L2 WITH THE BURR. THE LIGAMENTUM "
            "FLAVUM WAS RESECTED AT BOTH INTERSPACES AND THE\nBASES OF THE SPINOUS PROCESSES WERE REMOVED. THIS WAS "
            "DONE TO MOBILIZE\nTHE STIFF KYPHOTIC SEGMENT SO THAT IT COULD BE CORRECTED.\n")
    assert osteotomy_codes_of(ex, body) == {("22212", 1), ("22216", 1)}


def test_a_release_whose_levels_its_facetectomy_took_keeps_them(ex):
    """X938's class: "attention was turned to the posterior releases. At L3-4 and L4-5 ... complete
    facetectomies were carried out ... The purpose of these releases was to mobilize the curve"."""
    body = ("Attention was then turned to the posterior releases. At L3-4 and at L4-5 the spinous process bases were "
            "resected, the ligamentum flavum was removed, and complete facetectomies were carried out on both sides "
            "with osteotomes. The purpose of these releases was to mobilize the stiff curve so that it could be "
            "corrected.\n")
    assert osteotomy_codes_of(ex, body) == {("22214", 1), ("22216", 1)}


def test_a_tlif_facetectomy_whose_next_sentence_restores_lordosis_is_no_release(ex):
    """The next sentences' purpose does not make a facetectomy at a TLIF interspace a release."""
    body = ("A complete facetectomy was performed at L4-5 on the left. The ligamentum flavum was removed. This was done "
            "to allow correction of the lordosis through the interspace. A 12 mm lordotic cage packed with local bone "
            "was placed into the L4-5 disc space.\n")
    assert osteotomy_codes_of(ex, body) == set()


def test_interspaces_told_between_written_vertebrae_with_a_named_type_elsewhere(ex):
    """X915's class: the type is named once without levels ("Smith-Petersen osteotomies and fusion"), a bare
    "posterior osteotomies" is read elsewhere, and the osteotomies are told "between the eleventh and twelfth
    thoracic vertebrae, and between the twelfth thoracic and first lumbar", with a chevron-shaped gap."""
    body = ("Smith-Petersen osteotomies and fusion, with pedicle screw fixation, for kyphosis. The facet joints were "
            "stiff but not fused, and we felt posterior osteotomies through the joints would give the correction. "
            "Pedicle screws were inserted on both sides at T9, T10, T11, T12, L1 and L2. We then turned to the "
            "osteotomies, which we carried out at two interspaces, between the eleventh and twelfth thoracic "
            "vertebrae, and between the twelfth thoracic and first lumbar. At each of these the spinous processes "
            "were removed, both facet joints were excised completely and the ligamentum flavum was removed, so that "
            "a clean chevron-shaped gap was left through the posterior column.")
    assert osteotomy_codes_of(ex, body) == {("22212", 1), ("22216", 1)}


def test_a_pso_listed_with_its_transpedicular_wedge_synonym_and_told_by_steps(ex):
    """X969's class: "Pedicle subtraction osteotomy (transpedicular closing-wedge resection) of L2", told in
    the narrative by its steps, where the facets that came away "were not separate osteotomies"."""
    procedures = "1. Pedicle subtraction osteotomy (transpedicular closing-wedge resection) of L2."
    body = ("Attention then turned to L2. Its lamina was removed, and in doing so the L1-2 and L2-3 facet joints came "
            "away with the L2 resection itself; these were not separate osteotomies and are not counted as such. Both "
            "L2 pedicles were taken down to the vertebral body with a burr. A wedge of the L2 body, based posteriorly, "
            "was removed through both pedicles. The wedge was then closed by extending the table. Bone from the "
            "resections was morselized and laid in the gutters.")
    assert osteotomy_codes_of(ex, body, procedures) == {("22207", 1)}
    assert ("20936", 1) in codes_of(ex, note_with(body, procedures))


def test_osteotomies_told_one_by_one_with_ordinals_in_the_next_sentence(ex):
    """X631's class: "Attention was then turned to the osteotomies. The first was made at L1-2, the second at L2-3.\""""
    body = ("Attention was then turned to the osteotomies. The first was made at L1-2, the second at L2-3. At each we "
            "cut a V-shaped wedge through the fused laminae and the fused facet bone and removed the ligamentum "
            "flavum until the dura was exposed across the gap.")
    assert osteotomy_codes_of(ex, body) == {("22214", 1), ("22216", 1)}


def test_spinous_process_osteotomies_abbreviated_sp_are_an_exposure(ex):
    """Wave 15 (X1005's class): "SP osteotomies L3 and L4 w/ decompression": the spinous processes cut at their
    base for access and laid back, in a decompression without fusion."""
    procedures = "Proc: SP osteotomies L3 and L4 w/ decompression L3-L5 (b/l laminotomies L3-4, L4-5)"
    body = ("- L3 + L4 SPs cut across at base w/ osteotome -> swung to R, still on SSL/ISL\n"
            "- B/l laminotomies L3-4 + L4-5, medial facets undercut, LF removed\n"
            "- SPs laid back on bases -> sutured thru drill holes\n- No fusion. No implants, no graft\n")
    assert osteotomy_codes_of(ex, body, procedures) == set()


def test_a_template_grade_one_row_drops_its_interspaces_from_the_listed_osteotomies(ex):
    """Wave 15 (X1026's class): "[x] Grade 1 (partial facet joint resection)  Level(s): [L1-2, L2-3]" beside
    a grade 2 row: only the grade 2 (Ponte) interspaces are coded."""
    body = ("OSTEOTOMY\n  [x] Grade 1 (partial facet joint resection)      Level(s): [L1-2, L2-3]\n"
            "  [x] Grade 2 (complete facet resection / Ponte)   Level(s): [L3-4, L4-5]\n"
            "  [ ] Grade 3 (pedicle subtraction osteotomy)      Level(s): [ ]\n\n"
            "NARRATIVE:\nAt L3-4 and L4-5 Ponte-type osteotomies were done: spinous process, ligamentum flavum and "
            "both facet joints resected at each level. At L1-2 and L2-3 partial facet releases only, removing the "
            "inferior articular processes and capsules to loosen the curve.\n")
    assert osteotomy_codes_of(ex, body) == {("22214", 1), ("22216", 1)}


def test_old_screws_found_intact_and_well_fixed_in_the_findings_do_not_extend_the_construct(ex):
    """Wave 15 (X1020's class): "L1-L5 screws and rods intact and well fixed, no loosening" is the old
    construct inspected; the new screws at T11 and T12 are joined to it with connectors."""
    body = ("The old midline scar was excised. Dense scar over the old construct. L1-L5 screws and rods intact and "
            "well fixed, no loosening, solid fusion mass. Pedicle screws inserted bilaterally at T11 and T12. Two short "
            "new rods secured into the T11 and T12 screws, then joined to the old rods with side-to-side connectors "
            "at L1.\n")
    assert {c for c in all_codes_of(ex, body) if c[0].startswith("2284")} == {("22840", 1)}


def test_grade_two_osteotomies_written_gr_2_in_list_and_row_labels(ex):
    """Wave 16 (X1080's class): "Gr 2 osteotomy L2-3" listed and "L2-3 Gr 2: b/l SAP + IAP out, LF out" told;
    the "Gr 1" rows are not coded."""
    procedures = "3. Gr 2 osteotomy L2-3\n4. Gr 2 osteotomy L3-4\n5. Gr 1 L1-2 (IAP only)"
    body = ("L2-3 Gr 2: b/l SAP + IAP out, LF out, lower part SP L2 off\nL3-4 Gr 2: b/l SAP + IAP out, LF out, lower "
            "part SP L3 off\nL1-2 Gr 1: IAP only b/l -> fusion bed\nRods bent to lordosis -> compression across L2-3, "
            "L3-4 -> gaps closed.\n")
    assert osteotomy_codes_of(ex, body, procedures) == {("22214", 1), ("22216", 1)}


def test_a_listed_osteotomy_of_bridging_osteophytes_is_their_takedown(ex):
    """Wave 16 (X1044's class): "Anterior osteotomy/takedown of bridging osteophytes C3-C7" before an ACDF
    whose discs were present: spur removal, not an anterior osteotomy."""
    procedures = "1. Anterior osteotomy/takedown of bridging osteophytes C3-C7\n2. ACDF C3-4, C4-5, C5-6, C6-7"
    body = ("Large anterior bridging osteophytes were found running from C3 to C7. These were osteotomized with a 10 mm "
            "osteotome and the remnant taken down flush with the vertebral bodies. Beneath them all four discs were "
            "present and not ossified. Discectomy was done in turn at C3-4, C4-5, C5-6 and C6-7.")
    assert osteotomy_codes_of(ex, body, procedures) == set()


def test_bone_exposed_in_preparation_for_the_osteotomy_is_not_the_osteotomy(ex):
    """Wave 16 (X1057's class): the lamina and facet capsules cleared "in preparation for the osteotomy", then the
    case stopped before any bone was cut."""
    body = ("We then began to expose the T11 lamina in preparation for the osteotomy, clearing the soft tissue from the "
            "lamina and the T10-11 and T11-12 facet capsules. No bone had been cut at T11. The anesthesiologist called "
            "out an abrupt fall in end-tidal carbon dioxide and surgical activity was stopped.")
    assert osteotomy_codes_of(ex, body) == set()


def test_a_release_clause_before_a_semicolon_keeps_its_levels_from_the_decompression_after_it(ex):
    """Wave 16 (X1047's class): "At L2-3 and L3-4 both facet joints and the ligamentum flavum were resected to
    mobilize the stiff curve; at L4-5 a laminectomy with bilateral medial facetectomies decompressed the roots"."""
    body = ("Midline exposure L1-L5 and bilateral pedicle screws placed L1 to L5. At L2-3 and L3-4 both facet joints and "
            "the ligamentum flavum were resected to mobilize the stiff curve; at L4-5 a laminectomy with bilateral "
            "medial facetectomies decompressed the traversing L5 roots.")
    assert osteotomy_codes_of(ex, body) == {("22214", 1), ("22216", 1)}


def test_a_site_told_we_did_the_same_between_two_named_wedges(ex):
    """Wave 16 (X1045's class): "At the fourth cervical vertebra we outlined the wedge ... At the fifth cervical
    vertebra we did the same ... At the sixth cervical vertebra the third and last wedge was cut"."""
    body = ("The spine was ankylosed. We then turned to the osteotomies, which were of the Smith-Petersen type, a "
            "V-shaped wedge taken through the fused facet mass and lamina on each side. At the fourth cervical "
            "vertebra we outlined the wedge with the burr and removed the flavum. At the fifth cervical vertebra we did "
            "the same, again taking the fused facet mass and lamina on both sides. At the sixth cervical vertebra the "
            "third and last wedge was cut in the same manner.")
    assert osteotomy_codes_of(ex, body) == {("22210", 1), ("22216", 2)}


def test_the_place_cut_just_before_the_same_osteotomy_is_one_of_its_sites(ex):
    """Wave 16 (X1055's class): "At C4-5 the fusion mass was cut through along the old disc line ... with an
    osteotome. At C5-6 the same osteotomy was done": two anterior osteotomies through the old fusion."""
    body = ("Anterior approach to the cervical spine. The old plate was removed. Fusion mass solid across both interspaces. "
            "At C4-5 the fusion mass was cut through along the old disc line with the burr and finished with an "
            "osteotome, back to the PLL. At C5-6 the same osteotomy was done along the old disc line back to the PLL.")
    assert osteotomy_codes_of(ex, body) == {("22220", 1), ("22226", 1)}


def test_cancellous_bone_taken_out_of_the_osteotomized_vertebra_is_local_bone(ex):
    """Wave 16 (X1066's class): "the cancellous bone we had taken out of T10, mixed with freeze-dried bank bone"."""
    body = ("We decorticated the laminae and transverse processes from T7 to L1 and laid the cancellous bone we had taken "
            "out of T10, mixed with freeze-dried bank bone, over the decorticated surfaces on both sides.")
    assert {c for c in all_codes_of(ex, body) if c[0].startswith("209")} == {("20930", 1), ("20936", 1)}


def test_demineralized_bone_matrix_as_speech_recognition_writes_it(ex):
    """Wave 16 (X1063's class): "the local bone ... mixed with demineralize bone matrix was laid down"."""
    body = "The local bone from the facets and spinous processes mixed with demineralize bone matrix was laid down T5 to L2."
    assert {c for c in all_codes_of(ex, body) if c[0].startswith("209")} == {("20930", 1), ("20936", 1)}


def test_s2_alar_iliac_screws_from_the_s2_starting_point_end_the_construct_at_s1(ex):
    """Wave 16 (X1070's class): "S2-alar-iliac screws ... directed from the S2 starting point": pelvic fixation,
    and the construct L1 to the sacrum is six segments, not seven."""
    body = ("Pedicle screws were inserted bilaterally at L1, L2, L3, L4, L5 and S1. S2-alar-iliac screws were then "
            "inserted on both sides, directed from the S2 starting point across the sacroiliac joint. Rods were placed.")
    assert {c for c in all_codes_of(ex, body) if c[0].startswith("228")} == {("22842", 1), ("22848", 1)}


def test_the_incision_and_exposure_extent_in_a_run_on_sentence_is_not_the_screws(ex):
    """Wave 15 (X1016's class): one comma-spliced sentence runs "a midline incision was made from tee 9 to L4 and
    subperiosteal dissection was carried out ... from T10 to L3" into the screws "at tee ten, tee eleven, L2 and L3"."""
    body = ("She was positioned prone, a midline incision was made from tee 9 to L4 and subperiosteal dissection was "
            "carried out to the transverse processes from T10 to L3 and levels were confirmed on fluoroscopy, pedicle "
            "screws were then placed bilaterally at tee ten, tee eleven, L2 and L3 using a free hand technique, each "
            "tract was palpated, screws were not placed at T 12 or L1 because of the infected bone.")
    assert {c for c in all_codes_of(ex, body) if c[0].startswith("228")} == {("22842", 1)}


def test_vertebrae_left_free_of_screws_are_not_fixation_points(ex):
    """X1069's class: "Lateral mass screws and thoracic pedicle screws placed as listed above, C7 and T1 left free
    to allow the osteotomies" - C7 and T1 hold no screw."""
    body = ("Lateral mass screws were placed at C4, C5 and C6 and pedicle screws at T2, T3 and T4. Rods were placed, "
            "C7 and T1 left free to allow the osteotomies.")
    assert {c for c in all_codes_of(ex, body) if c[0].startswith("228")} == {("22843", 1)}
    body = "Lateral mass screws and thoracic pedicle screws placed, C7 and T1 left free to allow the osteotomies."
    assert not {c for c in all_codes_of(ex, body) if c[0].startswith("228")}


def test_interspaces_told_beginning_at_then_then_and_lastly(ex):
    """Wave 17 (X1095's class): "beginning at T7-8, then T8-9, then T9-10 and lastly T10-11": four sites."""
    body = ("The Smith-Petersen osteotomies were made through the stiff apical segment, beginning at T7-8, then T8-9, "
            "then T9-10 and lastly T10-11, and at each of these interspaces we took away the spinous process, the "
            "ligamentum flavum and both facet joints.")
    assert osteotomy_codes_of(ex, body) == {("22212", 1), ("22216", 3)}


def test_osteotomies_done_at_the_levels_in_the_template_field(ex):
    """Wave 17 (X1091's class): "Type: [Smith-Petersen (Schwab grade 2)]  Level(s): [T12-L1, L1-2, L2-3]" in the
    template and "Smith-Petersen osteotomies at the levels in the osteotomy field" in the narrative."""
    procedures = ("  Osteotomy: [x] Yes  [ ] No\n      Type: [Smith-Petersen (Schwab grade 2)]      "
                  "Level(s): [T12-L1, L1-2, L2-3]\n")
    body = ("Midline exposure T9-L4. Pedicle screws placed bilaterally. Smith-Petersen osteotomies at the levels in the "
            "osteotomy field: spinous process bases, ligamentum flavum and both facet joints removed at each. Rods "
            "seated and the osteotomies closed.\n")
    assert osteotomy_codes_of(ex, body, procedures) == {("22212", 1), ("22216", 2)}


def test_a_wedge_of_the_named_pso_body_told_through_the_disc_above_is_not_a_second_pso(ex):
    """Wave 18 (X1153's class): "Extended PSO" at L3 named, then "Wedge resection of the L3 body ... extending
    through the superior end plate of L3 and the L2-3 disc space": one extended PSO, no add-on."""
    body = ("Both L3 pedicles resected down to the body. L2-3 disc excised. Wedge resection of the L3 body with the base "
            "posterior, extending through the superior end plate of L3 and the L2-3 disc space; lateral walls taken. "
            "Osteotomy closed 35 degrees. Correction table: L3 Extended PSO (incl. L2-3 disc) 35 deg.")
    assert osteotomy_codes_of(ex, body, "1. Extended pedicle subtraction osteotomy L3.") == {("22207", 1)}


def test_a_marrow_harvest_for_a_transplant_donor_is_not_a_spine_operation(ex):
    """Wave 18 (X1123's class): a hematology procedure note of a bone marrow harvest from both posterior iliac
    crests for an allogeneic transplant, which mentions 'Prior spine surgery: No'."""
    text = ("HEMATOLOGY / BLOOD AND MARROW TRANSPLANT SERVICE\nPROCEDURE NOTE\n\nProcedure: Bone marrow harvest, "
            "allogeneic unrelated donor\nIndication: Collection of marrow for allogeneic hematopoietic cell transplant\n"
            "Anesthesia: General\nPosition: Prone\nPrior spine surgery:  [ ] Yes  [x] No\n\nDescription: Through two "
            "small stab incisions over the posterior iliac crests, marrow was aspirated with harvest needles in 5 mL "
            "pulls from multiple sites, 1,100 mL in total. The spinal canal was not approached. Pressure dressings.\n")
    record = ex.extract(text)
    assert record["status"] == "skipped" and not record["suggestions"]


def test_a_cage_we_had_planned_but_could_not_place_is_not_coded(ex):
    """Wave 18 (X1160's class): "We had planned a right L5-S1 transforaminal cage ... no interbody cage was
    implanted", with the procedure list still naming the cage."""
    body = ("We had planned a right L5-S1 transforaminal cage. A discectomy was performed and the end plates prepared. "
            "However the disc space was very collapsed and the trial cages would not pass. So no interbody cage was "
            "implanted. Instead the disc space was packed with morselized local bone.")
    assert not {c for c in all_codes_of(ex, body) if c[0] == "22853"}


def test_bank_spacers_written_allo_graft_spacer_or_cancellous_allograft_spacer_are_structural(ex):
    """Wave 18 (X1122's class): "a 7mm allo graft spacer", "a 7 millimeter cortico cancellous allograft spacer":
    structural allograft only (20931), no morselized allograft."""
    body = ("At C4-5 the trials were placed and removed and a 7mm allo graft spacer was tapped into the C4-5 space. At "
            "C3-4 a 7 millimeter cortico cancellous allograft spacer was tapped into the C3-4 space. An anterior "
            "cervical plate was placed from C3 to C5.")
    assert {c for c in all_codes_of(ex, body) if c[0].startswith("209")} == {("20931", 1)}


def test_a_site_told_in_the_same_way_between_two_named_osteotomies(ex):
    """Wave 18 (X1146's class): "The T12 osteotomy was then done: ... At L1 the inferior facets ... were excised
    with the superior facets of L2 and the intervening ligamentum flavum, in the same way ... The L2 osteotomy"."""
    body = ("The T12 osteotomy was then done: the inferior facets and the base of the spinous process of T12, the "
            "superior facets of L1 and the ligamentum flavum between them were removed. At L1 the inferior facets and "
            "the base of the L1 spinous process were excised with the superior facets of L2 and the intervening "
            "ligamentum flavum, in the same way. The L2 osteotomy completed the series, with removal of the L2 inferior "
            "facets, the superior facets of L3 and the ligamentum flavum.")
    assert osteotomy_codes_of(ex, body, "  - Smith-Petersen osteotomy T12\n  - Smith-Petersen osteotomy L1\n"
                              "  - Smith-Petersen osteotomy L2") == {("22212", 1), ("22216", 2)}


def test_screws_upsized_into_old_tracts_are_new_hardware(ex):
    """Wave 18 (X1144's class): "Old L4/L5/S1 tracts probed, upsized - 7.5 mm screws b/l L4, L5, S1" after the old
    screws came out: the new construct runs L3-S1."""
    body = ("ROH: set screws out, b/l rods out, all 6 PS L4/L5/S1 removed. L3 PS placed b/l (6.5 x 45). Old L4/L5/S1 "
            "tracts probed, upsized - 7.5 mm screws b/l L4, L5, S1. 2 new rods contoured, placed L3-S1, final tighten.")
    assert {c for c in all_codes_of(ex, body) if c[0].startswith("228")} == {("22842", 1)}


@pytest.mark.parametrize("body", [
    "THE BONE REMOVED AT THE PONTE OSTEOTOMY RESECTIONS WAS MIXED WITH FREEZE-DRIED ALLOGRAFT CHIPS AND PACKED.",
    "The bone from the wedge, mixed with freeze-dried bank bone, was laid along both sides.",
    "The anterior spur was taken down flush and the spur bone was saved; it was packed with allograft chips.",
])
def test_local_bone_named_by_the_resection_it_came_from(ex, body):
    """Waves 17-18: bone from the Ponte resections, from the wedge, spur bone."""
    assert ("20936", 1) in all_codes_of(ex, "Pedicle screws were placed at L2, L3 and L4. " + body)


def test_marrow_drawn_through_the_pedicle_tracts_in_the_same_wound_is_no_20939(ex):
    """Wave 15 (X1029's class): "Jamshidi needle thru pedicle tracts ... marrow aspirated, same wound, no separate
    incision. Allo chips soaked in BMA" - and "BMA" again later - is no separate-incision aspiration."""
    body = ("- Jamshidi needle thru pedicle tracts into L3, L4, L5 bodies -> ~30 mL marrow aspirated, same wound, no "
            "separate incision. Allo chips soaked in BMA on back table.\n- PS placed b/l L3, L4, L5.\n"
            "- PLF L3-L5: allo chips/BMA + laminectomy bone laid in gutters b/l.\n")
    assert not {c for c in all_codes_of(ex, body) if c[0] == "20939"}
    crest = ("- Through a separate stab incision over the right iliac crest, 30 mL marrow aspirated. Allo chips soaked "
             "in BMA.\n- PS placed b/l L3, L4, L5.\n")
    assert ("20939", 1) in all_codes_of(ex, crest)


def test_the_levels_an_angle_was_measured_over_are_no_osteotomy_sites(ex):
    """X1045's class: "a fixed kyphosis of twenty-two degrees between C2 and C7 ...; the disc spaces are narrow but
    have not bridged, which is what makes a posterior closing osteotomy possible" names no site."""
    body = ("His cervical facet joints have fused solid, leaving him with a fixed kyphosis of twenty-two degrees between "
            "C2 and C7 and a good deal of neck pain; the disc spaces are narrow but have not bridged, which is what "
            "makes a posterior closing osteotomy possible. Lateral mass screws were placed at C3 and pedicle screws at "
            "C7 and T1. The Smith-Petersen osteotomy was made at C5, taking the fused facet mass and lamina on both "
            "sides.")
    assert osteotomy_codes_of(ex, body) == {("22210", 1)}


def test_bone_saved_from_the_corpectomy_body_is_local_bone(ex):
    """Wave 17 (X1110's class): "a titanium mesh cage ... packed with the bone saved from the C4 body"."""
    body = ("A C4 corpectomy was performed with the bone collected. A titanium mesh cage, cut to length and packed with "
            "the bone saved from the C4 body, was placed in the corpectomy trough from C3 to C5. An anterior plate was "
            "applied from C3 to C5.")
    assert ("20936", 1) in all_codes_of(ex, body)


@pytest.mark.parametrize("body,codes", [
    # a slip's grade is no osteotomy row
    ("Spondylolisthesis grade 2: L5 on S1, partially reduced. Pedicle screws were placed at L4, L5 and S1 and rods were "
     "locked. Local bone was laid posterolaterally.", set()),
    # "and lastly" joins a list only while the item ends it
    ("Ponte osteotomies were performed at T11-12 and T12-L1, and lastly L4-5 was decompressed with a laminotomy and "
     "foraminotomies for the stenosis.", {("22212", 1), ("22216", 1)}),
    # "did the same" / "in the same manner" repeat an osteotomy only in a sentence opening on its place
    ("A Ponte osteotomy was performed at L2-3 removing the facets and ligamentum flavum. The dura was inspected at L2-3 "
     "and no tear was seen; we then did the same at L4-5 after the laminotomy.", {("22214", 1)}),
    ("A Ponte osteotomy was performed at T11-12 removing the facets and ligamentum flavum. Triggered EMG testing of the "
     "T12 and L1 pedicle tracts was then carried out, in the same manner as on the right.", {("22212", 1)}),
    # a step "in preparation for" the osteotomy does not cancel it, nor does "as we had planned"
    ("A temporary rod was placed on the left in preparation for the L3 pedicle subtraction osteotomy. The L3 lamina, "
     "both pedicles and a posterior wedge of the body were removed. The osteotomy was closed.", {("22207", 1)}),
    ("As we had planned, Ponte osteotomies were then performed at T11-12, T12-L1 and L1-2, with resection of the "
     "facets and ligamentum flavum.", {("22212", 1), ("22216", 2)}),
    # the apex of the kyphosis is where the PSO was done; "across the kyphosis from T8 to T12" are the Pontes' sites
    ("A pedicle subtraction osteotomy was performed at the apex of the kyphosis (L1), resecting both pedicles and a "
     "wedge of the body.", {("22207", 1)}),
    ("Ponte osteotomies were then performed across the kyphosis from T8 to T12, removing the facets and ligamentum "
     "flavum at each interspace.", {("22212", 1), ("22216", 3)}),
    # a clause before a semicolon that only begins the osteotomy keeps its level
    ("At L3 the spinous process and lamina were removed bilaterally; a pedicle subtraction osteotomy was then carried "
     "out through both pedicles and the body.", {("22207", 1)}),
])
def test_cold_review_probes_of_the_sessions_new_readings(ex, body, codes):
    """The cold review's probes (overreach of this session's readings) give the codes a careful coder gives."""
    assert osteotomy_codes_of(ex, body) == codes


def test_screws_placed_freehand_are_not_left_free(ex):
    body = ("Pedicle screws were placed at L2 and L5 bilaterally under navigation, and at L3 and L4 left freehand because "
            "the reference array was obstructed. Rods were locked.")
    assert {c for c in all_codes_of(ex, body) if c[0].startswith("228")} == {("22842", 1)}


def test_a_pso_planned_and_not_performed_with_its_site_marked_is_not_coded(ex):
    """Wave 19 (X1175's class): "L3 pedicle subtraction osteotomy planned, 30-35 degrees. NOT PERFORMED." with
    "L3 left empty for the osteotomy" and "the L3 osteotomy site marked, before any bone at L3 had been cut"."""
    procedures = "6. L3 pedicle subtraction osteotomy - NOT PERFORMED (see Osteotomy)"
    body = ("Freehand pedicle screws bilaterally T4 through L2 and L4 through S1, L3 left empty for the osteotomy.\n\n"
            "Osteotomy. L3 pedicle subtraction osteotomy planned, 30-35 degrees. NOT PERFORMED. With all screws in and "
            "the L3 osteotomy site marked, before any bone at L3 had been cut, the motor potentials dropped.\n")
    assert osteotomy_codes_of(ex, body, procedures) == set()


def test_a_vertebral_column_resection_told_with_both_discs_is_one_vertebra(ex):
    """Wave 19 (X1174's class): "the T11 body was removed in its entirety, by decancellation from each side ..., and
    the T10-11 and T11-12 discs were removed": one three-column site, T11."""
    procedures = "1. Posterior vertebral column resection of T11."
    body = ("With both sides open, the T11 body was removed in its entirety, by decancellation from each side and then "
            "the lateral walls, and the T10-11 and T11-12 discs were removed completely back to bleeding endplate bone.")
    assert osteotomy_codes_of(ex, body, procedures) == {("22206", 1)}


def test_an_osteotomy_heading_naming_its_level_and_type_in_parentheses(ex):
    """Wave 20 (X1212's class): "Osteotomy (L2 PSO):" over bullets resecting the L2 spinous process, laminae, facets
    (exposing the L1 and L2 roots), pedicles and body: the PSO, no posterior-column osteotomy."""
    body = ("Osteotomy (L2 PSO):\n- L2 spinous process and laminae removed.\n- L2 facets removed bilaterally, exposing the "
            "L2 pedicles and the L1 and L2 roots.\n- Both L2 pedicles removed; decancellation of the L2 body through the "
            "pedicles with curettes.\n- Closed with compression.\n")
    assert osteotomy_codes_of(ex, body, "1. L2 PSO.") == {("22207", 1)}


def test_a_cage_opened_on_the_back_table_and_not_implanted_is_not_coded(ex):
    """Wave 20 (X1203's class): the time-out confirms "the availability of the implants, including the expandable
    cage"; a VCR with "placement of an anterior column cage ... would add risk"; the cage "opened on the back table
    was not implanted"."""
    body = ("A time-out was performed confirming the availability of the implants, including the expandable cage. "
            "Pedicle screws were placed at T12, L1, L3 and L4. A pedicle subtraction osteotomy of L2 was performed and "
            "closed. I judged that a complete vertebral column resection, with placement of an anterior column cage, "
            "would add risk without benefit. The L1-2 and L2-3 discs were left intact, and the expandable cage opened on "
            "the back table was not implanted.")
    assert not {c for c in all_codes_of(ex, body) if c[0] in ("22853", "22854")}


def test_posterior_elements_fused_into_a_plate_of_bone_are_no_anterior_plate(ex):
    """Wave 19 (X1163's class): "the posterior elements, which were fused into a single plate of bone" in an
    ankylosed spine: anatomy, not an anterior plate construct."""
    body = ("Through a midline incision from T10 down to the sacrum we stripped the muscles off the posterior elements, "
            "which were fused into a single plate of bone. Pedicle screws were then placed on both sides at T11, T12 and "
            "L1 above and at L3, L4 and L5 below, leaving L2 without a screw. Rods were seated from T11 to L5.")
    assert {c for c in all_codes_of(ex, body) if c[0].startswith("228")} == {("22843", 1)}


def test_old_screws_not_exposed_or_disturbed_in_a_lateral_operation(ex):
    """Wave 19 (X1196's class): "No posterior surgery was done today, and the L4-S1 pedicle screws and rods were not
    exposed or disturbed" beside a lateral interbody implant and plate."""
    body = ("Through a left retroperitoneal transpsoas approach a lateral PEEK implant packed with allograft chips was "
            "placed at L3-4 and a two-screw lateral plate applied from L3 to L4. No posterior surgery was done today, and "
            "the L4-S1 pedicle screws and rods were not exposed or disturbed.")
    assert {c for c in all_codes_of(ex, body) if c[0].startswith("228")} == {("22853", 1), ("22845", 1)}


@pytest.mark.parametrize("line,graft", [
    ("- Follow OR cultures and sensitivities; weekly CBC, BMP, ESR, CRP.", False),
    ("4. CKD stage 3. No contrast used. Recheck BMP in AM.", False),
    ("rhBMP-2 sponges were laid in the lateral gutters. BMP was placed over the decorticated bed.", True),
])
def test_bmp_the_metabolic_panel_is_not_bone_morphogenetic_protein(ex, line, graft):
    """Wave 19-20 (X1171, X1219): a hospitalist's plan rechecking the BMP adds no 20930."""
    body = "Pedicle screws were placed at L3, L4 and L5 and local bone was laid posterolaterally.\n" + line + "\n"
    assert (("20930", 1) in all_codes_of(ex, body)) == graft



C1_C2 = ("OP NOTE\nProc: Posterior C1-C2 fusion - C1 lateral mass + C2 pedicle screws b/l, rods x2; local bone + allo\n"
         "Description:\n- Prone in Mayfield pins, fluoro lat.\n"
         "- Midline incision to C3, C1 posterior arch + C2 lamina and spinous process exposed subperiosteally.\n"
         "- Lower edge of C1 posterior arch notched w/ burr b/l {words},\n  then C1 LMS 3.5 x 30 mm b/l, fluoro ok.\n"
         "- C2 pedicle screws b/l. Rods x2 set and tightened.\n"
         "- C1 arch + C2 lamina decorticated. Tip of C2 SP taken -> morselized, + allo chips laid over C1-C2.\n")


@pytest.mark.parametrize("words", ["to clear the screw entry points (osteotomy of C1 arch)",
                                   "to clear C1 screw entry (osteotomy of the arch)"])
def test_bone_cut_to_make_room_for_a_screw_is_no_osteotomy(ex, words):
    """Wave 21 (X1254's class): the C1 arch notched for the lateral mass screws is a cut for the screws, whatever
    the sentence calls it; an osteotomy told in a sentence of its own still types from the resection."""
    assert osteotomy_codes_in(ex, C1_C2.format(words=words)) == set()
    corrective = C1_C2.format(words="for the screws").replace(
        "- C2 pedicle screws", "- Osteotomy at C2-3: C2 spinous process, flavum and both C2-3 facets resected.\n- C2 pedicle screws")
    assert osteotomy_codes_in(ex, corrective) == {("22210", 1)}


@pytest.mark.parametrize("graft", ["tricortical graft from the right iliac crest", "H-graft from the left iliac crest",
                                   "bicortical graft from the posterior iliac crest"])
def test_a_structural_crest_graft_named_with_graft_from_the_crest_is_one_graft(ex, graft):
    """Wave 21 (X1255's class): "an interspinous H-graft from the right iliac crest" is the structural graft the
    narrative harvests as a bicortical block (20938), not a second, morselized crest graft (20937)."""
    body = (f"An interspinous {graft} was used. Through a separate incision over the crest a bicortical block was cut "
            "with osteotomes, shaped and keyed between the L4 and L5 spinous processes. Pedicle screws were placed at L4 "
            "and L5 and the rods locked.\n")
    codes = all_codes_of(ex, body)
    assert ("20938", 1) in codes and ("20937", 1) not in codes


def test_old_hooks_disengaged_and_connectors_to_old_rods_do_not_extend_the_new_construct(ex):
    """Wave 21 (X1244's and X1257's classes): "T4 hook and L3 hook disengaged -> rod + hooks out" removes the old
    construct; "side-by-side rod-to-rod connectors (L1-L2)" join the new rods to the old ones and hold no bone."""
    body = ("Revision. The old Harrington rod was exposed; T4 hook and L3 hook disengaged -> rod + hooks out.\n"
            "Pedicle screws were placed bilaterally at T12 and L1 and joined with two cobalt chrome rods; "
            "2 x side-by-side rod-to-rod connectors (L2-L3) joined them to the old rods below.\n")
    codes = all_codes_of(ex, body)
    assert ("22840", 1) in codes  # T12-L1 (not T4-L3, nor T12-L3)


def test_a_range_of_sites_after_the_word_kyphosis_is_not_a_measured_angle(ex):
    """A cold review's probe: "Ponte osteotomies ... across the kyphosis from T10-11 to T12-L1 ..., removing 6 mm of
    bone at each level": the millimetres are no angle, the range is where the osteotomies were done."""
    body = ("Pedicle screws were placed from T8 to L3. Ponte osteotomies were then done across the kyphosis from T10-11 to "
            "T12-L1 with Kerrison punches, taking 6 mm of bone at each level. Rods were placed and compressed.\n")
    assert osteotomy_codes_of(ex, body) == {("22212", 1), ("22216", 2)}


def test_screw_entry_far_along_the_sentence_leaves_the_resection_typed(ex):
    """A cold review's probe: an osteotomy told by its resection, in a sentence that also names the screw entry sites
    well away from it, is still typed from the resection."""
    body = ("At L3 the osteotomy was performed: the lamina, both facets and both pedicles were removed and a wedge of the L3 "
            "body was resected with osteotomes and closed, after the screw entry sites at L2 and L4 had been prepared "
            "with the awl.\n")
    assert osteotomy_codes_of(ex, body) == {("22207", 1)}


def test_osteotomies_at_each_interspace_of_a_range_in_words_are_counted(ex):
    """Wave 22 (X1301's class): "the osteotomies, which were done at each interspace from the first to the fifth lumbar
    vertebra", with screws "from the eleventh thoracic vertebra down to the sacrum": four lumbar sites and a T11-S1
    construct (a range of the osteotomies' sentence is their sites when it says each interspace)."""
    body = ("We put in the pedicle screws on both sides from the eleventh thoracic vertebra down to the sacrum. With the "
            "screws in we turned to the osteotomies, which were done at each interspace from the first to the fifth "
            "lumbar vertebra. At every one we took the base of the spinous process, the ligamentum flavum and both "
            "facet joints, leaving a chevron-shaped gap. Rods were seated and the gaps closed by compression.\n")
    codes = all_codes_of(ex, body)
    assert {("22214", 1), ("22216", 3), ("22843", 1)} <= codes


def test_sites_told_one_paragraph_each_by_ordinal_are_all_counted(ex):
    """Wave 22 (X1285's class): a type named in the title, then one paragraph per site, the later ones only by their
    ordinal ("The third was taken between ...", "The fourth and last was between ..."), the first site at the junction
    in words: four posterior sites, coded from the thoracic junction (not one lumbar site)."""
    body = ("Pedicle screws were placed from T11 to L4.\n\nWe started the osteotomies cephalad, between "
            "the twelfth thoracic and the first lumbar vertebrae. The spinous process base and the yellow ligament came "
            "away and both facet joints were cut out with an osteotome until the roots were seen.\n\nThe second osteotomy "
            "lay between the first and second lumbar vertebrae, where the joints were thick; they were cut through as "
            "before.\n\nThe third was taken between the second and third lumbar vertebrae in the same manner, spinous base, "
            "flavum and both facets being removed with osteotomes.\n\nThe fourth and last was between the third and fourth "
            "lumbar vertebrae.\n\nRods were placed and the gaps shut by compression.\n")
    assert osteotomy_codes_of(ex, body, "1. Posterior fusion T11-L4.\n2. Smith-Petersen osteotomies.") == {
        ("22212", 1), ("22216", 3)}


def test_levels_named_as_a_type_by_a_copula_belong_to_that_type(ex):
    """Wave 22 (X1307's class): "the L2-3 and L3-4 resections are Ponte osteotomies, and the L4-5 resection is called
    a grade 2 osteotomy": each list goes to the type the sentence names it as (three posterior sites)."""
    body = ("Attention was turned to the osteotomies. At L2-3, L3-4 and L4-5 the spinous process base, the flavum and "
            "both facet joints were resected. The L2-3 and L3-4 resections are Ponte osteotomies, and the L4-5 "
            "resection is called a grade 2 osteotomy. Rods were placed and compressed.\n")
    listed = "1. Ponte osteotomies L2-3, L3-4.\n2. Grade 2 osteotomy L4-5."
    record = ex.extract(note_with(body, listed), "copula")
    ponte = [[s["label"] for s in o["sites"]] for o in record["facts"]["osteotomies"] if o["type"] == "ponte"]
    assert ponte == [["L2-3", "L3-4"]]
    assert osteotomy_codes_of(ex, body, listed) == {("22214", 1), ("22216", 2)}


def test_a_range_of_osteotomies_not_counted_among_another_step_stays_done(ex):
    """Wave 22 (X1284's class): "it is not counted among the posterior column osteotomies between T12 and L3" says the
    TLIF facetectomy is not one of them; the osteotomies it names are still done (three sites)."""
    body = ("Posterior column osteotomies were performed at each interspace between T12 and L3: the spinous process base, "
            "the laminar edges, the flavum and both facets were removed. A left L4-5 TLIF was then done with a complete "
            "facetectomy for access to the disc. That facetectomy was done for the cage; it is not counted among the "
            "posterior column osteotomies between T12 and L3.\n")
    assert osteotomy_codes_of(ex, body) == {("22212", 1), ("22216", 2)}


def test_an_unlevelled_osteotomy_word_beside_the_abandoned_site_keeps_the_others(ex):
    """Wave 22 (X1298's class): "because closing an osteotomy at this level would buckle the dura, the L3-4 osteotomy
    was abandoned": the abandoned site is L3-4 only; the osteotomies done at L2-3 and L4-5 stay coded."""
    body = ("The Smith-Petersen osteotomy at L4-5 was performed first, removing the spinous process base, the flavum and "
            "both facet joints. At L3-4 a dural scar was found; because closing an osteotomy at this level would buckle "
            "the dura, the L3-4 osteotomy was abandoned and both facets were left intact. The L2-3 Smith-Petersen "
            "osteotomy was then completed in the same way. Rods were placed and the gaps closed.\n")
    assert osteotomy_codes_of(ex, body) == {("22214", 1), ("22216", 1)}


def test_a_capitals_block_title_over_bracketed_fields_is_a_section(ex):
    """Wave 22 (X1289's class): "OSTEOTOMY" alone on its line over "[Osteotomy type: Ponte]" / "[Level(s): L2-L5]" is
    the block of the osteotomy done (three sites), not part of the administrative fields before it; "[Graft: Allograft
    - N/A]" and a table cell "Interbody device      N/A" place nothing."""
    text = ("OPERATIVE NOTE\nProcedure date: [DATE]\nPosition: [Prone]     Table: [Jackson]\nApproach: [Posterior]\n\n"
            "INSTRUMENTATION\n[Implant: Pedicle screws, bilateral, T12 to L5]\n[Implant: Rods x 2]\n"
            "Interbody device        N/A\n\nOSTEOTOMY\n[Osteotomy type: Ponte]\n[Level(s): L2-L5]\n[Number of osteotomies: 3]\n"
            "[Elements resected: spinous process base, ligamentum flavum, bilateral facets]\n\nFUSION\n[Fusion levels: "
            "T12-L5]\n[Graft: Local autograft]\n[Graft: Allograft - N/A]\n\nNARRATIVE:\nProne positioning and a midline "
            "exposure from T12 to L5 were done. Screws were placed as listed. Ponte osteotomies were performed at the "
            "levels listed in the osteotomy field. Rods were placed, the osteotomies closed with compression, and the "
            "local bone laid posterolaterally.\n")
    codes = codes_of(ex, text)
    assert {c for c in codes if c[0].startswith("222")} == {("22214", 1), ("22216", 2)}
    assert not {"20930", "22853"} & {code for code, _ in codes}


def test_the_next_site_told_as_the_lower_of_two_gives_its_place(ex):
    """Wave 22 (X1317's class): "We then turned to the osteotomies. At the upper of the two, between the fourth and fifth
    lumbar vertebrae, we took away ..." places the first site; the lumbosacral one follows (two lumbar sites)."""
    body = ("We then turned to the osteotomies. At the upper of the two, between the fourth and fifth lumbar vertebrae, we "
            "took away the base of the spinous process, the ligamentum flavum and both facet joints with osteotomes and "
            "Kerrison punches. The rods were laid in. Last came the lumbosacral osteotomy, which we closed by "
            "compression between the fifth lumbar and first sacral screws.\n")
    assert osteotomy_codes_of(ex, body, "Smith-Petersen osteotomies L4-5 and L5-S1.") == {("22214", 1), ("22216", 1)}


@pytest.mark.parametrize("told", [
    "the bone that we had saved from the osteotomies, morselised, was laid along both sides",
    "the bone we had removed was mixed with the chips and packed along both sides",
    "the bone we had removed, trimmed of soft tissue and cut small, was packed along both sides",
    "all the bone so obtained was packed along both sides",
    "the laminar fragments, kept in a damp swab for grafting, were laid along both sides",
    "the chips of spinous process that came away were kept for the graft and laid along both sides",
])
def test_local_bone_told_as_the_bone_we_saved_is_local_autograft(ex, told):
    """Wave 22 (X1301's and X1317's class): the bone the surgeon saved or removed, told without the word "local"."""
    body = f"Pedicle screws were placed at L3, L4 and L5. The laminae were decorticated and {told}.\n"
    assert ("20936", 1) in all_codes_of(ex, body)


def test_crest_bone_so_obtained_is_the_separate_harvest_only(ex):
    """"The bone so obtained" refers back to the bone just taken: after a crest harvest through its own incision
    it is that harvest (20937), not a second, local graft."""
    body = ("Pedicle screws were placed at L4 and L5. Through a separate fascial incision over the right posterior iliac "
            "crest, cancellous bone was taken from between the tables with gouges. The bone so obtained was packed "
            "over the decorticated transverse processes.\n")
    grafts = {c for c in all_codes_of(ex, body) if c[0].startswith("209")}
    assert grafts == {("20937", 1)}


@pytest.mark.parametrize("note", [
    "Lami bone cleaned of soft tissue and morselized on the back table, then packed over the TPs L4-5.",
    "PLF L4-5 b/l with Local + ICBG; the crest bone came through a separate fascial incision.",
])
def test_terse_local_bone_words(ex, note):
    """A resident's shorthand: "Lami bone" is laminectomy bone, "Local + ICBG" names local bone beside the crest graft."""
    body = "Pedicle screws L4 and L5, rods locked. " + note + "\n"
    assert ("20936", 1) in all_codes_of(ex, body)


@pytest.mark.parametrize("told", [
    "A tube of DBM paste was opened by mistake; it was never used and was logged as wasted.",
    "Cancellous allograft chips were asked for, but the tissue bank had none on hand, so the local bone alone was laid.",
    "A pack of allograft chips was on standby in the room, and the local bone proved enough.",
    "DBM was requested but not opened.",
    "A sheet of amniotic membrane allograft was laid over the dura.",
    "The dural tear was closed and covered with a pericardial allograft patch.",
])
def test_graft_not_used_or_of_no_bone_is_not_coded(ex, told):
    """Round-3 red team: a graft opened and wasted, asked for and out of stock, on standby, never opened, or a
    tissue graft that is no bone (membrane, pericardium) earns no allograft code; the local bone still does."""
    body = ("Pedicle screws were placed at L4 and L5 and rods locked. The L4 lamina was removed and the bone "
            "morselized; local bone was laid over the transverse processes. " + told + "\n")
    codes = {c for c, _ in all_codes_of(ex, body)}
    assert "20930" not in codes and "20936" in codes


@pytest.mark.parametrize("stage", [
    "Fluoroscopy showed the two lateral cages inserted on Tuesday at L3-4 and L4-5 sitting well.",
    "Yesterday's interbody cages at L3-4 and L4-5 were unchanged on the lateral image.",
])
def test_cages_of_another_day_are_not_today_s_devices(ex, stage):
    """Round-3 red team: a second stage names the first stage's cages by the day they went in; only the screws of
    today are coded."""
    body = ("Percutaneous pedicle screws were placed at L3, L4 and L5 on both sides and rods passed. " + stage + "\n")
    assert "22853" not in {c for c, _ in all_codes_of(ex, body)}


def test_devices_booked_for_tomorrow_are_not_coded_today(ex):
    body = ("Through a left retroperitoneal approach the L4-5 disc was removed and a PEEK cage packed with allograft "
            "chips was impacted. She will return tomorrow for posterior pedicle screw fixation from L4 to S1.\n")
    codes = {c for c, _ in all_codes_of(ex, body)}
    assert "22853" in codes and not codes & {"22840", "22842"}


def test_a_replaced_disc_is_no_interbody_cage_level(ex):
    """Round-3 red team: a hybrid operation, an arthroplasty at one disc and a cage told without its level at the next:
    one interbody device, not one per disc taken out."""
    body = ("Supine, left-sided approach. At C4-5 a complete discectomy was done to the posterior ligament, the endplates were "
            "shaped and a 5 mm artificial disc was impacted and centred. At C5-6 a discectomy with foraminotomies was "
            "done and a PEEK cage filled with allograft putty was tapped in. A plate was screwed to C5 and C6.\n")
    assert ("22853", 1) in all_codes_of(ex, body)


def test_cement_that_hardens_into_a_spacer_is_one_device(ex):
    """Round-3 red team: a corpectomy filled with bone cement told as "cement ... set into a spacer", the spacer checked
    afterwards: one device without arthrodesis (22859 x1), not the cement plus a spacer."""
    body = ("Through a left thoracotomy the T9 body was removed with the discs above and below. Steinmann pins were set "
            "into T8 and T10 and polymethylmethacrylate was packed into the defect around them to set into a spacer; once "
            "cured, the spacer was firm. A lateral plate joined T8 and T10.\n")
    assert ("22859", 1) in all_codes_of(ex, body)


@pytest.mark.parametrize("middle", [
    "At L3 the left pedicle broke on tapping and its screw was taken out; the right screw was tried but had no hold "
    "and was removed.",
    "Both L3 screws stripped as they went in; they were removed and no fixation was placed at L3.",
])
def test_screws_that_did_not_stay_leave_a_construct_fixed_at_its_ends(ex, middle):
    """Round-3 red team: the middle screws of L2-L4 came out (taken out, tried and removed, or stripped with "they were
    removed" in a later clause) and the rods bridge L2 to L4 locked to the end screws: fixation at the ends only, 22840,
    not segmental 22842."""
    body = ("Pedicle screws were placed at L2 and L4 on both sides. " + middle + " Rods spanning L2 to L4 were locked to "
            "the L2 and L4 screws. Local bone was laid over the decorticated transverse processes.\n")
    codes = {c for c, _ in all_codes_of(ex, body)}
    assert "22840" in codes and "22842" not in codes


@pytest.mark.parametrize("body, gone", [
    ("After the corpectomy of T8 an expandable titanium cage was tried in the defect, but it would not seat against the "
     "rim, so it was removed and not used; a fibular strut allograft was tapped in instead. A lateral plate joined T7 "
     "and T9.", "22854"),
    ("Wash-out of a deep wound infection. The pedicle screws and rods from L2 to L4 were examined; every screw was "
     "tight, so the hardware was left in place. The wound was closed over drains.", "22842"),
])
def test_hardware_a_later_clause_takes_out_or_keeps_from_before_is_not_placed_today(ex, body, gone):
    """Round-3 red team: a cage tried "so it was removed and not used"; an infected fusion's hardware examined "so the
    hardware was left in place": neither is today's device or construct."""
    assert gone not in {c for c, _ in all_codes_of(ex, body + "\n")}


def test_a_misrecognised_allograft_is_still_allograft(ex):
    """Wave 22 (X1286's class): speech recognition writes "allograft chips" as "aloe graft chips"."""
    body = "Pedicle screws were placed at L4 and L5 and local autograft and aloe graft chips were laid in the gutters.\n"
    assert ("20930", 1) in all_codes_of(ex, body)


@pytest.mark.parametrize("told", [
    "The old interspinous spacer at L3-4 was removed intact.",
    "The spacer was sitting loose between the L3 and L4 spinous processes and it was removed intact.",
])
def test_an_interspinous_spacer_is_no_interbody_device(ex, told):
    """Wave 22 (X1313's class): an interspinous spacer (named, or told between the spinous processes) holds no disc
    space: no 22853."""
    body = f"{told} Pedicle screws were placed at L3 and L4 and joined with rods; no interbody device was used.\n"
    assert "22853" not in {code for code, _ in all_codes_of(ex, body)}


def test_no_osteotomy_told_after_a_colon_is_negated_and_a_field_answer_still_is(ex):
    """Wave 23 (X1337's class): "I want to be clear on this point: no osteotomy was performed" negates the listed PSO
    the operation was booked for (it was deferred); "Osteotomy: No" still negates its label."""
    body = ("Pedicle screws were placed at T10, T11, L1 and L2 and rods were placed. We began to expose the T12 lamina in "
            "preparation for the osteotomy, but the operation had to be cut short. I want to be clear on this point: no "
            "osteotomy was performed, and the osteotomy has been deferred.\n")
    assert osteotomy_codes_of(ex, body, "1. T12 pedicle subtraction osteotomy.") == set()
    answered = "Pedicle screws were placed at L2 and L3.\nOsteotomy: No\nThe L3 pedicle subtraction osteotomy was planned.\n"
    assert osteotomy_codes_of(ex, answered) == set()


def test_a_field_answer_opening_a_phrase_does_not_negate_the_label_before_it(ex):
    """Wave 23 (X1355's class): "iliac crest graft through the same exposure: no second skin or fascial incision" is a
    crest graft through the same wound (local autograft, 20936), not a separate-incision harvest."""
    body = ("Pedicle screws were placed at L4 and L5. Left iliac crest graft through the same exposure: no second skin or "
            "fascial incision. The fascia was lifted off the crest and cancellous bone curetted out and laid on the "
            "transverse processes.\n")
    codes = all_codes_of(ex, body)
    assert ("20936", 1) in codes and ("20937", 1) not in codes


@pytest.mark.parametrize("told", [
    "The caudal ends of the old rods from the 2011 T10 to L2 fusion and pedicle subtraction osteotomy at T12 were seen "
    "lying in solid fusion mass and were left undisturbed.",
    "The 2014 construct (L2-S1 pedicle screws, iliac screws, two rods) was exposed caudally and kept.",
])
def test_hardware_and_osteotomies_of_a_dated_earlier_operation_are_not_today_s(ex, told):
    """Wave 23 (X1352's and X1341's classes): what "the 2011 fusion" or "the 2014 construct" holds was done then: no
    three-column code, no pelvic fixation today."""
    body = f"{told} Pedicle screws were placed at L3 and L4 bilaterally and joined with rods.\n"
    codes = {code for code, _ in all_codes_of(ex, body)}
    assert not codes & {"22206", "22207", "22848"}


def test_a_tlif_facet_osteotomized_at_its_own_interspace_is_no_osteotomy_but_one_elsewhere_is(ex):
    """Wave 23 (X1333's class): "R L3 IAP osteotomized w/ osteotome + removed ... LF out" is the access of the L3-4
    TLIF; posterior osteotomies at C6-7 and C7-T1 beside anterior cages at C4-5 and C5-6 stay osteotomies (X797)."""
    tlif = ("- PS L3 + L4 b/l\n- R L3 IAP osteotomized w/ osteotome + removed; L4 SAP trimmed flush w/ pedicle -> LF out, "
            "R L4 root decompressed\n- discectomy + EP prep, 11 mm PEEK cage packed w/ graft\n")
    assert osteotomy_codes_of(ex, tlif, "R L3-4 TLIF; PS L3, L4 b/l") == set()
    cervical = ("A lordotic PEEK cage was placed at C4-5 and at C5-6 through the front. Turned prone, the osteotomies at "
                "C6-7 and C7-T1 were performed on both sides: the facet masses were removed completely and the "
                "ligamentum flavum resected. Lateral mass screws were placed from C3 to C6.\n")
    assert osteotomy_codes_of(ex, cervical) == {("22210", 1), ("22216", 1)}


def test_anterior_osteotomies_named_without_levels_are_placed_where_the_bony_bridge_was_cut(ex):
    """Wave 23 (X1348's class): "anterior osteotomies at two levels through the bony fusion" in the title, then "At L3-4
    we ... cut through the bony bridge with a broad osteotome ... We did exactly the same at L4-5": two sites."""
    body = ("Through a retroperitoneal approach the fused disc spaces were exposed. At L3-4 we marked the line of the old "
            "disc and cut through the bony bridge with a broad osteotome and the burr back to the posterior cortex. We "
            "did exactly the same at L4-5, where the bone was harder. Cages were placed at L3-4 and L4-5.\n")
    listed = "Anterior osteotomies at two levels through the bony fusion; interbody cages; plate."
    assert osteotomy_codes_of(ex, body, listed) == {("22224", 1), ("22226", 1)}


def test_a_release_the_procedure_list_tells_in_full_is_confirmed_by_the_narrative(ex):
    """Wave 23 (X1335's class): a template field "[Posterior release: T10-11 and T11-12 - complete bilateral
    facetectomies with resection of ligamentum flavum, for correction]" and the narrative's "The apical releases
    mobilised the stiff curve": two posterior osteotomies (flagged as read from a release)."""
    listed = ("Posterior instrumentation and fusion with apical posterior releases\n[Posterior release: T10-11 and "
              "T11-12 - complete bilateral facetectomies with resection of ligamentum flavum, for correction]")
    body = "Pedicle screws were placed from T7 to L3. The apical releases mobilised the stiff curve. Rods were placed.\n"
    assert osteotomy_codes_of(ex, body, listed) == {("22212", 1), ("22216", 1)}


def test_a_brand_allograft_at_another_interspace_than_the_cage_is_structural_allograft(ex):
    """Wave 23 (X1322's class): a PEEK spacer at C5-6 and a "VG2" at C6-7: the brand is the graft of its own
    interspace (20931), the PEEK spacer the device (22853)."""
    body = ("ACDF C5-6 and C6-7. At C5-6 a 6 mm PEEK spacer filled with DBM was placed. The C6-7 end plates were soft, so "
            "a VG2 7 mm was tapped in at C6-7. A plate was fixed from C5 to C7.\n")
    codes = all_codes_of(ex, body)
    assert {("20931", 1), ("22853", 1)} <= codes


def test_graft_words_of_marrow_and_of_a_corpectomy(ex):
    """Wave 23 (X1326's and X1339's classes): "allograft chips soaked in autologous bone marrow aspirate" is no local
    autograft; "the cancellous bone saved from the C6 corpectomy" is."""
    marrow = ("ACDF C4-5. A PEEK cage was filled with allograft chips soaked in autologous bone marrow aspirate drawn "
              "from the iliac crest through a separate stab incision.\n")
    assert "20936" not in {code for code, _ in all_codes_of(ex, marrow)}
    saved = ("C6 corpectomy. A titanium mesh cage was packed with the cancellous bone saved from the C6 corpectomy and "
             "placed into the defect. A plate was fixed from C5 to C7.\n")
    assert ("20936", 1) in all_codes_of(ex, saved)


def test_a_blunt_hook_passed_along_the_roots_is_an_instrument(ex):
    """Wave 23 (X1328's class): "until a blunt hook passed freely along the C5 and C6 roots" places no hook."""
    body = ("ACDF C4-5 and C5-6. The foramina were undercut until a blunt hook passed freely along the C5 and C6 roots. "
            "A plate was fixed from C4 to C6.\n")
    assert "22840" not in {code for code, _ in all_codes_of(ex, body)}


def test_an_osteotomy_in_a_staged_plan_and_its_templating_is_not_today_s(ex):
    """Wave 24 (X1361's and X1375's classes): a titled plan between rulers ("STAGED RECONSTRUCTION PLAN"), a templating
    table ("TEMPLATING (planning software)"), "C7 PSO remains a stage 2 option only" and "Stage 2 (posterior fusion, L3
    PSO): [DATE]" tell the next stage: today's anterior cage gets no osteotomy code."""
    text = ("OPERATIVE REPORT\nSTAGE 1 OF 2\n\n------------------------------\nSTAGED RECONSTRUCTION PLAN\n"
            "------------------------------\nStage 1  [DATE]   Supine. L5-S1 ALIF with anterior plate.    <-- TODAY\n"
            "Stage 2  [DATE]   Prone. Posterior spinal fusion T10-pelvis\n                  with L3 pedicle subtraction "
            "osteotomy,\n                  templated 30 deg.       PLANNED\n------------------------------\n\n"
            "TEMPLATING (planning software, standing films)\n------------------------------\n"
            "L3 PSO        --        30 deg        stage 2 only\n------------------------------\n\n"
            "PROCEDURES PERFORMED\n1. L5-S1 anterior lumbar interbody fusion with a PEEK cage and an anterior plate.\n\n"
            "DESCRIPTION OF PROCEDURE\nThrough a left retroperitoneal approach the L5-S1 disc was removed, a PEEK cage "
            "packed with allograft chips was impacted and an anterior plate fixed to L5 and S1. C7 PSO remains a stage 2 "
            "option only.\n\nStage 2 (posterior T10-pelvis fusion, L3 PSO 30 deg): [DATE].\n")
    assert osteotomy_codes_in(ex, text) == set()
    posterior = ("Pedicle screws were placed from T10 to the pelvis. The L3 pedicle subtraction osteotomy was performed, "
                 "resecting both pedicles and a wedge of the body, and closed. Nothing was done at the cervicothoracic "
                 "junction today. C7 PSO remains a stage 2 option only.\nDispo: SICU. Stage 2 decision at 3 months on "
                 "standing films (> 20 deg = proceed with C7 PSO).\n")
    assert osteotomy_codes_of(ex, posterior) == {("22207", 1)}


def test_booked_pontes_skipped_and_soft_tissue_releases_are_no_osteotomies(ex):
    """Wave 24 (X1396's and X1386's classes): "booked Pontes T7-8, T8-9, T9-10 skipped"; "the supraspinous and
    interspinous ligaments were divided and the facet capsules opened to mobilise the apical segments" (no bone)."""
    skipped = ("- PS b/l T4-L2\n- Curve reassessed under traction: supple -> booked Pontes T7-8, T8-9, T9-10 skipped\n"
               "- IAP excised every level for fusion bed only\n")
    assert osteotomy_codes_of(ex, skipped, "Ponte osteotomies T7-8, T8-9, T9-10") == set()
    released = ("Posterior releases: At T6-7, T7-8 and T8-9 the supraspinous and interspinous ligaments were divided and "
                "the facet capsules opened to mobilise the apical segments. Pedicle screws were placed from T3 to L1.\n")
    assert osteotomy_codes_of(ex, released) == set()


def test_a_misrecognised_smith_petersen_and_a_tlif_facet_osteotomy_for_access(ex):
    """Wave 24 (X1379's class): "Smith Patterson osteotomy L2-3" is the Smith-Petersen osteotomy; "at L4-5 the facet
    osteotomy was performed removing the left L4-5 facet joint for access into the disc space ... an 11 mm PEEK cage
    ... was tapped into position at L4-5" is the TLIF's access (one site, and the cage is placed)."""
    body = ("Pedicle screws were placed from L1 to L5. At L2-3 the osteotomy was performed for lordosis, taking the "
            "spinous process, the flavum and both facet joints. Then on the left side at L4-5 the facet osteotomy was "
            "performed removing the left L4-5 facet joint for access into the disc space, the L5 root was retracted, "
            "discectomy was done and endplates prepped and an 11 mm PEEK cage packed with graft was tapped into "
            "position at L4-5, and then the rods were placed and the osteotomy closed.\n")
    listed = "1. Smith Patterson osteotomy L2-3.\n2. Left L4-5 TLIF with PEEK cage."
    codes = codes_of(ex, note_with(body, listed))
    assert {c for c in codes if c[0].startswith("222")} == {("22214", 1)} and ("22853", 1) in codes


def test_hooks_disengaged_and_removed_after_a_list_of_levels_are_out(ex):
    """Wave 24 (X1363's class): "All twelve hooks, bilaterally at T4, T5, T8, T11, T12 and L1, were then disengaged and
    removed": no construct is placed."""
    body = ("The fusion mass had grown over the hooks. All twelve hooks, bilaterally at T4, T5, T8, T11, T12 and L1, were "
            "then disengaged and removed. The wound was closed over a drain.\n")
    assert not {code for code, _ in all_codes_of(ex, body)} & {"22840", "22842", "22843", "22844"}


def test_a_cage_told_at_the_discs_around_a_resected_vertebra_is_a_corpectomy_device(ex):
    """Wave 24 (X1388's class): an L1 vertebrectomy, "the T12-L1 and L1-L2 discs were removed ... to support the
    cage": one cage in the defect (22854), not two interbody devices."""
    body = ("Vertebrectomy. The L1 body was removed piecemeal. The T12-L1 and L1-L2 discs were removed completely, "
            "preserving the bony end plates to support the cage. An expandable titanium cage was filled with allograft "
            "chips and expanded between T12 and L2. Pedicle screws at T11, T12, L2 and L3 were joined with rods.\n")
    codes = codes_of(ex, note_with(body, "1. L1 vertebrectomy with expandable cage T12-L2."))
    assert ("22854", 1) in codes and "22853" not in {code for code, _ in codes}


@pytest.mark.parametrize("told", [
    "Decort, local + allo chips + DBM laid posterolaterally",
    "A mesh cage was packed with the saved trough bone and set between C5 and C7",
    "The resected rib was cleaned of soft tissue, morselized and packed into the disc space",
    "Decort T10-S1. Local PSO bone + allo chips + Infuse laid in gutters",
    "The bone taken out at the Ponte osteotomies was morselized and laid in the gutters",
])
def test_local_bone_in_the_words_of_terse_and_anterior_notes(ex, told):
    """Waves 17-24 (X1387's, X1378's, X1394's, X1223's and X1081's classes): local bone told as "local +", "the saved
    trough bone", "the resected rib ... morselized", "PSO bone", "the bone taken out at the osteotomies"."""
    assert ("20936", 1) in all_codes_of(ex, f"Pedicle screws were placed at L4 and L5. {told}.\n")


@pytest.mark.parametrize("text,expected", [
    # a field answered with a reason negates its label, not the next field
    ("Pedicle subtraction osteotomy at L3: No given bone quality\nPonte osteotomy: L2-3, L3-4\n\nDESCRIPTION: Pedicle "
     "screws were placed from T10 to L5. Ponte osteotomies were performed at L2-3 and L3-4 with resection of the "
     "facets and flavum. Rods were placed.\n", {("22214", 1), ("22216", 1)}),
    # a region's denial after the narrative named its osteotomies leaves them
    ("DESCRIPTION: Ponte osteotomies were performed at T10-11, T11-12 and T12-L1 removing the facets and flavum. As "
     "for the lumbar curve: no osteotomy was performed; it corrected with the rods.\n", {("22212", 1), ("22216", 2)}),
    # the second stage's own note: "Stage 2 (posterior): L3 PSO" is today's
    ("PROCEDURES PERFORMED:\nStage 2 (posterior): L3 pedicle subtraction osteotomy, T10-pelvis fusion.\n"
     "DESCRIPTION: Pedicle screws were placed from T10 to L5. At L3 both pedicles and a wedge of the body were "
     "resected and the osteotomy closed.\n", {("22207", 1)}),
    # "the mean arterial pressure dropped" negates no osteotomy
    ("DESCRIPTION: Smith-Petersen osteotomies were performed at T11-12 and T12-L1. During the closure the mean "
     "arterial pressure dropped and was corrected.\n", {("22212", 1), ("22216", 1)}),
    # an implant log's N/A cell beside an osteotomy row means no implant, not no osteotomy
    ("DESCRIPTION: Ponte osteotomies were done at L2-3 and L3-4, removing the facets and flavum.\nImplant log:\n"
     "Ponte osteotomy      L2-3, L3-4      N/A\n", {("22214", 1), ("22216", 1)}),
    # a type field and its bracketed levels stay one field
    ("Osteotomy: Smith-Petersen\n[Levels: T10-11, T11-12]\n\nDESCRIPTION: The osteotomies were performed at the listed "
     "levels, taking the facets and ligamentum flavum. Rods were placed.\n", {("22212", 1), ("22216", 1)}),
    # an ordinal about something else is no next site
    ("DESCRIPTION: A Ponte osteotomy was performed at T12-L1, removing the facets and flavum. Two levels of foraminal "
     "stenosis were seen on the MRI. The second was at L4-5. Foraminotomies were done there.\n", {("22212", 1)}),
])
def test_cold_review_probes_of_the_waves_23_24_readings(ex, text, expected):
    """The cold review's probes of this session's readings (each over-reach narrowed) give the codes a careful coder
    gives."""
    assert osteotomy_codes_in(ex, text) == expected


def test_a_spreader_between_spinous_processes_leaves_the_disc_space_spacer(ex):
    """The cold review's probe: a lamina spreader "between the L4 and L5 spinous processes" in the sentence of a disc
    space spacer does not make the spacer interspinous."""
    body = ("A PEEK spacer was impacted into the L4-5 disc space with a lamina spreader between the L4 and L5 spinous "
            "processes. Pedicle screws were placed at L4 and L5.\n")
    assert ("22853", 1) in all_codes_of(ex, body)


@pytest.mark.parametrize("told,local", [
    ("A PEEK cage packed with the morselized spur bone was tapped into C5-6.", True),
    ("A PEEK cage filled with morselised bone from the osteophytes was inserted at C5-6.", True),
    ("A PEEK cage packed with allograft chips and the trimmed C6 lip bone was impacted into C5-6.", True),
    ("The osteophyte bone was taken down with a rongeur and saved. A PEEK cage was placed at C5-6.", True),
    ("The bridging spur bone was taken down with a Leksell rongeur to reach the disc. A PEEK cage with allograft chips "
     "was placed at C5-6.", False),
    ("The anterior osteophyte bone was burred flat with a drill. A PEEK cage with allograft chips was placed at C5-6.",
     False),
])
def test_spur_and_lip_bone_packed_in_a_cage_is_local_bone_and_spur_bone_burred_away_is_not(ex, told, local):
    """ACDF notes of waves 17-21 (X1147's, X1179's, X1192's class): the spur, the osteophytes or the trimmed lip saved and
    packed in the cage are local autograft; spur bone taken down or burred flat to reach the disc is no graft."""
    codes = codes_of(ex, f"ANTERIOR CERVICAL DISCECTOMY AND FUSION\nDESCRIPTION: Anterior discectomy at C5-6. {told}\n")
    assert (("20936", 1) in codes) is local


@pytest.mark.parametrize("told,local", [
    ("The laminar fragment was saved for graft", True),
    ("Care was taken to keep the cement fragments apart from the bone being saved for graft", True),
    ("The loose L5 arch was removed in one piece and set aside for bone graft", True),
    ("As is our routine in soft bone, none of the resected bone was kept for graft", False),
])
def test_bone_saved_for_graft_is_local_autograft(ex, told, local):
    """Waves 15-21 (X1025's, X1209's, X1235's class): bone "saved / kept / set aside for graft" in the narrative is
    local autograft, as every such note of the corpus is coded; "none of it was kept for graft" is not."""
    codes = all_codes_of(ex, f"Pedicle screws were placed at L4 and L5. {told}. Allograft chips were laid in the "
                             "gutters.\n")
    assert (("20936", 1) in codes) is local


def test_bone_saved_for_graft_beside_a_separate_crest_harvest_is_that_harvest(ex):
    body = ("Pedicle screws were placed at L4 and L5. Through a separate incision over the posterior iliac crest, "
            "cancellous bone was harvested with gouges and saved for graft. It was laid in the gutters.\n")
    codes = {code for code, _ in all_codes_of(ex, body)}
    assert "20937" in codes and "20936" not in codes


@pytest.mark.parametrize("incision", ["Through a second incision, an oblique one over the left posterior iliac crest,",
                                      "We then made a separate oblique incision of about six centimetres over the left "
                                      "posterior iliac crest and"])
def test_a_crest_harvest_told_as_steps_through_a_second_incision_before_a_cage_is_filled(ex, incision):
    """Waves 17-21 (X1028's, X1085's, X1173's class): a crest harvest through "a second incision" or "a separate oblique
    incision", told as steps, then packed into the cage in the next sentence, is a separate-incision autograft."""
    body = (f"Pedicle screws were placed at L4 and L5. {incision} we raised the gluteal fascia off the outer table, cut a "
            "window with an osteotome and scooped out the cancellous bone with gouges. That cancellous bone was packed "
            "into the PEEK cage, which was tapped into the L4-5 disc space.\n")
    assert ("20937", 1) in all_codes_of(ex, body)


def test_a_crest_harvest_for_a_sacroiliac_fusion_is_no_spinal_graft(ex):
    """X730's class: crest bone harvested through its own incision and packed into the sacro-iliac joint is that
    arthrodesis's graft, not a separate-incision autograft of the lumbar fusion."""
    body = ("Pedicle screws were placed at L5 and S1 and allograft chips laid in the gutters.\n\nSacro-iliac part: "
            "Separate oblique incision along the left posterior iliac crest. A window was cut in the outer table with "
            "an osteotome. Cancellous bone harvested from beneath the window was packed into the joint.\n")
    assert "20937" not in {code for code, _ in all_codes_of(ex, body)}


def implant_log_note(procedure: str, table: list[str], narrative: str) -> str:
    """A templated spine note: a bracketed procedure field, an implant log (pipe table lines) and a narrative box."""
    return (f"OPERATIVE NOTE - SPINE\nProcedure(s): [{procedure}]\n\nImplants:\n" + "\n".join(table)
            + f"\n\nNarrative:\n[{narrative}]\n")


def test_a_hardware_removal_template_codes_no_instrumentation(ex):
    """X1245's class: an implant table whose Action column says "Removed", and the narrative's "palpable" screw head,
    are the old construct: a removal places nothing."""
    text = implant_log_note("Revision of the left pelvic fixation", [
        "| Action    | Item                  | Side | Level   |", "|-----------|-----------------------|------|---------|",
        "| Removed   | S2-alar-iliac screw   | L    | S2AI    |", "| Removed   | Offset connector      | L    | S1-S2AI |"],
        "Prone, time-out done. Short incision made directly over the palpable left S2AI screw head and carried through "
        "fascia. The set screw was loosened and the connector taken off. Closure in layers.")
    assert codes_of(ex, text) == set()


def test_an_implant_table_s_action_column_keeps_the_rows_implanted(ex):
    text = implant_log_note("Posterior fusion L4-L5", [
        "| Action    | Item            | Side | Level |", "|-----------|-----------------|------|-------|",
        "| Implanted | Pedicle screw   | B    | L4    |", "| Implanted | Pedicle screw   | B    | L5    |"],
        "Prone. Pedicle screws were placed at L4 and L5 bilaterally and rods secured.")
    assert ("22840", 1) in codes_of(ex, text)



def test_a_sagittal_osteotomy_for_an_en_bloc_tumour_resection_is_no_osteotomy_code(ex):
    """Wave 25 (X1432's class): the sagittal vertebral osteotomy of an en bloc tumour resection cuts for a margin, not
    to realign the spine."""
    body = ("Pedicle screws were placed from T4 to T8. For the sagittal osteotomy, the line was placed just to the right "
            "of the left pedicle, beyond the medial edge of the tumor, and thin osteotomes were advanced through the T6 "
            "body. The specimen was delivered en bloc.\n")
    assert osteotomy_codes_of(ex, body, "1. En bloc resection of chest wall chondrosarcoma.\n2. Sagittal vertebral "
                                        "osteotomy of T6.") == set()


def test_a_hemivertebra_excision_is_a_vertebral_column_resection(ex):
    """Wave 25 (X1425's class): a posterior hemivertebra excision (lamina, facets, pedicle, body and both discs) is a
    three-column resection at its vertebra; one only weighed in the indications is not."""
    body = ("We then excised the hemivertebra: its lamina, facets and pedicle, then its body with the discs above and "
            "below. The gap was closed by compression between the T10 and T12 screws.\n")
    assert osteotomy_codes_of(ex, body, "1. Excision of hemivertebra, right T11, by the posterior route.") == {("22206", 1)}
    weighed = "The alternative of hemivertebra excision at T11 was explained; we chose a convex fusion instead.\n"
    assert osteotomy_codes_of(ex, "Pedicle screws were placed at T10 and T12. " + weighed) == set()


def test_a_level_the_note_says_got_no_screw_is_no_fixation_point(ex):
    """Wave 25 (X1439's class): "at L2 and L4 ...; none were placed at L3" fixes the two ends only."""
    codes = all_codes_of(ex, "Pedicle screws were placed bilaterally at L2 and L4 under fluoroscopy; none were placed "
                             "at L3. Two rods were locked into the L2 and L4 screws.\n")
    assert ("22840", 1) in codes and ("22842", 1) not in codes


@pytest.mark.parametrize("told", [
    "The alternative of a pedicle subtraction osteotomy at T11 was explained; we chose an in situ fusion instead.",
    "A pedicle subtraction osteotomy at T11 was explained to the family as the alternative.",
])
def test_an_osteotomy_told_as_the_alternative_is_not_done(ex, told):
    """Wave 25's cold probe of X1425's class: an osteotomy "explained" as "the alternative" was not performed."""
    assert osteotomy_codes_of(ex, f"Pedicle screws were placed at T10 and T12. {told}\n") == set()


def test_screws_placed_because_a_joint_had_been_removed_are_placed(ex):
    """Wave 25 (X1419's class): "Because the left joint had been removed, pedicle screws were placed ..." places them;
    screws that "had been removed" are out."""
    placed = all_codes_of(ex, "Because the left joint had been removed, pedicle screws were placed bilaterally at T10 "
                              "and T11 under fluoroscopy.\n")
    assert ("22840", 1) in placed
    assert all_codes_of(ex, "The old L4 and L5 pedicle screws had been removed, and the wound was irrigated.\n") == set()


def test_a_cage_at_the_disc_between_two_partly_resected_bodies_is_a_corpectomy_device(ex):
    """Wave 25 (X1433's class): partial corpectomies of T9 and T10 leave one defect; the cage an implant table lists at
    "T9-10" sits in it (22854), not in a disc space."""
    body = ("Partial corpectomies of T9 and T10 were carried out through bilateral costotransversectomies, with the "
            "T9-10 disc. The expandable titanium cage was set into the defect and expanded. Pedicle screws at T7, T8, T11 "
            "and T12 were joined with rods.\n\n| # | Level | Implant |\n|---|---|---|\n| 1 | T9-10 | Expandable titanium "
            "cage |\n")
    codes = codes_of(ex, note_with(body, "1. Partial corpectomies T9 and T10.\n2. Expandable cage."))
    assert ("22854", 1) in codes and "22853" not in {code for code, _ in codes}


def test_a_cage_tapped_into_a_debrided_disc_space_is_an_interbody_device(ex):
    """Wave 25 (X1405's class): after a disc-space debridement, no body resected, a cage "tapped into the disc space
    ... towards the front of the defect" is an interbody device (22853), not a corpectomy device."""
    body = ("Pedicle screws were placed at L4 and L5. The infected L4-5 disc was debrided and the end plates cut back to "
            "bleeding bone, leaving a wedge-shaped defect. A titanium cage packed with allograft chips was tapped into the "
            "L4-5 disc space towards the front of the defect.\n")
    codes = codes_of(ex, note_with(body))
    assert ("22853", 1) in codes and "22854" not in {code for code, _ in codes}


@pytest.mark.parametrize("incision,separate", [
    ("Through the same midline skin incision a separate fascial incision was made lateral to the right paraspinal "
     "muscles, and the right seventh to ninth ribs were exposed.", True),
    ("Through the same midline incision, elevating the paraspinal muscles, the right seventh to ninth ribs were "
     "exposed.", False),
])
def test_rib_bone_of_a_thoracoplasty_through_a_separate_fascial_incision_is_separate_incision_autograft(
        ex, incision, separate):
    """Waves 17 and 25 (X1058's, X1428's class): rib segments taken through a separate fascial incision and morselized
    into the fusion are a separate-incision autograft (20937); through the midline exposure they are local bone."""
    body = (f"Pedicle screws were placed from T4 to T12. {incision} A 3 cm segment of each rib was removed subperiosteally. "
            "The rib segments were morselized and laid along the decorticated laminae with allograft chips.\n")
    codes = {code for code, _ in all_codes_of(ex, body)}
    assert ("20937" in codes, "20936" in codes) == (separate, not separate)


@pytest.mark.parametrize("body,present,absent", [
    ("ALIF L5-S1. The bony endplates were preserved for graft support and a femoral ring allograft was impacted into "
     "L5-S1.", {"20931"}, {"20936"}),
    ("Pedicle screws were placed at L4 and L5. Cancellous allograft chips were opened and set aside for grafting.",
     {"20930"}, {"20936"}),
    ("Pedicle screws were placed at L4 and L5. The tumour-infiltrated lip bone of L5 was removed and sent to "
     "pathology. Allograft chips were laid.", {"20930"}, {"20936"}),
    ("ACDF C5-6. The femoral ring allograft was flattened on one face with a burr and then impacted into C5-6.",
     {"20931"}, set()),
    ("Pedicle screws were placed at L4 and L5. The local bone was burred to a fine paste and spread over the "
     "transverse processes.", {"20936"}, set()),
    ("Pedicle screws were inserted at L3, L4 and L5 over the guidewires and the guidewires were backed out.",
     {"22842"}, set()),
    ("The spinous processes were palpable and percutaneous pedicle screws were placed at L1, L2 and L3.", {"22842"},
     set()),
    ("As an alternative to a pedicle subtraction osteotomy, Ponte osteotomies were performed at L1-2, L2-3 and L3-4. "
     "Pedicle screws were placed from T12 to L4.", {"22214", "22216"}, set()),
    ("The L3 pedicle subtraction osteotomy, whose risks were explained at length in clinic, was then carried out. "
     "Pedicle screws were placed from L1 to L5.", {"22207"}, set()),
    ("At L3 a sagittal spinal osteotomy was performed, resecting the lamina, both pedicles and a posterior-based wedge "
     "of the vertebral body. Pedicle screws were placed from L1 to L5.", {"22207"}, set()),
    ("Pedicle screws were placed at L4 and L5. A second incision was made over the right posterior iliac crest. The "
     "cortical bone at the entry point was removed with a rongeur and an 8.5 x 80 mm iliac screw was advanced.",
     set(), {"20937"}),
    ("Pedicle screws were placed at L4 and L5. Through a separate oblique incision over the left posterior iliac crest, "
     "keeping well cephalad of the sacroiliac joint, cancellous bone was harvested with gouges.", {"20937"}, set()),
])
def test_cold_review_probes_of_the_wave_25_readings(ex, body, present, absent):
    """A cold review of this session's graft, removal, alternative and tumour readings found these reaching too far;
    each is narrowed and kept here, in our words."""
    codes = {code for code, _ in all_codes_of(ex, body + "\n")}
    assert present <= codes and not absent & codes


def test_an_action_column_s_dash_or_no_says_nothing_of_placing(ex):
    text = implant_log_note("Posterior fusion L4-L5", [
        "| Item          | Level | Status |", "|---------------|-------|--------|",
        "| Pedicle screw | L4    | --     |", "| Pedicle screw | L5    | --     |"],
        "Prone. Pedicle screws were placed at L4 and L5 bilaterally and rods secured.")
    assert ("22840", 1) in codes_of(ex, text)


def test_an_spo_whose_spinous_process_is_put_back_is_no_smith_petersen_osteotomy(ex):
    """Wave 26 (X1441's class): in a note that cuts the L4 spinous process for the exposure and puts it back, "L4 SPO
    (reattached)" is that spinous process osteotomy; elsewhere SPO stays a Smith-Petersen osteotomy."""
    brief = ("BRIEF OP NOTE - SPINE\nProcedures:\n1. L4 SPO (reattached)\n2. Posterior fusion L4-5, pedicle screws L4-L5\n"
             "Description:\nL4 spinous process cut across at its base with an osteotome and swung aside. PS L4/L5 b/l. "
             "Laminotomies L4-5. L4 SP put back on its base, heavy suture through drill holes.\n")
    assert osteotomy_codes_in(ex, brief) == set()
    assert osteotomy_codes_of(ex, "Pedicle screws were placed from L1 to L5. SPOs were performed at L2-3 and L3-4.\n") == {
        ("22214", 1), ("22216", 1)}


def test_a_medial_facet_osteotomy_for_the_lateral_recess_is_a_decompression(ex):
    """Wave 26 (X1444's class): speech recognition's "medial facet osteotomy" is a medial facetectomy."""
    body = ("Pedicle screws were placed at L3, L4 and L5. Bilateral medial facetectomies were performed at L3-4 and L4-5. "
            "The medial facet osteotomy on the left at L3-4 was particularly tight.\n")
    assert osteotomy_codes_of(ex, body) == set()


def test_an_osteotomy_that_would_have_added_risk_was_not_done(ex):
    """Wave 26 (X1462's class): "the L1 pedicle subtraction osteotomy would have added risk without benefit; it was
    therefore not done" (the denial beyond the semicolon)."""
    body = ("Pedicle screws were placed from T9 to L4. With this correction the L1 pedicle subtraction osteotomy would "
            "have added risk without benefit; it was therefore not done.\n")
    assert osteotomy_codes_of(ex, body) == set()


def test_a_terse_same_at_adds_a_site_and_a_plate_like_mass_is_no_plate(ex):
    """Wave 26 (X1451's and X1479's classes): "Ponte L1-2: ... Same at L2-3." is two sites; "a dense plate-like mass"
    of ossified flavum is no anterior plate."""
    body = "Pedicle screws T11-L5. Ponte L1-2: SP base off, LF out, facets resected. Same at L2-3.\n"
    assert osteotomy_codes_of(ex, body) == {("22214", 1), ("22216", 1)}
    ossified = ("Pedicle screws were placed from T8 to L2. The ossified ligamentum flavum at T10-11 was a dense, bilateral, "
                "plate-like mass and was removed.\n")
    assert not {code for code, _ in all_codes_of(ex, ossified)} & {"22845", "22846", "22847"}


@pytest.mark.parametrize("told,local", [
    ("The remaining laminar bone and the transverse processes were decorticated, and allograft chips were laid", False),
    ("The laminae were morselized and, together with allograft chips, packed over the decorticated facets", True),
])
def test_laminar_bone_decorticated_is_the_bed_and_laminae_morselized_are_local_bone(ex, told, local):
    """Wave 26 (X1469's and X1449's classes)."""
    codes = all_codes_of(ex, f"Pedicle screws were placed at L4 and L5. {told}.\n")
    assert (("20936", 1) in codes) is local and ("20930", 1) in codes


def test_compression_across_the_osteotomies_and_another_level_adds_no_site(ex):
    """Wave 27 (X1481's class): "SPO at L1-2 and L2-3 ... L3-4 left alone except decort", then "compression across SPOs
    + L4-5" (the TLIF level): two sites, not four."""
    body = ("SPO at L1-2 and L2-3: SP bases, LF, both facets (IAP/SAP) each level -> segments open up. L3-4 left alone "
            "except decort\nR L4-5: complete R facetectomy -> disc out, EPs prepped, 12/8 PEEK cage w/ DBM impacted "
            "anterior\nRods contoured, placed, compression across SPOs + L4-5 -> LL 18 -> 42. Final tighten\n")
    assert osteotomy_codes_of(ex, body) == {("22214", 1), ("22216", 1)}


def test_bare_spacers_in_a_note_of_femoral_rings_are_the_rings(ex):
    """Wave 27 (X1502's class): "The two spacers sat centrally" after two femoral ring allografts, no cage named, are
    the rings (20931), not interbody devices; a dissecting "blunt hook" is an instrument (X1492)."""
    body = ("ALIF. A freeze-dried femoral ring allograft packed with rhBMP-2 was impacted into the L5-S1 space. A second "
            "femoral ring was impacted into the L4-L5 space. The two spacers sat centrally on both imaging planes. "
            "Percutaneous pedicle screws were placed at L4, L5 and S1.\n")
    codes = {code for code, _ in all_codes_of(ex, body)}
    assert "20931" in codes and "22853" not in codes
    hook = "ACDF C4-C6 with a plate. At C5-C6 the ligament was dissected off the dura with a blunt hook.\n"
    assert "22840" not in {code for code, _ in all_codes_of(ex, hook)}


def test_a_spacer_packed_with_allograft_chips_is_a_device_with_morselized_graft(ex):
    """Wave 27 (X1494's class): "a 6 mm COALITION spacer was packed with allograft cancellous chips": an interbody
    device (22853) filled with morselized allograft (20930), not a structural allograft spacer."""
    body = ("Anterior discectomy C4-5. A 6 mm COALITION spacer was packed with allograft cancellous chips and tapped into "
            "place at C4-5, and its two integrated screws were locked. No anterior plate was used.\n")
    codes = all_codes_of(ex, body)
    assert ("22853", 1) in codes and ("20930", 1) in codes and "20931" not in {c for c, _ in codes}


def test_a_chevron_shaped_graft_is_no_chevron_osteotomy(ex):
    """Wave 28 (X1531's class): a crest block notched into a "chevron graft" straddling C2 is a graft's shape."""
    body = ("C1 lateral mass and C2 pars screws were placed and rods set. The tricortical crest block was cut with a V "
            "notch into a chevron graft straddling the C2 spinous process and wired to the C1 arch.\n")
    assert osteotomy_codes_of(ex, body) == set()
    assert osteotomy_codes_of(ex, "Pedicle screws T8-L2. A chevron osteotomy was performed at T10-11.\n") == {("22212", 1)}


def test_bone_gone_with_the_specimen_is_no_graft_and_s2_ai_screws_are_pelvic(ex):
    """Wave 28 (X1553's and X1554's classes): "the local bone had gone out with the specimen" is no local graft; "S2 AI
    screws" (the abbreviation split) are pelvic fixation."""
    gone = all_codes_of(ex, "Pedicle screws were placed at L4 and L5. Since the local bone had gone out with the "
                            "specimen, allograft chips were laid.\n")
    assert "20936" not in {code for code, _ in gone}
    pelvic = all_codes_of(ex, "Pedicle screws were placed from L2 to S1, and bilateral S2 AI screws were placed under "
                              "fluoroscopy.\n")
    assert ("22848", 1) in pelvic


@pytest.mark.parametrize("body", [
    "Screws T10 to S1. Ponte osteotomies at L1-2 and L2-3 were postponed to a later stage when the patient's pressure "
    "dropped. Rods placed.\n",
    "Screws T10 to S1. The Smith-Petersen osteotomy at L2-3 was cancelled once the blood loss reached two litres. "
    "Rods placed.\n",
    "Screws T10 to S1. Ponte osteotomies at L1-2 and L2-3 weren't needed; the rods brought the lordosis round.\n",
    "Screws T10 to S1. Posterior column osteotomies at L1-2 and L2-3, booked with the consent, proved unnecessary once "
    "the patient lay on the Jackson frame.\n",
    "Screws T10 to S1. The SPOs at L2-3 and L3-4 were felt to be unnecessary given the correction from positioning.\n",
    "Screws T10 to S1. A Ponte osteotomy at L2-3 remains an option for the future should the kyphosis return.\n",
])
def test_an_osteotomy_taken_back_after_its_name_is_not_coded(ex, body):
    """Red-team probes (2026-12-07): cancelled, unnecessary, contracted ("weren't needed") and future-option wording
    after the osteotomy's name, each a note where no osteotomy was done."""
    assert osteotomy_codes_of(ex, body) == set()


@pytest.mark.parametrize("body", [
    "Screws T11 to L5. We had talked about SPOs at L2-3 and L3-4 with the family. With 50 degrees of lordosis on the "
    "table they were not done. Rods placed.\n",
    "Screws T5 to L1. Ponte osteotomies at T7-8 and T8-9? Not needed - the curve came down to 12 degrees on derotation.\n",
    "Screws T11 to L5. The SPOs at L2-3 and L3-4 were drawn on the plan. We did not do them, the hips in extension "
    "having given the lordosis.\n",
])
def test_a_next_sentence_pointing_back_denies_the_osteotomies(ex, body):
    """A sentence that denies, by a word pointing back, the osteotomies named just before it ("they were not done",
    "Not needed", "We did not do them")."""
    assert osteotomy_codes_of(ex, body) == set()


def test_a_next_sentence_that_denies_something_else_keeps_the_osteotomy(ex):
    body = ("Screws T10 to L2. A Ponte osteotomy was performed at T11-12 with removal of both facets and the ligamentum "
            "flavum. It was not necessary to extend the fusion above T10.\n")
    assert osteotomy_codes_of(ex, body) == {("22212", 1)}


@pytest.mark.parametrize("body", [
    "Prior T10-pelvis fusion with an L3 PSO. Both rods had broken at the L3 PSO level. The old rods were removed and "
    "new cobalt-chrome rods placed in the existing screws, with accessory rods spanning the L3 pedicle subtraction "
    "osteotomy from L2 to L4.\n",
    "Rod fracture after T4-L2 fusion. The fracture was found at the level of the T8-9 Ponte osteotomy. The rods were "
    "exchanged.\n",
    "Return for washout. The L4 PSO closure was inspected and was stable; pulse lavage and closure.\n",
])
def test_an_osteotomy_named_only_as_a_place_in_a_revision_is_not_coded(ex, body):
    """An earlier operation's osteotomy named as the place today's work is at or around (a rod break at it, rods
    spanning it, its closure inspected), no bone cut, and no osteotomy in the procedure list."""
    assert osteotomy_codes_of(ex, body) == set()


def test_a_listed_osteotomy_named_as_a_place_in_the_narrative_is_still_coded(ex):
    body = ("Pedicle screws T10 to S1. Through the L3 pedicles a wedge of the body was resected with the laminae and "
            "facets, and the roots were free after the PSO closure.\n")
    assert osteotomy_codes_of(ex, body, procedures="1. L3 pedicle subtraction osteotomy\n") == {("22207", 1)}


def test_pontes_placed_above_and_below_a_pso_are_pontes(ex):
    """Wave 29 (X1598's class): "the Ponte osteotomies were made above the PSO at L1-2 and below the PSO at L4-5": the
    levels after the PSO named as a landmark are the Pontes' sites, never more PSOs (22208 would be overcoding)."""
    body = ("Pedicle screws T10 to S1. A pedicle subtraction osteotomy of L3 was performed, removing the laminae, facets "
            "and pedicles and a wedge of the L3 body. After the PSO the Ponte osteotomies were made, above the PSO at "
            "L1-2 and below the PSO at L4-5, removing the ligamentum flavum and both facets at each.\n")
    codes = osteotomy_codes_of(ex, body)
    assert ("22207", 1) in codes and "22208" not in {code for code, _ in codes}


@pytest.mark.parametrize("body", [
    "Pedicle screws at T9, T10, T12 and L1. The T11 lamina was osteotomized at the pars on both sides and lifted away "
    "in one piece; the left T11 pedicle was then drilled down to the body and the retropulsed fragment tamped forward.\n",
    "Screws T6 to T10 on the right. The T8 transverse process was removed and the medial rib was osteotomized with a rib "
    "cutter and lifted off the vertebral body; the T8 pedicle was drilled to the body to reach the calcified disc.\n",
])
def test_a_lamina_or_rib_osteotomized_for_a_decompression_is_no_spinal_osteotomy(ex, body):
    """Red-team probes: "the lamina was osteotomized ... lifted away in one piece", "the rib was osteotomized with a
    rib cutter", then a transpedicular decompression: how a part was cut away, no three-column osteotomy."""
    assert osteotomy_codes_of(ex, body) == set()


@pytest.mark.parametrize("body", [
    "History: T10-pelvis fusion with an L3 PSO two years ago. Broken rod ends were found at the L3 PSO level. New rods "
    "were placed in the old screws.\n",
    "History: L2-3 and L3-4 Smith-Petersen osteotomies at the index fusion. The L2 screws next to the L2-3 "
    "Smith-Petersen osteotomy were loose; they were removed and larger screws placed.\n",
    "Pseudarthrosis found at the L4 pedicle subtraction osteotomy on the left, with motion on stress; fibrous tissue "
    "was curetted and allograft packed in. New rods placed.\n",
])
def test_hardware_work_at_an_old_osteotomy_cuts_no_bone(ex, body):
    """Rods broken or screws removed next to an earlier operation's osteotomy, or its nonunion grafted: no bone cut
    today, no osteotomy code."""
    assert osteotomy_codes_of(ex, body) == set()



def test_psoriasis_abbreviated_near_a_level_is_no_pso(ex):
    body = ("A PsO plaque over the L3-L4 part of the incision was prepped twice. Pedicle screws were placed at L3 and "
            "L4 and a rod set on each side.\n")
    assert osteotomy_codes_of(ex, body) == set()


def test_an_operation_told_after_the_indication_without_a_header_is_the_narrative(ex):
    """Wave 29 (X1569's class): "Indication:" followed by paragraphs telling the operation with no narrative header,
    each shorter than a narrative on its own; and a title before a type word ("Dr Pontes") names a person."""
    note = ("OPERATION NOTE\nProcedure: L4-5 decompression and posterolateral fusion with pedicle screws L4, L5.\n"
            "Assistant: Dr Pontes\nIndication: 70M, claudication, mobile slip L4-5.\n\n"
            "GA, cefazolin at induction. Prone on the Wilson frame, pressure areas checked. Prep, drape, time out.\n\n"
            "Midline incision, subperiosteal exposure L4 to L5 out to the TPs. Pedicle screws bilat L4 and L5 placed by "
            "Dr Pontes, good purchase on II.\n\n"
            "L4 laminectomy, flavum removed, roots free. Two rods cut, bent and locked. TPs decorticated and local "
            "bone from the decompression laid out bilat with allograft chips.\n\n"
            "Washout, drain, closure in layers. EBL 300 mL.\n")
    assert codes_of(ex, note) == {("22840", 1), ("20936", 1), ("20930", 1)}


def test_course_of_operation_is_a_narrative_header(ex):
    note = ("Operation: posterior screw fixation at T8 and T10.\nCourse of operation:\n1. Prone positioning, prep and drape.\n"
            "2. Transpedicular screws are inserted bilaterally in T8 and T10 under fluoroscopy.\n"
            "3. Two rods are contoured and fixed to the screws at T8 and T10. Allograft chips are laid on the "
            "decorticated laminae.\n")
    assert ("22840", 1) in codes_of(ex, note)


def test_stage_one_osteotomies_inspected_at_stage_two_are_not_coded_again(ex):
    """Red-team probe: a stage-two note whose history gives the stage-one Pontes and whose narrative finds them open,
    no bone removed today."""
    body = ("Stage 1 was four days ago (T3-L2 screws and Ponte osteotomies T6-7, T7-8, T8-9), then halo-gravity "
            "traction. Today the wound was reopened and the temporary rods removed. The Ponte osteotomies at "
            "T6-7, T7-8 and T8-9 were checked and were still open and mobile; no further bone was removed. Final rods "
            "were placed and the curve corrected.\n")
    assert osteotomy_codes_of(ex, body) == set()


def test_the_next_levels_counted_on_from_a_ponte_are_its_sites(ex):
    """Wave 29 (X1570's class): "First Ponte (T11/12) by the consultant ... Next two levels down done by me, same steps
    each level": T12-L1 and L1-2 too."""
    body = ("- Pedicle screws bilat T8 to L3\n- First Ponte (T11/12) done by the consultant: SP base off, LF out, both facets "
            "resected\n- Next two levels down done by me under supervision, same steps each level\n- Rods, compression "
            "across the osteotomies\n")
    assert osteotomy_codes_of(ex, body) == {("22212", 1), ("22216", 2)}


@pytest.mark.parametrize("body,codes", [
    ("Ponte osteotomy at L1-2 with both facets and the flavum removed, closed by compression. Thanks to it a pedicle "
     "subtraction osteotomy at L3 was avoided.\n", {("22214", 1)}),
    ("Ponte osteotomies at T7-8 and T8-9 with complete facet resection. This spared her a vertebral column resection at "
     "T8.\n", {("22212", 1), ("22216", 1)}),
    ("Screws T10 to L4. Ponte osteotomies at L1-2 and L2-3 were kept as a bailout should the rods not seat; they seated "
     "with standard reduction.\n", set()),
    ("Screws T10 to L4. Ponte osteotomies at T12-L1 and L1-2 were on standby if the correction fell short.\n", set()),
    ("Screws T3 to L2. Smith-Petersen osteotomies at T7-8 and T8-9 would have been our preference, but the family "
     "declined them.\n", set()),
    ("Screws T10 to L3. Smith-Petersen osteotomies at L1-2 and L2-3 were obviated by the correction from positioning.\n",
     set()),
])
def test_an_osteotomy_avoided_or_held_back_is_not_coded(ex, body, codes):
    """Red-team round 2: a three-column osteotomy "avoided" or "spared" beside real Pontes, and Pontes held as a
    bailout, on standby, preferred but declined, or obviated."""
    assert osteotomy_codes_of(ex, body) == codes


@pytest.mark.parametrize("body", [
    "Screws L4, L5 and S1. At L4-5 and L5-S1 the facet joints were osteotomized with a quarter-inch osteotome to take "
    "off the articular cartilage for arthrodesis, and packed with local bone.\n",
    "Lateral mass screws C3 to C6. The C3-4 to C5-6 facet joints were decorticated by an osteotomy of the cartilage "
    "surfaces and packed with allograft.\n",
    "Pedicle screws L3 to L5. A chevron-type laminotomy was made at L4-5 for the stenosis.\n",
    "Pedicle screws L4 and L5 through a chevron-shaped skin incision over L4-5.\n",
])
def test_facets_osteotomized_for_the_fusion_and_chevron_shapes_are_no_osteotomy(ex, body):
    """Red-team round 2: facets "osteotomized" to prepare the arthrodesis, and a chevron-shaped or chevron-type cut
    that is a laminotomy or an incision."""
    assert osteotomy_codes_of(ex, body) == set()


@pytest.mark.parametrize("body", [
    "Screws T2 to L1. The plan called for Ponte osteotomies at T6-7 through T9-10, but they proved unnecessary once the "
    "patient was positioned.\n",
    "Screws L2 to L5. We talked through SPOs at L3-4 and L4-5 and decided against them; laminotomies only.\n",
    "The resident asked whether SPOs at L2-3 and L3-4 would help the coronal curve; the curve being supple on bending, we "
    "did not do them. Screws T10 to L4.\n",
])
def test_a_later_clause_pointing_back_denies_the_osteotomies(ex, body):
    """Red-team round 2: the denial in a clause after "but", "and" or a semicolon of the osteotomies' own sentence."""
    assert osteotomy_codes_of(ex, body) == set()
