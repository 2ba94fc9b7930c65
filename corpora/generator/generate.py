#!/usr/bin/env python3
"""Seeded, reproducible generator of synthetic spine operative notes with gold labels.

    python3 corpora/generator/generate.py --seed 20261121 --count 80 --out corpora/generated

writes OUT/notes/gen_0001.txt ... gen_NNNN.txt and OUT/gold.jsonl (one line per note, in the schema of
corpora/ANNOTATION.md).  The same seed and count always give the same bytes: every random choice is drawn from
random.Random objects seeded from the command line (never from the clock, the environment or the iteration
order of a set), and files are written as UTF-8 bytes with explicit line endings.

How it works (see README.md next to this file):
  1. A schedule fixes the case type of every note (posterior osteotomy / three-column / two families /
     anterior osteotomy / no osteotomy) and which notes carry a trap sentence, by quota, shuffled by the seed.
  2. Each note has its own RNG (seeded with "<seed>:<index>") that chooses the clinical facts (osteotomy type
     and sites, construct span, pelvic fixation, cages, grafts), the surgeon template, header names and order,
     the level notation and the mess (hard wrap, CRLF, flattening, typos, de-id markers, template leftovers).
  3. The narrative is assembled from paraphrase pools; the facts are the only source of the gold.
  4. Gold codes are derived from the facts by codes_from_facts(), a small independent implementation of the
     ANNOTATION.md conventions (it does not import the extractor package).

Standard library only, Python 3.11.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import textwrap
from pathlib import Path

# =====================================================================================================
# Levels
# =====================================================================================================

VERTS = ([f"C{i}" for i in range(1, 8)] + [f"T{i}" for i in range(1, 13)]
         + [f"L{i}" for i in range(1, 6)] + ["S1"])
IDX = {v: i for i, v in enumerate(VERTS)}
ORDINAL = ["", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
           "tenth", "eleventh", "twelfth"]
REGION_WORD = {"C": "cervical", "T": "thoracic", "L": "lumbar", "S": "sacral"}


def vs(v: str, k: int) -> str:
    """Vertebra k positions caudal (k > 0) or cephalad (k < 0) of v."""
    return VERTS[IDX[v] + k]


def vclamp(v: str, k: int, lo: str = "C2", hi: str = "S1") -> str:
    """Like vs() but kept within lo..hi."""
    return VERTS[max(IDX[lo], min(IDX[hi], IDX[v] + k))]


def nseg(a: str, b: str) -> int:
    """Vertebrae spanned a..b inclusive."""
    return IDX[b] - IDX[a] + 1


def vrange(a: str, b: str) -> list[str]:
    return VERTS[IDX[a]:IDX[b] + 1]


def isp_id(a: str) -> str:
    """Normalized interspace id whose cephalad vertebra is a: T10-11, T12-L1, L5-S1."""
    b = vs(a, 1)
    return f"{a}-{b[1:]}" if a[0] == b[0] else f"{a}-{b}"


def site_head(site: str) -> str:
    """Cephalad vertebra of a normalized site ('T12-L1' -> 'T12', 'L3' -> 'L3')."""
    m = re.match(r"([CTLS])(\d+)", site)
    return m.group(1) + m.group(2)


# =====================================================================================================
# Gold: codes from facts (own implementation of the ANNOTATION.md conventions)
# =====================================================================================================

OSTEO_PRIMARY = {"three_column": {"T": "22206", "L": "22207"},
                 "posterior": {"C": "22210", "T": "22212", "L": "22214"},
                 "anterior": {"C": "22220", "T": "22222", "L": "22224"}}
OSTEO_ADDON = {"three_column": "22208", "posterior": "22216", "anterior": "22226"}
GRAFT_CODE = {"allograft_morselized": "20930", "osteopromotive": "20930", "ceramic": "20930",
              "allograft_structural": "20931", "local_autograft": "20936",
              "autograft_separate_morselized": "20937", "autograft_separate_structural": "20938",
              "bone_marrow_aspirate": "20939"}


def codes_from_facts(facts: dict) -> list[dict]:
    """Conventions 1-10 of ANNOTATION.md applied to the facts object."""
    out: list[tuple[str, int]] = []
    fam_sites: dict[str, list[str]] = {"three_column": [], "posterior": [], "anterior": []}
    for o in facts["osteotomies"]:
        for s in o["sites"]:
            if s not in fam_sites[o["family"]]:
                fam_sites[o["family"]].append(s)
    # convention 4: a posterior site whose cephalad vertebra is a three-column site is not counted
    tc_heads = [site_head(s) for s in fam_sites["three_column"]]
    fam_sites["posterior"] = [s for s in fam_sites["posterior"] if site_head(s) not in tc_heads]
    for fam in ("three_column", "posterior", "anterior"):
        sites = fam_sites[fam]
        if not sites:
            continue
        top = min((site_head(s) for s in sites), key=IDX.get)      # convention 3: most cephalad site
        if fam == "three_column" and top[0] == "C":                 # convention 5
            out.append(("22899", 1))
            continue
        out.append((OSTEO_PRIMARY[fam][top[0]], 1))                  # convention 1
        if len(sites) > 1:
            out.append((OSTEO_ADDON[fam], len(sites) - 1))
    inst = facts["instrumentation"]
    post = inst["posterior"]
    if post:                                                         # convention 8
        a, b = post["span"].split("-")
        n = nseg(a, b)
        if not post["segmental"]:
            out.append(("22840", 1))
        else:
            assert n >= 3, post
            out.append(("22842" if n <= 6 else "22843" if n <= 12 else "22844", 1))
        if post["pelvic_fixation"]:
            out.append(("22848", 1))
    ant = inst["anterior"]
    if ant:                                                          # convention 9
        a, b = ant["span"].split("-")
        n = nseg(a, b)
        assert n >= 2, ant
        out.append(("22845" if n <= 3 else "22846" if n <= 7 else "22847", 1))
    if inst["interbody"]:                                            # convention 10
        out.append(("22853", len(inst["interbody"])))
    if inst["corpectomy_defects"]:
        out.append(("22854", inst["corpectomy_defects"]))
    if inst["no_arthrodesis_devices"]:
        out.append(("22859", inst["no_arthrodesis_devices"]))
    graft_codes: list[str] = []                                      # convention 7: once per code
    for g in facts["grafts"]:
        c = GRAFT_CODE[g]
        if c not in graft_codes:
            graft_codes.append(c)
    out.extend((c, 1) for c in sorted(graft_codes))
    return [{"code": c, "units": u} for c, u in out]


# =====================================================================================================
# Small helpers
# =====================================================================================================

def wchoice(rng: random.Random, pairs):
    total = sum(w for _, w in pairs)
    r = rng.random() * total
    for item, w in pairs:
        r -= w
        if r < 0:
            return item
    return pairs[-1][0]


def ordered_sample(rng: random.Random, pool: list, k: int) -> list:
    k = max(0, min(k, len(pool)))
    idx = sorted(rng.sample(range(len(pool)), k))
    return [pool[i] for i in idx]


def cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def art(phrase: str) -> str:
    """'a' or 'an' for the phrase that follows (handles acronyms such as SPO and numbers such as 8 or 11)."""
    w = phrase.split()[0] if phrase.split() else phrase
    if w[:1].isdigit():
        num = re.match(r"\d+", w).group(0)
        return "an" if num.startswith("8") or num in ("11", "18") else "a"
    if len(w) >= 2 and w[:2].isupper():
        return "an" if w[0] in "AEFHILMNORSX" else "a"
    return "an" if w[:1].lower() in "aeiou" else "a"


# =====================================================================================================
# Level notation
# =====================================================================================================

class Notation:
    """Per-note notation preferences; every rendering records a notation tag."""

    def __init__(self, rng: random.Random, tag):
        self.rng = rng
        self.tag = tag
        self.single = wchoice(rng, [("plain", 50), ("hyphen", 17), ("space", 16), ("words", 17)])
        self.isp_style = wchoice(rng, [("short", 40), ("full", 22), ("slash", 15), ("slashfull", 6),
                                       ("endash", 17)])
        self.range_style = wchoice(rng, [("hyphen", 24), ("to", 18), ("through", 14), ("endash", 12),
                                         ("emdash", 7), ("spaced", 5), ("list", 12), ("thru", 4),
                                         ("from_to", 4)])
        self.joiner = rng.choice([" and ", ", and ", ", "])
        self.pelvis_style = rng.choice(["pelvis", "to_pelvis", "ilium", "s1", "s1"])
        self.sacrum_words = rng.random() < 0.35

    # single vertebra -------------------------------------------------------------------------
    def v(self, v: str, words_ok: bool = False, style: str | None = None) -> str:
        st = style or self.single
        if st == "words" and not words_ok:
            st = "plain"
        if st == "hyphen":
            self.tag("notation_hyphen_single")
            return f"{v[0]}-{v[1:]}"
        if st == "space":
            self.tag("notation_space_single")
            return f"{v[0]} {v[1:]}"
        if st == "words":
            self.tag("notation_words")
            if v[0] == "S":
                return f"the {ORDINAL[int(v[1:])]} sacral segment"
            return f"the {ORDINAL[int(v[1:])]} {REGION_WORD[v[0]]} vertebra"
        self.tag("notation_single")
        return v

    def plain(self, v: str) -> str:
        return v

    # interspace ------------------------------------------------------------------------------
    def isp(self, a: str, style: str | None = None) -> str:
        b = vs(a, 1)
        st = style or self.isp_style
        same = a[0] == b[0]
        self.tag("notation_interspace")
        if a[0] != b[0]:
            self.tag("notation_cross_junction")
        if st == "short":
            return f"{a}-{b[1:]}" if same else f"{a}-{b}"
        if st == "full":
            return f"{a}-{b}"
        if st == "slash":
            self.tag("notation_slash")
            return f"{a}/{b[1:]}" if same else f"{a}/{b}"
        if st == "slashfull":
            self.tag("notation_slash")
            return f"{a}/{b}"
        self.tag("notation_dash")
        return f"{a}\u2013{b[1:]}" if same else f"{a}\u2013{b}"

    def join(self, items: list[str]) -> str:
        if len(items) == 1:
            return items[0]
        if len(items) >= 2:
            self.tag("notation_list")
        if self.joiner == ", ":
            return ", ".join(items)
        if self.joiner == ", and " and len(items) > 2:
            return ", ".join(items[:-1]) + ", and " + items[-1]
        return ", ".join(items[:-1]) + " and " + items[-1]

    def isplist(self, heads: list[str]) -> str:
        return self.join([self.isp(a) for a in heads])

    def vlist(self, verts: list[str]) -> str:
        return self.join(list(verts))

    # vertebra range --------------------------------------------------------------------------
    def range(self, a: str, b: str, pelvic: bool = False, style: str | None = None,
              list_ok: bool = True) -> str:
        """Range a..b.  With pelvic=True (b must be S1) the pelvic forms may be used."""
        st = style or self.range_style
        if b == "S1" and pelvic and self.pelvis_style != "s1":
            if self.pelvis_style == "pelvis":
                self.tag("notation_pelvis")
                return f"{a}-pelvis"
            if self.pelvis_style == "to_pelvis":
                self.tag("notation_pelvis")
                return f"{a} to the pelvis"
            self.tag("notation_ilium")
            return f"{a} to the ilium"
        if b == "S1" and not pelvic and self.sacrum_words:
            self.tag("notation_sacrum")
            return f"{a} to the sacrum"
        if st == "list" and (not list_ok or nseg(a, b) > 8):
            st = "through"
        if self.single == "hyphen" and st in ("to", "through", "from_to") and self.rng.random() < 0.6:
            self.tag("notation_hyphen_single")
            self.tag("notation_range_words")
            return f"{a[0]}-{a[1:]} to {b[0]}-{b[1:]}"
        if st == "hyphen":
            self.tag("notation_range")
            return f"{a}-{b}"
        if st == "spaced":
            self.tag("notation_range")
            return f"{a} - {b}"
        if st == "endash":
            self.tag("notation_dash")
            self.tag("notation_range")
            return f"{a}\u2013{b}"
        if st == "emdash":
            self.tag("notation_dash")
            self.tag("notation_range")
            return f"{a}\u2014{b}"
        if st == "list":
            return self.vlist(vrange(a, b))
        self.tag("notation_range_words")
        if st == "to":
            return f"{a} to {b}"
        if st == "thru":
            return f"{a} thru {b}"
        if st == "from_to":
            return f"from {a} to {b}"
        return f"{a} through {b}"


# =====================================================================================================
# Paraphrase pools (filler sentences).  Long = verbose templates, short = terse templates.
# =====================================================================================================

PREOP_L = [
    "The patient was identified in the preoperative holding area, the consent was reviewed and the operative site was marked.",
    "{Pro} was brought back to the operating room and moved onto the operating table.",
    "General endotracheal anesthesia was induced by the anesthesia team without difficulty.",
    "An arterial line and a second large-bore peripheral line were placed by anesthesia.",
    "{abx} was given intravenously before incision, and tranexamic acid was started as a bolus followed by an infusion.",
    "A Foley catheter was inserted and sequential compression devices were placed on both legs.",
]
PREOP_S = ["Pt identified in holding, consent confirmed.", "GETA.", "Abx ({abx_s}) and TXA given.",
           "Foley, SCDs.", "A-line by anesthesia."]

TIMEOUT_L = [
    "A surgical time-out was completed with the whole team, confirming the patient, the procedure, the levels and the laterality.",
    "Before incision a formal time-out verified the correct patient, procedure and site, and antibiotics were confirmed as given.",
    "The time-out was performed per hospital protocol and every member of the team agreed.",
]
TIMEOUT_S = ["Timeout done.", "Time-out, all agreed.", "Timeout per protocol."]

POSITION = {
    "prone_tl": (
        ["{Pro} was log-rolled prone onto {a_table} with the chest and iliac crests well padded and the abdomen hanging free.",
         "The arms were placed at ninety degrees at the shoulders and elbows on padded arm boards, and all bony prominences were padded.",
         "The face rested in a foam cushion and the eyes were checked and free of pressure.",
         "The hips were extended on the frame to help restore lumbar lordosis."],
        ["Prone on {table}.", "Pressure points padded.", "Arms at 90, eyes checked."]),
    "prone_cx": (
        ["A Mayfield three-pin head holder was applied and {pro_l} was turned prone onto chest rolls.",
         "The head was locked in slight flexion, the shoulders were taped caudally for radiographic visualization, and the arms were tucked at the sides.",
         "All pressure points were padded and the eyes were confirmed free."],
        ["Mayfield pins, prone on chest rolls.", "Shoulders taped.", "Eyes free."]),
    "supine_cx": (
        ["{Pro} was positioned supine with a shoulder roll under the scapulae and the head on a foam donut in slight extension.",
         "The arms were tucked at the sides and the shoulders gently taped down.",
         "All pressure points were padded."],
        ["Supine, shoulder roll.", "Head on donut.", "Arms tucked."]),
    "lateral": (
        ["{Pro} was positioned in the lateral decubitus position on a beanbag, {side_up} side up, with an axillary roll.",
         "The table was flexed at the level of the pathology and the patient was secured with tape across the hips and shoulders.",
         "All bony prominences were padded and the down leg was flexed with pillows between the knees."],
        ["Lateral decubitus, {side_up} side up.", "Axillary roll, beanbag.", "Table flexed."]),
    "supine_abd": (
        ["{Pro} was positioned supine on a radiolucent table with a small bump beneath the sacrum.",
         "The arms were abducted on padded boards and the abdomen was clipped."],
        ["Supine on radiolucent table.", "Bump under sacrum.", "Arms out."]),
    "prone_kypho": (
        ["{Pro} was placed prone on chest and pelvic rolls on a radiolucent table, allowing postural reduction of the fracture.",
         "Biplanar fluoroscopy was positioned to obtain true AP and lateral images before prepping."],
        ["Prone on rolls.", "Biplanar fluoro set up."]),
}

MONITOR_L = [
    "Baseline somatosensory and transcranial motor evoked potentials were obtained after positioning and stayed stable for the whole case.",
    "Neuromonitoring with SSEPs, MEPs and free-running EMG was provided by {neuro_team}, and baselines were reliable in all four limbs.",
    "Multimodality neuromonitoring was used throughout, and the technologist reported no significant changes.",
]
MONITOR_S = ["SSEP/MEP baselines obtained.", "IONM: SSEP, MEP, EMG, stable.", "Neuromonitoring baselines OK."]

PREP_L = [
    "The {area} was prepped with chlorhexidine-alcohol and draped in the usual sterile fashion.",
    "The operative field was clipped, prepped with DuraPrep and draped sterilely with an Ioban barrier.",
    "After a standard surgical prep, sterile drapes were applied.",
]
PREP_S = ["Prepped and draped sterile.", "Prep/drape.", "Sterile prep and drape."]

LOCAL_L = [
    "Intraoperative fluoroscopy was used to confirm the levels.",
    "A lateral localizing image with a clamp on the spinous process confirmed the correct level.",
    "The levels were confirmed with AP and lateral fluoroscopy, counting up from the sacrum.",
]
LOCAL_CX_L = [
    "Intraoperative fluoroscopy was used to confirm the levels.",
    "A lateral localizing image with a marker on the spinous process confirmed the correct level.",
    "The levels were confirmed on lateral fluoroscopy, counting down from C2.",
]
LOCAL_S = ["Levels confirmed on fluoro.", "Fluoro localization."]

SCREWTECH_L = [
    "Each pedicle was cannulated with a gearshift probe, palpated with a ball-tip feeler to confirm intact walls, and tapped.",
    "Screw trajectories were checked with AP and lateral fluoroscopy.",
    "Triggered EMG thresholds were above {mA} mA for every lumbar screw.",
    "Screw lengths were chosen from the preoperative CT and confirmed with the depth gauge.",
]
SCREWTECH_S = ["Probe, feel, tap.", "All stim > {mA} mA."]

ROD_L = [
    "Two {rod} rods were cut to length, contoured to the desired sagittal profile and seated in the screw heads.",
    "Set screws were placed and final-tightened with the torque-limiting driver against counter-torque.",
    "A cross-connector was placed across the rods.",
    "Final AP and lateral fluoroscopy showed satisfactory implant position and alignment.",
]
ROD_S = ["Rods contoured, placed, final tightened.", "Rods x2, final tightening.", "Final fluoro OK."]

DECORT_L = [
    "The transverse processes, residual laminae and facet joints were decorticated with a high-speed burr.",
    "The fusion bed was prepared by decorticating the posterior elements with a burr.",
]
DECORT_S = ["Decorticated with burr.", "Decortication."]

IRR_L = [
    "The wound was irrigated with {irr} of saline using pulsed lavage.",
    "Meticulous hemostasis was obtained with bipolar cautery, thrombin-soaked Gelfoam and Floseal.",
    "One gram of vancomycin powder was placed in the wound.",
]
IRR_S = ["Irrigated, hemostasis.", "Vanc powder.", "Irrigation {irr}."]

CLOSE_POST_L = [
    "{drain} placed deep to the fascia.",
    "The fascia was closed with interrupted #1 Vicryl sutures in a watertight fashion.",
    "The subcutaneous tissue was closed in layers with 2-0 Vicryl, and the skin was closed with {skin}.",
    "A sterile dressing was applied.",
]
CLOSE_POST_S = ["Layered closure, {skin}.", "Closed in layers, drain x1.", "Dressing applied."]
CLOSE_CX_L = [
    "A small drain was left in the prevertebral space.",
    "The platysma was reapproximated with 3-0 Vicryl and the skin was closed with a running subcuticular 4-0 Monocryl.",
    "Dermabond and a sterile dressing were applied.",
]
CLOSE_CX_S = ["Platysma and skin closed.", "Closed, drain."]
CLOSE_ABD_L = [
    "The retroperitoneal contents were allowed to fall back into place.",
    "The muscle layers and fascia were closed in layers with #1 PDS, and the skin was closed with {skin}.",
    "A sterile dressing was applied.",
]
CLOSE_ABD_S = ["Fascia closed with PDS, skin {skin}.", "Layered closure."]
CLOSE_THOR_L = [
    "A 28 French chest tube was placed through a separate stab wound and connected to suction.",
    "The ribs were approximated with pericostal sutures and the muscle layers were closed in layers.",
    "The skin was closed with {skin}.",
]
CLOSE_THOR_S = ["Chest tube placed, layered closure."]

END_L = [
    "All sponge, needle and instrument counts were correct at the end of the case.",
    "{Pro} was turned onto the bed, extubated in the operating room and taken to the recovery room in stable condition, moving all four extremities.",
    "Final neuromonitoring signals were unchanged from baseline.",
    "I was present and scrubbed for the entire procedure.",
]
END_S = ["Counts correct.", "Extubated, to PACU stable.", "MAE on emergence.", "Counts correct x2."]

FINDINGS = {
    "post_osteo": ["Stiff segments that opened well after the osteotomies; good screw purchase.",
                   "Approximately {deg} degrees of correction on the final lateral image.",
                   "Dura intact. No CSF leak."],
    "three_col": ["Approximately {deg} degrees of segmental correction gained at the osteotomy.",
                  "Dura intact, no buckling after closure of the osteotomy.",
                  "Osteopenic bone; screws augmented with larger diameters."],
    "ant_osteo": ["Solid anterior bony fusion across the segment with no identifiable disc.",
                  "Good restoration of lordosis after opening of the osteotomy."],
    "tlif": ["Severe foraminal stenosis with a collapsed disc.", "Good endplate preparation; cage well seated."],
    "acdf": ["Large disc-osteophyte complexes with cord compression.", "PLL taken down; dura pulsatile."],
    "lam_fusion": ["Severe central stenosis with hypertrophic ligamentum flavum.", "Dura intact."],
    "kyphoplasty": ["Good height restoration; no cement extravasation."],
    "corpectomy": ["Retropulsed fragment removed; canal decompressed.", "Dura intact."],
}

TYPOS = {"patient": "pateint", "anesthesia": "anesthsia", "satisfactory": "satisfactroy",
         "hemostasis": "hemostatis", "irrigated": "irigated", "subcutaneous": "subcutanous",
         "identified": "identifed", "obtained": "obtianed", "draped": "drapped", "prepped": "preped",
         "extubated": "extubted", "dressing": "dresing", "carefully": "carefuly", "sterile": "sterle",
         "recovery": "recovry", "fashion": "fasion", "confirmed": "confimed", "positioned": "positoned",
         "padded": "paded", "baseline": "baselien", "stable": "stabel", "tolerated": "tolerted",
         "approximately": "approximatly", "Meticulous": "Meticulus", "prominences": "prominances"}

HEADER_NAMES = {
    "pre_dx": ["Preoperative Diagnosis", "Pre-operative Diagnosis", "Diagnosis Before Surgery", "Preop Diagnosis"],
    "post_dx": ["Postoperative Diagnosis", "Post-operative Diagnosis", "Diagnosis After Surgery", "Postop Diagnosis"],
    "procedures": ["Procedures Performed", "Procedure(s)", "Procedure", "Operations", "Operation Performed",
                   "Name of Procedure"],
    "indications": ["Indications", "Indications for Surgery", "History and Indications", "Clinical Indication",
                    "Brief History"],
    "description": ["Description of Procedure", "Procedure in Detail", "Operative Technique", "Details of Operation",
                    "Description of the Operation", "Technique", "Operative Narrative"],
    "findings": ["Findings", "Intraoperative Findings", "Operative Findings"],
    "implants": ["Implants", "Hardware", "Implants Used"],
    "ebl": ["Estimated Blood Loss", "EBL", "Blood Loss"],
    "drains": ["Drains"],
    "specimens": ["Specimens", "Specimen"],
    "complications": ["Complications"],
    "disposition": ["Disposition", "Condition", "Condition/Disposition"],
    "plan": ["Plan", "Postoperative Plan", "Post-op Plan"],
    "anesthesia": ["Anesthesia", "Anesthesia Type"],
    "monitoring": ["Neuromonitoring", "Neurophysiologic Monitoring"],
}
HEADER_SHORT = {"pre_dx": "Preop dx", "post_dx": "Postop dx", "procedures": "Procedures",
                "indications": "Indications", "description": "Procedure", "findings": "Findings",
                "implants": "Implants", "ebl": "EBL", "drains": "Drains", "specimens": "Specimens",
                "complications": "Complications", "disposition": "Dispo", "plan": "Plan",
                "anesthesia": "Anesthesia", "monitoring": "IONM"}

TITLES = ["OPERATIVE REPORT", "Operative Note", "OPERATIVE NOTE", "Operative Report", "OP NOTE",
          "[**Hospital**] DEPARTMENT OF ORTHOPAEDIC SURGERY\nOperative Report",
          "SPINE SURGERY OPERATIVE REPORT", "Brief Operative Note - Spine"]

TEMPLATES = ["terse", "verbose", "numbered", "bullets", "caps_nocolon", "title_nocolon", "numbered_headers"]

CASE_TYPES = [("posterior_osteotomy", 0.35), ("three_column", 0.20), ("two_families", 0.10),
              ("anterior_osteotomy", 0.05), ("no_osteotomy", 0.30)]
# subtypes within a case type (shares); apportioned by quota like the case types so that every subtype
# appears once the count is large enough
SUBTYPES = {
    "posterior_osteotomy": [("ponte", 0.34), ("smith_petersen", 0.24), ("pco", 0.18), ("chevron", 0.12),
                            ("posterior_wedge", 0.12)],
    "three_column": [("pso_lumbar", 0.25), ("pso_thoracic", 0.10), ("extended_pso", 0.12), ("eggshell", 0.10),
                     ("vcr", 0.14), ("multi", 0.10), ("t12_l1", 0.12), ("cervical_pso", 0.07)],
    "no_osteotomy": [("tlif", 0.28), ("acdf", 0.24), ("lam_fusion", 0.20), ("kyphoplasty", 0.12),
                     ("corpectomy", 0.16)],
}
TRAP_SHARE = 0.30
TRAP_KINDS = [("negated", 0.20), ("planned", 0.13), ("hypothetical", 0.10), ("historical", 0.17),
              ("osteotome_instrument", 0.13), ("fusion_bed_facetectomy", 0.13), ("aborted", 0.14)]

POST_TERMS = {
    "ponte": (["Ponte osteotomy"], ["Ponte osteotomies"], "Ponte"),
    "smith_petersen": (["Smith-Petersen osteotomy", "SPO", "Smith-Petersen osteotomy (SPO)"],
                       ["Smith-Petersen osteotomies", "SPOs", "Smith-Petersen osteotomies (SPOs)"], "SPO"),
    "pco": (["posterior column osteotomy", "PCO", "posterior column osteotomy (Schwab grade 2)"],
            ["posterior column osteotomies", "PCOs", "Schwab grade 2 posterior column osteotomies"], "PCO"),
    "chevron": (["chevron osteotomy", "V-shaped chevron osteotomy"],
                ["chevron osteotomies", "V-shaped chevron osteotomies"], "chevron osteotomy"),
    "posterior_wedge": (["posterior wedge resection osteotomy", "posterior wedge resection"],
                        ["posterior wedge resection osteotomies", "posterior wedge resections"],
                        "posterior wedge resection"),
}
TC_TERMS = {
    "pso": (["pedicle subtraction osteotomy", "PSO", "pedicle subtraction osteotomy (PSO)",
             "transpedicular closing wedge osteotomy", "Schwab grade 3 pedicle subtraction osteotomy"], "PSO"),
    "extended_pso": (["extended pedicle subtraction osteotomy", "extended PSO",
                      "Schwab grade 4 extended pedicle subtraction osteotomy"], "extended PSO"),
    "eggshell": (["eggshell osteotomy", "eggshell (decancellation) osteotomy", "decancellation osteotomy"],
                 "eggshell osteotomy"),
    "vcr": (["posterior vertebral column resection", "vertebral column resection (VCR)", "PVCR"], "VCR"),
}
TYPE_TAG = {"smith_petersen": "spo", "ponte": "ponte", "pco": "pco", "chevron": "chevron",
            "posterior_wedge": "posterior_wedge", "pso": "pso", "extended_pso": "extended_pso",
            "eggshell": "eggshell", "vcr": "vcr", "anterior_osteotomy": "anterior_osteotomy"}


# =====================================================================================================
# One note
# =====================================================================================================

class Note:
    def __init__(self, seed: int, index: int, case: str, subtype: str | None, trap: str | None):
        self.rng = random.Random(f"{seed}:{index}")
        self.note_id = f"gen_{index:04d}"
        self.case = case
        self.subtype = subtype
        self.has_trap = trap is not None
        self.trap_pref = trap
        self.tags: list[str] = ["generated", f"case_{case}"]
        self.nt = Notation(self.rng, self.tag)
        # facts
        self.approach: list[str] = []
        self.osteos: list[dict] = []
        self.post: dict | None = None
        self.ant: dict | None = None
        self.interbody: list[str] = []
        self.corp = 0
        self.nad = 0
        self.grafts: list[str] = []
        # content
        self.proc_items: list[str] = []
        self.steps: list[tuple[str, list[str]]] = []
        self.pre_dx = ""
        self.post_dx = "Same."
        self.indications: list[str] = []
        self.findings: list[str] = []
        self.implants: list[str] = []
        self.plan: list[str] = []
        self.force_sections: list[str] = []
        self.summary: list[str] = []
        self.excluded_levels: list[str] = []    # levels the trap must avoid (performed sites)
        self.kw: dict = {}
        self._choose_style()

    # utilities -------------------------------------------------------------------------------
    def tag(self, t: str) -> None:
        if t not in self.tags:
            self.tags.append(t)

    def ch(self, seq):
        return self.rng.choice(seq)

    def maybe(self, p: float) -> bool:
        return self.rng.random() < p

    def fill(self, s: str) -> str:
        return s.format(**self.kw)

    def say(self, long_pool: list[str], short_pool: list[str], k_long: tuple[int, int] = (1, 3),
            k_short: tuple[int, int] = (1, 1)) -> list[str]:
        if self.terse:
            k = self.rng.randint(*k_short)
            return [self.fill(s) for s in ordered_sample(self.rng, short_pool, k)]
        k = self.rng.randint(*k_long)
        return [self.fill(s) for s in ordered_sample(self.rng, long_pool, k)]

    def step(self, key: str, sentences: list[str]) -> None:
        sentences = [s for s in sentences if s]
        if sentences:
            self.steps.append((key, sentences))

    def _choose_style(self) -> None:
        r = self.rng
        self.template = r.choice(TEMPLATES)
        self.terse = self.template == "terse" or (self.template in ("bullets", "numbered") and r.random() < 0.3)
        self.tag({"terse": "terse", "verbose": "verbose", "numbered": "numbered", "bullets": "bullets",
                  "caps_nocolon": "caps_headers", "title_nocolon": "no_colon_headers",
                  "numbered_headers": "numbered_headers"}[self.template])
        if self.template == "caps_nocolon":
            self.tag("no_colon_headers")
        if self.terse:
            self.tag("terse")
        self.sex = r.choice(["M", "F"])
        self.age = r.randint(34, 82)
        he = "He" if self.sex == "M" else "She"
        self.kw = {
            "Pro": r.choice(["The patient", he]),
            "pro_l": r.choice(["the patient", he.lower()]),
            "abx": r.choice(["Cefazolin 2 g", "Ancef 2 g", "Cefazolin 3 g", "Vancomycin 1 g (penicillin allergy)",
                             "Clindamycin 900 mg"]),
            "abx_s": r.choice(["Ancef", "cefazolin", "vanc"]),
            "table": r.choice(["Jackson table", "Jackson spinal frame", "open Jackson frame",
                               "radiolucent Jackson table"]),
            "a_table": r.choice(["a Jackson table", "a Jackson spinal frame", "an open Jackson frame",
                                 "a radiolucent Jackson table", "a Wilson frame on a radiolucent table"]),
            "neuro_team": r.choice(["the neurophysiology service", "an outside monitoring group",
                                    "the IONM technologist with remote physician oversight"]),
            "area": r.choice(["back", "posterior trunk", "operative area"]),
            "mA": r.choice(["8", "10", "12"]),
            "rod": r.choice(["5.5 mm cobalt-chrome", "6.0 mm titanium", "5.5 mm titanium", "6.35 mm cobalt chromium"]),
            "irr": r.choice(["3 L", "2 liters", "3000 mL", "two liters"]),
            "drain": r.choice(["A medium Hemovac drain was", "One subfascial drain was", "Two subfascial drains were",
                               "A 10 French Blake drain was"]),
            "skin": r.choice(["staples", "a running 3-0 Monocryl and Dermabond", "interrupted nylon",
                              "a subcuticular 3-0 Monocryl"]),
            "side": r.choice(["right", "left"]),
            "side_up": r.choice(["left", "right"]),
            "deg": str(r.choice([12, 15, 18, 20, 25, 28, 30, 32, 35])),
        }
        self.hard_wrap = r.random() < 0.22
        self.flatten = None if self.hard_wrap or r.random() >= 0.13 else r.choice([" ", ", "])
        if self.flatten is not None and self.template in ("caps_nocolon", "title_nocolon") and r.random() < 0.5:
            self.flatten = None     # flattened notes without header colons are kept, but rarer
        self.terse_desc = r.choice(["Procedure", "Op details", "Description", "Details", "Narrative", "Procedure note"])
        self.crlf = r.random() < 0.25 and self.flatten is None
        self.deid = r.random() < 0.88
        self.typos = r.random() < 0.28
        self.leftovers = r.random() < 0.22

    # ======================================================================================
    # common steps
    # ======================================================================================

    def steps_opening(self, setting: str) -> None:
        self.step("preop", self.say(PREOP_L, PREOP_S, (2, 5), (2, 4)))
        pl, ps = POSITION[setting]
        if self.terse:
            pos = self.say(pl, ps, (1, len(pl)), (1, len(ps)))
        else:
            pos = [self.fill(pl[0])] + [self.fill(x) for x in ordered_sample(self.rng, pl[1:], self.rng.randint(0, len(pl) - 1))]
        mon = self.say(MONITOR_L, MONITOR_S, (1, 1), (0, 1)) if setting != "prone_kypho" or self.maybe(0.5) else []
        prep = self.say(PREP_L, PREP_S, (1, 1), (1, 1))
        tout = self.say(TIMEOUT_L, TIMEOUT_S, (1, 1), (1, 1))
        if self.maybe(0.5):
            self.step("position", pos + mon)
            self.step("prep", prep + tout)
        else:
            self.step("position", pos)
            self.step("monitor", mon)
            self.step("prep", tout + prep if self.maybe(0.3) else prep + tout)

    def steps_closing(self, kind: str) -> None:
        self.step("irrigate", self.say(IRR_L, IRR_S, (1, 3), (1, 3)))
        pools = {"post": (CLOSE_POST_L, CLOSE_POST_S), "cx": (CLOSE_CX_L, CLOSE_CX_S),
                 "abd": (CLOSE_ABD_L, CLOSE_ABD_S), "thor": (CLOSE_THOR_L, CLOSE_THOR_S)}[kind]
        self.step("close", self.say(pools[0], pools[1], (2, len(pools[0])), (1, len(pools[1]))))
        self.step("end", self.say(END_L, END_S, (1, 3), (2, 3)))

    def expose_posterior(self, a: str, b: str) -> None:
        nt = self.nt
        cervical = a[0] == "C"
        if self.terse:
            over = self.ch(["", f" {nt.range(a, b, list_ok=False)}"])
            s = [self.ch([f"Midline incision{over}, subperiosteal exposure to the {'lateral masses' if cervical else 'TPs'}.",
                          "Standard midline subperiosteal exposure."])]
        else:
            if self.maybe(0.55):
                r = nt.range(a, b, list_ok=False)
                r = r if r.startswith("from ") else f"from {r}"
                inc = f"A midline skin incision was made over the spinous processes {r} and carried down to the fascia with electrocautery."
            else:
                inc = "A midline skin incision was made over the planned levels and carried down to the fascia with electrocautery."
            s = [inc] + ordered_sample(self.rng, [
                "Subperiosteal dissection was carried out with Cobb elevators and the Bovie out to the lateral edges of the lateral masses."
                if cervical else
                "Subperiosteal dissection was carried out with Cobb elevators and the Bovie out to the tips of the transverse processes.",
                "The facet capsules at the cephalad end of the construct were preserved.",
                "Self-retaining retractors were placed.",
                "Bleeding from the segmental vessels was controlled with bipolar cautery."], self.rng.randint(1, 3))
        s += self.say(LOCAL_CX_L if cervical else LOCAL_L, LOCAL_S, (0, 1), (0, 1))
        self.step("expose", s)

    # ---------------------------------------------------------------------------------------
    # posterior instrumentation
    # ---------------------------------------------------------------------------------------

    def posterior_construct(self, a: str, b: str, pelvic: bool, skip: list[str] | None = None,
                            cervical_mix: bool = False, hooks: bool = False, percutaneous: bool = False) -> None:
        """Sets facts and writes the screw sentence(s).  b == 'S1' with pelvic=True: iliac/S2AI screws."""
        nt = self.nt
        skip = [v for v in (skip or []) if v not in (a, b)]
        # segmental = fixation at both ends and at least one vertebra in between (convention 8)
        segmental = len([v for v in vrange(a, b) if v not in skip]) >= 3
        self.post = {"span": f"{a}-{b}", "segmental": segmental, "pelvic_fixation": pelvic}
        if "posterior" not in self.approach:
            self.approach.append("posterior")
        fixed = [v for v in vrange(a, b) if v not in skip]
        if hooks:
            fixed_screws = fixed[1:]
        else:
            fixed_screws = fixed
        sents: list[str] = []
        if not segmental and not percutaneous:
            # two vertebrae, fixation at both ends only
            pair = f"{nt.plain(a)} and {nt.plain(b)}"
            sents.append(self.ch([
                f"Pedicle screws were placed bilaterally at {pair}.",
                f"Bilateral pedicle screws were inserted into {pair} using anatomic landmarks and fluoroscopy.",
                f"We placed pedicle screws at {pair} on both sides.",
                f"{nt.range(a, b, style='hyphen')} pedicle screws were placed bilaterally."]))
        elif cervical_mix:
            c2 = "C2" in fixed
            cerv = [v for v in fixed if v[0] == "C" and v not in ("C2", "C7")]
            rest = [v for v in fixed if v not in cerv and v != "C2"]
            c_txt = nt.range(cerv[0], cerv[-1], list_ok=True) if len(cerv) > 1 else cerv[0]
            t_txt = nt.vlist(rest) if len(rest) <= 3 else nt.range(rest[0], rest[-1])
            if c2:
                sents.append(self.ch(["C2 pars screws were placed bilaterally.",
                                      "Bilateral C2 pedicle screws were placed under fluoroscopic guidance."]))
            sents.append(self.ch([
                f"Lateral mass screws were placed at {c_txt} and pedicle screws at {t_txt}, bilaterally.",
                f"Bilateral lateral mass screws were inserted {c_txt} using the Magerl technique, followed by pedicle screws at {t_txt}.",
                f"Instrumentation consisted of lateral mass screws {c_txt} and pedicle screws {t_txt} on both sides."]))
        elif skip or self.maybe(0.25):
            lst = nt.vlist(fixed_screws)
            lead = self.ch(["Pedicle screws were placed bilaterally at", "Bilateral pedicle screws were inserted at",
                            "Using a freehand technique, pedicle screws were placed at",
                            "Percutaneous pedicle screws were inserted over guidewires at" if percutaneous
                            else "Pedicle screws were placed on both sides at"])
            if percutaneous and "Percutaneous" not in lead:
                lead = "Percutaneous pedicle screws were placed at"
            sents.append(f"{lead} {lst}.")
            if skip and not percutaneous:
                sents.append(self.ch([f"No screws were placed at {', '.join(skip)} to leave room for the resection.",
                                      f"The {' and '.join(skip)} pedicles were left without screws."]))
        else:
            rng_txt = nt.range(fixed_screws[0], b, pelvic=pelvic)
            if percutaneous:
                sents.append(f"Percutaneous pedicle screws were placed bilaterally over guidewires {rng_txt}.")
            elif self.terse:
                sents.append(self.ch([f"Bilat pedicle screws {rng_txt}.", f"Pedicle screws {rng_txt} bilaterally.",
                                      f"Segmental pedicle screws placed {rng_txt}."]))
            else:
                sents.append(self.ch([
                    f"Segmental pedicle screw fixation was then carried out bilaterally {rng_txt}.",
                    f"Bilateral pedicle screws were placed at every level {rng_txt}.",
                    f"Pedicle screws were inserted bilaterally {rng_txt} using a freehand technique.",
                    f"Using navigation, we placed bilateral pedicle screws {rng_txt}."]))
        if hooks:
            sents.insert(0, self.ch([f"Bilateral transverse process-pedicle claw hooks were seated at {a}.",
                                     f"Supralaminar hooks were placed bilaterally at {a} as the upper foundation."]))
        if pelvic:
            sents.append(self.ch([
                "Bilateral S2AI screws were then placed under fluoroscopic guidance.",
                "S2-alar-iliac screws were inserted on both sides, confirmed on inlet, outlet and teardrop views.",
                "Iliac bolts were placed bilaterally from the posterior superior iliac spine toward the AIIS.",
                "Bilateral iliac screws were placed through a starting point at the PSIS and connected with offset connectors."]))
            self.tag("pelvic_fixation")
        if not percutaneous:
            sents += self.say(SCREWTECH_L, SCREWTECH_S, (0, 2), (0, 1))
        self.step("screws", sents)
        n_scr = 2 * len(fixed_screws)
        imp = f"{n_scr} pedicle screws ({nt.range(a, b, pelvic=pelvic, style='hyphen')})" if not cervical_mix else \
            f"lateral mass and pedicle screws {a}-{b}, {n_scr} total"
        self.implants.append(imp)
        if hooks:
            self.implants.append("2 hooks")
        if pelvic:
            self.implants.append(self.ch(["2 S2AI screws", "2 iliac screws 8.5 x 80 mm", "iliac bolts x2"]))
        self.implants.append(f"2 rods ({self.kw['rod']})")
        n = nseg(a, b)
        self.summary.append(f"posterior {a}-{b} {'segmental' if segmental else 'non-segmental'} ({n})"
                            + (" + pelvic" if pelvic else ""))

    def rods_step(self, closing: str | None = None) -> None:
        if self.terse:
            s = [self.fill(self.ch(ROD_S[:2]))] + ordered_sample(self.rng, ROD_S[2:], self.rng.randint(0, 1))
        else:
            s = [self.fill(ROD_L[0])] + [self.fill(x) for x in ordered_sample(self.rng, ROD_L[1:], self.rng.randint(1, 3))]
        if closing:
            s.insert(1, closing)
        self.step("rods", s)

    # ---------------------------------------------------------------------------------------
    # grafts
    # ---------------------------------------------------------------------------------------

    def choose_grafts(self, posterior: bool = True, local_p: float = 0.8, allo_p: float = 0.5,
                      dbm_p: float = 0.35, icbg_p: float = 0.14, bma_p: float = 0.14, ceramic_p: float = 0.05,
                      local_src: str = "decompression") -> None:
        g = []
        if self.maybe(local_p):
            g.append("local_autograft")
        if self.maybe(allo_p):
            g.append("allograft_morselized")
        if self.maybe(dbm_p):
            g.append("osteopromotive")
        if self.maybe(ceramic_p):
            g.append("ceramic")
        if self.maybe(icbg_p):
            g.append("autograft_separate_morselized")
        if self.maybe(bma_p):
            g.append("bone_marrow_aspirate")
        if not g:
            g.append("local_autograft" if posterior else "allograft_morselized")
        self.grafts = g
        self.local_src = local_src

    def fill_phrase(self) -> str:
        """What a cage is packed with, named only from the grafts of this note."""
        names = {"local_autograft": ["local bone", "local autograft"],
                 "allograft_morselized": ["allograft chips", "cancellous allograft"],
                 "osteopromotive": ["DBM", "demineralized bone matrix"],
                 "ceramic": ["ceramic graft substitute"],
                 "autograft_separate_morselized": ["iliac crest autograft"],
                 "bone_marrow_aspirate": ["graft soaked in marrow aspirate"]}
        opts = [n for g in self.grafts if g in names for n in names[g]]
        return self.ch(opts + ["graft", "bone graft"]) if opts else "graft"

    def graft_sentences(self, where: str = "in the lateral gutters") -> list[str]:
        s: list[str] = []
        side = self.kw["side"]
        cc = self.ch(["20", "30", "40", "60"])
        for g in self.grafts:
            if g == "local_autograft":
                src = self.local_src
                s.append(self.ch([
                    f"Local bone harvested from the {src} was cleaned of soft tissue, morselized and placed {where}.",
                    f"Morselized local autograft from the {src} was packed {where}.",
                    f"Local autograft from the {src} was used {where}."] if not self.terse else
                    [f"Local autograft placed {where}.", f"Local bone ({src}) morselized and placed."]))
            elif g == "allograft_morselized" and g == self.grafts[0]:
                s.append(self.ch([f"{cc} cc of cancellous allograft chips were placed {where}.",
                                  f"Freeze-dried corticocancellous allograft chips ({cc} cc) were packed {where}."]))
            elif g == "allograft_morselized":
                s.append(self.ch([f"{cc} cc of cancellous allograft chips were added.",
                                  f"Freeze-dried corticocancellous allograft chips ({cc} cc) were used to extend the graft.",
                                  "Allograft chips were placed as well."] if not self.terse else
                                 ["Allograft chips added.", f"{cc} cc cancellous allograft chips."]))
            elif g == "osteopromotive":
                s.append(self.ch([f"{self.ch(['10', '5', '15'])} cc of demineralized bone matrix putty was mixed into the graft.",
                                  "Recombinant BMP-2 (Infuse) on collagen sponges was laid over the graft.",
                                  "Grafton DBM was added to the graft mixture.",
                                  "DBM was added."]))
            elif g == "ceramic":
                s.append(self.ch(["Beta-tricalcium phosphate granules were mixed with the graft.",
                                  "Vitoss ceramic bone graft substitute was added."]))
            elif g == "autograft_separate_morselized":
                if self.approach == ["anterior"]:
                    s.append(self.ch([
                        f"Through a separate skin incision over the {side} anterior iliac crest, cancellous bone was harvested with curettes, morselized and packed into the graft.",
                        f"A separate 3 cm incision was made over the {side} anterior iliac crest and cancellous autograft was harvested and morselized."]))
                else:
                    s.append(self.ch([
                        f"Through a separate fascial incision over the {side} posterior iliac crest, cancellous bone was harvested with gouges and curettes, morselized and added to the graft.",
                        f"A separate skin incision was made over the {side} posterior superior iliac spine; the outer table was exposed and corticocancellous strips were harvested and morselized.",
                        f"{cap(side)} posterior iliac crest bone graft was harvested through a separate fascial incision and morselized."]))
                self.tag("graft_harvest")
            elif g == "bone_marrow_aspirate":
                s.append(self.ch([
                    f"Bone marrow ({self.ch(['20', '30', '60'])} cc) was aspirated from the {side} iliac crest with a Jamshidi needle through a separate stab incision and used to soak the graft.",
                    f"Through a separate stab incision, a trocar was advanced into the {side} iliac crest and marrow aspirate was withdrawn and mixed with the graft.",
                    f"BMA was obtained from the {side} iliac crest through a separate stab incision."]))
        return s

    # ======================================================================================
    # case builders
    # ======================================================================================

    def build(self) -> None:
        getattr(self, f"case_{self.case}")()

    # ---------------------------------------------------------------------------- posterior
    def pick_posterior_sites(self, typ: str, region: str, n: int) -> tuple[list[str], str]:
        """Returns (normalized sites, form) where form is 'isp', 'vert' or 'vrange'."""
        vert_form = typ in ("smith_petersen", "chevron") and self.maybe(0.35) and region != "cervical"
        if region == "thoracic":
            n = min(n, 6)
            start = self.rng.randint(IDX["T4"], IDX["T11"] - n + 1)
        elif region == "lumbar":
            n = min(n, 4)
            start = self.rng.randint(IDX["L1"], IDX["L4"] - n + 1)
        elif region == "cross":
            n = max(n, 2)
            n = min(n, 5)
            # the sequence must straddle the thoracolumbar junction
            lo = max(IDX["T12"] - n + 1, IDX["T8"])
            start = self.rng.randint(lo, IDX["T12"] - 1) if n > 1 else IDX["T12"]
            if start + n - 1 < IDX["T12"]:
                start = IDX["T12"] - n + 1
        else:  # cervical
            n = min(n, 3)
            start = self.rng.randint(IDX["C3"], IDX["C7"] - n + 1)
        heads = VERTS[start:start + n]
        if vert_form:
            if n >= 3 and self.maybe(0.5):
                return heads, "vrange"
            return heads, "vert"
        return [isp_id(h) for h in heads], "isp"

    def render_posterior_sites(self, sites: list[str], form: str) -> tuple[str, str]:
        """(text used in the narrative, text used in the procedure list)"""
        nt = self.nt
        if form == "isp":
            heads = [site_head(s) for s in sites]
            return nt.isplist(heads), nt.isplist(heads)
        if form == "vrange":
            r = nt.range(sites[0], sites[-1], style=self.ch(["hyphen", "endash", "through", "to"]), list_ok=False)
            return r, r
        if len(sites) == 1:
            return nt.v(sites[0], words_ok=True), sites[0]
        return nt.vlist(sites), nt.vlist(sites)

    def posterior_osteo_sentences(self, typ: str, sites: list[str], form: str) -> tuple[list[str], str]:
        sing, plur, short = POST_TERMS[typ]
        txt, proc_txt = self.render_posterior_sites(sites, form)
        multi = len(sites) > 1
        out: list[str] = []
        if multi and form == "isp" and self.maybe(0.3) and not self.terse:
            # one sentence per site, each with the term and its level
            for s in sites:
                t = self.ch(sing)
                lvl = self.nt.isp(site_head(s))
                a_ = art(t)
                out.append(self.ch([f"{cap(a_)} {t} was performed at {lvl}.", f"At {lvl}, {a_} {t} was performed.",
                                    f"{cap(a_)} {t} was then carried out at {lvl}."]))
        elif multi:
            t = self.ch(plur)
            if self.terse:
                out.append(self.ch([f"{cap(t)} {txt} done.", f"{cap(t)} performed at {txt}.",
                                    f"{cap(t)} carried out at {txt}."]))
            else:
                out.append(self.ch([
                    f"{cap(t)} were then performed at {txt}.",
                    f"We then performed {t} at {txt}.",
                    f"{cap(t)} were carried out at {txt} to mobilize the spine for correction.",
                    f"Attention was turned to the deformity, and {t} were performed at {txt}."]))
        else:
            t = self.ch(sing)
            a_ = art(t)
            if self.terse:
                out.append(self.ch([f"{cap(t)} at {txt} performed.", f"{txt} {t} done."])
                           if not txt.startswith("the ") else f"{cap(t)} at {txt} performed.")
            else:
                out.append(self.ch([f"{cap(a_)} {t} was then performed at {txt}.",
                                    f"We performed {a_} {t} at {txt}.",
                                    f"{cap(a_)} {t} was carried out at {txt} to gain lordosis."]))
        out += self.posterior_osteo_technique(typ, multi)
        proc = self.ch([f"{cap(plur[0] if multi else sing[0])} at {proc_txt}",
                        f"{cap(plur[0] if multi else sing[0])}, {proc_txt}",
                        f"{proc_txt} {short}{'s' if multi and short in ('Ponte', 'SPO', 'PCO') else ''}"])
        return out, proc

    def posterior_osteo_technique(self, typ: str, multi: bool) -> list[str]:
        where = "at each level" if multi else "at that level"
        if typ == "posterior_wedge":
            pool = ["A wedge of bone including the spinous process and lamina was removed together with the supraspinous and interspinous ligaments.",
                    "The pedicles and the vertebral body were not violated.",
                    "The gap was closed with manual pressure on the spine and compression across the screws."]
            return pool if not self.terse else [pool[0], pool[1]]
        pool = [f"The spinous process and interspinous ligament were removed {where}.",
                "The ligamentum flavum was resected with Kerrison rongeurs, exposing the dura.",
                "The inferior articular process above and the superior articular process below were resected bilaterally back to the pedicles.",
                "Wide foraminotomies were completed so that the exiting roots stayed free when the gaps were closed.",
                "Epidural bleeding was controlled with bipolar cautery and thrombin-soaked Gelfoam.",
                f"Each resection gap measured approximately {self.ch(['6', '7', '8', '10'])} mm."]
        if typ == "chevron":
            pool.insert(1, "The laminar cut was made in a V shape, apex cephalad, with a Leksell rongeur and a 2 mm Kerrison.")
        if typ == "pco":
            pool.insert(0, "This was a Schwab grade 2 resection of the posterior column.")
        return ordered_sample(self.rng, pool, self.rng.randint(1, 2) if self.terse else self.rng.randint(2, 5))

    def case_posterior_osteotomy(self) -> None:
        typ = self.subtype or wchoice(self.rng, SUBTYPES["posterior_osteotomy"])
        region = wchoice(self.rng, [("thoracic", 33), ("lumbar", 33), ("cross", 22), ("cervical", 12)])
        n = self.rng.randint(1, 2) if typ == "posterior_wedge" else self.rng.randint(1, 6)
        sites, form = self.pick_posterior_sites(typ, region, n)
        heads = [site_head(s) for s in sites]
        # A vertebra range ("SPOs T8-T11") counts one site per interspace (coding-rules worked example 15).
        gold_sites = [isp_id(h) for h in sites[:-1]] if form == "vrange" else sites
        self.osteos.append({"family": "posterior", "type": typ, "sites": gold_sites})
        self.excluded_levels += heads + [vs(heads[-1], 1)]
        self.tag(TYPE_TAG[typ])
        self.tag({"thoracic": "thoracic", "lumbar": "lumbar", "cross": "cross_region", "cervical": "cervical"}[region])
        if region == "cross":
            self.tag("thoracic")
            self.tag("lumbar")
        if len(sites) > 1:
            self.tag("multi_site")
        if form == "vrange":
            self.tag("vertebra_range_sites")
        top, bottom = heads[0], (heads[-1] if form != "isp" else vs(heads[-1], 1))
        # construct
        pelvic = False
        hooks = False
        if region == "cervical":
            a = vclamp(top, -self.rng.randint(1, 3))
            a = a if IDX[a] >= IDX["C2"] else "C2"
            a = a if IDX[a] <= IDX["C5"] else "C5"
            b = self.ch(["T1", "T2", "T3"])
            if IDX[b] <= IDX[bottom]:
                b = vs(bottom, 1)
            setting = "prone_cx"
        else:
            a = vclamp(top, -self.rng.randint(2, 4), lo="T2")
            if IDX[a] < IDX["T2"]:
                a = "T2"
            if region == "lumbar":
                b = self.ch(["L5", "S1", "S1", "S1"])
            else:
                b = vclamp(bottom, self.rng.randint(1, 4))
            if IDX[b] <= IDX[bottom]:
                b = vs(bottom, 1)
            pelvic = b == "S1" and self.maybe(0.6)
            hooks = region == "thoracic" and a[0] == "T" and self.maybe(0.2)
            setting = "prone_tl"
        self.summary.insert(0, f"{typ} at {', '.join(sites)}")
        # dx / indications
        if region == "thoracic":
            self.pre_dx = self.ch([f"Scheuermann kyphosis, {self.ch(['78', '82', '85', '90'])} degrees.",
                                   "Rigid thoracic hyperkyphosis.", "Adult thoracic kyphosis with sagittal malalignment."])
        elif region == "cervical":
            self.pre_dx = self.ch(["Cervical kyphosis with myelopathy.", "Fixed cervical kyphotic deformity.",
                                   "Post-laminectomy cervical kyphosis."])
        else:
            self.pre_dx = self.ch(["Flatback syndrome with sagittal imbalance.",
                                   "Adult degenerative scoliosis with loss of lumbar lordosis.",
                                   "Degenerative lumbar kyphosis.", "Adult spinal deformity, PI-LL mismatch."])
        self.indication_text({"cervical": "cervical_deformity", "thoracic": "thoracic_deformity"}.get(region, "deformity"))
        # narrative
        self.steps_opening(setting)
        self.expose_posterior(a, b)
        self.choose_grafts(local_src=self.ch(["osteotomies", "spinous processes and laminae", "osteotomy sites"]
                                             if len(sites) > 1 else ["osteotomy", "spinous processes and laminae"]))
        if region == "cervical":
            self.posterior_construct(a, b, False, cervical_mix=any(v[0] == "T" for v in vrange(a, b)))
        else:
            self.posterior_construct(a, b, pelvic, hooks=hooks)
        osent, oproc = self.posterior_osteo_sentences(typ, sites, form)
        self.step("osteotomy", osent)
        self.rods_step(self.ch(["The osteotomies were closed with sequential compression across the screws, and the dura was checked for buckling."
                                if len(sites) > 1 else
                                "The osteotomy was closed with compression across the screws, and the dura was checked for buckling.",
                                "Compression was applied across the resection sites before final tightening." if len(sites) > 1 else
                                "Compression was applied across the resection gap before final tightening."]))
        self.step("graft", self.say(DECORT_L, DECORT_S, (1, 1), (0, 1)) + self.graft_sentences())
        self.steps_closing("post")
        # procedure list
        fus = self.nt.range(a, b, pelvic=pelvic, style="hyphen")
        instr = [f"Posterior segmental instrumentation {fus}"] + (
            [f"Lateral mass and pedicle screw instrumentation {fus}"] if region == "cervical"
            else [f"Segmental pedicle screw instrumentation {fus}"])
        self.proc_items = [oproc,
                           self.ch([f"Posterior spinal fusion {fus}", f"Posterior arthrodesis {fus}", f"PSF {fus}"]),
                           self.ch(instr)]
        if pelvic:
            self.proc_items.append("Pelvic fixation")
        self.proc_items += self.graft_proc_items()
        self.findings = [f.replace("osteotomies", "osteotomy") if len(sites) == 1 else f for f in FINDINGS["post_osteo"]]

    # ---------------------------------------------------------------------------- three-column
    def tc_sentence(self, typ: str, sites: list[str]) -> tuple[list[str], str]:
        terms, short = TC_TERMS[typ]
        t = self.ch(terms)
        nt = self.nt
        if len(sites) == 1:
            v = nt.v(sites[0], words_ok=True)
            a_ = art(t)
            if self.terse:
                main = self.ch([f"{cap(t)} at {v} performed.", f"{v} {short} done.", f"{cap(short)} at {v} completed."]) \
                    if not v.startswith("the ") else f"{cap(t)} at {v} performed."
            else:
                main = self.ch([f"{cap(a_)} {t} was then performed at {v}.",
                                f"We next performed {a_} {t} of {v}.",
                                f"{cap(a_)} {t} was carried out at {v}.",
                                f"Attention was then turned to {v}, where {a_} {t} was performed."])
            proc = self.ch([f"{cap(TC_TERMS[typ][0][0])}, {sites[0]}", f"{sites[0]} {short}",
                            f"{cap(TC_TERMS[typ][0][0])} at {sites[0]}"])
        else:
            lst = nt.vlist(sites)
            plural = {"pso": self.ch(["pedicle subtraction osteotomies", "PSOs",
                                      "transpedicular three-column osteotomies"]),
                      "extended_pso": "extended pedicle subtraction osteotomies",
                      "eggshell": "eggshell osteotomies", "vcr": "vertebral column resections"}[typ]
            main = self.ch([f"{cap(plural)} were performed at {lst}.",
                            f"We performed {plural} at {lst}.",
                            f"{cap(plural)} were then carried out at {lst}, one after the other."])
            proc = f"{cap(plural)} at {', '.join(sites)}"
        return [main], proc

    def tc_technique(self, typ: str, v: str) -> list[str]:
        up, dn = vs(v, -1), vs(v, 1)
        if typ in ("pso", "extended_pso"):
            pool = [f"The posterior elements of {v} were removed, including the lamina, the spinous process, the inferior facets of {up} and the superior facets of {dn}.",
                    f"The {v} pedicles were skeletonized and the {up} and {v} nerve roots were protected.",
                    "The vertebral body was decancellated through both pedicles with curettes and reamers.",
                    "The lateral walls were taken down with rongeurs and the posterior wall was impacted with a reverse-angled curette.",
                    "A temporary rod was placed on one side during the resection to prevent translation.",
                    "The wedge was closed by extending the table and compressing across the resection, and the dura was inspected for buckling."]
            if typ == "extended_pso":
                pool.insert(3, f"The superior endplate of {v} and the {isp_id(up)} disc were removed together with the wedge.")
        elif typ == "eggshell":
            pool = [f"The {v} lamina and spinous process were removed with the adjacent facets.",
                    f"Both {v} pedicles were entered and enlarged, and the cancellous bone of the body was hollowed out, leaving a thin cortical shell.",
                    "The posterior cortex was pushed into the cavity with a reverse-angled curette and the lateral walls were collapsed.",
                    "The shell was closed with gentle compression and table extension."]
        else:  # vcr
            pool = [f"The posterior elements of {v} were removed together with the transverse processes and the medial rib heads.",
                    f"The {v} pedicles were resected and the vertebral body was removed circumferentially, along with the discs above and below.",
                    "The segmental nerve roots were ligated on one side to allow access.",
                    "A temporary rod was kept in place on alternating sides throughout the resection.",
                    "The resection was closed gradually with compression while the spinal cord was observed."]
        return ordered_sample(self.rng, pool, self.rng.randint(1, 2) if self.terse else self.rng.randint(3, len(pool)))

    def case_three_column(self) -> None:
        sub = self.subtype or wchoice(self.rng, SUBTYPES["three_column"])
        if sub == "pso_lumbar":
            typ, sites = "pso", [self.ch(["L1", "L2", "L3", "L3", "L3", "L4", "L4"])]
        elif sub == "pso_thoracic":
            typ, sites = "pso", [self.ch(["T10", "T11", "T12"])]
        elif sub == "extended_pso":
            typ, sites = "extended_pso", [self.ch(["L2", "L3", "L4"])]
        elif sub == "eggshell":
            typ, sites = "eggshell", [self.ch(["T11", "T12", "L1", "L2", "L3"])]
        elif sub == "vcr":
            typ, sites = "vcr", [self.ch(["T5", "T6", "T7", "T8", "T9", "T10", "T11", "L1"])]
        elif sub == "multi":
            typ = "pso"
            sites = self.ch([["L2", "L4"], ["L1", "L3"], ["T10", "T11", "T12"], ["T11", "L3"]])
        elif sub == "t12_l1":
            typ, sites = "pso", ["T12", "L1"]
        else:
            typ, sites = "pso", ["C7"]
        self.osteos.append({"family": "three_column", "type": typ, "sites": list(sites)})
        self.excluded_levels += list(sites)
        self.tag(TYPE_TAG[typ])
        self.tag(sub)
        regions = sorted({s[0] for s in sites}, key="CTL".index)
        for rg in regions:
            self.tag(REGION_WORD[rg])
        if len(regions) > 1:
            self.tag("cross_region")
        if len(sites) > 1:
            self.tag("multi_site")
        if sub == "cervical_pso":
            self.tag("cervical_three_column")
        self.summary.insert(0, f"{typ} at {', '.join(sites)}")
        top, bottom = sites[0], sites[-1]
        if sub == "cervical_pso":
            a, b, pelvic = self.ch(["C3", "C4"]), self.ch(["T2", "T3", "T4"]), False
        else:
            a = vclamp(top, -self.rng.randint(3, 6), lo="T2")
            if IDX[a] < IDX["T2"]:
                a = "T2"
            if bottom[0] == "L" or bottom == "T12":
                b = self.ch(["S1", "S1", "S1", "L5", vclamp(bottom, 2)])
            else:
                b = vclamp(bottom, self.rng.randint(3, 5))
            if IDX[b] > IDX["S1"]:
                b = "S1"
            pelvic = b == "S1" and self.maybe(0.7)
        # vcr cage
        vcr_cage = typ == "vcr" and self.maybe(0.7)
        if vcr_cage:
            self.corp = 1
            self.tag("vcr_cage")
        # dx
        if sub == "cervical_pso":
            self.pre_dx = "Ankylosing spondylitis with fixed cervicothoracic kyphosis (chin-on-chest deformity)."
        elif typ == "vcr":
            self.pre_dx = self.ch(["Congenital kyphosis.", "Severe rigid angular kyphosis.",
                                   "Post-tuberculous angular kyphosis."])
        elif typ == "eggshell":
            self.pre_dx = f"Healed osteoporotic fracture of {top} in kyphosis."
        else:
            self.pre_dx = self.ch(["Fixed sagittal imbalance.", "Ankylosing spondylitis with fixed thoracolumbar kyphosis.",
                                   "Iatrogenic flatback after prior lumbar fusion.", "Post-traumatic thoracolumbar kyphosis.",
                                   "Adult spinal deformity with fixed sagittal malalignment."])
        self.indication_text("cervical_deformity" if sub == "cervical_pso" else
                             "thoracic_deformity" if bottom[0] == "T" and bottom != "T12" else "deformity")
        self.steps_opening("prone_cx" if sub == "cervical_pso" else "prone_tl")
        self.expose_posterior(a, b)
        self.choose_grafts(local_src=self.ch(["osteotomy", "resected posterior elements", "decompression and osteotomy"]))
        skip = list(sites) if self.maybe(0.45) and sub != "cervical_pso" else []
        if sub == "cervical_pso":
            self.posterior_construct(a, b, False, cervical_mix=True)
        else:
            self.posterior_construct(a, b, pelvic, skip=skip)
        main, proc = self.tc_sentence(typ, sites)
        tech = self.tc_technique(typ, sites[0])
        if len(sites) > 1:
            rest = sites[1:]
            tech.append(self.ch([f"The same steps were then repeated at {self.nt.vlist(rest)}.",
                                 f"An identical resection was then carried out at {self.nt.vlist(rest)}."]))
        if vcr_cage:
            tech.append(self.ch([f"A titanium mesh cage packed with {self.fill_phrase()} was placed in the anterior column defect before closure.",
                                 "An expandable cage was inserted into the resection defect to support the anterior column.",
                                 "A cage was placed in the vertebral body defect and the resection was closed down onto it."]))
            self.implants.append("mesh cage x1")
        self.step("osteotomy", main + tech)
        self.rods_step()
        self.step("graft", self.say(DECORT_L, DECORT_S, (1, 1), (0, 1)) + self.graft_sentences())
        self.steps_closing("post")
        fus = self.nt.range(a, b, pelvic=pelvic, style="hyphen")
        self.proc_items = [proc, self.ch([f"Posterior spinal fusion {fus}", f"Posterior instrumented fusion {fus}"]),
                           self.ch([f"Posterior segmental instrumentation {fus}",
                                    f"Lateral mass and pedicle screw instrumentation {fus}" if sub == "cervical_pso"
                                    else f"Pedicle screw instrumentation {fus}"])]
        if pelvic:
            self.proc_items.append(self.ch(["Pelvic fixation", "Bilateral pelvic fixation"]))
        if vcr_cage:
            self.proc_items.append("Placement of cage in the resection defect")
        self.proc_items += self.graft_proc_items()
        self.findings = FINDINGS["three_col"]

    # ---------------------------------------------------------------------------- two families
    def case_two_families(self) -> None:
        typ = self.ch(["pso", "pso", "pso", "extended_pso"])
        pso = self.ch(["L2", "L3", "L3", "L4", "L4"])
        ptyp = wchoice(self.rng, [("ponte", 60), ("smith_petersen", 25), ("pco", 15)])
        n = self.rng.randint(1, 4)
        # Ponte interspaces well above the three-column level (cephalad vertebra at least two above)
        last_head = IDX[pso] - 2
        first_head = max(last_head - n + 1, IDX["T9"])
        heads = VERTS[first_head:last_head + 1]
        sites_p = [isp_id(h) for h in heads]
        self.osteos.append({"family": "three_column", "type": typ, "sites": [pso]})
        self.osteos.append({"family": "posterior", "type": ptyp, "sites": sites_p})
        self.excluded_levels += [pso] + heads + [vs(heads[-1], 1)]
        self.tag("two_families")
        self.tag(TYPE_TAG[typ])
        self.tag(TYPE_TAG[ptyp])
        self.tag("lumbar")
        if heads[0][0] == "T":
            self.tag("thoracic")
            self.tag("cross_region")
        if len(sites_p) > 1:
            self.tag("multi_site")
        self.summary.insert(0, f"{typ} at {pso} + {ptyp} at {', '.join(sites_p)}")
        a = vclamp(heads[0], -self.rng.randint(1, 4), lo="T2")
        if IDX[a] < IDX["T2"]:
            a = "T2"
        b = self.ch(["S1", "S1", "L5"])
        pelvic = b == "S1" and self.maybe(0.7)
        self.pre_dx = self.ch(["Fixed sagittal imbalance with flatback.", "Adult spinal deformity, PI-LL mismatch of 40 degrees.",
                               "Iatrogenic flatback syndrome."])
        self.indication_text("deformity")
        self.steps_opening("prone_tl")
        self.expose_posterior(a, b)
        self.choose_grafts(local_src=self.ch(["osteotomies", "resected posterior elements"]))
        self.posterior_construct(a, b, pelvic, skip=[pso] if self.maybe(0.4) else [])
        psent, pproc = self.posterior_osteo_sentences(ptyp, sites_p, "isp")
        tsent, tproc = self.tc_sentence(typ, [pso])
        ttech = self.tc_technique(typ, pso)
        if self.maybe(0.5):
            self.step("osteotomy", psent)
            self.step("osteotomy2", tsent + ttech)
        else:
            self.step("osteotomy", tsent + ttech)
            self.step("osteotomy2", psent)
        self.rods_step()
        self.step("graft", self.say(DECORT_L, DECORT_S, (1, 1), (0, 1)) + self.graft_sentences())
        self.steps_closing("post")
        fus = self.nt.range(a, b, pelvic=pelvic, style="hyphen")
        self.proc_items = [tproc, pproc, f"Posterior spinal fusion {fus}",
                           self.ch([f"Posterior segmental instrumentation {fus}", f"Pedicle screw fixation {fus}"])]
        if pelvic:
            self.proc_items.append("Pelvic fixation")
        self.proc_items += self.graft_proc_items()
        self.findings = FINDINGS["three_col"]

    # ---------------------------------------------------------------------------- anterior osteotomy
    def case_anterior_osteotomy(self) -> None:
        region = wchoice(self.rng, [("cervical", 45), ("thoracic", 20), ("lumbar", 35)])
        n = self.rng.choice([1, 1, 2, 2, 3]) if region != "lumbar" else self.rng.choice([1, 1, 2])
        if region == "cervical":
            start = self.rng.randint(IDX["C3"], IDX["C6"] - n + 1)
        elif region == "thoracic":
            start = self.rng.randint(IDX["T6"], IDX["T11"] - n + 1)
        else:
            start = self.rng.randint(IDX["L2"], IDX["L4"] - n + 1)
        heads = VERTS[start:start + n]
        sites = [isp_id(h) for h in heads]
        extra = None
        if region in ("cervical", "lumbar") and self.maybe(0.35):
            cand = vs(heads[-1], 1)
            if IDX[cand] <= IDX[{"cervical": "C6", "lumbar": "L4"}[region]]:
                extra = cand
        self.osteos.append({"family": "anterior", "type": "anterior_osteotomy", "sites": sites})
        self.excluded_levels += heads + [vs(heads[-1], 1)]
        self.approach = ["anterior"]
        self.tag("anterior_osteotomy")
        self.tag(region)
        if n > 1:
            self.tag("multi_site")
        all_heads = heads + ([extra] if extra else [])
        self.interbody = [isp_id(h) for h in all_heads]
        a = all_heads[0]
        b = vs(all_heads[-1], 1)
        if region == "thoracic":
            a, b = vs(a, -1), vs(b, 1)
        self.ant = {"span": f"{a}-{b}"}
        self.summary.insert(0, f"anterior osteotomy at {', '.join(sites)}" + (f" + mobile discectomy {isp_id(extra)}" if extra else ""))
        nt = self.nt
        self.pre_dx = self.ch([f"Kyphosis through an ankylosed {isp_id(heads[0])} segment.",
                               "Post-traumatic autofusion with kyphotic deformity.",
                               "Ankylosing spondylitis with anterior bridging fusion and kyphosis."])
        self.indication_text("anterior")
        setting = {"cervical": "supine_cx", "thoracic": "lateral", "lumbar": self.ch(["supine_abd", "lateral"])}[region]
        self.steps_opening(setting)
        # exposure
        if region == "cervical":
            exp = ["A transverse incision was made in a skin crease on the left side of the neck.",
                   "The platysma was divided and the plane medial to the carotid sheath was developed to the prevertebral fascia.",
                   "The longus colli was elevated bilaterally and a self-retaining retractor was placed."]
        elif region == "thoracic":
            rib = ORDINAL[int(heads[0][1:]) - 1] if int(heads[0][1:]) > 1 else "fifth"
            exp = [f"A thoracotomy was performed through the bed of the {rib} rib, which was resected and saved.",
                   "The lung was deflated and retracted, and the parietal pleura was incised over the spine.",
                   "Segmental vessels were ligated over the vertebral bodies to be instrumented."]
        else:
            exp = ["A left flank incision was made and the retroperitoneal space was entered bluntly.",
                   "The peritoneal contents and ureter were swept anteriorly, and the psoas was retracted posteriorly.",
                   "The segmental vessels were ligated as needed and the anterior spine was exposed."]
        exp = exp if not self.terse else exp[:1]
        exp += self.say(["A spinal needle was placed in the disc space and a lateral fluoroscopic image confirmed the level.",
                         "Fluoroscopy confirmed the level before any bone was cut."], LOCAL_S, (1, 1), (1, 1))
        self.step("expose", exp)
        if len(heads) == 1:
            lvl = nt.isp(heads[0])
            key = self.ch([f"An anterior osteotomy was then performed through the ankylosed {lvl} segment.",
                           f"An anterior osteotomy with discectomy was carried out through the autofused {lvl} segment.",
                           f"We performed an anterior osteotomy of the solidly fused {lvl} segment."])
        else:
            lvl = nt.isplist(heads)
            key = self.ch([f"Anterior osteotomies were performed through the ankylosed {lvl} segments.",
                           f"Anterior osteotomies with discectomy were carried out through the autofused segments at {lvl}."])
        tech = ["There was no identifiable disc space; the anterior longitudinal ligament was ossified and the fusion mass bridged the interspace.",
                "The osteotomy was created along the line of the former disc with a high-speed burr, working back to the posterior cortex under fluoroscopic guidance.",
                "The posterior cortex was thinned and removed with Kerrison rongeurs, and the osteotomy was completed out to both lateral margins.",
                f"Gentle distraction opened the osteotomy, restoring approximately {self.kw['deg']} degrees of "
                f"{'lordosis' if region != 'thoracic' else 'correction'}."]
        tech = ordered_sample(self.rng, tech, 1 if self.terse else self.rng.randint(2, 4))
        cage = self.ch(["PEEK", "titanium", "lordotic PEEK", "3D-printed titanium"])
        self.choose_grafts(posterior=False, local_p=0.5 if region == "thoracic" else 0.2, allo_p=0.4, dbm_p=0.5,
                           icbg_p=0.1, bma_p=0.15, local_src="rib" if region == "thoracic" else "osteotomy")
        if region == "thoracic" and "local_autograft" not in self.grafts:
            self.grafts.insert(0, "local_autograft")
        fill_txt = self.fill_phrase()
        cages = []
        for h in heads:
            size = self.ch(['7', '8', '10', '12'])
            cages.append(f"{cap(art(size))} {size} mm {cage} cage packed with {fill_txt} was placed into the {nt.isp(h)} interspace.")
        self.step("osteotomy", [key] + tech + cages)
        if extra:
            self.step("extra", [f"The {nt.isp(extra)} disc was degenerated but mobile, and a standard discectomy with endplate preparation was performed there.",
                                f"A matching {cage} cage was placed at {nt.isp(extra)}."])
        # plate
        if region == "cervical":
            plate = self.ch([f"An anterior cervical plate was applied from {a} to {b} and secured with screws at each end.",
                             f"A {nseg(a, b) - 1}-level anterior plate spanning {nt.range(a, b)} was fixed with vertebral body screws.",
                             f"An anterior plate was secured with screws into {nt.vlist(vrange(a, b))}."])
        elif region == "thoracic":
            plate = self.ch([f"Vertebral body screws were placed in {a} and {b} and connected with a rod under compression.",
                             f"An anterior vertebral body screw-rod construct spanning {nt.range(a, b)} was placed."])
        else:
            plate = self.ch([f"A lateral plate was fixed with vertebral body screws into {a} and {b}.",
                             f"An anterior buttress plate spanning {nt.range(a, b)} was applied."])
        gs = self.graft_sentences(where="around the cages" if len(all_heads) > 1 else "around the cage")
        self.step("plate", [plate] + gs)
        self.steps_closing({"cervical": "cx", "thoracic": "thor", "lumbar": "abd"}[region])
        self.implants = [f"{cage} cage x{len(all_heads)}",
                         f"anterior {'plate' if region != 'thoracic' else 'screw-rod construct'} {a}-{b}"]
        if len(heads) == 1:
            op = f"Anterior osteotomy through the ankylosed {isp_id(heads[0])} segment"
        else:
            op = f"Anterior osteotomies, {', '.join(sites)}"
        self.proc_items = [op, f"Anterior interbody arthrodesis {', '.join(self.interbody)}",
                           f"Insertion of interbody device{'s' if len(all_heads) > 1 else ''}",
                           f"Anterior instrumentation {a}-{b}"] + self.graft_proc_items()
        self.summary.append(f"anterior {a}-{b} ({nseg(a, b)}), cages {len(all_heads)}")
        self.findings = FINDINGS["ant_osteo"]

    # ---------------------------------------------------------------------------- no osteotomy
    def case_no_osteotomy(self) -> None:
        sub = self.subtype or wchoice(self.rng, SUBTYPES["no_osteotomy"])
        self.tag("no_osteotomy")
        self.tag(sub)
        self.sub = sub
        getattr(self, f"sub_{sub}")()

    def sub_tlif(self) -> None:
        nt = self.nt
        levels = self.ch([["L4"], ["L4"], ["L5"], ["L3"], ["L4", "L5"], ["L3", "L4"]])
        self.tag("lumbar")
        self.tag("tlif_facetectomy")
        a, b = levels[0], vs(levels[-1], 1)
        self.pre_dx = self.ch([f"Grade 1 degenerative spondylolisthesis {isp_id(levels[0])}.",
                               f"Recurrent disc herniation {isp_id(levels[-1])} with foraminal stenosis.",
                               "Degenerative disc disease with foraminal stenosis and mechanical back pain."])
        self.indication_text("degenerative")
        self.steps_opening("prone_tl")
        self.expose_posterior(a, b)
        self.choose_grafts(local_p=0.9, allo_p=0.35, dbm_p=0.4, icbg_p=0.12, bma_p=0.12, local_src="facetectomy and laminectomy")
        self.posterior_construct(a, b, False)
        side = self.ch(["left", "right"])
        osteotome = self.maybe(0.4)
        if osteotome:
            self.tag("osteotome_instrument")
        tl = []
        for h in levels:
            lvl = nt.isp(h)
            tl.append(self.ch([
                f"A complete {side} facetectomy was performed at {lvl} {'with an osteotome and ' if osteotome else 'with '}Kerrison rongeurs to expose the disc space for the transforaminal interbody fusion.",
                f"At {lvl}, the {side} inferior and superior articular processes were removed {'with an osteotome' if osteotome else 'with a high-speed drill'} as part of the TLIF approach, exposing the exiting and traversing roots."]))
            cage = self.ch(["PEEK", "titanium", "expandable titanium"])
            size = self.ch(["10", "11", "12"])
            tl.append(self.ch([
                f"The disc was removed with shavers and curettes, the endplates were prepared, and {art(size)} {size} mm {cage} cage packed with graft was impacted into the {lvl} interspace.",
                f"After a thorough discectomy and endplate preparation, {art(cage)} {cage} interbody cage filled with bone graft was placed at {lvl}."]))
            self.interbody.append(isp_id(h))
        if not self.terse:
            tl.append("The traversing and exiting nerve roots were free at the end of the decompression.")
        self.step("tlif", tl)
        self.rods_step()
        self.step("graft", self.say(DECORT_L, DECORT_S, (1, 1), (0, 1)) + self.graft_sentences())
        self.steps_closing("post")
        spans = nt.range(a, b, style="hyphen")
        self.proc_items = [f"Transforaminal lumbar interbody fusion {', '.join(isp_id(h) for h in levels)}",
                           f"Insertion of interbody device{'s' if len(levels) > 1 else ''}",
                           f"Posterior instrumentation {spans}", f"Posterolateral fusion {spans}"] + self.graft_proc_items()
        self.implants.append(f"interbody cage x{len(levels)}")
        self.findings = FINDINGS["tlif"]

    def sub_acdf(self) -> None:
        nt = self.nt
        n = self.ch([1, 1, 2, 2, 3])
        start = self.rng.randint(IDX["C3"], IDX["C6"] - n + 1)
        heads = VERTS[start:start + n]
        self.approach = ["anterior"]
        self.tag("cervical")
        self.tag("decompression")
        structural = self.maybe(0.3)
        a, b = heads[0], vs(heads[-1], 1)
        self.ant = {"span": f"{a}-{b}"}
        self.pre_dx = self.ch([f"Cervical radiculopathy, {isp_id(heads[-1])}.", "Cervical spondylotic myelopathy.",
                               f"Disc herniation {isp_id(heads[0])} with radiculopathy."])
        self.indication_text("cervical")
        self.steps_opening("supine_cx")
        self.step("expose", ["A transverse incision was made in a skin crease on the right side of the neck.",
                             "The platysma was divided and the avascular plane medial to the sternocleidomastoid was developed down to the spine.",
                             "A spinal needle in the disc space and a lateral fluoroscopic image confirmed the level."] if not self.terse
                  else ["R transverse neck incision, Smith-Robinson approach, level confirmed with needle and fluoro."])
        spurs = self.maybe(0.3)
        if spurs:
            self.tag("acdf_spurs")
            self.tag("osteotome_instrument")
        if structural:
            self.grafts = ["allograft_structural"] + (["osteopromotive"] if self.maybe(0.3) else []) + \
                          (["bone_marrow_aspirate"] if self.maybe(0.15) else [])
            self.tag("allograft_spacer")
        else:
            self.choose_grafts(posterior=False, local_p=0.25, allo_p=0.5, dbm_p=0.4, icbg_p=0.05, bma_p=0.08,
                               ceramic_p=0.1, local_src="osteophytes")
        d = []
        for h in heads:
            lvl = nt.isp(h)
            if spurs and h == heads[0]:
                d.append(f"Bridging anterior osteophytes at {lvl} were taken down with a small osteotome and a burr to reach the disc.")
            d.append(self.ch([f"A complete discectomy was performed at {lvl} with curettes and a high-speed burr, the posterior longitudinal ligament was removed and bilateral foraminotomies were completed.",
                              f"At {lvl}, the disc and posterior osteophytes were removed and the PLL was opened to decompress the cord and roots."]))
            if structural:
                d.append(f"A {self.ch(['5', '6', '7'])} mm structural allograft spacer was tapped into the {lvl} interspace.")
            else:
                d.append(f"A {self.ch(['6', '7'])} mm PEEK cage packed with {self.fill_phrase()} was placed at {lvl}.")
                self.interbody.append(isp_id(h))
        self.step("discectomy", d)
        plate = self.ch([f"An anterior cervical plate was secured with screws into {nt.vlist(vrange(a, b))}.",
                         f"A {n}-level anterior plate spanning {nt.range(a, b)} was applied and locked.",
                         f"An anterior plate from {a} to {b} was fixed with variable-angle screws."])
        self.step("plate", [plate] + self.graft_sentences(where="in the cages" if not structural else "around the spacers"))
        self.steps_closing("cx")
        self.proc_items = [f"Anterior cervical discectomy and fusion {', '.join(isp_id(h) for h in heads)}",
                           "Interbody arthrodesis with allograft spacer" if structural else "Insertion of interbody device(s)",
                           f"Anterior plate fixation {a}-{b}"] + self.graft_proc_items()
        self.implants = [f"anterior plate {a}-{b}",
                         f"{'allograft spacer' if structural else 'PEEK cage'} x{n}"]
        self.summary.append(f"ACDF {', '.join(isp_id(h) for h in heads)}; anterior {a}-{b}")
        self.findings = FINDINGS["acdf"]

    def sub_lam_fusion(self) -> None:
        nt = self.nt
        a, b = self.ch([("L3", "L5"), ("L4", "S1"), ("L2", "L5"), ("L3", "S1"), ("L4", "L5"), ("L4", "L5")])
        self.tag("lumbar")
        self.tag("decompression")
        self.pre_dx = self.ch([f"Lumbar spinal stenosis with degenerative spondylolisthesis {isp_id(vs(b, -1))}.",
                               "Neurogenic claudication with multilevel lumbar stenosis."])
        self.indication_text("degenerative")
        self.steps_opening("prone_tl")
        self.expose_posterior(a, b)
        self.choose_grafts(local_p=0.9, allo_p=0.5, dbm_p=0.4, icbg_p=0.15, bma_p=0.12, local_src="laminectomy")
        self.posterior_construct(a, b, b == "S1" and self.maybe(0.15))
        mid = vrange(a, b)[1:-1] or [a]
        lam = self.ch([f"A complete laminectomy of {nt.vlist(mid)} was performed with the Leksell rongeur and Kerrisons, with partial laminectomies above and below.",
                       f"Decompressive laminectomy was carried out at {nt.vlist(mid)} with medial facetectomies and foraminotomies for the stenosis."])
        self.step("decompress", [lam, "The thecal sac and the traversing roots were free at the end of the decompression."]
                  if not self.terse else [lam])
        self.rods_step()
        self.step("graft", self.say(DECORT_L, DECORT_S, (1, 1), (1, 1)) + self.graft_sentences())
        self.steps_closing("post")
        spans = nt.range(a, b, style="hyphen")
        self.proc_items = [f"Laminectomy {', '.join(mid)}", f"Posterolateral fusion {spans}",
                           f"Posterior instrumentation {spans}"] + self.graft_proc_items()
        if self.post["pelvic_fixation"]:
            self.proc_items.append("Pelvic fixation")
        self.findings = FINDINGS["lam_fusion"]

    def sub_kyphoplasty(self) -> None:
        nt = self.nt
        v = self.ch(["T12", "L1", "L1", "L2", "T11"])
        self.tag("kyphoplasty")
        if self.maybe(0.6):
            self.pre_dx = f"Osteoporotic compression fracture of {v}."
            self.indication_text("fracture")
        else:
            self.pre_dx = f"Pathologic fracture of {v}, multiple myeloma."
            self.indication_text("myeloma")
        self.steps_opening("prone_kypho")
        screws = self.maybe(0.5)
        k = [f"Bilateral trocars were passed through the {v} pedicles into the vertebral body under biplanar fluoroscopy.",
             f"Balloon tamps were inflated in {nt.v(v)} with partial height restoration.",
             "PMMA bone cement was injected under continuous lateral fluoroscopy with no extravasation."]
        if screws:
            up = self.rng.randint(1, 2)
            a, b = vs(v, -up), vs(v, up)
            self.posterior_construct(a, b, False, skip=[v], percutaneous=True)
            if up == 1:
                self.tag("nonsegmental_skip")
            self.step("rods_perc", ["Rods were passed percutaneously and set screws final-tightened."])
            self.proc_items = [f"Kyphoplasty {v}", f"Percutaneous posterior instrumentation {a}-{b}, no fusion"]
        else:
            self.approach = ["posterior"]
            self.proc_items = [f"{v} balloon kyphoplasty", "Fluoroscopic guidance"]
            self.summary.append("no instrumentation")
        self.step("kypho", k)
        self.step("close", ["The stab incisions were closed with 3-0 nylon and dressed." if not self.terse else "Stab incisions closed."])
        self.step("end", self.say(END_L, END_S, (1, 2), (1, 1)))
        self.findings = FINDINGS["kyphoplasty"]

    def sub_corpectomy(self) -> None:
        nt = self.nt
        kind = self.ch(["tl", "tl", "cx", "cx2", "tumor"])
        self.tag("corpectomy")
        self.approach = ["anterior"]
        if kind in ("tl", "tumor"):
            v = self.ch(["T11", "T12", "L1", "L2"]) if kind == "tl" else self.ch(["T9", "T10", "T11"])
            a, b = vs(v, -1), vs(v, 1)
            self.tag("thoracic" if v[0] == "T" else "lumbar")
            defects_txt = nt.v(v)
            self.pre_dx = f"{'Burst fracture' if kind == 'tl' else 'Metastatic renal cell carcinoma'} of {v} with canal compromise."
            setting = "lateral"
        else:
            v = self.ch(["C5", "C6"])
            vv = [v] if kind == "cx" else [v, vs(v, 1)]
            a, b = vs(vv[0], -1), vs(vv[-1], 1)
            self.tag("cervical")
            defects_txt = nt.v(v) if kind == "cx" else nt.vlist(vv)
            self.pre_dx = self.ch(["Cervical spondylotic myelopathy with retrovertebral compression.", "OPLL with myelopathy."])
            setting = "supine_cx"
        self.ant = {"span": f"{a}-{b}"}
        self.indication_text("fracture" if kind == "tl" else "tumor" if kind == "tumor" else "cervical")
        self.steps_opening(setting)
        if setting == "lateral":
            self.step("expose", ["A thoracoabdominal approach was performed through the bed of the eleventh rib, which was saved.",
                                 "The diaphragm was taken down peripherally and the retroperitoneal space was developed.",
                                 "Segmental vessels over the index body were ligated."] if not self.terse else
                      ["Thoracoabdominal approach via 11th rib."])
        else:
            self.step("expose", ["A left-sided transverse cervical incision was made and a standard anterior approach was carried to the prevertebral fascia.",
                                 "The longus colli was elevated and retractors were placed."])
        if kind == "tumor":
            self.nad = 1
            c = [f"A corpectomy of {defects_txt} was performed with resection of the tumor back to the posterior longitudinal ligament.",
                 "The defect was reconstructed with methylmethacrylate cement molded around a chest tube; no arthrodesis was intended given the palliative goal."]
            self.grafts = []
            self.implants = ["PMMA reconstruction"]
            self.tag("methylmethacrylate")
        else:
            self.corp = 1
            self.choose_grafts(posterior=False, local_p=0.85, allo_p=0.4, dbm_p=0.3, icbg_p=0.0, bma_p=0.0,
                               local_src="corpectomy" if kind != "tl" else "corpectomy and the resected rib")
            c = [self.ch([f"A corpectomy of {defects_txt} was performed, removing the vertebral body and the adjacent discs and decompressing the canal.",
                          f"The {defects_txt} vertebral bod{'y was' if kind != 'cx2' else 'ies were'} resected (corpectomy) back to the posterior longitudinal ligament."]),
                 self.ch([f"An expandable titanium cage packed with {self.fill_phrase()} was placed in the defect and expanded to restore height.",
                          f"A titanium mesh cage filled with {self.fill_phrase()} was sized and impacted into the corpectomy defect."])]
            self.implants = ["cage x1"]
        if kind in ("tl", "tumor"):
            plate = self.ch([f"A lateral plate was secured with vertebral body screws into {a} and {b}.",
                             f"Vertebral body screws were placed in {a} and {b} and connected with a lateral rod."])
        else:
            plate = self.ch([f"An anterior plate was applied from {a} to {b} and secured with screws.",
                             f"An anterior cervical plate spanning {nt.range(a, b)} was fixed in place."])
        self.step("corpectomy", c + [plate] + self.graft_sentences(where="in and around the cage"))
        self.steps_closing("thor" if setting == "lateral" else "cx")
        self.proc_items = [f"Corpectomy {v if kind != 'cx2' else v + '-' + vs(v, 1)}",
                           "Reconstruction with methylmethacrylate" if kind == "tumor" else "Insertion of cage into corpectomy defect",
                           f"Anterior instrumentation {a}-{b}"] + self.graft_proc_items()
        self.implants.append(f"{'vertebral body screws and rod' if 'rod' in plate else 'plate'} {a}-{b}")
        self.summary.append(f"corpectomy ({kind}); anterior {a}-{b} ({nseg(a, b)})")
        self.findings = FINDINGS["corpectomy"]

    # ======================================================================================
    # indications and graft list
    # ======================================================================================

    def indication_text(self, kind: str) -> None:
        who = f"{self.age}-year-old {'man' if self.sex == 'M' else 'woman'}"
        if self.deid and self.maybe(0.3):
            who = f"{self.age} y/o {self.sex} ([**Name**])"
        base = {
            "deformity": [f"{who} with progressive forward stoop, back pain and inability to stand upright for more than a few minutes.",
                          "Standing films show loss of lordosis with a positive sagittal vertical axis.",
                          "Nonoperative care including therapy and injections has failed."],
            "thoracic_deformity": [f"{who} with progressive thoracic kyphosis, activity-related back pain and fatigue with upright posture.",
                                   "Standing films show a rigid thoracic kyphosis that does not correct on hyperextension.",
                                   "Bracing and physical therapy did not help."],
            "cervical_deformity": [f"{who} with progressive cervical kyphosis, difficulty maintaining horizontal gaze and neck pain.",
                                   "Standing films show a fixed kyphotic deformity with a positive cervical sagittal vertical axis.",
                                   "Bracing and therapy did not help."],
            "anterior": [f"{who} with a progressive kyphotic deformity across a solidly fused segment.",
                         "CT confirms bony ankylosis across the disc space without a mobile segment.",
                         "An anterior release of the fused segment was recommended to restore alignment."],
            "degenerative": [f"{who} with back and leg pain and neurogenic claudication despite months of conservative care.",
                             "MRI shows stenosis at the symptomatic level."],
            "cervical": [f"{who} with arm pain and numbness, with or without myelopathic signs, refractory to nonoperative care.",
                         "MRI shows compression at the symptomatic levels."],
            "fracture": [f"{who} with severe pain after a low-energy fall.", "MRI shows an acute fracture with marrow edema."],
            "myeloma": [f"{who} with known multiple myeloma and severe mechanical back pain.",
                        "MRI shows a pathologic fracture without epidural compression; oncology agrees with cement augmentation."],
            "tumor": [f"{who} with known metastatic disease and progressive weakness.",
                      "Imaging shows epidural compression from a vertebral body lesion."],
        }[kind]
        self.indications = ordered_sample(self.rng, base, self.rng.randint(2, len(base))) + \
            ["Risks, benefits and alternatives were discussed and consent was obtained."]

    def graft_proc_items(self) -> list[str]:
        items = []
        names = {"local_autograft": ["Local autograft", "Use of local autograft"],
                 "allograft_morselized": ["Morselized allograft", "Allograft (cancellous chips)"],
                 "osteopromotive": ["Osteopromotive material (DBM/BMP)", "Demineralized bone matrix"],
                 "ceramic": ["Ceramic bone graft substitute"],
                 "allograft_structural": ["Structural allograft"],
                 "autograft_separate_morselized": ["Iliac crest bone graft harvest through a separate fascial incision"],
                 "bone_marrow_aspirate": ["Bone marrow aspiration through a separate incision"]}
        for g in self.grafts:
            items.append(self.ch(names[g]))
        if self.maybe(0.4) and items:
            return ["; ".join(items)] if self.maybe(0.5) else items
        return items

    # ======================================================================================
    # traps: sentences that must NOT produce an osteotomy code
    # ======================================================================================

    def free_isp(self) -> str:
        """A cephalad vertebra whose interspace is not touched by any performed osteotomy."""
        pool = []
        if self.cervical_note():
            pool = VERTS[IDX["C3"]:IDX["C6"] + 1]
        elif self.post:
            a, b = self.post["span"].split("-")
            pool = [v for v in vrange(a, vs(b, -1)) if v[0] in "TL"]
        if not pool:
            pool = VERTS[IDX["T10"]:IDX["L5"]]
        cand = [v for v in pool if v not in self.excluded_levels and vs(v, 1) not in self.excluded_levels]
        if not cand:
            cand = [v for v in VERTS[IDX["T4"]:IDX["L5"]]
                    if v not in self.excluded_levels and vs(v, 1) not in self.excluded_levels]
        return self.ch(cand)

    def cervical_note(self) -> bool:
        """True when the operation is confined to the cervical (or cervicothoracic) spine."""
        spans = [x["span"] for x in (self.post, self.ant) if x]
        sites = [s for o in self.osteos for s in o["sites"]]
        levels = [sp.split("-")[0] for sp in spans] + sites
        return bool(levels) and all(v[0] == "C" for v in levels)

    def free_vert(self) -> str:
        if self.cervical_note():
            cand = [v for v in ["C5", "C6", "C7"] if v not in self.excluded_levels]
            if cand:
                return self.ch(cand)
        cand = [v for v in ["L1", "L2", "L3", "L4", "T11", "T12"] if v not in self.excluded_levels]
        if not cand:
            cand = [v for v in VERTS[IDX["T4"]:IDX["L5"] + 1] if v not in self.excluded_levels]
        return self.ch(cand)

    def add_trap(self) -> None:
        posterior = self.post is not None and self.approach != ["anterior"] and getattr(self, "sub", "") != "kyphoplasty"
        kinds = [("negated", 3), ("planned", 2), ("hypothetical", 1), ("historical", 3)]
        if getattr(self, "sub", "") != "kyphoplasty":
            kinds.append(("osteotome_instrument", 2))
        if posterior and self.post["segmental"]:
            kinds.append(("fusion_bed_facetectomy", 2))
        if posterior:
            kinds.append(("aborted", 2))
        applicable = [k for k, _ in kinds]
        kind = self.trap_pref if self.trap_pref in applicable else wchoice(self.rng, kinds)
        self.tag("trap")
        self.tag(kind)
        nt = self.nt
        performed = [o["type"] for o in self.osteos]
        year = str(self.rng.randint(2008, 2022))
        if kind == "negated":
            if not self.osteos:
                s = self.ch(["No osteotomy was required, as the alignment was acceptable with positioning and rod contouring."
                             if self.post else "No osteotomy was required.",
                             f"We did not perform a Ponte osteotomy at {nt.isp(self.free_isp())} because the segment was mobile.",
                             f"A pedicle subtraction osteotomy at {nt.v(self.free_vert())} was discussed but was not performed.",
                             "No osteotomies were performed."])
            elif self.approach == ["anterior"]:
                s = self.ch(["No posterior osteotomy was performed.",
                             "A posterior column osteotomy was not needed and was not done."])
            elif "pso" in performed or "extended_pso" in performed or "vcr" in performed or "eggshell" in performed:
                s = self.ch([f"No Ponte osteotomy was performed at {nt.isp(self.free_isp())}.",
                             f"We elected not to perform an additional osteotomy at {nt.isp(self.free_isp())}."])
            else:
                s = self.ch([f"A pedicle subtraction osteotomy at {nt.v(self.free_vert())} was not necessary given the flexibility obtained.",
                             "No three-column osteotomy was needed.",
                             f"We elected not to perform a PSO at {nt.v(self.free_vert())}."])
            self.insert_trap(s, ["osteotomy", "osteotomy2", "rods", "screws", "tlif", "discectomy", "corpectomy", "kypho"])
        elif kind == "planned":
            if self.maybe(0.5):
                s = self.ch([f"If sagittal balance remains inadequate on standing films, a staged {nt.v(self.free_vert())} pedicle subtraction osteotomy is planned.",
                             f"Second stage in 5-7 days for possible Ponte osteotomies at {nt.isp(self.free_isp())}."])
                self.plan.append(s)
                self.force_sections.append("plan")
            else:
                s = self.ch([f"The patient was also consented for possible Ponte osteotomies at {nt.isp(self.free_isp())} should the segment prove rigid.",
                             f"Consent included a possible {nt.v(self.free_vert())} pedicle subtraction osteotomy if needed."])
                self.indications.insert(len(self.indications) - 1, s)
                self.force_sections.append("indications")
        elif kind == "hypothetical":
            deformity = self.case != "no_osteotomy"
            s = self.ch([f"Had the curve been stiffer, a vertebral column resection at {nt.v(self.free_vert())} would have been required."
                         if deformity else
                         f"Had a fixed kyphosis been present, a pedicle subtraction osteotomy at {nt.v(self.free_vert())} would have been required.",
                         f"We would consider a PSO at {nt.v(self.free_vert())} in the future if imbalance progresses.",
                         f"A Smith-Petersen osteotomy at {nt.isp(self.free_isp())} may be considered later if needed."])
            if self.maybe(0.5):
                self.plan.append(s)
                self.force_sections.append("plan")
            else:
                self.insert_trap(s, ["rods", "graft", "plate", "kypho", "corpectomy", "discectomy", "tlif"])
        elif kind == "historical":
            s = self.ch([f"{self.kw['Pro']} is status post {nt.v(self.free_vert())} pedicle subtraction osteotomy ({year}).",
                         f"Surgical history is notable for Ponte osteotomies at {nt.isp(self.free_isp())} in {year} at an outside hospital.",
                         f"{self.kw['Pro']} previously underwent a Smith-Petersen osteotomy at {nt.v(self.free_vert())} in {year}.",
                         f"Past history: s/p {nt.v(self.free_vert())} PSO {year}, healed."])
            self.indications.insert(0 if self.maybe(0.5) else 1, s)
            self.force_sections.append("indications")
        elif kind == "osteotome_instrument":
            if self.approach == ["anterior"]:
                s = self.ch(["Anterior osteophytes were trimmed flush with a small osteotome and a rongeur.",
                             "A curved osteotome was used to remove the anterior lip of the vertebral body."])
            else:
                s = self.ch(["A 1/4-inch osteotome was used to decorticate the laminae and transverse processes.",
                             "A curved osteotome was used to take down the facet capsules before decortication.",
                             "The spinous process tips were trimmed with an osteotome to allow a tension-free closure."])
            self.insert_trap(s, ["graft", "plate", "discectomy", "corpectomy", "expose", "tlif"])
        elif kind == "fusion_bed_facetectomy":
            a, b = self.post["span"].split("-")
            s = self.ch([f"Inferior facetectomies were performed at every level {nt.range(a, b, style='from_to')} to prepare the fusion bed.",
                         f"The inferior articular processes {nt.range(a, b, list_ok=False)} were excised and the joints decorticated for arthrodesis only."])
            self.insert_trap(s, ["graft"])
        elif kind == "aborted":
            lvl = nt.isp(self.free_isp())
            s = self.ch([f"A Ponte osteotomy at {lvl} was attempted but aborted before any bone was removed because of brisk epidural bleeding.",
                         f"An additional SPO at {lvl} was started but abandoned after a transient drop in MEP signals; no resection was done at that level.",
                         f"We began a posterior column osteotomy at {lvl} but aborted it when the facet was found to be autofused and stable."])
            self.insert_trap(s, ["osteotomy", "osteotomy2", "rods", "tlif", "decompress"])
        self.summary.append(f"trap {kind}: {s}")

    def insert_trap(self, sentence: str, keys: list[str]) -> None:
        for key in keys:
            for i, (k, sents) in enumerate(self.steps):
                if k == key:
                    pos = 0 if key in ("graft", "expose") and self.maybe(0.4) else len(sents)
                    sents.insert(pos, sentence)
                    return
        self.steps[-2][1].append(sentence)

    # ======================================================================================
    # rendering
    # ======================================================================================

    def header_label(self, key: str) -> str:
        t = self.template
        if t == "terse":
            if key == "description":
                return self.terse_desc + ":"
            return HEADER_SHORT[key] + ":"
        name = self.hnames[key]
        if t in ("verbose", "caps_nocolon"):
            name = name.upper()
        elif t == "numbered_headers":
            name = name.upper() if self.caps_numbered else name
        if t in ("caps_nocolon", "title_nocolon"):
            return name
        return name + ":"

    def section_lines(self, key: str, body: list[str], inline: bool | None = None) -> list[str]:
        label = self.header_label(key)
        if self.template == "numbered_headers":
            self.sec_no += 1
            label = f"{self.sec_no}. {label}" if self.num_style == "dot" else f"{self.roman(self.sec_no)}. {label}"
        if inline is None:
            inline = self.inline_headers
        if inline and len(body) == 1 and len(body[0]) < 400:
            return [f"{label} {body[0]}"]
        return [label] + body

    @staticmethod
    def roman(n: int) -> str:
        vals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
        out = ""
        for v, s in vals:
            while n >= v:
                out += s
                n -= v
        return out

    def render_list(self, items: list[str]) -> list[str]:
        fmt = self.proc_fmt
        if fmt == "dot":
            return [f"{i}. {it}." for i, it in enumerate(items, 1)]
        if fmt == "paren":
            return [f"{i}) {it}" for i, it in enumerate(items, 1)]
        if fmt == "bullet":
            return [f"- {it}" for it in items]
        if fmt == "semicolon":
            return ["; ".join(items) + "."]
        return [" ".join(f"({i}) {it}" for i, it in enumerate(items, 1))]

    def render_narrative(self) -> list[str]:
        style = self.template
        lines: list[str] = []
        if style == "numbered":
            mark = self.ch(["dot", "paren", "step"])
            for i, (_, s) in enumerate(self.steps, 1):
                lead = {"dot": f"{i}.", "paren": f"{i})", "step": f"Step {i}:"}[mark]
                lines.append(f"{lead} {' '.join(s)}")
        elif style == "bullets":
            b = self.ch(["-", "*", "\u2022", "o"])
            for _, s in self.steps:
                lines.append(f"{b} {' '.join(s)}")
        else:
            paras: list[list[str]] = []
            for _, s in self.steps:
                if paras and self.maybe(0.3 if not self.terse else 0.5):
                    paras[-1].extend(s)
                else:
                    paras.append(list(s))
            sep_blank = self.para_blank
            for p in paras:
                lines.append(" ".join(p))
                if sep_blank:
                    lines.append("")
            if sep_blank and lines:
                lines.pop()
        return lines

    def render(self) -> str:
        r = self.rng
        self.hnames = {k: r.choice(v) for k, v in HEADER_NAMES.items()}
        self.inline_headers = r.random() < 0.6 and self.template not in ("caps_nocolon", "title_nocolon")
        self.caps_numbered = r.random() < 0.5
        self.num_style = r.choice(["dot", "roman"])
        self.sec_no = 0
        self.proc_fmt = r.choice(["dot", "dot", "paren", "bullet", "semicolon", "inline"])
        self.para_blank = r.random() < 0.6
        blank = r.random() < 0.7
        lines: list[str] = []
        # title and demographics ------------------------------------------------------------
        lines += self.ch(TITLES).split("\n")
        demo = []
        if self.deid:
            self.tag("deid")
            pname = self.ch(["[**Name**]", "XXXX", "___", "[**Patient Name**]"])
            mrn = self.ch(["[**MRN**]", "XXXXXXX", "___"])
            dos = self.ch(["[**Date**]", "__/__/____", "XX/XX/XXXX"])
            surg = self.ch(["[**Name**], MD", "Dr. [**Surgeon**]", "XXXX, MD"])
            if self.maybe(0.5):
                demo.append(f"Patient: {pname}      MRN: {mrn}      DOS: {dos}")
            else:
                demo += [f"Patient: {pname}", f"MRN: {mrn}", f"Date of surgery: {dos}"]
            demo.append(f"Surgeon: {surg}")
            asst = self.ch(["[**Name**], PA-C", "[**Name**], MD (fellow)", "None"])
        else:
            demo.append(f"Age/Sex: {self.age} {self.sex}")
            asst = self.ch(["PA-C", "Resident", "None"])
        if self.leftovers:
            self.tag("template")
            asst = self.ch(["***", "[SELECT]", asst + " ***"])
        if self.maybe(0.7):
            demo.append(f"Assistant: {asst}")
        if self.maybe(0.6):
            demo.append(f"{self.header_label('anesthesia').rstrip(':')}: "
                        f"{self.ch(['General endotracheal', 'GETA', 'General, TIVA', 'General anesthesia'])}")
        lines += demo
        if blank:
            lines.append("")
        # sections ----------------------------------------------------------------------------
        sec: dict[str, list[str]] = {}
        sec["pre_dx"] = [self.pre_dx]
        sec["post_dx"] = [self.post_dx if self.maybe(0.7) else self.pre_dx]
        sec["procedures"] = self.render_list(self.proc_items)
        sec["indications"] = [" ".join(self.indications)] if self.indications else []
        sec["description"] = self.render_narrative()
        sec["findings"] = [" ".join(self.fill(f) for f in ordered_sample(r, self.findings, r.randint(1, len(self.findings))))] \
            if self.findings else []
        if self.implants:
            sec["implants"] = [", ".join(self.implants) + "."]
        sec["ebl"] = [f"{self.ch([150, 250, 400, 600, 800, 1200, 1800])} mL"]
        sec["drains"] = [self.ch(["Hemovac x1", "Subfascial drain x2", "None", "JP x1"])]
        sec["specimens"] = [self.ch(["None", "None.", "[SELECT]" if self.leftovers else "None"])]
        sec["complications"] = [self.ch(["None", "None apparent.", "No intraoperative complications."])]
        sec["disposition"] = [self.ch(["PACU, stable.", "To PACU in stable condition.", "Extubated, to recovery, stable."])]
        if self.plan:
            sec["plan"] = [" ".join(self.plan)]
        optional = {"indications": 0.75, "findings": 0.55, "implants": 0.6, "drains": 0.5, "specimens": 0.5,
                    "disposition": 0.6, "post_dx": 0.85, "ebl": 0.8}
        order_choice = r.choice(["a", "b", "c", "d"])
        if order_choice == "a":
            order = ["pre_dx", "post_dx", "procedures", "indications", "description", "findings", "implants",
                     "ebl", "drains", "specimens", "complications", "disposition", "plan"]
        elif order_choice == "b":
            order = ["procedures", "pre_dx", "post_dx", "indications", "findings", "description", "implants",
                     "ebl", "complications", "specimens", "drains", "plan", "disposition"]
        elif order_choice == "c":
            order = ["pre_dx", "post_dx", "indications", "procedures", "ebl", "drains", "specimens",
                     "complications", "implants", "findings", "description", "plan", "disposition"]
        else:
            order = ["indications", "pre_dx", "post_dx", "procedures", "description", "implants", "findings",
                     "complications", "ebl", "disposition", "plan"]
        for key in order:
            body = sec.get(key)
            if not body:
                continue
            if key in optional and key not in self.force_sections and r.random() > optional[key]:
                continue
            inline = None if key in ("pre_dx", "post_dx", "indications", "findings", "implants", "plan") else \
                (False if key == "description" else (self.template not in ("caps_nocolon", "title_nocolon")
                                                     or r.random() < 0.5))
            if key in ("procedures", "description"):
                inline = False if len(body) > 1 or key == "description" else inline
            ls = self.section_lines(key, body, inline)
            if key in ("ebl", "drains", "specimens", "complications") and self.template in ("caps_nocolon", "title_nocolon") \
                    and len(ls) == 2:
                ls = [f"{ls[0]} {ls[1]}"]
            lines += ls
            if blank:
                lines.append("")
        if self.leftovers:
            lines.append(self.ch(["Wound class: [SELECT]", "Tourniquet time: ***", "Attending attestation: ***",
                                  "Counts: [SELECT: correct / incorrect]"]))
        if self.maybe(0.3):
            lines.append(self.ch(["Electronically signed by [**Name**], MD" if self.deid else "Electronically signed",
                                  "Dictated but not read.", "Job #: XXXX" if self.deid else "Job #: pending"]))
        while lines and lines[-1] == "":
            lines.pop()
        return "\n".join(lines)

    # ======================================================================================
    # mess
    # ======================================================================================

    def apply_typos(self, text: str) -> str:
        words = [w for w in TYPOS if re.search(rf"\b{w}\b", text)]
        if not words:
            return text
        chosen = ordered_sample(self.rng, words, self.rng.randint(1, min(3, len(words))))
        for w in chosen:
            hits = list(re.finditer(rf"\b{w}\b", text))
            m = self.ch(hits)
            text = text[:m.start()] + TYPOS[w] + text[m.end():]
        self.tag("typos")
        return text

    def wrap(self, text: str) -> str:
        width = self.rng.randint(62, 80)
        protect = re.compile(r"\b([CTLS]) (\d{1,2})\b")
        out = []
        for line in text.split("\n"):
            if len(line) <= width:
                out.append(line)
                continue
            safe = protect.sub(lambda m: f"{m.group(1)}\x01{m.group(2)}", line)
            wrapped = textwrap.wrap(safe, width=width, break_long_words=False, break_on_hyphens=False)
            out += [w.replace("\x01", " ") for w in wrapped]
        self.tag("hard_wrapped")
        return "\n".join(out)

    def finish(self, text: str) -> str:
        if self.typos:
            text = self.apply_typos(text)
        if self.hard_wrap:
            text = self.wrap(text)
        if self.flatten is not None:
            parts = [p.strip() for p in text.split("\n") if p.strip()]
            text = self.flatten.join(parts)
            self.tag("flattened")
        text += "\n"
        if self.crlf:
            text = text.replace("\n", "\r\n")
            self.tag("crlf")
        return text

    # ======================================================================================
    # gold
    # ======================================================================================

    def facts(self) -> dict:
        return {
            "approach": list(self.approach),
            "osteotomies": [dict(o, sites=list(o["sites"])) for o in self.osteos],
            "instrumentation": {
                "posterior": dict(self.post) if self.post else None,
                "anterior": dict(self.ant) if self.ant else None,
                "interbody": list(self.interbody),
                "corpectomy_defects": self.corp,
                "no_arthrodesis_devices": self.nad},
            "grafts": list(self.grafts),
        }

    def generate(self) -> tuple[str, dict]:
        self.build()
        if self.has_trap:
            self.add_trap()
        text = self.finish(self.render())
        facts = self.facts()
        codes = codes_from_facts(facts)
        for c in codes:
            self.tag(c["code"])
        comment = f"Generated {self.case}: " + "; ".join(self.summary) + \
            (f"; grafts {', '.join(self.grafts)}" if self.grafts else "; no graft") + "."
        gold = {"note_id": self.note_id, "codes": codes, "facts": facts, "tags": self.tags, "comment": comment}
        return text, gold


# =====================================================================================================
# Schedule and main
# =====================================================================================================

def quotas(count: int, shares: list[tuple[str, float]]) -> list[str]:
    """Largest-remainder apportionment of count notes to the case types."""
    raw = [(name, share * count) for name, share in shares]
    base = {name: int(x) for name, x in raw}
    left = count - sum(base.values())
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i][1] - int(raw[i][1])), i))
    for i in order[:left]:
        base[raw[i][0]] += 1
    out: list[str] = []
    for name, _ in shares:
        out += [name] * base[name]
    return out


def schedule(seed: int, count: int) -> list[tuple[str, str | None, str | None]]:
    """(case type, subtype, preferred trap kind or None) for every note, by quota, shuffled with the seed."""
    rng = random.Random(seed)
    cases = quotas(count, CASE_TYPES)
    rng.shuffle(cases)
    subs: dict[str, list[str]] = {}
    for case, shares in SUBTYPES.items():
        subs[case] = quotas(cases.count(case), shares)
        rng.shuffle(subs[case])
    n_trap = round(TRAP_SHARE * count)
    kinds = quotas(n_trap, TRAP_KINDS)
    rng.shuffle(kinds)
    traps: list[str | None] = kinds + [None] * (count - n_trap)
    rng.shuffle(traps)
    out = []
    for case, trap in zip(cases, traps):
        sub = subs[case].pop() if case in subs else None
        out.append((case, sub, trap))
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=20261121)
    ap.add_argument("--count", type=int, default=80)
    ap.add_argument("--out", default="corpora/generated")
    args = ap.parse_args(argv)
    out = Path(args.out)
    notes_dir = out / "notes"
    notes_dir.mkdir(parents=True, exist_ok=True)
    wanted = set()
    gold_lines = []
    for i, (case, sub, trap) in enumerate(schedule(args.seed, args.count), 1):
        note = Note(args.seed, i, case, sub, trap)
        text, gold = note.generate()
        path = notes_dir / f"{note.note_id}.txt"
        path.write_bytes(text.encode("utf-8"))
        wanted.add(path.name)
        gold_lines.append(json.dumps(gold))
    # remove stale generated notes from an earlier run with a larger --count
    for p in sorted(notes_dir.glob("gen_*.txt")):
        if re.fullmatch(r"gen_\d{4}\.txt", p.name) and p.name not in wanted:
            p.unlink()
    (out / "gold.jsonl").write_bytes(("\n".join(gold_lines) + "\n").encode("utf-8"))
    print(f"wrote {args.count} notes to {notes_dir} and {out / 'gold.jsonl'}")


if __name__ == "__main__":
    main()
