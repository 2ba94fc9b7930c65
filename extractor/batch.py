"""Batch runs over note exports: one pipeline per worker process, plain-dict results, output in input
order, exactly one output record per input record, resumable, with progress and a summary.

No note text ever reaches a log line or an error message: only ids, row numbers and reasons.
"""
from __future__ import annotations

import hashlib
import os
import signal
import sys
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice

from tqdm import tqdm

from .inputs import InputRecord
from .settings import Settings

BATCH_SIZE = 64
_WORKER = None  # the extractor of this worker process


@dataclass
class RunSummary:
    counts: Counter = field(default_factory=Counter)
    duplicates: int = 0
    generated_ids: int = 0
    seconds: float = 0.0
    first_output_seconds: float | None = None  # start-up: loading the pipeline(s), first batch
    first_batch: int = 0
    resumed_from: int = 0
    interrupted: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def steady_rate(self) -> float:
        """Notes per second after the first batch, i.e. without pipeline start-up."""
        if self.first_output_seconds is None or self.seconds <= self.first_output_seconds:
            return 0.0
        return (self.total - self.first_batch) / (self.seconds - self.first_output_seconds)

    def line(self) -> str:
        rate = self.total / self.seconds if self.seconds else 0.0
        text = (f"{self.total} notes: {self.counts['ok']} ok, {self.counts['error']} error, "
                f"{self.counts['skipped']} skipped; {self.duplicates} duplicate ids flagged, "
                f"{self.generated_ids} ids generated; {self.seconds:.1f} s ({rate:.0f} notes/s)")
        if self.resumed_from:
            text += f"; resumed after row {self.resumed_from - 1}"
        return text + ("; INTERRUPTED, run again with --resume" if self.interrupted else "")


def _init_worker(settings: dict, triage: bool, gate: bool) -> None:
    global _WORKER
    from . import load

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and shuts the pool down
    _WORKER = load(Settings.from_dict(settings), triage=triage, gate=gate)


def _extract_batch(items: list[tuple[int, str, str | bytes | None]]) -> list[dict]:
    return [_WORKER.extract(text, note_id) for _, note_id, text in items]


def _peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Interrupted(Exception):
    pass


def _raise_interrupt(signum, frame):  # SIGTERM behaves like Ctrl-C: finish cleanly
    raise _Interrupted()


class BatchRunner:
    """Feeds input records to the extractor (in-process or in worker processes) and writes results."""

    def __init__(self, settings: Settings, workers: int = 1, triage: bool = True, gate: bool = True,
                 batch_size: int = BATCH_SIZE, progress: bool | None = None, log_every: float = 10.0,
                 total: int | None = None):
        self.settings = settings
        self.workers = max(1, workers)
        self.triage = triage
        self.gate = gate
        self.batch_size = batch_size
        self.progress = sys.stderr.isatty() if progress is None else progress
        self.log_every = log_every
        self.total = total  # for the progress bar's ETA, when known
        self.worker_rss_mb: list[float] = []

    def _prepare(self, records: Iterable[InputRecord], seen: set, summary: RunSummary
                 ) -> Iterator[tuple[InputRecord, list[str]]]:
        """Fill in missing ids (stable: from the row number) and flag duplicate ids."""
        for rec in records:
            flags = []
            if rec.note_id is None or not str(rec.note_id).strip():
                rec.note_id = f"row-{rec.row + 1}"
                flags.append("generated_note_id")
                summary.generated_ids += 1
            key = hashlib.blake2b(str(rec.note_id).encode("utf-8", "surrogatepass"), digest_size=8).digest()
            if key in seen:
                flags.append("duplicate_note_id")
                summary.duplicates += 1
            seen.add(key)
            yield rec, flags

    def run(self, records: Iterable[InputRecord], writer, skip_rows: int = 0) -> RunSummary:
        from .flags import flag_record

        summary = RunSummary(resumed_from=skip_rows)
        seen: set[bytes] = set()
        start = time.perf_counter()
        prepared = self._prepare(records, seen, summary)
        if skip_rows:
            for _ in islice(prepared, skip_rows):
                pass
        bar = tqdm(desc="notes", unit="note", file=sys.stderr, disable=not self.progress, smoothing=0.05,
                   total=self.total, initial=skip_rows)
        last_log = [start]
        previous_handler = signal.signal(signal.SIGTERM, _raise_interrupt)

        def emit(batch: list[tuple[InputRecord, list[str]]], results: list[dict]) -> None:
            out = []
            for (rec, flags), result in zip(batch, results):
                result = dict(result, note_id=rec.note_id)
                result["flags"] = [flag_record(f) for f in flags] + result["flags"]
                out.append({"row": rec.row, **result, "extra": rec.extra})
                summary.counts[result["status"]] += 1
            writer.write(out)
            bar.update(len(out))
            now = time.perf_counter()
            if summary.first_output_seconds is None:
                summary.first_output_seconds, summary.first_batch = now - start, len(out)
            if not self.progress and self.log_every and now - last_log[0] >= self.log_every:
                last_log[0] = now  # plain periodic lines when stderr is not a terminal (ids never, text never)
                print(f"processed {summary.total} notes ({summary.total / (now - start):.0f} notes/s)",
                      file=sys.stderr, flush=True)

        try:
            if self.workers == 1:
                self._run_inline(prepared, emit)
            else:
                self._run_pool(prepared, emit)
        except (KeyboardInterrupt, _Interrupted):
            summary.interrupted = True
        finally:
            signal.signal(signal.SIGTERM, previous_handler)
            bar.close()
            writer.close()
            summary.seconds = time.perf_counter() - start
        return summary

    def _batches(self, prepared: Iterator) -> Iterator[list]:
        while batch := list(islice(prepared, self.batch_size)):
            yield batch

    def _split(self, batch: list) -> tuple[list[tuple[int, str, object]], dict[int, dict]]:
        """Rows the extractor should see, and the error records of rows that could not be read."""
        work, errors = [], {}
        for i, (rec, _) in enumerate(batch):
            if rec.problem:
                errors[i] = {"note_id": rec.note_id, "status": "error", "error": rec.problem,
                             "suggestions": [], "flags": [], "facts": None}
            else:
                work.append((i, rec.note_id, rec.text))
        return work, errors

    @staticmethod
    def _merge(batch: list, work: list, results: list[dict], errors: dict[int, dict]) -> list[dict]:
        by_index = {i: r for (i, _, _), r in zip(work, results)}
        return [errors.get(i) or by_index[i] for i in range(len(batch))]

    def _run_inline(self, prepared: Iterator, emit) -> None:
        from . import load

        extractor = load(self.settings, triage=self.triage, gate=self.gate)
        for batch in self._batches(prepared):
            work, errors = self._split(batch)
            results = [extractor.extract(text, note_id) for _, note_id, text in work]
            emit(batch, self._merge(batch, work, results, errors))
        self.worker_rss_mb = [_peak_rss_mb()]

    def _run_pool(self, prepared: Iterator, emit) -> None:
        """A bounded window of batches in flight keeps memory flat and the output in order."""
        with ProcessPoolExecutor(self.workers, initializer=_init_worker,
                                 initargs=(self.settings.to_dict(), self.triage, self.gate)) as pool:
            window: deque = deque()
            batches = self._batches(prepared)
            try:
                for batch in batches:
                    work, errors = self._split(batch)
                    window.append((batch, work, errors, pool.submit(_extract_batch, work)))
                    if len(window) >= 2 * self.workers:
                        b, w, e, future = window.popleft()
                        emit(b, self._merge(b, w, future.result(), e))
                while window:
                    b, w, e, future = window.popleft()
                    emit(b, self._merge(b, w, future.result(), e))
                self.worker_rss_mb = _pool_rss(pool)
            except BaseException:
                for *_, future in window:
                    future.cancel()
                raise


def _pool_rss(pool: ProcessPoolExecutor) -> list[float]:
    """Peak RSS of each worker process (read from /proc while the workers are alive)."""
    sizes = []
    for pid in list(getattr(pool, "_processes", {}) or {}):
        try:
            with open(f"/proc/{pid}/status") as fh:
                sizes += [int(line.split()[1]) / 1024 for line in fh if line.startswith("VmHWM:")]
        except OSError:
            continue
    return sizes


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class RecordCollector:
    """A writer that keeps the records in memory (for --table and notebooks), and passes them on
    to another writer when given one."""

    def __init__(self, inner=None):
        self.inner, self.records = inner, []

    def write(self, records: list[dict]) -> None:
        self.records += records
        if self.inner:
            self.inner.write(records)

    def close(self) -> None:
        if self.inner:
            self.inner.close()


def extract_records(notes: Iterable[tuple[str | None, str | bytes | None]], workers: int = 1,
                    settings: Settings | None = None, gate: bool = True) -> tuple[list[dict], RunSummary]:
    """The batch runner for notebooks and scripts: (note_id, text) pairs in, output records (as in
    the JSONL output) and the run summary out. Keeps every record in memory: for exports that do
    not fit, use ``opnote extract`` or ``extractor.spark``."""
    collector = RecordCollector()
    records = (InputRecord(i, note_id, text) for i, (note_id, text) in enumerate(notes))
    runner = BatchRunner(settings or Settings.load(), workers=workers, gate=gate, progress=False)
    summary = runner.run(records, collector)
    return collector.records, summary

