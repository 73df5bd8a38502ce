"""The synthetic spinner: determinism, rate, exact offsets, form kept, what it must not touch, artifacts."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lemminflect import getAllInflections, getAllLemmas

from repair import spin
from repair.spin import SpunText, spin_files, spin_records, spin_text

ROOT = Path(__file__).resolve().parent.parent

# Sentences written for these tests.
PROSE = (
    "The soldiers walked slowly across the frozen river while the older officers watched the bridges burn. "
    "Engineers quickly repaired the damaged roads, and the trucks carried heavier loads to the northern villages. "
    "According to local reports, the farmers planted their crops early because the winter had been unusually mild. "
    "In order to reach the market, traders crossed the mountains and sold their goods in the busy square."
)


def _check_offsets(result: SpunText) -> None:
    """Every substitution points at its text in both strings, and undoing them gives the original back."""
    for s in result.substitutions:
        assert result.text[s.spun_start : s.spun_end] == s.spun
        assert result.original[s.original_start : s.original_end] == s.original
        assert s.spun != s.original
    undone = result.text
    for s in reversed(result.substitutions):
        undone = undone[: s.spun_start] + s.original + undone[s.spun_end :]
    assert undone == result.original
    starts = [s.original_start for s in result.substitutions]
    assert starts == sorted(starts)
    pairs = zip(result.substitutions, result.substitutions[1:], strict=False)
    assert all(a.original_end <= b.original_start for a, b in pairs)


def test_same_seed_same_output_and_seeds_differ() -> None:
    a = spin_text(PROSE, seed=11, artifact_rate=0.2)
    b = spin_text(PROSE, seed=11, artifact_rate=0.2)
    assert a == b
    outputs = {spin_text(PROSE, seed=s).text for s in range(6)}
    assert len(outputs) >= 5
    assert spin_text(PROSE, seed="x").text == spin_text(PROSE, seed="x").text


def test_independent_of_hash_seed() -> None:
    code = (
        "import json; from repair.spin import spin_text;"
        f"r = spin_text({PROSE!r}, seed=5, artifact_rate=0.3);"
        "print(json.dumps(r.must_fix))"
    )
    here = spin_text(PROSE, seed=5, artifact_rate=0.3).must_fix
    assert here  # something was spun
    for hash_seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT)}
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        assert json.loads(done.stdout) == here


def test_rate_roughly_respected(fixtures: Path) -> None:
    text = (fixtures / "clean_wikinews.txt").read_text(encoding="utf-8") + "\n" + PROSE
    for rate in (0.1, 0.2, 0.4):
        swapped = content = 0
        for seed in range(4):
            result = spin_text(text, seed=seed, rate=rate, artifact_rate=0.0)
            _check_offsets(result)
            swapped += result.swapped_words
            content += result.content_words
        assert content > 300
        assert rate * 0.75 <= swapped / content <= rate * 1.1, (rate, swapped / content)
    assert spin_text(text, seed=1, rate=0.0, artifact_rate=0.0).substitutions == ()
    with pytest.raises(ValueError):
        spin_text(text, rate=1.5)


def test_draws_pick_synonyms_as_they_say(fixtures: Path) -> None:
    """The "common" draw swaps in commoner words than "rank", and "rank" than "uniform"; offsets stay exact."""
    from wordfreq import zipf_frequency

    text = (fixtures / "clean_wikinews.txt").read_text(encoding="utf-8") + "\n" + PROSE
    medians = {}
    for draw in spin.DRAWS:
        new_words = []
        for seed in range(3):
            result = spin_text(text, seed=seed, rate=0.5, artifact_rate=0.0, draw=draw)
            _check_offsets(result)
            new_words += [s.spun for s in result.substitutions if " " not in s.spun and " " not in s.original]
        assert len(new_words) > 100
        zipfs = sorted(zipf_frequency(w, "en") for w in new_words)
        medians[draw] = zipfs[len(zipfs) // 2]
    assert medians["common"] > medians["rank"] > medians["uniform"], medians
    assert spin_text(PROSE, seed=2).text == spin_text(PROSE, seed=2, draw="rank").text  # the default
    with pytest.raises(ValueError, match="draw must be one of"):
        spin_text(PROSE, draw="alphabetical")


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), rate=st.floats(0.0, 1.0), artifact_rate=st.floats(0.0, 1.0))
def test_offsets_exact_property(seed: int, rate: float, artifact_rate: float) -> None:
    text = PROSE + " It wasn't the first time since World War II that they couldn't cross; we're told it's fine."
    _check_offsets(spin_text(text, seed=seed, rate=rate, artifact_rate=artifact_rate))


def _has_tag(word: str, upos: str, tags: set[str]) -> bool:
    lower = word.lower()
    for lemma in getAllLemmas(lower).get(upos, ()):
        if any(lower in forms for tag, forms in getAllInflections(lemma, upos).items() if tag in tags):
            return True
    return False


def _only_reading(word: str, upos: str) -> bool:
    return set(getAllLemmas(word.lower())) == {upos}


def test_inflection_and_capitalisation_kept() -> None:
    checked = {"NNS": 0, "VBD": 0, "JJR": 0, "cap": 0}
    text = "Engineers repaired heavier bridges. Villages celebrated quietly. Children played happier games."
    for seed in range(60):
        result = spin_text(text, seed=seed, rate=1.0, artifact_rate=0.0)
        _check_offsets(result)
        for s in result.substitutions:
            if s.kind != "word":
                continue
            words = s.spun.split()
            if s.original[0].isupper():
                assert s.spun[0].isupper()
                checked["cap"] += 1
            else:
                assert s.spun == s.spun.lower()
            if s.original.lower() in ("children", "games") and _only_reading(s.original, "NOUN"):
                # A plural noun stays plural (the last word of a phrase carries the number).
                assert _has_tag(words[-1], "NOUN", {"NNS"}) or not getAllLemmas(words[-1]), s
                checked["NNS"] += 1
            if s.original.lower() in ("repaired", "celebrated", "played"):
                assert _has_tag(words[0], "VERB", {"VBD", "VBN"}), s
                checked["VBD"] += 1
            if s.original.lower() in ("heavier", "happier"):
                assert len(words) == 1 and _has_tag(words[0], "ADJ", {"JJR"}), s
                checked["JJR"] += 1
    assert all(n >= 3 for n in checked.values()), checked


def test_stop_words_numbers_and_names_untouched() -> None:
    text = (
        "Yesterday Angela Merkel met Barack Obama in Berlin, and they discussed 42 proposals about trade. "
        "Merkel said that the talks were useful. Obama agreed with her on 7 points."
    )
    data = spin.load_spin_data()
    names = {"angela", "merkel", "barack", "obama", "berlin"}
    for seed in range(30):
        result = spin_text(text, seed=seed, rate=1.0, artifact_rate=0.0)
        _check_offsets(result)
        assert result.substitutions
        for s in result.substitutions:
            words = [w.lower() for w in re.findall(r"\w+", s.original)]
            assert not names & set(words), s
            assert not any(w.isdigit() for w in words), s
            if len(words) == 1:
                assert words[0] not in data.stop_words, s


def test_synonyms_are_real_words() -> None:
    for seed in range(10):
        for s in spin_text(PROSE, seed=seed, rate=0.5, artifact_rate=0.0).substitutions:
            for word in re.findall(r"[a-z]+", s.spun.lower()):
                assert spin.zipf(word) >= 2.5 or word in s.original.lower(), s


def test_phrases_swapped_as_units() -> None:
    text = "According to the report, the plan failed. In order to win, they trained. We have no time."
    kinds = set()
    for seed in range(40):
        result = spin_text(text, seed=seed, rate=0.5, artifact_rate=0.0)
        for s in result.substitutions:
            if s.kind == "phrase":
                kinds.add(s.original.lower())
                # the unit is replaced whole, never split by another substitution
                assert " " in s.original or " " in s.spun
    assert {"according to", "in order to", "we have"} <= kinds, kinds


def test_artifacts_when_rate_is_one() -> None:
    text = "It wasn't the first time since World War II that a foreign army crossed the border. We can't stop them now."
    result = spin_text(text, seed=3, rate=0.0, artifact_rate=1.0)
    _check_offsets(result)
    by_kind: dict[str, list[tuple[str, str]]] = {}
    for s in result.substitutions:
        by_kind.setdefault(s.kind, []).append((s.spun, s.original))
    # Every contraction is broken, with the curated phrase where one is listed.
    assert ("are able to't", "can't") in by_kind["contraction"] or ("be able to't", "can't") in by_kind["contraction"]
    assert ("was n't", "wasn't") in by_kind["contraction"]
    # The fixed name has one common word swapped, capitalised.
    [(spun_name, original_name)] = by_kind["name"]
    assert original_name in ("World", "War") and spun_name[0].isupper() and spun_name != original_name
    # Each sentence gets a brace, spintax or doubled-word artifact.
    residue = sum(len(by_kind.get(k, [])) for k in ("template", "spintax", "doubled"))
    assert residue == 2
    for spun_text_, original in by_kind.get("template", []):
        assert spun_text_ == "{" + original + "}"
    for spun_text_, original in by_kind.get("spintax", []):
        assert spun_text_.startswith("{") and original in spun_text_[1:-1].split("|")


def test_each_sentence_artifact_kind_occurs() -> None:
    seen = set()
    text = "The army and the navy met in the town. This plan was important to many people."
    for seed in range(30):
        seen.update(s.kind for s in spin_text(text, seed=seed, rate=0.0, artifact_rate=1.0).substitutions)
    assert {"template", "spintax", "doubled"} <= seen


def test_records_format_and_stability() -> None:
    docs = [("a.txt", PROSE), ("b.txt", "Short. " + PROSE)]
    records = list(spin_records(docs, seed=9, rate=0.3))
    assert [r["id"] for r in records[:4]] == ["a.txt:1", "a.txt:2", "a.txt:3", "a.txt:4"]
    assert all(set(r) == {"id", "spun", "original", "must_fix"} for r in records)
    for r in records:
        for spun_phrase, original_phrase in r["must_fix"]:
            assert spun_phrase in r["spun"] and original_phrase in r["original"]
    # "Short." has fewer than min_words words and is skipped.
    assert next(r["original"] for r in records if r["id"].startswith("b.txt")).startswith("The soldiers")
    # A record depends on its id and the seed, not on the other documents.
    alone = list(spin_records(docs[1:], seed=9, rate=0.3))
    assert alone == [r for r in records if r["id"].startswith("b.txt")]
    paragraphs = list(spin_records([("p", "One two three four five.\n\nSix seven eight nine ten.")], unit="paragraph"))
    assert [r["id"] for r in paragraphs] == ["p:1", "p:2"]
    detailed = next(spin_records(docs, seed=9, rate=0.3, details=True))
    assert len(detailed["substitutions"]) == len(detailed["must_fix"])


def test_spin_files(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "one.txt").write_text(PROSE, encoding="utf-8")
    (folder / "two.md").write_text(PROSE.upper(), encoding="utf-8")
    (folder / "skip.bin").write_bytes(b"\x00\x01")
    out = tmp_path / "gold.jsonl"
    run = spin_files([str(folder), str(tmp_path / "missing.txt")], seed=2, rate=0.2, out=out)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert run.files == 2 and run.records == len(lines) == 8
    assert [path for path, _ in run.errors] == [str(tmp_path / "missing.txt")]
    first = json.loads(lines[0])
    assert first["id"].endswith("in/one.txt:1") and first["original"].startswith("The soldiers")
    stream = io.StringIO()
    again = spin_files([str(folder), str(tmp_path / "missing.txt")], seed=2, rate=0.2, out=stream)
    assert again.records == 8 and stream.getvalue().splitlines() == lines
    alone = io.StringIO()
    spin_files([str(folder)], seed=2, rate=0.2, out=alone)
    assert json.loads(alone.getvalue().splitlines()[0])["id"] == "one.txt:1"


def test_curated_data_is_not_from_the_seed_sample() -> None:
    """The spinner's curated phrases must not be typed from the spun sample in seeds/."""
    sample = (ROOT / "seeds" / "kursk_spun.txt").read_text(encoding="utf-8").lower().replace("\u2019", "'")
    flat = " " + " ".join(re.findall(r"[a-z']+", sample)) + " "
    data = spin.load_spin_data()
    curated = [v for values in data.phrases.values() for v in values] + [v for g in data.spintax for v in g]
    assert [v for v in curated if " " in v and f" {v} " in flat] == []
