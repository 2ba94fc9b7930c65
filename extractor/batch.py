"""Batch runs over note exports: one pipeline per worker process, plain-dict results, output in input
order, exactly one output record per input record, resumable, with progress and a summary.

No note text ever reaches a log line or an error message: only ids, row numbers and reasons.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
import signal
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice

from tqdm import tqdm

from .flags import Flag
from .inputs import InputRecord
from .outputs import OutputError
from .settings import Settings

BATCH_SIZE = 64
NOTE_TIMEOUT = 10.0  # seconds; a note still running then becomes an error record
_PR_SET_PDEATHSIG = 1
_WORKER = None  # the extractor of this worker process
_NOTE_TIMEOUT: float | None = None
_BUSY = False  # a worker is extracting a batch
_TERM_PENDING = False  # a worker got SIGTERM while idle


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
    failure: str | None = None  # why the run stopped early (an input or the output failed)

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
        if self.failure:
            text += "; STOPPED EARLY (see the error below)"
        return text + ("; INTERRUPTED, run again with --resume" if self.interrupted else "")


def _init_worker(settings: dict, triage: bool, gate: bool, note_timeout: float | None, parent: int) -> None:
    global _WORKER, _NOTE_TIMEOUT
    from . import load

    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and shuts the pool down
    signal.signal(signal.SIGTERM, _worker_sigterm)  # the batch fails with _Interrupted: the parent stops cleanly
    _WORKER = load(Settings.from_dict(settings), triage=triage, gate=gate)
    _NOTE_TIMEOUT = note_timeout


def _die_with_parent(parent: int) -> None:
    """A worker must not outlive its parent (kill -9 leaves no one to shut the pool down): the
    kernel kills it when the parent dies (Linux), or a thread watching the parent does."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent:  # the parent died before prctl took effect
                os._exit(1)
            return
    except (OSError, AttributeError):
        pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="opnote-parent-watch", daemon=True).start()


def _worker_sigterm(signum, frame) -> None:
    """SIGTERM to a worker: interrupt its batch, or, when it is idle (waiting for work, where an
    exception would kill it), the next one. Either way the parent stops cleanly."""
    global _TERM_PENDING
    if _BUSY:
        raise _Interrupted()
    _TERM_PENDING = True


def _extract_batch(items: list[tuple[int, str, str | bytes | None]]) -> list[dict]:
    global _BUSY
    if _TERM_PENDING:
        raise _Interrupted()
    _BUSY = True
    try:
        return [extract_with_limit(_WORKER, text, note_id, _NOTE_TIMEOUT) for _, note_id, text in items]
    finally:
        _BUSY = False


class NoteTimeout(BaseException):
    """Raised into a runaway note's extraction by SIGALRM (a BaseException: the extractor's own
    ``except Exception`` must not turn it into an internal error)."""


def _raise_timeout(signum, frame):
    raise NoteTimeout()


def extract_with_limit(extractor, text, note_id: str | None, seconds: float | None) -> dict:
    """``extractor.extract`` with a time limit (SIGALRM; in the main thread of a process, which a
    worker process and the CLI are). A note over the limit becomes an error record and the process
    goes on with the next one."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        return extractor.extract(text, note_id)
    previous = signal.signal(signal.SIGALRM, _raise_timeout)
    try:
        try:
            # repeated until disarmed: an exception raised while Python runs a __del__ is dropped
            signal.setitimer(signal.ITIMER_REAL, seconds, min(seconds, 1.0))
            return extractor.extract(text, note_id)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    except NoteTimeout:
        return {"note_id": note_id, "status": "error", "error": f"note took too long (more than {seconds:g} s)",
                "suggestions": [], "flags": [], "facts": None}


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


class _Interrupted(BaseException):
    """SIGTERM, handled like Ctrl-C (a BaseException, so that no ``except Exception`` can turn it
    into an internal error of the note in progress)."""


@lru_cache(maxsize=1)
def _inline_extractor(settings: Settings, triage: bool, gate: bool):
    """One pipeline per process for in-process runs (notebooks run many; building one takes a second)."""
    from . import load

    return load(settings, triage=triage, gate=gate)


class BatchRunner:
    """Feeds input records to the extractor (in-process or in worker processes) and writes results."""

    def __init__(self, settings: Settings, workers: int = 1, triage: bool = True, gate: bool = True,
                 batch_size: int = BATCH_SIZE, progress: bool | None = None, log_every: float = 10.0,
                 total: int | Callable[[], int | None] | None = None, note_timeout: float | None = NOTE_TIMEOUT):
        if workers < 1 or batch_size < 1:
            raise ValueError("workers and batch_size must be at least 1")
        self.settings = settings
        self.workers = workers
        self.triage = triage
        self.gate = gate
        self.batch_size = batch_size
        self.progress = sys.stderr.isatty() if progress is None else progress
        self.log_every = log_every
        self.total = total  # for the progress bar's ETA: a number, or a function re-estimating it
        self.note_timeout = note_timeout
        self.worker_rss_mb: list[float] = []

    def _prepare(self, records: Iterable[InputRecord], seen: set, summary: RunSummary
                 ) -> Iterator[tuple[InputRecord, list[str]]]:
        """Fill in missing ids (stable: from the row number) and flag duplicate ids."""
        for rec in records:
            flags = []
            if rec.note_id is None or not str(rec.note_id).strip():
                rec.note_id = f"row-{rec.row + 1}"
                flags.append(Flag.generated_note_id)
                summary.generated_ids += 1
            key = hashlib.blake2b(str(rec.note_id).encode("utf-8", "surrogatepass"), digest_size=8).digest()
            if key in seen:
                flags.append(Flag.duplicate_note_id)
                summary.duplicates += 1
            seen.add(key)
            yield rec, flags + [f for f in rec.flags if f not in flags]

    def _estimate(self) -> int | None:
        return self.total() if callable(self.total) else self.total

    def run(self, records: Iterable[InputRecord], writer, skip_rows: int = 0) -> RunSummary:
        from .flags import flag_record

        summary = RunSummary(resumed_from=skip_rows)
        seen: set[bytes] = set()
        start = time.perf_counter()
        prepared = self._prepare(records, seen, summary)
        bar = tqdm(desc="notes", unit="note", file=sys.stderr, disable=not self.progress, smoothing=0.05,
                   total=None, initial=skip_rows)
        last_log = [start]
        previous_handlers = self._catch_stop_signals()

        def emit(batch: list[tuple[InputRecord, list[str]]], results: list[dict]) -> None:
            self._check_stop()
            out = []
            for (rec, flags), result in zip(batch, results):
                result = dict(result, note_id=rec.note_id)
                known = {f["id"] for f in result["flags"]}
                result["flags"] = [flag_record(f) for f in flags if f not in known] + result["flags"]
                out.append({"row": rec.row, **result, "extra": rec.extra})
            writer.write(out)
            for record in out:
                summary.counts[record["status"]] += 1
            bar.total = self._estimate() if self.progress else None
            bar.update(len(out))
            now = time.perf_counter()
            if summary.first_output_seconds is None:
                summary.first_output_seconds, summary.first_batch = now - start, len(out)
            if not self.progress and self.log_every and now - last_log[0] >= self.log_every:
                last_log[0] = now  # plain periodic lines when stderr is not a terminal (ids never, text never)
                print(f"processed {summary.total} notes ({summary.total / (now - start):.0f} notes/s)",
                      file=sys.stderr, flush=True)

        try:
            self._drive(prepared, emit, skip_rows, summary)
        finally:
            for signum, handler in previous_handlers.items():
                signal.signal(signum, handler)
            bar.close()
            try:
                writer.close()
            except OutputError as exc:
                summary.failure = summary.failure or str(exc)
            summary.seconds = time.perf_counter() - start
        return summary

    def _drive(self, prepared, emit, skip_rows: int, summary: RunSummary) -> None:
        """Run the prepared records through the workers; a stop or a lost worker ends the run with what
        is written so far, recorded in ``summary``."""
        try:
            if skip_rows:
                for _ in islice(prepared, skip_rows):
                    pass
            if self.workers == 1:
                self._run_inline(prepared, emit)
            else:
                self._run_pool(prepared, emit)
        except (KeyboardInterrupt, _Interrupted):
            summary.interrupted = True
        except OutputError as exc:
            summary.failure = str(exc)
        except BrokenExecutor:
            summary.failure = ("a worker process ended unexpectedly (killed, or out of memory?); finished rows are "
                               "written: run again with --resume")

    def _catch_stop_signals(self) -> dict:
        """SIGTERM, and Ctrl-C unless it is ignored (nohup), stop the run cleanly. The handler also
        records the request: an exception raised while Python runs a ``__del__`` is dropped, so the
        runner checks the record between batches too."""
        self._stop_requested = False
        if threading.current_thread() is not threading.main_thread():
            return {}

        def stop(signum, frame):
            self._stop_requested = True
            raise KeyboardInterrupt() if signum == signal.SIGINT else _Interrupted()

        previous = {signal.SIGTERM: signal.signal(signal.SIGTERM, stop)}
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            previous[signal.SIGINT] = signal.signal(signal.SIGINT, stop)
        return previous

    def _check_stop(self) -> None:
        if getattr(self, "_stop_requested", False):
            raise _Interrupted()

    def _batches(self, prepared: Iterator) -> Iterator[list]:
        while batch := list(islice(prepared, self.batch_size)):
            self._check_stop()
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
        extractor = _inline_extractor(self.settings, self.triage, self.gate)
        for batch in self._batches(prepared):
            work, errors = self._split(batch)
            results = [extract_with_limit(extractor, text, note_id, self.note_timeout) for _, note_id, text in work]
            emit(batch, self._merge(batch, work, results, errors))
        self.worker_rss_mb = [_peak_rss_mb()]

    def _run_pool(self, prepared: Iterator, emit) -> None:
        """A bounded window of batches in flight keeps memory flat and the output in order."""
        initargs = (self.settings.to_dict(), self.triage, self.gate, self.note_timeout, os.getpid())
        with ProcessPoolExecutor(self.workers, initializer=_init_worker, initargs=initargs) as pool:
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

