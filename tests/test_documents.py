"""Only spine operative reports are coded: every other document gets status "skipped" and the reason."""
import pytest

from conftest import load_external
from extractor.documents import classify

EXTERNAL = load_external("dev") + load_external("test")
OTHER_DOCUMENTS = [g for g in EXTERNAL if g["document_kind"] != "spine_operative"]


def test_every_corpus_operative_report_is_coded(corpus_records):
    assert {r["status"] for r in corpus_records.values()} == {"ok"}


def test_at_least_a_hundred_other_documents_get_no_suggestion(external_records):
    assert len(OTHER_DOCUMENTS) >= 100
    coded = [g["note_id"] for g in OTHER_DOCUMENTS if external_records[g["note_id"]]["suggestions"]]
    assert coded == []


def test_other_documents_are_skipped_with_their_kind(external_records):
    skipped = [external_records[g["note_id"]] for g in OTHER_DOCUMENTS]
    reasons = {r["error"] for r in skipped if r["status"] == "skipped"}
    assert sum(r["status"] == "skipped" for r in skipped) >= 0.95 * len(skipped)
    assert {"not an operative report: radiology report", "not an operative report: discharge summary",
            "operative report of another site"} <= reasons


RADIOLOGY = """MRI LUMBAR SPINE WITHOUT AND WITH CONTRAST
CLINICAL HISTORY: Back pain after L4-S1 fusion.
COMPARISON: Prior study.
FINDINGS: Pedicle screws at L4, L5 and S1 with an interbody cage at L4-5. Susceptibility artifact limits evaluation.
IMPRESSION: Postoperative changes of L4-S1 posterior fusion without hardware complication."""

MARROW = """PROCEDURE NOTE - HEMATOLOGY
Procedure: bone marrow aspiration and core biopsy, right posterior iliac crest, for myeloma restaging.
Local anesthetic infiltrated; an 11G Jamshidi needle was advanced and aspirate and a core obtained.
Lateral decubitus: prior L4-S1 posterior lumbar fusion, the hardware was avoided.
Specimens sent for morphology, flow cytometry and cytogenetics. No complications."""

KNEE = """OPERATIVE REPORT
PREOPERATIVE DIAGNOSIS: Right knee osteoarthritis.
ANESTHESIA: Spinal anesthesia with an adductor canal block.
PROCEDURE: Right total knee arthroplasty.
DESCRIPTION OF PROCEDURE: The patient was brought to the operating room and placed supine. A tourniquet was
applied. A midline incision was made over the knee and a medial parapatellar arthrotomy performed. The femoral
and tibial cuts were made and the components cemented. Bone graft from the cuts filled a tibial defect, and a
screw fixed the tibial augment. The wound was closed in layers."""

CONSULT = """SPINE SURGERY CONSULTATION
Reason for consultation: back pain.
HISTORY OF PRESENT ILLNESS: She is status post T10-pelvis posterior spinal fusion with an L3 pedicle subtraction
osteotomy in 2019 and bilateral iliac screws.
PAST SURGICAL HISTORY: as above. REVIEW OF SYSTEMS: negative.
ASSESSMENT AND PLAN: solid fusion; physical therapy."""

PELVIS = """OPERATION NOTE - HIP PRESERVATION
Operation: Right periacetabular osteotomy.
She had an L4-L5 posterior instrumented fusion years ago; the instrumentation remains in place.
Supine. Through an anterior approach the iliacus was elevated off the inner table. The ischium was cut with an
angled osteotome, the superior pubic ramus divided, and the supra-acetabular iliac osteotomy and posterior column
osteotomy completed. The acetabular fragment was rotated and fixed with three cortical screws. Blood loss 600 mL.
The wound was closed in layers."""


COMANAGEMENT = """HOSPITAL MEDICINE - OPERATIVE DAY NOTE (SPINE CO-MANAGEMENT)
Diagnoses: L1-2 flexion-distraction injury; small-bowel repair POD 2.
Operation (per the operative report): prone, posterior midline approach, the locked L1-2 facets unlocked by trimming
the L2 superior articular processes, pedicle screws at T12, L1, L2 and L3 with two rods, posterolateral fusion with
local bone and allograft chips.
Assessment and plan by problem: 1. Pain: PCA overnight. 2. Abdomen: clear liquids per general surgery. 3. VTE: SCDs."""


@pytest.mark.parametrize("text,reason", [
    (COMANAGEMENT, "not an operative report: progress note"),
    (RADIOLOGY, "not an operative report: radiology report"),
    (MARROW, "not an operative report: procedure note (not an operation)"),
    (KNEE, "operative report of another site"),
    (PELVIS, "operative report of another site"),
    (CONSULT, "not an operative report: consult or history and physical"),
])
def test_documents_that_mention_spine_hardware_are_skipped(ex, text, reason):
    record = ex.extract(text, "doc")
    assert (record["status"], record["error"], record["suggestions"]) == ("skipped", reason, [])


def test_a_spine_operative_report_is_coded(ex):
    note = ("OPERATIVE REPORT\nDESCRIPTION OF PROCEDURE: The patient was placed prone. A midline incision was made. "
            "A pedicle subtraction osteotomy was performed at L3. The wound was closed in layers.")
    assert classify(note).coded and classify(CONSULT).kind == "consult or history and physical"
    assert [s["code"] for s in ex.extract(note)["suggestions"]] == ["22207"]
