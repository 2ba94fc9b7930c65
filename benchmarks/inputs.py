"""Reproducible benchmark inputs: variants of the reference osteotomy note, and a mixed export in
which 90% of the notes are non-spine clinical notes (templates below, filled from a seeded RNG)."""
from __future__ import annotations

import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

_PSO = ["L2", "L3", "L4"]
_PONTE = {"L2": ("T12-L1", "L1-2"), "L3": ("L1-2", "L2-3"), "L4": ("L2-3", "L3-4")}
_TOPS = ["T10", "T11", "T9", "T4"]
_NAMES = ["[**Name**]", "XXXX", "___", "[**Patient Name**]"]


def reference_variants(count: int, seed: int = 1) -> list[str]:
    """The reference note with seeded substitutions (levels, people, numbers), so no two are equal."""
    template = (HERE / "reference_note.txt").read_text()
    rng = random.Random(seed)
    notes = []
    for _ in range(count):
        pso = rng.choice(_PSO)
        ponte_a, ponte_b = _PONTE[pso]
        notes.append(template.format(
            name=rng.choice(_NAMES), date=f"[**2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}**]",
            surgeon=rng.choice(_NAMES), assistant=rng.choice(_NAMES), sva=rng.randint(8, 19),
            pso_level=pso, ponte_a=ponte_a, ponte_b=ponte_b, top=rng.choice(_TOPS), age=rng.randint(55, 82),
            mismatch=rng.randint(20, 45), ebl=rng.randrange(900, 3200, 50)))
    return notes


_TEMPLATES = [
    ("DISCHARGE SUMMARY\nAdmission date: {date}. Discharge date: {date2}.\nHOSPITAL COURSE: The patient is a {age}-year-old "
     "{sex} admitted with community-acquired pneumonia of the right lower lobe. {sentences} Blood cultures remained "
     "negative. Oxygen was weaned to room air on hospital day {day}.\nDISCHARGE MEDICATIONS: {meds}.\nFOLLOW-UP: primary "
     "care in one week; repeat chest radiograph in six weeks."),
    ("PROGRESS NOTE\nS: {age} yo {sex} seen for follow-up of type 2 diabetes and hypertension. {sentences}\nO: BP {bp}, "
     "HR {hr}, BMI {bmi}. A1c {a1c}%. Lungs clear, heart regular, no edema.\nA/P: Diabetes improving on {meds}. "
     "Continue current regimen, dietary counseling provided, recheck labs in three months."),
    ("CT ABDOMEN AND PELVIS WITH CONTRAST\nINDICATION: Right lower quadrant pain.\nFINDINGS: {sentences} The liver, "
     "spleen, pancreas and adrenal glands are unremarkable. No free air. The appendix measures {mm} mm.\nIMPRESSION: "
     "Findings compatible with uncomplicated appendicitis."),
    ("EMERGENCY DEPARTMENT NOTE\nCHIEF COMPLAINT: Chest pain.\nHPI: {age}-year-old {sex} with substernal chest pressure "
     "for {day} hours. {sentences}\nED COURSE: Serial troponins negative, ECG without ischemic changes. Given aspirin. "
     "Observation for stress testing.\nDISPOSITION: Admitted to observation."),
    ("CARDIOLOGY CONSULTATION\nReason for consult: new atrial fibrillation.\n{sentences} Echocardiogram showed an "
     "ejection fraction of {ef}% with mild mitral regurgitation. CHA2DS2-VASc score {day}.\nRECOMMENDATIONS: rate "
     "control with {meds}, start anticoagulation, outpatient monitor."),
    ("OPERATIVE NOTE\nPROCEDURE: Right total knee arthroplasty.\nDESCRIPTION: The patient was placed supine and a "
     "tourniquet was applied. {sentences} The tibial and femoral components were cemented and the patella resurfaced. "
     "The wound was closed in layers.\nEBL: {ebl} mL."),
    ("COLONOSCOPY REPORT\nIndication: screening.\n{sentences} Two sessile polyps of {mm} mm were removed with cold "
     "snare from the sigmoid colon. Withdrawal time {day} minutes.\nImpression: polyps removed; repeat in five years."),
    ("PSYCHIATRY FOLLOW-UP\nPatient reports improved mood and sleep since the dose change. {sentences}\nMental status: "
     "alert, linear thought process, no suicidal ideation.\nPlan: continue {meds}, therapy weekly, return in one month."),
]
_SENTENCES = [
    "The patient tolerated the treatment well and reported no new complaints.",
    "Laboratory values were reviewed and were within normal limits except for a mild anemia.",
    "Family was updated at the bedside and questions were answered.",
    "There were no acute events overnight and vital signs remained stable.",
    "Physical therapy evaluated the patient and recommended home with services.",
    "The medication list was reconciled and allergies were confirmed.",
    "Renal function remained at baseline throughout the stay.",
    "Pain was controlled with oral analgesics.",
    "The patient ambulated in the hallway without assistance.",
    "Nutrition was consulted for dietary teaching.",
]
_MEDS = ["metformin", "lisinopril", "metoprolol", "amlodipine", "sertraline", "apixaban", "atorvastatin"]


def non_spine_note(rng: random.Random) -> str:
    template = rng.choice(_TEMPLATES)
    return template.format(
        date=f"[**2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}**]", date2=f"[**2026-1{rng.randint(0, 2)}-0{rng.randint(1, 9)}**]",
        age=rng.randint(20, 90), sex=rng.choice(["man", "woman"]), day=rng.randint(2, 9),
        sentences=" ".join(rng.sample(_SENTENCES, rng.randint(3, 8))),
        meds=", ".join(rng.sample(_MEDS, 2)), bp=f"{rng.randint(110, 160)}/{rng.randint(60, 95)}",
        hr=rng.randint(55, 100), bmi=rng.randint(20, 40), a1c=rng.randint(55, 95) / 10, mm=rng.randint(3, 12),
        ef=rng.randint(35, 65), ebl=rng.randrange(50, 400, 25))


def spine_notes() -> list[str]:
    """The annotated corpus notes: real op-note variety for the spine 10% of the mixed export."""
    return [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpora").glob("*/notes/*.txt"))]


def mixed_export(count: int, seed: int = 2, spine_share: float = 0.1) -> list[str]:
    rng = random.Random(seed)
    spine = spine_notes()
    return [rng.choice(spine) if rng.random() < spine_share else non_spine_note(rng) for _ in range(count)]


def worst_case_notes() -> dict[str, str]:
    """Hostile notes that once made the work per note grow with the square of its length: long text
    without sentence punctuation full of negations (ConText compared every modifier with every
    target), an unclosed HTML comment opener repeated (a regex rescanned the rest from each), long
    level chains. Each is at the 200,000-character limit (or the size first reported)."""
    limit = 200_000
    negation = "no osteotomy was performed and no pedicle screws were placed "
    return {
        "negations, 200,000 characters": (negation * (limit // len(negation) + 1))[:limit],
        "negations, 40,000 characters": (negation * (40_000 // len(negation) + 1))[:40_000],
        "'<!--' repeated": ("Posterior spinal fusion L4-5. " + "<!--" * limit)[:limit],
        "'L1-' chain": ("Pedicle screws were placed at " + "L1-" * limit)[:limit],
        "level range chain": ("Ponte osteotomies at " + "T10-11, L1-L2-" * limit)[:limit],
        "one 200,000-character word": ("PSO at L3 " + "x" * limit)[:limit],
    }
