"""Crashes and interrupts in a real process: every file is left old or new, never partial.

A `repair clean --in-place` run over many files is killed with SIGKILL at
several moments (the process group, so pool workers die too); afterwards every
file must be byte-identical to its original or to its cleaned version. A real
Ctrl-C (SIGINT to the process group, as a terminal sends it) must stop the run
with exit 130 and a summary, and ``--resume`` must finish the job.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from repair import clean_text
from repair.textio import TEMP_SUFFIX

ROOT = Path(__file__).resolve().parent.parent

PARAGRAPH = (
    "In this study we used counterfeit consciousness to fit an irregular woodland. "
    "The results of profound learning were compared with plain statistics, and the "
    "committee said the data are able to't support every claim made in the abstract. "
)


def make_corpus(root: Path, files: int, paragraphs: int) -> dict[str, bytes]:
    rng = random.Random(7)
    originals = {}
    for i in range(files):
        folder = root / f"batch {i % 4}"
        folder.mkdir(parents=True, exist_ok=True)
        body = "\n\n".join(PARAGRAPH + f"Note {rng.randint(0, 10**6)}." for _ in range(paragraphs))
        path = folder / f"file {i:03d}.txt"
        path.write_text(body, encoding="utf-8")
        originals[path.relative_to(root).as_posix()] = path.read_bytes()
    return originals


def start(*args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "repair", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: signals reach the workers too
        env=env,
        cwd=ROOT,
    )


def wait_for_changes(root: Path, originals: dict[str, bytes], proc: subprocess.Popen[bytes], at_least: int) -> int:
    """Poll (by size and mtime, cheaply) until ``at_least`` files were rewritten."""
    stats = {rel: (root / rel).stat() for rel in originals}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        changed = sum(
            1
            for rel, st in stats.items()
            if (now := (root / rel).stat()).st_mtime_ns != st.st_mtime_ns or now.st_ino != st.st_ino
        )
        if changed >= at_least or proc.poll() is not None:
            return changed
        time.sleep(0.01)
    pytest.fail("the run made no progress")


def check_old_or_new(root: Path, originals: dict[str, bytes]) -> tuple[int, int]:
    old = new = 0
    for rel, data in originals.items():
        now = (root / rel).read_bytes()
        if now == data:
            old += 1
            continue
        expected = clean_text(data.decode("utf-8")).text.encode("utf-8")
        assert now == expected, f"{rel} is neither the original nor the cleaned file"
        new += 1
    extra = [
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.relative_to(root).as_posix() not in originals
    ]
    # A killed writer may leave its hidden temporary file behind, never anything else.
    assert all(Path(name).name.startswith(".") and name.endswith(TEMP_SUFFIX) for name in extra), extra
    return old, new


@pytest.mark.parametrize(("jobs", "delay"), [("1", 0.0), ("1", 0.15), ("2", 0.05)])
def test_sigkill_during_in_place_leaves_every_file_old_or_new(tmp_path, jobs, delay):
    root = tmp_path / "corpus"
    originals = make_corpus(root, files=80, paragraphs=60)
    proc = start("clean", str(root), "--in-place", "--jobs", jobs, "--quiet")
    try:
        wait_for_changes(root, originals, proc, at_least=1)
        time.sleep(delay)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed: make the corpus larger"
    old, new = check_old_or_new(root, originals)
    assert new >= 1 and old >= 1


def test_ctrl_c_with_workers_stops_cleanly_and_resume_finishes(tmp_path):
    root = tmp_path / "corpus"
    originals = make_corpus(root, files=40, paragraphs=40)
    out, report = tmp_path / "out", tmp_path / "report"
    args = ("clean", str(root), "--out-dir", str(out), "--report", str(report), "--jobs", "2")
    proc = start(*args)
    try:
        manifest = report / "manifest.jsonl"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if manifest.exists() and manifest.read_bytes().count(b"\n") >= 3:
                break
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal does on Ctrl-C
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    text = stderr.decode()
    assert proc.returncode == 130, text
    assert "interrupted after" in text and "Traceback" not in text
    written = [p for p in out.rglob("*.txt")]
    assert 0 < len(written) < len(originals)
    for path in written:  # whatever was written is complete
        source = originals[path.relative_to(out).as_posix()]
        assert path.read_bytes() == clean_text(source.decode()).text.encode()

    resumed = subprocess.run(
        [sys.executable, "-m", "repair", *args, "--resume"],
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        check=False,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert b"done in an earlier run" in resumed.stderr
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.txt")) == sorted(originals)
    edits = (report / "edits.jsonl").read_bytes().splitlines()
    per_paragraph = len(clean_text(PARAGRAPH).edits)
    assert per_paragraph >= 3 and len(edits) == per_paragraph * 40 * 40  # every file's edits, each once
