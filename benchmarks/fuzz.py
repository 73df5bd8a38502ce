"""Long Hypothesis run of the text pipeline's safety properties (black's ``scripts/fuzz.py`` idea).

    python benchmarks/fuzz.py                 # 10,000 examples per property
    python benchmarks/fuzz.py --examples 50000 --seed 1

Properties (see ``tests/fuzzing.py``): nothing raises; every byte outside the
applied edits is unchanged and the output is the input with the edits spliced
in, in the file's own encoding; cleaning again changes nothing (idempotence);
a streamed file gives the same edits as the whole file. The test suite runs the
same properties with a few hundred examples. Exits non-zero on the first
falsified property, printing the minimal failing example.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fuzzing import check_bytes, check_streamed, check_text, encode_for_test, encodings, texts, words  # noqa: E402
from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def run(examples: int, random_seed: int) -> list[tuple[str, int, float]]:
    common = dict(deadline=None, database=None, suppress_health_check=list(HealthCheck), print_blob=True)
    timings = []

    @seed(random_seed)
    @settings(max_examples=examples, **common)
    @given(texts())
    def text_properties(text: str) -> None:
        check_text(text)

    @seed(random_seed)
    @settings(max_examples=examples, **common)
    @given(texts(), encodings())
    def file_properties(text: str, encoding: str) -> None:
        check_bytes(encode_for_test(text, encoding))

    folder = Path(tempfile.mkdtemp(prefix="repair-fuzz-"))

    @seed(random_seed)
    @settings(max_examples=max(100, examples // 20), **common)
    @given(
        st.lists(st.lists(words(), max_size=12).map(" ".join), min_size=1, max_size=30),
        st.sampled_from(["\n", "\r\n", "\r"]),
    )
    def streamed_properties(paragraphs: list[str], newline: str) -> None:
        check_streamed(paragraphs, newline, 1000, folder)

    for name, prop, count in (
        ("text: no exception, bytes outside edits, idempotence", text_properties, examples),
        ("file bytes in 7 encodings: same properties", file_properties, examples),
        ("streamed file == whole file", streamed_properties, max(100, examples // 20)),
    ):
        start = time.perf_counter()
        prop()
        timings.append((name, count, time.perf_counter() - start))
        print(f"ok  {name}: {count} examples in {timings[-1][2]:.1f} s", flush=True)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10_000, help="examples per property (default 10,000)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    run(args.examples, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
