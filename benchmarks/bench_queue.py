"""Review queue benchmark (`make bench`, or `make bench-queue` alone): 100,000 queued notes on
SQLite, the app served by uvicorn in its own process, 4 concurrent logged-in clients requesting
worklist pages (random filters and sorts, then following "next" for long walks that reach deep
pages) and note pages (random notes). Targets: worklist and note pages under 150 ms at the 95th percentile. Also reports the
load rate of `opnote queue load`'s loader. Prints a table and writes build/bench_queue.json.

The queue is built once in build/bench-queue.sqlite3 and reused while it holds the requested
number of notes (`--rebuild` forces a new one). Notes are the sample corpus's results under new
ids, with confidences and flags varied (seeded) so the filters select realistic shares.
"""
from __future__ import annotations

import argparse
import copy
import html
import json
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"
TARGET_MS = 150.0
NEXT_LINK = re.compile(r'id="next-page" href="([^"]+)"')
USER, PASSWORD = "bench", "bench-password"
FILTERS = [{}, {"status": "new"}, {"flagged": "1"}, {"code": "22207"}, {"family": "posterior"}, {"band": "low"},
           {"sort": "confidence"}, {"sort": "newest"}, {"status": "completed", "sort": "confidence_desc"},
           {"code": "22843", "band": "high"}]


def sample_pairs() -> list[tuple[dict, str]]:
    """The sample corpus's results and texts (extracted once, cached in build/)."""
    results = BUILD / "bench-queue-sample.jsonl"
    notes = ROOT / "corpora" / "sample" / "notes"
    if not results.exists():
        subprocess.run([sys.executable, "-m", "extractor.cli", "extract", str(notes), "-o", str(results)],
                       check=True, cwd=ROOT)
    records = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]
    return [(r, (notes / f"{r['note_id']}.txt").read_text(encoding="utf-8")) for r in records]


def build_queue(db: Path, count: int) -> dict:
    from sqlalchemy import func, select, update

    from extractor.review import auth
    from extractor.review.db import open_database
    from extractor.review.loading import CHUNK, Loader, LoadSummary
    from extractor.review.models import Batch, Note

    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    engine, factory = open_database(str(db))
    base, rng, summary = sample_pairs(), random.Random(12), LoadSummary()
    started = time.perf_counter()
    with factory() as session:
        batch = Batch(name="bench", loaded_by="bench", counts={})
        session.add(batch)
        session.commit()
        loader = Loader(session, batch, "bench", summary)
        for start in range(0, count, CHUNK):
            chunk = []
            for n in range(start, min(count, start + CHUNK)):
                record, text = base[n % len(base)]
                record = copy.deepcopy(record) | {"note_id": f"bench-{n:06d}"}
                for s in record["suggestions"]:
                    s["confidence"] = rng.choice([0.95, 0.95, 0.855, 0.7, 0.63])
                chunk.append((record, text))
            loader.load_chunk(chunk)
        seconds = time.perf_counter() - started
        # A realistic mix: some notes completed or in progress.
        session.execute(update(Note).where(Note.id % 10 == 0).values(status="completed"))
        session.execute(update(Note).where(Note.id % 20 == 1).values(status="in_progress"))
        auth.add_user(session, USER, PASSWORD, "admin")
        assert session.scalar(select(func.count()).select_from(Note)) == count
    engine.dispose()
    return {"notes": count, "load_seconds": round(seconds, 1), "load_notes_per_s": round(count / seconds)}


def queue_size(db: Path) -> int:
    import sqlite3

    if not db.exists():
        return -1
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT count(*) FROM notes").fetchone()[0]
    except sqlite3.Error:
        return -1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "extractor.cli", "serve", "--db", str(db), "--port", str(port)],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            httpx.get(f"http://127.0.0.1:{port}/login", timeout=1)
            return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("the server did not start")


def client(base: str) -> httpx.Client:
    http = httpx.Client(base_url=base, timeout=30)
    page = http.get("/login").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = http.post("/login", data={"username": USER, "password": PASSWORD, "csrf_token": token})
    if response.status_code != 303:
        raise RuntimeError(f"login failed: HTTP {response.status_code}")
    return http


def run_clients(base: str, clients: int, per_client: int, notes: int) -> dict[str, list[float]]:
    latencies: dict[str, list[float]] = {"worklist": [], "note": []}
    lock = threading.Lock()

    def work(seed: int) -> None:
        rng, http = random.Random(seed), client(base)
        next_page = None
        for n in range(per_client + 10):
            if n % 2:
                kind, url, params = "note", f"/notes/{rng.randint(1, notes)}", None
            elif next_page and rng.random() < 0.9:  # a coder paging on: long walks reach deep pages
                kind, url, params = "worklist", next_page, None
            else:
                kind, url, params = "worklist", "/", rng.choice(FILTERS)
            started = time.perf_counter()
            response = http.get(url, params=params)
            elapsed = (time.perf_counter() - started) * 1000
            response.raise_for_status()
            if kind == "worklist":
                found = NEXT_LINK.search(response.text)
                next_page = html.unescape(found.group(1)) if found else None
            if n >= 10:  # the first requests warm the server's caches
                with lock:
                    latencies[kind].append(elapsed)
        http.close()

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=400, help="requests per client (half worklist, half note)")
    parser.add_argument("--rebuild", action="store_true", help="build the queue database anew")
    args = parser.parse_args()
    BUILD.mkdir(exist_ok=True)
    db = BUILD / "bench-queue.sqlite3"
    load = None
    if args.rebuild or queue_size(db) != args.notes:
        print(f"building a queue of {args.notes:,} notes in {db} ...", flush=True)
        load = build_queue(db, args.notes)
        print(f"loaded {load['notes']:,} notes in {load['load_seconds']} s ({load['load_notes_per_s']:,} notes/s)")
    port = free_port()
    server = start_server(db, port)
    try:
        started = time.perf_counter()
        latencies = run_clients(f"http://127.0.0.1:{port}", args.clients, args.requests, args.notes)
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(10)
    rows, ok = [], True
    print(f"\n{args.notes:,} queued notes, SQLite, {args.clients} concurrent clients, {wall:.1f} s")
    print(f"{'page':<10} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}  target")
    for kind, values in latencies.items():
        row = {"page": kind, "requests": len(values), "p50_ms": round(statistics.median(values), 1),
               "p95_ms": round(percentile(values, 0.95), 1), "p99_ms": round(percentile(values, 0.99), 1),
               "max_ms": round(max(values), 1)}
        row["pass"] = row["p95_ms"] < TARGET_MS
        ok &= row["pass"]
        rows.append(row)
        print(f"{kind:<10} {row['requests']:>8} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['p99_ms']:>8} "
              f"{row['max_ms']:>8}  p95 < {TARGET_MS:.0f} ms {'PASS' if row['pass'] else 'FAIL'}")
    total = sum(len(v) for v in latencies.values())
    print(f"throughput: {total / wall:.0f} pages/s")
    report = {"notes": args.notes, "clients": args.clients, "pages": rows, "pages_per_s": round(total / wall),
              "load": load}
    (BUILD / "bench_queue.json").write_text(json.dumps(report, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
