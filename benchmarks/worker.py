"""One benchmark job in a fresh process: load the pipeline, clean every record, write outputs.

Run by ``benchmarks/run.py`` as a subprocess so that each configuration pays its
own import and model/lexicon load and its peak memory is its own::

    python benchmarks/worker.py --config CONFIG.toml --input GOLD.jsonl --output OUT.jsonl

The output has one line per record, ``{"id", "output", "edits", "held_back"}``
(the applied edits, and the findings reported but not applied, offsets into the
spun text); ``OUT.jsonl.stats.json`` gets the timings
measured inside the process. Scoring happens in the parent, untimed.

``--unseen-corpora DIR`` (the parent passes it on the dev split): each record's
source document (its id is ``corpus:index[:part]``, a line of ``DIR/corpus.jsonl``)
is taken out of the collocation table while the record is cleaned
(:func:`repair.models.collocations.table_in_use`), since the table was counted over
the dev documents. Those tables are made before the clock starts.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def source_key(record_id: str) -> tuple[str, int] | None:
    """``("wikinews", 12)`` for a record id ``wikinews:12`` or ``wikinews:12:s1``; None for other ids."""
    parts = record_id.split(":")
    return (parts[0], int(parts[1])) if len(parts) >= 2 and parts[1].isdigit() else None


def source_documents(corpora: Path, record_ids: list[str]) -> dict[tuple[str, int], str]:
    """The text of each record's source document that ``corpora`` holds (records of other sources are left out)."""
    wanted: dict[str, set[int]] = {}
    for record_id in record_ids:
        key = source_key(record_id)
        if key is not None:
            wanted.setdefault(key[0], set()).add(key[1])
    found: dict[tuple[str, int], str] = {}
    for corpus, indexes in wanted.items():
        path = corpora / f"{corpus}.jsonl"
        if not path.is_file():
            continue
        with path.open(encoding="utf-8") as handle:
            for i, line in enumerate(handle):
                if i in indexes:
                    found[(corpus, i)] = json.loads(line)["text"]
    return found


def load_models(pipeline: Any) -> None:
    """Load the neural models the configuration uses. They load lazily, at the first suspect that
    needs one, which a short warm-up text seldom has: their load time then fell inside ``run_s``."""
    config = pipeline.config
    if "context" in config.detectors and config.quality == "best":
        pipeline.resources.causal_lm  # noqa: B018 - a cached property: reading it loads the model
        pipeline.resources.encoder  # noqa: B018


def model_use(pipeline: Any) -> dict[str, int]:
    """How much work the neural models have done in this process: tokens the causal LM decoded,
    texts the sentence encoder embedded. Only models already loaded are asked (asking a lazy
    resource would load it), so a row without them reports nothing."""
    loaded = vars(pipeline.resources)
    use: dict[str, int] = {}
    if "causal_lm" in loaded:
        use["lm_tokens"] = int(loaded["causal_lm"].tokens_evaluated)
    if "encoder" in loaded:
        use["encoded_texts"] = int(loaded["encoder"].texts_encoded)
    return use


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, required=True, help="TOML settings ([tool.repair] keys)")
    parser.add_argument("--input", type=Path, required=True, help="gold JSONL; only 'id' and 'spun' are read")
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--index", type=Path, help="an inverted index file to use instead of the default")
    parser.add_argument(
        "--unseen-corpora", type=Path, help="corpus folder: clean each record as if its source document were unseen"
    )
    args = parser.parse_args(argv)

    texts: list[tuple[str, str]] = []
    with args.input.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                texts.append((str(record["id"]), record["spun"]))
    sources = source_documents(args.unseen_corpora, [i for i, _ in texts]) if args.unseen_corpora else {}
    read_done = time.perf_counter()

    from contextlib import nullcontext

    from repair.config import load_config
    from repair.models.collocations import Collocations, default_collocations, table_in_use
    from repair.pipeline import Pipeline

    if args.index is not None:
        from repair.inverse import InverseIndex, use_index

        use_index(InverseIndex.load(args.index))
    pipeline = Pipeline(load_config(args.config, isolated=True))
    pipeline.run("Loading.")  # force every lazy resource to load before the clock for the run starts
    load_models(pipeline)
    unseen: dict[tuple[str, int], Collocations] = {
        key: default_collocations().excluding(source) for key, source in sources.items()
    }
    loaded = time.perf_counter()
    before = model_use(pipeline)

    outputs = []
    for record_id, text in texts:
        key = source_key(record_id)
        table = unseen.get(key) if key is not None else None
        with table_in_use(table) if table is not None else nullcontext():
            result = pipeline.run(text)
        outputs.append(
            {
                "id": record_id,
                "output": result.text,
                "edits": [e.to_dict() for e in result.applied],
                "held_back": [e.to_dict() for e in result.edits if not e.applied],
            }
        )
    finished = time.perf_counter()
    used = {key: count - before.get(key, 0) for key, count in model_use(pipeline).items()}  # loaded lazily

    with args.output.open("w", encoding="utf-8", newline="\n") as handle:
        for out in outputs:
            handle.write(json.dumps(out, ensure_ascii=False) + "\n")
    stats = {
        "records": len(texts),
        "read_s": read_done - STARTED,
        "load_s": loaded - read_done,
        "run_s": finished - loaded,
        "total_s": finished - STARTED,
        **used,
    }
    Path(str(args.output) + ".stats.json").write_text(json.dumps(stats), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
