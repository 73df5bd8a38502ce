"""Run one command and report its wall time and peak memory as JSON.

    python benchmarks/measure.py STATS.json -- COMMAND [ARGS...]

Why a separate small process: ``ru_maxrss`` is a high-water mark that survives
``exec``, so a job forked straight from the benchmark runner (which holds corpora,
thesauri and lexicons) would report the runner's size, not its own. This launcher
is a fresh, small interpreter; the command is its only child, so
``getrusage(RUSAGE_CHILDREN)`` afterwards is the peak of the processes it waited for.

That misses ``--jobs`` workers: they are children of multiprocessing's fork
server, which nobody waits for, so a 2-worker job used to report only its small
parent process. On Linux the launcher therefore also reads the whole process
tree's ``/proc/PID/status`` every ``POLL_S`` seconds: each process's own
high-water mark (``VmHWM``), and the sum of their resident sizes (``VmRSS``) at
each poll. ``peak_rss_mb`` is the largest single process, ``peak_tree_mb`` the
largest sum (an upper bound on the job's memory: forked workers share pages).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

POLL_S = 0.5
PROC = Path("/proc")


def descendants(root: int) -> list[int]:
    """``root`` and every process below it, from each process's parent id in ``/proc/PID/stat``."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # it exited while we looked
        # The command name (field 2) is in parentheses and may hold spaces: split after it.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def memory_kb(pid: int) -> tuple[int, int]:
    """(VmHWM, VmRSS) of one process in KiB; zeros once it has gone."""
    peak = now = 0
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1])
            elif line.startswith("VmRSS:"):
                now = int(line.split()[1])
    except OSError:
        pass
    return peak, now


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    stats_path, command = Path(argv[0]), argv[2:]
    started = time.perf_counter()
    process = subprocess.Popen(command)
    largest = tree = 0  # KiB
    watch = PROC.is_dir()
    while True:
        try:
            code = process.wait(timeout=POLL_S if watch else None)
            break
        except subprocess.TimeoutExpired:
            pass
        sizes = [memory_kb(pid) for pid in descendants(process.pid)]
        largest = max(largest, *(peak for peak, _ in sizes))
        tree = max(tree, sum(now for _, now in sizes))
    wall = time.perf_counter() - started
    waited = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    per_mb = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    peak = max(waited / per_mb, largest / 1024)
    stats = {"returncode": code, "wall_s": wall, "peak_rss_mb": peak, "peak_tree_mb": max(tree / 1024, peak)}
    stats_path.write_text(json.dumps(stats), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
