"""The learned layer next to the rules: it reads a finished record and its note, and only adds to it
(a calibrated ``confidence`` with the hand-set one kept in ``rule_confidence``, note flags, and a
``learned`` block); it never adds, removes or changes a code. ``rules_only`` gives the record back as
the rules made it.

Models are read once per process (``load_layer`` is cached by folder), so each batch worker loads
them once, like its spaCy pipeline.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .confidence import KIND as CONFIDENCE, ConfidenceModel
from .document_kind import KIND as DOCUMENT_KIND, DocumentKindModel
from .ngrams import featurize
from .safety_net import KIND as MISSED_CODE, MissedCodeNet
from .store import DEFAULT_DIR, MANIFEST, ModelError, read_manifest, read_model

log = logging.getLogger(__name__)

LEARNED_FLAGS = frozenset({"possible_missed_osteotomy", "possible_missed_graft", "possible_missed_instrumentation",
                           "document_kind_disagreement"})
_CLASSES = {CONFIDENCE: ConfidenceModel, MISSED_CODE: MissedCodeNet, DOCUMENT_KIND: DocumentKindModel}


@dataclass(frozen=True)
class Models:
    """The three models of a models folder, in the versions its manifest names."""

    folder: Path
    confidence: ConfidenceModel
    missed_code: MissedCodeNet
    document_kind: DocumentKindModel

    @property
    def versions(self) -> dict[str, int]:
        return {CONFIDENCE: self.confidence.version, MISSED_CODE: self.missed_code.version,
                DOCUMENT_KIND: self.document_kind.version}


def read_models(folder: Path) -> Models:
    """Every model named by ``folder``'s manifest, checked (ModelError names the file and the cause)."""
    folder = Path(folder)
    current = read_manifest(folder)
    loaded = {kind: cls(read_model(folder / current[kind], kind), folder / current[kind])
              for kind, cls in _CLASSES.items()}
    return Models(folder, **loaded)


@lru_cache(maxsize=4)
def _cached_models(folder: str, stamp: tuple) -> Models:
    return read_models(Path(folder))


def _stamp(folder: Path) -> tuple:
    """Size and modification time of the manifest and the files it names: a retrain is seen."""
    names = [MANIFEST, *sorted(read_manifest(folder).values())]
    return tuple((n, (folder / n).stat().st_mtime_ns, (folder / n).stat().st_size)
                 for n in names if (folder / n).exists())


def load_models(models_dir: str = "") -> Models | None:
    """The models of ``models_dir`` (empty: the project's ``models/``), read once per process. Without
    a manifest in the default folder (an installed wheel) the layer is off; a folder that was asked
    for and cannot be read is an error."""
    folder = Path(models_dir) if models_dir else DEFAULT_DIR
    if not models_dir and not (folder / MANIFEST).exists():
        log.warning("no learned models in %s: confidence stays the rules' own and no learned flag is raised",
                    folder)
        return None
    if not (folder / MANIFEST).exists():
        raise ModelError(f"{folder}: no {MANIFEST} (a models folder is made by `make models`)")
    folder = folder.resolve()
    return _cached_models(str(folder), _stamp(folder))


class LearnedLayer:
    """Applies the models to the records of one extractor (``bases``: its confidence settings)."""

    def __init__(self, models: Models, bases: dict[str, float]):
        self.models = models
        self.bases = bases

    def apply(self, record: dict, text: str, body: list[tuple[int, int]] | None, rule_kind: str) -> dict:
        """Add the learned outputs to ``record`` (status ok, or skipped by the document-kind gate);
        ``body``: the operative narrative's spans; ``rule_kind``: the gate's kind of document."""
        models = self.models
        learned: dict = {"models": models.versions}
        if record["status"] == "ok":
            features = featurize(text)
            models.confidence.apply(record, self.bases)
            learned["document_kind"] = models.document_kind.apply(record, features, rule_kind)
            learned["missed_code"] = models.missed_code.apply(record, text, features, body or [])
        else:
            features = featurize(text[: models.document_kind.scan_chars])
            learned["document_kind"] = models.document_kind.apply(record, features, rule_kind)
        record["learned"] = learned
        return record


def learned_layer(settings) -> LearnedLayer | None:
    """The layer an extractor with these ``Settings`` uses, or None when the settings turn it off (or
    the project's models folder is absent)."""
    if not settings.learned.enabled:
        return None
    models = load_models(settings.learned.models_dir)
    if models is None:
        return None
    bases = {k: v for k, v in vars(settings.confidence).items() if k != "convention_penalty"}
    return LearnedLayer(models, bases)


def rules_only(record: dict) -> dict:
    """The record as the rules made it: hand-set confidences, no learned flag, no ``learned`` block."""
    out = {k: v for k, v in record.items() if k != "learned"}
    if "flags" in out:
        out["flags"] = [f for f in out["flags"] if f.get("id") not in LEARNED_FLAGS]
    if "suggestions" in out:
        out["suggestions"] = [_rule_suggestion(s) for s in out["suggestions"]]
    return out


def _rule_suggestion(suggestion: dict) -> dict:
    if "rule_confidence" not in suggestion:
        return suggestion
    out = {k: v for k, v in suggestion.items() if k != "rule_confidence"}
    out["confidence"] = suggestion["rule_confidence"]
    if isinstance(out.get("explanation"), dict) and "calibration" in out["explanation"]:
        out["explanation"] = {k: v for k, v in out["explanation"].items() if k != "calibration"}
    return out
