"""corpora/README.md's coverage block is what corpora/stats.py computes from the gold files."""
import subprocess
import sys
from pathlib import Path

CORPORA = Path(__file__).resolve().parents[1] / "corpora"


def test_corpus_readme_counts_are_current():
    block = subprocess.run([sys.executable, str(CORPORA / "stats.py")], capture_output=True, text=True, check=True).stdout
    assert block.strip() in (CORPORA / "README.md").read_text()


def test_corpus_size_and_splits():
    counts = {s: len((CORPORA / s / "gold.jsonl").read_text().splitlines()) for s in ("dev", "test", "sample", "generated")}
    assert sum(counts.values()) >= 200 and counts["test"] >= 80
    assert counts["dev"] + counts["test"] + counts["sample"] >= 100  # written by hand
    for split in counts:
        notes = {p.stem for p in (CORPORA / split / "notes").glob("*.txt")}
        assert len(notes) == counts[split]
