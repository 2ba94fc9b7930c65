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
    """A per-note report: facts, what was not counted and why, suggestions with the reasons for their
    confidence and their evidence sentences, and review flags."""
    out = [f"Note {record['note_id']}: {record['status']}"]
    if record["status"] != "ok":
        return "\n".join(out + [f"  error: {record['error']}"])
    facts = record["facts"]
    out.append(f"  sections: {', '.join(facts['sections']) or '(none found)'}")
    out.append(f"  approach: {', '.join(facts['approach']) or '(not documented)'}")
    out += [""] + _osteotomy_lines(facts) + _instrumentation_lines(facts["instrumentation"])
    out.append(f"Grafts: {', '.join(g['kind'] for g in facts['grafts']) or 'none'}")
    out += _not_counted_lines(facts.get("excluded_mentions") or [], "Graft and instrumentation mentions not counted:")
    others = sorted({f"{o['kind']} ({o['assertion']})" for o in facts["other_procedures"]})
    out.append(f"Other procedures seen (never coded here): {', '.join(others) or 'none'}")
    out += ["", "Suggestions:"]
    for s in record["suggestions"]:
        out += _suggestion_lines(s, text)
    if not record["suggestions"]:
        out.append("  (none)")
    if record["flags"]:
        out.append("Review flags for the note:")
        out += [f"  {f['id']}: {f['text']}" for f in record["flags"]]
    return "\n".join(out)


def _osteotomy_lines(facts: dict) -> list[str]:
    out = ["Osteotomies performed:"]
    for o in facts["osteotomies"]:
        sites = ", ".join(s["label"] for s in o["sites"])
        out.append(f"  - {o['type']} ({o['family']}), sites {sites}, approach {o['approach']}, from {o['source']}"
                   + (" [type inferred]" if o["inferred"] else ""))
    if not facts["osteotomies"]:
        out.append("  (none)")
    return out + _not_counted_lines(facts["excluded_osteotomies"], "Osteotomy mentions not counted:")


def _not_counted_lines(items: list[dict], title: str) -> list[str]:
    """Each mention not counted: what, why (assertion or section role), where, and the words that said so."""
    out = [title] if items else []
    for x in items:
        ev = x["evidence"][0]
        what = x.get("type") or x.get("kind") or "osteotomy"
        cue = x.get("cue")
        because = f"; cue \"{cue['text']}\" ({cue['category']}) at {cue['start']}" if cue else ""
        out.append(f"  - {what}: {x['assertion']} in {x['role']} ({ev['section'] or 'no section'}) "
                   f"\"{_one_line(ev['text'], 60)}\" at {ev['start']}{because}")
    return out


def _instrumentation_lines(instr: dict) -> list[str]:
    out = ["Instrumentation:"]
    for side in ("posterior", "anterior"):
        c = instr[side]
        if c:
            out.append(f"  - {side}: {c['span']} ({c['segments']} segments, "
                       f"{'segmental' if c['segmental'] else 'non-segmental'}); points {', '.join(c['fixation_points'])}")
    out.append(f"  - pelvic fixation: {'yes' if instr['pelvic_fixation'] else 'no'}; interbody: "
               f"{', '.join(instr['interbody']) or 'none'}; corpectomy defects: {instr['corpectomy_defects']}; "
               f"devices without arthrodesis: {instr['no_arthrodesis_devices']}")
    return out


def _suggestion_lines(s: dict, text: str) -> list[str]:
    out = [f"  {s['code']} x{s['units']}  {s['label']}  (confidence {s['confidence']:.2f})"]
    why = s.get("explanation")
    if why:
        steps = "".join(f", x{p['factor']} for {p['flag']}" if "factor" in p else f", at most {p['cap']} for {p['flag']}"
                        for p in why["penalties"])
        out.append(f"      why: {why['base_reason']} ({why['base_confidence']}{steps})")
        if why["sites"]:
            out.append(f"      counted: {', '.join(why['sites'])}")
        out += [f"      not counted: {d['site']} ({d['reason']})" for d in why["dropped_sites"]]
    out += [f"      flag {f['id']}: {f['text']}" for f in s["flags"]]
    by_sentence: dict[tuple[int, int], list[dict]] = {}
    for ev in s["evidence"]:
        by_sentence.setdefault((ev["sentence_start"], ev["sentence_end"]), []).append(ev)
    for (start, end), items in by_sentence.items():
        out.append(f"      sentence [{start}:{end}] in {items[0]['section'] or 'no section'}: "
                   f"{_one_line(text[start:end])}")
        out.append("        evidence: " + "; ".join(f"\"{ev['text']}\" [{ev['start']}:{ev['end']}] {ev['rule']}"
                                                   for ev in items))
    return out
