"""Build (or load) the inverted thesaurus index into the cache folder, so first use is instant.

Run once after installing the thesauri (the Makefile's install step can call it)::

    python tools/build_index.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from repair.inverse import default_index, index_path


def main() -> int:
    start = time.perf_counter()
    index = default_index()
    if index is None:
        print("no thesaurus installed: nothing to build", file=sys.stderr)
        return 1
    print(f"{len(index):,} spun forms in {index_path()} ({time.perf_counter() - start:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
