"""One benchmark job in a fresh process: load the pipeline, clean every record, write outputs.

Run by ``benchmarks/run.py`` as a subprocess so that each configuration pays its
own import and model/lexicon load and its peak memory is its own::

    python benchmarks/worker.py --config CONFIG.toml --input GOLD.jsonl --output OUT.jsonl

The output has one line per record, ``{"id", "output", "edits"}`` (applied edits
only, offsets into the spun text); ``OUT.jsonl.stats.json`` gets the timings
measured inside the process. Scoring happens in the parent, untimed.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, required=True, help="TOML settings ([tool.repair] keys)")
    parser.add_argument("--input", type=Path, required=True, help="gold JSONL; only 'id' and 'spun' are read")
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--index", type=Path, help="an inverted index file to use instead of the default")
    args = parser.parse_args(argv)

    texts: list[tuple[str, str]] = []
    with args.input.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                texts.append((str(record["id"]), record["spun"]))
    read_done = time.perf_counter()

    from repair.config import load_config
    from repair.pipeline import Pipeline

    if args.index is not None:
        from repair.inverse import InverseIndex, use_index

        use_index(InverseIndex.load(args.index))
    pipeline = Pipeline(load_config(args.config, isolated=True))
    pipeline.run("Loading.")  # force every lazy resource to load before the clock for the run starts
    loaded = time.perf_counter()

    outputs = []
    for record_id, text in texts:
        result = pipeline.run(text)
        outputs.append({"id": record_id, "output": result.text, "edits": [e.to_dict() for e in result.applied]})
    finished = time.perf_counter()

    with args.output.open("w", encoding="utf-8", newline="\n") as handle:
        for out in outputs:
            handle.write(json.dumps(out, ensure_ascii=False) + "\n")
    stats = {
        "records": len(texts),
        "read_s": read_done - STARTED,
        "load_s": loaded - read_done,
        "run_s": finished - loaded,
        "total_s": finished - STARTED,
    }
    Path(str(args.output) + ".stats.json").write_text(json.dumps(stats), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
