"""The learned layer's figures as Markdown, from the model files' metrics: the summary in the README
(side by side with the rule-only baseline) and the model cards' metrics in ``models/README.md``.
``opnote models report --write`` puts them between their markers; a test checks they are current."""
from __future__ import annotations

import copy
import re
from pathlib import Path

from ..layer import Models

EXTERNAL = "external/test"
SUMMARY = ("<!-- learned:begin -->", "<!-- learned:end -->")


def card_markers(kind: str) -> tuple[str, str]:
    return f"<!-- card:{kind}:begin -->", f"<!-- card:{kind}:end -->"


def _f(value, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _pct(value) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _held_out(model, kind_key: str = "held_out") -> dict:
    return model.info["metrics"].get(kind_key) or {}


def calibration_table(models: Models) -> list[str]:
    lines = ["| held-out split | suggestions (right) | Brier, calibrated | Brier, hand-set | ECE, calibrated | "
             "ECE, hand-set |", "|---|---|---|---|---|---|"]
    for split, f in _held_out(models.confidence).items():
        cal, hand = f["calibrated"], f["hand_set"]
        lines.append(f"| `{split}` | {cal['n']} ({cal['right']}) | {_f(cal['brier'])} | {_f(hand['brier'])} | "
                     f"{_f(cal['ece'], 3)} | {_f(hand['ece'], 3)} |")
    return lines


def auto_accept_table(models: Models) -> list[str]:
    f = _held_out(models.confidence).get(EXTERNAL)
    if not f:
        return []
    shipped, lowest = f["auto_accept"], f["lowest_threshold_at_0.99"]
    withheld = models.confidence.info["metrics"].get("auto_accept_withheld")
    rows = [("threshold chosen on `external/dev` out of fold, **withheld** (below 0.99 on a held-out split)"
             if withheld else "shipped threshold (chosen on `external/dev`, out of fold)", shipped),
            ("lowest calibrated confidence with precision >= 0.99 on `external/test` (measured, not used)",
             lowest["calibrated"]),
            ("lowest hand-set confidence with precision >= 0.99 on `external/test` (rule-only baseline)",
             lowest["hand_set"])]
    lines = ["| auto-accept threshold | threshold | share of suggestions above | precision above |",
             "|---|---|---|---|"]
    for name, r in rows:
        threshold = "none" if r["threshold"] is None else f"{r['threshold']:.3f}"
        lines.append(f"| {name} | {threshold} | {_pct(r['share']) if r['threshold'] is not None else '-'} | "
                     f"{_f(r['precision'], 3)} |")
    return lines


def safety_net_table(models: Models) -> list[str]:
    lines = ["| held-out split | family | rule misses | flagged (catch rate) | needless flags |", "|---|---|---|---|---|"]
    for split, f in _held_out(models.missed_code).items():
        for family, v in f["families"].items():
            rate = _pct(v["flagged"] / v["rule_misses"]) if v["rule_misses"] else "-"
            lines.append(f"| `{split}` | {family} | {v['rule_misses']} | {v['flagged']} ({rate}) | {v['needless_flags']} |")
        lines.append(f"| `{split}` | **all** | {f['rule_misses']} | {f['rule_misses_flagged']} ({_pct(f['catch_rate'])}) | "
                     f"{f['notes_flagged_needlessly']} of {f['coded_notes']} coded notes ({_pct(f['needless_flag_rate'])}) |")
    return lines


def confusion_table(figures: dict) -> list[str]:
    labels = figures["labels"]
    lines = ["| gold \\ predicted | " + " | ".join(labels) + " |", "|---" * (len(labels) + 1) + "|"]
    for label, row in zip(labels, figures["matrix"]):
        lines.append(f"| {label} | " + " | ".join(str(v) for v in row) + " |")
    return lines


def document_kind_tables(models: Models) -> list[str]:
    f = _held_out(models.document_kind).get(EXTERNAL)
    if not f:
        return []
    return ([f"Learned classifier on `{EXTERNAL}` (accuracy {_f(f['classifier']['accuracy'], 3)}):", ""]
            + confusion_table(f["classifier"])
            + ["", f"Rule gate on `{EXTERNAL}` (accuracy {_f(f['rule_gate']['accuracy'], 3)}):", ""]
            + confusion_table(f["rule_gate"])
            + ["", f"Disagreement flags raised on `{EXTERNAL}`: {f['disagreement_flags']}, of which the classifier "
                   f"was right on {f['disagreement_flags_right']}."])


def summary(models: Models) -> str:
    """The README block."""
    parts = [f"Models: confidence v{models.confidence.version}, missed_code v{models.missed_code.version}, "
             f"document_kind v{models.document_kind.version} (figures from their files' `metrics`).", "",
             "**Calibrated confidence** against the hand-set confidence (the rule-only baseline):", ""]
    parts += calibration_table(models) + ["", "**Auto-accept threshold** (precision >= 0.99):", ""]
    parts += auto_accept_table(models)
    parts += ["", "**Missed-code safety net** (a rule miss: gold has a code of the family, the rules suggested none "
                  "of it; the rule-only baseline flags none):", ""]
    parts += safety_net_table(models) + ["", "**Document kind**, second opinion:", ""] + document_kind_tables(models)
    return "\n".join(parts)


def card(model) -> str:
    """The generated part of one model's card: version, training data, hyper-parameters, figures."""
    data = model.info
    splits = ", ".join(f"`{s}` {n}" for s, n in data["training_data"]["splits"].items())
    lines = [f"- version: {data['version']} (`{data['kind']}.v{data['version']}.json`, made by "
             f"`{data.get('created_by', '')}`, parent {data.get('parent') or 'none'})",
             f"- data: notes of {splits}; corpus fingerprint `{data['training_data']['corpus_fingerprint'][:16]}`, "
             f"table fingerprint `{data['training_data']['table_fingerprint'][:16]}`",
             f"- hyper-parameters: `{_compact(data['hyperparameters'])}`",
             f"- cross-validation on the training splits: `{_compact(_cv_summary(data))}`"]
    return "\n".join(lines)


def _cv_summary(data: dict) -> dict:
    cv = copy.deepcopy(data["metrics"].get("cross_validation") or {})
    cv.pop("confusion", None)
    for family in (cv.get("families") or {}).values():
        family.pop("log_loss", None)
    cv.pop("log_loss", None)
    return cv


def _compact(value) -> str:
    import json

    return json.dumps(value, sort_keys=True, separators=(", ", ": "))


def replace_block(text: str, block: str, markers: tuple[str, str]) -> str:
    begin, end = markers
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"markers {begin} ... {end} not found")
    return pattern.sub(lambda _: f"{begin}\n{block}\n{end}", text)


def write(models: Models, readme: Path, models_readme: Path) -> None:
    """The summary into both READMEs, each model's card into ``models_readme``."""
    readme.write_text(replace_block(readme.read_text(encoding="utf-8"), summary(models), SUMMARY), encoding="utf-8")
    text = replace_block(models_readme.read_text(encoding="utf-8"), summary(models), SUMMARY)
    for model in (models.confidence, models.missed_code, models.document_kind):
        text = replace_block(text, card(model), card_markers(model.info["kind"]))
    models_readme.write_text(text, encoding="utf-8")
