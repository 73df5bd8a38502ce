"""Heavy shared objects (compiled lexicons, later models), loaded lazily, once per process.

Workers in a process pool or on a Dask cluster each build their own copy on
first use and then reuse it for every document they are given.
"""

from __future__ import annotations

import threading
from functools import cached_property
from importlib import resources as importlib_resources
from pathlib import Path

from .config import Config
from .inverse import InverseIndex, default_index
from .lexicon import Lexicon, phrase_key

_LOCK = threading.Lock()
_CACHE: dict[tuple[object, ...], Resources] = {}


def builtin_lexicon_dir() -> Path:
    """Where the shipped lexicons live: inside the package when installed from a wheel,
    or the repository's ``lexicons/`` folder in a source checkout."""
    packaged = Path(str(importlib_resources.files("repair").joinpath("lexicons")))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "lexicons"


class Resources:
    """Everything a pipeline needs that is expensive to build, keyed by config."""

    def __init__(self, config: Config) -> None:
        self.config = config

    @cached_property
    def lexicon(self) -> Lexicon:
        folder = builtin_lexicon_dir()
        paths = [folder / name for name in self.config.builtin_lexicons]
        paths += [Path(p) for p in self.config.extend_lexicon]
        return Lexicon.from_files(paths)

    @cached_property
    def inverse_index(self) -> InverseIndex | None:
        """The inverted thesaurus (None when no thesaurus is installed); built once per machine."""
        return default_index()

    @cached_property
    def ignored_keys(self) -> frozenset[tuple[str, ...]]:
        return frozenset(phrase_key(p) for p in self.config.ignore_phrases if phrase_key(p))

    def preload(self) -> None:
        """Load everything the configured pipeline needs now (workers call this when they start)."""
        self.lexicon  # noqa: B018
        self.lexicon.context_terms()

    @classmethod
    def for_config(cls, config: Config) -> Resources:
        key = config.lexicon_key
        with _LOCK:
            found = _CACHE.get(key)
            if found is None or found.config != config:
                # Reuse the compiled lexicon when only thresholds differ.
                fresh = cls(config)
                if found is not None and "lexicon" in found.__dict__:
                    fresh.__dict__["lexicon"] = found.__dict__["lexicon"]
                _CACHE[key] = found = fresh
            return found
