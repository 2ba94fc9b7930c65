"""Build ``transcriptions.csv``: our own corpus notes in the layout of the public transcription exports
(one row per note, pandas' unnamed index column, a short description, a specialty, a sample name, the
note flattened onto one line Kaggle-style, keywords). The notes are the bundled sample, ten generated
notes and the non-operative and non-spine documents of ``external/dev``, all written for this project;
no text comes from any public export. Run ``python corpora/exports/build.py`` to rebuild it (it is
deterministic).
"""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from extractor.transforms import flatten_kaggle  # noqa: E402

SPECIALTY = {"spine_operative": "Neurosurgery", "other_operative": "Orthopedic", "radiology": "Radiology",
             "discharge_summary": "Discharge Summary", "consult": "Consult - History and Phy.",
             "history_physical": "Consult - History and Phy.", "progress_note": "SOAP / Chart / Progress Notes",
             "letter": "Letters", "procedure_note": "General Medicine", "pathology": "Hematology - Oncology",
             "autopsy": "Autopsy", "therapy_note": "Physical Medicine - Rehab"}


def _rows() -> list[tuple[str, str, str]]:
    """(split, note id, document kind) of every note in the export, in order."""
    corpora = HERE.parent
    rows = [("sample", p.stem, "spine_operative") for p in sorted((corpora / "sample" / "notes").glob("*.txt"))]
    rows += [("generated", f"gen_{i:04d}", "spine_operative") for i in range(1, 80, 8)]
    for line in (corpora / "external" / "dev" / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        gold = json.loads(line)
        if gold["document_kind"] != "spine_operative":
            rows.append(("external/dev", gold["note_id"], gold["document_kind"]))
    return rows


def main() -> None:
    corpora = HERE.parent
    with open(HERE / "transcriptions.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["", "description", "medical_specialty", "sample_name", "transcription", "keywords"])
        for index, (split, note_id, kind) in enumerate(_rows()):
            text = (corpora / split / "notes" / f"{note_id}.txt").read_text(encoding="utf-8")
            writer.writerow([index, f"{kind.replace('_', ' ')} ({split}/{note_id})", SPECIALTY[kind],
                             f"{split}/{note_id}", flatten_kaggle(text), kind.replace("_", ", ")])
        writer.writerow([index + 1, "an empty row, as real exports have", "Neurosurgery", "empty", "", ""])


if __name__ == "__main__":
    main()
