"""Format invariance (issue 9): every corpus note, rewritten the ways real exports rewrite notes
(``extractor/transforms.py``), keeps its codes and units, and its evidence offsets point into the
rewritten text.

On the splits we tune on, every note must hold under every transform, but for the documented
exceptions below (each is a limit in the README). The frozen splits (``test``, ``external/test``) are
judged on aggregate figures only: the number of notes whose codes change may not exceed the number
recorded when the transforms were last measured, and a failure reports counts, never note ids.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from extractor.transforms import TRANSFORMS

CORPORA = Path(__file__).resolve().parents[1] / "corpora"
TUNED = ("dev", "generated", "sample", "external/dev")
FROZEN = ("test", "external/test")

# (split, note, transform): why the codes change. Each is listed under "Limits" in the README.
KNOWN = {
    ("external/dev", "X127", "flatten_kaggle"):
        "a templated 'Level(s): [L3-4, L4-5]' field on its own line is read only when an export joins it "
        "to the procedure line (then the cage count is right: 2, not 1)",
    ("external/dev", "X127", "newlines_to_spaces"): "the same levels field",
    **{("external/dev", "X128", name): "a row of template checkboxes run onto one line with the text before it: "
       "the negation of an unticked box reaches the ticked 'Osteotomy' after it" for name in ("flatten_kaggle",
                                                                                              "newlines_to_spaces")},
}
# The later waves of independent-writer notes (external/dev, added 2026-12-06) are not yet invariant: each is
# held to the counts measured at the end of the session that added waves 4 and 5 (README, Limits) until its
# notes are fixed.
WAVES = {
    "wave 2": (frozenset(f"X{i}" for i in range(361, 441)),
               {"newlines_to_spaces": 3, "flatten_kaggle": 2, "headers_without_colons": 6, "lower_case_headers": 1,
                "extra_blank_lines": 1, "all_caps": 2}),
    "wave 3": (frozenset(f"X{i}" for i in range(441, 521)),
               {"newlines_to_spaces": 7, "flatten_kaggle": 1, "headers_without_colons": 1, "all_caps": 1,
                "hard_wrap_60": 1, "numbered_lists_inline": 1}),
    "wave 4": (frozenset(f"X{i}" for i in range(521, 601)),
               {"newlines_to_spaces": 2, "flatten_kaggle": 2, "headers_without_colons": 2, "lower_case_headers": 1}),
    "wave 5": (frozenset(f"X{i}" for i in range(601, 641)),
               {"newlines_to_spaces": 1, "flatten_kaggle": 2, "headers_without_colons": 2, "lower_case_headers": 1}),
}
LATER_WAVES = frozenset().union(*(ids for ids, _ in WAVES.values()))
# Notes whose codes change, per frozen split and transform, when last measured (aggregate only).
FROZEN_BUDGET = {
    "test": {"newlines_to_spaces": 1},
    # 2026-12-06, end of the session that added waves 4 and 5: all caps 5 -> 1, lower-case headers 3 -> 0,
    # flatten 2 -> 1 (the notes are not looked at).
    "external/test": {"flatten_kaggle": 1, "newlines_to_spaces": 6, "all_caps": 1, "headers_without_colons": 2,
                      "html": 1},
}

pytestmark = pytest.mark.slow


def _notes(split: str) -> list[tuple[str, str]]:
    folder = CORPORA / split / "notes"
    return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.txt"))]


def _codes(record: dict) -> set[tuple[str, int]]:
    return {(s["code"], s["units"]) for s in record["suggestions"]}


_MARKUP = re.compile(r"</?[a-z][^<>]{0,80}>|\\par\b|\\[a-z]+\d*|&[a-z]+;|[^a-z0-9]")


def _normal(text: str) -> str:
    """Lower-case letters and digits only, markup dropped: what every transform keeps of a text."""
    return _MARKUP.sub("", text.lower())


@pytest.fixture(scope="module")
def originals(ex) -> dict[str, dict[str, set]]:
    """Codes of every note of every split as written, by split and note id."""
    return {split: {nid: _codes(ex.extract(text, nid)) for nid, text in _notes(split)} for split in TUNED + FROZEN}


_CHANGED: dict[tuple[str, str], list[str]] = {}


def _changed(ex, originals, split: str, name: str) -> list[str]:
    """Ids of the notes of ``split`` whose codes change under transform ``name`` (computed once); every
    evidence span must lie in the rewritten text and hold words of the original note."""
    if (split, name) in _CHANGED:
        return _CHANGED[(split, name)]
    changed = []
    for nid, text in _notes(split):
        rewritten = TRANSFORMS[name](text)
        record = ex.extract(rewritten, nid)
        for suggestion in record["suggestions"]:
            for ev in suggestion["evidence"]:
                assert rewritten[ev["start"]:ev["end"]] == ev["text"]
                assert _normal(ev["text"]) in _normal(text), f"{split} {name}: evidence not from the note"
        if _codes(record) != originals[split][nid]:
            changed.append(nid)
    _CHANGED[(split, name)] = changed
    return changed


@pytest.mark.parametrize("split", TUNED)
@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_tuned_splits_keep_their_codes_under_every_transform(ex, originals, split, name):
    changed = _changed(ex, originals, split, name)
    assert sorted(n for n in changed if (split, n, name) not in KNOWN and n not in LATER_WAVES) == []


@pytest.mark.parametrize("wave", list(WAVES))
@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_later_waves_change_no_more_notes_than_measured(ex, originals, wave, name):
    ids, budget = WAVES[wave]
    count = len(set(_changed(ex, originals, "external/dev", name)) & ids)
    assert count <= budget.get(name, 0), f"external/dev {wave} / {name}: {count} notes change codes"


@pytest.mark.parametrize("split", FROZEN)
@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_frozen_splits_change_no_more_notes_than_measured(ex, originals, split, name):
    count = len(_changed(ex, originals, split, name))
    budget = FROZEN_BUDGET[split].get(name, 0)
    assert count <= budget, f"{split} / {name}: {count} notes change codes (measured: {budget})"


def test_known_exceptions_still_fail_so_the_list_stays_honest(ex, originals):
    """A documented exception that now holds must leave the list (and the README's limits)."""
    for (split, nid, name) in KNOWN:
        text = dict(_notes(split))[nid]
        assert _codes(ex.extract(TRANSFORMS[name](text), nid)) != originals[split][nid], (split, nid, name)
