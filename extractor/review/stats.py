"""Review statistics: the extractor's precision and recall as coders see them. Only submitted
review rounds count; decisions on notes still in progress may change."""
from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from .models import Item, Note, Submission
from .tables import REJECT_REASONS, STATUSES


def _submitted_items():
    return select(Item).join(Submission, and_(Submission.note_pk == Item.note_pk, Submission.round == Item.round,
                                              Submission.extraction_id == Item.extraction_id))


def _rates(session: Session, column) -> dict[str, dict[str, Any]]:
    query = (_submitted_items().with_only_columns(column, Item.decision, func.count())
             .where(Item.origin == "suggested").group_by(column, Item.decision))
    table: dict[str, dict[str, Any]] = defaultdict(lambda: {"suggested": 0, "accepted": 0, "modified": 0,
                                                            "rejected": 0})
    for key, decision, count in session.execute(query):
        row = table[key or "(none)"]
        row["suggested"] += count
        if decision in row:
            row[decision] += count
    for row in table.values():
        row["acceptance_rate"] = round(row["accepted"] / row["suggested"], 3) if row["suggested"] else None
    return dict(sorted(table.items()))


def _counts(session: Session, column, *where) -> dict[str, int]:
    query = _submitted_items().with_only_columns(column, func.count()).where(*where).group_by(column)
    return {str(key): count for key, count in sorted(session.execute(query).all(), key=lambda r: str(r[0]))}


def _agreement(session: Session) -> dict[str, Any]:
    """Notes reviewed by two coders on the same extraction: exact agreement on (code, units) sets
    and positive agreement (2|A and B| / (|A| + |B|)) per code."""
    by_note: dict[tuple[int, int], list[Submission]] = defaultdict(list)
    for sub in session.scalars(select(Submission).order_by(Submission.id)):
        by_note[(sub.note_pk, sub.extraction_id)].append(sub)
    pairs = []
    for subs in by_note.values():
        others = [s for s in subs[1:] if s.actor != subs[0].actor]
        if others:
            pairs.append(({(c["code"], c["units"]) for c in subs[0].codes},
                          {(c["code"], c["units"]) for c in others[0].codes}))
    per_code: dict[str, dict[str, int]] = defaultdict(lambda: {"both": 0, "one": 0})
    for a, b in pairs:
        for code, _units in a | b:
            per_code[code]["both" if any(c == code for c, _ in a & b) else "one"] += 1
    both = sum(len(a & b) for a, b in pairs)
    total = sum(len(a) + len(b) for a, b in pairs)
    return {"double_reviewed_notes": len(pairs),
            "exact_agreement": round(sum(a == b for a, b in pairs) / len(pairs), 3) if pairs else None,
            "positive_agreement": round(2 * both / total, 3) if total else None,
            "per_code": {code: row | {"agreement": round(row["both"] / (row["both"] + row["one"]), 3)}
                         for code, row in sorted(per_code.items())}}


def _time(session: Session) -> dict[str, Any]:
    seconds = sorted(session.scalars(select(Submission.seconds)).all())
    if not seconds:
        return {"notes": 0, "mean_seconds": None, "median_seconds": None, "p90_seconds": None}
    return {"notes": len(seconds), "mean_seconds": round(statistics.fmean(seconds), 1),
            "median_seconds": round(statistics.median(seconds), 1),
            "p90_seconds": round(seconds[min(len(seconds) - 1, int(0.9 * len(seconds)))], 1)}


def compute(session: Session) -> dict[str, Any]:
    per_code = _rates(session, Item.code)
    suggested = sum(r["suggested"] for r in per_code.values())
    accepted = sum(r["accepted"] for r in per_code.values())
    modified = sum(r["modified"] for r in per_code.values())
    added = _counts(session, Item.family, Item.origin == "added", Item.decision == "added")
    status = dict.fromkeys(STATUSES, 0) | dict(session.execute(select(Note.status, func.count()).group_by(Note.status)).all())
    reasons = _counts(session, Item.reason, Item.decision == "rejected")
    return {
        "notes": status,
        "submitted_rounds": session.scalar(select(func.count()).select_from(Submission)),
        "precision": round(accepted / suggested, 3) if suggested else None,
        # Final codes = accepted + modified + added; only accepted suggestions were right as suggested.
        "recall": round(accepted / final, 3) if (final := accepted + modified + sum(added.values())) else None,
        "acceptance_per_code": per_code,
        "acceptance_per_rule": _rates(session, Item.rule),
        "rejection_reasons": {REJECT_REASONS.get(k, k): v for k, v in reasons.items()},
        "added_per_family": added,
        "added_per_code": _counts(session, Item.code, Item.origin == "added", Item.decision == "added"),
        "time_per_note": _time(session),
        "agreement": _agreement(session),
    }
