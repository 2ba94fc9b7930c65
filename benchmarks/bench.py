"""Throughput and memory benchmark (`make bench`). Prints a table and writes build/bench.json.

Measured in one run, on the same texts:
* the bare spaCy tokenizer (`spacy.blank("en")`), the floor;
* medSpaCy's default pipeline (`medspacy.load()`: PyRuSH, TargetMatcher with this project's target
  rules, ConText), the peer;
* the full extractor through the batch runner with 1 and 2 worker processes, each run in a fresh
  interpreter as `opnote extract` runs (so that a one-worker run's rate and RSS are not the driver's);
* a mixed export where 90% of the notes are not spine notes, with and without the spine gate;
* peak RSS per worker, and RSS along a long run of the mixed export (flatness).

* the learned layer's share of the extractor's time per note (``extractor.learned``: calibrated
  confidence, safety net, document kind), the same notes extracted with the layer on and off.

Rates of the extractor are steady-state: from the first written batch to the end, so that loading
the pipeline (about 1.5 s per process) is reported apart (`startup_seconds`) and not spread over
the notes.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from inputs import mixed_export, reference_variants, worst_case_notes  # noqa: E402

from extractor.batch import BatchRunner, _peak_rss_mb  # noqa: E402
from extractor.inputs import InputRecord  # noqa: E402
from extractor.settings import Settings  # noqa: E402


def _current_rss_mb() -> float:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) / 1024 for line in fh if line.startswith("VmRSS:"))


class CountingWriter:
    """Discards records, counts statuses, samples this process's RSS every ``every`` records."""

    def __init__(self, every: int = 0):
        self.count, self.every, self.rss, self.statuses = 0, every, [], {}

    def write(self, records):
        for r in records:
            self.count += 1
            self.statuses[r["status"]] = self.statuses.get(r["status"], 0) + 1
            if self.every and self.count % self.every == 0:
                self.rss.append((self.count, round(_current_rss_mb(), 1)))

    def close(self):
        pass


def _records(texts):
    return (InputRecord(i, f"n{i}", t) for i, t in enumerate(texts))


def run_extractor(texts, workers: int, gate: bool = True, rss_every: int = 0) -> dict:
    """The batch runner over ``texts`` in this process (one worker runs in-process, as the CLI does)."""
    writer = CountingWriter(rss_every)
    runner = BatchRunner(Settings.load(), workers=workers, gate=gate, progress=False)
    summary = runner.run(_records(texts), writer)
    words = sum(len(t.split()) for t in texts)
    rate = summary.steady_rate
    return {"notes": len(texts), "seconds": round(summary.seconds, 2),
            "startup_seconds": round(summary.first_output_seconds or 0, 2),
            "notes_per_s": round(rate, 1), "notes_per_s_with_startup": round(len(texts) / summary.seconds, 1),
            "words_per_s": round(rate * words / len(texts)), "statuses": writer.statuses,
            "worker_peak_rss_mb": [round(x, 1) for x in runner.worker_rss_mb], "rss_samples_mb": writer.rss}


INPUTS = {"reference": reference_variants, "mixed": mixed_export, "mixed_long": lambda n: mixed_export(n, seed=3)}


def run_extractor_fresh(inputs: str, count: int, workers: int, gate: bool = True, rss_every: int = 0) -> dict:
    """``run_extractor`` in a fresh interpreter, as `opnote extract` runs: the peak RSS and the rate of a
    one-worker run are then the extractor's, not those of this driver (which holds every input and the
    medSpaCy peer). The inputs are rebuilt there from the same seeds."""
    spec = json.dumps({"inputs": inputs, "count": count, "workers": workers, "gate": gate, "rss_every": rss_every})
    done = subprocess.run([sys.executable, __file__, "--one", spec], check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _one(spec: str) -> None:
    """Child side of ``run_extractor_fresh``: one run described by ``spec`` (JSON), its result on stdout."""
    args = json.loads(spec)
    texts = INPUTS[args["inputs"]](args["count"])
    print(json.dumps(run_extractor(texts, args["workers"], args["gate"], args["rss_every"])))


def _extractor(learned: bool):
    import extractor

    data = Settings.load().to_dict()
    return extractor.load(Settings.from_dict({**data, "learned": {**data["learned"], "enabled": learned}}))


def _note_seconds(ex, text: str) -> float:
    start = time.perf_counter()
    ex.extract(text, "n")
    return time.perf_counter() - start


def run_learned_overhead(texts, passes: int = 5) -> dict:
    """Seconds per note with the learned layer off and on, in one process on the same notes: each note
    is timed with both, alternately, ``passes`` times, and keeps its fastest time with each (a hiccup of
    a shared machine is not the layer's cost)."""
    on, off = _extractor(True), _extractor(False)
    if on.learned is None:
        raise SystemExit("the learned layer is off or its models are missing: run `make models`")
    best = np.full((2, len(texts)), np.inf)
    for p in range(passes):
        order = (off, on) if p % 2 == 0 else (on, off)
        for i, text in enumerate(texts):
            for ex in order:
                row = 1 if ex is on else 0
                best[row, i] = min(best[row, i], _note_seconds(ex, text))
    rules, learned = best.sum(axis=1)
    return {"notes": len(texts), "ms_per_note_rules_only": round(1000 * rules / len(texts), 3),
            "ms_per_note_learned": round(1000 * learned / len(texts), 3), "overhead": round(learned / rules - 1, 4)}


def run_tokenizer(texts) -> dict:
    import spacy

    nlp = spacy.blank("en")
    start = time.perf_counter()
    for t in texts:
        nlp.make_doc(t)
    seconds = time.perf_counter() - start
    return {"notes": len(texts), "notes_per_s": round(len(texts) / seconds, 1),
            "words_per_s": round(sum(len(t.split()) for t in texts) / seconds)}


def run_cli_help(times: int = 5) -> dict:
    """Wall time of `opnote --help` in a fresh interpreter (median): the package import must stay light."""
    walls = []
    for _ in range(times):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "extractor.cli", "--help"], check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
    return {"median_seconds": round(statistics.median(walls), 3), "runs": times}


def run_medspacy_peer(texts) -> dict:
    """medspacy.load() (PyRuSH, TargetMatcher, ConText) with the same target rules."""
    from loguru import logger

    logger.remove()  # PyRuSH logs DEBUG lines per token otherwise
    import medspacy
    from medspacy.target_matcher import TargetRule

    from extractor.target_rules import TARGET_RULE_FILES
    from extractor.resources import rules_path

    nlp = medspacy.load(medspacy_enable=["medspacy_pyrush", "medspacy_target_matcher", "medspacy_context"])
    matcher = nlp.get_pipe("medspacy_target_matcher")
    for name in TARGET_RULE_FILES:
        matcher.add(TargetRule.from_json(str(rules_path(name))))
    nlp(texts[0])
    start = time.perf_counter()
    for t in texts:
        nlp(t)
    seconds = time.perf_counter() - start
    return {"notes": len(texts), "notes_per_s": round(len(texts) / seconds, 1),
            "words_per_s": round(sum(len(t.split()) for t in texts) / seconds)}


def run_worst_case() -> dict:
    """Each hostile note of ``worst_case_notes`` through one pipeline, timed alone (best of 3: the
    figure is the work the note needs, not a scheduling hiccup of a shared machine)."""
    import extractor

    ex = extractor.load()
    ex.extract("A pedicle subtraction osteotomy was performed at L3.", "warm-up")
    notes = {}
    for name, text in worst_case_notes().items():
        walls = []
        for _ in range(3):
            start = time.perf_counter()
            record = ex.extract(text, "worst")
            walls.append(time.perf_counter() - start)
        notes[name] = {"chars": len(text), "seconds": round(min(walls), 3), "status": record["status"]}
    return {"notes": notes, "max_seconds": max(n["seconds"] for n in notes.values())}


TARGETS = [
    ("reference note, 1 worker >= 200 notes/s", lambda r: r["extractor_1_worker"]["notes_per_s"] >= 200),
    ("reference note >= 60% of the bare tokenizer", lambda r: r["extractor_1_worker"]["notes_per_s"]
     >= 0.6 * r["tokenizer"]["notes_per_s"]),
    ("1 -> 2 workers >= 1.8x", lambda r: r["extractor_2_workers"]["notes_per_s"]
     >= 1.8 * r["extractor_1_worker"]["notes_per_s"]),
    ("peak RSS per worker < 400 MB", lambda r: max(r["extractor_2_workers"]["worker_peak_rss_mb"]
                                                   + r["extractor_1_worker"]["worker_peak_rss_mb"]) < 400),
    ("RSS flat over the long run (< 10% growth after warm-up)", lambda r: _flat(r["mixed_long_run"]["rss_samples_mb"])),
    ("mixed export, 1 worker >= 2000 notes/s", lambda r: r["mixed_1_worker"]["notes_per_s"] >= 2000),
    ("learned layer adds < 10% per note (reference note)", lambda r: r["learned_reference"]["overhead"] < 0.10),
    ("learned layer adds < 10% per note (mixed export)", lambda r: r["learned_mixed"]["overhead"] < 0.10),
    ("opnote --help < 1 s", lambda r: r["cli_help"]["median_seconds"] < 1.0),
    ("worst-case notes (200,000 hostile characters): each < 1 s", lambda r: r["worst_case"]["max_seconds"] < 1.0),
]


def _flat(samples) -> bool:
    if len(samples) < 3:
        return False
    warm = samples[1][1]
    return max(s[1] for s in samples[1:]) <= warm * 1.10


def print_results(results: dict) -> None:
    """The table, the learned layer's overhead and the targets, on stdout."""
    rows = [("tokenizer (floor)", results["tokenizer"]), ("medspaCy default (peer)", results["medspacy_peer"]),
            ("extractor, 1 worker", results["extractor_1_worker"]), ("extractor, 2 workers", results["extractor_2_workers"]),
            ("mixed export, 1 worker", results["mixed_1_worker"]), ("mixed export, 2 workers", results["mixed_2_workers"]),
            ("mixed export, no gate, 1 worker", results["mixed_no_gate_1_worker"]),
            ("mixed export long run, 1 worker", results["mixed_long_run"])]
    print(f"reference note: {results['reference_words']} words")
    print(f"{'run':34} {'notes':>7} {'notes/s':>9} {'words/s':>9} {'start-up s':>10}  peak RSS per worker (MB)")
    for name, r in rows:
        print(f"{name:34} {r['notes']:7} {r['notes_per_s']:9.1f} {r['words_per_s']:9} {r.get('startup_seconds', ''):>10}"
              f"  {r.get('worker_peak_rss_mb', '')}")
    print(f"RSS along the long run (notes, MB): {results['mixed_long_run']['rss_samples_mb']}")
    print(f"opnote --help: {results['cli_help']['median_seconds']} s (median of {results['cli_help']['runs']})")
    print("worst-case notes (seconds each, best of 3):")
    for name, r in results["worst_case"]["notes"].items():
        print(f"  {name:36} {r['chars']:8} chars {r['seconds']:7.3f} s  {r['status']}")
    for name in ("learned_reference", "learned_mixed"):
        r = results[name]
        print(f"{name}: {r['ms_per_note_rules_only']} ms/note rules only, {r['ms_per_note_learned']} ms/note with the "
              f"learned layer: +{100 * r['overhead']:.1f}% ({r['notes']} notes, fastest of 5 timings each)")
    for name, ok in results["targets"].items():
        print(f"  [{'PASS' if ok else 'FAIL'}] {name}")


def main() -> None:
    """Every measurement, the table and the targets (or, with ``--one``, a single extractor run)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=int, default=2000, help="reference-note variants")
    parser.add_argument("--mixed", type=int, default=20000, help="notes of the mixed export (speed)")
    parser.add_argument("--long", type=int, default=100000, help="notes of the mixed export (memory flatness)")
    parser.add_argument("--peer", type=int, default=60, help="notes for the medSpaCy peer (it is slow)")
    parser.add_argument("--learned", type=int, default=300, help="reference notes for the learned layer's overhead "
                        "(and ten times as many of the mixed export)")
    parser.add_argument("--out", default=str(HERE.parent / "build" / "bench.json"))
    parser.add_argument("--one", help=argparse.SUPPRESS)  # one extractor run, in a fresh process
    args = parser.parse_args()
    if args.one:
        return _one(args.one)

    reference = reference_variants(args.reference)
    mixed = mixed_export(args.mixed)
    results = {"reference_words": round(sum(len(t.split()) for t in reference) / len(reference))}
    results["cli_help"] = run_cli_help()
    results["tokenizer"] = run_tokenizer(reference)
    results["medspacy_peer"] = run_medspacy_peer(reference[: args.peer])
    results["extractor_1_worker"] = run_extractor_fresh("reference", args.reference, 1)
    results["extractor_2_workers"] = run_extractor_fresh("reference", args.reference, 2)
    results["mixed_1_worker"] = run_extractor_fresh("mixed", args.mixed, 1)
    results["mixed_2_workers"] = run_extractor_fresh("mixed", args.mixed, 2)
    results["mixed_no_gate_1_worker"] = run_extractor_fresh("mixed", max(1, args.mixed // 10), 1, gate=False)
    results["mixed_long_run"] = run_extractor_fresh("mixed_long", args.long, 1, rss_every=max(1, args.long // 10))
    results["worst_case"] = run_worst_case()
    results["learned_reference"] = run_learned_overhead(reference[: args.learned])
    results["learned_mixed"] = run_learned_overhead(mixed[: 10 * args.learned])
    results["driver_peak_rss_mb"] = round(_peak_rss_mb(), 1)
    results["targets"] = {name: bool(check(results)) for name, check in TARGETS}

    print_results(results)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=1))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
