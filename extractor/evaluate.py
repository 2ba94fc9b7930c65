"""Evaluation against gold labels: per-code, per-family and overall scores, note-level exact match,
unit and fact accuracy, a confusion listing and the evidence behind every wrong note.

A code with the wrong units counts as a miss (and the suggested units as a false positive).
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sklearn.metrics import precision_recall_fscore_support

from .codes import FAMILIES, family_of, is_osteotomy
from .levels import parse_level
from .model import Construct, Facts, Instrumentation, Osteotomy
from .settings import Settings


# --------------------------------------------------------------------------- loading


class EvaluationInputError(ValueError):
    """A gold or prediction file that cannot be used; the message names the file and the cause."""


def read_jsonl(path: str | Path, required: tuple[str, ...] = ("note_id",)) -> list[dict]:
    """The objects of a JSON-lines file, each with the ``required`` keys."""
    rows = []
    try:
        with open(path, encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise EvaluationInputError(f"{path} line {number}: not valid JSON ({exc.msg})") from None
                missing = [k for k in required if not isinstance(row, dict) or k not in row]
                if missing:
                    raise EvaluationInputError(f"{path} line {number}: missing {', '.join(missing)}")
                rows.append(row)
    except (OSError, UnicodeDecodeError) as exc:
        cause = exc.strerror if isinstance(exc, OSError) else "not UTF-8"
        raise EvaluationInputError(f"{path}: cannot read ({cause})") from None
    return rows


def read_gold(path: str | Path) -> list[dict]:
    rows = read_jsonl(path, ("note_id", "codes"))
    for number, row in enumerate(rows, start=1):
        if not isinstance(row["codes"], list) or not all(
                isinstance(c, dict) and "code" in c and isinstance(c.get("units"), int) for c in row["codes"]):
            raise EvaluationInputError(f"{path}: note {row['note_id']!r}: codes must be a list of "
                                       f'{{"code": ..., "units": <int>}}')
    return rows


def notes_dir(gold_path: str | Path) -> Path:
    """Notes sit in ``notes/`` beside the gold file."""
    folder = Path(gold_path).resolve().parent / "notes"
    if not folder.is_dir():
        raise EvaluationInputError(f"{gold_path}: no notes/ folder beside it ({folder}); it holds the notes to "
                                   f"run, or score predictions with --pred")
    return folder


def predict(gold: list[dict], notes: Path, extractor) -> list[dict]:
    """Run the extractor over the notes named in ``gold``."""
    predictions = []
    for g in gold:
        path = notes / f"{g['note_id']}.txt"
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise EvaluationInputError(f"{path}: cannot read ({exc.strerror})") from None
        predictions.append(extractor.extract(raw, g["note_id"]))
    return predictions


def check_predictions(gold: list[dict], predictions: list[dict], source: str) -> None:
    """Predictions that match no gold id would score as a perfect precision: refuse them."""
    ids = {p.get("note_id") for p in predictions}
    if gold and not any(g["note_id"] in ids for g in gold):
        raise EvaluationInputError(f"{source}: none of its {len(predictions)} note ids is among the "
                                   f"{len(gold)} gold note ids (wrong file?)")


# --------------------------------------------------------------------------- gold facts -> codes


def gold_facts_to_codes(facts: dict, settings: Settings) -> set[tuple[str, int]]:
    """Osteotomy and instrumentation codes implied by gold facts under the coding table.

    Used to check that gold codes and gold facts cannot drift apart.
    """
    from .coding import suggest
    from .facts import osteotomy_sites

    range_mode = settings.osteotomy.posterior_range_sites
    osteotomies = tuple(
        Osteotomy(o["family"], o["type"], osteotomy_sites(o["family"], [parse_level(s) for s in o["sites"]], range_mode),
                  approach="posterior", source="body", inferred=False, evidence=())
        for o in facts.get("osteotomies", []))
    gold = facts.get("instrumentation") or {}
    posterior = _gold_construct(gold.get("posterior"))
    instrumentation = Instrumentation(
        posterior=posterior, anterior=_gold_construct(gold.get("anterior")),
        pelvic_fixation=bool(posterior and posterior.pelvic_fixation),
        interbody=tuple(gold.get("interbody") or ()), corpectomy_defects=gold.get("corpectomy_defects") or 0,
        no_arthrodesis_devices=gold.get("no_arthrodesis_devices") or 0)
    return {(s.code, s.units) for s in suggest(Facts(osteotomies=osteotomies, instrumentation=instrumentation), settings)}


def _gold_construct(part: dict | None) -> Construct | None:
    if not part or not part.get("span"):
        return None
    verts = tuple(parse_level(part["span"]).vertebrae())
    return Construct(part["span"], len(verts), part.get("segmental", True), verts,
                     part.get("pelvic_fixation", False), ())


# --------------------------------------------------------------------------- scoring


def _codes(items: Iterable[dict]) -> set[tuple[str, int]]:
    return {(c["code"], int(c["units"])) for c in items}


def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def _fact_checks(gold: dict, pred: dict) -> dict[str, bool | None]:
    """Per-note fact agreement (None when gold has nothing to compare)."""
    gf, pf = gold.get("facts") or {}, pred.get("facts") or {}
    checks: dict[str, bool | None] = {}
    checks["approach"] = set(gf.get("approach") or []) == set(pf.get("approach") or []) if gf.get("approach") else None
    gold_sites = {o["family"]: set(o["sites"]) for o in gf.get("osteotomies") or []}
    pred_sites: dict[str, set[str]] = defaultdict(set)
    for o in pf.get("osteotomies") or []:
        pred_sites[o["family"]].update(s["label"] for s in o["sites"])
    for o in gf.get("osteotomies") or []:
        gold_sites.setdefault(o["family"], set()).update(o["sites"])
    checks["osteotomy_sites"] = (gold_sites == dict(pred_sites)) if (gold_sites or pred_sites) else None
    gi, pi = gf.get("instrumentation") or {}, pf.get("instrumentation") or {}
    for side in ("posterior", "anterior"):
        g = (gi.get(side) or {}).get("span")
        p = (pi.get(side) or {}).get("span")
        checks[f"{side}_instrumentation_span"] = (_span(g) == _span(p)) if (g or p) else None
    return checks


def _span(label: str | None) -> tuple | None:
    level = parse_level(label) if label else None
    return (level.vertebrae()[0], level.vertebrae()[-1]) if level else label


def _in_family(code: str, family: str) -> bool:
    """``family`` is a code family, or "osteotomy" for the three osteotomy families together."""
    return is_osteotomy(code) if family == "osteotomy" else family_of(code) == family


@dataclass
class _Tally:
    """The counts of an evaluation, note by note."""

    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    family_exact: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    unit_pairs: list[int] = field(default_factory=lambda: [0, 0])  # right units, code found
    fact_results: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    confusion: Counter = field(default_factory=Counter)
    wrong_notes: list[dict] = field(default_factory=list)
    fp_notes: list[str] = field(default_factory=list)
    y_true: list[bool] = field(default_factory=list)
    y_pred: list[bool] = field(default_factory=list)

    def add(self, gold: dict, pred: dict) -> None:
        g, p = _codes(gold["codes"]), _codes(pred.get("suggestions") or [])
        for key in g | p:
            self.counts[key[0]]["tp"] += key in g and key in p
            self.counts[key[0]]["fn"] += key in g and key not in p
            self.counts[key[0]]["fp"] += key in p and key not in g
        g_units, p_units = dict(g), dict(p)
        for code in set(g_units) & set(p_units):
            self.unit_pairs[1] += 1
            self.unit_pairs[0] += g_units[code] == p_units[code]
        for fam in FAMILIES + ("osteotomy",):
            self.family_exact[fam].append({c for c in g if _in_family(c[0], fam)} == {c for c in p if _in_family(c[0], fam)})
        self.y_true.append(any(is_osteotomy(c) for c, _ in g))
        self.y_pred.append(any(is_osteotomy(c) for c, _ in p))
        if any(is_osteotomy(c) for c, _ in p - g):
            self.fp_notes.append(gold["note_id"])
        for name, ok in _fact_checks(gold, pred).items():
            if ok is not None:
                self.fact_results[name].append(ok)
        if g != p:
            self._wrong(gold, pred, sorted(g - p), sorted(p - g))

    def _wrong(self, gold: dict, pred: dict, missing: list, extra: list) -> None:
        for fam in FAMILIES:
            gm = [f"{c}x{u}" for c, u in missing if family_of(c) == fam] or ["-"]
            pe = [f"{c}x{u}" for c, u in extra if family_of(c) == fam] or ["-"]
            if gm != ["-"] or pe != ["-"]:
                self.confusion[(" ".join(gm), " ".join(pe))] += 1
        self.wrong_notes.append({
            "note_id": gold["note_id"], "status": pred.get("status"), "missing": missing, "extra": extra,
            "evidence": [{"code": s["code"], "units": s["units"],
                          "evidence": [{k: e[k] for k in ("start", "end", "text", "section", "rule")}
                                       for e in s["evidence"][:6]],
                          "flags": [f["id"] for f in s["flags"]]}
                         for s in pred.get("suggestions") or [] if (s["code"], s["units"]) in set(extra)],
            "flags": [f["id"] for f in pred.get("flags") or []],
        })

    def per_family(self) -> dict:
        out = {}
        for fam in FAMILIES + ("osteotomy",):
            codes = [c for c in self.counts if _in_family(c, fam)]
            out[fam] = _prf(*(sum(self.counts[c][k] for c in codes) for k in ("tp", "fp", "fn")))
        return out


def score(gold_rows: list[dict], predictions: list[dict]) -> dict:
    """All figures of one evaluation; JSON-able."""
    by_id = {p["note_id"]: p for p in predictions}
    tally = _Tally()
    for gold in gold_rows:
        tally.add(gold, by_id.get(gold["note_id"], {"note_id": gold["note_id"], "status": "missing", "suggestions": []}))
    p, r, f, _ = precision_recall_fscore_support(tally.y_true, tally.y_pred, average="binary", zero_division=1.0)
    return {
        "notes": len(gold_rows),
        "overall": _prf(*(sum(c[k] for c in tally.counts.values()) for k in ("tp", "fp", "fn"))),
        "per_family": tally.per_family(),
        "per_code": {code: _prf(c["tp"], c["fp"], c["fn"]) for code, c in sorted(tally.counts.items())},
        "note_exact_match": {fam: round(sum(v) / len(v), 4) for fam, v in tally.family_exact.items() if v},
        "all_codes_exact_match": round(1 - len(tally.wrong_notes) / len(gold_rows), 4) if gold_rows else 1.0,
        "osteotomy_note_detection": {"precision": round(float(p), 4), "recall": round(float(r), 4),
                                     "f1": round(float(f), 4)},
        "osteotomy_false_positive_notes": tally.fp_notes,
        "unit_accuracy": round(tally.unit_pairs[0] / tally.unit_pairs[1], 4) if tally.unit_pairs[1] else 1.0,
        "fact_accuracy": {k: round(sum(v) / len(v), 4) for k, v in tally.fact_results.items()},
        "confusion": [{"gold": g, "suggested": s, "notes": n} for (g, s), n in tally.confusion.most_common()],
        "wrong_notes": tally.wrong_notes,
    }


# --------------------------------------------------------------------------- report


def render(result: dict, title: str = "") -> str:
    """The evaluation as readable tables."""
    lines = [f"Evaluation{' of ' + title if title else ''}: {result['notes']} notes"]
    o = result["overall"]
    lines.append(f"overall  P {o['precision']:.3f}  R {o['recall']:.3f}  F1 {o['f1']:.3f}  "
                 f"(tp {o['tp']}, fp {o['fp']}, fn {o['fn']}); all codes exact on "
                 f"{result['all_codes_exact_match']:.1%} of notes; unit accuracy {result['unit_accuracy']:.3f}")
    lines.append("")
    lines.append(f"{'family':16} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4} {'note exact':>11}")
    for fam, v in result["per_family"].items():
        exact = result["note_exact_match"].get(fam)
        lines.append(f"{fam:16} {v['precision']:6.3f} {v['recall']:6.3f} {v['f1']:6.3f} {v['tp']:4} {v['fp']:4} "
                     f"{v['fn']:4} {exact if exact is None else format(exact, '11.3f')}")
    lines.append("")
    lines.append(f"{'code':8} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}")
    for code, v in result["per_code"].items():
        lines.append(f"{code:8} {v['precision']:6.3f} {v['recall']:6.3f} {v['f1']:6.3f} {v['tp']:4} {v['fp']:4} "
                     f"{v['fn']:4}")
    d = result["osteotomy_note_detection"]
    lines.append("")
    lines.append(f"osteotomy notes: detection P {d['precision']:.3f} R {d['recall']:.3f}; notes with a false "
                 f"osteotomy code: {len(result['osteotomy_false_positive_notes'])} "
                 f"{result['osteotomy_false_positive_notes'] or ''}")
    lines.append("fact accuracy: " + ", ".join(f"{k} {v:.3f}" for k, v in result["fact_accuracy"].items()))
    if result["confusion"]:
        lines.append("")
        lines.append("confusion (gold missing -> suggested extra, per family):")
        for c in result["confusion"]:
            lines.append(f"  {c['gold']:24} -> {c['suggested']:24} x{c['notes']}")
    if result["wrong_notes"]:
        lines.append("")
        lines.append("wrong notes:")
        for w in result["wrong_notes"]:
            lines.append(f"  {w['note_id']}: missing {_fmt(w['missing'])}; extra {_fmt(w['extra'])}"
                         + (f"; note flags {','.join(w['flags'])}" if w["flags"] else ""))
            for s in w["evidence"]:
                ev = "; ".join(f"\"{e['text']}\" [{e['start']}:{e['end']}] {e['rule']} ({e['section']})"
                               for e in s["evidence"])
                lines.append(f"      {s['code']}x{s['units']} from {ev}")
    return "\n".join(lines)


def _fmt(codes: list) -> str:
    return ", ".join(f"{c}x{u}" for c, u in codes) or "-"
