"""Run one command and report its wall time and peak memory as JSON.

    python benchmarks/measure.py STATS.json -- COMMAND [ARGS...]

Why a separate small process: ``ru_maxrss`` is a high-water mark that survives
``exec``, so a job forked straight from the benchmark runner (which holds corpora,
thesauri and lexicons) would report the runner's size, not its own. This launcher
is a fresh, small interpreter; the command is its only child, so
``getrusage(RUSAGE_CHILDREN)`` afterwards is the peak of the command's process
tree (the largest single process in it, e.g. the largest ``--jobs`` worker).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    stats_path, command = Path(argv[0]), argv[2:]
    started = time.perf_counter()
    code = subprocess.call(command)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    per_mb = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    stats = {"returncode": code, "wall_s": wall, "peak_rss_mb": peak / per_mb}
    stats_path.write_text(json.dumps(stats), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
