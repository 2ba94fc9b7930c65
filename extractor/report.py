"""Human-readable renderings of output records: the suggestion table and the per-note explanation."""
from __future__ import annotations

from collections.abc import Iterable


def _one_line(text: str, width: int = 110) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


def suggestion_table(records: Iterable[dict]) -> str:
    """One row per suggestion (a note without suggestions gets one row saying so)."""
    rows = [("note", "code", "units", "conf", "label", "flags")]
    for rec in records:
        if rec["status"] != "ok":
            rows.append((rec["note_id"], "-", "-", "-", f"ERROR: {rec['error']}", ""))
            continue
        if not rec["suggestions"]:
            note_flags = ",".join(f["id"] for f in rec["flags"])
            rows.append((rec["note_id"], "-", "-", "-", "(no suggestion)", note_flags))
        for s in rec["suggestions"]:
            rows.append((rec["note_id"], s["code"], str(s["units"]), f"{s['confidence']:.2f}", s["label"],
                         ",".join(f["id"] for f in s["flags"])))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def explain(record: dict, text: str) -> str:
    """A per-note report: facts, suggestions with their evidence and sentences, and review flags."""
    out = [f"Note {record['note_id']}: {record['status']}"]
    if record["status"] != "ok":
        out.append(f"  error: {record['error']}")
        return "\n".join(out)
    facts = record["facts"]
    out.append(f"  sections: {', '.join(facts['sections']) or '(none found)'}")
    out.append(f"  approach: {', '.join(facts['approach']) or '(not documented)'}")
    out.append("")
    out.append("Osteotomies performed:")
    for o in facts["osteotomies"] or []:
        sites = ", ".join(s["label"] for s in o["sites"])
        out.append(f"  - {o['type']} ({o['family']}), sites {sites}, approach {o['approach']}, from {o['source']}"
                   + (" [type inferred]" if o["inferred"] else ""))
    if not facts["osteotomies"]:
        out.append("  (none)")
    if facts["excluded_osteotomies"]:
        out.append("Osteotomy mentions not counted:")
        for o in facts["excluded_osteotomies"]:
            ev = o["evidence"][0]
            out.append(f"  - {o['type'] or 'osteotomy'}: {o['assertion']} in {o['role']} "
                       f"({ev['section'] or 'no section'}) \"{_one_line(ev['text'], 60)}\" at {ev['start']}")
    instr = facts["instrumentation"]
    out.append("Instrumentation:")
    for side in ("posterior", "anterior"):
        c = instr[side]
        if c:
            out.append(f"  - {side}: {c['span']} ({c['segments']} segments, "
                       f"{'segmental' if c['segmental'] else 'non-segmental'}); points {', '.join(c['fixation_points'])}")
    out.append(f"  - pelvic fixation: {'yes' if instr['pelvic_fixation'] else 'no'}; interbody: "
               f"{', '.join(instr['interbody']) or 'none'}; corpectomy defects: {instr['corpectomy_defects']}; "
               f"devices without arthrodesis: {instr['no_arthrodesis_devices']}")
    out.append(f"Grafts: {', '.join(g['kind'] for g in facts['grafts']) or 'none'}")
    others = sorted({f"{o['kind']} ({o['assertion']})" for o in facts["other_procedures"]})
    out.append(f"Other procedures seen (never coded here): {', '.join(others) or 'none'}")
    out.append("")
    out.append("Suggestions:")
    for s in record["suggestions"]:
        out.append(f"  {s['code']} x{s['units']}  {s['label']}  (confidence {s['confidence']:.2f})")
        for f in s["flags"]:
            out.append(f"      flag {f['id']}: {f['text']}")
        by_sentence: dict[tuple[int, int], list[dict]] = {}
        for ev in s["evidence"]:
            by_sentence.setdefault((ev["sentence_start"], ev["sentence_end"]), []).append(ev)
        for (start, end), items in by_sentence.items():
            out.append(f"      sentence [{start}:{end}] in {items[0]['section'] or 'no section'}: "
                       f"{_one_line(text[start:end])}")
            out.append("        evidence: " + "; ".join(f"\"{ev['text']}\" [{ev['start']}:{ev['end']}] {ev['rule']}"
                                                   for ev in items))
    if not record["suggestions"]:
        out.append("  (none)")
    if record["flags"]:
        out.append("Review flags for the note:")
        for f in record["flags"]:
            out.append(f"  {f['id']}: {f['text']}")
    return "\n".join(out)
