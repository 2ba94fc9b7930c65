"""The rule and table files: every one has a schema and follows it; a bad edit fails when the rules
load, naming the file and the rule, never as an internal error on every note; every review flag
is raised somewhere and every raised flag is registered."""
import json
import re
from pathlib import Path

import pytest
import spacy

from extractor.codes import family_of, osteotomy_codes
from extractor.flags import Flag
from extractor.resources import RULES_DIR, RuleFileError, load_json, validate
from extractor.target_rules import load_target_rules

PACKAGE = Path(__file__).resolve().parents[1] / "extractor"
RULE_FILES = sorted(str(p.relative_to(RULES_DIR)) for p in RULES_DIR.rglob("*.json") if p.parent.name != "schemas")


@pytest.mark.parametrize("name", RULE_FILES)
def test_every_rules_file_has_a_schema_and_follows_it(name):
    load_json(name)


def write_targets(tmp_path, rule):
    folder = tmp_path / "targets"
    folder.mkdir()
    path = folder / "bad.json"
    path.write_text(json.dumps({"target_rules": [rule]}))
    return str(path)


@pytest.mark.parametrize("rule,message", [
    ({"literal": "pso", "category": "OSTEOTOMY", "metadata": {"id": "osteo.x", "type": "pso", "family": "posterior"}},
     "type 'pso' belongs to family 'three_column'"),
    ({"literal": "cage", "category": "INSTRUMENT", "metadata": {"id": "instr.x", "kind": "cage", "role": "device"}},
     "metadata 'side' is required for INSTRUMENT"),
    ({"literal": "chips", "category": "GRAFT", "metadata": {"id": "graft.x", "kind": "allograft_chips"}},
     "metadata kind='allograft_chips' is not one of"),
    ({"literal": "x", "category": "NOPE", "metadata": {"id": "nope.x"}}, "unknown category 'NOPE'"),
    ({"category": "GRAFT", "metadata": {"id": "graft.y", "kind": "ceramic"}}, "'literal' is a required property"),
])
def test_a_bad_target_rule_fails_at_load_naming_file_and_rule(tmp_path, rule, message):
    path = write_targets(tmp_path, rule)
    with pytest.raises(RuleFileError) as error:
        load_target_rules((path,))
    assert path in str(error.value) and message in str(error.value)
    assert rule["metadata"]["id"] in str(error.value) or "literal" not in rule
    with pytest.raises(RuleFileError):  # building the pipeline fails the same way, before any note
        spacy.blank("en").add_pipe("opnote_targets", config={"rule_files": [path]})


def test_bad_decisions_fail_validation_with_the_path():
    decisions = json.loads((RULES_DIR / "decisions.json").read_text())
    rule = next(i for i, r in enumerate(decisions["osteotomy_typing"]["rules"]) if r["result"])
    decisions["osteotomy_typing"]["rules"][rule]["result"]["family"] = "lateral"
    with pytest.raises(RuleFileError, match=rf"rules/decisions.json: osteotomy_typing/rules/{rule}/result"):
        validate("decisions.json", decisions)


def _source() -> str:
    return "\n".join(p.read_text() for p in PACKAGE.rglob("*.py")) + "\n".join(
        p.read_text() for p in RULES_DIR.glob("*.json") if p.name != "flags.json")


def test_every_registered_flag_is_raised_somewhere():
    source = _source()
    assert [f for f in Flag if not re.search(rf"\b{f.value}\b", source)] == []


def test_every_flag_the_code_raises_is_registered():
    used = set(re.findall(r"\bFlag\.([a-z][a-z_0-9]*)", _source()))
    assert used and used <= {f.value for f in Flag}


def test_code_families_come_from_the_code_table():
    assert sorted(osteotomy_codes()) == ["22206", "22207", "22208", "22210", "22212", "22214", "22216", "22220",
                                         "22222", "22224", "22226", "22899"]
    assert (family_of("22899"), family_of("20939"), family_of("22859"), family_of("63047")) == (
        "three_column", "graft", "instrumentation", "other")


def test_no_stale_paths_in_rule_documentation():
    for path in RULES_DIR.rglob("*.json"):
        for ref in re.findall(r"extractor/[\w/]+\.py", path.read_text()):
            assert (PACKAGE.parent / ref).exists(), f"{path.name} mentions {ref}"


# Token patterns the PhraseMatcher cannot take (they run spaCy's token Matcher over every note, about a tenth of a
# note's time, shared by all of them): a whitespace run between a label and its answer (a colon's, a table cell's).
TOKEN_MATCHER_PATTERNS = {":   No", "Interbody device     N/A"}


@pytest.mark.parametrize("name", ["context.json"] + [f"targets/{p.name}" for p in sorted((RULES_DIR / "targets").glob("*.json"))])
def test_token_patterns_expand_to_phrases(ex, name):
    """A pattern of LOWER values, IN lists and optional tokens is matched as phrases; a value that is several
    tokens ("post-operative", "1/2") silently sends the whole rule to the slow token Matcher."""
    from extractor.components import literal_variants

    data = load_json(name)
    rules = data.get("context_rules") or data.get("target_rules")
    slow = {r["literal"] for r in rules if r.get("pattern") and literal_variants(r["pattern"], ex.nlp) is None}
    assert slow <= TOKEN_MATCHER_PATTERNS


# Phrases two ConText rules match (an overlap of equal cues is settled by rule order): the ones known to agree.
SHARED_CUES = {"without", "was unnecessary", "were unnecessary", "rather than", "risks of", "in the past", "but",
               "prior to", ": no", ": none"}


def test_no_two_context_rules_match_the_same_phrase(ex):
    """A new rule that matches an existing rule's phrase silently takes it over or loses it, whichever comes
    first ("were omitted" for hardware lost to an osteotomy-only rule listing "omitted")."""
    from medspacy.context import ConText, ConTextRule
    from spacy.language import Language

    from extractor.components import literal_variants

    phrases: dict[str, int] = {}
    for rule in load_json("context.json")["context_rules"]:
        for phrase in literal_variants(rule["pattern"], ex.nlp) or [] if rule.get("pattern") else [rule["literal"].lower()]:
            phrases[phrase] = phrases.get(phrase, 0) + 1
    default = ConText(Language(), rules=None, span_attrs=None).DEFAULT_RULES_FILEPATH
    excluded = set(load_json("context.json")["excluded_default_literals"])
    for rule in ConTextRule.from_json(default):
        if rule.literal not in excluded:
            phrases[rule.literal.lower()] = phrases.get(rule.literal.lower(), 0) + 1
    assert {p for p, n in phrases.items() if n > 1} <= SHARED_CUES
