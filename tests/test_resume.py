"""Resume from a sidecar checkpoint, clean stops on SIGTERM, per-note time limits, and worker
processes that die with their parent."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import load_split
from extractor.cli import main

ROOT = Path(__file__).resolve().parents[1]
NOTES = load_split("sample")


def extract(*args):
    return CliRunner().invoke(main, ["extract", *map(str, args)], catch_exceptions=False)


def ids_with_newlines(tmp_path, n=30):
    """A CSV export whose id and kept columns hold a line break followed by digits."""
    frame = pd.DataFrame({"note_id": [f"id{i}\n{900 + i},x" for i in range(n)],
                          "text": [NOTES[i % len(NOTES)]["text"] for i in range(n)],
                          "site": [f"ward\n{i}0,1" for i in range(n)]})
    path = tmp_path / "in.csv"
    frame.to_csv(path, index=False)
    return path


def interrupt_on_write(monkeypatch, writer_class, after):
    """The writer raises KeyboardInterrupt (Ctrl-C) on its ``after``-th batch."""
    real = writer_class.write
    calls = {"n": 0}

    def write(self, records):
        calls["n"] += 1
        if calls["n"] == after:
            raise KeyboardInterrupt
        real(self, records)

    monkeypatch.setattr(writer_class, "write", write)
    return real


def test_csv_resume_is_exact_with_line_breaks_in_ids_and_kept_columns(tmp_path, monkeypatch):
    from extractor.outputs import CsvWriter

    src = ids_with_newlines(tmp_path, n=150)
    full = tmp_path / "full.csv"
    assert extract(src, "-o", full, "--keep-cols", "site", "--workers", 1).exit_code == 0
    out = tmp_path / "out.csv"
    real = interrupt_on_write(monkeypatch, CsvWriter, after=2)
    first = CliRunner().invoke(main, ["extract", str(src), "-o", str(out), "--keep-cols", "site", "--workers", "1"])
    assert first.exit_code == 130, first.output
    with open(out, "ab") as fh:
        fh.write(b'64,"id64\n964,x",ok,,222')  # a killed writer's partial tail
    monkeypatch.setattr(CsvWriter, "write", real)
    second = extract(src, "-o", out, "--keep-cols", "site", "--workers", 1, "--resume")
    assert second.exit_code == 0, second.output
    assert out.read_bytes() == full.read_bytes()


def test_resume_is_refused_when_input_columns_or_keep_cols_differ(tmp_path):
    src = ids_with_newlines(tmp_path, n=4)
    out = tmp_path / "out.jsonl"
    assert extract(src, "-o", out, "--keep-cols", "site", "--workers", 1).exit_code == 0
    changed_keep = CliRunner().invoke(main, ["extract", str(src), "-o", str(out), "--resume", "--workers", "1"])
    assert changed_keep.exit_code != 0 and "--keep-cols" in changed_keep.output
    changed_col = CliRunner().invoke(main, ["extract", str(src), "-o", str(out), "--resume", "--keep-cols", "site",
                                            "--text-col", "text", "--id-col", "site", "--workers", "1"])
    assert changed_col.exit_code != 0 and "--id-col" in changed_col.output
    with open(src, "a") as fh:
        fh.write('x,"PSO at L3",y\n')
    changed_input = CliRunner().invoke(main, ["extract", str(src), "-o", str(out), "--resume", "--keep-cols", "site",
                                              "--workers", "1"])
    assert changed_input.exit_code != 0 and "in.csv" in changed_input.output and "changed" in changed_input.output
    no_checkpoint = tmp_path / "other.jsonl"
    no_checkpoint.write_text("")
    refused = CliRunner().invoke(main, ["extract", str(src), "-o", str(no_checkpoint), "--resume"])
    assert refused.exit_code != 0 and "checkpoint" in refused.output


def _jsonl_source(tmp_path, n):
    rows = [{"note_id": f"n{i}", "text": NOTES[i % len(NOTES)]["text"]} for i in range(n)]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return src


def _wait_for(path, size, proc, seconds=120):
    deadline = time.time() + seconds
    while time.time() < deadline and (not path.exists() or path.stat().st_size < size):
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        time.sleep(0.05)


def _default_sigint():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("workers,target", [("1", "run"), ("2", "run"), ("2", "one worker")])
def test_sigterm_stops_cleanly_with_130_and_resume_redoes_the_note(tmp_path, workers, target):
    src = _jsonl_source(tmp_path, 300)
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "extractor.cli", "extract", str(src), "-o", str(out), "--workers", workers,
           "--no-progress"]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, cwd=ROOT, preexec_fn=_default_sigint)
    _wait_for(out, 5000, proc)
    if target == "run":
        proc.send_signal(signal.SIGTERM)
    else:
        os.kill(_children(proc.pid)[0], signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err.decode()[-800:]
    written = [json.loads(line) for line in out.read_text().splitlines()]
    assert all("_Interrupted" not in (r["error"] or "") for r in written)
    subprocess.run(cmd + ["--resume"], check=True, capture_output=True, cwd=ROOT)
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["row"] for r in records] == list(range(300))
    assert all(r["status"] == "ok" for r in records)


def _children(pid):
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_workers_die_with_a_killed_parent_and_resume_gives_identical_output(tmp_path):
    src = _jsonl_source(tmp_path, 500)
    full = tmp_path / "full.jsonl"
    base = [sys.executable, "-m", "extractor.cli", "extract", str(src), "--workers", "2", "--no-progress"]
    subprocess.run(base + ["-o", str(full)], check=True, capture_output=True, cwd=ROOT)
    out = tmp_path / "out.jsonl"
    # a parent in its own session, so that its orphaned workers cannot be reaped by this test
    proc = subprocess.Popen(base + ["-o", str(out)], stderr=subprocess.PIPE, cwd=ROOT, start_new_session=True)
    _wait_for(out, 20000, proc)
    workers = _children(proc.pid)
    assert len(workers) >= 2
    proc.kill()
    proc.wait()
    deadline = time.time() + 20
    while time.time() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.1)
    survivors = [w for w in workers if _alive(w)]
    for w in survivors:
        os.kill(w, signal.SIGKILL)
    assert survivors == []
    subprocess.run(base + ["-o", str(out), "--resume"], check=True, capture_output=True, cwd=ROOT)
    assert out.read_bytes() == full.read_bytes()


# ------------------------------------------------------------------ per-note time limit


def _slow_on(marker):
    from extractor.pipeline import Extractor

    real = Extractor.extract

    def extract_(self, text, note_id=None):
        if isinstance(text, str) and marker in text:
            while True:  # a runaway note
                time.sleep(0.01)
        return real(self, text, note_id)

    return extract_


@pytest.mark.parametrize("workers", [1, 2])
def test_runaway_note_becomes_an_error_record_and_the_batch_goes_on(tmp_path, monkeypatch, workers):
    from extractor.pipeline import Extractor

    monkeypatch.setattr(Extractor, "extract", _slow_on("RUNAWAY"))
    rows = [{"note_id": f"t{i}", "text": ("RUNAWAY " if i in (1, 3) else "") + NOTES[i % len(NOTES)]["text"]}
            for i in range(6)]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "out.jsonl"
    result = extract(src, "-o", out, "--workers", workers, "--note-timeout", "0.5")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["status"] for r in records] == ["ok", "error", "ok", "error", "ok", "ok"]
    assert records[1]["error"].startswith("note took too long") and "RUNAWAY" not in records[1]["error"]
