"""Layouts exports give notes (issue 9), each on a short note written here: the fields, lists, checkboxes and
tables of a template keep their meaning when an export flattens the note, runs its lines together, drops the
colons of its labels or wraps it, and the codes a coder would expect stay the same."""
import pytest

from conftest import codes_of, osteotomy_codes_in
from extractor.sentences import split_sentences
from extractor.textview import build_view
from extractor.transforms import TRANSFORMS

def exported(text: str, transform: str | None) -> str:
    """``text`` as the named export transform writes it (``None``: the note as written)."""
    return TRANSFORMS[transform](text) if transform else text


TEMPLATE = (
    "OPERATIVE NOTE\nPatient: [PATIENT]   MRN: ___\nDate of Surgery: [DATE]\n"
    "Pre-op Diagnosis: Adolescent idiopathic scoliosis\n\nProcedure(s):\n1. Posterior spinal fusion T3-L1\n"
    "2. Posterior segmental instrumentation T3-L1\n3. Posterior column (Ponte) osteotomies\n\n"
    "Graft: [Local autograft; allograft chips]\n\n[Osteotomy type: Ponte]\n[Osteotomy levels: T6-7, T7-8, T8-9]\n\n"
    "[x] Osteotomy   [ ] Interbody   [x] Instrumentation   [x] Fusion\n[x] TXA\n[ ] Durotomy\n"
    "EBL: [600 mL]\nSpecimens: [N/A]\n\nNarrative:\nProne on Jackson table, subperiosteal exposure T3-L1. Pedicle "
    "screws placed bilaterally at every level from T3 to L1, confirmed with fluoroscopy. Ponte osteotomies were "
    "done at the levels listed, removing the spinous process, the ligamentum flavum and both facets at each. "
    "Correction obtained with rod derotation; local bone and allograft chips laid along the fusion bed.\n")
TEMPLATE_CODES = {("22212", 1), ("22216", 2), ("22843", 1), ("20936", 1), ("20930", 1)}


@pytest.mark.parametrize("transform", ["flatten_kaggle", "newlines_to_spaces", "headers_without_colons",
                                       "lower_case_headers", "hard_wrap_60", "all_caps"])
def test_a_bracketed_template_keeps_its_codes_in_every_export_layout(ex, transform):
    assert codes_of(ex, TEMPLATE) == TEMPLATE_CODES
    assert codes_of(ex, TRANSFORMS[transform](TEMPLATE)) == TEMPLATE_CODES


def test_an_inline_level_list_after_a_colon_stays_with_its_osteotomies(ex):
    listed = ("OPERATIVE REPORT\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone and pedicle screws were "
              "placed from T3 to L2. Three chevron osteotomies were performed at the apex, at the following "
              "interspaces:\n1. T7-8\n2. T8-9\n3. T9-10\nAt each interspace a V-shaped resection was made through the "
              "spinous process, both facets and the ligamentum flavum.\n")
    run_on = TRANSFORMS["numbered_lists_inline"](listed)
    assert "1. T7-8 2. T8-9 3. T9-10" in run_on
    expected = {("22212", 1), ("22216", 2)}
    for text in (listed, run_on, TRANSFORMS["newlines_to_spaces"](listed), TRANSFORMS["flatten_kaggle"](listed)):
        assert {c for c in codes_of(ex, text) if c[0].startswith("222")} == expected


def test_a_last_level_item_run_on_to_the_next_sentence_ends_at_its_level():
    text = "at the following interspaces: 1. T7-8 2. T8-9 3. T9-10 At each interspace a wedge was cut."
    assert [text[s:e] for s, e in split_sentences(text)][-2:] == ["3. T9-10", "At each interspace a wedge was cut."]


FIELDS = ("OPERATIVE NOTE\nProcedure: Posterior spinal fusion T8-L3 with instrumentation.\n\nNavigation: "
          "{NAV:None - fluoroscopy}\nLevels fused: T8-L3\nDecompression: {DECOMPRESSION:None}\n"
          "Osteotomy: {YES/NO:Yes}\n  Osteotomy type: {OSTEOTOMY TYPE:Ponte (posterior column)}\n"
          "  Levels: {LEVELS:T10-11, T11-12}\nInterbody: {INTERBODY:None}\n\nProcedure Details:\nPedicle screws at "
          "every level T8 to L3 per the implant log. The osteotomies were completed as listed above and closed with "
          "compression. Local bone laid in the gutters.\n")


def test_fields_run_onto_one_line_keep_their_answers_apart(ex):
    expected = {("22212", 1), ("22216", 1)}
    assert {c for c in codes_of(ex, FIELDS) if c[0].startswith("222")} == expected
    collapsed = TRANSFORMS["newlines_to_spaces"](FIELDS)
    assert {c for c in codes_of(ex, collapsed) if c[0].startswith("222")} == expected


CHECKBOXES = ("OPERATIVE NOTE\nProcedure: Kyphoplasty L1.\n\nDescription:\nBilateral transpedicular balloon "
              "kyphoplasty of L1 with 4 mL of cement.\n\nInstrumentation: [x] None  [ ] Pedicle screws\n"
              "Bone graft: [x] None  [ ] Autograft  [ ] Allograft\nLocal autograft used: [ ] Yes  [x] No\n")


@pytest.mark.parametrize("transform", [None, "newlines_to_spaces", "flatten_kaggle"])
def test_unticked_options_stay_negated_on_any_layout(ex, transform):
    text = exported(CHECKBOXES, transform)
    assert codes_of(ex, text) == set()


def test_levels_of_a_ticked_option_stay_with_that_option(ex):
    text = ("OPERATIVE NOTE\nDESCRIPTION OF PROCEDURE:\nThe patient was placed prone. Pedicle screws were placed "
            "bilaterally T12 to S1 with rods. Left L5-S1 TLIF with a PEEK cage packed with local bone.\n\n"
            "Graft placed: [x] Posterolateral T12-S1  [x] Interbody L5-S1 (in/around cage)\n")
    assert ("22853", 1) in codes_of(ex, text)


def test_a_label_answered_none_on_the_next_line_is_negated(ex):
    text = ("OPERATIVE NOTE\nDESCRIPTION OF PROCEDURE:\nThe patient was placed supine. C5 and C6 partial "
            "corpectomies were performed and a tricortical crest graft tapped into the defect through a separate "
            "incision. An anterior plate was fixed from C4 to C7.\n\nIMPLANTS\nPlate C4-C7\nCAGE\nNone\n\nEBL\n200 mL\n")
    codes = codes_of(ex, text)
    assert not {c for c, _ in codes} & {"22853", "22854"}
    assert ("22846", 1) in codes


def test_a_pipe_table_row_wrapped_before_its_closing_pipe_stays_one_row():
    text = "| L3-4  | Bilateral | Ponte osteotomy | N/A\n| N/A - NOT PERFORMED |\n| L4    | L | Screw | 7.0 |\n"
    assert [text[s:e] for s, e in split_sentences(text)][0].endswith("NOT PERFORMED |")


def test_table_rows_run_onto_one_line_are_rows_again_but_a_cell_keeps_its_level():
    table = "| Step | Procedure | Side |\n| 1 | Ponte osteotomy T10-11 | Bilateral | Complete | EBL 100 |\n"
    assert "Ponte osteotomy T10-11 | Bilateral" in [table[s:e] for s, e in split_sentences(table)][1]
    text = ("Level | Left | Right | Note T1 | None - PSO level | None - PSO level T2 | Pedicle screw 4.5 x 30 | "
            "Pedicle screw 4.5 x 30 T3 | Pedicle screw 4.5 x 30 | Pedicle screw 4.5 x 30 T4 | Pedicle screw 4.5 x 35 "
            "| Pedicle screw 4.5 x 35")
    pieces = [text[s:e] for s, e in split_sentences(text)]
    assert "None - PSO level T2" not in " ".join(p for p in pieces if "PSO" in p)


@pytest.mark.parametrize("text,header", [
    ("THE SEGMENTAL VESSELS WERE TIED AND BILATERAL COSTOTRANSVERSECTOMY WAS THEN\nPERFORMED: THE RIB HEADS WERE "
     "TAKEN.", False),
    ("SPINAL CORD MONITORING LEADS WERE PLACED AND\nNEUROMONITORING\nLEADS APPLIED FOR EVOKED POTENTIALS.", False),
    ("Pre-op dx\nAS, fixed lumbar kyphosis\nPost-op dx\nsame\nProc\nposterior wedge resection L2-3\n", True),
])
def test_clauses_and_wrapped_words_are_not_headers_but_short_fields_are(text, header):
    found = {text[h.start:h.end].strip(": \n") for h in build_view(text, triage=False).headers}
    assert (("PERFORMED" in found or "NEUROMONITORING" in found or "Proc" in found) == header)


def test_an_unknown_subheading_straight_under_the_operation_header_stays_in_its_narrative(ex):
    text = ("OPERATION NOTE\nProcedure:\n- anterior osteotomy through fused L2-3, PEEK cage\n- percutaneous screws "
            "L1-L5\n\n\nOperation:\n\n\nSTAGE A\n\n\n- Right lateral decubitus, transpsoas approach to L2-3.\n\n\n"
            "- Anterior osteotomy through the fused L2-3 segment: the bony bridge cut with an osteotome, a "
            "hyperlordotic PEEK cage packed with allograft chips placed.\n\n\nSTAGE B\n\n\n- Prone, percutaneous "
            "pedicle screws bilaterally L1 to L5 with rods.\n")
    assert ("20930", 1) in codes_of(ex, text)


def test_a_procedure_line_wrapped_after_a_blank_line_keeps_its_level(ex):
    """The line a wrap is judged by starts after the blank line, not at the column-spaced field row above it:
    "...osteotomy of" / "L3; ..." is one sentence, and the PSO keeps its level."""
    note = ("OPERATION NOTE\nPatient: [PATIENT]   Hospital no: ___   64 F   Date: [DATE]\n\n"
            "Operation: Revision pedicle subtraction osteotomy of\nL3; re-instrumentation T10 to S1; posterior fusion\n"
            "Surgeon: [CONSULTANT]\n\nProcedure:\nNew pedicle screws were placed at T10, T11, T12, L1, L2, L4, L5 and S1 "
            "on both sides. The L3 pedicles and a posterior wedge of the L3 body were resected and the osteotomy was "
            "closed on two rods. Local bone was laid over the decorticated bed.\n")
    cleaned = build_view(note).view
    wrapped = cleaned.index("osteotomy of")
    assert any(s <= wrapped < e and cleaned.index("L3; re-") < e for s, e in split_sentences(cleaned))
    assert {c for c in codes_of(ex, note) if c[0].startswith("222")} == {("22207", 1)}


def test_a_bracketed_field_wrapped_inside_its_bracket_keeps_its_section(ex):
    """ "Specimens: [Deep tissue cultures x4; loose" / "allograft chips]": the chips sent to the lab are a specimen
    on both lines, not graft placed (the narrative says they were removed)."""
    note = ("OPERATIVE NOTE\nProcedure: Irrigation and debridement, hardware retained\n\nNARRATIVE:\nThe wound was "
            "opened and debrided down to the rods, and loose, nonincorporated allograft chips were removed; the pedicle "
            "screws from L3 to L5 were solid and left in place. The wound was irrigated and closed over drains.\n\n"
            "EBL: [300] mL\nSpecimens: [Deep tissue and fluid cultures x4; loose\nallograft chips]\n"
            "Complications: [None]\n")
    assert "20930" not in {c for c, _ in codes_of(ex, note)}


def test_a_stage_planned_field_stays_planned_when_the_export_flattens_the_note(ex):
    note = ("OPERATIVE NOTE\nProcedure: Anterior cervical discectomy and fusion C4-5, C5-6, C6-7\n"
            "Staged Procedure: [x] Yes  [ ] No\n  [Stage: 1 of 2 - anterior]\n"
            "  [Stage 2 planned: Posterior column osteotomies C6-7 and C7-T1 with posterior fusion C3-T2]\n"
            "Osteotomy (this stage): No\n\nNARRATIVE:\nDiscectomies were done at C4-5, C5-6 and C6-7 and a PEEK cage "
            "placed at each. A plate was fixed from C4 to C7 with eight screws.\n")
    for text in (note, TRANSFORMS["flatten_kaggle"](note), TRANSFORMS["newlines_to_spaces"](note)):
        assert not {c for c, _ in codes_of(ex, text)} & {"22210", "22212", "22216"}


LATERAL = ("OPERATIVE NOTE\nSurgeon: [SURGEON]\nProcedure(s): Lateral transpsoas lumbar interbody fusion, stand-alone\n\n"
           "Laterality: [Left-sided approach]\n\nLevel(s): [L3-4, L4-5]\n\nGraft: [Allograft chips packed in cages]\n\n"
           "Narrative:\nRight side down on a broken table. One lateral incision reached both levels through the "
           "retroperitoneum. At each disc space a discectomy was done and a PEEK cage filled with allograft chips was "
           "impacted into each space. No posterior fixation was placed. Closed in layers.\n")


@pytest.mark.parametrize("transform", [None, "newlines_to_spaces", "flatten_kaggle", "hard_wrap_60"])
def test_a_levels_field_under_the_procedure_line_gives_the_cages_their_interspaces(ex, transform):
    text = exported(LATERAL, transform)
    assert ("22853", 2) in codes_of(ex, text)


LOWER_LABELS = ("Operative Report\nProcedure Performed: Posterior instrumentation T4-T9, connected to the old rods.\n\n"
                "Description of Procedure: Prone on a Jackson frame.\nPedicle screws were placed bilaterally at T4, T5, "
                "T6, T7, T8 and T9 under fluoroscopy.\nThe posterior elements from T4 through T9 and the old fusion mass "
                "at T10 were decorticated with a burr.\nrods: two cobalt chrome rods were set into the new screws from "
                "T4 and joined to the old rods at T10 with side-by-side connectors.\ngrafting: local bone was laid "
                "from T4 to T10.\n")


def test_a_lower_case_label_after_a_finished_sentence_opens_a_new_sentence(ex):
    """The decortication's levels do not reach the rods told under a lower-case label (T4-T9 is 22842, not 22843)."""
    assert ("22842", 1) in codes_of(ex, LOWER_LABELS)
    text = LOWER_LABELS.split("Pedicle")[1]
    assert any(text[s:e].startswith("rods:") for s, e in split_sentences(text))


STACKED = ("OPERATIVE REPORT\nPROCEDURE PERFORMED: REMOVAL OF POSTERIOR SPINAL INSTRUMENTATION T5 TO T11.\n\n"
           "FINDINGS:\nBACKGROUND: VERTEBRAL COLUMN RESECTION OF T8 AT AGE 14 WITH A TITANIUM MESH CAGE PLACED IN THE\n"
           "DEFECT AND SCREWS AND RODS T5 TO T11.\nFLUOROSCOPY SHOWED THE TITANIUM MESH CAGE AT T8 SITTING IN THE FUSED\n"
           "COLUMN. IT WAS NOT DISTURBED.\n\nPROCEDURE IN DETAIL:\nTHE PATIENT WAS PLACED PRONE. THE OLD INCISION WAS "
           "OPENED AND THE LOOSE SCREWS AT T11 WERE REPLACED WITH LARGER ONES. NEW PEDICLE SCREWS WERE PLACED AT T12 AND "
           "L1 AND NEW RODS WERE SET FROM T5 TO L1. THE WOUND WAS CLOSED IN LAYERS.\n")


@pytest.mark.parametrize("transform", [None, "headers_without_colons", "hard_wrap_60"])
def test_a_background_label_under_findings_keeps_the_old_cage_out(ex, transform):
    """A bare "BACKGROUND" line is an indications header: the old cage it tells is history (run onto the FINDINGS line
    by an export, it is not: see the README's limits)."""
    text = exported(STACKED, transform)
    codes = codes_of(ex, text)
    assert ("22843", 1) in codes and not any(code in ("22853", "22854") for code, _ in codes)
    view = build_view(text, triage=False)
    cage = text.index("FLUOROSCOPY SHOWED THE TITANIUM")
    assert [s.role for s in view.sections if s.start <= cage < s.end] == ["excluded"]  # under BACKGROUND


STEPS = ("OPERATIVE REPORT\nPROCEDURES:\n1. Posterior spinal fusion L1-S1\n\nDESCRIPTION OF PROCEDURE:\n\nExposure.\n"
         "Midline incision and subperiosteal exposure from L1 to S1, out to the tips of the transverse processes.\n\n"
         "Instrumentation.\nPedicle screws were placed bilaterally at L1, L2, L3, L4, L5 and S1 with two rods.\n\n"
         "Per-level summary:\n  Interspace   Procedure            Note\n  L4-5         Facet decortication  only\n\n"
         "Grafting.\nThe transverse processes were decorticated with the burr and local autograft mixed with allograft "
         "chips was laid from L1 to S1.\n")


@pytest.mark.parametrize("transform", [None, "lower_case_headers", "headers_without_colons", "extra_blank_lines",
                                       "flatten_kaggle"])
def test_a_table_column_titled_procedure_opens_no_procedure_list(ex, transform):
    """A table row "Interspace   Procedure   Note" names columns, not a section: the graft told after the table is
    still in the narrative."""
    text = exported(STEPS, transform)
    codes = codes_of(ex, text)
    assert ("20936", 1) in codes and ("20930", 1) in codes


def test_a_measured_angle_run_onto_an_osteotomy_table_adds_no_site(ex):
    """X1014 under newlines to spaces: "... Total PCO Gain (deg) 9 10 8 27 Lordosis L1-S1 after correction: 52
    degrees" - the lordosis was measured over L1-S1; the osteotomies stay at their three interspaces."""
    text = ("PROCEDURE: Posterior column osteotomies L2 to L5.\nDESCRIPTION: Posterior column osteotomies at each "
            "interspace of the range: L2-3, L3-4 and L4-5. At each: spinous process base removed, ligamentum flavum "
            "resected, both facet joints resected completely. Correction by interspace (lateral fluoroscopy) "
            "Interspace     L2-3      L3-4      L4-5      Total PCO Gain (deg)     9         10        8         27  "
            "Lordosis L1-S1 after correction: 52 degrees.\n")
    assert osteotomy_codes_in(ex, text) == {("22214", 1), ("22216", 2)}


def test_an_operation_as_listed_label_run_onto_a_line_is_the_procedure_list(ex):
    """X1079 under newlines to spaces: "Theatre: [THEATRE]  Elective  Operation (as listed): ... Smith-Petersen
    osteotomy" is the booking list, and the "Procedure:" section below is the narrative (where it was not done)."""
    text = ("Theatre: [THEATRE]       Elective  Operation (as listed): L4 laminectomy, L3-L5 posterolateral instrumented "
            "fusion, with L3/4 Smith-Petersen osteotomy Surgeon: Mr [CONSULTANT] Findings: Grade 1 slip of L4 on L5. "
            "Procedure: Prone on a Jackson table. Midline incision. Pedicle screws were placed bilaterally at L3, L4 "
            "and L5 and rods were locked. The listed Smith-Petersen osteotomy at L3/4 was not performed: the segment "
            "was mobile and no osteotomy was needed. Local bone from the laminectomy was laid posterolaterally.")
    assert ("22842", 1) in codes_of(ex, text) and not osteotomy_codes_in(ex, text)


# Waves 17-20 (issue 9): each layout below once changed the codes of a dev note under a transform.
PONTE_THEN = ("OPERATIVE REPORT\nPROCEDURE: Posterior spinal fusion T6-T12 with osteotomies.\n\nDESCRIPTION:\nPedicle "
              "screws were placed at T6, T7, T8, T10, T11 and T12. The osteotomies were made at the stiff apex, beginning "
              "at T7-8, then\nT8-9, then T9-10 and lastly T10-11, and at each we took away the spinous process, the\n"
              "ligamentum flavum and both facet joints back to the pedicles, leaving a chevron-shaped gap.\n")


@pytest.mark.parametrize("transform", [None, "crlf", "extra_blank_lines", "html", "rtf"])
def test_a_list_of_sites_told_with_then_across_a_line_break_keeps_every_site(ex, transform):
    text = exported(PONTE_THEN, transform)
    assert osteotomy_codes_in(ex, text) == {("22212", 1), ("22216", 3)}


ACDF_LOWER = ("OPERATIVE REPORT\n\nSurgeon: [SURGEON]\nPre-op dx: C5-6 and C6-7 disc herniation with myelopathy\n\n"
              "PROCEDURES:\n1. ACDF C5-6, C6-7\n\nINDICATION: myelopathy, consented.\n\nFINDINGS AND PROCEDURE:\n"
              "- Supine, shoulder roll, time-out.\n- C5-6 and C6-7 discectomies with PLL resection.\n- 7 mm PEEK cage "
              "packed with allograft chips at each level.\n- Plate C5-C7 with six screws, locked.\n\nEBL: 30 mL\n")


@pytest.mark.parametrize("label", ["FINDINGS AND PROCEDURE:", "SUMMARY OF SURGERY IN DETAIL:"])
def test_a_narrative_label_alone_on_its_line_is_a_header_in_lower_case_too(ex, label):
    note = ACDF_LOWER.replace("FINDINGS AND PROCEDURE:", label)
    expected = codes_of(ex, note)
    assert {("22853", 2), ("22845", 1)} <= expected
    assert codes_of(ex, TRANSFORMS["lower_case_headers"](note)) == expected


TLIF_FIELDS = ("OPERATIVE NOTE\nSurgeon: [SURGEON], MD\n\nProcedure(s): Posterior spinal fusion with pedicle screw "
               "instrumentation; transforaminal lumbar interbody fusion, 2 levels\nLaterality: [Bilateral instrumentation] "
               "[TLIF approach side: Left]\nLevel(s): [L3-L5]\nInterbody: [Yes]   [Approach: TLIF]   [Device: PEEK]\n\n"
               "Narrative:\nProne, midline approach. Pedicle screws placed bilaterally L3, L4 and L5. Left facetectomies, "
               "then discectomy and endplate preparation at both disc spaces with a PEEK cage placed in each, packed "
               "with local bone. Rods seated and tightened. Closed in layers.\n")


@pytest.mark.parametrize("transform", [None, "newlines_to_spaces", "hard_wrap_60", "extra_blank_lines"])
def test_laterality_and_levels_fields_stay_in_the_procedure_list(ex, transform):
    """The cages told without levels take the interspaces of the procedure's "Level(s): [L3-L5]"."""
    text = exported(TLIF_FIELDS, transform)
    assert ("22853", 2) in codes_of(ex, text)


SPO_FIELD = ("OPERATIVE NOTE\nPROCEDURE(S):\n  Fusion: [x] Yes   Level(s): [T9-L4]\n  Osteotomy: [x] Yes  [ ] No\n"
             "      Type: [Smith-Petersen (Schwab grade 2)]      Level(s): [T12-L1, L1-2, L2-3]\n  Revision: [ ] Yes\n\n"
             "NARRATIVE:\nMidline exposure T9-L4, pedicle screws placed bilaterally at each level from T9 to L4. "
             "Smith-Petersen osteotomies at the levels in the osteotomy field: spinous process bases, ligamentum "
             "flavum and both facet joints removed at each. Rods seated, osteotomies closed by compression.\n")


@pytest.mark.parametrize("transform", [None, "headers_without_colons", "hard_wrap_60"])
def test_a_template_type_keeps_the_levels_of_its_levels_field_when_wrapped_or_set_apart(ex, transform):
    text = exported(SPO_FIELD, transform)
    assert osteotomy_codes_in(ex, text) == {("22212", 1), ("22216", 2)}


ATTESTED = ("OPERATIVE REPORT\nPROCEDURE: Posterior instrumentation L4-L5.\n\nDESCRIPTION: Prone on a Jackson frame. "
            "Pedicle screws were placed bilaterally at L4 and L5 and rods set. Closed in layers.\n\n"
            "ATTESTATION: I was present and scrubbed for the entire procedure, including screw placement and cement "
            "augmentation at the L2 level.\n")


@pytest.mark.parametrize("transform", [None, "hard_wrap_60"])
def test_an_attestation_wrapped_over_lines_stays_an_attestation(ex, transform):
    """Its wrapped lines do not reach the construct (L4-L5 stays 22840)."""
    text = exported(ATTESTED, transform)
    assert ("22840", 1) in codes_of(ex, text)


LATERAL_TABLE = ("OPERATIVE NOTE\nProcedure(s): Lateral lumbar interbody fusion L2-3, L3-4; L4-5 attempted\n\n"
                 "Implants:\n  Level    Side          Implant                        Size\n"
                 "  -------  ------------  -----------------------------  ----------------------\n"
                 "  L2-3     Left lateral  PEEK lateral interbody cage    10 mm x 18 x 50, 6 deg\n"
                 "  L3-4     Left lateral  PEEK lateral interbody cage    11 mm x 18 x 50, 6 deg\n"
                 "  L4-5     --            None (level aborted)           --\n\n"
                 "Narrative:\nLeft transpsoas approach; L2-3 and L3-4 discs prepared and each filled with a PEEK cage. "
                 "At L4-5 the plexus lay across the disc, so the level was abandoned and no cage was placed there.\n")


@pytest.mark.parametrize("transform", [None, "hard_wrap_60"])
def test_table_rows_wrapped_by_an_export_stay_rows_of_their_own(ex, transform):
    text = exported(LATERAL_TABLE, transform)
    assert ("22853", 2) in codes_of(ex, text)


GRAFT_FIELDS = ("OPERATIVE NOTE\nProcedure: ACDF C4-5 with a PEEK cage and anterior plate\n\nGraft: [Allograft: "
                "cancellous chips] [DBM: yes] [Autograft: N/A] [BMP: N/A]\n\nNarrative: Supine, right-sided approach. "
                "C4-5 discectomy, a 7 mm PEEK cage packed with allograft chips and DBM, plate C4-C5 with four screws.\n")


@pytest.mark.parametrize("transform", [None, "hard_wrap_60"])
def test_a_bracketed_field_wrapped_inside_its_brackets_keeps_its_answer(ex, transform):
    text = exported(GRAFT_FIELDS, transform)
    assert not any(code in {"20936", "20937", "20938"} for code, _ in codes_of(ex, text))


TERSE = ("BRIEF OP NOTE\n\nProc: PSF T3-L1; b/l PS T3-L1 every level; rods x2; Ponte osteotomies T8-9, T9-10\n"
         "EBL: 700 mL\nDescription:\n- prone Jackson, baselines ok -> time-out\n- midline T2-L2 incision, exposure T3-L1\n"
         "- freehand PS b/l T3-L1, fluoro ok\n- Pontes x2 @ T8-9, T9-10: SP, LF, b/l facets out\n- rods placed, "
         "segmental compression\n- local bone laid down b/l\n")


@pytest.mark.parametrize("transform", [None, "newlines_to_spaces"])
def test_bullets_opening_in_lower_case_run_onto_one_line_stay_items(ex, transform):
    """The incision's T2-L2 does not reach the screws of the next item (T3-L1 is 22843, not 22844)."""
    text = exported(TERSE, transform)
    assert ("22843", 1) in codes_of(ex, text)


NO_PERIOD = ("OPERATIVE REPORT\nPROCEDURE: Laminectomy L3 and posterior instrumented fusion L3-L5, revision.\n\n"
             "DESCRIPTION OF PROCEDURE: The old incision was opened. The old rods were removed and the old L4 and L5 "
             "screws backed out. A laminectomy of L3 was done with the Leksell and Kerrison rongeurs, the thickened "
             "flavum was removed, foraminotomies were done at L3-4 and the L3 and L4 roots decompressed until a probe "
             "passed freely. There was no dural tear or CSF leak\n\nPedicle screws were then placed at L3 bilaterally using fluoroscopy. New screws were placed into the "
             "old L4 and L5 tracks. Two new rods were placed and the set screws tightened.\n")


@pytest.mark.parametrize("transform", [None, "newlines_to_spaces", "flatten_kaggle"])
def test_a_paragraph_left_without_its_period_does_not_negate_the_next(ex, transform):
    text = exported(NO_PERIOD, transform)
    assert ("22842", 1) in codes_of(ex, text)


CHECKED_BLOCK = ("OPERATIVE NOTE\nProcedure(s): Revision posterior spinal fusion T10-L1; pedicle subtraction osteotomy\n"
                 "Level(s) instrumented: [T10, T11, T12, L1 - bilateral]\nOsteotomy: [Yes]   [Osteotomy type: PSO]   "
                 "[Level: L2]\n\nNarrative:\nProne, old incision reopened. Bilateral pedicle screws placed T10, T11, T12, "
                 "L1. L2 lamina and both pedicles removed, then a wedge of the L2 body resected with roots protected, and "
                 "osteotomy closed to 26 degrees. Rods connected to the old rods at L3.\n")


@pytest.mark.parametrize("transform", [None, "newlines_to_spaces"])
def test_a_field_after_a_bracketed_answer_is_a_header_of_its_own(ex, transform):
    text = exported(CHECKED_BLOCK, transform)
    assert osteotomy_codes_in(ex, text) == {("22207", 1)}


PIPE_TABLE = ("OPERATIVE NOTE\nProcedure(s): Posterior spinal fusion T10-S1; Ponte osteotomy L1-2; TLIF L4-5 and L5-S1\n\n"
              "Narrative:\nProne, exposure T10 to the sacrum, pedicle screws placed bilaterally T10 to S1. A Ponte osteotomy "
              "was done at L1-2, taking the spinous process, ligamentum flavum and both facets. Left-sided TLIF at L4-5 and "
              "L5-S1 with one PEEK cage per disc, packed with local bone. Rods seated with compression.\n\n"
              "Segmental correction:\n| Step                   | Before | After  | Gain   |\n"
              "|------------------------|--------|--------|--------|\n| Ponte L1-2             | -      | -      | 7 deg  |\n"
              "| TLIF L4-5 (segmental)  | 4 deg  | 13 deg | 9 deg  |\n| TLIF L5-S1 (segmental) | 8 deg  | 18 deg | 10 deg |\n")


@pytest.mark.parametrize("transform", [None, "newlines_to_spaces"])
def test_a_pipe_table_run_onto_one_line_keeps_each_row_to_itself(ex, transform):
    """A row's level stays with its first cell: the Ponte's L1-2 does not join the TLIF row after it (two cages)."""
    text = exported(PIPE_TABLE, transform)
    assert ("22853", 2) in codes_of(ex, text)


ALIGNED_IMPLANTS = ("OPERATIVE REPORT\nPROCEDURE: Posterior instrumentation T4-T9, connected to the old construct.\n\n"
                    "DESCRIPTION: Pedicle screws were placed at T4, T5, T6, T7, T8 and T9 bilaterally and joined to the old "
                    "rods at T10 with side-by-side connectors. Local bone was laid from T4 to T9.\n\n"
                    "IMPLANTS\n  Level   Left                      Right\n"
                    "  T4      pedicle screw 5.0 x 35    pedicle screw 5.0 x 35\n"
                    "  T5      pedicle screw 5.0 x 35    pedicle screw 5.0 x 35\n"
                    "  T9      pedicle screw 6.0 x 45    pedicle screw 6.0 x 45\n"
                    "  T10     side-by-side connector    side-by-side connector\n")


@pytest.mark.parametrize("transform", [None, "newlines_to_spaces"])
def test_a_space_aligned_table_run_onto_one_line_keeps_each_row_to_itself(ex, transform):
    """The connector row's T10 does not extend the screws (T4-T9 is 22842, T4-T10 would be 22843)."""
    text = exported(ALIGNED_IMPLANTS, transform)
    assert ("22842", 1) in codes_of(ex, text)


TWO_FIELDS = ("OPERATIVE NOTE\nProcedure(s): [Posterior spinal fusion T10-L5; posterior segmental instrumentation T10-L5; "
              "right TLIF L4-5]\nLaterality: [Bilateral; TLIF right]\nLevel(s): [T10-L5]\n\nNarrative:\nProne, exposure "
              "T10-L5, pedicle screws placed bilaterally T10-L5. Complete right L4-5 facetectomy for the TLIF, with "
              "discectomy, endplate preparation and one PEEK cage packed with local bone. Rods seated.\n")
INTERBODY_FIELD = ("OPERATIVE NOTE\nProcedure(s): Posterior spinal fusion with pedicle screws; transforaminal interbody "
                   "fusion, 2 levels\nLaterality: [Bilateral] [TLIF side: Right]\nLevel(s): [L2-L5]\nInterbody: [Yes]   "
                   "[Interbody level(s): L3-4, L4-5]   [Approach: TLIF]\n\nNarrative:\nProne, midline approach. Pedicle screws "
                   "placed bilaterally L2 to L5. Right facetectomies, then discectomy and endplate preparation at both "
                   "disc spaces with a PEEK cage placed in each, packed with local bone. Rods seated.\n")


@pytest.mark.parametrize("transform", [None, "newlines_to_spaces", "lower_case_headers", "hard_wrap_60"])
def test_the_procedure_levels_field_is_not_the_tlif_s_but_an_interbody_levels_field_is(ex, transform):
    """"[Bilateral; TLIF right]" / "Level(s): [T10-L5]": one cage at L4-5, not seven; "[Interbody level(s): L3-4,
    L4-5]" gives the cages told "in each" their two interspaces, not the three of L2-L5."""
    for text, cages in ((TWO_FIELDS, 1), (INTERBODY_FIELD, 2)):
        text = exported(text, transform)
        assert ("22853", cages) in codes_of(ex, text)


ANGLE_COLUMN = ("OPERATIVE REPORT\nPROCEDURE: Posterior spinal fusion T4-L1 with Ponte osteotomies T7-8 and T8-9.\n\n"
                "DESCRIPTION: Pedicle screws were placed from T4 to L1. Ponte osteotomies were done at T7-8 and T8-9, "
                "taking the spinous processes, ligamentum flavum and both facets. Rods were seated with compression.\n\n"
                "CORRECTION TABLE\nStep                          Cobb          Kyphosis T5-T12\n"
                "Preoperative                  72 deg        81 deg\nAfter the Ponte osteotomies   51 deg        58 deg\n"
                "Final                         33 deg        44 deg\n")


@pytest.mark.parametrize("transform", [None, "newlines_to_spaces"])
def test_a_measured_column_title_run_onto_the_rows_names_no_osteotomy_site(ex, transform):
    text = exported(ANGLE_COLUMN, transform)
    assert osteotomy_codes_in(ex, text) == {("22212", 1), ("22216", 1)}


# A cold review's probes of the rules above (each once overreached; written again here in our own words).
NEITHER = ("OPERATIVE REPORT\nPROCEDURE PERFORMED: Posterior spinal fusion T9-L3 with pedicle screw instrumentation.\n\n"
           "DESCRIPTION OF PROCEDURE: The patient was positioned prone and the spine exposed from T9 to L3. The curve was "
           "flexible on the table, so neither a pedicle subtraction osteotomy nor\nPonte osteotomies were needed. Pedicle "
           "screws were placed from T9 to L3 and rods seated. Local bone and allograft chips were laid down.\n")


@pytest.mark.parametrize("transform", [None, "crlf", "newlines_to_spaces", "flatten_kaggle"])
def test_a_negation_wrapped_before_its_osteotomy_keeps_it_negated_in_every_layout(ex, transform):
    text = exported(NEITHER, transform)
    assert osteotomy_codes_in(ex, text) == set()


STATUS_ITEM = ("OPERATIVE REPORT\nPROCEDURE PERFORMED: Posterior spinal fusion T10-L3 with pedicle screws.\n\nFindings: - "
               "Ponte osteotomies at T11-12 and T12-L1 - aborted - baseline signals lost on exposure\n\nDESCRIPTION: Prone, "
               "exposure T10-L3, pedicle screws T10 to L3, rods seated. Local bone laid down. Closed in layers.\n")


def test_a_dash_before_what_became_of_an_item_does_not_open_a_new_item(ex):
    assert osteotomy_codes_in(ex, STATUS_ITEM) == set()


MONITORING = ("OPERATIVE REPORT\n\nPROCEDURE PERFORMED: Posterior spinal fusion T9-L3 with pedicle screws and Ponte "
              "osteotomies.\n\nDESCRIPTION OF PROCEDURE: Prone on the Jackson table, midline exposure.\nNeuromonitoring: "
              "SSEPs and MEPs were followed through the case and\nstayed at baseline. Ponte osteotomies were performed at "
              "T10-11, T11-12 and T12-L1, removing the facets and the flavum. Pedicle screws T9 to L3, rods seated.\n")


@pytest.mark.parametrize("transform", [None, "hard_wrap_60"])
def test_a_wrapped_field_value_ends_with_its_sentence(ex, transform):
    text = exported(MONITORING, transform)
    assert osteotomy_codes_in(ex, text) == {("22212", 1), ("22216", 2)}


def test_an_interbody_levels_field_of_a_plan_does_not_count_todays_cages(ex):
    text = ("OPERATIVE REPORT\nPROCEDURE PERFORMED: Stage 1 of 2. Posterior spinal fusion T10-S1 with pedicle screws, "
            "L5-S1 transforaminal interbody fusion.\n\nPLAN FOR STAGE 2: lateral interbody fusion. [Interbody level(s): "
            "L2-3, L3-4, L4-5]\n\nDESCRIPTION OF PROCEDURE: Prone, exposure T10 to the sacrum, pedicle screws T10 to S1. "
            "Left transforaminal approach at L5-S1 with facetectomy and discectomy; a PEEK cage packed with local bone was "
            "impacted into the disc space. Rods seated.\n")
    assert ("22853", 1) in codes_of(ex, text)


def test_a_tlif_field_keeps_the_levels_of_the_field_after_it(ex):
    text = ("OPERATIVE NOTE\nProcedure(s): Posterior spinal fusion L3-S1 with pedicle screws\nInterbody: [TLIF, left]   "
            "Level(s): [L4-5, L5-S1]\n\nNarrative:\nProne, pedicle screws L3 to S1. Left facetectomies, discectomies and a "
            "PEEK cage in each disc space. Rods seated, local bone laid down.\n")
    assert ("22853", 2) in codes_of(ex, text)


def test_levels_given_after_a_list_of_procedures_are_the_fusion_s_not_the_osteotomies(ex):
    """"Posterior spinal fusion and instrumentation with Ponte osteotomies" / "Levels: T4-L1": nine Ponte sites would
    be overcoding; the osteotomies' sites are not told."""
    text = ("BRIEF OP NOTE\n\nProcedure: Posterior spinal fusion and instrumentation with Ponte osteotomies\nLevels: T4-L1\n"
            "Surgeon: [SURGEON]\nEBL: 900 mL\nImplants: 5.5 mm rods, pedicle screws\n")
    assert not any(code in {"22212", "22214", "22216"} for code, _ in codes_of(ex, text))


BLOCKS = (
    "OPERATIVE NOTE - SPINE\nDate of Procedure: [DATE]\n\nPROCEDURE(S) PERFORMED:\n[Posterior spinal fusion T10 to pelvis]\n"
    "[Posterior column osteotomies]\n[Right L4-5 TLIF]\n\nPosition: [Prone]     Table: [Jackson]\n"
    "Laterality: Bilateral (TLIF right)\n\n[Level(s) instrumented: T10-L5]\n[Level(s) fused: T10-L5]\n\n"
    "INSTRUMENTATION\n[Implant: Pedicle screws, bilateral, T10 to L5]\n[Implant: Rods x 2]\n\n"
    "OSTEOTOMY\n[Osteotomy type: Ponte]\n[Level(s): L1-L4]\n[Number of osteotomies: 3]\n"
    "[Elements resected: spinous process base, ligamentum flavum, bilateral facets]\n\n"
    "FUSION\n[Fusion levels: T10-L5]\n[Graft: Local autograft]\n\n"
    "NARRATIVE:\nStandard posterior exposure T10 to L5 with pedicle screws as listed. Ponte osteotomies were performed at "
    "the levels listed in the osteotomy field. The right L4-5 facetectomy gave access to the disc, which was removed, "
    "and a PEEK cage packed with local bone was tapped in. Rods were placed and the osteotomies closed with "
    "compression.\n")


@pytest.mark.parametrize("transform", [None, "flatten_kaggle", "newlines_to_spaces", "headers_without_colons"])
def test_a_template_s_capitals_blocks_and_bare_fields_keep_their_codes(ex, transform):
    """Wave 22 and 23 (X1289's and X1335's classes): "OSTEOTOMY" over bracketed fields is the block of the osteotomy
    done (three sites), also once a flattened export runs it after a closed field ("...],OSTEOTOMY,[Osteotomy type:
    ..."); "Laterality: Bilateral (TLIF right)" before "[Level(s) instrumented: T10-L5]" keeps the TLIF at L4-5 (one
    cage) once the blank line between them is lost."""
    codes = codes_of(ex, exported(BLOCKS, transform))
    assert {c for c in codes if c[0].startswith("222")} == {("22214", 1), ("22216", 2)}
    assert ("22853", 1) in codes


def test_a_narrative_under_a_procedure_header_alone_on_its_line_is_read(ex):
    """Wave 24 (X1394's class): "OPERATION" alone on its line over the narrative, in a note whose "COURSE LEADING TO
    SURGERY" header reads as the description: the narrative under it is the operation told (screws, local rib bone)."""
    text = ("OPERATIVE NOTE\nDIAGNOSES\n1. T8-9 discitis.\nPROCEDURE: Costotransversectomy T8-9, debridement, fusion "
            "T6-T11.\n\nCOURSE LEADING TO SURGERY\nAdmitted with bacteremia; the abscess grew despite antibiotics.\n\n"
            "OPERATION\nHe was intubated and placed prone on a Jackson table. The back was prepped and draped and a "
            "midline incision made. Pedicle screws were placed at T6, T7, T10 and T11. The right T8 rib was resected and "
            "the disc debrided. The resected rib was cleaned, morselized and packed into the disc space. Rods were "
            "placed and the wound was closed in layers. Counts were correct.\n\nASSESSMENT AND PLAN\n1. Discitis.\n")
    codes = codes_of(ex, text)
    assert {("22842", 1), ("20936", 1)} <= codes


@pytest.mark.parametrize("narrative", [
    "Prone on Jackson table, midline approach T9 to L1. Pedicle screws T9, T10, T12 and L1 bilat placed; T11 "
    "skipped (small pedicles). Rods contoured and locked. TPs roughened with burr, local bone laid. Closed.",
    "Supine, left approach, platysma split, carotid sheath retracted laterally. C5-6 and C6-7 discectomies, PLL "
    "taken down, foramina opened both sides. Two PEEK cages with allograft putty placed. Plate C5 to C7, six screws. "
    "Fluoro good. Drain. Closed.",
])
def test_a_terse_narrative_straight_under_a_one_line_procedure_field_is_read(ex, narrative):
    """Round-3 red team: a terse dictation's narrative in a paragraph of its own right under "PROCEDURE: <one line>",
    with no narrative header and few of the verbose cues ("brought to the operating room", "prepped and draped"): its
    position ("Prone on Jackson table,", "Supine,") and its short steps ("placed;", "locked.", "Closed.") tell the
    operation, so it is evidence, not more of the procedure list."""
    text = "PREOP: degenerative disease.\nPROCEDURE: fusion as below.\n\n" + narrative + "\n\nEBL 300.\n"
    families = {c[0] for c in codes_of(ex, text)}
    assert families & {"22842", "22853"}


def test_the_note_s_own_title_does_not_set_its_untitled_narrative_aside(ex):
    """Round-3 red team: a note whose only header is its title ("OPERATIVE REPORT") over a terse narrative with none
    of the verbose cues: the title is no section of its own, the text under it is the note's narrative, as it would
    be with no title at all."""
    narrative = ("The patient is a 51-year-old man with L4-5 spondylolisthesis, here for a left L4-5 TLIF with screws.\n\n"
                 "Prone, midline approach, screws at L4 and L5 bilaterally. Left L4-5 facetectomy with the bone kept. "
                 "Discectomy and endplate preparation. The cage was filled with the milled facet bone and tapped across "
                 "the disc space, then checked on lateral fluoroscopy. Compression across the screws.\n")
    untitled = codes_of(ex, narrative)
    assert ("22853", 1) in untitled
    assert codes_of(ex, "OPERATIVE REPORT\n\n" + narrative) == untitled
