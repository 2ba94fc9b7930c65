"""Offset-preserving cleanup, header detection and sentence splitting on raw text."""
import pytest

from extractor.section_roles import unknown_category
from extractor.sentences import split_sentences
from extractor.textview import build_view, clean, find_headers


def test_clean_keeps_length_and_blanks_markup():
    text = "<p>PSO&nbsp;at <b>L3</b></p>\x0c"
    out = clean(text)
    assert len(out) == len(text)
    assert "<" not in out and "nbsp" not in out and "L3" in out


def test_rtf_is_blanked():
    text = r"{\rtf1\ansi\deff0 {\fonttbl {\f0 Courier;}}\f0\fs20 Ponte osteotomies at L2-3.\par }"
    out = clean(text)
    assert len(out) == len(text) and "Ponte osteotomies at L2-3." in out and "\\par" not in out


def test_rtf_font_and_colour_tables_are_not_text():
    """A font name left in the view ("Arial;") would run into the title line and make its first word a
    header of a flattened export."""
    text = (r"{\rtf1\ansi{\fonttbl{\f0\fswiss Arial;}{\f1 Times New Roman;}}{\colortbl;\red0\green0\blue0;}"
            r"\f0 OPERATION NOTE - Spinal Surgery\par Procedure: TLIF L4/5\par }")
    out = clean(text)
    assert "Arial" not in out and "Times" not in out and "OPERATION NOTE - Spinal Surgery" in out
    assert headers(out) == ["Procedure:"]


def headers(text):
    return [text[h:e] for _, h, e in find_headers(text)]


def test_an_indented_title_line_is_not_a_run_in_header():
    """Indentation (or a blanked ``<p>``) before a title is not where an export joined two lines:
    "OPERATION NOTE - Spinal Surgery" stays a title, as it is without the indent."""
    for text in ("OPERATION NOTE - Spinal Surgery\nProcedure: TLIF L4/5\n",
                 "   OPERATION NOTE - Spinal Surgery\nProcedure: TLIF L4/5\n",
                 clean("<html><body>\n<p>OPERATION NOTE - Spinal Surgery<br>\nProcedure: TLIF L4/5</p>\n")):
        assert headers(text) == ["Procedure:"]


def test_headers_with_without_colon_caps_numbered():
    text = ("1. PREOPERATIVE DIAGNOSIS: kyphosis\nProcedure Performed:\nL3 PSO\nDESCRIPTION OF PROCEDURE\n"
            "The patient was prone.\nFindings were unremarkable.\n")
    assert headers(text) == ["PREOPERATIVE DIAGNOSIS:", "Procedure Performed:", "DESCRIPTION OF PROCEDURE"]


def test_headers_mid_line_in_flattened_exports():
    spaces = "PREOPERATIVE DIAGNOSIS: kyphosis. PROCEDURE: L3 PSO. DESCRIPTION OF PROCEDURE: The patient was prone."
    assert headers(spaces) == ["PREOPERATIVE DIAGNOSIS:", "PROCEDURE:", "DESCRIPTION OF PROCEDURE:"]
    commas = "OPERATIVE REPORT, PROCEDURES PERFORMED, 1. L3 PSO, DESCRIPTION OF PROCEDURE, The patient was prone."
    assert headers(commas) == ["PROCEDURES PERFORMED,", "DESCRIPTION OF PROCEDURE,"]


def test_a_note_flattened_with_bare_commas_gets_its_lines_back():
    flat = ("OPERATIVE NOTE,PROCEDURES: ,1.  Ponte osteotomies T10-11, T11-12,,2.  Fusion T9-L1 with "
            "screws at T9,T10,T11 and 1,000 mL saline.,DESCRIPTION OF PROCEDURE: , The patient was prone. With Ponte,"
            "osteotomies done, rods were placed.")
    cleaned = clean(flat)
    assert len(cleaned) == len(flat)
    assert cleaned.split("\n")[:4] == ["OPERATIVE NOTE", "PROCEDURES: ", "1.  Ponte osteotomies T10-11, T11-12,",
                                        "2.  Fusion T9-L1 with screws at T9,T10,T11 and 1,000 mL saline."]
    assert "\nDESCRIPTION OF PROCEDURE: , The patient" in cleaned and "With Ponte\nosteotomies" in cleaned
    one_line = ("Screws at T9,T10,T11, rods, and a cross-link,all placed with 1,200 mL saline. "
                + "Closure in layers, with a drain, and dressings. " * 4)
    assert clean(one_line) == one_line  # a single bare comma is a typo, not an export


def test_view_puts_headers_on_their_own_line_without_moving_offsets():
    text = "DIAGNOSIS: kyphosis. PROCEDURE: L3 PSO. DESCRIPTION OF PROCEDURE: A PSO was done at L3."
    view = build_view(text, triage=False)
    assert len(view.view) == len(text)
    i = text.index("DESCRIPTION")
    assert view.view[i - 1] == "\n" and view.view[i:i + 11] == "DESCRIPTION"


def sentences(text):
    return [text[s:e] for s, e in split_sentences(text)]


def test_hard_wrapped_dictation_stays_one_sentence():
    text = "Pedicle screws were placed bilaterally at T10, T11, T12 and\nL1 under fluoroscopic guidance. Rods were placed."
    assert sentences(text) == ["Pedicle screws were placed bilaterally at T10, T11, T12 and\nL1 under fluoroscopic guidance.",
                               "Rods were placed."]


def test_list_lines_abbreviations_and_semicolons():
    text = "IMPLANTS:\nPedicle screws T10-L2\nRods x2\nSeen by Dr. Smith. Screws T2-T5; T9 through L3."
    assert sentences(text) == ["IMPLANTS:", "Pedicle screws T10-L2", "Rods x2", "Seen by Dr. Smith.",
                               "Screws T2-T5; T9 through L3."]


def test_numbered_list_run_onto_one_line_is_split_into_items():
    text = "Procedure 1) Kyphoplasty T12 2) Posterior instrumentation T11-L1 3) No fusion\n\nThe patient was prone."
    assert headers(text) == ["Procedure"]
    assert sentences(text[10:]) == ["1) Kyphoplasty T12", "2) Posterior instrumentation T11-L1", "3) No fusion",
                                    "The patient was prone."]


def test_a_bulleted_list_run_onto_one_line_after_its_label_is_split_into_items():
    text = ("Operation Performed: - Anterior osteotomies, T8-9, T9-10 - Anterior interbody arthrodesis T8-9, T9-10 "
            "- Anterior instrumentation T7-T12.\n\nThe screws were placed at L4 - Left side first.")
    assert sentences(text) == ["Operation Performed: - Anterior osteotomies, T8-9, T9-10",
                               "- Anterior interbody arthrodesis T8-9, T9-10", "- Anterior instrumentation T7-T12.",
                               "The screws were placed at L4 - Left side first."]  # a dash in prose is no bullet


def test_line_endings_are_normalised_in_the_view_keeping_offsets():
    text = "PROCEDURE:\r\nL3 PSO\rDESCRIPTION OF PROCEDURE:\u2028A PSO was done at L3.\r\n"
    out = clean(text)
    assert len(out) == len(text)
    assert "\r" not in out and "\u2028" not in out
    assert out.splitlines() == ["PROCEDURE: ", "L3 PSO", "DESCRIPTION OF PROCEDURE:", "A PSO was done at L3. "]


def test_unclosed_html_comments_are_left_and_closed_ones_blanked():
    text = "<!-- export header --> PSO at L3. <!-- <!-- no end"
    out = clean(text)
    assert len(out) == len(text) and out.startswith(" " * 22 + " PSO at L3.") and out.endswith("<!-- <!-- no end")


def test_no_sentence_is_longer_than_the_bound():
    from extractor.sentences import MAX_SENTENCE_CHARS

    unpunctuated = "no osteotomy was performed and no pedicle screws were placed " * 700
    one_word = "x" * 5000
    for text in (unpunctuated, one_word, "L1-" * 3000):
        spans = split_sentences(text)
        assert spans and max(e - s for s, e in spans) <= MAX_SENTENCE_CHARS
        # nothing is lost: every non-space character is in a sentence
        assert sum(len(text[s:e].replace(" ", "")) for s, e in spans) == len(text.replace(" ", ""))
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))


def roles_at(text: str, marker: str) -> set[tuple[str | None, str]]:
    """(category, role) of the sections holding ``marker``."""
    at = text.index(marker)
    return {(s.category, s.role) for s in build_view(text, triage=False).sections if s.start <= at < s.end}


def test_a_note_whose_line_breaks_became_spaces_keeps_its_headers_and_narrative():
    narrative = ("This 58-year-old man had a posterior wedge osteotomy at L2 today, and pedicle screws were placed "
                 "at L1 and L3 with local bone for the fusion, after which the wound was closed in layers. ") * 2
    text = f"Surgeon: [SURGEON]     Assistant: [ASSISTANT]  {narrative}"
    assert roles_at(text, "This 58") == {(None, "body")}  # the field header's value ended at the collapsed line break
    collapsed = "Disposition: PACU, stable  Brief Narrative: Midline exposure.  NARRATIVE  Setup. Prone."
    assert headers(collapsed) == ["Disposition:", "Brief Narrative:", "NARRATIVE  "]


def test_administrative_labels_outside_the_vocabulary_are_fields():
    narrative = ("The disc was removed and a plug of bank bone was tapped into the space, after which the wound "
                 "was closed in layers and the patient woke without new deficit. ") * 2
    text = f"[PATIENT]     Age 49     Unit No. ___     Date: [DATE]     Surgeon: [SURGEON]  {narrative}"
    assert roles_at(text, "The disc") == {(None, "body")}  # "Date:" covers its value only; the rest is the note's own
    assert {s.category for s in build_view(text, triage=False).sections if s.start == text.index("Date:")} == {"admin"}


def test_title_case_labels_on_a_line_whose_breaks_became_single_spaces_are_headers():
    text = ("OPERATIVE REPORT Patient: [PATIENT] Surgeon: [SURGEON], MD Assistant: [ASSISTANT], PA-C "
            "Anesthesia: General endotracheal Preoperative Diagnosis: C6-7 disc herniation Procedure: Anterior "
            "cervical discectomy and fusion C6-7 with anterior plating C6-C7 Description: The disc was removed.")
    assert {"Anesthesia:", "Preoperative Diagnosis:", "Procedure:", "Description:"} <= set(headers(text))
    short = "He had General Anesthesia: uneventful."  # a short line is not a collapsed note
    assert "Anesthesia:" not in headers(short)


def test_lower_case_field_labels_open_their_sections():
    """An export that writes every label in lower case: a field of the graft category is still a label."""
    assert headers("Procedure: ACDF C6-7\ninterbody/graft: structural allograft spacer\n") == [
        "Procedure:", "interbody/graft:"]
    assert headers("The rods were placed\nand then: tightened\n") == []


def test_a_smart_list_inside_rtf_keeps_its_value():
    text = r"{\rtf1\ansi\f0 Graft type: \{GRAFT TYPE:Structural allograft spacer\}\par Plate: C6-C7\par }"
    out = clean(text)
    assert "Structural allograft spacer" in out and "GRAFT TYPE" not in out and "\\" not in out


def test_a_lower_case_header_without_colon_runs_into_its_text_at_a_line_start():
    """"description of procedure After general anesthesia...": an export that lower-cases the labels of
    a dictation without colons; mid-line the same words stay prose."""
    assert headers("Procedure: T10-L1 Pontes\ndescription of procedure After induction the patient was prone.\n") == [
        "Procedure:", "description of procedure "]
    assert headers("We went over the description of procedure With her husband present.\n") == []


def test_a_one_word_narrative_header_runs_into_the_first_sentence():
    """Speech recognition drops the colon: "Description The patient was brought..." opens the narrative;
    "Technique is everything" in prose does not."""
    assert headers("Indications: kyphosis.\n\nDescription The patient was brought to the room.\n") == [
        "Indications:", "Description "]
    assert headers("Indications: kyphosis.\n\nTechnique is everything here.\n") == ["Indications:"]


def test_the_same_header_in_lower_case_or_in_an_all_caps_paragraph():
    """The export that lower-cases labels, and ALL-CAPS dictation, where only a paragraph start and a
    word that opens a sentence tell the header from its text."""
    assert headers("Indications: kyphosis.\n\ndescription The patient was brought to the room.\n") == [
        "Indications:", "description "]
    caps = "INDICATIONS: KYPHOSIS.\n\nDESCRIPTION THE PATIENT WAS BROUGHT TO THE ROOM.\n"
    assert headers(caps) == ["INDICATIONS:", "DESCRIPTION "]
    assert headers("INDICATIONS: KYPHOSIS.\n\nPROCEDURE WAS TOLERATED WELL.\n") == ["INDICATIONS:"]
    assert headers("INDICATIONS: KYPHOSIS AND\nDESCRIPTION THE PATIENT WANTS.\n") == ["INDICATIONS:"]


@pytest.mark.parametrize("label,category", [
    ("WHO SURGICAL SAFETY CHECKLIST", "unknown"), ("Time-out", "unknown"), ("OPERATIVE PROCEDURE IN DETAIL", "description"),
    ("SURGICAL TECHNIQUE", "description"),
])
def test_an_unknown_label_takes_its_category_from_its_words(label, category):
    """A safety checklist line is an administrative field, not the narrative: in an ALL-CAPS note it once
    took the description's place and left the real narrative under 'Procedure:' a procedure list."""
    assert unknown_category(label) == category


def test_all_caps_dictation_headers_and_clauses():
    """A two-word header runs into the paragraph it opens before a sentence opener; a clause ending with a
    colon after a comma inside a sentence is no label."""
    caps = "INDICATIONS: KYPHOSIS.\n\nDESCRIPTION OF PROCEDURE AFTER GENERAL ANESTHESIA THE PATIENT WAS TURNED PRONE.\n"
    assert headers(caps) == ["INDICATIONS:", "DESCRIPTION OF PROCEDURE "]
    clause = "FINDINGS: STIFF CURVE.\n\nPONTE OSTEOTOMIES, FIVE IN TOTAL, ONE AT EACH OF:\n - T11/12\n - T12/L1\n"
    assert headers(clause) == ["FINDINGS:"]
