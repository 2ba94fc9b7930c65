"""The level grammar: every notation the issue lists, and segment/interspace counts."""
import pytest

from extractor.levels import find_levels, make_level, parse_level, spoken_levels


@pytest.mark.parametrize("text,label,kind", [
    ("L3", "L3", "vertebra"), ("L-3", "L3", "vertebra"), ("L 3", "L3", "vertebra"), ("l3", "L3", "vertebra"),
    ("L4-5", "L4-5", "interspace"), ("L4/5", "L4-5", "interspace"), ("L4-L5", "L4-5", "interspace"),
    ("L4/L5", "L4-5", "interspace"), ("T12-L1", "T12-L1", "interspace"), ("L5-S1", "L5-S1", "interspace"),
    ("C7-T1", "C7-T1", "interspace"), ("T. 10-11", "T10-11", "interspace"), ("L. 4", "L4", "vertebra"),
    ("T10-L2", "T10-L2", "range"), ("T10 to L2", "T10-L2", "range"), ("T10 through L2", "T10-L2", "range"),
    ("T10–L2", "T10-L2", "range"), ("T10—L2", "T10-L2", "range"), ("T10 — L2", "T10-L2", "range"),
    ("T10-pelvis", "T10-pelvis", "range"), ("T10 to the ilium", "T10-pelvis", "range"),
    ("L2 to the sacrum", "L2-S1", "range"), ("T7-10", "T7-T10", "range"), ("L3-L4-L5", "L3-L5", "range"),
    ("the third lumbar vertebra", "L3", "vertebra"), ("twelfth thoracic vertebral body", "T12", "vertebra"),
    ("tenth through twelfth thoracic vertebrae", "T10-T12", "range"),
    ("the third thoracic to the first lumbar vertebra", "T3-L1", "range"),
    ("between the second and third lumbar vertebrae", "L2-3", "interspace"),
])
def test_notation(text, label, kind):
    level = parse_level(text)
    assert level is not None, text
    assert (level.label, level.kind) == (label, kind)


def test_pelvis_range_counts_to_s1():
    level = parse_level("T10-pelvis")
    assert level.pelvis and level.vertebrae()[-1] == "S1" and len(level.vertebrae()) == 9


@pytest.mark.parametrize("text,vertebrae,interspaces", [
    ("T10-L2", 5, 4), ("T1-L4", 16, 15), ("T10 to S1", 9, 8), ("L4-5", 2, 1), ("T4-T8", 5, 4),
])
def test_counts(text, vertebrae, interspaces):
    level = parse_level(text)
    assert len(level.vertebrae()) == vertebrae
    assert len(level.interspaces()) == interspaces


def labels(text):
    return [m.level.label for m in find_levels(text)]


def test_lists_with_and_and_commas():
    assert labels("Ponte osteotomies at T10-11, T11-12 and T12-L1.") == ["T10-11", "T11-12", "T12-L1"]
    assert labels("PSO at L1, L2, and L3") == ["L1", "L2", "L3"]


def test_bare_numbers_continue_the_region():
    assert labels("SPOs at L2, 3 and 4.") == ["L2", "L3", "L4"]
    assert labels("T10-11, 11-12 and T12-L1") == ["T10-11", "T11-12", "T12-L1"]
    assert labels("fifth and sixth cervical vertebrae") == ["C5", "C6"]


def test_offsets_slice_the_text():
    text = "Screws from T10 to the ilium; Ponte at L4/5."
    for m in find_levels(text):
        assert parse_level(text[m.start:m.end]) == m.level


@pytest.mark.parametrize("text", ["T2-weighted images", "a 3 mm rod", "L6", "T13", "S2AI screws", "1.5 L"])
def test_not_levels(text):
    assert labels(text) == []


def test_measurements_do_not_continue_a_list():
    assert labels("screw at L4, 5 mm lateral") == ["L4"]


def test_make_level_orders_and_classifies():
    assert make_level("L2", "T10").label == "T10-L2"
    assert make_level("T12", "L1").kind == "interspace"
    assert make_level("L3").kind == "vertebra"


@pytest.mark.parametrize("text,expected", [
    ("screws at tee eleven, T. twelve, L won and el three", "screws at T11       , T12      , L1    and L3      "),
    ("The L to the left was marked; see one patient.", "The L to the left was marked; see one patient."),
    ("L to the left, L for the right", "L to the left, L for the right"),  # homophones only
    ("screws at T10, tea 11 and T12; Ponte at tea 12 L1", "screws at T10, T11    and T12; Ponte at T12    L1"),
    ("T 11 and L 4 were marked", "T 11 and L 4 were marked"),  # already levels: left alone
])
def test_spoken_levels_are_read_as_levels_without_moving_offsets(text, expected):
    out = spoken_levels(text)
    assert out == expected and len(out) == len(text)


@pytest.mark.parametrize("text,labels", [
    ("between T11 and T12", ["T11-12"]),
    ("between the twelfth thoracic and first lumbar vertebrae", ["T12-L1"]),
    ("between T4 and T10", ["T4", "T10"]),  # not adjacent: two vertebrae
    ("screws at T11 and T12", ["T11", "T12"]),  # no "between": a list
])
def test_two_adjacent_vertebrae_between_which_something_lies_are_their_interspace(text, labels):
    assert [m.level.label for m in find_levels(text)] == labels


def test_ordinal_vertebrae_each_with_its_article_share_one_region_word():
    """Wave 20 (X1207's class): "the second, the third and the fourth lumbar vertebrae"."""
    text = "through the posterior elements of the second, the third and the fourth lumbar vertebrae in turn"
    assert [m.level.label for m in find_levels(text)] == ["L2", "L3", "L4"]
