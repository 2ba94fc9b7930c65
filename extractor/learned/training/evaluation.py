"""The learned layer judged on a held-out split, side by side with the rule-only baseline. Only
aggregate figures come out of here: no note id, no per-note prediction."""
from __future__ import annotations

import numpy as np

from ...codes import family_of
from ...documents import classify
from ..document_kind import CLASSES, SPINE, gold_class, rule_class
from ..layer import Models, rules_only
from ..ngrams import featurize
from ..safety_net import FAMILIES, net_family
from .calibration import gold_codes, is_right
from .metrics import above, calibration, confusion, lowest_threshold


def confidence_figures(notes: list[tuple[dict, dict]], threshold: float | None) -> dict:
    """``notes``: (gold, learned record). Calibrated vs hand-set confidence of every suggestion."""
    y, learned, hand = [], [], []
    for gold, record in notes:
        codes = gold_codes(gold)
        for s in record["suggestions"]:
            y.append(is_right(s, codes))
            learned.append(s["confidence"])
            hand.append(s.get("rule_confidence", s["confidence"]))
    y, learned, hand = np.array(y, dtype=bool), np.array(learned), np.array(hand)
    return {"calibrated": calibration(learned, y), "hand_set": calibration(hand, y),
            "auto_accept": above(learned, y, threshold),
            "lowest_threshold_at_0.99": {"calibrated": _at(learned, y), "hand_set": _at(hand, y)}}


def _at(p: np.ndarray, y: np.ndarray) -> dict:
    threshold = lowest_threshold(p, y)
    return above(p, y, threshold)


def safety_net_figures(notes: list[tuple[dict, dict]]) -> dict:
    """Rule misses (a family in gold, none of its codes suggested) that got a flag, and needless flags."""
    out = {f: {"rule_misses": 0, "flagged": 0, "needless_flags": 0} for f in FAMILIES}
    coded, needless_notes = 0, 0
    for gold, record in notes:
        if record["status"] != "ok":
            continue
        coded += 1
        in_gold = {net_family(family_of(c)) for c, _ in gold_codes(gold)}
        found = {net_family(s["family"]) for s in record["suggestions"]}
        flagged = {f["id"].removeprefix("possible_missed_") for f in record["flags"]
                   if f["id"].startswith("possible_missed_")}
        for family in FAMILIES:
            miss = family in in_gold and family not in found
            out[family]["rule_misses"] += miss
            out[family]["flagged"] += miss and family in flagged
            out[family]["needless_flags"] += family in flagged and family not in in_gold
        needless_notes += any(f not in in_gold for f in flagged)
    misses = sum(v["rule_misses"] for v in out.values())
    caught = sum(v["flagged"] for v in out.values())
    return {"coded_notes": coded, "families": out, "rule_misses": misses, "rule_misses_flagged": caught,
            "catch_rate": caught / misses if misses else None,
            "notes_flagged_needlessly": needless_notes,
            "needless_flag_rate": needless_notes / coded if coded else None}


def document_kind_figures(models: Models, notes: list[tuple[dict, dict, str]]) -> dict:
    """``notes``: (gold, learned record, text). The classifier's and the rule gate's confusion
    matrices over every note, and the disagreement flags raised."""
    gold, learned, rule = [], [], []
    flags = right = 0
    for g, record, text in notes:
        truth = gold_class(g.get("document_kind"))
        gold.append(truth)
        learned.append(CLASSES[int(np.argmax(models.document_kind.probabilities(featurize(text))))])
        rule.append(rule_class(classify(text).kind))
        for f in record["flags"]:
            if f["id"] == "document_kind_disagreement":
                flags += 1
                right += (f["kind"] == SPINE) == (truth == SPINE)
    return {"classifier": confusion(gold, learned, CLASSES), "rule_gate": confusion(gold, rule, CLASSES),
            "disagreement_flags": flags, "disagreement_flags_right": right}


def evaluate_split(models: Models, notes: list[tuple[dict, dict, str]]) -> dict:
    """Every figure of one held-out split; ``notes``: (gold, learned record, text)."""
    pairs = [(g, r) for g, r, _ in notes]
    return {"notes": len(notes),
            "confidence": confidence_figures(pairs, models.confidence.auto_accept_threshold),
            "missed_code": safety_net_figures(pairs),
            "document_kind": document_kind_figures(models, notes),
            "rule_only_codes": _rule_only_codes(pairs)}


def _rule_only_codes(notes: list[tuple[dict, dict]]) -> dict:
    """The rules' precision and recall of codes with units (unchanged by the learned layer)."""
    tp = fp = fn = 0
    for gold, record in notes:
        g = gold_codes(gold)
        p = {(s["code"], int(s["units"])) for s in rules_only(record)["suggestions"]}
        tp, fp, fn = tp + len(g & p), fp + len(p - g), fn + len(g - p)
    return {"precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0,
            "tp": tp, "fp": fp, "fn": fn}
