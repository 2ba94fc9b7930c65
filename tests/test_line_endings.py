"""Old Mac (CR-only) and mixed line endings must not change any result: the text view normalises
them without moving an offset."""
import pytest

from conftest import CORPORA, code_set


def _notes():
    return sorted(CORPORA.glob("*/notes/*.txt"))


@pytest.fixture(scope="module")
def corpus_codes(ex):
    texts = {p.stem: p.read_bytes().decode("utf-8") for p in _notes()}
    return texts, {k: code_set(ex.extract(t, k)["suggestions"]) for k, t in texts.items()}


def _mixed(text: str) -> str:
    lines = text.split("\n")
    endings = ["\r\n", "\r", "\n", "\r\r\n"]
    return "".join(line + endings[i % 4] for i, line in enumerate(lines[:-1])) + lines[-1]


@pytest.mark.parametrize("variant", ["lf", "cr", "crlf", "mixed"])
def test_line_endings_do_not_change_codes_or_offsets(ex, corpus_codes, variant):
    texts, expected = corpus_codes
    convert = {"lf": str, "cr": lambda t: t.replace("\n", "\r"), "crlf": lambda t: t.replace("\n", "\r\n"),
               "mixed": _mixed}[variant]
    changed = []
    for note_id, text in texts.items():
        other = convert(text.replace("\r\n", "\n"))  # the corpus has both LF and CRLF notes
        record = ex.extract(other, note_id)
        for s in record["suggestions"]:
            assert all(other[e["start"]:e["end"]] == e["text"] for e in s["evidence"])
        if code_set(record["suggestions"]) != expected[note_id]:
            changed.append(note_id)
    assert changed == []
